/* Flag parsing for the OCI commands (flags.h). */
#include "flags.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "util.h"

static const struct flag *find(const struct command *cmd, const char *name, size_t n)
{
	for (size_t i = 0; i < cmd->n_flags; i++) {
		const struct flag *f = &cmd->flags[i];
		if ((strlen(f->name) == n && !strncmp(f->name, name, n)) ||
		    (n == 1 && f->shortname == name[0]))
			return f;
	}
	return NULL;
}

static int bad(const struct command *cmd, struct sluice_error *err, const char *what,
	       const char *arg)
{
	return sluice_err(err, SLUICE_EXIT_USAGE, 0, "%s%s%s: %s (see sluice %s%s--help)",
			  cmd->name ? cmd->name : "", cmd->name ? ": " : "", what, arg,
			  cmd->name ? cmd->name : "", cmd->name ? " " : "");
}

static int set_value(const struct command *cmd, const struct flag *f, void *opts, const char *value,
		     struct sluice_error *err)
{
	char *field = (char *)opts + f->offset, *end;
	long n;

	switch (f->kind) {
	case FLAG_BOOL:
		if (value && strcmp(value, "true") && strcmp(value, "false"))
			return bad(cmd, err, "expected true or false", value);
		*(bool *)field = !value || !strcmp(value, "true");
		return 0;
	case FLAG_STRING:
		*(const char **)field = value;
		return 0;
	case FLAG_INT:
		errno = 0;
		n = strtol(value, &end, 10);
		if (errno || end == value || *end || n < 0 || n > INT_MAX - 3)
			return bad(cmd, err, "not a number", value);
		*(int *)field = (int)n;
		return 0;
	case FLAG_LIST:
		if (sluice_strv_push((char ***)field, value) < 0)
			return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "flags");
		return 0;
	}
	return 0;
}

/* argv[*i] is a flag: apply it, consuming its value. */
static int one_flag(const struct command *cmd, int argc, char **argv, int *i, void *opts,
		    bool *help, struct sluice_error *err)
{
	const char *a = argv[*i], *name = a + (a[1] == '-' ? 2 : 1);
	const char *eq = strchr(name, '=');
	size_t n = eq ? (size_t)(eq - name) : strlen(name);
	const struct flag *f = find(cmd, name, n);
	const char *value = eq ? eq + 1 : NULL;

	if (!f && (!strncmp(name, "help", n) || !strncmp(name, "h", n)) && (n == 4 || n == 1)) {
		*help = true;
		return 0;
	}
	if (!f)
		return bad(cmd, err, "flag provided but not defined", a);
	if (f->kind != FLAG_BOOL && !value) {
		if (*i + 1 >= argc)
			return bad(cmd, err, "flag needs an argument", a);
		value = argv[++*i];
	}
	return set_value(cmd, f, opts, value, err);
}

int flags_parse(const struct command *cmd, int argc, char **argv, void *opts, char ***args,
		int *nargs, bool *help, struct sluice_error *err)
{
	bool only_args = false;

	*help = false;
	*nargs = 0;
	*args = calloc((size_t)argc + 1, sizeof(char *));
	if (!*args)
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "flags");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!only_args && !strcmp(a, "--")) {
			only_args = true;
			continue;
		}
		if (!only_args && a[0] == '-' && a[1]) {
			if (one_flag(cmd, argc, argv, &i, opts, help, err) < 0)
				return -1;
			continue;
		}
		(*args)[(*nargs)++] = argv[i];
		if (cmd->stop_at_args)
			only_args = true;
	}
	if (*help)
		return 0;
	if (*nargs < cmd->min_args || (cmd->max_args >= 0 && *nargs > cmd->max_args)) {
		if (cmd->min_args == cmd->max_args)
			return sluice_err(err, SLUICE_EXIT_USAGE, 0,
					  "\"%s\" requires exactly %d argument(s) (see sluice %s "
					  "--help)",
					  cmd->name, cmd->min_args, cmd->name);
		return sluice_err(err, SLUICE_EXIT_USAGE, 0,
				  "\"%s\" requires %s %d argument(s) (see sluice %s --help)",
				  cmd->name, *nargs < cmd->min_args ? "at least" : "at most",
				  *nargs < cmd->min_args ? cmd->min_args : cmd->max_args, cmd->name);
	}
	return 0;
}

void flags_free(const struct command *cmd, void *opts, char **args)
{
	for (size_t i = 0; i < cmd->n_flags; i++)
		if (cmd->flags[i].kind == FLAG_LIST) {
			char ***v = (char ***)((char *)opts + cmd->flags[i].offset);
			sluice_strv_free(*v);
			*v = NULL;
		}
	free(args);
}

void flags_usage(const struct command *cmd, FILE *out)
{
	fprintf(out, "usage: sluice %s%s%s%s\n\n%s\n", cmd->name ? cmd->name : "[GLOBAL FLAG...]",
		cmd->n_flags ? " [FLAG...]" : "", cmd->args ? " " : "", cmd->args ? cmd->args : "",
		cmd->summary);
	if (cmd->help)
		fprintf(out, "\n%s\n", cmd->help);
	if (cmd->n_flags)
		fprintf(out, "\nflags:\n");
	for (size_t i = 0; i < cmd->n_flags; i++) {
		const struct flag *f = &cmd->flags[i];
		char left[64];
		snprintf(left, sizeof(left), "%c%c%s--%s%s%s", f->shortname ? '-' : ' ',
			 f->shortname ? f->shortname : ' ', f->shortname ? ", " : "  ", f->name,
			 f->arg ? " " : "", f->arg ? f->arg : "");
		fprintf(out, "  %-30s %s\n", left, f->help);
	}
}
