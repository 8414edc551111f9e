#!/usr/bin/env bats
# shellcheck disable=SC2016 # single-quoted scripts run in the container
# Rootless podman and buildah (the unprivileged test user, its subordinate
# ids, conmon) driving the runtime under test.  podman and buildah run the
# runtime as root of the user namespace they made (podman's pause process
# keeps it), with no --root: the runtime must see that it is rootless
# (runc's rule: root of a user namespace other than the initial one), keep
# its state under $XDG_RUNTIME_DIR, and make no cgroup for a config that
# asks for none (buildah's deny-all device rule included, as runc).
# Expectations are what a user sees with runc (docs/clients.md).

load helpers

setup_file() {
	clients_setup rootless podman conmon buildah newuidmap newgidmap || return 1
	[[ -z $CLIENTS_SKIP ]] || return 0
	local u=${SLUICE_TEST_USER:-} dir=$CLIENT_DIR/podman rt=$CLIENT_RT_BIN
	if [[ -z $u ]] || [[ $(id -u "$u") == 0 ]] || ! as_user unshare --user true 2>/dev/null; then
		export CLIENTS_SKIP="requires the unprivileged test user with user namespaces (test/run)"
		return 0
	fi
	if ! grep -q "^$u:" /etc/subuid || ! grep -q "^$u:" /etc/subgid; then
		export CLIENTS_SKIP="requires subordinate ids for $u in /etc/subuid and /etc/subgid (test/run)"
		return 0
	fi
	# (podman's flags, not only its configuration files: conmon runs
	# `podman container cleanup` with the flags alone, and podman waits 20 s
	# for a cleanup that cannot find the container)
	# the user's copy of sluice (test/run makes one where the user cannot
	# reach the build)
	[[ $rt != "$SLUICE" ]] || rt=$SLUICE_USER_BIN
	mkdir -p "$dir/home" "$dir/tmp" "$dir/net" "$dir/ctx"
	cat >"$dir/containers.conf" <<-EOF
		[containers]
		log_driver = "k8s-file"
		netns = "none"
		default_ulimits = ["nofile=20000:20000"]
		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		events_logfile_path = "$dir/events.log"
		image_copy_tmp_dir = "$dir/tmp"
		runtime = "$CLIENT_RT_NAME"
		runtime_supports_json = ["crun", "runc", "sluice", "$CLIENT_RT_NAME"]
		[engine.runtimes]
		$CLIENT_RT_NAME = ["$rt"]
		[network]
		network_config_dir = "$dir/net"
	EOF
	# XDG_RUNTIME_DIR where a login would have it, on the namespace's own
	# /run (podman's run root must be at most 50 characters)
	XDG=/run/user/$(id -u "$u")
	in_ns install -d -m 700 -o "$u" -g "$(id -g "$u")" "$XDG" || return 1
	printf '[storage]\ndriver = "vfs"\nrunroot = "%s"\ngraphroot = "%s"\n' \
		"$XDG/storage" "$dir/home/storage" >"$dir/storage.conf"
	printf '%s\n' 'FROM localhost/busybox' 'RUN echo built >/built && id -u >/uid' \
		'RUN ["sh", "-c", "cat /built >/built2"]' >"$dir/ctx/Containerfile"
	chown -R "$u:$(id -g "$u")" "$dir"
	chmod 644 "$CLIENT_IMAGE_TAR"
	# podman and buildah start in the user's home: the caller's directory
	# (in CI a clone under root's private temporary directory) may be out
	# of the user's reach, and podman needs its working directory
	PODMAN=$(ns_command podman setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups \
		env -i --chdir="$dir/home" PATH="$PATH" HOME="$dir/home" USER="$u" LOGNAME="$u" XDG_RUNTIME_DIR="$XDG" \
		CONTAINERS_CONF="$dir/containers.conf" CONTAINERS_STORAGE_CONF="$dir/storage.conf" \
		CONTAINERS_REGISTRIES_CONF=/dev/null TMPDIR="$dir/tmp" \
		podman --root "$dir/home/storage" --runroot "$XDG/storage" --storage-driver vfs \
		--tmpdir "$XDG/libpod/tmp" --cgroup-manager cgroupfs --events-backend file \
		--runtime "$CLIENT_RT_NAME")
	BUILDAH=$(ns_command buildah setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups \
		env -i --chdir="$dir/home" PATH="$PATH" HOME="$dir/home" USER="$u" LOGNAME="$u" XDG_RUNTIME_DIR="$XDG" \
		CONTAINERS_CONF="$dir/containers.conf" CONTAINERS_STORAGE_CONF="$dir/storage.conf" \
		CONTAINERS_REGISTRIES_CONF=/dev/null TMPDIR="$dir/tmp" \
		buildah --root "$dir/home/storage" --runroot "$XDG/storage" --storage-driver vfs)
	RT_USER_BIN=$rt
	export PODMAN BUILDAH XDG RT_USER_BIN
	run_podman import "$CLIENT_IMAGE_TAR" localhost/busybox:latest >/dev/null
}

teardown_file() {
	[[ -n ${CLIENT_DIR:-} ]] || return 0
	local ok=0 pids pause
	if [[ -z ${CLIENTS_SKIP:-} ]]; then
		run_podman rm --all --force --time 0 >/dev/null 2>&1
		# the pause process that holds podman's user namespace
		pause=$(in_ns cat "$XDG/libpod/tmp/pause.pid" 2>/dev/null) && _stop_pid "$pause" 5
		# whatever else of the suite's is left
		pids=$(_suite_pids | tr '\n' ' ')
		if [[ -n ${pids// /} ]]; then
			echo "clients: processes left after the suite's clean-up (killed):" >&2
			# shellcheck disable=SC2086 # one pid per word
			ps -o pid,ppid,args -p "${pids// /,}" >&2 2>/dev/null || true
			# shellcheck disable=SC2086
			kill -KILL $pids 2>/dev/null
			ok=1
		fi
	fi
	clients_teardown || ok=1
	return "$ok"
}

# The test user's processes that podman started for this suite (their
# HOME is the suite's): conmon, the pause process.
_suite_pids() {
	local pid
	for pid in $(pgrep -u "$SLUICE_TEST_USER"); do
		tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF "HOME=$CLIENT_DIR/podman/home" &&
			echo "$pid"
	done
	return 0
}

setup() {
	clients_require
}

teardown() {
	[[ -z ${CLIENTS_SKIP:-} ]] || return 0
	run_podman rm --all --force --time 0 >/dev/null 2>&1
}

run_podman() {
	clients_cmd "$CLIENT_TIMEOUT" "$PODMAN" "$@"
}

podman_run() {
	run_podman run --network none "$@"
}

@test "rootless podman run: echo, the exit status, stdin; the workload is root of podman's user namespace" {
	run -0 podman_run --rm busybox echo hello from rootless podman
	assert_eq "$output" "hello from rootless podman"
	run podman_run --rm busybox sh -c 'exit 3'
	assert_status 3
	run -0 podman_run --rm -i busybox sh -c 'read -r line; echo "got $line"' <<<"piped"
	assert_eq "$output" "got piped"
	run -0 podman_run --rm busybox sh -c 'id -u; cat /proc/self/uid_map'
	assert_eq "${lines[0]}" 0
	[[ ${lines[1]} =~ ^\ +0\ +$(id -u "$SLUICE_TEST_USER")\ +1$ ]] || fail "uid_map: $output"
	run -127 podman_run --rm busybox /no/such/command
}

@test "rootless podman run --userns=keep-id, --user: the ids asked for" {
	run -0 podman_run --rm --userns=keep-id busybox id -u
	assert_eq "$output" "$(id -u "$SLUICE_TEST_USER")"
	run -0 podman_run --rm --user 1000:1000 busybox sh -c 'echo "$(id -u) $(id -g)"'
	assert_eq "$output" "1000 1000"
}

@test "rootless podman run -d: the runtime's state under \$XDG_RUNTIME_DIR, no cgroup made; exec, top, stop, rm leave nothing" {
	local id pid own
	run -0 podman_run -d busybox sleep 600
	id=${lines[-1]}
	in_ns test -d "$XDG/$CLIENT_RT_NAME/$id" || fail "no state at $XDG/$CLIENT_RT_NAME/$id"
	! in_ns test -e "/run/$CLIENT_RT_NAME/$id" || fail "state under /run/$CLIENT_RT_NAME"
	run -0 run_podman inspect --format '{{.State.Pid}}' "$id"
	pid=$output
	# no cgroup: the container stays in the memory cgroup it was born in,
	# ours
	own=$(awk -F: '$2 == "memory" { print $3 }' /proc/self/cgroup)
	assert_eq "$(awk -F: '$2 == "memory" { print $3 }' "/proc/$pid/cgroup")" "$own"
	run run_podman exec "$id" sh -c 'echo in; exit 42'
	assert_status 42
	assert_eq "$output" in
	run -0 run_podman top "$id" pid args
	assert_contains "$output" "sleep 600"
	run -0 run_podman stop --time 1 "$id"
	run -0 run_podman rm "$id"
	! in_ns test -e "$XDG/$CLIENT_RT_NAME/$id" || fail "state left at $XDG/$CLIENT_RT_NAME/$id"
}

@test "rootless podman run -t: the workload has a terminal" {
	run -0 with_tty "$PODMAN" run --rm -t --network none busybox sh -c 'tty; test -t 0 && test -t 1 && echo stdio-is-tty'
	assert_output_line /dev/pts/0
	assert_output_line stdio-is-tty
}

@test "rootless buildah bud --runtime: RUN steps build the image (buildah's deny-all device rule needs no cgroup, as with runc)" {
	run -0 clients_cmd "$CLIENT_TIMEOUT" "$BUILDAH" bud --runtime "$RT_USER_BIN" --isolation oci \
		--network none -t localhost/built "$CLIENT_DIR/podman/ctx"
	run -0 podman_run --rm localhost/built cat /built /uid /built2
	assert_eq "$output" $'built\n0\nbuilt'
	run -0 run_podman rmi localhost/built
}
