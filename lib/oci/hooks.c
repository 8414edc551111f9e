/* Running hooks (hooks.h). */
#include "hooks.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "json.h"
#include "oci.h"
#include "util.h"

extern char **environ;

/* What a failing hook printed, kept for the message: the start of each. */
#define HOOK_OUTPUT_MAX 1024

int sluice_oci_state_view_json(const struct sluice_oci_state_view *s, char **out, size_t *len,
			       struct sluice_error *err)
{
	struct sluice_json j;

	sluice_json_init(&j, NULL);
	sluice_json_obj_start(&j);
	sluice_json_kstr(&j, "ociVersion", SLUICE_OCI_VERSION);
	sluice_json_kstr(&j, "id", s->id);
	sluice_json_kstr(&j, "status", s->status);
	if (s->pid > 0)
		sluice_json_kint(&j, "pid", s->pid);
	sluice_json_kstr(&j, "bundle", s->bundle);
	if (s->annotations && s->annotations[0]) {
		sluice_json_key(&j, "annotations");
		sluice_json_obj_start(&j);
		for (size_t i = 0; s->annotations[i] && s->annotations[i + 1]; i += 2)
			sluice_json_kstr(&j, s->annotations[i], s->annotations[i + 1]);
		sluice_json_obj_end(&j);
	}
	sluice_json_obj_end(&j);
	if (sluice_json_finish(&j, out, len) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "state JSON");
	return 0;
}

struct hook_run {
	int in, out, err, errpipe; /* our ends */
	int pidfd;
	pid_t pid;
	char obuf[HOOK_OUTPUT_MAX + 1], ebuf[HOOK_OUTPUT_MAX + 1];
	size_t olen, elen;
};

/* In the child: stdio in place, signals as a new program expects them,
 * nothing else inherited.  Only async-signal-safe calls. */
static __attribute__((noreturn)) void hook_child(const struct sluice_hook *h, int in, int out,
						 int errfd, int errpipe)
{
	static char *const no_env[] = { NULL };
	char *const argv0[] = { h->path, NULL };
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;
	int e;

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)sigaction(sig, &dfl, NULL);
	/* a group of its own, so that a timeout ends what it started too */
	(void)setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
		_exit(127);
	(void)syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
	/* No env in the config: the runtime's own, as runc hands it on. */
	execve(h->path, h->args ? h->args : argv0, h->env ? h->env : environ ? environ : no_env);
	e = errno;
	if (write(errpipe, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

static void close_run(struct hook_run *r)
{
	sluice_close(r->in);
	sluice_close(r->out);
	sluice_close(r->err);
	sluice_close(r->errpipe);
	sluice_close(r->pidfd);
	r->in = r->out = r->err = r->errpipe = r->pidfd = -1;
}

static int spawn(struct hook_run *r, const struct sluice_hook *h, struct sluice_error *err)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, er[2] = { -1, -1 }, ep[2] = { -1, -1 };

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(er, O_CLOEXEC) < 0 ||
	    pipe2(ep, O_CLOEXEC) < 0) {
		int e = errno;
		for (int i = 0; i < 2; i++) {
			sluice_close(in[i]);
			sluice_close(out[i]);
			sluice_close(er[i]);
			sluice_close(ep[i]);
		}
		return sluice_err(err, SLUICE_EXIT_SETUP, e, "hook %s: pipe2", h->path);
	}
	r->pid = fork();
	if (r->pid == 0)
		hook_child(h, in[0], out[1], er[1], ep[1]);
	sluice_close(in[0]);
	sluice_close(out[1]);
	sluice_close(er[1]);
	sluice_close(ep[1]);
	r->in = in[1];
	r->out = out[0];
	r->err = er[0];
	r->errpipe = ep[0];
	if (r->pid < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "hook %s: fork", h->path);
	/* Our own unreaped child: its pid cannot be reused, the pidfd is
	 * only for poll. */
	r->pidfd = sluice_pidfd_open(r->pid);
	if (r->pidfd < 0) {
		(void)kill(r->pid, SIGKILL);
		(void)waitpid(r->pid, NULL, 0);
		return sluice_err(err, SLUICE_EXIT_SETUP, -r->pidfd, "hook %s: pidfd_open", h->path);
	}
	(void)fcntl(r->in, F_SETFL, O_NONBLOCK);
	return 0;
}

static void collect(int *fd, char *buf, size_t *len)
{
	char tmp[4096];
	ssize_t n = read(*fd, tmp, sizeof(tmp));

	if (n <= 0) {
		if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
			sluice_close(*fd);
			*fd = -1;
		}
		return;
	}
	if (*len < HOOK_OUTPUT_MAX) {
		size_t k = (size_t)n < HOOK_OUTPUT_MAX - *len ? (size_t)n : HOOK_OUTPUT_MAX - *len;
		memcpy(buf + *len, tmp, k);
		*len += k;
		buf[*len] = '\0';
	}
}

static void feed(struct hook_run *r, const char *state, size_t len, size_t *off)
{
	ssize_t n = write(r->in, state + *off, len - *off);

	if (n > 0)
		*off += (size_t)n;
	if ((n < 0 && errno != EINTR && errno != EAGAIN) || *off == len) {
		/* all written, or the hook does not read its stdin (EPIPE) */
		sluice_close(r->in);
		r->in = -1;
	}
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Until the hook has exited and its output pipes are drained; 1 on timeout. */
static int pump(struct hook_run *r, const char *state, size_t len, int timeout)
{
	int64_t deadline = timeout ? now_ms() + (int64_t)timeout * 1000 : 0;
	size_t off = 0;
	bool exited = false;

	while (!exited || r->out >= 0 || r->err >= 0) {
		struct pollfd p[4] = {
			{ .fd = r->pidfd, .events = exited ? 0 : POLLIN },
			{ .fd = r->in, .events = POLLOUT },
			{ .fd = r->out, .events = POLLIN },
			{ .fd = r->err, .events = POLLIN },
		};
		int wait_ms = deadline ? (int)(deadline - now_ms()) : -1;
		if (deadline && wait_ms <= 0)
			return 1;
		if (poll(p, 4, wait_ms) < 0 && errno != EINTR)
			return 1;
		if (p[0].revents)
			exited = true;
		if (p[1].revents && r->in >= 0)
			feed(r, state, len, &off);
		if (p[2].revents && r->out >= 0)
			collect(&r->out, r->obuf, &r->olen);
		if (p[3].revents && r->err >= 0)
			collect(&r->err, r->ebuf, &r->elen);
		/* The hook's own children may hold its output open: once the
		 * hook itself is gone, what they write is not waited for. */
		if (exited && (r->out >= 0 || r->err >= 0) && !(p[2].revents | p[3].revents))
			break;
	}
	return 0;
}

/* Trailing newlines and blanks would end the one-line message badly. */
static void trim(char *buf, size_t *len)
{
	while (*len && (buf[*len - 1] == '\n' || buf[*len - 1] == ' ' || buf[*len - 1] == '\t'))
		buf[--*len] = '\0';
}

static int hook_result(struct hook_run *r, const struct sluice_hook *h, enum sluice_hook_kind kind,
		       size_t index, bool timed_out, struct sluice_error *err)
{
	siginfo_t si = { 0 };
	int exec_errno = 0;

	/* The hook is our unreaped child: its pid, which is its group's id,
	 * cannot have been reused. */
	if (timed_out && kill(-r->pid, SIGKILL) < 0)
		(void)sluice_pidfd_signal(r->pidfd, SIGKILL);
	(void)sluice_pidfd_wait(r->pidfd, &si, WEXITED);
	if (timed_out)
		return sluice_err(err, SLUICE_EXIT_SETUP, 0,
				  "error running %s hook #%zu (%s): it ran past its timeout of %ds",
				  sluice_hook_names[kind], index, h->path, h->timeout);
	if (read(r->errpipe, &exec_errno, sizeof(exec_errno)) == (ssize_t)sizeof(exec_errno))
		return sluice_err(err, SLUICE_EXIT_SETUP, exec_errno,
				  "error running %s hook #%zu: cannot execute %s",
				  sluice_hook_names[kind], index, h->path);
	if (si.si_code == CLD_EXITED && si.si_status == 0)
		return 0;
	trim(r->obuf, &r->olen);
	trim(r->ebuf, &r->elen);
	return sluice_err(err, SLUICE_EXIT_SETUP, 0,
			  "error running %s hook #%zu (%s): %s %d%s%s%s%s", sluice_hook_names[kind],
			  index, h->path,
			  si.si_code == CLD_EXITED ? "exit status" : "killed by signal",
			  si.si_status, r->olen ? ", stdout: " : "", r->obuf,
			  r->elen ? ", stderr: " : "", r->ebuf);
}

int sluice_hook_run(const struct sluice_hook *h, enum sluice_hook_kind kind, size_t index,
		    const struct sluice_oci_state_view *s, struct sluice_error *err)
{
	struct hook_run r = { .in = -1, .out = -1, .err = -1, .errpipe = -1, .pidfd = -1 };
	struct sigaction ign = { .sa_handler = SIG_IGN }, oldpipe;
	cleanup_free char *state = NULL;
	size_t len = 0;
	int ret;

	if (sluice_oci_state_view_json(s, &state, &len, err) < 0)
		return -1;
	/* A hook that does not read its stdin must not kill us. */
	sigaction(SIGPIPE, &ign, &oldpipe);
	ret = spawn(&r, h, err);
	if (ret == 0)
		ret = hook_result(&r, h, kind, index, pump(&r, state, len, h->timeout) == 1, err);
	close_run(&r);
	sigaction(SIGPIPE, &oldpipe, NULL);
	return ret;
}

int sluice_hooks_run(const struct sluice_config *c, enum sluice_hook_kind kind,
		     const struct sluice_oci_state_view *s, struct sluice_error *err)
{
	for (size_t i = 0; i < c->hooks[kind].n; i++)
		if (sluice_hook_run(&c->hooks[kind].v[i], kind, i, s, err) < 0)
			return -1;
	return 0;
}
