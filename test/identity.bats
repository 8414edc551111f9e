#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154,SC2030,SC2031 # single-quoted scripts run in the sandbox; bats sets $stderr and runs each test in a subshell
# Who the workload is and what it may do (docs/config.md "process",
# "linux"): uid, gid and supplementary groups, umask, capabilities and
# no_new_privs, rlimits, hostname and domainname, the environment,
# oom_score_adj and sysctls; each bad value with its message and status.
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
	DIR=$(scratch_dir)
	declare -gA F=()
}

# parse_fields: F[NAME]=VALUE for each line "NAME: VALUE" of $output.
parse_fields() {
	local line
	F=()
	while IFS= read -r line; do
		if [[ $line == *": "* ]]; then
			F[${line%%: *}]=${line#*: }
		fi
	done <<<"$output"
}

# ids_are UID GID [GROUPS]: what `probe ids` prints for a process whose
# real, effective, saved and fs ids are all UID and GID.
ids_are() {
	printf 'uid: %s\neuid: %s\nsuid: %s\nfsuid: %s\n' "$1" "$1" "$1" "$1"
	printf 'gid: %s\negid: %s\nsgid: %s\nfsgid: %s\n' "$2" "$2" "$2" "$2"
	printf 'groups:%s\n' "${3:+ $3}"
}

# caps_are INH PRM EFF BND AMB [NNP [SECCOMP]]: what `probe caps` prints
# (Seccomp: 2, a filter: the default profile, docs/seccomp.md).
caps_are() {
	printf 'CapInh: %016x\nCapPrm: %016x\nCapEff: %016x\nCapBnd: %016x\nCapAmb: %016x\n' \
		"$1" "$2" "$3" "$4" "$5"
	printf 'NoNewPrivs: %s\nSeccomp: %s\n' "${6:-1}" "${7:-2}"
}

CAP_KILL=$((1 << 5)) CAP_CHOWN=$((1 << 0)) CAP_NET_BIND_SERVICE=$((1 << 10))

# ---- uid, gid, groups ----

@test "root: the workload is root with no supplementary groups by default" {
	requires_root
	run -0 --separate-stderr sluice run --rootfs "$ROOTFS" -- probe ids
	assert_eq "$output" "$(ids_are 0 0)"
}

@test "root: --uid 1000 --gid 1000" {
	requires_root
	run -0 --separate-stderr sluice run --rootfs "$ROOTFS" --uid 1000 --gid 1000 -- probe ids
	assert_eq "$output" "$(ids_are 1000 1000)"
}

@test "root: process.user with additionalGids" {
	requires_root
	cat >"$DIR/c.yaml" <<-'EOF'
		process:
		  user: {uid: 1000, gid: 1001, additionalGids: [20, 10, 1001]}
	EOF
	run -0 --separate-stderr sluice run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe ids
	assert_eq "$output" "$(ids_are 1000 1001 "10 20 1001")"
}

@test "test user: the caller's ids by default; --uid 0 --gid 0 is root inside" {
	requires_userns
	local uid gid
	uid=$(id -u "$SLUICE_TEST_USER") gid=$(id -g "$SLUICE_TEST_USER")
	run -0 --separate-stderr sluice_user run --rootfs "$ROOTFS" -- probe ids
	parse_fields
	assert_eq "${F[uid]} ${F[euid]} ${F[suid]} ${F[gid]} ${F[egid]}" "$uid $uid $uid $gid $gid"
	run -0 --separate-stderr sluice_user run --rootfs "$ROOTFS" --uid 0 --gid 0 -- probe ids
	parse_fields
	assert_eq "${F[uid]} ${F[euid]} ${F[suid]} ${F[gid]} ${F[egid]}" "0 0 0 0 0"
}

@test "test user: additionalGids need a gid range (single-id map: 78 naming the gid)" {
	requires_userns
	cat >"$DIR/c.yaml" <<-'EOF'
		process:
		  user: {additionalGids: [10]}
	EOF
	run --separate-stderr sluice_user run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe ids -- "$M"
	assert_status 78
	assert_eq "$stderr" "sluice: $DIR/c.yaml: process.user.additionalGids: gid 10 is not mapped by linux.gidMappings"
	assert_no_leftovers "$M"
}

# ---- umask ----

@test "umask: 0022 by default, process.user.umask as given" {
	requires_root
	run -0 --separate-stderr sluice run --rootfs "$ROOTFS" -- probe umask
	assert_eq "$output" "umask: 0022"
	printf '%s\n' 'process:' '  user: {umask: 0077}' >"$DIR/c.yaml"
	run -0 --separate-stderr sluice run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe umask
	assert_eq "$output" "umask: 0077"
	# decimal, as OCI JSON writes it: 18 = 0022 and 0 = 0000
	printf '%s\n' '{"process": {"user": {"umask": 0}}}' >"$DIR/c.json"
	run -0 --separate-stderr sluice run -c "$DIR/c.json" --rootfs "$ROOTFS" -- probe umask
	assert_eq "$output" "umask: 0000"
}

@test "umask (test user)" {
	requires_userns
	printf '%s\n' 'process:' '  user: {umask: 0o027}' >"$DIR/c.yaml"
	run -0 --separate-stderr sluice_user run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe umask
	assert_eq "$output" "umask: 0027"
}

# ---- capabilities and no_new_privs ----

@test "capabilities: none by default, and no_new_privs" {
	requires_root
	run -0 --separate-stderr sluice run --rootfs "$ROOTFS" -- probe caps
	assert_eq "$output" "$(caps_are 0 0 0 0 0)"
}

@test "capabilities (test user): none by default, and no_new_privs" {
	requires_userns
	run -0 --separate-stderr sluice_user run --rootfs "$ROOTFS" -- probe caps
	assert_eq "$output" "$(caps_are 0 0 0 0 0)"
}

@test "--cap-add CAP_NET_BIND_SERVICE: in every set, for root and for uid 1000" {
	requires_root
	local c=$CAP_NET_BIND_SERVICE
	run -0 --separate-stderr sluice run --rootfs "$ROOTFS" --cap-add CAP_NET_BIND_SERVICE -- probe caps
	assert_eq "$output" "$(caps_are $c $c $c $c $c)"
	# the ambient set carries it across the exec of a non-root workload
	run -0 --separate-stderr sluice run --rootfs "$ROOTFS" --uid 1000 --gid 1000 --cap-add net_bind_service -- probe caps
	assert_eq "$output" "$(caps_are $c $c $c $c $c)"
}

@test "a capability granted to uid 1000 works, and across further execs" {
	requires_root
	local chown_f='touch /tmp/f && chown 1 /tmp/f && stat -c %u /tmp/f'
	run -0 --separate-stderr sluice run --rootfs "$ROOTFS" --uid 1000 --gid 1000 --cap-add CAP_CHOWN -- sh -c "$chown_f"
	assert_eq "$output" "1"
	run --separate-stderr sluice run --rootfs "$ROOTFS" --uid 1000 --gid 1000 -- sh -c "$chown_f"
	assert_status 1
	assert_contains "$stderr" "Operation not permitted"
}

@test "--cap-add CAP_NET_BIND_SERVICE (test user)" {
	requires_userns
	local c=$CAP_NET_BIND_SERVICE
	run -0 --separate-stderr sluice_user run --rootfs "$ROOTFS" --cap-add CAP_NET_BIND_SERVICE -- probe caps
	assert_eq "$output" "$(caps_are $c $c $c $c $c)"
}

@test "--cap-drop removes a capability --cap-add granted" {
	requires_root
	local c=$CAP_NET_BIND_SERVICE
	run -0 --separate-stderr sluice run --rootfs "$ROOTFS" --uid 1000 --gid 1000 \
		--cap-add CAP_KILL --cap-add CAP_NET_BIND_SERVICE --cap-drop kill -- probe caps
	assert_eq "$output" "$(caps_are $c $c $c $c $c)"
}

# The explicit sets: KILL everywhere, CHOWN only in the bounding set.
explicit_caps_config() {
	cat >"$1" <<-'EOF'
		process:
		  capabilities:
		    bounding: [CAP_KILL, CAP_CHOWN]
		    effective: [CAP_KILL]
		    inheritable: [CAP_KILL]
		    permitted: [CAP_KILL]
		    ambient: [CAP_KILL]
	EOF
}

@test "capabilities: explicit sets from a config" {
	requires_root
	explicit_caps_config "$DIR/c.yaml"
	local k=$CAP_KILL b=$((CAP_KILL | CAP_CHOWN))
	run -0 --separate-stderr sluice run -c "$DIR/c.yaml" --rootfs "$ROOTFS" --uid 1000 --gid 1000 -- probe caps
	assert_eq "$output" "$(caps_are $k $k $k $b $k)"
	# root's exec fills permitted from the bounding set (execve(2)): only
	# the bounding set is exactly the config's
	run -0 --separate-stderr sluice run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe caps
	parse_fields
	assert_eq "${F[CapBnd]}" "$(printf %016x $b)"
	assert_eq "${F[CapInh]} ${F[CapAmb]}" "$(printf '%016x %016x' $k $k)"
}

@test "capabilities: explicit sets from a config (test user)" {
	requires_userns
	explicit_caps_config "$DIR/c.yaml"
	local k=$CAP_KILL b=$((CAP_KILL | CAP_CHOWN))
	run -0 --separate-stderr sluice_user run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe caps
	assert_eq "$output" "$(caps_are $k $k $k $b $k)"
}

@test "an unknown capability: 78 with file:line:col in a config, 64 for --cap-add" {
	cat >"$DIR/c.yaml" <<-'EOF'
		process:
		  capabilities:
		    bounding: [CAP_KILL, CAP_FOO]
	EOF
	run --separate-stderr sluice run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe caps -- "$M"
	assert_status 78
	assert_eq "$stderr" "sluice: $DIR/c.yaml:3:26: process.capabilities.bounding[1]: unknown capability \"CAP_FOO\""
	run --separate-stderr sluice run --rootfs "$ROOTFS" --cap-add CAP_FOO -- probe caps -- "$M"
	assert_status 64
	assert_eq "$stderr" "sluice: --cap-add: unknown capability \"CAP_FOO\""
	run --separate-stderr sluice run --rootfs "$ROOTFS" --cap-drop FOO -- probe caps -- "$M"
	assert_status 64
	assert_eq "$stderr" "sluice: --cap-drop: unknown capability \"FOO\""
	assert_no_leftovers "$M"
}

@test "an unknown capability (test user): 78 and 64" {
	requires_user
	printf '%s\n' 'process:' '  capabilities: {ambient: [CAP_FOO]}' >"$DIR/c.yaml"
	run --separate-stderr sluice_user run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe caps -- "$M"
	assert_status 78
	assert_contains "$stderr" "unknown capability \"CAP_FOO\""
	run --separate-stderr sluice_user run --rootfs "$ROOTFS" --cap-add CAP_FOO -- probe caps -- "$M"
	assert_status 64
	assert_no_leftovers "$M"
}

@test "noNewPrivileges: false leaves no_new_privs unset" {
	requires_root
	printf '%s\n' 'process: {noNewPrivileges: false}' >"$DIR/c.yaml"
	run -0 --separate-stderr sluice run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe caps
	parse_fields
	assert_eq "${F[NoNewPrivs]}" "0"
}

@test "noNewPrivileges: false (test user)" {
	requires_userns
	printf '%s\n' 'process: {noNewPrivileges: false}' >"$DIR/c.yaml"
	run -0 --separate-stderr sluice_user run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe caps
	parse_fields
	assert_eq "${F[NoNewPrivs]}" "0"
}

# ---- rlimits ----

@test "rlimits: RLIMIT_NOFILE soft 100 hard 200; the others are inherited" {
	requires_root
	cat >"$DIR/c.yaml" <<-'EOF'
		process:
		  rlimits:
		  - {type: RLIMIT_NOFILE, soft: 100, hard: 200}
		  - {type: RLIMIT_CORE, soft: 0, hard: 18446744073709551615}
	EOF
	run -0 --separate-stderr sluice run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe rlimits
	parse_fields
	assert_eq "${F[RLIMIT_NOFILE]}" "100 200"
	assert_eq "${F[RLIMIT_CORE]}" "0 unlimited"
	assert_eq "${F[RLIMIT_NPROC]}" "$(ulimit -Su) $(ulimit -Hu)" "RLIMIT_NPROC is inherited"
}

@test "rlimits (test user)" {
	requires_userns
	printf '%s\n' 'process:' '  rlimits: [{type: RLIMIT_NOFILE, soft: 100, hard: 200}]' >"$DIR/c.yaml"
	run -0 --separate-stderr sluice_user run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe rlimits
	parse_fields
	assert_eq "${F[RLIMIT_NOFILE]}" "100 200"
}

# nofile_above_hard FILE: a config raising RLIMIT_NOFILE's hard limit above
# the caller's; skips if that could work (CAP_SYS_RESOURCE, unlimited).
nofile_above_hard() {
	local hard max
	hard=$(ulimit -Hn)
	max=$(cat /proc/sys/fs/nr_open)
	if [[ ! $hard =~ ^[0-9]+$ ]] || ((hard >= max)); then
		skip "RLIMIT_NOFILE's hard limit ($hard) cannot be raised"
	fi
	printf '%s\n' 'process:' "  rlimits: [{type: RLIMIT_NOFILE, soft: 100, hard: $((hard + 1))}]" >"$1"
	NOFILE_HARD=$((hard + 1))
}

@test "raising the hard RLIMIT_NOFILE without CAP_SYS_RESOURCE: 125 naming it" {
	requires_root
	local bnd
	bnd=$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)
	if (((16#$bnd >> 24) & 1)); then
		skip "CAP_SYS_RESOURCE is in the bounding set: root may raise the limit"
	fi
	nofile_above_hard "$DIR/c.yaml"
	run --separate-stderr sluice run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe rlimits -- "$M"
	assert_status 125
	assert_eq "$output" ""
	assert_eq "$stderr" "sluice: rlimits: set RLIMIT_NOFILE to soft 100, hard $NOFILE_HARD (raising a hard limit needs CAP_SYS_RESOURCE): Operation not permitted"
	assert_no_leftovers "$M"
}

@test "raising the hard RLIMIT_NOFILE (test user): 125 naming it" {
	requires_userns
	nofile_above_hard "$DIR/c.yaml"
	run --separate-stderr sluice_user run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe rlimits -- "$M"
	assert_status 125
	assert_contains "$stderr" "sluice: rlimits: set RLIMIT_NOFILE to soft 100, hard $NOFILE_HARD"
	assert_no_leftovers "$M"
}

@test "an unknown rlimit name: 78 with a hint" {
	printf '%s\n' 'process:' '  rlimits: [{type: RLIMIT_NOFLIE, soft: 1, hard: 1}]' >"$DIR/c.yaml"
	run --separate-stderr sluice run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe rlimits -- "$M"
	assert_status 78
	assert_eq "$stderr" "sluice: $DIR/c.yaml:2:20: process.rlimits[0].type: unknown rlimit \"RLIMIT_NOFLIE\" (did you mean \"RLIMIT_NOFILE\"?)"
	assert_no_leftovers "$M"
}

@test "a soft rlimit above the hard one: 78" {
	printf '%s\n' 'process:' '  rlimits: [{type: RLIMIT_NOFILE, soft: 300, hard: 200}]' >"$DIR/c.yaml"
	run --separate-stderr sluice run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe rlimits -- "$M"
	assert_status 78
	assert_contains "$stderr" "sluice: $DIR/c.yaml:"
	assert_contains "$stderr" "process.rlimits[0]: soft limit 300 is above hard limit 200"
	assert_no_leftovers "$M"
}

# ---- hostname, domainname ----

@test "hostname and domainname from a config; --hostname" {
	requires_root
	local before
	before=$(hostname)
	printf '%s\n' 'hostname: box' 'domainname: example.org' >"$DIR/c.yaml"
	run -0 --separate-stderr sluice run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe hostname
	assert_eq "$output" "hostname: box
domainname: example.org"
	run -0 --separate-stderr sluice run -c "$DIR/c.yaml" --hostname other --rootfs "$ROOTFS" -- probe hostname
	assert_eq "$output" "hostname: other
domainname: example.org"
	assert_eq "$(hostname)" "$before" "the host's hostname changed"
}

@test "hostname and domainname (test user)" {
	requires_userns
	printf '%s\n' 'hostname: box' 'domainname: example.org' >"$DIR/c.yaml"
	run -0 --separate-stderr sluice_user run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe hostname
	assert_eq "$output" "hostname: box
domainname: example.org"
	run -0 --separate-stderr sluice_user run --hostname other --rootfs "$ROOTFS" -- probe hostname
	assert_eq "$output" "hostname: other
domainname: (none)"
}

# ---- personality ----

@test "linux.personality LINUX32: uname says i686, with and without the init, after an exec too; LINUX: x86_64" {
	[[ $(uname -m) == x86_64 ]] || skip "LINUX32 reads as i686 on x86_64"
	printf '%s\n' 'linux: {personality: {domain: LINUX32, flags: []}}' >"$DIR/p.yaml"
	run -0 --separate-stderr sluice run -c "$DIR/p.yaml" --rootfs "$ROOTFS" -- uname -m
	assert_eq "$output" "i686"
	run -0 --separate-stderr sluice run -c "$DIR/p.yaml" --init --rootfs "$ROOTFS" -- /bin/sh -c 'uname -m; exec uname -m'
	assert_eq "$output" $'i686\ni686'
	printf '%s\n' 'linux: {personality: {domain: LINUX}}' >"$DIR/l.yaml"
	run -0 --separate-stderr sluice run -c "$DIR/l.yaml" --rootfs "$ROOTFS" -- uname -m
	assert_eq "$output" "x86_64"
	printf '%s\n' 'linux: {personality: {domain: LINUX64}}' >"$DIR/b.yaml"
	run -78 --separate-stderr sluice run -c "$DIR/b.yaml" --rootfs "$ROOTFS" -- uname -m
	assert_eq "$stderr" "sluice: $DIR/b.yaml:1:31: linux.personality.domain: expected LINUX or LINUX32, got \"LINUX64\""
	assert_no_leftovers "$M"
}

@test "linux.personality LINUX32 (test user)" {
	requires_userns
	[[ $(uname -m) == x86_64 ]] || skip "LINUX32 reads as i686 on x86_64"
	printf '%s\n' 'linux: {personality: {domain: LINUX32}}' >"$DIR/p.yaml"
	run -0 --separate-stderr sluice_user run -c "$DIR/p.yaml" --rootfs "$ROOTFS" -- uname -m
	assert_eq "$output" "i686"
}

# ---- scheduling ----

@test "process.scheduler and ioPriority: the workload and the init have them; real-time as root without a user namespace; deadline only without the init" {
	printf '%s\n' 'process: {scheduler: {policy: SCHED_BATCH, nice: 7}, ioPriority: {class: IOPRIO_CLASS_IDLE, priority: 0}}' >"$DIR/s.yaml"
	run -0 --separate-stderr sluice run -c "$DIR/s.yaml" --rootfs "$ROOTFS" -- /bin/sh -c 'probe sched; cut -d" " -f19 /proc/1/stat'
	assert_eq "${lines[*]:0:4}" "policy: 3 flags: 0 nice: 7 priority: 0"
	assert_contains "$output" "ioprio: 3 0"
	assert_eq "${lines[-1]}" 7 "the init's nice"
	run -0 --separate-stderr sluice run -c "$DIR/s.yaml" --no-init --rootfs "$ROOTFS" -- probe sched
	assert_eq "${lines[*]:0:4}" "policy: 3 flags: 0 nice: 7 priority: 0"
	# SCHED_FIFO and the real-time I/O class need CAP_SYS_NICE / CAP_SYS_ADMIN
	# of the host: root's, not a user namespace's
	cat >"$DIR/f.yaml" <<-EOF
		process: {scheduler: {policy: SCHED_FIFO, priority: 10}, ioPriority: {class: IOPRIO_CLASS_RT, priority: 3}}
		linux: {namespaces: [{type: mount}, {type: pid}]}
	EOF
	run -0 --separate-stderr sluice run -c "$DIR/f.yaml" --rootfs "$ROOTFS" -- probe sched
	assert_eq "${lines[*]:0:4}" "policy: 1 flags: 0 nice: 0 priority: 10"
	assert_contains "$output" "ioprio: 1 3"
	cat >"$DIR/u.yaml" <<-EOF
		process: {scheduler: {policy: SCHED_FIFO, priority: 10}}
		linux: {namespaces: [{type: user}, {type: mount}, {type: pid}]}
	EOF
	run -125 --separate-stderr sluice run -c "$DIR/u.yaml" --rootfs "$ROOTFS" -- probe sched
	assert_eq "$stderr" "sluice: scheduler: process.scheduler: sched_setattr(policy 1, nice 0, priority 10): Operation not permitted"
	cat >"$DIR/d.yaml" <<-EOF
		process: {scheduler: {policy: SCHED_DEADLINE, runtime: 42000, deadline: 100000, period: 1000000}}
		linux: {namespaces: [{type: mount}, {type: pid}]}
	EOF
	run -0 --separate-stderr sluice run -c "$DIR/d.yaml" --no-init --rootfs "$ROOTFS" -- probe sched
	assert_contains "$output" $'policy: 6\nflags: 0\nnice: 0\npriority: 0\ndl: 42000 100000 1000000'
	run -78 --separate-stderr sluice run -c "$DIR/d.yaml" --rootfs "$ROOTFS" -- probe sched
	assert_eq "$stderr" "sluice: scheduler: process.scheduler: SCHED_DEADLINE would not reach the workload that sluice's init forks: run it without the init (--no-init, sluice.init: false)"
	assert_no_leftovers "$M"
}

@test "process.scheduler, ioPriority, execCPUAffinity: bad values, each with its message" {
	local -A bad=(
		['scheduler: {policy: SCHED_ISO}']='process.scheduler.policy: SCHED_ISO is reserved: Linux does not implement it'
		['scheduler: {nice: 3}']='process.scheduler: required key "policy" is missing'
		['scheduler: {policy: SCHED_RR}']='process.scheduler.priority: SCHED_FIFO and SCHED_RR need 1..99'
		['scheduler: {policy: SCHED_BATCH, priority: 5}']='process.scheduler.priority: only SCHED_FIFO and SCHED_RR have one (0)'
		['scheduler: {policy: SCHED_OTHER, nice: -21}']='process.scheduler.nice: -21 is out of range (-20..19)'
		['scheduler: {policy: SCHED_OTHER, runtime: 5}']="process.scheduler: runtime, deadline and period are SCHED_DEADLINE's"
		['scheduler: {policy: SCHED_DEADLINE, runtime: 5, deadline: 2}']='process.scheduler: SCHED_DEADLINE needs 0 < runtime <= deadline <= period (a period of 0 is the deadline)'
		['scheduler: {policy: SCHED_OTHER, flags: [SCHED_FLAG_X]}']='process.scheduler.flags[0]: unknown value "SCHED_FLAG_X" (one of SCHED_FLAG_RESET_ON_FORK, SCHED_FLAG_RECLAIM, SCHED_FLAG_DL_OVERRUN, SCHED_FLAG_KEEP_POLICY, SCHED_FLAG_KEEP_PARAMS, SCHED_FLAG_UTIL_CLAMP_MIN, SCHED_FLAG_UTIL_CLAMP_MAX)'
		['ioPriority: {class: IOPRIO_CLASS_NONE, priority: 0}']='process.ioPriority.class: unknown value "IOPRIO_CLASS_NONE" (one of IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE)'
		['ioPriority: {class: IOPRIO_CLASS_BE}']='process.ioPriority: required key "priority" is missing'
		['ioPriority: {class: IOPRIO_CLASS_BE, priority: 8}']='process.ioPriority.priority: 8 is out of range (0..7)'
		['execCPUAffinity: {initial: "3-1"}']='process.execCPUAffinity.initial: expected a CPU list such as 0-3,7 (CPUs 0..8191), got "3-1"'
		['execCPUAffinity: {final: "0,,1"}']='process.execCPUAffinity.final: expected a CPU list such as 0-3,7 (CPUs 0..8191), got "0,,1"'
	)
	local k
	for k in "${!bad[@]}"; do
		printf 'process:\n  %s\n' "$k" >"$DIR/b.yaml"
		run -78 --separate-stderr sluice run -c "$DIR/b.yaml" --rootfs "$ROOTFS" -- true
		[[ $stderr == "sluice: $DIR/b.yaml:"*": ${bad[$k]}" ]] || fail "$k: $stderr"
	done
	# a valid list, but `sluice run` starts no exec
	printf 'process:\n  execCPUAffinity: {initial: "0", final: ""}\n' >"$DIR/b.yaml"
	run -78 --separate-stderr sluice run -c "$DIR/b.yaml" --rootfs "$ROOTFS" -- true
	assert_eq "$stderr" "sluice: $DIR/b.yaml: process.execCPUAffinity applies to processes that \`sluice exec\` starts in a container only (docs/oci.md)"
	assert_no_leftovers "$M"
}

@test "process.scheduler and ioPriority (test user): a lower priority, as anyone may set it" {
	requires_userns
	printf '%s\n' 'process: {scheduler: {policy: SCHED_IDLE}, ioPriority: {class: IOPRIO_CLASS_BE, priority: 7}}' >"$DIR/s.yaml"
	run -0 --separate-stderr sluice_user run -c "$DIR/s.yaml" --rootfs "$ROOTFS" -- probe sched
	assert_eq "${lines[*]:0:4}" "policy: 5 flags: 0 nice: 0 priority: 0"
	assert_contains "$output" "ioprio: 2 7"
}

@test "linux.memoryPolicy: every mode the spec lists, its flags, on node 0; the workload and an exec'd program keep it" {
	local -A want=(
		['{mode: MPOL_BIND, nodes: "0"}']='2 0 0'
		['{mode: MPOL_INTERLEAVE, nodes: "0", flags: [MPOL_F_STATIC_NODES]}']='3 0x8000 0'
		['{mode: MPOL_PREFERRED, nodes: "0", flags: [MPOL_F_RELATIVE_NODES]}']='1 0x4000 0'
		['{mode: MPOL_LOCAL}']='4 0 '
		['{mode: MPOL_DEFAULT}']='0 0 '
	)
	local k
	for k in "${!want[@]}"; do
		printf 'linux: {memoryPolicy: %s}\n' "$k" >"$DIR/m.yaml"
		# (the default filter refuses get_mempolicy, as the engines' profiles do)
		run -0 --separate-stderr sluice run -c "$DIR/m.yaml" --no-seccomp --rootfs "$ROOTFS" -- /bin/sh -c 'probe mempolicy; exec probe mempolicy'
		parse_fields
		assert_eq "${F[mode]} ${F[flags]} ${F[nodes]# }" "${want[$k]}" "$k"
		assert_eq "${lines[*]:0:3}" "${lines[*]:3:3}" "$k: after an exec"
	done
	# the kernel's own answer for what only it can judge: a node not online
	printf 'linux: {memoryPolicy: {mode: MPOL_BIND, nodes: "1023"}}\n' >"$DIR/m.yaml"
	run -125 --separate-stderr sluice run -c "$DIR/m.yaml" --rootfs "$ROOTFS" -- true
	assert_eq "$stderr" "sluice: memory-policy: linux.memoryPolicy: set_mempolicy(MPOL_BIND, nodes 1023) (nodes that are not online, or flags this kernel does not take with the mode): Invalid argument"
	local -A bad=(
		['{mode: MPOL_BIND}']='linux.memoryPolicy: MPOL_BIND needs nodes'
		['{mode: MPOL_LOCAL, nodes: "0"}']='linux.memoryPolicy: MPOL_LOCAL takes no nodes'
		['{mode: MPOL_DEFAULT, flags: [MPOL_F_STATIC_NODES]}']='linux.memoryPolicy: MPOL_DEFAULT takes no flags'
		['{mode: MPOL_BIND, nodes: "0", flags: [MPOL_F_STATIC_NODES, MPOL_F_RELATIVE_NODES]}']='linux.memoryPolicy: MPOL_F_RELATIVE_NODES and MPOL_F_STATIC_NODES exclude each other'
		['{mode: MPOL_SOMETIMES}']='linux.memoryPolicy.mode: unknown value "MPOL_SOMETIMES" (one of MPOL_DEFAULT, MPOL_PREFERRED, MPOL_BIND, MPOL_INTERLEAVE, MPOL_LOCAL, MPOL_PREFERRED_MANY, MPOL_WEIGHTED_INTERLEAVE)'
		['{mode: MPOL_BIND, nodes: "0", flags: [MPOL_F_LAZY]}']='linux.memoryPolicy.flags[0]: unknown value "MPOL_F_LAZY" (one of MPOL_F_NUMA_BALANCING, MPOL_F_RELATIVE_NODES, MPOL_F_STATIC_NODES)'
		['{mode: MPOL_BIND, nodes: "1024"}']='linux.memoryPolicy.nodes: expected a node list such as 0-3,7 (nodes 0..1023), got "1024"'
		['{nodes: "0"}']='linux.memoryPolicy: required key "mode" is missing'
	)
	for k in "${!bad[@]}"; do
		printf 'linux: {memoryPolicy: %s}\n' "$k" >"$DIR/b.yaml"
		run -78 --separate-stderr sluice run -c "$DIR/b.yaml" --rootfs "$ROOTFS" -- true
		[[ $stderr == "sluice: $DIR/b.yaml:1:"*": ${bad[$k]}" ]] || fail "$k: $stderr"
	done
	assert_no_leftovers "$M"
}

@test "linux.memoryPolicy (test user)" {
	requires_userns
	printf 'linux: {memoryPolicy: {mode: MPOL_INTERLEAVE, nodes: "0"}}\n' >"$DIR/m.yaml"
	run -0 --separate-stderr sluice_user run -c "$DIR/m.yaml" --no-seccomp --rootfs "$ROOTFS" -- probe mempolicy
	assert_eq "$output" $'mode: 3\nflags: 0\nnodes: 0'
}

# ---- time namespace offsets ----

# time_config FILE: a new time namespace whose boottime is 10 days ahead and
# monotonic clock 1 day.
time_config() {
	cat >"$1" <<-EOF
		mounts: [{destination: /proc, type: proc, source: proc}]
		linux:
		  namespaces: [{type: user}, {type: mount}, {type: pid}, {type: time}]
		  timeOffsets: {monotonic: {secs: 86400}, boottime: {secs: 864000, nanosecs: 5}}
	EOF
}

@test "linux.timeOffsets: the sandbox's clocks are ahead by them, with and without the init; the host's are not" {
	time_config "$DIR/t.yaml"
	run -0 --separate-stderr sluice run -c "$DIR/t.yaml" --rootfs "$ROOTFS" -- cat /proc/self/timens_offsets /proc/uptime
	[[ ${lines[0]} =~ ^monotonic\ +86400\ +0$ && ${lines[1]} =~ ^boottime\ +864000\ +5$ ]] || fail "$output"
	((${lines[2]%%.*} >= 864000)) || fail "uptime inside: ${lines[2]}"
	run -0 --separate-stderr sluice run -c "$DIR/t.yaml" --init --rootfs "$ROOTFS" -- cat /proc/uptime
	((${output%%.*} >= 864000)) || fail "uptime inside (--init): $output"
	# the helper enters the time namespace itself: without the init the
	# workload is the sandbox's PID 1, as with any other namespace
	run -0 --separate-stderr sluice run -c "$DIR/t.yaml" --no-init --rootfs "$ROOTFS" -- sh -c 'echo $$; cut -d. -f1 /proc/uptime'
	assert_eq "${lines[0]}" 1
	((lines[1] >= 864000)) || fail "uptime inside (--no-init): ${lines[1]}"
	(($(cut -d. -f1 /proc/uptime) < 864000)) || skip "this host has been up for 10 days"
	assert_no_leftovers "$M"
}

@test "linux.timeOffsets (test user)" {
	requires_userns
	time_config "$DIR/t.yaml"
	run -0 --separate-stderr sluice_user run -c "$DIR/t.yaml" --rootfs "$ROOTFS" -- cat /proc/uptime
	((${output%%.*} >= 864000)) || fail "uptime inside: $output"
}

@test "linux.timeOffsets without a new time namespace: 78, nothing started" {
	printf '%s\n' 'linux: {timeOffsets: {monotonic: {secs: 1}}}' >"$DIR/n.yaml"
	run -78 --separate-stderr sluice run -c "$DIR/n.yaml" --rootfs "$ROOTFS" -- /bin/true "$M"
	assert_eq "$stderr" "sluice: $DIR/n.yaml: linux.timeOffsets needs a time namespace: add {type: time} to linux.namespaces"
	assert_no_leftovers "$M"
}

@test "a hostname without a uts namespace: 78" {
	requires_root
	cat >"$DIR/c.yaml" <<-'EOF'
		hostname: box
		linux:
		  namespaces: [{type: mount}, {type: pid}]
	EOF
	run --separate-stderr sluice run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe hostname -- "$M"
	assert_status 78
	assert_eq "$stderr" "sluice: $DIR/c.yaml: hostname needs the uts namespace: add {type: uts} to linux.namespaces (or set hostname: \"\")"
	assert_no_leftovers "$M"
}

# ---- the environment ----

@test "env: exactly PATH and HOME by default; --env K=V sets, --env K copies" {
	requires_root
	local path=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	local -x SLUICE_TEST_FOO="from the caller $M"
	run -0 --separate-stderr sluice run --rootfs "$ROOTFS" -- probe env
	assert_eq "$output" "HOME=/tmp
$path"
	unset SLUICE_TEST_UNSET
	run -0 --separate-stderr sluice run --rootfs "$ROOTFS" --env K=V --env SLUICE_TEST_FOO \
		--env SLUICE_TEST_UNSET --env HOME=/root --env E= -- probe env
	assert_eq "$output" "E=
HOME=/root
K=V
$path
SLUICE_TEST_FOO=from the caller $M"
}

@test "env (test user)" {
	requires_userns
	local -x SLUICE_TEST_FOO="from the caller $M"
	run -0 --separate-stderr sluice_user run --rootfs "$ROOTFS" --env K=V --env SLUICE_TEST_FOO -- probe env
	assert_eq "$output" "HOME=/tmp
K=V
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
SLUICE_TEST_FOO=from the caller $M"
}

@test "--env without a name: 64" {
	run --separate-stderr sluice run --rootfs "$ROOTFS" --env =V -- probe env -- "$M"
	assert_status 64
	assert_eq "$stderr" "sluice: run: --env: no variable name: =V"
	assert_no_leftovers "$M"
}

# ---- oom_score_adj ----

@test "oomScoreAdj: 500 is written to /proc/self/oom_score_adj" {
	requires_root
	printf '%s\n' 'process: {oomScoreAdj: 500}' >"$DIR/c.yaml"
	run -0 --separate-stderr sluice run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- cat /proc/self/oom_score_adj
	assert_eq "$output" "500"
	# unset: inherited
	run -0 --separate-stderr sluice run --rootfs "$ROOTFS" -- cat /proc/self/oom_score_adj
	assert_eq "$output" "$(cat /proc/self/oom_score_adj)"
}

@test "oomScoreAdj (test user): raising works, lowering needs CAP_SYS_RESOURCE (125)" {
	requires_userns
	printf '%s\n' 'process: {oomScoreAdj: 500}' >"$DIR/c.yaml"
	run -0 --separate-stderr sluice_user run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- cat /proc/self/oom_score_adj
	assert_eq "$output" "500"
	[[ $(cat /proc/self/oom_score_adj) -gt -500 ]] || skip "the caller's oom_score_adj is already low"
	printf '%s\n' 'process: {oomScoreAdj: -500}' >"$DIR/c.yaml"
	run --separate-stderr sluice_user run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- cat /proc/self/oom_score_adj -- "$M"
	assert_status 125
	assert_eq "$stderr" "sluice: oom-score-adj: set oom_score_adj to -500 (lowering it needs CAP_SYS_RESOURCE): Permission denied"
	assert_no_leftovers "$M"
}

@test "oomScoreAdj out of range: 78" {
	printf '%s\n' 'process: {oomScoreAdj: 1001}' >"$DIR/c.yaml"
	run --separate-stderr sluice run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- true "$M"
	assert_status 78
	assert_eq "$stderr" "sluice: $DIR/c.yaml:1:24: process.oomScoreAdj: 1001 is out of range (-1000..1000)"
	assert_no_leftovers "$M"
}

# ---- sysctl ----

@test "sysctl: namespaced keys take effect inside, the host's values stay" {
	requires_root
	local fwd shmmni want_fwd
	fwd=$(cat /proc/sys/net/ipv4/ip_forward) shmmni=$(cat /proc/sys/kernel/shmmni)
	want_fwd=$((1 - fwd))
	cat >"$DIR/c.yaml" <<-EOF
		linux:
		  sysctl:
		    net.ipv4.ip_forward: "$want_fwd"
		    kernel.shmmni: $((shmmni - 7))
	EOF
	run -0 --separate-stderr sluice run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- \
		cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni
	assert_eq "$output" "$want_fwd
$((shmmni - 7))"
	assert_eq "$(cat /proc/sys/net/ipv4/ip_forward) $(cat /proc/sys/kernel/shmmni)" "$fwd $shmmni" "the host's values"
}

@test "sysctl (test user): a network key takes effect inside, the host's stays" {
	requires_userns
	local fwd want_fwd
	fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	want_fwd=$((1 - fwd))
	printf '%s\n' 'linux:' "  sysctl: {net.ipv4.ip_forward: \"$want_fwd\"}" >"$DIR/c.yaml"
	run -0 --separate-stderr sluice_user run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- cat /proc/sys/net/ipv4/ip_forward
	assert_eq "$output" "$want_fwd"
	assert_eq "$(cat /proc/sys/net/ipv4/ip_forward)" "$fwd" "the host's value"
}

@test "sysctl: a key that does not exist is an error naming it (125)" {
	requires_root
	printf '%s\n' 'linux:' '  sysctl: {net.ipv4.no_such_key: "1"}' >"$DIR/c.yaml"
	run --separate-stderr sluice run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- true "$M"
	assert_status 125
	assert_eq "$stderr" "sluice: sysctl: sysctl net.ipv4.no_such_key=1: No such file or directory"
	assert_no_leftovers "$M"
}

@test "sysctl: a key that walks out of /proc/sys is refused (78)" {
	requires_root
	printf '%s\n' 'linux:' '  sysctl: {"net/../../kernel/x": "1"}' >"$DIR/c.yaml"
	run --separate-stderr sluice run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- true "$M"
	assert_status 78
	assert_eq "$stderr" "sluice: $DIR/c.yaml: linux.sysctl \"net/../../kernel/x\": not a valid key"
	assert_no_leftovers "$M"
}

@test "sysctl: a key of no namespace of the sandbox would change the host: refused (78)" {
	requires_root
	local swappiness
	swappiness=$(cat /proc/sys/vm/swappiness)
	printf '%s\n' 'linux:' "  sysctl: {vm.swappiness: \"$((swappiness == 1 ? 2 : 1))\"}" >"$DIR/c.yaml"
	run --separate-stderr sluice run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- true "$M"
	# put it back before asserting, should sluice have written it
	local now
	now=$(cat /proc/sys/vm/swappiness)
	echo "$swappiness" >/proc/sys/vm/swappiness
	assert_eq "$now" "$swappiness" "the host's vm.swappiness changed"
	assert_status 78
	assert_eq "$stderr" "sluice: $DIR/c.yaml: linux.sysctl vm.swappiness: not a namespaced key (it would change the host)"
	# a network key with the host's network namespace, likewise
	printf '%s\n' 'linux:' '  sysctl: {net.ipv4.ip_forward: "1"}' >"$DIR/c.yaml"
	run --separate-stderr sluice run -c "$DIR/c.yaml" --share-net --rootfs "$ROOTFS" -- true "$M"
	assert_status 78
	assert_eq "$stderr" "sluice: $DIR/c.yaml: linux.sysctl net.ipv4.ip_forward: needs the network namespace (listed in linux.namespaces)"
	assert_no_leftovers "$M"
}
