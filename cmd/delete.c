/* sluice delete [--force] ID: remove a stopped (or, forced, any) container. */
#include <stdbool.h>

#include "cmd.h"
#include "oci_cmd.h"

struct delete_opts {
	bool force;
};

static const struct flag delete_flags[] = {
	FLAG("force", 'f', FLAG_BOOL, struct delete_opts, force, NULL,
	     "kill a running container first; no error if it does not exist"),
};

static const struct command delete_cmd = {
	.name = "delete",
	.args = "<container-id>",
	.summary = "delete a container's state (and, with --force, the container)",
	.flags = delete_flags,
	.n_flags = sizeof(delete_flags) / sizeof(delete_flags[0]),
	.min_args = 1,
	.max_args = 1,
};

static int delete_(struct sluice_oci *o, void *opts, char **args, int nargs,
		   struct sluice_error *err)
{
	(void)nargs;
	return sluice_oci_delete(o, args[0], ((struct delete_opts *)opts)->force, err);
}

int cmd_delete(int argc, char **argv)
{
	struct delete_opts opts = { 0 };

	return oci_command(&delete_cmd, argc, argv, &opts, delete_);
}
