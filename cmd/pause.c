/* sluice pause ID: freeze every process of a container (its cgroup). */
#include <stdbool.h>

#include "cmd.h"
#include "oci_cmd.h"

static const struct command pause_cmd = {
	.name = "pause",
	.args = "<container-id>",
	.summary = "freeze every process of a container (its cgroup)",
	.min_args = 1,
	.max_args = 1,
};

static int pause_(struct sluice_oci *o, void *opts, char **args, int nargs, struct sluice_error *err)
{
	(void)opts;
	(void)nargs;
	return sluice_oci_pause(o, args[0], true, err);
}

int cmd_pause(int argc, char **argv)
{
	return oci_command(&pause_cmd, argc, argv, NULL, pause_);
}
