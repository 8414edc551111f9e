/* The helper's part of the OCI runtime (oci_helper.h). */
#include "oci_helper.h"

#include <endian.h>
#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "error.h"
#include "helper.h"
#include "hooks.h"
#include "protocol.h"
#include "util.h"

int sluice_oci_helper_init(struct sluice_oci_helper *o, const char *payload, size_t len,
			   struct sluice_error *err)
{
	int r = sluice_oci_request_decode(payload, len, &o->req);

	o->fifo_fd = -1;
	o->status_fd = -1;
	if (r < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -r, "fd 3: bad OCI request");
	return 0;
}

int sluice_oci_helper_begin(struct sluice_oci_helper *o, const struct sluice_config *c,
			    struct sluice_error *err)
{
	/* sluice's init would hold fd 4 past the exec: the runtime never
	 * asks for that (lib/oci/create.c) */
	if (o->req.mode == SLUICE_OCI_CREATE && !o->req.fifo && c->sluice.init)
		return sluice_err(err, SLUICE_EXIT_SETUP, EINVAL,
				  "fd 3: OCI request without an exec FIFO for sluice's init");
	if (o->req.mode != SLUICE_OCI_CREATE || !o->req.fifo)
		return 0;
	/* O_PATH: opening it for writing would block until `start`; the
	 * gate reopens it through /proc/self/fd once everything is set up,
	 * when this host path no longer resolves (pivot_root). */
	o->fifo_fd = open(o->req.fifo, O_PATH | O_CLOEXEC);
	if (o->fifo_fd < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "exec FIFO %s", o->req.fifo);
	return 0;
}

/* The runtime died: there is nobody to report to, and nothing may stay. */
static __attribute__((noreturn)) void runtime_gone(void)
{
	_exit(SLUICE_EXIT_SETUP);
}

static bool runtime_alive(int status_fd)
{
	struct pollfd p = { .fd = status_fd, .events = 0 };

	return status_fd < 0 || !(poll(&p, 1, 0) == 1 && (p.revents & POLLERR));
}

int sluice_oci_fork(struct sluice_oci_helper *o, struct sluice_error *err)
{
	int sync[2];
	uint32_t be;
	pid_t pid;

	if (pipe2(sync, O_CLOEXEC) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "pipe2");
	pid = fork();
	if (pid < 0) {
		sluice_close(sync[0]);
		sluice_close(sync[1]);
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "fork the container process");
	}
	if (pid == 0) {
		char b = 0;
		ssize_t n;
		/* Bound to the parent, which is bound to the runtime: a runtime
		 * that dies takes us with it until we detach (sluice_oci_detach).
		 * (getppid() cannot tell: in a new pid namespace it reads 0.) */
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		/* Until the parent has reported our pid: the runtime must know
		 * it before anything else we send (HOOKS, READY).  EOF without
		 * the byte: the parent died. */
		sluice_close(sync[1]);
		while ((n = read(sync[0], &b, 1)) < 0 && errno == EINTR)
			;
		sluice_close(sync[0]);
		if (n != 1)
			runtime_gone();
		return 0;
	}
	sluice_close(sync[0]);
	be = htobe32((uint32_t)pid);
	(void)sluice_proto_write(o->status_fd, SLUICE_MSG_PID, &be, sizeof(be));
	if (write(sync[1], "", 1) != 1)
		runtime_gone();
	sluice_close(sync[1]);
	/* Held until the runtime kills us, once the child has detached (or
	 * gone with the runtime): the child is then reparented, as after
	 * runc's intermediate processes. */
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (!runtime_alive(o->status_fd))
		runtime_gone();
	(void)syscall(SYS_close_range, 0U, ~0U, 0U);
	for (;;)
		pause();
}

/* One frame on fd 3: RESUME, or EOF when the runtime is gone. */
static int wait_resume(struct sluice_error *err)
{
	struct sluice_frame f;
	cleanup_free char *payload = NULL;
	int r = sluice_proto_read(SLUICE_CONFIG_FD, &f, &payload);

	if (r == -EPIPE)
		runtime_gone();
	if (r < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -r, "fd 3: bad frame");
	if (f.type != SLUICE_MSG_RESUME)
		return sluice_err(err, SLUICE_EXIT_SETUP, 0, "fd 3: message %u out of order",
				  f.type);
	return 0;
}

static struct sluice_oci_state_view state_view(const struct sluice_oci_helper *o,
					       const struct sluice_config *c, const char *status)
{
	return (struct sluice_oci_state_view){
		.id = o->req.id,
		.status = status,
		.pid = getpid(),
		.bundle = o->req.bundle,
		.annotations = c->annotations,
	};
}

int sluice_oci_hooks_point(struct sluice_oci_helper *o, const struct sluice_config *c,
			   struct sluice_error *err)
{
	struct sluice_oci_state_view s = state_view(o, c, "creating");

	if (o->req.mode != SLUICE_OCI_CREATE)
		return 0;
	if (c->hooks[SLUICE_HOOK_PRESTART].n || c->hooks[SLUICE_HOOK_CREATE_RUNTIME].n) {
		if (sluice_proto_write(o->status_fd, SLUICE_MSG_HOOKS, NULL, 0) < 0)
			runtime_gone();
		if (wait_resume(err) < 0)
			return -1;
	}
	return sluice_hooks_run(c, SLUICE_HOOK_CREATE_CONTAINER, &s, err);
}

static const char *env_path(const struct sluice_config *c)
{
	const char *path = sluice_env_get(c->process.env, "PATH");

	return path ? path : SLUICE_DEFAULT_PATH;
}

/* An executable regular file, as Go's exec.LookPath wants it. */
static int executable(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode) || !(st.st_mode & 0111))
		return -EACCES;
	return faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) < 0 ? -errno : 0;
}

/* strerror as Go spells it (lower case first letter: "no such file or
 * directory"): docker matches runc's words case-sensitively. */
static const char *go_strerror(int e, char *buf, size_t len)
{
	snprintf(buf, len, "%s", strerror(e));
	buf[0] = (char)tolower((unsigned char)buf[0]);
	return buf;
}

/* The messages say what runc's say ("executable file not found in
 * $PATH", "no such file or directory", "permission denied"): engines map
 * them to 127 and 126. */
int sluice_oci_lookup(const struct sluice_config *c, struct sluice_error *err)
{
	char why[128];
	const char *cmd = c->process.args[0];
	char buf[PATH_MAX];
	int r;

	if (strchr(cmd, '/')) {
		r = executable(cmd);
		if (r == -ENOENT || r == -ENOTDIR)
			return sluice_err(err, SLUICE_EXIT_NOTFOUND, 0, "exec: \"%s\": stat %s: %s",
					  cmd, cmd, go_strerror(-r, why, sizeof(why)));
		if (r < 0)
			return sluice_err(err, SLUICE_EXIT_NOEXEC, 0, "exec: \"%s\": %s", cmd,
					  go_strerror(-r, why, sizeof(why)));
		return 0;
	}
	for (const char *p = env_path(c); p;) {
		const char *colon = strchr(p, ':');
		size_t len = colon ? (size_t)(colon - p) : strlen(p);
		if (snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, len ? p : ".", cmd) <
			    (int)sizeof(buf) &&
		    executable(buf) == 0)
			return 0;
		p = colon ? colon + 1 : NULL;
	}
	return sluice_err(err, SLUICE_EXIT_NOTFOUND, 0,
			  "exec: \"%s\": executable file not found in $PATH", cmd);
}

int sluice_oci_detach(struct sluice_error *err)
{
	if (prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "prctl(PR_SET_PDEATHSIG)");
	return 0;
}

int sluice_oci_wait_recorded(struct sluice_oci_helper *o, struct sluice_error *err)
{
	(void)o;
	if (wait_resume(err) < 0)
		return -1;
	sluice_close(SLUICE_CONFIG_FD);
	return 0;
}

/* The signals a created container's init dies of with runc (its Go
 * runtime's: no handler of runc init's own), which PID 1 of a pid
 * namespace would ignore by default. */
static const int created_fatal[] = { SIGHUP,  SIGINT,  SIGQUIT, SIGABRT,
				     SIGUSR1, SIGUSR2, SIGALRM, SIGTERM };

static void created_exit(int sig)
{
	(void)sig;
	_exit(2); /* runc init's status (Go's, for a signal its PID 1 survives) */
}

/* Created, the container's process is sluice's, waiting for `start`: as
 * PID 1 of its pid namespace it would ignore SIGTERM (`podman stop` of an
 * initialized container then waits out its timeout and SIGKILLs), where
 * runc's init exits at once with status 2: do the same.  Not PID 1, the
 * default (dying of the signal) is runc's already. */
static void created_signals(bool on, struct sigaction *saved)
{
	struct sigaction exit_on = { .sa_handler = created_exit };
	size_t n = sizeof(created_fatal) / sizeof(created_fatal[0]);

	if (getpid() != 1)
		return;
	for (size_t i = 0; i < n; i++)
		sigaction(created_fatal[i], on ? &exit_on : &saved[i], on ? &saved[i] : NULL);
}

/* Opening the FIFO for writing blocks until `start` opens it for reading;
 * the byte tells `start` we got there.  A `start` that went away before
 * reading it (EPIPE) leaves the container created: wait for the next. */
static int open_gate(struct sluice_oci_helper *o, int *out, struct sluice_error *err)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	struct sigaction saved[sizeof(created_fatal) / sizeof(created_fatal[0])];
	char path[64];
	int r = 0;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", o->fifo_fd);
	sigaction(SIGPIPE, &ign, &old);
	created_signals(true, saved);
	for (;;) {
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 && errno == EINTR)
			continue;
		if (fd < 0) {
			r = sluice_err(err, SLUICE_EXIT_SETUP, errno,
				       "exec FIFO: open %s (is /proc mounted in the container?)",
				       path);
			break;
		}
		if (write(fd, "0", 1) == 1) {
			*out = fd;
			break;
		}
		sluice_close(fd);
		if (errno != EPIPE && errno != EINTR) {
			r = sluice_err(err, SLUICE_EXIT_SETUP, errno, "exec FIFO: write");
			break;
		}
	}
	/* ignored signals stay ignored across exec: back to the default */
	sigaction(SIGPIPE, &old, NULL);
	created_signals(false, saved);
	return r;
}

int sluice_oci_start_hooks(struct sluice_oci_helper *o, const struct sluice_config *c,
			   struct sluice_error *err)
{
	struct sluice_oci_state_view s = state_view(o, c, "created");

	return sluice_hooks_run(c, SLUICE_HOOK_START_CONTAINER, &s, err);
}

int sluice_oci_gate(struct sluice_oci_helper *o, const struct sluice_config *c, int *status_fd,
		    struct sluice_error *err)
{
	int fd = -1;

	if (open_gate(o, &fd, err) < 0)
		return -1;
	sluice_close(o->fifo_fd);
	o->fifo_fd = -1;
	*status_fd = fd;
	return sluice_oci_start_hooks(o, c, err);
}
