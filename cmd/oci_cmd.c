/* The global flags, logging and errors of the OCI commands (oci.h). */
#include "oci_cmd.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "util.h"

struct oci_globals oci_globals = { .log_format = "text", .rootless = "auto" };

static const struct flag global_flags[] = {
	FLAG("root", 0, FLAG_STRING, struct oci_globals, root, "DIR",
	     "the state directory (default /run/sluice for root, else $XDG_RUNTIME_DIR/sluice)"),
	FLAG("log", 0, FLAG_STRING, struct oci_globals, log, "FILE",
	     "append log messages to FILE (default: stderr)"),
	FLAG("log-format", 0, FLAG_STRING, struct oci_globals, log_format, "FORMAT",
	     "text (default) or json: one {\"level\",\"msg\",\"time\"} object per line"),
	FLAG("debug", 0, FLAG_BOOL, struct oci_globals, debug, NULL, "log debug messages too"),
	FLAG("systemd-cgroup", 0, FLAG_BOOL, struct oci_globals, systemd_cgroup, NULL,
	     "refused: sluice has no systemd cgroup manager"),
	FLAG("rootless", 0, FLAG_STRING, struct oci_globals, rootless, "auto|true|false",
	     "treat cgroup permission errors as runc does for rootless containers"),
	FLAG("criu", 0, FLAG_STRING, struct oci_globals, criu, "PATH",
	     "accepted for runc compatibility; sluice has no checkpoint/restore"),
	FLAG("version", 'v', FLAG_BOOL, struct oci_globals, version, NULL, "print the version"),
};

const struct command oci_globals_command = {
	.summary = "sluice: a container runtime helper, and an OCI runtime with runc's command "
		   "line (docs/oci.md).",
	.flags = global_flags,
	.n_flags = sizeof(global_flags) / sizeof(global_flags[0]),
	.max_args = -1,
};

int oci_globals_parse(int argc, char **argv, int *consumed, struct sluice_error *err)
{
	int i = 1;

	/* flags up to the command's name: the parser sees that prefix only */
	while (i < argc && argv[i][0] == '-' && strcmp(argv[i], "--")) {
		const char *a = argv[i], *name = a + (a[1] == '-' ? 2 : 1);
		size_t n = strcspn(name, "=");
		bool takes_value = false;
		for (size_t k = 0; k < oci_globals_command.n_flags; k++)
			if (strlen(global_flags[k].name) == n &&
			    !strncmp(global_flags[k].name, name, n))
				takes_value = global_flags[k].kind != FLAG_BOOL && !name[n];
		i += takes_value ? 2 : 1;
	}
	if (i > argc)
		i = argc;
	*consumed = i;
	if (i > 1) {
		char **args = NULL;
		int nargs;
		int r = flags_parse(&oci_globals_command, i, argv, &oci_globals, &args, &nargs,
				    &oci_globals.help, err);
		free(args);
		if (r < 0)
			return -1;
		oci_globals.given = true;
	}
	if (strcmp(oci_globals.log_format, "text") && strcmp(oci_globals.log_format, "json"))
		return sluice_err(err, SLUICE_EXIT_USAGE, 0,
				  "--log-format: \"%s\" is not text or json",
				  oci_globals.log_format);
	if (strcmp(oci_globals.rootless, "auto") && strcmp(oci_globals.rootless, "true") &&
	    strcmp(oci_globals.rootless, "false"))
		return sluice_err(err, SLUICE_EXIT_USAGE, 0,
				  "--rootless: \"%s\" is not auto, true or false",
				  oci_globals.rootless);
	return 0;
}

/* ---- logging ---- */

static const char *const level_names[] = {
	[SLUICE_LOG_ERROR] = "error",
	[SLUICE_LOG_WARN] = "warning",
	[SLUICE_LOG_INFO] = "info",
	[SLUICE_LOG_DEBUG] = "debug",
};

static int log_fd = -1;

/* msg quoted for JSON or for logfmt's msg="..." alike. */
static void quote(char *out, size_t len, const char *msg)
{
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)msg; *p && o + 8 < len; p++) {
		if (*p == '"' || *p == '\\') {
			out[o++] = '\\';
			out[o++] = (char)*p;
		} else if (*p == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else if (*p < 0x20) {
			o += (size_t)snprintf(out + o, len - o, "\\u%04x", *p);
		} else {
			out[o++] = (char)*p;
		}
	}
	out[o] = '\0';
}

/* One line as runc writes it: logrus's text or JSON formatter. */
static void format_line(char *line, size_t len, enum sluice_log_level level, const char *msg)
{
	char q[4096], now[48];

	sluice_rfc3339(now, sizeof(now), time(NULL), 0);
	quote(q, sizeof(q), msg);
	if (!strcmp(oci_globals.log_format, "json"))
		snprintf(line, len, "{\"level\":\"%s\",\"msg\":\"%s\",\"time\":\"%s\"}\n",
			 level_names[level], q, now);
	else
		snprintf(line, len, "time=\"%s\" level=%s msg=\"%s\"\n", now, level_names[level], q);
}

static int open_log(void)
{
	if (log_fd < 0 && oci_globals.log && *oci_globals.log)
		log_fd = open(oci_globals.log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	return log_fd;
}

/* With --log the line goes there; without, on stderr: "sluice: MSG" in
 * text (sluice's own way), the JSON line with --log-format json. */
static void log_message(void *ctx, enum sluice_log_level level, const char *msg)
{
	char line[4608];

	(void)ctx;
	if (level == SLUICE_LOG_DEBUG && !oci_globals.debug)
		return;
	format_line(line, sizeof(line), level, msg);
	if (open_log() >= 0) {
		(void)sluice_write_all(log_fd, line, strlen(line));
		return;
	}
	/* A created container's stderr is ours: what runc does silently
	 * (info) must not land in the workload's output (buildah run). */
	if (level == SLUICE_LOG_INFO && !oci_globals.debug)
		return;
	if (!strcmp(oci_globals.log_format, "json"))
		fputs(line, stderr);
	else if (level == SLUICE_LOG_ERROR)
		fprintf(stderr, "sluice: %s\n", msg);
	else
		fprintf(stderr, "sluice: %s: %s\n", level_names[level], msg);
}

int oci_fail(const struct sluice_error *err)
{
	char msg[sizeof(err->msg) + 128];

	sluice_error_format(err, msg, sizeof(msg));
	log_message(NULL, SLUICE_LOG_ERROR, msg);
	/* with a log file, stderr still gets the message, as runc's does */
	if (log_fd >= 0)
		fprintf(stderr, "sluice: %s\n", msg);
	return err->exit_code ? err->exit_code : SLUICE_EXIT_SETUP;
}

int oci_unsupported(const char *name)
{
	struct sluice_error err = { 0 };

	sluice_err(&err, SLUICE_EXIT_OCI, 0,
		   "%s is not supported: sluice has no checkpoint/restore (runc does it with "
		   "CRIU)",
		   name);
	return oci_fail(&err);
}

/* ---- the context ---- */

int oci_context(struct sluice_oci *o, struct sluice_error *err)
{
	char *root = NULL;

	memset(o, 0, sizeof(*o));
	o->uid = geteuid();
	o->gid = getegid();
	o->log = log_message;
	if (oci_globals.systemd_cgroup)
		return sluice_err(err, SLUICE_EXIT_USAGE, 0,
				  "--systemd-cgroup is not supported: sluice has no systemd cgroup "
				  "manager (use the cgroupfs manager, e.g. podman "
				  "--cgroup-manager=cgroupfs)");
	o->rootless =
		!strcmp(oci_globals.rootless, "auto") ? -1 : !strcmp(oci_globals.rootless, "true");
	if (oci_globals.root && *oci_globals.root) {
		char cwd[4096];
		if (oci_globals.root[0] == '/')
			root = strdup(oci_globals.root);
		else if (getcwd(cwd, sizeof(cwd)) &&
			 asprintf(&root, "%s/%s", cwd, oci_globals.root) < 0)
			root = NULL;
		if (!root)
			return sluice_err(err, SLUICE_EXIT_SETUP, errno ? errno : ENOMEM,
					  "--root %s", oci_globals.root);
	} else if (sluice_oci_default_root(o->uid, &root, err) < 0) {
		return -1;
	}
	o->root = root;
	return 0;
}

void oci_context_free(struct sluice_oci *o)
{
	free((char *)o->root);
	o->root = NULL;
}

int oci_command(const struct command *cmd, int argc, char **argv, void *opts,
		int (*fn)(struct sluice_oci *o, void *opts, char **args, int nargs,
			  struct sluice_error *err))
{
	struct sluice_error err = { 0 };
	struct sluice_oci o = { 0 };
	char **args = NULL;
	int nargs = 0, r;
	bool help = false;

	r = flags_parse(cmd, argc, argv, opts, &args, &nargs, &help, &err);
	if (r == 0 && help) {
		flags_usage(cmd, stdout);
		flags_free(cmd, opts, args);
		return 0;
	}
	if (r == 0 && !cmd->stateless)
		r = oci_context(&o, &err);
	if (r == 0)
		r = fn(&o, opts, args, nargs, &err);
	flags_free(cmd, opts, args);
	oci_context_free(&o);
	if (r < 0)
		return oci_fail(&err);
	return r;
}
