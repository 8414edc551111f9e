#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154,SC2030,SC2031 # single-quoted scripts run in the sandbox; bats sets $stderr
# File descriptors (docs/protocol.md "File descriptors"): the workload gets
# 0, 1, 2 and only the fds it is meant to have (--preserve-fds, socket
# activation's LISTEN_FDS), whatever sluice inherited; sluice's own fds are
# close-on-exec; the helper that stays as init holds none but 0, 1, 2.
#
# The sandboxes run in a busybox rootfs (/bin/sh, /bin/probe) built once per
# file, so the probe is in reach wherever the clone lives.

load helpers

setup_file() {
	ROOTFS=$(scratch_dir)/rootfs
	make_rootfs "$ROOTFS"
	export ROOTFS
}

setup() {
	leftovers_snapshot
	M=$(unique_marker)
	OUT=$BATS_TEST_TMPDIR/out
}

# with_extra_fds CMD...: runs the program CMD (with a timeout) with fds 7
# and 8 and one that bash picks (10 or above) open without close-on-exec,
# as a careless parent would leave them, and nothing else above 2.
with_extra_fds() {
	(
		_close_extra_fds
		local spare
		# shellcheck disable=SC2034 # the fd number bash picks is not needed
		exec 7</etc/passwd 8>/dev/null {spare}</etc/hostname
		run_with_timeout "$SLUICE_TIMEOUT" "$@"
	)
}

# fds_of PID: the fd numbers open in PID, sorted, on one line.
fds_of() {
	local fd list=()
	for fd in "/proc/$1/fd"/*; do
		list+=("${fd##*/}")
	done
	printf '%s\n' "${list[@]}" | sort -n | tr '\n' ' ' | sed 's/ $//'
}

# ---- what the workload gets ----

@test "fds inherited by sluice run do not reach the workload" {
	# The harness does pass them: a plain probe sees them.
	run -0 with_extra_fds "$PROBE" fds
	assert_eq "${lines[*]}" "0 1 2 7 8 10" "the fds the caller leaves open"
	run -0 with_extra_fds "$SLUICE" run --rootfs "$ROOTFS" -- probe fds
	assert_eq "${lines[*]}" "0 1 2"
}

@test "inherited fds do not reach the workload under --init" {
	run -0 with_extra_fds "$SLUICE" run --init --rootfs "$ROOTFS" -- probe fds
	assert_eq "${lines[*]}" "0 1 2"
}

@test "inherited fds do not reach the test user's workload" {
	requires_userns
	as_user_cmd
	run -0 with_extra_fds "${AS_USER[@]}" "$SLUICE_USER_BIN" run --rootfs "$ROOTFS" -- probe fds
	assert_eq "${lines[*]}" "0 1 2"
}

@test "inherited fds do not reach a workload started by sluice init 3<config" {
	local cfg
	cfg=$(scratch_dir)/config.yaml
	printf 'root: {path: %s}\nprocess: {cwd: /, args: [probe, fds]}\n' "$ROOTFS" >"$cfg"
	run -0 with_extra_fds sh -c 'exec "$0" init 3<"$1"' "$SLUICE" "$cfg"
	assert_eq "${lines[*]}" "0 1 2"
}

# preserved_fds_check CMD...: fds 3 and 4 of the caller reach the workload
# of CMD (a sluice run --preserve-fds 2), with their contents; 7 does not.
preserved_fds_check() {
	local dir
	dir=$(scratch_dir --user)
	echo "three $M" >"$dir/three"
	: >"$dir/four"
	give_to_user "$dir/four"
	run -0 --separate-stderr bash -c '
		for fd in /proc/$$/fd/*; do fd=${fd##*/}; ((fd > 2)) && eval "exec $fd>&-"; done
		exec 3<"$0" 4>>"$1" 7</etc/passwd
		shift
		exec "$@"' "$dir/three" "$dir/four" timeout 30 "$@" -- \
		sh -c 'probe fds; cat <&3; echo "four $0" >&4' "$M"
	assert_eq "$output" "$(printf '%s\n' 0 1 2 3 4 "three $M")"
	assert_eq "$(cat "$dir/four")" "four $M" "the workload wrote through the caller's fd 4"
}

@test "--preserve-fds 2: the caller's fds 3 and 4 reach the workload" {
	preserved_fds_check "$SLUICE" run --preserve-fds 2 --rootfs "$ROOTFS"
}

@test "--preserve-fds 2 with --init" {
	preserved_fds_check "$SLUICE" run --init --preserve-fds 2 --rootfs "$ROOTFS"
}

@test "--preserve-fds 2 for the test user" {
	requires_userns
	as_user_cmd
	preserved_fds_check "${AS_USER[@]}" "$SLUICE_USER_BIN" run --preserve-fds 2 --rootfs "$ROOTFS"
}

# listen_fds_run CMD...: runs the program CMD with fd 3 open and
# LISTEN_FDS=1, LISTEN_PID=<its own pid> (bash execs env, which execs CMD:
# one pid, as systemd starts a service).
listen_fds_run() {
	local file=$BATS_TEST_TMPDIR/socket-stand-in
	echo "listen $M" >"$file"
	chmod 644 "$file"
	run -0 --separate-stderr run_with_timeout "$SLUICE_TIMEOUT" bash -c '
		for fd in /proc/$$/fd/*; do fd=${fd##*/}; ((fd > 2)) && eval "exec $fd>&-"; done
		exec 3<"$0"
		exec env LISTEN_FDS=1 LISTEN_PID=$$ "$@"' "$file" "$@"
}

@test "LISTEN_FDS=1 for sluice's pid: the workload gets fd 3, LISTEN_FDS=1 and its own pid (--no-init: 1)" {
	listen_fds_run "$SLUICE" run --no-init --rootfs "$ROOTFS" -- sh -c '
		probe fds
		echo "LISTEN_FDS=$LISTEN_FDS LISTEN_PID=$LISTEN_PID pid=$$"
		cat <&3'
	assert_eq "$output" "$(printf '%s\n' 0 1 2 3 'LISTEN_FDS=1 LISTEN_PID=1 pid=1' "listen $M")"
}

@test "LISTEN_FDS under the init (the default): LISTEN_PID is the workload's pid (2), not the init's" {
	listen_fds_run "$SLUICE" run --rootfs "$ROOTFS" -- \
		sh -c 'echo "LISTEN_FDS=$LISTEN_FDS LISTEN_PID=$LISTEN_PID pid=$$"; cat <&3'
	assert_eq "$output" "$(printf '%s\n' 'LISTEN_FDS=1 LISTEN_PID=2 pid=2' "listen $M")"
}

@test "LISTEN_FDS for the test user's sluice" {
	requires_userns
	as_user_cmd
	listen_fds_run "${AS_USER[@]}" "$SLUICE_USER_BIN" run --rootfs "$ROOTFS" -- \
		sh -c 'probe fds; echo "LISTEN_PID=$LISTEN_PID pid=$$"; cat <&3'
	assert_eq "$output" "$(printf '%s\n' 0 1 2 3 'LISTEN_PID=2 pid=2' "listen $M")"
}

@test "LISTEN_FDS meant for another process is ignored" {
	local file=$BATS_TEST_TMPDIR/other
	echo other >"$file"
	run -0 --separate-stderr run_with_timeout "$SLUICE_TIMEOUT" bash -c '
		for fd in /proc/$$/fd/*; do fd=${fd##*/}; ((fd > 2)) && eval "exec $fd>&-"; done
		exec 3<"$0"
		exec env LISTEN_FDS=1 LISTEN_PID=$PPID "$@"' "$file" \
		"$SLUICE" run --rootfs "$ROOTFS" -- sh -c 'probe fds; env | grep ^LISTEN_; :'
	assert_eq "${lines[*]}" "0 1 2" "no fd 3, no LISTEN_* variable"
}

# ---- what sluice itself holds ----

# sluice_fds_check: every fd of $BG_PID above 2 is sluice's own kind and
# close-on-exec; prints the kinds seen, one line.
sluice_fds_check() {
	local fd n target flags kinds=()
	for fd in "/proc/$BG_PID/fd"/*; do
		n=${fd##*/}
		((n > 2)) || continue
		target=$(readlink "$fd") || continue
		flags=$(awk '$1 == "flags:" { print $2 }' "/proc/$BG_PID/fdinfo/$n") || continue
		case $target in
		pipe:* | anon_inode:\[pidfd\] | anon_inode:\[signalfd\] | anon_inode:\[timerfd\]) ;;
		*)
			echo "fd $n of sluice run is $target: not one of its own" >&2
			return 1
			;;
		esac
		if ((!(8#$flags & 8#2000000))); then
			echo "fd $n of sluice run ($target) is not close-on-exec: flags $flags" >&2
			return 1
		fi
		kinds+=("$target")
	done
	printf '%s\n' "${kinds[@]}" | sed 's/^pipe:.*/pipe/' | sort -u | tr '\n' ' '
}

@test "sluice run holds only 0, 1, 2 and its own close-on-exec fds while the sandbox runs" {
	local kinds
	bg_start "$OUT" 30 "$SLUICE" run --rootfs "$ROOTFS" -- probe signals - -- "$M"
	wait_for_file "$OUT" 10 ready
	kinds=$(sluice_fds_check)
	assert_contains "$kinds" "anon_inode:[pidfd]" "sluice holds its pidfd"
	assert_contains "$kinds" "anon_inode:[signalfd]" "sluice holds its signalfd"
	kill -TERM "$BG_PID"
	bg_wait
	assert_eq "$BG_STATUS" 0
	assert_no_leftovers "$M"
}

@test "sluice run with relayed stdio and a timeout: its fds are all close-on-exec" {
	local kinds
	bg_start "$OUT" 30 "$SLUICE" run --stdin pipe --stdout pipe --stderr pipe --timeout 25 \
		--rootfs "$ROOTFS" -- probe signals - -- "$M"
	wait_for_file "$OUT" 10 ready
	kinds=$(sluice_fds_check)
	assert_contains "$kinds" "pipe" "the relay's pipes are there"
	kill -TERM "$BG_PID"
	bg_wait
	assert_eq "$BG_STATUS" 0
	assert_no_leftovers "$M"
}

@test "the test user's sluice run: its fds are all close-on-exec" {
	requires_userns
	as_user_cmd
	bg_start "$OUT" 30 "${AS_USER[@]}" "$SLUICE_USER_BIN" run --stdout pipe --rootfs "$ROOTFS" -- \
		probe signals - -- "$M"
	wait_for_file "$OUT" 10 ready
	sluice_fds_check >/dev/null
	kill -TERM "$BG_PID"
	bg_wait
	assert_eq "$BG_STATUS" 0
	assert_no_leftovers "$M"
}

@test "--init: the helper holds nothing but 0, 1, 2 (not even inherited or preserved fds)" {
	local helper
	bg_start "$OUT" 30 bash -c 'exec 3</etc/hostname 7</etc/passwd 8>/dev/null; exec "$@"' _ \
		"$SLUICE" run --init --preserve-fds 1 --rootfs "$ROOTFS" -- \
		sh -c 'probe fds; probe signals - -- "$0"' "$M"
	wait_for_file "$OUT" 10 ready
	assert_eq "$(head -n 4 "$OUT" | tr '\n' ' ')" "0 1 2 3 " "the workload has its preserved fd"
	helper=$(child_of "$BG_PID")
	assert_eq "$(fds_of "$helper")" "0 1 2" "fds of the init (pid $helper)"
	kill -TERM "$BG_PID"
	bg_wait
	assert_eq "$BG_STATUS" 0
	assert_no_leftovers "$M"
}

@test "--init for the test user: the helper holds nothing but 0, 1, 2" {
	requires_userns
	local helper
	as_user_cmd
	bg_start "$OUT" 30 bash -c 'exec 7</etc/passwd; exec "$@"' _ \
		"${AS_USER[@]}" "$SLUICE_USER_BIN" run --init --rootfs "$ROOTFS" -- probe signals - -- "$M"
	wait_for_file "$OUT" 10 ready
	helper=$(child_of "$BG_PID")
	assert_eq "$(fds_of "$helper")" "0 1 2" "fds of the init (pid $helper)"
	kill -TERM "$BG_PID"
	bg_wait
	assert_no_leftovers "$M"
}

@test "sluice init 3<config as a waiter outside its new pid namespace holds nothing but 0, 1, 2" {
	local cfg workload
	cfg=$(scratch_dir)/config.yaml
	printf 'root: {path: %s}\nprocess: {cwd: /, args: [probe, signals, -, --, %s]}\n' \
		"$ROOTFS" "$M" >"$cfg"
	bg_start "$OUT" 30 sh -c 'exec "$0" init 3<"$1" 7</etc/passwd' "$SLUICE" "$cfg"
	wait_for_file "$OUT" 10 ready
	assert_eq "$(fds_of "$BG_PID")" "0 1 2" "fds of the waiter (pid $BG_PID)"
	workload=$(child_of "$BG_PID")
	assert_eq "$(awk '$1 == "NSpid:" { print $NF }' "/proc/$workload/status")" 1 \
		"the workload is PID 1 of the new namespace"
	assert_eq "$(fds_of "$workload")" "0 1 2" "fds of the workload"
	kill -TERM "$BG_PID"
	bg_wait
	assert_eq "$BG_STATUS" 0 "the waiter forwards TERM and passes the status on"
	assert_no_leftovers "$M"
}
