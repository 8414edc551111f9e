/* sluice: the global flags (runc's), then dispatch to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "oci_cmd.h"
#include "sluice.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "run", cmd_run,
	  "run a command in a sandbox (sluice run --help), or an OCI container: "
	  "run [FLAG...] ID" },
	{ "init", cmd_init,
	  "the helper a runtime starts with the config on fd 3 (docs/protocol.md)" },
	{ "cleanup", cmd_cleanup,
	  "remove the cgroups of sandboxes whose launcher was killed (docs/cgroups.md)" },
	{ "create", cmd_create, "create a container from a bundle (OCI)" },
	{ "start", cmd_start, "start a created container (OCI)" },
	{ "state", cmd_state, "print a container's state as JSON (OCI)" },
	{ "list", cmd_list, "list the containers (OCI)" },
	{ "kill", cmd_kill, "signal a container (OCI)" },
	{ "delete", cmd_delete, "delete a container (OCI)" },
	{ "exec", cmd_exec, "run a process in a running container (OCI)" },
	{ "pause", cmd_pause, "freeze a container's processes (OCI)" },
	{ "resume", cmd_resume, "thaw a paused container (OCI)" },
	{ "update", cmd_update, "change a running container's resource limits (OCI)" },
	{ "events", cmd_events, "print a container's stats and OOM events as JSON (OCI)" },
	{ "ps", cmd_ps, "list the processes of a container (OCI)" },
	{ "spec", cmd_spec, "write a config.json to start a bundle from (OCI)" },
	{ "features", cmd_features, "print the OCI features of this build as JSON" },
	{ "checkpoint", cmd_checkpoint, "not supported: sluice has no checkpoint/restore (OCI)" },
	{ "restore", cmd_restore, "not supported: sluice has no checkpoint/restore (OCI)" },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static int usage(FILE *out, int code)
{
	fprintf(out, "usage: sluice [GLOBAL FLAG...] COMMAND [ARG...]\n\ncommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\n`sluice COMMAND --help` describes each.\n\nglobal flags (runc's):\n");
	for (size_t i = 0; i < oci_globals_command.n_flags; i++) {
		const struct flag *f = &oci_globals_command.flags[i];
		char left[64];
		snprintf(left, sizeof(left), "%s%c%s--%s%s%s", f->shortname ? "-" : " ",
			 f->shortname ? f->shortname : ' ', f->shortname ? ", " : "  ", f->name,
			 f->arg ? " " : "", f->arg ? f->arg : "");
		fprintf(out, "  %-30s %s\n", left, f->help);
	}
	fprintf(out, "  %-30s %s\n", "-h, --help", "show this help");
	return code;
}

/* runc's layout, which engines show (podman info) */
static int version(void)
{
	printf("sluice version %s\nspec: %s\n", SLUICE_VERSION, SLUICE_OCI_VERSION);
	return 0;
}

int main(int argc, char **argv)
{
	struct sluice_error err = { 0 };
	int first;

	if (argc < 2)
		return usage(stderr, SLUICE_EXIT_USAGE);
	if (!strcmp(argv[1], "help"))
		return usage(stdout, 0);
	if (!strcmp(argv[1], "version"))
		return version();
	if (oci_globals_parse(argc, argv, &first, &err) < 0)
		return oci_fail(&err);
	if (oci_globals.help)
		return usage(stdout, 0);
	if (oci_globals.version)
		return version();
	if (first >= argc)
		return usage(stderr, SLUICE_EXIT_USAGE);
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (!strcmp(argv[first], commands[i].name))
			return commands[i].run(argc - first, argv + first);
	fprintf(stderr, "sluice: unknown command \"%s\" (see sluice --help)\n", argv[first]);
	return SLUICE_EXIT_USAGE;
}
