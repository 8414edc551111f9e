/* probe: run inside a sandbox by the bats tests to report what it sees.
 *
 * Built static (build/probe) so that it runs in a bare busybox rootfs.
 * Every subcommand prints stable "key: value" lines or one item per line,
 * so that tests can compare output exactly.  Arguments after a literal "--"
 * are ignored: tests put a unique marker there to find leftover processes
 * with `pgrep -f MARKER`.  Errors go to stderr as "probe: ...", exit 1;
 * usage errors exit 2.
 */
#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/fsuid.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int fail(const char *what, const char *obj)
{
	fprintf(stderr, "probe: %s %s: %s\n", what, obj, strerror(errno));
	return 1;
}

static const char *errno_name(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "EUNKNOWN";
}

static int parse_int(const char *s, long min, long max, long *out)
{
	char *end = NULL;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "probe: invalid number \"%s\"\n", s);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_seconds(const char *s, struct timespec *ts)
{
	char *end = NULL;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v < 0 || v > 1e6) {
		fprintf(stderr, "probe: invalid duration \"%s\"\n", s);
		return -1;
	}
	ts->tv_sec = (time_t)v;
	ts->tv_nsec = (long)((v - (double)ts->tv_sec) * 1e9);
	return 0;
}

/* Sleeps the whole duration: signals that have handlers do not cut it short. */
static void sleep_for(struct timespec ts)
{
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Writes "ready" to PATH ("-" = stdout) so a test can wait for it. */
static int say_ready(const char *path)
{
	FILE *f;

	if (!path)
		return 0;
	if (strcmp(path, "-") == 0) {
		puts("ready");
		return fflush(stdout) == 0 ? 0 : fail("write", "stdout");
	}
	f = fopen(path, "we");
	if (!f)
		return fail("open", path);
	fputs("ready\n", f);
	if (fclose(f) != 0)
		return fail("write", path);
	return 0;
}

/* ---- signal names ---- */

static const struct {
	int sig;
	const char *name;
} signames[] = {
	{ SIGHUP, "HUP" },   { SIGINT, "INT" },	      { SIGQUIT, "QUIT" }, { SIGILL, "ILL" },
	{ SIGTRAP, "TRAP" }, { SIGABRT, "ABRT" },     { SIGBUS, "BUS" },   { SIGFPE, "FPE" },
	{ SIGKILL, "KILL" }, { SIGUSR1, "USR1" },     { SIGSEGV, "SEGV" }, { SIGUSR2, "USR2" },
	{ SIGPIPE, "PIPE" }, { SIGALRM, "ALRM" },     { SIGTERM, "TERM" }, { SIGSTKFLT, "STKFLT" },
	{ SIGCHLD, "CHLD" }, { SIGCONT, "CONT" },     { SIGSTOP, "STOP" }, { SIGTSTP, "TSTP" },
	{ SIGTTIN, "TTIN" }, { SIGTTOU, "TTOU" },     { SIGURG, "URG" },   { SIGXCPU, "XCPU" },
	{ SIGXFSZ, "XFSZ" }, { SIGVTALRM, "VTALRM" }, { SIGPROF, "PROF" }, { SIGWINCH, "WINCH" },
	{ SIGIO, "IO" },     { SIGPWR, "PWR" },	      { SIGSYS, "SYS" },
};

static void print_signame(int sig)
{
	for (size_t i = 0; i < ARRAY_SIZE(signames); i++) {
		if (signames[i].sig == sig) {
			printf("SIG%s\n", signames[i].name);
			return;
		}
	}
	if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		printf("SIGRTMIN+%d\n", sig - SIGRTMIN);
	else
		printf("SIG%d\n", sig);
}

/* Accepts "TERM", "SIGTERM" or "15". */
static int parse_signal(const char *s)
{
	const char *n = strncmp(s, "SIG", 3) == 0 ? s + 3 : s;
	long v;

	for (size_t i = 0; i < ARRAY_SIZE(signames); i++)
		if (strcmp(signames[i].name, n) == 0)
			return signames[i].sig;
	if (parse_int(s, 1, SIGRTMAX, &v) < 0)
		return -1;
	return (int)v;
}

/* ---- subcommands ---- */

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Without /proc (a sandbox may not mount it), asks every fd in turn. */
static size_t scan_fds(int *fds, size_t max)
{
	size_t n = 0;

	for (int fd = 0; fd < 65536 && n < max; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			fds[n++] = fd;
	return n;
}

static size_t list_fds(int *fds, size_t max)
{
	struct dirent *de;
	DIR *d = opendir("/proc/self/fd");
	size_t n = 0;

	if (!d)
		return scan_fds(fds, max);
	while ((de = readdir(d)) && n < max) {
		if (de->d_name[0] == '.')
			continue;
		fds[n] = atoi(de->d_name);
		if (fds[n] != dirfd(d))
			n++;
	}
	closedir(d);
	return n;
}

static int cmd_fds(char **argv)
{
	int fds[4096];
	size_t n = list_fds(fds, ARRAY_SIZE(fds));

	(void)argv;
	qsort(fds, n, sizeof(fds[0]), cmp_int);
	for (size_t i = 0; i < n; i++)
		printf("%d\n", fds[i]);
	return 0;
}

/* Prints the lines of /proc/self/status named in KEYS as "Key: v1 v2...". */
static int print_status(const char *const *keys, size_t nkeys)
{
	char line[512];
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return fail("open", "/proc/self/status");
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!colon)
			continue;
		*colon = '\0';
		for (size_t i = 0; i < nkeys; i++) {
			char *tok, *save = NULL;
			const char *sep = " ";

			if (strcmp(line, keys[i]) != 0)
				continue;
			printf("%s:", keys[i]);
			for (tok = strtok_r(colon + 1, " \t\n", &save); tok;
			     tok = strtok_r(NULL, " \t\n", &save))
				printf("%s%s", sep, tok);
			putchar('\n');
		}
	}
	fclose(f);
	return 0;
}

static int cmp_gid(const void *a, const void *b)
{
	gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;

	return (x > y) - (x < y);
}

static int cmd_ids(char **argv)
{
	uid_t uid, euid, suid;
	gid_t gid, egid, sgid, groups[NGROUPS_MAX];
	int n = getgroups(NGROUPS_MAX, groups);

	(void)argv;
	if (n < 0 || getresuid(&uid, &euid, &suid) < 0 || getresgid(&gid, &egid, &sgid) < 0)
		return fail("get", "ids");
	/* An invalid id changes nothing and returns the current fs id. */
	printf("uid: %u\neuid: %u\nsuid: %u\nfsuid: %u\n", uid, euid, suid,
	       (unsigned)setfsuid((uid_t)-1));
	printf("gid: %u\negid: %u\nsgid: %u\nfsgid: %u\n", gid, egid, sgid,
	       (unsigned)setfsgid((gid_t)-1));
	qsort(groups, (size_t)n, sizeof(groups[0]), cmp_gid);
	printf("groups:");
	for (int i = 0; i < n; i++)
		printf(" %u", groups[i]);
	putchar('\n');
	return 0;
}

static int cmd_caps(char **argv)
{
	static const char *const keys[] = { "CapInh", "CapPrm",	    "CapEff", "CapBnd",
					    "CapAmb", "NoNewPrivs", "Seccomp" };

	(void)argv;
	return print_status(keys, ARRAY_SIZE(keys));
}

static const struct {
	int res;
	const char *name;
} rlimits[] = {
	{ RLIMIT_AS, "RLIMIT_AS" },
	{ RLIMIT_CORE, "RLIMIT_CORE" },
	{ RLIMIT_CPU, "RLIMIT_CPU" },
	{ RLIMIT_DATA, "RLIMIT_DATA" },
	{ RLIMIT_FSIZE, "RLIMIT_FSIZE" },
	{ RLIMIT_LOCKS, "RLIMIT_LOCKS" },
	{ RLIMIT_MEMLOCK, "RLIMIT_MEMLOCK" },
	{ RLIMIT_MSGQUEUE, "RLIMIT_MSGQUEUE" },
	{ RLIMIT_NICE, "RLIMIT_NICE" },
	{ RLIMIT_NOFILE, "RLIMIT_NOFILE" },
	{ RLIMIT_NPROC, "RLIMIT_NPROC" },
	{ RLIMIT_RSS, "RLIMIT_RSS" },
	{ RLIMIT_RTPRIO, "RLIMIT_RTPRIO" },
	{ RLIMIT_RTTIME, "RLIMIT_RTTIME" },
	{ RLIMIT_SIGPENDING, "RLIMIT_SIGPENDING" },
	{ RLIMIT_STACK, "RLIMIT_STACK" },
};

static void print_rlim(rlim_t v)
{
	if (v == RLIM_INFINITY)
		printf(" unlimited");
	else
		printf(" %llu", (unsigned long long)v);
}

static int cmd_rlimits(char **argv)
{
	(void)argv;
	for (size_t i = 0; i < ARRAY_SIZE(rlimits); i++) {
		struct rlimit rl;

		if (getrlimit(rlimits[i].res, &rl) < 0)
			return fail("getrlimit", rlimits[i].name);
		printf("%s:", rlimits[i].name);
		print_rlim(rl.rlim_cur);
		print_rlim(rl.rlim_max);
		putchar('\n');
	}
	return 0;
}

static int cmd_umask(char **argv)
{
	mode_t m = umask(0);

	(void)argv;
	umask(m);
	printf("umask: %04o\n", (unsigned)m);
	return 0;
}

/* sched_getattr(2): policy, flags, nice, priority, deadline parameters;
 * the I/O priority (class, level); the allowed CPUs. */
static int cmd_sched(char **argv)
{
	struct {
		uint32_t size, policy;
		uint64_t flags;
		int32_t nice;
		uint32_t priority;
		uint64_t runtime, deadline, period;
		uint32_t util_min, util_max;
	} a;
	cpu_set_t cpus;
	long io;
	bool first = true;

	(void)argv;
	memset(&a, 0, sizeof(a));
	if (syscall(SYS_sched_getattr, 0, &a, sizeof(a), 0) < 0)
		return fail("sched_getattr", "");
	io = syscall(SYS_ioprio_get, 1, 0);
	if (io < 0)
		return fail("ioprio_get", "");
	if (sched_getaffinity(0, sizeof(cpus), &cpus) < 0)
		return fail("sched_getaffinity", "");
	printf("policy: %u\nflags: %#llx\nnice: %d\npriority: %u\n", a.policy,
	       (unsigned long long)a.flags, a.nice, a.priority);
	/* (a fair task's runtime reads as its slice: only a deadline's) */
	if (a.policy == 6)
		printf("dl: %llu %llu %llu\n", (unsigned long long)a.runtime,
		       (unsigned long long)a.deadline, (unsigned long long)a.period);
	printf("ioprio: %ld %ld\ncpus:", io >> 13, io & 0x1fff);
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &cpus)) {
			printf("%s%d", first ? " " : ",", i);
			first = false;
		}
	putchar('\n');
	return 0;
}

/* get_mempolicy(2): the mode with its flags, and the nodes */
static int cmd_mempolicy(char **argv)
{
	unsigned long mask[16] = { 0 };
	int mode = 0;
	bool first = true;

	(void)argv;
	if (syscall(SYS_get_mempolicy, &mode, mask, sizeof(mask) * 8, NULL, 0) < 0)
		return fail("get_mempolicy", "");
	printf("mode: %d\nflags: %#x\nnodes:", mode & 0xff, mode & ~0xff);
	for (size_t i = 0; i < sizeof(mask) * 8; i++)
		if (mask[i / (8 * sizeof(long))] & (1UL << (i % (8 * sizeof(long))))) {
			printf("%s%zu", first ? " " : ",", i);
			first = false;
		}
	putchar('\n');
	return 0;
}

static int cmd_cwd(char **argv)
{
	char buf[PATH_MAX];

	(void)argv;
	if (!getcwd(buf, sizeof(buf)))
		return fail("getcwd", "");
	printf("cwd: %s\n", buf);
	return 0;
}

static int cmd_hostname(char **argv)
{
	struct utsname u;

	(void)argv;
	if (uname(&u) < 0)
		return fail("uname", "");
	printf("hostname: %s\ndomainname: %s\n", u.nodename, u.domainname);
	return 0;
}

static int cmd_pid(char **argv)
{
	(void)argv;
	printf("pid: %d\nppid: %d\npgid: %d\nsid: %d\n", (int)getpid(), (int)getppid(),
	       (int)getpgrp(), (int)getsid(0));
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmd_env(char **argv)
{
	size_t n = 0;
	char **copy;

	(void)argv;
	while (environ[n])
		n++;
	copy = calloc(n + 1, sizeof(*copy));
	if (!copy)
		return fail("allocate", "environment");
	memcpy(copy, environ, n * sizeof(*copy));
	qsort(copy, n, sizeof(*copy), cmp_str);
	for (size_t i = 0; i < n; i++)
		puts(copy[i]);
	free(copy);
	return 0;
}

static const char *const ns_names[] = { "cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts" };

static int cmd_ns(char **argv)
{
	(void)argv;
	for (size_t i = 0; i < ARRAY_SIZE(ns_names); i++) {
		char path[64], target[128];
		ssize_t len;

		snprintf(path, sizeof(path), "/proc/self/ns/%s", ns_names[i]);
		len = readlink(path, target, sizeof(target) - 1);
		if (len < 0) {
			printf("%s: %s\n", ns_names[i], errno_name(errno));
			continue;
		}
		target[len] = '\0';
		printf("%s: %s\n", ns_names[i], target);
	}
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
}

/* Installs a handler for every catchable signal: an init process in a PID
 * namespace never receives signals whose disposition is SIG_DFL.  The
 * signals are then blocked and taken one at a time with sigwaitinfo, so
 * printing happens outside any handler. */
static int catch_all(sigset_t *all)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigfillset(&sa.sa_mask);
	sigfillset(all);
	for (int sig = 1; sig <= SIGRTMAX; sig++)
		(void)sigaction(sig, &sa, NULL); /* KILL, STOP, 32, 33 refuse */
	if (sigprocmask(SIG_BLOCK, all, NULL) < 0)
		return fail("block", "signals");
	return 0;
}

static int cmd_signals(char **argv)
{
	int exit_on = SIGTERM;
	const char *ready = "-";
	sigset_t all;

	if (argv[0] && strcmp(argv[0], "--exit-on") == 0) {
		if (!argv[1] || (exit_on = parse_signal(argv[1])) < 0)
			return 2;
		argv += 2;
	}
	if (argv[0])
		ready = argv[0];
	if (catch_all(&all) || say_ready(ready))
		return 1;
	for (;;) {
		int sig = sigwaitinfo(&all, NULL);

		if (sig < 0) {
			if (errno == EINTR)
				continue;
			return fail("sigwaitinfo", "");
		}
		print_signame(sig);
		fflush(stdout);
		if (sig == exit_on)
			return 0;
	}
}

static int cmd_exit(char **argv)
{
	long code;

	if (parse_int(argv[0], 0, 255, &code) < 0)
		return 2;
	exit((int)code);
}

static int cmd_kill(char **argv)
{
	int sig = parse_signal(argv[0]);
	sigset_t set;

	if (sig < 0)
		return 2;
	fflush(stdout);
	sigemptyset(&set);
	sigaddset(&set, sig);
	signal(sig, SIG_DFL);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	/* Still here: the signal is ignored by default, or we are the init of
	 * a PID namespace, which self-sent signals cannot kill.  A real fault
	 * is forced by the kernel, so SEGV can still be delivered. */
	if (sig == SIGSEGV) {
		volatile char *page =
			mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (page != MAP_FAILED)
			*page = 0;
	}
	fprintf(stderr, "probe: still alive after raising signal %d\n", sig);
	return 1;
}

/* An orphan must not hold the caller's pipes open: whoever reads our output
 * would wait for it to exit. */
static void detach_stdio(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	for (int i = 0; i < 3; i++) {
		if (fd >= 0)
			dup2(fd, i);
		else
			close(i);
	}
	if (fd > 2)
		close(fd);
}

/* Forks a child that forks a grandchild and exits at once, so the
 * grandchild is reparented (orphaned).  Returns the grandchild's pid. */
static pid_t make_orphan(struct timespec life)
{
	int p[2];
	pid_t child, grandchild = -1;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	child = fork();
	if (child == 0) {
		pid_t g = fork();

		if (g == 0) {
			detach_stdio();
			sleep_for(life);
			_exit(0);
		}
		if (write(p[1], &g, sizeof(g)) != sizeof(g))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	if (child > 0 && read(p[0], &grandchild, sizeof(grandchild)) != sizeof(grandchild))
		grandchild = -1;
	close(p[0]);
	if (child > 0)
		waitpid(child, NULL, 0);
	return grandchild;
}

static int cmd_orphans(char **argv)
{
	struct timespec life = { 0, 0 };
	long n;

	if (parse_int(argv[0], 1, 1000, &n) < 0)
		return 2;
	if (argv[1] && parse_seconds(argv[1], &life) < 0)
		return 2;
	for (long i = 0; i < n; i++) {
		pid_t pid = make_orphan(life);

		if (pid < 0)
			return fail("fork", "orphan");
		printf("orphan: %d\n", (int)pid);
	}
	return 0;
}

/* State of /proc/PID/stat: the field after the last ')' of the comm. */
static char proc_state(const char *pid)
{
	char path[64], buf[512];
	const char *paren;
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return '?';
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return '?';
	buf[len] = '\0';
	paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' ? paren[2] : '?';
}

/* The parent's pid from /proc/PID/stat, or -1. */
static long proc_ppid(const char *pid)
{
	char path[64], buf[512];
	const char *paren;
	ssize_t len;
	long ppid = -1;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return -1;
	buf[len] = '\0';
	paren = strrchr(buf, ')');
	if (!paren || sscanf(paren + 1, " %*c %ld", &ppid) != 1)
		return -1;
	return ppid;
}

/* zombies [PPID]: without a pid namespace /proc shows the whole host, whose
 * other zombies are none of ours: PPID counts only that parent's. */
static int cmd_zombies(char **argv)
{
	struct dirent *de;
	DIR *d = opendir("/proc");
	long parent = argv[0] ? strtol(argv[0], NULL, 10) : -1;
	int n = 0;

	if (!d)
		return fail("open", "/proc");
	while ((de = readdir(d)))
		if (de->d_name[0] >= '1' && de->d_name[0] <= '9' && proc_state(de->d_name) == 'Z' &&
		    (parent < 0 || proc_ppid(de->d_name) == parent))
			n++;
	closedir(d);
	printf("zombies: %d\n", n);
	return 0;
}

static int cmd_sleep(char **argv)
{
	struct timespec ts;

	if (parse_seconds(argv[0], &ts) < 0)
		return 2;
	if (say_ready(argv[1]))
		return 1;
	sleep_for(ts);
	return 0;
}

static int cmd_ignore_term(char **argv)
{
	struct timespec ts;
	sigset_t set;

	if (parse_seconds(argv[0], &ts) < 0)
		return 2;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	if (signal(SIGTERM, SIG_IGN) == SIG_ERR || sigprocmask(SIG_UNBLOCK, &set, NULL) < 0)
		return fail("ignore", "SIGTERM");
	if (say_ready(argv[1]))
		return 1;
	sleep_for(ts);
	return 0;
}

/*
 * Execs CMD with every signal ignored and blocked, glibc's internal 32 and
 * 33 included (through the raw system call, which glibc's sigaction
 * refuses for them): the worst state a launcher can hand down.
 */
static int cmd_ignoring(char **argv)
{
	struct {
		void *handler;
		unsigned long flags;
		void *restorer;
		unsigned long mask;
	} ign = { .handler = SIG_IGN };
	sigset_t all;

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP &&
		    syscall(SYS_rt_sigaction, sig, &ign, NULL, sizeof(ign.mask)) < 0)
			return fail("ignore", strsignal(sig));
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	execvp(argv[0], argv);
	return fail("exec", argv[0]);
}

/* mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [TAGS...] - FSTYPE SRC SUPEROPTS" */
static void print_mount(char *line)
{
	char *f[6] = { 0 }, *dash, *fstype, *src, *super, *save = NULL;

	dash = strstr(line, " - ");
	if (!dash)
		return;
	*dash = '\0';
	f[0] = strtok_r(line, " ", &save);
	for (int i = 1; i < 6 && f[i - 1]; i++)
		f[i] = strtok_r(NULL, " ", &save);
	save = NULL;
	fstype = strtok_r(dash + 3, " \n", &save);
	src = strtok_r(NULL, " \n", &save);
	super = strtok_r(NULL, " \n", &save);
	if (f[5] && fstype)
		printf("%s %s %s %s\n", f[4], fstype, f[5], src && super ? super : "-");
}

static int cmd_mounts(char **argv)
{
	char line[4096];
	FILE *f = fopen("/proc/self/mountinfo", "re");

	(void)argv;
	if (!f)
		return fail("open", "/proc/self/mountinfo");
	while (fgets(line, sizeof(line), f))
		print_mount(line);
	fclose(f);
	return 0;
}

static int cmd_write(char **argv)
{
	int fd = open(argv[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0) {
		puts(errno_name(errno));
		return 1;
	}
	close(fd);
	puts("ok");
	return 0;
}

static const char *file_type(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG:
		return "reg";
	case S_IFDIR:
		return "dir";
	case S_IFLNK:
		return "lnk";
	case S_IFCHR:
		return "chr";
	case S_IFBLK:
		return "blk";
	case S_IFIFO:
		return "fifo";
	case S_IFSOCK:
		return "sock";
	default:
		return "unknown";
	}
}

static int cmd_stat(char **argv)
{
	struct stat st;

	if (lstat(argv[0], &st) < 0) {
		puts(errno_name(errno));
		return 1;
	}
	printf("type: %s\nmode: %04o\nuid: %u\ngid: %u\nrdev: %u:%u\n", file_type(st.st_mode),
	       (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, (unsigned)st.st_gid,
	       major(st.st_rdev), minor(st.st_rdev));
	return 0;
}

/* What the two terminal-injecting ioctls do on fd 0, 1, 2 and /dev/tty:
 * "TIOCSTI 0: EPERM" and so on ("ok" when the kernel did it: the probe
 * then pushed a NUL byte into that terminal's input). */
static void try_inject(const char *name, int fd)
{
	char nul = '\0';
	char sub[2] = { 0, 0 }; /* TIOCLINUX subcode 0: not a real request */

	printf("TIOCSTI %s: %s\n", name, ioctl(fd, TIOCSTI, &nul) == 0 ? "ok" : errno_name(errno));
	printf("TIOCLINUX %s: %s\n", name,
	       ioctl(fd, TIOCLINUX, sub) == 0 ? "ok" : errno_name(errno));
}

static int cmd_tty_inject(char **argv)
{
	int fd;

	(void)argv;
	try_inject("0", 0);
	try_inject("1", 1);
	try_inject("2", 2);
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		printf("/dev/tty: %s\n", errno_name(errno));
		return 0;
	}
	try_inject("/dev/tty", fd);
	close(fd);
	return 0;
}

/* ---- terminals ---- */

static const char *tty_name(int fd)
{
	static char buf[3][PATH_MAX];
	static int slot;
	char *out = buf[slot++ % 3];

	if (!isatty(fd))
		return "not a tty";
	if (ttyname_r(fd, out, PATH_MAX) != 0)
		snprintf(out, PATH_MAX, "unnamed (%s)", errno_name(errno));
	return out;
}

static void print_size(int fd)
{
	struct winsize ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) < 0)
		printf("size: %s\n", errno_name(errno));
	else
		printf("size: %ux%u\n", ws.ws_row, ws.ws_col);
}

/* What a process on a terminal sees: the names of 0, 1, 2; the controlling
 * terminal (/dev/tty) and whether it is the same one; session leadership,
 * the foreground group; the window size. */
static int cmd_tty(char **argv)
{
	int ctty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);

	(void)argv;
	printf("stdin: %s\nstdout: %s\nstderr: %s\n", tty_name(0), tty_name(1), tty_name(2));
	/* TIOCGSID answers only for our own controlling terminal */
	if (ctty < 0)
		printf("ctty: none (%s)\n", errno_name(errno));
	else
		printf("ctty: %s\n", tcgetsid(0) == getsid(0) ? "stdin" : "another");
	if (ctty >= 0)
		close(ctty);
	printf("session-leader: %s\n", getsid(0) == getpid() ? "yes" : "no");
	printf("foreground: %s\n", isatty(0) && tcgetpgrp(0) == getpgrp() ? "yes" : "no");
	print_size(0);
	return 0;
}

/* Prints the size, "ready", then the size again after each SIGWINCH, N
 * times (default 1). */
static int cmd_winch(char **argv)
{
	long n = 1;
	sigset_t set;

	if (argv[0] && parse_int(argv[0], 1, 100, &n) < 0)
		return 2;
	sigemptyset(&set);
	sigaddset(&set, SIGWINCH);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return fail("block", "SIGWINCH");
	print_size(0);
	if (say_ready("-"))
		return 1;
	while (n-- > 0) {
		if (sigwaitinfo(&set, NULL) < 0) {
			if (errno == EINTR) {
				n++;
				continue;
			}
			return fail("sigwaitinfo", "SIGWINCH");
		}
		print_size(0);
		fflush(stdout);
	}
	return 0;
}

/* ---- system calls (test/seccomp.bats) ---- */

/* Each call with arguments that fail harmlessly, and where the kernel
 * allows, fail with something else than EPERM: so a seccomp filter's
 * EPERM can be told from the kernel's own answer. */
static long try_fork_ns(int how)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		long r = how ? syscall(SYS_unshare, CLONE_NEWUSER) :
			       syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
		if (r == 0 && !how)
			_exit(0);
		_exit(r < 0 ? errno : 0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	errno = WIFEXITED(st) ? WEXITSTATUS(st) : EINTR;
	return -1;
}

static long try_ioctl(int fd, unsigned long req)
{
	char c = 'x';
	int nul = fd >= 0 ? fd : open("/dev/null", O_RDONLY | O_CLOEXEC);
	long r = syscall(SYS_ioctl, nul, req, &c);
	int e = errno;

	if (fd < 0 && nul >= 0)
		close(nul);
	errno = e;
	return r;
}

static long try_socket_vsock(void)
{
	long r = syscall(SYS_socket, 40 /* AF_VSOCK */, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (r >= 0) {
		close((int)r);
		r = 0;
	}
	return r;
}

static long try_open_tree(void)
{
	long r = syscall(SYS_open_tree, AT_FDCWD, "/", 0x80000 /* OPEN_TREE_CLOEXEC */);

	if (r >= 0) {
		close((int)r);
		r = 0;
	}
	return r;
}

static long try_vhangup(void)
{
	/* never hang up a real terminal: only where the kernel refuses */
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	unsigned long long eff = ~0ULL;

	while (f && fgets(line, sizeof(line), f))
		sscanf(line, "CapEff: %llx", &eff);
	if (f)
		fclose(f);
	if (eff & (1ULL << 26)) { /* CAP_SYS_TTY_CONFIG */
		errno = ECANCELED;
		return -1;
	}
	return syscall(SYS_vhangup);
}

static long try_mkdir(const char *mode)
{
	char path[64];
	long m = strtol(mode, NULL, 8);

	snprintf(path, sizeof(path), "/tmp/probe-mkdir-%s", mode);
	return syscall(SYS_mkdir, path, m);
}

static long try_socket(const char *spec)
{
	long domain = strtol(spec, NULL, 10), type = 0, r;
	const char *colon = strchr(spec, ':');

	if (colon)
		type = strtol(colon + 1, NULL, 10);
	r = syscall(SYS_socket, domain, type, 0);
	if (r >= 0) {
		close((int)r);
		r = 0;
	}
	return r;
}

#define BAD ((long)1) /* an address nothing is mapped at */

static long try_call(const char *name)
{
	static const struct {
		const char *name;
		long nr;
		long a[6];
	} plain[] = {
		{ "add_key", SYS_add_key, { 0, 0, 0, 0, -1 } },
		{ "keyctl", SYS_keyctl, { -1 } },
		{ "request_key", SYS_request_key, { 0, 0, 0, 0 } },
		{ "kexec_load", SYS_kexec_load, { 0, 0, 0, 0xffff0000 } },
		{ "kexec_file_load", SYS_kexec_file_load, { -1, -1, 0, 0, 0xffff } },
		{ "init_module", SYS_init_module, { 0, 0, 0 } },
		{ "finit_module", SYS_finit_module, { -1, 0, 0 } },
		{ "delete_module", SYS_delete_module, { (long)"sluice_no_such_module", O_NONBLOCK } },
		{ "reboot", SYS_reboot, { 0, 0, 0, 0 } },
		{ "bpf", SYS_bpf, { -1, 0, 0 } },
		{ "perf_event_open", SYS_perf_event_open, { 0, 0, -1, -1, 0 } },
		{ "userfaultfd", SYS_userfaultfd, { 1 | 0x40000000 } },
		{ "io_uring_setup", SYS_io_uring_setup, { 1, 0 } },
		{ "io_uring_enter", SYS_io_uring_enter, { -1, 0, 0, 0, 0, 0 } },
		{ "io_uring_register", SYS_io_uring_register, { -1, 0, 0, 0 } },
		{ "open_by_handle_at", SYS_open_by_handle_at, { -1, 0, 0 } },
		{ "clone3", SYS_clone3, { 0, 0 } },
		{ "setns", SYS_setns, { -1, 0 } },
		{ "mount", SYS_mount, { 0, BAD, 0, 0, 0 } },
		{ "umount2", SYS_umount2, { BAD, 0xffff } },
		{ "pivot_root", SYS_pivot_root, { BAD, BAD } },
		{ "fsopen", SYS_fsopen, { BAD, 0xffff } },
		{ "fsconfig", SYS_fsconfig, { -1, 0xffff, 0, 0, 0 } },
		{ "fsmount", SYS_fsmount, { -1, 0xffff, 0 } },
		{ "fspick", SYS_fspick, { -1, BAD, 0xffff } },
		{ "move_mount", SYS_move_mount, { -1, BAD, -1, BAD, 0xffff } },
		{ "mount_setattr", SYS_mount_setattr, { -1, 0, 0, 0, 0 } },
		{ "chroot", SYS_chroot, { BAD } },
		{ "settimeofday", SYS_settimeofday, { BAD, 0 } },
		{ "clock_settime", SYS_clock_settime, { 0, BAD } },
		{ "swapon", SYS_swapon, { BAD, 0 } },
		{ "swapoff", SYS_swapoff, { BAD } },
		{ "quotactl", SYS_quotactl, { 0xffff, 0, 0, 0 } },
		{ "quotactl_fd", SYS_quotactl_fd, { -1, 0xffff, 0, 0 } },
		{ "sethostname", SYS_sethostname, { BAD, 100000 } },
		{ "setdomainname", SYS_setdomainname, { BAD, 100000 } },
		{ "fanotify_init", SYS_fanotify_init, { -1, 0 } },
		{ "lookup_dcookie", SYS_lookup_dcookie, { 0, 0, 0 } },
		{ "acct", SYS_acct, { BAD } },
		{ "syslog", SYS_syslog, { -1, 0, 0 } },
		{ "iopl", SYS_iopl, { 99 } },
		{ "ioperm", SYS_ioperm, { 0, 0, 1 } },
		{ "kcmp", SYS_kcmp, { 0, 0, 99, 0, 0 } },
		{ "pidfd_getfd", SYS_pidfd_getfd, { -1, 0, 0 } },
		{ "process_madvise", SYS_process_madvise, { -1, 0, 0, 0, 0 } },
		{ "mbind", SYS_mbind, { 0, 0, 0, 0, 0, 0 } },
		{ "set_mempolicy", SYS_set_mempolicy, { 0, 0, 0 } },
		{ "get_mempolicy", SYS_get_mempolicy, { 0, 0, 0, 0, 0 } },
		{ "set_mempolicy_home_node", SYS_set_mempolicy_home_node, { 0, 0, 0, 0 } },
		{ "migrate_pages", SYS_migrate_pages, { 0, 0, 0, 0 } },
		{ "move_pages", SYS_move_pages, { 0, 0, 0, 0, 0, 0 } },
		{ "uselib", SYS_uselib, { 0 } },
		{ "ustat", SYS_ustat, { 0, 0 } },
		{ "sysfs", SYS_sysfs, { 99 } },
		{ "_sysctl", SYS__sysctl, { 0 } },
		{ "nfsservctl", SYS_nfsservctl, { 0 } },
		{ "mkdir", SYS_mkdir, { (long)"/tmp/probe-mkdir", 0700 } },
		{ "getppid", SYS_getppid, { 0 } },
	};

	if (!strncmp(name, "mkdir:", 6)) /* mkdir:MODE (octal), for argument conditions */
		return try_mkdir(name + 6);
	if (!strncmp(name, "socket:", 7)) /* socket:DOMAIN:TYPE (numbers) */
		return try_socket(name + 7);
	if (!strcmp(name, "clone-newuser"))
		return try_fork_ns(0);
	if (!strcmp(name, "unshare-newuser"))
		return try_fork_ns(1);
	if (!strcmp(name, "ioctl-tiocsti"))
		return try_ioctl(-1, TIOCSTI);
	if (!strcmp(name, "ioctl-tiocsti-high")) /* the kernel reads 32 bits */
		return try_ioctl(-1, TIOCSTI | (1UL << 32));
	if (!strcmp(name, "ioctl-tioclinux"))
		return try_ioctl(-1, TIOCLINUX);
	if (!strcmp(name, "ioctl-tiocsti-stdin"))
		return try_ioctl(0, TIOCSTI);
	if (!strcmp(name, "socket-vsock"))
		return try_socket_vsock();
	if (!strcmp(name, "open_tree"))
		return try_open_tree();
	if (!strcmp(name, "vhangup"))
		return try_vhangup();
	for (size_t i = 0; i < ARRAY_SIZE(plain); i++)
		if (!strcmp(name, plain[i].name))
			return syscall(plain[i].nr, plain[i].a[0], plain[i].a[1], plain[i].a[2],
				       plain[i].a[3], plain[i].a[4], plain[i].a[5]);
	errno = 0;
	return -2;
}

static volatile sig_atomic_t trapped_nr = -1;

static void on_sigsys(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	trapped_nr = si->si_syscall;
}

/* --trap: a SIGSYS handler reports SCMP_ACT_TRAP as "SIGSYS(NR)" (without,
 * SIGSYS kills the probe).  --thread: each call from a second thread, the
 * main one then says "main: alive" (SCMP_ACT_KILL_THREAD ends the caller
 * only). */
static void *call_in_thread(void *name)
{
	long r = try_call(name);

	printf("%s: %s\n", (char *)name, r < 0 ? errno_name(errno) : "ok");
	return NULL;
}

static int cmd_syscall(char **argv)
{
	bool thread = false;

	for (; *argv && argv[0][0] == '-' && argv[0][1] == '-'; argv++) {
		if (!strcmp(*argv, "--trap")) {
			struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
			sigaction(SIGSYS, &sa, NULL);
		} else if (!strcmp(*argv, "--thread")) {
			thread = true;
		}
	}
	if (thread) {
		for (; *argv; argv++) {
			pthread_t t;
			fflush(stdout);
			if (pthread_create(&t, NULL, call_in_thread, *argv) != 0 ||
			    pthread_join(t, NULL) != 0)
				return fail("thread for", *argv);
		}
		printf("main: alive\n");
		return 0;
	}
	for (; *argv; argv++) {
		long r;
		errno = 0;
		r = try_call(*argv);
		if (r == -2 && errno == 0) {
			fprintf(stderr, "probe: unknown call \"%s\"\n", *argv);
			return 2;
		}
		if (trapped_nr >= 0) {
			printf("%s: SIGSYS(%d)\n", *argv, (int)trapped_nr);
			trapped_nr = -1;
			continue;
		}
		printf("%s: %s\n", *argv, r < 0 ? errno_name(errno) : r == 0 ? "ok" : "ok+");
	}
	return 0;
}

/* Reads stdin to EOF: each line as "line: TEXT", then "eof". */
static int cmd_lines(char **argv)
{
	char line[4096];

	(void)argv;
	if (say_ready("-"))
		return 1;
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		printf("line: %s\n", line);
		fflush(stdout);
	}
	puts("eof");
	return 0;
}

/* ---- what a workload may reach of the host (test/security.bats) ---- */

/* Prints "ok" or the errno's name; the status says which. */
static int outcome(int r)
{
	puts(r < 0 ? errno_name(errno) : "ok");
	return r < 0;
}

static int cmd_read(char **argv)
{
	char c;
	int fd = open(argv[0], O_RDONLY | O_CLOEXEC | O_NOCTTY);
	int r = fd < 0 ? -1 : (int)read(fd, &c, 1);

	if (fd >= 0)
		close(fd);
	return outcome(r);
}

static int cmd_open_write(char **argv)
{
	int fd = open(argv[0], O_WRONLY | O_CLOEXEC | O_NOCTTY);

	if (fd >= 0)
		close(fd);
	return outcome(fd);
}

static int cmd_ptrace(char **argv)
{
	long pid;
	int r;

	if (parse_int(argv[0], 1, INT_MAX, &pid) < 0)
		return 2;
	r = (int)syscall(SYS_ptrace, 0x4206 /* PTRACE_SEIZE */, (pid_t)pid, 0, 0);
	if (r == 0)
		(void)syscall(SYS_ptrace, 17 /* PTRACE_DETACH */, (pid_t)pid, 0, 0);
	return outcome(r);
}

static int cmd_connect(char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int r;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[0]);
	r = fd < 0 ? -1 : connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	if (fd >= 0)
		close(fd);
	return outcome(r);
}

static int cmd_unshare_user(char **argv)
{
	(void)argv;
	return outcome(unshare(CLONE_NEWUSER));
}

/* The file behind /proc/PID/exe: "file: DEV:INO", its seals, and whether
 * we may write it ("access: ok" or the errno). */
static int cmd_exe(char **argv)
{
	char path[64];
	struct stat st;
	int fd, seals;

	snprintf(path, sizeof(path), "/proc/%s/exe", argv[0]);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		printf("open: %s\n", errno_name(errno));
		return 1;
	}
	seals = fcntl(fd, F_GET_SEALS);
	printf("file: %u:%lu\n", (unsigned)st.st_dev, (unsigned long)st.st_ino);
	if (seals < 0)
		printf("seals: none\n");
	else
		printf("seals:%s%s%s%s\n", seals & F_SEAL_SEAL ? " seal" : "",
		       seals & F_SEAL_SHRINK ? " shrink" : "", seals & F_SEAL_GROW ? " grow" : "",
		       seals & F_SEAL_WRITE ? " write" : "");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	printf("access: %s\n", access(path, W_OK) < 0 ? errno_name(errno) : "ok");
	close(fd);
	return 0;
}

/* Keys, through the raw system calls (no libkeyutils in a static probe). */
#define KEY_SPEC_USER_KEYRING -4
#define KEY_SPEC_SESSION_KEYRING -3
#define KEYCTL_REVOKE 3
#define KEYCTL_SEARCH 10

static long key_search(long ring, const char *desc)
{
	return syscall(SYS_keyctl, KEYCTL_SEARCH, ring, "user", desc, 0);
}

static int cmd_key_add(char **argv)
{
	long id = syscall(SYS_add_key, "user", argv[0], argv[1], strlen(argv[1]),
			  KEY_SPEC_USER_KEYRING);

	return outcome(id < 0 ? -1 : 0);
}

/* "session: found|ERRNO" and "user: found|ERRNO". */
static int cmd_key_find(char **argv)
{
	long s = key_search(KEY_SPEC_SESSION_KEYRING, argv[0]);
	const char *se = s < 0 ? errno_name(errno) : "found";
	long u = key_search(KEY_SPEC_USER_KEYRING, argv[0]);

	printf("session: %s\nuser: %s\n", se, u < 0 ? errno_name(errno) : "found");
	return 0;
}

/* A session keyring of our own holding the key, as a login session has
 * one; then exec CMD within it. */
static int cmd_with_key(char **argv)
{
	if (syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, NULL) < 0 ||
	    syscall(SYS_add_key, "user", argv[0], argv[1], strlen(argv[1]),
		    KEY_SPEC_SESSION_KEYRING) < 0)
		return fail("keyctl", argv[0]);
	execvp(argv[2], argv + 2);
	return fail("exec", argv[2]);
}

static int cmd_key_del(char **argv)
{
	long id = key_search(KEY_SPEC_USER_KEYRING, argv[0]);

	return outcome(id < 0 ? -1 : (int)syscall(SYS_keyctl, KEYCTL_REVOKE, id));
}

/* ---- dispatch ---- */

static const struct subcommand {
	const char *name;
	int (*fn)(char **argv);
	int min_args, max_args;
	const char *usage;
} subcommands[] = {
	{ "fds", cmd_fds, 0, 0, "open fds, one per line" },
	{ "ids", cmd_ids, 0, 0, "uids, gids and supplementary groups" },
	{ "caps", cmd_caps, 0, 0, "capability sets, NoNewPrivs, Seccomp" },
	{ "rlimits", cmd_rlimits, 0, 0, "RLIMIT_X: soft hard" },
	{ "umask", cmd_umask, 0, 0, "umask: 0022" },
	{ "cwd", cmd_cwd, 0, 0, "cwd: /path" },
	{ "mempolicy", cmd_mempolicy, 0, 0, "mode, flags, nodes of the memory policy" },
	{ "sched", cmd_sched, 0, 0, "policy, flags, nice, priority, dl (deadline), ioprio, cpus" },
	{ "hostname", cmd_hostname, 0, 0, "hostname and domainname" },
	{ "pid", cmd_pid, 0, 0, "pid, ppid, pgid, sid" },
	{ "env", cmd_env, 0, 0, "environment, sorted" },
	{ "ns", cmd_ns, 0, 0, "namespace ids, e.g. pid: pid:[4026531836]" },
	{ "signals", cmd_signals, 0, 3, "[--exit-on SIG] [READYFILE|-]  print signals received" },
	{ "exit", cmd_exit, 1, 1, "N  exit with status N" },
	{ "kill", cmd_kill, 1, 1, "SIG  die by signal SIG" },
	{ "orphans", cmd_orphans, 1, 2, "N [SECS]  leave N orphans living SECS" },
	{ "zombies", cmd_zombies, 0, 1, "[PPID]  zombies: N (processes in state Z, of PPID)" },
	{ "sleep", cmd_sleep, 1, 2, "SECS [READYFILE|-]" },
	{ "ignore-term", cmd_ignore_term, 1, 2, "SECS [READYFILE|-]  ignore SIGTERM, sleep" },
	{ "ignoring", cmd_ignoring, 1, 16,
	  "CMD [ARG...]  exec CMD with every signal ignored, blocked" },
	{ "mounts", cmd_mounts, 0, 0, "MOUNTPOINT FSTYPE OPTIONS SUPEROPTIONS per line" },
	{ "write", cmd_write, 1, 1, "PATH  create PATH: ok or ERRNO" },
	{ "stat", cmd_stat, 1, 1, "PATH  type, mode, uid, gid, rdev" },
	{ "tty-inject", cmd_tty_inject, 0, 0,
	  "TIOCSTI/TIOCLINUX on 0, 1, 2, /dev/tty: ok or ERRNO" },
	{ "tty", cmd_tty, 0, 0, "names of 0-2, ctty, session, foreground, size" },
	{ "winch", cmd_winch, 0, 1, "[N]  size, ready, size after each of N SIGWINCH" },
	{ "lines", cmd_lines, 0, 0, "ready, then line: TEXT per line of stdin, eof" },
	{ "read", cmd_read, 1, 1, "PATH  read a byte of PATH: ok or ERRNO" },
	{ "open-write", cmd_open_write, 1, 1, "PATH  open PATH for writing: ok or ERRNO" },
	{ "ptrace", cmd_ptrace, 1, 1, "PID  PTRACE_SEIZE PID: ok or ERRNO" },
	{ "connect", cmd_connect, 1, 1, "PATH  connect to a unix socket: ok or ERRNO" },
	{ "unshare-user", cmd_unshare_user, 0, 0, "unshare(CLONE_NEWUSER): ok or ERRNO" },
	{ "exe", cmd_exe, 1, 1, "PID  file: DEV:INO, seals, access of /proc/PID/exe" },
	{ "key-add", cmd_key_add, 2, 2, "DESC DATA  a user key in the user keyring" },
	{ "key-find", cmd_key_find, 1, 1, "DESC  session: found|ERRNO, user: found|ERRNO" },
	{ "key-del", cmd_key_del, 1, 1, "DESC  revoke it from the user keyring" },
	{ "with-key", cmd_with_key, 3, 64,
	  "DESC DATA CMD...  CMD in a new session keyring with it" },
	{ "syscall", cmd_syscall, 1, 64,
	  "[--trap|--thread] NAME...  make each call: NAME: ok, ERRNO or SIGSYS(NR)" },
};

static int usage(void)
{
	fprintf(stderr, "usage: probe SUBCOMMAND [ARGS...] [-- IGNORED...]\n");
	for (size_t i = 0; i < ARRAY_SIZE(subcommands); i++)
		fprintf(stderr, "  %-12s %s\n", subcommands[i].name, subcommands[i].usage);
	return 2;
}

/* Cuts argv at a literal "--" and returns the number of arguments left. */
static int cut_marker(char **argv)
{
	int n = 0;

	while (argv[n] && strcmp(argv[n], "--") != 0)
		n++;
	argv[n] = NULL;
	return n;
}

int main(int argc, char **argv)
{
	const struct subcommand *sc = NULL;
	int nargs, rc;

	if (argc < 2)
		return usage();
	for (size_t i = 0; i < ARRAY_SIZE(subcommands); i++)
		if (strcmp(argv[1], subcommands[i].name) == 0)
			sc = &subcommands[i];
	if (!sc)
		return usage();
	nargs = cut_marker(argv + 2);
	if (nargs < sc->min_args || nargs > sc->max_args)
		return usage();
	rc = sc->fn(argv + 2);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "probe: write stdout: %s\n", strerror(errno));
		return 1;
	}
	return rc;
}
