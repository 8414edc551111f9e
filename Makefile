# sluice build.  `make` builds build/sluice and build/libsluice.a;
# `make check` runs the whole test suite (unit tests + bats scenarios).

CC ?= cc
PKG_CONFIG ?= pkg-config
PKGS := yaml-0.1 libcap libseccomp

BUILD ?= build
# lib/ is in folders by what the code serves (README "Layout"); every
# folder is on the include path, so a header is named by its file alone.
LIB_DIRS := lib $(patsubst %/,%,$(sort $(dir $(wildcard lib/*/*.[ch]))))
WARN := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wformat=2 \
	-Wswitch-enum -Wno-switch-default -Wundef -Wpointer-arith -Wvla
HARDEN := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=gnu11 -D_GNU_SOURCE $(WARN) $(HARDEN) -fvisibility=hidden \
	$(shell $(PKG_CONFIG) --cflags $(PKGS)) $(LIB_DIRS:%=-I%) $(CFLAGS)
# The helper is re-executed for every sandbox: a static PIE skips the
# dynamic loader on that hot path (docs/performance.md).
LINK_MODE ?= -static-pie
LIBS := $(shell $(PKG_CONFIG) --static --libs $(PKGS))
LDFLAGS ?=

LIB_SRCS := $(sort $(wildcard lib/*.c lib/*/*.c))
CMD_SRCS := $(sort $(wildcard cmd/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
CMD_OBJS := $(CMD_SRCS:%.c=$(BUILD)/obj/%.o)
UNIT_SRCS := $(sort $(wildcard test/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:test/unit/%.c=$(BUILD)/test/%)

.PHONY: all clean check unit bats clients clients-runc deps demo
all: $(BUILD)/sluice $(BUILD)/libsluice.a $(BUILD)/probe $(BUILD)/seccomp_agent

$(BUILD)/obj/%.o: %.c $(wildcard lib/*.h lib/*/*.h cmd/*.h) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libsluice.a: $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/sluice: $(CMD_OBJS) $(BUILD)/libsluice.a
	$(CC) $(LINK_MODE) $(LDFLAGS) -o $@ $(CMD_OBJS) $(BUILD)/libsluice.a $(LIBS)

# The probe runs inside test sandboxes (often a bare busybox rootfs): static.
$(BUILD)/probe: test/probe.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -D_GNU_SOURCE $(WARN) -O2 -static -o $@ $<

# The seccomp agent of test/seccomp.bats: takes a listener, answers calls.
$(BUILD)/seccomp_agent: test/seccomp_agent.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -D_GNU_SOURCE $(WARN) -O2 -static -o $@ $<

$(BUILD)/test/%: test/unit/%.c test/unit/tap.h $(BUILD)/libsluice.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itest/unit $(LINK_MODE) -o $@ $< $(BUILD)/libsluice.a $(LIBS)

unit: $(UNIT_BINS)

# Install first, then a make of its own: the flags above come from
# pkg-config when the Makefile is read, so they must be read after the install.
check:
	scripts/install-deps --clients
	$(MAKE) all unit
	test/run

# The main job on a fresh machine: install, build, run a sandboxed command.
demo:
	scripts/demo

bats: all
	test/run $(wildcard test/*.bats)

# The real clients (podman, containerd, docker, buildah) driving sluice,
# and the same suites driving runc, which proves the harness itself
# (docs/clients.md).
clients: all
	test/run $(wildcard test/clients/*.bats)

clients-runc: all
	SLUICE_CLIENTS_RUNTIME=runc test/run $(wildcard test/clients/*.bats)

deps:
	scripts/install-deps

clean:
	rm -rf $(BUILD)

# A measuring build: FLAG=1 on make's command line compiles with -DMACRO,
# and never into build/, which is what gets shipped.  Used by mk/ as
#   $(eval $(call measuring_build,FLAG,MACRO,what it makes,its own directory))
define measuring_build
ifneq ($$($(1)),)
ifeq ($$(BUILD),build)
$$(error $(1)=1 makes $(3): give it a directory of its own ($(4)))
endif
ALL_CFLAGS += -D$(2)
endif
endef

# Further targets (bench, quality gates) live in mk/, one file each.
-include $(sort $(wildcard mk/*.mk))
