#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # single-quoted scripts run in the sandbox; bats sets $stderr
# `sluice init` as a public entry point (docs/protocol.md): a shell gives it
# a raw YAML or JSON config on fd 3; a runtime in another language (here
# test/protocol_client.py, Python's subprocess with pass_fds) speaks the
# framed protocol on fd 3 and reads READY / ERROR frames on fd 4.
#
# The sandboxes run in a busybox rootfs (/bin/sh, /bin/probe) built once per
# file.

load helpers

CLIENT=${SLUICE_TEST_SCRIPTS:-$BATS_TEST_DIRNAME}/protocol_client.py

setup_file() {
	ROOTFS=$(scratch_dir)/rootfs
	make_rootfs "$ROOTFS"
	mkdir "$ROOTFS/mnt"
	export ROOTFS
}

setup() {
	if [[ $BATS_TEST_DESCRIPTION == framed* ]]; then
		requires_cmd python3
	fi
	leftovers_snapshot
	DIR=$(scratch_dir --user)
}

# init_fd3 FILE [CMD...]: `sluice init 3<FILE` from a shell, nothing else
# open above 2, with a timeout; CMD (default $SLUICE) is the words that run
# sluice (e.g. "${AS_USER[@]}" "$SLUICE_USER_BIN").
init_fd3() {
	local file=$1
	shift
	(($#)) || set -- "$SLUICE"
	(
		_close_extra_fds
		exec 3<"$file"
		run_with_timeout "$SLUICE_TIMEOUT" "$@" init
	)
}

# client ACTION... -- CMD...: the Python runtime (see its header for the
# actions and the lines it prints), with nothing else open above 2.
client() {
	(
		_close_extra_fds
		run_with_timeout "$SLUICE_TIMEOUT" python3 "$CLIENT" "$@"
	)
}

# framed_config FILE [RUN-OPTION...] -- CMD...: the complete config that
# `sluice run` itself would send for this command, written to FILE.
framed_config() {
	local file=$1
	shift
	sluice run --print-config --rootfs "$ROOTFS" "$@" >"$file"
}

# framed_config_user FILE [RUN-OPTION...] -- CMD...: the same for the test
# user (with its user namespace and single-id mappings).
framed_config_user() {
	local file=$1
	shift
	sluice_user run --print-config --rootfs "$ROOTFS" "$@" >"$file"
}

# ---- raw config from a shell ----

@test "sluice init 3<config.yaml: the command runs, sees its hostname, its status passes through" {
	cat >"$DIR/config.yaml" <<-EOF
		root: {path: $ROOTFS}
		hostname: from-yaml
		process:
		  cwd: /
		  args: [sh, -c, 'probe hostname; echo "pid: \$\$"; exit 42']
	EOF
	run --separate-stderr init_fd3 "$DIR/config.yaml"
	assert_status 42
	assert_eq "$output" "$(printf '%s\n' 'hostname: from-yaml' 'domainname: (none)' 'pid: 2')"
	assert_eq "$stderr" ""
	assert_no_leftovers
}

@test "sluice init 3<config.yaml for the test user (a user namespace it maps itself)" {
	requires_userns
	cat >"$DIR/config.yaml" <<-EOF
		root: {path: $ROOTFS}
		hostname: user-yaml
		process:
		  cwd: /
		  args: [sh, -c, 'probe hostname; probe ids | head -n 1; exit 3']
	EOF
	as_user_cmd
	run --separate-stderr init_fd3 "$DIR/config.yaml" "${AS_USER[@]}" "$SLUICE_USER_BIN"
	assert_status 3
	assert_eq "$output" "$(printf '%s\n' 'hostname: user-yaml' 'domainname: (none)' \
		"uid: $(id -u "$SLUICE_TEST_USER")")"
	assert_eq "$stderr" ""
}

@test "sluice init 3<config.json: a raw JSON config works too" {
	cat >"$DIR/config.json" <<-EOF
		{"root": {"path": "$ROOTFS"}, "hostname": "from-json",
		 "process": {"cwd": "/", "args": ["sh", "-c", "probe hostname; exit 7"]}}
	EOF
	run --separate-stderr init_fd3 "$DIR/config.json"
	assert_status 7
	assert_eq "$output" "$(printf '%s\n' 'hostname: from-json' 'domainname: (none)')"
	assert_eq "$stderr" ""
}

@test "without fd 4, a config error is one line on stderr with step, FILE:LINE:COL, exit 78" {
	cat >"$DIR/config.yaml" <<-EOF
		root: {path: $ROOTFS}
		process:
		  bogus: 1
		  args: [probe, pid]
	EOF
	run -78 --separate-stderr init_fd3 "$DIR/config.yaml"
	assert_eq "$output" "" "nothing ran"
	assert_eq "$stderr" "sluice: read-config: $DIR/config.yaml:3:3: unknown key \"bogus\" in process"
}

@test "without fd 4, a setup error is one line on stderr naming the step, exit 125" {
	cat >"$DIR/config.yaml" <<-EOF
		root: {path: $ROOTFS}
		process: {cwd: /no/such/dir, args: [probe, pid]}
	EOF
	run -125 --separate-stderr init_fd3 "$DIR/config.yaml"
	assert_eq "$output" ""
	assert_eq "$(wc -l <<<"$stderr")" 1 "one line: $stderr"
	assert_contains "$stderr" "sluice: cwd: "
	assert_contains "$stderr" "/no/such/dir"
	assert_no_leftovers
}

@test "fd 4 that is a plain file is not the status channel: errors go to stderr" {
	cat >"$DIR/config.yaml" <<-EOF
		root: {path: $ROOTFS}
		process: {cwd: /, args: [no-such-command]}
	EOF
	: >"$DIR/fd4"
	run -127 --separate-stderr bash -c 'exec 4>"$0" 3<"$1"; exec "$2" init' \
		"$DIR/fd4" "$DIR/config.yaml" "$SLUICE"
	assert_eq "$stderr" "sluice: exec: no-such-command: command not found"
	assert_eq "$(stat -c %s "$DIR/fd4")" 0 "nothing written to the file on fd 4"
}

@test "sluice init without fd 3: a clear message and exit 125, no crash" {
	run -125 --separate-stderr sluice init
	assert_eq "$output" ""
	assert_contains "$stderr" "sluice: read-config: fd 3: cannot read (start sluice init with the config on fd 3)"
	assert_eq "$(wc -l <<<"$stderr")" 1
}

@test "sluice init with an empty fd 3: no command, exit 78" {
	run -78 --separate-stderr init_fd3 /dev/null
	assert_contains "$stderr" "no command"
}

@test "sluice init takes no arguments (64); --help documents fd 3 (0)" {
	run -64 --separate-stderr sluice init extra
	assert_eq "$stderr" "sluice: init takes no arguments: the config comes on fd 3"
	run -0 sluice init --help
	assert_contains "$output" "usage: sluice init 3<CONFIG"
	assert_contains "$output" "fd 4"
}

# ---- the framed protocol, from Python ----

@test "framed: preamble, CONFIG, GO gives READY then EOF, and the command runs" {
	framed_config "$DIR/c.yaml" --hostname framed -- sh -c 'echo "pid: $$"; probe hostname; exit 5'
	run -0 client magic config="$DIR/c.yaml" go -- "$SLUICE" init
	# READY carries the pid that execs: the init's child.
	assert_eq "$output" "$(printf '%s\n' 'READY 2' EOF 'EXIT 5' 'STDOUT pid: 2' \
		'STDOUT hostname: framed' 'STDOUT domainname: (none)')"
	assert_no_leftovers
}

@test "framed: NAMESPACES 0 makes the helper create every namespace (PID 1 with --no-init, hostname set)" {
	local host
	host=$(cat /proc/sys/kernel/hostname)
	framed_config "$DIR/c.yaml" --no-init --hostname made-here -- sh -c 'echo "pid: $$"; probe hostname'
	run -0 client magic namespaces=0 config="$DIR/c.yaml" go -- "$SLUICE" init
	assert_eq "$output" "$(printf '%s\n' 'READY 1' EOF 'EXIT 0' 'STDOUT pid: 1' \
		'STDOUT hostname: made-here' 'STDOUT domainname: (none)')"
	assert_eq "$(cat /proc/sys/kernel/hostname)" "$host" "the host's hostname is untouched"
}

@test "framed for the test user: the helper creates and maps the user namespace itself" {
	requires_userns
	framed_config_user "$DIR/c.yaml" --hostname user-framed -- sh -c 'echo "pid: $$"; probe hostname'
	as_user_cmd
	run -0 client magic namespaces=0 config="$DIR/c.yaml" go -- "${AS_USER[@]}" "$SLUICE_USER_BIN" init
	assert_eq "$output" "$(printf '%s\n' 'READY 2' EOF 'EXIT 0' 'STDOUT pid: 2' \
		'STDOUT hostname: user-framed' 'STDOUT domainname: (none)')"
}

@test "framed: a cwd that does not exist gives an ERROR frame for step cwd, exit 125" {
	framed_config "$DIR/c.yaml" --cwd /no/such/dir -- probe pid
	run -0 client magic config="$DIR/c.yaml" go -- "$SLUICE" init
	assert_eq "${lines[0]}" "ERROR 125 2 cwd cwd: process.cwd /no/such/dir" "ERROR exit errno step message"
	assert_eq "${lines[1]}" EOF
	assert_eq "${lines[2]}" "EXIT 125"
	assert_eq "${#lines[@]}" 3 "no READY, nothing on stdout or stderr: $output"
	assert_no_leftovers
}

@test "framed: a command not found gives READY, then ERROR with exit code 127" {
	framed_config "$DIR/c.yaml" -- no-such-command
	run -0 client magic config="$DIR/c.yaml" go -- "$SLUICE" init
	assert_eq "$output" "$(printf '%s\n' 'READY 2' \
		'ERROR 127 0 exec exec: no-such-command: command not found' EOF 'EXIT 127')"
}

@test "framed: a file that cannot be executed gives READY, then ERROR with exit code 126" {
	framed_config "$DIR/c.yaml" -- /etc/passwd
	run -0 client magic config="$DIR/c.yaml" go -- "$SLUICE" init
	assert_eq "${lines[0]}" "READY 2"
	assert_eq "${lines[1]}" "ERROR 126 13 exec exec: /etc/passwd: cannot execute"
	assert_eq "${lines[3]}" "EXIT 126"
}

@test "framed: EOF before GO, the helper exits 125 without running anything" {
	local out
	out=$(scratch_dir) # root's: the workload is root without capabilities
	framed_config "$DIR/c.yaml" --bind "$out:/mnt" -- sh -c 'echo ran >/mnt/ran'
	run -0 client magic config="$DIR/c.yaml" close -- "$SLUICE" init
	assert_eq "$output" "$(printf '%s\n' \
		'ERROR 125 0 read-config read-config: fd 3 closed before the go-ahead: the runtime gave up' \
		EOF 'EXIT 125')"
	[[ ! -e $out/ran ]]
	# The same config with GO does run (the check above can fail).
	run -0 client magic config="$DIR/c.yaml" go -- "$SLUICE" init
	assert_eq "$output" "$(printf '%s\n' 'READY 2' EOF 'EXIT 0')"
	assert_eq "$(cat "$out/ran")" ran
	assert_no_leftovers
}

@test "framed: EOF right after the preamble, the helper exits 125" {
	run -0 client magic -- "$SLUICE" init
	assert_eq "$output" "$(printf '%s\n' \
		'ERROR 125 0 read-config read-config: fd 3 closed before the go-ahead: the runtime gave up' \
		EOF 'EXIT 125')"
}

@test "framed: an unknown frame type is an error (125)" {
	framed_config "$DIR/c.yaml" -- probe pid
	run -0 client magic frame=0x7f:garbage config="$DIR/c.yaml" go -- "$SLUICE" init
	assert_eq "${lines[0]}" "ERROR 125 74 read-config read-config: fd 3: bad frame"
	assert_eq "${lines[-1]}" "EXIT 125"
	# A helper-to-runtime type sent to the helper is refused too.
	run -0 client magic frame=0x81:xxxx config="$DIR/c.yaml" go -- "$SLUICE" init
	assert_contains "${lines[0]}" "ERROR 125 "
	assert_eq "${lines[-1]}" "EXIT 125"
}

@test "framed: a length over 4 MiB is refused before any payload (125)" {
	run -0 client magic header=1:0x00400001 -- "$SLUICE" init
	assert_eq "${lines[0]}" "ERROR 125 74 read-config read-config: fd 3: bad frame"
	assert_eq "${lines[-1]}" "EXIT 125"
}

@test "framed: a frame cut short by EOF is an error (125)" {
	run -0 client magic header=1:100 frame=0:ab -- "$SLUICE" init
	assert_eq "${lines[0]}" "ERROR 125 74 read-config read-config: fd 3: bad frame"
	assert_eq "${lines[-1]}" "EXIT 125"
}

@test "framed: frames out of order are an error (125)" {
	framed_config "$DIR/c.yaml" -- probe pid
	run -0 client magic go config="$DIR/c.yaml" -- "$SLUICE" init
	assert_eq "${lines[0]}" \
		"ERROR 125 0 read-config read-config: fd 3: message 2 out of order (expected NAMESPACES?, OCI?, CONFIG, SECCOMP?, GO)"
	run -0 client magic config="$DIR/c.yaml" namespaces=0 go -- "$SLUICE" init
	assert_contains "${lines[0]}" "ERROR 125 0 read-config read-config: fd 3: message 3 out of order"
	run -0 client magic config="$DIR/c.yaml" config="$DIR/c.yaml" go -- "$SLUICE" init
	assert_contains "${lines[0]}" "ERROR 125 0 read-config read-config: fd 3: message 1 out of order"
}

@test "framed: a preamble of an unknown protocol version is refused (125)" {
	framed_config "$DIR/c.yaml" -- probe pid
	run -0 client magic=00534c5549434502 config="$DIR/c.yaml" go -- "$SLUICE" init
	assert_eq "$output" "$(printf '%s\n' \
		'ERROR 125 0 read-config read-config: fd 3: protocol version 2 not supported (this helper speaks 1)' \
		EOF 'EXIT 125')"
}

@test "framed: an invalid CONFIG gives an ERROR frame with exit code 78" {
	printf 'process:\n  args: [probe]\n  nope: 1\n' >"$DIR/c.yaml"
	run -0 client magic config="$DIR/c.yaml" go -- "$SLUICE" init
	assert_eq "${lines[0]}" 'ERROR 78 0 read-config read-config: <fd 3>:3:3: unknown key "nope" in process'
	assert_eq "${lines[-1]}" "EXIT 78"
}

@test "framed: READY reports the pid that execs; the workload holds neither fd 3 nor fd 4" {
	framed_config "$DIR/c.yaml" --init -- sh -c 'echo "pid: $$"; probe fds'
	run -0 client magic config="$DIR/c.yaml" go -- "$SLUICE" init
	# Under the init the workload is PID 2.
	assert_eq "$output" "$(printf '%s\n' 'READY 2' EOF 'EXIT 0' 'STDOUT pid: 2' \
		'STDOUT 0' 'STDOUT 1' 'STDOUT 2')"
}
