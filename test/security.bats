#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # single-quoted scripts run in the sandbox; bats sets $stderr
# The attacks of issue 8 (docs/security.md), each performed as a workload or
# a runtime would: every test here failed on the code before the fix.
#
# Attacks that would change the caller's own namespaces (hostname, sysctl,
# pivot_root) when they succeed run inside throwaway namespaces of the
# test's own (unshare), so that a sluice that fails them harms nothing.

load helpers

CLIENT=${SLUICE_TEST_SCRIPTS:-$BATS_TEST_DIRNAME}/protocol_client.py

setup_file() {
	ROOTFS=$(scratch_dir)/rootfs
	make_rootfs "$ROOTFS"
	export ROOTFS
}

setup() {
	leftovers_snapshot
	M=$(unique_marker)
	DIR=$(scratch_dir --user)
}

teardown() {
	if [[ -n ${KEY:-} ]]; then
		"$PROBE" key-del "$KEY" >/dev/null 2>&1 || :
	fi
	if [[ -n ${RUNDIR:-} ]]; then
		rm -rf "$RUNDIR"
	fi
}

# Tests that run the probe in the host view need it outside what the
# sandbox replaces (the clone may live under /tmp).
requires_host_probe() {
	local p
	for p in "$PROBE" "$PROBE_USER_BIN"; do
		case $p in
		/tmp/* | /dev/* | /proc/* | /run/*) skip "the probe ($p) is under a directory the host view replaces" ;;
		esac
	done
}

# throwaway CMD...: CMD in new uts, network, ipc, mount and pid namespaces
# of the test's own, with a timeout.
throwaway() {
	(
		_close_extra_fds
		run_with_timeout "$SLUICE_TIMEOUT" unshare --uts --net --ipc --mount \
			--propagation private --pid --fork --mount-proc -- "$@"
	)
}

# framed FILE [NAMESPACES]: a runtime (test/protocol_client.py) sending FILE
# as a framed config, after a NAMESPACES frame when given; in throwaway
# namespaces, where it then prints the hostname it finds.
framed() {
	local cfg=$1 ns=${2:-}
	requires_cmd python3 unshare
	throwaway bash -c 'hostname sluice-test-host; python3 "$@"; echo "hostname: $(hostname)"' \
		bash "$CLIENT" magic ${ns:+namespaces=$ns} "config=$cfg" go -- "$SLUICE" init
}

# A complete config, as a framed CONFIG carries it, with $1 added.
complete_config() {
	printf '%s\n' 'process: {args: [/bin/true], cwd: /}' 'root: {path: /}' "$@"
}

# ---- 1. sluice init validates a framed config as it does a raw one ----

@test "framed: an empty CONFIG frame is a config error (78), not a crash" {
	: >"$DIR/c.yaml"
	run -0 framed "$DIR/c.yaml"
	assert_contains "$output" "ERROR 78 0 read-config read-config: <fd 3>: no command"
	assert_contains "$output" "EXIT 78"
}

@test "framed: hostname alone, or process.args empty: 78, not a crash" {
	printf 'hostname: x\n' >"$DIR/c.yaml"
	run -0 framed "$DIR/c.yaml"
	assert_contains "$output" "EXIT 78"
	printf 'process: {args: []}\n' >"$DIR/c.yaml"
	run -0 framed "$DIR/c.yaml"
	assert_contains "$output" "no command: give one on the command line or in process.args"
	assert_contains "$output" "EXIT 78"
}

@test "framed: a mount namespace without root.path: 78" {
	printf '%s\n' 'process: {args: [/bin/true], cwd: /}' 'linux: {namespaces: [{type: mount}]}' \
		>"$DIR/c.yaml"
	run -0 framed "$DIR/c.yaml"
	assert_contains "$output" "root.path must be an absolute path"
	assert_contains "$output" "EXIT 78"
}

@test "framed: hostname and domainname without a uts namespace leave the caller's name (78)" {
	requires_root
	complete_config "hostname: pwned-$M" >"$DIR/c.yaml"
	run -0 framed "$DIR/c.yaml"
	assert_contains "$output" "hostname needs the uts namespace"
	assert_contains "$output" "hostname: sluice-test-host"
	complete_config "domainname: pwned-$M" >"$DIR/c.yaml"
	run -0 framed "$DIR/c.yaml"
	assert_contains "$output" "domainname needs the uts namespace"
	assert_contains "$output" "EXIT 78"
}

@test "framed: a sysctl without its namespace leaves the caller's value (78)" {
	requires_root
	complete_config 'linux: {sysctl: {net.ipv4.ip_unprivileged_port_start: "7"}}' >"$DIR/c.yaml"
	requires_cmd python3 unshare
	run -0 throwaway bash -c 'python3 "$@"; cat /proc/sys/net/ipv4/ip_unprivileged_port_start' \
		bash "$CLIENT" magic "config=$DIR/c.yaml" go -- "$SLUICE" init
	assert_contains "$output" "needs the network namespace"
	assert_eq "${lines[-1]}" 1024
}

@test "framed: mounts without a mount namespace are a 78, not silently dropped" {
	complete_config 'mounts: [{destination: /tmp, type: tmpfs, source: tmpfs}]' >"$DIR/c.yaml"
	run -0 framed "$DIR/c.yaml"
	assert_contains "$output" "mounts (set mounts: []) needs the mount namespace"
	assert_contains "$output" "EXIT 78"
}

@test "framed: a false NAMESPACES claim is refused before anything changes (125)" {
	requires_root
	# A complete config with its own uts, mount and pid namespaces, which
	# the runtime claims it made although the helper is in its own.
	{
		printf '%s\n' 'process: {args: [/bin/true], cwd: /}' 'root: {path: /}'
		printf '%s\n' "hostname: pwned-$M" 'linux: {namespaces: [{type: uts}, {type: mount}, {type: pid}]}'
	} >"$DIR/c.yaml"
	run -0 framed "$DIR/c.yaml" 0x24020000
	assert_contains "$output" "NAMESPACES claims a new uts namespace, but the helper is in its runtime's"
	assert_contains "$output" "EXIT 125"
	assert_contains "$output" "hostname: sluice-test-host"
	run -0 framed "$DIR/c.yaml" 0x24020001
	assert_contains "$output" "NAMESPACES frame: unknown flag bits 0x1"
	run -0 framed "$DIR/c.yaml" 0x40000000
	assert_contains "$output" "claims namespaces 0x40000000 that the config does not create"
}

@test "framed (test user): a false user namespace claim is refused (125)" {
	requires_userns
	requires_cmd python3
	sluice_user run --print-config --rootfs "$ROOTFS" -- true >"$DIR/c.yaml"
	as_user_cmd
	run -0 run_with_timeout "$SLUICE_TIMEOUT" "${AS_USER[@]}" /usr/bin/python3 "$CLIENT" magic \
		namespaces=0x10000000 "config=$DIR/c.yaml" go -- "$SLUICE_USER_BIN" init
	assert_contains "$output" "NAMESPACES claims a new user namespace, but the helper is in its runtime's"
	assert_contains "$output" "EXIT 125"
}

@test "framed (root of unshare -r): a false user namespace claim is refused (125), though the maps cannot tell" {
	requires_userns
	requires_cmd python3
	sluice_user run --print-config --rootfs "$ROOTFS" -- true >"$DIR/c.yaml"
	as_user_cmd
	run -0 run_with_timeout "$SLUICE_TIMEOUT" "${AS_USER[@]}" unshare --user --map-root-user \
		/usr/bin/python3 "$CLIENT" magic namespaces=0x10000000 "config=$DIR/c.yaml" go -- "$SLUICE_USER_BIN" init
	assert_contains "$output" "NAMESPACES claims a new user namespace, but the helper is in its runtime's"
	assert_contains "$output" "EXIT 125"
}

@test "sluice init 3<config: sluice.timeout and stdio a helper cannot honour are 78" {
	printf '%s\n' 'sluice: {timeout: 5}' 'process: {args: [/bin/true]}' >"$DIR/c.yaml"
	run -78 --separate-stderr bash -c 'exec 3<"$0"; exec "$1" init' "$DIR/c.yaml" "$SLUICE"
	assert_eq "$stderr" "sluice: read-config: $DIR/c.yaml: sluice.timeout needs a runtime that enforces it (sluice run); a helper started directly cannot (use timeout(1))"
	printf '%s\n' "sluice: {stdout: 'file:$DIR/out'}" 'process: {args: [/bin/true]}' >"$DIR/c.yaml"
	run -78 --separate-stderr bash -c 'exec 3<"$0"; exec "$1" init' "$DIR/c.yaml" "$SLUICE"
	assert_contains "$stderr" "sluice.stdout: a helper started directly passes its own fd 1 on (inherit)"
	[[ ! -e $DIR/out ]] || fail "file:$DIR/out was created"
	assert_no_leftovers
}

# ---- 3. cwd and host descriptors ----

@test "host view: --cwd /proc/self/fd/N on a host directory fd is refused (125), nothing written" {
	local dir
	dir=$(scratch_dir)
	run -125 --separate-stderr bash -c 'exec 7<"$0"; exec "$@"' "$dir" \
		"$SLUICE" run --cwd /proc/self/fd/7 -- sh -c 'touch pwned' "$M"
	assert_eq "$stderr" "sluice: cwd: process.cwd /proc/self/fd/7: No such file or directory"
	# A preserved fd reaches the workload, but no path resolves through it.
	run -125 --separate-stderr bash -c 'exec 7<"$0"; exec "$@"' "$dir" \
		"$SLUICE" run --preserve-fds 5 --cwd /proc/self/fd/9 -- sh -c 'touch pwned' "$M"
	assert_contains "$stderr" "process.cwd /proc/self/fd/9: a /proc magic link"
	run -125 --separate-stderr "$SLUICE" run --cwd /proc/1/cwd -- sh -c 'touch pwned' "$M"
	assert_contains "$stderr" "process.cwd /proc/1/cwd: a /proc magic link"
	[[ ! -e $dir/pwned ]] || fail "the workload wrote into the host directory"
	assert_no_leftovers "$M"
}

@test "host view (test user): --cwd /proc/self/fd/N is refused, nothing written" {
	requires_userns
	as_user_cmd
	run -125 --separate-stderr bash -c 'exec 7<"$0"; exec "$@"' "$DIR" "${AS_USER[@]}" \
		"$SLUICE_USER_BIN" run --cwd /proc/self/fd/7 -- sh -c 'touch pwned' "$M"
	assert_contains "$stderr" "process.cwd /proc/self/fd/7"
	[[ ! -e $DIR/pwned ]] || fail "the workload wrote into the host directory"
	assert_no_leftovers "$M"
}

# --rootfs refused this before (the cwd then lay outside the new root): a
# guard that the class stays closed there too.
@test "rootfs: an inherited host fd is closed before the cwd is resolved" {
	local dir
	dir=$(scratch_dir)
	run -125 --separate-stderr bash -c 'exec 7<"$0"; exec "$@"' "$dir" \
		"$SLUICE" run --rootfs "$ROOTFS" --cwd /proc/self/fd/7 -- sh -c 'touch pwned' "$M"
	[[ ! -e $dir/pwned ]] || fail "the workload wrote into the host directory"
	assert_no_leftovers "$M"
}

# ---- 4. the default view hides what the host does not share ----

# A unix socket under the host's /run: connectable through a read-only
# view, were /run not replaced.
make_run_socket() {
	RUNDIR=/run/sluice-security-test-$M
	mkdir -m 755 "$RUNDIR"
	python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' \
		"$RUNDIR/sock"
	chmod 777 "$RUNDIR/sock"
}

@test "default: /run is an empty tmpfs: a host socket there cannot be reached" {
	requires_host_probe
	requires_root
	requires_cmd python3
	make_run_socket
	run "$PROBE" connect "$RUNDIR/sock"
	assert_eq "$output" ECONNREFUSED "the host sees a socket that is not listening"
	run -1 sluice run -- "$PROBE" connect "$RUNDIR/sock" -- "$M"
	assert_eq "$output" ENOENT
	run -0 sluice run -- sh -c 'find /run/ /var/run/ -mindepth 1 | wc -l'
	assert_eq "$output" 0
	# a socket bound in on purpose (docs/security.md)
	run -1 sluice run --ro-bind "$RUNDIR" -- "$PROBE" connect "$RUNDIR/sock" -- "$M"
	assert_eq "$output" ECONNREFUSED
}

@test "default (test user): a host socket under /run cannot be reached" {
	requires_host_probe
	requires_root
	requires_userns
	requires_cmd python3
	make_run_socket
	run -1 sluice_user run -- "$PROBE_USER_BIN" connect "$RUNDIR/sock" -- "$M"
	assert_eq "$output" ENOENT
}

@test "default: a fresh session keyring; root's user keyring is out of reach" {
	requires_host_probe
	requires_root
	KEY=sluice-security-$M
	run -0 "$PROBE" key-add "$KEY" secret
	run -0 "$PROBE" key-find "$KEY"
	assert_eq "$output" "$(printf '%s\n' 'session: found' 'user: found')"
	# the default seccomp profile refuses the keyring calls outright; the
	# keyrings themselves are checked without it
	run -0 sluice run -- "$PROBE" key-find "$KEY"
	assert_eq "$output" "$(printf '%s\n' 'session: EPERM' 'user: EPERM')"
	run -0 sluice run --no-seccomp -- "$PROBE" key-find "$KEY"
	assert_eq "$output" "$(printf '%s\n' 'session: ENOKEY' 'user: ENOKEY')"
	# As the host's root the user keyring is root's (docs/security.md); the
	# opt-out keeps the caller's session keyring, as runc's --no-new-keyring.
	run -0 sluice run --no-seccomp --real-root -- "$PROBE" key-find "$KEY"
	assert_eq "$output" "$(printf '%s\n' 'session: ENOKEY' 'user: found')"
	run -0 sluice run --no-seccomp --real-root --no-new-keyring -- "$PROBE" key-find "$KEY"
	assert_eq "${lines[0]}" "session: found"
}

@test "default (test user): the keys of the caller's session are out of reach" {
	requires_host_probe
	requires_userns
	KEY=
	as_user_cmd
	run -0 run_with_timeout "$SLUICE_TIMEOUT" "${AS_USER[@]}" "$PROBE_USER_BIN" with-key \
		"sluice-security-$M" secret "$SLUICE_USER_BIN" run --no-seccomp "$PROBE_USER_BIN" key-find \
		"sluice-security-$M"
	assert_eq "$output" "$(printf '%s\n' 'session: ENOKEY' 'user: ENOKEY')"
	run -0 run_with_timeout "$SLUICE_TIMEOUT" "${AS_USER[@]}" "$PROBE_USER_BIN" with-key \
		"sluice-security-$M" secret "$PROBE_USER_BIN" key-find "sluice-security-$M"
	assert_eq "${lines[0]}" "session: found" "the key is in the caller's session"
}

@test "default as root: /etc/shadow and /root are out of reach; --real-root asks for them" {
	requires_host_probe
	requires_root
	[[ -e /etc/shadow ]] || skip "no /etc/shadow"
	run -1 sluice run -- "$PROBE" read /etc/shadow -- "$M"
	assert_eq "$output" EACCES
	run -0 sluice run -- sh -c 'ls /root >/dev/null 2>&1 && echo listed || echo refused'
	assert_eq "$output" refused
	run -0 sluice run -- sh -c 'cat /proc/self/uid_map'
	assert_eq "$(xargs <<<"$output")" "0 65534 1"
	run -0 sluice run --real-root -- "$PROBE" read /etc/shadow -- "$M"
	assert_eq "$output" ok
	run -78 --separate-stderr sluice_user run --real-root -- true
	assert_eq "$stderr" "sluice: --real-root: sluice runs as uid $(id -u "$SLUICE_TEST_USER"), not as root"
}

@test "default: unshare -U is refused inside; --nested-userns allows it" {
	requires_host_probe
	# twice: by the default seccomp profile, and without it by the cap on
	# user namespaces; --nested-userns lifts both
	run -1 sluice run -- "$PROBE" unshare-user -- "$M"
	assert_eq "$output" EPERM
	run -1 sluice run --no-seccomp -- "$PROBE" unshare-user -- "$M"
	assert_eq "$output" ENOSPC
	run -0 sluice run --nested-userns -- "$PROBE" unshare-user -- "$M"
	assert_eq "$output" ok
}

@test "sluice in a sluice sandbox: the refusals say which namespaces and why" {
	requires_root
	# The inner sluice would not get the suite's sanitizer options (the
	# sandbox passes no environment on).
	under_asan && skip "the ASan build inside a sandbox"
	# The binary under test may live in a /tmp the sandbox does not show, or
	# in a directory its uid (65534 outside) cannot read: the test user's copy.
	run -125 --separate-stderr sluice run --ro-bind "$SLUICE_USER_BIN:/tmp/inner" -- /tmp/inner run -- true
	assert_contains "$stderr" "unshare namespaces user, mount, pid, uts, ipc, network, cgroup: no new user namespace is allowed here (a seccomp filter forbids it: in a container, or a sluice sandbox without --nested-userns"
	# Mapping root of a new user namespace to its creator needs
	# CAP_SETFCAP where it is made (Linux 5.12), which the sandbox drops.
	run -125 --separate-stderr sluice run --nested-userns --ro-bind "$SLUICE_USER_BIN:/tmp/inner" -- \
		/tmp/inner run -- true
	assert_contains "$stderr" "write uid mapping 0 0 1 (mapping root of a new user namespace to its creator needs CAP_SETFCAP where it is created"
}

@test "root without CAP_SETGID maps its own gid as any user does: setgroups denied first" {
	requires_root
	printf '%s\n' 'linux:' '  uidMappings: [{containerID: 0, hostID: 0, size: 1}]' \
		'  gidMappings: [{containerID: 0, hostID: 0, size: 1}]' >"$DIR/self.yaml"
	run -0 setpriv --bounding-set -setgid --inh-caps -setgid "$SLUICE" run \
		--config "$DIR/self.yaml" -- sh -c 'cat /proc/self/gid_map /proc/self/setgroups'
	assert_eq "$(xargs <<<"$output")" "0 0 1 deny"
	# With CAP_SETGID, root writes the map itself and groups stay allowed.
	run -0 sluice run --config "$DIR/self.yaml" -- cat /proc/self/setgroups
	assert_eq "$output" allow
}

@test "default (test user): unshare -U is refused inside" {
	requires_host_probe
	requires_userns
	run -1 sluice_user run -- "$PROBE_USER_BIN" unshare-user -- "$M"
	assert_eq "$output" EPERM
	run -1 sluice_user run --no-seccomp -- "$PROBE_USER_BIN" unshare-user -- "$M"
	assert_eq "$output" ENOSPC
}

@test "a config without /dev in its mounts gets sluice's /dev, never the host's" {
	requires_root
	printf '%s\n' 'mounts: [{destination: /proc, type: proc, source: proc}]' >"$DIR/c.yaml"
	run -1 sluice run --real-root -c "$DIR/c.yaml" -- "$PROBE" open-write /dev/kmsg -- "$M"
	assert_eq "$output" ENOENT
	run -0 sluice run --real-root -c "$DIR/c.yaml" -- sh -c 'ls /dev | tr "\n" " "'
	assert_eq "$output" "fd full null ptmx random stderr stdin stdout tty urandom zero "
}

# ---- 5. the init and the helper are not the workload's to inspect ----

inspect_init='
for f in environ mem; do printf "%s " "$f"; probe read /proc/1/$f; done
printf "fd "; readlink /proc/1/fd/0 >/dev/null 2>&1 && echo ok || echo EACCES
printf "exe "; probe exe 1 | head -n 1
printf "ptrace "; probe ptrace 1'

@test "--init: the workload cannot read the init's environ, mem, fd, exe nor ptrace it" {
	run -1 env SECRET_TOKEN="hunter2-$M" "$SLUICE" run --init --rootfs "$ROOTFS" -- sh -c "$inspect_init"
	assert_eq "$output" "$(printf '%s\n' 'environ EACCES' 'mem EACCES' 'fd EACCES' 'exe open: EACCES' 'ptrace EPERM')"
	assert_no_leftovers "$M"
}

@test "--init (test user): the workload cannot read the init's environ, mem, fd, exe nor ptrace it" {
	requires_userns
	as_user_cmd
	run -1 env SECRET_TOKEN="hunter2-$M" "${AS_USER[@]}" "$SLUICE_USER_BIN" run --init \
		--rootfs "$ROOTFS" -- sh -c "$inspect_init"
	assert_eq "$output" "$(printf '%s\n' 'environ EACCES' 'mem EACCES' 'fd EACCES' 'exe open: EACCES' 'ptrace EPERM')"
}

@test "--init: the launcher's environment is not in the init's memory" {
	run -0 env SECRET_TOKEN="hunter2-$M" "$SLUICE" run --init --cap-add SYS_PTRACE --rootfs "$ROOTFS" -- \
		sh -c 'tr "\0" "\n" </proc/1/environ | grep -c SECRET_TOKEN || :'
	assert_eq "$output" 0
}

@test "--init --cap-add ALL as root: the init's exe cannot be written; the host binary is unchanged" {
	requires_host_probe
	requires_root
	local sum
	sum=$(sha256sum <"$SLUICE")
	# In root's user namespace the file is another uid's: not writable.
	run -0 sluice run --init --cap-add ALL -- "$PROBE" exe 1
	assert_eq "${lines[2]}" "access: EACCES"
	run sluice run --init --cap-add ALL -- "$PROBE" open-write /proc/1/exe
	[[ $output == EACCES || $output == ETXTBSY ]] || fail "opened for writing: $output"
	# As the host's root it is a sealed copy.
	run -0 sluice run --real-root --init --cap-add ALL -- "$PROBE" exe 1
	assert_eq "${lines[1]}" "seals: seal shrink grow write"
	assert_eq "$(sha256sum <"$SLUICE")" "$sum"
	assert_no_leftovers
}

# sluice_workload_exe SLUICE ARGS...: runs SLUICE ARGS... --init --
# /proc/self/exe init (in the host view, where a sanitizer build finds its
# libraries): the helper executes its own binary as the workload,
# which then waits on fd 3 (a pipe held open here) while the host looks at
# its /proc/PID/exe with `probe exe`; prints what the probe says.
sluice_workload_exe() {
	local out=$BATS_TEST_TMPDIR/w.out init pid=
	bg_start "$out" 30 bash -c 'exec 3< <(sleep 30); exec "$@" --init -- /proc/self/exe init' \
		bash "$@" || return 1
	for _ in $(seq 250); do
		# the helper (sluice init, the sandbox's init) and its workload
		for init in $(pgrep -P "$BG_PID"); do
			for pid in $(pgrep -P "$init"); do
				[[ $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) == "/proc/self/exe init " ]] &&
					break 3
			done
		done
		pid=
		sleep 0.02
	done
	[[ -n $pid ]] || {
		echo "no workload under $init" >&2
		return 1
	}
	"$PROBE" exe "$pid"
	bg_kill
}

@test "the helper's binary, run by the workload, cannot be written through /proc/PID/exe (real root)" {
	requires_root
	local sum
	sum=$(sha256sum <"$SLUICE")
	run -0 sluice_workload_exe "$SLUICE" run --real-root --preserve-fds 1
	assert_eq "${lines[2]}" "access: EROFS"
	assert_eq "$(sha256sum <"$SLUICE")" "$sum"
	assert_no_leftovers
}

@test "the helper's binary, the test user's own file: not writable from the sandbox" {
	requires_userns
	local bin=$DIR/sluice
	cp "$SLUICE" "$bin"
	give_to_user "$bin"
	as_user_cmd
	run -0 sluice_workload_exe "${AS_USER[@]}" "$bin" run --preserve-fds 1
	assert_eq "${lines[2]}" "access: EROFS"
	cmp "$SLUICE" "$bin"
}

@test "--help says what --cap-add ALL and --real-root mean" {
	run -0 sluice run --help
	assert_contains "$output" "--cap-add CAP"
	assert_contains "$output" "as the host's root (--real-root): full privilege, the command can"
	assert_contains "$output" "--real-root"
}

# ---- 6. messages ----

@test "--cap-add ALL works where the host's bounding set lacks one; naming it is a clear 125" {
	requires_root
	grep -q '^CapBnd:' /proc/self/status
	local bnd
	bnd=$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)
	(((0x$bnd >> 24) & 1)) && skip "CAP_SYS_RESOURCE is in this host's bounding set"
	run -0 sluice run --real-root --cap-add ALL -- true
	run -125 --separate-stderr sluice run --real-root --cap-add CAP_SYS_RESOURCE -- true
	assert_eq "$stderr" "sluice: capabilities-bounding: process.capabilities.bounding: CAP_SYS_RESOURCE is not in the bounding set sluice runs with (the host withholds it), so it cannot be granted: Operation not permitted"
}

@test "RLIMIT_NOFILE 0 is the workload's: it runs with it (static probe)" {
	printf '%s\n' 'process: {rlimits: [{type: RLIMIT_NOFILE, soft: 0, hard: 0}]}' >"$DIR/c.yaml"
	run -0 sluice run --rootfs "$ROOTFS" -c "$DIR/c.yaml" -- probe rlimits
	assert_contains "$output" "RLIMIT_NOFILE: 0 0"
	run -0 sluice run --init --rootfs "$ROOTFS" -c "$DIR/c.yaml" -- probe rlimits
	assert_contains "$output" "RLIMIT_NOFILE: 0 0"
}

@test "preserveFds 1000000: 78 naming the field and the open-file limit" {
	printf '%s\n' 'sluice: {preserveFds: 1000000}' >"$DIR/c.yaml"
	run -78 --separate-stderr sluice run -c "$DIR/c.yaml" -- true
	assert_contains "$stderr" "sluice.preserveFds 1000000: the helper would hold fds up to 1000013, above the open-file limit (RLIMIT_NOFILE"
	assert_no_leftovers
}

@test "arguments and environment that are not UTF-8 pass through as bytes" {
	run -0 sluice run --env $'X=caf\xe9' -- sh -c 'printf "%s|%s" "$1" "$X" | od -An -tx1' sh $'\xff\xfe'
	assert_eq "$(xargs <<<"$output")" "ff fe 7c 63 61 66 e9"
	run -0 sluice run --print-config -- echo $'\xff'
	assert_contains "$output" "- !!binary /w=="
}

@test "sluice.stdout file:PATH does not follow a final symlink unless told to" {
	ln -s "$DIR/target" "$DIR/link"
	run -125 --separate-stderr sluice run --stdout "file:$DIR/link" -- echo hi
	assert_eq "$stderr" "sluice: sluice.stdout file $DIR/link: a symbolic link (sluice.stdioFollowSymlinks: true follows it): Too many levels of symbolic links"
	[[ ! -e $DIR/target ]] || fail "the write followed the link"
	printf '%s\n' "sluice: {stdout: 'file:$DIR/link', stdioFollowSymlinks: true}" >"$DIR/c.yaml"
	run -0 sluice run -c "$DIR/c.yaml" -- echo hi
	assert_eq "$(cat "$DIR/target")" hi
}
