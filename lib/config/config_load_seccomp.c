/* Loading linux.seccomp (config-linux.md "Seccomp"), also used for the
 * profile file of `sluice run --seccomp FILE`.  Beyond the spec: `{}` is no
 * filter at all (an absent key keeps the embedded default's), and the
 * word `default` is the default profile of sluice run (docs/seccomp.md),
 * made for the final capabilities at finalize.
 *
 * Names are checked here, where the message can point at FILE:LINE:COL:
 * an unknown action, operator, architecture or flag is a config error.
 * Unknown syscall names are not (the compiler skips those this
 * architecture lacks, as runc and crun do).  The rules the spec and runc
 * add on top: errnoRet only for SCMP_ACT_ERRNO and SCMP_ACT_TRACE,
 * listenerMetadata only with listenerPath, SCMP_ACT_NOTIFY never as the
 * default nor for write (lib/seccomp/notify.c says why), and always with
 * a listenerPath. */
#include "config_internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* The hint for an unknown name compares what follows the prefix all the
 * names share ("SCMP_ACT_"), so that the distance is the typo's, not
 * diluted by the common part; a word written without the prefix
 * ("x86_64") is compared with the rest alone. */
static const char *hint_for(const char *word, const char *const *names, size_t n)
{
	const char *sfx[64];
	size_t pre = strcspn(names[0], "_") + 1, m = n < 64 ? n : 64;
	const char *best;

	/* the longest prefix up to an underscore that every name has */
	for (size_t p = pre; names[0][p]; p++)
		if (names[0][p] == '_') {
			bool all = true;
			for (size_t i = 1; i < m && all; i++)
				all = !strncmp(names[i], names[0], p + 1);
			if (!all)
				break;
			pre = p + 1;
		}
	for (size_t i = 1; i < m; i++)
		if (strncmp(names[i], names[0], pre))
			return config_nearest(word, names, m);
	for (size_t i = 0; i < m; i++)
		sfx[i] = names[i] + pre;
	/* without the prefix ("x86_64", "ERRNO"): the word against the rest */
	best = config_nearest(strncmp(word, names[0], pre) ? word : word + pre, sfx, m);
	return best ? best - pre : NULL;
}

/* An unknown name with a hint, e.g. "SCMP_ACT_ERRNOO" -> SCMP_ACT_ERRNO. */
static int get_name(struct config_load *L, const struct config_node *v, const char *path,
		    const char *what, const char *const *names, size_t n, int *out)
{
	cleanup_free char *s = NULL;
	const char *hint;
	int r = config_get_string(L, v, path, &s);

	if (r < 0)
		return r;
	*out = sluice_scmp_lookup(names, n, s);
	if (*out >= 0)
		return 0;
	hint = hint_for(s, names, n);
	if (hint)
		return config_fail(L, v, "%s: unknown seccomp %s \"%s\" (did you mean \"%s\"?)",
				   path, what, s, hint);
	return config_fail(L, v, "%s: unknown seccomp %s \"%s\"", path, what, s);
}

static int get_action(struct config_load *L, const struct config_node *v, const char *path,
		      enum sluice_scmp_action *out)
{
	int a = 0;
	int r = get_name(L, v, path, "action", sluice_scmp_action_names, SLUICE_SCMP_ACTION_COUNT,
			 &a);

	*out = (enum sluice_scmp_action)a;
	return r;
}

static int get_errno(struct config_load *L, const struct config_node *v, const char *path,
		     uint32_t *out)
{
	int64_t e = 0;
	int r = config_get_int(L, v, path, 0, SLUICE_SCMP_MAX_ERRNO, &e);

	*out = (uint32_t)e;
	return r;
}

/* ---- syscalls[i].args[j] ---- */

static int load_arg_index(struct config_load *L, const struct config_node *v, void *obj,
			  const char *path)
{
	int64_t i = 0;
	/* a system call has at most six arguments */
	int r = config_get_int(L, v, path, 0, 5, &i);

	((struct sluice_seccomp_arg *)obj)->index = (uint32_t)i;
	return r;
}

static int load_arg_value(struct config_load *L, const struct config_node *v, void *obj,
			  const char *path)
{
	return config_get_u64(L, v, path, &((struct sluice_seccomp_arg *)obj)->value);
}

static int load_arg_value_two(struct config_load *L, const struct config_node *v, void *obj,
			      const char *path)
{
	struct sluice_seccomp_arg *a = obj;

	a->value_two_set = true;
	return config_get_u64(L, v, path, &a->value_two);
}

static int load_arg_op(struct config_load *L, const struct config_node *v, void *obj,
		       const char *path)
{
	int op = 0;
	int r = get_name(L, v, path, "operator", sluice_scmp_op_names, SLUICE_SCMP_OP_COUNT, &op);

	((struct sluice_seccomp_arg *)obj)->op = (enum sluice_scmp_op)op;
	return r;
}

static const struct config_field arg_fields[] = {
	{ "index", load_arg_index },
	{ "value", load_arg_value },
	{ "valueTwo", load_arg_value_two },
	{ "op", load_arg_op },
};

struct arg_list {
	struct sluice_seccomp_arg *v;
	size_t n;
};

static int load_arg(struct config_load *L, const struct config_node *item, const char *ipath,
		    void *ctx)
{
	static const char *const required[] = { "index", "value", "op" };
	struct arg_list *list = ctx;
	int r = config_walk_map(L, item, arg_fields, N_ELEMS(arg_fields), &list->v[list->n], ipath);

	for (size_t i = 0; r == 0 && i < N_ELEMS(required); i++)
		if (!config_map_get(item, required[i]))
			r = config_missing(L, item, ipath, required[i]);
	if (r == 0)
		list->n++;
	return r;
}

/* ---- syscalls[i] ---- */

/* While a rule loads: which optional keys were seen, for the checks that
 * need the whole rule. */
struct rule_load {
	struct sluice_seccomp_rule *r;
	const struct config_node *errno_node;
};

static int check_name(struct config_load *L, const struct config_node *item, const char *ipath)
{
	if (!*item->value)
		return config_fail(L, item, "%s: empty syscall name", ipath);
	return 0;
}

static int load_rule_names(struct config_load *L, const struct config_node *v, void *obj,
			   const char *path)
{
	struct rule_load *R = obj;
	int r = config_get_strv(L, v, path, check_name, &R->r->names);

	if (r == 0 && !R->r->names[0])
		return config_fail(L, v, "%s: at least one syscall name is needed", path);
	return r;
}

static int load_rule_action(struct config_load *L, const struct config_node *v, void *obj,
			    const char *path)
{
	return get_action(L, v, path, &((struct rule_load *)obj)->r->action);
}

static int load_rule_errno(struct config_load *L, const struct config_node *v, void *obj,
			   const char *path)
{
	struct rule_load *R = obj;

	R->errno_node = v;
	R->r->errno_set = true;
	return get_errno(L, v, path, &R->r->errno_ret);
}

static int load_rule_args(struct config_load *L, const struct config_node *v, void *obj,
			  const char *path)
{
	struct sluice_seccomp_rule *rule = ((struct rule_load *)obj)->r;
	struct arg_list list = { calloc(v->n ? v->n : 1, sizeof(*list.v)), 0 };
	int r;

	if (!list.v)
		return config_nomem(L);
	r = config_each_item(L, v, path, "argument conditions", load_arg, &list);
	if (r < 0) {
		free(list.v);
		return r;
	}
	free(rule->args);
	rule->args = list.v;
	rule->n_args = list.n;
	return 0;
}

static const struct config_field rule_fields[] = {
	{ "names", load_rule_names },
	{ "action", load_rule_action },
	{ "errnoRet", load_rule_errno },
	{ "args", load_rule_args },
};

static bool has_name(char *const *names, const char *name)
{
	for (size_t i = 0; names && names[i]; i++)
		if (!strcmp(names[i], name))
			return true;
	return false;
}

static int check_rule(struct config_load *L, const struct config_node *item, const char *ipath,
		      const struct rule_load *R)
{
	const struct sluice_seccomp_rule *r = R->r;

	if (!config_map_get(item, "names"))
		return config_missing(L, item, ipath, "names");
	if (!config_map_get(item, "action"))
		return config_missing(L, item, ipath, "action");
	if (R->errno_node && !sluice_scmp_action_has_errno(r->action))
		return config_fail(L, R->errno_node,
				   "%s.errnoRet: %s returns no errno (only SCMP_ACT_ERRNO and "
				   "SCMP_ACT_TRACE do)",
				   ipath, sluice_scmp_action_names[r->action]);
	/* the hand-off of the listener to the agent writes (notify.c) */
	if (r->action == SLUICE_SCMP_NOTIFY && has_name(r->names, "write"))
		return config_fail(L, config_map_get(item, "names"),
				   "%s: SCMP_ACT_NOTIFY cannot be used for write: sluice writes "
				   "after the filter is loaded, to hand the listener over",
				   ipath);
	return 0;
}

struct rule_list {
	struct sluice_seccomp_rule *v;
	size_t n;
};

static int load_rule(struct config_load *L, const struct config_node *item, const char *ipath,
		     void *ctx)
{
	struct rule_list *list = ctx;
	struct rule_load R = { .r = &list->v[list->n] };
	int r = config_walk_map(L, item, rule_fields, N_ELEMS(rule_fields), &R, ipath);

	/* counted now, so that what it holds is freed with the list */
	list->n++;
	if (r == 0)
		r = check_rule(L, item, ipath, &R);
	return r;
}

/* ---- the profile ---- */

struct profile_load {
	struct sluice_seccomp *s;
	const struct config_node *default_errno_node, *metadata_node;
};

static int load_default_action(struct config_load *L, const struct config_node *v, void *obj,
			       const char *path)
{
	return get_action(L, v, path, &((struct profile_load *)obj)->s->default_action);
}

static int load_default_errno(struct config_load *L, const struct config_node *v, void *obj,
			      const char *path)
{
	struct profile_load *P = obj;

	P->default_errno_node = v;
	P->s->default_errno_set = true;
	return get_errno(L, v, path, &P->s->default_errno);
}

struct arch_list {
	int *v;
	size_t n;
};

static int load_arch(struct config_load *L, const struct config_node *item, const char *ipath,
		     void *ctx)
{
	struct arch_list *list = ctx;

	return get_name(L, item, ipath, "architecture", sluice_scmp_arch_names,
			sluice_scmp_n_arch_names, &list->v[list->n++]);
}

static int load_archs(struct config_load *L, const struct config_node *v, void *obj,
		      const char *path)
{
	struct sluice_seccomp *s = ((struct profile_load *)obj)->s;
	struct arch_list list = { calloc(v->n ? v->n : 1, sizeof(int)), 0 };
	int r;

	if (!list.v)
		return config_nomem(L);
	r = config_each_item(L, v, path, "architectures", load_arch, &list);
	if (r < 0) {
		free(list.v);
		return r;
	}
	free(s->archs);
	s->archs = list.v;
	s->n_archs = list.n;
	return 0;
}

static int load_flag(struct config_load *L, const struct config_node *item, const char *ipath,
		     void *ctx)
{
	uint32_t *flags = ctx;
	int f = 0;
	int r = get_name(L, item, ipath, "flag", sluice_scmp_flag_names, SLUICE_SCMP_FLAG_COUNT, &f);

	if (r == 0)
		*flags |= 1u << f;
	return r;
}

static int load_flags(struct config_load *L, const struct config_node *v, void *obj,
		      const char *path)
{
	struct sluice_seccomp *s = ((struct profile_load *)obj)->s;
	uint32_t flags = 0;
	int r = config_each_item(L, v, path, "flags", load_flag, &flags);

	if (r == 0)
		s->flags = flags;
	return r;
}

static int load_listener_path(struct config_load *L, const struct config_node *v, void *obj,
			      const char *path)
{
	return config_get_abs_path(L, v, path, &((struct profile_load *)obj)->s->listener_path);
}

static int load_listener_metadata(struct config_load *L, const struct config_node *v, void *obj,
				  const char *path)
{
	struct profile_load *P = obj;

	P->metadata_node = v;
	return config_get_string(L, v, path, &P->s->listener_metadata);
}

static int load_syscalls(struct config_load *L, const struct config_node *v, void *obj,
			 const char *path)
{
	struct sluice_seccomp *s = ((struct profile_load *)obj)->s;
	struct rule_list list = { calloc(v->n ? v->n : 1, sizeof(*list.v)), 0 };
	int r;

	if (!list.v)
		return config_nomem(L);
	r = config_each_item(L, v, path, "syscall rules", load_rule, &list);
	if (r < 0) {
		sluice_seccomp_rules_free(list.v, list.n);
		return r;
	}
	sluice_seccomp_rules_free(s->rules, s->n_rules);
	s->rules = list.v;
	s->n_rules = list.n;
	return 0;
}

static const struct config_field profile_fields[] = {
	{ "defaultAction", load_default_action },
	{ "defaultErrnoRet", load_default_errno },
	{ "architectures", load_archs },
	{ "flags", load_flags },
	{ "listenerPath", load_listener_path },
	{ "listenerMetadata", load_listener_metadata },
	{ "syscalls", load_syscalls },
};

/* "PATH.key" for messages, or "key" for a profile file of its own. */
static const char *sub(char *buf, size_t len, const char *path, const char *key)
{
	return config_path_key(buf, len, path, key);
}

static int check_profile(struct config_load *L, const struct config_node *m, const char *path,
			 const struct profile_load *P)
{
	const struct sluice_seccomp *s = P->s;
	char buf[256];

	if (!config_map_get(m, "defaultAction"))
		return config_missing(L, m, path ? path : "the seccomp profile", "defaultAction");
	if (P->default_errno_node && !sluice_scmp_action_has_errno(s->default_action))
		return config_fail(L, P->default_errno_node,
				   "%s: %s returns no errno (only SCMP_ACT_ERRNO and "
				   "SCMP_ACT_TRACE do)",
				   sub(buf, sizeof(buf), path, "defaultErrnoRet"),
				   sluice_scmp_action_names[s->default_action]);
	if (s->default_action == SLUICE_SCMP_NOTIFY)
		return config_fail(L, config_map_get(m, "defaultAction"),
				   "%s: SCMP_ACT_NOTIFY cannot be the default action (it would "
				   "take write, which the hand-off of the listener needs)",
				   sub(buf, sizeof(buf), path, "defaultAction"));
	if (P->metadata_node && !s->listener_path)
		return config_fail(L, P->metadata_node,
				   "%s is set without listenerPath (the spec forbids it)",
				   sub(buf, sizeof(buf), path, "listenerMetadata"));
	if (sluice_seccomp_uses_notify(s) && !s->listener_path)
		return config_fail(L, m,
				   "%s: SCMP_ACT_NOTIFY needs listenerPath, the agent's socket",
				   path ? path : "the seccomp profile");
	if ((s->flags & (1u << SLUICE_SCMP_FLAG_WAIT_KILLABLE_RECV)) &&
	    !sluice_seccomp_uses_notify(s))
		return config_fail(L, config_map_get(m, "flags"),
				   "%s: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs a rule with "
				   "SCMP_ACT_NOTIFY",
				   sub(buf, sizeof(buf), path, "flags"));
	return 0;
}

/* The profile in mapping m, or NULL for `{}`: no filter at all.  path is
 * NULL for a profile file of its own. */
int config_load_seccomp_profile(struct config_load *L, const struct config_node *m,
				const char *path, struct sluice_seccomp **out)
{
	struct profile_load P = { 0 };
	int r = config_expect_map(L, m, path ? path : "the seccomp profile");

	*out = NULL;
	if (r < 0 || m->n == 0)
		return r;
	P.s = calloc(1, sizeof(*P.s));
	if (!P.s)
		return config_nomem(L);
	r = config_walk_map(L, m, profile_fields, N_ELEMS(profile_fields), &P, path);
	if (r == 0)
		r = check_profile(L, m, path, &P);
	if (r < 0) {
		sluice_seccomp_free(P.s);
		return r;
	}
	*out = P.s;
	return 0;
}

int config_load_seccomp(struct config_load *L, const struct config_node *v, void *obj,
			const char *path)
{
	struct sluice_config *c = obj;
	struct sluice_seccomp *s = NULL;
	int r;

	/* sluice's own spelling of "the embedded default's filter" */
	if (v->kind == CONFIG_SCALAR && v->plain && !strcmp(v->value, "default")) {
		sluice_seccomp_free(c->linux.seccomp);
		c->linux.seccomp = NULL;
		c->seccomp_inherited = true;
		return 0;
	}
	if (v->kind == CONFIG_SCALAR)
		return config_fail(L, v,
				   "%s: expected a seccomp profile (a mapping), {} for none, or "
				   "default, got \"%.60s\"",
				   path, v->value);
	r = config_load_seccomp_profile(L, v, path, &s);

	if (r < 0)
		return r;
	sluice_seccomp_free(c->linux.seccomp);
	c->linux.seccomp = s;
	c->seccomp_inherited = false;
	return 0;
}

int sluice_config_load_seccomp_file(struct sluice_config *c, const char *path,
				    struct sluice_error *err)
{
	cleanup_free char *buf = NULL;
	cleanup_node struct config_node *root = NULL;
	struct config_load L = { .c = c, .name = path, .err = err };
	struct sluice_seccomp *s = NULL;
	size_t len = 0;

	if (config_read_file(path, &buf, &len, err) < 0)
		return -1;
	if (config_yaml_parse(path, buf, len, &root, err) < 0)
		return -1;
	if (!root || config_node_is_null(root))
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
				  "%s: empty: a seccomp profile needs at least defaultAction", path);
	if (config_load_seccomp_profile(&L, root, NULL, &s) < 0)
		return -1;
	sluice_seccomp_free(c->linux.seccomp);
	c->linux.seccomp = s;
	c->seccomp_inherited = false;
	return 0;
}

void sluice_config_no_seccomp(struct sluice_config *c)
{
	sluice_seccomp_free(c->linux.seccomp);
	c->linux.seccomp = NULL;
	c->seccomp_inherited = false;
}
