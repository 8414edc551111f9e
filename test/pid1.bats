#!/usr/bin/env bats
# PID 1 done right (docs/pid1.md): --init reaps, forwards, passes the exit
# status on, and nothing in the sandbox outlives the workload or sluice.

load helpers

setup() {
	# The workloads run the probe in the host view, which covers /tmp.
	case $PROBE in
	/tmp/* | /dev/* | /proc/*) skip "the probe ($PROBE) is under /tmp, /dev or /proc, which the host view replaces" ;;
	esac
	leftovers_snapshot
	M=$(unique_marker)
	OUT=$BATS_TEST_TMPDIR/out
}

# A config without a pid namespace: the helper is then a subreaper init.
nopid_config() {
	cat >"$BATS_TEST_TMPDIR/nopid.yaml" <<-'EOF'
		linux:
		  namespaces: [{type: mount}, {type: uts}, {type: ipc}]
	EOF
	printf '%s\n' "$BATS_TEST_TMPDIR/nopid.yaml"
}

wait_gone() { # PID SECS
	local deadline=$((SECONDS + $2))
	while kill -0 "$1" 2>/dev/null; do
		((SECONDS < deadline)) || return 1
		sleep 0.02
	done
}

@test "--init: 100 orphaned grandchildren are reaped, no zombie remains" {
	run -0 sluice run --init -- sh -c '
		"$0" orphans 100 0 >/dev/null
		for i in $(seq 200); do
			z=$("$0" zombies); [ "$z" = "zombies: 0" ] && break; sleep 0.02
		done
		echo "$z"; echo "pid: $$"' "$PROBE"
	assert_eq "${lines[0]}" "zombies: 0"
	assert_eq "${lines[1]}" "pid: 2" "the workload is PID 2 under the init"
	assert_no_leftovers
}

@test "--init without a pid namespace: subreaper reaps orphans, workload is not PID 1" {
	local cfg
	cfg=$(nopid_config)
	run -0 sluice run --config "$cfg" --init -- sh -c '
		"$0" orphans 50 0 >/dev/null
		for i in $(seq 200); do
			z=$("$0" zombies); [ "$z" = "zombies: 0" ] && break; sleep 0.02
		done
		echo "$z"; echo "pid: $$"' "$PROBE"
	assert_eq "${lines[0]}" "zombies: 0"
	[[ ${lines[1]} != "pid: 1" ]] || fail "the workload is PID 1 without a pid namespace"
}

@test "--init forwards every catchable signal to the workload" {
	local helper sig
	bg_start "$OUT" 30 "$SLUICE" run --init -- "$PROBE" signals --exit-on TERM - -- "$M"
	wait_for_file "$OUT" 10 ready
	helper=$(child_of "$BG_PID") # the helper, `sluice init`
	for sig in HUP INT QUIT USR1 USR2 PIPE ALRM CONT WINCH URG TSTP TTIN TTOU XCPU VTALRM PROF; do
		kill -s "$sig" "$helper"
		wait_for_file "$OUT" 5 "SIG$sig"
	done
	kill -s TERM "$helper"
	wait_for_file "$OUT" 5 SIGTERM
	bg_wait
	assert_eq "$BG_STATUS" 0 "the workload exits 0 on TERM, and so does sluice"
	assert_no_leftovers "$M"
}

@test "--init does not forward synchronous signals (SEGV BUS FPE ILL TRAP SYS ABRT)" {
	local helper sig
	bg_start "$OUT" 30 "$SLUICE" run --init -- "$PROBE" signals --exit-on TERM - -- "$M"
	wait_for_file "$OUT" 10 ready
	helper=$(child_of "$BG_PID") # the helper, `sluice init`
	for sig in SEGV BUS FPE ILL TRAP SYS ABRT; do
		kill -s "$sig" "$helper"
	done
	# A forwardable signal sent after them arrives; the init survived them.
	kill -s USR1 "$helper"
	wait_for_file "$OUT" 5 SIGUSR1
	kill -s TERM "$helper"
	bg_wait
	assert_eq "$BG_STATUS" 0
	run grep -E '^SIG(SEGV|BUS|FPE|ILL|TRAP|SYS|ABRT)$' "$OUT"
	assert_status 1
}

@test "--init: sluice run passes kill(1) signals through the init to the workload" {
	bg_start "$OUT" 30 "$SLUICE" run --init -- "$PROBE" signals --exit-on TERM - -- "$M"
	wait_for_file "$OUT" 10 ready
	kill -s USR2 "$BG_PID"
	wait_for_file "$OUT" 5 SIGUSR2
	kill -s TERM "$BG_PID"
	bg_wait
	assert_eq "$BG_STATUS" 0
}

@test "--init: exit codes 0 1 42 255 pass through" {
	local code
	for code in 0 1 42 255; do
		run sluice run --init -- "$PROBE" exit "$code"
		assert_status "$code"
	done
}

@test "--init: a workload killed by TERM, KILL, SEGV gives 143, 137, 139" {
	run sluice run --init -- "$PROBE" kill TERM
	assert_status 143
	run sluice run --init -- "$PROBE" kill KILL
	assert_status 137
	run sluice run --init -- "$PROBE" kill SEGV
	assert_status 139
}

@test "--remap-exit reports the given codes as 0, others unchanged" {
	run sluice run --remap-exit 3 --remap-exit 143 -- "$PROBE" exit 3
	assert_status 0
	run sluice run --remap-exit 3 -- "$PROBE" kill TERM
	assert_status 143
	run sluice run --remap-exit 3 -- "$PROBE" exit 4
	assert_status 4
}

@test "--init: the workload starts with no blocked or ignored signal" {
	run -0 sluice run --init -- /bin/grep -E '^Sig(Blk|Ign)' /proc/self/status
	assert_eq "$output" "$(printf 'SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000')"
}

@test "--init: signals ignored or blocked by the launcher are reset, glibc's 32 and 33 included" {
	# Without a pid namespace too: the helper is then the subreaper init.
	local cfg
	cfg=$(nopid_config)
	for config in "" "--config=$cfg"; do
		run -0 "$PROBE" ignoring "$SLUICE" run --init ${config:+"$config"} /bin/grep -E '^Sig(Blk|Ign)' /proc/self/status
		assert_eq "$output" "$(printf 'SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000')"
	done
}

@test "--init: grandchildren that outlive the workload are ended when it exits" {
	run -0 sluice run --init -- sh -c "\"$PROBE\" sleep 300 -- $M & echo started"
	assert_eq "$output" started
	assert_no_leftovers "$M"
}

@test "without a pid namespace, grandchildren are ended when the workload exits" {
	local cfg
	cfg=$(nopid_config)
	run -0 sluice run --config "$cfg" -- sh -c "\"$PROBE\" sleep 300 -- $M & echo started"
	assert_eq "$output" started
	assert_no_leftovers "$M"
}

@test "--init + --timeout: a workload ignoring TERM is killed after the grace period, all processes gone" {
	run sluice run --init --timeout 0.5 --kill-grace 0.5 -- sh -c \
		"\"$PROBE\" ignore-term 300 -- $M & exec \"$PROBE\" ignore-term 300 -- $M"
	assert_status 124
	assert_contains "$output" "timed out after 0.5s"
	assert_no_leftovers "$M"
}

@test "--timeout without a pid namespace kills every process of the sandbox" {
	local cfg
	cfg=$(nopid_config)
	run sluice run --config "$cfg" --timeout 0.5 --kill-grace 0.5 -- sh -c \
		"\"$PROBE\" ignore-term 300 -- $M & exec \"$PROBE\" ignore-term 300 -- $M"
	assert_status 124
	assert_no_leftovers "$M"
}

@test "killing sluice run kills every process in the sandbox (with and without --init)" {
	local mode
	for mode in --init --read-only; do
		bg_start "$OUT" 30 "$SLUICE" run "$mode" -- sh -c \
			"\"$PROBE\" sleep 300 -- $M & \"$PROBE\" sleep 300 - -- $M"
		wait_for_file "$OUT" 10 ready
		bg_kill KILL
		assert_no_process "$M" 5
	done
}

@test "killing sluice run without a pid namespace kills every process in the sandbox" {
	local cfg
	cfg=$(nopid_config)
	bg_start "$OUT" 30 "$SLUICE" run --config "$cfg" -- sh -c \
		"\"$PROBE\" sleep 300 -- $M & \"$PROBE\" sleep 300 - -- $M"
	wait_for_file "$OUT" 10 ready
	bg_kill KILL
	assert_no_process "$M" 5
}

@test "killing sluice run at once, before the helper is set up, leaves nothing" {
	local i pid
	for i in 1 2 3 4 5; do
		"$SLUICE" run -- "$PROBE" sleep 300 -- "$M" </dev/null >/dev/null 2>&1 &
		pid=$!
		sleep "0.00$i"
		kill -KILL "$pid"
		wait "$pid" || true
	done
	assert_no_leftovers "$M"
}

@test "Ctrl-C on a real terminal reaches the workload and the sandbox ends (--init)" {
	requires_cmd script
	local fifo=$BATS_TEST_TMPDIR/tty-in status=0
	mkfifo "$fifo"
	(
		exec 0<"$fifo"
		script --quiet --return --flush --command \
			"$(printf '%q ' "$SLUICE" run --init -- "$PROBE" sleep 300 - -- "$M")" \
			/dev/null >"$OUT" 2>&1
	) &
	local job=$!
	exec 7>"$fifo"
	wait_for_file "$OUT" 10
	for _ in $(seq 250); do grep -q ready "$OUT" && break; sleep 0.02; done
	grep -q ready "$OUT"
	printf '\003' >&7
	timeout 10 tail --pid="$job" -f /dev/null || true
	exec 7>&-
	wait "$job" || status=$?
	assert_eq "$status" 130 "sluice exits 128+SIGINT like the workload"
	assert_no_leftovers "$M"
}

@test "--init-group signals the workload's whole process group" {
	bg_start "$OUT" 30 "$SLUICE" run --init-group -- sh -c \
		"trap '' USR1; \"$PROBE\" signals --exit-on TERM - -- $M & wait"
	wait_for_file "$OUT" 10 ready
	kill -s USR1 "$BG_PID"
	wait_for_file "$OUT" 5 SIGUSR1
	kill -s TERM "$BG_PID"
	bg_wait
	assert_no_leftovers "$M"
}

@test "--init without --init-group signals only the workload, not its children" {
	bg_start "$OUT" 30 "$SLUICE" run --init -- sh -c \
		"trap 'kill -TERM \$!' TERM; trap '' USR1; \"$PROBE\" signals --exit-on TERM - -- $M & wait; wait"
	wait_for_file "$OUT" 10 ready
	kill -s USR1 "$BG_PID"
	# TERM makes the shell pass TERM on; the probe prints it and exits.
	kill -s TERM "$BG_PID"
	wait_for_file "$OUT" 5 SIGTERM
	bg_wait
	run grep -x SIGUSR1 "$OUT"
	assert_status 1
}
