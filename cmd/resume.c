/* sluice resume ID: thaw a paused container. */
#include <stdbool.h>

#include "cmd.h"
#include "oci_cmd.h"

static const struct command resume_cmd = {
	.name = "resume",
	.args = "<container-id>",
	.summary = "thaw a paused container",
	.min_args = 1,
	.max_args = 1,
};

static int resume_(struct sluice_oci *o, void *opts, char **args, int nargs,
		   struct sluice_error *err)
{
	(void)opts;
	(void)nargs;
	return sluice_oci_pause(o, args[0], false, err);
}

int cmd_resume(int argc, char **argv)
{
	return oci_command(&resume_cmd, argc, argv, NULL, resume_);
}
