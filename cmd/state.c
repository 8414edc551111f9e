/* sluice state ID: the OCI state as JSON, as runc prints it. */
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "oci_cmd.h"

static const struct command state_cmd = {
	.name = "state",
	.args = "<container-id>",
	.summary = "print the state of a container as JSON",
	.min_args = 1,
	.max_args = 1,
};

static int state(struct sluice_oci *o, void *opts, char **args, int nargs, struct sluice_error *err)
{
	struct sluice_oci_info info;
	char *json = NULL;
	int r;

	(void)opts;
	(void)nargs;
	r = sluice_oci_info(o, args[0], &info, err);
	if (r == 0)
		r = sluice_oci_state_json(&info, &json, err);
	if (r == 0)
		fputs(json, stdout);
	free(json);
	sluice_oci_info_free(&info);
	return r;
}

int cmd_state(int argc, char **argv)
{
	return oci_command(&state_cmd, argc, argv, NULL, state);
}
