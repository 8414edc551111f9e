/* libsluice embedded in a program: sluice_run() in a loop, both ways of
 * providing the helper (docs/libsluice.md).  Needs root or user
 * namespaces; skips otherwise. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "helper.h"
#include "run.h"
#include "tap.h"
#include "util.h"

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

/* Runs args in the embedded default, stdout relayed through a pipe when
 * relay; returns the status or -1. */
static int run_argv_relay(const char *helper, char **args, bool relay, struct sluice_error *err)
{
	char cwd[PATH_MAX];
	struct sluice_caller who = { .uid = geteuid(), .gid = getegid(), .helper = helper };
	struct sluice_config c;
	int r;

	who.cwd = getcwd(cwd, sizeof(cwd));
	if (sluice_config_default(&c, &who, err) < 0)
		return -1;
	sluice_strv_free(c.process.args);
	c.process.args = sluice_strv_dup(args);
	if (relay)
		c.sluice.stdio[STDOUT_FILENO].mode = SLUICE_STDIO_PIPE;
	r = sluice_config_finalize(&c, &who, err);
	if (r == 0)
		r = sluice_run(&c, &who, err);
	sluice_config_free(&c);
	return r;
}

static int run_argv(const char *helper, char **args, struct sluice_error *err)
{
	return run_argv_relay(helper, args, false, err);
}

static bool can_sandbox(void)
{
	pid_t pid = fork();
	int st;

	if (pid == 0)
		_exit(unshare(geteuid() ? CLONE_NEWUSER : CLONE_NEWNS) == 0 ? 0 : 1);
	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void test_runs(const char *helper, const char *how)
{
	char *t[] = { "/bin/true", NULL }, *e42[] = { "/bin/sh", "-c", "exit 42", NULL },
	     *missing[] = { "/nonexistent/cmd", NULL };
	struct sluice_error err = { 0 };
	int before = count_fds(), r;

	is_int(run_argv(helper, t, &err), 0, "%s: /bin/true exits 0", how);
	is_int(run_argv(helper, e42, &err), 42, "%s: the workload's status comes back", how);
	r = run_argv(helper, missing, &err);
	is_int(r, -1, "%s: a missing command is an error", how);
	is_int(err.exit_code, SLUICE_EXIT_NOTFOUND, "%s: ... with exit code 127", how);
	ok(strstr(err.msg, "/nonexistent/cmd: command not found") != NULL, "%s: message: %s", how,
	   err.msg);
	/* The relay runs as SCHED_BATCH (lib/launch/run.c): the embedder's thread
	 * gets its own policy back. */
	is_int(run_argv_relay(helper, t, true, &err), 0, "%s: /bin/true with stdout relayed", how);
	is_int(sched_getscheduler(0), SCHED_OTHER, "%s: the caller's scheduling policy is back",
	       how);
	for (int i = 0; i < 20; i++)
		(void)run_argv(helper, t, &err);
	is_int(count_fds(), before, "%s: no fd leaked over 24 runs", how);
}

int main(int argc, char **argv)
{
	const char *bin = getenv("SLUICE_BIN");

	/* Pattern (b): this program is its own helper. */
	if (argc > 1 && strcmp(argv[1], "init") == 0)
		return sluice_helper_main();
	if (!can_sandbox()) {
		printf("1..0 # SKIP needs root or unprivileged user namespaces\n");
		return 0;
	}
	test_runs(NULL, "self as helper");
	if (!bin)
		bin = "build/sluice";
	if (access(bin, X_OK) == 0)
		test_runs(bin, "installed sluice as helper");
	else
		ok(1, "# SKIP no sluice binary at %s", bin);
	return done_testing();
}
