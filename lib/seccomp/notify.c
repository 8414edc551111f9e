/* The listener hand-off, the runtime's side (seccomp_notify.h). */
#include "seccomp_notify.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "error.h"
#include "util.h"

#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

/* The spec version the state is written for. */
#define STATE_OCI_VERSION "1.2.1"

int sluice_seccomp_take_listener(pid_t pid, int fd, struct sluice_error *err)
{
	int pidfd = sluice_pidfd_open(pid), r;

	if (pidfd < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -pidfd,
				  "seccomp notify: pidfd_open of the sandbox (pid %d)", (int)pid);
	/* pidfd_getfd's result is always close-on-exec */
	r = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (r < 0)
		sluice_err(err, SLUICE_EXIT_SETUP, errno,
			   "seccomp notify: cannot take the listener (fd %d of pid %d)", fd,
			   (int)pid);
	sluice_close(pidfd);
	return r;
}

/* A growing string, NULL once anything failed. */
struct json {
	char *buf;
	size_t len;
};

static void add(struct json *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct json *j, const char *fmt, ...)
{
	va_list ap;
	char *more = NULL;
	int n;

	if (!j->buf)
		return;
	va_start(ap, fmt);
	n = vasprintf(&more, fmt, ap);
	va_end(ap);
	if (n < 0) {
		free(j->buf);
		j->buf = NULL;
		return;
	}
	char *b = realloc(j->buf, j->len + (size_t)n + 1);
	if (!b) {
		free(j->buf);
		j->buf = NULL;
	} else {
		memcpy(b + j->len, more, (size_t)n + 1);
		j->buf = b;
		j->len += (size_t)n;
	}
	free(more);
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void add_str(struct json *j, const char *s)
{
	add(j, "\"");
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			add(j, "\\%c", ch);
		else if (ch < 0x20)
			add(j, "\\u%04x", ch);
		else
			add(j, "%c", ch);
	}
	add(j, "\"");
}

char *sluice_seccomp_run_state(pid_t launcher, const char *bundle, pid_t pid)
{
	struct json j = { strdup(""), 0 };
	char id[32];

	snprintf(id, sizeof(id), "sluice-%d", (int)launcher);
	add(&j, "{\"ociVersion\":\"%s\",\"id\":", STATE_OCI_VERSION);
	add_str(&j, id);
	add(&j, ",\"status\":\"creating\",\"pid\":%d,\"bundle\":", (int)pid);
	add_str(&j, bundle ? bundle : "/");
	add(&j, ",\"annotations\":{}}");
	return j.buf;
}

static int connect_agent(const char *path, struct sluice_error *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
				  "linux.seccomp.listenerPath: %s: longer than a socket path can be",
				  path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		sluice_err(err, SLUICE_EXIT_SETUP, errno,
			   "seccomp notify: cannot connect to the agent at %s", path);
		sluice_close(fd);
		return -1;
	}
	return fd;
}

/* All of buf, with the fd riding on the first sendmsg (the spec: fds only
 * in the first call). */
static int send_with_fd(int sock, const char *buf, size_t len, int fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	size_t off = 0;
	bool first = true;

	memset(&ctl, 0, sizeof(ctl));
	while (off < len) {
		struct iovec iov = { (char *)buf + off, len - off };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;
		if (first) {
			struct cmsghdr *c;
			m.msg_control = ctl.buf;
			m.msg_controllen = sizeof(ctl.buf);
			c = CMSG_FIRSTHDR(&m);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(c), &fd, sizeof(int));
		}
		n = sendmsg(sock, &m, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		first = false;
		off += (size_t)n;
	}
	return 0;
}

int sluice_seccomp_send_state(const char *listener_path, const char *metadata, const char *state,
			      pid_t pid, int listener, struct sluice_error *err)
{
	struct json j = { strdup(""), 0 };
	int sock, r;

	add(&j, "{\"ociVersion\":\"%s\",\"fds\":[\"seccompFd\"],\"pid\":%d", STATE_OCI_VERSION,
	    (int)pid);
	if (metadata) {
		add(&j, ",\"metadata\":");
		add_str(&j, metadata);
	}
	add(&j, ",\"state\":%s}", state);
	if (!j.buf)
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "seccomp notify");
	sock = connect_agent(listener_path, err);
	if (sock < 0) {
		free(j.buf);
		return -1;
	}
	r = send_with_fd(sock, j.buf, j.len, listener);
	sluice_close(sock);
	free(j.buf);
	if (r < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -r,
				  "seccomp notify: cannot send the state to the agent at %s",
				  listener_path);
	return 0;
}
