#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154 # single-quoted scripts run in the sandbox; bats sets $stderr
# The command line: --version, --help, usage errors (64, with a message
# naming the option), and `sluice run --print-config`, whose YAML loads back
# to the same text and shows every override (docs/exit-codes.md).

load helpers

setup() {
	leftovers_snapshot
	M=$(unique_marker)
}

# The options of `sluice run` a user relies on (docs/config.md).
RUN_OPTIONS=(config rootfs read-only read-write bind ro-bind tmpfs env cwd hostname uid gid
	cap-add cap-drop share-net timeout kill-grace stdin stdout stderr preserve-fds init
	print-config help)

# ---- sluice ----

@test "sluice --version prints the version as runc lays it out, exit 0" {
	local arg
	run -0 --separate-stderr sluice --version
	[[ ${lines[0]} =~ ^sluice\ version\ [0-9]+\.[0-9]+\.[0-9]+$ ]] ||
		fail_with "not a version line: ${lines[0]}"
	[[ ${lines[1]} =~ ^spec:\ 1\.[0-9]+\.[0-9]+$ ]] || fail_with "no spec version: ${lines[1]}"
	assert_eq "${#lines[@]}" 2
	assert_eq "$stderr" ""
	local version=$output
	for arg in version -v; do
		run -0 sluice "$arg"
		assert_eq "$output" "$version"
	done
}

@test "sluice --help lists the commands on stdout, exit 0" {
	local arg
	for arg in --help -h help; do
		run -0 --separate-stderr sluice "$arg"
		assert_contains "$output" "usage: sluice [GLOBAL FLAG...] COMMAND"
		assert_contains "$output" "  run "
		assert_contains "$output" "  init "
		assert_contains "$output" "--version"
		assert_eq "$stderr" ""
	done
}

@test "sluice without a command: usage on stderr, exit 64" {
	run -64 --separate-stderr sluice
	assert_eq "$output" ""
	assert_contains "$stderr" "usage: sluice [GLOBAL FLAG...] COMMAND"
}

@test "an unknown command: a message naming it, exit 64" {
	run -64 --separate-stderr sluice frobnicate
	assert_eq "$output" ""
	assert_eq "$stderr" 'sluice: unknown command "frobnicate" (see sluice --help)'
}

# ---- sluice run: help and usage errors ----

@test "sluice run --help lists every option, exit 0" {
	local name
	run -0 --separate-stderr sluice run --help
	assert_contains "$output" "usage: sluice run [OPTION...] [--] COMMAND [ARG...]"
	for name in "${RUN_OPTIONS[@]}"; do
		assert_contains "$output" "--$name" "sluice run --help does not list --$name"
	done
	assert_contains "$output" "-t, --timeout SECS"
	assert_contains "$output" "-b, --bind SRC[:DEST]"
	assert_contains "$output" "docs/exit-codes.md"
	assert_eq "$stderr" ""
}

@test "every option sluice run --help lists is one it accepts" {
	local help line name arg n=0
	help=$(sluice run --help)
	while read -r line; do
		[[ $line =~ (^|\ )--([a-z-]+)(\ ([^ ]+))? ]] || continue
		name=${BASH_REMATCH[2]} arg=${BASH_REMATCH[4]}
		n=$((n + 1))
		if [[ -n $arg ]]; then
			run -0 sluice run "--$name=$arg" --help
		else
			run -0 sluice run "--$name" --help
		fi
	done < <(grep -E '^ +(-[a-z], )?--' <<<"$help")
	((n >= ${#RUN_OPTIONS[@]})) || fail_with "only $n options found in the help"
}

@test "an unknown option of sluice run: a message naming it, exit 64, nothing runs" {
	local opt
	for opt in --frobnicate -x --init-ish; do
		run -64 --separate-stderr sluice run "$opt" -- "$PROBE" sleep 30 -- "$M"
		assert_eq "$output" ""
		assert_eq "$stderr" "sluice: run: unknown option $opt (see sluice run --help)"
	done
	assert_no_leftovers "$M"
}

@test "an option missing its value: exit 64" {
	local opt
	for opt in --timeout --bind --config --hostname -e -t; do
		run -64 --separate-stderr sluice run "$opt"
		assert_eq "$output" ""
		assert_contains "$stderr" "sluice: run: $opt needs "
	done
	run -64 --separate-stderr sluice run --uid
	assert_eq "$stderr" "sluice: run: --uid needs N"
}

@test "--timeout abc and other bad numbers: exit 64 with the value, nothing runs" {
	local args
	for args in "--timeout abc" "-t abc" "--timeout -1" "--timeout nan" "--kill-grace 5s" \
		"--uid -1" "--gid x" "--preserve-fds many" "--remap-exit 256"; do
		# shellcheck disable=SC2086 # option and value
		run -64 --separate-stderr sluice run $args -- "$PROBE" sleep 30 -- "$M"
		assert_eq "$output" ""
		assert_contains "$stderr" "sluice: run: "
		assert_contains "$stderr" "${args#* }"
	done
	run -64 --separate-stderr sluice run --timeout abc -- true
	assert_eq "$stderr" "sluice: run: --timeout: not a number of seconds: abc"
	assert_no_leftovers "$M"
}

@test "a flag given a value, a bad mode or capability: exit 64" {
	run -64 --separate-stderr sluice run --init=yes -- true
	assert_eq "$stderr" "sluice: run: --init takes no value"
	run -64 --separate-stderr sluice run --stdout sideways -- true
	assert_contains "$stderr" "--stdout sideways: expected inherit, null, pipe or file:PATH"
	run -64 --separate-stderr sluice run --cap-add CAP_FROBNICATE -- true
	assert_eq "$stderr" 'sluice: --cap-add: unknown capability "CAP_FROBNICATE"'
	run -64 --separate-stderr sluice run --cwd relative/dir -- true
	assert_contains "$stderr" "--cwd: must be an absolute path inside the sandbox: relative/dir"
}

@test "a missing --config file or --bind source: exit 78 naming it" {
	local dir
	dir=$(scratch_dir)
	run -78 --separate-stderr sluice run --config "$dir/nope.yaml" -- true
	assert_eq "$output" ""
	assert_contains "$stderr" "$dir/nope.yaml"
	assert_contains "$stderr" "No such file or directory"
	run -78 --separate-stderr sluice run --bind "$dir/nope" -- true
	assert_eq "$stderr" "sluice: --bind $dir/nope: No such file or directory"
}

@test "sluice run with no command: a clear message, exit 78" {
	run -78 --separate-stderr sluice run
	assert_eq "$output" ""
	assert_eq "$stderr" "sluice: <default>: no command: give one on the command line or in process.args"
	run -78 --separate-stderr sluice run --hostname x --
	assert_contains "$stderr" "no command"
}

# ---- --print-config ----

@test "--print-config prints YAML that loads back to the identical text" {
	local dir
	dir=$(scratch_dir)
	run -0 --separate-stderr sluice run --print-config
	assert_eq "$stderr" ""
	assert_contains "$output" "process:"
	assert_contains "$output" "  - /bin/sh" "a config printed to start from has a command"
	printf '%s\n' "$output" >"$dir/printed.yaml"
	run -0 sluice run --config "$dir/printed.yaml" --print-config
	assert_eq "$output" "$(cat "$dir/printed.yaml")"
	# From a pipe, as `--config <(sluice run --print-config)`.
	run -0 run_with_timeout "$SLUICE_TIMEOUT" "$SLUICE" run --config <(cat "$dir/printed.yaml") \
		--print-config
	assert_eq "$output" "$(cat "$dir/printed.yaml")"
}

@test "--print-config with a command and overrides loads back identically" {
	local dir
	dir=$(scratch_dir)
	run -0 sluice run --print-config --hostname x --env FOO=bar --bind "$dir:/data" --init \
		--timeout 9 -- "$PROBE" exit 3
	printf '%s\n' "$output" >"$dir/printed.yaml"
	run -0 sluice run --config "$dir/printed.yaml" --print-config
	assert_eq "$output" "$(cat "$dir/printed.yaml")"
}

@test "--print-config reflects --hostname, --env and --bind" {
	local dir
	dir=$(scratch_dir)
	mkdir "$dir/src"
	run -0 sluice run --print-config --hostname x --env FOO=bar --env PATH=/only/here \
		--bind "$dir/src:/data" --ro-bind "$dir/src:/ro" -- "$PROBE" env
	assert_contains "$output" $'\nhostname: x\n'
	assert_contains "$output" $'  - PATH=/only/here\n' "--env replaces PATH"
	assert_contains "$output" $'  - FOO=bar\n'
	[[ $output != *PATH=/usr/local/sbin* ]] || fail_with "the default PATH is still there"
	assert_contains "$output" "$(printf '%s\n' '- destination: /data' '  type: bind' \
		"  source: $dir/src" '  options:' '  - rbind' '  - rw')"
	assert_contains "$output" "$(printf '%s\n' '- destination: /ro' '  type: bind' \
		"  source: $dir/src" '  options:' '  - rbind' '  - ro')"
	assert_contains "$output" "$(printf '%s\n' '  args:' "  - $PROBE" '  - env')"
}

@test "what --print-config shows is what the sandbox gets" {
	local rootfs
	rootfs=$(scratch_dir)/rootfs
	make_rootfs "$rootfs"
	run -0 sluice run --rootfs "$rootfs" --hostname shown --env FOO=bar --print-config -- probe env
	assert_contains "$output" $'\nhostname: shown\n'
	assert_contains "$output" $'  - FOO=bar\n'
	run -0 sluice run --rootfs "$rootfs" --hostname shown --env FOO=bar -- \
		sh -c 'probe hostname; probe env'
	assert_eq "${lines[0]}" "hostname: shown"
	assert_contains "$(printf '\n%s\n' "$output")" $'\nFOO=bar\n'
}

@test "--print-config as the test user: a user namespace mapping the user, and it loads back" {
	requires_user
	local dir uid gid
	dir=$(scratch_dir --user)
	uid=$(id -u "$SLUICE_TEST_USER") gid=$(id -g "$SLUICE_TEST_USER")
	run -0 --separate-stderr sluice_user run --print-config
	assert_eq "$stderr" ""
	assert_contains "$output" "  - type: user"
	assert_contains "$output" "$(printf '%s\n' '  uidMappings:' "  - containerID: $uid" \
		"    hostID: $uid" '    size: 1')"
	assert_contains "$output" "$(printf '%s\n' '  gidMappings:' "  - containerID: $gid" \
		"    hostID: $gid" '    size: 1')"
	printf '%s\n' "$output" >"$dir/printed.yaml"
	give_to_user "$dir/printed.yaml"
	run -0 sluice_user run --config "$dir/printed.yaml" --print-config
	assert_eq "$output" "$(cat "$dir/printed.yaml")"
}

@test "--print-config as the test user reflects overrides" {
	requires_user
	local dir
	dir=$(scratch_dir --user)
	run -0 sluice_user run --print-config --hostname userhost --env FOO=bar --bind "$dir:/data" -- true
	assert_contains "$output" $'\nhostname: userhost\n'
	assert_contains "$output" $'  - FOO=bar\n'
	assert_contains "$output" "$(printf '%s\n' '- destination: /data' '  type: bind' "  source: $dir")"
}

# fail_with MESSAGE: fails the test with MESSAGE.
fail_with() {
	echo "$1" >&2
	return 1
}
