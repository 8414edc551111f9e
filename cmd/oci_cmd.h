/* What the OCI commands share: the global flags (sluice --root ...), the
 * runtime context built from them, logging (--log, --log-format, --debug)
 * and error reporting. */
#ifndef SLUICE_OCI_CMD_H
#define SLUICE_OCI_CMD_H

#include <stdbool.h>

#include "flags.h"
#include "oci.h"

struct oci_globals {
	const char *root;
	const char *log;
	const char *log_format; /* "text" or "json" */
	const char *rootless;	/* "auto", "true", "false" */
	const char *criu;
	bool debug;
	bool systemd_cgroup;
	bool version;
	bool help;
	bool given; /* any global flag was given */
};

extern struct oci_globals oci_globals;
extern const struct command oci_globals_command;

/* Parse the global flags in front of the command; *consumed: how many
 * words of argv they took (argv[0] included).  -1 with err. */
int oci_globals_parse(int argc, char **argv, int *consumed, struct sluice_error *err);

/* The runtime context from the globals (the state root resolved). */
int oci_context(struct sluice_oci *o, struct sluice_error *err);
void oci_context_free(struct sluice_oci *o);

/* Report err (stderr and --log, runc's way) and return its exit code. */
int oci_fail(const struct sluice_error *err);

/* runc's command name that sluice does not have (checkpoint, restore):
 * refused by name, whatever its arguments, exit 1. */
int oci_unsupported(const char *name);

/* One OCI command: parse its flags into opts, print its --help, or run
 * fn(opts, args, nargs) with the context set up.  Returns the exit code. */
int oci_command(const struct command *cmd, int argc, char **argv, void *opts,
		int (*fn)(struct sluice_oci *o, void *opts, char **args, int nargs,
			  struct sluice_error *err));

#endif
