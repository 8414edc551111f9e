#!/usr/bin/env bats
# buildah bud with the runtime under test (`--runtime`, isolation oci, no
# network): a Containerfile whose RUN steps write files, use ENV, WORKDIR
# and USER, and a failing RUN step.  Expectations are what a user sees
# with runc (docs/clients.md).

load helpers

setup_file() {
	# containers/image keeps a blob cache in /var/lib/containers/cache,
	# whatever --root says, and big temporary files in /var/tmp, whatever
	# TMPDIR says: tmpfs on both in the namespace.
	export CLIENTS_NEED_SECCOMP=1
	clients_setup buildah buildah -- /var/lib /var/tmp || return 1
	[[ -z $CLIENTS_SKIP ]] || return 0
	local dir=$CLIENT_DIR/buildah
	mkdir -p "$dir/tmp" "$dir/context"
	# Storage of our own; the run root (at most 50 characters) on the
	# namespace's /run; RUN steps' bundles under $TMPDIR.
	printf '[storage]\ndriver = "vfs"\nrunroot = "/run/buildah"\ngraphroot = "%s"\n' \
		"$dir/root" >"$dir/storage.conf"
	BUILDAH=$(ns_command buildah env CONTAINERS_STORAGE_CONF="$dir/storage.conf" \
		CONTAINERS_CONF=/dev/null CONTAINERS_REGISTRIES_CONF=/dev/null TMPDIR="$dir/tmp" \
		buildah --root "$dir/root" --runroot /run/buildah --storage-driver vfs)
	export BUILDAH
	buildah_ pull --quiet "oci-archive:$CLIENT_OCI_TAR" >/dev/null
}

teardown_file() {
	[[ -n ${CLIENT_DIR:-} ]] || return 0
	buildah_ rm --all >/dev/null 2>&1
	clients_teardown
}

setup() {
	clients_require
}

# buildah_ ARGS...: the suite's buildah, with a time limit.
buildah_() {
	clients_cmd "$CLIENT_TIMEOUT" "$BUILDAH" "$@"
}

# bud CONTAINERFILE TAG: buildah bud with the runtime under test.
bud() {
	local file=$1 tag=$2 context=$CLIENT_DIR/buildah/context
	cp "$file" "$context/Containerfile"
	buildah_ bud --runtime "$CLIENT_RT_BIN" --isolation oci --network none \
		--cgroup-parent "$CLIENT_CGROUP" --ulimit nofile=20000:20000 \
		--layers=false --tag "$tag" --file "$context/Containerfile" "$context"
}

# image_file TAG PATH: prints PATH from the image TAG (a working container,
# mounted: with vfs, a directory).
image_file() {
	local ctr mnt
	ctr=$(buildah_ from --quiet "$1") || return 1
	mnt=$(buildah_ mount "$ctr") || return 1
	cat "$mnt$2"
	buildah_ rm "$ctr" >/dev/null
}

@test "buildah bud --runtime: RUN steps build the image" {
	cat >"$BATS_TEST_TMPDIR/Containerfile" <<-'EOF'
		FROM localhost/busybox:latest
		RUN echo built by RUN >/built.txt && cat /built.txt
		RUN ["sh", "-c", "echo exec form; test -f /built.txt"]
		ENV GREETING=hello
		WORKDIR /work
		RUN echo "$GREETING from $(pwd)" >greeting.txt
		USER 65534:65534
		RUN id -u >/tmp/uid.txt; cat /tmp/uid.txt
		USER root
		RUN probe caps | grep -E '^(CapEff|NoNewPrivs|Seccomp):' >/caps.txt
	EOF
	run -0 bud "$BATS_TEST_TMPDIR/Containerfile" localhost/built
	assert_output_line "built by RUN"
	assert_output_line "exec form"
	assert_output_line 65534
	run -0 image_file localhost/built /built.txt
	assert_eq "$output" "built by RUN"
	run -0 image_file localhost/built /work/greeting.txt
	assert_eq "$output" "hello from /work"
	run -0 image_file localhost/built /tmp/uid.txt
	assert_eq "$output" 65534
	# RUN steps get buildah's default capabilities and seccomp, as with runc.
	run -0 image_file localhost/built /caps.txt
	assert_output_line "CapEff: $(cap_mask CAP_AUDIT_WRITE CAP_CHOWN CAP_DAC_OVERRIDE CAP_FOWNER \
		CAP_FSETID CAP_KILL CAP_MKNOD CAP_NET_BIND_SERVICE CAP_NET_RAW CAP_SETFCAP CAP_SETGID \
		CAP_SETPCAP CAP_SETUID CAP_SYS_CHROOT)"
	assert_output_line "Seccomp: 2"
}

@test "buildah bud: a failing RUN step fails the build with its status" {
	cat >"$BATS_TEST_TMPDIR/Containerfile" <<-'EOF'
		FROM localhost/busybox:latest
		RUN echo before the failure
		RUN sh -c 'echo failing >&2; exit 7'
		RUN echo never
	EOF
	run bud "$BATS_TEST_TMPDIR/Containerfile" localhost/failed
	((status != 0))
	assert_output_line "before the failure"
	assert_contains "$output" "exit status 7"
	[[ $output != *never* ]] || fail "a step after the failed one ran"
	run buildah_ inspect localhost/failed
	((status != 0))
}

@test "buildah run --runtime: a command in a working container" {
	local ctr
	run -0 buildah_ from --quiet localhost/busybox:latest
	ctr=${lines[-1]}
	run -0 buildah_ run --runtime "$CLIENT_RT_BIN" --isolation oci --network none \
		"$ctr" -- sh -c 'echo in $(pwd); exit 0'
	assert_eq "$output" "in /"
	run -5 buildah_ run --runtime "$CLIENT_RT_BIN" --isolation oci --network none \
		"$ctr" -- sh -c 'exit 5'
	run -0 buildah_ rm "$ctr"
}
