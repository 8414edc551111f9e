#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # single-quoted scripts run in the sandbox; bats sets $stderr
# The workload as a process: `sluice run` passes its exit status on (128+N
# for signal N), forwards signals, enforces --timeout and --kill-grace, takes
# the whole sandbox down when it is killed, and reports commands that are
# missing (127) or cannot be executed (126) (docs/exit-codes.md).
#
# Without --init the workload is PID 1 of its pid namespace: the kernel then
# drops every signal whose action would be the default when it comes from
# inside the namespace (a self-sent TERM or KILL does nothing) and every
# such signal but KILL and STOP from outside.  So a PID-1 workload dies by a
# signal only from a real fault (SEGV) or a KILL from the host; `--init`
# makes the workload PID 2, where `probe kill SIG` works for any signal.
#
# Every sandbox runs in a busybox rootfs (/bin/sh, /bin/probe) built once per
# file: the host's / would put the probe out of reach whenever the clone or
# the test user's copies live under /tmp, which the sandbox covers.

load helpers

setup_file() {
	ROOTFS=$(scratch_dir)/rootfs
	make_rootfs "$ROOTFS"
	mkdir "$ROOTFS/mnt"
	export ROOTFS
}

setup() {
	leftovers_snapshot
	M=$(unique_marker)
	OUT=$BATS_TEST_TMPDIR/out
}

# elapsed_since T0: seconds (with decimals) since EPOCHREALTIME was T0.
elapsed_since() {
	local us=$((${EPOCHREALTIME/./} - ${1/./}))
	printf '%d.%06d\n' $((us / 1000000)) $((us % 1000000))
}

# at_least A B: A >= B for decimal numbers.
at_least() {
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'
}

# ---- exit statuses ----

@test "exit statuses 0, 1, 42 and 255 pass through" {
	local code
	for code in 0 1 42 255; do
		run --separate-stderr sluice run --rootfs "$ROOTFS" -- probe exit "$code"
		assert_status "$code"
		assert_eq "$stderr" "" "sluice prints nothing when the workload ran (exit $code)"
	done
}

@test "exit statuses pass through for the test user" {
	requires_userns
	local code
	for code in 0 1 42 255; do
		run --separate-stderr sluice_user run --rootfs "$ROOTFS" -- probe exit "$code"
		assert_status "$code"
		assert_eq "$stderr" "" "sluice prints nothing when the workload ran (exit $code)"
	done
}

@test "a workload that faults with SIGSEGV gives 139" {
	run --separate-stderr sluice run --rootfs "$ROOTFS" -- probe kill SEGV
	assert_status 139
	assert_eq "$stderr" "" "a workload's death is not one of sluice's own failures"
}

@test "--no-init: a PID-1 workload killed with SIGKILL from the host gives 137" {
	local workload
	bg_start "$OUT" 30 "$SLUICE" run --no-init --rootfs "$ROOTFS" -- probe sleep 60 - -- "$M"
	wait_for_file "$OUT" 10 ready
	workload=$(child_of "$BG_PID")
	assert_eq "$(tr '\0' ' ' <"/proc/$workload/cmdline")" "probe sleep 60 - -- $M " \
		"the helper execs the workload in place"
	kill -KILL "$workload"
	bg_wait
	assert_eq "$BG_STATUS" 137
	assert_eq "$(cat "$OUT")" "ready" "no message from sluice"
	assert_no_leftovers "$M"
}

@test "--init: the workload killed by KILL, TERM, SEGV gives 137, 143, 139" {
	local sig code
	for sig in KILL:137 TERM:143 SEGV:139; do
		code=${sig#*:} sig=${sig%:*}
		run --separate-stderr sluice run --init --rootfs "$ROOTFS" -- probe kill "$sig"
		assert_status "$code"
		assert_eq "$stderr" "" "no message from sluice for SIG$sig"
	done
}

@test "--init: signal statuses for the test user" {
	requires_userns
	local sig code
	for sig in KILL:137 TERM:143 SEGV:139; do
		code=${sig#*:} sig=${sig%:*}
		run --separate-stderr sluice_user run --init --rootfs "$ROOTFS" -- probe kill "$sig"
		assert_status "$code"
	done
}

@test "--init: the exit status passes through" {
	local code
	for code in 0 3 42 255; do
		run sluice run --init --rootfs "$ROOTFS" -- probe exit "$code"
		assert_status "$code"
	done
}

# ---- signals ----

# send_each_signal: sends each forwarded signal to $BG_PID in turn and waits
# for the workload (probe signals --exit-on WINCH) to print it.
send_each_signal() {
	local sig
	wait_for_file "$OUT" 10 ready
	for sig in INT TERM HUP QUIT USR1 USR2 WINCH; do
		kill -s "$sig" "$BG_PID"
		wait_for_file "$OUT" 10 "SIG$sig" || return 1
	done
	bg_wait
	assert_eq "$BG_STATUS" 0 "the workload exits 0 after WINCH, and so does sluice"
	assert_eq "$(cat "$OUT")" "$(printf '%s\n' ready SIGINT SIGTERM SIGHUP SIGQUIT SIGUSR1 \
		SIGUSR2 SIGWINCH)" "each signal reached the workload exactly once"
}

@test "INT TERM HUP QUIT USR1 USR2 WINCH sent to sluice run reach the workload" {
	bg_start "$OUT" 30 "$SLUICE" run --rootfs "$ROOTFS" -- probe signals --exit-on WINCH - -- "$M"
	send_each_signal
	assert_no_leftovers "$M"
}

@test "signals reach the workload of the test user" {
	requires_userns
	as_user_cmd
	bg_start "$OUT" 30 "${AS_USER[@]}" "$SLUICE_USER_BIN" run --rootfs "$ROOTFS" -- \
		probe signals --exit-on WINCH - -- "$M"
	send_each_signal
	assert_no_leftovers "$M"
}

@test "--init: signals sent to sluice run reach the workload" {
	bg_start "$OUT" 30 "$SLUICE" run --init --rootfs "$ROOTFS" -- \
		probe signals --exit-on WINCH - -- "$M"
	send_each_signal
	assert_no_leftovers "$M"
}

# ---- --timeout and --kill-grace ----

# A workload that ignores TERM, with a child that does not either (PID 1
# drops it anyway): only the KILL after the grace period ends them.
@test "--timeout: a workload that ignores TERM is killed after the grace period, with its child" {
	local t0 elapsed
	t0=$EPOCHREALTIME
	run --separate-stderr sluice run --timeout 0.5 --kill-grace 1 --rootfs "$ROOTFS" -- \
		sh -c 'probe sleep 60 -- "$0" & exec probe ignore-term 60 - -- "$0"' "$M"
	elapsed=$(elapsed_since "$t0")
	assert_status 124
	assert_eq "$output" "ready"
	assert_eq "$stderr" "sluice: timed out after 0.5s: sent SIGTERM, then SIGKILL to the whole sandbox"
	at_least "$elapsed" 1.5 || fail_with "KILL came after ${elapsed}s, before timeout + grace (1.5s)"
	assert_no_leftovers "$M"
}

@test "--timeout with --init: TERM ignored by the workload, KILL ends it and its child" {
	local t0 elapsed
	t0=$EPOCHREALTIME
	run --separate-stderr sluice run --init --timeout 0.5 --kill-grace 1 --rootfs "$ROOTFS" -- \
		sh -c 'probe sleep 60 -- "$0" & exec probe ignore-term 60 - -- "$0"' "$M"
	elapsed=$(elapsed_since "$t0")
	assert_status 124
	assert_eq "$stderr" "sluice: timed out after 0.5s: sent SIGTERM, then SIGKILL to the whole sandbox"
	at_least "$elapsed" 1.5 || fail_with "KILL came after ${elapsed}s, before timeout + grace (1.5s)"
	assert_no_leftovers "$M"
}

@test "--timeout for the test user: exit 124 and nothing left behind" {
	requires_userns
	run --separate-stderr sluice_user run --timeout 0.5 --kill-grace 0.5 --rootfs "$ROOTFS" -- \
		sh -c 'probe sleep 60 -- "$0" & exec probe ignore-term 60 - -- "$0"' "$M"
	assert_status 124
	assert_eq "$stderr" "sluice: timed out after 0.5s: sent SIGTERM, then SIGKILL to the whole sandbox"
	assert_no_leftovers "$M"
}

@test "--kill-grace: a workload that honours TERM ends before the KILL" {
	local t0 elapsed
	t0=$EPOCHREALTIME
	run --separate-stderr sluice run --timeout 0.5 --kill-grace 60 --rootfs "$ROOTFS" -- \
		probe signals - -- "$M"
	elapsed=$(elapsed_since "$t0")
	assert_status 124
	assert_eq "$output" "$(printf 'ready\nSIGTERM')" "the workload got TERM and exited"
	assert_eq "$stderr" "sluice: timed out after 0.5s: sent SIGTERM" "no KILL was needed"
	at_least 30 "$elapsed" || fail_with "sluice waited ${elapsed}s: it did not notice the workload exit"
	assert_no_leftovers "$M"
}

@test "--timeout that does not expire changes nothing" {
	run --separate-stderr sluice run --timeout 30 --rootfs "$ROOTFS" -- probe exit 7
	assert_status 7
	assert_eq "$stderr" ""
}

# ---- sluice itself killed ----

# kill_sluice_and_check: the sandbox started by bg_start (a shell with a
# background probe, waiting on a foreground one) must end with sluice.
kill_sluice_and_check() {
	local n
	wait_for_file "$OUT" 10 ready
	# The background probe may still be a shell between fork and exec.
	for _ in $(seq 250); do
		n=$(pgrep -c -f -- "probe sleep 60 .*-- $M") && ((n == 2)) && break
		sleep 0.02
	done
	assert_eq "$n" 2 "both probes run before sluice is killed"
	kill -KILL "$BG_PID"
	bg_wait
	assert_eq "$BG_STATUS" 137
	assert_no_leftovers "$M"
}

@test "SIGKILL to sluice run ends every process in the sandbox" {
	bg_start "$OUT" 30 "$SLUICE" run --rootfs "$ROOTFS" -- \
		sh -c 'probe sleep 60 -- "$0" & probe sleep 60 - -- "$0"; wait' "$M"
	kill_sluice_and_check
}

@test "SIGKILL to sluice run --init ends every process in the sandbox" {
	bg_start "$OUT" 30 "$SLUICE" run --init --rootfs "$ROOTFS" -- \
		sh -c 'probe sleep 60 -- "$0" & probe sleep 60 - -- "$0"; wait' "$M"
	kill_sluice_and_check
}

@test "SIGKILL to the test user's sluice run ends every process in the sandbox" {
	requires_userns
	as_user_cmd
	bg_start "$OUT" 30 "${AS_USER[@]}" "$SLUICE_USER_BIN" run --rootfs "$ROOTFS" -- \
		sh -c 'probe sleep 60 -- "$0" & probe sleep 60 - -- "$0"; wait' "$M"
	kill_sluice_and_check
}

# ---- --init as PID 1 ----

# The shell is PID 2 under the init: the orphans go to the init, not to it.
# Reaping follows SIGCHLD, so the check waits (boundedly) for it.
orphans_script='
	n=$(probe orphans 100 | grep -c "^orphan: ")
	echo "orphans: $n"
	i=0
	while z=$(probe zombies) && [ "$z" != "zombies: 0" ] && [ $i -lt 250 ]; do
		sleep 0.02; i=$((i + 1))
	done
	echo "$z"
	echo "shell pid: $$"'

@test "--init: 100 orphaned grandchildren are reaped" {
	run -0 sluice run --init --rootfs "$ROOTFS" -- sh -c "$orphans_script"
	assert_eq "$output" "$(printf '%s\n' 'orphans: 100' 'zombies: 0' 'shell pid: 2')"
	assert_no_leftovers
}

@test "--init: orphans are reaped for the test user" {
	requires_userns
	run -0 sluice_user run --init --rootfs "$ROOTFS" -- sh -c "$orphans_script"
	assert_eq "$output" "$(printf '%s\n' 'orphans: 100' 'zombies: 0' 'shell pid: 2')"
}

# ---- commands that cannot run ----

@test "a command that does not exist: 127 and \"command not found\"" {
	local cmd
	for cmd in no-such-command /bin/no-such-command /no/such/dir/cmd; do
		run -127 --separate-stderr sluice run --rootfs "$ROOTFS" -- "$cmd" arg
		assert_eq "$output" ""
		assert_eq "$stderr" "sluice: exec: $cmd: command not found"
	done
	assert_no_leftovers
}

@test "a command not found for the test user: 127" {
	requires_userns
	run -127 --separate-stderr sluice_user run --rootfs "$ROOTFS" -- no-such-command
	assert_eq "$stderr" "sluice: exec: no-such-command: command not found"
}

@test "--init: a command not found still gives 127" {
	run -127 --separate-stderr sluice run --init --rootfs "$ROOTFS" -- no-such-command
	assert_eq "$stderr" "sluice: exec: no-such-command: command not found"
}

@test "a file without the x bit: 126 and \"cannot execute\"" {
	local dir
	dir=$(scratch_dir)
	cp "$PROBE" "$dir/probe-noexec"
	chmod 644 "$dir/probe-noexec"
	run --separate-stderr sluice run --rootfs "$ROOTFS" --bind "$dir:/mnt" -- /mnt/probe-noexec pid
	assert_status 126
	assert_eq "$stderr" "sluice: exec: /mnt/probe-noexec: cannot execute: Permission denied"
	# Found in PATH but not executable: 126 too, not 127.
	run --separate-stderr sluice run --rootfs "$ROOTFS" --bind "$dir:/mnt" \
		--env PATH=/mnt:/bin -- probe-noexec pid
	assert_status 126
	assert_contains "$stderr" "probe-noexec: cannot execute"
	# A directory is not executable either.
	run --separate-stderr sluice run --rootfs "$ROOTFS" -- /bin
	assert_status 126
	assert_contains "$stderr" "sluice: exec: /bin: cannot execute"
	assert_no_leftovers
}

@test "a file without the x bit for the test user: 126" {
	requires_userns
	local dir
	dir=$(scratch_dir --user)
	cp "$PROBE" "$dir/probe-noexec"
	chmod 644 "$dir/probe-noexec"
	give_to_user "$dir/probe-noexec"
	run --separate-stderr sluice_user run --rootfs "$ROOTFS" --bind "$dir:/mnt" -- /mnt/probe-noexec
	assert_status 126
	assert_eq "$stderr" "sluice: exec: /mnt/probe-noexec: cannot execute: Permission denied"
}

# fail_with MESSAGE: fails the test with MESSAGE.
fail_with() {
	echo "$1" >&2
	return 1
}
