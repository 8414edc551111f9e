/* run: create + start; in the foreground, sluice then waits for the
 * container's process as runc run does: it is sluice's child (or, forked
 * by the helper, reparented to sluice, a child subreaper), every signal
 * sluice gets is passed on, and its exit status is sluice's. */
#include "oci_internal.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
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

/* The terminal's signals (SI_KERNEL) reached the container already when it
 * shares our process group; the rest goes on. */
static void forward(int sigfd, int pidfd, pid_t pid)
{
	struct signalfd_siginfo si;

	while (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			reap_others(pid);
		else if (si.ssi_code != SI_KERNEL)
			(void)sluice_pidfd_signal(pidfd, (int)si.ssi_signo);
	}
}

static int wait_container(int sigfd, int pidfd, pid_t pid, struct sluice_error *err)
{
	struct pollfd p[2] = { { .fd = sigfd, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
	siginfo_t si;

	for (;;) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return sluice_err(err, SLUICE_EXIT_SETUP, errno, "poll");
		if (p[0].revents)
			forward(sigfd, pidfd, pid);
		if (p[1].revents)
			break;
	}
	memset(&si, 0, sizeof(si));
	if (sluice_pidfd_wait(pidfd, &si, WEXITED) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, ECHILD,
				  "the container's process %d ended, its status is not ours to "
				  "read",
				  (int)pid);
	return sluice_wait_status(&si);
}

static int foreground(const struct sluice_oci *o, const struct sluice_oci_create_opts *c,
		      bool keep, struct sluice_error *err)
{
	sigset_t old;
	int sigfd, pidfd = -1, r;
	pid_t pid = 0;
	struct sluice_oci_info info;
	struct sluice_error e = { 0 };

	/* A process the helper forks for a pid namespace comes back to us
	 * when the helper's intermediate process is killed. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "prctl(PR_SET_CHILD_SUBREAPER)");
	sigfd = make_signalfd(&old, err);
	if (sigfd < 0)
		return -1;
	r = oci_create(o, c, &old, &pidfd, err);
	if (r == 0 && (r = sluice_oci_info(o, c->id, &info, err)) == 0) {
		pid = info.pid;
		sluice_oci_info_free(&info);
	}
	if (r == 0)
		r = sluice_oci_start(o, c->id, err);
	if (r == 0)
		r = wait_container(sigfd, pidfd, pid, err);
	if (pidfd >= 0 && (r < 0 || !keep))
		(void)sluice_oci_delete(o, c->id, true, &e);
	sluice_close(pidfd);
	sluice_close(sigfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}

int sluice_oci_run(const struct sluice_oci *o, const struct sluice_oci_create_opts *c,
		   bool detach, bool keep, struct sluice_error *err)
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
