#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # single-quoted scripts run in the sandbox; bats sets $stderr
# The sandbox's filesystem (docs/config.md "root", "mounts", "Mount
# options", "linux"): the host view (the host's / read-only, with a fresh
# /tmp, /proc and /dev), a rootfs with --rootfs (pivot_root), bind mounts
# and their options, tmpfs, masked and read-only paths, the working
# directory, symlinks in a rootfs that point out of it, and the errors of
# each, after which nothing may be left behind (docs/exit-codes.md).
#
# The host-view tests run the host's own tools (sh, ls, cat) and the probe
# where it is, which the host view shows unless it lies under /tmp, /dev or
# /proc (they are then skipped); the rest run in a busybox rootfs built
# once per file (/bin/sh, /bin/probe).

load helpers

setup_file() {
	ROOTFS=$(scratch_dir)/rootfs
	make_rootfs "$ROOTFS"
	export ROOTFS
}

setup() {
	leftovers_snapshot
	M=$(unique_marker)
	DIR=$(scratch_dir)
}

# The probe must be visible in the host view: not under a directory the
# sandbox replaces.  HP is the path root runs, HPU the test user's.
requires_host_probe() {
	local p
	for p in "$PROBE" "$PROBE_USER_BIN"; do
		case $p in
		/tmp/* | /dev/* | /proc/*) skip "the probe ($p) is under /tmp, /dev or /proc, which the host view replaces" ;;
		esac
	done
	HP=$PROBE HPU=$PROBE_USER_BIN
}

# mount_line MOUNTPOINT: the line of `probe mounts` ($output) for it.
mount_line() {
	local line
	while IFS= read -r line; do
		if [[ $line == "$1 "* ]]; then
			printf '%s\n' "$line"
		fi
	done <<<"$output"
}

# assert_only_sandbox_mounts: every mount point in `probe mounts` ($output)
# is /, or under /proc, /dev, /tmp or /run: none of the host's tree is left.
assert_only_sandbox_mounts() {
	local line bad=
	while IFS= read -r line; do
		[[ $line =~ ^/(proc(/[^ ]*)?|dev(/[^ ]*)?|tmp|run)?\  ]] || bad+="$line"$'\n'
	done <<<"$output"
	if [[ -n $bad ]]; then
		printf 'mounts that are not the sandbox'"'"'s own:\n%s' "$bad" >&2
		return 1
	fi
}

# in_private_mountns DIR CMD...: runs the program CMD (with a timeout) in a
# new mount namespace of the caller's where a tmpfs is mounted on DIR, so
# that DIR is a submount without the host seeing any mount.
in_private_mountns() {
	local dir=$1
	shift
	(
		_close_extra_fds
		# shellcheck disable=SC2016 # expanded by the inner sh
		run_with_timeout "$SLUICE_TIMEOUT" unshare --mount --propagation private \
			sh -c 'mount -t tmpfs -o size=1m,mode=0777 sub "$0" && exec "$@"' "$dir" "$@"
	)
}

# ---- the host view (root.path: /) ----

@test "host view: the host's / is read-only" {
	requires_root
	requires_host_probe
	run --separate-stderr sluice run -- "$HP" write "/etc/$M"
	assert_status 1
	assert_eq "$output" "EROFS"
	[[ ! -e /etc/$M ]]
	run --separate-stderr sluice run -- "$HP" write "/$M"
	assert_eq "$output" "EROFS"
	[[ ! -e /$M ]]
}

@test "host view (test user): the host's / is read-only, even where the user may write" {
	requires_userns
	requires_host_probe
	local home
	home=$(getent passwd "$SLUICE_TEST_USER" | cut -d: -f6)
	[[ -d $home && $home != /tmp/* ]] || skip "the test user has no home directory outside /tmp"
	run -0 as_user test -w "$home"
	run --separate-stderr sluice_user run -- "$HPU" write "$home/$M"
	rm -f "$home/$M"
	assert_status 1
	assert_eq "$output" "EROFS"
}

@test "host view: /tmp is a fresh, empty, writable tmpfs the host does not see" {
	requires_root
	requires_host_probe
	# shellcheck disable=SC2016 # expanded by the inner sh
	run -0 --separate-stderr sluice run -- sh -c 'ls -A /tmp; echo ==; "$0" write "/tmp/$1"; "$0" mounts' "$HP" "$M"
	assert_eq "${output%%==*}" "" "/tmp is not empty"
	assert_contains "$output" "==
ok
"
	[[ $(mount_line /tmp) == "/tmp tmpfs rw,nosuid,nodev"* ]] || {
		echo "/tmp: $(mount_line /tmp)" >&2
		return 1
	}
	[[ ! -e /tmp/$M ]]
	assert_no_leftovers
}

@test "host view (test user): /tmp is a fresh, writable tmpfs" {
	requires_userns
	requires_host_probe
	# shellcheck disable=SC2016 # expanded by the inner sh
	run -0 --separate-stderr sluice_user run -- sh -c 'ls -A /tmp; echo ==; "$0" write "/tmp/$1"' "$HPU" "$M"
	assert_eq "$output" "==
ok"
	[[ ! -e /tmp/$M ]]
}

@test "host view: /proc is the sandbox's own, where the init is pid 1 and the workload pid 2" {
	requires_root
	run -0 --separate-stderr sluice run -- ls /proc
	assert_eq "$(grep -E '^[0-9]+$' <<<"$output")" "$(printf '%s\n' 1 2)" "the pids in /proc"
	run -0 --separate-stderr sluice run -- cat -v /proc/self/cmdline
	assert_eq "$output" "cat^@-v^@/proc/self/cmdline^@"
	run -0 --separate-stderr sluice run --no-init -- ls /proc
	assert_eq "$(grep -E '^[0-9]+$' <<<"$output")" "1" "the pids in /proc (--no-init)"
	run -0 --separate-stderr sluice run --no-init -- cat -v /proc/1/cmdline
	assert_eq "$output" "cat^@-v^@/proc/1/cmdline^@"
}

@test "host view (test user): /proc is the sandbox's own" {
	requires_userns
	run -0 --separate-stderr sluice_user run -- ls /proc
	assert_eq "$(grep -E '^[0-9]+$' <<<"$output")" "$(printf '%s\n' 1 2)" "the pids in /proc"
	run -0 --separate-stderr sluice_user run --no-init -- ls /proc
	assert_eq "$(grep -E '^[0-9]+$' <<<"$output")" "1" "the pids in /proc (--no-init)"
}

DEV_ENTRIES="fd full null ptmx pts random shm stderr stdin stdout tty urandom zero"
DEV_NODES="/dev/full character special file 1:7
/dev/null character special file 1:3
/dev/random character special file 1:8
/dev/tty character special file 5:0
/dev/urandom character special file 1:9
/dev/zero character special file 1:5"
# Writes to null, reads zero and urandom, and is refused by full.
DEV_USE='echo x >/dev/null && head -c 4 /dev/zero | od -An -tx1 | tr -d " " &&
	head -c 16 /dev/urandom | wc -c && { echo x 2>/dev/null >/dev/full || echo full refused; }'

@test "/dev holds exactly the default nodes and links, and they work" {
	requires_root
	run -0 --separate-stderr sluice run -- ls -A /dev
	assert_eq "${output//$'\n'/ }" "$DEV_ENTRIES"
	run -0 --separate-stderr sluice run -- stat -c '%n %F %t:%T' /dev/full /dev/null /dev/random /dev/tty /dev/urandom /dev/zero
	assert_eq "$output" "$DEV_NODES"
	run -0 --separate-stderr sluice run -- sh -c 'readlink /dev/fd /dev/stdin /dev/stdout /dev/stderr /dev/ptmx'
	assert_eq "${output//$'\n'/ }" "/proc/self/fd /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2 pts/ptmx"
	run -0 --separate-stderr sluice run -- sh -c "$DEV_USE"
	assert_eq "$output" "00000000
16
full refused"
}

@test "/dev (test user): the same entries, bound from the host, and they work" {
	requires_userns
	run -0 --separate-stderr sluice_user run -- ls -A /dev
	assert_eq "${output//$'\n'/ }" "$DEV_ENTRIES"
	run -0 --separate-stderr sluice_user run -- stat -c '%n %F %t:%T' /dev/full /dev/null /dev/random /dev/tty /dev/urandom /dev/zero
	assert_eq "$output" "$DEV_NODES"
	run -0 --separate-stderr sluice_user run -- sh -c "$DEV_USE"
	assert_eq "$output" "00000000
16
full refused"
	# mknod is refused in a user namespace: the nodes are the host's, bound
	run -0 --separate-stderr sluice_user run -- awk '$5 ~ /^\/dev\/[a-z]+$/ { print $5 }' /proc/self/mountinfo
	assert_eq "$(sort <<<"$output" | grep -Ev '^/dev/(pts|shm)$' | tr '\n' ' ')" \
		"/dev/full /dev/null /dev/random /dev/tty /dev/urandom /dev/zero "
}

@test "host view: --bind of a directory under /tmp is read-write, writes reach the host" {
	requires_root
	# The source is under /tmp, which the sandbox covers with its own
	# tmpfs before the bind is made.  Root's sandbox writes as 65534
	# outside (docs/security.md "Root"): a directory of root's is not its
	# to write, unless it runs as the real root.
	local dir
	dir=$(scratch_dir)
	run -2 --separate-stderr sluice run --bind "$dir:/tmp/data" -- sh -c 'echo "hello $0" >/tmp/data/f' "$M"
	assert_contains "$stderr" "Permission denied"
	run -0 --separate-stderr sluice run --real-root --bind "$dir:/tmp/data" -- sh -c 'echo "hello $0" >/tmp/data/f' "$M"
	assert_eq "$(cat "$dir/f")" "hello $M"
	assert_eq "$(stat -c %u "$dir/f")" 0
	run -0 --separate-stderr sluice run --bind "$dir" -- sh -c 'cat "$0/f"' "$dir"
	assert_eq "$output" "hello $M"
	assert_no_leftovers
}

@test "host view (test user): --bind is read-write, files belong to the user" {
	requires_userns
	local dir
	dir=$(scratch_dir --user)
	run -0 --separate-stderr sluice_user run --bind "$dir:/tmp/data" -- sh -c 'echo "hello $0" >/tmp/data/f' "$M"
	assert_eq "$(cat "$dir/f")" "hello $M"
	assert_eq "$(stat -c %U "$dir/f")" "$SLUICE_TEST_USER"
}

# ---- a rootfs ----

@test "--rootfs: / is the rootfs, the host's files are out of reach, the old root is gone" {
	requires_root
	: >"$DIR/host-$M"
	run -0 --separate-stderr sluice run --rootfs "$ROOTFS" -- ls -A /
	assert_eq "$output" "$(ls -A "$ROOTFS")"
	run --separate-stderr sluice run --rootfs "$ROOTFS" -- probe stat "$DIR/host-$M"
	assert_status 1
	assert_eq "$output" "ENOENT"
	run -0 --separate-stderr sluice run --rootfs "$ROOTFS" -- probe mounts
	# one root, and only the sandbox's own mounts: nothing of the host's tree
	assert_eq "$(grep -c '^/ ' <<<"$output")" "1" "mounts on /: $output"
	assert_only_sandbox_mounts
	# the root's own mountinfo line is the only one that may name the rootfs
	run -0 --separate-stderr sluice run --rootfs "$ROOTFS" -- cat /proc/self/mountinfo
	assert_eq "$(grep -c -- "$ROOTFS" <<<"$output")" "1" "lines naming the rootfs: $output"
}

@test "--rootfs (test user): / is the rootfs and the old root is gone" {
	requires_userns
	run -0 --separate-stderr sluice_user run --rootfs "$ROOTFS" -- ls -A /
	assert_eq "$output" "$(ls -A "$ROOTFS")"
	run -0 --separate-stderr sluice_user run --rootfs "$ROOTFS" -- probe mounts
	assert_eq "$(grep -c '^/ ' <<<"$output")" "1" "mounts on /: $output"
	assert_only_sandbox_mounts
}

@test "root.readonly: true by default, false makes the rootfs writable" {
	requires_root
	local rootfs=$DIR/rootfs
	make_rootfs "$rootfs"
	run --separate-stderr sluice run --rootfs "$rootfs" -- probe write "/$M"
	assert_eq "$output" "EROFS"
	[[ ! -e $rootfs/$M ]]
	run -0 --separate-stderr sluice run --rootfs "$rootfs" --read-write -- probe write "/$M"
	[[ -f $rootfs/$M ]]
	cat >"$DIR/c.yaml" <<-EOF
		root: {path: rootfs, readonly: false}
		process: {cwd: /, args: [probe, write, /yaml-$M]}
	EOF
	run -0 --separate-stderr sluice run -c "$DIR/c.yaml"
	[[ -f $rootfs/yaml-$M ]]
	cat >"$DIR/c.yaml" <<-EOF
		root: {path: rootfs, readonly: true}
		process: {cwd: /, args: [probe, write, /ro-$M]}
	EOF
	run --separate-stderr sluice run -c "$DIR/c.yaml"
	assert_eq "$output" "EROFS"
	[[ ! -e $rootfs/ro-$M ]]
}

@test "root.readonly (test user): read-only by default, --read-write writes through" {
	requires_userns
	requires_root # mknod, mount, chown for the test user
	local rootfs=$DIR/rootfs
	make_rootfs "$rootfs"
	# only the top directory: the files are hard links into a shared cache
	chown "$SLUICE_TEST_USER" "$rootfs"
	run --separate-stderr sluice_user run --rootfs "$rootfs" -- probe write "/$M"
	assert_eq "$output" "EROFS"
	run -0 --separate-stderr sluice_user run --rootfs "$rootfs" --read-write -- probe write "/$M"
	assert_eq "$(stat -c %U "$rootfs/$M")" "$SLUICE_TEST_USER"
}

# ---- bind mounts and their options ----

@test "--ro-bind is read-only; --bind is read-write (rootfs)" {
	requires_root
	local dir
	dir=$(scratch_dir)
	run --separate-stderr sluice run --rootfs "$ROOTFS" --ro-bind "$dir:/tmp/data" -- probe write "/tmp/data/$M"
	assert_status 1
	assert_eq "$output" "EROFS"
	[[ ! -e $dir/$M ]]
	run -0 --separate-stderr sluice run --rootfs "$ROOTFS" --bind "$dir:/tmp/data" -- probe write "/tmp/data/$M"
	[[ -f $dir/$M ]]
}

@test "--ro-bind is read-only (test user)" {
	requires_userns
	local dir
	dir=$(scratch_dir --user)
	run --separate-stderr sluice_user run --rootfs "$ROOTFS" --ro-bind "$dir:/tmp/data" -- probe write "/tmp/data/$M"
	assert_status 1
	assert_eq "$output" "EROFS"
	run -0 --separate-stderr sluice_user run --rootfs "$ROOTFS" --bind "$dir:/tmp/data" -- probe write "/tmp/data/$M"
	[[ -f $dir/$M ]]
}

# bind_config FILE SOURCE OPTION...: the rootfs, /proc, a /tmp tmpfs and a
# bind of SOURCE on /tmp/data with the options given; $PROCESS_EXTRA, if
# set, holds more keys of process (flow style, after "cwd: /,").
bind_config() {
	local file=$1 src=$2 opts
	shift 2
	opts=$(IFS=,; echo "$*")
	cat >"$file" <<-EOF
		root: {path: $ROOTFS}
		process: {cwd: /${PROCESS_EXTRA:+, $PROCESS_EXTRA}}
		mounts:
		- {destination: /proc, type: proc, source: proc}
		- {destination: /tmp, type: tmpfs, source: tmpfs}
		- {destination: /tmp/data, type: bind, source: $src, options: [$opts]}
	EOF
}

@test "bind option noexec: a program there cannot be executed (126)" {
	requires_root
	local dir
	dir=$(scratch_dir)
	cp "$PROBE" "$dir/probe"
	bind_config "$DIR/exec.yaml" "$dir" rbind
	run -0 --separate-stderr sluice run -c "$DIR/exec.yaml" -- /tmp/data/probe exit 0
	bind_config "$DIR/noexec.yaml" "$dir" rbind noexec
	run --separate-stderr sluice run -c "$DIR/noexec.yaml" -- /tmp/data/probe exit 0
	assert_status 126
	assert_eq "$stderr" "sluice: exec: /tmp/data/probe: cannot execute: Permission denied"
	run -0 --separate-stderr sluice run -c "$DIR/noexec.yaml" -- probe mounts
	[[ $(mount_line /tmp/data) == "/tmp/data "*" "*noexec* ]]
}

@test "bind option noexec (test user)" {
	requires_userns
	local dir
	dir=$(scratch_dir)
	cp "$PROBE" "$dir/probe"
	chmod 755 "$dir/probe"
	bind_config "$DIR/noexec.yaml" "$dir" rbind noexec
	run --separate-stderr sluice_user run -c "$DIR/noexec.yaml" -- /tmp/data/probe exit 0
	assert_status 126
	assert_contains "$stderr" "cannot execute: Permission denied"
	bind_config "$DIR/exec.yaml" "$dir" rbind
	run -0 --separate-stderr sluice_user run -c "$DIR/exec.yaml" -- /tmp/data/probe exit 0
}

@test "bind option nosuid: a setuid program does not change the uid" {
	requires_root
	local dir
	dir=$(scratch_dir)
	if [[ ,$(findmnt -no OPTIONS -T "$dir"), == *,nosuid,* ]]; then
		skip "$dir is on a nosuid mount already"
	fi
	cp "$PROBE" "$dir/probe"
	chmod 4755 "$dir/probe"
	# uid 1000 runs a setuid-root probe; no_new_privs would stop it anyway
	local PROCESS_EXTRA='user: {uid: 1000, gid: 1000}, noNewPrivileges: false'
	bind_config "$DIR/suid.yaml" "$dir" rbind
	run -0 --separate-stderr sluice run -c "$DIR/suid.yaml" -- /tmp/data/probe ids
	assert_contains "$output" "euid: 0" "the setuid bit works without nosuid"
	bind_config "$DIR/nosuid.yaml" "$dir" rbind nosuid
	run -0 --separate-stderr sluice run -c "$DIR/nosuid.yaml" -- /tmp/data/probe ids
	assert_contains "$output" "euid: 1000" "nosuid"
	run -0 --separate-stderr sluice run -c "$DIR/nosuid.yaml" -- probe mounts
	[[ $(mount_line /tmp/data) == "/tmp/data "*" "*nosuid* ]]
}

@test "bind option nosuid (test user): in mountinfo" {
	requires_userns
	bind_config "$DIR/nosuid.yaml" "$DIR" rbind nosuid
	run -0 --separate-stderr sluice_user run -c "$DIR/nosuid.yaml" -- probe mounts
	[[ $(mount_line /tmp/data) == "/tmp/data "*" "*nosuid* ]]
}

@test "bind option nodev: a device node there cannot be opened" {
	requires_root
	local dir
	dir=$(scratch_dir)
	mknod -m 666 "$dir/null" c 1 3
	bind_config "$DIR/dev.yaml" "$dir" rbind
	run -0 --separate-stderr sluice run -c "$DIR/dev.yaml" -- probe write /tmp/data/null
	bind_config "$DIR/nodev.yaml" "$dir" rbind nodev
	run --separate-stderr sluice run -c "$DIR/nodev.yaml" -- probe write /tmp/data/null
	assert_status 1
	assert_eq "$output" "EACCES"
	run -0 --separate-stderr sluice run -c "$DIR/nodev.yaml" -- probe mounts
	[[ $(mount_line /tmp/data) == "/tmp/data "*" "*nodev* ]]
}

@test "bind option nodev (test user): a device node there cannot be opened" {
	requires_userns
	requires_root # mknod, mount, chown for the test user
	local dir
	dir=$(scratch_dir)
	mknod -m 666 "$dir/null" c 1 3
	bind_config "$DIR/dev.yaml" "$dir" rbind
	run -0 --separate-stderr sluice_user run -c "$DIR/dev.yaml" -- probe write /tmp/data/null
	bind_config "$DIR/nodev.yaml" "$dir" rbind nodev
	run --separate-stderr sluice_user run -c "$DIR/nodev.yaml" -- probe write /tmp/data/null
	assert_status 1
	assert_eq "$output" "EACCES"
}

@test "a read-only rbind is read-only all the way down (submounts too)" {
	requires_root
	local dir
	dir=$(scratch_dir)
	mkdir -m 777 "$dir/sub"
	run -1 --separate-stderr in_private_mountns "$dir/sub" \
		"$SLUICE" run --rootfs "$ROOTFS" --ro-bind "$dir:/tmp/data" -- probe write "/tmp/data/sub/$M"
	assert_eq "$output" "EROFS"
	run -0 --separate-stderr in_private_mountns "$dir/sub" \
		"$SLUICE" run --rootfs "$ROOTFS" --ro-bind "$dir:/tmp/data" -- probe mounts
	[[ $(mount_line /tmp/data/sub) == "/tmp/data/sub tmpfs ro,"* ]]
	# the read-write bind reaches the submount too
	run -0 --separate-stderr in_private_mountns "$dir/sub" \
		"$SLUICE" run --rootfs "$ROOTFS" --bind "$dir:/tmp/data" -- probe write "/tmp/data/sub/$M"
	assert_eq "$output" "ok"
	[[ ! -e $dir/sub/$M ]] # it went to the private tmpfs
	assert_no_leftovers
}

@test "a read-only rbind is read-only all the way down (test user)" {
	requires_userns
	requires_root # mknod, mount, chown for the test user
	as_user_cmd
	local dir
	dir=$(scratch_dir)
	mkdir -m 777 "$dir/sub"
	run -1 --separate-stderr in_private_mountns "$dir/sub" \
		"${AS_USER[@]}" "$SLUICE_USER_BIN" run --rootfs "$ROOTFS" --ro-bind "$dir:/tmp/data" -- probe write "/tmp/data/sub/$M"
	assert_eq "$output" "EROFS"
	run -0 --separate-stderr in_private_mountns "$dir/sub" \
		"${AS_USER[@]}" "$SLUICE_USER_BIN" run --rootfs "$ROOTFS" --bind "$dir:/tmp/data" -- probe write "/tmp/data/sub/$M"
	assert_eq "$output" "ok"
}

@test "recursive options (rro, rnosuid, rnodev, rnoexec, rnoatime, rnosymfollow): on the mount and every submount" {
	requires_root
	local dir
	dir=$(scratch_dir)
	mkdir -m 777 "$dir/sub"
	bind_config "$DIR/r.yaml" "$dir" rbind rro rnosuid rnodev rnoexec rnoatime rnosymfollow
	run -0 --separate-stderr in_private_mountns "$dir/sub" "$SLUICE" run -c "$DIR/r.yaml" -- probe mounts
	[[ $(mount_line /tmp/data) == "/tmp/data "*" ro,nosuid,nodev,noexec,noatime,nosymfollow "* ]] ||
		fail "$(mount_line /tmp/data)"
	[[ $(mount_line /tmp/data/sub) == "/tmp/data/sub tmpfs ro,nosuid,nodev,noexec,noatime,nosymfollow "* ]] ||
		fail "$(mount_line /tmp/data/sub)"
	run -1 --separate-stderr in_private_mountns "$dir/sub" "$SLUICE" run -c "$DIR/r.yaml" -- probe write "/tmp/data/sub/$M"
	assert_eq "$output" "EROFS"
	# later options win, the recursive ones over the others: rw all the
	# way down, and ratime undoes the last atime option (noatime) to the
	# kernel's default, relatime
	bind_config "$DIR/w.yaml" "$dir" rbind ro rrw rstrictatime rnoatime ratime
	run -0 --separate-stderr in_private_mountns "$dir/sub" "$SLUICE" run -c "$DIR/w.yaml" -- probe mounts
	[[ $(mount_line /tmp/data/sub) == "/tmp/data/sub tmpfs rw,relatime "* ]] || fail "$(mount_line /tmp/data/sub)"
	run -0 --separate-stderr in_private_mountns "$dir/sub" "$SLUICE" run -c "$DIR/w.yaml" -- probe write "/tmp/data/sub/$M"
	assert_eq "$output" "ok"
	# a filesystem mount takes them too
	cat >"$DIR/t.yaml" <<-EOF
		root: {path: $ROOTFS}
		process: {cwd: /}
		mounts:
		- {destination: /proc, type: proc, source: proc}
		- {destination: /tmp, type: tmpfs, source: tmpfs, options: [rro, rnoexec, rstrictatime]}
	EOF
	run -0 --separate-stderr sluice run -c "$DIR/t.yaml" -- probe mounts
	[[ $(mount_line /tmp) == "/tmp tmpfs ro,noexec "* ]] || fail "$(mount_line /tmp)"
	assert_no_leftovers
}

@test "recursive options (test user): rro reaches the submount" {
	requires_userns
	requires_root # mount, chown for the test user
	as_user_cmd
	local dir
	dir=$(scratch_dir)
	mkdir -m 777 "$dir/sub"
	bind_config "$DIR/r.yaml" "$dir" rbind rro rnosuid
	give_to_user "$DIR/r.yaml"
	run -1 --separate-stderr in_private_mountns "$dir/sub" \
		"${AS_USER[@]}" "$SLUICE_USER_BIN" run -c "$DIR/r.yaml" -- probe write "/tmp/data/sub/$M"
	assert_eq "$output" "EROFS"
}

# ---- id-mapped binds ----

# idmap_config FILE SRC OPTIONS [MOUNT-MAPS]: a rootfs config in a user
# namespace whose root is host uid/gid 200000, SRC bound on /tmp/data
# with OPTIONS (and the mount's own maps, a YAML flow list, for both).
idmap_config() {
	cat >"$1" <<-EOF
		root: {path: $ROOTFS}
		process: {cwd: /}
		mounts:
		- {destination: /proc, type: proc, source: proc}
		- {destination: /tmp, type: tmpfs, source: tmpfs}
		- {destination: /tmp/data, type: bind, source: $2, options: [$3]${4:+, uidMappings: $4, gidMappings: $4}}
		- {destination: /tmp/plain, type: bind, source: $2, options: [rbind]}
		linux:
		  namespaces: [{type: user}, {type: mount}, {type: pid}]
		  uidMappings: [{containerID: 0, hostID: 200000, size: 65536}]
		  gidMappings: [{containerID: 0, hostID: 200000, size: 65536}]
	EOF
}

@test "idmap: a bind shows its files through the container's maps (host 0 is root inside), writes land as the host's ids; ridmap reaches submounts" {
	requires_root
	local dir
	dir=$(scratch_dir)
	chmod 755 "$dir" "$ROOTFS"
	mkdir -m 777 "$dir/sub"
	touch "$dir/root-file" "$dir/user-file"
	chown 1000:1001 "$dir/user-file"
	idmap_config "$DIR/i.yaml" "$dir" bind,idmap
	run -0 --separate-stderr sluice run -c "$DIR/i.yaml" -- sh -c \
		'stat -c "%u:%g %n" /tmp/data/root-file /tmp/data/user-file /tmp/plain/root-file; touch /tmp/data/made'
	assert_eq "$output" $'0:0 /tmp/data/root-file\n1000:1001 /tmp/data/user-file\n65534:65534 /tmp/plain/root-file'
	assert_eq "$(stat -c %u:%g "$dir/made")" "0:0" "the container's root writes as host root there"
	# ridmap on an rbind: the submount (a tmpfs, its root owned by host
	# root) is id-mapped too; idmap leaves it unmapped
	idmap_config "$DIR/r.yaml" "$dir" rbind,ridmap
	run -0 --separate-stderr in_private_mountns "$dir/sub" "$SLUICE" run -c "$DIR/r.yaml" -- stat -c %u /tmp/data/sub
	assert_eq "$output" 0
	idmap_config "$DIR/n.yaml" "$dir" rbind,idmap
	run -0 --separate-stderr in_private_mountns "$dir/sub" "$SLUICE" run -c "$DIR/n.yaml" -- stat -c %u /tmp/data/sub
	assert_eq "$output" 65534
	assert_no_leftovers
}

@test "idmap: the mount's own uidMappings and gidMappings; its other options apply too" {
	requires_root
	local dir
	dir=$(scratch_dir)
	chmod 755 "$dir" "$ROOTFS"
	touch "$dir/root-file" "$dir/user-file"
	chown 1000:1000 "$dir/user-file"
	# on-disk 1000 is the container's root (host 200000); nothing else maps
	idmap_config "$DIR/o.yaml" "$dir" bind,ro '[{containerID: 1000, hostID: 200000, size: 1}]'
	run --separate-stderr sluice run -c "$DIR/o.yaml" -- sh -c \
		'stat -c "%u %n" /tmp/data/user-file /tmp/data/root-file; touch /tmp/data/x'
	assert_status 1
	assert_eq "$output" $'0 /tmp/data/user-file\n65534 /tmp/data/root-file'
	assert_contains "$stderr" "Read-only file system"
	sluice run -c "$DIR/o.yaml" --print-config | grep -q "containerID: 1000" || fail "the mount's maps are not in --print-config"
	assert_no_leftovers
}

@test "idmap: errors, each before anything starts (78), and the test user's (125: it needs root)" {
	requires_root
	local dir
	dir=$(scratch_dir)
	printf 'mounts: [{destination: /tmp/x, type: tmpfs, source: tmpfs, options: [idmap]}]\n' >"$DIR/t.yaml"
	run -78 --separate-stderr sluice run -c "$DIR/t.yaml" -- true
	assert_eq "$stderr" "sluice: $DIR/t.yaml:1:10: mounts[0]: only a bind mount can be id-mapped (idmap, ridmap, uidMappings)"
	printf 'mounts: [{destination: /tmp/x, type: bind, source: /tmp, uidMappings: [{containerID: 0, hostID: 1, size: 1}]}]\n' >"$DIR/u.yaml"
	run -78 --separate-stderr sluice run -c "$DIR/u.yaml" -- true
	assert_eq "$stderr" "sluice: $DIR/u.yaml:1:10: mounts[0]: uidMappings and gidMappings go together"
	cat >"$DIR/n.yaml" <<-EOF
		mounts: [{destination: /tmp, type: tmpfs, source: tmpfs}, {destination: /tmp/x, type: bind, source: $dir, options: [bind, idmap]}]
		linux: {namespaces: [{type: mount}, {type: pid}]}
	EOF
	run -78 --separate-stderr sluice run -c "$DIR/n.yaml" -- true
	assert_eq "$stderr" "sluice: $DIR/n.yaml: mounts[1] (/tmp/x): idmap without uidMappings and gidMappings takes the container's user namespace's, and it makes none: give the mount its own"
	requires_userns
	as_user_cmd
	chmod 755 "$dir"
	cat >"$DIR/p.yaml" <<-EOF
		mounts: [{destination: /tmp, type: tmpfs, source: tmpfs}, {destination: /tmp/x, type: bind, source: $dir, options: [bind, idmap]}]
	EOF
	give_to_user "$DIR/p.yaml"
	run -125 --separate-stderr "${AS_USER[@]}" "$SLUICE_USER_BIN" run -c "$DIR/p.yaml" -- true
	assert_contains "$stderr" "sluice: id-mapped mount /tmp/x (it needs root): write "
	assert_no_leftovers
}

# ---- tmpfs ----

@test "--tmpfs with size and mode; a config tmpfs with mode=1777" {
	requires_root
	run -0 --separate-stderr sluice run --rootfs "$ROOTFS" --tmpfs /tmp/t:size=1m,mode=0750 -- \
		sh -c 'probe stat /tmp/t; probe mounts'
	assert_contains "$output" "type: dir
mode: 0750
"
	assert_eq "$(mount_line /tmp/t)" "/tmp/t tmpfs rw,nosuid,nodev,relatime rw,size=1024k,mode=750"
	cat >"$DIR/c.yaml" <<-'EOF'
		mounts:
		- {destination: /proc, type: proc, source: proc}
		- {destination: /run, type: tmpfs, source: tmpfs, options: [nosuid, noexec, size=2m, mode=1777]}
	EOF
	run -0 --separate-stderr sluice run --rootfs "$ROOTFS" -c "$DIR/c.yaml" -- sh -c 'probe stat /run; probe mounts'
	assert_contains "$output" "type: dir
mode: 1777
"
	assert_eq "$(mount_line /run)" "/run tmpfs rw,nosuid,noexec,relatime rw,size=2048k"
}

# podman and buildah write these: "private" on a /dev/shm tmpfs, "rprivate"
# on the cgroup mount; "shared" shows in mountinfo.
@test "propagation options on filesystem mounts (tmpfs, cgroup) apply to the new mount" {
	requires_root
	cat >"$DIR/c.yaml" <<-'EOF'
		mounts:
		- {destination: /proc, type: proc, source: proc}
		- {destination: /sys, type: sysfs, source: sysfs, options: [nosuid, noexec, nodev, ro]}
		- {destination: /sys/fs/cgroup, type: cgroup, source: cgroup, options: [rprivate, nosuid, noexec, nodev, relatime, ro]}
		- {destination: /dev, type: tmpfs, source: tmpfs, options: [nosuid, mode=755]}
		- {destination: /dev/shm, type: tmpfs, source: shm, options: [private, nodev, noexec, nosuid, mode=1777]}
		- {destination: /mnt, type: tmpfs, source: tmpfs, options: [shared]}
	EOF
	run -0 --separate-stderr sluice run --rootfs "$ROOTFS" -c "$DIR/c.yaml" -- cat /proc/self/mountinfo
	# mount ID, parent, dev, root, mount point, options, optional fields
	[[ $(awk '$5 == "/mnt"' <<<"$output") == *" shared:"* ]] || fail_with "/mnt is not shared: $output"
	[[ $(awk '$5 == "/dev/shm"' <<<"$output") != *" shared:"* ]] || fail_with "/dev/shm is shared"
	awk '$5 == "/sys/fs/cgroup" { found = 1 } END { exit !found }' <<<"$output" ||
		fail_with "no /sys/fs/cgroup: $output"
}

@test "--tmpfs with size and mode (test user)" {
	requires_userns
	run -0 --separate-stderr sluice_user run --rootfs "$ROOTFS" --tmpfs /tmp/t:size=1m,mode=0750 -- \
		sh -c 'probe stat /tmp/t; probe mounts'
	assert_contains "$output" "type: dir
mode: 0750
"
	[[ $(mount_line /tmp/t) == "/tmp/t tmpfs rw,nosuid,nodev,relatime rw,size=1024k,mode=750"* ]]
}

# ---- masked and read-only paths ----

# The default masked paths that exist on this host: files, then directories.
masked_on_host() {
	local p
	MASKED_FILES=() MASKED_DIRS=()
	for p in /proc/kcore /proc/keys /proc/latency_stats /proc/timer_list /proc/timer_stats /proc/sched_debug; do
		[[ -f $p ]] && MASKED_FILES+=("$p")
	done
	for p in /proc/acpi /proc/asound /proc/scsi; do
		[[ -d $p ]] && MASKED_DIRS+=("$p")
	done
	((${#MASKED_FILES[@]})) || skip "none of the masked /proc files exists on this kernel"
}

@test "masked paths read as nothing; /proc/sys is read-only" {
	requires_root
	masked_on_host
	local f d
	for f in "${MASKED_FILES[@]}"; do
		run -0 --separate-stderr sluice run --rootfs "$ROOTFS" -- cat "$f"
		assert_eq "$output" "" "$f is not masked"
		run -0 --separate-stderr sluice run --rootfs "$ROOTFS" -- probe stat "$f"
		assert_contains "$output" "rdev: 1:3" "$f is not /dev/null"
	done
	for d in "${MASKED_DIRS[@]}"; do
		run -0 --separate-stderr sluice run --rootfs "$ROOTFS" -- ls -A "$d"
		assert_eq "$output" "" "$d is not masked"
	done
	run --separate-stderr sluice run --rootfs "$ROOTFS" -- probe write /proc/sys/kernel/domainname
	assert_eq "$output" "EROFS"
	# without readonlyPaths, root may write it (in its own uts namespace)
	echo 'linux: {readonlyPaths: []}' >"$DIR/c.yaml"
	run -0 --separate-stderr sluice run --rootfs "$ROOTFS" -c "$DIR/c.yaml" -- probe write /proc/sys/kernel/domainname
	assert_eq "$output" "ok"
}

@test "masked paths and read-only /proc/sys (test user)" {
	requires_userns
	masked_on_host
	local f
	for f in "${MASKED_FILES[@]}"; do
		run -0 --separate-stderr sluice_user run --rootfs "$ROOTFS" -- probe stat "$f"
		assert_contains "$output" "rdev: 1:3" "$f is not /dev/null"
	done
	run --separate-stderr sluice_user run --rootfs "$ROOTFS" -- probe write /proc/sys/kernel/domainname
	assert_eq "$output" "EROFS"
}

# ---- the working directory ----

@test "process.cwd inside the root is used; a missing one fails with 125 naming it" {
	requires_root
	printf '%s\n' "root: {path: $ROOTFS}" 'process: {cwd: /etc}' >"$DIR/c.yaml"
	run -0 --separate-stderr sluice run -c "$DIR/c.yaml" -- probe cwd
	assert_eq "$output" "cwd: /etc"
	run -0 --separate-stderr sluice run --rootfs "$ROOTFS" --cwd /bin -- probe cwd
	assert_eq "$output" "cwd: /bin"
	run --separate-stderr sluice run --rootfs "$ROOTFS" --cwd "/nonexistent-$M" -- probe cwd -- "$M"
	assert_status 125
	assert_eq "$stderr" "sluice: cwd: process.cwd /nonexistent-$M: No such file or directory"
	assert_no_leftovers "$M"
}

@test "process.cwd (test user); a missing one fails with 125" {
	requires_userns
	run -0 --separate-stderr sluice_user run --rootfs "$ROOTFS" --cwd /etc -- probe cwd
	assert_eq "$output" "cwd: /etc"
	run --separate-stderr sluice_user run --rootfs "$ROOTFS" --cwd "/nonexistent-$M" -- probe cwd -- "$M"
	assert_status 125
	assert_contains "$stderr" "process.cwd /nonexistent-$M"
	assert_no_leftovers "$M"
}

# in_dir DIR CMD...: runs CMD (a program or a function) in DIR.
in_dir() {
	(cd "$1" && shift && "$@")
}

@test "host view: the default cwd is the caller's, or / when the sandbox covers it" {
	requires_root
	run -0 --separate-stderr in_dir /etc sluice run -- sh -c 'pwd -P'
	assert_eq "$output" "/etc"
	# /dev and /tmp are the sandbox's own: the caller's directory there is not
	run -0 --separate-stderr in_dir /dev sluice run -- sh -c 'pwd -P'
	assert_eq "$output" "/"
	if [[ $DIR == /tmp/* ]]; then
		run -0 --separate-stderr in_dir "$DIR" sluice run -- sh -c 'pwd -P'
		assert_eq "$output" "/"
	fi
}

@test "host view (test user): the default cwd is the caller's, or /" {
	requires_userns
	as_user_cmd
	run -0 --separate-stderr run_with_timeout "$SLUICE_TIMEOUT" "${AS_USER[@]}" env --chdir=/etc \
		"$SLUICE_USER_BIN" run -- sh -c 'pwd -P'
	assert_eq "$output" "/etc"
	run -0 --separate-stderr run_with_timeout "$SLUICE_TIMEOUT" "${AS_USER[@]}" env --chdir=/dev \
		"$SLUICE_USER_BIN" run -- sh -c 'pwd -P'
	assert_eq "$output" "/"
}

# ---- symlinks in a rootfs that point out of it ----

@test "a mount through a symlink that points out of the rootfs lands inside it" {
	requires_root
	local rootfs=$DIR/rootfs src
	make_rootfs "$rootfs"
	src=$(scratch_dir)
	ln -s /etc "$rootfs/escape"
	ln -s ../../../../../.. "$rootfs/up"
	run -0 --separate-stderr sluice run --rootfs "$rootfs" --tmpfs "/escape/t-$M" --tmpfs "/up/u-$M" \
		--bind "$src:/escape/b-$M" -- \
		sh -c 'probe write /escape/t-$0/f && probe write /up/u-$0/f && probe write /escape/b-$0/f && probe mounts' "$M"
	# resolved in the root: /etc and / of the rootfs
	assert_eq "$(mount_line "/etc/t-$M" | cut -d' ' -f2)" "tmpfs"
	assert_eq "$(mount_line "/u-$M" | cut -d' ' -f2)" "tmpfs"
	[[ -n $(mount_line "/etc/b-$M") ]]
	# the mount points were made in the rootfs, nothing in the host's / or /etc
	[[ -d $rootfs/etc/t-$M && -d $rootfs/u-$M && -d $rootfs/etc/b-$M ]]
	[[ ! -e /etc/t-$M && ! -e /etc/b-$M && ! -e /u-$M ]]
	[[ -f $src/f ]]
	assert_no_leftovers
}

@test "a mount through a symlink out of the rootfs lands inside it (test user)" {
	requires_userns
	requires_root # mknod, mount, chown for the test user
	local rootfs=$DIR/rootfs
	make_rootfs "$rootfs"
	# the user may create mount points in the rootfs's / and /etc only
	chown "$SLUICE_TEST_USER" "$rootfs" "$rootfs/etc"
	ln -s /etc "$rootfs/escape"
	ln -s ../../../../../.. "$rootfs/up"
	run -0 --separate-stderr sluice_user run --rootfs "$rootfs" --tmpfs "/escape/t-$M" --tmpfs "/up/u-$M" -- \
		sh -c 'probe write /escape/t-$0/f && probe write /up/u-$0/f && probe mounts' "$M"
	assert_eq "$(mount_line "/etc/t-$M" | cut -d' ' -f2)" "tmpfs"
	assert_eq "$(mount_line "/u-$M" | cut -d' ' -f2)" "tmpfs"
	[[ -d $rootfs/etc/t-$M && -d $rootfs/u-$M ]]
	[[ ! -e /etc/t-$M && ! -e /u-$M ]]
}

# ---- bad input: the message, the status, and nothing left behind ----

@test "--rootfs with a missing directory: 78" {
	run --separate-stderr sluice run --rootfs "/nonexistent-$M" -- probe pid -- "$M"
	assert_status 78
	assert_eq "$stderr" "sluice: --rootfs /nonexistent-$M: No such file or directory"
	assert_no_leftovers "$M"
}

@test "--rootfs with a missing directory (test user): 78" {
	requires_user
	run --separate-stderr sluice_user run --rootfs "/nonexistent-$M" -- probe pid -- "$M"
	assert_status 78
	assert_eq "$stderr" "sluice: --rootfs /nonexistent-$M: No such file or directory"
	assert_no_leftovers "$M"
}

@test "--bind with a missing source: 78" {
	run --separate-stderr sluice run --bind "/nonexistent-$M:/mnt" -- probe pid -- "$M"
	assert_status 78
	assert_eq "$stderr" "sluice: --bind /nonexistent-$M: No such file or directory"
	run --separate-stderr sluice run --ro-bind "/nonexistent-$M" -- probe pid -- "$M"
	assert_status 78
	assert_eq "$stderr" "sluice: --ro-bind /nonexistent-$M: No such file or directory"
	assert_no_leftovers "$M"
}

@test "--bind with a missing source (test user): 78" {
	requires_user
	run --separate-stderr sluice_user run --bind "/nonexistent-$M:/mnt" -- probe pid -- "$M"
	assert_status 78
	assert_eq "$stderr" "sluice: --bind /nonexistent-$M: No such file or directory"
	assert_no_leftovers "$M"
}

@test "a config root.path that is missing or not a directory: 78 naming the file" {
	printf '%s\n' "root: {path: /nonexistent-$M}" >"$DIR/c.yaml"
	run --separate-stderr sluice run -c "$DIR/c.yaml" -- true "$M"
	assert_status 78
	assert_eq "$stderr" "sluice: $DIR/c.yaml: root.path /nonexistent-$M: No such file or directory"
	printf '%s\n' "root: {path: $DIR/c.yaml}" >"$DIR/c.yaml"
	run --separate-stderr sluice run -c "$DIR/c.yaml" -- true "$M"
	assert_status 78
	assert_eq "$stderr" "sluice: $DIR/c.yaml: root.path $DIR/c.yaml: Not a directory"
	assert_no_leftovers "$M"
}

@test "a config bind mount whose source is missing: 78 naming the file and the mount" {
	printf '%s\n' 'mounts:' "- {destination: /tmp, type: bind, source: /nonexistent-$M}" >"$DIR/c.yaml"
	run --separate-stderr sluice run -c "$DIR/c.yaml" -- true "$M"
	assert_status 78
	assert_eq "$stderr" "sluice: $DIR/c.yaml: mounts[0] (/tmp): bind source /nonexistent-$M: No such file or directory"
	assert_no_leftovers "$M"
}

@test "host view: a mount point missing from the host's / is never created: 125" {
	requires_root
	run --separate-stderr sluice run --tmpfs "/nonexistent-$M/dir" -- true "$M"
	assert_status 125
	assert_eq "$stderr" "sluice: mounts: /nonexistent-$M/dir does not exist in the host's / (sluice never creates files there): No such file or directory"
	[[ ! -e /nonexistent-$M ]]
	assert_no_leftovers "$M"
}

@test "host view (test user): a mount point missing from the host's /: 125" {
	requires_userns
	run --separate-stderr sluice_user run --tmpfs "/nonexistent-$M/dir" -- true "$M"
	assert_status 125
	assert_contains "$stderr" "/nonexistent-$M/dir does not exist in the host's / (sluice never creates files there)"
	[[ ! -e /nonexistent-$M ]]
	assert_no_leftovers "$M"
}

@test "a mount of an unknown filesystem type: 125 naming the mount" {
	requires_root
	cat >"$DIR/c.yaml" <<-'EOF'
		mounts:
		- {destination: /proc, type: proc, source: proc}
		- {destination: /tmp, type: nosuchfs, source: none, options: [size=1m]}
	EOF
	run --separate-stderr sluice run -c "$DIR/c.yaml" -- true "$M"
	assert_status 125
	assert_eq "$stderr" "sluice: mounts: mount nosuchfs on /tmp with size=1m: No such device"
	assert_no_leftovers "$M"
}

@test "a mount of an unknown filesystem type (test user): 125" {
	requires_userns
	cat >"$DIR/c.yaml" <<-'EOF'
		mounts:
		- {destination: /tmp, type: nosuchfs, source: none}
	EOF
	run --separate-stderr sluice_user run -c "$DIR/c.yaml" -- true "$M"
	assert_status 125
	assert_eq "$stderr" "sluice: mounts: mount nosuchfs on /tmp: No such device"
	assert_no_leftovers "$M"
}
