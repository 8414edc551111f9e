/* cgroup_tool: drives the cgroup API of lib/cgroup/cgroup.h step by step,
 * as the OCI commands will (create, enter, freeze, kill, stats, update,
 * describe and load, destroy), for test/cgroups.bats.  Also an example of
 * the API's use (docs/cgroups.md).
 *
 * usage: cgroup_tool [-c CONFIG] [-n NAME] [-a] ACTION...
 *   -c CONFIG  load CONFIG (YAML/JSON) over an empty config: its
 *              linux.resources and linux.cgroupsPath
 *   -n NAME    the cgroup's name below ours (default: sluice-PIDNS-PID-START)
 *   -a         join every hierarchy (what OCI create does)
 * Actions, done in order; each prints what it found, one line:
 *   create            sluice_cgroup_create
 *   describe:FILE     store sluice_cgroup_describe's text in FILE
 *   load:FILE         sluice_cgroup_load it back (after free, in another run)
 *   spawn             fork a child that waits for signals, enter it: "spawned PID"
 *   dir:CTRL          "dir CTRL PATH" (CTRL "" for the cgroup2 directory)
 *   freeze, thaw      sluice_cgroup_freeze; then "frozen 1" or "frozen 0"
 *   pids              "pids N"
 *   kill              SIGKILL every process in it (and reap our children)
 *   stats             "stats memory.limit=N pids.current=N pids.limit=N cpu=yes|no"
 *   oom               "oom kills=N limit=N"
 *   update:CONFIG     sluice_cgroup_update with CONFIG's resources
 *   destroy           sluice_cgroup_destroy
 *   free              sluice_cgroup_free (the cgroup stays)
 * Exits 0, or with the error's exit code after "cgroup_tool: ACTION: MESSAGE". */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "config.h"
#include "error.h"
#include "util.h"

struct tool {
	struct sluice_config cfg;
	struct sluice_cgroup_opts opts;
	struct sluice_cgroup *cg;
	struct sluice_error err;
};

static int load_config(struct sluice_config *c, const char *path, struct sluice_error *err)
{
	sluice_config_init(c);
	return sluice_config_load_file(c, path, err);
}

/* A child that waits for signals, entered before it does anything: it
 * blocks on one pipe until the parent moved it, then drops every fd of
 * ours (whoever reads our output must get EOF when we exit) and closes the
 * other pipe, which tells the parent it is ready to be frozen or killed. */
static void child(int go, int ready)
{
	char c;
	int null;

	(void)ready;
	if (read(go, &c, 1) != 1)
		_exit(1);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int fd = 0; fd < 3; fd++)
		dup2(null, fd);
	(void)syscall(SYS_close_range, 3U, ~0U, 0U);
	for (;;)
		pause();
}

static int spawn(struct tool *t)
{
	int go[2], ready[2];
	pid_t pid;
	char c = 0;

	if (pipe2(go, O_CLOEXEC) < 0 || pipe2(ready, O_CLOEXEC) < 0)
		return sluice_err(&t->err, 125, errno, "pipe2");
	pid = fork();
	if (pid < 0)
		return sluice_err(&t->err, 125, errno, "fork");
	if (pid == 0)
		child(go[0], ready[1]);
	close(go[0]);
	close(ready[1]);
	if (sluice_cgroup_enter(t->cg, pid, &t->err) < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	if (write(go[1], &c, 1) != 1 || read(ready[0], &c, 1) != 0)
		return sluice_err(&t->err, 125, errno, "the child did not start");
	close(go[1]);
	close(ready[0]);
	printf("spawned %d\n", (int)pid);
	return 0;
}

static int describe(struct tool *t, const char *file)
{
	char *text = sluice_cgroup_describe(t->cg);
	FILE *f = fopen(file, "we");

	if (!text || !f || fputs(text, f) < 0 || fclose(f) != 0) {
		free(text);
		return sluice_err(&t->err, 125, errno, "describe to %s", file);
	}
	free(text);
	return 0;
}

static int load(struct tool *t, const char *file)
{
	FILE *f = fopen(file, "re");
	char text[8192];
	size_t n;

	if (!f)
		return sluice_err(&t->err, 125, errno, "%s", file);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	return sluice_cgroup_load(text, &t->cg, &t->err);
}

static int freeze(struct tool *t, bool frozen)
{
	int r;

	if (sluice_cgroup_freeze(t->cg, frozen, &t->err) < 0)
		return -1;
	r = sluice_cgroup_frozen(t->cg, &t->err);
	if (r < 0)
		return -1;
	printf("frozen %d\n", r);
	return 0;
}

static int count_pids(struct tool *t)
{
	pid_t *pids = NULL;
	size_t n = 0;

	if (sluice_cgroup_pids(t->cg, &pids, &n, &t->err) < 0)
		return -1;
	free(pids);
	printf("pids %zu\n", n);
	return 0;
}

/* SIGKILL lands at once but the tasks leave the cgroup as they finish
 * exiting: wait (5 s at most) until none is left, so that "pids 0" after
 * "kill" says the kill worked. */
static int kill_all(struct tool *t)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	if (sluice_cgroup_kill(t->cg, SIGKILL, &t->err) < 0)
		return -1;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	for (int i = 0; i < 500; i++) {
		pid_t *pids = NULL;
		size_t n = 0;

		if (sluice_cgroup_pids(t->cg, &pids, &n, &t->err) < 0)
			return -1;
		free(pids);
		if (!n)
			break;
		nanosleep(&tick, NULL);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
	return 0;
}

static int stats(struct tool *t)
{
	struct sluice_cgroup_stats st;

	if (sluice_cgroup_stats(t->cg, &st, &t->err) < 0)
		return -1;
	printf("stats memory.limit=%llu pids.current=%llu pids.limit=%llu cpu=%s raw=%s\n",
	       (unsigned long long)st.memory.limit, (unsigned long long)st.pids.current,
	       (unsigned long long)st.pids.limit, st.cpu.total_ns ? "yes" : "no",
	       st.memory.n_raw ? "yes" : "no");
	sluice_cgroup_stats_free(&st);
	return 0;
}

static int oom(struct tool *t)
{
	struct sluice_cgroup_oom o;

	if (sluice_cgroup_oom(t->cg, &o, &t->err) < 0)
		return -1;
	printf("oom kills=%llu limit=%lld\n", (unsigned long long)o.kills, (long long)o.limit);
	return 0;
}

static int update(struct tool *t, const char *file)
{
	struct sluice_config c;
	int r = load_config(&c, file, &t->err);

	if (r == 0)
		r = sluice_cgroup_update(t->cg, &c, &t->err);
	sluice_config_free(&c);
	return r;
}

static int action(struct tool *t, const char *a)
{
	const char *arg = strchr(a, ':') ? strchr(a, ':') + 1 : "";

	if (!strcmp(a, "create"))
		return sluice_cgroup_create(&t->cfg, &t->opts, &t->cg, &t->err);
	if (!strncmp(a, "load:", 5))
		return load(t, arg);
	if (!t->cg)
		return sluice_err(&t->err, 64, 0, "no cgroup yet (create or load first)");
	if (!strncmp(a, "describe:", 9))
		return describe(t, arg);
	if (!strcmp(a, "spawn"))
		return spawn(t);
	if (!strncmp(a, "dir:", 4)) {
		const char *d = sluice_cgroup_dir(t->cg, arg);
		printf("dir %s %s\n", arg, d ? d : "-");
		return 0;
	}
	if (!strcmp(a, "freeze") || !strcmp(a, "thaw"))
		return freeze(t, !strcmp(a, "freeze"));
	if (!strcmp(a, "pids"))
		return count_pids(t);
	if (!strcmp(a, "kill"))
		return kill_all(t);
	if (!strcmp(a, "stats"))
		return stats(t);
	if (!strcmp(a, "oom"))
		return oom(t);
	if (!strncmp(a, "update:", 7))
		return update(t, arg);
	if (!strcmp(a, "destroy") || !strcmp(a, "free")) {
		int r = 0;
		if (!strcmp(a, "destroy"))
			r = sluice_cgroup_destroy(t->cg, &t->err);
		else
			sluice_cgroup_free(t->cg);
		t->cg = NULL;
		return r;
	}
	return sluice_err(&t->err, 64, 0, "unknown action");
}

int main(int argc, char **argv)
{
	static struct tool t;
	int opt;

	sluice_config_init(&t.cfg);
	while ((opt = getopt(argc, argv, "+c:n:a")) != -1) {
		if (opt == 'c' && load_config(&t.cfg, optarg, &t.err) < 0) {
			sluice_error_print(&t.err);
			return t.err.exit_code;
		}
		if (opt == 'n')
			t.opts.name = optarg;
		if (opt == 'a')
			t.opts.join_all = true;
		if (opt == '?')
			return 64;
	}
	for (int i = optind; i < argc; i++) {
		if (action(&t, argv[i]) == 0) {
			fflush(stdout);
			continue;
		}
		char msg[1200];

		fflush(stdout);
		sluice_error_format(&t.err, msg, sizeof(msg));
		fprintf(stderr, "cgroup_tool: %s: %s\n", argv[i], msg);
		return t.err.exit_code ? t.err.exit_code : 1;
	}
	sluice_cgroup_free(t.cg);
	sluice_config_free(&t.cfg);
	return 0;
}
