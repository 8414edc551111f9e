/* sluice: dispatch to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "sluice.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "run", cmd_run, "run a command in a sandbox (sluice run --help)" },
	{ "init", cmd_init,
	  "the helper a runtime starts with the config on fd 3 (docs/protocol.md)" },
	{ "cleanup", cmd_cleanup,
	  "remove the cgroups of sandboxes whose launcher was killed (docs/cgroups.md)" },
};

static int usage(FILE *out, int code)
{
	fprintf(out, "usage: sluice COMMAND [ARG...]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-7s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\n  sluice --version\n");
	return code;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr, SLUICE_EXIT_USAGE);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))
		return usage(stdout, 0);
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("sluice %s\n", SLUICE_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "sluice: unknown command \"%s\" (see sluice --help)\n", argv[1]);
	return SLUICE_EXIT_USAGE;
}
