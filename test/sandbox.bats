#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154,SC2030,SC2031 # single-quoted scripts run in the sandbox; bats sets $stderr and runs each test in a subshell; setup_file exports HOST_NS_*
# Namespaces (docs/config.md "linux", "Finalize and validation"): the
# embedded default creates pid, uts, ipc, network, cgroup and mount
# namespaces, plus a user namespace that maps the caller to itself when the
# caller is not root; --share-net keeps the host's network; a config can add
# the time namespace, join namespaces by path, and map id ranges through
# newuidmap/newgidmap.
#
# The sandboxes run in a busybox rootfs (/bin/sh, /bin/probe, /bin/ip)
# built once per file, so the probe is in reach wherever the clone lives;
# the namespaces do not depend on the root.

load helpers

setup_file() {
	local ns
	ROOTFS=$(scratch_dir)/rootfs
	make_rootfs "$ROOTFS"
	export ROOTFS
	for ns in cgroup ipc mnt net pid time user uts; do
		export "HOST_NS_$ns=$(readlink "/proc/self/ns/$ns")"
	done
}

setup() {
	leftovers_snapshot
	M=$(unique_marker)
	OUT=$BATS_TEST_TMPDIR/out
	DIR=$(scratch_dir)
	BG_PID=
	declare -gA F=()
}

teardown() {
	if [[ -n $BG_PID ]]; then
		bg_kill
	fi
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

# assert_new_namespaces NS...: each NS in the probe ns $output differs from
# the caller's.
assert_new_namespaces() {
	local ns host
	parse_fields
	for ns; do
		host=HOST_NS_$ns
		[[ ${F[$ns]-} == "$ns:["*"]" ]] || {
			echo "no $ns namespace id in: $output" >&2
			return 1
		}
		if [[ ${F[$ns]} == "${!host}" ]]; then
			echo "the $ns namespace is the host's (${!host}), expected a new one" >&2
			return 1
		fi
	done
}

# assert_host_namespaces NS...: each NS in $output is the caller's.
assert_host_namespaces() {
	local ns host
	parse_fields
	for ns; do
		host=HOST_NS_$ns
		assert_eq "${F[$ns]-}" "${!host}" "the $ns namespace should be the host's" || return 1
	done
}

# The test user's subordinate range in /etc/sub{u,g}id: "START COUNT".
subid_range() {
	awk -F: -v u="$SLUICE_TEST_USER" -v id="$2" '($1 == u || $1 == id) && NF >= 3 { print $2, $3; exit }' "$1"
}

# ---- the embedded default ----

@test "default (root): new pid, uts, ipc, net, cgroup and mount namespaces; no user namespace" {
	requires_root
	run -0 --separate-stderr sluice run --rootfs "$ROOTFS" -- probe ns
	assert_new_namespaces pid uts ipc net cgroup mnt
	assert_host_namespaces user time
	# uid 0..2^32-2 map to themselves: the initial user namespace
	run -0 --separate-stderr sluice run --rootfs "$ROOTFS" -- awk '{ print $1, $2, $3 }' /proc/self/uid_map
	assert_eq "$output" "0 0 4294967295"
}

@test "default (test user): a user namespace too, mapping the caller to itself" {
	requires_userns
	local uid gid
	uid=$(id -u "$SLUICE_TEST_USER") gid=$(id -g "$SLUICE_TEST_USER")
	run -0 --separate-stderr sluice_user run --rootfs "$ROOTFS" -- probe ns
	assert_new_namespaces user pid uts ipc net cgroup mnt
	assert_host_namespaces time
	run -0 --separate-stderr sluice_user run --rootfs "$ROOTFS" -- \
		awk '{ print FILENAME ": " $1, $2, $3 }' /proc/self/uid_map /proc/self/gid_map
	assert_eq "$output" "/proc/self/uid_map: $uid $uid 1
/proc/self/gid_map: $gid $gid 1"
	run -0 --separate-stderr sluice_user run --rootfs "$ROOTFS" -- probe ids
	parse_fields
	assert_eq "${F[uid]} ${F[euid]} ${F[gid]}" "$uid $uid $gid"
}

# Without a terminal the sandbox has a session of its own: the init (or a
# --no-init workload) leads it.
@test "default: the workload is pid 2 of its pid namespace, the init's child" {
	requires_root
	run -0 --separate-stderr sluice run --rootfs "$ROOTFS" -- probe pid
	assert_eq "$output" "pid: 2
ppid: 1
pgid: 1
sid: 1"
	# the init and the workload, nothing else
	run -0 --separate-stderr sluice run --rootfs "$ROOTFS" -- ls /proc
	assert_eq "$(grep -E '^[0-9]+$' <<<"$output")" "$(printf '%s\n' 1 2)"
}

@test "--no-init: the workload is pid 1 of its pid namespace" {
	requires_root
	run -0 --separate-stderr sluice run --no-init --rootfs "$ROOTFS" -- probe pid
	assert_eq "$output" "pid: 1
ppid: 0
pgid: 1
sid: 1"
	run -0 --separate-stderr sluice run --no-init --rootfs "$ROOTFS" -- ls /proc
	assert_eq "$(grep -E '^[0-9]+$' <<<"$output")" "1"
}

@test "default (test user): the workload is pid 2, the init's child; --no-init: pid 1" {
	requires_userns
	run -0 --separate-stderr sluice_user run --rootfs "$ROOTFS" -- probe pid
	parse_fields
	assert_eq "${F[pid]} ${F[ppid]}" "2 1"
	run -0 --separate-stderr sluice_user run --no-init --rootfs "$ROOTFS" -- probe pid
	parse_fields
	assert_eq "${F[pid]} ${F[ppid]}" "1 0"
}

@test "default: the hostname is sluice, in the sandbox only" {
	requires_root
	local before
	before=$(hostname)
	run -0 --separate-stderr sluice run --rootfs "$ROOTFS" -- probe hostname
	parse_fields
	assert_eq "${F[hostname]}" "sluice"
	assert_eq "$(hostname)" "$before" "the host's hostname changed"
}

@test "default (test user): the hostname is sluice" {
	requires_userns
	run -0 --separate-stderr sluice_user run --rootfs "$ROOTFS" -- probe hostname
	parse_fields
	assert_eq "${F[hostname]}" "sluice"
}

@test "default: the network namespace has only lo, and lo is up" {
	requires_root
	run -0 --separate-stderr sluice run --rootfs "$ROOTFS" -- sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
	assert_eq "$output" "lo" "interfaces in /proc/net/dev"
	run -0 --separate-stderr sluice run --rootfs "$ROOTFS" -- ip -o link show
	assert_eq "$(wc -l <<<"$output")" "1" "ip link: $output"
	[[ $output =~ ^1:\ lo:\ \<([A-Z_,]*)\> ]] || {
		echo "unexpected ip link output: $output" >&2
		return 1
	}
	assert_contains ",${BASH_REMATCH[1]}," ",UP," "lo is not up"
}

@test "default (test user): only lo, and lo is up" {
	requires_userns
	run -0 --separate-stderr sluice_user run --rootfs "$ROOTFS" -- sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
	assert_eq "$output" "lo" "interfaces in /proc/net/dev"
	run -0 --separate-stderr sluice_user run --rootfs "$ROOTFS" -- ip -o link show lo
	[[ $output =~ ^1:\ lo:\ \<([A-Z_,]*)\> ]] || {
		echo "unexpected ip link output: $output" >&2
		return 1
	}
	assert_contains ",${BASH_REMATCH[1]}," ",UP," "lo is not up"
}

@test "default: a mount inside the sandbox is not visible on the host" {
	requires_root
	bg_start "$OUT" 30 "$SLUICE" run --rootfs "$ROOTFS" --tmpfs /run:size=1m -- probe sleep 30 - -- "$M"
	wait_for_file "$OUT" 10 ready
	local pid
	pid=$(child_of "$BG_PID")
	# the sandbox has its mounts (/run among them), the host none of them
	grep -q ' /run rw,nosuid,nodev[, ].* - tmpfs ' "/proc/$pid/mountinfo"
	assert_mounts_unchanged
	[[ $(readlink "/proc/$pid/ns/mnt") != "$HOST_NS_mnt" ]]
	bg_kill
	BG_PID=
	assert_no_leftovers "$M"
}

@test "default (test user): a mount inside the sandbox is not visible on the host" {
	requires_userns
	as_user_cmd
	bg_start "$OUT" 30 "${AS_USER[@]}" "$SLUICE_USER_BIN" run --rootfs "$ROOTFS" --tmpfs /run:size=1m \
		-- probe sleep 30 - -- "$M"
	wait_for_file "$OUT" 10 ready
	local pid
	pid=$(child_of "$BG_PID")
	grep -q ' /run rw,nosuid,nodev[, ].* - tmpfs ' "/proc/$pid/mountinfo"
	assert_mounts_unchanged
	bg_kill
	BG_PID=
	assert_no_leftovers "$M"
}

# ---- options and configs ----

# in_own_netns SCRIPT ARGS...: bash SCRIPT in a network namespace of its
# own, with a veth pair sl0/sl1 and addresses on sl0: the "host" whose
# interfaces a sandbox takes (the real host's network is never touched).
in_own_netns() {
	local script=$1
	shift
	unshare --net bash -c 'ip link add sl0 type veth peer name sl1 &&
		ip addr add 10.9.8.7/24 dev sl0 && ip addr add fd00::7/64 dev sl0 nodad &&
		ip addr add 10.9.9.9/24 dev sl0 valid_lft 300 preferred_lft 300 || exit 99
		'"$script" _ "$@"
}

@test "linux.netDevices: a host interface moves in, renamed, with its permanent global addresses, up; the host has it no more" {
	requires_root
	command -v ip >/dev/null || skip "no ip(8) on the host"
	printf 'linux: {netDevices: {sl0: {name: ctr0}}}\n' >"$DIR/n.yaml"
	run -0 --separate-stderr in_own_netns '"$@"; echo "host: $(ip -o link show sl0 2>&1 | head -c 30)"' \
		"$SLUICE" run -c "$DIR/n.yaml" --rootfs "$ROOTFS" -- sh -c 'ip -o addr show dev ctr0; ip -o link show ctr0'
	assert_contains "$output" "ctr0    inet 10.9.8.7/24 scope global ctr0"
	assert_contains "$output" "ctr0    inet6 fd00::7/64 scope global"
	[[ $output != *10.9.9.9* ]] || fail "a temporary address came along: $output"
	[[ $output =~ ctr0@[a-z0-9]*:\ \<[A-Z,_-]*UP ]] || fail "not up: $output"
	assert_contains "$output" 'host: Device "sl0" does not exist.'
	# a template: the kernel numbers it; both ends of the pair
	printf 'linux: {netDevices: {sl0: {name: "e%%d"}, sl1: {name: "e%%d"}}}\n' >"$DIR/t.yaml"
	run -0 --separate-stderr in_own_netns '"$@"' \
		"$SLUICE" run -c "$DIR/t.yaml" --rootfs "$ROOTFS" -- sh -c 'ip -o link | cut -d: -f2 | tr -d " " | sort'
	assert_eq "$output" $'e0@e1\ne1@e0\nlo'
	assert_no_leftovers "$M"
}

@test "linux.netDevices: errors (a name taken inside, no such interface, no network namespace, bad names), nothing left" {
	requires_root
	command -v ip >/dev/null || skip "no ip(8) on the host"
	printf 'linux: {netDevices: {sl0: {name: lo}}}\n' >"$DIR/n.yaml"
	run -125 --separate-stderr in_own_netns '"$@"; r=$?; ip -o link show sl0 >/dev/null || echo moved >&2; exit $r' \
		"$SLUICE" run -c "$DIR/n.yaml" --rootfs "$ROOTFS" -- true
	assert_eq "$stderr" "sluice: linux.netDevices: lo: the sandbox's network namespace has an interface of that name (end the name with %d for the kernel to number it): File exists"
	printf 'linux: {netDevices: {nope0: {}}}\n' >"$DIR/m.yaml"
	run -125 --separate-stderr in_own_netns '"$@"' "$SLUICE" run -c "$DIR/m.yaml" --rootfs "$ROOTFS" -- true
	assert_eq "$stderr" "sluice: linux.netDevices: nope0: no such interface on the host: No such device"
	printf 'linux: {namespaces: [{type: mount}, {type: pid}], netDevices: {sl0: {}}}\n' >"$DIR/s.yaml"
	run -78 --separate-stderr sluice run -c "$DIR/s.yaml" --rootfs "$ROOTFS" -- true
	assert_eq "$stderr" "sluice: $DIR/s.yaml: linux.netDevices needs a network namespace: add {type: network} to linux.namespaces"
	printf 'linux: {netDevices: {"a/b": {}}}\n' >"$DIR/b.yaml"
	run -78 --separate-stderr sluice run -c "$DIR/b.yaml" --rootfs "$ROOTFS" -- true
	assert_eq "$stderr" "sluice: $DIR/b.yaml:1:22: linux.netDevices: \"a/b\" is not an interface name"
	printf 'linux: {netDevices: {sl0: {name: "a%%s%%d"}}}\n' >"$DIR/b.yaml"
	run -78 --separate-stderr sluice run -c "$DIR/b.yaml" --rootfs "$ROOTFS" -- true
	assert_eq "$stderr" "sluice: $DIR/b.yaml:1:34: linux.netDevices.sl0.name: \"a%s%d\" is not an interface name (1 to 15 characters, no /, : or blanks; %d once as a template)"
	assert_no_leftovers "$M"
}

@test "linux.netDevices (test user): it needs root" {
	requires_userns
	command -v ip >/dev/null || skip "no ip(8) on the host"
	printf 'linux: {netDevices: {lo: {name: lo0}}}\n' >"$DIR/u.yaml"
	give_to_user "$DIR/u.yaml"
	run -125 --separate-stderr sluice_user run -c "$DIR/u.yaml" --rootfs "$ROOTFS" -- true
	assert_eq "$stderr" "sluice: linux.netDevices: lo0: cannot enter the sandbox's network namespace (it needs root): Operation not permitted"
}

@test "--share-net keeps the host's network namespace, and only that" {
	requires_root
	run -0 --separate-stderr sluice run --share-net --rootfs "$ROOTFS" -- probe ns
	assert_host_namespaces net
	assert_new_namespaces pid uts ipc cgroup mnt
	run -0 --separate-stderr sluice run --share-net --rootfs "$ROOTFS" -- sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | sort'
	assert_eq "$output" "$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort)" "interfaces"
}

@test "--share-net (test user): the host's network namespace inside a user namespace" {
	requires_userns
	run -0 --separate-stderr sluice_user run --share-net --rootfs "$ROOTFS" -- probe ns
	assert_host_namespaces net
	assert_new_namespaces user pid uts ipc cgroup mnt
}

@test "a config with {type: time} creates a time namespace" {
	requires_root
	cat >"$DIR/c.yaml" <<-'EOF'
		linux:
		  namespaces: [{type: mount}, {type: pid}, {type: ipc}, {type: uts}, {type: network},
		               {type: cgroup}, {type: time}]
	EOF
	run -0 --separate-stderr sluice run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe ns
	assert_new_namespaces time pid uts ipc net cgroup mnt
	assert_host_namespaces user
}

@test "a config with {type: time} (test user)" {
	requires_userns
	cat >"$DIR/c.yaml" <<-'EOF'
		linux:
		  namespaces: [{type: user}, {type: mount}, {type: pid}, {type: ipc}, {type: uts},
		               {type: network}, {type: cgroup}, {type: time}]
	EOF
	run -0 --separate-stderr sluice_user run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe ns
	assert_new_namespaces time user pid uts ipc net cgroup mnt
}

# ---- joining namespaces by path ----

# join_config FILE PID [user]: joins the network and uts namespaces of PID
# (and its user namespace with "user"), creates the others.
join_config() {
	{
		echo 'hostname: ""'
		echo 'linux:'
		echo '  namespaces:'
		[[ ${3-} != user ]] || echo "  - {type: user, path: /proc/$2/ns/user}"
		echo '  - {type: mount}'
		echo '  - {type: pid}'
		echo '  - {type: ipc}'
		echo '  - {type: cgroup}'
		echo "  - {type: uts, path: /proc/$2/ns/uts}"
		echo "  - {type: network, path: /proc/$2/ns/net}"
	} >"$1"
}

@test "joining the network and uts namespaces of a running sandbox by path" {
	requires_root
	bg_start "$OUT" 30 "$SLUICE" run --rootfs "$ROOTFS" --hostname first -- probe sleep 30 - -- "$M"
	wait_for_file "$OUT" 10 ready
	local pid
	pid=$(child_of "$BG_PID")
	join_config "$DIR/c.yaml" "$pid"
	run -0 --separate-stderr sluice run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe ns
	parse_fields
	assert_eq "${F[net]}" "$(readlink "/proc/$pid/ns/net")" "the joined network namespace"
	assert_eq "${F[uts]}" "$(readlink "/proc/$pid/ns/uts")" "the joined uts namespace"
	[[ ${F[net]} != "$HOST_NS_net" ]]
	# the others are new, not the first sandbox's
	[[ ${F[pid]} != "$(readlink "/proc/$pid/ns/pid")" && ${F[mnt]} != "$(readlink "/proc/$pid/ns/mnt")" ]]
	assert_new_namespaces pid mnt ipc cgroup
	run -0 --separate-stderr sluice run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe hostname
	parse_fields
	assert_eq "${F[hostname]}" "first"
	bg_kill
	BG_PID=
	assert_no_leftovers "$M"
}

@test "joining namespaces by path (test user, user namespace joined too)" {
	requires_userns
	as_user_cmd
	bg_start "$OUT" 30 "${AS_USER[@]}" "$SLUICE_USER_BIN" run --rootfs "$ROOTFS" --hostname first \
		-- probe sleep 30 - -- "$M"
	wait_for_file "$OUT" 10 ready
	local pid
	pid=$(child_of "$BG_PID")
	join_config "$DIR/c.yaml" "$pid" user
	run -0 --separate-stderr sluice_user run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe ns
	parse_fields
	assert_eq "${F[user]}" "$(readlink "/proc/$pid/ns/user")" "the joined user namespace"
	assert_eq "${F[net]}" "$(readlink "/proc/$pid/ns/net")" "the joined network namespace"
	assert_eq "${F[uts]}" "$(readlink "/proc/$pid/ns/uts")" "the joined uts namespace"
	[[ ${F[pid]} != "$(readlink "/proc/$pid/ns/pid")" ]]
	run -0 --separate-stderr sluice_user run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe hostname
	parse_fields
	assert_eq "${F[hostname]}" "first"
	bg_kill
	BG_PID=
	assert_no_leftovers "$M"
}

@test "joining a uts namespace does not overwrite its hostname with the default one" {
	requires_root
	bg_start "$OUT" 30 "$SLUICE" run --rootfs "$ROOTFS" --hostname first -- probe sleep 30 - -- "$M"
	wait_for_file "$OUT" 10 ready
	local pid
	pid=$(child_of "$BG_PID")
	# no hostname in the config: the embedded default's "sluice" is not
	# asked for, and the namespace is not sluice's to rename
	cat >"$DIR/c.yaml" <<-EOF
		linux:
		  namespaces: [{type: mount}, {type: pid}, {type: uts, path: /proc/$pid/ns/uts}]
	EOF
	run --separate-stderr sluice run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe hostname
	parse_fields
	assert_status 0
	assert_eq "${F[hostname]}" "first" "the joined namespace's hostname"
	assert_eq "$(nsenter --uts="/proc/$pid/ns/uts" hostname)" "first" "the first sandbox's hostname"
	bg_kill
	BG_PID=
	assert_no_leftovers "$M"
}

@test "a namespace path that does not exist fails with 125 naming it, and leaves nothing" {
	requires_root
	cat >"$DIR/c.yaml" <<-EOF
		linux:
		  namespaces: [{type: mount}, {type: pid}, {type: uts}, {type: network, path: /nonexistent-$M}]
	EOF
	run --separate-stderr sluice run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe pid -- "$M"
	assert_status 125
	assert_eq "$output" ""
	assert_contains "$stderr" "network namespace /nonexistent-$M"
	assert_contains "$stderr" "No such file or directory"
	assert_eq "$(wc -l <<<"$stderr")" "1" "one line on stderr"
	assert_no_leftovers "$M"
}

@test "a namespace path that does not exist (test user): 125, nothing left" {
	requires_userns
	cat >"$DIR/c.yaml" <<-EOF
		linux:
		  namespaces: [{type: user}, {type: mount}, {type: pid}, {type: uts}, {type: network, path: /nonexistent-$M}]
	EOF
	run --separate-stderr sluice_user run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe pid -- "$M"
	assert_status 125
	assert_contains "$stderr" "network namespace /nonexistent-$M"
	assert_no_leftovers "$M"
}

@test "a path that is not a namespace of that type fails with 125 naming it" {
	requires_root
	cat >"$DIR/c.yaml" <<-EOF
		linux:
		  namespaces: [{type: mount}, {type: pid}, {type: uts}, {type: network, path: /proc/self/ns/uts}]
	EOF
	run --separate-stderr sluice run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe pid -- "$M"
	assert_status 125
	assert_contains "$stderr" "join network namespace /proc/self/ns/uts"
	assert_no_leftovers "$M"
}

# ---- id mappings ----

@test "rootless id ranges through newuidmap/newgidmap" {
	requires_userns
	requires_cmd newuidmap newgidmap
	local uid gid subuid subgid su sn sg gn
	uid=$(id -u "$SLUICE_TEST_USER") gid=$(id -g "$SLUICE_TEST_USER")
	subuid=$(subid_range /etc/subuid "$uid") subgid=$(subid_range /etc/subgid "$uid")
	[[ -n $subuid && -n $subgid ]] || skip "no subordinate ids for $SLUICE_TEST_USER"
	read -r su sn <<<"$subuid"
	read -r sg gn <<<"$subgid"
	((sn > 1000 && gn > 1000)) || skip "the subordinate ranges are too small"
	cat >"$DIR/c.yaml" <<-EOF
		process:
		  user: {uid: 1000, gid: 1000, additionalGids: [10, 20]}
		linux:
		  uidMappings: [{containerID: 0, hostID: $uid, size: 1}, {containerID: 1, hostID: $su, size: $sn}]
		  gidMappings: [{containerID: 0, hostID: $gid, size: 1}, {containerID: 1, hostID: $sg, size: $gn}]
	EOF
	run -0 --separate-stderr sluice_user run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe ids
	assert_eq "$output" "uid: 1000
euid: 1000
suid: 1000
fsuid: 1000
gid: 1000
egid: 1000
sgid: 1000
fsgid: 1000
groups: 10 20"
	run -0 --separate-stderr sluice_user run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- \
		awk '{ print FILENAME ": " $1, $2, $3 }' /proc/self/uid_map /proc/self/gid_map
	assert_eq "$output" "/proc/self/uid_map: 0 $uid 1
/proc/self/uid_map: 1 $su $sn
/proc/self/gid_map: 0 $gid 1
/proc/self/gid_map: 1 $sg $gn"
}

@test "rootless: a mapping onto ids the user does not own is refused (125, newuidmap), nothing left" {
	requires_userns
	requires_cmd newuidmap newgidmap
	local uid gid subuid su sn
	uid=$(id -u "$SLUICE_TEST_USER") gid=$(id -g "$SLUICE_TEST_USER")
	subuid=$(subid_range /etc/subuid "$uid")
	[[ -n $subuid ]] || skip "no subordinate uids for $SLUICE_TEST_USER"
	read -r su sn <<<"$subuid"
	# the ids right after the user's range are not the user's
	cat >"$DIR/c.yaml" <<-EOF
		process:
		  user: {uid: 0, gid: 0}
		linux:
		  uidMappings: [{containerID: 0, hostID: $uid, size: 1}, {containerID: 1, hostID: $((su + sn)), size: 100}]
	EOF
	run --separate-stderr sluice_user run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe ids -- "$M"
	assert_status 125
	assert_eq "$output" ""
	assert_contains "$stderr" "sluice: newuidmap refused the mapping"
	assert_no_leftovers "$M"
}

@test "process.user.uid outside uidMappings is a config error naming the uid (test user)" {
	requires_userns
	local uid gid
	uid=$(id -u "$SLUICE_TEST_USER") gid=$(id -g "$SLUICE_TEST_USER")
	cat >"$DIR/c.yaml" <<-EOF
		process:
		  user: {uid: 70000, gid: 0}
		linux:
		  uidMappings: [{containerID: 0, hostID: $uid, size: 1}]
		  gidMappings: [{containerID: 0, hostID: $gid, size: 1}]
	EOF
	run --separate-stderr sluice_user run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe ids -- "$M"
	assert_status 78
	assert_eq "$stderr" "sluice: $DIR/c.yaml: process.user.uid 70000 is not mapped by linux.uidMappings"
	assert_no_leftovers "$M"
}

@test "process.user.uid outside uidMappings is a config error (root, with a user namespace)" {
	requires_root
	cat >"$DIR/c.yaml" <<-'EOF'
		process:
		  user: {uid: 5, gid: 0}
		linux:
		  namespaces: [{type: user}, {type: mount}, {type: pid}, {type: uts}]
		  uidMappings: [{containerID: 0, hostID: 100000, size: 5}]
		  gidMappings: [{containerID: 0, hostID: 100000, size: 5}]
	EOF
	run --separate-stderr sluice run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe ids -- "$M"
	assert_status 78
	assert_eq "$stderr" "sluice: $DIR/c.yaml: process.user.uid 5 is not mapped by linux.uidMappings"
	assert_no_leftovers "$M"
}

@test "root with a user namespace and a uid range: ids inside map onto the range" {
	requires_root
	cat >"$DIR/c.yaml" <<-'EOF'
		process:
		  user: {uid: 0, gid: 0}
		linux:
		  namespaces: [{type: user}, {type: mount}, {type: pid}, {type: ipc}, {type: uts}, {type: network}]
		  uidMappings: [{containerID: 0, hostID: 300000, size: 65536}]
		  gidMappings: [{containerID: 0, hostID: 300000, size: 65536}]
	EOF
	# the helper must set up the sandbox (mount points, /dev) as an id of
	# the namespace: root's own is not mapped there
	run sluice run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- awk '{ print $1, $2, $3 }' /proc/self/uid_map
	assert_status 0
	assert_eq "$output" "0 300000 65536"
	run -0 --separate-stderr sluice run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe ns
	assert_new_namespaces user
}

@test "rootless without a user namespace in the config: 78 with the documented message" {
	requires_user
	cat >"$DIR/c.yaml" <<-'EOF'
		linux:
		  namespaces: [{type: mount}, {type: pid}, {type: ipc}, {type: uts}, {type: network}]
	EOF
	run --separate-stderr sluice_user run -c "$DIR/c.yaml" --rootfs "$ROOTFS" -- probe ids -- "$M"
	assert_status 78
	assert_eq "$stderr" "sluice: $DIR/c.yaml: creating namespaces as an unprivileged user needs a user namespace: add {type: user} to linux.namespaces"
	assert_no_leftovers "$M"
}

@test "root of a user namespace of its own (unshare -r, as in a rootless container): sluice run maps its own ids, not 65534, which is not there" {
	requires_userns
	run -0 --separate-stderr as_user unshare --user --map-root-user "$SLUICE" run -- sh -c 'id -u; cat /proc/self/uid_map'
	assert_eq "${lines[0]}" 0
	[[ ${lines[1]} =~ ^\ +0\ +0\ +1$ ]] || fail "uid_map: ${lines[1]}"
	run -0 --separate-stderr as_user unshare --user --map-root-user "$SLUICE" run --no-init -- sh -c 'echo $$'
	assert_eq "$output" 1
	assert_no_leftovers "$M"
}
