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

# A test that failed half-way (a job stopped on a terminal, a sleep 300)
# leaves nothing running or stopped behind: SIGKILL ends a stopped process
# too.  Every process of a test carries its marker.
teardown() {
	[[ -z ${M:-} ]] || pkill -KILL -f -- "$M" 2>/dev/null || :
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
			z=$("$0" zombies "$PPID"); [ "$z" = "zombies: 0" ] && break; sleep 0.02
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

@test "killing sluice run kills every process in the sandbox (with and without the init)" {
	local mode
	for mode in --init --no-init; do
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
		"$SLUICE" run -- "$PROBE" sleep 300 -- "$M" </dev/null >/dev/null 2>&1 3>&- &
		pid=$!
		sleep "0.00$i"
		kill -KILL "$pid"
		wait "$pid" || true
	done
	assert_no_leftovers "$M"
}

# on_tty CMD...: runs CMD on a new pseudo-terminal (its output in $OUT) in
# the background, and waits until a line holding "ready" appears there.
# TTY_JOB is the job, fd 7 the terminal's input.  tty_done waits for it
# (10 s at most) and sets STATUS.
on_tty() {
	local fifo=$BATS_TEST_TMPDIR/tty-in deadline
	rm -f "$fifo" "$OUT" && mkfifo "$fifo"
	(
		_close_extra_fds # bats's output (fd 3) is not for a job that may outlive the test
		exec 0<"$fifo"
		# exec: script runs $SHELL -c, and without SHELL (CI) that is
		# dash, which stays as the parent; script(1) stops only when its
		# own child does.
		script --quiet --return --flush --command "exec $(printf '%q ' "$@")" /dev/null >"$OUT" 2>&1
	) &
	TTY_JOB=$!
	exec 7>"$fifo"
	deadline=$((SECONDS + 10))
	until grep -q ready "$OUT" 2>/dev/null; do
		((SECONDS < deadline)) || {
			echo "on_tty: no \"ready\" within 10 s: $(cat "$OUT" 2>/dev/null)" >&2
			return 1
		}
		sleep 0.02
	done
}

tty_done() {
	STATUS=0
	timeout 10 tail --pid="$TTY_JOB" -f /dev/null || true
	exec 7>&-
	wait "$TTY_JOB" || STATUS=$?
}

# ctrl_c CMD...: CMD on a terminal, Ctrl-C typed once its workload is ready.
ctrl_c() {
	requires_cmd script
	on_tty "$@" || return 1
	printf '\003' >&7
	tty_done
}

@test "Ctrl-C on a real terminal ends sluice run -- sleep at once: 130, by default, --init and --no-init stdio" {
	ctrl_c "$SLUICE" run -- "$PROBE" sleep 300 - -- "$M"
	assert_eq "$STATUS" 130 "the default: sluice exits 128+SIGINT like the workload"
	ctrl_c "$SLUICE" run --init -- "$PROBE" sleep 300 - -- "$M"
	assert_eq "$STATUS" 130 "--init"
	# stdio that is not the terminal: the sandbox has a session of its
	# own and sluice passes the Ctrl-C on
	ctrl_c "$SLUICE" run --stdin null --stdout pipe --stderr pipe -- "$PROBE" sleep 300 - -- "$M"
	assert_eq "$STATUS" 130 "a session of its own"
	assert_no_leftovers "$M"
}

@test "Ctrl-C on a real terminal ends the test user's sluice run -- sleep: 130" {
	requires_userns
	as_user_cmd
	ctrl_c "${AS_USER[@]}" "$SLUICE_USER_BIN" run -- "$PROBE_USER_BIN" sleep 300 - -- "$M"
	assert_eq "$STATUS" 130
	ctrl_c "${AS_USER[@]}" "$SLUICE_USER_BIN" run --stdout pipe --stderr pipe --stdin null -- \
		"$PROBE_USER_BIN" sleep 300 - -- "$M"
	assert_eq "$STATUS" 130 "a session of its own"
	assert_no_leftovers "$M"
}

# A real sleep(1), which has no handler for anything; the fraction makes
# its command line unique.
unique_sleep() {
	SLEEP_ARGS=(sleep 300 "0.$RANDOM$RANDOM")
}

# wait_running PATTERN: the pid of the process whose command line matches.
wait_running() {
	local pid deadline=$((SECONDS + 10))
	until pid=$(pgrep -f -x -- "$1"); do
		((SECONDS < deadline)) || return 1
		sleep 0.02
	done
	printf '%s\n' "$pid"
}

@test "kill -TERM of sluice run ends sluice run -- sleep with 143 (root and the test user)" {
	local runner
	for runner in root user; do
		unique_sleep
		if [[ $runner == user ]]; then
			requires_userns
			as_user_cmd
			bg_start "$OUT" 30 "${AS_USER[@]}" "$SLUICE_USER_BIN" run -- "${SLEEP_ARGS[@]}"
		else
			bg_start "$OUT" 30 "$SLUICE" run -- "${SLEEP_ARGS[@]}"
		fi
		wait_running "${SLEEP_ARGS[*]}" >/dev/null
		kill -TERM "$BG_PID"
		bg_wait
		assert_eq "$BG_STATUS" 143 "$runner"
		assert_no_process "${SLEEP_ARGS[*]}"
	done
}

@test "kill -TERM \$\$ inside gives 143; with --no-init the PID-1 shell survives it" {
	run -143 sluice run -- sh -c 'kill -TERM $$; echo survived'
	assert_eq "$output" ""
	run -0 sluice run --no-init -- sh -c 'kill -TERM $$; echo survived'
	assert_eq "$output" "survived"
	requires_userns
	run -143 sluice_user run -- sh -c 'kill -TERM $$; echo survived'
	run -0 sluice_user run --no-init -- sh -c 'kill -TERM $$; echo survived'
	assert_eq "$output" "survived"
}

@test "--no-init: TERM sent to sluice run is dropped by a PID-1 sleep; the timeout still ends it" {
	unique_sleep
	run -124 --separate-stderr sluice run --no-init --timeout 1 --kill-grace 1 -- sh -c \
		'kill -TERM $$; exec "$@"' sh "${SLEEP_ARGS[@]}"
	# shellcheck disable=SC2154 # set by run --separate-stderr
	assert_contains "$stderr" "timed out after 1s: sent SIGTERM, then SIGKILL"
	assert_no_process "${SLEEP_ARGS[*]}"
}

# The state letter of /proc/PID/stat (R, S, T, ...).
proc_state() {
	local stat
	stat=$(<"/proc/$1/stat") || return 1
	stat=${stat##*) }
	printf '%s\n' "${stat%% *}"
}

# wait_state PID LETTERS: until PID's state is one of LETTERS (10 s at most).
wait_state() {
	local deadline=$((SECONDS + 10)) state
	until state=$(proc_state "$1") && [[ $2 == *"$state"* ]]; do
		((SECONDS < deadline)) || {
			echo "pid $1 stays in state ${state:-?}, not one of $2" >&2
			return 1
		}
		sleep 0.02
	done
}

# job_control SLUICE_PID WORKLOAD_PID: TSTP stops both, CONT continues both.
job_control() {
	kill -TSTP "$1"
	wait_state "$1" T || return 1
	wait_state "$2" T || return 1
	kill -CONT "$1"
	wait_state "$2" RS || return 1
	wait_state "$1" RS
}

@test "job control: kill -TSTP of sluice run stops it and the workload, CONT continues both" {
	local workload mode
	for mode in --init --no-init; do
		unique_sleep
		bg_start "$OUT" 30 "$SLUICE" run "$mode" -- "${SLEEP_ARGS[@]}"
		workload=$(wait_running "${SLEEP_ARGS[*]}")
		job_control "$BG_PID" "$workload"
		if [[ $mode == --init ]]; then
			bg_kill TERM
			assert_eq "$BG_STATUS" 143
		else
			bg_kill KILL # a PID-1 sleep would drop the TERM (test 273's case)
		fi
		assert_no_process "${SLEEP_ARGS[*]}"
	done
}

@test "job control for the test user" {
	local workload
	requires_userns
	as_user_cmd
	unique_sleep
	bg_start "$OUT" 30 "${AS_USER[@]}" "$SLUICE_USER_BIN" run -- "${SLEEP_ARGS[@]}"
	workload=$(wait_running "${SLEEP_ARGS[*]}")
	job_control "$BG_PID" "$workload"
	bg_kill TERM
	assert_eq "$BG_STATUS" 143
	assert_no_process "${SLEEP_ARGS[*]}"
}

# ctrl_z MODE...: sluice run on a terminal, Ctrl-Z typed: sluice and the
# workload stop (and with them script(1), which stops when its command
# does).  Then what a shell's `fg` does: SIGCONT to the job, here script,
# which continues its command: the workload runs again.  Ctrl-C ends it,
# but for a PID-1 workload (--no-init), which drops it: SIGKILL of sluice.
ctrl_z() {
	local workload sluice_pid script_pid
	on_tty "$SLUICE" run "$@" -- "$PROBE" sleep 300 - -- "$M" || return 1
	workload=$(wait_running "$PROBE sleep 300 - -- $M")
	sluice_pid=$(pgrep -f -x -- "$SLUICE run $* -- $PROBE sleep 300 - -- $M")
	script_pid=$(pgrep -f -- "^script .*$M")
	printf '\032' >&7
	wait_state "$sluice_pid" T || return 1
	wait_state "$workload" T || return 1
	# A shell's fg comes after the job has stopped, script included: a
	# CONT before script stops itself would be lost.
	wait_state "$script_pid" T || return 1
	kill -CONT "$script_pid"
	wait_state "$workload" RS || return 1
	wait_state "$sluice_pid" RS || return 1
	if [[ " $* " == *" --no-init "* ]]; then
		kill -KILL "$sluice_pid"
		tty_done
		assert_eq "$STATUS" 137 "SIGKILL after fg ($*)"
		return
	fi
	printf '\003' >&7
	tty_done
	assert_eq "$STATUS" 130 "Ctrl-C after fg ($*)"
}

@test "job control on a terminal: Ctrl-Z stops the workload and sluice run, fg continues them" {
	requires_cmd script
	# the terminal handed to the workload: one process group
	ctrl_z --init
	ctrl_z --no-init
	# a session of its own: sluice passes the stop on
	ctrl_z --stdin null --stdout pipe --stderr pipe
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
