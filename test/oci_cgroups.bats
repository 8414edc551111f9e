#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # single-quoted scripts run in the container; bats sets $stderr
# The OCI commands on the container's cgroup (docs/oci.md "Cgroups"):
# create makes it, exec enters it, ps and kill --all use it, pause,
# resume, update and events work on it, delete removes it.  As root (a
# rootless container without resources has none: oci_rootless.bats).

load helpers
load oci_helpers

setup() {
	requires_root
	oci_setup
	# 64 hex digits, as docker and podman name their containers (and so
	# the cgroup made after one)
	ID=$(printf 'cg-%s-%s' "$$" "$RANDOM" | sha256sum | cut -c1-64)
}

teardown() {
	oci_teardown
	assert_no_cgroup_named "$ID"
}

# assert_no_cgroup_named NAME: no directory NAME below our cgroups.
assert_no_cgroup_named() {
	local dir
	while read -r dir; do
		[[ ! -e $dir/$1 ]] || fail "cgroup $dir/$1 left behind"
	done < <(own_cgroup_dirs)
}

# cg_file CONTROLLER FILE: the container's file in that hierarchy.
cg_file() {
	printf '%s/%s/%s\n' "$(own_cgroup_dirs | grep -m1 "/$1\(/\|,\|$\)")" "$ID" "$2"
}

@test "create makes the container's cgroup (named after it) with linux.resources; exec and ps use it; delete removes it" {
	make_bundle "$B" /bin/probe sleep 100 - -- "$M"
	cfg "$B" '.linux.resources.memory.limit = 67108864 | .linux.resources.pids.limit = 40'
	oci_create "$ID"
	local dir
	while read -r dir; do
		[[ -d $dir/$ID ]] || fail "no cgroup $dir/$ID"
	done < <(own_cgroup_dirs)
	assert_eq "$(cat "$(cg_file memory memory.limit_in_bytes)")" 67108864
	assert_eq "$(cat "$(cg_file pids pids.max)")" 40
	grep -qx "$(state_of "$ID" pid)" "$(cg_file pids cgroup.procs)" || fail "the init is not in it"
	run -0 oci start "$ID"
	run -0 oci exec "$ID" sh -c 'cat /proc/self/cgroup'
	assert_contains "$output" "pids:/$ID"
	oci exec -d --pid-file "$DIR/x.pid" "$ID" /bin/probe sleep 100 - -- "$M" >"$DIR/x.log" 2>&1 </dev/null
	wait_for_file "$DIR/x.log" 10 ready
	run -0 oci ps --format json "$ID"
	jq -e --argjson i "$(state_of "$ID" pid)" --argjson x "$(cat "$DIR/x.pid")" \
		'length == 2 and .[0] == $i and index($x)' <<<"$output" >/dev/null || fail "$output"
	run -0 oci kill --all "$ID" KILL
	wait_status "$ID" stopped
	run -0 oci delete "$ID"
	assert_no_cgroup_named "$ID"
	assert_no_process "$M" 2
}

@test "pause and resume: the freezer, paused in state, runc's refusals; delete --force of a paused container" {
	make_bundle "$B" /bin/probe sleep 100 - -- "$M"
	oci_create "$ID"
	run -0 oci start "$ID"
	run -0 oci pause "$ID"
	assert_eq "$(state_of "$ID" status)" paused
	assert_eq "$(cat "$(cg_file freezer freezer.state)")" FROZEN
	run -1 --separate-stderr oci pause "$ID"
	assert_eq "$stderr" "sluice: container not running"
	run -1 --separate-stderr oci exec "$ID" true
	assert_eq "$stderr" "sluice: cannot exec in a paused container"
	run -1 --separate-stderr oci delete "$ID"
	assert_eq "$stderr" "sluice: cannot delete container $ID that is not stopped: paused"
	run -0 oci resume "$ID"
	assert_eq "$(state_of "$ID" status)" running
	run -1 --separate-stderr oci resume "$ID"
	assert_eq "$stderr" "sluice: container not paused"
	run -0 oci pause "$ID"
	run -0 oci delete --force "$ID"
	assert_no_process "$M" 2
}

@test "update: docker's --resources JSON on stdin, runc's flags; zeros leave a limit alone; bad input refused" {
	make_bundle "$B" /bin/probe sleep 100 - -- "$M"
	oci_create "$ID"
	run -0 oci update --resources - "$ID" <<<'{"memory":{"limit":104857600,"reservation":0,"swap":209715200,"kernel":0},"cpu":{"shares":512,"quota":0,"period":0},"pids":{"limit":50},"blockIO":{"weight":0}}'
	assert_eq "$(cat "$(cg_file memory memory.limit_in_bytes)")" 104857600
	assert_eq "$(cat "$(cg_file memory memory.memsw.limit_in_bytes)")" 209715200
	assert_eq "$(cat "$(cg_file cpu cpu.shares)")" 512
	assert_eq "$(cat "$(cg_file pids pids.max)")" 50
	run -0 oci update --memory 64m --memory-swap -1 --pids-limit 20 --cpu-quota 50000 --cpu-period 100000 "$ID"
	assert_eq "$(cat "$(cg_file memory memory.limit_in_bytes)")" 67108864
	assert_eq "$(cat "$(cg_file pids pids.max)")" 20
	assert_eq "$(cat "$(cg_file cpu cpu.cfs_quota_us)")" 50000
	run -64 --separate-stderr oci update --memory lots "$ID"
	assert_eq "$stderr" "sluice: --memory lots: expected a size in bytes (512m, 1g, 1073741824) or -1"
	run -64 --separate-stderr oci update "$ID"
	assert_eq "$stderr" "sluice: update: nothing to change: give --resources FILE or a limit flag"
	run -64 --separate-stderr oci update --l3-cache-schema L3:0=f "$ID"
	assert_eq "$stderr" "sluice: --l3-cache-schema: Intel RDT is not supported by sluice"
	run -78 --separate-stderr oci update --resources - "$ID" <<<'{"pids":{"limit":"x"}}'
	assert_contains "$stderr" "sluice: <stdin>:1:18: resources.pids.limit: expected an integer"
	run -0 oci delete --force "$ID"
	run -1 --separate-stderr oci update --pids-limit 5 "$ID"
	assert_eq "$stderr" "sluice: container does not exist"
}

@test "events: --stats prints runc's stats event; the stream ends when the container stops" {
	make_bundle "$B" /bin/probe sleep 100 /tmp/ready -- "$M"
	cfg "$B" '.linux.resources.pids.limit = 30 | .mounts += [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"}]'
	oci_create "$ID"
	run -0 oci start "$ID"
	run -0 oci events --stats "$ID"
	jq -e --arg id "$ID" '.type == "stats" and .id == $id and .data.pids.limit == 30
		and .data.pids.current >= 1 and .data.memory.usage.usage > 0
		and (.data.cpu.usage | has("total") and has("percpu"))
		and (.data.blkio | has("ioServiceBytesRecursive"))' <<<"$output" >/dev/null ||
		fail "$output"
	oci events --interval 100ms "$ID" >"$DIR/events" &
	local events=$! i
	for ((i = 0; i < 500; i++)); do
		grep -q '"type":"stats"' "$DIR/events" && break
		sleep 0.02
	done
	run -0 oci kill "$ID" KILL
	wait_status "$ID" stopped
	timeout 10 tail --pid="$events" -f /dev/null || true
	! kill -0 "$events" 2>/dev/null || fail "events did not end with the container"
	jq -se 'length >= 1 and all(.type == "stats")' "$DIR/events" >/dev/null || fail "$(cat "$DIR/events")"
	run -1 --separate-stderr oci events --stats "$ID"
	assert_eq "$stderr" "sluice: container $ID is not running"
	run -64 --separate-stderr oci events --interval 5 "$ID"
	assert_eq "$stderr" "sluice: --interval 5: expected a duration such as 5s, 500ms or 1m"
	run -0 oci delete "$ID"
}

@test "podman's and docker's mounts: /sys/fs/cgroup shows the container's own limits (v1), tmpcopyup fills a tmpfs" {
	# (a hybrid host's cgroup2, unified, is not there: runc leaves it out)
	make_bundle "$B" sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max /etc/copied; touch /sys/fs/cgroup/x 2>&1; ls /sys/fs/cgroup/unified 2>/dev/null; echo new >/etc/new && echo written'
	mkdir -p "$B/rootfs/etc" && echo from-rootfs >"$B/rootfs/etc/copied"
	cfg "$B" '.linux.resources.memory.limit = 33554432 | .linux.resources.pids.limit = 17
		| .mounts += [{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["rprivate", "nosuid", "noexec", "nodev", "relatime", "ro"]},
			{"destination": "/etc", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "tmpcopyup"]}]'
	run -0 oci run --bundle "$B" "$ID"
	assert_eq "$output" $'33554432\n17\nfrom-rootfs\ntouch: /sys/fs/cgroup/x: Read-only file system\nwritten'
	[[ ! -e $B/rootfs/etc/new ]] || fail "tmpcopyup wrote to the rootfs"
	cfg "$B" '.mounts[-1].type = "bind" | .mounts[-1].source = "/tmp"'
	run -78 --separate-stderr oci run --bundle "$B" "$ID"
	assert_contains "$stderr" '"tmpcopyup" is for tmpfs mounts only'
}

@test "tmpfs modes as runc gives them; a read-only tmpfs is filled, and mounted into, before it is made read-only" {
	make_bundle "$B" sh -c 'stat -c "%a %u" /new /newmode /data /over /ro; cat /ro/copied /ro/bound;
		touch /ro/x'
	mkdir -p "$B/rootfs/data" "$B/rootfs/over" "$B/rootfs/ro"
	chmod 0750 "$B/rootfs/data" && chown 1000:1000 "$B/rootfs/data"
	chmod 0711 "$B/rootfs/over"
	echo from-rootfs >"$B/rootfs/ro/copied"
	echo bound >"$DIR/bound"
	# /new: a mountpoint sluice makes (the tmpfs's own 1777); /newmode: its
	# mode=; /data: over a directory, copied up (its mode, not its owner);
	# /over: over a directory (its mode); /ro: read-only, copied up, with
	# a file bound into it afterwards (podman's /etc/hostname in a
	# read-only /etc).
	cfg "$B" '.mounts += [
		{"destination": "/new", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup"]},
		{"destination": "/newmode", "type": "tmpfs", "source": "tmpfs", "options": ["mode=700", "tmpcopyup"]},
		{"destination": "/data", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup"]},
		{"destination": "/over", "type": "tmpfs", "source": "tmpfs"},
		{"destination": "/ro", "type": "tmpfs", "source": "tmpfs", "options": ["ro", "tmpcopyup"]},
		{"destination": "/ro/bound", "type": "bind", "source": "'"$DIR/bound"'", "options": ["bind", "ro"]}]'
	run -1 oci run --bundle "$B" "$ID"
	assert_eq "$output" $'1777 0\n700 0\n750 0\n711 0\n755 0\nfrom-rootfs\nbound\ntouch: /ro/x: Read-only file system'
	[[ ! -e $B/rootfs/ro/bound ]] || fail "the bind's mountpoint was made in the rootfs"
}
