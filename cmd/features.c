/* sluice features: the OCI features of this build (features.md). */
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "oci_cmd.h"

static const struct command features_cmd = {
	.name = "features",
	.summary = "print what this build implements, as the OCI features JSON",
	.min_args = 0,
	.max_args = 0,
	.stateless = true,
};

static int features(struct sluice_oci *o, void *opts, char **args, int nargs,
		    struct sluice_error *err)
{
	char *json = NULL;

	(void)o;
	(void)opts;
	(void)args;
	(void)nargs;
	if (sluice_oci_features(&json, err) < 0)
		return -1;
	printf("%s\n", json);
	free(json);
	return 0;
}

int cmd_features(int argc, char **argv)
{
	return oci_command(&features_cmd, argc, argv, NULL, features);
}
