/* floorprobe [-n N]: what this host's kernel charges, outside sluice, for
 * the steps that two of sluice's costs are made of (docs/performance.md,
 * "The host's floors"), so that `make bench` prints each target next to
 * the least any runtime could pay for it here.
 *
 * One TSV line per figure: NAME, median, 10th and 90th percentile (µs), of
 * N samples (default 200), the figures alternated:
 *
 *   exit-own-mm     a child made by fork (an address space of its own, as
 *                   every process that has exec'd) calls _exit: the time
 *                   from just before that call to the parent's return from
 *                   waitid.  An init in the sandbox is one more such exit
 *                   and wake-up at its end (docs/pid1.md).
 *   exit-shared-mm  the same for a child that shares its parent's memory
 *                   (CLONE_VM): the exit and wake-up without the teardown
 *                   of an address space.
 *   seccomp-load    seccomp(SECCOMP_SET_MODE_FILTER) of a one-instruction
 *                   filter (allow all), timed around the call in a fresh
 *                   child each time: what loading any filter costs.
 *
 * The child writes its timestamp to a shared page before it exits; the
 * parent reads CLOCK_MONOTONIC when waitid returns. */

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum {
	EXIT_OWN,
	EXIT_SHARED,
	SECCOMP_LOAD,
	FIGURES
};

static const char *const names[FIGURES] = { "exit-own-mm", "exit-shared-mm", "seccomp-load" };

/* Written by the child: its timestamp (exit) or the load's duration. */
static volatile double *shared;

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static int exit_now(void *arg)
{
	(void)arg;
	*shared = now_us();
	syscall(SYS_exit_group, 0);
	return 0;
}

static void load_filter(void)
{
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { .len = 1, .filter = &allow };
	double t;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		_exit(2);
	t = now_us();
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		_exit(3);
	*shared = now_us() - t;
	_exit(0);
}

/* One sample of figure f, in µs. */
static double sample(int f, char *stack_top)
{
	siginfo_t si;
	pid_t pid;

	if (f == EXIT_SHARED)
		pid = clone(exit_now, stack_top, CLONE_VM | SIGCHLD, NULL);
	else
		pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		if (f == SECCOMP_LOAD)
			load_filter();
		exit_now(NULL);
	}
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, pid, &si, WEXITED) < 0)
		die("waitid");
	if (si.si_code != CLD_EXITED || si.si_status != 0) {
		fprintf(stderr, "floorprobe: %s: the child failed (%d)\n", names[f], si.si_status);
		exit(1);
	}
	return f == SECCOMP_LOAD ? *shared : now_us() - *shared;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	int n = 200, opt;
	double *v[FIGURES];

	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt != 'n' || (n = atoi(optarg)) < 10) {
			fprintf(stderr, "usage: floorprobe [-n N (at least 10)]\n");
			return 2;
		}
	}
	shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		die("mmap");
	for (int f = 0; f < FIGURES; f++)
		if (!(v[f] = calloc((size_t)n, sizeof(double))))
			die("calloc");
	for (int i = 0; i < n; i++)
		for (int f = 0; f < FIGURES; f++)
			v[(f + i) % FIGURES][i] = sample((f + i) % FIGURES, stack + sizeof(stack));
	for (int f = 0; f < FIGURES; f++) {
		qsort(v[f], (size_t)n, sizeof(double), by_value);
		printf("%s\t%.1f\t%.1f\t%.1f\n", names[f], v[f][n / 2], v[f][n / 10],
		       v[f][n * 9 / 10]);
	}
	return 0;
}
