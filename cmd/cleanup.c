/* sluice cleanup: remove the cgroups that `sluice run` made for sandboxes
 * whose launcher died before it could (SIGKILL), below the caller's own
 * cgroup in every hierarchy.  What may still run in them is killed: their
 * launcher is gone, and the sandbox was meant to die with it. */
#include <stdio.h>
#include <string.h>

#include "cgroup.h"
#include "cmd.h"
#include "error.h"

static void say(const char *dir, const char *what, void *ctx)
{
	(void)ctx;
	printf("%s: %s\n", dir, what);
}

int cmd_cleanup(int argc, char **argv)
{
	struct sluice_error err = { 0 };
	int n;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: sluice cleanup\n\n"
		       "Remove the sluice-PIDNS-PID-START cgroups below this process's own cgroup\n"
		       "whose launcher is gone (docs/cgroups.md \"Teardown\"); each is named on\n"
		       "stdout.  A later `sluice run` does the same next to its own cgroup.\n");
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "sluice: cleanup takes no arguments (see sluice cleanup --help)\n");
		return SLUICE_EXIT_USAGE;
	}
	n = sluice_cgroup_cleanup_stale(say, NULL, &err);
	if (n < 0) {
		sluice_error_print(&err);
		return err.exit_code;
	}
	return fflush(stdout) == 0 ? 0 : SLUICE_EXIT_SETUP;
}
