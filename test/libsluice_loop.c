/* libsluice_loop: sluice_run() many times in one long-lived process, the way
 * a runtime embeds libsluice, checking after every run what must not grow:
 * open fds, children (a zombie or a live process left behind), mounts, and
 * at the end the resident memory.  Used by test/stress.bats (1000 runs in a
 * row), test/faults.bats (a fault injected in the helper on every run) and
 * `make valgrind` (the parent under memcheck).  docs/quality.md.
 *
 * usage: libsluice_loop [-n COUNT] [-c CONFIG] [-H HELPER] [-s STATUS]
 *                       [-e CODE:TEXT] [-r KIB] [-q] [--] [COMMAND [ARG...]]
 *   -n COUNT      sandboxes to run, one after another (default 1)
 *   -c CONFIG     load CONFIG over the embedded default (sluice run --config)
 *   -H HELPER     the helper binary; default: this program, as `PROG init`
 *   -s STATUS     the status every run must return (default 0)
 *   -e CODE:TEXT  every run must fail instead: exit code CODE, and TEXT in
 *                 the message ("sluice: " is not part of it)
 *   -r KIB        resident memory may grow by at most KIB between the end of
 *                 the warm-up (a tenth of the runs, at least one) and the end
 *                 (default 512; not checked under AddressSanitizer, whose
 *                 quarantine holds freed memory: LeakSanitizer checks there)
 *   -q            no summary line
 * Exits 0 when every check held, 1 otherwise (each failure said on stderr). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "error.h"
#include "helper.h"
#include "run.h"
#include "util.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

struct loop {
	long count;
	const char *config;
	const char *helper;
	int want_status;
	int want_code;	       /* 0: the runs must succeed */
	const char *want_text; /* with want_code */
	long rss_slack_kib;
	bool quiet;
	char **cmd;
	int failures;
};

struct sample {
	int fds;
	int mounts;
	long rss_kib;
};

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own fd */
}

static int count_mounts(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int n = 0, ch;

	if (!f)
		return -1;
	while ((ch = getc(f)) != EOF)
		n += ch == '\n';
	fclose(f);
	return n;
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "re");
	long size = 0, resident = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &size, &resident) != 2)
		resident = -1;
	fclose(f);
	return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static struct sample take_sample(void)
{
	return (struct sample){ .fds = count_fds(), .mounts = count_mounts(), .rss_kib = rss_kib() };
}

__attribute__((format(printf, 3, 4))) static void failf(struct loop *L, long run, const char *fmt,
							...)
{
	va_list ap;

	L->failures++;
	fprintf(stderr, "libsluice_loop: run %ld: ", run);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* No child may be left: neither a zombie nor a live process. */
static void check_children(struct loop *L, long run)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 && errno == ECHILD)
		return;
	failf(L, run, "a child is left behind (%s)", si.si_pid ? "a zombie" : "still running");
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static int build_config(const struct loop *L, struct sluice_config *c,
			const struct sluice_caller *who, struct sluice_error *err)
{
	if (sluice_config_default(c, who, err) < 0)
		return -1;
	if (L->config && sluice_config_load_file(c, L->config, err) < 0)
		return -1;
	if (L->cmd[0]) {
		sluice_strv_free(c->process.args);
		c->process.args = sluice_strv_dup(L->cmd);
		if (!c->process.args)
			return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "out of memory");
	}
	return sluice_config_finalize(c, who, err);
}

static void run_once(struct loop *L, long run, const struct sluice_caller *who)
{
	struct sluice_config c;
	struct sluice_error err = { 0 };
	char msg[sizeof(err.msg) + 128];
	int r;

	sluice_config_init(&c);
	r = build_config(L, &c, who, &err);
	if (r == 0)
		r = sluice_run(&c, who, &err);
	sluice_config_free(&c);
	if (r < 0)
		sluice_error_format(&err, msg, sizeof(msg));
	if (L->want_code) {
		if (r >= 0)
			failf(L, run, "expected a failure, the workload ran and gave status %d", r);
		else if (err.exit_code != L->want_code || !strstr(msg, L->want_text))
			failf(L, run, "expected %d and \"%s\", got %d: %s", L->want_code,
			      L->want_text, err.exit_code, msg);
		return;
	}
	if (r < 0)
		failf(L, run, "sluice_run failed (%d): %s", err.exit_code, msg);
	else if (r != L->want_status)
		failf(L, run, "status %d, expected %d", r, L->want_status);
}

static void check_sample(struct loop *L, long run, const struct sample *base)
{
	struct sample now = take_sample();

	if (now.fds != base->fds)
		failf(L, run, "open fds: %d, was %d", now.fds, base->fds);
	if (now.mounts != base->mounts)
		failf(L, run, "mounts: %d, was %d", now.mounts, base->mounts);
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int loop(struct loop *L)
{
	char cwd[PATH_MAX];
	struct sluice_caller who = { .uid = geteuid(), .gid = getegid(), .helper = L->helper };
	struct sample first, warm;
	long warmup = L->count / 10 > 0 ? L->count / 10 : 1;
	double start = now_seconds();

	who.cwd = getcwd(cwd, sizeof(cwd));
	first = take_sample();
	warm = first;
	for (long run = 1; run <= L->count && L->failures < 10; run++) {
		run_once(L, run, &who);
		check_children(L, run);
		check_sample(L, run, &first);
		if (run == warmup)
			warm = take_sample();
	}
	if (!UNDER_ASAN && L->count > warmup && rss_kib() - warm.rss_kib > L->rss_slack_kib)
		failf(L, L->count,
		      "resident memory grew: %ld KiB after the warm-up, %ld KiB at the end",
		      warm.rss_kib, rss_kib());
	if (!L->quiet)
		printf("libsluice_loop: %ld runs in %.2fs: %s; fds %d -> %d, mounts %d -> %d, "
		       "rss %ld KiB after %ld warm-up runs -> %ld KiB%s\n",
		       L->count, now_seconds() - start, L->failures ? "FAILED" : "all as expected",
		       first.fds, count_fds(), first.mounts, count_mounts(), warm.rss_kib, warmup,
		       rss_kib(), UNDER_ASAN ? " (not checked under ASan)" : "");
	return L->failures ? 1 : 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: libsluice_loop [-n COUNT] [-c CONFIG] [-H HELPER] [-s STATUS] "
			"[-e CODE:TEXT] [-r KIB] [-q] [--] [COMMAND [ARG...]]\n");
	return 64;
}

static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return errno || end == s || (*end && *end != ':') || *out < min || *out > max ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct loop L = { .count = 1, .rss_slack_kib = 512 };
	long v;
	int opt;

	/* This program is its own helper unless -H names another. */
	if (argc > 1 && strcmp(argv[1], "init") == 0)
		return sluice_helper_main();
	while ((opt = getopt(argc, argv, "+n:c:H:s:e:r:q")) != -1) {
		switch (opt) {
		case 'n':
			if (parse_long(optarg, 1, 10000000, &L.count) < 0)
				return usage();
			break;
		case 'c':
			L.config = optarg;
			break;
		case 'H':
			L.helper = optarg;
			break;
		case 's':
			if (parse_long(optarg, 0, 255, &v) < 0)
				return usage();
			L.want_status = (int)v;
			break;
		case 'e':
			if (parse_long(optarg, 1, 255, &v) < 0 || !strchr(optarg, ':'))
				return usage();
			L.want_code = (int)v;
			L.want_text = strchr(optarg, ':') + 1;
			break;
		case 'r':
			if (parse_long(optarg, 0, 1L << 30, &L.rss_slack_kib) < 0)
				return usage();
			break;
		case 'q':
			L.quiet = true;
			break;
		default:
			return usage();
		}
	}
	L.cmd = argv + optind;
	return loop(&L);
}
