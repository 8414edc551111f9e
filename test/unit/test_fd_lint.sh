#!/usr/bin/env bash
# The fd lint (scripts/fd-lint, docs/quality.md): first that it catches what
# it is meant to and lets the rest through, then that lib/ and cmd/ pass it.
# TAP; installed as build/test/test_fd_lint and run by test/run from the
# repository (or with SLUICE_REPO set).
set -uo pipefail

repo=${SLUICE_REPO:-$(pwd)}
lint=$repo/scripts/fd-lint
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0

ok() {
	n=$((n + 1))
	if [[ $1 == 0 ]]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

# Each line of bad.c that ends in "// L" must be reported on that line.
cat >"$tmp/bad.c" <<'EOF'
int bad(void)
{
	int p[2], fd;
	fd = open("/x", O_RDONLY);
	fd = openat(dirfd, "y",
		    O_RDONLY | O_NOFOLLOW);
	fd = creat("/x", 0600);
	pipe(p);
	pipe2(p, O_NONBLOCK);
	fd = dup(fd);
	fd = dup3(fd, 9, 0);
	fd = fcntl(fd, F_DUPFD, 3);
	FILE *f = fopen("/etc/passwd", "r");
	f = popen("ls", "r");
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	fd = socketpair(AF_UNIX, SOCK_STREAM, 0, p);
	fd = accept(s, NULL, NULL);
	fd = accept4(s, NULL, NULL, SOCK_NONBLOCK);
	fd = (int)syscall(SYS_memfd_create, "x", 0);
	fd = memfd_create("x", MFD_ALLOW_SEALING);
	fd = signalfd(-1, &set, SFD_NONBLOCK);
	fd = eventfd(0, 0);
	fd = timerfd_create(CLOCK_MONOTONIC, 0);
	fd = epoll_create(1);
	fd = epoll_create1(0);
	fd = inotify_init();
	fd = mkstemp(name);
	n = recvmsg(s, &msg, 0);
	return fd;
}
int bad_openat2(void)
{
	struct open_how how = {.flags = O_RDONLY};
	return (int)syscall(SYS_openat2, -1, "x", &how, sizeof(how));
}
EOF
cat >"$tmp/good.c" <<'EOF'
/* open(path, O_RDONLY) and pipe(p) in a comment are no calls */
static const char *msg = "cannot open(%s) or pipe()";
int open_thing(int fd);
int good(void)
{
	int p[2], fd;
	fd = open("/x", O_RDONLY | O_CLOEXEC);
	fd = openat(dirfd, "y",
		    O_RDONLY | O_CLOEXEC);
	pipe2(p, O_CLOEXEC | O_NONBLOCK);
	fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	fd = fcntl(fd, F_GETFD);
	FILE *f = fopen("/etc/passwd", "re");
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	fd = (int)syscall(SYS_memfd_create, "x", MFD_CLOEXEC);
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	fd = open("/dev/null", O_RDWR); /* the child's stdin: inheritable */
	fd = my_open(1);
	fd = s->open(1);
	n = recvmsg(s, &msg, MSG_CMSG_CLOEXEC);
	return sluice_pidfd_open(3);
}
int good_openat2(void)
{
	struct open_how how = {.flags = O_RDONLY | O_CLOEXEC};
	return (int)syscall(SYS_openat2, -1, "x", &how, sizeof(how));
}
EOF

out=$("$lint" "$tmp/bad.c")
status=$?
ok "$((status == 1 ? 0 : 1))" "bad.c: the lint fails"
for line in 4 5 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 34; do
	grep -q "^$tmp/bad.c:$line: " <<<"$out"
	ok $? "bad.c: line $line is reported: $(sed -n "${line}p" "$tmp/bad.c" | sed 's/^\t*//')"
done
ok "$(($(grep -c "^$tmp/bad.c:" <<<"$out") == 25 ? 0 : 1))" "bad.c: nothing else is reported"

out=$("$lint" "$tmp/good.c")
ok $? "good.c: close-on-exec calls, a justified exception, comments and strings pass"
[[ $out == "fd-lint: 1 files, 0 findings" ]]
ok $? "good.c: no finding printed (got: $out)"

out=$(cd "$repo" && "$lint" lib cmd)
status=$?
ok "$status" "lib/ and cmd/ ask for close-on-exec on every fd they open"
if ((status != 0)); then
	awk '{ print "# " $0 }' <<<"$out"
fi

echo "1..$n"
((failed == 0))
