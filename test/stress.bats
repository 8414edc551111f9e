#!/usr/bin/env bats
# Stress (docs/quality.md): many sandboxes in a row and at once, through
# `sluice run` and through libsluice in one long-lived process.  Every exit
# status must be right, and nothing may pile up: no zombie, no process left,
# no fd or memory growth in the long-lived process, no mount on the host.
#
# The counts are variables (CI uses the defaults):
#   SLUICE_STRESS_RUNS      sluice run, one after another   (1000)
#   SLUICE_STRESS_PARALLEL  sluice run, all at once         (100)
#   SLUICE_STRESS_LOOP      sluice_run() in one process     (1000)
# Each test prints its timing as a TAP comment ("# ...").

load helpers

RUNS=${SLUICE_STRESS_RUNS:-1000}
PARALLEL=${SLUICE_STRESS_PARALLEL:-100}
LOOP_RUNS=${SLUICE_STRESS_LOOP:-1000}
LOOP=${SLUICE_LOOP_BIN:-$(dirname "$SLUICE")/test/libsluice_loop}

setup_file() {
	ROOTFS=$(scratch_dir)/rootfs
	make_rootfs "$ROOTFS"
	export ROOTFS
}

setup() {
	leftovers_snapshot
	M=$(unique_marker)
}

note() { echo "# $*" >&3; }

elapsed() { # START (an $EPOCHREALTIME): seconds since, with 2 decimals
	local us=$((${EPOCHREALTIME/./} - ${1/./}))
	printf '%d.%02d' $((us / 1000000)) $((us % 1000000 / 10000))
}

# descendants ROOT: the processes below ROOT ("pid ppid state args"),
# leaving out the subshell this runs in with what it runs (ps, awk), and
# bats' own watchdog for BATS_TEST_TIMEOUT.
descendants() {
	local self=$BASHPID
	ps -eo pid=,ppid=,stat=,args= | awk -v root="$1" -v self="$self" '
		{ parent[$1] = $2; line[$1] = $0; if ($0 ~ /bats-exec-test|bats-core/) skip[$1] = 1 }
		END {
			delete skip[root]
			for (p in parent) {
				if (p == self || skip[p])
					continue
				for (q = parent[p]; q > 1 && q != self && !skip[q]; q = parent[q])
					if (q == root) {
						print line[p]
						break
					}
			}
		}'
}

# assert_no_descendants: nothing left below the test's shell, zombie or not.
assert_no_descendants() {
	local root=$BASHPID left
	left=$(descendants "$root")
	if [[ -n $left ]]; then
		printf 'processes left below the test (pid ppid state args):\n%s\n' "$left" >&2
		return 1
	fi
}

@test "sluice run: $RUNS sandboxes in a row, every status right, nothing left" {
	local i status start bad=0
	start=$EPOCHREALTIME
	for ((i = 0; i < RUNS; i++)); do
		status=0
		sluice run -- /bin/sh -c 'exit $(($1 % 7))' "$M" "$i" || status=$?
		if ((status != i % 7)); then
			echo "run $i: status $status, expected $((i % 7))" >&2
			bad=$((bad + 1))
			((bad < 10)) || break
		fi
	done
	note "$RUNS sandboxes in a row (sluice run, embedded default): $(elapsed "$start") s"
	((bad == 0))
	assert_no_descendants
	assert_no_leftovers "$M"
}

@test "sluice run: $PARALLEL sandboxes at once (half --init with relayed stdio), every status and output right, nothing left" {
	local dir i start bad=0 go
	local -a pids=()
	dir=$(scratch_dir)
	mkfifo "$dir/go"
	# The first ones wait for the last to start: on a loaded machine that
	# takes longer than one sandbox's usual time limit.
	local SLUICE_TIMEOUT=$((SLUICE_TIMEOUT > 300 ? SLUICE_TIMEOUT : 300))
	start=$EPOCHREALTIME
	for ((i = 0; i < PARALLEL; i++)); do
		local -a opts=()
		((i % 2)) && opts=(--init --stdout pipe --stderr pipe)
		# Each one waits until all have started, so that they overlap:
		# blocked on a FIFO (100 shells polling in a loop kept both CPUs
		# busy with their sleeps, which slowed the starts: 20-70 s).
		sluice run "${opts[@]}" --rootfs "$ROOTFS" --ro-bind "$dir:/shared" -- \
			sh -c 'read -r _ </shared/go; echo "out $1"; exit $(($1 % 100))' \
			"$M" "$i" >"$dir/out.$i" 2>&1 &
		pids+=($!)
	done
	# Opened only now (no sandbox inherits it), read-write so that the
	# open does not wait; one line for each sandbox, and held open until
	# all are done, as a reader's open waits for a writer.
	exec {go}<>"$dir/go"
	printf '\n%.0s' $(seq "$PARALLEL") >&"$go"
	for ((i = 0; i < PARALLEL; i++)); do
		local status=0
		wait "${pids[i]}" || status=$?
		if ((status != i % 100)) || [[ $(cat "$dir/out.$i") != "out $i" ]]; then
			printf 'sandbox %d: status %d (expected %d), output: %s\n' "$i" "$status" $((i % 100)) \
				"$(cat "$dir/out.$i")" >&2
			bad=$((bad + 1))
		fi
	done
	exec {go}>&-
	note "$PARALLEL sandboxes at once (sluice run, busybox rootfs): $(elapsed "$start") s"
	((bad == 0))
	assert_no_descendants
	assert_no_leftovers "$M"
}

@test "libsluice: $LOOP_RUNS sluice_run() calls in one process: statuses right, fds, children, mounts and memory flat" {
	[[ -x $LOOP ]] || skip "requires $LOOP (make unit)"
	local start
	start=$EPOCHREALTIME
	run --separate-stderr run_with_timeout 1200 "$LOOP" -n "$LOOP_RUNS" -s 3 -- /bin/sh -c 'exit 3' "$M"
	# shellcheck disable=SC2154 # set by run --separate-stderr
	[[ -z $stderr ]] || echo "$stderr" >&2
	assert_status 0
	note "$output"
	note "$LOOP_RUNS sluice_run() calls in one process: $(elapsed "$start") s"
	assert_no_descendants
	assert_no_leftovers "$M"
}

@test "libsluice: relayed stdio and --init in a loop: output, fds and memory flat" {
	[[ -x $LOOP ]] || skip "requires $LOOP (make unit)"
	local cfg=$BATS_TEST_TMPDIR/relay.yaml n=$((LOOP_RUNS / 4 > 0 ? LOOP_RUNS / 4 : 1))
	cat >"$cfg" <<-EOF
		root: {path: $ROOTFS}
		process: {cwd: /, args: [/bin/sh, -c, 'echo out; echo err >&2; exit 4', $M]}
		sluice: {init: true, stdin: "null", stdout: pipe, stderr: pipe}
	EOF
	run --separate-stderr run_with_timeout 1200 "$LOOP" -n "$n" -s 4 -c "$cfg"
	assert_status 0
	assert_eq "$(grep -c '^out$' <<<"$output")" "$n" "every run's stdout relayed"
	assert_eq "$(grep -c '^err$' <<<"$stderr")" "$n" "every run's stderr relayed"
	note "$(tail -n 1 <<<"$output")"
	assert_no_descendants
	assert_no_leftovers "$M"
}
