# Quality gates (docs/quality.md).  Each gate is a target; `make gates`
# runs them all (scripts/ci-gates: what .ci/run does before `make check`):
#
#   asan          the whole suite against an ASan+UBSan build (build-asan/)
#   valgrind      sluice run and libsluice under memcheck (build-valgrind/)
#   fuzz          libFuzzer on the config loader, the protocol decoder and
#                 the helper's whole config intake, FUZZ_SECONDS (60) each
#                 (build-fuzz/)
#   analyze       clang -Werror build, clang --analyze, cppcheck
#   format-check  clang-format against .clang-format (`make format` fixes)
#   shellcheck    every shell script, the bats helpers and files
#   fd-lint       fds opened without close-on-exec in lib/ and cmd/
#
# `make check` gets from this file: the fault-injection build (`make
# fault`, build-fault/) and the libsluice loop driver that test/faults.bats
# and test/stress.bats use, and two unit tests: test_fuzz_regress (replays
# fuzz/regressions/ and the seeds) and test_fd_lint (the lint and its own
# cases).

CLANG ?= clang
CLANG_FORMAT ?= clang-format
CPPCHECK ?= cppcheck
SHELLCHECK ?= shellcheck
FUZZ_SECONDS ?= 60

ASAN_BUILD ?= build-asan
FAULT_BUILD ?= build-fault
FUZZ_BUILD ?= build-fuzz
VALGRIND_BUILD ?= build-valgrind

SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

# A test build whose helper fails on purpose at the step named in
# SLUICE_FAULT (lib/init/helper.c).
$(eval $(call measuring_build,FAULT,SLUICE_FAULT_INJECTION,a test binary,make fault builds $(FAULT_BUILD)/))

.PHONY: gates asan valgrind fuzz fuzz-build fuzz-regress analyze format-check format \
	shellcheck fd-lint fault clean-quality

gates:
	scripts/ci-gates

# ---- built with `unit`, so that `make check` has them ----

LOOP_BIN := $(BUILD)/test/libsluice_loop
FUZZ_REGRESS_BIN := $(BUILD)/test/test_fuzz_regress
FD_LINT_TEST := $(BUILD)/test/test_fd_lint

unit: $(LOOP_BIN) $(FUZZ_REGRESS_BIN) $(FD_LINT_TEST)
bats: $(LOOP_BIN)
# test/faults.bats runs $(FAULT_BUILD)/sluice (SLUICE_FAULT_BIN); the
# sanitizer build is a fault build itself.
ifeq ($(BUILD),build)
unit bats: fault
endif

clean-quality:
	rm -rf $(ASAN_BUILD) $(FAULT_BUILD) $(FUZZ_BUILD) $(VALGRIND_BUILD)

fault:
	$(MAKE) BUILD=$(FAULT_BUILD) FAULT=1 all

$(LOOP_BIN): test/libsluice_loop.c $(BUILD)/libsluice.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LINK_MODE) $(LDFLAGS) -o $@ $< $(BUILD)/libsluice.a $(LIBS)

# The fuzz targets without libFuzzer, each entry under a name of its own.
FUZZ_TARGETS := config proto intake

$(FUZZ_REGRESS_BIN): fuzz/regress.c $(FUZZ_TARGETS:%=fuzz/fuzz_%.c) fuzz/fuzz.h \
		test/unit/tap.h $(BUILD)/libsluice.a
	@mkdir -p $(dir $@) $(BUILD)/obj/fuzz
	for t in $(FUZZ_TARGETS); do \
		$(CC) $(ALL_CFLAGS) -Ifuzz -DFUZZ_ENTRY=fuzz_$${t}_input -c \
			-o $(BUILD)/obj/fuzz/regress_$$t.o fuzz/fuzz_$$t.c || exit 1; \
	done
	$(CC) $(ALL_CFLAGS) -Ifuzz -Itest/unit $(LINK_MODE) $(LDFLAGS) -o $@ fuzz/regress.c \
		$(FUZZ_TARGETS:%=$(BUILD)/obj/fuzz/regress_%.o) $(BUILD)/libsluice.a $(LIBS)

$(FD_LINT_TEST): test/unit/test_fd_lint.sh
	@mkdir -p $(dir $@)
	install -m 755 $< $@

fuzz-regress: $(FUZZ_REGRESS_BIN)
	test/run $(FUZZ_REGRESS_BIN)

# ---- sanitizers: the whole suite, unit and bats ----

asan:
	$(MAKE) BUILD=$(ASAN_BUILD) LINK_MODE= FAULT=1 CFLAGS='-O1 -g $(SANITIZE)' \
		LDFLAGS='$(SANITIZE)' all unit
	scripts/sanitizer-suite $(ASAN_BUILD)

# ---- valgrind: a dynamic build, so that memcheck sees malloc ----

valgrind:
	$(MAKE) BUILD=$(VALGRIND_BUILD) LINK_MODE= CFLAGS='-O1 -g' all $(VALGRIND_BUILD)/test/libsluice_loop
	scripts/valgrind-check $(VALGRIND_BUILD)

# ---- fuzzing ----

FUZZ_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

fuzz-build:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=$(CLANG) LINK_MODE= CFLAGS='-O1 -g $(FUZZ_FLAGS)' \
		$(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz/fuzz_%)

$(BUILD)/fuzz/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h $(BUILD)/libsluice.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Ifuzz -fsanitize=fuzzer $(LDFLAGS) -o $@ $< $(BUILD)/libsluice.a $(LIBS)

fuzz: fuzz-build
	scripts/fuzz $(FUZZ_BUILD) $(FUZZ_SECONDS)

# ---- static analysis ----

ANALYZE_SRCS = $(LIB_SRCS) $(CMD_SRCS)

analyze:
	ANALYZE_CFLAGS='$(ALL_CFLAGS)' CLANG='$(CLANG)' CPPCHECK='$(CPPCHECK)' \
		scripts/analyze $(ANALYZE_SRCS)

# ---- formatting ----

FORMAT_SRCS = $(sort $(wildcard lib/*.[ch] lib/*/*.[ch] cmd/*.[ch] test/*.c test/unit/*.[ch] fuzz/*.[ch]))

format-check:
	@$(CLANG_FORMAT) --version
	@files=$$(for f in $(FORMAT_SRCS); do \
		$(CLANG_FORMAT) --style=file "$$f" | cmp -s - "$$f" || echo "$$f"; done); \
	if [ -n "$$files" ]; then \
		echo "format-check: these files differ from .clang-format (make format fixes them):"; \
		echo "$$files" | sed 's/^/  /'; \
		$(CLANG_FORMAT) --dry-run --Werror $$files 2>&1 | head -n 40; \
		exit 1; \
	fi; \
	echo "format-check: $(words $(FORMAT_SRCS)) files match .clang-format"

format:
	$(CLANG_FORMAT) -i --style=file $(FORMAT_SRCS)

# ---- shell ----

# Shell scripts by their first line, wherever they are.
SHELL_SCRIPTS = $(sort $(shell grep -lE '^#!.*\b(ba)?sh\b' scripts/* .ci/run test/run test/unit/*.sh test/clients/runtime-log bench/* 2>/dev/null) test/helpers.bash test/clients/helpers.bash)
BATS_FILES = $(sort $(wildcard test/*.bats test/clients/*.bats))

# In the bats files, SC2016 (no expansion in single quotes) is excluded:
# `sh -c '...'` scripts that run inside the sandbox are the idiom there.
shellcheck:
	@$(SHELLCHECK) --version | sed -n 2p
	$(SHELLCHECK) -x $(SHELL_SCRIPTS)
	$(SHELLCHECK) -x -s bash -e SC2016 $(BATS_FILES)
	@echo "shellcheck: $(words $(SHELL_SCRIPTS)) scripts and $(words $(BATS_FILES)) bats files are clean"

# ---- fd discipline ----

fd-lint:
	scripts/fd-lint lib cmd
