/* sluice exec [FLAG...] ID [COMMAND [ARG...]]: a process in a container. */
#include <stdbool.h>

#include "cmd.h"
#include "oci_cmd.h"

static const struct flag exec_flags[] = {
	FLAG("process", 'p', FLAG_STRING, struct sluice_oci_exec_opts, process, "FILE",
	     "the process as an OCI process.json (instead of COMMAND and the flags below)"),
	FLAG("detach", 'd', FLAG_BOOL, struct sluice_oci_exec_opts, detach, NULL,
	     "leave the process running and return once it has started"),
	FLAG("pid-file", 0, FLAG_STRING, struct sluice_oci_exec_opts, pid_file, "FILE",
	     "write the process's pid to FILE (with --detach)"),
	FLAG("env", 'e', FLAG_LIST, struct sluice_oci_exec_opts, env, "KEY=VALUE",
	     "set an environment variable (repeatable)"),
	FLAG("cwd", 0, FLAG_STRING, struct sluice_oci_exec_opts, cwd, "DIR",
	     "the working directory inside the container"),
	FLAG("user", 'u', FLAG_STRING, struct sluice_oci_exec_opts, user, "UID[:GID]",
	     "run as this user (numbers, inside the container)"),
	FLAG("additional-gids", 'g', FLAG_LIST, struct sluice_oci_exec_opts, additional_gids, "GID",
	     "add a supplementary group (repeatable)"),
	FLAG("cap", 'c', FLAG_LIST, struct sluice_oci_exec_opts, caps, "CAP",
	     "add a capability (repeatable)"),
	FLAG("no-new-privs", 0, FLAG_BOOL, struct sluice_oci_exec_opts, no_new_privs, NULL,
	     "set no_new_privs for the process"),
	FLAG("preserve-fds", 0, FLAG_INT, struct sluice_oci_exec_opts, preserve_fds, "N",
	     "pass fds 3..3+N-1 on to the process"),
	FLAG("tty", 't', FLAG_BOOL, struct sluice_oci_exec_opts, tty, NULL,
	     "a terminal for the process (relayed in the foreground)"),
	FLAG("console-socket", 0, FLAG_STRING, struct sluice_oci_exec_opts, console_socket, "PATH",
	     "with --detach --tty: send the terminal's master over this unix socket"),
};

static const struct command exec_cmd = {
	.name = "exec",
	.args = "<container-id> [COMMAND [ARG...]]",
	.summary = "run a process in a running container",
	.help = "The process joins every namespace of the container and gets the container's\n"
		"process settings (env, user, capabilities, rlimits), changed by the flags.\n"
		"Exit status: the process's own (128+N for signal N); --detach: 0 once it runs.",
	.flags = exec_flags,
	.n_flags = sizeof(exec_flags) / sizeof(exec_flags[0]),
	.min_args = 1,
	.max_args = -1,
	.stop_at_args = true,
};

static int exec_(struct sluice_oci *o, void *opts, char **args, int nargs, struct sluice_error *err)
{
	struct sluice_oci_exec_opts *x = opts;

	(void)nargs;
	x->id = args[0];
	x->args = args + 1;
	return sluice_oci_exec(o, x, err);
}

int cmd_exec(int argc, char **argv)
{
	struct sluice_oci_exec_opts opts = { 0 };

	return oci_command(&exec_cmd, argc, argv, &opts, exec_);
}
