#!/usr/bin/env bats
# shellcheck disable=SC2016 # single-quoted scripts run in the container
# Rootless podman and buildah (the unprivileged test user, its subordinate
# ids, conmon) and rootless docker (dockerd-rootless.sh: dockerd in
# rootlesskit's user and mount namespaces) driving the runtime under test.
# podman and buildah run the runtime as root of the user namespace they
# made (podman's pause process keeps it), dockerd's containerd shim as root
# of rootlesskit's, with no --root (podman) or a --root under the user's
# exec root (docker): the runtime must see that it is rootless (runc's
# rule: root of a user namespace other than the initial one), keep its
# state there, and make no cgroup for a config that asks for none
# (buildah's deny-all device rule included, as runc; docker drops every
# limit on a rootless cgroup v1 host).
# Expectations are what a user sees with runc (docs/clients.md).

load helpers

# Debian's docker client: another `docker` may come first in PATH.
DOCKER_CLI=${DOCKER_CLI:-/usr/bin/docker}
# dockerd reserves the name "runc": the runtime under test is added as this.
DOCKER_RT=under-test
# Debian's docker.io: dockerd in rootlesskit's namespaces
DOCKERD_ROOTLESS=${DOCKERD_ROOTLESS:-/usr/share/docker.io/contrib/dockerd-rootless.sh}

# _missing CMD...: "requires CMD (...)" for the first CMD not installed.
_missing() {
	local cmd
	for cmd; do
		if ! command -v "$cmd" >/dev/null; then
			echo "requires $cmd (scripts/install-deps --clients)"
			return 0
		fi
	done
}

# _rootless_dockerd_start USER: dockerd-rootless.sh as USER in the suite's
# namespaces: rootlesskit makes a user namespace (USER's subordinate ids)
# and a mount namespace and runs dockerd there, with the host's network
# (the suite's private one: --net=host, no slirp4netns, whose tap device
# needs /dev/net/tun, which USER cannot open), its own containerd, and
# everything in $CLIENT_DIR/docker and $XDG/docker.  No cgroup: docker
# uses none rootless on a cgroup v1 host.  The user namespace's id goes to
# $CLIENT_DIR/docker/userns (teardown_file finds what is left by it).
_rootless_dockerd_start() {
	local u=$1 dir=$CLIENT_DIR/docker deadline child
	mkdir -p "$dir/home" "$dir/tmp"
	echo '{}' >"$dir/daemon.json"
	chown -R "$u:$(id -g "$u")" "$dir"
	daemon_start rootless-dockerd "$dir/docker.sock" \
		setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups --pdeathsig KILL \
		env -i --chdir="$dir/home" PATH="$PATH" HOME="$dir/home" USER="$u" LOGNAME="$u" \
		XDG_RUNTIME_DIR="$XDG" TMPDIR="$dir/tmp" DOCKERD_ROOTLESS_ROOTLESSKIT_NET=host \
		DOCKERD_ROOTLESS_ROOTLESSKIT_PORT_DRIVER=none \
		DOCKERD_ROOTLESS_ROOTLESSKIT_FLAGS="--state-dir=$dir/rootlesskit" \
		"$DOCKERD_ROOTLESS" --config-file "$dir/daemon.json" --data-root "$dir/root" \
		--exec-root "$XDG/docker" --pidfile "$dir/dockerd.pid" --host "unix://$dir/docker.sock" \
		--iptables=false --ip6tables=false --ip-forward=false --ip-masq=false --bridge=none \
		--userland-proxy=false --storage-driver vfs --add-runtime "$DOCKER_RT=$RT_USER_BIN" \
		--default-ulimit nofile=20000:20000 || return 1
	child=$(<"$dir/rootlesskit/child_pid") &&
		readlink "/proc/$child/ns/user" >"$dir/userns" || return 1
	# The socket appears before the API answers.
	deadline=$((SECONDS + 60))
	until docker_ version >/dev/null 2>&1; do
		((SECONDS < deadline)) || { echo "rootless dockerd does not answer" >&2 && return 1; }
		sleep 0.1
	done
	docker_ import "$CLIENT_IMAGE_TAR" localhost/busybox:latest >/dev/null
}

# _rootless_dockerd_stop: removes every container, stops rootlesskit (which
# stops dockerd) by its pid, and kills (failing) whatever is left in its
# user namespace.
_rootless_dockerd_stop() {
	local userns pids
	docker_remove_all
	daemon_stop rootless-dockerd
	userns=$(cat "$CLIENT_DIR/docker/userns" 2>/dev/null) || return 0
	pids=$(_userns_pids "$userns" | tr '\n' ' ')
	[[ -n ${pids// /} ]] || return 0
	echo "clients: processes left in rootless dockerd's user namespace (killed):" >&2
	# shellcheck disable=SC2086 # one pid per word
	ps -o pid,ppid,args -p "${pids// /,}" >&2 2>/dev/null || true
	# shellcheck disable=SC2086
	kill -KILL $pids 2>/dev/null
	return 1
}

# _userns_pids NS: the processes in the user namespace NS (user:[INODE]).
_userns_pids() {
	local ns pid
	for ns in /proc/[0-9]*/ns/user; do
		pid=${ns#/proc/}
		pid=${pid%%/*}
		[[ $(readlink "$ns" 2>/dev/null) == "$1" ]] && echo "$pid"
	done
	return 0
}

setup_file() {
	clients_setup rootless newuidmap newgidmap || return 1
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
	# the user's copy of sluice (test/run makes one where the user cannot
	# reach the build)
	[[ $rt != "$SLUICE" ]] || rt=$SLUICE_USER_BIN
	# XDG_RUNTIME_DIR where a login would have it, on the namespace's own
	# /run (podman's run root must be at most 50 characters)
	XDG=/run/user/$(id -u "$u")
	in_ns install -d -m 700 -o "$u" -g "$(id -g "$u")" "$XDG" || return 1
	chmod 644 "$CLIENT_IMAGE_TAR"
	RT_USER_BIN=$rt
	export XDG RT_USER_BIN
	DOCKER_SKIP=$(_missing dockerd "$DOCKER_CLI" rootlesskit containerd containerd-shim-runc-v2 \
		"$DOCKERD_ROOTLESS")
	# docker gives every container a seccomp profile
	if [[ -z $DOCKER_SKIP && $CLIENT_RT_SECCOMP != true ]]; then
		DOCKER_SKIP="$CLIENT_RT_NAME has no seccomp yet (features: linux.seccomp.enabled false),"
		DOCKER_SKIP+=" which docker gives every container"
	fi
	export DOCKER_SKIP
	[[ -n $DOCKER_SKIP ]] || _rootless_dockerd_start "$u" || return 1
	PODMAN_SKIP=$(_missing podman conmon buildah)
	export PODMAN_SKIP
	[[ -z $PODMAN_SKIP ]] || return 0
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
	printf '[storage]\ndriver = "vfs"\nrunroot = "%s"\ngraphroot = "%s"\n' \
		"$XDG/storage" "$dir/home/storage" >"$dir/storage.conf"
	printf '%s\n' 'FROM localhost/busybox' 'RUN echo built >/built && id -u >/uid' \
		'RUN ["sh", "-c", "cat /built >/built2"]' >"$dir/ctx/Containerfile"
	chown -R "$u:$(id -g "$u")" "$dir"
	# podman and buildah start in the user's home: the caller's directory
	# (in CI a clone under root's private temporary directory) may be out
	# of the user's reach, and podman needs its working directory
	# (podman's flags, not only its configuration files: conmon runs
	# `podman container cleanup` with the flags alone, and podman waits 20 s
	# for a cleanup that cannot find the container)
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
	export PODMAN BUILDAH
	run_podman import "$CLIENT_IMAGE_TAR" localhost/busybox:latest >/dev/null
}

teardown_file() {
	[[ -n ${CLIENT_DIR:-} ]] || return 0
	local ok=0 pids pause
	if [[ -z ${CLIENTS_SKIP:-} ]]; then
		[[ -n ${DOCKER_SKIP:-} ]] || _rootless_dockerd_stop || ok=1
		if [[ -z ${PODMAN_SKIP:-} ]]; then
			run_podman rm --all --force --time 0 >/dev/null 2>&1
			# the pause process that holds podman's user namespace
			pause=$(in_ns cat "$XDG/libpod/tmp/pause.pid" 2>/dev/null) && _stop_pid "$pause" 5
		fi
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

# The test user's processes that podman or rootless docker started for
# this suite (their HOME is the suite's): conmon, the pause process,
# rootlesskit, dockerd, containerd, its shims.
_suite_pids() {
	local pid
	for pid in $(pgrep -u "$SLUICE_TEST_USER"); do
		tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null |
			grep -qxE "HOME=$CLIENT_DIR/(podman|docker)/home" && echo "$pid"
	done
	return 0
}

# Each test needs its client: podman's tests podman, conmon and buildah,
# the rootless docker tests dockerd, rootlesskit and the docker client.
setup() {
	clients_require
	case $BATS_TEST_DESCRIPTION in
	"rootless docker"*) [[ -z $DOCKER_SKIP ]] || skip "$DOCKER_SKIP" ;;
	*) [[ -z $PODMAN_SKIP ]] || skip "$PODMAN_SKIP" ;;
	esac
}

teardown() {
	[[ -z ${CLIENTS_SKIP:-} ]] || return 0
	case $BATS_TEST_DESCRIPTION in
	"rootless docker"*) [[ -n $DOCKER_SKIP ]] || docker_remove_all ;;
	*) [[ -n $PODMAN_SKIP ]] || run_podman rm --all --force --time 0 >/dev/null 2>&1 ;;
	esac
}

# docker_ ARGS...: the docker client (root, on the host) against the
# suite's rootless dockerd.
docker_() {
	clients_cmd "$CLIENT_TIMEOUT" "$DOCKER_CLI" --host "unix://$CLIENT_DIR/docker/docker.sock" "$@"
}

# docker_run ARGS...: docker run with the runtime under test, no network.
docker_run() {
	docker_ run --runtime "$DOCKER_RT" --network none "$@"
}

docker_remove_all() {
	local ids
	ids=$(docker_ ps --all --quiet 2>/dev/null) || return 0
	# shellcheck disable=SC2086 # one id per word
	[[ -z $ids ]] || docker_ rm --force $ids >/dev/null 2>&1
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

@test "rootless docker run --runtime: echo, the exit status, stdin, 127; the workload is root of rootlesskit's user namespace" {
	run -0 docker_run --rm localhost/busybox echo hello from rootless docker
	assert_eq "$output" "hello from rootless docker"
	# dockerd is rootless, and the runtime under test is the one that ran it
	run -0 docker_ info --format '{{json .SecurityOptions}} {{json .Runtimes}}'
	assert_contains "$output" "name=rootless"
	assert_contains "$output" "\"$DOCKER_RT\":{\"path\":\"$RT_USER_BIN\""
	run -3 docker_run --rm localhost/busybox sh -c 'exit 3'
	run -0 docker_run --rm -i localhost/busybox sh -c 'read -r line; echo "got $line"' <<<"piped"
	assert_eq "$output" "got piped"
	run -0 docker_run --rm localhost/busybox sh -c 'id -u; cat /proc/self/uid_map'
	assert_eq "${lines[0]}" 0
	[[ ${lines[1]} =~ ^\ +0\ +$(id -u "$SLUICE_TEST_USER")\ +1$ ]] || fail "uid_map: $output"
	run -127 docker_run --rm localhost/busybox /no/such/command
	run -137 docker_run --rm --init localhost/busybox probe kill KILL
}

@test "rootless docker run -t, --user, --read-only; --memory dropped: no cgroup, as runc; /sys/fs/cgroup" {
	local own
	run -0 with_tty "$DOCKER_CLI" --host "unix://$CLIENT_DIR/docker/docker.sock" run --rm -t \
		--runtime "$DOCKER_RT" --network none localhost/busybox sh -c 'tty; test -t 0 && test -t 1 && echo stdio-is-tty'
	assert_output_line /dev/pts/0
	assert_output_line stdio-is-tty
	run -0 docker_run --rm --user 1000:1000 --group-add 5 localhost/busybox \
		sh -c 'echo "$(id -u) $(id -g) $(id -G)"; touch /tmp/f && stat -c %u:%g /tmp/f'
	assert_eq "$output" $'1000 1000 1000 5\n1000:1000'
	run -1 docker_run --rm --read-only localhost/busybox touch /file
	assert_contains "$output" "Read-only file system"
	# docker asks for no limit rootless on cgroup v1: the container stays in
	# the memory cgroup it was born in, ours, whose limit it sees
	own=$(awk -F: '$2 == "memory" { print $3 }' /proc/self/cgroup)
	run -0 docker_run --rm --memory 64m localhost/busybox \
		sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes; grep :memory: /proc/self/cgroup'
	assert_eq "${lines[0]}" "$(cat "/sys/fs/cgroup/memory$own/memory.limit_in_bytes")"
	assert_eq "${lines[1]#*:memory:}" "$own"
	# the v1 hierarchies, not a hybrid host's cgroup2 (unified), as runc
	run -0 docker_run --rm localhost/busybox ls /sys/fs/cgroup
	assert_output_line memory
	! grep -qx unified <<<"$output" || fail "/sys/fs/cgroup/unified in the container: $output"
}

@test "rootless docker run -d: the runtime's state under dockerd's exec root, no cgroup made; exec, exec -t, stop (TERM), rm leave nothing" {
	local id pid own shared state
	shared=$(mktemp -d "$CLIENT_DIR/shared.XXXXXX")
	chown "$SLUICE_TEST_USER" "$shared"
	run -0 docker_run -d -v "$shared:/shared" localhost/busybox probe signals /shared/ready
	id=${lines[-1]}
	wait_for_file "$shared/ready" 30
	state=$XDG/docker/runtime-runc/moby/$id
	in_ns test -d "$state" || fail "no state at $state"
	run -0 docker_ inspect --format '{{.State.Pid}}' "$id"
	pid=$output
	own=$(awk -F: '$2 == "memory" { print $3 }' /proc/self/cgroup)
	assert_eq "$(awk -F: '$2 == "memory" { print $3 }' "/proc/$pid/cgroup")" "$own"
	run -42 docker_ exec "$id" sh -c 'echo in; exit 42'
	assert_eq "$output" in
	run -0 docker_ exec --user 65534 --workdir /tmp -e FOO=bar "$id" sh -c 'echo "$FOO|$(pwd)|$(id -u)"'
	assert_eq "$output" "bar|/tmp|65534"
	run -0 with_tty "$DOCKER_CLI" --host "unix://$CLIENT_DIR/docker/docker.sock" exec -t "$id" \
		sh -c 'tty; test -t 1 && echo tty'
	assert_output_line /dev/pts/0
	assert_output_line tty
	run -0 docker_ stop --time 30 "$id"
	run -0 docker_ inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$id"
	assert_eq "$output" "exited 0"
	run -0 docker_ logs "$id"
	assert_output_line SIGTERM
	run -0 docker_ rm "$id"
	! in_ns test -e "$state" || fail "state left at $state"
	! _alive "$pid" || fail "the container's process $pid is left"
	run -0 docker_ ps --all --quiet
	assert_eq "$output" ""
}

@test "rootless docker stop: SIGKILL after the grace when TERM is ignored; rm --force kills every process" {
	local id shared pid children child
	shared=$(mktemp -d "$CLIENT_DIR/shared.XXXXXX")
	chown "$SLUICE_TEST_USER" "$shared"
	run -0 docker_run -d -v "$shared:/shared" localhost/busybox probe ignore-term 600 /shared/ready
	id=${lines[-1]}
	wait_for_file "$shared/ready" 30
	run -0 docker_ stop --time 1 "$id"
	run -0 docker_ inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$id"
	assert_eq "$output" "exited 137"
	run -0 docker_ rm "$id"
	run -0 docker_run -d -v "$shared:/shared" localhost/busybox \
		sh -c 'sleep 600 & echo started >/shared/started; sleep 600'
	id=${lines[-1]}
	wait_for_file "$shared/started" 30
	run -0 docker_ inspect --format '{{.State.Pid}}' "$id"
	pid=$output
	children=$(cat "/proc/$pid/task/$pid/children")
	[[ -n $children ]] || fail "no child of the container's sh"
	run -0 docker_ rm --force "$id"
	for child in $pid $children; do
		! _alive "$child" || fail "process $child of the container is left"
	done
}
