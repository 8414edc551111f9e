#!/usr/bin/env bats
# podman (with conmon) driving the runtime under test: run, exit codes,
# stdin, terminals, env, workdir, users, read-only, capabilities, seccomp,
# memory and pids limits, --init, a detached container's exec, stop and
# rm (and stop of an initialized one), pause, update, kill, wait, restart,
# healthcheck, --preserve-fds, and a pod's containers joining its infra
# container's namespaces.
# Expectations are what a user sees with runc (docs/clients.md).

load helpers

setup_file() {
	# containers/image keeps a blob cache in /var/lib/containers/cache,
	# whatever --root says, and big temporary files in /var/tmp, whatever
	# TMPDIR says: tmpfs on both in the namespace.
	export CLIENTS_NEED_SECCOMP=1
	clients_setup podman podman conmon -- /var/lib /var/tmp || return 1
	[[ -z $CLIENTS_SKIP ]] || return 0
	local dir=$CLIENT_DIR/podman nproc
	mkdir -p "$dir/tmp" "$dir/net"
	# podman asks for RLIMIT_NOFILE and RLIMIT_NPROC of 1048576 unless
	# told: more than this machine's hard limits (no CAP_SYS_RESOURCE).
	# It lowers its own NPROC to 32768 first, so no more than that.
	nproc=$(ulimit -Hu)
	[[ $nproc == unlimited ]] || ((nproc > 32768)) && nproc=32768
	cat >"$dir/containers.conf" <<-EOF
		[containers]
		log_driver = "k8s-file"
		netns = "none"
		default_ulimits = ["nofile=20000:20000", "nproc=$nproc:$nproc"]
		init_path = "/usr/bin/catatonit"
		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		events_logfile_path = "$dir/events.log"
		tmp_dir = "$dir/libpod"
		volume_path = "$dir/volumes"
		runtime = "$CLIENT_RT_NAME"
		runtime_supports_json = ["crun", "runc", "sluice", "$CLIENT_RT_NAME"]
		[engine.runtimes]
		$CLIENT_RT_NAME = ["$CLIENT_RT_BIN"]
		[network]
		network_config_dir = "$dir/net"
	EOF
	printf '[storage]\ndriver = "vfs"\nrunroot = "%s"\ngraphroot = "%s"\n' \
		/run/podman "$dir/root" >"$dir/storage.conf"
	# podman in the suite's namespace, with its own storage, configuration
	# and temporary directory (conmon puts its console sockets there); the
	# run root (at most 50 characters) on the namespace's own /run.
	PODMAN=$(ns_command podman env CONTAINERS_CONF="$dir/containers.conf" \
		CONTAINERS_STORAGE_CONF="$dir/storage.conf" \
		CONTAINERS_REGISTRIES_CONF=/dev/null TMPDIR="$dir/tmp" \
		podman --root "$dir/root" --runroot /run/podman --storage-driver vfs \
		--tmpdir "$dir/libpod" --cgroup-manager cgroupfs --events-backend file \
		--runtime "$CLIENT_RT_NAME")
	export PODMAN
	run_podman import "$CLIENT_IMAGE_TAR" localhost/busybox:latest >/dev/null
}

teardown_file() {
	[[ -n ${CLIENT_DIR:-} ]] || return 0
	run_podman rm --all --force --time 0 >/dev/null 2>&1
	clients_teardown
}

setup() {
	clients_require
}

# A test that failed half-way leaves no container to the next one.
teardown() {
	[[ -z ${CLIENTS_SKIP:-} ]] || return 0
	run_podman pod rm --all --force --time 0 >/dev/null 2>&1
	run_podman rm --all --force --time 0 >/dev/null 2>&1
}

# run_podman ARGS...: the suite's podman, with a time limit.
run_podman() {
	clients_cmd "$CLIENT_TIMEOUT" "$PODMAN" "$@"
}

# podman_run ARGS...: podman run with the suite's cgroup parent, no network.
podman_run() {
	run_podman run --cgroup-parent "$CLIENT_CGROUP" --network none "$@"
}

# A directory shared with a container at /shared (for ready files).
shared_dir() {
	SHARED=$(mktemp -d "$CLIENT_DIR/shared.XXXXXX")
}

# podman's default capabilities (containers.conf), as /proc/PID/status
# shows them.
default_caps() {
	cap_mask CAP_AUDIT_WRITE CAP_CHOWN CAP_DAC_OVERRIDE CAP_FOWNER CAP_FSETID \
		CAP_KILL CAP_MKNOD CAP_NET_BIND_SERVICE CAP_NET_RAW CAP_SETFCAP CAP_SETGID \
		CAP_SETPCAP CAP_SETUID CAP_SYS_CHROOT
}

@test "podman run: echo" {
	run -0 podman_run --rm busybox echo hello from podman
	assert_eq "$output" "hello from podman"
}

@test "podman run: the workload's exit status" {
	run podman_run --rm busybox sh -c 'exit 3'
	assert_status 3
	run podman_run --rm busybox false
	assert_status 1
}

@test "podman run: a missing command is 127, a non-executable one 126" {
	run -127 podman_run --rm busybox /no/such/command
	run -126 podman_run --rm busybox /etc/passwd
}

@test "podman run --init: the workload dies by a signal: 128+N" {
	run podman_run --rm --init busybox probe kill KILL
	assert_status 137
	run -0 podman_run --rm --init busybox sh -c 'echo $$; tr "\0" " " </proc/1/cmdline'
	[[ ${lines[0]} != 1 ]] || fail "the workload is PID 1 under --init"
	assert_contains "${lines[1]}" "/run/podman-init -- sh -c"
	run -0 podman_run --rm --init busybox probe exit 0
}

@test "podman run -i: stdin reaches the workload" {
	run -0 clients_cmd 60 bash -c 'printf "line one\nline two\n" | "$@"' _ \
		"$PODMAN" run --rm -i --cgroup-parent "$CLIENT_CGROUP" --network none busybox sh -c 'wc -l; test ! -t 0'
	assert_eq "$output" 2
}

@test "podman run -t: the workload has a terminal" {
	run -0 with_tty "$PODMAN" run --rm -t --cgroup-parent "$CLIENT_CGROUP" --network none \
		busybox sh -c 'tty; test -t 0 && test -t 1 && echo stdio-is-tty'
	assert_output_line /dev/pts/0
	assert_output_line stdio-is-tty
}

@test "podman run --uidmap with a volume :idmap: the files show their own owners, and new ones land as root's" {
	[[ $CLIENT_RT_NAME != runc ]] || skip "runc 1.1 has no id-mapped mounts"
	shared_dir
	echo data >"$SHARED/mine"
	chown 1000:1000 "$SHARED/mine"
	chmod 755 "$SHARED"
	run -0 podman_run --rm --uidmap 0:200000:65536 --gidmap 0:200000:65536 \
		-v "$SHARED:/vol:idmap" -v "$SHARED:/plain" busybox \
		sh -c 'stat -c "%u:%g %n" /vol/mine /plain/mine; touch /vol/made'
	assert_eq "$output" $'1000:1000 /vol/mine\n65534:65534 /plain/mine'
	assert_eq "$(stat -c %u:%g "$SHARED/made")" "0:0" "container root's new file, on the host"
}

@test "podman run --personality LINUX32: uname says i686" {
	[[ $(uname -m) == x86_64 ]] || skip "LINUX32 reads as i686 on x86_64"
	# Debian 12's runc (1.1) predates linux.personality and ignores it
	[[ $CLIENT_RT_NAME != runc ]] || skip "runc 1.1 ignores linux.personality"
	run -0 podman_run --rm --personality LINUX32 busybox uname -m
	assert_eq "$output" "i686"
	run -0 podman_run --rm --personality LINUX busybox uname -m
	assert_eq "$output" "x86_64"
}

@test "podman run: env, workdir" {
	run -0 podman_run --rm -e FOO=bar -e EMPTY= --workdir /tmp busybox sh -c 'echo "$FOO|$EMPTY|$(pwd)|$PATH"'
	assert_eq "$output" "bar||/tmp|/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	run -0 podman_run --rm busybox sh -c 'echo "$HOME|$HOSTNAME|$container"; hostname'
	assert_eq "${lines[0]%%|*}" /root
	assert_eq "${lines[0]##*|}" podman
	assert_eq "${lines[1]}" "$(cut -d'|' -f2 <<<"${lines[0]}")" "hostname and \$HOSTNAME differ"
}

@test "podman run --user: uid, gid and groups" {
	run -0 podman_run --rm --user 65534:65534 busybox id
	assert_eq "$output" "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)"
	run -0 podman_run --rm --user 1234:5678 busybox sh -c 'id -u; id -g'
	assert_eq "${lines[*]}" "1234 5678"
	run -0 podman_run --rm --user 1234 --group-add 99 busybox id -G
	assert_eq "$output" "0 99"
}

@test "podman run --read-only: the root is read-only, /tmp is not" {
	run podman_run --rm --read-only busybox touch /file
	assert_status 1
	assert_contains "$output" "Read-only file system"
	run -0 podman_run --rm --read-only busybox sh -c 'touch /tmp/file && echo ok'
	assert_eq "$output" ok
}

@test "podman run --tmpfs: modes as runc gives them; a read-only one" {
	# podman marks --tmpfs mounts tmpcopyup: the tmpfs's root keeps its own
	# mode (1777 on a new mountpoint, mode= if given), not a made
	# directory's 0755, and stays root's.
	run -0 podman_run --rm --tmpfs /t --tmpfs /m:mode=700 busybox stat -c '%a %u' /t /m
	assert_eq "$output" $'1777 0\n700 0'
	run -0 podman_run --rm --user 1000 --tmpfs /t busybox sh -c 'touch /t/f && echo ok'
	assert_eq "$output" ok
	# Over a directory of the image (/root 0700, /var 0755): its mode, copied
	# up or not.
	run -0 podman_run --rm --tmpfs /root:notmpcopyup --tmpfs /var busybox stat -c %a /root /var
	assert_eq "$output" $'700\n755'
	# Read-only and copied up: filled, then read-only.
	run podman_run --rm --tmpfs /etc:ro busybox sh -c 'cat /etc/group >/dev/null && touch /etc/x'
	assert_status 1
	assert_contains "$output" "Read-only file system"
}

@test "podman run: default capabilities, no_new_privs off, seccomp on (as runc)" {
	local caps
	caps=$(default_caps)
	run -0 podman_run --rm busybox probe caps
	assert_output_line "CapInh: 0000000000000000"
	assert_output_line "CapPrm: $caps"
	assert_output_line "CapEff: $caps"
	assert_output_line "CapBnd: $caps"
	assert_output_line "CapAmb: 0000000000000000"
	assert_output_line "NoNewPrivs: 0"
	assert_output_line "Seccomp: 2"
	run -0 podman_run --rm --security-opt seccomp=unconfined busybox probe caps
	assert_output_line "Seccomp: 0"
	# Not root: no capabilities left in the permitted and effective sets.
	run -0 podman_run --rm --user 1000 busybox probe caps
	assert_output_line "CapEff: 0000000000000000"
	assert_output_line "CapBnd: $caps"
}

@test "podman run --cap-drop, --cap-add" {
	run -0 podman_run --rm --cap-drop CHOWN busybox probe caps
	assert_output_line "CapEff: $(cap_mask CAP_AUDIT_WRITE CAP_DAC_OVERRIDE CAP_FOWNER \
		CAP_FSETID CAP_KILL CAP_MKNOD CAP_NET_BIND_SERVICE CAP_NET_RAW CAP_SETFCAP CAP_SETGID \
		CAP_SETPCAP CAP_SETUID CAP_SYS_CHROOT)"
	run podman_run --rm --cap-drop CHOWN busybox sh -c 'touch /tmp/f && chown 1 /tmp/f'
	assert_status 1
	assert_contains "$output" "Operation not permitted"
	run -0 podman_run --rm --cap-drop all busybox probe caps
	assert_output_line "CapBnd: 0000000000000000"
	run -0 podman_run --rm --cap-drop all --cap-add NET_ADMIN busybox probe caps
	assert_output_line "CapEff: $(cap_mask CAP_NET_ADMIN)"
}

@test "podman run --memory: the limit is set, and enforced" {
	run -0 podman_run --rm --memory 64m busybox cat /sys/fs/cgroup/memory/memory.limit_in_bytes
	assert_eq "$output" 67108864
	# More than the limit in a tmpfs (memory the cgroup is charged for):
	# the OOM killer ends the workload.
	run podman_run --rm --memory 16m --memory-swap 16m busybox \
		sh -c 'mount -t tmpfs -o size=64m t /mnt 2>/dev/null || exit 99; head -c 40m /dev/zero >/mnt/fill; echo survived'
	if ((status == 99)); then
		run podman_run --rm --memory 16m --memory-swap 16m busybox \
			sh -c 'head -c 40m /dev/zero >/dev/shm/fill; echo survived'
	fi
	assert_status 137
}

@test "podman run --pids-limit: the limit is set, and enforced" {
	run -0 podman_run --rm --pids-limit 12 busybox cat /sys/fs/cgroup/pids/pids.max
	assert_eq "$output" 12
	# The twelfth process cannot be forked: busybox sh gives up (status 2).
	run -2 podman_run --rm --pids-limit 12 busybox sh -c 'for i in $(seq 20); do sleep 5 & done'
	assert_contains "$output" "can't fork: Resource temporarily unavailable"
}

@test "podman run -d, exec, exec -t, stop (TERM), rm" {
	local id
	shared_dir
	run -0 podman_run -d -v "$SHARED:/shared" busybox probe signals /shared/ready
	id=${lines[-1]}
	wait_for_file "$SHARED/ready" 30
	run -0 run_podman exec "$id" sh -c 'echo exec says hi; echo $$'
	assert_eq "${lines[0]}" "exec says hi"
	run run_podman exec "$id" sh -c 'exit 42'
	assert_status 42
	run -0 with_tty "$PODMAN" exec -t "$id" sh -c 'tty; test -t 1 && echo tty'
	assert_output_line /dev/pts/0
	assert_output_line tty
	run -0 run_podman exec --user 65534 --workdir /tmp -e X=1 "$id" sh -c 'echo "$(id -u) $(pwd) $X"'
	assert_eq "$output" "65534 /tmp 1"
	# stop: SIGTERM, which the workload catches, prints and exits 0.
	run -0 run_podman stop --time 30 "$id"
	run -0 run_podman inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$id"
	assert_eq "$output" "exited 0"
	run -0 run_podman logs "$id"
	assert_output_line SIGTERM
	run -0 run_podman rm "$id"
	run -0 run_podman ps --all --quiet
	assert_eq "$output" ""
}

@test "podman stop of an initialized container (created, not started): TERM ends it at once, as runc's" {
	# runc's init, waiting for start as PID 1, exits 2 on SIGTERM; an init
	# that ignored it would make podman wait out --time and SIGKILL (137).
	run -0 run_podman create --name c1 --cgroup-parent "$CLIENT_CGROUP" --network none busybox sleep 600
	run -0 run_podman init c1
	run -0 run_podman inspect --format '{{.State.Status}}' c1
	assert_eq "$output" initialized
	run -0 run_podman stop --time 60 c1
	[[ $output != *SIGKILL* ]] || fail "TERM did not stop it: $output"
	run -0 run_podman inspect --format '{{.State.Status}} {{.State.ExitCode}}' c1
	assert_eq "$output" "exited 2"
	# started after all: the workload runs
	run -0 run_podman start c1
	run -0 run_podman exec c1 cat /proc/1/cmdline
	assert_eq "$output" "sleep600"
	run -0 run_podman rm --force --time 0 c1
	wait_cgroups_empty 10
}

@test "podman stop: SIGKILL after the grace when TERM is ignored" {
	local id start
	shared_dir
	run -0 podman_run -d -v "$SHARED:/shared" busybox probe ignore-term 600 /shared/ready
	id=${lines[-1]}
	wait_for_file "$SHARED/ready" 30
	start=$SECONDS
	run -0 run_podman stop --time 2 "$id"
	((SECONDS - start >= 2))
	run -0 run_podman inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$id"
	assert_eq "$output" "exited 137"
	run -0 run_podman rm "$id"
}

# freezer_state PID: the freezer.state of PID's cgroup (v1).
freezer_state() {
	local cg
	cg=$(awk -F: '$2 == "freezer" { print $3 }' "/proc/$1/cgroup")
	cat "$CGROUP_MOUNTS/freezer$cg/freezer.state"
}

# counter_of PID: what the counting workload of the pause tests last wrote.
counter_of() {
	cat "/proc/$1/root/tmp/n"
}

@test "podman pause, unpause: the container's processes freeze, then go on" {
	local pid n
	[[ -d $CGROUP_MOUNTS/freezer ]] || skip "no v1 freezer hierarchy"
	run -0 podman_run -d --name c1 busybox \
		sh -c 'i=0; while :; do i=$((i + 1)); echo $i >/tmp/n.new; mv /tmp/n.new /tmp/n; sleep 0.05; done'
	run -0 run_podman inspect --format '{{.State.Pid}}' c1
	pid=$output
	wait_for_file "/proc/$pid/root/tmp/n" 10
	run -0 run_podman pause c1
	run -0 run_podman inspect --format '{{.State.Status}} {{.State.Paused}}' c1
	assert_eq "$output" "paused true"
	assert_eq "$(freezer_state "$pid")" FROZEN
	n=$(counter_of "$pid")
	sleep 0.5
	assert_eq "$(counter_of "$pid")" "$n" "the counter went on while paused"
	# podman refuses what needs a running container
	run -125 run_podman top c1
	assert_contains "$output" "can only be used on running containers"
	run -0 run_podman unpause c1
	run -0 run_podman inspect --format '{{.State.Status}} {{.State.Paused}}' c1
	assert_eq "$output" "running false"
	assert_eq "$(freezer_state "$pid")" THAWED
	for _ in $(seq 100); do
		(($(counter_of "$pid") > n)) && break
		sleep 0.05
	done
	(($(counter_of "$pid") > n)) || fail "the counter did not go on after unpause"
	run -0 run_podman top c1 pid args
	assert_contains "$output" "sh -c i=0; while :;"
	# paused, then removed: nothing stays frozen or behind
	run -0 run_podman pause c1
	run -0 run_podman rm --force --time 0 c1
	wait_cgroups_empty 10
}

@test "podman update --memory, --cpu-shares, --cpus: a running container's cgroup changes" {
	run -0 podman_run -d --name c1 busybox sleep 600
	run -0 run_podman exec c1 cat /sys/fs/cgroup/memory/memory.limit_in_bytes
	assert_eq "$output" 9223372036854771712
	run -0 run_podman update --memory 64m --cpu-shares 512 --cpus 0.5 c1
	run -0 run_podman exec c1 sh -c 'cd /sys/fs/cgroup; cat memory/memory.limit_in_bytes cpu/cpu.shares cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us'
	assert_eq "${lines[*]}" "67108864 512 50000 100000"
	run -0 run_podman update --memory 128m c1
	run -0 run_podman exec c1 cat /sys/fs/cgroup/memory/memory.limit_in_bytes
	assert_eq "$output" 134217728
}

@test "podman kill -s USR1 reaches a trap; kill (KILL): 137; start, TERM: the trap's status; wait" {
	run -0 podman_run -d --name c1 busybox \
		sh -c 'trap "echo got-USR1" USR1; trap "echo got-TERM; exit 7" TERM; echo ready; while :; do sleep 0.05; done'
	for _ in $(seq 100); do
		run -0 run_podman logs c1
		[[ $output == *ready* ]] && break
		sleep 0.05
	done
	run -0 run_podman kill --signal USR1 c1
	for _ in $(seq 100); do
		run -0 run_podman logs c1
		[[ $output == *got-USR1* ]] && break
		sleep 0.05
	done
	assert_output_line got-USR1
	run -0 run_podman inspect --format '{{.State.Status}}' c1
	assert_eq "$output" running
	run -0 run_podman kill c1
	run -0 run_podman wait c1
	assert_eq "$output" 137
	run -0 run_podman start c1
	# TERM only once the new shell has its trap: PID 1 without one ignores it
	for _ in $(seq 100); do
		run -0 run_podman logs c1
		[[ $(grep -c '^ready$' <<<"$output") == 2 ]] && break
		sleep 0.05
	done
	run -0 run_podman kill --signal TERM c1
	run -0 run_podman wait c1
	assert_eq "$output" 7
	run -0 run_podman logs c1
	assert_output_line got-TERM
	run -0 run_podman rm c1
	wait_cgroups_empty 10
}

@test "podman restart: a new workload in the same container; healthcheck run" {
	local pid
	run -0 podman_run -d --name c1 --health-cmd 'test -e /tmp/ok' --health-interval disable \
		busybox sh -c 'trap "exit 0" TERM; echo started; while :; do sleep 0.05; done'
	run -0 run_podman inspect --format '{{.State.Pid}}' c1
	pid=$output
	run -1 run_podman healthcheck run c1
	assert_eq "$output" unhealthy
	run -0 run_podman exec c1 touch /tmp/ok
	run -0 run_podman healthcheck run c1
	run -0 run_podman inspect --format '{{.State.Health.Status}}' c1
	assert_eq "$output" healthy
	run -0 run_podman restart --time 30 c1
	run -0 run_podman inspect --format '{{.State.Status}} {{.State.Pid}}' c1
	[[ $output == running* && $output != "running $pid" ]] || fail "not a new running workload: $output (was $pid)"
	[[ ! -e /proc/$pid ]] || fail "the old workload is still there"
	run -0 run_podman logs c1
	assert_eq "${lines[*]}" "started started"
	run -0 run_podman rm --force --time 0 c1
	wait_cgroups_empty 10
}

@test "podman run, exec --preserve-fds: fd 3 reaches the workload" {
	echo passed-on >"$CLIENT_DIR/fd3"
	run -0 podman_run -d --name c1 busybox sleep 600
	run -0 clients_cmd 60 bash -c '"$@" 3<"$CLIENT_DIR/fd3"' _ "$PODMAN" exec --preserve-fds 1 c1 \
		sh -c 'cat <&3'
	assert_eq "$output" passed-on
	run -0 clients_cmd 60 bash -c '"$@" 3<"$CLIENT_DIR/fd3"' _ "$PODMAN" run --rm --preserve-fds 1 \
		--cgroup-parent "$CLIENT_CGROUP" --network none busybox sh -c 'cat <&3'
	assert_eq "$output" passed-on
}

@test "podman rm --force: a running container and its processes go" {
	local id pid
	run -0 podman_run -d busybox sh -c 'sleep 600 & sleep 600'
	id=${lines[-1]}
	run -0 run_podman inspect --format '{{.State.Pid}}' "$id"
	pid=$output
	[[ -e /proc/$pid ]]
	run -0 run_podman rm --force --time 0 "$id"
	for _ in $(seq 100); do
		[[ -e /proc/$pid ]] || break
		sleep 0.05
	done
	[[ ! -e /proc/$pid ]]
	run -0 run_podman ps --all --quiet
	assert_eq "$output" ""
	# No process is left in the containers' cgroups.
	wait_cgroups_empty 10
}

@test "podman pod: containers join the infra container's pid, ipc, uts and network namespaces (Kubernetes' pattern)" {
	local infra pid ns
	run -0 run_podman pod create --name p1 --cgroup-parent "$CLIENT_CGROUP" --network none --share pid,ipc,uts,net
	run -0 run_podman pod start p1
	run -0 run_podman pod inspect --format '{{.InfraContainerID}}' p1
	run -0 run_podman inspect --format '{{.State.Pid}}' "$output"
	infra=$output
	# a foreground container: PID 1 is the pod's (catatonit), not its own
	run -0 run_podman run --rm --pod p1 busybox sh -c 'echo $$; tr "\0" " " </proc/1/cmdline'
	[[ ${lines[0]} != 1 ]] || fail "the container has a pid namespace of its own"
	assert_contains "${lines[1]}" "catatonit -P"
	run -0 run_podman run -d --name pc1 --pod p1 busybox sleep 600
	run -0 run_podman inspect --format '{{.State.Pid}}' pc1
	pid=$output
	for ns in pid ipc uts net; do
		assert_eq "$(readlink "/proc/$pid/ns/$ns")" "$(readlink "/proc/$infra/ns/$ns")" "$ns namespace"
	done
	[[ $(readlink "/proc/$pid/ns/mnt") != "$(readlink "/proc/$infra/ns/mnt")" ]] || fail "the mount namespace is shared"
	run -0 run_podman exec pc1 sh -c 'ps -o args'
	assert_output_line "/catatonit -P"
	assert_output_line "sleep 600"
	run -0 run_podman pod stop --time 1 p1
	run -0 run_podman pod rm --force p1
	run -0 run_podman ps --all --quiet
	assert_eq "$output" ""
}

@test "podman run --device, --privileged: the host's nodes, whose whole st_mode podman sends as fileMode" {
	run -0 podman_run --rm --device /dev/null:/dev/xnull busybox sh -c 'stat -c "%A %t,%T" /dev/xnull; echo hi >/dev/xnull && echo written'
	assert_eq "${lines[0]}" "crw-rw-rw- 1,3"
	assert_eq "${lines[1]}" written
	run -0 podman_run --rm --device /dev/null:/dev/ronull:r busybox sh -c 'cat /dev/ronull && echo read'
	assert_eq "$output" read
	# --privileged: every host device, as podman lists them
	[[ -c /dev/kmsg ]] || skip "this host has no /dev/kmsg"
	run -0 podman_run --rm --privileged busybox sh -c 'test -c /dev/kmsg && echo kmsg; grep CapEff /proc/self/status'
	assert_output_line kmsg
}
