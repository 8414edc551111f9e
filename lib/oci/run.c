/* run: create + start; in the foreground, sluice then waits for the
 * container's process as runc run does: it is sluice's child (or, forked
 * by the helper, reparented to sluice, a child subreaper), every signal
 * sluice gets is passed on, and its exit status is sluice's.  A
 * process.terminal without a console socket is relayed as `sluice run
 * --tty` relays it (docs/terminal.md): our terminal raw, its size copied. */
#include "oci_internal.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "stdio_relay.h"
#include "tty.h"
#include "util.h"

/* Signals a process raises against itself: never blocked, never passed on. */
static bool synchronous(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL ||
	       sig == SIGTRAP || sig == SIGSYS || sig == SIGABRT;
}

static int make_signalfd(sigset_t *old, struct sluice_error *err)
{
	sigset_t set;
	int fd;

	sigfillset(&set);
	for (int sig = 1; sig < NSIG; sig++)
		if (synchronous(sig))
			sigdelset(&set, sig);
	if (sigprocmask(SIG_BLOCK, &set, old) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "sigprocmask");
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0) {
		int e = errno;
		sigprocmask(SIG_SETMASK, old, NULL);
		return sluice_err(err, SLUICE_EXIT_SETUP, e, "signalfd");
	}
	return fd;
}

/* Orphans of the container that came to us (a subreaper) are reaped; the
 * container's own process is left to waitid on its pidfd. */
static void reap_others(pid_t keep)
{
	siginfo_t si;

	for (;;) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0 ||
		    si.si_pid == keep)
			return;
		(void)waitpid(si.si_pid, NULL, WNOHANG);
	}
}

struct foreground {
	int sigfd, pidfd, pty;
	pid_t pid;
	/* the container has our terminal as its stdio, so it stayed in our
	 * session (lib/init/session.c): the terminal's signals reach it */
	bool shares_terminal;
	struct sluice_relay relay; /* the pty, when we relay one */
	bool relaying;
	struct sluice_tty tty;
};

/* Every signal goes on, but one the terminal sent (SI_KERNEL) to a
 * container that shares it, which got it already; SIGWINCH resizes a
 * relayed pty instead. */
static void forward(struct foreground *f)
{
	struct signalfd_siginfo si;

	while (read(f->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			reap_others(f->pid);
		else if (si.ssi_signo == SIGWINCH && f->relaying)
			sluice_tty_copy_size(&f->tty, sluice_relay_pty_fd(&f->relay));
		else if (si.ssi_code != SI_KERNEL || !f->shares_terminal)
			(void)sluice_pidfd_signal(f->pidfd, (int)si.ssi_signo);
	}
}

static int start_relay(struct foreground *f, struct sluice_error *err)
{
	struct sluice_stdio_setup none = { { -1, -1, -1 }, { -1, -1, -1 } };
	bool raw;

	if (f->pty < 0)
		return 0;
	if (sluice_relay_init(&f->relay, &none, err) < 0)
		return -1;
	f->relaying = true;
	raw = sluice_tty_raw(&f->tty);
	if (sluice_relay_add_pty(&f->relay, steal_fd(&f->pty), raw, err) < 0)
		return -1;
	sluice_tty_copy_size(&f->tty, sluice_relay_pty_fd(&f->relay));
	return 0;
}

static int wait_container(struct foreground *f, struct sluice_error *err)
{
	struct pollfd p[2 + 6];
	siginfo_t si;

	for (;;) {
		size_t n = f->relaying ? sluice_relay_pollfds(&f->relay, p + 2, 6) : 0;
		p[0] = (struct pollfd){ .fd = f->sigfd, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = f->pidfd, .events = POLLIN };
		if (poll(p, 2 + n, -1) < 0 && errno != EINTR)
			return sluice_err(err, SLUICE_EXIT_SETUP, errno, "poll");
		if (p[0].revents)
			forward(f);
		if (f->relaying)
			sluice_relay_handle(&f->relay, p + 2, n);
		if (p[1].revents)
			break;
	}
	if (f->relaying)
		sluice_relay_drain(&f->relay, 2000);
	memset(&si, 0, sizeof(si));
	if (sluice_pidfd_wait(f->pidfd, &si, WEXITED) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, ECHILD,
				  "the container's process %d ended, its status is not ours to "
				  "read",
				  (int)f->pid);
	return sluice_wait_status(&si);
}

static int foreground(const struct sluice_oci *o, const struct sluice_oci_create_opts *c, bool keep,
		      struct sluice_error *err)
{
	struct foreground f = { .sigfd = -1, .pidfd = -1, .pty = -1 };
	struct sluice_error e = { 0 };
	struct oci_foreground fg = { .relay_pty = !c->console_socket };
	sigset_t old;
	int r;

	/* A process the helper forks for a pid namespace comes back to us
	 * when the helper's intermediate process is killed. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "prctl(PR_SET_CHILD_SUBREAPER)");
	sluice_tty_init(&f.tty);
	f.sigfd = make_signalfd(&old, err);
	if (f.sigfd < 0)
		return -1;
	fg.mask = &old;
	r = oci_create(o, c, &fg, err);
	f.pidfd = fg.pidfd;
	f.pid = fg.pid;
	f.pty = fg.pty;
	f.shares_terminal = f.pty < 0 && (isatty(0) || isatty(1) || isatty(2));
	if (r == 0)
		r = start_relay(&f, err);
	if (r == 0 && !fg.started)
		r = sluice_oci_start(o, c->id, err);
	else if (r == 0)
		oci_log(o, SLUICE_LOG_DEBUG, "container %s started", c->id);
	if (r == 0)
		r = wait_container(&f, err);
	sluice_tty_restore(&f.tty);
	if (f.relaying)
		sluice_relay_free(&f.relay);
	/* with the cgroup create made: not read back from the record */
	if (f.pidfd >= 0 && (r < 0 || !keep))
		(void)oci_delete(o, c->id, true, steal_ptr(&fg.cg), &e);
	sluice_cgroup_free(fg.cg);
	sluice_close(f.pty);
	sluice_close(f.pidfd);
	sluice_close(f.sigfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}

int sluice_oci_run(const struct sluice_oci *o, const struct sluice_oci_create_opts *c, bool detach,
		   bool keep, struct sluice_error *err)
{
	struct sluice_error e = { 0 };
	int r;

	if (!detach)
		return foreground(o, c, keep, err);
	r = sluice_oci_create(o, c, err);
	if (r == 0 && (r = sluice_oci_start(o, c->id, err)) < 0)
		(void)sluice_oci_delete(o, c->id, true, &e);
	return r;
}
