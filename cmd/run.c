/* sluice run [OPTIONS] [--] COMMAND [ARG...]
 *
 * Options are a table: each names the config field it overrides.  They are
 * applied in order after the config (embedded default, then --config FILE)
 * is loaded, so the command line always wins. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "error.h"
#include "run.h"
#include "util.h"

struct run_ctx {
	struct sluice_config *c;
	const struct sluice_caller *who;
	struct sluice_error *err;
	bool print_config;
	bool print_seccomp;
	bool cwd_given;
	const char *console_socket;
};

typedef int (*opt_fn)(struct run_ctx *x, const char *arg);

struct opt {
	const char *name;
	char shortname;
	const char *arg; /* NULL: a flag */
	opt_fn apply;
	const char *help;
};

/* "run: PROBLEM: VALUE" */
static int usage_err(struct run_ctx *x, const char *problem, const char *value)
{
	return sluice_err(x->err, SLUICE_EXIT_USAGE, 0, "run: %s: %s", problem, value);
}

static int set_str(char **field, const char *v, struct sluice_error *err)
{
	char *copy = strdup(v);

	if (!copy)
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "out of memory");
	free(*field);
	*field = copy;
	return 0;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max || s[0] == '-')
		return -1;
	*out = v;
	return 0;
}

static int parse_seconds(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !(v >= 0) || v > 1e9)
		return -1;
	*out = v;
	return 0;
}

static int opt_rootfs(struct run_ctx *x, const char *arg)
{
	char buf[PATH_MAX];

	if (!realpath(arg, buf))
		return sluice_err(x->err, SLUICE_EXIT_CONFIG, errno, "--rootfs %s", arg);
	if (!x->cwd_given && set_str(&x->c->process.cwd, "/", x->err) < 0)
		return -1;
	x->c->cwd_inherited = false;
	return set_str(&x->c->root.path, buf, x->err);
}

static int opt_readonly(struct run_ctx *x, const char *arg)
{
	(void)arg;
	x->c->root.readonly = true;
	return 0;
}

static int opt_readwrite(struct run_ctx *x, const char *arg)
{
	(void)arg;
	x->c->root.readonly = false;
	return 0;
}

/* A mount built by an option is the config's once add_mount has taken it;
 * until then every error path frees it and returns r (clang --analyze and
 * LeakSanitizer: `--bind SRC:relative` leaked it). */
static int drop_mount(struct sluice_mount *m, int r)
{
	free(m->destination);
	free(m->type);
	free(m->source);
	free(m->data);
	sluice_strv_free(m->options);
	memset(m, 0, sizeof(*m));
	return r;
}

static int add_mount(struct run_ctx *x, struct sluice_mount *m)
{
	struct sluice_mount *nm = realloc(x->c->mounts, (x->c->n_mounts + 1) * sizeof(*nm));

	if (!nm)
		return drop_mount(m, sluice_err(x->err, SLUICE_EXIT_SETUP, ENOMEM, "out of memory"));
	x->c->mounts = nm;
	nm[x->c->n_mounts++] = *m;
	return 0;
}

/* SRC[:DEST]: a recursive bind, read-write or read-only. */
static int bind_common(struct run_ctx *x, const char *arg, bool ro, const char *optname)
{
	struct sluice_mount m = { .bind = true, .recursive = true };
	char src[PATH_MAX], *colon, spec[PATH_MAX * 2];

	if (snprintf(spec, sizeof(spec), "%s", arg) >= (int)sizeof(spec))
		return usage_err(x, "path too long", optname);
	colon = strchr(spec, ':');
	if (colon)
		*colon = '\0';
	if (!realpath(spec, src))
		return sluice_err(x->err, SLUICE_EXIT_CONFIG, errno, "%s %s", optname, spec);
	m.source = strdup(src);
	m.destination = strdup(colon ? colon + 1 : src);
	m.type = strdup("bind");
	if (ro)
		m.flags = MS_RDONLY;
	else
		m.clear = MS_RDONLY;
	if (!m.source || !m.destination || !m.type || sluice_strv_push(&m.options, "rbind") < 0 ||
	    sluice_strv_push(&m.options, ro ? "ro" : "rw") < 0)
		return drop_mount(&m,
				  sluice_err(x->err, SLUICE_EXIT_SETUP, ENOMEM, "out of memory"));
	if (m.destination[0] != '/')
		return drop_mount(&m, usage_err(x, "the destination must be absolute", optname));
	return add_mount(x, &m);
}

static int opt_bind(struct run_ctx *x, const char *arg)
{
	return bind_common(x, arg, false, "--bind");
}

static int opt_ro_bind(struct run_ctx *x, const char *arg)
{
	return bind_common(x, arg, true, "--ro-bind");
}

/* DEST[:OPTIONS]: a tmpfs, nosuid and nodev, with filesystem options such
 * as size=64m,mode=1777. */
static int opt_tmpfs(struct run_ctx *x, const char *arg)
{
	struct sluice_mount m = { .flags = MS_NOSUID | MS_NODEV };
	const char *colon = strchr(arg, ':');

	if (arg[0] != '/')
		return usage_err(x, "--tmpfs: the destination must be absolute", arg);
	m.destination = colon ? strndup(arg, (size_t)(colon - arg)) : strdup(arg);
	m.type = strdup("tmpfs");
	m.source = strdup("tmpfs");
	m.data = colon && colon[1] ? strdup(colon + 1) : NULL;
	if (!m.destination || !m.type || !m.source || sluice_strv_push(&m.options, "nosuid") < 0 ||
	    sluice_strv_push(&m.options, "nodev") < 0)
		return drop_mount(&m,
				  sluice_err(x->err, SLUICE_EXIT_SETUP, ENOMEM, "out of memory"));
	if (m.data) {
		cleanup_free char *copy = strdup(m.data);
		for (char *save = NULL, *tok = copy ? strtok_r(copy, ",", &save) : NULL; tok;
		     tok = strtok_r(NULL, ",", &save))
			if (sluice_strv_push(&m.options, tok) < 0)
				return drop_mount(&m, sluice_err(x->err, SLUICE_EXIT_SETUP, ENOMEM,
								 "out of memory"));
	}
	return add_mount(x, &m);
}

/* KEY=VALUE sets; KEY alone copies the caller's value (if any). */
static int opt_env(struct run_ctx *x, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t klen = eq ? (size_t)(eq - arg) : strlen(arg);
	char **env = x->c->process.env;
	cleanup_free char *entry = NULL;

	if (klen == 0)
		return usage_err(x, "--env: no variable name", arg);
	if (!eq) {
		const char *v = getenv(arg);
		if (!v)
			return 0;
		if (asprintf(&entry, "%s=%s", arg, v) < 0)
			return sluice_err(x->err, SLUICE_EXIT_SETUP, ENOMEM, "out of memory");
	} else if (!(entry = strdup(arg))) {
		return sluice_err(x->err, SLUICE_EXIT_SETUP, ENOMEM, "out of memory");
	}
	for (size_t i = 0; env && env[i]; i++)
		if (strncmp(env[i], entry, klen) == 0 && env[i][klen] == '=') {
			free(env[i]);
			env[i] = steal_ptr(&entry);
			return 0;
		}
	if (sluice_strv_push(&x->c->process.env, entry) < 0)
		return sluice_err(x->err, SLUICE_EXIT_SETUP, ENOMEM, "out of memory");
	return 0;
}

static int opt_cwd(struct run_ctx *x, const char *arg)
{
	if (arg[0] != '/')
		return usage_err(x, "--cwd: must be an absolute path inside the sandbox", arg);
	x->cwd_given = true;
	x->c->cwd_inherited = false;
	return set_str(&x->c->process.cwd, arg, x->err);
}

static int opt_hostname(struct run_ctx *x, const char *arg)
{
	x->c->hostname_inherited = false;
	return set_str(&x->c->hostname, arg, x->err);
}

static int opt_uid(struct run_ctx *x, const char *arg)
{
	unsigned long v;

	if (parse_uint(arg, UINT32_MAX - 1, &v) < 0)
		return usage_err(x, "--uid: not a number", arg);
	x->c->process.user.uid = (uint32_t)v;
	return 0;
}

static int opt_gid(struct run_ctx *x, const char *arg)
{
	unsigned long v;

	if (parse_uint(arg, UINT32_MAX - 1, &v) < 0)
		return usage_err(x, "--gid: not a number", arg);
	x->c->process.user.gid = (uint32_t)v;
	return 0;
}

/* --cap-add/--cap-drop act on every set, ambient included, so that the
 * capability also survives the exec of a non-root workload. */
static int caps_change(struct run_ctx *x, const char *arg, bool add, const char *optname)
{
	uint64_t bits;

	if (!strcasecmp(arg, "ALL")) {
		bits = ~0ULL;
	} else {
		int cap = sluice_cap_from_name(arg);
		if (cap < 0)
			return sluice_err(x->err, SLUICE_EXIT_USAGE, 0,
					  "%s: unknown capability \"%s\"", optname, arg);
		bits = 1ULL << cap;
	}
	for (int s = 0; s < SLUICE_CAP_COUNT; s++)
		x->c->process.caps[s] =
			add ? x->c->process.caps[s] | bits : x->c->process.caps[s] & ~bits;
	if (add && bits == ~0ULL) {
		/* ALL: every capability sluice could grant, not those the host's
		 * bounding set withholds (podman's "all" means the same) */
		uint64_t grantable = sluice_caps_grantable();
		for (int s = 0; s < SLUICE_CAP_COUNT; s++)
			x->c->process.caps[s] &= grantable;
	}
	return 0;
}

static int opt_cap_add(struct run_ctx *x, const char *arg)
{
	return caps_change(x, arg, true, "--cap-add");
}

static int opt_cap_drop(struct run_ctx *x, const char *arg)
{
	return caps_change(x, arg, false, "--cap-drop");
}

static int opt_share_net(struct run_ctx *x, const char *arg)
{
	(void)arg;
	x->c->linux.ns[SLUICE_NS_NET].enabled = false;
	free(x->c->linux.ns[SLUICE_NS_NET].path);
	x->c->linux.ns[SLUICE_NS_NET].path = NULL;
	return 0;
}

static int opt_timeout(struct run_ctx *x, const char *arg)
{
	if (parse_seconds(arg, &x->c->sluice.timeout) < 0)
		return usage_err(x, "--timeout: not a number of seconds", arg);
	return 0;
}

static int opt_kill_grace(struct run_ctx *x, const char *arg)
{
	if (parse_seconds(arg, &x->c->sluice.kill_grace) < 0)
		return usage_err(x, "--kill-grace: not a number of seconds", arg);
	return 0;
}

static int stdio_opt(struct run_ctx *x, int fd, const char *arg, const char *optname)
{
	struct sluice_stdio s = { 0 };

	if (sluice_stdio_parse(&s, arg) < 0)
		return sluice_err(x->err, SLUICE_EXIT_USAGE, 0,
				  "%s %s: expected inherit, null, pipe or file:PATH", optname, arg);
	free(x->c->sluice.stdio[fd].path);
	x->c->sluice.stdio[fd] = s;
	return 0;
}

static int opt_stdin(struct run_ctx *x, const char *arg)
{
	return stdio_opt(x, 0, arg, "--stdin");
}

static int opt_stdout(struct run_ctx *x, const char *arg)
{
	return stdio_opt(x, 1, arg, "--stdout");
}

static int opt_stderr(struct run_ctx *x, const char *arg)
{
	return stdio_opt(x, 2, arg, "--stderr");
}

static int opt_preserve_fds(struct run_ctx *x, const char *arg)
{
	unsigned long v;

	if (parse_uint(arg, 10000, &v) < 0)
		return usage_err(x, "--preserve-fds: not a number", arg);
	x->c->sluice.preserve_fds = (int)v;
	return 0;
}

static int opt_init(struct run_ctx *x, const char *arg)
{
	(void)arg;
	x->c->sluice.init = true;
	return 0;
}

static int opt_no_init(struct run_ctx *x, const char *arg)
{
	(void)arg;
	x->c->sluice.init = false;
	return 0;
}

static int opt_init_group(struct run_ctx *x, const char *arg)
{
	(void)arg;
	x->c->sluice.init = true;
	x->c->sluice.init_signal_group = true;
	return 0;
}

static int opt_remap_exit(struct run_ctx *x, const char *arg)
{
	unsigned long v;
	int *codes;

	if (parse_uint(arg, 255, &v) < 0)
		return usage_err(x, "--remap-exit: not an exit code (0-255)", arg);
	codes = realloc(x->c->sluice.remap_exit, (x->c->sluice.n_remap_exit + 1) * sizeof(*codes));
	if (!codes)
		return sluice_err(x->err, SLUICE_EXIT_SETUP, ENOMEM, "out of memory");
	codes[x->c->sluice.n_remap_exit++] = (int)v;
	x->c->sluice.remap_exit = codes;
	x->c->sluice.init = true;
	return 0;
}

static int opt_tty(struct run_ctx *x, const char *arg)
{
	(void)arg;
	x->c->process.terminal = true;
	return 0;
}

static int opt_console_socket(struct run_ctx *x, const char *arg)
{
	x->console_socket = arg;
	return 0;
}

/* Resource limits: the edits live in lib/config (config_resources.c),
 * shared with the OCI commands. */
static int opt_memory(struct run_ctx *x, const char *arg)
{
	return sluice_config_set_memory(x->c, "--memory", arg, x->err);
}

static int opt_pids_limit(struct run_ctx *x, const char *arg)
{
	return sluice_config_set_pids_limit(x->c, "--pids-limit", arg, x->err);
}

static int opt_cpus(struct run_ctx *x, const char *arg)
{
	return sluice_config_set_cpus(x->c, "--cpus", arg, x->err);
}

static int opt_real_root(struct run_ctx *x, const char *arg)
{
	(void)arg;
	return sluice_config_real_root(x->c, x->who, x->err);
}

static int opt_no_new_keyring(struct run_ctx *x, const char *arg)
{
	(void)arg;
	x->c->sluice.no_new_keyring = true;
	return 0;
}

static int opt_nested_userns(struct run_ctx *x, const char *arg)
{
	(void)arg;
	x->c->sluice.nested_userns = true;
	return 0;
}

static int opt_seccomp(struct run_ctx *x, const char *arg)
{
	return sluice_config_load_seccomp_file(x->c, arg, x->err);
}

static int opt_no_seccomp(struct run_ctx *x, const char *arg)
{
	(void)arg;
	sluice_config_no_seccomp(x->c);
	return 0;
}

static int opt_print_config(struct run_ctx *x, const char *arg)
{
	(void)arg;
	x->print_config = true;
	return 0;
}

static int opt_print_seccomp(struct run_ctx *x, const char *arg)
{
	(void)arg;
	x->print_config = true; /* a config printed, not run: needs no command */
	x->print_seccomp = true;
	return 0;
}

static const struct opt opts[] = {
	{ "config", 'c', "FILE", NULL,
	  "load FILE (YAML, or an OCI config.json) over the embedded default" },
	{ "rootfs", 'r', "DIR", opt_rootfs,
	  "use DIR as the root (default: the host's / read-only)" },
	{ "read-only", 0, NULL, opt_readonly, "make the root read-only (root.readonly)" },
	{ "read-write", 0, NULL, opt_readwrite, "leave the root writable" },
	{ "bind", 'b', "SRC[:DEST]", opt_bind, "bind SRC (recursively, read-write) at DEST" },
	{ "ro-bind", 0, "SRC[:DEST]", opt_ro_bind, "bind SRC read-only at DEST" },
	{ "tmpfs", 0, "DEST[:OPTS]", opt_tmpfs,
	  "mount a tmpfs at DEST (OPTS like size=64m,mode=1777)" },
	{ "env", 'e', "KEY[=VALUE]", opt_env, "set KEY, or copy it from sluice's environment" },
	{ "cwd", 'w', "DIR", opt_cwd, "working directory inside the sandbox" },
	{ "hostname", 0, "NAME", opt_hostname, "hostname inside the sandbox" },
	{ "uid", 'u', "N", opt_uid, "run as uid N inside the sandbox" },
	{ "gid", 'g', "N", opt_gid, "run as gid N inside the sandbox" },
	{ "cap-add", 0, "CAP", opt_cap_add, "grant capability CAP (or ALL)" },
	{ "cap-drop", 0, "CAP", opt_cap_drop, "remove capability CAP (or ALL)" },
	{ "share-net", 0, NULL, opt_share_net, "stay in the host's network namespace" },
	{ "timeout", 't', "SECS", opt_timeout,
	  "SIGTERM after SECS, SIGKILL after the grace period" },
	{ "kill-grace", 0, "SECS", opt_kill_grace,
	  "seconds between SIGTERM and SIGKILL (default 5)" },
	{ "stdin", 0, "MODE", opt_stdin, "inherit, null, pipe or file:PATH" },
	{ "stdout", 0, "MODE", opt_stdout, "inherit, null, pipe or file:PATH" },
	{ "stderr", 0, "MODE", opt_stderr, "inherit, null, pipe or file:PATH" },
	{ "preserve-fds", 0, "N", opt_preserve_fds, "pass fds 3..3+N-1 on to the command" },
	{ "tty", 0, NULL, opt_tty,
	  "a terminal made in the sandbox, relayed to yours (process.terminal)" },
	{ "console-socket", 0, "PATH", opt_console_socket,
	  "send the terminal's master to the unix socket PATH instead (as runc)" },
	{ "init", 0, NULL, opt_init,
	  "sluice's init is PID 1 and the command its child (the default)" },
	{ "no-init", 0, NULL, opt_no_init,
	  "the command itself is PID 1 of the sandbox (signals without a handler are dropped)" },
	{ "init-group", 0, NULL, opt_init_group,
	  "--init, and signal the workload's whole process group" },
	{ "remap-exit", 0, "CODE", opt_remap_exit,
	  "--init, and report exit status CODE as 0 (repeatable)" },
	{ "memory", 'm', "SIZE", opt_memory,
	  "limit memory to SIZE (512m, 1g; a memory cgroup, docs/cgroups.md)" },
	{ "pids-limit", 0, "N", opt_pids_limit, "allow at most N processes (a pids cgroup)" },
	{ "cpus", 0, "N", opt_cpus, "allow N CPUs' worth of time (1.5: 150 ms per 100 ms period)" },
	{ "real-root", 0, NULL, opt_real_root,
	  "as root: run as the host's root, no user namespace (default: uid 65534 outside)" },
	{ "no-new-keyring", 0, NULL, opt_no_new_keyring,
	  "keep the caller's session keyring (default: a new, empty one)" },
	{ "nested-userns", 0, NULL, opt_nested_userns,
	  "let the command create user namespaces of its own (default: refused)" },
	{ "seccomp", 0, "FILE", opt_seccomp,
	  "filter system calls with the profile in FILE (OCI JSON or YAML)" },
	{ "no-seccomp", 0, NULL, opt_no_seccomp, "no seccomp filter, not even the default one" },
	{ "print-config", 0, NULL, opt_print_config, "print the effective config as YAML and exit" },
	{ "print-seccomp", 0, NULL, opt_print_seccomp,
	  "print the effective seccomp profile as OCI JSON and exit" },
	{ "help", 'h', NULL, NULL, "show this help" },
};
#define N_OPTS (sizeof(opts) / sizeof(opts[0]))

static void help(void)
{
	printf("usage: sluice run [OPTION...] [--] COMMAND [ARG...]\n\n"
	       "Run COMMAND in a sandbox: the embedded default (docs/config.md), or --config.\n"
	       "sluice's init is PID 1 of the sandbox and COMMAND its child, so signals,\n"
	       "Ctrl-C, SIGPIPE and exit statuses behave as outside a sandbox (--no-init\n"
	       "makes COMMAND PID 1 instead; docs/pid1.md).\n\n");
	for (size_t i = 0; i < N_OPTS; i++) {
		char left[64];
		snprintf(left, sizeof(left), "%c%c%s--%s%s%s", opts[i].shortname ? '-' : ' ',
			 opts[i].shortname ? opts[i].shortname : ' ',
			 opts[i].shortname ? ", " : "  ", opts[i].name, opts[i].arg ? " " : "",
			 opts[i].arg ? opts[i].arg : "");
		printf("  %-28s %s\n", left, opts[i].help);
	}
	printf("\nAs root, the sandbox of the host's / runs as uid 65534 outside its user namespace;\n"
	       "--real-root runs it as the host's root (a --rootfs sandbox does by default).\n"
	       "--cap-add ALL grants every capability the host allows, over the sandbox's own\n"
	       "namespaces; as the host's root (--real-root): full privilege, the command can\n"
	       "mount the host's disks and replace any file, sluice's binary included\n"
	       "(docs/security.md).\n");
	printf("\nExit status: the command's own; 128+N if killed by signal N; %d usage,\n"
	       "%d config error, %d setup failure, %d timeout, %d not executable, %d not found\n"
	       "(docs/exit-codes.md).\n",
	       SLUICE_EXIT_USAGE, SLUICE_EXIT_CONFIG, SLUICE_EXIT_SETUP, SLUICE_EXIT_TIMEOUT,
	       SLUICE_EXIT_NOEXEC, SLUICE_EXIT_NOTFOUND);
}

static const struct opt *find_opt(const char *arg, const char **value)
{
	*value = NULL;
	if (arg[0] == '-' && arg[1] == '-') {
		const char *eq = strchr(arg + 2, '=');
		size_t n = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
		for (size_t i = 0; i < N_OPTS; i++)
			if (strlen(opts[i].name) == n && !strncmp(opts[i].name, arg + 2, n)) {
				*value = eq ? eq + 1 : NULL;
				return &opts[i];
			}
		return NULL;
	}
	for (size_t i = 0; i < N_OPTS; i++)
		if (opts[i].shortname && arg[1] == opts[i].shortname) {
			*value = arg[2] ? arg + 2 : NULL;
			return &opts[i];
		}
	return NULL;
}

struct parsed {
	const struct opt *opt;
	const char *value;
};

/* First pass: split argv into options (with their values) and the command. */
static int parse_argv(int argc, char **argv, struct parsed *out, size_t *n, int *cmd_index,
		      struct sluice_error *err)
{
	int i = 1;

	*n = 0;
	for (; i < argc; i++) {
		const char *a = argv[i], *v;
		const struct opt *o;
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-' || !a[1])
			break;
		o = find_opt(a, &v);
		if (!o)
			return sluice_err(err, SLUICE_EXIT_USAGE, 0,
					  "run: unknown option %s (see sluice run --help)", a);
		if (o->arg && !v) {
			if (i + 1 >= argc)
				return sluice_err(err, SLUICE_EXIT_USAGE, 0, "run: %s needs %s", a,
						  o->arg);
			v = argv[++i];
		} else if (!o->arg && v) {
			return sluice_err(err, SLUICE_EXIT_USAGE, 0, "run: --%s takes no value",
					  o->name);
		}
		out[(*n)++] = (struct parsed){ o, v };
	}
	*cmd_index = i;
	return 0;
}

/* Socket activation (sd_listen_fds): fds handed to sluice go on to the
 * workload, with LISTEN_FDS; the helper sets LISTEN_PID. */
static int listen_fds(struct run_ctx *x)
{
	const char *fds = getenv("LISTEN_FDS"), *pid = getenv("LISTEN_PID");
	unsigned long n, p;
	char buf[32];

	if (!fds || !pid || parse_uint(fds, 10000, &n) < 0 || parse_uint(pid, INT_MAX, &p) < 0 ||
	    (pid_t)p != getpid())
		return 0;
	if ((int)n > x->c->sluice.preserve_fds)
		x->c->sluice.preserve_fds = (int)n;
	snprintf(buf, sizeof(buf), "LISTEN_FDS=%lu", n);
	if (opt_env(x, buf) < 0 || opt_env(x, "LISTEN_PID=0") < 0)
		return -1;
	return getenv("LISTEN_FDNAMES") ? opt_env(x, "LISTEN_FDNAMES") : 0;
}

static int build_config(struct run_ctx *x, struct parsed *p, size_t n, char **cmd,
			const struct sluice_caller *who)
{
	if (sluice_config_default(x->c, who, x->err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(p[i].opt->name, "config") &&
		    sluice_config_load_file(x->c, p[i].value, x->err) < 0)
			return -1;
	for (size_t i = 0; i < n; i++)
		if (p[i].opt->apply && p[i].opt->apply(x, p[i].value) < 0)
			return -1;
	if (cmd[0]) {
		char **args = sluice_strv_dup(cmd);
		if (!args)
			return sluice_err(x->err, SLUICE_EXIT_SETUP, ENOMEM, "out of memory");
		sluice_strv_free(x->c->process.args);
		x->c->process.args = args;
	}
	/* A config printed to start from needs a command to be valid. */
	if (x->print_config && (!x->c->process.args || !x->c->process.args[0]) &&
	    sluice_strv_push(&x->c->process.args, "/bin/sh") < 0)
		return sluice_err(x->err, SLUICE_EXIT_SETUP, ENOMEM, "out of memory");
	if (listen_fds(x) < 0)
		return -1;
	return sluice_config_finalize(x->c, who, x->err);
}

static void print_warnings(const struct sluice_config *c)
{
	for (size_t i = 0; c->warnings && c->warnings[i]; i++)
		fprintf(stderr, "sluice: warning: %s\n", c->warnings[i]);
}

static int print_config(const struct sluice_config *c, bool seccomp, struct sluice_error *err)
{
	cleanup_free char *text = NULL;
	size_t len = 0;

	if (seccomp && sluice_seccomp_json(c->linux.seccomp, &text, &len) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "out of memory");
	if (!seccomp && sluice_config_emit(c, &text, &len, err) < 0)
		return -1;
	fwrite(text, 1, len, stdout);
	return fflush(stdout) == 0 ? 0 : sluice_err(err, SLUICE_EXIT_SETUP, errno, "stdout");
}

static int cmd_sandbox_run(int argc, char **argv)
{
	struct parsed *p = calloc((size_t)argc + 1, sizeof(*p));
	struct sluice_config c;
	struct sluice_error err = { 0 };
	char cwd[PATH_MAX];
	struct sluice_caller who = { .uid = geteuid(),
				     .gid = getegid(),
				     .cwd = getcwd(cwd, sizeof(cwd)) };
	struct run_ctx x = { .c = &c, .who = &who, .err = &err };
	size_t n = 0;
	int cmd_index = argc, r = -1;

	sluice_config_init(&c);
	if (!p) {
		sluice_err(&err, SLUICE_EXIT_SETUP, ENOMEM, "out of memory");
		goto out;
	}
	if (parse_argv(argc, argv, p, &n, &cmd_index, &err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(p[i].opt->name, "help")) {
			help();
			r = 0;
			goto out;
		}
	if (build_config(&x, p, n, argv + cmd_index, &who) < 0)
		goto out;
	if (x.console_socket && !c.process.terminal) {
		sluice_err(&err, SLUICE_EXIT_USAGE, 0,
			   "run: --console-socket needs a terminal (--tty, or process.terminal: "
			   "true)");
		goto out;
	}
	print_warnings(&c);
	who.console_socket = x.console_socket;
	/* As podman: a terminal without one of ours on stdin still runs,
	 * its input relayed from whatever stdin is. */
	if (c.process.terminal && !x.console_socket && !x.print_config && !isatty(STDIN_FILENO))
		fprintf(stderr, "sluice: warning: stdin is not a terminal: its input is relayed "
				"to the sandbox's terminal as it comes\n");
	r = x.print_config ? print_config(&c, x.print_seccomp, &err) : sluice_run(&c, &who, &err);
out:
	if (r < 0)
		sluice_error_print(&err);
	sluice_config_free(&c);
	free(p);
	return r < 0 ? err.exit_code : r;
}

/* Two commands share the name: runc's `run ID` (oci_run.c) and the
 * sandbox above. */
int cmd_run(int argc, char **argv)
{
	if (cmd_run_is_oci(argc, argv))
		return cmd_oci_run(argc, argv);
	return cmd_sandbox_run(argc, argv);
}
