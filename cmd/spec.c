/* sluice spec [--rootless] [--bundle DIR]: write a config.json. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "error.h"
#include "oci_cmd.h"
#include "util.h"

struct spec_opts {
	const char *bundle;
	bool rootless;
};

static const struct flag spec_flags[] = {
	FLAG("bundle", 'b', FLAG_STRING, struct spec_opts, bundle, "DIR",
	     "write DIR/config.json (default: the current directory)"),
	FLAG("rootless", 0, FLAG_BOOL, struct spec_opts, rootless, NULL,
	     "for a non-root user: a user namespace mapping the caller to root"),
};

static const struct command spec_cmd = {
	.name = "spec",
	.summary = "write a new config.json, which sluice and runc both run",
	.help = "The bundle's root is DIR/rootfs.  An existing config.json is not replaced.",
	.flags = spec_flags,
	.n_flags = sizeof(spec_flags) / sizeof(spec_flags[0]),
	.min_args = 0,
	.max_args = 0,
	.stateless = true,
};

static int spec(struct sluice_oci *o, void *opts, char **args, int nargs, struct sluice_error *err)
{
	struct spec_opts *s = opts;
	cleanup_free char *json = NULL;
	char path[PATH_MAX];
	cleanup_close int fd = -1;

	(void)o;
	(void)args;
	(void)nargs;
	if (snprintf(path, sizeof(path), "%s/config.json", s->bundle ? s->bundle : ".") >=
	    (int)sizeof(path))
		return sluice_err(err, SLUICE_EXIT_USAGE, ENAMETOOLONG, "--bundle %s", s->bundle);
	if (sluice_oci_spec(s->rootless, geteuid(), getegid(), &json, err) < 0)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0 && errno == EEXIST)
		return sluice_err(err, SLUICE_EXIT_OCI, 0, "File %s exists. Remove it first", path);
	if (fd < 0 || sluice_write_all(fd, json, strlen(json)) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "%s", path);
	return 0;
}

int cmd_spec(int argc, char **argv)
{
	struct spec_opts opts = { 0 };

	return oci_command(&spec_cmd, argc, argv, &opts, spec);
}
