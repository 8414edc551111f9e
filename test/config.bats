#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154,SC2030,SC2031 # single-quoted scripts run in the sandbox; bats sets $stderr
# Loading a configuration (docs/config.md): every example in configs/ runs
# and does what it shows; an OCI config.json as `runc spec` writes it runs
# once made runnable, and what runc writes by default is refused, not
# silently trimmed; absent keys keep the embedded default; --print-config
# shows every key and reloads to the same text; every bad input is refused
# with exit 78, one exact FILE:LINE:COL message, and nothing left behind.
#
# Examples that need a rootfs get a copy of the config next to a busybox
# rootfs (relative paths resolve against the config's directory) and are run
# from another directory, so that the resolution is what is tested.  The
# host-view runs use host commands only: the scratch directories and the
# test user's binaries may live under /tmp, which the sandbox covers.
# Namespaces, mounts and id mappings in depth: sandbox.bats, filesystem.bats.

load helpers

CONFIGS=$SLUICE_REPO/configs
FIXTURES=$SLUICE_REPO/test/fixtures

# The test user may not reach the clone (/root/...): it reads a copy.
setup_file() {
	USER_CONFIGS=$(scratch_dir)/configs
	cp -r "$CONFIGS" "$USER_CONFIGS"
	export USER_CONFIGS
}

setup() {
	leftovers_snapshot
	M=$(unique_marker)
	DIR=$(scratch_dir --user)
}

# bundle CONFIG [DATA]: copies CONFIG into a new directory next to a busybox
# rootfs (and an empty directory DATA, the test user's), all readable by the
# test user; prints the path of the copy.  (Not chowned: the rootfs shares
# its files with make_rootfs's cache by hard links.)
bundle() {
	local dir
	dir=$(scratch_dir) || return 1
	cp "$1" "$dir/" && make_rootfs "$dir/rootfs" || return 1
	if [[ -n ${2-} ]]; then
		mkdir "$dir/$2" && give_to_user "$dir/$2"
	fi
	printf '%s\n' "$dir/$(basename "$1")"
}

# refused NAME TEXT MESSAGE: writes TEXT to NAME in $DIR and checks, from
# there, that `sluice run --config NAME` refuses it with exit 78, exactly
# "sluice: MESSAGE" on stderr and nothing on stdout.
# The command carries $M: assert_no_leftovers "$M" then proves nothing ran.
refused() {
	local name=$1 text=$2 message=$3
	cd "$DIR" || return 1
	printf '%s' "$text" >"$name"
	run --separate-stderr sluice run --config "$name" -- /bin/echo "$M"
	assert_status 78 || return 1
	assert_eq "$output" "" "nothing ran" || return 1
	assert_eq "$stderr" "sluice: $message"
}

# The same, as the test user (call requires_user first).
refused_user() {
	local name=$1 text=$2 message=$3
	cd "$DIR" || return 1
	printf '%s' "$text" >"$name"
	give_to_user "$name"
	run --separate-stderr sluice_user run --config "$name" -- /bin/echo "$M"
	assert_status 78 || return 1
	assert_eq "$output" "" "nothing ran" || return 1
	assert_eq "$stderr" "sluice: $message"
}

# squeeze TEXT: the words of TEXT, one space apart (for /proc/PID/uid_map).
squeeze() {
	local -a words
	read -ra words -d '' <<<"$1" || true
	printf '%s\n' "${words[*]}"
}

# key_names: the distinct key names of the YAML text on stdin.
key_names() {
	sed -n 's/^[ -]*\([A-Za-z][A-Za-z]*\):.*/\1/p' | sort -u
}

# ---- configs/ ----

@test "every file in configs/ says what it needs and has a test in this file" {
	local f name n=0
	for f in "$CONFIGS"/*.yaml; do
		name=${f##*/}
		grep -q '^# needs: ' "$f" || fail_with "$name has no \"# needs:\" line"
		grep -q "\"\$CONFIGS/$name\"" "$BATS_TEST_FILENAME" ||
			fail_with "configs/$name is not run by test/config.bats"
		n=$((n + 1))
	done
	((n >= 6)) || fail_with "only $n configs found in $CONFIGS"
}

# seccomp_word TEXT: TEXT with its linux.seccomp block as "seccomp: default".
seccomp_word() {
	awk '/^  seccomp:/ { print "  seccomp: default"; skip = 1; next }
		skip && /^  [a-zA-Z]/ || /^[a-z]/ { skip = 0 }
		!skip' <<<"$1"
}

@test "configs/default.yaml is the embedded default of a caller with uid and gid 1000" {
	requires_user
	local expected uid gid
	uid=$(id -u "$SLUICE_TEST_USER") gid=$(id -g "$SLUICE_TEST_USER")
	# What finalize and --print-config add: a placeholder command and the
	# mapping of 1000 onto the caller.
	expected=$(grep -v '^#' "$CONFIGS/default.yaml")
	expected=${expected/$'\n  args: []\n'/$'\n  args:\n  - /bin/sh\n'}
	expected=${expected/$'\n  uidMappings: []\n'/$'\n  uidMappings:\n  - containerID: 1000\n    hostID: '$uid$'\n    size: 1\n'}
	expected=${expected/$'\n  gidMappings: []\n'/$'\n  gidMappings:\n  - containerID: 1000\n    hostID: '$gid$'\n    size: 1\n'}
	# and the default seccomp profile made of "seccomp: default" (its own
	# tests are in test/seccomp.bats): put the word back to compare
	run -0 --separate-stderr sluice_user run --uid 1000 --gid 1000 --cwd / --print-config
	assert_eq "$(seccomp_word "$output")" "$expected" \
		"the embedded default differs from configs/default.yaml"
	run -0 --separate-stderr sluice_user run --config "$USER_CONFIGS/default.yaml" --print-config
	assert_eq "$(seccomp_word "$output")" "$expected" "configs/default.yaml does not load to itself"
}

@test "configs/default.yaml runs the command line's command as uid 1000 on the host's read-only /" {
	requires_root
	run -0 sluice run --config "$CONFIGS/default.yaml" -- /bin/sh -c \
		'id -u; id -g; hostname; cat /proc/self/uid_map; touch /etc/sluice-test 2>&1 || :' "$M"
	assert_eq "${lines[0]}" 1000
	assert_eq "${lines[1]}" 1000
	assert_eq "${lines[2]}" sluice
	assert_eq "$(squeeze "${lines[3]}")" "1000 65534 1" "uid 1000 maps onto 65534, root's sandbox id"
	assert_contains "${lines[4]}" "Read-only file system"
	run -78 --separate-stderr sluice run --config "$CONFIGS/default.yaml"
	assert_eq "$stderr" "sluice: $CONFIGS/default.yaml: no command: give one on the command line or in process.args"
	assert_no_leftovers "$M"
}

@test "configs/default.yaml as the test user: uid 1000 inside is the user outside" {
	requires_userns
	run -0 sluice_user run --config "$USER_CONFIGS/default.yaml" -- /bin/sh -c \
		'id -u; id -g; hostname; cat /proc/self/uid_map' "$M"
	assert_eq "${lines[0]}" 1000
	assert_eq "${lines[1]}" 1000
	assert_eq "${lines[2]}" sluice
	assert_eq "$(squeeze "${lines[3]}")" "1000 $(id -u "$SLUICE_TEST_USER") 1"
	assert_no_leftovers "$M"
}

@test "configs/minimal.yaml runs its echo" {
	run -0 --separate-stderr sluice run --config "$CONFIGS/minimal.yaml"
	assert_eq "$output" "hello from sluice"
	assert_eq "$stderr" ""
}

@test "configs/minimal.yaml runs its echo (test user)" {
	requires_userns
	run -0 --separate-stderr sluice_user run --config "$USER_CONFIGS/minimal.yaml"
	assert_eq "$output" "hello from sluice"
	assert_eq "$stderr" ""
}

@test "configs/busybox-rootfs.yaml: root.path resolves against the config's directory" {
	local cfg
	cfg=$(bundle "$CONFIGS/busybox-rootfs.yaml")
	cd "$DIR" # a directory without a rootfs
	run -0 --separate-stderr sluice run --config "$cfg"
	assert_eq "$output" "hello from busybox"
	run -0 sluice run --config "$cfg" --print-config
	assert_contains "$output" $'\nroot:\n  path: '"${cfg%/*}/rootfs"$'\n'
}

@test "configs/busybox-rootfs.yaml (test user)" {
	requires_userns
	local cfg
	cfg=$(bundle "$CONFIGS/busybox-rootfs.yaml")
	cd "$DIR"
	run -0 --separate-stderr sluice_user run --config "$cfg"
	assert_eq "$output" "hello from busybox"
}

@test "configs/readonly-bind.yaml: data is bound read-only at /mnt" {
	local cfg
	cfg=$(bundle "$CONFIGS/readonly-bind.yaml" data)
	touch "${cfg%/*}/data/file-$M"
	cd "$DIR"
	run -0 --separate-stderr sluice run --config "$cfg"
	assert_eq "$output" "file-$M"$'\n'"read-only"
	assert_eq "$(ls "${cfg%/*}/data")" "file-$M" "nothing was written to data"
	# Refused by the mount, not by permissions (data is the test user's).
	run -1 sluice run --config "$cfg" -- touch /mnt/new
	assert_eq "$output" "touch: /mnt/new: Read-only file system"
	assert_no_leftovers
}

@test "configs/readonly-bind.yaml (test user): the user's own data is read-only at /mnt" {
	requires_userns
	local cfg
	cfg=$(bundle "$CONFIGS/readonly-bind.yaml" data)
	touch "${cfg%/*}/data/file-$M"
	# A user's rootfs is the user's: sluice may create /mnt there.  (Only the
	# top directory: the files are hard links into make_rootfs's cache.)
	chown "$SLUICE_TEST_USER" "${cfg%/*}/rootfs"
	cd "$DIR"
	run -0 --separate-stderr sluice_user run --config "$cfg"
	assert_eq "$output" "file-$M"$'\n'"read-only"
	run -1 sluice_user run --config "$cfg" -- touch /mnt/new
	assert_eq "$output" "touch: /mnt/new: Read-only file system"
	assert_eq "$(ls "${cfg%/*}/data")" "file-$M"
}

@test "configs/pipe-stdio.yaml: stdin is /dev/null, stdout and stderr are relayed apart" {
	local cfg
	cfg=$(bundle "$CONFIGS/pipe-stdio.yaml")
	cd "$DIR"
	run -0 --separate-stderr sluice run --config "$cfg" <<<ignored
	assert_eq "$output" "stdin is empty" "stdin must be /dev/null although sluice's is not"
	assert_eq "$stderr" "to stderr"
	# Relayed: the workload's 1 and 2 are two pipes of its own.
	run -0 --separate-stderr sluice run --config "$cfg" -- /bin/sh -c \
		'stat -L -c "%t:%T" /proc/self/fd/0; readlink /proc/self/fd/1; readlink /proc/self/fd/2 >&2'
	assert_eq "${lines[0]}" "1:3" "stdin is /dev/null (char 1:3)"
	[[ ${lines[1]} == "pipe:["* && $stderr == "pipe:["* && ${lines[1]} != "$stderr" ]] ||
		fail_with "stdout and stderr are not two pipes: ${lines[1]} $stderr"
	run -0 sluice run --config "$cfg" --print-config
	assert_contains "$output" $'\n  timeout: 10\n'
}

@test "configs/pipe-stdio.yaml (test user)" {
	requires_userns
	local cfg
	cfg=$(bundle "$CONFIGS/pipe-stdio.yaml")
	cd "$DIR"
	run -0 --separate-stderr sluice_user run --config "$cfg" </dev/zero
	assert_eq "$output" "stdin is empty"
	assert_eq "$stderr" "to stderr"
}

@test "configs/rootless.yaml: uid 0 inside is 65534 outside (root)" {
	requires_root
	local cfg
	cfg=$(bundle "$CONFIGS/rootless.yaml")
	cd "$DIR"
	run -0 --separate-stderr sluice run --config "$cfg"
	assert_eq "$output" "uid=0 gid=0"
	run -0 sluice run --config "$cfg" -- cat /proc/self/uid_map /proc/self/gid_map
	assert_eq "$(squeeze "$output")" "0 65534 1 0 65534 1"
}

@test "configs/rootless.yaml: uid 0 inside is the caller outside (test user)" {
	requires_userns
	local cfg
	cfg=$(bundle "$CONFIGS/rootless.yaml")
	cd "$DIR"
	run -0 --separate-stderr sluice_user run --config "$cfg"
	assert_eq "$output" "uid=0 gid=0"
	run -0 sluice_user run --config "$cfg" -- cat /proc/self/uid_map /proc/self/gid_map
	assert_eq "$(squeeze "$output")" "0 $(id -u "$SLUICE_TEST_USER") 1 0 $(id -g "$SLUICE_TEST_USER") 1"
}

# ---- an OCI config.json from runc spec ----

@test "runc spec's config.json, made runnable, runs: its capabilities, rlimit, hostname, mounts" {
	requires_root
	local cfg re
	cfg=$(bundle "$FIXTURES/config.json")
	cd "$DIR"
	run -0 --separate-stderr sluice run --config "$cfg"
	# CAP_AUDIT_WRITE (29), CAP_KILL (5), CAP_NET_BIND_SERVICE (10)
	assert_eq "$output" "$(printf '%s\n' 'CapInh: 0000000000000000' 'CapPrm: 0000000020000420' \
		'CapEff: 0000000020000420' 'CapBnd: 0000000020000420' 'CapAmb: 0000000000000000' \
		'NoNewPrivs: 1' 'Seccomp: 2')"
	# (runc spec writes no linux.seccomp: sluice's default filter applies)
	assert_eq "$stderr" ""
	run -0 sluice run --config "$cfg" -- /bin/sh -c 'id -u; hostname; ulimit -n; probe mounts' "$M"
	assert_eq "${lines[0]}" 0
	assert_eq "${lines[1]}" runc
	assert_eq "${lines[2]}" 1024
	re=$'\n/ [a-z0-9]+ ro[, ]' # the rootfs, read-only
	[[ $output =~ $re ]] || fail_with "the root is not read-only: $output"
	assert_contains "$output" $'\n/dev/mqueue mqueue rw,nosuid,nodev,noexec'
	assert_contains "$output" $'\n/sys sysfs ro,nosuid,nodev,noexec'
	assert_contains "$output" $'\n/dev/pts devpts rw,nosuid,noexec'
	assert_contains "$output" 'gid=5,mode=620,ptmxmode=666'
	assert_no_leftovers "$M"
}

@test "runc spec --rootless's config.json, made runnable, runs as the test user (and root)" {
	requires_userns
	local cfg uid gid
	cfg=$(bundle "$FIXTURES/config-rootless.json")
	uid=$(id -u "$SLUICE_TEST_USER") gid=$(id -g "$SLUICE_TEST_USER")
	# runc writes the ids of whoever ran `runc spec --rootless`.
	sed -i -e "0,/\"hostID\": 1000/s//\"hostID\": $uid/" \
		-e "0,/\"hostID\": 1000/s//\"hostID\": $gid/" "$cfg"
	cd "$DIR"
	run -0 --separate-stderr sluice_user run --config "$cfg"
	assert_contains "$output" $'uid: 0\neuid: 0\nsuid: 0\nfsuid: 0\ngid: 0\n'
	run -0 sluice_user run --config "$cfg" -- cat /proc/self/uid_map /proc/self/gid_map
	assert_eq "$(squeeze "$output")" "0 $uid 1 0 $gid 1"
	requires_root
	sed -i 's/"hostID": [0-9]*/"hostID": 0/' "$cfg"
	run -0 sluice run --config "$cfg" -- cat /proc/self/uid_map
	assert_eq "$(squeeze "$output")" "0 0 1"
}

@test "runc spec's config.json with terminal: true runs on a terminal made in the sandbox" {
	local cfg
	cfg=$(bundle "$FIXTURES/config.json")
	cd "${cfg%/*}"
	sed -i 's/"terminal": false/"terminal": true/' config.json
	run -0 --separate-stderr sluice run --config config.json -- /bin/probe tty
	assert_eq "$(tr -d '\r' <<<"$output")" $'stdin: /dev/pts/0\nstdout: /dev/pts/0\nstderr: /dev/pts/0\nctty: stdin\nsession-leader: yes\nforeground: yes\nsize: 0x0'
	assert_eq "$stderr" "sluice: warning: stdin is not a terminal: its input is relayed to the sandbox's terminal as it comes"
	assert_no_leftovers "$M"
}

@test "runc spec's config.json with terminal false runs (root): its device rules in a devices cgroup" {
	requires_root # (the test user gets "needs a user namespace" first)
	local cfg
	cfg=$(bundle "$FIXTURES/runc-spec.json")
	cd "${cfg%/*}"
	sed -i 's/"terminal": true/"terminal": false/' runc-spec.json
	grep -n '^		"resources": {$' runc-spec.json | grep -q '^125:' ||
		fail_with "the fixture changed: linux.resources is no longer on line 125"
	# no cgroup namespace in runc's spec: /proc/self/cgroup shows where it is
	run -0 --separate-stderr sluice run --config runc-spec.json -- \
		sh -c 'grep :devices: /proc/self/cgroup; echo x >/dev/null && echo null-ok' "$M"
	assert_eq "$stderr" ""
	[[ ${lines[0]} =~ :devices:.*/sluice-[0-9]+-[0-9]+-[0-9]+$ ]] ||
		fail_with "not in a devices cgroup of its own: ${lines[0]}"
	assert_eq "${lines[1]}" null-ok "/dev/null stays usable under \"deny all\""
	assert_no_leftovers "$M"
}

# The edit that makes runc 1.1's spec print plain text here: terminal false
# (a terminal's \r\n otherwise).  Its linux.resources (a device rule) is
# honoured with a devices cgroup (as root; the rootless spec has none).
runc11_runnable() {
	sed -i -e 's/"terminal": true/"terminal": false/' "$1"
}

RUNC11_WARNING="sluice: warning: runc-1.1-spec.json: process.capabilities.ambient: not raised: CAP_KILL, CAP_NET_BIND_SERVICE, CAP_AUDIT_WRITE (the kernel raises only capabilities that are also permitted and inheritable)"

@test "runc 1.1's spec runs: ambient capabilities the kernel cannot raise are left out with a warning, as runc does" {
	requires_root # (the test user gets "needs a user namespace" first)
	local cfg
	cfg=$(bundle "$FIXTURES/runc-1.1-spec.json")
	cd "${cfg%/*}"
	runc11_runnable runc-1.1-spec.json
	run -0 --separate-stderr sluice run --config runc-1.1-spec.json -- /bin/probe caps -- "$M"
	# CAP_AUDIT_WRITE (29), CAP_KILL (5), CAP_NET_BIND_SERVICE (10): what
	# runc 1.1 gives the same file (no ambient capability raised).
	assert_eq "$output" "$(printf '%s\n' 'CapInh: 0000000000000000' 'CapPrm: 0000000020000420' \
		'CapEff: 0000000020000420' 'CapBnd: 0000000020000420' 'CapAmb: 0000000000000000' \
		'NoNewPrivs: 1' 'Seccomp: 2')"
	# (runc spec writes no linux.seccomp: under sluice run the default
	# filter applies, docs/seccomp.md; runc would load none)
	assert_eq "$stderr" "$RUNC11_WARNING"
	run -0 --separate-stderr sluice run --config runc-1.1-spec.json -- /bin/sh -c 'hostname; ulimit -n'
	assert_eq "$output" "$(printf '%s\n' runc 1024)"
	assert_no_leftovers "$M"
}

@test "runc 1.1's spec --rootless runs as the test user: the same capabilities, the same warning" {
	requires_userns
	local cfg uid gid
	cfg=$(bundle "$FIXTURES/runc-1.1-spec-rootless.json")
	cd "${cfg%/*}"
	mv runc-1.1-spec-rootless.json runc-1.1-spec.json
	uid=$(id -u "$SLUICE_TEST_USER") gid=$(id -g "$SLUICE_TEST_USER")
	# runc writes the ids of whoever ran `runc spec --rootless` (1000 here).
	sed -i -e "0,/\"hostID\": 1000/s//\"hostID\": $uid/" \
		-e "0,/\"hostID\": 1000/s//\"hostID\": $gid/" runc-1.1-spec.json
	runc11_runnable runc-1.1-spec.json
	run -0 --separate-stderr sluice_user run --config runc-1.1-spec.json -- /bin/probe caps -- "$M"
	assert_contains "$output" $'CapPrm: 0000000020000420\nCapEff: 0000000020000420\nCapBnd: 0000000020000420\nCapAmb: 0000000000000000'
	assert_eq "$stderr" "$RUNC11_WARNING"
	run -0 --separate-stderr sluice_user run --config runc-1.1-spec.json -- /bin/sh -c 'id -u; cat /proc/self/uid_map'
	assert_eq "$(squeeze "$output")" "0 0 $uid 1"
	assert_no_leftovers "$M"
}

@test "runc spec's config.json (no user namespace) as the test user: 78 asking for one" {
	requires_user
	local cfg
	cfg=$(bundle "$FIXTURES/config.json")
	cd "${cfg%/*}"
	run -78 --separate-stderr sluice_user run --config config.json -- /bin/echo "$M"
	assert_eq "$stderr" "sluice: config.json: creating namespaces as an unprivileged user needs a user namespace: add {type: user} to linux.namespaces"
	assert_no_leftovers "$M"
}

# ---- absent keys keep the embedded default ----

@test "a config with only hostname: x has every other default value (--print-config)" {
	local default
	printf 'hostname: x\n' >"$DIR/h.yaml"
	run -0 sluice run --print-config
	default=$output
	assert_contains "$default" $'\nhostname: sluice\n'
	run -0 --separate-stderr sluice run --config "$DIR/h.yaml" --print-config
	assert_eq "$output" "${default/$'\nhostname: sluice\n'/$'\nhostname: x\n'}"
	run -0 sluice run --hostname x --print-config
	assert_eq "$output" "${default/$'\nhostname: sluice\n'/$'\nhostname: x\n'}"
	requires_user
	run -0 sluice_user run --print-config
	default=$output
	run -0 sluice_user run --config "$DIR/h.yaml" --print-config
	assert_eq "$output" "${default/$'\nhostname: sluice\n'/$'\nhostname: x\n'}"
}

# check_default_sandbox USERNS: $output is the run of sandbox_report below.
sandbox_report='hostname
for ns in cgroup ipc mnt net pid user uts; do echo "$ns $(readlink /proc/self/ns/$ns)"; done
awk "{ for (i = 7; \$i != \"-\"; i++); print \$5, \$(i + 1) }" /proc/self/mountinfo
touch /etc/sluice-test 2>&1; id -u'

check_default_sandbox() {
	local userns=$1 ns line
	assert_eq "${lines[0]}" x
	for ns in cgroup ipc mnt net pid user uts; do
		line=$(printf '%s\n' "${lines[@]}" | grep "^$ns ")
		if [[ $ns == user && $userns == no ]]; then
			assert_eq "$line" "$ns $(readlink /proc/self/ns/$ns)" "root gets no user namespace"
		else
			[[ $line == "$ns $ns:["* && $line != "$ns $(readlink /proc/self/ns/$ns)" ]] ||
				fail_with "not a new $ns namespace: $line"
		fi
	done
	for line in "/proc proc" "/dev tmpfs" "/dev/pts devpts" "/dev/shm tmpfs" "/tmp tmpfs" \
		"/run tmpfs"; do
		assert_contains "$output" $'\n'"$line"$'\n' "default mount $line"
	done
	assert_contains "$output" "Read-only file system"
}

@test "a config with only hostname: x runs with the default namespaces and mounts" {
	requires_root
	printf 'hostname: x\n' >"$DIR/h.yaml"
	run -0 sluice run --config "$DIR/h.yaml" -- /bin/sh -c "$sandbox_report" "$M"
	check_default_sandbox yes
	assert_eq "${lines[-1]}" 0
	assert_no_leftovers "$M"
}

@test "a config with only hostname: x (test user): default namespaces, user one included" {
	requires_userns
	printf 'hostname: x\n' >"$DIR/h.yaml"
	run -0 sluice_user run --config "$DIR/h.yaml" -- /bin/sh -c "$sandbox_report" "$M"
	check_default_sandbox yes
	assert_eq "${lines[-1]}" "$(id -u "$SLUICE_TEST_USER")"
	assert_no_leftovers "$M"
}

@test "overlay: mappings merge key by key, lists replace wholesale" {
	requires_root
	cat >"$DIR/o.yaml" <<-'EOF'
		process:
		  user: {uid: 5}
		  env: [A=1]
		mounts: []
		linux:
		  namespaces: [{type: mount}, {type: pid}]
		  maskedPaths: []
		  readonlyPaths: []
	EOF
	run -0 sluice run --config "$DIR/o.yaml" -- /bin/sh -c 'id -u; id -g; umask; env' "$M"
	assert_eq "${lines[0]}" 5
	assert_eq "${lines[1]}" 0 "gid keeps the default"
	assert_eq "${lines[2]}" 0022 "umask keeps the default"
	# sh adds PWD; the default PATH and HOME are gone, and with no HOME the
	# workload gets its user's from /etc/passwd (the host's here), as runc
	# gives it.
	local home
	home=$(awk -F: '$3 == 5 { print $6; exit }' /etc/passwd)
	assert_eq "$(printf '%s\n' "${lines[@]:3}" | grep -v '^PWD=' | sort)" "A=1
HOME=${home:-/}"
	assert_no_leftovers "$M"
}

# ---- --print-config ----

@test "--print-config of a config setting every key prints them all and reloads to the same text" {
	requires_root # (the config has no user namespace)
	local printed missing line
	mkdir "$DIR/data"
	cat >"$DIR/every.yaml" <<-'EOF'
		ociVersion: 1.2.1
		annotations: {org.example: x}
		process:
		  terminal: false
		  args: [/bin/probe, ids, "true", "null", 'a: b', "0755"]
		  env: [A=1, "B=x y"]
		  cwd: /tmp
		  user: {uid: 0, gid: 0, umask: 0o027, additionalGids: [10, 20]}
		  capabilities:
		    bounding: [CAP_KILL, net_raw]
		    effective: [CAP_KILL]
		    inheritable: [CAP_KILL]
		    permitted: [CAP_KILL]
		    ambient: [CAP_KILL]
		  rlimits:
		  - {type: RLIMIT_NOFILE, soft: 512, hard: 1024}
		  - {type: RLIMIT_CORE, soft: 0, hard: 18446744073709551615}
		  noNewPrivileges: false
		  oomScoreAdj: 100
		  apparmorProfile: ""
		  selinuxLabel: ""
		root: {path: rootfs, readonly: false}
		hostname: "1234"
		domainname: example.org
		mounts:
		- {destination: /proc, type: proc, source: proc, options: [nosuid]}
		- {destination: /data, type: bind, source: data, options: [rbind, ro, rslave]}
		linux:
		  namespaces: [{type: mount}, {type: pid}, {type: uts}, {type: network, path: /proc/1/ns/net}]
		  sysctl: {net.ipv4.ip_forward: 1}
		  devices:
		  - {path: /dev/fuse, type: c, major: 10, minor: 229, fileMode: 0666, uid: 0, gid: 0}
		  maskedPaths: [/proc/kcore]
		  readonlyPaths: [/proc/sys]
		  rootfsPropagation: rslave
		hooks: {}
		sluice:
		  timeout: 2.5
		  killGrace: 0.1
		  stdin: "null"
		  stdout: pipe
		  stderr: file:err.txt
		  init: true
		  initSignalGroup: true
		  remapExitCodes: [3]
		  preserveFds: 2
	EOF
	run -0 --separate-stderr sluice run --config "$DIR/every.yaml" --print-config
	printed=$output
	# Every key of the default, and the optional ones this config sets.
	missing=$(comm -23 <({
		key_names <"$CONFIGS/default.yaml"
		printf '%s\n' domainname oomScoreAdj rootfsPropagation path major minor fileMode soft hard
	} | sort -u) <(key_names <<<"$printed"))
	assert_eq "$missing" "" "keys missing from --print-config"
	for line in '  - "true"' '  - "null"' "  - 'a: b'" '  - "0755"' '    umask: 0027' \
		'    - CAP_NET_RAW' '    hard: 18446744073709551615' '  oomScoreAdj: 100' \
		"  path: $DIR/rootfs" 'hostname: "1234"' "  source: $DIR/data" \
		'    net.ipv4.ip_forward: "1"' '    fileMode: 0666' '    path: /proc/1/ns/net' \
		'  timeout: 2.5' '  killGrace: 0.1' '  stdin: "null"' '  stderr: file:err.txt'; do
		assert_contains "$printed" $'\n'"$line"$'\n'
	done
	[[ $printed != *ociVersion* && $printed != *hooks* ]] ||
		fail_with "ociVersion and empty hooks are not kept"
	assert_contains "$printed" $'\nannotations:\n  org.example: x\n'
	printf '%s\n' "$printed" >"$DIR/printed.yaml"
	cd / # the printed paths are absolute: the reload does not depend on the cwd
	run -0 --separate-stderr sluice run --config "$DIR/printed.yaml" --print-config
	assert_eq "$output" "$printed"
}

# ---- bad input: 78, one exact message, nothing left ----

@test "malformed YAML: a syntax error with its line and column" {
	refused bad.yaml $'process:\n  args: [a, b\nhostname: x\n' \
		"bad.yaml:3:9: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence)"
	refused tab.yaml $'process:\n\targs: [a]\n' \
		"tab.yaml:2:1: YAML syntax error: found character that cannot start any token (while scanning for the next token)"
	assert_no_leftovers "$M"
}

@test "malformed JSON: a missing comma, an unclosed brace, a second document" {
	refused bad.json $'{\n\t"hostname": "x"\n\t"process": {}\n}\n' \
		"bad.json:3:2: YAML syntax error: did not find expected ',' or '}' (while parsing a flow mapping)"
	refused open.json $'{\n\t"hostname": "x",\n\t"process": {\n\t\t"args": ["a"]\n' \
		"open.json:5:1: YAML syntax error: did not find expected ',' or '}' (while parsing a flow mapping)"
	refused extra.json $'{\n\t"hostname": "x"\n}\n}\n' \
		"extra.json:4:1: YAML syntax error: did not find expected <document start>"
	assert_no_leftovers "$M"
}

@test "an unknown key: named with its place, and a \"did you mean\" hint when close" {
	refused k.yaml $'process:\n  cwdd: /\n' \
		'k.yaml:2:3: unknown key "cwdd" in process (did you mean "cwd"?)'
	refused k.yaml $'hostnam: x\n' \
		'k.yaml:1:1: unknown key "hostnam" at the top level (did you mean "hostname"?)'
	refused k.json $'{\n\t"linux": {\n\t\t"namespace": []\n\t}\n}\n' \
		'k.json:3:3: unknown key "namespace" in linux (did you mean "namespaces"?)'
	refused k.yaml $'frobnicate: 1\n' 'k.yaml:1:1: unknown key "frobnicate" at the top level'
	assert_no_leftovers "$M"
}

@test "a wrong type: a string for a list, a quoted number for uid, yes for a boolean" {
	refused t.yaml $'process:\n  args: /bin/true\n' \
		't.yaml:2:9: process.args: expected a list of strings, got "/bin/true"'
	refused t.json $'{\n\t"process": {\n\t\t"args": "sh"\n\t}\n}\n' \
		't.json:3:11: process.args: expected a list of strings, got the quoted string "sh"'
	refused t.yaml $'process:\n  user:\n    uid: "5"\n' \
		't.yaml:3:10: process.user.uid: expected an integer, got the quoted string "5"'
	refused t.json $'{\n\t"process": {\n\t\t"user": {"uid": "5", "gid": 0}\n\t}\n}\n' \
		't.json:3:19: process.user.uid: expected an integer, got the quoted string "5"'
	refused t.yaml $'root:\n  readonly: yes\n' \
		't.yaml:2:13: root.readonly: expected a boolean (true or false), got "yes"'
	assert_no_leftovers "$M"
}

@test "an unknown capability, namespace or rlimit name" {
	refused c.yaml $'process:\n  capabilities:\n    bounding: [CAP_FOO]\n' \
		'c.yaml:3:16: process.capabilities.bounding[0]: unknown capability "CAP_FOO"'
	refused c.yaml $'process:\n  capabilities:\n    bounding: [sys_admin, CAP_NET_RAWW]\n' \
		'c.yaml:3:27: process.capabilities.bounding[1]: unknown capability "CAP_NET_RAWW" (did you mean "CAP_NET_RAW"?)'
	refused n.yaml $'linux:\n  namespaces:\n  - type: nett\n' \
		'n.yaml:3:11: linux.namespaces[0].type: unknown namespace "nett" (did you mean "network"?)'
	refused n.yaml $'linux:\n  namespaces:\n  - type: mnt\n' \
		'n.yaml:3:11: linux.namespaces[0].type: unknown namespace "mnt" (did you mean "mount"?)'
	refused r.yaml $'process:\n  rlimits:\n  - {type: RLIMIT_FOO, soft: 1, hard: 1}\n' \
		'r.yaml:3:12: process.rlimits[0].type: unknown rlimit "RLIMIT_FOO"'
	refused r.yaml $'process:\n  rlimits:\n  - {type: RLIMIT_NOFIL, soft: 1, hard: 1}\n' \
		'r.yaml:3:12: process.rlimits[0].type: unknown rlimit "RLIMIT_NOFIL" (did you mean "RLIMIT_NOFILE"?)'
	assert_no_leftovers "$M"
}

@test "known OCI fields sluice cannot honour are refused, not ignored" {
	refused s.yaml $'linux:\n  intelRdt: {}\n' 's.yaml:2:13: linux.intelRdt is not supported yet'
	refused s.yaml $'hooks:\n  prestart: [{path: /bin/true}]\n' \
		's.yaml: hooks are run by the OCI runtime commands only (sluice create, docs/oci.md)'
	refused s.yaml $'process:\n  apparmorProfile: x\n' \
		's.yaml:2:20: process.apparmorProfile is not supported yet'
	refused s.yaml $'linux:\n  mountLabel: x\n' 's.yaml:2:15: linux.mountLabel is not supported yet'
	refused s.yaml $'windows: {}\n' 's.yaml:1:10: windows: sluice runs Linux containers only'
	# What runc spec writes for "none" is accepted.
	printf '%s\n' 'hooks: {}' 'process:' '  apparmorProfile: ""' '  selinuxLabel: ""' >"$DIR/ok.yaml"
	run -0 sluice run --config "$DIR/ok.yaml" -- /bin/echo ran
	assert_eq "$output" ran
	assert_no_leftovers "$M"
}

@test "a duplicate key, an anchor or alias, a tag, a second document" {
	refused d.yaml $'hostname: a\nhostname: b\n' \
		'd.yaml:2:1: duplicate key "hostname" (first at line 1, column 1)'
	refused d.json $'{\n\t"process": {"cwd": "/", "cwd": "/tmp"}\n}\n' \
		'd.json:2:26: duplicate key "cwd" (first at line 2, column 14)'
	refused a.yaml $'process:\n  env: &e [A=1]\nhostname: *e\n' \
		'a.yaml:2:8: anchors and aliases are not supported'
	refused a.yaml $'hostname: !!str a\n' 'a.yaml:1:11: tags are not supported (but !!binary on a string)'
	refused a.yaml $'hostname: a\n---\nhostname: b\n' 'a.yaml:2:1: multiple documents are not supported'
	assert_no_leftovers "$M"
}

@test "mounts: one without a type or bind option, a relative destination" {
	refused m.yaml $'mounts:\n- destination: /x\n  source: foo\n' \
		'm.yaml:2:3: mounts[0]: a mount needs a type (or the "bind" option)'
	refused m.yaml $'mounts:\n- {destination: /proc, type: proc}\n- destination: x\n  type: tmpfs\n' \
		'm.yaml:3:16: mounts[1].destination: "x" is not an absolute path'
	assert_no_leftovers "$M"
}

@test "a missing config file, a directory: 78 naming the path and the reason" {
	run -78 --separate-stderr sluice run --config "$DIR/nope.yaml" -- /bin/echo "$M"
	assert_eq "$output" ""
	assert_eq "$stderr" "sluice: $DIR/nope.yaml: cannot read: No such file or directory"
	run -78 --separate-stderr sluice run --config "$DIR" -- /bin/echo "$M"
	assert_eq "$stderr" "sluice: $DIR: cannot read: Is a directory"
	assert_no_leftovers "$M"
}

@test "an empty file, or one of comments only, changes nothing (docs: an empty document)" {
	local default
	: >"$DIR/empty.yaml"
	printf '# nothing\n\n' >"$DIR/comments.yaml"
	run -0 sluice run --print-config
	default=$output
	run -0 --separate-stderr sluice run --config "$DIR/empty.yaml" --print-config
	assert_eq "$output" "$default"
	run -0 sluice run --config "$DIR/comments.yaml" --print-config
	assert_eq "$output" "$default"
	# So without a command on the command line there is nothing to run.
	run -78 --separate-stderr sluice run --config "$DIR/empty.yaml"
	assert_eq "$stderr" "sluice: $DIR/empty.yaml: no command: give one on the command line or in process.args"
}

@test "values out of range: env without =, oomScoreAdj, umask, rlimit soft above hard" {
	refused v.yaml $'process:\n  env: [PATH=/bin, FOO]\n' 'v.yaml:2:20: process.env[1]: "FOO" is not KEY=VALUE'
	refused v.yaml $'process:\n  env: ["=x"]\n' 'v.yaml:2:9: process.env[0]: "=x" is not KEY=VALUE'
	refused v.yaml $'process:\n  oomScoreAdj: 1001\n' \
		'v.yaml:2:16: process.oomScoreAdj: 1001 is out of range (-1000..1000)'
	refused v.yaml $'process:\n  oomScoreAdj: -1001\n' \
		'v.yaml:2:16: process.oomScoreAdj: -1001 is out of range (-1000..1000)'
	refused v.yaml $'process:\n  user:\n    umask: 01000\n' \
		'v.yaml:3:12: process.user.umask: 01000 is out of range (0..0777)'
	refused v.yaml $'process:\n  user:\n    umask: 512\n' \
		'v.yaml:3:12: process.user.umask: 512 is out of range (0..511)'
	refused v.yaml $'process:\n  rlimits:\n  - {type: RLIMIT_NOFILE, soft: 2048, hard: 1024}\n' \
		'v.yaml:3:5: process.rlimits[0]: soft limit 2048 is above hard limit 1024'
	assert_no_leftovers "$M"
}

@test "uid and gid 4294967295 ((uid_t)-1, \"unchanged\" to the kernel) are refused" {
	# Accepted, setresuid(-1, -1, -1) would leave the workload root.
	refused u.yaml $'process:\n  user:\n    uid: 4294967295\n' \
		'u.yaml:3:10: process.user.uid: 4294967295 is out of range (0..4294967294)'
	refused u.yaml $'process:\n  user:\n    gid: 4294967295\n' \
		'u.yaml:3:10: process.user.gid: 4294967295 is out of range (0..4294967294)'
	refused u.yaml $'process:\n  user:\n    additionalGids: [4294967295]\n' \
		'u.yaml:3:22: process.user.additionalGids[0]: 4294967295 is out of range (0..4294967294)'
	refused u.yaml $'linux:\n  devices:\n  - {path: /dev/x, type: p, uid: 4294967295}\n' \
		'u.yaml:3:34: linux.devices[0].uid: 4294967295 is out of range (0..4294967294)'
	printf 'process:\n  user: {uid: 4294967294}\n' >"$DIR/max.yaml"
	run -0 sluice run --config "$DIR/max.yaml" --print-config
	assert_contains "$output" $'\n    uid: 4294967294\n' "the highest uid is accepted"
	assert_no_leftovers "$M"
}

@test "bad input as the test user: the same messages, 78, nothing left" {
	requires_user
	refused_user k.yaml $'process:\n  cwdd: /\n' \
		'k.yaml:2:3: unknown key "cwdd" in process (did you mean "cwd"?)'
	refused_user c.json $'{\n\t"process": {"capabilities": {"bounding": ["CAP_FOO"]}}\n}\n' \
		'c.json:2:44: process.capabilities.bounding[0]: unknown capability "CAP_FOO"'
	refused_user s.yaml $'linux:\n  seccomp: {defaultAction: SCMP_ACT_ALOW}\n' \
		's.yaml:2:28: linux.seccomp.defaultAction: unknown seccomp action "SCMP_ACT_ALOW" (did you mean "SCMP_ACT_ALLOW"?)'
	assert_no_leftovers "$M"
}

# ---- refusals at setup time, from the config ----

@test "a relative bind source missing from the config's directory: 78 naming the resolved path" {
	requires_root
	local cfg
	cfg=$(bundle "$CONFIGS/busybox-rootfs.yaml")
	printf '%s\n' 'mounts:' '- {destination: /mnt, type: bind, source: missing, options: [rbind]}' >>"$cfg"
	cd "$DIR"
	run -78 --separate-stderr sluice run --config "$cfg" -- /bin/echo "$M"
	assert_eq "$output" ""
	[[ $stderr =~ ^"sluice: $cfg: mounts["[0-9]+"] (/mnt): bind source ${cfg%/*}/missing: No such file or directory"$ ]] ||
		fail "unexpected message: $stderr"
	assert_no_leftovers "$M"
}

@test "a mount of an unknown filesystem type loads, then fails at setup: 125" {
	printf '%s\n' 'mounts:' '- {destination: /tmp, type: nosuchfs, source: none}' >"$DIR/fs.yaml"
	run -0 sluice run --config "$DIR/fs.yaml" --print-config
	assert_contains "$output" $'\n  type: nosuchfs\n'
	run -125 --separate-stderr sluice run --config "$DIR/fs.yaml" -- /bin/echo "$M"
	assert_eq "$stderr" "sluice: mounts: mount nosuchfs on /tmp: No such device"
	assert_no_leftovers "$M"
}

@test "a uid, gid or supplementary gid outside the mappings is a config error (78), before setup" {
	cat >"$DIR/g.yaml" <<-'EOF'
		process:
		  user: {uid: 5, gid: 7}
		linux:
		  namespaces: [{type: user}, {type: mount}, {type: pid}]
		  uidMappings: [{containerID: 0, hostID: 0, size: 1}]
		  gidMappings: [{containerID: 0, hostID: 0, size: 1}]
	EOF
	run -78 --separate-stderr sluice run --config "$DIR/g.yaml" -- /bin/echo "$M"
	assert_eq "$stderr" "sluice: $DIR/g.yaml: process.user.uid 5 is not mapped by linux.uidMappings"
	sed -i 's/uid: 5,/uid: 0,/' "$DIR/g.yaml"
	run -78 --separate-stderr sluice run --config "$DIR/g.yaml" -- /bin/echo "$M"
	assert_eq "$stderr" "sluice: $DIR/g.yaml: process.user.gid 7 is not mapped by linux.gidMappings"
	sed -i 's/gid: 7}/gid: 0, additionalGids: [9]}/' "$DIR/g.yaml"
	run -78 --separate-stderr sluice run --config "$DIR/g.yaml" -- /bin/echo "$M"
	assert_eq "$stderr" "sluice: $DIR/g.yaml: process.user.additionalGids: gid 9 is not mapped by linux.gidMappings"
	assert_no_leftovers "$M"
}

# fail_with MESSAGE: fails the test with MESSAGE.
fail_with() {
	printf '%s\n' "$1" >&2
	return 1
}
