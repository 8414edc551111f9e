#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # single-quoted scripts run in the container; bats sets $stderr
# exec and ps (docs/oci.md): a process that joins a running container, with
# the container's process settings changed by flags or replaced by
# --process, reaped with its status returned; the container's processes.

load helpers
load oci_helpers

setup() {
	oci_setup
	make_bundle "$B" /bin/probe signals - -- "$M"
	oci_create c1
	oci start c1
	wait_for_file "$DIR/c1.log" 10 ready
	PID=$(state_of c1 pid)
}

teardown() {
	oci_teardown
}

# recreate FILTER: c1 again, from config.json changed by the jq FILTER,
# started and ready.
recreate() {
	cfg "$B" "$1" || return 1
	oci delete --force c1 >/dev/null || return 1
	oci_create c1 || return 1
	oci start c1 || return 1
	wait_for_file "$DIR/c1.log" 10 ready
}

# the init is still the same process, and still waiting for signals
assert_init_undisturbed() {
	assert_eq "$(state_of c1 pid)" "$PID"
	assert_eq "$(state_of c1 status)" running
	assert_eq "$(cat "$DIR/c1.log")" ready "the init got no signal"
}

@test "exec: the process's output and status; it joins every namespace of the container" {
	run -3 oci exec c1 sh -c 'echo in; exit 3'
	assert_eq "$output" in
	run -0 oci exec c1 /bin/probe ns
	local ns
	for ns in cgroup ipc mnt net pid time user uts; do
		assert_contains "$output" "$ns: $(readlink "/proc/$PID/ns/$ns")" "namespace $ns"
	done
	run -0 oci exec c1 /bin/probe pid
	assert_eq "${lines[1]}" "ppid: 0" "the exec'd process is a child of nothing in the container"
	assert_init_undisturbed
}

@test "exec: the container's process settings, changed by --env --cwd --user --additional-gids --cap --no-new-privs" {
	recreate '.process.env += ["FROM_SPEC=1", "OVER=spec"]'
	run -0 oci exec --env OVER=flag --env NEW=2 c1 /bin/probe env
	# HOME: the config has none, runc sets the user's (/root)
	assert_contains "$output" $'FROM_SPEC=1\nHOME=/root\nNEW=2\nOVER=flag\nPATH='
	run -0 oci exec --cwd /tmp c1 /bin/probe cwd
	assert_eq "$output" "cwd: /tmp"
	run -0 oci exec --user 1000:2000 --additional-gids 3000 --additional-gids 4000 c1 /bin/probe ids
	assert_contains "$output" $'uid: 1000\neuid: 1000'
	assert_contains "$output" $'gid: 2000\negid: 2000'
	assert_contains "$output" "groups: 3000 4000"
	run -0 oci exec c1 /bin/probe caps
	assert_contains "$output" "CapEff: 0000000020000420" "the spec's KILL, NET_BIND_SERVICE, AUDIT_WRITE"
	assert_contains "$output" "NoNewPrivs: 1"
	run -0 oci exec --cap CAP_SYS_ADMIN --cap CAP_CHOWN c1 /bin/probe caps
	assert_contains "$output" "CapEff: 0000000020200421"
	assert_contains "$output" "CapBnd: 0000000020200421"
	recreate '.process.noNewPrivileges = false'
	run -0 oci exec c1 /bin/probe caps
	assert_contains "$output" "NoNewPrivs: 0"
	run -0 oci exec --no-new-privs c1 /bin/probe caps
	assert_contains "$output" "NoNewPrivs: 1"
	run -64 --separate-stderr oci exec --user x c1 /bin/true
	assert_eq "$stderr" 'sluice: exec: --user "x": expected UID[:GID], numbers'
	run -64 --separate-stderr oci exec --cap CAP_NOPE c1 /bin/true
	assert_eq "$stderr" 'sluice: exec: --cap: unknown capability "CAP_NOPE"'
}

@test "exec --process FILE: the process as podman and containerd write it, replacing the container's" {
	cat >"$DIR/process.json" <<-'EOF'
		{"terminal": false, "user": {"uid": 5, "gid": 6, "additionalGids": [7]},
		 "args": ["/bin/probe", "ids"], "env": ["A=1"], "cwd": "/",
		 "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]},
		 "noNewPrivileges": true}
	EOF
	run -0 oci exec --process "$DIR/process.json" c1
	assert_contains "$output" $'uid: 5\neuid: 5'
	assert_contains "$output" "groups: 7"
	cfg "$DIR" '.' 2>/dev/null || true
	jq '.args = ["/bin/probe", "env"]' "$DIR/process.json" >"$DIR/p2.json"
	run -0 oci exec --process "$DIR/p2.json" c1
	# (uid 5 is not in the rootfs's /etc/passwd: runc's HOME is then /)
	assert_eq "$(grep -v '^PWD=' <<<"$output")" $'A=1\nHOME=/' "the container's env is not merged in"
	echo '{"args": "x"}' >"$DIR/bad.json"
	run -78 --separate-stderr oci exec --process "$DIR/bad.json" c1
	assert_eq "$stderr" "sluice: $DIR/bad.json:1:10: process.args: expected a list of strings, got the quoted string \"x\""
	assert_init_undisturbed
}

@test "process.scheduler, ioPriority: the container's process and an exec from its config have them; --process its own, with execCPUAffinity" {
	recreate '.process.scheduler = {"policy": "SCHED_BATCH", "nice": 19, "priority": 0}
		| .process.ioPriority = {"class": "IOPRIO_CLASS_IDLE", "priority": 0}'
	local pid
	pid=$(state_of c1 pid)
	run -0 chrt -p "$pid"
	assert_contains "$output" "policy: SCHED_BATCH"
	assert_eq "$(cut -d' ' -f19 "/proc/$pid/stat")" 19 "the init's nice"
	run -0 ionice -p "$pid"
	assert_eq "$output" idle
	run -0 oci exec c1 /bin/probe sched
	assert_eq "${lines[*]:0:4}" "policy: 3 flags: 0 nice: 19 priority: 0"
	assert_contains "$output" "ioprio: 3 0"
	cat >"$DIR/process.json" <<-'EOF'
		{"args": ["/bin/probe", "sched"], "cwd": "/",
		 "scheduler": {"policy": "SCHED_DEADLINE", "flags": ["SCHED_FLAG_RESET_ON_FORK"],
		               "runtime": 42000, "deadline": 100000, "period": 1000000},
		 "ioPriority": {"class": "IOPRIO_CLASS_BE", "priority": 6}}
	EOF
	run -0 oci exec --process "$DIR/process.json" c1
	assert_eq "$output" $'policy: 6\nflags: 0x1\nnice: 0\npriority: 0\ndl: 42000 100000 1000000\nioprio: 2 6\ncpus: '"$(seq -s, 0 $(($(nproc) - 1)))"
	(($(nproc) >= 2)) || skip "execCPUAffinity needs 2 CPUs"
	# (a deadline task must be allowed every CPU: the kernel refuses one
	# with execCPUAffinity, as in runc)
	jq '.scheduler = {"policy": "SCHED_OTHER", "nice": 5} | .execCPUAffinity = {"initial": "0", "final": "1"}' \
		"$DIR/process.json" >"$DIR/p1.json"
	run -0 oci exec --process "$DIR/p1.json" c1
	assert_eq "$output" $'policy: 0\nflags: 0\nnice: 5\npriority: 0\nioprio: 2 6\ncpus: 1'
	# the initial CPUs are set before the exec's process is born (a CPU
	# this machine lacks fails there, naming them)
	jq '.execCPUAffinity = {"initial": "8000"}' "$DIR/process.json" >"$DIR/p2.json"
	run -125 --separate-stderr oci exec --process "$DIR/p2.json" c1
	assert_eq "$stderr" 'sluice: process.execCPUAffinity.initial "8000": sched_setaffinity (none of these CPUs is online and allowed here): Invalid argument'
	jq -c '.execCPUAffinity = {"final": "0-x"}' "$DIR/process.json" >"$DIR/p3.json"
	run -78 --separate-stderr oci exec --process "$DIR/p3.json" c1
	assert_eq "$stderr" "sluice: $DIR/p3.json:1:251: process.execCPUAffinity.final: expected a CPU list such as 0-3,7 (CPUs 0..8191), got \"0-x\""
}

@test "linux.timeOffsets: the container's process is in the time namespace with them, and an exec'd one; the host is not" {
	recreate '.linux.namespaces += [{"type": "time"}] | .linux.timeOffsets = {"monotonic": {"secs": 86400}, "boottime": {"secs": 864000, "nanosecs": 5}}'
	local pid
	pid=$(state_of c1 pid)
	[[ $(readlink "/proc/$pid/ns/time") != "$(readlink /proc/self/ns/time)" ]] || fail "the container's process is in the host's time namespace"
	run -0 cat "/proc/$pid/timens_offsets"
	[[ ${lines[0]} =~ ^monotonic\ +86400\ +0$ && ${lines[1]} =~ ^boottime\ +864000\ +5$ ]] || fail "$output"
	run -0 --separate-stderr oci exec c1 cat /proc/uptime
	((${output%%.*} >= 864000)) || fail "uptime in an exec: $output"
	# the foreground run: its process too
	cfg "$B" '.process.args = ["cat", "/proc/uptime"]'
	run -0 --separate-stderr oci run --bundle "$B" c2
	((${output%%.*} >= 864000)) || fail "uptime in oci run: $output"
	(($(cut -d. -f1 /proc/uptime) < 864000)) || skip "this host has been up for 10 days"
}

@test "linux.memoryPolicy: the container's process and an exec'd one have it" {
	recreate '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0", "flags": ["MPOL_F_STATIC_NODES"]}'
	run -0 oci exec c1 /bin/probe mempolicy
	assert_eq "$output" $'mode: 2\nflags: 0x8000\nnodes: 0'
	grep -q "bind=static:0" "/proc/$(state_of c1 pid)/numa_maps" || fail "the container process: $(head -3 "/proc/$(state_of c1 pid)/numa_maps")"
}

@test "exec --detach --pid-file: returns once the process runs; the pid file holds its pid" {
	# (its stdout not bats' pipe, which `run` would wait on)
	oci exec --detach --pid-file "$DIR/epid" c1 /bin/probe sleep 100 - -- "$M" >"$DIR/e.out" 2>&1
	assert_eq "$(cat "$DIR/e.out")" ready "it ran before exec returned"
	local pid
	pid=$(cat "$DIR/epid")
	assert_eq "$(tr '\0' ' ' <"/proc/$pid/cmdline")" "/bin/probe sleep 100 - -- $M "
	assert_eq "$(readlink "/proc/$pid/ns/pid")" "$(readlink "/proc/$PID/ns/pid")"
	run -0 oci ps --format json c1
	assert_eq "$output" "[$PID,$pid]"
	run -0 oci delete --force c1
	assert_no_process "$M" 0
}

@test "exec's errors: a stopped container, a missing or non-executable command, --pid-file alone" {
	run -127 --separate-stderr oci exec c1 nosuchcmd
	assert_contains "$stderr" 'exec: "nosuchcmd": executable file not found in $PATH'
	run -127 --separate-stderr oci exec c1 /bin/nosuch
	assert_contains "$stderr" 'exec: "/bin/nosuch": stat /bin/nosuch: no such file or directory'
	run -126 --separate-stderr oci exec c1 /etc/passwd
	assert_contains "$stderr" 'exec: "/etc/passwd": permission denied'
	run -64 --separate-stderr oci exec --pid-file "$DIR/p" c1 /bin/true
	assert_eq "$stderr" "sluice: exec: --pid-file is written with --detach only"
	run -64 --separate-stderr oci exec c1
	assert_eq "$stderr" "sluice: exec: no command: give ARGS or --process FILE"
	assert_init_undisturbed
	run -0 oci kill c1 KILL
	wait_status c1 stopped
	run -1 --separate-stderr oci exec c1 /bin/true
	assert_eq "$stderr" "sluice: cannot exec in a stopped container"
}

@test "exec in the foreground passes signals on to the process" {
	bg_start "$DIR/out" 30 "$SLUICE" --root "$ROOT" exec c1 /bin/probe signals --exit-on SIGTERM - -- "$M"
	wait_for_file "$DIR/out" 10 ready
	kill -USR2 "$BG_PID"
	wait_for_file "$DIR/out" 10 SIGUSR2
	kill -TERM "$BG_PID"
	bg_wait
	assert_eq "$BG_STATUS" 0
	assert_eq "$(cat "$DIR/out")" $'ready\nSIGUSR2\nSIGTERM'
	assert_init_undisturbed
}

@test "exec: the process sees only 0, 1, 2 and the preserved fds" {
	run -0 oci exec c1 /bin/probe fds
	assert_eq "$output" $'0\n1\n2'
	run -0 bash -c 'exec 3</dev/null; "$1" --root "$2" exec --preserve-fds 1 c1 /bin/probe fds' _ \
		"$SLUICE" "$ROOT"
	assert_eq "$output" $'0\n1\n2\n3'
}

@test "exec into a container created but not started" {
	oci_create c2
	run -0 oci exec c2 /bin/probe pid
	assert_eq "$(state_of c2 status)" created
	run -0 oci delete c2
}

# ---- ps ----

@test "ps: ps(1)'s lines of the container's processes, its pids as JSON, ps's own args" {
	oci exec --detach c1 /bin/probe sleep 100 - -- "$M" >"$DIR/e.out" 2>&1
	run -0 oci ps c1
	[[ ${lines[0]} =~ ^UID\ +PID\ +PPID ]] || fail "no ps header: $output"
	assert_eq "${#lines[@]}" 3
	assert_contains "${lines[1]}" "/bin/probe signals"
	assert_contains "${lines[2]}" "/bin/probe sleep 100"
	run -0 oci ps c1 -o pid,comm
	[[ ${lines[0]} =~ ^\ *PID\ COMMAND$ ]] || fail "$output"
	[[ ${lines[1]} =~ ^\ *$PID\ probe$ ]] || fail "$output"
	run -0 oci ps --format json c1
	jq -e --argjson p "$PID" 'length == 2 and .[0] == $p' <<<"$output" >/dev/null || fail "$output"
	run -64 --separate-stderr oci ps --format json c1 -ef
	assert_eq "$stderr" "sluice: ps: arguments for ps(1) go with --format table"
	run -0 oci kill c1 KILL
	wait_status c1 stopped
	run -1 --separate-stderr oci ps c1
	assert_eq "$stderr" "sluice: container not running"
}

@test "ps and kill --all of a container without a pid namespace: through its cgroup" {
	local B2=$DIR/b2 pid
	make_bundle "$B2" /bin/probe sleep 100 - -- "$M"
	cfg "$B2" '.linux.namespaces |= map(select(.type != "pid"))'
	B=$B2 oci_create c2
	run -0 oci start c2
	pid=$(state_of c2 pid)
	run -0 oci ps --format json c2
	assert_eq "$output" "[$pid]"
	run -0 oci kill --all c2 KILL
	wait_status c2 stopped
	run -0 oci delete c2
}
