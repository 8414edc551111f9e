#!/usr/bin/env bats
# containerd (its runc shim, io.containerd.runc.v2, driven with ctr) with
# the runtime under test as the shim's runc binary (`ctr run
# --runc-binary`): run, exit status, env, terminal, memory limit,
# read-only root, a detached task with exec, kill and delete, pause and
# resume.
# Expectations are what a user sees with runc (docs/clients.md).

load helpers

setup_file() {
	clients_setup containerd containerd ctr containerd-shim-runc-v2 || return 1
	[[ -z $CLIENTS_SKIP ]] || return 0
	local dir=$CLIENT_DIR/containerd
	mkdir -p "$dir/fifo"
	containerd_start "$dir" io.containerd.grpc.v1.cri </dev/null || return 1
	ctr_ image import "$CLIENT_OCI_TAR" >/dev/null || return 1
}

teardown_file() {
	[[ -n ${CLIENT_DIR:-} ]] || return 0
	remove_all
	daemon_stop containerd
	clients_teardown
}

setup() {
	clients_require
	CTR_ID=t$BATS_TEST_NUMBER
}

# A test that failed half-way leaves no container to the next one.
teardown() {
	[[ -z ${CLIENTS_SKIP:-} ]] || return 0
	remove_all
}

remove_all() {
	local id
	for id in $(ctr_ task list --quiet 2>/dev/null); do
		ctr_ task delete --force "$id" >/dev/null 2>&1
	done
	for id in $(ctr_ container list --quiet 2>/dev/null); do
		ctr_ container delete "$id" >/dev/null 2>&1
	done
}

# ctr_ ARGS...: ctr against the suite's containerd, with a time limit.
ctr_() {
	clients_cmd "$CLIENT_TIMEOUT" ctr --address "$CLIENT_DIR/containerd/containerd.sock" "$@"
}

# ctr_run [OPTIONS...] -- CMD...: `ctr run` of the busybox image as
# $CTR_ID with the runtime under test, the fifos in the suite's directory
# (ctr makes them itself, on the client side) and a cgroup below ours.
ctr_run() {
	local -a opts=()
	while (($#)) && [[ $1 != -- ]]; do
		opts+=("$1")
		shift
	done
	shift
	ctr_ run --runc-binary "$CLIENT_RT_BIN" --fifo-dir "$CLIENT_DIR/containerd/fifo" \
		--cgroup "$CLIENT_CGROUP/$CTR_ID" "${opts[@]}" localhost/busybox:latest "$CTR_ID" "$@"
}

# The program for with_tty (which cannot call a shell function).
ctr_exe() {
	CTR_EXE=$CLIENT_DIR/bin/ctr
	if [[ ! -x $CTR_EXE ]]; then
		mkdir -p "$CLIENT_DIR/bin"
		printf '#!/bin/sh\nexec ctr --address %q "$@"\n' "$CLIENT_DIR/containerd/containerd.sock" >"$CTR_EXE"
		chmod 755 "$CTR_EXE"
	fi
}

shared_dir() {
	SHARED=$(mktemp -d "$CLIENT_DIR/shared.XXXXXX")
}

# task_status ID: the task's status as `ctr task list` gives it.
task_status() {
	ctr_ task list | awk -v id="$1" '$1 == id { print $3 }'
}

# wait_task_status ID STATUS SECS
wait_task_status() {
	local deadline=$((SECONDS + $3)) now
	while now=$(task_status "$1") && [[ $now != "$2" ]]; do
		if ((SECONDS >= deadline)); then
			echo "task $1 is \"$now\", not $2, after $3 s" >&2
			return 1
		fi
		sleep 0.05
	done
}

@test "ctr run: echo" {
	run -0 ctr_run --rm -- echo hello from containerd
	assert_eq "$output" "hello from containerd"
}

@test "ctr run: the workload's exit status" {
	run -7 ctr_run --rm -- sh -c 'exit 7'
	run -0 ctr_run --rm -- true
}

@test "ctr run: env and cwd" {
	run -0 ctr_run --rm --env FOO=bar --env EMPTY= --cwd /tmp -- sh -c 'echo "$FOO|$EMPTY|$(pwd)|$PATH"'
	assert_eq "$output" "bar||/tmp|/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
}

@test "ctr run: HOME from the image's /etc/passwd (ctr sets none; runc fills it in)" {
	run -0 ctr_run --rm -- sh -c 'echo "$HOME"'
	assert_eq "$output" /root
	# ctr 1.6 run has no --user: an exec as another user.  A uid without
	# an entry gets /; a HOME given stays.
	run -0 ctr_run -d -- sleep 600
	wait_task_status "$CTR_ID" RUNNING 10
	run -0 ctr_ task exec --fifo-dir "$CLIENT_DIR/containerd/fifo" --exec-id e1 --user 65534 \
		"$CTR_ID" sh -c 'echo "$HOME"'
	assert_eq "$output" /nonexistent
	run -0 ctr_ task exec --fifo-dir "$CLIENT_DIR/containerd/fifo" --exec-id e2 --user 4321 \
		"$CTR_ID" sh -c 'echo "$HOME"'
	assert_eq "$output" /
	CTR_ID=$CTR_ID-env run -0 ctr_run --rm --env HOME=/given -- sh -c 'echo "$HOME"'
	assert_eq "$output" /given
}

@test "ctr run -t: the workload has a terminal" {
	ctr_exe
	run -3 with_tty "$CTR_EXE" run -t --rm --runc-binary "$CLIENT_RT_BIN" \
		--fifo-dir "$CLIENT_DIR/containerd/fifo" --cgroup "$CLIENT_CGROUP/$CTR_ID" \
		localhost/busybox:latest "$CTR_ID" sh -c 'tty; test -t 0 && test -t 1 && echo stdio-is-tty; exit 3'
	# ctr writes a NUL byte to the terminal, echoed as ^@: drop it.
	output=${output//'^@'/}
	assert_output_line /dev/pts/0
	assert_output_line stdio-is-tty
}

@test "ctr run: capabilities and no_new_privs (as runc)" {
	local caps
	caps=$(cap_mask CAP_CHOWN CAP_DAC_OVERRIDE CAP_FSETID CAP_FOWNER CAP_MKNOD CAP_NET_RAW \
		CAP_SETGID CAP_SETUID CAP_SETFCAP CAP_SETPCAP CAP_NET_BIND_SERVICE CAP_SYS_CHROOT \
		CAP_KILL CAP_AUDIT_WRITE)
	run -0 ctr_run --rm -- probe caps
	assert_output_line "CapEff: $caps"
	assert_output_line "CapBnd: $caps"
	assert_output_line "NoNewPrivs: 1"
	assert_output_line "Seccomp: 0"
}

@test "ctr run --seccomp: the default profile is loaded" {
	clients_require_seccomp
	run -0 ctr_run --rm --seccomp -- probe caps
	assert_output_line "Seccomp: 2"
}

@test "ctr run --memory-limit: the cgroup has the limit, and it is enforced" {
	local limit=$CGROUP_MOUNTS/memory$CLIENT_CGROUP/$CTR_ID/memory.limit_in_bytes
	shared_dir
	run -0 ctr_run -d --memory-limit 67108864 \
		--mount "type=bind,src=$SHARED,dst=/shared,options=rbind:rw" -- probe sleep 600 /shared/ready
	wait_for_file "$SHARED/ready" 30
	assert_eq "$(cat "$limit")" 67108864
	run -0 ctr_ task kill --signal SIGKILL "$CTR_ID"
	wait_task_status "$CTR_ID" STOPPED 30
	run -0 ctr_ task delete "$CTR_ID"
	run -0 ctr_ container delete "$CTR_ID"
	# Over the limit (a tmpfs is charged to the cgroup): the OOM killer.
	CTR_ID=$CTR_ID-oom run -137 ctr_run --rm --memory-limit 16777216 -- \
		sh -c 'head -c 40m /dev/zero >/dev/shm/fill; echo survived'
}

@test "ctr run --read-only: the root is read-only" {
	run -1 ctr_run --rm --read-only -- touch /file
	assert_contains "$output" "Read-only file system"
	CTR_ID=$CTR_ID-rw run -0 ctr_run --rm -- sh -c 'touch /file && echo writable'
	assert_eq "$output" writable
}

@test "ctr run -d, task exec, exec -t, kill, delete" {
	local pid
	shared_dir
	run -0 ctr_run -d --mount "type=bind,src=$SHARED,dst=/shared,options=rbind:rw" -- \
		probe signals /shared/ready
	wait_for_file "$SHARED/ready" 30
	wait_task_status "$CTR_ID" RUNNING 10
	pid=$(ctr_ task list | awk -v id="$CTR_ID" '$1 == id { print $2 }')
	[[ -e /proc/$pid ]]

	run -0 ctr_ task exec --fifo-dir "$CLIENT_DIR/containerd/fifo" --exec-id e1 "$CTR_ID" \
		sh -c 'echo exec says hi'
	assert_eq "$output" "exec says hi"
	run -4 ctr_ task exec --fifo-dir "$CLIENT_DIR/containerd/fifo" --exec-id e2 "$CTR_ID" \
		sh -c 'exit 4'
	run ctr_ task exec --fifo-dir "$CLIENT_DIR/containerd/fifo" --exec-id e3 --user 65534 \
		--cwd /tmp "$CTR_ID" sh -c 'echo "$(id -u) $(pwd)"'
	assert_status 0
	assert_eq "$output" "65534 /tmp"
	ctr_exe
	run -0 with_tty "$CTR_EXE" task exec -t --fifo-dir "$CLIENT_DIR/containerd/fifo" \
		--exec-id e4 "$CTR_ID" sh -c 'tty; test -t 1 && echo tty'
	# Echoed control characters (^@) may precede a line: drop them.
	output=${output//'^@'/}
	assert_output_line /dev/pts/0
	assert_output_line tty

	run -0 ctr_ task ps "$CTR_ID"
	assert_contains "$output" "$pid"

	# kill: SIGTERM, which the workload catches, prints and exits 0.
	run -0 ctr_ task kill "$CTR_ID"
	wait_task_status "$CTR_ID" STOPPED 30
	run -0 ctr_ task delete "$CTR_ID"
	[[ $output != *"non-zero exit code"* ]] || fail "$output"
	[[ ! -e /proc/$pid ]]
	run -0 ctr_ container delete "$CTR_ID"
	run -0 ctr_ container list --quiet
	assert_eq "$output" ""
}

@test "ctr task pause, resume: the task's processes are frozen, then go on" {
	local freezer=$CGROUP_MOUNTS/freezer$CLIENT_CGROUP/$CTR_ID/freezer.state a b deadline
	shared_dir
	run -0 ctr_run -d --mount "type=bind,src=$SHARED,dst=/shared,options=rbind:rw" -- \
		sh -c 'i=0; while :; do i=$((i + 1)); echo $i >/shared/count.new; mv /shared/count.new /shared/count; sleep 0.05; done'
	wait_for_file "$SHARED/count" 30
	wait_task_status "$CTR_ID" RUNNING 10
	run -0 ctr_ task pause "$CTR_ID"
	wait_task_status "$CTR_ID" PAUSED 10
	assert_eq "$(cat "$freezer")" FROZEN
	a=$(<"$SHARED/count")
	sleep 0.5
	b=$(<"$SHARED/count")
	assert_eq "$b" "$a"
	run -0 ctr_ task resume "$CTR_ID"
	wait_task_status "$CTR_ID" RUNNING 10
	assert_eq "$(cat "$freezer")" THAWED
	deadline=$((SECONDS + 30))
	while [[ $(<"$SHARED/count") == "$a" ]]; do
		((SECONDS < deadline)) || fail "the count stayed at $a after resume"
		sleep 0.05
	done
	run -0 ctr_ task kill -s SIGKILL "$CTR_ID"
	wait_task_status "$CTR_ID" STOPPED 30
	run -0 ctr_ task delete "$CTR_ID"
}

@test "ctr task kill -s SIGKILL, task delete: status 137, nothing left" {
	local pid
	run -0 ctr_run -d -- sh -c 'sleep 600 & exec sleep 600'
	wait_task_status "$CTR_ID" RUNNING 10
	pid=$(ctr_ task list | awk -v id="$CTR_ID" '$1 == id { print $2 }')
	run -0 ctr_ task kill --signal SIGKILL "$CTR_ID"
	wait_task_status "$CTR_ID" STOPPED 30
	run -0 ctr_ task delete "$CTR_ID"
	assert_contains "$output" "non-zero exit code 137"
	[[ ! -e /proc/$pid ]]
	run -0 ctr_ container delete "$CTR_ID"
	# The orphaned `sleep` went with the container's PID namespace.
	wait_cgroups_empty 10
}

@test "ctr task delete of a running task is refused; --force deletes it" {
	run -0 ctr_run -d -- sleep 600
	wait_task_status "$CTR_ID" RUNNING 10
	run -1 ctr_ task delete "$CTR_ID"
	assert_contains "$output" "must be stopped before deletion"
	run -0 ctr_ task delete --force "$CTR_ID"
	run -0 ctr_ container delete "$CTR_ID"
}
