/* benchrun: the timing and memory driver of `make bench` (docs/performance.md).
 *
 *   benchrun lat  [-n N] [-w W] [-R PRIO] [-o SAMPLES.tsv] [-l LOGDIR] SPEC
 *   benchrun mem  [-r R] [-o MEM.tsv] [-l LOGDIR] SPEC
 *   benchrun conc [-N N] [-c NAME] [-s EXE] [-i MS] [-l LOGDIR] SPEC
 *   benchrun time [-s EXE] [-i MS] [-o SERIES.tsv] -- CMD [ARG...]
 *
 * SPEC is a file with one contender per line: NAME, TAB, then its argv as
 * TAB-separated words (no shell: nothing but fork, exec and wait is timed).
 * "{i}" in a word becomes the number of the run (container ids).
 *
 * lat:  N timed starts of each contender after W warm-ups, round-robin, in
 *       a new order every round (a shuffle with a fixed seed) so that drift
 *       and caching hit all alike, and no contender always follows the same
 *       one.  Each start is clock_gettime(CLOCK_MONOTONIC) around
 *       posix_spawn + wait4.  Prints a table; writes one row per start.
 *       -R PRIO: the driver and so every contender run SCHED_FIFO at PRIO,
 *       which shields them from the other load of a shared machine.
 * mem:  each contender's workload is bench/rssprobe, which prints the peak
 *       RSS of the process that exec'd it and sleeps; meanwhile the driver
 *       reads VmHWM/VmRSS of the launcher and of every other process under it.
 * conc: N copies of one contender started at once; wall time from the first
 *       spawn to the last exit.  With -s, samples every -i ms the summed
 *       VmRSS and Pss of the processes under us whose executable is EXE.
 * time: runs CMD once, prints its wall time and the CPU time of its
 *       whole tree (wait4); with -s, samples VmRSS of
 *       the processes under it whose executable is EXE (a time series). */

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_CONTENDERS 16
#define MAX_ARGS 64

struct contender {
	char *name;
	char *argv[MAX_ARGS];
	int argc;
	int log_fd;
};

struct sample {
	int64_t ns;
	int status;
	long maxrss_kb;
	int64_t cpu_ns;
};

static struct contender cont[MAX_CONTENDERS];
static int n_cont;
static const char *log_dir;

static __attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "benchrun: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(2);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ---- the spec file ---- */

static void parse_spec_line(char *line)
{
	struct contender *c;
	char *save = NULL, *tok;

	line[strcspn(line, "\n")] = '\0';
	if (!line[0] || line[0] == '#')
		return;
	if (n_cont == MAX_CONTENDERS)
		die("too many contenders (max %d)", MAX_CONTENDERS);
	c = &cont[n_cont++];
	c->name = strdup(strtok_r(line, "\t", &save));
	while ((tok = strtok_r(NULL, "\t", &save)) && c->argc < MAX_ARGS - 1)
		c->argv[c->argc++] = strdup(tok);
	if (!c->argc)
		die("contender %s: no command", c->name);
	c->log_fd = -1;
}

static void open_log(struct contender *c)
{
	char path[PATH_MAX];

	if (!log_dir) {
		c->log_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		return;
	}
	snprintf(path, sizeof(path), "%s/%s.log", log_dir, c->name);
	c->log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (c->log_fd < 0)
		die("%s: %s", path, strerror(errno));
}

static void load_spec(const char *path)
{
	char line[8192];
	FILE *f = fopen(path, "re");

	if (!f)
		die("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f))
		parse_spec_line(line);
	fclose(f);
	if (!n_cont)
		die("%s: no contender", path);
	for (int i = 0; i < n_cont; i++)
		open_log(&cont[i]);
}

/* argv with "{i}" replaced by the run number. */
static char **instantiate(const struct contender *c, long run, char **buf)
{
	static char *argv[MAX_ARGS];

	for (int i = 0; i < c->argc; i++) {
		const char *at = strstr(c->argv[i], "{i}");
		free(buf[i]);
		buf[i] = NULL;
		if (!at) {
			argv[i] = c->argv[i];
			continue;
		}
		if (asprintf(&buf[i], "%.*s%ld%s", (int)(at - c->argv[i]), c->argv[i], run, at + 3) < 0)
			die("out of memory");
		argv[i] = buf[i];
	}
	argv[c->argc] = NULL;
	return argv;
}

/* stdin /dev/null, stdout to out_fd (or /dev/null), stderr to the log. */
static pid_t spawn(const struct contender *c, long run, int out_fd)
{
	static char *buf[MAX_ARGS];
	posix_spawn_file_actions_t fa;
	pid_t pid;
	char **argv = instantiate(c, run, buf);
	int e;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (out_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	else
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, c->log_fd, 2);
	e = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (e)
		die("%s: cannot start %s: %s", c->name, argv[0], strerror(e));
	return pid;
}

static int exit_code(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ---- statistics ---- */

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Linear interpolation between the closest ranks (numpy's default). */
static double percentile(const int64_t *sorted, size_t n, double p)
{
	double pos = p * (double)(n - 1);
	size_t lo = (size_t)pos;

	if (n == 0)
		return 0;
	if (lo + 1 >= n)
		return (double)sorted[n - 1];
	return (double)sorted[lo] + (pos - (double)lo) * (double)(sorted[lo + 1] - sorted[lo]);
}

/* ---- lat ---- */

static void run_one(int ci, long run, struct sample *s)
{
	struct rusage ru;
	int st = 0;
	int64_t t0 = now_ns();
	pid_t pid = spawn(&cont[ci], run, -1);

	while (wait4(pid, &st, 0, &ru) < 0)
		if (errno != EINTR)
			die("wait4: %s", strerror(errno));
	s->ns = now_ns() - t0;
	s->status = exit_code(st);
	s->maxrss_kb = ru.ru_maxrss;
	s->cpu_ns = ((int64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000 +
		    ((int64_t)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
}

static void summarize_lat(struct sample *all, long n)
{
	int64_t *t = calloc((size_t)n, sizeof(*t)), *cpu = calloc((size_t)n, sizeof(*cpu));

	printf("%-14s %5s %5s %9s %9s %9s %9s %9s %9s\n", "contender", "runs", "fail", "median",
	       "p90", "mean", "min", "max", "cpu-med");
	for (int c = 0; c < n_cont; c++) {
		size_t ok = 0;
		double sum = 0;
		long fails = 0;
		for (long i = 0; i < n; i++) {
			struct sample *s = &all[i * n_cont + c];
			if (s->status != 0) {
				fails++;
				continue;
			}
			t[ok] = s->ns;
			cpu[ok++] = s->cpu_ns;
			sum += (double)s->ns;
		}
		qsort(t, ok, sizeof(*t), cmp_i64);
		qsort(cpu, ok, sizeof(*cpu), cmp_i64);
		if (!ok) {
			printf("%-14s %5ld %5ld   FAILED (see its log)\n", cont[c].name, n, fails);
			continue;
		}
		printf("%-14s %5ld %5ld %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f\n", cont[c].name, n, fails,
		       percentile(t, ok, 0.5) / 1e6, percentile(t, ok, 0.9) / 1e6, sum / (double)ok / 1e6,
		       (double)t[0] / 1e6, (double)t[ok - 1] / 1e6, percentile(cpu, ok, 0.5) / 1e6);
	}
	free(t);
	free(cpu);
}

/*
 * The order of one round: a fresh permutation (Fisher-Yates over a
 * fixed-seed xorshift, so a run can be repeated).  Rotating one order, as
 * this driver did until 2026-12-07, keeps each contender behind the same
 * predecessor in every round, and a heavy one leaves work behind it (runc's
 * namespaces and cgroups are torn down by kernel workers after it exits):
 * its successor then paid for that in every round, which put up to 0.4 ms
 * on sluice-seccomp, the contender after runc.
 */
static void round_order(int *order)
{
	static uint64_t x = 0x9e3779b97f4a7c15ull;

	for (int i = 0; i < n_cont; i++)
		order[i] = i;
	for (int i = n_cont - 1; i > 0; i--) {
		int j, t;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		j = (int)(x % (uint64_t)(i + 1));
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
}

static int cmd_lat(long n, long warm, const char *out)
{
	struct sample *all = calloc((size_t)(n * n_cont), sizeof(*all));
	struct sample dummy;
	FILE *f = out ? fopen(out, "we") : NULL;
	int order[MAX_CONTENDERS];

	if (!all || (out && !f))
		die("%s: %s", out ? out : "calloc", strerror(errno));
	for (long i = 0; i < warm; i++) {
		round_order(order);
		for (int k = 0; k < n_cont; k++)
			run_one(order[k], i, &dummy);
	}
	for (long i = 0; i < n; i++) {
		round_order(order);
		for (int k = 0; k < n_cont; k++)
			run_one(order[k], warm + i, &all[i * n_cont + order[k]]);
	}
	if (f) {
		fprintf(f, "contender\titer\tns\tstatus\ttree_maxrss_kb\tcpu_ns\n");
		for (long i = 0; i < n; i++)
			for (int c = 0; c < n_cont; c++) {
				struct sample *s = &all[i * n_cont + c];
				fprintf(f, "%s\t%ld\t%lld\t%d\t%ld\t%lld\n", cont[c].name, i, (long long)s->ns,
					s->status, s->maxrss_kb, (long long)s->cpu_ns);
			}
		fclose(f);
	}
	summarize_lat(all, n);
	free(all);
	return 0;
}

/* ---- /proc ---- */

struct proc_info {
	pid_t pid, ppid;
	char exe[PATH_MAX];
	char name[32]; /* Name: in /proc/PID/status */
	long hwm_kb, rss_kb;
};

static pid_t read_ppid(pid_t pid)
{
	char path[64], buf[512], *p;
	int fd;
	ssize_t n;
	pid_t ppid = -1;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* comm may contain anything */
	if (p && sscanf(p + 1, " %*c %d", &ppid) != 1)
		ppid = -1;
	return ppid;
}

static long status_field(const char *status, const char *key)
{
	const char *p = strstr(status, key);

	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

static void read_mem(struct proc_info *pi)
{
	char path[64], buf[4096];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/exe", pi->pid);
	n = readlink(path, pi->exe, sizeof(pi->exe) - 1);
	pi->exe[n > 0 ? n : 0] = '\0';
	if (n > 10 && strcmp(pi->exe + n - 10, " (deleted)") == 0)
		pi->exe[n - 10] = '\0';
	pi->hwm_kb = pi->rss_kb = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", pi->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	pi->hwm_kb = status_field(buf, "VmHWM:");
	pi->rss_kb = status_field(buf, "VmRSS:");
	if (sscanf(buf, "Name:\t%31s", pi->name) != 1)
		pi->name[0] = '\0';
}

/* The process runs EXE.  A process whose executable sits on a mount that
 * our mount namespace cannot name (sluice's init: the read-only bind it
 * runs from is detached with the host's tree) reads as "/": then its name. */
static bool runs(const struct proc_info *pi, const char *exe)
{
	const char *s = strrchr(exe, '/');

	if (strcmp(pi->exe, exe) == 0)
		return true;
	return (!pi->exe[0] || strcmp(pi->exe, "/") == 0) && strcmp(pi->name, s ? s + 1 : exe) == 0;
}

/* The executable's base name, or the process's name where it has none. */
static const char *exe_name(const struct proc_info *pi)
{
	const char *s = strrchr(pi->exe, '/');

	return s && s[1] ? s + 1 : pi->name;
}

static long read_pss(pid_t pid)
{
	char path[64], buf[2048];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	n = status_field(buf, "\nPss:");
	return n > 0 ? n : 0;
}

/* Every process under root (root included), as a snapshot. */
static size_t descendants(pid_t root, struct proc_info *out, size_t max)
{
	static pid_t pids[65536], ppids[65536];
	size_t n = 0, found = 0;
	DIR *d = opendir("/proc");
	struct dirent *e;

	if (!d)
		die("/proc: %s", strerror(errno));
	while ((e = readdir(d)) && n < sizeof(pids) / sizeof(pids[0])) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		pids[n] = (pid_t)atoi(e->d_name);
		ppids[n] = read_ppid(pids[n]);
		n++;
	}
	closedir(d);
	if (max)
		out[found++] = (struct proc_info){.pid = root, .ppid = getpid()};
	/* Breadth-first: out[] grows as children of listed pids are found. */
	for (size_t k = 0; k < found; k++)
		for (size_t i = 0; i < n && found < max; i++)
			if (ppids[i] == out[k].pid)
				out[found++] = (struct proc_info){.pid = pids[i], .ppid = ppids[i]};
	for (size_t k = 0; k < found; k++)
		read_mem(&out[k]);
	return found;
}

/* ---- mem ---- */

static long read_probe_line(int fd)
{
	char buf[128];
	size_t len = 0;
	struct pollfd p = {.fd = fd, .events = POLLIN};

	while (len < sizeof(buf) - 1 && poll(&p, 1, 20000) == 1) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (strchr(buf, '\n'))
			break;
	}
	buf[len] = '\0';
	return strncmp(buf, "maxrss_kb=", 10) == 0 ? strtol(buf + 10, NULL, 10) : -1;
}

static void mem_one(FILE *f, int c, long run)
{
	static struct proc_info pi[256];
	int fds[2], st;
	pid_t pid;
	long setup_kb;
	size_t n;

	if (pipe2(fds, O_CLOEXEC) < 0)
		die("pipe2: %s", strerror(errno));
	pid = spawn(&cont[c], run, fds[1]);
	close(fds[1]);
	setup_kb = read_probe_line(fds[0]);
	/* Idle figures are read once the processes have settled: sluice's
	 * init gives back its set-up memory after 10 ms of idleness
	 * (lib/init/pid1.c); the probe sleeps far longer. */
	if (setup_kb >= 0)
		sleep_ms(100);
	n = setup_kb >= 0 ? descendants(pid, pi, 256) : 0;
	for (size_t k = 0; k < n; k++) {
		const char *role = k == 0 ? "launcher" : strcmp(exe_name(&pi[k]), "rssprobe") == 0 ? "workload" : "other";
		if (strcmp(role, "workload") != 0)
			fprintf(f, "%s\t%ld\t%s\t%s\t%d\t%ld\t%ld\n", cont[c].name, run, role, exe_name(&pi[k]),
				pi[k].pid, pi[k].hwm_kb, pi[k].rss_kb);
	}
	fprintf(f, "%s\t%ld\tsetup\t(peak of the process that exec'd the workload)\t0\t%ld\t-1\n",
		cont[c].name, run, setup_kb);
	close(fds[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (setup_kb < 0 || exit_code(st) != 0)
		fprintf(stderr, "benchrun: %s: run %ld failed (exit %d%s)\n", cont[c].name, run, exit_code(st),
			setup_kb < 0 ? ", no probe output" : "");
}

static int cmd_mem(long runs, const char *out)
{
	FILE *f = fopen(out ? out : "/dev/stdout", "we");

	if (!f)
		die("%s: %s", out, strerror(errno));
	fprintf(f, "contender\trun\trole\texe\tpid\thwm_kb\trss_kb\n");
	for (long i = 0; i < runs; i++)
		for (int k = 0; k < n_cont; k++)
			mem_one(f, (int)((i + k) % n_cont), i);
	fclose(f);
	return 0;
}

/* ---- sampling processes by executable ---- */

struct mem_peak {
	long rss_kb, pss_kb, procs, samples;
};

static void sample_exe(pid_t root, const char *exe, struct mem_peak *pk, FILE *series, int64_t t0)
{
	static struct proc_info pi[4096];
	size_t n = descendants(root, pi, 4096);
	long rss = 0, pss = 0, procs = 0;

	for (size_t k = 0; k < n; k++) {
		if (!runs(&pi[k], exe) || pi[k].rss_kb < 0)
			continue;
		rss += pi[k].rss_kb;
		pss += read_pss(pi[k].pid);
		procs++;
		if (series)
			fprintf(series, "%.3f\t%d\t%ld\n", (double)(now_ns() - t0) / 1e6, pi[k].pid, pi[k].rss_kb);
	}
	pk->samples++;
	if (rss > pk->rss_kb)
		pk->rss_kb = rss;
	if (pss > pk->pss_kb)
		pk->pss_kb = pss;
	if (procs > pk->procs)
		pk->procs = procs;
}

/* ---- conc ---- */

static int cmd_conc(long n, const char *name, const char *exe, long interval_ms)
{
	int c = 0, fails = 0, st;
	pid_t *pids = calloc((size_t)n, sizeof(*pids));
	long left = n;
	struct mem_peak pk = {0};
	int64_t t0, t1;

	while (name && c < n_cont && strcmp(cont[c].name, name) != 0)
		c++;
	if (c == n_cont)
		die("no contender %s", name);
	t0 = now_ns();
	for (long i = 0; i < n; i++)
		pids[i] = spawn(&cont[c], i, -1);
	while (left > 0) {
		pid_t p = waitpid(-1, &st, exe ? WNOHANG : 0);
		if (p > 0) {
			left--;
			fails += exit_code(st) != 0;
			continue;
		}
		if (p < 0 && errno != EINTR)
			die("waitpid: %s", strerror(errno));
		if (exe) {
			sample_exe(getpid(), exe, &pk, NULL, t0);
			sleep_ms(interval_ms);
		}
	}
	t1 = now_ns();
	printf("contender=%s n=%ld fails=%d wall_ms=%.1f", cont[c].name, n, fails, (double)(t1 - t0) / 1e6);
	if (exe)
		printf(" peak_procs=%ld peak_sum_rss_kb=%ld peak_sum_pss_kb=%ld samples=%ld", pk.procs,
		       pk.rss_kb, pk.pss_kb, pk.samples);
	printf("\n");
	free(pids);
	return fails ? 1 : 0;
}

/* ---- time ---- */

static int cmd_time(char **argv, const char *exe, long interval_ms, const char *out)
{
	struct contender c = {.name = "cmd", .log_fd = 2};
	FILE *series = out ? fopen(out, "we") : NULL;
	struct mem_peak pk = {0};
	struct rusage ru = {0};
	int st = 0;
	int64_t t0;
	pid_t pid;

	for (c.argc = 0; argv[c.argc] && c.argc < MAX_ARGS - 1; c.argc++)
		c.argv[c.argc] = argv[c.argc];
	if (out && !series)
		die("%s: %s", out, strerror(errno));
	if (series)
		fprintf(series, "ms\tpid\trss_kb\n");
	t0 = now_ns();
	pid = spawn(&c, 0, 1);
	for (;;) {
		pid_t p = wait4(pid, &st, exe ? WNOHANG : 0, &ru);
		if (p == pid)
			break;
		if (p < 0 && errno != EINTR)
			die("waitpid: %s", strerror(errno));
		if (exe) {
			sample_exe(pid, exe, &pk, series, t0);
			sleep_ms(interval_ms);
		}
	}
	fprintf(stderr, "wall_ns=%lld status=%d cpu_ns=%lld", (long long)(now_ns() - t0), exit_code(st),
		(long long)(((int64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000 +
			    ((int64_t)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000));
	if (exe)
		fprintf(stderr, " samples=%ld peak_sum_rss_kb=%ld", pk.samples, pk.rss_kb);
	fprintf(stderr, "\n");
	if (series)
		fclose(series);
	return exit_code(st);
}

static void usage(void)
{
	fprintf(stderr, "usage: benchrun lat  [-n N] [-w W] [-R PRIO] [-o SAMPLES.tsv] [-l LOGDIR] SPEC\n"
			"       benchrun mem  [-r R] [-o MEM.tsv] [-l LOGDIR] SPEC\n"
			"       benchrun conc [-N N] [-c NAME] [-s EXE] [-i MS] [-l LOGDIR] SPEC\n"
			"       benchrun time [-s EXE] [-i MS] [-o SERIES.tsv] -- CMD [ARG...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	long n = 200, warm = 5, runs = 5, conc = 100, interval = 20, rt_prio = 0;
	const char *out = NULL, *name = NULL, *exe = NULL, *mode;
	int opt;

	if (argc < 2)
		usage();
	mode = argv[1];
	argv++;
	argc--;
	while ((opt = getopt(argc, argv, "+n:w:o:l:r:N:c:s:i:R:")) != -1) {
		switch (opt) {
		case 'n': n = atol(optarg); break;
		case 'w': warm = atol(optarg); break;
		case 'o': out = optarg; break;
		case 'l': log_dir = optarg; break;
		case 'r': runs = atol(optarg); break;
		case 'N': conc = atol(optarg); break;
		case 'c': name = optarg; break;
		case 's': exe = optarg; break;
		case 'i': interval = atol(optarg); break;
		case 'R': rt_prio = atol(optarg); break;
		default: usage();
		}
	}
	if (strcmp(mode, "time") == 0)
		return optind < argc ? cmd_time(argv + optind, exe, interval, out) : (usage(), 2);
	if (optind != argc - 1 || n < 1)
		usage();
	load_spec(argv[optind]);
	if (rt_prio > 0) {
		struct sched_param sp = {.sched_priority = (int)rt_prio};
		/* Inherited through posix_spawn by every contender alike. */
		if (sched_setscheduler(0, SCHED_FIFO, &sp) < 0)
			die("sched_setscheduler(SCHED_FIFO, %ld): %s", rt_prio, strerror(errno));
	}
	if (strcmp(mode, "lat") == 0)
		return cmd_lat(n, warm, out);
	if (strcmp(mode, "mem") == 0)
		return cmd_mem(runs, out);
	if (strcmp(mode, "conc") == 0)
		return cmd_conc(conc, name, exe, interval);
	usage();
	return 2;
}
