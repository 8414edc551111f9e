/* sluice list [-q] [--format table|json]: the containers under --root. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "error.h"
#include "oci_cmd.h"

struct list_opts {
	const char *format;
	bool quiet;
};

static const struct flag list_flags[] = {
	FLAG("format", 'f', FLAG_STRING, struct list_opts, format, "table|json",
	     "the output format (default table)"),
	FLAG("quiet", 'q', FLAG_BOOL, struct list_opts, quiet, NULL, "print the ids only"),
};

static const struct command list_cmd = {
	.name = "list",
	.summary = "list the containers under the state root",
	.flags = list_flags,
	.n_flags = sizeof(list_flags) / sizeof(list_flags[0]),
	.min_args = 0,
	.max_args = 0,
};

/* Go's tabwriter as runc sets it up (minwidth 12, padding 3): each column
 * as wide as its widest cell plus 3, at least 12; the last one as is. */
#define COLS 6
static void table(const struct sluice_oci_info *v, size_t n)
{
	char cells[COLS][64] = { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" };
	size_t width[COLS];

	for (int c = 0; c < COLS; c++)
		width[c] = strlen(cells[c]);
	for (size_t i = 0; i < n; i++) {
		size_t len[COLS - 1] = { strlen(v[i].id), (size_t)snprintf(NULL, 0, "%d", v[i].pid),
					 strlen(v[i].status), strlen(v[i].bundle),
					 strlen(v[i].created) };
		for (int c = 0; c < COLS - 1; c++)
			width[c] = len[c] > width[c] ? len[c] : width[c];
	}
	for (int c = 0; c < COLS - 1; c++)
		width[c] = width[c] + 3 > 12 ? width[c] + 3 : 12;
	printf("%-*s%-*s%-*s%-*s%-*s%s\n", (int)width[0], cells[0], (int)width[1], cells[1],
	       (int)width[2], cells[2], (int)width[3], cells[3], (int)width[4], cells[4], cells[5]);
	for (size_t i = 0; i < n; i++) {
		char owner[256];
		sluice_oci_owner_name(v[i].owner, owner, sizeof(owner));
		printf("%-*s%-*d%-*s%-*s%-*s%s\n", (int)width[0], v[i].id, (int)width[1], v[i].pid,
		       (int)width[2], v[i].status, (int)width[3], v[i].bundle, (int)width[4],
		       v[i].created, owner);
	}
}

static int list(struct sluice_oci *o, void *opts, char **args, int nargs, struct sluice_error *err)
{
	struct list_opts *l = opts;
	struct sluice_oci_info *v = NULL;
	char *json = NULL;
	size_t n = 0;
	int r;

	(void)args;
	(void)nargs;
	if (strcmp(l->format, "table") && strcmp(l->format, "json"))
		return sluice_err(err, SLUICE_EXIT_USAGE, 0,
				  "list: --format \"%s\": expected table or json", l->format);
	r = sluice_oci_list(o, &v, &n, err);
	if (r == 0 && l->quiet)
		for (size_t i = 0; i < n; i++)
			printf("%s\n", v[i].id);
	else if (r == 0 && !strcmp(l->format, "json") &&
		 (r = sluice_oci_list_json(v, n, &json, err)) == 0)
		printf("%s\n", json);
	else if (r == 0 && strcmp(l->format, "json"))
		table(v, n);
	free(json);
	for (size_t i = 0; i < n; i++)
		sluice_oci_info_free(&v[i]);
	free(v);
	return r;
}

int cmd_list(int argc, char **argv)
{
	struct list_opts opts = { .format = "table" };

	return oci_command(&list_cmd, argc, argv, &opts, list);
}
