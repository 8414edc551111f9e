#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154,SC2030,SC2031 # single-quoted scripts run in the sandbox; bats sets $stderr; output is set in @test subshells
# process.terminal (docs/terminal.md): the pty is made inside the sandbox
# from its own devpts; the workload gets it as controlling terminal and as
# 0, 1, 2; the master goes to a console socket (as runc sends it) or is
# relayed by sluice run, with the caller's terminal raw and restored on
# every way out.
#
# A person at a terminal is played by test/tty_driver.py (a fresh pty whose
# slave is the command's controlling terminal; it types, resizes, signals,
# and reports the terminal's settings after the command); conmon and
# containerd's shim by test/console_receiver.py.  Every wait is on output
# with a deadline, never a sleep.  Each behaviour runs as root and as the
# unprivileged test user (rootless, in a user namespace).

load helpers

DRIVER=${SLUICE_TEST_SCRIPTS:-$BATS_TEST_DIRNAME}/tty_driver.py
RECEIVER=${SLUICE_TEST_SCRIPTS:-$BATS_TEST_DIRNAME}/console_receiver.py
CLIENT=${SLUICE_TEST_SCRIPTS:-$BATS_TEST_DIRNAME}/protocol_client.py
WARNING="sluice: warning: stdin is not a terminal: its input is relayed to the sandbox's terminal as it comes"

setup_file() {
	ROOTFS=$(scratch_dir)/rootfs
	make_rootfs "$ROOTFS"
	export ROOTFS
}

setup() {
	requires_cmd python3
	leftovers_snapshot
	M=$(unique_marker)
	DIR=$(scratch_dir --user)
	# the interpreter the test user can run too (root's PATH may hold
	# wrappers under /root)
	PY=python3
	[[ -x /usr/bin/python3 ]] && PY=/usr/bin/python3
}

# use root|user: who runs sluice in what follows: S and P are the sluice and
# probe binaries that one reaches, PRE the words that run a program as it.
use() {
	PRE=()
	S=$SLUICE
	P=$PROBE
	if [[ $1 == user ]]; then
		requires_userns
		as_user_cmd || return 1
		PRE=("${AS_USER[@]}")
		S=$SLUICE_USER_BIN
		P=$PROBE_USER_BIN
	fi
}

# on_tty [DRIVER ARGS...] -- CMD...: CMD on a fresh terminal (tty_driver.py),
# as whoever `use` chose.
on_tty() {
	(
		_close_extra_fds
		run_with_timeout 60 "${PRE[@]}" "$PY" "$DRIVER" --timeout 30 "$@"
	)
}

# receiver [RECEIVER ARGS...] -- CMD...: CMD with a console socket
# (console_receiver.py, its socket in $DIR), as whoever `use` chose.
receiver() {
	(
		_close_extra_fds
		run_with_timeout 60 "${PRE[@]}" "$PY" "$RECEIVER" --dir "$DIR" --timeout 30 "$@"
	)
}

# as_who CMD...: CMD as whoever `use` chose, only fds 0-2, with a timeout.
as_who() {
	(
		_close_extra_fds
		run_with_timeout "$SLUICE_TIMEOUT" "${PRE[@]}" "$@"
	)
}

TTY_NAMES=$'stdin: /dev/pts/0\nstdout: /dev/pts/0\nstderr: /dev/pts/0\nctty: stdin\nsession-leader: yes\nforeground: yes'

# ---- the pty the workload gets ----

names_on_a_terminal() {
	use "$1"
	run -0 on_tty --size 30x100 -- "$S" run --tty -- "$P" tty -- "$M"
	assert_eq "$output" "$TTY_NAMES"$'\nsize: 30x100\ntermios: same\nstatus: 0'
	# in a busybox root too, where /dev is sluice's tmpfs and devpts
	run -0 on_tty -- "$S" run --tty --rootfs "$ROOTFS" -- /bin/probe tty -- "$M"
	assert_eq "$output" "$TTY_NAMES"$'\nsize: 24x80\ntermios: same\nstatus: 0'
	assert_no_leftovers "$M"
}

@test "root: the workload's 0, 1, 2 are /dev/pts/0 of its own devpts, its controlling terminal; it leads its session" {
	names_on_a_terminal root
}
@test "user: the workload's 0, 1, 2 are /dev/pts/0 of its own devpts, its controlling terminal; it leads its session" {
	names_on_a_terminal user
}

@test "with_tty (script): the same names on the terminal script makes" {
	requires_cmd script
	run -0 with_tty "$SLUICE" run --tty -- "$PROBE" tty -- "$M"
	# script types a NUL when its own stdin (/dev/null) ends and the
	# terminal is raw; the container's terminal echoes it as ^@
	assert_contains "${output//^@/}" "$TTY_NAMES"
	assert_no_leftovers "$M"
}

own_devpts() {
	use "$1"
	local host
	host=$(stat -c %d /dev/pts)
	# inside: /dev/pts/0 and /dev/pts are one filesystem, not the host's
	run -0 --separate-stderr as_who "$S" run --tty -- sh -c 'stat -c %d /dev/pts/0 /dev/pts; stat -c "%t:%T" /dev/console'
	local -a dev
	mapfile -t dev < <(tr -d '\r' <<<"$output")
	assert_eq "${dev[0]}" "${dev[1]}" "the pty is on the devpts at /dev/pts"
	[[ ${dev[0]} != "$host" ]] || fail "the container's devpts is the host's ($host)"
	assert_eq "${dev[2]}" "88:0" "/dev/console is the pty (136:0, in hex)"
	assert_no_leftovers
}

@test "root: the pty comes from the container's devpts, not the host's; /dev/console is the pty" {
	own_devpts root
}
@test "user: the pty comes from the container's devpts, not the host's; /dev/console is the pty" {
	own_devpts user
}

@test "without a terminal of the caller's (pipes): the same pty, a warning as podman gives, the status passes" {
	run -0 --separate-stderr sluice run --tty -- "$PROBE" tty -- "$M"
	assert_eq "$(tr -d '\r' <<<"$output")" "$TTY_NAMES"$'\nsize: 0x0'
	assert_eq "$stderr" "$WARNING"
	run -7 --separate-stderr sluice run --tty -- sh -c 'exit 7'
	run -139 --separate-stderr sluice run --tty --init -- "$PROBE" kill SEGV
	assert_no_leftovers "$M"
}

only_stdio_and_preserved() {
	use "$1"
	# fd 3 is the file given; nothing else of sluice's reaches the workload
	run -0 --separate-stderr as_who sh -c 'exec 3<"$0"; exec "$@"' /dev/null "$S" run --tty --preserve-fds 1 -- "$P" fds
	assert_eq "$(tr -d '\r' <<<"$output")" $'0\n1\n2\n3'
	run -0 --separate-stderr as_who "$S" run --tty --init -- "$P" fds
	assert_eq "$(tr -d '\r' <<<"$output")" $'0\n1\n2'
}

@test "root: the workload holds exactly 0, 1, 2 (the pty) and the preserved fds" {
	only_stdio_and_preserved root
}
@test "user: the workload holds exactly 0, 1, 2 (the pty) and the preserved fds" {
	only_stdio_and_preserved user
}

init_outside_the_session() {
	local workload init job _
	use "$1"
	# PID 1 is sluice's init: it leads a session without a terminal; the
	# workload (PID 2) leads the pty's, and cannot read the init's fds
	# (docs/security.md).
	run -0 --separate-stderr as_who "$S" run --tty --init -- sh -c \
		'readlink /proc/1/fd/0 >/dev/null 2>&1 || echo hidden; ps -A -o pid=,sid=,tty= | head -n 2'
	output=$(tr -d '\r' <<<"$output" | sed 's/  */ /g; s/^ //')
	assert_eq "$output" $'hidden\n1 1 ?\n2 2 pts/0'
	# Seen from the host: the init's 0, 1, 2 are /dev/null, and it holds
	# nothing else (no pty).
	as_who "$S" run --tty --init -- "$P" sleep 60 - -- "$M" </dev/null >/dev/null 2>&1 &
	job=$!
	for _ in $(seq 250); do
		workload=$(pgrep -f -x -- "$P sleep 60 - -- $M") && break
		sleep 0.02
	done
	[[ -n $workload ]] || fail "the workload did not start"
	init=$(ps -o ppid= -p "$workload" | tr -d ' ')
	output=$(for fd in /proc/"$init"/fd/*; do readlink "$fd"; done)
	kill -TERM "$workload"
	wait "$job" || :
	assert_eq "$output" $'/dev/null\n/dev/null\n/dev/null'
}

@test "root: with --init the init holds nothing of the pty and stays out of its session" {
	init_outside_the_session root
}
@test "user: with --init the init holds nothing of the pty and stays out of its session" {
	init_outside_the_session user
}

@test "the pty belongs to the workload's user (as runc); the group stays devpts' tty group" {
	requires_root
	# --real-root: in a user namespace the tty group (5) is not mapped
	run -0 --separate-stderr sluice run --real-root --tty --uid 1000 --gid 1000 -- stat -c '%u %g %a' /dev/pts/0
	assert_eq "$(tr -d '\r' <<<"$output")" "1000 5 620"
}

# ---- the size ----

size_and_winch() {
	use "$1"
	# the caller's size at start, and each change as SIGWINCH with the new size
	run -0 on_tty --size 30x100 expect=ready resize=40x120 expect=40x120 resize=41x121 \
		-- "$S" run --tty -- "$P" winch 2 -- "$M"
	assert_eq "$output" $'size: 30x100\nready\nsize: 40x120\nsize: 41x121\ntermios: same\nstatus: 0'
	assert_no_leftovers "$M"
}

@test "root: the caller's window size is copied at start and on SIGWINCH" { size_and_winch root; }
@test "user: the caller's window size is copied at start and on SIGWINCH" { size_and_winch user; }

@test "process.consoleSize sets the size (the caller's own terminal, when it has one, wins)" {
	printf 'process:\n  terminal: true\n  consoleSize: {height: 33, width: 99}\n' >"$DIR/size.yaml"
	run -0 sluice run --config "$DIR/size.yaml" -- "$PROBE" tty
	assert_contains "$(tr -d '\r' <<<"$output")" $'foreground: yes\nsize: 33x99'
	use root
	run -0 on_tty --size 20x70 -- "$SLUICE" run --config "$DIR/size.yaml" -- "$PROBE" tty
	assert_contains "$output" $'size: 20x70\ntermios: same'
	# with a console socket nobody copies a size: consoleSize it is
	run -0 receiver -- "$SLUICE" run --config "$DIR/size.yaml" --console-socket @SOCKET@ -- "$PROBE" tty
	assert_contains "$output" $'size: 33x99\nstatus: 0'
}

# ---- raw mode, restored on every way out ----

raw_and_restored() {
	use "$1"
	# raw: our terminal neither echoes nor edits (one echo: the container's)
	run -0 on_tty expect=ready mode send='x\n' expect='line: x' send='\x04' \
		-- "$S" run --tty -- "$P" lines -- "$M"
	assert_eq "$output" $'ready\n\nmode: raw\nx\nline: x\neof\ntermios: same\nstatus: 0'
	# a failure after raw mode was taken: the command is not found
	run -0 on_tty -- "$S" run --tty -- /nonexistent/cmd
	assert_contains "$output" $'sluice: exec: /nonexistent/cmd: command not found\ntermios: same\nstatus: 127'
	# a failure before: the rootfs is missing
	run -0 on_tty -- "$S" run --tty --rootfs /nonexistent -- true
	assert_contains "$output" $'termios: same\nstatus: 78'
	assert_no_leftovers "$M"
}

@test "root: the caller's terminal is raw while the workload runs, restored after it ends or fails" {
	raw_and_restored root
}
@test "user: the caller's terminal is raw while the workload runs, restored after it ends or fails" {
	raw_and_restored user
}

restored_on_signals() {
	use "$1"
	# SIGTERM to sluice: passed on, the workload dies of it, sluice reports it
	run -0 on_tty expect=ready mode signal=TERM -- "$S" run --tty --init -- "$P" sleep 300 - -- "$M"
	assert_contains "$output" $'mode: raw\ntermios: same\nstatus: 143'
	# the timeout: TERM, then KILL after the grace (a loaded machine may
	# not even have printed "ready" by then: no expect)
	run -0 on_tty -- "$S" run --tty --timeout 0.5 --kill-grace 0.1 -- "$P" sleep 300 - -- "$M"
	assert_contains "$output" $'termios: same\nstatus: 124'
	# a signal sluice does not pass on kills it; the terminal is restored first
	run -0 on_tty expect=ready signal=ALRM -- "$S" run --tty -- "$P" sleep 300 - -- "$M"
	assert_contains "$output" $'termios: same\nstatus: 142'
	assert_no_leftovers "$M"
}

@test "root: the terminal is restored after SIGTERM of sluice, a timeout, and a signal that kills sluice" {
	restored_on_signals root
}
@test "user: the terminal is restored after SIGTERM of sluice, a timeout, and a signal that kills sluice" {
	restored_on_signals user
}

job_control() {
	use "$1"
	# kill -TSTP: the sandbox and sluice stop, the terminal is given back;
	# continued in the foreground, sluice takes it raw again and relays on
	run -0 on_tty expect=ready signal=TSTP stopped mode signal=CONT wait-mode=raw send='\x03' \
		-- "$S" run --tty -- "$P" sleep 300 - -- "$M"
	assert_eq "$output" $'ready\n\nmode: cooked\n^Ctermios: same\nstatus: 130'
	assert_no_leftovers "$M"
}

@test "root: stopped by job control, sluice gives the terminal back and takes it raw again" {
	job_control root
}
@test "user: stopped by job control, sluice gives the terminal back and takes it raw again" {
	job_control user
}

# ---- keys, EOF, hang-up ----

ctrl_c() {
	use "$1"
	# Ctrl-C is a byte on our raw terminal, SIGINT from the container's
	# line discipline to the workload's foreground group: 130, as sluice's
	# status.  (With --no-init a PID-1 workload without a handler ignores
	# SIGINT, as in any pid namespace.)
	run -0 on_tty expect=ready send='\x03' -- "$S" run --tty --init -- "$P" sleep 300 - -- "$M"
	assert_contains "$output" $'ready\n^Ctermios: same\nstatus: 130'
	# a shell as PID 1 (--no-init) that traps INT sees it too
	run -0 on_tty expect=ready send='\x03' -- "$S" run --tty --no-init -- sh -c \
		'trap "exit 130" INT; echo ready; while :; do sleep 1; done' "$M"
	assert_contains "$output" $'termios: same\nstatus: 130'
	assert_no_leftovers "$M"
}

@test "root: Ctrl-C on a real terminal ends the workload through its pty: 130" { ctrl_c root; }
@test "user: Ctrl-C on a real terminal ends the workload through its pty: 130" { ctrl_c user; }

@test "EOF of a piped stdin is the pty's EOF (a partial last line is delivered first)" {
	run -0 --separate-stderr sluice run --tty -- "$PROBE" lines -- "$M" < <(printf 'a\nb\npartial')
	output=$(tr -d '\r' <<<"$output")
	assert_contains "$output" $'line: a\nline: b\nline: partial\neof'
	run -0 --separate-stderr sluice run --tty -- "$PROBE" lines -- "$M" </dev/null
	assert_eq "$(tr -d '\r' <<<"$output")" $'ready\neof'
	assert_no_leftovers "$M"
}

hang_up() {
	use "$1"
	# the caller's terminal hangs up: the workload's terminal hangs up too
	# (SIGHUP to its session) and sluice reports how it ended
	run -0 on_tty expect=ready hangup -- "$S" run --tty --init -- "$P" sleep 300 - -- "$M"
	assert_contains "$output" $'termios: hung up\nstatus: 129'
	assert_no_leftovers "$M"
}

@test "root: a hang-up of the caller's terminal hangs up the workload's (SIGHUP, 129)" { hang_up root; }
@test "user: a hang-up of the caller's terminal hangs up the workload's (SIGHUP, 129)" { hang_up user; }

@test "sluice's stdout gone: the pty is hung up, the workload gets SIGHUP" {
	# `| head -n 1` closes the pipe after the first line
	run -0 bash -c 'set -o pipefail; "$0" run --tty --init -- sh -c "trap \"exit 99\" HUP; while :; do echo y; done" "$1" 2>/dev/null | head -n 1 >/dev/null; echo "${PIPESTATUS[0]}"' "$SLUICE" "$M"
	assert_eq "$output" 99
	assert_no_leftovers "$M"
}

# ---- the console socket ----

console_socket() {
	use "$1"
	# what runc sends, what conmon reads: "/dev/ptmx" and one fd, a pty
	# master through which the receiver talks to the workload
	run -0 receiver expect=ready send='hello\n' expect='line: hello' send='\x04' \
		-- "$S" run --tty --console-socket @SOCKET@ -- "$P" lines -- "$M"
	assert_eq "$output" $'message: /dev/ptmx\nfds: 1\nmaster: pty 0\nready\nhello\nline: hello\neof\nstatus: 0'
	# with sluice's init, and the workload's status through sluice
	run -0 receiver -- "$S" run --tty --init --console-socket @SOCKET@ -- sh -c 'tty; exit 3' "$M"
	assert_eq "$output" $'message: /dev/ptmx\nfds: 1\nmaster: pty 0\n/dev/pts/0\nstatus: 3'
	run -0 ls -A "$DIR"
	assert_eq "$output" ""
	assert_no_leftovers "$M"
}

@test "root: a console-socket receiver gets the pty master as runc sends it, and talks to the workload" {
	console_socket root
}
@test "user: a console-socket receiver gets the pty master as runc sends it, and talks to the workload" {
	console_socket user
}

bad_console_socket() {
	use "$1"
	run -125 --separate-stderr as_who "$S" run --tty --console-socket "$DIR/missing.sock" -- "$P" sleep 300 -- "$M"
	assert_eq "$output" ""
	assert_eq "$stderr" "sluice: console socket $DIR/missing.sock: cannot connect: No such file or directory"
	: >"$DIR/file"
	give_to_user "$DIR/file"
	run -125 --separate-stderr as_who "$S" run --tty --console-socket "$DIR/file" -- true
	assert_eq "$stderr" "sluice: console socket $DIR/file: cannot connect: Connection refused"
	run -64 --separate-stderr as_who "$S" run --console-socket "$DIR/file" -- true
	assert_eq "$stderr" "sluice: run: --console-socket needs a terminal (--tty, or process.terminal: true)"
	run -0 ls -A "$DIR"
	assert_eq "$output" "file"
	assert_no_leftovers "$M"
}

@test "root: a console socket that does not exist or does not listen: 125 naming it, nothing left" {
	bad_console_socket root
}
@test "user: a console socket that does not exist or does not listen: 125 naming it, nothing left" {
	bad_console_socket user
}

@test "a console socket path too long for a socket address: 125 naming it" {
	local long
	long=$DIR/$(printf 'x%.0s' {1..110}).sock
	run -125 --separate-stderr sluice run --tty --console-socket "$long" -- true
	assert_eq "$stderr" "sluice: console socket \"$long\": File name too long"
}

# ---- sluice init, driven by a runtime ----

@test "framed sluice init: the master comes on fd 4 (a socketpair) in a CONSOLE frame; a pipe is refused" {
	run -0 sluice run --tty --print-config -- "$PROBE" tty
	printf '%s\n' "$output" >"$DIR/full.yaml"
	run -0 run_with_timeout 30 "$PY" "$CLIENT" --status-socket magic config="$DIR/full.yaml" go -- "$SLUICE" init
	assert_eq "$output" $'CONSOLE 0 master=pty\nREADY 2\nEOF\nEXIT 0\nTTY '"${TTY_NAMES//$'\n'/$'\nTTY '}"$'\nTTY size: 0x0'
	run -0 run_with_timeout 30 "$PY" "$CLIENT" magic config="$DIR/full.yaml" go -- "$SLUICE" init
	assert_eq "$output" $'ERROR 125 0 terminal terminal: process.terminal needs fd 4 to be a unix socket, to send the pty master on (docs/protocol.md)\nEOF\nEXIT 125'
	assert_no_leftovers
}

# ---- what the container could plant ----

# a config that binds the rootfs's own /dev over sluice's (what the
# container planted there is then what it sees: docs/security.md)
bare_dev_config() {
	cat >"$DIR/bare.yaml" <<-EOF
		root: {path: $ROOTFS, readonly: false}
		process: {cwd: /}
		mounts:
		- {destination: /proc, type: proc, source: proc}
		- {destination: /dev, type: bind, source: $ROOTFS/dev, options: [rbind]}
		- {destination: /dev/pts, type: devpts, source: devpts, options: [newinstance, ptmxmode=0666]}
		linux:
		  maskedPaths: []
		  readonlyPaths: []
	EOF
	printf '%s\n' "$DIR/bare.yaml"
}

@test "a /dev/console planted as a symlink is refused, nothing mounted through it" {
	requires_root
	local cfg root
	root=$(scratch_dir)/rootfs
	make_rootfs "$root"
	ln -s /proc/sysrq-trigger "$root/dev/console"
	cfg=$(ROOTFS=$root bare_dev_config)
	run -125 --separate-stderr sluice run --config "$cfg" --tty -- /bin/probe tty -- "$M"
	assert_eq "$stderr" "$WARNING"$'\nsluice: terminal: /dev/console is neither a file nor a device (a symlink?): refused'
	assert_no_leftovers "$M"
}

@test "a /dev/ptmx that is no pty multiplexer is refused" {
	requires_root
	local cfg root
	root=$(scratch_dir)/rootfs
	make_rootfs "$root"
	ln -s ../bin/busybox "$root/dev/ptmx"
	# no devpts at all: /dev/pts/ptmx is missing, /dev/ptmx is a file
	cfg=$(ROOTFS=$root bare_dev_config)
	sed -i '/devpts/d' "$cfg"
	run -125 --separate-stderr sluice run --config "$cfg" --tty -- /bin/probe tty -- "$M"
	assert_eq "$stderr" "$WARNING"$'\nsluice: terminal: the container\'s ptmx is not the pty multiplexer (5:2)'
	rm "$root/dev/ptmx"
	run -125 --separate-stderr sluice run --config "$cfg" --tty -- /bin/probe tty -- "$M"
	assert_eq "$stderr" "$WARNING"$'\nsluice: terminal: cannot open /dev/pts/ptmx or /dev/ptmx in the container (mount devpts at /dev/pts): No such file or directory'
	assert_no_leftovers "$M"
}

@test "the host's devpts is refused as the container's: the terminal must be its own" {
	# the host's /dev bound in on purpose: /dev/pts is the host's
	cat >"$DIR/hostpts.yaml" <<-'EOF'
		mounts:
		- {destination: /proc, type: proc, source: proc}
		- {destination: /dev, type: bind, source: /dev, options: [rbind]}
	EOF
	# --real-root: in a user namespace the host's device nodes are nodev
	run -125 --separate-stderr sluice run --real-root --config "$DIR/hostpts.yaml" --tty -- "$PROBE" tty -- "$M"
	assert_eq "$stderr" "$WARNING"$'\nsluice: terminal: /dev/pts in the container is the host\'s devpts: mount a devpts of its own there (as the default config does)'
	assert_no_leftovers "$M"
}

@test "without a mount namespace there is no devpts of the sandbox's: refused" {
	requires_root
	cat >"$DIR/nomnt.yaml" <<-'EOF'
		root: {path: /, readonly: false}
		mounts: []
		linux:
		  namespaces: [{type: pid}]
		  maskedPaths: []
		  readonlyPaths: []
	EOF
	run -125 --separate-stderr sluice run --config "$DIR/nomnt.yaml" --tty -- "$PROBE" tty -- "$M"
	assert_eq "$stderr" "$WARNING"$'\nsluice: terminal: /dev/pts in the container is the host\'s devpts: mount a devpts of its own there (as the default config does)'
	assert_no_leftovers "$M"
}

@test "stdio modes the terminal would override are a config error (78)" {
	run -78 --separate-stderr sluice run --tty --stdout pipe -- true
	assert_eq "$stderr" "sluice: <default>: sluice.stdout cannot be combined with process.terminal (the terminal is the workload's stdin, stdout and stderr): leave it inherit"
}
