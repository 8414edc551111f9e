#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # single-quoted scripts run elsewhere; bats sets $stderr
# OCI hooks (config.md "POSIX-platform Hooks", docs/oci.md): the six kinds
# at their points and in their namespaces, the state on stdin, args, env,
# timeout, and what a failure does where the spec says so.

load helpers
load oci_helpers

setup() {
	oci_setup
	OUT=$DIR/out
	mkdir -p "$OUT"
	# The hook records what it was given and where it ran: its state
	# (stdin), argv, environment, namespaces and the root it sees.
	cat >"$DIR/hook" <<-'EOF'
		#!/bin/sh
		out=$1/$2
		echo "$0 $*" >"$out.args"
		cat >"$out.state"
		env | sort >"$out.env"
		readlink /proc/self/ns/mnt >"$out.mnt"
		readlink /proc/self/ns/pid >"$out.pid"
		echo "$2" >>"$1/order"
	EOF
	chmod 755 "$DIR/hook"
	make_bundle "$B" /bin/probe signals - -- "$M"
	cp "$DIR/hook" "$B/rootfs/bin/hook"
	# the container's own hook writes to /out, the host's $OUT
	cfg "$B" '.mounts += [{"destination": "/out", "type": "bind", "source": $o, "options": ["rbind"]}]
		| .annotations = {"org.example.k": "v"}' --arg o "$OUT"
}

teardown() {
	oci_teardown
}

# hooks KIND... : one hook of each KIND, all recording into $OUT (the
# startContainer one is the container's /bin/hook, writing to /out).
hooks() {
	local kind spec='{}'
	for kind; do
		if [[ $kind == startContainer ]]; then
			spec=$(jq -c --arg k "$kind" '.[$k] = [{"path": "/bin/hook", "args": ["hook", "/out", $k, "x"]}]' <<<"$spec")
		else
			spec=$(jq -c --arg k "$kind" --arg h "$DIR/hook" --arg o "$OUT" \
				'.[$k] = [{"path": $h, "args": ["hook", $o, $k, "x"], "env": ["HOOK_KIND=" + $k]}]' <<<"$spec")
		fi
	done
	cfg "$B" '.hooks = $h' --argjson h "$spec"
}

@test "all six hooks: in order, at their points, with the state on stdin, their args and env" {
	local pid init_mnt
	hooks prestart createRuntime createContainer startContainer poststart poststop
	oci_create c1 || fail "$(cat "$DIR/c1.log")"
	assert_eq "$(cat "$OUT/order")" $'prestart\ncreateRuntime\ncreateContainer' "create runs three"
	pid=$(state_of c1 pid)
	init_mnt=$(readlink "/proc/$pid/ns/mnt")
	jq -e --arg b "$B" --argjson p "$pid" '. == {"ociVersion": "1.2.1", "id": "c1",
		"status": "creating", "pid": $p, "bundle": $b, "annotations": {"org.example.k": "v"}}' \
		"$OUT/prestart.state" >/dev/null || fail "prestart state: $(cat "$OUT/prestart.state")"
	cmp "$OUT/prestart.state" "$OUT/createRuntime.state"
	# in the container's namespaces the container's own pid: 1
	jq -e '.status == "creating" and .pid == 1' "$OUT/createContainer.state" >/dev/null ||
		fail "createContainer state: $(cat "$OUT/createContainer.state")"
	# (a script's $0 is its path: the kernel drops argv[0] for #!)
	assert_eq "$(cat "$OUT/prestart.args")" "$DIR/hook $OUT prestart x"
	# its env is its own (the shell adds PWD)
	assert_eq "$(grep -v '^PWD=' "$OUT/prestart.env")" "HOOK_KIND=prestart"
	run -0 oci start c1
	wait_for_file "$DIR/c1.log" 10 ready
	assert_eq "$(cat "$OUT/order")" \
		$'prestart\ncreateRuntime\ncreateContainer\nstartContainer\npoststart'
	jq -e '.status == "created" and .pid == 1' "$OUT/startContainer.state" >/dev/null ||
		fail "startContainer state: $(cat "$OUT/startContainer.state")"
	jq -e --argjson p "$pid" '.status == "running" and .pid == $p' "$OUT/poststart.state" \
		>/dev/null || fail "poststart state: $(cat "$OUT/poststart.state")"
	# namespaces: runtime's for prestart, createRuntime, poststart (and
	# poststop); the container's for createContainer and startContainer
	assert_eq "$(cat "$OUT/prestart.mnt")" "$(readlink /proc/self/ns/mnt)"
	assert_eq "$(cat "$OUT/createRuntime.mnt")" "$(readlink /proc/self/ns/mnt)"
	assert_eq "$(cat "$OUT/poststart.mnt")" "$(readlink /proc/self/ns/mnt)"
	assert_eq "$(cat "$OUT/createContainer.mnt")" "$init_mnt"
	assert_eq "$(cat "$OUT/startContainer.mnt")" "$init_mnt"
	assert_eq "$(cat "$OUT/startContainer.pid")" "$(readlink "/proc/$pid/ns/pid")"
	[[ ! -e $OUT/poststop.state ]]
	run -0 oci delete --force c1
	jq -e --arg b "$B" '. == {"ociVersion": "1.2.1", "id": "c1", "status": "stopped",
		"bundle": $b, "annotations": {"org.example.k": "v"}}' "$OUT/poststop.state" >/dev/null ||
		fail "poststop state: $(cat "$OUT/poststop.state")"
	assert_eq "$(tail -n 1 "$OUT/order")" poststop
	[[ ! -e $ROOT/c1 ]] || fail "poststop runs after the container is deleted"
}

@test "a hook without env gets the runtime's environment; without args, argv is its path" {
	cfg "$B" '.hooks = {"prestart": [{"path": $h}]}' --arg h "$DIR/env-hook"
	printf '#!/bin/sh\necho "$0 $#" >%s/argv\nenv >%s/env\n' "$OUT" "$OUT" >"$DIR/env-hook"
	chmod 755 "$DIR/env-hook"
	HOOK_TEST_VAR=from-sluice oci_create c1
	assert_eq "$(cat "$OUT/argv")" "$DIR/env-hook 0"
	grep -qx HOOK_TEST_VAR=from-sluice "$OUT/env"
	run -0 oci delete c1
}

@test "a failing prestart hook: create fails with its output, the container is gone, poststop ran" {
	printf '#!/bin/sh\necho to-out; echo to-err >&2; exit 3\n' >"$DIR/bad"
	chmod 755 "$DIR/bad"
	cfg "$B" '.hooks = {"prestart": [{"path": $b}], "poststop": [{"path": $h, "args": ["hook", $o, "poststop"]}]}' \
		--arg b "$DIR/bad" --arg h "$DIR/hook" --arg o "$OUT"
	run -125 --separate-stderr oci create --bundle "$B" c1
	assert_eq "$stderr" "sluice: error running prestart hook #0 ($DIR/bad): exit status 3, stdout: to-out, stderr: to-err"
	[[ ! -e $ROOT/c1 ]] || fail "the state is left"
	assert_eq "$(cat "$OUT/order")" poststop
	jq -e '.status == "stopped"' "$OUT/poststop.state" >/dev/null
	assert_no_process "$M" 0
}

@test "a failing createContainer hook: create fails, nothing left" {
	cfg "$B" '.hooks = {"createContainer": [{"path": "/bin/false"}]}'
	run -125 --separate-stderr oci create --bundle "$B" c1
	assert_eq "$stderr" \
		"sluice: unable to start container process: mounts: error running createContainer hook #0 (/bin/false): exit status 1"
	[[ ! -e $ROOT/c1 ]]
}

@test "a hook past its timeout is killed and fails the operation" {
	# a child of the hook goes with it
	printf '#!/bin/sh\n%s sleep 100 - -- %s\n' "$PROBE" "$M" >"$DIR/slow"
	chmod 755 "$DIR/slow"
	cfg "$B" '.hooks = {"createRuntime": [{"path": $s, "timeout": 1}]}' --arg s "$DIR/slow"
	run -125 --separate-stderr oci create --bundle "$B" c1
	assert_eq "$stderr" "sluice: error running createRuntime hook #0 ($DIR/slow): it ran past its timeout of 1s"
	[[ ! -e $ROOT/c1 ]]
	assert_no_process "$M" 0
}

@test "a failing startContainer hook: start fails, the container stops" {
	cfg "$B" '.hooks = {"startContainer": [{"path": "/bin/false"}]}'
	oci_create c1
	run -125 --separate-stderr oci start c1
	assert_eq "$stderr" \
		"sluice: unable to start container process: gate: error running startContainer hook #0 (/bin/false): exit status 1"
	wait_status c1 stopped
	assert_eq "$(cat "$DIR/c1.log")" "" "the workload never ran"
	run -0 oci delete c1
}

@test "run: startContainer and poststart hooks at their points, as with create and start; a failing startContainer hook fails the run, nothing left" {
	hooks prestart createRuntime createContainer startContainer poststart poststop
	cfg "$B" '.process.args = ["/bin/probe", "exit", "3"]'
	run -3 oci run --bundle "$B" c1
	assert_eq "$(cat "$OUT/order")" $'prestart\ncreateRuntime\ncreateContainer\nstartContainer\npoststart\npoststop'
	[[ ! -e $ROOT/c1 ]] || fail "run left the container"
	# without poststart hooks the run goes without the exec FIFO (docs/oci.md)
	rm -f "$OUT"/*
	hooks startContainer poststop
	cfg "$B" '.process.args = ["/bin/probe", "exit", "3"]'
	run -3 oci run --bundle "$B" c1
	assert_eq "$(cat "$OUT/order")" $'startContainer\npoststop'
	jq -e '.status == "created" and .id == "c1"' "$OUT/startContainer.state" >/dev/null ||
		fail "startContainer's state: $(cat "$OUT/startContainer.state")"
	cfg "$B" '.hooks = {"startContainer": [{"path": "/bin/false"}]}'
	run -125 --separate-stderr oci run --bundle "$B" c1
	assert_eq "$stderr" \
		"sluice: unable to start container process: gate: error running startContainer hook #0 (/bin/false): exit status 1"
	[[ ! -e $ROOT/c1 ]] || fail "a failed run left the container"
}

@test "a failing poststart hook: start fails and the container is stopped" {
	cfg "$B" '.hooks = {"poststart": [{"path": "/bin/false"}]}'
	oci_create c1
	run -125 --separate-stderr oci start c1
	assert_eq "$stderr" "sluice: error running poststart hook #0 (/bin/false): exit status 1"
	assert_eq "$(state_of c1 status)" stopped
	run -0 oci delete c1
}

@test "a failing poststop hook is a warning: delete succeeds, the later hooks run" {
	cfg "$B" '.hooks = {"poststop": [{"path": "/bin/false"}, {"path": $h, "args": ["hook", $o, "poststop"]}]}' \
		--arg h "$DIR/hook" --arg o "$OUT"
	oci_create c1
	run -0 --separate-stderr oci delete c1
	assert_eq "$stderr" \
		"sluice: warning: error running poststop hook #0 (/bin/false): exit status 1"
	assert_eq "$(cat "$OUT/order")" poststop
	[[ ! -e $ROOT/c1 ]]
}

@test "a hook that cannot be executed, a relative path, a zero timeout: clear errors" {
	cfg "$B" '.hooks = {"prestart": [{"path": "/nonexistent"}]}'
	run -125 --separate-stderr oci create --bundle "$B" c1
	assert_eq "$stderr" "sluice: error running prestart hook #0: cannot execute /nonexistent: No such file or directory"
	cfg "$B" '.hooks = {"prestart": [{"path": "bin/x"}]}'
	run -78 --separate-stderr oci create --bundle "$B" c1
	assert_contains "$stderr" 'hooks.prestart[0].path: "bin/x" is not an absolute path'
	cfg "$B" '.hooks = {"prestart": [{"path": "/bin/x", "timeout": 0}]}'
	run -78 --separate-stderr oci create --bundle "$B" c1
	assert_contains "$stderr" "hooks.prestart[0].timeout: 0 is out of range"
	[[ ! -e $ROOT/c1 ]]
}

@test "sluice run (the sandbox) and sluice init refuse a config with hooks" {
	cfg "$B" '.hooks = {"poststop": [{"path": "/bin/true"}]}'
	run -78 --separate-stderr sluice run --config "$B/config.json" -- /bin/true
	assert_eq "$stderr" "sluice: $B/config.json: hooks are run by the OCI runtime commands only (sluice create, docs/oci.md)"
}

@test "start and delete read the saved config again only for the hooks it has (the record says which)" {
	# without poststart/poststop hooks: a damaged saved config is never read
	hooks prestart
	oci_create c1 || fail "$(cat "$DIR/c1.log")"
	echo 'process: [' >"$ROOT/c1/config.yaml"
	run -0 --separate-stderr oci start c1
	run -0 --separate-stderr oci delete --force c1
	assert_eq "$stderr" "" "delete of a container without poststop hooks"
	# with a poststop hook it is read: damaged, delete says so and goes on
	hooks poststop
	oci_create c2 || fail "$(cat "$DIR/c2.log")"
	echo 'process: [' >"$ROOT/c2/config.yaml"
	run -0 --separate-stderr oci delete --force c2
	assert_contains "$stderr" "no saved config, no poststop hooks"
	[[ ! -e $OUT/poststop.state ]] || fail "a poststop hook ran from a config that is unreadable"
	[[ ! -d $ROOT/c2 ]] || fail "the state directory is left"
}
