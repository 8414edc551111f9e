/* seccomp_agent: a small seccomp agent for test/seccomp.bats, written the
 * way agents for runc and crun are (config-linux.md "listenerPath").
 *
 *   seccomp_agent SOCKET STATEFILE [READYFILE]
 *
 * Listens on the unix socket SOCKET, takes one connection: the container
 * process state (JSON) with the listener fd in SCM_RIGHTS.  Writes the
 * JSON to STATEFILE, then answers notifications until the sandbox is gone:
 *   getppid          returns 4242 on the container's behalf
 *   mkdir, mkdirat   fail with EXDEV (the directory is not made)
 *   anything else    continues in the kernel (SECCOMP_USER_NOTIF_FLAG_CONTINUE)
 * READYFILE (if given) is created once it listens.  Exits 0 when the
 * listener hangs up, 1 on an error (message on stderr). */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

static int die(const char *what)
{
	fprintf(stderr, "seccomp_agent: %s: %s\n", what, strerror(errno));
	return 1;
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || strlen(path) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, path);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0)
		return -1;
	return fd;
}

/* The state and the fd: the fd comes with the first bytes, the rest of
 * the JSON may follow in more reads until the runtime closes. */
static int receive(int conn, char *buf, size_t cap, int *listener)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = { buf, cap - 1 };
	struct msghdr m = { .msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = ctl.buf,
			    .msg_controllen = sizeof(ctl.buf) };
	ssize_t n = recvmsg(conn, &m, MSG_CMSG_CLOEXEC);
	size_t len;

	*listener = -1;
	if (n <= 0)
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(listener, CMSG_DATA(c), sizeof(int));
	len = (size_t)n;
	while (len < cap - 1 && (n = read(conn, buf + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	return *listener >= 0 ? 0 : -1;
}

static void answer(const struct seccomp_notif *req, struct seccomp_notif_resp *resp)
{
	memset(resp, 0, sizeof(*resp));
	resp->id = req->id;
	if (req->data.nr == SYS_getppid) {
		resp->val = 4242;
	} else if (req->data.nr == SYS_mkdirat
#ifdef SYS_mkdir
		   || req->data.nr == SYS_mkdir
#endif
	) {
		resp->error = -EXDEV;
	} else {
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	}
}

static int serve(int listener)
{
	for (;;) {
		struct pollfd p = { .fd = listener, .events = POLLIN };
		struct seccomp_notif req;
		struct seccomp_notif_resp resp;

		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return die("poll");
		}
		if (p.revents & (POLLHUP | POLLERR))
			return 0;
		memset(&req, 0, sizeof(req));
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			return die("SECCOMP_IOCTL_NOTIF_RECV");
		}
		answer(&req, &resp);
		/* ENOENT: the caller went away (killed) before the answer */
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT)
			return die("SECCOMP_IOCTL_NOTIF_SEND");
	}
}

int main(int argc, char **argv)
{
	static char state[65536];
	int sock, conn, listener, out;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: seccomp_agent SOCKET STATEFILE [READYFILE]\n");
		return 2;
	}
	sock = listen_on(argv[1]);
	if (sock < 0)
		return die(argv[1]);
	if (argc == 4 && (out = open(argv[3], O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) >= 0)
		close(out);
	conn = accept4(sock, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		return die("accept");
	if (receive(conn, state, sizeof(state), &listener) < 0)
		return die("receive the state and the listener");
	close(conn);
	close(sock);
	out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0 || write(out, state, strlen(state)) < 0 || close(out) < 0)
		return die(argv[2]);
	return serve(listener);
}
