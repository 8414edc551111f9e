/* Small pieces the OCI commands share (oci_internal.h). */
#include "oci_internal.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "util.h"

void oci_log(const struct sluice_oci *o, enum sluice_log_level level, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	if (!o->log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	o->log(o->log_ctx, level, msg);
}

struct sluice_oci_state_view oci_view(const struct oci_container *ct, const struct sluice_config *c,
				      const char *status, pid_t pid)
{
	return (struct sluice_oci_state_view){
		.id = ct->rec.id,
		.status = status,
		.pid = pid,
		.bundle = ct->rec.bundle,
		.annotations = c ? c->annotations : NULL,
	};
}

void oci_poststop(const struct sluice_oci *o, const struct sluice_config *c,
		  const struct sluice_oci_state_view *s)
{
	for (size_t i = 0; i < c->hooks[SLUICE_HOOK_POSTSTOP].n; i++) {
		struct sluice_error e = { 0 };
		char msg[sizeof(e.msg) + 128];

		if (sluice_hook_run(&c->hooks[SLUICE_HOOK_POSTSTOP].v[i], SLUICE_HOOK_POSTSTOP, i,
				    s, &e) == 0)
			continue;
		sluice_error_format(&e, msg, sizeof(msg));
		oci_log(o, SLUICE_LOG_WARN, "%s", msg);
	}
}

void oci_kill_wait(int *pidfd)
{
	struct pollfd p = { .fd = *pidfd, .events = POLLIN };
	siginfo_t si;

	if (*pidfd < 0)
		return;
	(void)sluice_pidfd_signal(*pidfd, SIGKILL);
	/* A pidfd polls readable once its process has exited, child or not;
	 * our own child is then reaped too. */
	while (poll(&p, 1, -1) < 0 && errno == EINTR)
		;
	(void)waitid((idtype_t)P_PIDFD, (id_t)*pidfd, &si, WEXITED | WNOHANG);
	sluice_close(*pidfd);
	*pidfd = -1;
}

int oci_write_pid_file(const char *path, pid_t pid, struct sluice_error *err)
{
	char tmp[PATH_MAX], text[24];
	int fd, r;

	if (snprintf(tmp, sizeof(tmp), "%s.sluice-tmp", path) >= (int)sizeof(tmp))
		return sluice_err(err, SLUICE_EXIT_USAGE, ENAMETOOLONG, "--pid-file %s", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "--pid-file %s", path);
	snprintf(text, sizeof(text), "%d", (int)pid);
	r = sluice_write_all(fd, text, strlen(text));
	sluice_close(fd);
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		(void)unlink(tmp);
		return sluice_err(err, SLUICE_EXIT_SETUP, -r, "--pid-file %s", path);
	}
	return 0;
}

int oci_send_pidfd(const char *path, int pidfd, struct sluice_error *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char data = 0, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	cleanup_close int fd = -1;

	if (strlen(path) >= sizeof(addr.sun_path))
		return sluice_err(err, SLUICE_EXIT_USAGE, ENAMETOOLONG, "--pidfd-socket %s", path);
	memcpy(addr.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "--pidfd-socket %s", path);
	memset(cbuf, 0, sizeof(cbuf));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &pidfd, sizeof(int));
	if (sendmsg(fd, &msg, MSG_NOSIGNAL) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "--pidfd-socket %s: send", path);
	return 0;
}

void oci_log_warnings(const struct sluice_oci *o, const struct sluice_config *c)
{
	for (size_t i = 0; c->warnings && c->warnings[i]; i++)
		oci_log(o, SLUICE_LOG_INFO, "%s", c->warnings[i]);
}

bool oci_rootless(const struct sluice_oci *o)
{
	if (o->rootless >= 0)
		return o->rootless;
	return o->uid != 0 || sluice_in_user_namespace();
}
