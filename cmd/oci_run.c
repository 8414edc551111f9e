/* sluice run [FLAG...] ID: the OCI run, create and start (runc's run);
 * cmd/run.c hands over the command lines that are this form. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "error.h"
#include "oci_cmd.h"

struct oci_run_opts {
	struct sluice_oci_create_opts c; /* first: create's flags point into it */
	bool detach, keep, no_subreaper;
};

static struct flag run_flags[16];

static const struct flag own_flags[] = {
	FLAG("detach", 'd', FLAG_BOOL, struct oci_run_opts, detach, NULL,
	     "return once the container runs, instead of waiting for it"),
	FLAG("keep", 0, FLAG_BOOL, struct oci_run_opts, keep, NULL,
	     "do not delete the container once it has stopped"),
	FLAG("no-subreaper", 0, FLAG_BOOL, struct oci_run_opts, no_subreaper, NULL,
	     "refused: sluice reaps the processes it gets as a child subreaper"),
};

static struct command run_cmd = {
	.name = "run",
	.args = "<container-id>",
	.summary = "create and start a container; in the foreground, wait for it and delete it",
	.help = "The OCI form of sluice run: it applies when a flag below is given, a global\n"
		"flag came first, or the one argument names a container of a bundle (-b DIR, or\n"
		"config.json in the current directory).  `sluice run --help` without those is\n"
		"the sandbox form.  Exit status: the container's (128+N for signal N).",
	.flags = run_flags,
	.min_args = 1,
	.max_args = 1,
};

static int run_(struct sluice_oci *o, void *opts, char **args, int nargs, struct sluice_error *err)
{
	struct oci_run_opts *r = opts;

	(void)nargs;
	if (r->no_subreaper)
		return sluice_err(err, SLUICE_EXIT_USAGE, 0,
				  "--no-subreaper is not supported: a foreground sluice run is the "
				  "subreaper of its container");
	r->c.id = args[0];
	return sluice_oci_run(o, &r->c, r->detach, r->keep, err);
}

int cmd_oci_run(int argc, char **argv)
{
	struct oci_run_opts opts = { 0 };
	size_t n = 0;

	for (size_t i = 0; i < n_create_flags; i++)
		run_flags[n++] = create_flags[i];
	for (size_t i = 0; i < sizeof(own_flags) / sizeof(own_flags[0]); i++)
		run_flags[n++] = own_flags[i];
	run_cmd.n_flags = n;
	return oci_command(&run_cmd, argc, argv, &opts, run_);
}

/* The flags only the OCI form has (--no-new-keyring and --console-socket
 * are the sandbox's too). */
static bool oci_only(const char *a)
{
	static const char *const names[] = { "bundle",	 "detach",	 "keep",	"pid-file",
					     "no-pivot", "no-subreaper", "pidfd-socket" };
	const char *name = a + (a[1] == '-' ? 2 : 1);
	size_t n = strcspn(name, "=");

	if (!strcmp(a, "-d"))
		return true;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && !strncmp(names[i], name, n))
			return true;
	return false;
}

static bool has_config(const char *dir)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/config.json", dir);
	return access(path, F_OK) == 0;
}

/* Which sluice run is this?  The OCI one when a global flag came first, a
 * flag only it has is given, or -b DIR names a bundle; or, as runc's
 * default bundle is the current directory, when the one argument comes
 * with a config.json there and no sandbox option or "--". */
bool cmd_run_is_oci(int argc, char **argv)
{
	const char *bundle = NULL;
	bool sandbox = false;
	int positional = 0;

	if (oci_globals.given)
		return true;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--"))
			return false;
		if (a[0] != '-' || !a[1]) {
			positional++;
			continue;
		}
		if (oci_only(a))
			return true;
		if ((!strcmp(a, "-b") || !strcmp(a, "--preserve-fds") ||
		     !strcmp(a, "--console-socket")) &&
		    i + 1 < argc) {
			if (a[1] == 'b')
				bundle = argv[i + 1];
			i++;
			continue;
		}
		if (strncmp(a, "--console-socket=", 17))
			sandbox = true;
	}
	if (bundle)
		return has_config(bundle);
	return !sandbox && positional == 1 && has_config(".");
}
