#!/usr/bin/env bats
# docker against a private dockerd (its own data root, exec root, socket,
# and containerd) with the runtime under test added by `--add-runtime` and
# chosen by `docker run --runtime` (and the default, for `docker build`):
# run, exit status, env, terminal, user, read-only, memory, --init, a
# detached container's exec, stop and rm; pause, top, update, restart, cp,
# kill, wait, exec -u; build.
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
	# anyway).  dockerd writes /etc/docker/key.json: a tmpfs there.  The
	# runtime under test is the default too: the classic builder runs
	# `docker build`'s RUN steps with the default, and has no --runtime.
	daemon_start dockerd "$dir/docker.sock" \
		env TMPDIR="$dir/tmp" dockerd --config-file "$dir/daemon.json" \
		--data-root "$dir/root" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
		--host "unix://$dir/docker.sock" --iptables=false --ip6tables=false \
		--ip-forward=false --ip-masq=false --bridge=none --userland-proxy=false \
		--storage-driver vfs --add-runtime "$DOCKER_RT=$CLIENT_RT_BIN" --default-runtime "$DOCKER_RT" \
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

# docker_build ARGS...: docker build with the classic builder (the daemon's,
# which runs each RUN step as a container).
docker_build() {
	clients_cmd "$CLIENT_TIMEOUT" env DOCKER_BUILDKIT=0 "$DOCKER_CLI" \
		--host "unix://$CLIENT_DIR/docker/docker.sock" build "$@"
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

# freezer_state PID: the freezer.state of PID's cgroup (v1).
freezer_state() {
	local cg
	cg=$(awk -F: '$2 == "freezer" { print $3 }' "/proc/$1/cgroup")
	cat "$CGROUP_MOUNTS/freezer$cg/freezer.state"
}

# counter_of PID: what the counting workload of the pause test last wrote.
counter_of() {
	cat "/proc/$1/root/tmp/n"
}

@test "docker pause, unpause: the processes freeze, then go on; top (the runtime's ps) meanwhile" {
	local pid n
	[[ -d $CGROUP_MOUNTS/freezer ]] || skip "no v1 freezer hierarchy"
	run -0 docker_run -d --name c1 localhost/busybox \
		sh -c 'i=0; while :; do i=$((i + 1)); echo $i >/tmp/n.new; mv /tmp/n.new /tmp/n; sleep 0.05; done'
	run -0 docker_ inspect --format '{{.State.Pid}}' c1
	pid=$output
	wait_for_file "/proc/$pid/root/tmp/n" 10
	run -0 docker_ pause c1
	run -0 docker_ inspect --format '{{.State.Status}} {{.State.Paused}}' c1
	assert_eq "$output" "paused true"
	assert_eq "$(freezer_state "$pid")" FROZEN
	n=$(counter_of "$pid")
	sleep 0.5
	assert_eq "$(counter_of "$pid")" "$n" "the counter went on while paused"
	run -1 docker_ exec c1 true
	assert_contains "$output" "is paused, unpause the container before exec"
	# top asks the runtime for the container's pids (ps --format json)
	run -0 docker_ top c1 -o pid,args
	grep -qE "^$pid +sh -c i=0; while :;" <<<"$output" || fail "docker top: $output"
	run -0 docker_ unpause c1
	run -0 docker_ inspect --format '{{.State.Status}} {{.State.Paused}}' c1
	assert_eq "$output" "running false"
	assert_eq "$(freezer_state "$pid")" THAWED
	for _ in $(seq 100); do
		(($(counter_of "$pid") > n)) && break
		sleep 0.05
	done
	(($(counter_of "$pid") > n)) || fail "the counter did not go on after unpause"
	# paused, then removed: nothing stays frozen or behind
	run -0 docker_ pause c1
	run -0 docker_ rm --force c1
	wait_cgroups_empty 10
}

@test "docker update: a running container's cgroup changes, and keeps the limits through restart; cp" {
	local pid
	run -0 docker_run -d --name c1 --memory 32m --memory-swap 64m localhost/busybox \
		sh -c 'trap "exit 0" TERM; while :; do sleep 0.05; done'
	# growing memory and memory+swap together: swap first, as runc does
	run -0 docker_ update --memory 128m --memory-swap 256m --pids-limit 50 --cpu-shares 512 c1
	run -0 docker_ exec c1 sh -c 'cd /sys/fs/cgroup; cat memory/memory.limit_in_bytes memory/memory.memsw.limit_in_bytes pids/pids.max cpu/cpu.shares'
	assert_eq "${lines[*]}" "134217728 268435456 50 512"
	# and shrinking: memory first
	run -0 docker_ update --memory 16m --memory-swap 24m c1
	run -0 docker_ exec c1 sh -c 'cd /sys/fs/cgroup; cat memory/memory.limit_in_bytes memory/memory.memsw.limit_in_bytes'
	assert_eq "${lines[*]}" "16777216 25165824"
	run -0 docker_ inspect --format '{{.State.Pid}}' c1
	pid=$output
	run -0 docker_ restart --time 30 c1
	run -0 docker_ inspect --format '{{.State.Status}} {{.State.ExitCode}} {{.State.Pid}}' c1
	[[ $output == "running 0 "* && $output != "running 0 $pid" ]] || fail "not a new running workload: $output (was $pid)"
	run -0 docker_ exec c1 sh -c 'cd /sys/fs/cgroup; cat memory/memory.limit_in_bytes pids/pids.max cpu/cpu.shares'
	assert_eq "${lines[*]}" "16777216 50 512"
	# docker cp, in and out of the running container
	echo copied-in >"$CLIENT_DIR/cp-in"
	run -0 docker_ cp "$CLIENT_DIR/cp-in" c1:/tmp/cp-in
	run -0 docker_ exec c1 cat /tmp/cp-in
	assert_eq "$output" copied-in
	run -0 docker_ cp c1:/etc/passwd "$CLIENT_DIR/cp-out"
	assert_eq "$(head -n 1 "$CLIENT_DIR/cp-out")" "root:x:0:0:root:/root:/bin/sh"
	run -0 docker_ rm --force c1
	wait_cgroups_empty 10
}

@test "docker kill -s USR1 reaches a trap; kill -s TERM: the trap's status; kill: 137; wait; exec -u -w -e" {
	run -0 docker_run -d --name c1 localhost/busybox \
		sh -c 'trap "echo got-USR1" USR1; trap "echo got-TERM; exit 7" TERM; echo ready; while :; do sleep 0.05; done'
	for _ in $(seq 100); do
		run -0 docker_ logs c1
		[[ $output == *ready* ]] && break
		sleep 0.05
	done
	run -0 docker_ exec -u 65534:65534 -w /tmp -e Y=2 c1 sh -c 'echo "$(id -u):$(id -g) $(pwd) $Y"'
	assert_eq "$output" "65534:65534 /tmp 2"
	run -0 docker_ exec -u nobody c1 id
	assert_eq "$output" "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)"
	run -0 docker_ kill -s USR1 c1
	for _ in $(seq 100); do
		run -0 docker_ logs c1
		[[ $output == *got-USR1* ]] && break
		sleep 0.05
	done
	assert_output_line got-USR1
	run -0 docker_ inspect --format '{{.State.Status}}' c1
	assert_eq "$output" running
	run -0 docker_ kill -s TERM c1
	run -0 docker_ wait c1
	assert_eq "$output" 7
	run -0 docker_ logs c1
	assert_output_line got-TERM
	run -0 docker_ start c1
	run -0 docker_ kill c1
	run -0 docker_ wait c1
	assert_eq "$output" 137
	run -0 docker_ rm c1
	wait_cgroups_empty 10
}

@test "docker build: the classic builder's RUN steps run with the daemon's default runtime (the one under test)" {
	local ctx=$CLIENT_DIR/build
	mkdir -p "$ctx"
	printf '%s\n' 'FROM localhost/busybox' 'RUN echo built >/built && id -u >>/built' \
		'RUN ["sh", "-c", "echo exec form >>/built"]' 'CMD ["cat", "/built"]' >"$ctx/Dockerfile"
	# --rm=false keeps the RUN steps' containers: each says its runtime
	run -0 docker_build --rm=false -t localhost/built "$ctx"
	assert_output_line "Successfully tagged localhost/built:latest"
	run -0 docker_ ps --all --quiet --no-trunc
	(($(wc -l <<<"$output") >= 2)) || fail "no RUN step container kept: $output"
	# shellcheck disable=SC2086 # one id per word
	run -0 docker_ inspect --format '{{.HostConfig.Runtime}}' $output
	[[ $(sort -u <<<"$output") == "$DOCKER_RT" ]] || fail "RUN steps' runtimes: $output"
	run -0 docker_run --rm localhost/built
	assert_eq "$output" $'built\n0\nexec form'
	printf '%s\n' 'FROM localhost/busybox' 'RUN exit 3' 'RUN echo never' >"$ctx/Dockerfile"
	run -3 docker_build "$ctx"
	assert_contains "$output" "returned a non-zero code: 3"
	[[ $output != *"Step 3/3"* ]] || fail "a step after the failed one ran"
}
