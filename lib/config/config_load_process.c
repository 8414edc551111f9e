/* Loading process: args, env, cwd, user, capabilities, rlimits. */
#include "config_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static int load_terminal(struct config_load *L, const struct config_node *v, void *obj,
			 const char *path)
{
	return config_get_bool(L, v, path, &((struct sluice_config *)obj)->process.terminal);
}

/* struct winsize holds rows and columns in unsigned shorts. */
static int load_console_dim(struct config_load *L, const struct config_node *v, uint32_t *out,
			    const char *path)
{
	int64_t n;
	int r = config_get_int(L, v, path, 0, 65535, &n);

	if (r == 0)
		*out = (uint32_t)n;
	return r;
}

static int load_console_height(struct config_load *L, const struct config_node *v, void *obj,
			       const char *path)
{
	return load_console_dim(L, v, &((struct sluice_config *)obj)->process.console_size.height,
				path);
}

static int load_console_width(struct config_load *L, const struct config_node *v, void *obj,
			      const char *path)
{
	return load_console_dim(L, v, &((struct sluice_config *)obj)->process.console_size.width,
				path);
}

static const struct config_field console_fields[] = {
	{ "height", load_console_height },
	{ "width", load_console_width },
};

/* Both keys are required (the spec's schema).  Kept, and emitted, even
 * without terminal: the spec has runtimes ignore it then, not refuse it. */
static int load_console_size(struct config_load *L, const struct config_node *v, void *obj,
			     const char *path)
{
	struct sluice_config *c = obj;
	int r = config_walk_map(L, v, console_fields, N_ELEMS(console_fields), obj, path);

	for (size_t i = 0; r == 0 && i < N_ELEMS(console_fields); i++)
		if (!config_map_get(v, console_fields[i].key))
			r = config_missing(L, v, path, console_fields[i].key);
	if (r == 0)
		c->process.console_size.set = true;
	return r;
}

static int load_args(struct config_load *L, const struct config_node *v, void *obj, const char *path)
{
	return config_get_strv(L, v, path, NULL, &((struct sluice_config *)obj)->process.args);
}

static int check_env(struct config_load *L, const struct config_node *item, const char *ipath)
{
	const char *eq = strchr(item->value, '=');

	if (!eq || eq == item->value)
		return config_fail(L, item, "%s: \"%s\" is not KEY=VALUE", ipath, item->value);
	return 0;
}

static int load_env(struct config_load *L, const struct config_node *v, void *obj, const char *path)
{
	return config_get_strv(L, v, path, check_env, &((struct sluice_config *)obj)->process.env);
}

static int load_cwd(struct config_load *L, const struct config_node *v, void *obj, const char *path)
{
	((struct sluice_config *)obj)->cwd_inherited = false;
	return config_get_abs_path(L, v, path, &((struct sluice_config *)obj)->process.cwd);
}

static int load_uid(struct config_load *L, const struct config_node *v, void *obj, const char *path)
{
	return config_get_id(L, v, path, &((struct sluice_config *)obj)->process.user.uid);
}

static int load_gid(struct config_load *L, const struct config_node *v, void *obj, const char *path)
{
	return config_get_id(L, v, path, &((struct sluice_config *)obj)->process.user.gid);
}

static int load_umask(struct config_load *L, const struct config_node *v, void *obj,
		      const char *path)
{
	struct sluice_config *c = obj;
	int r = config_get_mode(L, v, path, 0777, &c->process.user.umask);

	if (r == 0)
		c->process.user.umask_set = true;
	return r;
}

struct id_list {
	uint32_t *v;
	size_t n;
};

static int load_id(struct config_load *L, const struct config_node *item, const char *ipath,
		   void *ctx)
{
	struct id_list *ids = ctx;

	return config_get_id(L, item, ipath, &ids->v[ids->n++]);
}

static int load_additional_gids(struct config_load *L, const struct config_node *v, void *obj,
				const char *path)
{
	struct sluice_config *c = obj;
	struct id_list ids = { calloc(v->n ? v->n : 1, sizeof(uint32_t)), 0 };
	int r;

	if (!ids.v)
		return config_nomem(L);
	r = config_each_item(L, v, path, "group ids", load_id, &ids);
	if (r < 0) {
		free(ids.v);
		return r;
	}
	free(c->process.user.additional_gids);
	c->process.user.additional_gids = ids.v;
	c->process.user.n_additional_gids = ids.n;
	return 0;
}

static int load_username(struct config_load *L, const struct config_node *v, void *obj,
			 const char *path)
{
	(void)obj;
	return config_fail(L, v, "%s is not supported (it is for Windows): give uid and gid", path);
}

static const struct config_field user_fields[] = {
	{ "uid", load_uid },	       { "gid", load_gid },
	{ "umask", load_umask },       { "additionalGids", load_additional_gids },
	{ "username", load_username },
};

static int load_user(struct config_load *L, const struct config_node *v, void *obj, const char *path)
{
	return config_walk_map(L, v, user_fields, N_ELEMS(user_fields), obj, path);
}

/* Hints compare the part after the prefix: every name shares "CAP_",
 * which would make any short typo look close to something. */
static const char *hint_without_prefix(const char *word, const char *prefix,
				       const char *const *names, size_t n)
{
	const char *bare[64];
	size_t plen = strlen(prefix);
	const char *hint;

	for (size_t i = 0; i < n && i < 64; i++)
		bare[i] = names[i] + plen;
	if (!strncasecmp(word, prefix, plen))
		word += plen;
	hint = config_nearest(word, bare, n < 64 ? n : 64);
	return hint ? hint - plen : NULL;
}

static int unknown_cap(struct config_load *L, const struct config_node *item, const char *ipath)
{
	const char *names[64];
	size_t n = config_cap_names(names, N_ELEMS(names));
	const char *hint = hint_without_prefix(item->value, "CAP_", names, n);

	if (hint)
		return config_fail(L, item, "%s: unknown capability \"%s\" (did you mean \"%s\"?)",
				   ipath, item->value, hint);
	return config_fail(L, item, "%s: unknown capability \"%s\"", ipath, item->value);
}

static int load_cap(struct config_load *L, const struct config_node *item, const char *ipath,
		    void *ctx)
{
	uint64_t *set = ctx;
	cleanup_free char *name = NULL;
	int r = config_get_string(L, item, ipath, &name);
	int cap;

	if (r < 0)
		return r;
	cap = sluice_cap_from_name(name);
	if (cap < 0 || cap > 63)
		return unknown_cap(L, item, ipath);
	*set |= UINT64_C(1) << cap;
	return 0;
}

static int load_capset(struct config_load *L, const struct config_node *v, void *obj,
		       const char *path)
{
	struct sluice_config *c = obj;
	const char *key = strrchr(path, '.') + 1;
	uint64_t set = 0;
	int r = config_each_item(L, v, path, "capability names", load_cap, &set);

	for (int i = 0; r == 0 && i < SLUICE_CAP_COUNT; i++)
		if (!strcmp(key, sluice_capset_names[i]))
			c->process.caps[i] = set;
	return r;
}

static const struct config_field cap_fields[] = {
	{ "bounding", load_capset },  { "effective", load_capset }, { "inheritable", load_capset },
	{ "permitted", load_capset }, { "ambient", load_capset },
};

static int load_caps(struct config_load *L, const struct config_node *v, void *obj, const char *path)
{
	return config_walk_map(L, v, cap_fields, N_ELEMS(cap_fields), obj, path);
}

static int load_rlimit_type(struct config_load *L, const struct config_node *v, void *obj,
			    const char *path)
{
	struct sluice_rlimit *rl = obj;
	const char *names[32];
	size_t n = config_rlimit_names(names, N_ELEMS(names));
	cleanup_free char *name = NULL;
	const char *hint;
	int r = config_get_string(L, v, path, &name);

	if (r < 0)
		return r;
	rl->resource = sluice_rlimit_from_name(name);
	if (rl->resource >= 0)
		return 0;
	hint = hint_without_prefix(name, "RLIMIT_", names, n);
	if (hint)
		return config_fail(L, v, "%s: unknown rlimit \"%s\" (did you mean \"%s\"?)", path,
				   name, hint);
	return config_fail(L, v, "%s: unknown rlimit \"%s\"", path, name);
}

static int load_rlimit_soft(struct config_load *L, const struct config_node *v, void *obj,
			    const char *path)
{
	return config_get_u64(L, v, path, &((struct sluice_rlimit *)obj)->soft);
}

static int load_rlimit_hard(struct config_load *L, const struct config_node *v, void *obj,
			    const char *path)
{
	return config_get_u64(L, v, path, &((struct sluice_rlimit *)obj)->hard);
}

static const struct config_field rlimit_fields[] = {
	{ "type", load_rlimit_type },
	{ "soft", load_rlimit_soft },
	{ "hard", load_rlimit_hard },
};

struct rlimit_list {
	struct sluice_rlimit *v;
	size_t n;
};

static int check_rlimit(struct config_load *L, const struct config_node *item, const char *ipath,
			const struct rlimit_list *list)
{
	const struct sluice_rlimit *rl = &list->v[list->n];

	for (size_t i = 0; i < N_ELEMS(rlimit_fields); i++)
		if (!config_map_get(item, rlimit_fields[i].key))
			return config_missing(L, item, ipath, rlimit_fields[i].key);
	if (rl->soft > rl->hard)
		return config_fail(L, item, "%s: soft limit %llu is above hard limit %llu", ipath,
				   (unsigned long long)rl->soft, (unsigned long long)rl->hard);
	/* OCI: duplicated types are an error, not "last one wins" */
	for (size_t i = 0; i < list->n; i++)
		if (list->v[i].resource == rl->resource)
			return config_fail(L, item, "%s: %s is given twice", ipath,
					   sluice_rlimit_name(rl->resource));
	return 0;
}

static int load_rlimit(struct config_load *L, const struct config_node *item, const char *ipath,
		       void *ctx)
{
	struct rlimit_list *list = ctx;
	int r = config_walk_map(L, item, rlimit_fields, N_ELEMS(rlimit_fields), &list->v[list->n],
				ipath);

	if (r == 0)
		r = check_rlimit(L, item, ipath, list);
	if (r == 0)
		list->n++;
	return r;
}

static int load_rlimits(struct config_load *L, const struct config_node *v, void *obj,
			const char *path)
{
	struct sluice_config *c = obj;
	struct rlimit_list list = { calloc(v->n ? v->n : 1, sizeof(*list.v)), 0 };
	int r;

	if (!list.v)
		return config_nomem(L);
	r = config_each_item(L, v, path, "rlimits", load_rlimit, &list);
	if (r < 0) {
		free(list.v);
		return r;
	}
	free(c->process.rlimits);
	c->process.rlimits = list.v;
	c->process.n_rlimits = list.n;
	return 0;
}

static int load_nnp(struct config_load *L, const struct config_node *v, void *obj, const char *path)
{
	return config_get_bool(L, v, path,
			       &((struct sluice_config *)obj)->process.no_new_privileges);
}

static int load_oom(struct config_load *L, const struct config_node *v, void *obj, const char *path)
{
	struct sluice_config *c = obj;
	int64_t n;
	int r = config_get_int(L, v, path, -1000, 1000, &n);

	if (r == 0) {
		c->process.oom_score_adj = (int)n;
		c->process.oom_score_adj_set = true;
	}
	return r;
}

static int load_unsupported(struct config_load *L, const struct config_node *v, void *obj,
			    const char *path)
{
	(void)obj;
	return config_unsupported(L, v, path);
}

/* runc spec and friends write "" for "no profile": that we can honour. */
static int load_lsm_label(struct config_load *L, const struct config_node *v, void *obj,
			  const char *path)
{
	cleanup_free char *s = NULL;
	int r = config_get_string(L, v, path, &s);

	(void)obj;
	if (r == 0 && *s)
		return config_unsupported(L, v, path);
	return r;
}

static const struct config_field process_fields[] = {
	{ "terminal", load_terminal },
	{ "args", load_args },
	{ "env", load_env },
	{ "cwd", load_cwd },
	{ "user", load_user },
	{ "capabilities", load_caps },
	{ "rlimits", load_rlimits },
	{ "noNewPrivileges", load_nnp },
	{ "oomScoreAdj", load_oom },
	{ "apparmorProfile", load_lsm_label },
	{ "selinuxLabel", load_lsm_label },
	{ "consoleSize", load_console_size },
	{ "scheduler", config_load_scheduler },
	{ "ioPriority", config_load_io_priority },
	{ "execCPUAffinity", config_load_exec_cpus },
	{ "commandLine", load_unsupported },
};

int config_load_process(struct config_load *L, const struct config_node *v, void *obj,
			const char *path)
{
	return config_walk_map(L, v, process_fields, N_ELEMS(process_fields), obj, path);
}
