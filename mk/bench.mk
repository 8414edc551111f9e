# `make bench`: sluice against runc, crun, bubblewrap and the unshare floor
# (docs/performance.md), and what a seccomp filter costs sluice and crun
# (the same profile: sluice's default, sluice run --print-seccomp).  Never
# part of `make check`: it times things.
#
#   make bench                       all six figures, report in build/bench/
#   make bench BENCH_RUNS=500        more starts per contender (default 200)
#   make bench BENCH_STDIO_BYTES=1G  less data through the stdio test (default 4G)
#   make bench BENCH_CONC=50         sandboxes started at once (default 100)
#   make bench BENCH_PUBLISH=0       do not copy the report into docs/
#   make bench BENCH_OCI=0           without the OCI figures (bench/oci)
#
# As root it installs what is missing (scripts/install-deps, then the peers:
# bench/install-peers); as another user it says what to install.

BENCH_DIR := $(BUILD)/bench
BENCH_BIN := $(BENCH_DIR)/bin
BENCH_TOOLS := $(BENCH_BIN)/benchrun $(BENCH_BIN)/rssprobe $(BENCH_BIN)/crunwrap $(BENCH_BIN)/slowcat \
	$(BENCH_BIN)/floorprobe
BENCH_CFLAGS := -std=gnu11 -D_GNU_SOURCE $(WARN) -O2

# The same sluice without the security defaults of issue 8
# (lib/base/hardening.h): what they cost a start is its latency against
# sluice's.  A measuring instrument, never in build/, which is shipped.
UNHARDENED_BUILD ?= build-unhardened
$(eval $(call measuring_build,UNHARDENED,SLUICE_BENCH_UNHARDENED,a benchmark binary,make bench builds $(UNHARDENED_BUILD)/))

BENCH_RUNS ?= 200
BENCH_STDIO_BYTES ?= 4G
BENCH_CONC ?= 100
BENCH_PUBLISH ?= 1
BENCH_OCI ?= 1

.PHONY: bench bench-tools

bench:
	scripts/install-deps
	bench/install-peers
	$(MAKE) all bench-tools
	$(MAKE) BUILD=$(UNHARDENED_BUILD) UNHARDENED=1 $(UNHARDENED_BUILD)/sluice
	BENCH_RUNS=$(BENCH_RUNS) BENCH_STDIO_BYTES=$(BENCH_STDIO_BYTES) BENCH_CONC=$(BENCH_CONC) \
		BENCH_PUBLISH=$(BENCH_PUBLISH) BENCH_OCI=$(BENCH_OCI) BUILD=$(BUILD) \
		UNHARDENED_BUILD=$(UNHARDENED_BUILD) bench/run

bench-tools: $(BENCH_TOOLS)

$(BENCH_BIN)/benchrun: bench/benchrun.c mk/bench.mk
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -o $@ $<

# The memory probe runs as the workload: no libc, a few KiB resident, so
# that it never hides the peak it reports (bench/rssprobe.c).
$(BENCH_BIN)/rssprobe: bench/rssprobe.c mk/bench.mk
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -Wno-missing-prototypes -static -nostdlib -no-pie -fno-pie \
		-fno-stack-protector -fno-builtin -U_FORTIFY_SOURCE -o $@ $<

$(BENCH_BIN)/crunwrap: bench/crunwrap.c mk/bench.mk
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -static -o $@ $<

# Linked as sluice is: the child it forks has an address space of the
# same kind as sluice's init (bench/floorprobe.c).
$(BENCH_BIN)/floorprobe: bench/floorprobe.c mk/bench.mk
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) $(LINK_MODE) -o $@ $<

$(BENCH_BIN)/slowcat: bench/slowcat.c mk/bench.mk
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -o $@ $<
