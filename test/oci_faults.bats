#!/usr/bin/env bats
# shellcheck disable=SC2154 # bats sets $stderr
# Fault injection for the OCI runtime (docs/quality.md, docs/oci.md "State
# and crashes"), with the fault build (build-fault/sluice, SLUICE_FAULT):
# a failure at every step of create is reported and leaves nothing, a
# failure after create is start's error, and a sluice create SIGKILLed
# while the helper stands at any step leaves a state that delete --force
# cleans completely.

load helpers
load oci_helpers

FAULT_SLUICE=${SLUICE_FAULT_BIN:-$SLUICE_REPO/build-fault/sluice}

# The helper's steps in create: read-config, lib/init/helper.c's steps[]
# (faults.bats keeps that list in step with the source), then the OCI
# tail of oci_finish(): lookup, detach (exec only), ready, recorded.
CREATE_STEPS=(read-config session oom-score-adj namespaces hostname sysctl nested-userns network mounts terminal
	cwd rlimits umask personality cpu-affinity scheduler io-priority memory-policy tty-guard capabilities-bounding
	identity capabilities no-new-privileges parent-death-signal lookup detach ready recorded)

@test "the OCI fault tests cover the steps of lib/init/helper.c's steps[] and the OCI tail" {
	local listed tail
	listed=$(sed -n '/^static const struct step steps\[\] = {/,/^};/s/^\t{ *"\([a-z-]*\)",.*/\1/p' \
		"$SLUICE_REPO/lib/init/helper.c" | tr '\n' ' ')
	tail=$(sed -n '/^static __attribute__((noreturn)) void oci_finish/,/^}/p' \
		"$SLUICE_REPO/lib/init/helper.c" | grep -o '{ "[a-z-]*", oci_' | cut -d'"' -f2 | tr '\n' ' ')
	assert_eq "read-config $listed$tail" "${CREATE_STEPS[*]} init controlling-terminal gate " \
		"helper.c's steps and CREATE_STEPS here"
}

setup() {
	[[ $BATS_TEST_NAME == *cover_the_steps* ]] && return 0
	[[ -x $FAULT_SLUICE ]] || skip "requires the fault-injection build $FAULT_SLUICE (make fault)"
	oci_setup
	make_bundle "$B" /bin/probe sleep 100 - -- "$M"
}

teardown() {
	[[ -x $FAULT_SLUICE && -n ${ROOT-} ]] || return 0
	oci_teardown
	assert_no_helper
}

# fault_oci STEP ARGS...: the fault build failing at STEP, with --root.
fault_oci() {
	local step=$1
	shift
	(
		_close_extra_fds
		run_with_timeout "$SLUICE_TIMEOUT" env SLUICE_FAULT="$step" SLUICE_TEST_MARKER="$M" \
			"$FAULT_SLUICE" --root "$ROOT" "$@"
	)
}

# No process with this test's marker in its environment (helpers,
# intermediate processes, containers not yet exec'd), 2 seconds' grace.
assert_no_helper() {
	local deadline=$((SECONDS + 2)) pids
	while pids=$(grep -lzx "SLUICE_TEST_MARKER=$M" /proc/[0-9]*/environ 2>/dev/null); do
		[[ -n $pids ]] || return 0
		if ((SECONDS >= deadline)); then
			echo "processes left behind: $(echo "$pids" | cut -d/ -f3 | tr '\n' ' ')" >&2
			return 1
		fi
		sleep 0.05
	done
}

assert_empty_root() {
	[[ ! -e $ROOT ]] || assert_eq "$(ls -A "$ROOT")" "" "the state root"
}

# create_fails_at STEP: create fails there, 125, one line naming the step,
# nothing left.
create_fails_at() {
	local step=$1
	run --separate-stderr fault_oci "$step" create --bundle "$B" c1 </dev/null
	assert_status 125 || return 1
	assert_eq "$stderr" \
		"sluice: unable to start container process: $step: fault injected: Input/output error" \
		"at step $step" || return 1
	assert_empty_root || return 1
	assert_no_helper || return 1
	assert_no_leftovers "$M"
}

@test "create: a fault at every step of the helper is create's error, and nothing is left" {
	local step
	for step in "${CREATE_STEPS[@]}"; do
		create_fails_at "$step" || {
			echo "(at step $step)" >&2
			return 1
		}
	done
}

@test "create with a joined namespace (the helper forks): a fault at every step, nothing left" {
	requires_root
	cfg "$B" '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' \
		--arg p "/proc/$$/ns/net"
	local step
	for step in "${CREATE_STEPS[@]}"; do
		create_fails_at "$step" || {
			echo "(at step $step)" >&2
			return 1
		}
	done
}

@test "faults after create (sluice's init, the exec FIFO, the exec): start's error, or the container's" {
	cfg "$B" '.sluice = {"init": true}'
	local step
	for step in init controlling-terminal gate exec; do
		fault_oci "$step" create --bundle "$B" c1 >"$DIR/c1.log" 2>&1 </dev/null
		if [[ $step == exec ]]; then
			# after the FIFO: the helper tells start through it
			run -125 --separate-stderr fault_oci "$step" start c1
			assert_eq "$stderr" \
				"sluice: unable to start container process: $step: fault injected: Input/output error"
		else
			# before the FIFO (create has returned): start finds the
			# container stopped; the reason went to its stderr
			run -1 --separate-stderr fault_oci "$step" start c1
			assert_eq "$stderr" "sluice: cannot start a container that has stopped"
			assert_eq "$(cat "$DIR/c1.log")" "sluice: $step: fault injected: Input/output error"
		fi
		wait_status c1 stopped
		run -0 fault_oci "$step" delete c1
		assert_empty_root
		assert_no_helper
	done
}

# killed_at STEP [CREATE-FLAGS...]: sluice create stands while the helper
# hangs at STEP; SIGKILL it there, then delete --force: nothing left.
killed_at() {
	local step=$1 out=$DIR/create.out
	shift
	bg_start "$out" 60 env SLUICE_FAULT="$step:hang" SLUICE_TEST_MARKER="$M" \
		"$FAULT_SLUICE" --root "$ROOT" create --bundle "$B" "$@" c1
	wait_for_file "$out" 20 "sluice: $step: fault injected: waiting for SIGKILL" || return 1
	bg_kill KILL
	run -0 "$SLUICE" --root "$ROOT" delete --force c1
	assert_empty_root || return 1
	assert_no_helper || return 1
	assert_no_leftovers "$M"
}

@test "sluice create SIGKILLed at every step: delete --force leaves nothing" {
	local step
	for step in "${CREATE_STEPS[@]}"; do
		killed_at "$step" || {
			echo "(at step $step)" >&2
			return 1
		}
	done
}

@test "sluice create SIGKILLed at every step, the helper forking: delete --force leaves nothing" {
	requires_root
	cfg "$B" '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' \
		--arg p "/proc/$$/ns/net"
	local step
	for step in "${CREATE_STEPS[@]}"; do
		killed_at "$step" || {
			echo "(at step $step)" >&2
			return 1
		}
	done
}

@test "exec: a fault at every step of the joining helper is exec's error; the container is untouched" {
	oci_create c1
	run -0 oci start c1
	local step pid detach
	pid=$(state_of c1 pid)
	for step in read-config session namespaces oom-score-adj terminal cwd rlimits umask personality cpu-affinity \
		scheduler io-priority memory-policy tty-guard capabilities-bounding identity capabilities \
		no-new-privileges parent-death-signal lookup detach ready controlling-terminal exec; do
		for detach in "" --detach; do
			run --separate-stderr fault_oci "$step" exec $detach c1 /bin/true </dev/null
			assert_status 125
			assert_contains "$stderr" "$step: fault injected: Input/output error" "at $step"
			assert_eq "$(state_of c1 pid)" "$pid"
		done
	done
	run -0 oci delete --force c1
}
