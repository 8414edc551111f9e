# shellcheck shell=bash
# Helpers for the OCI runtime's scenarios (test/oci*.bats), on top of
# helpers.bash.  Every test keeps its state root under its scratch
# directory (never /run/sluice: other suites watch it) and deletes what it
# created; oci_teardown checks that nothing is left.
#
#   oci_setup            DIR (scratch), ROOT (state root), B (bundle), M (marker)
#   make_bundle DIR [--rootless] ARGS...   busybox rootfs + `sluice spec`, args set
#   cfg DIR JQ-EXPR [JQ-ARGS...]           edit DIR/config.json with jq
#   oci ARGS... / oci_user ARGS...         sluice --root "$ROOT" ARGS
#   oci_create ID [FLAGS...]               create from $B; the container's
#                                          stdout and stderr go to $DIR/ID.log
#   state_of ID KEY                        one field of `state ID`
#   oci_teardown                           delete --force what is left; no leftovers

oci_setup() {
	leftovers_snapshot
	M=$(unique_marker)
	DIR=$(scratch_dir)
	ROOT=$DIR/state
	B=$DIR/bundle
	OCI_USER=
}

# make_bundle DIR [--rootless] ARGS...: DIR/rootfs (busybox and the probe),
# DIR/config.json as `sluice spec` writes it, with process.args = ARGS and
# no terminal (a created container's stdio is create's).
# --rootless: the test user's spec, in a directory it owns.
make_bundle() {
	local dir=$1
	shift
	mkdir -p "$dir"
	make_rootfs "$dir/rootfs" || return 1
	if [[ ${1-} == --rootless ]]; then
		shift
		give_to_user "$dir"
		as_user "$SLUICE" spec --rootless --bundle "$dir" || return 1
	else
		"$SLUICE" spec --bundle "$dir" || return 1
	fi
	cfg "$dir" '.process.args = $a | .process.terminal = false' --argjson a "$(json_strings "$@")"
}

# json_strings ARGS...: the arguments as a JSON array of strings.
json_strings() {
	local a
	for a; do
		jq -n --arg a "$a" '$a'
	done | jq -sc .
}

# cfg DIR EXPR [JQ-ARGS...]: DIR/config.json through jq, in place (the
# owner and mode stay: the rootless tests' files belong to the test user).
cfg() {
	local dir=$1 expr=$2 text
	shift 2
	text=$(jq "$expr" "$@" <"$dir/config.json") || return 1
	printf '%s\n' "$text" >"$dir/config.json"
}

oci() {
	sluice --root "$ROOT" "$@"
}

oci_user() {
	sluice_user --root "$ROOT" "$@"
}

# oci_create ID [FLAGS...]: create ID from $B, detached: the container
# inherits $DIR/ID.log as its stdout and stderr (never bats' pipes, which
# `run` would wait on), and sluice's own messages go there too.
oci_create() {
	local id=$1
	shift
	if [[ -n $OCI_USER ]]; then
		oci_user create --bundle "$B" "$@" "$id" >"$DIR/$id.log" 2>&1 </dev/null
	else
		oci create --bundle "$B" "$@" "$id" >"$DIR/$id.log" 2>&1 </dev/null
	fi
}

# state_of ID KEY: the value of KEY in `state ID` ("" if absent).
state_of() {
	local json
	if [[ -n $OCI_USER ]]; then
		json=$(oci_user state "$1") || return 1
	else
		json=$(oci state "$1") || return 1
	fi
	jq -r --arg k "$2" '.[$k] // ""' <<<"$json"
}

# wait_status ID STATUS [SECS]: until `state ID` says STATUS (default 10 s).
wait_status() {
	local id=$1 want=$2 deadline=$((SECONDS + ${3:-10})) now
	while now=$(state_of "$id" status) && [[ $now != "$want" ]]; do
		if ((SECONDS >= deadline)); then
			echo "wait_status: $id is $now, not $want" >&2
			return 1
		fi
		sleep 0.02
	done
}

# oci_teardown: delete --force every container left under $ROOT, then
# check: no state root content, no process with the marker, no mount, no
# /run/sluice* or /tmp/sluice* path.
oci_teardown() {
	local id ok=0
	if [[ -d $ROOT ]]; then
		for id in $(ls -A "$ROOT"); do
			if [[ -n $OCI_USER ]]; then
				oci_user delete --force "$id" >/dev/null 2>&1 || ok=1
			else
				oci delete --force "$id" >/dev/null 2>&1 || ok=1
			fi
		done
		if [[ -n $(ls -A "$ROOT") ]]; then
			echo "left in the state root: $(ls -A "$ROOT")" >&2
			ok=1
		fi
	fi
	assert_no_leftovers "$M" || ok=1
	return "$ok"
}
