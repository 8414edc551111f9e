/* sluice kill [--all] ID [SIGNAL]: signal the container (default TERM). */
#include <stdbool.h>

#include "cmd.h"
#include "oci_cmd.h"

struct kill_opts {
	bool all;
};

static const struct flag kill_flags[] = {
	FLAG("all", 'a', FLAG_BOOL, struct kill_opts, all, NULL,
	     "signal every process of the container, not only its init"),
};

static const struct command kill_cmd = {
	.name = "kill",
	.args = "<container-id> [SIGNAL]",
	.summary = "send a signal (default SIGTERM) to a container's init",
	.help = "SIGNAL is a name (KILL, SIGKILL, sigkill, RTMIN+2) or a number.",
	.flags = kill_flags,
	.n_flags = sizeof(kill_flags) / sizeof(kill_flags[0]),
	.min_args = 1,
	.max_args = 2,
};

static int kill_(struct sluice_oci *o, void *opts, char **args, int nargs, struct sluice_error *err)
{
	struct kill_opts *k = opts;
	int sig = sluice_oci_parse_signal(nargs > 1 ? args[1] : "TERM", err);

	if (sig < 0)
		return -1;
	return sluice_oci_kill(o, args[0], sig, k->all, err);
}

int cmd_kill(int argc, char **argv)
{
	struct kill_opts opts = { 0 };

	return oci_command(&kill_cmd, argc, argv, &opts, kill_);
}
