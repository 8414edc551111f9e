# shellcheck shell=bash
# Helpers for the bats scenarios: every test/*.bats starts with `load helpers`.
#
# test/run exports the environment these read; run bare (`bats test/x.bats`)
# they fall back to build/ and a scratch directory inside bats' own.
#
#   $SLUICE, $PROBE          the binaries under test (absolute paths)
#   requires_root | requires_user | requires_userns | requires_cmd X |
#   requires_cgroup_v2       skip the test, with the reason, when unmet
#   sluice ARGS...           $SLUICE with a timeout and only fds 0-2 open
#   sluice_user ARGS...      the same, as the unprivileged test user
#   as_user CMD...           run CMD as the test user
#   run_with_timeout S CMD.. a command that cannot hang the suite
#   with_tty CMD...          run CMD on a fresh pseudo-terminal
#   wait_for_file PATH S [LINE]   wait for PATH (holding LINE) for S seconds
#   bg_start OUT S CMD...    start CMD in the background; bg_wait; bg_kill
#   scratch_dir [--user]     a new directory the test user can reach
#   make_rootfs DIR          a busybox rootfs with /bin/probe
#   leftovers_snapshot, assert_no_leftovers [MARKER]   and their parts:
#   assert_no_process MARKER, mounts_snapshot, assert_mounts_unchanged,
#   assert_no_tmpdirs [GLOB...], cgroups_snapshot, assert_no_cgroups
#   own_cgroup_dirs          this shell's cgroup in every hierarchy
#   unique_marker, assert_eq, assert_contains, assert_status

bats_require_minimum_version 1.5.0 # run -N, --separate-stderr

_SLUICE_HELPERS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SLUICE_REPO=${SLUICE_REPO:-$(dirname "$_SLUICE_HELPERS_DIR")}
SLUICE=${SLUICE_BIN:-$SLUICE_REPO/build/sluice}
PROBE=${PROBE_BIN:-$SLUICE_REPO/build/probe}
SLUICE_USER_BIN=${SLUICE_USER_BIN:-$SLUICE}
PROBE_USER_BIN=${PROBE_USER_BIN:-$PROBE}
# Seconds one sluice invocation may take before the helpers kill it.
SLUICE_TIMEOUT=${SLUICE_TIMEOUT:-30}
# Status run_with_timeout returns when it had to kill the command: not 124,
# which is sluice's own timeout status (docs/exit-codes.md).
TIMEOUT_STATUS=253
# Where sluice might leave state or temporary files behind.
SLUICE_LEFTOVER_GLOBS=${SLUICE_LEFTOVER_GLOBS:-"/tmp/sluice* /run/sluice* /dev/shm/sluice*"}

if [[ -z ${SLUICE_TEST_ROOT:-} ]]; then
	# Run bare: the test user must still reach the scratch directories.
	SLUICE_TEST_ROOT=$BATS_RUN_TMPDIR/sluice
	chmod 711 "$BATS_RUN_TMPDIR"
	mkdir -p "$SLUICE_TEST_ROOT" && chmod 755 "$SLUICE_TEST_ROOT"
fi
if [[ -z ${SLUICE_TEST_USER+set} ]]; then
	if ((EUID == 0)); then
		SLUICE_TEST_USER=$(id -un sluicetest 2>/dev/null) || SLUICE_TEST_USER=
	else
		SLUICE_TEST_USER=$(id -un)
	fi
fi

# ---- requirements: each skips with the reason ----

requires_root() {
	((EUID == 0)) || skip "requires root"
}

requires_user() {
	[[ -n $SLUICE_TEST_USER ]] || skip "requires the unprivileged test user (run via test/run as root)"
	[[ $(id -u "$SLUICE_TEST_USER") != 0 ]] || skip "requires a non-root test user"
}

requires_userns() {
	requires_user
	as_user unshare --user true 2>/dev/null ||
		skip "requires unprivileged user namespaces ($SLUICE_TEST_USER cannot unshare -U)"
}

requires_cmd() {
	local cmd
	for cmd; do
		command -v "$cmd" >/dev/null || skip "requires $cmd"
	done
}

requires_cgroup_v2() {
	[[ -e /sys/fs/cgroup/cgroup.controllers ]] || skip "requires cgroup v2 at /sys/fs/cgroup"
}

# kernel_at_least MAJOR MINOR: the running kernel is that release or newer.
kernel_at_least() {
	local major minor
	IFS=. read -r major minor _ < <(uname -r)
	((major > $1 || (major == $1 && ${minor%%[^0-9]*} >= $2)))
}

# ---- running things ----

# Closes every descriptor but 0, 1 and 2 (bats holds 3, 4 and more), so that
# what a sandbox sees does not depend on the harness.  For subshells only.
_close_extra_fds() {
	local fd
	for fd in "/proc/$BASHPID/fd"/*; do
		fd=${fd##*/}
		if ((fd > 2 && fd < 255)); then
			eval "exec ${fd}>&-"
		fi
	done
}

# run_with_timeout SECS CMD...: CMD's status, or 253 with a message on
# stderr if CMD had to be killed after SECS seconds (KILL 5 s after TERM).
# CMD is a program, not a shell function (see as_user_cmd).
run_with_timeout() {
	local secs=$1 start=$SECONDS status=0
	shift
	timeout --kill-after=5 "$secs" "$@" || status=$?
	if ((status == 124 || status == 137)) && ((SECONDS - start >= secs)); then
		echo "run_with_timeout: killed after ${secs}s: $*" >&2
		return "$TIMEOUT_STATUS"
	fi
	return "$status"
}

# The binary under test, with a timeout and only stdio open.  Use with run:
#   run -0 sluice run -- /bin/probe ids
sluice() {
	(
		_close_extra_fds
		run_with_timeout "$SLUICE_TIMEOUT" "$SLUICE" "$@"
	)
}

# The same, run by the unprivileged test user (call requires_user first).
sluice_user() {
	as_user_cmd || return 1
	(
		_close_extra_fds
		run_with_timeout "$SLUICE_TIMEOUT" "${AS_USER[@]}" "$SLUICE_USER_BIN" "$@"
	)
}

# as_user_cmd: sets the array AS_USER to the words that run a program as the
# test user, for where a shell function cannot go (run_with_timeout,
# bg_start):  bg_start "$out" 30 "${AS_USER[@]}" "$SLUICE_USER_BIN" run ...
# The program runs with HOME, USER and LOGNAME of the user, no
# XDG_RUNTIME_DIR, the rest of the environment kept, in the current
# directory if it is under $SLUICE_TEST_ROOT (else in that root: the user
# may not reach the clone).  Not root: the invoking user is the test user
# and AS_USER is empty.
as_user_cmd() {
	local cwd=$SLUICE_TEST_ROOT home
	AS_USER=()
	((EUID == 0)) || return 0
	if [[ -z $SLUICE_TEST_USER ]]; then
		echo "as_user: no test user (call requires_user first)" >&2
		return 1
	fi
	[[ $PWD/ != "$SLUICE_TEST_ROOT"/* ]] || cwd=$PWD
	home=$(getent passwd "$SLUICE_TEST_USER" | cut -d: -f6)
	AS_USER=(env --chdir="$cwd" --unset=XDG_RUNTIME_DIR HOME="$home"
		USER="$SLUICE_TEST_USER" LOGNAME="$SLUICE_TEST_USER"
		setpriv --reuid="$SLUICE_TEST_USER" --regid="$(id -g "$SLUICE_TEST_USER")"
		--init-groups)
}

# as_user CMD...: runs the program CMD as the test user (see as_user_cmd).
# $SLUICE and $PROBE given as words of CMD become copies the user can reach.
as_user() {
	local -a argv=()
	local arg
	for arg; do
		case $arg in
		"$SLUICE") argv+=("$SLUICE_USER_BIN") ;;
		"$PROBE") argv+=("$PROBE_USER_BIN") ;;
		*) argv+=("$arg") ;;
		esac
	done
	as_user_cmd || return 1
	"${AS_USER[@]}" "${argv[@]}"
}

# with_tty CMD...: runs CMD with a new pseudo-terminal as its controlling
# terminal and stdio (CI has none); carriage returns are dropped.
with_tty() {
	local cmdline
	cmdline=$(printf '%q ' "$@")
	script --quiet --return --flush --command "$cmdline" /dev/null </dev/null | tr -d '\r'
	return "${PIPESTATUS[0]}"
}

# under_asan: true when the binaries under test are the ASan build
# (scripts/sanitizer-suite sets ASAN_OPTIONS for them).
under_asan() {
	[[ -n ${ASAN_OPTIONS:-} ]]
}

# wait_for_file PATH SECS [LINE]: waits until PATH exists (and holds the
# line LINE) for at most SECS (whole) seconds.  The only polling in the suite.
wait_for_file() {
	local path=$1 secs=$2 line=${3-} deadline
	if [[ ! $secs =~ ^[0-9]+$ ]]; then
		echo "wait_for_file: SECS must be whole seconds, not \"$secs\"" >&2
		return 2
	fi
	deadline=$((${EPOCHREALTIME/./} + secs * 1000000))
	until [[ -e $path ]] && { [[ -z $line ]] || grep -qxF -- "$line" "$path"; }; do
		if ((${EPOCHREALTIME/./} >= deadline)); then
			echo "wait_for_file: $path${line:+ holding \"$line\"} did not appear within ${secs}s" >&2
			return 1
		fi
		sleep 0.02
	done
}

# bg_start OUTFILE SECS CMD...: starts the program CMD in the background,
# stdout and stderr to OUTFILE, stdin /dev/null, only fds 0-2 open, killed
# after SECS.  Sets BG_PID (CMD's own pid, to signal it) and BG_JOB (to wait
# on).  One background job at a time.
bg_start() {
	local out=$1 secs=$2 pidfile=$BATS_TEST_TMPDIR/bg.$RANDOM.pid
	shift 2
	(
		_close_extra_fds
		exec </dev/null >"$out" 2>&1
		# shellcheck disable=SC2016 # expanded by the inner sh
		run_with_timeout "$secs" sh -c 'echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' \
			"$pidfile" "$@"
	) &
	BG_JOB=$!
	wait_for_file "$pidfile" 10 || return 1
	BG_PID=$(<"$pidfile")
}

# bg_wait: waits for the job started by bg_start (at most its SECS) and
# sets BG_STATUS.
# shellcheck disable=SC2034 # BG_STATUS is for the test
bg_wait() {
	BG_STATUS=0
	wait "$BG_JOB" || BG_STATUS=$?
}

# bg_kill [SIG]: signals the background command (default KILL) and waits.
bg_kill() {
	kill -s "${1:-KILL}" "$BG_PID" 2>/dev/null || true
	bg_wait
}

# ---- files ----

# scratch_dir [--user]: prints a new directory under $SLUICE_TEST_ROOT,
# reachable by the test user (and owned by it with --user).  test/run
# removes them all at the end of the run.
scratch_dir() {
	local dir
	dir=$(mktemp -d "$SLUICE_TEST_ROOT/t$BATS_TEST_NUMBER.XXXXXX") || return 1
	chmod 755 "$dir"
	if [[ ${1-} == --user ]]; then
		give_to_user "$dir"
	fi
	printf '%s\n' "$dir"
}

# give_to_user PATH...: makes PATHs (recursively) owned by the test user.
give_to_user() {
	if ((EUID == 0)) && [[ -n $SLUICE_TEST_USER ]]; then
		chown -R "$SLUICE_TEST_USER:$(id -g "$SLUICE_TEST_USER")" "$@"
	fi
}

_build_rootfs() {
	local dir=$1 applet
	mkdir -p "$dir"/{bin,dev,etc,proc,root,run,sys,tmp,usr,var/tmp}
	chmod 1777 "$dir/tmp" "$dir/var/tmp"
	chmod 700 "$dir/root"
	cp /bin/busybox "$dir/bin/busybox"
	cp "$PROBE" "$dir/bin/probe"
	for applet in $("$dir/bin/busybox" --list); do
		[[ -e $dir/bin/$applet ]] || ln -s busybox "$dir/bin/$applet"
	done
	ln -s bin "$dir/sbin"
	ln -s ../bin "$dir/usr/bin"
	ln -s ../bin "$dir/usr/sbin"
	printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
		'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$dir/etc/passwd"
	printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$dir/etc/group"
}

# make_rootfs DIR: fills DIR (created if needed) with a busybox rootfs:
# /bin/busybox with its applets, /bin/probe, /etc/passwd and /etc/group,
# empty /dev /proc /sys /tmp.  The first call of a run builds a cached copy;
# later ones make hard links to its files (directories are new, etc/ is a
# real copy): replace a file rather than change it in place.
make_rootfs() {
	local dir=$1 cache=$SLUICE_TEST_ROOT/rootfs.cache tmp
	if [[ ! -x /bin/busybox ]]; then
		echo "make_rootfs: /bin/busybox missing (install busybox-static)" >&2
		return 1
	fi
	if [[ ! -d $cache ]]; then
		tmp=$(mktemp -d "$cache.XXXXXX") || return 1
		chmod 755 "$tmp"
		_build_rootfs "$tmp" || return 1
		mv -T "$tmp" "$cache" 2>/dev/null || rm -rf "$tmp"
	fi
	mkdir -p "$dir"
	if ! cp -al "$cache/." "$dir/" 2>/dev/null; then
		# Another filesystem: copy.  Never cp over a partial hard-linked
		# tree: that would write through the links into the cache.
		rm -rf "$dir" && mkdir -p "$dir" && cp -a "$cache/." "$dir/"
		return
	fi
	rm -rf "${dir:?}/etc" && cp -a "$cache/etc" "$dir/etc"
}

# ---- leftovers ----

# unique_marker: a string to put on a sandboxed command line ("probe ... --
# MARKER") so that assert_no_process can find what it left behind.
unique_marker() {
	printf 'sluice-test-%s-%s-%s\n' "${BATS_TEST_NUMBER:-0}" "$$" "$RANDOM"
}

# assert_no_process MARKER [GRACE]: fails, listing and killing them, if
# processes whose command line holds MARKER still exist GRACE seconds
# (default 2) from now.
assert_no_process() {
	local marker=$1 grace=${2:-2} deadline pids
	deadline=$((SECONDS + grace))
	while pids=$(pgrep -f -- "$marker"); do
		if ((SECONDS >= deadline)); then
			echo "leftover processes matching \"$marker\":" >&2
			# shellcheck disable=SC2086 # one pid per word
			ps -o pid,ppid,stat,user,args -p "$(echo $pids | tr ' ' ,)" >&2 || true
			# shellcheck disable=SC2086
			kill -KILL $pids 2>/dev/null || true
			return 1
		fi
		sleep 0.05
	done
}

# Mount point, filesystem type and source of every mount we can see.
_mounts() {
	awk '{ for (i = 7; $i != "-"; i++); print $5, $(i + 1), $(i + 2) }' /proc/self/mountinfo |
		sort
}

mounts_snapshot() {
	_mounts >"$BATS_TEST_TMPDIR/.mounts.before"
}

# assert_mounts_unchanged: fails, listing them, if mounts appeared since
# mounts_snapshot.
assert_mounts_unchanged() {
	local new
	new=$(_mounts | comm -13 "$BATS_TEST_TMPDIR/.mounts.before" -) || return 1
	if [[ -n $new ]]; then
		printf 'new mounts since the snapshot:\n%s\n' "$new" >&2
		return 1
	fi
}

# The paths that the globs given (default: $SLUICE_LEFTOVER_GLOBS) match.
_glob_paths() {
	local -a globs=("$@")
	local glob path
	if ((${#globs[@]} == 0)); then
		read -ra globs <<<"$SLUICE_LEFTOVER_GLOBS"
	fi
	for glob in "${globs[@]}"; do
		for path in $glob; do
			[[ -e $path || -L $path ]] && printf '%s\n' "$path"
		done
	done | sort -u
}

# tmpdirs_snapshot [GLOB...]: records the paths the globs (default
# $SLUICE_LEFTOVER_GLOBS) match now.
tmpdirs_snapshot() {
	_glob_paths "$@" >"$BATS_TEST_TMPDIR/.tmpdirs.before"
}

# assert_no_tmpdirs [GLOB...]: fails if the globs match paths that did not
# exist at tmpdirs_snapshot (any path, without a snapshot).
# shellcheck disable=SC2120 # the globs are for the tests
assert_no_tmpdirs() {
	local before=$BATS_TEST_TMPDIR/.tmpdirs.before new
	[[ -e $before ]] || : >"$before"
	new=$(_glob_paths "$@" | comm -13 "$before" -) || return 1
	if [[ -n $new ]]; then
		printf 'left behind:\n%s\n' "$new" >&2
		return 1
	fi
}

# own_cgroup_dirs: this shell's own cgroup directory in every cgroup
# hierarchy mounted here (v1 ones, then the cgroup2 one), one a line.
own_cgroup_dirs() {
	local id ctrls path mnt
	while IFS=: read -r id ctrls path; do
		mnt=$(awk -v want="$ctrls" '
			{ for (i = 7; $i != "-"; i++); type = $(i + 1); opts = "," $(i + 3) "," }
			want == "" && type == "cgroup2" { print $5; exit }
			want != "" && type == "cgroup" {
				n = split(want, c, ","); hit = 1
				for (k = 1; k <= n; k++) if (index(opts, "," c[k] ",") == 0) hit = 0
				if (hit) { print $5; exit }
			}' /proc/self/mountinfo)
		[[ -n $mnt && $id =~ ^[0-9]+$ ]] && printf '%s\n' "${mnt%/}${path%/}"
	done </proc/self/cgroup
}

# The cgroups `sluice run` names sluice-PIDNS-PID-START below our own
# cgroups whose launcher is gone: left behind by a run that ended.
_dead_sluice_cgroups() {
	local dir cg name ns pid start now
	while read -r dir; do
		for cg in "$dir"/sluice-*; do
			[[ -d $cg ]] || continue
			name=${cg##*/}
			IFS=- read -r _ ns pid start <<<"$name"
			[[ $ns == "$(stat -L -c %i /proc/self/ns/pid)" ]] || continue
			now=$(awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$pid/stat" 2>/dev/null) || now=
			[[ $now == "$start" ]] || printf '%s\n' "$cg"
		done
	done < <(own_cgroup_dirs)
}

cgroups_snapshot() {
	_dead_sluice_cgroups | sort >"$BATS_TEST_TMPDIR/.cgroups.before"
}

# assert_no_cgroups: fails, listing (and removing) them, if cgroups of
# launchers that are gone appeared below ours since cgroups_snapshot.
assert_no_cgroups() {
	local before=$BATS_TEST_TMPDIR/.cgroups.before new
	[[ -e $before ]] || : >"$before"
	new=$(_dead_sluice_cgroups | sort | comm -13 "$before" -) || return 1
	if [[ -n $new ]]; then
		printf 'cgroups left behind:\n%s\n' "$new" >&2
		# shellcheck disable=SC2086 # one path per word
		rmdir $new 2>/dev/null || true
		return 1
	fi
}

# leftovers_snapshot: the "before" of assert_no_leftovers.
leftovers_snapshot() {
	mounts_snapshot
	_glob_paths >"$BATS_TEST_TMPDIR/.tmpdirs.before"
	cgroups_snapshot
}

# assert_no_leftovers [MARKER]: no process holding MARKER, no new mount, no
# new file matching $SLUICE_LEFTOVER_GLOBS, no cgroup of a sluice run that
# ended, since leftovers_snapshot.
assert_no_leftovers() {
	local ok=0
	if (($#)); then
		assert_no_process "$1" || ok=1
	fi
	assert_mounts_unchanged || ok=1
	# shellcheck disable=SC2119 # the default globs
	assert_no_tmpdirs || ok=1
	assert_no_cgroups || ok=1
	return "$ok"
}

# child_of PID: the first child of PID (the helper of `sluice run`, or the
# workload the helper became), once it exists (5 s at most).
child_of() {
	local pid
	for _ in $(seq 250); do
		pid=$(pgrep -P "$1" | head -n 1) && [[ -n $pid ]] && {
			echo "$pid"
			return 0
		}
		sleep 0.02
	done
	echo "child_of: $1 has no child" >&2
	return 1
}

# ---- assertions that say what differed ----

# fail MESSAGE: fails the test with MESSAGE (as bats-assert's fail does).
fail() {
	printf '%s\n' "$*" >&2
	return 1
}

assert_eq() {
	if [[ $1 != "$2" ]]; then
		printf '%s\nexpected: %s\nactual:   %s\n' "${3:-values differ}" "$2" "$1" >&2
		return 1
	fi
}

assert_contains() {
	if [[ $1 != *"$2"* ]]; then
		printf '%s\nexpected to contain: %s\nactual: %s\n' "${3:-missing text}" "$2" "$1" >&2
		return 1
	fi
}

# assert_status N: checks $status (set by run), showing $output if not N.
assert_status() {
	# shellcheck disable=SC2154 # status and output are set by bats' run
	if [[ $status != "$1" ]]; then
		printf 'expected status %s, got %s; output:\n%s\n' "$1" "$status" "$output" >&2
		return 1
	fi
}
