#!/usr/bin/env bats
# Kubernetes' way in: containerd's CRI plugin (the Container Runtime
# Interface the kubelet speaks) with the runtime under test as the runc
# shim's binary, driven call by call as the kubelet drives it
# (test/clients/cri/cri-client, gRPC on the suite's socket): pod sandboxes
# and their pause container, containers joining the pod's namespaces, logs,
# exit codes, ExecSync, resources and their update, the stats the kubelet
# reads (ContainerStats), security contexts,
# stop with a grace period, OOM, and nothing left behind.  Expectations
# are what the kubelet sees with runc (docs/clients.md).

load helpers

CRI_DIR=$BATS_TEST_DIRNAME/cri

setup_file() {
	# A tmpfs on /var/lib in the suite's namespace: CNI keeps a cache of
	# its results in /var/lib/cni whatever its configuration says.
	clients_setup cri containerd ctr containerd-shim-runc-v2 /usr/lib/cni/bridge -- /var/lib || return 1
	[[ -z $CLIENTS_SKIP ]] || return 0
	if ! /usr/bin/python3 -c 'import grpc, grpc_tools' 2>/dev/null; then
		CLIENTS_SKIP="requires python3-grpcio and python3-grpc-tools (scripts/install-deps --clients)"
		return 0
	fi
	local dir=$CLIENT_DIR/containerd
	mkdir -p "$dir/logs" "$dir/cni-conf"
	/usr/bin/python3 -m grpc_tools.protoc -I "$CRI_DIR" --descriptor_set_out="$dir/api.pb" \
		api.proto || return 1
	# The CRI plugin's streaming server listens on the loopback of the
	# suite's network namespace, which a hostNetwork pod shares.
	in_ns ip link set lo up || return 1
	# A pod's own network: CNI's bridge plugin, in the suite's network
	# namespace (no gateway, no masquerading: nothing but a bridge, veth
	# pairs and the pods' addresses), its address leases in the suite's
	# directory.
	cat >"$dir/cni-conf/10-sluice-test.conflist" <<-EOF
		{
		  "cniVersion": "0.4.0",
		  "name": "sluice-test",
		  "plugins": [{
		    "type": "bridge", "bridge": "cni-sluice0", "isGateway": false, "ipMasq": false,
		    "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.89.77.0/24"}]],
		             "dataDir": "$dir/cni-ipam"}
		  }]
		}
	EOF
	containerd_start "$dir" <<-EOF || return 1
		[plugins."io.containerd.grpc.v1.cri"]
		  sandbox_image = "localhost/pause:sluice"
		  stream_server_address = "127.0.0.1"
		  stream_server_port = "0"
		  disable_apparmor = true
		  enable_selinux = false
		  restrict_oom_score_adj = true
		  [plugins."io.containerd.grpc.v1.cri".containerd]
		    default_runtime_name = "rt"
		    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.rt]
		      runtime_type = "io.containerd.runc.v2"
		      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.rt.options]
		        BinaryName = "$CLIENT_RT_BIN"
		  [plugins."io.containerd.grpc.v1.cri".cni]
		    bin_dir = "/usr/lib/cni"
		    conf_dir = "$dir/cni-conf"
	EOF
	make_oci_archive "$CLIENT_IMAGE_TAR" "$CLIENT_DIR/pause.tar" localhost/pause:sluice \
		'["/bin/sleep","1000000000"]' || return 1
	ctr_ image import "$CLIENT_OCI_TAR" >/dev/null || return 1
	ctr_ image import "$CLIENT_DIR/pause.tar" >/dev/null || return 1
	cri_ RuntimeService.Version '{"version":"v1"}' >/dev/null || return 1
}

teardown_file() {
	[[ -n ${CLIENT_DIR:-} ]] || return 0
	remove_all
	daemon_stop containerd
	clients_teardown
}

setup() {
	clients_require
	POD_NAME=p$BATS_TEST_NUMBER
}

# A test that failed half-way leaves no pod to the next one.
teardown() {
	[[ -z ${CLIENTS_SKIP:-} ]] || return 0
	remove_all
}

# Stops and removes every pod (and with it its containers), as the kubelet
# does when pods go away.
remove_all() {
	local id
	for id in $(cri_ RuntimeService.ListPodSandbox 2>/dev/null | jq -r '.items[].id'); do
		cri_ RuntimeService.StopPodSandbox "{\"pod_sandbox_id\":\"$id\"}" >/dev/null 2>&1
		cri_ RuntimeService.RemovePodSandbox "{\"pod_sandbox_id\":\"$id\"}" >/dev/null 2>&1
	done
}

# ctr_ ARGS...: ctr against the suite's containerd, in the CRI's namespace.
ctr_() {
	clients_cmd "$CLIENT_TIMEOUT" ctr --address "$CLIENT_DIR/containerd/containerd.sock" \
		--namespace k8s.io "$@"
}

# cri_ SERVICE.METHOD [JSON]: one CRI call; the response as JSON.
cri_() {
	clients_cmd "$CLIENT_TIMEOUT" "$CRI_DIR/cri-client" "$CLIENT_DIR/containerd/api.pb" \
		"$CLIENT_DIR/containerd/containerd.sock" "$@"
}

# json_array WORD...: the words as a JSON array of strings (jq's --args
# would take a word such as -c as its own option).
json_array() {
	local word
	for word in "$@"; do
		jq -n --arg w "$word" '$w'
	done | jq -cs .
}

# pod_config [JQ_FILTER]: the PodSandboxConfig of pod $POD_NAME, as the
# kubelet writes one: network, ipc and uts namespaces of the pod's own (its
# hostname is its name), a pid namespace for each container (the
# kubelet's default; "POD" is shareProcessNamespace), a cgroup parent
# below ours, a log directory; JQ_FILTER changes it.
pod_config() {
	jq -cn --arg name "$POD_NAME" --arg logs "$CLIENT_DIR/containerd/logs/$POD_NAME" \
		--arg cgroup "$CLIENT_CGROUP/$POD_NAME" '{
			metadata: {name: $name, uid: ("uid-" + $name), namespace: "default", attempt: 0},
			hostname: $name,
			log_directory: $logs,
			labels: {app: $name},
			annotations: {"sluice.test/pod": $name},
			linux: {
				cgroup_parent: $cgroup,
				security_context: {namespace_options: {network: "POD", pid: "CONTAINER", ipc: "POD"}}
			}
		}' | jq -c "${1:-.}"
}

# run_pod [JQ_FILTER]: RunPodSandbox; the pod's id in $POD, its config in
# $POD_CONFIG.
run_pod() {
	local out
	POD_CONFIG=$(pod_config "${1:-.}") || return 1
	mkdir -p "$CLIENT_DIR/containerd/logs/$POD_NAME"
	out=$(cri_ RuntimeService.RunPodSandbox "{\"config\":$POD_CONFIG}") || return 1
	POD=$(jq -r .pod_sandbox_id <<<"$out")
}

# container_config NAME [JQ_FILTER] -- CMD...: the ContainerConfig of a
# busybox container NAME running CMD, its log at NAME.log in the pod's log
# directory, its namespaces those of pod_config; JQ_FILTER changes it.
container_config() {
	local name=$1 filter=.
	shift
	if [[ $1 != -- ]]; then
		filter=$1
		shift
	fi
	shift
	json_array "$@" | jq -c --arg name "$name" '{
			metadata: {name: $name, attempt: 0},
			image: {image: "localhost/busybox:latest"},
			command: .,
			log_path: ($name + ".log"),
			linux: {security_context: {namespace_options: {network: "POD", pid: "CONTAINER", ipc: "POD"}}}
		}' | jq -c "$filter"
}

# create_container NAME [JQ_FILTER] -- CMD...: CreateContainer in $POD;
# its id in $CTR.
create_container() {
	local config out
	config=$(container_config "$@") || return 1
	out=$(cri_ RuntimeService.CreateContainer \
		"{\"pod_sandbox_id\":\"$POD\",\"config\":$config,\"sandbox_config\":$POD_CONFIG}") || return 1
	CTR=$(jq -r .container_id <<<"$out")
}

# start_container ID
start_container() {
	cri_ RuntimeService.StartContainer "{\"container_id\":\"$1\"}" >/dev/null
}

# container_status ID: ContainerStatus's status object.
container_status() {
	cri_ RuntimeService.ContainerStatus "{\"container_id\":\"$1\"}" | jq -c .status
}

# wait_container ID STATE SECS: waits until the container is in STATE
# (CONTAINER_RUNNING, CONTAINER_EXITED); its status in $STATUS.
wait_container() {
	local deadline=$((SECONDS + $3))
	while STATUS=$(container_status "$1") && [[ $(jq -r .state <<<"$STATUS") != "$2" ]]; do
		if ((SECONDS >= deadline)); then
			echo "container $1 is not $2 after $3 s: $STATUS" >&2
			return 1
		fi
		sleep 0.1
	done
}

# container_log NAME: what the container wrote, without the CRI log
# format's timestamp, stream and tag ("2006-01-02T15:04:05Z stdout F text").
container_log() {
	cut -d' ' -f2,4- "$CLIENT_DIR/containerd/logs/$POD_NAME/$1.log"
}

# exec_sync ID CMD...: ExecSync (a time limit of $EXEC_TIMEOUT seconds,
# default 30); prints the response (JSON).
exec_sync() {
	local id=$1
	shift
	cri_ RuntimeService.ExecSync "$(json_array "$@" |
		jq -c --arg id "$id" --argjson t "${EXEC_TIMEOUT:-30}" '{container_id: $id, cmd: ., timeout: $t}')"
}

# wait_exec_gone ID ARGS SECS: waits until no process of the container
# has the command line ARGS.
wait_exec_gone() {
	local deadline=$(($3 + SECONDS))
	while exec_sync "$1" ps -o args | jq -r .stdout | grep -qxF "$2"; do
		if ((SECONDS >= deadline)); then
			echo "\"$2\" still runs in container $1 after $3 s" >&2
			return 1
		fi
		sleep 0.2
	done
}

@test "cri: the runtime serves a pod sandbox and its pause container" {
	run -0 cri_ RuntimeService.Version '{"version":"v1"}'
	assert_eq "$(jq -r .runtime_name <<<"$output")" containerd
	run_pod
	run -0 cri_ RuntimeService.PodSandboxStatus "{\"pod_sandbox_id\":\"$POD\"}"
	assert_eq "$(jq -r .status.state <<<"$output")" SANDBOX_READY
	assert_eq "$(jq -r '.status.annotations["sluice.test/pod"]' <<<"$output")" "$POD_NAME"
	# The pause container runs under the runtime, in the pod's cgroup.
	run -0 cat "$CGROUP_MOUNTS/memory$CLIENT_CGROUP/$POD_NAME/$POD/cgroup.procs"
	[[ -n $output ]]
	[[ $(readlink "/proc/$output/exe") == */busybox ]]
	run -0 cri_ RuntimeService.StopPodSandbox "{\"pod_sandbox_id\":\"$POD\"}"
	run -0 cri_ RuntimeService.PodSandboxStatus "{\"pod_sandbox_id\":\"$POD\"}"
	assert_eq "$(jq -r .status.state <<<"$output")" SANDBOX_NOTREADY
	run -0 cri_ RuntimeService.RemovePodSandbox "{\"pod_sandbox_id\":\"$POD\"}"
	run -0 cri_ RuntimeService.ListPodSandbox
	assert_eq "$(jq -c .items <<<"$output")" "[]"
}

@test "cri: a container's output goes to its log, its exit code to its status" {
	run_pod
	create_container hello -- sh -c 'echo hello from the pod; echo to stderr >&2; exit 3'
	start_container "$CTR"
	wait_container "$CTR" CONTAINER_EXITED 30
	assert_eq "$(jq -r .exit_code <<<"$STATUS")" 3
	assert_eq "$(jq -r .reason <<<"$STATUS")" Error
	run -0 container_log hello
	assert_output_line "stdout hello from the pod"
	assert_output_line "stderr to stderr"
	create_container ok -- true
	start_container "$CTR"
	wait_container "$CTR" CONTAINER_EXITED 30
	assert_eq "$(jq -r .exit_code <<<"$STATUS")" 0
	assert_eq "$(jq -r .reason <<<"$STATUS")" Completed
}

# container_pid ID: the pid of the container's process (on the host), from
# ContainerStatus's verbose info, as crictl inspect shows it.
container_pid() {
	cri_ RuntimeService.ContainerStatus "{\"container_id\":\"$1\",\"verbose\":true}" |
		jq -r '.info.info | fromjson | .pid'
}

# pod_pid: the pid of the pod's pause container.
pod_pid() {
	cri_ RuntimeService.PodSandboxStatus "{\"pod_sandbox_id\":\"$POD\",\"verbose\":true}" |
		jq -r '.info.info | fromjson | .pid'
}

@test "cri: a container joins the pod's pid and ipc namespaces; sysctls, env, workdir, a host mount" {
	local pid pause shared own
	shared=$(mktemp -d "$CLIENT_DIR/shared.XXXXXX")
	echo from-the-host >"$shared/file"
	# shareProcessNamespace, and a sysctl of the pod's ipc namespace.
	run_pod '.linux.security_context.namespace_options.pid = "POD" |
		.linux.sysctls = {"kernel.shm_rmid_forced": "1"}'
	create_container app '.envs = [{key: "FOO", value: "bar baz"}] | .working_dir = "/tmp" |
		.mounts = [{container_path: "/data", host_path: "'"$shared"'", readonly: true}] |
		.linux.security_context.namespace_options.pid = "POD"' -- \
		sleep 1000
	start_container "$CTR"
	wait_container "$CTR" CONTAINER_RUNNING 30
	pid=$(container_pid "$CTR")
	pause=$(pod_pid)
	[[ $pid =~ ^[0-9]+$ && $pause =~ ^[0-9]+$ ]]
	assert_eq "$(readlink "/proc/$pid/ns/pid")" "$(readlink "/proc/$pause/ns/pid")"
	assert_eq "$(readlink "/proc/$pid/ns/ipc")" "$(readlink "/proc/$pause/ns/ipc")"
	assert_eq "$(readlink "/proc/$pid/ns/net")" "$(readlink "/proc/$pause/ns/net")"
	assert_eq "$(readlink "/proc/$pid/ns/uts")" "$(readlink "/proc/$pause/ns/uts")"
	[[ $(readlink "/proc/$pid/ns/mnt") != "$(readlink "/proc/$pause/ns/mnt")" ]]
	# Seen from inside: the pause container is PID 1 of the pod.
	run -0 exec_sync "$CTR" sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; echo "$FOO|$(pwd)"; cat /data/file'
	assert_eq "$(jq -r .stdout <<<"$output")" "/bin/sleep 1000000000 
bar baz|/tmp
from-the-host"
	run -0 exec_sync "$CTR" touch /data/new
	assert_eq "$(jq -r .exit_code <<<"$output")" 1
	assert_contains "$(jq -r .stderr <<<"$output")" "Read-only file system"
	run -0 exec_sync "$CTR" cat /proc/sys/kernel/shm_rmid_forced
	assert_eq "$(jq -r .stdout <<<"$output")" 1
	# Without shareProcessNamespace, the kubelet's default: a pid
	# namespace of the container's own, where it is PID 1.
	create_container own -- sleep 1000
	own=$CTR
	start_container "$own"
	wait_container "$own" CONTAINER_RUNNING 30
	pid=$(container_pid "$own")
	[[ $(readlink "/proc/$pid/ns/pid") != "$(readlink "/proc/$pause/ns/pid")" ]]
	assert_eq "$(readlink "/proc/$pid/ns/ipc")" "$(readlink "/proc/$pause/ns/ipc")"
	run -0 exec_sync "$own" sh -c 'cat /proc/1/cmdline | tr "\0" " "'
	assert_eq "$(jq -r .stdout <<<"$output")" "sleep 1000 "
}

@test "cri: the pod's network: its address, its hostname, localhost shared by its containers" {
	local ip
	run_pod
	run -0 cri_ RuntimeService.PodSandboxStatus "{\"pod_sandbox_id\":\"$POD\"}"
	ip=$(jq -r .status.network.ip <<<"$output")
	[[ $ip == 10.89.77.* ]]
	create_container server -- nc -l -p 8080 -e echo hello over the pod\'s loopback
	start_container "$CTR"
	wait_container "$CTR" CONTAINER_RUNNING 30
	create_container client -- sh -c 'hostname; ip -4 -o addr show eth0 | awk "{ print \$4 }";
		for i in $(seq 200); do nc 127.0.0.1 8080 2>/dev/null && exit; sleep 0.1; done; exit 1'
	start_container "$CTR"
	wait_container "$CTR" CONTAINER_EXITED 30
	assert_eq "$(jq -r .exit_code <<<"$STATUS")" 0
	run -0 container_log client
	assert_eq "$output" "stdout $POD_NAME
stdout $ip/24
stdout hello over the pod's loopback"
	# Not the suite's network namespace (the node's).
	[[ $(readlink "/proc/$(pod_pid)/ns/net") != "$(readlink "/proc/$CLIENT_NS_PID/ns/net")" ]]
}

@test "cri: a hostNetwork pod shares the node's network namespace" {
	run_pod '.linux.security_context.namespace_options.network = "NODE" | del(.hostname)'
	create_container app '.linux.security_context.namespace_options.network = "NODE"' -- sleep 1000
	start_container "$CTR"
	wait_container "$CTR" CONTAINER_RUNNING 30
	assert_eq "$(readlink "/proc/$(container_pid "$CTR")/ns/net")" \
		"$(readlink "/proc/$CLIENT_NS_PID/ns/net")"
	assert_eq "$(readlink "/proc/$(pod_pid)/ns/net")" "$(readlink "/proc/$CLIENT_NS_PID/ns/net")"
}

@test "cri: ExecSync: stdout, stderr, exit code; a missing command" {
	run_pod
	create_container app -- sleep 1000
	start_container "$CTR"
	wait_container "$CTR" CONTAINER_RUNNING 30
	run -0 exec_sync "$CTR" sh -c 'echo out; echo err >&2; exit 5'
	assert_eq "$(jq -c '[.stdout, .stderr, .exit_code]' <<<"$output")" '["out\n","err\n",5]'
	run -0 exec_sync "$CTR" id -u
	assert_eq "$(jq -c '[.stdout, .exit_code]' <<<"$output")" '["0\n",0]'
	run -1 exec_sync "$CTR" /no/such/command
	assert_contains "$output" "no such file or directory"
	# A probe that outlives its time limit (a liveness probe's timeout).
	EXEC_TIMEOUT=1 run -1 exec_sync "$CTR" sleep 30
	assert_contains "$output" "timeout 1s exceeded"
	# ... is killed: the container is left with its own process.
	wait_exec_gone "$CTR" "sleep 30" 10
	# The container's own process was not disturbed by the execs.
	wait_container "$CTR" CONTAINER_RUNNING 1
}

@test "cri: resources in the container's cgroup, and UpdateContainerResources" {
	local cg
	run_pod
	# As the kubelet asks: a Burstable pod's oom_score_adj, and a limit of 0
	# for every huge page size the node has (containerd's default
	# tolerate_missing_hugetlb_controller drops them on a v1 node).
	create_container app '.linux.resources = {memory_limit_in_bytes: 67108864,
		cpu_period: 100000, cpu_quota: 50000, cpu_shares: 512, oom_score_adj: 999,
		hugepage_limits: [{page_size: "2MB", limit: 0}]}' -- sleep 1000
	start_container "$CTR"
	wait_container "$CTR" CONTAINER_RUNNING 30
	cg=$CLIENT_CGROUP/$POD_NAME/$CTR
	assert_eq "$(cat "$CGROUP_MOUNTS/memory$cg/memory.limit_in_bytes")" 67108864
	assert_eq "$(cat "$CGROUP_MOUNTS/cpu$cg/cpu.cfs_quota_us")" 50000
	assert_eq "$(cat "$CGROUP_MOUNTS/cpu$cg/cpu.shares")" 512
	assert_eq "$(cat "/proc/$(container_pid "$CTR")/oom_score_adj")" 999
	grep -qx "$(container_pid "$CTR")" "$CGROUP_MOUNTS/memory$cg/cgroup.procs"
	run -0 cri_ RuntimeService.UpdateContainerResources "{\"container_id\":\"$CTR\",
		\"linux\":{\"memory_limit_in_bytes\":134217728,\"cpu_period\":100000,
		\"cpu_quota\":20000,\"cpu_shares\":256}}"
	assert_eq "$(cat "$CGROUP_MOUNTS/memory$cg/memory.limit_in_bytes")" 134217728
	assert_eq "$(cat "$CGROUP_MOUNTS/cpu$cg/cpu.cfs_quota_us")" 20000
	assert_eq "$(cat "$CGROUP_MOUNTS/cpu$cg/cpu.shares")" 256
}

@test "cri: ContainerStats: the CPU time and memory of the container's own cgroups" {
	local cg pid deadline before after stats
	run_pod
	# Some CPU time, then 16 MiB held in a shell variable (the shell stays:
	# its last command is not the sleep, which it would exec).
	create_container app -- sh -c 'i=0; while [ $i -lt 100000 ]; do i=$((i + 1)); done
		x=$(head -c 16777216 /dev/zero | tr "\0" a); touch /tmp/held; sleep 1000; : "${#x}"'
	start_container "$CTR"
	wait_container "$CTR" CONTAINER_RUNNING 30
	cg=$CLIENT_CGROUP/$POD_NAME/$CTR
	pid=$(container_pid "$CTR")
	deadline=$((SECONDS + 30))
	until [[ -e /proc/$pid/root/tmp/held ]]; do
		((SECONDS < deadline)) || fail "the container did not get to hold its memory"
		sleep 0.1
	done
	# The kubelet's figures are the container's cgroups' (containerd's
	# shim finds them from the init's /proc/PID/cgroup): the CPU time lies
	# between two readings of its cpuacct cgroup taken around the call.
	before=$(cat "$CGROUP_MOUNTS/cpuacct$cg/cpuacct.usage")
	run -0 cri_ RuntimeService.ContainerStats "{\"container_id\":\"$CTR\"}"
	stats=$output
	after=$(cat "$CGROUP_MOUNTS/cpuacct$cg/cpuacct.usage")
	assert_eq "$(jq -r .stats.attributes.id <<<"$stats")" "$CTR"
	run -0 jq -r ".stats.cpu.usage_core_nano_seconds.value | tonumber |
		. > 0 and . >= $before and . <= $after" <<<"$stats"
	assert_eq "$output" true
	run -0 jq -r '.stats.memory.working_set_bytes.value | tonumber | . >= 16777216' <<<"$stats"
	assert_eq "$output" true
}

@test "cri: security context: user, read-only root, dropped capabilities, no_new_privs, seccomp" {
	local caps
	run_pod
	create_container secure '.linux.security_context += {run_as_user: {value: 1000},
		run_as_group: {value: 1000}, readonly_rootfs: true, no_new_privs: true,
		capabilities: {drop_capabilities: ["ALL"], add_capabilities: ["NET_BIND_SERVICE"]},
		seccomp: {profile_type: "RuntimeDefault"}}' -- \
		sh -c 'id -u; id -g; touch /file; probe caps'
	start_container "$CTR"
	wait_container "$CTR" CONTAINER_EXITED 30
	run -0 container_log secure
	assert_eq "$(grep '^stdout' <<<"$output" | head -n 2 | tr '\n' ' ')" "stdout 1000 stdout 1000 "
	assert_contains "$output" "Read-only file system"
	caps=$(cap_mask CAP_NET_BIND_SERVICE)
	assert_output_line "stdout CapBnd: $caps"
	assert_output_line "stdout CapEff: 0000000000000000"
	assert_output_line "stdout NoNewPrivs: 1"
	if [[ ${CLIENT_RT_SECCOMP:-false} == true ]]; then
		assert_output_line "stdout Seccomp: 2"
	fi
}

@test "cri: a device, a Localhost seccomp profile, run_as_username, supplemental groups" {
	local profile=$CLIENT_DIR/containerd/no-mkdir.json
	# The profile format containerd reads for Localhost (docker's).
	cat >"$profile" <<-'EOF'
		{"defaultAction": "SCMP_ACT_ALLOW",
		 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
	EOF
	run_pod
	create_container app '.devices = [{container_path: "/dev/xnull", host_path: "/dev/null",
			permissions: "rwm"}] |
		.linux.security_context += {run_as_username: "nobody", supplemental_groups: [4242],
			seccomp: {profile_type: "Localhost", localhost_ref: "'"$profile"'"}}' -- \
		sh -c 'stat -c "%F %t:%T" /dev/xnull; echo x >/dev/xnull && echo wrote;
			echo "$(id -u) $(id -G)"; mkdir /tmp/d'
	start_container "$CTR"
	wait_container "$CTR" CONTAINER_EXITED 30
	assert_eq "$(jq -r .exit_code <<<"$STATUS")" 1
	run -0 container_log app
	assert_output_line "stdout character special file 1:3"
	assert_output_line "stdout wrote"
	assert_output_line "stdout 65534 65534 4242"
	assert_output_line "stderr mkdir: can't create directory '/tmp/d': Operation not permitted"
}

@test "cri: a privileged container in a privileged pod: no filter, no no_new_privs" {
	run_pod '.linux.security_context.privileged = true'
	create_container privileged '.linux.security_context += {privileged: true}' -- probe caps
	start_container "$CTR"
	wait_container "$CTR" CONTAINER_EXITED 30
	run -0 container_log privileged
	assert_output_line "stdout Seccomp: 0"
	assert_output_line "stdout NoNewPrivs: 0"
}

@test "cri: a container with a terminal" {
	run_pod
	create_container tty '.tty = true' -- sh -c 'tty; test -t 1 && echo stdout-is-tty'
	start_container "$CTR"
	wait_container "$CTR" CONTAINER_EXITED 30
	assert_eq "$(jq -r .exit_code <<<"$STATUS")" 0
	run -0 container_log tty
	assert_output_line "stdout /dev/pts/0"
	assert_output_line "stdout stdout-is-tty"
}

@test "cri: StopContainer: TERM, then KILL after the grace period" {
	local start
	run_pod
	# The container's PID 1 (its own pid namespace) handles TERM.
	create_container polite -- sh -c 'trap "echo got TERM; exit 0" TERM; while :; do sleep 0.1; done'
	start_container "$CTR"
	wait_container "$CTR" CONTAINER_RUNNING 30
	start=$SECONDS
	run -0 cri_ RuntimeService.StopContainer "{\"container_id\":\"$CTR\",\"timeout\":60}"
	((SECONDS - start < 30))
	wait_container "$CTR" CONTAINER_EXITED 1
	assert_eq "$(jq -r .exit_code <<<"$STATUS")" 0
	run -0 container_log polite
	assert_eq "$output" "stdout got TERM"
	# One that ignores TERM is killed once the grace period is over.
	create_container stubborn -- sh -c 'trap "" TERM; sleep 1000'
	start_container "$CTR"
	wait_container "$CTR" CONTAINER_RUNNING 30
	start=$SECONDS
	run -0 cri_ RuntimeService.StopContainer "{\"container_id\":\"$CTR\",\"timeout\":2}"
	((SECONDS - start >= 2))
	wait_container "$CTR" CONTAINER_EXITED 1
	assert_eq "$(jq -r .exit_code <<<"$STATUS")" 137
	run -0 cri_ RuntimeService.RemoveContainer "{\"container_id\":\"$CTR\"}"
	run -0 cri_ RuntimeService.ListContainers "{\"filter\":{\"pod_sandbox_id\":\"$POD\"}}"
	assert_eq "$(jq -c '[.containers[].metadata.name]' <<<"$output")" '["polite"]'
}

@test "cri: a container over its memory limit is OOMKilled" {
	run_pod
	create_container hog '.linux.resources = {memory_limit_in_bytes: 16777216}' -- \
		sh -c 'head -c 40m /dev/zero >/dev/shm/fill; echo survived'
	start_container "$CTR"
	wait_container "$CTR" CONTAINER_EXITED 30
	assert_eq "$(jq -r .exit_code <<<"$STATUS")" 137
	assert_eq "$(jq -r .reason <<<"$STATUS")" OOMKilled
}

@test "cri: a pod removed leaves no process, state or cgroup of the runtime behind" {
	local cg=$CLIENT_CGROUP/$POD_NAME
	run_pod
	create_container app -- sleep 1000
	start_container "$CTR"
	wait_container "$CTR" CONTAINER_RUNNING 30
	# The runtime's state: one directory per container, under the --root
	# the shim gives it.
	run -0 in_ns ls /run/containerd/runc/k8s.io
	assert_eq "$(sort <<<"$output" | tr '\n' ' ')" "$(printf '%s\n' "$POD" "$CTR" | sort | tr '\n' ' ')"
	run -0 cri_ RuntimeService.StopPodSandbox "{\"pod_sandbox_id\":\"$POD\"}"
	run -0 cri_ RuntimeService.RemovePodSandbox "{\"pod_sandbox_id\":\"$POD\"}"
	run -0 in_ns ls /run/containerd/runc/k8s.io
	assert_eq "$output" ""
	# The pod's cgroup parent is the kubelet's to remove; below it, nothing.
	run -0 bash -c 'shopt -s nullglob; for d in "$1"/*"$2"; do find "$d" -mindepth 1 -type d; done' \
		_ "$CGROUP_MOUNTS" "$cg"
	assert_eq "$output" ""
	wait_cgroups_empty 10
}
