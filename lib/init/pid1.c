/* The helper as init of the sandbox (sluice.init, tini's job): it forks the
 * workload, reaps every process that ends in the sandbox, forwards the
 * signals it receives, and exits with the workload's status.  Without a pid
 * namespace it makes itself child subreaper so that orphans still come to
 * it.  The loop follows tini: everything blocked, one signal at a time with
 * sigwaitinfo. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clone_vm.h"
#include "error.h"
#include "helper.h"
#include "protocol.h"
#include "seccomp_filter.h"
#include "util.h"

/* Signals a process raises against itself (faults, abort): when one of
 * them arrives from outside it is not meant for the workload. */
static bool synchronous(int sig)
{
	switch (sig) {
	case SIGSEGV:
	case SIGBUS:
	case SIGFPE:
	case SIGILL:
	case SIGTRAP:
	case SIGSYS:
	case SIGABRT:
		return true;
	}
	return false;
}

/*
 * The signals we ignore (bit sig - 1), from /proc/thread-self/status: the
 * ones exec would pass on to the workload as ignored.  Every one where
 * that cannot be read (another pid namespace's /proc after a join).
 */
static uint64_t ignored_signals(void)
{
	uint64_t mask;

	return sluice_proc_sigmask(0, "SigIgn", &mask) == 0 ? mask : UINT64_MAX;
}

/*
 * Every disposition back to SIG_DFL before the exec: exec itself resets
 * the handled ones and passes the ignored ones on, so only those (ignored,
 * from ignored_signals()) need a call each, instead of one for each of 62
 * signals (95 us of a start here).  The raw system call, because glibc's
 * sigaction refuses its two internal real-time signals (32 and 33), which
 * a launcher may well have left ignored.
 */
static void reset_signals(uint64_t ignored)
{
	struct {
		void *handler;
		unsigned long flags;
		void *restorer;
		uint64_t mask;
	} dfl = { .handler = SIG_DFL };
	sigset_t none;

	for (int sig = 1; sig < NSIG && sig <= 64; sig++)
		if (sig != SIGKILL && sig != SIGSTOP && (ignored >> (sig - 1) & 1))
			(void)syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof(dfl.mask));
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Reap everything that has ended; true once the workload is among them. */
static bool reap(pid_t workload, int *status)
{
	bool done = false;
	int st;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		if (pid == workload) {
			*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			done = true;
		}
	return done;
}

static int kill_children_once(void)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	uint64_t pid;
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
	f = fopen(path, "re");
	if (!f)
		return -1;
	/* one line: "PID PID ... " */
	if (getline(&line, &cap, f) > 0)
		for (const char *p = line; (p = sluice_scan_u64(p, 10, &pid)) && pid <= INT_MAX; n++)
			(void)kill((pid_t)pid, SIGKILL);
	free(line);
	fclose(f);
	return n;
}

/* As PID 1 our exit ends the pid namespace and the kernel kills the rest.
 * As a subreaper we must end them: our children, and the orphans that are
 * handed to us as their parents die, until none is left.  Never a blocking
 * wait: an orphan re-parented after a sweep would keep it waiting. */
static void end_the_rest(void)
{
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	sigset_t chld;

	if (getpid() == 1)
		return;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	for (int round = 0; round < 500; round++) {
		pid_t r;
		(void)kill_children_once();
		while ((r = waitpid(-1, NULL, WNOHANG)) > 0)
			;
		if (r < 0 && errno == ECHILD)
			return;
		(void)sigtimedwait(&chld, NULL, &tick);
	}
}

static int final_status(const struct sluice_pid1_opts *o, int status)
{
	for (size_t i = 0; i < o->n_remap_exit; i++)
		if (o->remap_exit[i] == status)
			return 0;
	return status;
}

/* A signal the terminal sent (Ctrl-C, Ctrl-Z, a resize) went to the whole
 * foreground process group, which the workload shares with us unless it
 * has a group of its own: passing it on would deliver it twice. */
static bool already_delivered(const struct sluice_pid1_opts *o, const siginfo_t *si)
{
	return si->si_code == SI_KERNEL && !o->signal_group;
}

/* Does pid catch sig (SigCgt in /proc/PID/status)? */
static bool catches(pid_t pid, int sig)
{
	uint64_t mask;

	return sluice_proc_sigmask(pid, "SigCgt", &mask) == 0 && sig <= 64 &&
	       (mask >> (sig - 1)) & 1;
}

static bool stop_signal(int sig)
{
	return sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/*
 * A stop from job control.  The workload's process group often has no
 * parent in another group of its session (it has a session of its own, or
 * sluice leads the session), and then the kernel discards a SIGTSTP,
 * SIGTTIN or SIGTTOU whose action is the default (POSIX's "orphaned
 * process group"): such a workload gets SIGSTOP instead, even when the
 * terminal sent the signal to it too.  One that handles the signal (to
 * restore its terminal first) gets it as sent, once.
 */
static int stop_for(pid_t child, const siginfo_t *si)
{
	bool handled = catches(child, si->si_signo);

	if (handled && si->si_code == SI_KERNEL)
		return 0; /* the terminal delivered it */
	return handled ? si->si_signo : SIGSTOP;
}

/* How long the init waits, idle, before it gives back its set-up memory. */
#define RELEASE_AFTER_NS (10 * 1000 * 1000)

/* The next signal.  The init idles for the sandbox's lifetime: its RSS
 * should be what its loop touches, not the whole set-up (docs/
 * performance.md).  It gives that back once the loop has been idle for
 * RELEASE_AFTER_NS: not before the fork, where the workload's side faults
 * the dropped code back in on its way to exec, nor at once after it, where
 * the work competes with the workload's start; a short-lived workload is
 * gone before.  (Measured: 0.2 ms less per --init start on one CPU, within
 * the noise on two; the rest of the init's cost is the fork and the extra
 * exit, docs/performance.md.) */
static int next_signal(const sigset_t *all, siginfo_t *si, bool *release)
{
	struct timespec idle = { 0, RELEASE_AFTER_NS };
	int sig;

	if (!*release)
		return sigwaitinfo(all, si);
	sig = sigtimedwait(all, si, &idle);
	if (sig < 0 && errno == EAGAIN) {
		sluice_clone_vm_drop_stack();
		sluice_release_setup_memory();
		*release = false;
	}
	return sig;
}

static __attribute__((noreturn)) void supervise(pid_t child, const struct sluice_pid1_opts *o)
{
	bool release = o->release_memory;
	int status = 0;
	sigset_t all;
	siginfo_t si;

	sigfillset(&all);
	for (;;) {
		int sig = next_signal(&all, &si, &release);
		if (sig < 0)
			continue;
		if (sig == SIGCHLD) {
			if (reap(child, &status))
				break;
			continue;
		}
		if (sig == SLUICE_SIG_END && getpid() != 1) {
			end_the_rest();
			_exit(128 + SIGKILL);
		}
		if (stop_signal(sig) && !o->signal_group)
			sig = stop_for(child, &si);
		else if (synchronous(sig) || already_delivered(o, &si))
			continue;
		if (sig == 0)
			continue;
		/* No pidfd needed (nor an fd held in the init): the workload is
		 * our own child, reaped only by this loop, so its pid cannot be
		 * recycled before the loop ends. */
		if (o->signal_group)
			(void)kill(-child, sig);
		else
			(void)kill(child, sig);
	}
	end_the_rest();
	_exit(final_status(o, status));
}

/* tini -g: the workload leads a process group of its own; when it runs on
 * our terminal that group must be the foreground one, or it would be
 * stopped as soon as it reads from the terminal. */
static void own_group(void)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, dfl = { .sa_handler = SIG_DFL };
	bool foreground = isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp();

	(void)setpgid(0, 0);
	if (!foreground)
		return;
	sigaction(SIGTTOU, &ign, NULL);
	(void)tcsetpgrp(STDIN_FILENO, getpgrp());
	sigaction(SIGTTOU, &dfl, NULL);
}

/* Beside a filtered workload the init takes a filter of its own
 * (lib/seccomp/init_filter.c): from here on only its loop's calls work.
 * Failing that, nothing may run: the workload goes, and the runtime hears
 * why on the status channel. */
static void confine(pid_t workload, const struct sluice_pid1_opts *o)
{
	struct sluice_error e = { 0 }, out;

	if ((!o->caps_of || sluice_caps_set_proc(o->caps_of, 0, &e) == 0) &&
	    sluice_seccomp_confine_init(&e) == 0)
		return;
	(void)kill(workload, SIGKILL);
	out = e;
	snprintf(out.msg, sizeof(out.msg), "init: %.1000s", e.msg);
	if (o->status_fd >= 0)
		(void)sluice_proto_write_error(o->status_fd, "init", &out);
	else
		sluice_error_print(&out);
	_exit(SLUICE_EXIT_SETUP);
}

/* With o->confine the workload waits until the init is under its filter:
 * otherwise the workload could run (and ptrace the init, same uid and
 * dumpable, to make it call what the workload may not) before the init
 * has confined itself. */
static int confine_gate(const struct sluice_pid1_opts *o, int gate[2], struct sluice_error *err)
{
	gate[0] = gate[1] = -1;
	if (o->confine && pipe2(gate, O_CLOEXEC) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "pipe2");
	return 0;
}

/* The child's side: EOF once the init has closed its end.  Plain close(),
 * which leaves errno alone when it succeeds: a spawned child shares errno
 * with the init, which is busy confining itself meanwhile. */
static void confine_wait(int gate[2])
{
	char c;

	if (gate[0] < 0)
		return;
	(void)close(gate[1]);
	while (read(gate[0], &c, 1) < 0 && errno == EINTR)
		;
	(void)close(gate[0]);
}

/* The workload's side, before it goes on to exec.  Under o->confine the
 * gate comes first: a child that shares the init's memory (spawn) must not
 * run, even to set errno, while the init confines itself. */
static void child_side(const struct sluice_pid1_opts *o, int gate[2], uint64_t ignored)
{
	confine_wait(gate);
	reset_signals(ignored);
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* A terminal workload leads a session (and so a group) of its
	 * own, which setsid() refuses to a group leader. */
	if (o->signal_group && !o->terminal)
		own_group();
}

/* The init's side once the workload is on its way; never returns. */
static __attribute__((noreturn)) void parent_side(pid_t pid, const struct sluice_pid1_opts *o)
{
	if (o->status_fd >= 0)
		sluice_close(o->status_fd);
	/* The init holds no fd but 0, 1 and 2: what it inherited or keeps
	 * for the workload (preserved fds) must not stay open in it for the
	 * sandbox's lifetime. */
	(void)syscall(SYS_close_range, 3U, ~0U, 0U);
	/* Without a pid namespace nobody tears the sandbox down for us: our
	 * parent's death must reach the loop, which then ends everything. */
	if (getpid() != 1)
		(void)prctl(PR_SET_PDEATHSIG, SLUICE_SIG_END, 0, 0, 0);
	supervise(pid, o);
}

struct spawn {
	const struct sluice_pid1_opts *o;
	int *gate;
	uint64_t ignored;
};

static int spawned(void *arg, int exec_fd)
{
	struct spawn *s = arg;

	child_side(s->o, s->gate, s->ignored);
	return s->o->child(s->o->child_ctx, exec_fd);
}

/* While the spawned workload waits at the gate. */
static void confine_meanwhile(pid_t pid, void *arg)
{
	struct spawn *s = arg;

	sluice_close(s->gate[0]);
	confine(pid, s->o);
	sluice_close(s->gate[1]);
}

/*
 * The workload as a child that shares the init's memory until it execs
 * (clone_vm.h): no copy of the helper's address space is built, which was
 * most of what an init cost a start (docs/performance.md).  Without a
 * filter to apply the init sleeps in the kernel until the exec; with one
 * it confines itself first, then opens the gate.  Returns only when it
 * could not clone (the caller forks instead).
 */
static int spawn_workload(const struct sluice_pid1_opts *o, int gate[2], uint64_t ignored)
{
	struct spawn s = { .o = o, .gate = gate, .ignored = ignored };
	pid_t pid;

	/* unmapped once idle (next_signal), not between exec and reaping */
	sluice_clone_vm_keep_stack();
	pid = sluice_clone_vm(0, spawned, &s, NULL, -1, o->confine ? confine_meanwhile : NULL, &s);
	if (pid < 0)
		return -1;
	parent_side(pid, o);
}

int sluice_pid1_fork(const struct sluice_pid1_opts *o, struct sluice_error *err)
{
	sigset_t all, old;
	int gate[2];
	pid_t pid;
	uint64_t ignored;

	if (confine_gate(o, gate, err) < 0)
		return -1;
	/* nothing below changes a disposition before the child exists */
	ignored = ignored_signals();

	/* Block first: a signal that arrives between fork and the loop must
	 * wait for the loop, not kill the init with its default action. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	if (getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		sluice_close(gate[0]);
		sluice_close(gate[1]);
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "prctl(PR_SET_CHILD_SUBREAPER)");
	}
	if (o->child)
		(void)spawn_workload(o, gate, ignored); /* returns only if it could not clone */
	pid = fork();
	if (pid < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		sluice_close(gate[0]);
		sluice_close(gate[1]);
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "fork the workload");
	}
	if (pid == 0) {
		child_side(o, gate, ignored);
		if (o->child)
			_exit(o->child(o->child_ctx, -1));
		return 0;
	}
	if (o->confine) {
		sluice_close(gate[0]);
		confine(pid, o);
		sluice_close(gate[1]);
	}
	parent_side(pid, o);
}
