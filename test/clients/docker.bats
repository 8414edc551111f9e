#!/usr/bin/env bats
# docker against a private dockerd (its own data root, exec root, socket,
# and containerd) with the runtime under test added by `--add-runtime` and
# chosen by `docker run --runtime`: run, exit status, env, terminal, user,
# read-only, memory, --init, a detached container's exec, stop and rm.
# Expectations are what a user sees with runc (docs/clients.md).

load helpers

# Debian's docker client: another `docker` may come first in PATH.
DOCKER_CLI=${DOCKER_CLI:-/usr/bin/docker}
# dockerd reserves the name "runc": the runtime under test is added as this.
DOCKER_RT=under-test

setup_file() {
	export CLIENTS_NEED_SECCOMP=1
	clients_setup docker dockerd "$DOCKER_CLI" containerd containerd-shim-runc-v2 -- /etc/docker || return 1
	[[ -z $CLIENTS_SKIP ]] || return 0
	local dir=$CLIENT_DIR/docker
	mkdir -p "$dir/tmp"
	echo '{}' >"$dir/daemon.json"
	# No network of the host's is touched: no iptables, no bridge, no
	# forwarding (and the daemon has a network namespace of its own
	# anyway).  dockerd writes /etc/docker/key.json: a tmpfs there.
	daemon_start dockerd "$dir/docker.sock" \
		env TMPDIR="$dir/tmp" dockerd --config-file "$dir/daemon.json" \
		--data-root "$dir/root" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
		--host "unix://$dir/docker.sock" --iptables=false --ip6tables=false \
		--ip-forward=false --ip-masq=false --bridge=none --userland-proxy=false \
		--storage-driver vfs --add-runtime "$DOCKER_RT=$CLIENT_RT_BIN" \
		--cgroup-parent "$CLIENT_CGROUP" --default-ulimit nofile=20000:20000 || return 1
	# The socket appears before the API answers.
	local deadline=$((SECONDS + 60))
	until docker_ version >/dev/null 2>&1; do
		((SECONDS < deadline)) || { echo "dockerd does not answer" >&2 && return 1; }
		sleep 0.1
	done
	docker_ import "$CLIENT_IMAGE_TAR" localhost/busybox:latest >/dev/null
}

teardown_file() {
	[[ -n ${CLIENT_DIR:-} ]] || return 0
	remove_all
	daemon_stop dockerd
	clients_teardown
}

setup() {
	clients_require
}

# A test that failed half-way leaves no container to the next one.
teardown() {
	[[ -z ${CLIENTS_SKIP:-} ]] || return 0
	remove_all
}

remove_all() {
	local ids
	ids=$(docker_ ps --all --quiet 2>/dev/null) || return 0
	# shellcheck disable=SC2086 # one id per word
	[[ -z $ids ]] || docker_ rm --force $ids >/dev/null 2>&1
}

# docker_ ARGS...: the docker client against the suite's dockerd.
docker_() {
	clients_cmd "$CLIENT_TIMEOUT" "$DOCKER_CLI" --host "unix://$CLIENT_DIR/docker/docker.sock" "$@"
}

# docker_run ARGS...: docker run with the runtime under test, no network.
docker_run() {
	docker_ run --runtime "$DOCKER_RT" --network none "$@"
}

shared_dir() {
	SHARED=$(mktemp -d "$CLIENT_DIR/shared.XXXXXX")
}

@test "docker run --runtime: echo" {
	run -0 docker_run --rm localhost/busybox echo hello from docker
	assert_eq "$output" "hello from docker"
	# The runtime under test is the one that ran it.
	run -0 docker_ info --format '{{json .Runtimes}}'
	assert_contains "$output" "\"$DOCKER_RT\":{\"path\":\"$CLIENT_RT_BIN\""
}

@test "docker run: the workload's exit status; missing command 127" {
	run -3 docker_run --rm localhost/busybox sh -c 'exit 3'
	run -127 docker_run --rm localhost/busybox /no/such/command
	run -126 docker_run --rm localhost/busybox /etc/passwd
}

@test "docker run: env, workdir, user" {
	run -0 docker_run --rm -e FOO=bar --workdir /tmp --user 65534:65534 localhost/busybox \
		sh -c 'echo "$FOO|$(pwd)|$(id -u):$(id -g)"'
	assert_eq "$output" "bar|/tmp|65534:65534"
}

@test "docker run -i and -t" {
	run -0 clients_cmd 60 bash -c 'printf "a\nb\nc\n" | "$@"' _ "$DOCKER_CLI" \
		--host "unix://$CLIENT_DIR/docker/docker.sock" run --rm -i --runtime "$DOCKER_RT" \
		--network none localhost/busybox wc -l
	assert_eq "$output" 3
	run -0 with_tty "$DOCKER_CLI" --host "unix://$CLIENT_DIR/docker/docker.sock" run --rm -t \
		--runtime "$DOCKER_RT" --network none localhost/busybox sh -c 'tty; test -t 0 && echo stdio-is-tty'
	assert_output_line /dev/pts/0
	assert_output_line stdio-is-tty
}

@test "docker run: capabilities, seccomp, --read-only, --memory (as runc)" {
	local caps
	caps=$(cap_mask CAP_CHOWN CAP_DAC_OVERRIDE CAP_FSETID CAP_FOWNER CAP_MKNOD CAP_NET_RAW \
		CAP_SETGID CAP_SETUID CAP_SETFCAP CAP_SETPCAP CAP_NET_BIND_SERVICE CAP_SYS_CHROOT \
		CAP_KILL CAP_AUDIT_WRITE)
	run -0 docker_run --rm localhost/busybox probe caps
	assert_output_line "CapEff: $caps"
	assert_output_line "NoNewPrivs: 0"
	assert_output_line "Seccomp: 2"
	run -1 docker_run --rm --read-only localhost/busybox touch /file
	assert_contains "$output" "Read-only file system"
	run -0 docker_run --rm --memory 64m localhost/busybox cat /sys/fs/cgroup/memory/memory.limit_in_bytes
	assert_eq "$output" 67108864
}

@test "docker run --init: tini is PID 1, the status comes through" {
	run -0 docker_run --rm --init localhost/busybox sh -c 'tr "\0" " " </proc/1/cmdline'
	assert_contains "$output" "/sbin/docker-init -- sh -c"
	run -137 docker_run --rm --init localhost/busybox probe kill KILL
}

@test "docker run -d, exec, exec -t, stop (TERM), rm" {
	local id
	shared_dir
	run -0 docker_run -d -v "$SHARED:/shared" localhost/busybox probe signals /shared/ready
	id=${lines[-1]}
	wait_for_file "$SHARED/ready" 30
	run -0 docker_ exec "$id" sh -c 'echo exec says hi'
	assert_eq "$output" "exec says hi"
	run -42 docker_ exec "$id" sh -c 'exit 42'
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
	run -0 docker_ ps --all --quiet
	assert_eq "$output" ""
}

@test "docker stop: SIGKILL after the grace when TERM is ignored; rm -f" {
	local id start
	shared_dir
	run -0 docker_run -d -v "$SHARED:/shared" localhost/busybox probe ignore-term 600 /shared/ready
	id=${lines[-1]}
	wait_for_file "$SHARED/ready" 30
	start=$SECONDS
	run -0 docker_ stop --time 2 "$id"
	((SECONDS - start >= 2))
	run -0 docker_ inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$id"
	assert_eq "$output" "exited 137"
	run -0 docker_ rm "$id"
	run -0 docker_run -d localhost/busybox sh -c 'sleep 600 & sleep 600'
	run -0 docker_ rm --force "${lines[-1]}"
	wait_cgroups_empty 10
}
