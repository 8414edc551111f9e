# shellcheck shell=bash
# Helpers for the real-client suites (test/clients/*.bats, docs/clients.md):
# podman, containerd (ctr), docker and buildah with the runtime under test.
# Each suite's setup_file calls clients_setup, its teardown_file
# clients_teardown; each test's setup calls clients_require.
#
# Environment (optional):
#   SLUICE_CLIENTS_RUNTIME  the runtime the clients drive: "sluice" (default,
#                           $SLUICE_BIN), "runc", or a path
#   SLUICE_CLIENTS_LOG=DIR  put test/clients/runtime-log in front of it: a
#                           record of each call the clients make goes to
#                           DIR/SUITE/ (kept)
#
# What a suite gets:
#   $CLIENT_DIR        the suite's own directory (sockets, storage, state)
#   $CLIENT_RT_NAME    the runtime's name (sluice, runc, ...)
#   $CLIENT_RT_BIN     the binary the clients run (the logging front with
#                      SLUICE_CLIENTS_LOG=1)
#   $CLIENT_CGROUP     the cgroup parent for containers, below our own
#   $CLIENT_IMAGE_TAR  a busybox rootfs as a tar;  $CLIENT_OCI_TAR the same as
#                      an OCI image archive named localhost/busybox:latest
#   in_ns CMD...       runs CMD in the suite's private mount+network namespace
#   daemon_start NAME READY_PATH CMD...   a daemon in that namespace
#
# Nothing reaches the host: every daemon and every podman/buildah command
# runs in one private mount and network namespace per suite, with its own
# tmpfs on /run; containers' cgroups live below $CLIENT_CGROUP, which is
# below our own memory cgroup; clients_teardown stops everything by pid and
# removes those cgroups, and fails if a mount appeared on the host.

# shellcheck source=test/helpers.bash
source "$(dirname "${BASH_SOURCE[0]}")/../helpers.bash"

CLIENTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Seconds a client command may take before the helpers kill it.
CLIENT_TIMEOUT=${CLIENT_TIMEOUT:-120}
# The hierarchies where container runtimes make cgroups on this machine.
CGROUP_MOUNTS=/sys/fs/cgroup

# ---- the runtime under test ----

# Sets CLIENT_RT_NAME and CLIENT_RT_REAL from SLUICE_CLIENTS_RUNTIME.
_clients_pick_runtime() {
	local choice=${SLUICE_CLIENTS_RUNTIME:-sluice}
	case $choice in
	sluice)
		CLIENT_RT_NAME=sluice CLIENT_RT_REAL=$SLUICE
		;;
	*/*)
		CLIENT_RT_NAME=$(basename "$choice") CLIENT_RT_REAL=$choice
		;;
	*)
		CLIENT_RT_NAME=$choice
		CLIENT_RT_REAL=$(command -v "$choice") || CLIENT_RT_REAL=
		;;
	esac
}

# The runtime must have the OCI command line: `RUNTIME features` tells.
# Sets CLIENTS_SKIP when the runtime lacks it (a usage error, 64, as
# sluice gives for an unknown command); fails when it is broken otherwise.
_clients_check_runtime() {
	local out status=0
	if [[ -z $CLIENT_RT_REAL || ! -x $CLIENT_RT_REAL ]]; then
		CLIENTS_SKIP="runtime ${SLUICE_CLIENTS_RUNTIME:-sluice} not found (${CLIENT_RT_REAL:-not in PATH})"
		return 0
	fi
	out=$(run_with_timeout 30 "$CLIENT_RT_REAL" features 2>&1 </dev/null) || status=$?
	case $status in
	0)
		CLIENT_RT_SECCOMP=$(jq -r '.linux.seccomp.enabled // false' <<<"$out" 2>/dev/null) ||
			CLIENT_RT_SECCOMP=false
		export CLIENT_RT_SECCOMP
		;;
	64)
		CLIENTS_SKIP="$CLIENT_RT_NAME has no OCI runtime command line yet" CLIENTS_SKIP+=" ($CLIENT_RT_REAL features: exit 64: ${out%%$'\n'*})"
		;;
	*)
		echo "clients: $CLIENT_RT_REAL features failed with status $status:" >&2
		printf '%s\n' "$out" >&2
		return 1
		;;
	esac
}

# The binary the clients get: the runtime itself, or with SLUICE_CLIENTS_LOG
# a front named like it that logs each call (test/clients/runtime-log) to
# $SLUICE_CLIENTS_LOG/SUITE.
_clients_runtime_bin() {
	local suite=$1 log=${SLUICE_CLIENTS_LOG:-}
	if [[ -z $log ]]; then
		CLIENT_RT_BIN=$CLIENT_RT_REAL
		return 0
	fi
	if [[ $log != /* ]]; then
		echo "clients: SLUICE_CLIENTS_LOG must be an absolute directory, not $log" >&2
		return 1
	fi
	mkdir -p "$CLIENT_DIR/bin" "$log/$suite" || return 1
	CLIENT_RT_BIN=$CLIENT_DIR/bin/$CLIENT_RT_NAME
	printf '#!/bin/sh\nRUNTIME_LOG_DIR=%q RUNTIME_LOG_REAL=%q exec %q "$@"\n' \
		"$log/$suite" "$CLIENT_RT_REAL" "$CLIENTS_DIR/runtime-log" >"$CLIENT_RT_BIN"
	chmod 755 "$CLIENT_RT_BIN"
}

# ---- cgroups ----

# Our own memory cgroup (the machine puts us in one); every container
# cgroup goes below it.
_own_cgroup() {
	awk -F: '$2 == "memory" { print $3; exit }' /proc/self/cgroup
}

# The cgroup directories (in every hierarchy) of PATH.
_cgroup_dirs() {
	local path=$1 mnt
	for mnt in "$CGROUP_MOUNTS"/*/; do
		[[ -d $mnt$path ]] && printf '%s\n' "${mnt%/}$path"
	done
	return 0
}

# Records which ancestors of $CLIENT_CGROUP exist in which hierarchy, so
# that teardown removes only what the suite made.
_cgroup_snapshot() {
	local mnt path
	path=$(dirname "$CLIENT_CGROUP")
	: >"$CLIENT_DIR/cgroups.before"
	while [[ $path != / ]]; do
		for mnt in "$CGROUP_MOUNTS"/*/; do
			[[ -d $mnt$path ]] && printf '%s\n' "${mnt%/}$path" >>"$CLIENT_DIR/cgroups.before"
		done
		path=$(dirname "$path")
	done
	return 0
}

# Every process in a cgroup below $CLIENT_CGROUP (any hierarchy).
_cgroup_pids() {
	local dir
	while read -r dir; do
		find "$dir" -name cgroup.procs -exec cat {} + 2>/dev/null
	done < <(_cgroup_dirs "$CLIENT_CGROUP") | sort -un
}

# Removes $CLIENT_CGROUP and what it holds in every hierarchy, then the
# ancestors the suite created, if empty.  Fails if one stays.
_cgroup_remove() {
	local dir path ok=0 deadline=$((SECONDS + 10))
	while read -r dir; do
		# A cgroup whose last process is still dying stays busy a moment.
		until find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null; [[ ! -d $dir ]]; do
			if ((SECONDS >= deadline)); then
				echo "clients: cannot remove cgroup $dir" >&2
				ok=1
				break
			fi
			sleep 0.1
		done
	done < <(_cgroup_dirs "$CLIENT_CGROUP")
	path=$(dirname "$CLIENT_CGROUP")
	while [[ $path != / ]]; do
		while read -r dir; do
			grep -qxF "$dir" "$CLIENT_DIR/cgroups.before" || rmdir "$dir" 2>/dev/null || true
		done < <(_cgroup_dirs "$path")
		path=$(dirname "$path")
	done
	return "$ok"
}

# Removes the empty cgroup trees an earlier run left when it was killed
# before its teardown (named sluice-clients-SUITE-PID, PID gone).
_cgroup_remove_stale() {
	local own=$1 dir pid
	for dir in "$CGROUP_MOUNTS"/*"$own"/sluice-clients-*-*; do
		[[ -d $dir ]] || continue
		pid=${dir##*-}
		if [[ ! $pid =~ ^[0-9]+$ ]] || kill -0 "$pid" 2>/dev/null; then
			continue
		fi
		find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	return 0
}

# ---- the private namespace ----

# Starts the suite's namespace holder: a process in new mount and network
# namespaces (mounts private), with a tmpfs on /run and on each DIR given.
_ns_start() {
	local pidfile=$CLIENT_DIR/ns.pid
	(
		_close_extra_fds
		cd "$CLIENT_DIR" || exit 1
		exec </dev/null >"$CLIENT_DIR/ns.log" 2>&1
		# Killed with the bats process that started it (a suite killed by
		# its timeout has no teardown); the same for the daemons.
		# shellcheck disable=SC2016 # expanded by the inner sh
		exec setpriv --pdeathsig KILL setsid unshare --mount --net --propagation private sh -c '
			pidfile=$1
			shift
			for dir in /run "$@"; do
				mount -t tmpfs -o mode=755,nosuid,nodev clients "$dir" || exit 1
			done
			echo $$ >"$pidfile.tmp" && mv "$pidfile.tmp" "$pidfile" && exec sleep infinity
		' clients-ns "$pidfile" "$@"
	) &
	wait_for_file "$pidfile" 10 || return 1
	CLIENT_NS_PID=$(<"$pidfile")
	CLIENT_NS_MNT=$(readlink "/proc/$CLIENT_NS_PID/ns/mnt")
	export CLIENT_NS_PID CLIENT_NS_MNT
}

# in_ns CMD...: runs the program CMD in the suite's namespaces, in the
# current directory, with only fds 0-2 and a time limit.
in_ns() {
	(
		_close_extra_fds
		run_with_timeout "$CLIENT_TIMEOUT" nsenter --target "$CLIENT_NS_PID" --mount --net \
			--wd="$PWD" -- "$@"
	)
}

# ns_command NAME CMD...: writes $CLIENT_DIR/bin/NAME, a program that runs
# CMD, followed by its own arguments, in the suite's namespaces and the
# caller's directory (for with_tty, pipes, and what cannot call a shell
# function).  Prints its path.
ns_command() {
	local name=$1 path=$CLIENT_DIR/bin/$1
	shift
	mkdir -p "$CLIENT_DIR/bin"
	{
		echo '#!/bin/sh'
		# shellcheck disable=SC2016 # $PWD and "$@" are the script's
		printf 'exec nsenter --target %q --mount --net --wd="$PWD" --' "$CLIENT_NS_PID"
		printf ' %q' "$@"
		printf ' "$@"\n'
	} >"$path"
	chmod 755 "$path"
	printf '%s\n' "$path"
}

# Processes in the suite's mount namespace (daemons, shims, conmon).
_ns_pids() {
	local ns pid
	[[ -n ${CLIENT_NS_MNT:-} ]] || return 0
	for ns in /proc/[0-9]*/ns/mnt; do
		pid=${ns#/proc/}
		pid=${pid%%/*}
		[[ $(readlink "$ns" 2>/dev/null) == "$CLIENT_NS_MNT" ]] && echo "$pid"
	done
	return 0
}

# daemon_start NAME READY_PATH CMD...: starts the program CMD in the suite's
# namespaces, output to $CLIENT_DIR/NAME.log, and waits (60 s) for
# READY_PATH (its socket) to appear, failing at once if it exits.  Its pid
# goes to $CLIENT_DIR/NAME.pid.
daemon_start() {
	local name=$1 ready=$2 pid deadline
	shift 2
	(
		_close_extra_fds
		cd "$CLIENT_DIR" || exit 1
		exec </dev/null >"$CLIENT_DIR/$name.log" 2>&1
		exec setpriv --pdeathsig KILL nsenter --target "$CLIENT_NS_PID" --mount --net -- "$@"
	) &
	pid=$!
	echo "$pid" >"$CLIENT_DIR/$name.pid"
	deadline=$((SECONDS + 60))
	until [[ -S $ready ]]; do
		if ! _alive "$pid" || ((SECONDS >= deadline)); then
			echo "clients: $name did not get ready (no $ready); its log:" >&2
			tail -n 20 "$CLIENT_DIR/$name.log" >&2
			return 1
		fi
		sleep 0.05
	done
}

# _alive PID: PID exists and is not a zombie.
_alive() {
	local state
	state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[[ -n $state && $state != Z ]]
}

# _stop_pid PID SECS: TERM, then KILL after SECS seconds; waits for it.
_stop_pid() {
	local pid=$1 secs=$2 deadline
	_alive "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	deadline=$((SECONDS + secs))
	while _alive "$pid"; do
		if ((SECONDS >= deadline)); then
			kill -KILL "$pid" 2>/dev/null
			deadline=$((SECONDS + 10))
			secs=0
		fi
		sleep 0.05
	done
	wait "$pid" 2>/dev/null || true
}

# daemon_stop NAME: stops the daemon daemon_start started (TERM, 20 s, KILL).
daemon_stop() {
	local pidfile=$CLIENT_DIR/$1.pid
	[[ -e $pidfile ]] || return 0
	_stop_pid "$(<"$pidfile")" 20
	rm -f "$pidfile"
}

# containerd_start DIR [PLUGIN...] < TOML: starts a private containerd
# whose root, state and sockets are in DIR (the gRPC socket
# DIR/containerd.sock), with no debug or metrics endpoint and the
# snapshotters and tracing this machine lacks (and each PLUGIN given)
# disabled; the TOML on stdin follows that header in its config.  The
# shim writes process files and console sockets to $TMPDIR, DIR/tmp; its
# own sockets go to /run/containerd/s (the namespace's tmpfs).
containerd_start() {
	local dir=$1 plugin disabled
	shift
	disabled='"io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"'
	for plugin; do
		disabled+=", \"$plugin\""
	done
	mkdir -p "$dir/tmp" || return 1
	{
		cat <<-EOF
			version = 2
			root = "$dir/root"
			state = "$dir/state"
			disabled_plugins = [$disabled]
			[grpc]
			  address = "$dir/containerd.sock"
			[ttrpc]
			  address = "$dir/containerd.sock.ttrpc"
			[debug]
			  address = ""
			[metrics]
			  address = ""
		EOF
		cat
	} >"$dir/config.toml" || return 1
	daemon_start containerd "$dir/containerd.sock" \
		env TMPDIR="$dir/tmp" containerd --config "$dir/config.toml"
}

# ---- images ----

# The busybox rootfs as a tar, and the same as an OCI image archive
# (oci-layout, index.json, one manifest, config and uncompressed layer),
# written by hand: nothing can be pulled.
_clients_images() {
	local rootfs=$CLIENT_DIR/rootfs
	make_rootfs "$rootfs" || return 1
	CLIENT_IMAGE_TAR=$CLIENT_DIR/busybox.tar
	tar -C "$rootfs" --numeric-owner -cf "$CLIENT_IMAGE_TAR" . || return 1
	rm -rf "$rootfs"
	CLIENT_OCI_TAR=$CLIENT_DIR/busybox-oci.tar
	make_oci_archive "$CLIENT_IMAGE_TAR" "$CLIENT_OCI_TAR" localhost/busybox:latest
}

# _blob DIR FILE: moves FILE into DIR/blobs/sha256 under its digest and
# prints "DIGEST SIZE".
_blob() {
	local dir=$1 file=$2 sum size
	sum=$(sha256sum "$file" | cut -d' ' -f1) || return 1
	size=$(stat -c %s "$file") || return 1
	mv "$file" "$dir/blobs/sha256/$sum" || return 1
	echo "$sum $size"
}

# make_oci_archive LAYER_TAR OUT NAME [CMD_JSON]: an OCI image archive of
# one layer, whose command is CMD_JSON (default ["/bin/sh"]).
make_oci_archive() {
	local layer=$1 out=$2 name=$3 cmd=${4:-'["/bin/sh"]'} dir lsum lsize csum csize msum msize
	dir=$(mktemp -d "$CLIENT_DIR/oci.XXXXXX") || return 1
	mkdir -p "$dir/blobs/sha256"
	cp "$layer" "$dir/layer" && read -r lsum lsize < <(_blob "$dir" "$dir/layer") || return 1
	printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":%s},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created_by":"sluice test/clients"}]}' \
		"$cmd" "$lsum" >"$dir/config"
	read -r csum csize < <(_blob "$dir" "$dir/config") || return 1
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
		"$csum" "$csize" "$lsum" "$lsize" >"$dir/manifest"
	read -r msum msize < <(_blob "$dir" "$dir/manifest") || return 1
	printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
		"$msum" "$msize" "$name" "${name##*:}" >"$dir/index.json"
	printf '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
	tar -C "$dir" -cf "$out" oci-layout index.json blobs || return 1
	rm -rf "$dir"
}

# ---- suite setup and teardown ----

# clients_setup SUITE CLIENT... [-- TMPFS_DIR...]: the suite's directory,
# runtime, cgroup parent, images and namespace.  Skips (through
# clients_require in each test) when a client or the runtime's OCI command
# line is missing, or when not root; with CLIENTS_NEED_SECCOMP=1 (clients
# whose every container has a seccomp profile) also when the runtime's
# `features` says it has no seccomp.
clients_setup() {
	local suite=$1 cmd
	local -a tmpfs=()
	shift
	CLIENTS_SKIP=
	export CLIENTS_SKIP
	while (($#)); do
		cmd=$1
		shift
		if [[ $cmd == -- ]]; then
			tmpfs=("$@")
			break
		fi
		if [[ -z $CLIENTS_SKIP ]] && ! command -v "$cmd" >/dev/null; then
			CLIENTS_SKIP="requires $cmd (scripts/install-deps --clients)"
		fi
	done
	if ((EUID != 0)); then
		CLIENTS_SKIP="requires root (the clients run rootful daemons)"
	fi
	[[ -n $CLIENTS_SKIP ]] && return 0
	_clients_pick_runtime
	_clients_check_runtime || return 1
	if [[ -z $CLIENTS_SKIP && ${CLIENTS_NEED_SECCOMP-} == 1 && $CLIENT_RT_SECCOMP != true ]]; then
		CLIENTS_SKIP="$CLIENT_RT_NAME has no seccomp yet (features: linux.seccomp.enabled false),"
		CLIENTS_SKIP+=" which $suite gives every container"
	fi
	[[ -n $CLIENTS_SKIP ]] && return 0

	CLIENT_DIR=$(mktemp -d "$SLUICE_TEST_ROOT/clients-$suite.XXXXXX") || return 1
	chmod 755 "$CLIENT_DIR"
	_mounts >"$CLIENT_DIR/host-mounts.before"
	CLIENT_CGROUP=$(_own_cgroup)/sluice-clients-$suite-$$
	_cgroup_remove_stale "$(_own_cgroup)"
	_cgroup_snapshot
	_clients_runtime_bin "$suite" || return 1
	_clients_images || return 1
	_ns_start "${tmpfs[@]}" || return 1
	export CLIENT_DIR CLIENT_CGROUP CLIENT_RT_NAME CLIENT_RT_REAL CLIENT_RT_BIN \
		CLIENT_IMAGE_TAR CLIENT_OCI_TAR
}

# clients_require: in each test's setup: skips with the suite's reason.
clients_require() {
	if [[ -n ${CLIENTS_SKIP:-} ]]; then
		skip "$CLIENTS_SKIP"
	fi
}

# clients_require_seccomp: in a test that asks the client for seccomp.
clients_require_seccomp() {
	if [[ ${CLIENT_RT_SECCOMP:-false} != true ]]; then
		skip "$CLIENT_RT_NAME has no seccomp yet (features: linux.seccomp.enabled false)"
	fi
}

# clients_teardown: after the suite's own clean-up (its containers, its
# daemon): kills what is left in the containers' cgroups and the
# namespace, removes the cgroups, checks the host's mounts.  Fails, saying
# what, if anything had to be killed or stayed.
clients_teardown() {
	local ok=0 pids new
	[[ -n ${CLIENT_DIR:-} && -d ${CLIENT_DIR:-} ]] || return 0
	pids=$( (_cgroup_pids; _ns_pids | grep -vxF "${CLIENT_NS_PID:-x}") | sort -un | tr '\n' ' ')
	if [[ -n ${pids// /} ]]; then
		echo "clients: processes left after the suite's clean-up (killed):" >&2
		# shellcheck disable=SC2086 # one pid per word
		ps -o pid,ppid,args -p "${pids// /,}" >&2 2>/dev/null || true
		# shellcheck disable=SC2086
		kill -KILL $pids 2>/dev/null
		ok=1
	fi
	[[ -z ${CLIENT_NS_PID:-} ]] || _stop_pid "$CLIENT_NS_PID" 5
	# The namespace, and with it every mount in it, is gone once its last
	# process is.
	for pid in $pids; do
		while _alive "$pid"; do sleep 0.05; done
	done
	_cgroup_remove || ok=1
	new=$(_mounts | comm -13 "$CLIENT_DIR/host-mounts.before" -)
	if [[ -n $new ]]; then
		printf 'clients: new mounts on the host:\n%s\n' "$new" >&2
		ok=1
	fi
	if [[ -n ${SLUICE_KEEP_TMP:-} ]]; then
		echo "clients: kept $CLIENT_DIR" >&2
	else
		rm -rf --one-file-system "$CLIENT_DIR"
	fi
	return "$ok"
}

# ---- assertions ----

# wait_cgroups_empty SECS: waits until no process is left in the
# containers' cgroups; fails listing them after SECS seconds.
wait_cgroups_empty() {
	local deadline=$((SECONDS + $1)) pids
	while pids=$(_cgroup_pids) && [[ -n $pids ]]; do
		if ((SECONDS >= deadline)); then
			echo "processes still in $CLIENT_CGROUP after $1 s:" >&2
			ps -o pid,ppid,args -p "$(paste -sd, <<<"$pids")" >&2 || true
			return 1
		fi
		sleep 0.05
	done
}

# clients_cmd SECS CMD...: CMD with a time limit and only fds 0-2, for run.
clients_cmd() {
	local secs=$1
	shift
	(
		_close_extra_fds
		run_with_timeout "$secs" "$@"
	)
}

# assert_output_line LINE: $output (from run) has the line LINE.
assert_output_line() {
	# shellcheck disable=SC2154 # set by bats' run
	if ! grep -qxF -- "$1" <<<"$output"; then
		printf 'expected the line: %s\nin output:\n%s\n' "$1" "$output" >&2
		return 1
	fi
}

# cap_mask CAP...: the hexadecimal mask /proc/PID/status shows for the
# capabilities named (CAP_ prefix, as in config.json).
cap_mask() {
	local cap mask=0 n
	declare -A numbers=([CAP_CHOWN]=0 [CAP_DAC_OVERRIDE]=1 [CAP_DAC_READ_SEARCH]=2
		[CAP_FOWNER]=3 [CAP_FSETID]=4 [CAP_KILL]=5 [CAP_SETGID]=6 [CAP_SETUID]=7
		[CAP_SETPCAP]=8 [CAP_LINUX_IMMUTABLE]=9 [CAP_NET_BIND_SERVICE]=10
		[CAP_NET_BROADCAST]=11 [CAP_NET_ADMIN]=12 [CAP_NET_RAW]=13 [CAP_IPC_LOCK]=14
		[CAP_IPC_OWNER]=15 [CAP_SYS_MODULE]=16 [CAP_SYS_RAWIO]=17 [CAP_SYS_CHROOT]=18
		[CAP_SYS_PTRACE]=19 [CAP_SYS_PACCT]=20 [CAP_SYS_ADMIN]=21 [CAP_SYS_BOOT]=22
		[CAP_SYS_NICE]=23 [CAP_SYS_RESOURCE]=24 [CAP_SYS_TIME]=25
		[CAP_SYS_TTY_CONFIG]=26 [CAP_MKNOD]=27 [CAP_LEASE]=28 [CAP_AUDIT_WRITE]=29
		[CAP_AUDIT_CONTROL]=30 [CAP_SETFCAP]=31)
	for cap; do
		n=${numbers[$cap]:-}
		[[ -n $n ]] || { echo "cap_mask: unknown $cap" >&2 && return 1; }
		mask=$((mask | (1 << n)))
	done
	printf '%016x\n' "$mask"
}
