#!/usr/bin/env bats
# Fault injection (docs/quality.md): a test build of sluice (`make fault`:
# build-fault/sluice, or the sanitizer build, which is one too) fails on
# purpose at the setup step named in SLUICE_FAULT (lib/init/helper.c):
#   SLUICE_FAULT=STEP        the step fails with EIO
#   SLUICE_FAULT=STEP:kill   the helper SIGKILLs itself there (not as the init
#                            of a pid namespace: the kernel drops that)
#   SLUICE_FAULT=STEP:hang   the helper says so on stderr and waits there;
#                            the test SIGKILLs it from the host
# For every step: exit 125, one line naming the step, nothing left behind
# (no process, no mount, no temporary file, no fd in the parent: the
# libsluice loop driver counts its own), the parent notices a killed helper
# at once, and at every step the helper holds only the fds it should.

load helpers

FAULT_SLUICE=${SLUICE_FAULT_BIN:-$SLUICE_REPO/build-fault/sluice}
LOOP=${SLUICE_LOOP_BIN:-$(dirname "$SLUICE")/test/libsluice_loop}

# The steps every test here covers: lib/init/helper.c's steps[] in order,
# "read-config" before them, "init" (--init, or no pid namespace),
# "controlling-terminal", "seccomp" (the filter, loaded by the process that
# execs: the default profile's here) and "exec" after them.  A step added
# to helper.c fails the first test until it is covered here.
STEPS=(session oom-score-adj namespaces hostname sysctl nested-userns network mounts terminal cwd
	rlimits umask personality cpu-affinity scheduler io-priority memory-policy tty-guard capabilities-bounding
	identity capabilities no-new-privileges parent-death-signal)
ALL_STEPS=(read-config "${STEPS[@]}" init controlling-terminal seccomp exec)
# The launcher's own steps for a config with a cgroup (lib/cgroup/cgroup.c,
# cg_fault): make the directories, write the limits (before the clone on
# pure v2, after it on v1 and hybrid hosts), move the helper in (after the
# clone); all before GO.  STEP:kill SIGKILLs the launcher there.
CGROUP_STEPS=(cgroup-create cgroup-limits cgroup-enter)

setup_file() {
	ROOTFS=$(scratch_dir)/rootfs
	make_rootfs "$ROOTFS"
	export ROOTFS
	# The test user runs a copy when it cannot reach the build.
	FAULT_USER_SLUICE=$FAULT_SLUICE
	if [[ -x $FAULT_SLUICE && -n $SLUICE_TEST_USER ]] && ((EUID == 0)) &&
		! as_user test -x "$FAULT_SLUICE"; then
		FAULT_USER_SLUICE=$(scratch_dir)/sluice-fault
		install -m 755 "$FAULT_SLUICE" "$FAULT_USER_SLUICE"
	fi
	export FAULT_USER_SLUICE
}

setup() {
	[[ -x $FAULT_SLUICE ]] || skip "requires the fault-injection build $FAULT_SLUICE (make fault)"
	leftovers_snapshot
	M=$(unique_marker)
	OUT=$BATS_TEST_TMPDIR/out
}

# fault_sluice STEP ARGS...: the fault build, failing at STEP, with a
# timeout and only fds 0-2 open.  The marker in the environment finds the
# helper (it inherits sluice's environment; the workload gets process.env).
fault_sluice() {
	local step=$1
	shift
	(
		_close_extra_fds
		run_with_timeout "$SLUICE_TIMEOUT" env SLUICE_FAULT="$step" SLUICE_TEST_MARKER="$M" \
			"$FAULT_SLUICE" "$@"
	)
}

# The same, as the test user.
fault_sluice_user() {
	local step=$1
	shift
	as_user_cmd || return 1
	(
		_close_extra_fds
		run_with_timeout "$SLUICE_TIMEOUT" env SLUICE_FAULT="$step" SLUICE_TEST_MARKER="$M" \
			"${AS_USER[@]}" "$FAULT_USER_SLUICE" "$@"
	)
}

# assert_no_helper: no process left with this test's marker in its
# environment (helpers, waiters, inits), 2 seconds' grace.
assert_no_helper() {
	local deadline=$((SECONDS + 2)) pids
	while pids=$(grep -lzx "SLUICE_TEST_MARKER=$M" /proc/[0-9]*/environ 2>/dev/null); do
		[[ -n $pids ]] || return 0
		if ((SECONDS >= deadline)); then
			echo "helper processes left behind: $(echo "$pids" | cut -d/ -f3 | tr '\n' ' ')" >&2
			return 1
		fi
		sleep 0.05
	done
}

# assert_failed_at STEP: $status, $output and $stderr of a run that failed
# at STEP: 125, nothing on stdout, exactly the one line, nothing left.
assert_failed_at() {
	assert_status 125
	assert_eq "$output" "" "nothing on stdout"
	# shellcheck disable=SC2154 # set by run --separate-stderr
	assert_eq "$stderr" "sluice: $1: fault injected: Input/output error" "one line naming the step"
	assert_no_leftovers "$M"
	assert_no_helper
}

# fault_case STEP [ARGS...]: sluice run ARGS in the busybox rootfs, failing
# at STEP.
fault_case() {
	local step=$1
	shift
	run --separate-stderr fault_sluice "$step" run "$@" --rootfs "$ROOTFS" -- sh -c : "$M"
	assert_failed_at "$step"
}

# tty_fault_case STEP [ARGS...]: fault_case with a terminal (--tty) made in
# the sandbox; stdin is no terminal here, which sluice warns about first.
tty_fault_case() {
	local step=$1
	shift
	run --separate-stderr fault_sluice "$step" run --tty "$@" --rootfs "$ROOTFS" -- sh -c : "$M"
	assert_status 125
	assert_eq "$output" "" "nothing on stdout"
	assert_eq "$stderr" "sluice: warning: stdin is not a terminal: its input is relayed to the sandbox's terminal as it comes
sluice: $step: fault injected: Input/output error" "the warning, then one line naming the step"
	assert_no_leftovers "$M"
	assert_no_helper
}

# sluice_init_file CONFIG: `sluice init 3<CONFIG`, as a runtime that starts
# the helper itself, with a timeout and no other fd.
sluice_init_file() {
	(
		_close_extra_fds
		exec 3<"$1"
		run_with_timeout "$SLUICE_TIMEOUT" "$SLUICE" init
	)
}

nopid_config() {
	cat >"$BATS_TEST_TMPDIR/nopid.yaml" <<-'EOF'
		linux:
		  namespaces: [{type: mount}, {type: uts}, {type: ipc}, {type: network}]
	EOF
	printf '%s\n' "$BATS_TEST_TMPDIR/nopid.yaml"
}

# fds_of PID: the fd numbers open in PID, sorted, each followed by a space.
fds_of() {
	local fd list=()
	for fd in "/proc/$1/fd"/*; do
		list+=("${fd##*/}")
	done
	printf '%s\n' "${list[@]}" | sort -n | tr '\n' ' '
}

seconds_since() { # START (an $EPOCHREALTIME): whole milliseconds since then
	echo $(((${EPOCHREALTIME/./} - ${1/./}) / 1000))
}

@test "the fault tests cover every step of lib/init/helper.c, in its order" {
	local listed
	listed=$(sed -n '/^static const struct step steps\[\] = {/,/^};/s/^\t{ *"\([a-z-]*\)",.*/\1/p' \
		"$SLUICE_REPO/lib/init/helper.c" | tr '\n' ' ')
	assert_eq "$listed" "${STEPS[*]} " "steps[] in lib/init/helper.c and STEPS here"
	run -0 bash -c 'grep -o "h\(\.\|->\)step = \"\(read-config\|init\|controlling-terminal\|exec\)\"" "$1" |
		sed "s/.*= //" | sort -u | wc -l' - "$SLUICE_REPO/lib/init/helper.c"
	assert_eq "$output" 4 "the steps outside steps[]: read-config, init, controlling-terminal, exec"
}

@test "the cgroup fault tests cover every cg_fault() of lib/cgroup/cgroup.c, in its order" {
	local listed
	listed=$(grep -o 'cg_fault("[a-z-]*"' "$SLUICE_REPO/lib/cgroup/cgroup.c" | cut -d'"' -f2 | tr '\n' ' ')
	assert_eq "$listed" "${CGROUP_STEPS[*]} " "cg_fault() calls in lib/cgroup/cgroup.c and CGROUP_STEPS here"
}

@test "fault at read-config: 125, one line naming it, nothing left" { fault_case read-config; }
@test "fault at namespaces: 125, one line naming it, nothing left" { fault_case namespaces; }
@test "fault at hostname: 125, one line naming it, nothing left" { fault_case hostname; }
@test "fault at sysctl: 125, one line naming it, nothing left" { fault_case sysctl; }
@test "fault at oom-score-adj: 125, one line naming it, nothing left" { fault_case oom-score-adj; }
@test "fault at network: 125, one line naming it, nothing left" { fault_case network; }
@test "fault at mounts: 125, one line naming it, nothing left" { fault_case mounts; }
@test "fault at cwd: 125, one line naming it, nothing left" { fault_case cwd; }
@test "fault at rlimits: 125, one line naming it, nothing left" { fault_case rlimits; }
@test "fault at umask: 125, one line naming it, nothing left" { fault_case umask; }
@test "fault at personality: 125, one line naming it, nothing left" { fault_case personality; }
@test "fault at cpu-affinity: 125, one line naming it, nothing left" { fault_case cpu-affinity; }
@test "fault at scheduler: 125, one line naming it, nothing left" { fault_case scheduler; }
@test "fault at io-priority: 125, one line naming it, nothing left" { fault_case io-priority; }
@test "fault at memory-policy: 125, one line naming it, nothing left" { fault_case memory-policy; }
@test "fault at capabilities-bounding: 125, one line naming it, nothing left" {
	fault_case capabilities-bounding
}
@test "fault at identity: 125, one line naming it, nothing left" { fault_case identity; }
@test "fault at capabilities: 125, one line naming it, nothing left" { fault_case capabilities; }
@test "fault at no-new-privileges: 125, one line naming it, nothing left" {
	fault_case no-new-privileges
}
@test "fault at parent-death-signal: 125, one line naming it, nothing left" {
	fault_case parent-death-signal
}
@test "fault at terminal (--tty): 125, one line naming it, nothing left" {
	tty_fault_case terminal
}
@test "fault at controlling-terminal (--tty, --init): 125, one line naming it, nothing left" {
	tty_fault_case controlling-terminal --init
}
@test "fault at init (--init): 125, one line naming it, nothing left" { fault_case init --init; }
@test "fault at seccomp: 125, one line naming it, nothing left" { fault_case seccomp; }
@test "fault at seccomp with --init: 125, one line naming it, nothing left" {
	fault_case seccomp --init
}
@test "fault at exec: 125, one line naming it, nothing left" { fault_case exec; }

@test "every fault on the host's / with --init and relayed stdio: 125, the step, nothing left" {
	local step
	for step in "${ALL_STEPS[@]}"; do
		run --separate-stderr fault_sluice "$step" run --init --stdout pipe --stderr pipe \
			-- sh -c : "$M"
		assert_failed_at "$step" || {
			echo "(at step $step)" >&2
			return 1
		}
	done
}

@test "every fault for the test user (rootless): 125, the step, nothing left" {
	requires_userns
	local step
	for step in "${ALL_STEPS[@]}"; do
		run --separate-stderr fault_sluice_user "$step" run --init --rootfs "$ROOTFS" \
			-- sh -c : "$M"
		assert_failed_at "$step" || {
			echo "(at step $step)" >&2
			return 1
		}
	done
}

@test "libsluice in a loop, a fault at every step: 125 each time, fds, children and mounts unchanged" {
	[[ -x $LOOP ]] || skip "requires $LOOP (make unit)"
	local step cfg
	cfg=$(nopid_config)
	for step in "${ALL_STEPS[@]}"; do
		# The embedded default has a pid namespace; without one the
		# helper stays as a subreaper init, which the init step needs.
		local -a config=()
		[[ $step == init ]] && config=(-c "$cfg")
		SLUICE_FAULT=$step run --separate-stderr run_with_timeout 120 "$LOOP" -n 20 "${config[@]}" \
			-H "$FAULT_SLUICE" -e "125:$step: fault injected: Input/output error" -- /bin/true
		assert_status 0 || {
			printf 'at step %s: %s\n' "$step" "$stderr" >&2
			return 1
		}
		assert_contains "$output" "20 runs in"
	done
	assert_no_leftovers
}

@test "SIGKILL at every step (no pid namespace): the parent says the helper died, at once, nothing left" {
	local cfg step start ms
	cfg=$(nopid_config)
	for step in "${ALL_STEPS[@]}"; do
		# after READY: the next test
		[[ $step == exec || $step == seccomp ]] && continue
		start=$EPOCHREALTIME
		run --separate-stderr fault_sluice "$step:kill" run --config "$cfg" --rootfs "$ROOTFS" \
			-- sh -c : "$M"
		ms=$(seconds_since "$start")
		assert_status 125 || {
			echo "(at step $step)" >&2
			return 1
		}
		# After the init's fork the killed one is its child: the init
		# passes on 128+9 as its own status.
		local how="signal 9"
		[[ $step == controlling-terminal ]] && how="exit status 137"
		assert_eq "$stderr" "sluice: the helper died during setup ($how)" "at step $step"
		((ms < 3000)) || {
			echo "at step $step: sluice run took ${ms} ms to notice" >&2
			return 1
		}
		assert_no_leftovers "$M"
		assert_no_helper
	done
}

@test "SIGKILL right before the exec (after READY): status 137, nothing left" {
	local cfg step
	cfg=$(nopid_config)
	for step in seccomp exec; do
		run --separate-stderr fault_sluice "$step:kill" run --config "$cfg" --rootfs "$ROOTFS" \
			-- sh -c : "$M"
		assert_status 137
		assert_eq "$stderr" "" "a workload killed by a signal is not sluice's error ($step)"
		assert_no_leftovers "$M"
		assert_no_helper
	done
}

@test "a pid namespace's init cannot SIGKILL itself: STEP:kill says so instead of hanging" {
	run --separate-stderr fault_sluice mounts:kill run --rootfs "$ROOTFS" -- sh -c : "$M"
	assert_status 125
	assert_contains "$stderr" "mounts: fault injected: SIGKILL ignored (pid namespace init: use mounts:hang)"
	assert_no_leftovers "$M"
	assert_no_helper
}

# hang_then_kill STEP WANT [ARGS...]: starts sluice run of the fault build
# hanging at STEP, checks the helper's fds there, SIGKILLs the helper from
# the host and checks that sluice run ends within 2 s with status WANT.
hang_then_kill() {
	local step=$1 want=$2 helper hung fds expect start ms
	shift 2
	bg_start "$OUT" 30 env SLUICE_FAULT="$step:hang" SLUICE_TEST_MARKER="$M" \
		"$FAULT_SLUICE" run "$@" --rootfs "$ROOTFS" -- sh -c : "$M" || return 1
	wait_for_file "$OUT" 10 "sluice: $step: fault injected: waiting for SIGKILL" || return 1
	helper=$(pgrep -P "$BG_PID" | head -n 1)
	[[ -n $helper ]] || {
		echo "at $step: sluice run ($BG_PID) has no child" >&2
		return 1
	}
	# The helper holds 0-2, the status channel (4) and, until the config
	# is read, the config (3): nothing sluice run opened for itself.  At
	# exec under the init (the default) the one about to exec is the
	# init's child, which runs on the init's memory until its exec
	# (lib/base/clone_vm.h): the init waits for that exec with what the
	# helper held, and keeps only 0-2 once it is done (fds.bats checks
	# that in a running sandbox).  With a seccomp filter (the default) the
	# init hears of the exec on a pipe: the child then holds its write end
	# too, close-on-exec.
	hung=$helper
	fds=""
	if [[ $step == exec && " $* " != *" --no-init "* ]]; then
		hung=$(pgrep -P "$helper" | head -n 1)
		fds=$(fds_of "$hung")
		if [[ $fds =~ ^"0 1 2 4 "([0-9]+)" "$ ]]; then
			[[ $(awk '/^flags:/ { print substr($2, length($2) - 6, 1) }' \
				"/proc/$hung/fdinfo/${BASH_REMATCH[1]}") == [2367] ]] || {
				echo "at $step: the exec pipe ${BASH_REMATCH[1]} is not close-on-exec" >&2
				return 1
			}
			fds="0 1 2 4 "
		fi
	fi
	[[ -n $fds ]] || fds=$(fds_of "$hung")
	expect="0 1 2 4 "
	[[ $step == read-config ]] && expect="0 1 2 3 4 "
	assert_eq "$fds" "$expect" "at $step: the helper's fds" || return 1
	# O_CLOEXEC is 02000000: the 2 in the seventh octal digit of "flags".
	[[ $(awk '/^flags:/ { print substr($2, length($2) - 6, 1) }' "/proc/$hung/fdinfo/4") == [2367] ]] || {
		echo "at $step: the status fd 4 is not close-on-exec" >&2
		return 1
	}
	kill -KILL "$helper"
	start=$EPOCHREALTIME
	bg_wait
	ms=$(seconds_since "$start")
	((ms < 2000)) || {
		echo "at $step: sluice run took ${ms} ms to notice the helper's death" >&2
		return 1
	}
	[[ $BG_STATUS == "$want" ]] || {
		printf 'at %s: status %s, expected %s; output:\n%s\n' "$step" "$BG_STATUS" "$want" "$(cat "$OUT")" >&2
		return 1
	}
	if ((want == 125)); then
		assert_eq "$(tail -n 1 "$OUT")" "sluice: the helper died during setup (signal 9)" "at $step" ||
			return 1
	fi
	assert_no_leftovers "$M" && assert_no_helper
}

@test "the helper SIGKILLed from the host at every step (pid namespace): noticed at once, nothing left; only its own fds there" {
	local step
	for step in read-config "${STEPS[@]}"; do
		hang_then_kill "$step" 125 || return 1
	done
	hang_then_kill init 125 --init
	# After READY, the helper's death is the workload's: 128 + 9.
	hang_then_kill exec 137
	hang_then_kill exec 137 --no-init
}

@test "the helper SIGKILLed from the host while sluice run relays stdio (--init): noticed at once, nothing left" {
	local step
	for step in read-config mounts init exec; do
		hang_then_kill "$step" "$([[ $step == exec ]] && echo 137 || echo 125)" \
			--init --stdout pipe --stderr pipe || return 1
	done
}

# ---- the launcher without clone3 (SLUICE_FORCE_FALLBACK=clone3): a plain
# clone(CLONE_PIDFD), and the helper creates every namespace itself ----

userns_config() {
	cat >"$BATS_TEST_TMPDIR/userns.yaml" <<-'EOF2'
		process: {user: {uid: 1000, gid: 1000}}
		linux:
		  namespaces: [{type: user}, {type: mount}, {type: pid}, {type: uts}, {type: ipc}]
		mounts:
		- {destination: /proc, type: proc, source: proc}
	EOF2
	printf '%s\n' "$BATS_TEST_TMPDIR/userns.yaml"
}

@test "without clone3: the sandbox starts, statuses pass through, nothing left" {
	SLUICE_FORCE_FALLBACK=clone3 run -3 sluice run --rootfs "$ROOTFS" -- sh -c 'exit 3' "$M"
	SLUICE_FORCE_FALLBACK=clone3 run -0 sluice run --init --stdout pipe --rootfs "$ROOTFS" \
		-- sh -c 'echo "pid $$"' "$M"
	assert_eq "$output" "pid 2" "the workload under the init of a new pid namespace"
	assert_no_leftovers "$M"
}

@test "the helper's process forked rather than spawned on sluice's memory (SLUICE_FORCE_FALLBACK=clone-vm): the same" {
	SLUICE_FORCE_FALLBACK=clone-vm run -3 sluice run --rootfs "$ROOTFS" -- sh -c 'exit 3' "$M"
	SLUICE_FORCE_FALLBACK=clone-vm run -0 sluice run --init --stdout pipe --rootfs "$ROOTFS" \
		-- sh -c 'echo "pid $$"' "$M"
	assert_eq "$output" "pid 2" "the workload under the init of a new pid namespace"
	SLUICE_FORCE_FALLBACK=clone-vm run -0 sluice run --memory 64m --rootfs "$ROOTFS" \
		-- sh -c 'echo ok' "$M"
	assert_eq "$output" "ok"
	assert_no_leftovers "$M"
}

@test "without clone3, root with a user namespace: the helper's writer maps it (uid 1000 -> 65534)" {
	requires_root
	local cfg
	cfg=$(userns_config)
	SLUICE_FORCE_FALLBACK=clone3 run -0 sluice run --config "$cfg" --rootfs "$ROOTFS" \
		-- sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u' "$M"
	assert_eq "$(xargs <<<"$output")" "1000 65534 1 1000 65534 1 1000"
	assert_no_leftovers "$M"
}

# raw_userns_config [MAPPING-LINES...]: a complete config for sluice init
# with a user namespace, uid/gid 1000 inside.
raw_userns_config() {
	local cfg=$BATS_TEST_TMPDIR/raw.yaml
	cat >"$cfg" <<-EOF2
		root: {path: $ROOTFS}
		process:
		  cwd: /
		  user: {uid: 1000, gid: 1000}
		  args: [sh, -c, 'cat /proc/self/uid_map; id -u', $M]
		mounts: [{destination: /proc, type: proc, source: proc}]
		linux:
		  namespaces: [{type: user}, {type: mount}, {type: pid}]
	EOF2
	printf '  %s\n' "$@" >>"$cfg"
	printf '%s\n' "$cfg"
}

@test "sluice init 3<config as root, a user namespace it creates itself: 65534 mapped; ranges too" {
	requires_root
	local cfg
	cfg=$(raw_userns_config)
	run -0 sluice_init_file "$cfg"
	assert_eq "$(xargs <<<"$output")" "1000 65534 1 1000"
	# Maps the helper cannot write for itself are written by a process it
	# forks before the unshare, which keeps root's rights outside.
	cfg=$(raw_userns_config 'uidMappings: [{containerID: 0, hostID: 100000, size: 65536}]' \
		'gidMappings: [{containerID: 0, hostID: 100000, size: 65536}]')
	run -0 sluice_init_file "$cfg"
	assert_eq "$(xargs <<<"$output")" "0 100000 65536 1000"
	assert_no_leftovers "$M"
}

@test "without clone3: a fault at every step is reported, nothing left; SIGKILL noticed at once" {
	local step start ms
	for step in "${ALL_STEPS[@]}"; do
		[[ $step == init ]] && continue
		SLUICE_FORCE_FALLBACK=clone3 run --separate-stderr fault_sluice "$step" run \
			--rootfs "$ROOTFS" -- sh -c : "$M"
		assert_failed_at "$step" || {
			echo "(at step $step)" >&2
			return 1
		}
	done
	SLUICE_FORCE_FALLBACK=clone3 run --separate-stderr fault_sluice init run --init \
		--rootfs "$ROOTFS" -- sh -c : "$M"
	assert_failed_at init
	# Up to the namespaces step the helper is one process outside any new
	# pid namespace; after it, the one going on is PID 1 of the new one
	# (the helper waits outside), which cannot SIGKILL itself.
	for step in read-config namespaces; do
		start=$EPOCHREALTIME
		SLUICE_FORCE_FALLBACK=clone3 run --separate-stderr fault_sluice "$step:kill" run \
			--rootfs "$ROOTFS" -- sh -c : "$M"
		ms=$(seconds_since "$start")
		assert_status 125
		# After the init's fork the killed one is its child: the init
		# passes on 128+9 as its own status.
		local how="signal 9"
		[[ $step == controlling-terminal ]] && how="exit status 137"
		assert_eq "$stderr" "sluice: the helper died during setup ($how)" "at step $step"
		((ms < 3000))
		assert_no_leftovers "$M"
		assert_no_helper
	done
}

# ---- the cgroup steps: the launcher's, and every helper step with a cgroup ----

@test "a fault at each cgroup step of the launcher: 125, one line naming it, no cgroup left" {
	requires_root
	local step
	for step in "${CGROUP_STEPS[@]}"; do
		run --separate-stderr fault_sluice "$step" run --memory 64m --pids-limit 20 \
			--rootfs "$ROOTFS" -- sh -c : "$M"
		assert_failed_at "$step" || {
			echo "(at step $step)" >&2
			return 1
		}
	done
	# without clone3: the helper is moved by pid there too
	SLUICE_FORCE_FALLBACK=clone3 run --separate-stderr fault_sluice cgroup-enter run \
		--memory 64m --rootfs "$ROOTFS" -- sh -c : "$M"
	assert_failed_at cgroup-enter
}

@test "every helper step failing with a cgroup (--memory, --pids-limit, --init): 125, the step, no cgroup left" {
	requires_root
	local step
	for step in "${ALL_STEPS[@]}"; do
		run --separate-stderr fault_sluice "$step" run --init --memory 64m --pids-limit 20 \
			--rootfs "$ROOTFS" -- sh -c : "$M"
		assert_failed_at "$step" || {
			echo "(at step $step)" >&2
			return 1
		}
	done
}

@test "the launcher SIGKILLed at each cgroup step: its sandbox dies, sluice cleanup removes what it left" {
	requires_root
	local step left
	for step in "${CGROUP_STEPS[@]}"; do
		run --separate-stderr fault_sluice "$step:kill" run --memory 64m --pids-limit 20 \
			--rootfs "$ROOTFS" -- sh -c : "$M"
		assert_status 137 || return 1
		assert_no_helper || return 1
		left=$(_dead_sluice_cgroups | sort | comm -13 "$BATS_TEST_TMPDIR/.cgroups.before" -)
		if [[ $step == cgroup-create ]]; then
			assert_eq "$left" "" "killed before it made any cgroup" || return 1
		else
			[[ -n $left ]] || fail "at $step: expected the killed launcher's cgroups to stay" || return 1
		fi
		run -0 "$SLUICE" cleanup
		assert_no_leftovers "$M" || {
			echo "(at step $step)" >&2
			return 1
		}
	done
}
