/* sluice create [FLAG...] ID: build the container, stop before the exec. */
#include "cmd.h"
#include "oci_cmd.h"

static const struct flag flags[] = {
	FLAG("bundle", 'b', FLAG_STRING, struct sluice_oci_create_opts, bundle, "DIR",
	     "the bundle: config.json and the root (default: the current directory)"),
	FLAG("console-socket", 0, FLAG_STRING, struct sluice_oci_create_opts, console_socket,
	     "PATH", "send the terminal's master over this unix socket (process.terminal)"),
	FLAG("pid-file", 0, FLAG_STRING, struct sluice_oci_create_opts, pid_file, "FILE",
	     "write the container's pid to FILE"),
	FLAG("pidfd-socket", 0, FLAG_STRING, struct sluice_oci_create_opts, pidfd_socket, "PATH",
	     "send a pidfd of the container's process over this unix socket"),
	FLAG("preserve-fds", 0, FLAG_INT, struct sluice_oci_create_opts, preserve_fds, "N",
	     "pass fds 3..3+N-1 on to the container's process"),
	FLAG("no-pivot", 0, FLAG_BOOL, struct sluice_oci_create_opts, no_pivot, NULL,
	     "refused: sluice always uses pivot_root"),
	FLAG("no-new-keyring", 0, FLAG_BOOL, struct sluice_oci_create_opts, no_new_keyring, NULL,
	     "keep the session keyring (what sluice does anyway)"),
};
/* shared with the OCI run (oci_run.c) */
const struct flag *const create_flags = flags;
const size_t n_create_flags = sizeof(flags) / sizeof(flags[0]);

static const struct command create_cmd = {
	.name = "create",
	.args = "<container-id>",
	.summary = "create a container: set everything up and wait, before the exec, for start",
	.flags = flags,
	.n_flags = sizeof(flags) / sizeof(flags[0]),
	.min_args = 1,
	.max_args = 1,
};

static int create(struct sluice_oci *o, void *opts, char **args, int nargs, struct sluice_error *err)
{
	struct sluice_oci_create_opts *c = opts;

	(void)nargs;
	c->id = args[0];
	return sluice_oci_create(o, c, err);
}

int cmd_create(int argc, char **argv)
{
	struct sluice_oci_create_opts opts = { 0 };

	return oci_command(&create_cmd, argc, argv, &opts, create);
}
