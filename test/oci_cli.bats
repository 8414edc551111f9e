#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # single-quoted scripts run elsewhere; bats sets $stderr
# The OCI command line (docs/oci.md): runc's global flags, every command's
# --help and flags, logging, features, and the configs a created container
# cannot honour; concurrent commands on one container.

load helpers
load oci_helpers

setup() {
	oci_setup
}

teardown() {
	oci_teardown
}

# runc's commands and flags that sluice has (docs/oci.md lists the others)
declare -A FLAGS=(
	[create]="bundle console-socket pid-file pidfd-socket preserve-fds no-pivot no-new-keyring"
	[run]="bundle console-socket pid-file pidfd-socket preserve-fds no-pivot no-new-keyring detach keep no-subreaper"
	[start]=""
	[state]=""
	[list]="format quiet"
	[kill]="all"
	[delete]="force"
	[exec]="process detach pid-file env cwd user additional-gids cap no-new-privs preserve-fds tty console-socket"
	[ps]="format"
	[spec]="bundle rootless"
	[features]=""
)

@test "sluice --help lists every OCI command and runc's global flags" {
	local cmd flag
	run -0 sluice --help
	for cmd in "${!FLAGS[@]}"; do
		assert_contains "$output" $'\n'"  $cmd "
	done
	for flag in root log log-format debug systemd-cgroup rootless version help; do
		assert_contains "$output" "--$flag"
	done
}

@test "checkpoint and restore: refused by name whatever their flags, exit 1, in --log too" {
	local cmd
	for cmd in checkpoint restore; do
		run -1 --separate-stderr sluice --log "$DIR/log" --log-format json "$cmd" --image-path "$DIR/img" c1
		assert_eq "$stderr" "sluice: $cmd is not supported: sluice has no checkpoint/restore (runc does it with CRIU)"
		jq -e --arg m "$cmd is not supported: sluice has no checkpoint/restore (runc does it with CRIU)" \
			'select(.level == "error") | .msg == $m' "$DIR/log" >/dev/null || fail "$(cat "$DIR/log")"
	done
	[[ ! -e $DIR/img ]]
	run -0 sluice --help
	assert_contains "$output" $'\n'"  checkpoint not supported"
}

@test "COMMAND --help: the usage and every flag runc has; each flag listed is accepted" {
	local cmd flag line name help n
	for cmd in "${!FLAGS[@]}"; do
		if [[ $cmd == run ]]; then
			run -0 sluice run --bundle . --help
		else
			run -0 sluice "$cmd" --help
		fi
		help=$output
		assert_contains "$help" "usage: sluice $cmd"
		for flag in ${FLAGS[$cmd]}; do
			assert_contains "$help" "--$flag" "$cmd --help does not list --$flag"
		done
		n=0
		while read -r line; do
			name=${line#*--}
			name=${name%% *}
			n=$((n + 1))
			if [[ $line =~ --$name\ [A-Z] ]]; then
				run -0 sluice "$cmd" "--$name=1" --help
			else
				run -0 sluice "$cmd" "--$name" --help
			fi
		done < <(grep -E '^ +(-[a-z], )?--' <<<"$help")
		assert_eq "$n" "$(wc -w <<<"${FLAGS[$cmd]}")" "the flags of $cmd"
	done
}

@test "unknown flags and wrong argument counts: refused by name, exit 64" {
	run -64 --separate-stderr sluice --bogus list
	assert_eq "$stderr" "sluice: flag provided but not defined: --bogus (see sluice --help)"
	run -64 --separate-stderr oci create --bogus x
	assert_eq "$stderr" "sluice: create: flag provided but not defined: --bogus (see sluice create --help)"
	run -64 --separate-stderr oci create
	assert_eq "$stderr" 'sluice: "create" requires exactly 1 argument(s) (see sluice create --help)'
	run -64 --separate-stderr oci kill a b c
	assert_eq "$stderr" 'sluice: "kill" requires at most 2 argument(s) (see sluice kill --help)'
	run -64 --separate-stderr oci create --preserve-fds x y
	assert_eq "$stderr" "sluice: create: not a number: x (see sluice create --help)"
	run -64 --separate-stderr oci list extra
	run -64 --separate-stderr sluice --root
	[[ ! -e $ROOT ]]
}

@test "global flags: --systemd-cgroup refused, --rootless and --log-format checked, --root relative to the cwd" {
	run -64 --separate-stderr oci --systemd-cgroup list
	assert_contains "$stderr" "sluice: --systemd-cgroup is not supported: sluice has no systemd cgroup manager"
	run -64 --separate-stderr oci --rootless maybe list
	assert_eq "$stderr" 'sluice: --rootless: "maybe" is not auto, true or false'
	run -0 oci --rootless=true list -q
	run -64 --separate-stderr oci --log-format xml list
	assert_eq "$stderr" 'sluice: --log-format: "xml" is not text or json'
	make_bundle "$B" /bin/true
	cd "$DIR"
	sluice --root rel create --bundle bundle c1 >/dev/null 2>&1 </dev/null
	[[ -d $DIR/rel/c1 ]]
	run -0 sluice --root "$DIR/rel" delete c1
}

@test "--log FILE, --log-format json: runc's JSON lines there (what containerd and podman read), the message on stderr too" {
	run -1 --separate-stderr oci --log "$DIR/log.json" --log-format=json state nosuch
	assert_eq "$stderr" "sluice: container does not exist"
	jq -e '.level == "error" and .msg == "container does not exist"
		and (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$"))
		and (keys == ["level", "msg", "time"])' "$DIR/log.json" >/dev/null ||
		fail "$(cat "$DIR/log.json")"
	run -1 --separate-stderr oci --log-format json state nosuch
	jq -e '.msg == "container does not exist"' <<<"$stderr" >/dev/null || fail "$stderr"
	run -1 oci --log "$DIR/log.txt" state nosuch
	[[ $(cat "$DIR/log.txt") =~ ^time=\"[0-9T:Z-]+\"\ level=error\ msg=\"container\ does\ not\ exist\"$ ]] ||
		fail "$(cat "$DIR/log.txt")"
	make_bundle "$B" /bin/true
	run -0 oci --log "$DIR/debug.json" --log-format json --debug run --bundle "$B" c1
	jq -se 'map(.level) | all(. == "debug") and length >= 3' "$DIR/debug.json" >/dev/null ||
		fail "$(cat "$DIR/debug.json")"
	run -0 oci --log "$DIR/quiet.json" --log-format json run --bundle "$B" c1
	[[ ! -s $DIR/quiet.json ]]
}

@test "features: the spec's JSON, true to this build" {
	local opt n=0 seccomp=false
	# seccomp is there when the loader takes linux.seccomp
	printf 'linux: {seccomp: {defaultAction: SCMP_ACT_ALLOW}}\n' >"$DIR/s.yaml"
	sluice run -c "$DIR/s.yaml" --print-config >/dev/null 2>&1 && seccomp=true
	run -0 sluice features
	jq -e --argjson s "$seccomp" '.ociVersionMin == "1.0.0" and .ociVersionMax == "1.2.1"
		and .hooks == ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"]
		and (.linux.namespaces | sort) == ["cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"]
		and (.linux.capabilities | index("CAP_SYS_ADMIN") and index("CAP_CHOWN"))
		and .linux.seccomp.enabled == $s and .linux.cgroup.v1 == true
		and .linux.cgroup.v2 == true and .linux.cgroup.systemd == false
		and (.mountOptions | index("rro") and index("rnosymfollow") and index("tmpcopyup"))
		and (.mountOptions | index("idmap") and index("ridmap"))
		and .linux.mountExtensions.idmap.enabled == true and .linux.netDevices.enabled == true
		and .linux.memoryPolicy.modes == ["MPOL_DEFAULT", "MPOL_PREFERRED", "MPOL_BIND", "MPOL_INTERLEAVE",
			"MPOL_LOCAL", "MPOL_PREFERRED_MANY", "MPOL_WEIGHTED_INTERLEAVE"]
		and .linux.memoryPolicy.flags == ["MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES"]' \
		<<<"$output" >/dev/null || fail "$output"
	# every mount option it lists is one the loader takes
	# (id-mapping is for binds)
	for opt in $(jq -r '.mountOptions[]' <<<"$output"); do
		if [[ $opt == *idmap ]]; then
			printf 'mounts: [{destination: /x, type: bind, source: /, options: [%s]}]\n' "$opt" >"$DIR/m.yaml"
		else
			printf 'mounts: [{destination: /x, type: tmpfs, source: tmpfs, options: [%s]}]\n' "$opt" >"$DIR/m.yaml"
		fi
		run -0 sluice run --config "$DIR/m.yaml" --print-config
		n=$((n + 1))
	done
	((n > 30)) || fail "only $n mount options"
}

@test "features: seccomp's actions, operators, architectures and flags, each one a start takes" {
	local json name
	run -0 sluice features
	json=$output
	jq -e '.linux.seccomp.enabled
		and .linux.seccomp.actions == ["SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
			"SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY"]
		and .linux.seccomp.operators == ["SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
			"SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"]
		and .linux.seccomp.knownFlags == ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
			"SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]
		and (.linux.seccomp.supportedFlags - .linux.seccomp.knownFlags) == []
		and (.linux.seccomp.archs | index("SCMP_ARCH_X86_64") and index("SCMP_ARCH_X86"))' \
		<<<"$json" >/dev/null || fail "$(jq .linux.seccomp <<<"$json")"
	# every architecture listed is known: those of this little-endian
	# host's byte order compile, the big-endian ones are refused for that
	# (as libseccomp, runc and crun do); one of the spec's that is not
	# listed (libseccomp 2.5 lacks them) is refused naming libseccomp
	[[ $(uname -m) == x86_64 ]] || skip "the byte orders below are x86_64's"
	for name in $(jq -r '.linux.seccomp.archs[]' <<<"$json"); do
		printf 'linux: {seccomp: {defaultAction: SCMP_ACT_ALLOW, architectures: [%s], syscalls: [{names: [mkdir], action: SCMP_ACT_ERRNO}]}}\n' \
			"$name" >"$DIR/a.yaml"
		case $name in
		SCMP_ARCH_MIPS | SCMP_ARCH_MIPS64 | SCMP_ARCH_MIPS64N32 | SCMP_ARCH_PPC | SCMP_ARCH_PPC64 | \
			SCMP_ARCH_S390 | SCMP_ARCH_S390X | SCMP_ARCH_PARISC | SCMP_ARCH_PARISC64 | SCMP_ARCH_M68K | SCMP_ARCH_SHEB)
			run -78 --separate-stderr sluice run --config "$DIR/a.yaml" -- /bin/true
			assert_eq "$stderr" "sluice: $DIR/a.yaml: linux.seccomp.architectures: $name has the other byte order than this host's SCMP_ARCH_X86_64, and a filter holds one (libseccomp refuses it, and so do runc and crun)"
			;;
		*) run -0 sluice run --config "$DIR/a.yaml" -- /bin/true ;;
		esac
	done
	for name in SCMP_ARCH_LOONGARCH64 SCMP_ARCH_M68K SCMP_ARCH_SH; do
		jq -e --arg a "$name" '.linux.seccomp.archs | index($a)' <<<"$json" >/dev/null && continue
		printf 'linux: {seccomp: {defaultAction: SCMP_ACT_ALLOW, architectures: [%s], syscalls: [{names: [mkdir], action: SCMP_ACT_ERRNO}]}}\n' \
			"$name" >"$DIR/a.yaml"
		run -78 --separate-stderr sluice run --config "$DIR/a.yaml" -- /bin/true
		assert_contains "$stderr" "$name is not known to libseccomp"
	done
	# every supported flag loads (WAIT_KILLABLE_RECV needs a listener:
	# test/seccomp.bats); the kernel's release says which it has
	for name in $(jq -r '.linux.seccomp.supportedFlags[]' <<<"$json"); do
		[[ $name == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV ]] && continue
		printf 'linux: {seccomp: {defaultAction: SCMP_ACT_ALLOW, flags: [%s], syscalls: [{names: [mkdir], action: SCMP_ACT_ERRNO}]}}\n' \
			"$name" >"$DIR/f.yaml"
		run -0 sluice run --config "$DIR/f.yaml" -- /bin/true
	done
	if kernel_at_least 5 19; then
		jq -e '.linux.seccomp.supportedFlags == .linux.seccomp.knownFlags' <<<"$json" >/dev/null ||
			fail "a 5.19 kernel has every flag: $(jq -c .linux.seccomp.supportedFlags <<<"$json")"
	fi
}

@test "what a created container cannot have is refused, and nothing is left: pipes, a timeout, a terminal nobody takes" {
	make_bundle "$B" /bin/true
	cfg "$B" '.sluice = {"stdout": "pipe"}'
	run -78 --separate-stderr oci create --bundle "$B" c1
	assert_eq "$stderr" "sluice: $B/config.json: sluice.stdout: pipe needs a sluice process relaying it, which a created container does not have (use inherit, null or file:PATH)"
	cfg "$B" '.sluice = {"timeout": 5}'
	run -78 --separate-stderr oci create --bundle "$B" c1
	assert_contains "$stderr" "sluice.timeout needs a sluice process watching the container"
	cfg "$B" 'del(.sluice)'
	run -64 --separate-stderr oci create --bundle "$B" --console-socket "$DIR/sock" c1
	assert_eq "$stderr" "sluice: cannot use console socket if sluice will not allocate a tty (process.terminal is false)"
	run -64 --separate-stderr oci create --bundle "$B" --no-pivot c1
	assert_contains "$stderr" "--no-pivot is not supported"
	run -64 --separate-stderr oci run --bundle "$B" --no-subreaper c1
	assert_contains "$stderr" "--no-subreaper is not supported"
	cfg "$B" '.process.terminal = true'
	run -64 --separate-stderr oci create --bundle "$B" c1
	assert_contains "$stderr" "cannot allocate tty if sluice will detach without setting console socket"
	[[ ! -e $ROOT ]] || assert_eq "$(ls -A "$ROOT")" ""
}

@test "a bad bundle: no directory, no config.json, a broken one, a missing root: 78 naming it, nothing left" {
	run -78 --separate-stderr oci create --bundle "$DIR/nosuch" c1
	assert_eq "$stderr" "sluice: bundle $DIR/nosuch: No such file or directory"
	mkdir -p "$B"
	run -78 --separate-stderr oci create --bundle "$B" c1
	assert_eq "$stderr" "sluice: $B/config.json: cannot read: No such file or directory"
	printf '{"process": {"args": 5}}' >"$B/config.json"
	run -78 --separate-stderr oci create --bundle "$B" c1
	assert_eq "$stderr" "sluice: $B/config.json:1:22: process.args: expected a list of strings, got \"5\""
	mkdir -p "$DIR/b2" && "$SLUICE" spec --bundle "$DIR/b2"
	cfg "$DIR/b2" '.process.terminal = false'
	run -78 --separate-stderr oci create --bundle "$DIR/b2" c1
	assert_eq "$stderr" "sluice: $DIR/b2/config.json: root.path $DIR/b2/rootfs: No such file or directory"
	[[ ! -e $ROOT ]] || assert_eq "$(ls -A "$ROOT")" ""
}

@test "--no-new-keyring is accepted (sluice keeps the session keyring anyway)" {
	make_bundle "$B" /bin/true
	run -0 oci run --bundle "$B" --no-new-keyring c1
}

@test "ambient capabilities the kernel cannot raise (runc 1.1's spec, buildah): logged, not an error, not in the container's stderr" {
	make_bundle "$B" /bin/probe caps
	cfg "$B" '.process.capabilities.ambient = ["CAP_KILL"]'
	run -0 --separate-stderr oci run --bundle "$B" c1
	assert_eq "$stderr" ""
	assert_contains "$output" "CapAmb: 0000000000000000"
	run -0 --separate-stderr oci --log "$DIR/log" --log-format json run --bundle "$B" c1
	assert_eq "$stderr" ""
	jq -e --arg m "$B/config.json: process.capabilities.ambient: not raised: CAP_KILL (the kernel raises only capabilities that are also permitted and inheritable)" \
		'select(.level == "info") | .msg == $m' "$DIR/log" >/dev/null || fail "$(cat "$DIR/log")"
	run -0 --separate-stderr oci --debug run --bundle "$B" c1
	assert_contains "$stderr" "sluice: info: $B/config.json: process.capabilities.ambient: not raised: CAP_KILL"
}

# ---- concurrency: one container, many commands at once ----

@test "concurrent creates of one id: exactly one succeeds" {
	make_bundle "$B" /bin/probe sleep 100 - -- "$M"
	local i ok=0 pids=()
	for i in 1 2 3 4; do
		oci create --bundle "$B" c1 >"$DIR/create.$i" 2>&1 </dev/null &
		pids+=($!)
	done
	# (not a bare wait: bats' own timeout watchdog is a job too)
	for i in "${pids[@]}"; do
		wait "$i" || true
	done
	for i in 1 2 3 4; do
		if [[ ! -s $DIR/create.$i ]]; then
			ok=$((ok + 1))
		else
			assert_eq "$(cat "$DIR/create.$i")" "sluice: container with given ID already exists: c1"
		fi
	done
	assert_eq "$ok" 1
	run -0 oci delete --force c1
}

@test "state, kill and delete --force at once on one container: each sees it whole or not at all" {
	make_bundle "$B" /bin/probe signals - -- "$M"
	oci_create c1
	run -0 oci start c1
	local i pids=()
	for i in $(seq 8); do
		oci state c1 >"$DIR/state.$i" 2>&1 &
		pids+=($!)
	done
	oci kill c1 USR1 >"$DIR/kill" 2>&1 &
	pids+=($!)
	oci delete --force c1 >"$DIR/delete" 2>&1
	for i in "${pids[@]}"; do
		wait "$i" || true
	done
	assert_eq "$(cat "$DIR/delete")" ""
	for i in $(seq 8); do
		if ! jq -e '.status == "running"' "$DIR/state.$i" >/dev/null 2>&1; then
			assert_eq "$(cat "$DIR/state.$i")" "sluice: container does not exist"
		fi
	done
	[[ ! -e $ROOT/c1 ]]
}
