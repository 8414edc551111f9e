#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # single-quoted scripts run elsewhere; bats sets $stderr
# Terminals in the OCI commands (docs/oci.md, docs/terminal.md): create
# and exec hand the pty master to --console-socket as runc does (what
# conmon and containerd's shim wait for), a foreground run or exec relays
# it, and runc's rules on detaching with a terminal.

load helpers
load oci_helpers

RECEIVER=$BATS_TEST_DIRNAME/console_receiver.py
DRIVER=$BATS_TEST_DIRNAME/tty_driver.py

setup() {
	requires_cmd python3
	oci_setup
	make_bundle "$B" /bin/probe lines -- "$M"
	cfg "$B" '.process.terminal = true'
}

teardown() {
	oci_teardown
}

# receiver STEPS... -- CMD...: CMD with a console socket (@SOCKET@).
receiver() {
	(
		_close_extra_fds
		run_with_timeout 60 python3 "$RECEIVER" --dir "$DIR/rcv" --timeout 30 "$@"
	)
}

@test "create --console-socket: the receiver gets the master as runc sends it and talks to the workload" {
	mkdir -p "$DIR/rcv"
	run -0 receiver expect=ready send='hello\n' expect='line: hello' send='\x04' -- \
		sh -c '"$0" --root "$1" create --bundle "$2" --console-socket "$3" c1 </dev/null &&
			"$0" --root "$1" start c1' "$SLUICE" "$ROOT" "$B" @SOCKET@
	assert_eq "$output" $'message: /dev/ptmx\nfds: 1\nmaster: pty 0\nready\nhello\nline: hello\neof\nstatus: 0'
	wait_status c1 stopped
	run -0 oci delete c1
}

@test "a terminal without a console socket: create refuses as runc does; run in the foreground relays it" {
	run -64 --separate-stderr oci create --bundle "$B" c1
	assert_contains "$stderr" "sluice: cannot allocate tty if sluice will detach without setting console socket"
	[[ ! -e $ROOT/c1 ]]
	run -0 run_with_timeout 60 python3 "$DRIVER" --timeout 30 expect=ready send='hi\n' \
		expect='line: hi' send='\x04' -- "$SLUICE" --root "$ROOT" run --bundle "$B" c1
	assert_contains "$output" $'line: hi\neof'
	assert_contains "$output" "status: 0"
	assert_contains "$output" "termios: same"
	[[ ! -e $ROOT/c1 ]]
}

@test "exec --tty: --detach with a console socket (podman, containerd); relayed in the foreground; runc's rules" {
	cfg "$B" '.process.terminal = false | .process.args = ["/bin/probe", "sleep", "100", "-", "--", $m]' \
		--arg m "$M"
	oci_create c1
	run -0 oci start c1
	mkdir -p "$DIR/rcv"
	run -0 receiver expect=ready send='x\n' expect='line: x' send='\x04' -- \
		"$SLUICE" --root "$ROOT" exec --detach --tty --console-socket @SOCKET@ c1 /bin/probe lines
	assert_eq "$output" $'message: /dev/ptmx\nfds: 1\nmaster: pty 0\nready\nx\nline: x\neof\nstatus: 0'
	run -0 run_with_timeout 60 python3 "$DRIVER" --timeout 30 -- \
		"$SLUICE" --root "$ROOT" exec --tty c1 sh -c 'tty; exit 5'
	assert_contains "$output" "/dev/pts/"
	assert_contains "$output" "status: 5"
	run -64 --separate-stderr oci exec --detach --tty c1 /bin/true
	assert_eq "$stderr" "sluice: cannot allocate tty if sluice will detach without setting console socket"
	run -64 --separate-stderr oci exec --console-socket "$DIR/s" c1 /bin/true
	assert_eq "$stderr" "sluice: cannot use console socket if sluice will not detach or allocate tty"
	run -0 oci delete --force c1
}
