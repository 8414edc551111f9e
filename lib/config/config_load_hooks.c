/* Loading hooks and annotations (used by the OCI runtime commands), and a
 * process object on its own (`sluice exec --process FILE`). */
#include "config_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static int load_hook_path(struct config_load *L, const struct config_node *v, void *obj,
			  const char *path)
{
	return config_get_abs_path(L, v, path, &((struct sluice_hook *)obj)->path);
}

static int load_hook_args(struct config_load *L, const struct config_node *v, void *obj,
			  const char *path)
{
	return config_get_strv(L, v, path, NULL, &((struct sluice_hook *)obj)->args);
}

static int check_env(struct config_load *L, const struct config_node *item, const char *ipath)
{
	const char *eq = strchr(item->value, '=');

	if (!eq || eq == item->value)
		return config_fail(L, item, "%s: \"%s\" is not KEY=VALUE", ipath, item->value);
	return 0;
}

static int load_hook_env(struct config_load *L, const struct config_node *v, void *obj,
			 const char *path)
{
	return config_get_strv(L, v, path, check_env, &((struct sluice_hook *)obj)->env);
}

/* The spec: "If set, timeout MUST be greater than zero." */
static int load_hook_timeout(struct config_load *L, const struct config_node *v, void *obj,
			     const char *path)
{
	int64_t t;
	int r = config_get_int(L, v, path, 1, 86400 * 365, &t);

	if (r == 0)
		((struct sluice_hook *)obj)->timeout = (int)t;
	return r;
}

static const struct config_field hook_fields[] = {
	{ "path", load_hook_path },
	{ "args", load_hook_args },
	{ "env", load_hook_env },
	{ "timeout", load_hook_timeout },
};

static int load_hook(struct config_load *L, const struct config_node *item, const char *ipath,
		     void *ctx)
{
	struct sluice_hook_list *list = ctx;
	struct sluice_hook *h = &list->v[list->n];
	int r = config_walk_map(L, item, hook_fields, N_ELEMS(hook_fields), h, ipath);

	/* counted even when it failed, so that the caller frees its fields */
	list->n++;
	if (r == 0 && !h->path)
		return config_missing(L, item, ipath, "path");
	return r;
}

static int load_hook_list(struct config_load *L, const struct config_node *v, void *obj,
			  const char *path)
{
	struct sluice_config *c = obj;
	const char *key = strrchr(path, '.') + 1;
	struct sluice_hook_list list = { calloc(v->n ? v->n : 1, sizeof(struct sluice_hook)), 0 };
	int r;

	if (!list.v)
		return config_nomem(L);
	r = config_each_item(L, v, path, "hooks", load_hook, &list);
	if (r < 0) {
		config_hooks_free(&list);
		return r;
	}
	for (int k = 0; k < SLUICE_HOOK_COUNT; k++)
		if (!strcmp(key, sluice_hook_names[k])) {
			config_hooks_free(&c->hooks[k]);
			c->hooks[k] = list;
			return 0;
		}
	config_hooks_free(&list);
	return 0;
}

static const struct config_field hooks_fields[] = {
	{ "prestart", load_hook_list },	       { "createRuntime", load_hook_list },
	{ "createContainer", load_hook_list }, { "startContainer", load_hook_list },
	{ "poststart", load_hook_list },       { "poststop", load_hook_list },
};

int config_load_hooks(struct config_load *L, const struct config_node *v, void *obj,
		      const char *path)
{
	return config_walk_map(L, v, hooks_fields, N_ELEMS(hooks_fields), obj, path);
}

/* Metadata the runtime reports (`sluice state`) and hands to hooks. */
int config_load_annotations(struct config_load *L, const struct config_node *v, void *obj,
			    const char *path)
{
	struct sluice_config *c = obj;
	cleanup_strv char **kv = NULL;
	int r = config_expect_map(L, v, path);

	for (size_t i = 0; r == 0 && i < v->n; i++) {
		char kpath[256];
		cleanup_free char *s = NULL;
		const char *k = config_map_key(v, i)->value;

		config_path_key(kpath, sizeof(kpath), path, k);
		if (!*k)
			return config_fail(L, config_map_key(v, i), "%s: empty key", path);
		r = config_get_string(L, config_map_value(v, i), kpath, &s);
		if (r == 0 && (sluice_strv_push(&kv, k) < 0 || sluice_strv_push(&kv, s) < 0))
			return config_nomem(L);
	}
	if (r < 0)
		return r;
	sluice_strv_free(c->annotations);
	c->annotations = steal_ptr(&kv);
	return 0;
}

int sluice_config_load_process_file(struct sluice_config *c, const char *path,
				    struct sluice_error *err)
{
	cleanup_free char *buf = NULL;
	cleanup_node struct config_node *root = NULL;
	struct config_load L = { .c = c, .name = path, .err = err };
	size_t len = 0;

	if (config_read_file(path, &buf, &len, err) < 0 ||
	    config_yaml_parse(path, buf, len, &root, err) < 0)
		return -1;
	if (!root || config_node_is_null(root))
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0, "%s: empty process", path);
	config_process_clear(c);
	return config_load_process(&L, root, c, "process");
}
