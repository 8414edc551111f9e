#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # single-quoted scripts run in the container; bats sets $stderr
# The OCI runtime (docs/oci.md): runc's command line on a state root.
# Lifecycle, state, list, kill, delete, run, spec, features, the global
# flags and the lifecycle errors, as root; oci_rootless.bats has the test
# user's, oci_hooks.bats the hooks, oci_exec.bats exec and ps.

load helpers
load oci_helpers

setup() {
	oci_setup
}

teardown() {
	oci_teardown
}

# ---- spec ----

@test "spec writes runc's example config, made runnable by sluice; never over an existing one" {
	mkdir -p "$B"
	run -0 sluice spec --bundle "$B"
	jq -e '.ociVersion and .process.args == ["sh"] and .root.path == "rootfs"
		and .process.terminal == true and .hostname == "sluice"
		and ([.linux.namespaces[].type] | index("network") and index("pid") and index("mount"))
		and .linux.resources == {"devices": [{"allow": false, "access": "rwm"}]}' "$B/config.json" >/dev/null ||
		fail "unexpected spec: $(cat "$B/config.json")"
	[[ $(head -c 3 "$B/config.json") == $'{\n\t' ]] || fail "not tab-indented as runc writes it"
	run -1 --separate-stderr sluice spec --bundle "$B"
	assert_eq "$stderr" "sluice: File $B/config.json exists. Remove it first"
	cd "$B" && rm config.json
	run -0 sluice spec
	[[ -s config.json ]]
}

@test "spec --rootless: a user namespace mapping the caller to root, no network namespace, /sys bound" {
	requires_user
	mkdir -p "$B"
	give_to_user "$B"
	run -0 as_user "$SLUICE" spec --rootless --bundle "$B"
	local uid gid
	uid=$(id -u "$SLUICE_TEST_USER")
	gid=$(id -g "$SLUICE_TEST_USER")
	jq -e --argjson u "$uid" --argjson g "$gid" '
		.linux.uidMappings == [{"containerID": 0, "hostID": $u, "size": 1}]
		and .linux.gidMappings == [{"containerID": 0, "hostID": $g, "size": 1}]
		and ([.linux.namespaces[].type] | index("user") and (index("network") | not))
		and (.mounts[] | select(.destination == "/sys") | .source == "/sys" and (.options | index("rbind")))
		and ([.mounts[].options // [] | .[] | select(startswith("gid="))] == [])
		and (.linux | has("resources") | not)' \
		"$B/config.json" >/dev/null || fail "unexpected rootless spec: $(cat "$B/config.json")"
}

@test "the spec's config runs in sluice and in runc alike" {
	requires_root
	requires_cmd runc
	local cg
	make_bundle "$B" /bin/probe hostname -- "$M"
	run -0 oci run --bundle "$B" c1
	assert_eq "${lines[0]}" "hostname: sluice"
	# runc's cgroup below our own in every hierarchy (docs/oci.md); runc
	# removes it when it deletes the container
	cg=$(awk -F: '$2 == "memory" { print $3 }' /proc/self/cgroup)/sluice-test-$$-$RANDOM
	cfg "$B" '.linux.cgroupsPath = $cg' --arg cg "$cg"
	run -0 run_with_timeout 30 runc --root "$DIR/runc" run --bundle "$B" c1 </dev/null
	assert_eq "${lines[0]}" "hostname: sluice"
	run -0 runc --root "$DIR/runc" list -q
	assert_eq "$output" ""
}

# ---- the lifecycle ----

@test "create, state, start, state, delete: runc's state JSON at each step, the workload is the pid" {
	local pid created
	make_bundle "$B" /bin/probe signals - -- "$M"
	cfg "$B" '.annotations = {"org.example.a": "b"}'
	oci_create c1
	run -0 oci state c1
	pid=$(jq -r .pid <<<"$output")
	created=$(jq -r .created <<<"$output")
	jq -e --arg b "$B" '.ociVersion == "1.2.1" and .id == "c1" and .status == "created"
		and .bundle == $b and .rootfs == ($b + "/rootfs") and .owner == ""
		and .annotations == {"org.example.a": "b"}
		and (keys == ["annotations", "bundle", "created", "id", "ociVersion", "owner", "pid", "rootfs", "status"])' \
		<<<"$output" >/dev/null || fail "unexpected state: $output"
	[[ $created =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]*[1-9])?Z$ ]] ||
		fail "created is not RFC 3339 in UTC: $created"
	[[ $output != *$'\n' ]] || fail "runc prints no final newline"
	# created: the helper waits before the exec, nothing ran yet
	assert_eq "$(cat "$DIR/c1.log")" "" "the workload ran before start"
	assert_eq "$(tr '\0' ' ' <"/proc/$pid/cmdline")" "sluice init " "the helper waits at the exec FIFO"
	run -0 oci start c1
	assert_eq "$output" ""
	wait_for_file "$DIR/c1.log" 10 ready
	assert_eq "$(state_of c1 status)" running
	assert_eq "$(state_of c1 pid)" "$pid" "the init keeps its pid across start"
	assert_eq "$(tr '\0' ' ' <"/proc/$pid/cmdline")" "/bin/probe signals - -- $M "
	run -0 oci kill c1 TERM
	wait_status c1 stopped
	run -0 oci state c1
	jq -e '.status == "stopped" and .pid == 0' <<<"$output" >/dev/null || fail "$output"
	assert_eq "$(cat "$DIR/c1.log")" $'ready\nSIGTERM'
	run -0 oci delete c1
	assert_eq "$output" ""
	[[ ! -e $ROOT/c1 ]] || fail "the state directory is left"
	run -1 --separate-stderr oci state c1
	assert_eq "$stderr" "sluice: container does not exist"
}

@test "the state directory: 0700, the record, the saved config and the exec FIFO until start" {
	make_bundle "$B" /bin/probe sleep 100 - -- "$M"
	oci_create c1
	assert_eq "$(stat -c %a "$ROOT")" 700
	assert_eq "$(stat -c %a "$ROOT/c1")" 700
	assert_eq "$(cd "$ROOT/c1" && ls)" $'config.yaml\nexec.fifo\nstate'
	assert_eq "$(stat -c %F "$ROOT/c1/exec.fifo")" fifo
	# later commands use the saved config, never the bundle's again
	rm "$B/config.json"
	run -0 oci start c1
	wait_for_file "$DIR/c1.log" 10 ready
	assert_eq "$(cd "$ROOT/c1" && ls)" $'config.yaml\nstate'
	run -0 oci delete --force c1
	[[ ! -e $ROOT/c1 ]]
}

@test "the container's stdio is create's 0, 1 and 2; it sees no other fd, leaked ones included" {
	make_bundle "$B" /bin/probe fds -- "$M"
	# containerd's shim leaves a socket on fd 3, buildah pipes on 8 and up
	(
		_close_extra_fds
		# shellcheck disable=SC2094 # two leaked fds on one file, none read here
		exec 3<>"$DIR/leak" 8<"$DIR/leak" >"$DIR/out" 2>&1 </dev/null
		run_with_timeout 30 "$SLUICE" --root "$ROOT" create --bundle "$B" c1
	)
	run -0 oci start c1
	wait_status c1 stopped
	assert_eq "$(cat "$DIR/out")" $'0\n1\n2'
	run -0 oci delete c1
}

@test "--preserve-fds N: fds 3..3+N-1 reach the workload, no more" {
	make_bundle "$B" sh -c 'echo through-fd-3 >&3; /bin/probe fds' -- "$M"
	(
		_close_extra_fds
		exec 3>"$DIR/fd3" 4>"$DIR/fd4" >"$DIR/out" 2>&1 </dev/null
		run_with_timeout 30 "$SLUICE" --root "$ROOT" create --bundle "$B" --preserve-fds 1 c1
	)
	run -0 oci start c1
	wait_status c1 stopped
	assert_eq "$(cat "$DIR/fd3")" through-fd-3
	assert_eq "$(cat "$DIR/out")" $'0\n1\n2\n3'
	run -0 oci delete c1
}

@test "--pid-file: the container's pid, written before create returns" {
	make_bundle "$B" /bin/probe sleep 100 - -- "$M"
	oci_create c1 --pid-file "$DIR/pid"
	assert_eq "$(cat "$DIR/pid")" "$(state_of c1 pid)"
	run -0 oci delete c1
	[[ ! -e /proc/$(cat "$DIR/pid") ]] || [[ $(tr '\0' ' ' <"/proc/$(cat "$DIR/pid")/cmdline") != *"$M"* ]]
}

@test "--pidfd-socket: a pidfd of the container's process arrives on the socket" {
	requires_cmd python3
	make_bundle "$B" /bin/probe sleep 100 - -- "$M"
	python3 - "$DIR/pidfd.sock" "$DIR/pidfd.out" 3>&- <<-'EOF' &
		import os, socket, sys
		s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
		s.bind(sys.argv[1]); s.listen(1)
		open(sys.argv[1] + ".ready", "w").close()
		c, _ = s.accept()
		msg, fds, _, _ = socket.recv_fds(c, 16, 1)
		pid = [l for l in open("/proc/self/fdinfo/%d" % fds[0]) if l.startswith("Pid:")]
		open(sys.argv[2], "w").write(pid[0].split()[1] + "\n")
	EOF
	local listener=$!
	wait_for_file "$DIR/pidfd.sock.ready" 10
	oci_create c1 --pidfd-socket "$DIR/pidfd.sock"
	wait "$listener"
	assert_eq "$(cat "$DIR/pidfd.out")" "$(state_of c1 pid)"
	run -0 oci delete --force c1
}

@test "the workload is PID 1 of the container; sluice.init in config.json keeps sluice as its init" {
	make_bundle "$B" /bin/probe pid -- "$M"
	run -0 oci run --bundle "$B" c1
	assert_eq "${lines[0]}" "pid: 1"
	cfg "$B" '.sluice = {"init": true}'
	run -0 oci run --bundle "$B" c2
	assert_eq "${lines[0]}" "pid: 2"
	assert_eq "${lines[1]}" "ppid: 1"
	cfg "$B" '.process.args = ["/bin/probe", "exit", "42"]'
	run -42 oci run --bundle "$B" c3
}

@test "a container without a pid namespace: the workload is the container's process, no sluice process stays" {
	make_bundle "$B" /bin/probe sleep 100 - -- "$M"
	cfg "$B" '.linux.namespaces |= map(select(.type != "pid"))'
	oci_create c1
	run -0 oci start c1
	wait_for_file "$DIR/c1.log" 10 ready
	local pid
	pid=$(state_of c1 pid)
	assert_eq "$(tr '\0' ' ' <"/proc/$pid/cmdline")" "/bin/probe sleep 100 - -- $M "
	run -0 oci delete --force c1
}

@test "a joined namespace (the helper forks the container's process): state, start, delete as usual" {
	requires_root
	make_bundle "$B" /bin/probe signals - -- "$M"
	cfg "$B" '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' \
		--arg p "/proc/$$/ns/net"
	oci_create c1
	local pid
	pid=$(state_of c1 pid)
	[[ $(awk '{ print $4 }' "/proc/$pid/stat") != "$(state_of c1 pid)" ]]
	assert_eq "$(readlink "/proc/$pid/ns/net")" "$(readlink /proc/self/ns/net)"
	[[ $(readlink "/proc/$pid/ns/pid") != "$(readlink /proc/self/ns/pid)" ]] ||
		fail "no pid namespace of its own"
	run -0 oci start c1
	wait_for_file "$DIR/c1.log" 10 ready
	run -0 oci kill c1 USR1
	wait_for_file "$DIR/c1.log" 10 SIGUSR1
	run -0 oci delete --force c1
	[[ ! -e /proc/$pid ]] || [[ $(tr '\0' ' ' <"/proc/$pid/cmdline") != *"$M"* ]]
}

# ---- the lifecycle's errors: runc's messages, exit 1, nothing changed ----

@test "start of a running or stopped container, delete of a running one, kill of a stopped one" {
	make_bundle "$B" /bin/probe signals - -- "$M"
	oci_create c1
	run -0 oci start c1
	wait_for_file "$DIR/c1.log" 10 ready
	run -1 --separate-stderr oci start c1
	assert_eq "$stderr" "sluice: cannot start an already running container"
	run -1 --separate-stderr oci delete c1
	assert_eq "$stderr" "sluice: cannot delete container c1 that is not stopped: running"
	assert_eq "$(state_of c1 status)" running
	run -0 oci kill c1
	wait_status c1 stopped
	run -1 --separate-stderr oci kill c1 KILL
	assert_eq "$stderr" "sluice: container not running"
	run -1 --separate-stderr oci start c1
	assert_eq "$stderr" "sluice: cannot start a container that has stopped"
	run -0 oci delete c1
}

@test "a created container is deleted without --force (it never ran), its process with it" {
	make_bundle "$B" /bin/probe sleep 100 - -- "$M"
	oci_create c1
	local pid
	pid=$(state_of c1 pid)
	run -0 oci delete c1
	[[ ! -e /proc/$pid/cmdline ]] || [[ $(tr '\0' ' ' <"/proc/$pid/cmdline") != *sluice* ]] ||
		fail "the helper of the created container is left"
	[[ ! -e $ROOT/c1 ]]
}

@test "a container that does not exist: state, start, kill, delete, exec, ps say so; delete --force succeeds" {
	local cmd
	for cmd in state start kill delete exec ps; do
		run -1 --separate-stderr oci "$cmd" nosuch
		assert_eq "$stderr" "sluice: container does not exist" "$cmd"
	done
	run -0 oci delete --force nosuch
	assert_eq "$output" ""
}

@test "create of an existing id: refused, the existing container untouched" {
	make_bundle "$B" /bin/probe sleep 100 - -- "$M"
	oci_create c1
	local pid
	pid=$(state_of c1 pid)
	run -1 --separate-stderr oci create --bundle "$B" c1
	assert_eq "$stderr" "sluice: container with given ID already exists: c1"
	assert_eq "$(state_of c1 pid)" "$pid"
	assert_eq "$(state_of c1 status)" created
	run -0 oci delete c1
}

@test "ids are checked by runc's rules before any path is made" {
	make_bundle "$B" /bin/true
	local id
	for id in ../x a/b . .. "" 'a b' 'x;y'; do
		run -1 --separate-stderr oci create --bundle "$B" "$id"
		assert_eq "$stderr" "sluice: invalid container ID format: \"$id\"" "id $id"
		run -1 --separate-stderr oci state "$id"
		assert_eq "$stderr" "sluice: invalid container ID format: \"$id\"" "id $id"
	done
	run -1 --separate-stderr oci create --bundle "$B" "$(printf 'a%.0s' {1..1025})"
	assert_contains "$stderr" "sluice: invalid container ID format: \"aaaa"
	[[ ! -e $ROOT ]] || assert_eq "$(ls -A "$ROOT")" ""
	[[ ! -e $DIR/x ]]
	# what runc's [\w+-.] lets through (its "+-." is the range "+,-.")
	for id in a-b_c.d a+b a,b 0; do
		oci_create "$id"
		run -0 oci delete "$id"
	done
}

@test "a dead container reads stopped; a recycled pid is never signalled" {
	make_bundle "$B" /bin/probe sleep 100 - -- "$M"
	oci_create c1
	local pid
	pid=$(state_of c1 pid)
	kill -KILL "$pid"
	wait_status c1 stopped
	run -1 oci kill c1 KILL
	# the record names a live process of someone else (the pid of a
	# "recycled" one, a start time that is not its own): still stopped,
	# and kill does not reach it
	sleep 100 3>&- &
	local other=$!
	printf 'id\0c2\0bundle\0%s\0rootfs\0%s\0created\0x\0pid\0%d\0starttime\0%d\0ready\0%d\0' \
		"$B" "$B/rootfs" "$other" 1 1 >"$DIR/record"
	mkdir -m 700 "$ROOT/c2" && cp "$DIR/record" "$ROOT/c2/state"
	assert_eq "$(state_of c2 status)" stopped
	run -1 --separate-stderr oci kill c2 KILL
	assert_eq "$stderr" "sluice: container not running"
	run -0 oci delete c2
	kill -0 "$other" || fail "the process of the recycled pid was signalled"
	kill "$other"
	run -0 oci delete c1
}

# ---- kill ----

@test "kill: signal names in any spelling, numbers, RTMIN+N; SIGTERM by default; unknown names refused" {
	make_bundle "$B" /bin/probe signals --exit-on SIGTERM - -- "$M"
	oci_create c1
	run -0 oci start c1
	wait_for_file "$DIR/c1.log" 10 ready
	local sig
	for sig in USR1 sigusr2 SIGHUP 10 RTMIN+2 RTMAX; do
		run -0 oci kill c1 "$sig"
	done
	run -64 --separate-stderr oci kill c1 FOO
	assert_eq "$stderr" 'sluice: unknown signal "FOO"'
	run -64 --separate-stderr oci kill c1 99
	run -0 oci kill c1
	wait_status c1 stopped
	assert_eq "$(cat "$DIR/c1.log")" \
		$'ready\nSIGUSR1\nSIGUSR2\nSIGHUP\nSIGUSR1\nSIGRTMIN+2\nSIGRTMIN+30\nSIGTERM'
	run -0 oci delete c1
}

@test "kill --all: every process of the container gets the signal" {
	make_bundle "$B" sh -c '/bin/probe signals --exit-on SIGUSR1 /tmp/r1 >/tmp/a & /bin/probe signals --exit-on SIGUSR1 /tmp/r2 >/tmp/b & /bin/probe signals --exit-on SIGUSR1 /tmp/r3; wait; cat /tmp/a /tmp/b' -- "$M"
	cfg "$B" '.mounts += [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"}] | .root.readonly = false'
	oci_create c1
	run -0 oci start c1
	run -0 oci exec c1 sh -c 'while [ ! -e /tmp/r1 ] || [ ! -e /tmp/r2 ] || [ ! -e /tmp/r3 ]; do sleep 0.02; done'
	run -0 oci kill --all c1 USR1
	wait_status c1 stopped
	assert_eq "$(cat "$DIR/c1.log")" $'SIGUSR1\nSIGUSR1\nSIGUSR1'
	run -0 oci delete c1
}

# ---- delete --force ----

@test "delete --force of a running container: every process, mount and file of it gone" {
	make_bundle "$B" sh -c "/bin/probe sleep 100 - -- $M & /bin/probe sleep 100 - -- $M"
	oci_create c1
	run -0 oci start c1
	wait_for_file "$DIR/c1.log" 10 ready
	pgrep -f -- "$M" >/dev/null || fail "no process with the marker"
	run -0 oci delete --force c1
	assert_eq "$output" ""
	assert_no_process "$M" 0
	[[ ! -e $ROOT/c1 ]]
}

# ---- list ----

@test "list: runc's table, -q, --format json (null when empty)" {
	run -0 oci list
	assert_eq "$output" "ID          PID         STATUS      BUNDLE      CREATED     OWNER"
	run -0 oci list --format json
	assert_eq "$output" null
	make_bundle "$B" /bin/probe sleep 100 - -- "$M"
	oci_create b2
	oci_create a1
	run -0 oci list -q
	assert_eq "$output" $'a1\nb2'
	run -0 oci list
	[[ ${lines[0]} =~ ^ID\ +PID\ +STATUS\ +BUNDLE\ +CREATED\ +OWNER$ ]] || fail "$output"
	[[ ${lines[1]} =~ ^a1\ +[0-9]+\ +created\ +$B\ +[0-9T:.Z-]+\ +$(id -un)$ ]] || fail "$output"
	run -0 oci list --format json
	jq -e --arg b "$B" 'length == 2 and .[0].id == "a1" and .[1].status == "created"
		and .[0].bundle == $b and .[0].owner != ""' <<<"$output" >/dev/null || fail "$output"
	run -64 --separate-stderr oci list --format xml
	assert_eq "$stderr" 'sluice: list: --format "xml": expected table or json'
	run -0 oci delete a1
	run -0 oci delete b2
}

# ---- run ----

@test "run: the container in the foreground, its exit status and output, deleted afterwards" {
	make_bundle "$B" sh -c 'echo out; echo err >&2; exit 7' -- "$M"
	run -7 --separate-stderr oci run --bundle "$B" c1
	assert_eq "$output" out
	assert_eq "$stderr" err
	[[ ! -e $ROOT/c1 ]] || fail "run left the container"
	run -7 oci run --bundle "$B" --keep c1
	assert_eq "$(state_of c1 status)" stopped
	run -0 oci delete c1
	cfg "$B" '.process.args = ["/bin/probe", "kill", "SEGV"]'
	run -139 oci run --bundle "$B" c1
}

@test "run without poststart hooks or sluice's init: no exec FIFO, the container execs once recorded; start's errors, nothing left" {
	make_bundle "$B" /bin/probe sleep 100 - -- "$M"
	bg_start "$DIR/out" 30 "$SLUICE" --root "$ROOT" run --bundle "$B" c1
	wait_for_file "$DIR/out" 10 ready
	assert_eq "$(state_of c1 status)" running
	assert_eq "$(cd "$ROOT/c1" && ls)" $'config.yaml\nstate'
	run -0 oci kill c1 KILL
	bg_wait
	assert_eq "$BG_STATUS" 137
	[[ ! -e $ROOT/c1 ]] || fail "run left the container"
	# found by the lookup, refused by the exec: start's message and status
	printf '\0\1garbage' >"$B/rootfs/bin/garbage"
	chmod 755 "$B/rootfs/bin/garbage"
	cfg "$B" '.process.args = ["/bin/garbage"]'
	run -126 --separate-stderr oci run --bundle "$B" c1
	assert_eq "$stderr" "sluice: unable to start container process: exec: /bin/garbage: cannot execute: Exec format error"
	[[ ! -e $ROOT/c1 ]] || fail "a failed run left the container"
	assert_no_leftovers "$M"
}

@test "run forwards the signals it gets to the container" {
	make_bundle "$B" /bin/probe signals --exit-on SIGTERM "/tmp/ready" -- "$M"
	cfg "$B" '.mounts += [{"destination": "/tmp", "type": "bind", "source": $d, "options": ["rbind"]}]' \
		--arg d "$DIR"
	bg_start "$DIR/out" 30 "$SLUICE" --root "$ROOT" run --bundle "$B" c1
	wait_for_file "$DIR/ready" 10
	kill -USR1 "$BG_PID"
	wait_for_file "$DIR/out" 10 SIGUSR1
	kill -TERM "$BG_PID"
	bg_wait
	assert_eq "$BG_STATUS" 0
	assert_eq "$(cat "$DIR/out")" $'SIGUSR1\nSIGTERM'
	[[ ! -e $ROOT/c1 ]]
}

@test "run -d: returns once the container runs; --help of the run forms" {
	make_bundle "$B" /bin/probe sleep 100 - -- "$M"
	(cd "$B" && oci run -d c1 >"$DIR/out" 2>&1 </dev/null)
	wait_for_file "$DIR/out" 10 ready
	assert_eq "$(state_of c1 status)" running
	run -0 oci delete --force c1
	run -0 sluice run -b "$B" --help
	assert_contains "$output" "usage: sluice run [FLAG...] <container-id>"
	run -0 sluice run --help
	assert_contains "$output" "usage: sluice run [OPTION...] [--] COMMAND [ARG...]"
	# `--` keeps the sandbox form even in a bundle
	cd "$B"
	run -0 sluice run -- /bin/echo sandbox
	assert_eq "$output" sandbox
}
