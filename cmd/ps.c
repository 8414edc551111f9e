/* sluice ps [--format table|json] ID [PS-ARG...]: a container's processes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "error.h"
#include "oci_cmd.h"

struct ps_opts {
	const char *format;
};

static const struct flag ps_flags[] = {
	FLAG("format", 'f', FLAG_STRING, struct ps_opts, format, "table|json",
	     "table: the lines of ps(1) (default -ef) for the container's processes; json: "
	     "their pids"),
};

static const struct command ps_cmd = {
	.name = "ps",
	.args = "<container-id> [PS-ARG...]",
	.summary = "list the processes of a container",
	.flags = ps_flags,
	.n_flags = sizeof(ps_flags) / sizeof(ps_flags[0]),
	.min_args = 1,
	.max_args = -1,
	.stop_at_args = true,
};

static int ps(struct sluice_oci *o, void *opts, char **args, int nargs, struct sluice_error *err)
{
	struct ps_opts *p = opts;
	pid_t *pids = NULL;
	char *out = NULL;
	size_t n = 0;
	int r;

	if (strcmp(p->format, "table") && strcmp(p->format, "json"))
		return sluice_err(err, SLUICE_EXIT_USAGE, 0,
				  "ps: --format \"%s\": expected table or json", p->format);
	if (!strcmp(p->format, "json")) {
		if (nargs > 1)
			return sluice_err(err, SLUICE_EXIT_USAGE, 0,
					  "ps: arguments for ps(1) go with --format table");
		r = sluice_oci_pids(o, args[0], &pids, &n, err);
		for (size_t i = 0; r == 0 && i < n; i++)
			printf("%s%d", i ? "," : "[", (int)pids[i]);
		if (r == 0)
			printf("%s\n", n ? "]" : "[]");
		free(pids);
		return r;
	}
	r = sluice_oci_ps_table(o, args[0], args + 1, &out, err);
	if (r == 0)
		fputs(out, stdout);
	free(out);
	return r;
}

int cmd_ps(int argc, char **argv)
{
	struct ps_opts opts = { .format = "table" };

	return oci_command(&ps_cmd, argc, argv, &opts, ps);
}
