#!/usr/bin/env bats
# The caller's terminal is out of the workload's reach (docs/pid1.md
# "Terminals", docs/security.md): handed the terminal as stdio, the workload
# cannot push input into it (TIOCSTI, TIOCLINUX: the CVE-2017-5226 class);
# not handed it, the sandbox has a session of its own and no /dev/tty.

load helpers

setup() {
	requires_cmd script
	# The workloads run the probe in the host view, which covers /tmp.
	case $PROBE in
	/tmp/* | /dev/* | /proc/*) skip "the probe ($PROBE) is under /tmp, /dev or /proc, which the host view replaces" ;;
	esac
	leftovers_snapshot
	M=$(unique_marker)
}

# What `probe tty-inject` prints when every attempt is refused by the filter.
REFUSED=$(printf '%s\n' 'TIOCSTI 0: EPERM' 'TIOCLINUX 0: EPERM' 'TIOCSTI 1: EPERM' \
	'TIOCLINUX 1: EPERM' 'TIOCSTI 2: EPERM' 'TIOCLINUX 2: EPERM' \
	'TIOCSTI /dev/tty: EPERM' 'TIOCLINUX /dev/tty: EPERM')
# ... and when no terminal is within reach at all.
UNREACHABLE=$(printf '%s\n' 'TIOCSTI 0: ENOTTY' 'TIOCLINUX 0: ENOTTY' 'TIOCSTI 1: ENOTTY' \
	'TIOCLINUX 1: ENOTTY' 'TIOCSTI 2: ENOTTY' 'TIOCLINUX 2: ENOTTY' '/dev/tty: ENXIO')

@test "handed the caller's terminal, the workload cannot push input into it (TIOCSTI, TIOCLINUX)" {
	local mode
	for mode in --init --no-init --init-group; do
		run -0 with_tty "$SLUICE" run "$mode" -- "$PROBE" tty-inject -- "$M"
		assert_eq "$output" "$REFUSED" "$mode"
	done
	# one stream on the terminal is enough to be handed it (the filter
	# refuses the two requests on any fd)
	run -0 with_tty "$SLUICE" run --stdin null --stdout pipe -- "$PROBE" tty-inject -- "$M"
	assert_eq "$output" "$REFUSED"
	assert_no_leftovers "$M"
}

# The filters the workload runs under, then what `probe tty-inject` sees.
filters_then_inject() {
	with_tty "$SLUICE" run "$@" -- sh -c 'grep ^Seccomp_filters: /proc/self/status; exec "$0" tty-inject' "$PROBE"
}

@test "one filter on the terminal: the default profile refuses TIOCSTI itself; the guard only without one that does" {
	local allow=$BATS_TEST_TMPDIR/allow.yaml
	printf '%s\n' 'defaultAction: SCMP_ACT_ALLOW' \
		'syscalls: [{names: [mkdir], action: SCMP_ACT_ERRNO}]' >"$allow"
	run -0 filters_then_inject
	assert_eq "$output" "$(printf 'Seccomp_filters:\t1\n%s' "$REFUSED")" "the default profile alone"
	run -0 filters_then_inject --no-seccomp
	assert_eq "$output" "$(printf 'Seccomp_filters:\t1\n%s' "$REFUSED")" "the guard alone"
	run -0 filters_then_inject --seccomp "$allow"
	assert_eq "$output" "$(printf 'Seccomp_filters:\t2\n%s' "$REFUSED")" "a profile that allows TIOCSTI, and the guard"
	assert_no_leftovers "$M"
}

@test "handed the caller's terminal, the test user's workload cannot push input into it either" {
	requires_userns
	as_user_cmd
	run -0 with_tty "${AS_USER[@]}" "$SLUICE_USER_BIN" run -- "$PROBE_USER_BIN" tty-inject -- "$M"
	assert_eq "$output" "$REFUSED"
	run -0 with_tty "${AS_USER[@]}" "$SLUICE_USER_BIN" run --cap-add ALL -- \
		"$PROBE_USER_BIN" tty-inject -- "$M"
	assert_eq "$output" "$REFUSED" "with every capability of its user namespace"
}

@test "root with CAP_SYS_ADMIN and no user namespace: still refused" {
	requires_root
	run -0 with_tty "$SLUICE" run --cap-add SYS_ADMIN -- "$PROBE" tty-inject -- "$M"
	assert_eq "$output" "$REFUSED"
}

@test "not handed the terminal, the sandbox has a session of its own: no /dev/tty" {
	local out=$BATS_TEST_TMPDIR/out
	# --no-seccomp: the default filter would refuse TIOCSTI and TIOCLINUX
	# with EPERM before the kernel finds no terminal (test/seccomp.bats)
	run -0 with_tty "$SLUICE" run --no-seccomp --stdin null --stdout pipe --stderr pipe -- \
		"$PROBE" tty-inject -- "$M"
	assert_eq "$output" "$UNREACHABLE" "--stdout pipe"
	run -0 with_tty "$SLUICE" run --no-seccomp --stdin null --stdout "file:$out" --stderr null -- \
		"$PROBE" tty-inject -- "$M"
	assert_eq "$(cat "$out")" "$UNREACHABLE" "--stdout file:"
	run -0 with_tty "$SLUICE" run --stdin null --stdout pipe --stderr pipe -- \
		"$PROBE" pid -- "$M"
	assert_eq "$(grep -E '^(pgid|sid):' <<<"$output")" "$(printf '%s\n' 'pgid: 1' 'sid: 1')" \
		"the init leads the sandbox's session"
	run -0 with_tty "$SLUICE" run --no-seccomp --no-init --stdin null --stdout pipe --stderr pipe -- \
		"$PROBE" tty-inject -- "$M"
	assert_eq "$output" "$UNREACHABLE" "--no-init"
	assert_no_leftovers "$M"
}

@test "handed the terminal, the workload stays in the caller's session (job control for a shell)" {
	run -0 with_tty "$SLUICE" run -- "$PROBE" pid -- "$M"
	# the caller's session and group lie outside the pid namespace: 0
	assert_eq "$(grep -E '^(pgid|sid):' <<<"$output")" "$(printf '%s\n' 'pgid: 0' 'sid: 0')"
	run -0 with_tty "$SLUICE" run -- sh -c 'test -t 0 && echo tty; cat /proc/self/stat' "$M"
	assert_eq "${lines[0]}" tty
}

@test "sluice init 3<config from a shell: TIOCSTI refused too, even as a group leader that cannot leave the session" {
	local cfg=$BATS_TEST_TMPDIR/c.yaml out=$BATS_TEST_TMPDIR/out
	printf 'process: {args: [%s, tty-inject]}\n' "$PROBE" >"$cfg"
	run -0 with_tty sh -c 'exec "$0" init 3<"$1"' "$SLUICE" "$cfg"
	assert_eq "$output" "$REFUSED"
	# `set -m` runs the helper as a job of its own, a process group
	# leader, as an interactive shell does: setsid(2) is refused to it,
	# so with stdio off the terminal it keeps the session, and the guard.
	run -0 with_tty sh -c 'set -m; "$0" init 3<"$1" </dev/null >"$2" 2>&1' "$SLUICE" "$cfg" "$out"
	assert_eq "$(cat "$out")" "$REFUSED"
}

@test "no filter can be loaded (no user namespace, no no_new_privs, not root): a clear 78" {
	requires_user
	local cfg
	cfg=$(scratch_dir)/c.yaml
	printf '%s\n' 'process: {noNewPrivileges: false}' \
		'linux: {namespaces: [], maskedPaths: [], readonlyPaths: []}' \
		'mounts: []' 'root: {readonly: false}' 'hostname: ""' >"$cfg"
	chmod 644 "$cfg"
	as_user_cmd
	# --no-seccomp: else the default filter is refused first, for the
	# same reason (test/seccomp.bats)
	run -78 with_tty "${AS_USER[@]}" "$SLUICE_USER_BIN" run --no-seccomp --config "$cfg" -- "$PROBE_USER_BIN" tty-inject
	assert_contains "$output" "sluice: tty-guard: the workload gets the caller's terminal, and refusing it TIOCSTI takes a seccomp filter, which needs process.noNewPrivileges or a user namespace"
	assert_no_leftovers
}
