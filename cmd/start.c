/* sluice start ID: the created container's workload is exec'd. */
#include "cmd.h"
#include "oci_cmd.h"

static const struct command start_cmd = {
	.name = "start",
	.args = "<container-id>",
	.summary = "start a created container: its process execs the workload",
	.min_args = 1,
	.max_args = 1,
};

static int start(struct sluice_oci *o, void *opts, char **args, int nargs, struct sluice_error *err)
{
	(void)opts;
	(void)nargs;
	return sluice_oci_start(o, args[0], err);
}

int cmd_start(int argc, char **argv)
{
	return oci_command(&start_cmd, argc, argv, NULL, start);
}
