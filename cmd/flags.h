/* Table-driven flags for the OCI commands and sluice's global flags, with
 * runc's syntax (Go's flag package under urfave/cli): --name, -name,
 * --name=value, --name value, a short -n; booleans take an optional
 * =true/=false; list flags repeat.  Flags may follow the arguments unless
 * the command passes its own argv on (exec, ps: they stop at the first
 * argument), and "--" ends them. */
#ifndef SLUICE_CMD_FLAGS_H
#define SLUICE_CMD_FLAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "sluice.h"

enum flag_kind {
	FLAG_BOOL,   /* bool */
	FLAG_STRING, /* const char * */
	FLAG_INT,    /* int, >= 0 */
	FLAG_LIST,   /* char ** (strv), repeatable */
};

struct flag {
	const char *name;
	char shortname;
	enum flag_kind kind;
	size_t offset; /* of the field in the command's options */
	const char *arg;
	const char *help;
};

#define FLAG(n, s, k, type, field, a, h)             \
	{                                            \
		n, s, k, offsetof(type, field), a, h \
	}

struct command {
	const char *name;
	const char *args;    /* "<container-id>", for the usage line */
	const char *summary; /* one line for sluice --help */
	const char *help;    /* more text for COMMAND --help, or NULL */
	const struct flag *flags;
	size_t n_flags;
	int min_args, max_args; /* max -1: any */
	bool stop_at_args;
	bool stateless; /* needs no state root (spec, features) */
};

/* Parse argv[1..] into opts and the positional arguments (*args, a
 * NULL-terminated array into argv, malloc'd).  *help is set by --help/-h.
 * -1 with err (exit 64) on a bad flag or argument count. */
int flags_parse(const struct command *cmd, int argc, char **argv, void *opts, char ***args,
		int *nargs, bool *help, struct sluice_error *err);
/* Free what flags_parse allocated in opts (lists) and *args. */
void flags_free(const struct command *cmd, void *opts, char **args);
void flags_usage(const struct command *cmd, FILE *out);

#endif
