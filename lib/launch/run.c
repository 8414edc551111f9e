/* Supervising a sandbox from the outside (run.h). */
#include "run.h"

#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#include "error.h"
#include "helper.h"
#include "launch.h"
#include "stdio_relay.h"
#include "tty.h"
#include "util.h"

/* The signals `sluice run` passes on to the workload, and those of job
 * control, which stop or continue the sandbox with it. */
static const int forwarded[] = { SIGINT,   SIGTERM, SIGHUP,  SIGQUIT, SIGUSR1, SIGUSR2,
				 SIGWINCH, SIGTSTP, SIGTTIN, SIGTTOU, SIGCONT };

struct supervisor {
	struct sluice_launch l;
	struct sluice_relay relay;
	int sigfd, timerfd;
	bool exited, timed_out, killed;
	bool out_of_memory; /* waiting under OOM when the timeout came */
	siginfo_t status;
	double timeout, grace;
	/* SIGKILL to PID 1 of the pid namespace ends everything in it; without
	 * one, the helper is a subreaper init that ends the rest itself. */
	int kill_sig;
	/* The sandbox left our session (lib/init/session.c): what the
	 * terminal sends reaches only us, and we pass it on. */
	bool own_session;
	/* The helper is an init that forwards signals to the workload; else
	 * the workload is PID 1 of its namespace (--no-init). */
	bool helper_is_init;
	/* process.terminal without a console socket: we relay the pty */
	bool terminal;
	struct sluice_tty tty;
};

static int make_signalfd(sigset_t *set, sigset_t *old, struct sluice_error *err)
{
	int fd;

	sigemptyset(set);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(set, forwarded[i]);
	if (sigprocmask(SIG_BLOCK, set, old) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "sigprocmask");
	fd = signalfd(-1, set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "signalfd");
	return fd;
}

static int arm_timer(int fd, double seconds)
{
	struct itimerspec its = { 0 };
	double whole = floor(seconds);

	its.it_value.tv_sec = (time_t)whole;
	its.it_value.tv_nsec = (long)((seconds - whole) * 1e9);
	if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
		its.it_value.tv_nsec = 1;
	return timerfd_settime(fd, 0, &its, NULL);
}

static bool stop_signal(int sig)
{
	return sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/*
 * Job control: the sandbox stops with us.  An init passes a stop on to the
 * workload (lib/init/pid1.c), and handles one the terminal sent it itself;
 * a workload that is PID 1 drops a stop signal without a handler, but the
 * kernel lets SIGSTOP from an ancestor namespace through.  A terminal we
 * hold raw is given back while we are stopped, and taken again when we
 * continue in the foreground (as ssh does).
 */
static void stop_with_sandbox(struct supervisor *s, int sig, bool delivered)
{
	bool raw = s->tty.raw_fd >= 0;

	if (!s->helper_is_init)
		(void)sluice_pidfd_signal(s->l.pidfd, SIGSTOP);
	else if (!delivered)
		(void)sluice_pidfd_signal(s->l.pidfd, sig);
	sluice_tty_restore(&s->tty);
	(void)kill(getpid(), SIGSTOP);
	if (raw)
		(void)sluice_tty_raw(&s->tty);
}

/* When the sandbox shares our process group, what the terminal sends
 * (Ctrl-C, Ctrl-Z, a resize: si_code SI_KERNEL) reached it already.
 * Everything else, and everything once the sandbox has a session of its
 * own (a terminal workload always has), is passed on; but a resize of the
 * terminal we relay, which goes to the pty instead (the kernel then
 * signals the pty's foreground group). */
static void on_signal(struct supervisor *s)
{
	struct signalfd_siginfo si;

	while (read(s->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		int sig = (int)si.ssi_signo;
		bool delivered = si.ssi_code == SI_KERNEL && !s->own_session;

		if (s->terminal && sig == SIGWINCH)
			sluice_tty_copy_size(&s->tty, sluice_relay_pty_fd(&s->relay));
		else if (s->exited)
			continue;
		else if (stop_signal(sig))
			stop_with_sandbox(s, sig, delivered);
		else if (!delivered)
			(void)sluice_pidfd_signal(s->l.pidfd, sig);
	}
}

/* The helper sent the pty master: relay it, our terminal raw, its size
 * copied (over process.consoleSize: the terminal a person sees wins). */
static int start_pty(struct supervisor *s, struct sluice_error *err)
{
	bool raw = sluice_tty_raw(&s->tty);

	if (sluice_relay_add_pty(&s->relay, steal_fd(&s->l.pty_fd), raw, err) < 0)
		return -1;
	sluice_tty_copy_size(&s->tty, sluice_relay_pty_fd(&s->relay));
	return 0;
}

static bool oom_waiting(const struct supervisor *s);

/* Timeout: TERM first; after the grace period KILL, which takes the whole
 * sandbox with it (the helper is PID 1 of its pid namespace). */
static void on_timer(struct supervisor *s)
{
	uint64_t ticks;

	if (read(s->timerfd, &ticks, sizeof(ticks)) < 0)
		return;
	if (s->exited)
		return;
	if (!s->timed_out) {
		s->timed_out = true;
		s->out_of_memory = oom_waiting(s);
		(void)sluice_pidfd_signal(s->l.pidfd, SIGTERM);
		if (arm_timer(s->timerfd, s->grace) == 0)
			return;
	}
	s->killed = true;
	(void)sluice_pidfd_signal(s->l.pidfd, s->kill_sig);
}

static void on_exit_event(struct supervisor *s)
{
	if (sluice_pidfd_wait(s->l.pidfd, &s->status, WEXITED | WNOHANG) == 0 && s->status.si_pid)
		s->exited = true;
}

enum {
	PFD_SIG,
	PFD_PID,
	PFD_STATUS,
	PFD_TIMER,
	PFD_RELAY
};

static int poll_once(struct supervisor *s, struct sluice_error *err)
{
	struct pollfd pfd[PFD_RELAY + 6];
	size_t nrelay;
	int r;

	pfd[PFD_SIG] = (struct pollfd){ .fd = s->sigfd, .events = POLLIN };
	pfd[PFD_PID] = (struct pollfd){ .fd = s->l.pidfd, .events = POLLIN };
	pfd[PFD_STATUS] = (struct pollfd){ .fd = s->l.status_fd, .events = POLLIN };
	pfd[PFD_TIMER] = (struct pollfd){ .fd = s->timerfd, .events = POLLIN };
	nrelay = sluice_relay_pollfds(&s->relay, pfd + PFD_RELAY, 6);
	r = poll(pfd, PFD_RELAY + nrelay, -1);
	if (r < 0)
		return errno == EINTR ? 0 : sluice_err(err, SLUICE_EXIT_SETUP, errno, "poll");
	if (pfd[PFD_SIG].revents)
		on_signal(s);
	if (pfd[PFD_STATUS].revents && sluice_launch_read_status(&s->l, err) < 0)
		return -1;
	if (s->l.pty_fd >= 0 && start_pty(s, err) < 0)
		return -1;
	if (pfd[PFD_TIMER].revents)
		on_timer(s);
	sluice_relay_handle(&s->relay, pfd + PFD_RELAY, nrelay);
	if (pfd[PFD_PID].revents)
		on_exit_event(s);
	return 0;
}

/* After the helper is gone: take the rest of its messages and output. */
static void finish(struct supervisor *s, struct sluice_error *err)
{
	while (s->l.status_fd >= 0)
		if (sluice_launch_read_status(&s->l, err) < 0)
			break;
	/* a workload quicker than us: its output waits in the pty */
	if (s->l.pty_fd >= 0)
		(void)start_pty(s, err);
	sluice_relay_drain(&s->relay, 2000);
}

/* The kernel's OOM killer ended the workload: say so, with the status it
 * got (128+SIGKILL, as docker keeps it), docs/exit-codes.md. */
static int oom_verdict(const struct supervisor *s, int status, struct sluice_error *err)
{
	struct sluice_cgroup_oom o;
	char limit[48] = "";

	/* an exec'd process (cg_keep) shares the container's counters */
	if (!s->l.cg || s->l.cg_keep || status != 128 + SIGKILL ||
	    sluice_cgroup_oom(s->l.cg, &o, err) < 0 || !o.kills)
		return status;
	if (o.limit >= 0)
		snprintf(limit, sizeof(limit), " of %lld bytes", (long long)o.limit);
	return sluice_err(err, 128 + SIGKILL, 0,
			  "the workload was killed by the kernel's OOM killer: the sandbox reached "
			  "its memory limit%s (linux.resources.memory.limit)",
			  limit);
}

/* v1 with disableOOMKiller: an out-of-memory sandbox waits, it does not
 * die; a timeout is how it ends, and the message says why.  Asked when the
 * timer fires, before the signals end the wait. */
static bool oom_waiting(const struct supervisor *s)
{
	struct sluice_cgroup_oom o;
	struct sluice_error ignored;

	return s->l.cg && sluice_cgroup_oom(s->l.cg, &o, &ignored) == 0 && o.under_oom;
}

static int result(struct supervisor *s, struct sluice_error *err)
{
	if (s->l.failed) {
		*err = s->l.error;
		return -1;
	}
	if (s->timed_out) {
		sluice_err(err, SLUICE_EXIT_TIMEOUT, 0, "timed out after %gs%s: sent SIGTERM%s",
			   s->timeout,
			   s->out_of_memory ?
				   " (it was out of memory with the OOM killer disabled)" :
				   "",
			   s->killed ? ", then SIGKILL to the whole sandbox" : "");
		return -1;
	}
	if (!s->l.ready) {
		/* The helper died before it reported READY or an error. */
		return sluice_err(err, SLUICE_EXIT_SETUP, 0, "the helper died during setup (%s %d)",
				  s->status.si_code == CLD_EXITED ? "exit status" : "signal",
				  s->status.si_status);
	}
	return oom_verdict(s, sluice_wait_status(&s->status), err);
}

static int supervise(struct supervisor *s, struct sluice_error *err)
{
	if (s->timeout > 0) {
		s->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		if (s->timerfd < 0 || arm_timer(s->timerfd, s->timeout) < 0)
			return sluice_err(err, SLUICE_EXIT_SETUP, errno, "timerfd");
	}
	while (!s->exited)
		if (poll_once(s, err) < 0)
			return -1;
	finish(s, err);
	return result(s, err);
}

/*
 * While it relays stdio, the supervisor runs as SCHED_BATCH: the kernel then
 * does not preempt a producer each time its write wakes the relay, so each
 * splice carries more and wakes the reader less often.  On the 2-core
 * machine that is +10 to +20 % relay throughput for -10 % CPU
 * (docs/performance.md); an idle CPU still runs the relay at once, so an
 * interactive stream waits no longer.  Only from SCHED_OTHER (a real-time
 * or idle caller keeps its policy), only this thread, undone at the end.
 */
static bool batch_begin(const struct sluice_stdio_setup *stdio)
{
	struct sched_param none = { .sched_priority = 0 };

	if (stdio->relay_fd[0] < 0 && stdio->relay_fd[1] < 0 && stdio->relay_fd[2] < 0)
		return false;
	if (sched_getscheduler(0) != SCHED_OTHER)
		return false;
	return sched_setscheduler(0, SCHED_BATCH, &none) == 0;
}

static void batch_end(bool batch)
{
	struct sched_param none = { .sched_priority = 0 };

	if (batch)
		(void)sched_setscheduler(0, SCHED_OTHER, &none);
}

/* The pty is made with the caller's window size, as process.consoleSize:
 * copied only once the master is here, the workload could already have
 * read the size it had before (and count the change as a SIGWINCH).  A
 * shallow copy: the launch only reads it. */
static const struct sluice_config *
sized_config(const struct supervisor *s, const struct sluice_config *c, struct sluice_config *copy)
{
	unsigned short rows, cols;

	if (!s->terminal || !sluice_tty_size(&s->tty, &rows, &cols))
		return c;
	*copy = *c;
	copy->process.console_size.set = true;
	copy->process.console_size.height = rows;
	copy->process.console_size.width = cols;
	return copy;
}

int sluice_run(const struct sluice_config *c, const struct sluice_caller *who,
	       struct sluice_error *err)
{
	/* Hooks belong to the OCI lifecycle (create, start, delete), which a
	 * sandbox run does not have: refused rather than skipped. */
	if (sluice_config_has_hooks(c))
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
				  "%s: hooks are run by the OCI runtime commands only (sluice "
				  "create, docs/oci.md)",
				  c->source ? c->source : "<config>");
	/* The spec's execCPUAffinity is for the processes an exec starts,
	 * never the container's own. */
	if (c->process.exec_cpus.initial || c->process.exec_cpus.final)
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
				  "%s: process.execCPUAffinity applies to processes that `sluice "
				  "exec` starts in a container only (docs/oci.md)",
				  c->source ? c->source : "<config>");
	return sluice_run_request(c, who, NULL, 0, NULL, err);
}

int sluice_run_request(const struct sluice_config *c, const struct sluice_caller *who,
		       const char *request, size_t request_len, struct sluice_cgroup *cg,
		       struct sluice_error *err)
{
	struct sluice_config sized;
	struct supervisor s;
	struct sluice_stdio_setup stdio;
	struct sigaction ign = { .sa_handler = SIG_IGN }, dfl = { .sa_handler = SIG_DFL };
	struct sigaction oldpipe, oldchld;
	struct sluice_error left = { 0 };
	sigset_t set, oldmask;
	bool batch = false;
	int r = -1;

	memset(&s, 0, sizeof(s));
	sluice_launch_init(&s.l);
	s.l.oci_request = request;
	s.l.oci_request_len = request_len;
	s.l.cg = cg;
	s.l.cg_keep = cg != NULL;
	s.timerfd = -1;
	s.timeout = c->sluice.timeout;
	s.grace = c->sluice.kill_grace;
	s.kill_sig = c->linux.ns[SLUICE_NS_PID].enabled ? SIGKILL : SLUICE_SIG_END;
	s.helper_is_init = c->sluice.init || !c->linux.ns[SLUICE_NS_PID].enabled;
	s.terminal = c->process.terminal && !who->console_socket;
	sluice_tty_init(&s.tty);
	sluice_ensure_std_fds();
	if (sluice_config_check_paths(c, err) < 0 || sluice_stdio_prepare(c, &stdio, err) < 0) {
		(void)sluice_launch_release(&s.l, &left);
		return -1;
	}
	s.own_session = !sluice_stdio_hands_terminal(&stdio);
	s.sigfd = make_signalfd(&set, &oldmask, err);
	if (s.sigfd < 0) {
		(void)sluice_launch_release(&s.l, &left);
		goto out_stdio;
	}
	/* A reader of our stdout that goes away must not kill us: the relay
	 * handles EPIPE.  The helper restores the default before exec. */
	sigaction(SIGPIPE, &ign, &oldpipe);
	/* A SIGCHLD left ignored (or SA_NOCLDWAIT) by whoever started us would
	 * have the kernel reap the helper behind our back: no status. */
	sigaction(SIGCHLD, &dfl, &oldchld);
	if (sluice_launch_start(&s.l, sized_config(&s, c, &sized), who, &stdio, &oldmask, err) < 0)
		goto out_signals;
	batch = batch_begin(&stdio);
	if (sluice_relay_init(&s.relay, &stdio, err) < 0) {
		sluice_launch_abort(&s.l);
		goto out_signals;
	}
	r = supervise(&s, err);
	if (r < 0 && !s.exited)
		sluice_launch_abort(&s.l);
	sluice_relay_free(&s.relay);
out_signals:
	sluice_tty_restore(&s.tty);
	batch_end(batch);
	if (sluice_launch_release(&s.l, &left) < 0 && r >= 0) {
		*err = left;
		r = -1;
	}
	sluice_close(s.timerfd);
	sluice_close(s.sigfd);
	sigaction(SIGPIPE, &oldpipe, NULL);
	sigaction(SIGCHLD, &oldchld, NULL);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
out_stdio:
	sluice_stdio_release(&stdio);
	return r;
}
