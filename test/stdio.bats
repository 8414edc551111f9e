#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154,SC2030,SC2031 # single-quoted scripts run in the sandbox; bats sets $stderr
# The workload's stdin, stdout and stderr (docs/config.md, "sluice": the
# stdio modes): inherit hands over sluice's own open files, no copy; null is
# /dev/null; file:PATH opens PATH relative to the caller's directory; pipe
# relays through sluice with bounded memory, passing data intact and EOF on.
# Pipelines end promptly when the reader goes (docs/pid1.md: a PID-1
# workload sees EPIPE, under --init it dies of SIGPIPE); errors opening a
# stdio file are setup failures (125), a bad mode a usage error (64).
#
# Most workloads are host commands on the host's read-only / (the scratch
# directories, under /tmp, are out of the sandbox's reach: only the files
# sluice opens for the workload cross over).  A file:PATH test runs in a
# busybox rootfs to show that PATH is not looked up inside the sandbox.

load helpers

setup_file() {
	ROOTFS=$(scratch_dir)/rootfs
	make_rootfs "$ROOTFS"
	export ROOTFS
}

setup() {
	leftovers_snapshot
	M=$(unique_marker)
	DIR=$(scratch_dir --user)
	OUT=$BATS_TEST_TMPDIR/out
	BG_PID=
}

teardown() {
	if [[ -n $BG_PID ]]; then
		bg_kill
	fi
}

fail_with() {
	printf '%s\n' "$1" >&2
	return 1
}

# What fds 0, 1 and 2 are, one readlink per line ("pipe:[123]", a path).
fd_links='readlink /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2'

# with_pipes CMD...: runs CMD with a pipe as stdin and one pipe as stdout and
# stderr, printing first what those are (as $fd_links does), then CMD's output.
with_pipes() {
	: | {
		eval "$fd_links"
		"$@"
	} 2>&1 | cat
}

# checksum_through FILE CMD...: the sha256sum of what CMD writes when FILE
# is piped into it (both of CMD's ends are pipes).
checksum_through() {
	local file=$1
	shift
	# shellcheck disable=SC2002 # CMD's stdin must be a pipe, not the file
	cat "$file" | "$@" | sha256sum
}

# with_files IN OUT ERR CMD...: CMD with its stdio redirected to the files.
with_files() {
	local in=$1 out=$2 err=$3
	shift 3
	"$@" <"$in" >"$out" 2>"$err"
}

# rss_kb PID: the resident memory of PID in KiB.
rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

# child_named PID NAME: the pid of PID's child called NAME, once it exists.
child_named() {
	local pid i
	for i in $(seq 250); do
		pid=$(pgrep -P "$1" -x "$2") && {
			echo "$pid"
			return 0
		}
		sleep 0.02
	done
	echo "child_named: $1 has no child $2" >&2
	return 1
}

# ---- inherit ----

# check_inherited: $output is with_pipes running $fd_links in the sandbox.
check_inherited() {
	assert_eq "${#lines[@]}" 6 "three links outside, three inside" || return 1
	[[ ${lines[0]} == "pipe:["* && ${lines[1]} == "pipe:["* && ${lines[0]} != "${lines[1]}" ]] ||
		fail_with "the caller's stdin and stdout are not two pipes: ${lines[*]}" || return 1
	assert_eq "${lines[3]}" "${lines[0]}" "the workload's stdin is sluice's pipe" || return 1
	assert_eq "${lines[4]}" "${lines[1]}" "the workload's stdout is sluice's pipe" || return 1
	assert_eq "${lines[5]}" "${lines[2]}" "the workload's stderr is sluice's pipe"
}

@test "inherit (the default): the workload's 0, 1, 2 are sluice's own pipes, not copies" {
	run -0 with_pipes sluice run -- /bin/sh -c "$fd_links" "$M"
	check_inherited
	run -0 with_pipes sluice run --init -- /bin/sh -c "$fd_links" "$M"
	check_inherited
	run -0 with_pipes sluice run --stdin inherit --stdout inherit --stderr inherit -- \
		/bin/sh -c "$fd_links" "$M"
	check_inherited
	assert_no_leftovers "$M"
}

@test "inherit (test user): the workload's 0, 1, 2 are sluice's own pipes" {
	requires_userns
	run -0 with_pipes sluice_user run -- /bin/sh -c "$fd_links" "$M"
	check_inherited
	assert_no_leftovers "$M"
}

@test "inherit: a regular file is the same open file, one offset shared with the caller" {
	{
		echo before
		sluice run -- /bin/sh -c 'stat -L -c %d:%i /proc/self/fd/1; echo inside'
		echo after
	} >"$OUT"
	assert_eq "$(cat "$OUT")" "$(printf '%s\n' before "$(stat -c %d:%i "$OUT")" inside after)"
}

# ---- null ----

@test "null: reads give EOF at once, writes vanish, the fds are /dev/null" {
	run -0 --separate-stderr sluice run --stdin null --stdout null -- /bin/sh -c '
		types=$(stat -L -c %t:%T /proc/$$/fd/0 /proc/$$/fd/1); echo "$types" >&2
		if read -r line; then echo "read $line" >&2; else echo EOF >&2; fi
		echo vanishes' "$M" <<<"data sluice could pass"
	assert_eq "$output" ""
	assert_eq "$stderr" $'1:3\n1:3\nEOF'
	run -0 --separate-stderr sluice run --stderr null -- /bin/sh -c '
		echo vanishes >&2; stat -L -c %t:%T /proc/self/fd/2' "$M"
	assert_eq "$output" "1:3"
	assert_eq "$stderr" ""
	assert_no_leftovers "$M"
}

@test "null (test user): EOF on read, writes vanish" {
	requires_userns
	run -0 --separate-stderr sluice_user run --stdin null --stdout null --stderr null -- /bin/sh -c '
		read -r line && exit 3; echo vanishes; echo vanishes >&2' "$M" <<<data
	assert_eq "$output" ""
	assert_eq "$stderr" ""
	assert_no_leftovers "$M"
}

# ---- file:PATH ----

@test "file:PATH for all three streams, relative to the caller's directory, not the sandbox's" {
	cd "$DIR"
	umask 022
	printf 'old content, longer than the new one\n' >out.txt
	printf 'from a file\n' >in.txt
	run -0 --separate-stderr sluice run --rootfs "$ROOTFS" --stdin file:in.txt \
		--stdout file:out.txt --stderr file:err.txt -- sh -c 'cat; echo to stderr >&2' "$M"
	assert_eq "$output" ""
	assert_eq "$stderr" ""
	assert_eq "$(cat out.txt)" "from a file" "stdout is truncated, then written"
	assert_eq "$(cat err.txt)" "to stderr"
	assert_eq "$(stat -c %a err.txt)" 644 "created as by the shell: 0666 less the umask"
	[[ ! -e $ROOTFS/out.txt && ! -e $ROOTFS/err.txt ]] || fail_with "a file was made in the rootfs"
	# The workload reads the file given, not stdin.
	run -0 sluice run --stdin file:in.txt -- /bin/cat <<<"not this"
	assert_eq "$output" "from a file"
	assert_no_leftovers "$M"
}

@test "file:PATH: stdout and stderr to the same file interleave in order, nothing clobbered" {
	local expected i spelling
	cd "$DIR"
	expected=$(for i in $(seq 200); do
		echo "out $i"
		echo "error $i"
	done)
	for spelling in both.txt ./both.txt "$DIR/both.txt"; do
		run -0 sluice run --stdout file:both.txt --stderr "file:$spelling" -- /bin/sh -c '
			for i in $(seq 200); do echo "out $i"; echo "error $i" >&2; done' "$M"
		assert_eq "$output" ""
		assert_eq "$(cat both.txt)" "$expected" "stderr as file:$spelling"
	done
	assert_no_leftovers "$M"
}

@test "file:PATH (test user): the files are the user's; one it may not write is refused (125)" {
	requires_userns
	cd "$DIR"
	run -0 sluice_user run --stdout file:mine.txt -- /bin/sh -c 'echo written' "$M"
	assert_eq "$(cat mine.txt)" written
	assert_eq "$(stat -c %U mine.txt)" "$SLUICE_TEST_USER"
	run --separate-stderr sluice_user run --stdout "file:/etc/sluice-$M" -- /bin/echo "$M"
	assert_status 125
	assert_eq "$stderr" "sluice: stdout file /etc/sluice-$M: cannot open: Permission denied"
	[[ ! -e /etc/sluice-$M ]] || fail_with "the file was created"
	assert_no_leftovers "$M"
}

@test "file:PATH that cannot be opened: 125 naming the stream and the path, nothing runs" {
	run --separate-stderr sluice run --stdout file:/nonexistent/dir/x -- /bin/echo "$M"
	assert_status 125
	assert_eq "$output" ""
	assert_eq "$stderr" "sluice: stdout file /nonexistent/dir/x: cannot open: No such file or directory"
	run --separate-stderr sluice run --stdin "file:/missing-$M" -- /bin/echo "$M"
	assert_status 125
	assert_eq "$output" ""
	assert_eq "$stderr" "sluice: stdin file /missing-$M: cannot open: No such file or directory"
	run --separate-stderr sluice run --stderr "file:$DIR" -- /bin/echo "$M"
	assert_status 125
	assert_eq "$stderr" "sluice: stderr file $DIR: cannot open: Is a directory"
	assert_no_leftovers "$M"
}

@test "a bad stdio mode is a usage error (64)" {
	run -64 --separate-stderr sluice run --stdout=bogus -- /bin/echo "$M"
	assert_eq "$output" ""
	assert_eq "$stderr" "sluice: --stdout bogus: expected inherit, null, pipe or file:PATH"
	run -64 --separate-stderr sluice run --stdin file: -- /bin/echo "$M"
	assert_eq "$stderr" "sluice: --stdin file:: expected inherit, null, pipe or file:PATH"
	run -64 --separate-stderr sluice run --stderr PIPE -- /bin/echo "$M"
	assert_eq "$stderr" "sluice: --stderr PIPE: expected inherit, null, pipe or file:PATH"
	assert_no_leftovers "$M"
}

# ---- pipe ----

@test "pipe: 8 MiB pass through stdin and stdout intact, between pipes and files" {
	local sum
	head -c 8M /dev/urandom >"$DIR/data"
	sum=$(sha256sum <"$DIR/data")
	# sluice's own ends are pipes (relayed with splice).
	run -0 checksum_through "$DIR/data" \
		sluice run --stdin pipe --stdout pipe -- /bin/sh -c 'exec cat' "$M"
	assert_eq "$output" "$sum"
	# sluice's own ends are regular files; stderr relayed as well.
	run -0 with_files "$DIR/data" "$DIR/out" "$DIR/err" sluice run --stdin pipe \
		--stdout pipe --stderr pipe -- /bin/sh -c 'cat | tee /dev/stderr' "$M"
	cmp "$DIR/data" "$DIR/out"
	cmp "$DIR/data" "$DIR/err"
	# The workload's ends are pipes of its own, not sluice's.
	run -0 with_pipes sluice run --stdin pipe --stdout pipe --stderr pipe -- \
		/bin/sh -c "$fd_links" "$M"
	[[ ${lines[3]} == "pipe:["* && ${lines[3]} != "${lines[0]}" ]] || fail_with "stdin: ${lines[*]}"
	[[ ${lines[4]} == "pipe:["* && ${lines[4]} != "${lines[1]}" ]] || fail_with "stdout: ${lines[*]}"
	[[ ${lines[5]} == "pipe:["* && ${lines[5]} != "${lines[4]}" ]] || fail_with "stderr: ${lines[*]}"
	assert_no_leftovers "$M"
}

@test "pipe (test user): data passes intact" {
	requires_userns
	local sum
	head -c 2M /dev/urandom >"$DIR/data"
	sum=$(sha256sum <"$DIR/data")
	run -0 checksum_through "$DIR/data" \
		sluice_user run --stdin pipe --stdout pipe -- /bin/sh -c 'exec cat' "$M"
	assert_eq "$output" "$sum"
	assert_no_leftovers "$M"
}

# without_stdin CMD...: CMD with fd 0 closed.  (`run CMD <&-` would not do:
# the pipe that captures the output would then take fd 0.)
without_stdin() {
	"$@" <&-
}

# slow_writer CMD...: CMD reading "one", a pause, then "two" and EOF.
slow_writer() {
	{
		echo one
		sleep 0.3
		echo two
	} | "$@"
}

@test "pipe: EOF on sluice's stdin reaches the workload" {
	run -0 sluice run --stdin pipe -- /bin/sh -c 'cat; echo END' "$M" < <(printf abc)
	assert_eq "$output" abcEND
	run -0 sluice run --stdin pipe -- /bin/sh -c 'cat; echo END' "$M" </dev/null
	assert_eq "$output" END
	run -0 without_stdin sluice run --stdin pipe -- /bin/sh -c 'cat; echo END' "$M"
	assert_eq "$output" END "a closed stdin is EOF too"
	# EOF comes when the writer upstream is done, not at a pause.
	run -0 slow_writer sluice run --stdin pipe -- /bin/sh -c 'cat; echo END' "$M"
	assert_eq "$output" $'one\ntwo\nEND'
	assert_no_leftovers "$M"
}

# ---- a reader that goes away ----

# yes_head FLAG...: `sluice run FLAG... -- yes $M | head -n 1` within 10 s;
# prints head's line, then "status: SLUICE HEAD", then yes's stderr.
yes_head() {
	local err=$BATS_TEST_TMPDIR/yes.err
	SLUICE_TIMEOUT=10 "${RUNNER:-sluice}" run "$@" -- yes "$M" 2>"$err" | head -n 1
	echo "status: ${PIPESTATUS[*]}"
	cat "$err"
}

@test "--no-init: sluice run -- yes | head -1 ends at once; PID-1 yes sees EPIPE (docs/pid1.md)" {
	local mode
	for mode in inherit pipe; do
		run -0 yes_head --no-init --stdout "$mode"
		assert_eq "$output" "$M"$'\n'"status: 1 0"$'\n'"yes: standard output: Broken pipe" "--stdout $mode"
	done
	assert_no_leftovers "$M"
}

@test "yes | head -1 ends at once and silently, yes dies of SIGPIPE (141), by default and with --init" {
	local mode
	for mode in inherit pipe; do
		run -0 yes_head --stdout "$mode"
		assert_eq "$output" "$M"$'\n'"status: 141 0" "--stdout $mode"
		run -0 yes_head --init --stdout "$mode"
		assert_eq "$output" "$M"$'\n'"status: 141 0" "--init --stdout $mode"
	done
	assert_no_leftovers "$M"
}

@test "yes | head -1 as the test user, with and without the init" {
	requires_userns
	RUNNER=sluice_user run -0 yes_head --no-init --stdout pipe
	assert_eq "$output" "$M"$'\n'"status: 1 0"$'\n'"yes: standard output: Broken pipe"
	RUNNER=sluice_user run -0 yes_head
	assert_eq "$output" "$M"$'\n'"status: 141 0"
	RUNNER=sluice_user run -0 yes_head --stdout pipe
	assert_eq "$output" "$M"$'\n'"status: 141 0"
	assert_no_leftovers "$M"
}

# ---- back-pressure: bounded memory ----

@test "pipe: sluice run relays as SCHED_BATCH; the workload, and sluice without a relay, keep SCHED_OTHER" {
	requires_cmd chrt
	local pid policy
	"$SLUICE" run --stdout pipe -- sh -c 'chrt -p $$; sleep 1' "$M" >"$DIR/out" &
	pid=$!
	for _ in $(seq 250); do [[ -s $DIR/out ]] && break; sleep 0.02; done
	policy=$(chrt -p "$pid")
	wait "$pid"
	assert_contains "$policy" "policy: SCHED_BATCH"
	assert_contains "$(cat "$DIR/out")" "policy: SCHED_OTHER" "the workload's policy"
	"$SLUICE" run -- sh -c 'echo up; sleep 1' "$M" >"$DIR/out2" &
	pid=$!
	for _ in $(seq 250); do [[ -s $DIR/out2 ]] && break; sleep 0.02; done
	policy=$(chrt -p "$pid")
	wait "$pid"
	assert_contains "$policy" "policy: SCHED_OTHER" "sluice run without a relay"
}

@test "back-pressure: a fast workload into a slow reader, sluice's memory stays flat" {
	local fifo=$BATS_TEST_TMPDIR/fifo rd i first=0 rss max=0 line
	mkfifo "$fifo"
	exec {rd}<>"$fifo" # read-write: opening does not wait for the writer
	bg_start "$fifo" 60 "$SLUICE" run --stdout pipe -- yes "$M"
	# About a second of reading 64 KiB every 20 ms: yes could write GiBs.
	for ((i = 1; i <= 50; i++)); do
		dd bs=64k count=1 iflag=fullblock status=none of=/dev/null <&"$rd"
		if ((i % 10 == 0)); then
			rss=$(rss_kb "$BG_PID")
			((first)) || first=$rss
			((rss > max)) && max=$rss
		fi
		sleep 0.02
	done
	IFS= read -r line <&"$rd" # the rest of a line cut by the last read
	IFS= read -r line <&"$rd"
	assert_eq "$line" "$M" "what the workload wrote arrives"
	# ASan's quarantine keeps freed memory by design: the plain build
	# (make check) is the one whose memory must stay flat.
	under_asan || ((max - first < 1024)) || fail_with "sluice run grew from $first KiB to $max KiB"
	# The reader goes: yes dies of SIGPIPE and everything ends.
	exec {rd}<&-
	bg_wait
	BG_PID=
	assert_eq "$BG_STATUS" 141
	assert_no_leftovers "$M"
}

@test "back-pressure on stdin: a fast producer into a slow workload, memory flat, ends with it" {
	local pid first=0 rss max=0 reader
	reader='echo started >&2
		for i in $(seq 50); do
			dd bs=64k count=1 iflag=fullblock status=none of=/dev/null || exit 1
			sleep 0.02
		done
		echo read 50 chunks'
	bg_start "$OUT" 60 sh -c 'yes "$1" | "$0" run --stdin pipe -- /bin/sh -c "$2" "$1"' \
		"$SLUICE" "$M" "$reader"
	pid=$(child_named "$BG_PID" sluice)
	wait_for_file "$OUT" 10 started # sluice is set up and relaying
	while rss=$(rss_kb "$pid" 2>/dev/null) && [[ -n $rss ]]; do
		((first)) || first=$rss
		((rss > max)) && max=$rss
		sleep 0.1
	done
	# sluice ends with the workload although yes still writes.
	bg_wait
	BG_PID=
	assert_eq "$BG_STATUS" 0
	assert_eq "$(cat "$OUT")" $'started\nread 50 chunks'
	((first)) || fail_with "sluice run was never seen running"
	# ASan's quarantine keeps freed memory by design: the plain build
	# (make check) is the one whose memory must stay flat.
	under_asan || ((max - first < 1024)) || fail_with "sluice run grew from $first KiB to $max KiB"
	assert_no_leftovers "$M"
}

# ---- the same from a config file ----

@test "sluice.stdin/stdout/stderr in a config behave like the options" {
	local conf
	conf=$(scratch_dir)
	cat >"$conf/c.yaml" <<-'EOF'
		sluice:
		  stdin: "null"
		  stdout: pipe
		  stderr: file:err.txt
	EOF
	cd "$DIR"
	run -0 with_pipes sluice run --config "$conf/c.yaml" -- /bin/sh -c \
		'stat -L -c %t:%T /proc/self/fd/0; readlink /proc/self/fd/1; echo to stderr >&2' "$M"
	assert_eq "${lines[3]}" "1:3" "stdin: \"null\" is /dev/null"
	[[ ${lines[4]} == "pipe:["* && ${lines[4]} != "${lines[1]}" ]] ||
		fail_with "stdout: pipe is not relayed: ${lines[*]}"
	assert_eq "${#lines[@]}" 5 "nothing on sluice's stderr"
	assert_eq "$(cat "$DIR/err.txt")" "to stderr" "file:err.txt is in the caller's directory"
	[[ ! -e $conf/err.txt ]] || fail_with "file:err.txt was resolved against the config's directory"
	# The same as the options give.
	rm "$DIR/err.txt"
	run -0 with_pipes sluice run --stdin null --stdout pipe --stderr file:err.txt -- /bin/sh -c \
		'stat -L -c %t:%T /proc/self/fd/0; readlink /proc/self/fd/1; echo to stderr >&2' "$M"
	assert_eq "${lines[3]}" "1:3"
	[[ ${lines[4]} == "pipe:["* && ${lines[4]} != "${lines[1]}" ]] || fail_with "${lines[*]}"
	assert_eq "$(cat "$DIR/err.txt")" "to stderr"
	# The command line wins over the file.
	run -0 with_pipes sluice run --config "$conf/c.yaml" --stdout inherit -- /bin/sh -c \
		'readlink /proc/self/fd/1' "$M"
	assert_eq "${lines[3]}" "${lines[1]}" "--stdout inherit overrides stdout: pipe"
	assert_no_leftovers "$M"
}

@test "sluice.stdin/stdout: pipe in a config relays data intact; unquoted null keeps inherit" {
	local sum
	printf 'sluice:\n  stdin: pipe\n  stdout: pipe\n' >"$DIR/pipe.yaml"
	head -c 1M /dev/urandom >"$DIR/data"
	sum=$(sha256sum <"$DIR/data")
	run -0 checksum_through "$DIR/data" \
		sluice run --config "$DIR/pipe.yaml" -- /bin/sh -c 'exec cat' "$M"
	assert_eq "$output" "$sum"
	# Unquoted, YAML reads null as "no value": the default (inherit) stays.
	printf 'sluice:\n  stdout: null\n' >"$DIR/null.yaml"
	run -0 sluice run --config "$DIR/null.yaml" --print-config
	assert_contains "$output" $'\n  stdout: inherit\n'
	run -0 with_pipes sluice run --config "$DIR/null.yaml" -- /bin/sh -c "$fd_links" "$M"
	check_inherited
	assert_no_leftovers "$M"
}

@test "sluice.stdout: file:PATH in a config (test user): the user's file in the caller's directory" {
	requires_userns
	printf 'sluice:\n  stdout: file:out.txt\n' >"$DIR/f.yaml"
	give_to_user "$DIR/f.yaml"
	cd "$DIR"
	run -0 sluice_user run --config f.yaml -- /bin/sh -c 'id -u' "$M"
	assert_eq "$output" ""
	assert_eq "$(cat "$DIR/out.txt")" "$(id -u "$SLUICE_TEST_USER")"
	assert_eq "$(stat -c %U "$DIR/out.txt")" "$SLUICE_TEST_USER"
	assert_no_leftovers "$M"
}
