# The cgroup API's test driver (test/cgroup_tool.c), built with `unit` so
# that test/cgroups.bats has it under `make check`.
CGROUP_TOOL := $(BUILD)/test/cgroup_tool

unit bats: $(CGROUP_TOOL)

$(CGROUP_TOOL): test/cgroup_tool.c $(BUILD)/libsluice.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LINK_MODE) $(LDFLAGS) -o $@ $< $(BUILD)/libsluice.a $(LIBS)
