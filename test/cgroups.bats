#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154,SC2030,SC2031 # single-quoted scripts run in the sandbox; bats sets $stderr and runs each test in a subshell (BG_PID)
# cgroups (docs/cgroups.md): every field of linux.resources on this host's
# layout, read back from the sandbox's own cgroup files while it runs; the
# kernel stopping a workload over its memory or pids limit; OOM reporting;
# linux.cgroupsPath; the cgroup namespace; teardown on every way out;
# rootless refusals and delegation; pure cgroup v2 in a private mount
# namespace (cgroup2 mounted over /sys/fs/cgroup), where the devices BPF
# program, cgroup.freeze and CLONE_INTO_CGROUP run; the API through
# test/cgroup_tool.
#
# Every cgroup is made below the test's own cgroup in each hierarchy (the
# relative default), or at an absolute path that lies below it, and
# assert_no_leftovers checks none stays.  The tests read the sandbox's
# cgroup from inside it: without a cgroup namespace /proc/self/cgroup names
# it, and the host's /sys/fs/cgroup is in the default root view.

load helpers

CGROUP_TOOL=${CGROUP_TOOL:-$(dirname "$SLUICE")/test/cgroup_tool}

# The namespaces of the default without "cgroup": /proc/self/cgroup inside
# then says where the sandbox is.
NO_CGNS='  namespaces: [{type: mount}, {type: pid}, {type: ipc}, {type: uts}, {type: network}]'

# Prints NAME=VALUE for each CTRL/FILE argument: the file in the sandbox's
# own cgroup of that controller's hierarchy ("unified": the cgroup2 one).
READBACK='
for spec; do
	c=${spec%%/*}; f=${spec#*/}
	if [ "$c" = unified ]; then
		p=$(sed -n "s/^0:://p" /proc/self/cgroup)
	else
		p=$(awk -F: -v c="$c" "{ n = split(\$2, a, \",\"); for (i = 1; i <= n; i++) if (a[i] == c) print \$3 }" /proc/self/cgroup)
	fi
	d=/sys/fs/cgroup/$c$p
	# a cgroup mount (podman config) shows our own cgroup at the root
	[ -e "$d/$f" ] || d=/sys/fs/cgroup/$c
	printf "%s=%s\n" "$spec" "$(tr "\n" " " <"$d/$f" | sed "s/ *$//")"
done'

setup() {
	requires_root
	leftovers_snapshot
	M=$(unique_marker)
	DIR=$(scratch_dir)
	OUT=$BATS_TEST_TMPDIR/out
	BG_PID=
	declare -gA V=()
}

teardown() {
	if [[ -n $BG_PID ]]; then
		bg_kill
	fi
	if [[ -n ${HUGETLB_ENABLED-} ]]; then
		echo -hugetlb >/sys/fs/cgroup/unified/cgroup.subtree_control 2>/dev/null || true
	fi
}

# own_dir CTRL: this shell's cgroup directory in CTRL's hierarchy
# ("unified" for cgroup2).
own_dir() {
	local d
	while read -r d; do
		case $1 in
		unified) [[ $d == /sys/fs/cgroup/unified* ]] && echo "$d" && return ;;
		*) [[ $d == "/sys/fs/cgroup/$1" || $d == "/sys/fs/cgroup/$1/"* ]] && echo "$d" && return ;;
		esac
	done < <(own_cgroup_dirs)
	return 1
}

requires_hybrid() {
	local c
	for c in memory pids cpu cpuset devices freezer blkio; do
		own_dir "$c" >/dev/null || skip "requires the v1 $c hierarchy (this host's hybrid layout)"
	done
	[[ -e /sys/fs/cgroup/unified/cgroup.controllers ]] ||
		skip "requires cgroup2 at /sys/fs/cgroup/unified (hybrid)"
}

# config NAME LINES...: $DIR/NAME, a config with the default's namespaces
# but the cgroup one, and LINES under linux: (indented by the caller).
config() {
	local name=$1
	shift
	{
		echo "linux:"
		echo "$NO_CGNS"
		printf '%s\n' "$@"
	} >"$DIR/$name"
	printf '%s\n' "$DIR/$name"
}

# readback CONFIG [OPTION...] -- SPEC...: runs the sandbox and fills V[SPEC].
readback() {
	local cfg=$1 line
	shift
	local -a opts=()
	while [[ $1 != -- ]]; do
		opts+=("$1")
		shift
	done
	shift
	run --separate-stderr sluice run --config "$cfg" "${opts[@]}" -- sh -c "$READBACK" "$M" "$@"
	assert_status 0 || return 1
	V=()
	while IFS= read -r line; do
		V[${line%%=*}]=${line#*=}
	done <<<"$output"
}

assert_v() {
	assert_eq "${V[$1]-<missing>}" "$2" "$1"
}

# v2_sluice ARGS...: sluice in a private mount namespace whose
# /sys/fs/cgroup is a cgroup2 mount: a pure v2 layout, where the
# controllers bound to v1 hierarchies are missing.
v2_sluice() {
	(
		_close_extra_fds
		run_with_timeout "$SLUICE_TIMEOUT" unshare -m --propagation private sh -c \
			'mount -t cgroup2 none /sys/fs/cgroup && exec "$@"' sh "$@"
	)
}

refused_at_start() { # CONFIG MESSAGE [OPTION...]
	local cfg=$1 msg=$2
	shift 2
	run -78 --separate-stderr sluice run --config "$cfg" "$@" -- /bin/echo "$M"
	assert_eq "$output" "" "nothing ran"
	assert_eq "$stderr" "sluice: $msg"
}

# ---- the values, read back ----

@test "--memory, --pids-limit, --cpus: in the sandbox's memory, pids and cpu cgroups; --print-config shows them" {
	requires_hybrid
	local cfg
	cfg=$(config opts.yaml)
	readback "$cfg" --memory 64m --pids-limit 50 --cpus 1.5 -- memory/memory.limit_in_bytes \
		pids/pids.max cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us
	assert_v memory/memory.limit_in_bytes 67108864
	assert_v pids/pids.max 50
	assert_v cpu/cpu.cfs_quota_us 150000
	assert_v cpu/cpu.cfs_period_us 100000
	run -0 sluice run --memory 1g --pids-limit max --cpus 0.25 --print-config
	assert_contains "$output" $'  resources:\n    memory:\n      limit: 1073741824\n    cpu:\n      quota: 25000\n      period: 100000\n    pids:\n      limit: -1\n'
	run -64 --separate-stderr sluice run --memory lots -- true
	assert_eq "$stderr" "sluice: --memory lots: expected a size in bytes (512m, 1g, 1073741824) or max"
	run -64 --separate-stderr sluice run --cpus 0 -- true
	assert_eq "$stderr" "sluice: --cpus 0: expected a number of CPUs from 0.01 (1.5 = one and a half)"
	assert_no_leftovers "$M"
}

@test "memory (v1): limit, reservation, swap, kernelTCP, swappiness, disableOOMKiller, useHierarchy, kernel -1" {
	requires_hybrid
	local cfg
	cfg=$(config mem.yaml '  resources:' \
		'    memory: {limit: 67108864, reservation: 33554432, swap: 134217728, kernel: -1,' \
		'             kernelTCP: 16777216, swappiness: 20, disableOOMKiller: true, useHierarchy: true}')
	readback "$cfg" -- memory/memory.limit_in_bytes memory/memory.soft_limit_in_bytes \
		memory/memory.memsw.limit_in_bytes memory/memory.kmem.tcp.limit_in_bytes \
		memory/memory.swappiness memory/memory.oom_control memory/memory.use_hierarchy
	assert_v memory/memory.limit_in_bytes 67108864
	assert_v memory/memory.soft_limit_in_bytes 33554432
	assert_v memory/memory.memsw.limit_in_bytes 134217728
	assert_v memory/memory.kmem.tcp.limit_in_bytes 16777216
	assert_v memory/memory.swappiness 20
	assert_contains "${V[memory/memory.oom_control]}" "oom_kill_disable 1"
	assert_v memory/memory.use_hierarchy 1
	assert_no_leftovers "$M"
}

@test "memory (v1): what this kernel does not honour is 78 naming the field, nothing left" {
	requires_hybrid
	local cfg
	# Linux ignores kmem.limit_in_bytes since 5.16: read back, refused
	cfg=$(config k.yaml '  resources: {memory: {kernel: 67108864}}')
	run -78 --separate-stderr sluice run --config "$cfg" -- /bin/echo "$M"
	assert_contains "$stderr" "sluice: $cfg: linux.resources.memory.kernel: this kernel does not enforce kernel memory limits ("
	assert_contains "$stderr" "memory.kmem.limit_in_bytes reads 9223372036854771712 after writing 67108864); leave it unset or -1"
	cfg=$(config h.yaml '  resources: {memory: {useHierarchy: false}}')
	run -78 --separate-stderr sluice run --config "$cfg" -- /bin/echo "$M"
	assert_contains "$stderr" "sluice: $cfg: linux.resources.memory.useHierarchy: the kernel refused \"0\" in "
	assert_contains "$stderr" "/memory.use_hierarchy (Invalid argument)"
	assert_eq "$output" ""
	assert_no_leftovers "$M"
}

@test "cpu (v1): shares, quota, period, burst, realtimePeriod, realtimeRuntime; cpuset: cpus, mems; idle" {
	requires_hybrid
	local cfg
	cfg=$(config cpu.yaml '  resources:' \
		'    cpu: {shares: 512, quota: 20000, period: 50000, burst: 1000, realtimePeriod: 1000000,' \
		'          realtimeRuntime: 1000, cpus: "0", mems: "0"}')
	readback "$cfg" -- cpu/cpu.shares cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us \
		cpu/cpu.cfs_burst_us cpu/cpu.rt_period_us cpu/cpu.rt_runtime_us cpuset/cpuset.cpus \
		cpuset/cpuset.mems
	assert_v cpu/cpu.shares 512
	assert_v cpu/cpu.cfs_quota_us 20000
	assert_v cpu/cpu.cfs_period_us 50000
	assert_v cpu/cpu.cfs_burst_us 1000
	assert_v cpu/cpu.rt_period_us 1000000
	assert_v cpu/cpu.rt_runtime_us 1000
	assert_v cpuset/cpuset.cpus 0
	assert_v cpuset/cpuset.mems 0
	cfg=$(config idle.yaml '  resources: {cpu: {idle: 1}}')
	readback "$cfg" -- cpu/cpu.idle
	assert_v cpu/cpu.idle 1
	# the kernel clamps shares silently: read back, refused
	cfg=$(config s.yaml '  resources: {cpu: {shares: 1000000}}')
	run -78 --separate-stderr sluice run --config "$cfg" -- /bin/echo "$M"
	assert_eq "$stderr" "sluice: $cfg: linux.resources.cpu.shares: 1000000 is outside the kernel's range (it kept 262144; 2..262144)"
	cfg=$(config c.yaml '  resources: {cpu: {cpus: "0-63"}}')
	run -78 --separate-stderr sluice run --config "$cfg" -- /bin/echo "$M"
	assert_contains "$stderr" "sluice: $cfg: linux.resources.cpu.cpus: the kernel refused \"0-63\" in "
	assert_no_leftovers "$M"
}

@test "pids (v1): -1 is max; a workload over pids.limit cannot fork" {
	requires_hybrid
	local cfg
	# -1 alone asks for no cgroup; with a cgroupsPath it is written
	cfg=$(config p.yaml "  cgroupsPath: t$$-$BATS_TEST_NUMBER" '  resources: {pids: {limit: -1}}')
	readback "$cfg" -- pids/pids.max
	assert_v pids/pids.max max
	# --no-init: the helper execs the shell: 1; two sleeps fit in 3, the third does not
	run --separate-stderr sluice run --no-init --pids-limit 3 -- sh -c \
		'for i in 1 2 3; do sleep 5 & done; wait; echo "after $i"' "$M"
	assert_status 2
	assert_contains "$stderr" "Cannot fork"
	assert_eq "$output" ""
	run -0 sluice run --pids-limit 8 -- sh -c 'for i in 1 2 3; do true & done; wait; echo forked' "$M"
	assert_eq "$output" forked
	assert_no_leftovers "$M"
}

@test "blockIO (v1): the four throttles read back; weights need BFQ, which this host lacks: 78" {
	requires_hybrid
	local dev cfg
	dev=$(lsblk -dno MAJ:MIN 2>/dev/null | tr -d ' ' | grep -v '^7:' | tail -n 1)
	[[ -n $dev ]] || skip "requires a block device"
	cfg=$(config io.yaml '  resources:' '    blockIO:' \
		"      throttleReadBpsDevice: [{major: ${dev%:*}, minor: ${dev#*:}, rate: 1048576}]" \
		"      throttleWriteBpsDevice: [{major: ${dev%:*}, minor: ${dev#*:}, rate: 2097152}]" \
		"      throttleReadIOPSDevice: [{major: ${dev%:*}, minor: ${dev#*:}, rate: 100}]" \
		"      throttleWriteIOPSDevice: [{major: ${dev%:*}, minor: ${dev#*:}, rate: 200}]")
	readback "$cfg" -- blkio/blkio.throttle.read_bps_device blkio/blkio.throttle.write_bps_device \
		blkio/blkio.throttle.read_iops_device blkio/blkio.throttle.write_iops_device
	assert_v blkio/blkio.throttle.read_bps_device "$dev 1048576"
	assert_v blkio/blkio.throttle.write_bps_device "$dev 2097152"
	assert_v blkio/blkio.throttle.read_iops_device "$dev 100"
	assert_v blkio/blkio.throttle.write_iops_device "$dev 200"
	[[ -e $(own_dir blkio)/blkio.weight || -e $(own_dir blkio)/blkio.bfq.weight ]] &&
		skip "this host has blkio weights"
	cfg=$(config w.yaml '  resources: {blockIO: {weight: 500}}')
	run -78 --separate-stderr sluice run --config "$cfg" -- /bin/echo "$M"
	assert_contains "$stderr" "sluice: $cfg: linux.resources.blockIO.weight: proportional I/O weights are not available here ("
	assert_no_leftovers "$M"
}

@test "hugepageLimits and unified on a hybrid host: on the cgroup2 hierarchy, whose one controller is hugetlb" {
	requires_hybrid
	grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.controllers || skip "requires hugetlb on cgroup2"
	[[ -e /sys/kernel/mm/hugepages/hugepages-2048kB ]] || skip "requires 2MB huge pages"
	grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.subtree_control || HUGETLB_ENABLED=1
	local cfg
	cfg=$(config hp.yaml '  resources:' '    hugepageLimits: [{pageSize: 2MB, limit: 4194304}]' \
		'    unified: {cgroup.max.descendants: "7"}')
	readback "$cfg" -- unified/hugetlb.2MB.max unified/hugetlb.2MB.rsvd.max \
		unified/cgroup.max.descendants
	assert_v unified/hugetlb.2MB.max 4194304
	assert_v unified/hugetlb.2MB.rsvd.max 4194304
	assert_v unified/cgroup.max.descendants 7
	cfg=$(config gb.yaml '  resources: {hugepageLimits: [{pageSize: 1GB, limit: 0}]}')
	run -78 --separate-stderr sluice run --config "$cfg" -- /bin/echo "$M"
	assert_contains "$stderr" "sluice: $cfg: linux.resources.hugepageLimits: huge page size 1GB is not supported here (no /sys/fs/cgroup/unified/"
	assert_no_leftovers "$M"
}

@test "what this hybrid host has no controller for: 78 naming the field and why, nothing left" {
	requires_hybrid
	refused_at_start "$(config n.yaml '  resources: {network: {classID: 5}}')" \
		"$DIR/n.yaml: linux.resources.network.classID: the net_cls controller is not available: it is a cgroup v1 controller and no v1 hierarchy has it mounted; cgroup v2 has no equivalent"
	refused_at_start "$(config np.yaml '  resources: {network: {priorities: [{name: lo, priority: 1}]}}')" \
		"$DIR/np.yaml: linux.resources.network.priorities: the net_prio controller is not available: it is a cgroup v1 controller and no v1 hierarchy has it mounted; cgroup v2 has no equivalent"
	refused_at_start "$(config r.yaml '  resources: {rdma: {mlx5_0: {hcaHandles: 1}}}')" \
		"$DIR/r.yaml: linux.resources.rdma: the rdma controller is not available in cgroup v2 (/sys/fs/cgroup/unified/cgroup.controllers lacks it: bound to a v1 hierarchy, or not built into this kernel)"
	refused_at_start "$(config u.yaml '  resources: {unified: {memory.high: "1000000"}}')" \
		"$DIR/u.yaml: linux.resources.unified.memory.high: the memory controller is not on the cgroup v2 hierarchy (/sys/fs/cgroup/unified/cgroup.controllers lacks it)"
	assert_no_leftovers "$M"
}

@test "devices (v1): deny all keeps the default /dev usable; a node outside it is denied until a rule allows it" {
	requires_hybrid
	[[ -e /dev/net/tun ]] || skip "requires /dev/net/tun"
	local deny allow
	deny=$(config d.yaml '  devices: [{path: /dev/tun, type: c, major: 10, minor: 200}]' \
		'  resources: {devices: [{allow: false, access: rwm}]}')
	allow=$(config a.yaml '  devices: [{path: /dev/tun, type: c, major: 10, minor: 200}]' \
		'  resources: {devices: [{allow: false, access: rwm}, {allow: true, type: c, major: 10, minor: 200, access: rw}]}')
	run --separate-stderr sluice run --config "$deny" -- sh -c \
		'head -c 4 /dev/zero | wc -c; echo x >/dev/null && echo null; exec 3<>/dev/tun' "$M"
	assert_status 2
	assert_eq "$output" $'4\nnull'
	assert_contains "$stderr" "/dev/tun: Operation not permitted"
	readback "$allow" -- devices/devices.list
	assert_contains "${V[devices/devices.list]}" "c 10:200 rw"
	assert_contains "${V[devices/devices.list]}" "c 1:3 rwm"
	run -0 sluice run --config "$allow" -- sh -c 'exec 3<>/dev/tun && echo opened' "$M"
	assert_eq "$output" opened
	assert_no_leftovers "$M"
}

@test "podman 4.3's config.json (its seccomp left out): its pids limit, device rules and cgroupsPath honoured" {
	requires_hybrid
	requires_cmd jq
	local dir own cg
	dir=$(scratch_dir)
	make_rootfs "$dir/rootfs"
	own=$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup)
	cg="$own/t$$-$BATS_TEST_NUMBER/libpod-5988865f06c7"
	# podman's own storage paths become files of ours; its RLIMIT_NOFILE
	# is above this machine's hard limit (20000); linux.seccomp is the
	# seccomp branch's
	jq --arg root "$dir/rootfs" --arg d "$dir" --arg cg "$cg" '
		.root.path = $root | del(.linux.seccomp) | .linux.cgroupsPath = $cg
		| .process.rlimits |= map(if .type == "RLIMIT_NOFILE" then .soft = 20000 | .hard = 20000 else . end)
		| .mounts |= map(if .type == "bind" then .source = ($d + "/" + (.destination | ltrimstr("/") | gsub("/"; "_"))) else . end)' \
		"$SLUICE_REPO/test/fixtures/podman-4.3-create-config.json" >"$dir/config.json"
	touch "$dir/etc_hosts" "$dir/etc_hostname" "$dir/run_.containerenv"
	mkdir "$dir/dev_shm"
	run --separate-stderr sluice run --config "$dir/config.json" -- sh -c \
		'awk -F: "\$2 == \"devices\" || \$2 == \"pids\" { print \$2 \":\" \$3 }" /proc/self/cgroup | sort
		exec 3<>/dev/null && echo null-ok'"$READBACK" \
		"$M" pids/pids.max
	assert_status 0
	assert_eq "$stderr" ""
	assert_eq "$output" "devices:$cg"$'\n'"pids:$cg"$'\n'"null-ok"$'\n'"pids/pids.max=2048"
	[[ ! -e /sys/fs/cgroup/memory$own/t$$-$BATS_TEST_NUMBER ]] || fail "the cgroups sluice made stayed"
	assert_no_leftovers "$M"
}

@test "sluice init with a raw config cannot make a cgroup: resources or cgroupsPath are 78" {
	printf 'process: {args: [/bin/echo, %s]}\nlinux:\n  resources: {pids: {limit: 5}}\n' "$M" >"$DIR/r.yaml"
	run -78 --separate-stderr run_with_timeout 30 sh -c 'exec "$0" init 3<"$1"' "$SLUICE" "$DIR/r.yaml"
	assert_eq "$stderr" "sluice: read-config: $DIR/r.yaml: linux.resources and linux.cgroupsPath need a runtime that makes the cgroup before the go-ahead (sluice run, or the framed protocol); sluice init with a raw config cannot"
	assert_eq "$output" ""
	assert_no_leftovers "$M"
}

# ---- OOM ----

@test "a workload over its memory limit is OOM-killed: 137 and a message saying so (with and without --init)" {
	requires_hybrid
	local cfg
	cfg=$(config oom.yaml '  resources: {memory: {limit: 33554432, swap: 33554432}}')
	run --separate-stderr sluice run --config "$cfg" -- sh -c 'exec tail /dev/zero' "$M"
	assert_status 137
	assert_eq "$stderr" "sluice: the workload was killed by the kernel's OOM killer: the sandbox reached its memory limit of 33554432 bytes (linux.resources.memory.limit)"
	run --separate-stderr sluice run --init --memory 32m -- sh -c 'tail /dev/zero' "$M"
	assert_status 137
	assert_contains "$stderr" "the workload was killed by the kernel's OOM killer"
	# a SIGKILL from elsewhere is no OOM
	run --separate-stderr sluice run --init --memory 32m -- sh -c 'kill -KILL $$' "$M"
	assert_status 137
	assert_eq "$stderr" ""
	assert_no_leftovers "$M"
}

@test "disableOOMKiller (v1): the workload waits under OOM; the timeout's message says why" {
	requires_hybrid
	local cfg
	cfg=$(config w.yaml '  resources: {memory: {limit: 33554432, swap: 33554432, disableOOMKiller: true}}')
	run --separate-stderr sluice run --config "$cfg" --timeout 1 --kill-grace 0.5 -- \
		sh -c 'exec tail /dev/zero' "$M"
	assert_status 124
	# (the SIGTERM is fatal to a task waiting under OOM; the SIGKILL may not be needed)
	assert_contains "$stderr" "sluice: timed out after 1s (it was out of memory with the OOM killer disabled): sent SIGTERM"
	assert_no_leftovers "$M"
}

# ---- cgroupsPath, namespace ----

@test "a cgroup namespace: /proc/self/cgroup reads / in every hierarchy inside (hybrid)" {
	requires_hybrid
	run -0 sluice run --memory 64m -- cat /proc/self/cgroup
	[[ -n $output ]]
	while IFS=: read -r _ _ path; do
		assert_eq "$path" / "every line: $output" || return 1
	done <<<"$output"
	assert_contains "$output" $'\n0::/'
	assert_no_leftovers "$M"
}

@test "cgroupsPath relative: below our own cgroup in each hierarchy it needs, removed after" {
	requires_hybrid
	local rel="t$$-$BATS_TEST_NUMBER/inner" cfg
	cfg=$(config rel.yaml "  cgroupsPath: $rel" '  resources: {memory: {limit: 67108864}}')
	run -0 sluice run --config "$cfg" -- \
		awk -F: '$2 == "memory" || $2 == "pids" { print $2 ":" $3 }' /proc/self/cgroup
	assert_eq "$output" "pids:/"$'\n'"memory:$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup)/$rel" \
		"in the memory hierarchy only (pids not needed)"
	[[ ! -e $(own_dir memory)/${rel%%/*} ]] || fail "the directories it made are still there"
	assert_no_leftovers "$M"
}

@test "only a cgroupsPath: every hierarchy joined; absolute below our cgroup, made and removed" {
	requires_hybrid
	local own abs cfg had_pids=
	own=$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup)
	abs="$own/t$$-$BATS_TEST_NUMBER/abs"
	cfg=$(config abs.yaml "  cgroupsPath: $abs")
	# other runtimes' cgroups (the client suites') may have made it
	[[ -e /sys/fs/cgroup/pids$own ]] && had_pids=1
	run -0 sluice run --config "$cfg" -- cat /proc/self/cgroup
	while IFS=: read -r _ _ path; do
		assert_eq "$path" "$abs" "every hierarchy: $output" || return 1
	done <<<"$output"
	[[ ! -e /sys/fs/cgroup/memory$own/t$$-$BATS_TEST_NUMBER ]] || fail "a parent sluice made stayed"
	[[ ! -e /sys/fs/cgroup/pids$own/t$$-$BATS_TEST_NUMBER ]] || fail "made in pids, not removed"
	[[ ! -e /sys/fs/cgroup/pids$own ]] || [[ $own == / || -n $had_pids ]] ||
		fail "made in pids, not removed"
	assert_no_leftovers "$M"
}

@test "cgroupsPath of an existing cgroup: joined and left in place; one holding processes: 78" {
	requires_hybrid
	local name="t$$-$BATS_TEST_NUMBER" dir cfg
	dir=$(own_dir memory)/$name
	mkdir "$dir"
	cfg=$(config ex.yaml "  cgroupsPath: $name" '  resources: {memory: {limit: 67108864}}')
	readback "$cfg" -- memory/memory.limit_in_bytes
	assert_v memory/memory.limit_in_bytes 67108864
	[[ -d $dir ]] || fail "sluice removed a cgroup it did not make"
	sleep 30 &
	echo $! >"$dir/cgroup.procs"
	run -78 --separate-stderr sluice run --config "$cfg" -- /bin/echo "$M"
	kill $! && wait $! || true
	rmdir "$dir"
	assert_eq "$stderr" "sluice: $cfg: linux.cgroupsPath: the cgroup $dir exists and holds processes"
	assert_no_leftovers "$M"
}

# ---- teardown ----

@test "teardown: after a timeout, a signal, a setup failure, an exec failure: no cgroup left" {
	requires_hybrid
	run -124 sluice run --memory 64m --pids-limit 20 --timeout 0.3 -- sh -c 'sleep 10' "$M"
	run -143 sluice run --memory 64m --init -- sh -c 'kill -TERM $$' "$M"
	run -125 --separate-stderr sluice run --memory 64m --cwd /no/such/dir -- true "$M"
	assert_contains "$stderr" "cwd:"
	run -127 sluice run --memory 64m --pids-limit 20 -- /no/such/command "$M"
	run -126 sluice run --memory 64m -- /etc/passwd "$M"
	run -0 sluice run --memory 64m --stdout pipe --stderr pipe --init -- sh -c 'sleep 5 & echo started' "$M"
	assert_no_leftovers "$M"
}

@test "teardown: the launcher SIGKILLed leaves an empty cgroup that the next start removes" {
	requires_hybrid
	local stale
	bg_start "$OUT" 30 "$SLUICE" run --memory 64m -- sh -c 'echo up; exec sleep 30' "$M"
	wait_for_file "$OUT" 10 up
	stale=$(ls -d "$(own_dir memory)"/sluice-*-"$BG_PID"-*)
	kill -KILL "$BG_PID"
	bg_wait
	assert_no_process "$M"
	[[ -d $stale ]] || fail "expected the cgroup of the killed launcher to stay: $stale"
	run -0 sluice run --memory 64m -- true
	[[ ! -e $stale ]] || fail "the next start did not remove $stale"
	BG_PID=
	assert_no_leftovers "$M"
}

@test "sluice cleanup: removes the cgroups of killed launchers, killing what still runs there" {
	requires_hybrid
	local stale straggler
	bg_start "$OUT" 30 "$SLUICE" run --pids-limit 50 -- sh -c 'echo up; exec sleep 30' "$M"
	wait_for_file "$OUT" 10 up
	stale=$(ls -d "$(own_dir pids)"/sluice-*-"$BG_PID"-*)
	kill -KILL "$BG_PID"
	bg_wait
	BG_PID=
	assert_no_process "$M"
	# a process in it, as if the sandbox had not died with its launcher
	sleep 30 &
	straggler=$!
	echo "$straggler" >"$stale/cgroup.procs"
	run -0 sluice cleanup
	assert_contains "$output" "$stale: killed what was left and removed"
	[[ ! -e $stale ]] || fail "not removed: $stale"
	wait "$straggler" || true
	run -0 sluice cleanup
	assert_eq "$output" "" "nothing more to do"
	run -64 --separate-stderr sluice cleanup now
	assert_eq "$stderr" "sluice: cleanup takes no arguments (see sluice cleanup --help)"
	assert_no_leftovers "$M"
}

# ---- rootless ----

@test "rootless without a delegated cgroup: resources are 78 naming the field; the default needs none" {
	requires_userns
	requires_hybrid
	run -78 --separate-stderr sluice_user run --memory 64m -- /bin/echo "$M"
	assert_contains "$stderr" "sluice: <default>: linux.resources.memory.limit: cannot create the cgroup $(own_dir memory)/sluice-"
	assert_contains "$stderr" "as uid $(id -u "$SLUICE_TEST_USER") (Permission denied): rootless, resources need a cgroup delegated to this user"
	printf 'linux: {cgroupsPath: mine}\n' >"$DIR/p.yaml"
	run -78 --separate-stderr sluice_user run --config "$DIR/p.yaml" -- /bin/echo "$M"
	assert_contains "$stderr" "sluice: $DIR/p.yaml: linux.cgroupsPath: cannot create the cgroup "
	run -0 sluice_user run -- /bin/echo ok
	assert_eq "$output" ok
	# what docker writes for "not set" asks for no cgroup, and runs
	printf '%s\n' 'linux:' '  resources: {memory: {disableOOMKiller: false}, cpu: {shares: 0}, blockIO: {weight: 0}, pids: {limit: -1}}' >"$DIR/n.yaml"
	run -0 sluice_user run --config "$DIR/n.yaml" -- /bin/echo ok
	assert_eq "$output" ok
	assert_no_leftovers "$M"
}

@test "rootless with a writable v1 directory (absolute cgroupsPath below it): the limits applied, removed after" {
	requires_userns
	requires_hybrid
	local own dir cfg
	own=$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup)
	dir=$(own_dir memory)/t$$-$BATS_TEST_NUMBER
	mkdir "$dir"
	chown -R "$SLUICE_TEST_USER" "$dir"
	printf '%s\n' 'linux:' "  cgroupsPath: $own/t$$-$BATS_TEST_NUMBER/sandbox" \
		'  namespaces: [{type: user}, {type: mount}, {type: pid}, {type: ipc}, {type: uts}]' \
		'  resources: {memory: {limit: 67108864}}' >"$DIR/u.yaml"
	run --separate-stderr sluice_user run --config "$DIR/u.yaml" -- sh -c "$READBACK" "$M" \
		memory/memory.limit_in_bytes
	rmdir "$dir/sandbox" 2>/dev/null && fail "sluice left $dir/sandbox"
	rmdir "$dir"
	assert_status 0
	assert_eq "$output" "memory/memory.limit_in_bytes=67108864"
	assert_no_leftovers "$M"
}

@test "rootless in a delegated cgroup2 directory (hybrid's unified): hugepageLimits applied, removed after" {
	requires_userns
	requires_hybrid
	grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.controllers || skip "requires hugetlb on cgroup2"
	grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.subtree_control || HUGETLB_ENABLED=1
	echo +hugetlb >/sys/fs/cgroup/unified/cgroup.subtree_control
	local deleg=/sys/fs/cgroup/unified/t$$-$BATS_TEST_NUMBER
	mkdir -p "$deleg/shell"
	# delegation (cgroups(7)): the directory and its delegatable files
	chown "$SLUICE_TEST_USER" "$deleg" "$deleg"/cgroup.{procs,subtree_control,threads} \
		"$deleg/shell" "$deleg/shell"/cgroup.{procs,subtree_control,threads}
	echo +hugetlb >"$deleg/cgroup.subtree_control"
	printf '%s\n' 'linux:' "  cgroupsPath: /${deleg##*/}/box" \
		'  namespaces: [{type: user}, {type: mount}, {type: pid}, {type: ipc}, {type: uts}]' \
		'  resources: {hugepageLimits: [{pageSize: 2MB, limit: 2097152}]}' >"$DIR/h.yaml"
	as_user_cmd
	# the test user's shell is moved into its delegated subtree, then runs
	# sluice, whose cgroup is a sibling of the shell's (v2 puts processes in
	# leaves only: below the shell's own, no controller could be enabled)
	run --separate-stderr run_with_timeout 30 sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' \
		sh "$deleg/shell" "${AS_USER[@]}" "$SLUICE_USER_BIN" run --config "$DIR/h.yaml" -- \
		sh -c 'cat /sys/fs/cgroup/unified$(sed -n "s/^0:://p" /proc/self/cgroup)/hugetlb.2MB.max' "$M"
	local left=0
	[[ -e $deleg/box ]] && left=1 && rmdir "$deleg/box"
	rmdir "$deleg/shell" "$deleg"
	assert_status 0
	assert_eq "$output" 2097152
	assert_eq "$left" 0 "the cgroup sluice made in the delegated directory was removed"
	assert_no_leftovers "$M"
}

# ---- pure cgroup v2 (a private mount namespace) ----

@test "pure v2 (cgroup2 over /sys/fs/cgroup): controllers bound to v1 hierarchies are 78, naming why" {
	requires_hybrid
	run -78 --separate-stderr v2_sluice "$SLUICE" run --memory 64m -- /bin/echo "$M"
	assert_eq "$stderr" "sluice: <default>: linux.resources.memory.limit: the memory controller is not available in cgroup v2 (/sys/fs/cgroup/cgroup.controllers lacks it: bound to a v1 hierarchy, or not built into this kernel)"
	run -78 --separate-stderr v2_sluice "$SLUICE" run --pids-limit 5 -- /bin/echo "$M"
	assert_contains "$stderr" "linux.resources.pids.limit: the pids controller is not available in cgroup v2"
	printf 'linux:\n  resources: {memory: {swappiness: 10}}\n' >"$DIR/s.yaml"
	run -78 --separate-stderr v2_sluice "$SLUICE" run --config "$DIR/s.yaml" -- /bin/echo "$M"
	assert_contains "$stderr" "linux.resources.memory.swappiness: the memory controller is not available in cgroup v2"
	assert_no_leftovers "$M"
}

@test "pure v2: the devices BPF program: deny all keeps the default /dev, denies a node until a rule allows it" {
	requires_hybrid
	[[ -e /dev/net/tun ]] || skip "requires /dev/net/tun"
	printf '%s\n' 'linux:' '  devices: [{path: /dev/tun, type: c, major: 10, minor: 200}]' \
		'  resources: {devices: [{allow: false, access: rwm}]}' >"$DIR/d.yaml"
	printf '%s\n' 'linux:' '  devices: [{path: /dev/tun, type: c, major: 10, minor: 200}]' \
		'  resources: {devices: [{allow: false, access: rwm}, {allow: true, type: c, major: 10, minor: 200, access: rw}]}' >"$DIR/a.yaml"
	# --real-root: a device node is made (mknod) only outside a user
	# namespace; in one it is bound from the host, which has no /dev/tun
	run --separate-stderr v2_sluice "$SLUICE" run --real-root --config "$DIR/d.yaml" -- sh -c \
		'head -c 4 /dev/zero | wc -c; echo x >/dev/null && echo null; grep ^0:: /proc/self/cgroup; exec 3<>/dev/tun' "$M"
	assert_status 2
	assert_eq "$output" $'4\nnull\n0::/' "the cgroup namespace reads 0::/ on pure v2"
	assert_contains "$stderr" "/dev/tun: Operation not permitted"
	run -0 --separate-stderr v2_sluice "$SLUICE" run --real-root --config "$DIR/a.yaml" -- sh -c \
		'exec 3<>/dev/tun && echo opened' "$M"
	assert_eq "$output" opened
	assert_no_leftovers "$M"
}

@test "pure v2: the helper is born in its cgroup (clone3 CLONE_INTO_CGROUP), unified values read back" {
	requires_hybrid
	requires_cmd strace
	printf '%s\n' 'linux:' "$NO_CGNS" '  resources: {unified: {cgroup.max.descendants: "3", cgroup.max.depth: "2"}}' \
		>"$DIR/u.yaml"
	# (LeakSanitizer cannot run under ptrace: off for this one, in the ASan build)
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:detect_leaks=0} \
		run -0 --separate-stderr v2_sluice strace -f -o "$DIR/trace" -e trace=clone3 "$SLUICE" run \
		--config "$DIR/u.yaml" -- sh -c 'd=/sys/fs/cgroup$(sed -n "s/^0:://p" /proc/self/cgroup); cat $d/cgroup.max.descendants $d/cgroup.max.depth' "$M"
	assert_eq "$output" $'3\n2'
	grep -q 'CLONE_INTO_CGROUP' "$DIR/trace" || fail "no clone3 with CLONE_INTO_CGROUP: $(cat "$DIR/trace")"
	# and without it (SLUICE_FORCE_FALLBACK), moved by pid before GO: the same
	SLUICE_FORCE_FALLBACK=into-cgroup run -0 --separate-stderr v2_sluice "$SLUICE" run \
		--config "$DIR/u.yaml" -- sh -c 'cat /sys/fs/cgroup$(sed -n "s/^0:://p" /proc/self/cgroup)/cgroup.max.depth' "$M"
	assert_eq "$output" 2
	assert_no_leftovers "$M"
}

# ---- the API (cgroup_tool): freeze, kill, stats, update, describe/load ----

@test "the API on hybrid: create (every hierarchy), enter, freeze (v1 freezer), stats, update, describe/load, kill, destroy" {
	requires_hybrid
	[[ -x $CGROUP_TOOL ]] || skip "requires $CGROUP_TOOL (make unit)"
	local st=$DIR/state
	printf 'linux:\n  resources: {memory: {limit: 67108864}, pids: {limit: 20}}\n' >"$DIR/c.yaml"
	printf 'linux:\n  resources: {memory: {limit: 134217728}, pids: {limit: 30}}\n' >"$DIR/u.yaml"
	run -0 "$CGROUP_TOOL" -c "$DIR/c.yaml" -a create dir:freezer spawn spawn pids freeze \
		stats "update:$DIR/u.yaml" stats "describe:$st" free
	assert_eq "${lines[0]}" "dir freezer $(own_dir freezer)/sluice-${lines[0]##*/sluice-}"
	assert_eq "${lines[3]}" "pids 2"
	assert_eq "${lines[4]}" "frozen 1"
	assert_eq "$(cat "$(own_dir freezer)/${lines[0]##*/}/freezer.state")" FROZEN
	assert_eq "${lines[5]}" "stats memory.limit=67108864 pids.current=2 pids.limit=20 cpu=yes raw=yes"
	assert_eq "${lines[6]}" "stats memory.limit=134217728 pids.current=2 pids.limit=30 cpu=yes raw=yes"
	# another process finds it again from the stored text, kills a frozen
	# sandbox (thawing it so that the kill lands) and removes it
	run -0 "$CGROUP_TOOL" "load:$st" pids kill pids destroy
	assert_eq "$output" $'pids 2\npids 0'
	assert_no_leftovers "$M"
}

@test "the API: cgroup.freeze on the hybrid's cgroup2 hierarchy, and on pure v2" {
	requires_hybrid
	[[ -x $CGROUP_TOOL ]] || skip "requires $CGROUP_TOOL (make unit)"
	# only a unified key: the cgroup is in the cgroup2 hierarchy alone
	printf 'linux:\n  resources: {unified: {cgroup.max.depth: "1"}}\n' >"$DIR/u.yaml"
	run -0 "$CGROUP_TOOL" -c "$DIR/u.yaml" create dir:freezer spawn freeze pids thaw kill destroy
	assert_eq "${lines[0]}" "dir freezer /sys/fs/cgroup/unified/${lines[0]##*/}"
	assert_eq "${lines[2]}" "frozen 1"
	assert_eq "${lines[3]}" "pids 1"
	assert_eq "${lines[4]}" "frozen 0"
	run -0 v2_sluice "$CGROUP_TOOL" -a create dir: spawn freeze thaw freeze kill destroy
	assert_eq "${lines[0]}" "dir  /sys/fs/cgroup/${lines[0]##*/}"
	assert_eq "${lines[2]}" "frozen 1"
	assert_eq "${lines[3]}" "frozen 0"
	assert_eq "${lines[4]}" "frozen 1"
	assert_no_leftovers "$M"
}
