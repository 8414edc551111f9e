#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # single-quoted scripts run in the container; bats sets $stderr
# The OCI runtime as the unprivileged test user (runc's rootless mode):
# `spec --rootless` bundles, the whole lifecycle, exec joining the user
# namespace first, hooks, and the default state root under
# $XDG_RUNTIME_DIR.

load helpers
load oci_helpers

setup() {
	requires_userns
	oci_setup
	DIR=$(scratch_dir --user)
	ROOT=$DIR/state
	B=$DIR/bundle
	OCI_USER=1
	make_bundle "$B" --rootless /bin/probe signals - -- "$M"
}

teardown() {
	[[ -n ${OCI_USER-} ]] || return 0
	oci_teardown
}

@test "rootless: run in the foreground, the workload root in a user namespace mapping the user" {
	cfg "$B" '.process.args = ["/bin/probe", "ids"]'
	run -0 oci_user run --bundle "$B" c1
	assert_contains "$output" $'uid: 0\neuid: 0'
	cfg "$B" '.process.args = ["sh", "-c", "cat /proc/self/uid_map"]'
	run -0 oci_user run --bundle "$B" c1
	[[ $output =~ ^\ +0\ +$(id -u "$SLUICE_TEST_USER")\ +1$ ]] || fail "uid_map: $output"
	[[ ! -e $ROOT/c1 ]]
}

@test "rootless: linux.timeOffsets in a time namespace owned by the container's user namespace" {
	cfg "$B" '.linux.namespaces += [{"type": "time"}] | .linux.timeOffsets = {"boottime": {"secs": 864000}}
		| .process.args = ["sh", "-c", "echo $$; cut -d. -f1 /proc/uptime"]'
	run -0 --separate-stderr oci_user run --bundle "$B" c1
	assert_eq "${lines[0]}" 1
	((lines[1] >= 864000)) || fail "uptime inside: ${lines[1]}"
}

@test "rootless: create, state, start, exec, kill, delete" {
	oci_create c1
	assert_eq "$(state_of c1 status)" created
	assert_eq "$(stat -c %U "$ROOT/c1")" "$SLUICE_TEST_USER"
	run -0 oci_user start c1
	wait_for_file "$DIR/c1.log" 10 ready
	local pid
	pid=$(state_of c1 pid)
	run -0 oci_user exec c1 /bin/probe ns
	assert_contains "$output" "user: $(readlink "/proc/$pid/ns/user")"
	assert_contains "$output" "mnt: $(readlink "/proc/$pid/ns/mnt")"
	run -0 oci_user exec c1 /bin/probe ids
	assert_contains "$output" $'uid: 0\neuid: 0'
	run -0 oci_user kill c1 USR1
	wait_for_file "$DIR/c1.log" 10 SIGUSR1
	run -1 --separate-stderr oci_user delete c1
	assert_eq "$stderr" "sluice: cannot delete container c1 that is not stopped: running"
	run -0 oci_user delete --force c1
	[[ ! -e $ROOT/c1 ]]
}

@test "rootless: exec --detach leaves the process in the container; ps finds it" {
	oci_create c1
	run -0 oci_user start c1
	as_user "$SLUICE" --root "$ROOT" exec --detach --pid-file "$DIR/epid" c1 \
		/bin/probe sleep 100 - -- "$M" >"$DIR/e.out" 2>&1
	assert_eq "$(cat "$DIR/e.out")" ready
	run -0 oci_user ps --format json c1
	jq -e --argjson p "$(cat "$DIR/epid")" 'length == 2 and .[1] == $p' <<<"$output" >/dev/null ||
		fail "$output"
	run -0 oci_user delete --force c1
	assert_no_process "$M" 0
}

@test "rootless without resources: no cgroup; ps through the pid namespace, pause and update refused" {
	oci_create c1
	run -0 oci_user start c1
	run -0 oci_user ps --format json c1
	assert_eq "$output" "[$(state_of c1 pid)]"
	run -1 --separate-stderr oci_user pause c1
	assert_eq "$stderr" "sluice: cannot pause container c1: it has no cgroup (a rootless container gets one only when config.json asks for linux.resources or cgroupsPath)"
	run -1 --separate-stderr oci_user update --pids-limit 5 c1
	assert_contains "$stderr" "sluice: cannot update container c1: it has no cgroup"
	run -0 oci_user delete --force c1
}

@test "rootless: hooks run as the user, with the state on stdin" {
	printf '#!/bin/sh\ncat >%s/$1.state; id -u >%s/$1.uid\n' "$DIR" "$DIR" >"$DIR/hook"
	chmod 755 "$DIR/hook"
	give_to_user "$DIR/hook"
	cfg "$B" '.hooks = {"prestart": [{"path": $h, "args": ["hook", "prestart"]}], "poststop": [{"path": $h, "args": ["hook", "poststop"]}]}' \
		--arg h "$DIR/hook"
	oci_create c1
	assert_eq "$(cat "$DIR/prestart.uid")" "$(id -u "$SLUICE_TEST_USER")"
	jq -e '.status == "creating" and .id == "c1"' "$DIR/prestart.state" >/dev/null
	run -0 oci_user delete c1
	jq -e '.status == "stopped"' "$DIR/poststop.state" >/dev/null
}

@test "rootless: the default state root is \$XDG_RUNTIME_DIR/sluice; without it a clear error" {
	local xdg=$DIR/xdg
	as_user mkdir -m 700 "$xdg"
	# (not through `run`: the created container would hold its pipe)
	as_user env XDG_RUNTIME_DIR="$xdg" "$SLUICE" create --bundle "$B" c1 </dev/null >/dev/null 2>&1
	[[ -d $xdg/sluice/c1 ]] || fail "not under \$XDG_RUNTIME_DIR/sluice"
	run -0 as_user env XDG_RUNTIME_DIR="$xdg" "$SLUICE" list -q
	assert_eq "$output" c1
	# the bundle in the current directory and one argument: runc's `run ID`
	cfg "$B" '.process.args = ["/bin/probe", "exit", "3"]'
	run -3 as_user sh -c 'cd "$1" && XDG_RUNTIME_DIR="$2" exec "$3" run c2' _ "$B" "$xdg" "$SLUICE"
	run -0 as_user env XDG_RUNTIME_DIR="$xdg" "$SLUICE" delete c1
	run -64 --separate-stderr as_user "$SLUICE" list
	assert_eq "$stderr" "sluice: no state directory for a non-root user: set XDG_RUNTIME_DIR or give --root"
	assert_eq "$(ls -A "$xdg/sluice")" ""
}

@test "root of a user namespace of its own (as rootless podman runs the runtime): rootless by runc's rule, state under \$XDG_RUNTIME_DIR unless USER=root" {
	local xdg=$DIR/xdg
	as_user mkdir -m 700 "$xdg"
	# the container shares the caller's user namespace, as podman's do
	cfg "$B" '.process.args = ["sh", "-c", "id -u; cat /proc/self/uid_map"]
		| .linux.namespaces -= [{"type": "user"}] | del(.linux.uidMappings, .linux.gidMappings)'
	run -0 as_user env XDG_RUNTIME_DIR="$xdg" unshare --user --map-root-user "$SLUICE" run --bundle "$B" c1
	assert_eq "${lines[0]}" 0
	[[ ${lines[1]} =~ ^\ +0\ +$(id -u "$SLUICE_TEST_USER")\ +1$ ]] || fail "uid_map: $output"
	# its state went under XDG_RUNTIME_DIR (and is gone), no cgroup was made
	[[ -d $xdg/sluice ]] || fail "no $xdg/sluice"
	assert_eq "$(ls -A "$xdg/sluice")" ""
	# --rootless false: every container gets a cgroup, which this one cannot
	run -78 --separate-stderr as_user env XDG_RUNTIME_DIR="$xdg" unshare --user --map-root-user "$SLUICE" --rootless false run --bundle "$B" c1
	assert_contains "$stderr" "linux.cgroupsPath: cannot create the cgroup"
	assert_contains "$stderr" "as uid 0 (Permission denied)"
	# USER=root: runc's /run, which is not this root's to write
	run -125 --separate-stderr as_user env XDG_RUNTIME_DIR="$xdg" USER=root unshare --user --map-root-user "$SLUICE" run --bundle "$B" c1
	assert_eq "$stderr" "sluice: state directory /run/sluice/c1: Permission denied"
	assert_eq "$(ls -A "$xdg/sluice")" ""
}

@test "rootless device rules with no cgroup to hold them: left out and logged, as runc (buildah's deny-all); with another limit: the cgroup error" {
	cfg "$B" '.process.args = ["/bin/probe", "exit", "0"] | .linux.resources = {"devices": [{"allow": false, "access": "rwm"}]}'
	run -0 --separate-stderr oci_user --log "$DIR/log" --log-format json run --bundle "$B" c1
	assert_eq "$stderr" ""
	jq -e --arg m "$B/config.json: linux.resources.devices: 1 rule(s) left out: a rootless container without linux.cgroupsPath or other limits gets no cgroup to hold them (as with runc); in its user namespace no device node can be made" \
		'select(.level == "info") | .msg == $m' "$DIR/log" >/dev/null || fail "$(cat "$DIR/log")"
	cfg "$B" '.linux.resources.pids = {"limit": 10}'
	run -78 --separate-stderr oci_user run --bundle "$B" c1
	assert_contains "$stderr" "cannot create the cgroup"
	[[ ! -e $ROOT/c1 ]]
}
