#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154,SC2030,SC2031 # single-quoted scripts run in the sandbox; bats sets $stderr and runs each test in a subshell
# seccomp (docs/seccomp.md): linux.seccomp and --seccomp FILE, every action
# and operator, SCMP_ACT_NOTIFY with a small agent (test/seccomp_agent.c),
# the default profile of sluice run, what runs under the filter, and the
# cache of compiled programs.
#
# The workloads run `probe syscall NAME...` (test/probe.c), which makes
# each call with arguments that fail harmlessly and prints "NAME: ERRNO",
# in a busybox rootfs built once per file.

load helpers

setup_file() {
	ROOTFS=$(scratch_dir)/rootfs
	make_rootfs "$ROOTFS"
	export ROOTFS
	# the agent, where the test user can run it too
	AGENT=$(scratch_dir)/seccomp_agent
	install -m 755 "$(dirname "$SLUICE")/seccomp_agent" "$AGENT"
	export AGENT
}

setup() {
	leftovers_snapshot
	M=$(unique_marker)
	DIR=$(scratch_dir)
	BG_PID=
}

teardown() {
	if [[ -n $BG_PID ]]; then
		bg_kill
	fi
}

# profile NAME TEXT: writes TEXT to $DIR/NAME, prints the path.
profile() {
	printf '%s\n' "$2" >"$DIR/$1"
	printf '%s\n' "$DIR/$1"
}

# calls ARGS... -- NAME...: `probe syscall NAME...` in the busybox rootfs
# under sluice run ARGS.
calls() {
	local args=()
	while [[ $1 != -- ]]; do
		args+=("$1")
		shift
	done
	shift
	sluice run --rootfs "$ROOTFS" "${args[@]}" -- /bin/probe syscall "$@" -- "$M"
}

# refused FILE TEXT MESSAGE: `sluice run --config FILE` with TEXT is 78 with
# exactly "sluice: MESSAGE" on stderr, and starts nothing.
refused() {
	local f
	f=$(profile "$1" "$2")
	cd "$DIR" || return
	run --separate-stderr sluice run --config "$1" -- /bin/true "$M"
	assert_status 78
	assert_eq "$stderr" "sluice: $3"
	assert_eq "$output" ""
}

# ---- the profile in a config ----

@test "a profile with every field loads, prints and loads back to itself" {
	local f
	f=$(profile s.yaml 'linux:
  seccomp:
    defaultAction: SCMP_ACT_ERRNO
    defaultErrnoRet: 38
    architectures: [SCMP_ARCH_X86_64, SCMP_ARCH_X86]
    flags: [SECCOMP_FILTER_FLAG_LOG, SECCOMP_FILTER_FLAG_SPEC_ALLOW]
    listenerPath: /run/agent.sock
    listenerMetadata: "some: metadata"
    syscalls:
    - names: [read, write]
      action: SCMP_ACT_ALLOW
    - names: [mkdir]
      action: SCMP_ACT_NOTIFY
    - names: [socket]
      action: SCMP_ACT_ERRNO
      errnoRet: 97
      args:
      - {index: 0, value: 40, op: SCMP_CMP_EQ}
      - {index: 1, value: 15, valueTwo: 2, op: SCMP_CMP_MASKED_EQ}')
	run -0 --separate-stderr sluice run --config "$f" --print-config -- /bin/true
	printf '%s\n' "$output" >"$DIR/printed.yaml"
	assert_contains "$output" "$(cat <<-'EOF'
		  seccomp:
		    defaultAction: SCMP_ACT_ERRNO
		    defaultErrnoRet: 38
		    architectures:
		    - SCMP_ARCH_X86_64
		    - SCMP_ARCH_X86
		    flags:
		    - SECCOMP_FILTER_FLAG_LOG
		    - SECCOMP_FILTER_FLAG_SPEC_ALLOW
		    listenerPath: /run/agent.sock
		    listenerMetadata: 'some: metadata'
		    syscalls:
		    - names:
		      - read
		      - write
		      action: SCMP_ACT_ALLOW
		    - names:
		      - mkdir
		      action: SCMP_ACT_NOTIFY
		    - names:
		      - socket
		      action: SCMP_ACT_ERRNO
		      errnoRet: 97
		      args:
		      - index: 0
		        value: 40
		        op: SCMP_CMP_EQ
		      - index: 1
		        value: 15
		        valueTwo: 2
		        op: SCMP_CMP_MASKED_EQ
		EOF
	)"
	run -0 --separate-stderr sluice run --config "$DIR/printed.yaml" --print-config -- /bin/true
	assert_eq "$output" "$(<"$DIR/printed.yaml")" "the printed config loads to itself"
}

@test "the same profile as a file of its own: --seccomp FILE, OCI JSON or YAML" {
	local j y
	j=$(profile p.json '{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 18}]}')
	y=$(profile p.yaml 'defaultAction: SCMP_ACT_ALLOW
syscalls: [{names: [mkdir], action: SCMP_ACT_ERRNO, errnoRet: 18}]')
	run -0 calls --seccomp "$j" -- mkdir:0700
	assert_eq "$output" "mkdir:0700: EXDEV"
	run -0 calls --seccomp "$y" -- mkdir:0700
	assert_eq "$output" "mkdir:0700: EXDEV"
	# the command line wins over the config, and the other way round
	run -0 calls --config "$(profile c.yaml 'linux: {seccomp: {}}')" --seccomp "$j" -- mkdir:0700
	assert_eq "$output" "mkdir:0700: EXDEV"
	run -0 calls --seccomp "$j" --no-seccomp -- mkdir:0700
	assert_eq "$output" "mkdir:0700: ok"
	assert_no_leftovers "$M"
}

@test "no filter: --no-seccomp, or linux.seccomp {}; the default one: absent, or \"default\"" {
	run -0 sluice run --rootfs "$ROOTFS" --no-seccomp -- /bin/probe caps
	assert_contains "$output" $'\nSeccomp: 0'
	run -0 sluice run --rootfs "$ROOTFS" --config "$(profile n.yaml 'linux: {seccomp: {}}')" \
		-- /bin/probe caps
	assert_contains "$output" $'\nSeccomp: 0'
	run -0 sluice run --rootfs "$ROOTFS" -- /bin/probe caps
	assert_contains "$output" $'\nSeccomp: 2'
	run -0 sluice run --rootfs "$ROOTFS" --no-seccomp \
		--config "$(profile d.yaml 'linux: {seccomp: default}')" -- /bin/probe caps
	assert_contains "$output" $'\nSeccomp: 0' "--no-seccomp comes after the config"
	run -0 sluice run --rootfs "$ROOTFS" --config "$DIR/d.yaml" -- /bin/probe caps
	assert_contains "$output" $'\nSeccomp: 2'
	run -0 sluice run --no-seccomp --print-config
	assert_contains "$output" $'\n  seccomp: {}\n'
}

@test "bad profiles: 78, FILE:LINE:COL and the problem, nothing started" {
	local p=$'linux:\n  seccomp: {defaultAction: SCMP_ACT_ALLOW, '
	refused a.yaml "${p}syscalls: [{names: [mkdir], action: SCMP_ACT_ERRNOO}]}" \
		'a.yaml:2:80: linux.seccomp.syscalls[0].action: unknown seccomp action "SCMP_ACT_ERRNOO" (did you mean "SCMP_ACT_ERRNO"?)'
	refused b.yaml "${p}syscalls: [{names: [mkdir], action: SCMP_ACT_ERRNO, args: [{index: 1, value: 1, op: SCMP_CMP_EQUAL}]}]}" \
		'b.yaml:2:128: linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator "SCMP_CMP_EQUAL"'
	refused c.yaml "${p}architectures: [x86_64]}" \
		'c.yaml:2:60: linux.seccomp.architectures[0]: unknown seccomp architecture "x86_64" (did you mean "SCMP_ARCH_X86_64"?)'
	refused d.yaml "${p}flags: [SECCOMP_FILTER_FLAG_LOGG]}" \
		'd.yaml:2:52: linux.seccomp.flags[0]: unknown seccomp flag "SECCOMP_FILTER_FLAG_LOGG" (did you mean "SECCOMP_FILTER_FLAG_LOG"?)'
	refused e.yaml "${p}syscalls: [{names: [mkdir], action: SCMP_ACT_KILL, errnoRet: 5}]}" \
		'e.yaml:2:105: linux.seccomp.syscalls[0].errnoRet: SCMP_ACT_KILL returns no errno (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do)'
	refused f.yaml "${p}defaultErrnoRet: 5}" \
		'f.yaml:2:61: linux.seccomp.defaultErrnoRet: SCMP_ACT_ALLOW returns no errno (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do)'
	refused g.yaml "${p}syscalls: [{names: [mkdir], action: SCMP_ACT_NOTIFY}]}" \
		"g.yaml:2:12: linux.seccomp: SCMP_ACT_NOTIFY needs listenerPath, the agent's socket"
	refused h.yaml "${p}listenerMetadata: x}" \
		'h.yaml:2:62: linux.seccomp.listenerMetadata is set without listenerPath (the spec forbids it)'
	refused i.yaml $'linux:\n  seccomp: {defaultAction: SCMP_ACT_NOTIFY, listenerPath: /x}' \
		'i.yaml:2:28: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action (it would take write, which the hand-off of the listener needs)'
	refused j.yaml "${p}listenerPath: /x, syscalls: [{names: [write, mkdir], action: SCMP_ACT_NOTIFY}]}" \
		'j.yaml:2:81: linux.seccomp.syscalls[0]: SCMP_ACT_NOTIFY cannot be used for write: sluice writes after the filter is loaded, to hand the listener over'
	refused k.yaml "${p}syscalls: [{names: [mkdir], action: SCMP_ACT_ERRNO, args: [{index: 6, value: 1, op: SCMP_CMP_EQ}]}]}" \
		'k.yaml:2:111: linux.seccomp.syscalls[0].args[0].index: 6 is out of range (0..5)'
	refused l.yaml "${p}syscalls: [{action: SCMP_ACT_ERRNO}]}" \
		'l.yaml:2:55: linux.seccomp.syscalls[0]: required key "names" is missing'
	refused m.yaml "${p}syscalls: [{names: [], action: SCMP_ACT_ERRNO}]}" \
		'm.yaml:2:63: linux.seccomp.syscalls[0].names: at least one syscall name is needed'
	refused n.yaml $'linux:\n  seccomp: {syscalls: []}' \
		'n.yaml:2:12: linux.seccomp: required key "defaultAction" is missing'
	refused o.yaml "${p}syscalls: [{names: [mkdir], action: SCMP_ACT_ERRNO, errnoRet: 4096}]}" \
		'o.yaml:2:106: linux.seccomp.syscalls[0].errnoRet: 4096 is out of range (0..4095)'
	refused p.yaml "${p}syscalls: [{names: [mkdir], action: SCMP_ACT_ERRNO, args: [{index: 1, op: SCMP_CMP_EQ}]}]}" \
		'p.yaml:2:103: linux.seccomp.syscalls[0].args[0]: required key "value" is missing'
	refused q.yaml "${p}listenerPath: rel/sock, syscalls: [{names: [mkdir], action: SCMP_ACT_NOTIFY}]}" \
		'q.yaml:2:58: linux.seccomp.listenerPath: "rel/sock" is not an absolute path'
	refused r.yaml "${p}flags: [SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV]}" \
		'r.yaml:2:51: linux.seccomp.flags: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs a rule with SCMP_ACT_NOTIFY'
	refused s.yaml $'linux:\n  seccomp: [SCMP_ACT_ALLOW]' \
		's.yaml:2:12: linux.seccomp: expected a mapping, got a list'
	refused u.yaml $'linux:\n  seccomp: defaults' \
		'u.yaml:2:12: linux.seccomp: expected a seccomp profile (a mapping), {} for none, or default, got "defaults"'
	refused v.yaml "${p}comment: x}" \
		'v.yaml:2:44: unknown key "comment" in linux.seccomp'
	refused w.yaml "${p}syscalls: [{names: [mkdir], action: SCMP_ACT_ERRNO, args: [{index: 1, value: -1, op: SCMP_CMP_EQ}]}]}" \
		'w.yaml:2:121: linux.seccomp.syscalls[0].args[0].value: expected an unsigned integer, got "-1"'
	assert_no_leftovers "$M"
}

@test "bad profiles as the test user: the same messages, 78, and --seccomp FILE names its file" {
	requires_user
	local f
	f=$(profile a.yaml $'linux:\n  seccomp: {defaultAction: SCMP_ACT_ALOW}')
	run --separate-stderr sluice_user run --config "$f" -- /bin/true "$M"
	assert_status 78
	assert_eq "$stderr" "sluice: $f:2:28: linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_ALOW\" (did you mean \"SCMP_ACT_ALLOW\"?)"
	f=$(profile p.json '{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNOO"}]}')
	run --separate-stderr sluice_user run --seccomp "$f" -- /bin/true "$M"
	assert_status 78
	assert_eq "$stderr" "sluice: $f:2:46: syscalls[0].action: unknown seccomp action \"SCMP_ACT_ERRNOO\" (did you mean \"SCMP_ACT_ERRNO\"?)"
	run --separate-stderr sluice_user run --seccomp "$DIR/missing.json" -- /bin/true "$M"
	assert_status 78
	assert_eq "$stderr" "sluice: $DIR/missing.json: cannot read: No such file or directory"
	: >"$DIR/empty.json"
	run --separate-stderr sluice_user run --seccomp "$DIR/empty.json" -- /bin/true "$M"
	assert_status 78
	assert_eq "$stderr" "sluice: $DIR/empty.json: empty: a seccomp profile needs at least defaultAction"
	assert_no_leftovers "$M"
}

@test "syscall names unknown on this architecture are skipped, as runc and crun do" {
	local f
	f=$(profile p.json '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
 {"names": ["no_such_call", "mkdir", "arm_fadvise64_64"], "action": "SCMP_ACT_ERRNO"}]}')
	run -0 calls --seccomp "$f" -- mkdir:0700 getppid
	assert_eq "$output" $'mkdir:0700: EPERM\ngetppid: ok+'
}

# ---- actions ----

@test "SCMP_ACT_ERRNO: EPERM unless errnoRet says otherwise; defaultErrnoRet likewise" {
	local f
	f=$(profile p.yaml 'defaultAction: SCMP_ACT_ALLOW
syscalls:
- {names: [mkdir], action: SCMP_ACT_ERRNO}
- {names: [sysfs], action: SCMP_ACT_ERRNO, errnoRet: 18}
- {names: [ustat], action: SCMP_ACT_ERRNO, errnoRet: 0}')
	run -0 calls --seccomp "$f" -- mkdir:0700 sysfs ustat getppid
	assert_eq "$output" $'mkdir:0700: EPERM\nsysfs: EXDEV\nustat: ok\ngetppid: ok+'
	# a deny-by-default profile: what it does not list gets ENOSYS, as podman's
	f=$(profile d.yaml 'defaultAction: SCMP_ACT_ERRNO
defaultErrnoRet: 38
syscalls:
- names: [execve, brk, arch_prctl, set_tid_address, set_robust_list, rseq, prlimit64,
          readlink, getrandom, mprotect, write, exit_group, fstat, newfstatat]
  action: SCMP_ACT_ALLOW')
	run -0 calls --seccomp "$f" -- mkdir:0700 getppid
	assert_eq "$output" $'mkdir:0700: ENOSYS\ngetppid: ENOSYS'
}

@test "argument conditions: every operator, on mkdir's mode" {
	local op want f out mode
	# OP VALUE: which of the modes 0700 0750 0755 0705 it refuses
	while read -r op want; do
		f=$(profile "$op.yaml" "defaultAction: SCMP_ACT_ALLOW
syscalls:
- {names: [mkdir], action: SCMP_ACT_ERRNO, args: [{index: 1, value: 488, op: SCMP_CMP_$op}]}")
		run -0 calls --seccomp "$f" -- mkdir:0700 mkdir:0750 mkdir:0755 mkdir:0705
		out=
		for mode in 0700 0750 0755 0705; do
			[[ $output == *"mkdir:$mode: EPERM"* ]] && out+=" $mode"
		done
		assert_eq "${out# }" "$want" "SCMP_CMP_$op 0750 (488)"
	done <<-'EOF'
		EQ  0750
		NE  0700 0755 0705
		LT  0700 0705
		LE  0700 0750 0705
		GT  0755
		GE  0750 0755
	EOF
	# MASKED_EQ: value is the mask, valueTwo what the masked argument is
	f=$(profile m.yaml 'defaultAction: SCMP_ACT_ALLOW
syscalls:
- {names: [mkdir], action: SCMP_ACT_ERRNO, args: [{index: 1, value: 7, valueTwo: 5, op: SCMP_CMP_MASKED_EQ}]}')
	run -0 calls --seccomp "$f" -- mkdir:0700 mkdir:0750 mkdir:0755 mkdir:0705
	assert_eq "$output" $'mkdir:0700: ok\nmkdir:0750: ok\nmkdir:0755: EPERM\nmkdir:0705: EPERM'
}

@test "conditions: on one argument any of them, on different arguments all of them (as runc)" {
	local f
	f=$(profile or.yaml 'defaultAction: SCMP_ACT_ALLOW
syscalls:
- names: [mkdir]
  action: SCMP_ACT_ERRNO
  args: [{index: 1, value: 448, op: SCMP_CMP_EQ}, {index: 1, value: 493, op: SCMP_CMP_EQ}]')
	run -0 calls --seccomp "$f" -- mkdir:0700 mkdir:0750 mkdir:0755
	assert_eq "$output" $'mkdir:0700: EPERM\nmkdir:0750: ok\nmkdir:0755: EPERM'
	# socket(AF_UNIX=1, SOCK_DGRAM=2) only, not AF_UNIX streams nor UDP
	f=$(profile and.yaml 'defaultAction: SCMP_ACT_ALLOW
syscalls:
- names: [socket]
  action: SCMP_ACT_ERRNO
  args: [{index: 0, value: 1, op: SCMP_CMP_EQ}, {index: 1, value: 2, op: SCMP_CMP_EQ}]')
	run -0 calls --seccomp "$f" -- socket:1:2 socket:1:1 socket:2:2
	assert_eq "$output" $'socket:1:2: EPERM\nsocket:1:1: ok\nsocket:2:2: ok'
}

@test "SCMP_ACT_KILL_PROCESS ends the workload (SIGSYS: 159); KILL_THREAD and KILL only the thread" {
	local f
	f=$(profile k.yaml 'defaultAction: SCMP_ACT_ALLOW
syscalls:
- {names: [mkdir], action: SCMP_ACT_KILL_PROCESS}
- {names: [sysfs], action: SCMP_ACT_KILL_THREAD}
- {names: [ustat], action: SCMP_ACT_KILL}')
	run calls --seccomp "$f" -- --thread mkdir:0700
	assert_status 159
	assert_eq "$output" ""
	run -0 calls --seccomp "$f" -- --thread sysfs
	assert_eq "$output" "main: alive"
	run -0 calls --seccomp "$f" -- --thread ustat
	assert_eq "$output" "main: alive"
	# a single-threaded workload: the thread is the process
	run calls --seccomp "$f" -- sysfs
	assert_status 159
	assert_no_leftovers "$M"
}

@test "SCMP_ACT_TRAP: SIGSYS that a handler can catch; without one the workload dies (159)" {
	local f
	f=$(profile t.yaml 'defaultAction: SCMP_ACT_ALLOW
syscalls: [{names: [sysfs], action: SCMP_ACT_TRAP}]')
	run -0 calls --seccomp "$f" -- --trap sysfs getppid
	assert_eq "$output" $'sysfs: SIGSYS(139)\ngetppid: ok+'
	run calls --seccomp "$f" -- sysfs
	assert_status 159
}

@test "SCMP_ACT_LOG allows the call and the kernel logs it; SCMP_ACT_TRACE without a tracer: ENOSYS" {
	local f before after
	f=$(profile l.yaml 'defaultAction: SCMP_ACT_ALLOW
syscalls:
- {names: [sysfs], action: SCMP_ACT_LOG}
- {names: [ustat], action: SCMP_ACT_TRACE}')
	run -0 calls --seccomp "$f" -- sysfs ustat
	assert_eq "$output" $'sysfs: EINVAL\nustat: ENOSYS'
	# one more log line: audit type 1326, sysfs (139), SECCOMP_RET_LOG
	if ((EUID == 0)) && dmesg >/dev/null 2>&1; then
		before=$(dmesg | grep -c 'type=1326 .*comm="probe" .*syscall=139 .*code=0x7ffc0000')
		run -0 calls --seccomp "$f" -- sysfs
		after=$(dmesg | grep -c 'type=1326 .*comm="probe" .*syscall=139 .*code=0x7ffc0000')
		((after > before)) || fail "no new seccomp log line for sysfs in dmesg"
	fi
}

@test "flags: TSYNC, LOG and SPEC_ALLOW load with the filter" {
	local flag f
	for flag in TSYNC LOG SPEC_ALLOW; do
		f=$(profile "$flag.yaml" "defaultAction: SCMP_ACT_ALLOW
flags: [SECCOMP_FILTER_FLAG_$flag]
syscalls: [{names: [mkdir], action: SCMP_ACT_ERRNO}]")
		run -0 calls --seccomp "$f" -- mkdir:0700
		assert_eq "$output" "mkdir:0700: EPERM" "with SECCOMP_FILTER_FLAG_$flag"
	done
}

# ---- SCMP_ACT_NOTIFY ----

# notify_profile SOCKET: getppid and mkdir go to the agent at SOCKET.
notify_profile() {
	profile n.json "{\"defaultAction\": \"SCMP_ACT_ALLOW\",
 \"listenerPath\": \"$1\", \"listenerMetadata\": \"meta\\\"data\",
 \"syscalls\": [{\"names\": [\"getppid\", \"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
}

# start_agent AGENTDIR [--user]: the agent (as the test user with --user)
# on AGENTDIR/agent.sock, for one sandbox; its state in AGENTDIR/state.json.
start_agent() {
	local as=()
	if [[ ${2-} == --user ]]; then
		as_user_cmd || return 1
		as=("${AS_USER[@]}")
	fi
	rm -f "$1/ready" "$1/state.json"
	bg_start "$1/agent.out" 60 "${as[@]}" "$AGENT" "$1/agent.sock" "$1/state.json" "$1/ready"
	wait_for_file "$1/ready" 10
}

# assert_state AGENTDIR: its state.json is the container process state of
# the spec (config-linux.md) for sluice run in $DIR, the same pid twice.
assert_state() {
	local state pids
	state=$(<"$1/state.json")
	pids=$(grep -o '"pid":[0-9]*' <<<"$state" | sort -u | wc -l)
	assert_eq "$pids" 1 "one pid, the workload's, in: $state"
	state=$(sed -E 's/"pid":[0-9]+/"pid":N/g; s/"sluice-[0-9]+"/"sluice-N"/' <<<"$state")
	assert_eq "$state" '{"ociVersion":"1.2.1","fds":["seccompFd"],"pid":N,"metadata":"meta\"data","state":{"ociVersion":"1.2.1","id":"sluice-N","status":"creating","pid":N,"bundle":"'"$DIR"'","annotations":{}}}'
}

@test "SCMP_ACT_NOTIFY: the agent gets the state and the listener, and answers for the container" {
	local f
	f=$(notify_profile "$DIR/agent.sock")
	start_agent "$DIR"
	cd "$DIR" || return
	run -0 calls --seccomp "$f" -- getppid mkdir:0700 sysfs
	assert_eq "$output" $'getppid: ok+\nmkdir:0700: EXDEV\nsysfs: EINVAL'
	bg_wait
	BG_PID=
	assert_eq "$BG_STATUS" 0 "the agent ends with the sandbox"
	assert_state "$DIR"
	start_agent "$DIR"
	run -0 sluice run --rootfs "$ROOTFS" --seccomp "$f" -- /bin/sh -c 'echo $PPID'
	assert_eq "$output" "4242" "getppid, answered by the agent"
	assert_no_leftovers "$M"
}

@test "SCMP_ACT_NOTIFY with SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: loaded where the kernel has it (5.19), refused naming it where not" {
	local f
	f=$(profile k.json "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"$DIR/agent.sock\",
 \"flags\": [\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"],
 \"syscalls\": [{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}")
	start_agent "$DIR"
	cd "$DIR" || return
	if kernel_at_least 5 19; then
		run -0 sluice run --rootfs "$ROOTFS" --seccomp "$f" -- /bin/sh -c 'echo $PPID'
		assert_eq "$output" "4242" "getppid, answered by the agent"
		bg_wait
		BG_PID=
		assert_eq "$BG_STATUS" 0 "the agent ends with the sandbox"
	else
		run -78 --separate-stderr sluice run --rootfs "$ROOTFS" --seccomp "$f" -- /bin/true
		assert_contains "$stderr" "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV is not supported by this kernel"
	fi
	assert_no_leftovers "$M"
}

@test "SCMP_ACT_NOTIFY with --init and as the test user (rootless)" {
	requires_userns
	local f adir
	f=$(notify_profile "$DIR/agent.sock")
	start_agent "$DIR"
	cd "$DIR" || return
	run -0 sluice run --init --rootfs "$ROOTFS" --seccomp "$f" -- /bin/sh -c 'echo $PPID'
	assert_eq "$output" "4242"
	bg_wait
	assert_state "$DIR"
	adir=$(scratch_dir --user)
	f=$(notify_profile "$adir/agent.sock")
	start_agent "$adir" --user
	run -0 sluice_user run --rootfs "$ROOTFS" --seccomp "$f" -- /bin/sh -c 'echo $PPID; mkdir /tmp/x 2>&1; true'
	assert_eq "$output" $'4242\nmkdir: can\'t create directory \'/tmp/x\': Invalid cross-device link'
	bg_wait
	BG_PID=
	assert_state "$adir"
}

@test "SCMP_ACT_NOTIFY without an agent: 125 naming the socket, nothing left" {
	local f
	f=$(notify_profile "$DIR/nobody.sock")
	run --separate-stderr calls --seccomp "$f" -- getppid
	assert_status 125
	assert_eq "$output" ""
	assert_eq "$stderr" "sluice: seccomp notify: cannot connect to the agent at $DIR/nobody.sock: No such file or directory"
	assert_no_leftovers "$M"
}

@test "SCMP_ACT_NOTIFY in a raw config given to sluice init: 125, no runtime to take the listener" {
	local f
	f=$(profile raw.yaml "process: {args: [/bin/true]}
linux:
  seccomp:
    defaultAction: SCMP_ACT_ALLOW
    listenerPath: $DIR/agent.sock
    syscalls: [{names: [mkdir], action: SCMP_ACT_NOTIFY}]")
	run --separate-stderr bash -c 'exec 3<"$1"; exec "$2" init' _ "$f" "$SLUICE"
	assert_status 125
	assert_eq "$stderr" "sluice: read-config: SCMP_ACT_NOTIFY needs a runtime that takes the listener: fd 4 must be a unix socket (docs/protocol.md)"
}

# ---- the default profile (docs/seccomp.md) ----

# Its entries that x86-64 has, as probe calls (clone3 apart: ENOSYS).
DENIED=(add_key keyctl request_key kexec_load kexec_file_load init_module finit_module
	delete_module reboot bpf perf_event_open userfaultfd io_uring_setup io_uring_enter
	io_uring_register open_by_handle_at ioctl-tiocsti ioctl-tiocsti-high ioctl-tioclinux
	clone-newuser unshare-newuser setns mount umount2 pivot_root fsopen fsconfig fsmount fspick
	move_mount open_tree mount_setattr chroot settimeofday clock_settime swapon swapoff
	quotactl quotactl_fd sethostname setdomainname fanotify_init lookup_dcookie acct syslog
	vhangup iopl ioperm kcmp pidfd_getfd process_madvise mbind set_mempolicy get_mempolicy
	set_mempolicy_home_node migrate_pages move_pages socket-vsock uselib ustat sysfs _sysctl
	nfsservctl)
# Entries of other architectures (i386, x32) only.
NOT_HERE=" umount stime clock_settime64 create_module get_kernel_syms query_module bdflush vm86 vm86old "
# What the kernel itself refuses with EPERM to a sandbox without capabilities.
KERNEL_EPERM=" reboot pivot_root fsopen fsmount fspick move_mount swapon swapoff sethostname setdomainname fanotify_init acct syslog vhangup "

# marked_default: the printed default config ($output) with errno 76
# (ENOTUNIQ, which none of these calls returns) for EPERM in its profile.
marked_default() {
	local line
	while IFS= read -r line; do
		[[ $line == "      errnoRet: 1" ]] && line="      errnoRet: 76"
		printf '%s\n' "$line"
	done <<<"$output"
}

# expect_all RESULT: each line of $output is "CALL: RESULT" (clone3: ENOSYS).
expect_all() {
	local call want=
	for call in "${DENIED[@]}"; do
		want+="$call: $1"$'\n'
	done
	assert_eq "$output" "${want}clone3: ENOSYS"
}

@test "the default profile refuses each of its calls: EPERM (clone3 ENOSYS), and the filter is why" {
	requires_root
	run -0 calls -- "${DENIED[@]}" clone3
	expect_all EPERM
	# the same profile with another errno: every call meets its rule
	run -0 sluice run --print-config
	marked_default >"$DIR/marked.yaml"
	run -0 calls --config "$DIR/marked.yaml" -- "${DENIED[@]}" clone3
	expect_all ENOTUNIQ
	# without it the kernel answers, not with EPERM but where it refuses
	# a sandbox without capabilities anyway
	run -0 calls --no-seccomp -- "${DENIED[@]}" clone3
	local line
	while IFS= read -r line; do
		[[ $line != *": EPERM" || $KERNEL_EPERM == *" ${line%%:*} "* ]] ||
			fail "the kernel, not the filter, refuses $line"
	done <<<"$output"
	assert_no_leftovers "$M"
}

@test "every call of the default profile is in the list the tests make" {
	local name names
	run -0 sluice run --print-config
	names=$(awk '/^  seccomp:/ { s = 1 } s && /^      - [a-z0-9_]+$/ { print $2 }' <<<"$output" | sort -u)
	[[ -n $names ]] || fail "no names in the printed profile"
	for name in $names; do
		[[ $NOT_HERE == *" $name "* ]] && continue
		case $name in
		ioctl) name=ioctl-tiocsti ;;
		clone) name=clone-newuser ;;
		unshare) name=unshare-newuser ;;
		socket) name=socket-vsock ;;
		clone3) continue ;;
		esac
		[[ " ${DENIED[*]} " == *" $name "* ]] || fail "$name is in the default profile, not in DENIED"
	done
}

@test "the default profile as the test user (rootless): the same refusals" {
	requires_userns
	run -0 sluice_user run --rootfs "$ROOTFS" -- /bin/probe syscall "${DENIED[@]}" clone3
	expect_all EPERM
}

@test "the default profile leaves to the kernel what a granted capability makes legitimate" {
	requires_root
	run -0 sluice run --cap-add SYS_ADMIN --print-config
	[[ $output != *$'\n      - mount\n'* && $output != *$'\n      - unshare\n'* &&
		$output != *$'\n      - clone3\n'* ]] || fail "mount, unshare or clone3 still refused"
	assert_contains "$output" $'\n      - keyctl\n' "keyctl stays refused"
	run -0 calls --cap-add SYS_ADMIN -- unshare-newuser clone3 keyctl
	assert_eq "$output" $'unshare-newuser: ok\nclone3: EINVAL\nkeyctl: EPERM'
	run -0 calls --cap-add SYS_TIME -- clock_settime mount
	assert_eq "$output" $'clock_settime: EFAULT\nmount: EPERM'
}

@test "TIOCSTI on the terminal the sandbox shares is refused (CVE-2017-5226)" {
	requires_root
	run -0 sluice run --print-config
	marked_default >"$DIR/marked.yaml"
	run -0 with_tty "$SLUICE" run --rootfs "$ROOTFS" -- /bin/probe syscall ioctl-tiocsti-stdin
	assert_eq "$output" "ioctl-tiocsti-stdin: EPERM"
	run -0 with_tty "$SLUICE" run --rootfs "$ROOTFS" --config "$DIR/marked.yaml" \
		-- /bin/probe syscall ioctl-tiocsti-stdin
	assert_eq "$output" "ioctl-tiocsti-stdin: ENOTUNIQ" "the filter's rule is what refuses it"
}

# ---- what runs under the filter ----

# A profile for the static probe and nothing else: what sluice does after
# loading the filter must fit in it.
STATIC='"execve", "brk", "arch_prctl", "set_tid_address", "set_robust_list", "rseq",
 "prlimit64", "readlink", "getrandom", "mprotect", "write", "exit_group", "newfstatat", "umask"'

@test "a profile that allows only what a static binary needs: the start works, with and without the init" {
	local f
	f=$(profile strict.json "{\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\",
 \"syscalls\": [{\"names\": [$STATIC], \"action\": \"SCMP_ACT_ALLOW\"}]}")
	run -0 sluice run --rootfs "$ROOTFS" --seccomp "$f" -- /bin/probe umask -- "$M"
	assert_eq "$output" "umask: 0022"
	run -0 sluice run --rootfs "$ROOTFS" --seccomp "$f" --no-init -- /bin/probe umask -- "$M"
	assert_eq "$output" "umask: 0022"
	run -0 bash -c 'exec 3</dev/null 4</dev/null; exec timeout 30 "$@"' _ "$SLUICE" run \
		--rootfs "$ROOTFS" --seccomp "$f" --preserve-fds 2 -- /bin/probe umask -- "$M"
	assert_eq "$output" "umask: 0022"
	run -0 sluice run --rootfs "$ROOTFS" --seccomp "$f" \
		--config "$(profile nopid.yaml 'linux: {namespaces: [{type: mount}]}')" \
		-- /bin/probe umask -- "$M"
	assert_eq "$output" "umask: 0022"
	# a failed exec still reports (write is allowed); not in the sanitizer
	# build, whose runtime makes calls of its own on the way out
	if [[ -z ${ASAN_OPTIONS-} ]]; then
		run -127 --separate-stderr sluice run --rootfs "$ROOTFS" --seccomp "$f" -- /no/such/command
		assert_eq "$stderr" "sluice: exec: /no/such/command: command not found"
	fi
	assert_no_leftovers "$M"
}

@test "the strict profile as the test user (rootless)" {
	requires_userns
	local f
	f=$(profile strict.json "{\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\",
 \"syscalls\": [{\"names\": [$STATIC], \"action\": \"SCMP_ACT_ALLOW\"}]}")
	run -0 sluice_user run --rootfs "$ROOTFS" --seccomp "$f" --init -- /bin/probe umask -- "$M"
	assert_eq "$output" "umask: 0022"
	assert_no_leftovers "$M"
}

@test "the init runs under a filter of its own: no_new_privs, and the workload's profile is not its" {
	local f
	f=$(profile mk.json '{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]}')
	run -0 sluice run --rootfs "$ROOTFS" --seccomp "$f" --init -- /bin/sh -c \
		'grep -E "^(NoNewPrivs|Seccomp|Seccomp_filters):" /proc/1/status; /bin/probe syscall mkdir:0700'
	assert_eq "$output" $'NoNewPrivs:\t1\nSeccomp:\t2\nSeccomp_filters:\t1\nmkdir:0700: EPERM'
	# and it still reaps the orphans of the sandbox
	run -0 sluice run --rootfs "$ROOTFS" --seccomp "$f" --init -- /bin/sh -c \
		'/bin/probe orphans 5 0 >/dev/null
		for i in $(seq 200); do
			z=$(/bin/probe zombies); [ "$z" = "zombies: 0" ] && break; sleep 0.02
		done
		echo "$z"'
	assert_eq "$output" "zombies: 0"
	# no filter, no filter for the init either
	run -0 sluice run --rootfs "$ROOTFS" --no-seccomp --init -- /bin/sh -c \
		'grep "^Seccomp:" /proc/1/status'
	assert_eq "$output" $'Seccomp:\t0'
}

@test "noNewPrivileges false: the filter still loads, with CAP_SYS_ADMIN kept for it and dropped after" {
	requires_root
	local f s
	f=$(profile nnp.yaml 'process:
  noNewPrivileges: false
  capabilities: {bounding: [CAP_KILL], effective: [CAP_KILL], permitted: [CAP_KILL]}')
	run -0 sluice run --rootfs "$ROOTFS" --config "$f" --init -- /bin/sh -c \
		'/bin/probe caps; grep -E "^(CapEff|Seccomp):" /proc/1/status'
	assert_eq "$output" "$(printf '%s\n' 'CapInh: 0000000000000000' 'CapPrm: 0000000000000020' \
		'CapEff: 0000000000000020' 'CapBnd: 0000000000000020' 'CapAmb: 0000000000000000' \
		'NoNewPrivs: 0' 'Seccomp: 2' $'CapEff:\t0000000000000020' $'Seccomp:\t2')" \
		"the workload and the init hold CAP_KILL, not CAP_SYS_ADMIN"
	# dropping it is one capset, which the profile must then allow
	s=$(profile strict.json "{\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\",
 \"syscalls\": [{\"names\": [$STATIC, \"capset\"], \"action\": \"SCMP_ACT_ALLOW\"}]}")
	run -0 sluice run --rootfs "$ROOTFS" --config "$f" --seccomp "$s" -- /bin/probe umask -- "$M"
	assert_eq "$output" "umask: 0022"
	assert_no_leftovers "$M"
}

@test "noNewPrivileges false as the test user: in a user namespace it works, without one 78" {
	requires_userns
	local f
	f=$(profile nnp.yaml 'process: {noNewPrivileges: false}')
	run -0 sluice_user run --rootfs "$ROOTFS" --config "$f" -- /bin/probe syscall keyctl
	assert_eq "$output" "keyctl: EPERM"
	f=$(profile nnp-nouserns.yaml 'process: {noNewPrivileges: false}
linux: {namespaces: []}')
	run --separate-stderr sluice_user run --config "$f" -- /bin/true "$M"
	assert_status 78
	assert_eq "$stderr" "sluice: $f: a seccomp filter with process.noNewPrivileges false needs CAP_SYS_ADMIN: set noNewPrivileges to true or add {type: user} to linux.namespaces"
	assert_no_leftovers "$M"
}

# ---- the cache of compiled filters ----

# entries: the entries of $SLUICE_CACHE_DIR/seccomp, one per line, as
# "PATH INODE MTIME SIZE OWNER MODE".
entries() {
	local f
	for f in "$SLUICE_CACHE_DIR/seccomp"/*; do
		[[ -e $f ]] && stat -c '%n %i %.9Y %s %U %a' "$f"
	done
	return 0
}

# deny_mkdir [ARGS...]: mkdir under a profile that refuses it: EPERM.
deny_mkdir() {
	run -0 calls --seccomp "$DIR/mk.json" "$@" -- mkdir:0700
	assert_eq "$output" "mkdir:0700: EPERM"
}

cache_setup() {
	export SLUICE_CACHE_DIR=$DIR/cache
	profile mk.json '{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]}' >/dev/null
}

@test "the cache: the first start compiles and stores the program, the next ones only load it" {
	local first
	cache_setup
	deny_mkdir
	first=$(entries)
	[[ $(wc -l <<<"$first") == 1 && -n $first ]] || fail "one entry expected, got: $first"
	[[ $first == *" root 600" ]] || fail "the entry is root's, mode 600: $first"
	[[ $(stat -c '%U %a' "$SLUICE_CACHE_DIR/seccomp") == "root 700" ]] ||
		fail "the directory is root's, mode 700"
	deny_mkdir
	deny_mkdir --init
	assert_eq "$(entries)" "$first" "the entry was neither rewritten nor replaced"
	# and nothing compiled: libseccomp writes its program to a memfd
	# (LeakSanitizer does not run under ptrace: not in the sanitizer build)
	if command -v strace >/dev/null && [[ -z ${ASAN_OPTIONS-} ]]; then
		run -0 strace -f -e trace=memfd_create -o "$DIR/strace" "$SLUICE" run \
			--rootfs "$ROOTFS" --seccomp "$DIR/mk.json" -- /bin/probe syscall mkdir:0700
		assert_eq "$output" "mkdir:0700: EPERM"
		run grep -c memfd_create "$DIR/strace"
		assert_eq "$output" 0 "no compile on a cached start"
	fi
	# another profile, another entry
	run -0 calls -- keyctl
	[[ $(entries | wc -l) == 2 ]] || fail "the default profile has an entry of its own"
}

@test "a damaged cache entry is noticed and rebuilt: flipped bytes, cut short, another key, empty" {
	local first e size damage
	cache_setup
	deny_mkdir
	first=$(entries)
	e=${first%% *}
	size=$(stat -c %s "$e")
	cp "$e" "$DIR/good"
	for damage in flip-program flip-key truncate empty garbage; do
		case $damage in
		flip-program) printf '\xff' | dd of="$e" bs=1 seek=$((size - 3)) conv=notrunc 2>/dev/null ;;
		flip-key) printf 'X' | dd of="$e" bs=1 seek=60 conv=notrunc 2>/dev/null ;;
		truncate) truncate -s -8 "$e" ;;
		empty) : >"$e" ;;
		garbage) head -c 4000 /dev/urandom >"$e" ;;
		esac
		cmp -s "$e" "$DIR/good" && fail "$damage did not change the entry"
		# the damaged program is not loaded: the filter works, and the
		# entry is whole again
		deny_mkdir
		cmp "$e" "$DIR/good" || fail "after $damage: the entry was not rebuilt"
	done
}

@test "the cache trusts only the caller's or root's files that nobody else can write" {
	requires_user
	local first e
	cache_setup
	deny_mkdir
	first=$(entries)
	e=${first%% *}
	# an entry of another user is not loaded: compiled afresh, replaced
	chown "$SLUICE_TEST_USER" "$e"
	deny_mkdir
	[[ $(stat -c %U "$e") == root ]] || fail "an entry of $SLUICE_TEST_USER was used"
	# nor one that others may write
	chmod 620 "$e"
	deny_mkdir
	[[ $(stat -c %a "$e") == 600 ]] || fail "a group-writable entry was used"
	# nor a directory of another user, or one others may write: not even
	# stored into
	rm -f "$e"
	chown "$SLUICE_TEST_USER" "$SLUICE_CACHE_DIR/seccomp"
	deny_mkdir
	assert_eq "$(entries)" "" "nothing stored in a directory of $SLUICE_TEST_USER"
	chown root "$SLUICE_CACHE_DIR/seccomp"
	chmod 770 "$SLUICE_CACHE_DIR/seccomp"
	deny_mkdir
	assert_eq "$(entries)" "" "nothing stored in a group-writable directory"
	# the test user trusts root's directory for reading, and writes nothing
	chmod 755 "$SLUICE_CACHE_DIR" "$SLUICE_CACHE_DIR/seccomp"
	deny_mkdir
	run -0 sluice_user run --rootfs "$ROOTFS" --seccomp "$DIR/mk.json" -- /bin/probe syscall mkdir:0700
	assert_eq "$output" "mkdir:0700: EPERM"
}

@test "where the cache is: \$SLUICE_CACHE_DIR, ~/.cache for a user, /var/cache for root, or none" {
	requires_userns
	local home
	cache_setup
	# none: SLUICE_CACHE_DIR set and empty
	SLUICE_CACHE_DIR='' deny_mkdir
	[[ ! -e $DIR/cache ]] || fail "SLUICE_CACHE_DIR='' stored something"
	# a user's own: $XDG_CACHE_HOME/sluice/seccomp, else ~/.cache/sluice/seccomp
	home=$(scratch_dir --user)
	as_user_cmd
	run -0 "${AS_USER[@]}" env -u SLUICE_CACHE_DIR -u XDG_CACHE_HOME HOME="$home" \
		"$SLUICE_USER_BIN" run --rootfs "$ROOTFS" -- /bin/probe syscall keyctl
	assert_eq "$output" "keyctl: EPERM"
	[[ $(stat -c '%U %a' "$home/.cache/sluice/seccomp") == "$SLUICE_TEST_USER 700" ]] ||
		fail "no private ~/.cache/sluice/seccomp"
	[[ -n $(ls "$home/.cache/sluice/seccomp") ]] || fail "nothing stored in ~/.cache"
	run -0 "${AS_USER[@]}" env -u SLUICE_CACHE_DIR HOME="$home" XDG_CACHE_HOME="$home/xdg" \
		"$SLUICE_USER_BIN" run --rootfs "$ROOTFS" -- /bin/probe syscall keyctl
	[[ -n $(ls "$home/xdg/sluice/seccomp") ]] || fail "nothing stored in \$XDG_CACHE_HOME"
	# root's: /var/cache/sluice/seccomp, seen here on a tmpfs of a private
	# mount namespace, so that the host's stays untouched
	run -0 unshare -m --propagation private bash -c '
		mount -t tmpfs tmpfs /var/cache && env -u SLUICE_CACHE_DIR "$@" &&
		stat -c "%U %a" /var/cache/sluice/seccomp && ls /var/cache/sluice/seccomp | wc -l' \
		_ "$SLUICE" run --rootfs "$ROOTFS" -- /bin/probe syscall keyctl
	assert_eq "$output" $'keyctl: EPERM\nroot 700\n1'
}

# ---- the profiles other tools write ----

@test "podman's profile (podman 4.3's config.json) loads and runs: its ENOSYS default, its EPERMs" {
	run -0 calls --seccomp "$SLUICE_REPO/test/fixtures/podman-4.3-seccomp.json" \
		-- mkdir:0700 getppid keyctl kexec_load bpf sysfs
	assert_eq "$output" $'mkdir:0700: ok\ngetppid: ok+\nkeyctl: EOPNOTSUPP\nkexec_load: EPERM\nbpf: EPERM\nsysfs: EPERM'
	run -0 calls --seccomp "$SLUICE_REPO/test/fixtures/podman-4.3-seccomp.json" --init \
		-- add_key
	assert_eq "$output" "add_key: ENOSYS" "not in podman's list: its default, ENOSYS"
}

@test "docs/seccomp.md names every call of the default profile" {
	local name names
	run -0 sluice run --print-config
	names=$(awk '/^  seccomp:/ { s = 1 } s && /^      - [a-z0-9_]+$/ { print $2 }' <<<"$output" | sort -u)
	for name in $names; do
		grep -q "\`$name\`" "$SLUICE_REPO/docs/seccomp.md" ||
			fail "$name is in the default profile, not in docs/seccomp.md"
	done
}

@test "--print-seccomp: the effective profile as OCI JSON, which loads back to the same" {
	run -0 --separate-stderr sluice run --print-seccomp
	printf '%s\n' "$output" >"$DIR/default.json"
	assert_contains "$output" $'{\n\t"defaultAction": "SCMP_ACT_ALLOW",\n\t"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],'
	assert_contains "$output" '{"names": ["ioctl"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1, "args": [{"index": 1, "value": 4294967295, "valueTwo": 21522, "op": "SCMP_CMP_MASKED_EQ"}]}'
	run -0 --separate-stderr sluice run --seccomp "$DIR/default.json" --print-seccomp
	assert_eq "$output" "$(<"$DIR/default.json")"
	run -0 --separate-stderr sluice run --no-seccomp --print-seccomp
	assert_eq "$output" "{}"
	run -0 --separate-stderr sluice run --cap-add SYS_ADMIN --print-seccomp
	[[ $output != *'"mount"'* ]] || fail "the profile printed is the one for the final capabilities"
}
