/* Loading a YAML/JSON document onto a config: the top level, root and the
 * sluice block.  process, linux and mounts have their own files.
 *
 * Overlay rule (docs/config.md): a key that is present replaces the value
 * it names, mappings merge key by key, lists and scalars replace wholesale,
 * and a null value is the same as an absent key. */
#include "config_internal.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static int load_metadata_string(struct config_load *L, const struct config_node *v, void *obj,
				const char *path)
{
	cleanup_free char *s = NULL;

	(void)obj;
	return config_get_string(L, v, path, &s);
}

static int load_other_platform(struct config_load *L, const struct config_node *v, void *obj,
			       const char *path)
{
	(void)obj;
	return config_fail(L, v, "%s: sluice runs Linux containers only", path);
}

/* An empty string unsets the name, so that a config dropping the uts
 * namespace can also drop the default hostname. */
static int load_name(struct config_load *L, const struct config_node *v, char **out,
		     const char *path)
{
	int r = config_get_string(L, v, path, out);

	if (r == 0 && !**out) {
		free(*out);
		*out = NULL;
	}
	return r;
}

static int load_hostname(struct config_load *L, const struct config_node *v, void *obj,
			 const char *path)
{
	((struct sluice_config *)obj)->hostname_inherited = false;
	return load_name(L, v, &((struct sluice_config *)obj)->hostname, path);
}

static int load_domainname(struct config_load *L, const struct config_node *v, void *obj,
			   const char *path)
{
	return load_name(L, v, &((struct sluice_config *)obj)->domainname, path);
}

static int load_root_path(struct config_load *L, const struct config_node *v, void *obj,
			  const char *path)
{
	struct sluice_config *c = obj;
	cleanup_free char *s = NULL;
	char *joined;
	int r = config_get_string(L, v, path, &s);

	if (r < 0)
		return r;
	if (!*s)
		return config_fail(L, v, "%s: empty path", path);
	if (s[0] == '/') {
		free(c->root.path);
		c->root.path = steal_ptr(&s);
		return 0;
	}
	if (!L->base_dir)
		return config_fail(L, v,
				   "%s: cannot resolve \"%s\": the current directory is unknown",
				   path, s);
	joined = config_path_join(L->base_dir, s);
	if (!joined)
		return config_nomem(L);
	free(c->root.path);
	c->root.path = joined;
	return 0;
}

static int load_root_readonly(struct config_load *L, const struct config_node *v, void *obj,
			      const char *path)
{
	return config_get_bool(L, v, path, &((struct sluice_config *)obj)->root.readonly);
}

static const struct config_field root_fields[] = {
	{ "path", load_root_path },
	{ "readonly", load_root_readonly },
};

static int load_root(struct config_load *L, const struct config_node *v, void *obj, const char *path)
{
	return config_walk_map(L, v, root_fields, N_ELEMS(root_fields), obj, path);
}

static int load_timeout(struct config_load *L, const struct config_node *v, void *obj,
			const char *path)
{
	return config_get_number(L, v, path, &((struct sluice_config *)obj)->sluice.timeout);
}

static int load_kill_grace(struct config_load *L, const struct config_node *v, void *obj,
			   const char *path)
{
	return config_get_number(L, v, path, &((struct sluice_config *)obj)->sluice.kill_grace);
}

static int load_stdio(struct config_load *L, const struct config_node *v, void *obj,
		      const char *path)
{
	static const char *const names[] = { "stdin", "stdout", "stderr" };
	struct sluice_config *c = obj;
	const char *key = strrchr(path, '.') + 1;
	cleanup_free char *s = NULL;
	int r = config_get_string(L, v, path, &s);

	for (size_t i = 0; r == 0 && i < N_ELEMS(names); i++) {
		if (strcmp(key, names[i]))
			continue;
		r = sluice_stdio_parse(&c->sluice.stdio[i], s);
		if (r == -ENOMEM)
			return config_nomem(L);
		if (r < 0)
			return config_fail(
				L, v, "%s: expected inherit, null, pipe or file:PATH, got \"%s\"",
				path, s);
	}
	return r;
}

static int load_init(struct config_load *L, const struct config_node *v, void *obj, const char *path)
{
	return config_get_bool(L, v, path, &((struct sluice_config *)obj)->sluice.init);
}

static int load_init_signal_group(struct config_load *L, const struct config_node *v, void *obj,
				  const char *path)
{
	return config_get_bool(L, v, path, &((struct sluice_config *)obj)->sluice.init_signal_group);
}

struct code_list {
	int *v;
	size_t n;
};

static int load_exit_code(struct config_load *L, const struct config_node *item, const char *ipath,
			  void *ctx)
{
	struct code_list *codes = ctx;
	int64_t v;
	int r = config_get_int(L, item, ipath, 0, 255, &v);

	if (r == 0)
		codes->v[codes->n++] = (int)v;
	return r;
}

static int load_remap_exit(struct config_load *L, const struct config_node *v, void *obj,
			   const char *path)
{
	struct sluice_config *c = obj;
	struct code_list codes = { calloc(v->n ? v->n : 1, sizeof(int)), 0 };
	int r;

	if (!codes.v)
		return config_nomem(L);
	r = config_each_item(L, v, path, "exit codes", load_exit_code, &codes);
	if (r < 0) {
		free(codes.v);
		return r;
	}
	free(c->sluice.remap_exit);
	c->sluice.remap_exit = codes.v;
	c->sluice.n_remap_exit = codes.n;
	return 0;
}

static int load_preserve_fds(struct config_load *L, const struct config_node *v, void *obj,
			     const char *path)
{
	int64_t n;
	/* fds 3..3+N-1 must stay valid fd numbers */
	int r = config_get_int(L, v, path, 0, INT_MAX - 3, &n);

	if (r == 0)
		((struct sluice_config *)obj)->sluice.preserve_fds = (int)n;
	return r;
}

static int load_no_new_keyring(struct config_load *L, const struct config_node *v, void *obj,
			       const char *path)
{
	return config_get_bool(L, v, path, &((struct sluice_config *)obj)->sluice.no_new_keyring);
}

static int load_nested_userns(struct config_load *L, const struct config_node *v, void *obj,
			      const char *path)
{
	return config_get_bool(L, v, path, &((struct sluice_config *)obj)->sluice.nested_userns);
}

static int load_stdio_follow(struct config_load *L, const struct config_node *v, void *obj,
			     const char *path)
{
	return config_get_bool(L, v, path,
			       &((struct sluice_config *)obj)->sluice.stdio_follow_symlinks);
}

static const struct config_field sluice_fields[] = {
	{ "timeout", load_timeout },
	{ "killGrace", load_kill_grace },
	{ "stdin", load_stdio },
	{ "stdout", load_stdio },
	{ "stderr", load_stdio },
	{ "init", load_init },
	{ "initSignalGroup", load_init_signal_group },
	{ "remapExitCodes", load_remap_exit },
	{ "preserveFds", load_preserve_fds },
	{ "noNewKeyring", load_no_new_keyring },
	{ "nestedUserNamespaces", load_nested_userns },
	{ "stdioFollowSymlinks", load_stdio_follow },
};

static int load_sluice(struct config_load *L, const struct config_node *v, void *obj,
		       const char *path)
{
	return config_walk_map(L, v, sluice_fields, N_ELEMS(sluice_fields), obj, path);
}

static const struct config_field top_fields[] = {
	{ "ociVersion", load_metadata_string },
	{ "annotations", config_load_annotations },
	{ "process", config_load_process },
	{ "root", load_root },
	{ "hostname", load_hostname },
	{ "domainname", load_domainname },
	{ "mounts", config_load_mounts },
	{ "linux", config_load_linux },
	{ "sluice", load_sluice },
	{ "hooks", config_load_hooks },
	{ "solaris", load_other_platform },
	{ "windows", load_other_platform },
	{ "vm", load_other_platform },
	{ "zos", load_other_platform },
	{ "freebsd", load_other_platform },
};

/* An absolute base directory, or NULL when the cwd cannot be known (then
 * only a relative path in the document is an error). */
static char *resolve_base(const char *base_dir)
{
	cleanup_free char *cwd = NULL;

	if (base_dir && base_dir[0] == '/')
		return config_path_join(base_dir, "");
	cwd = get_current_dir_name();
	if (!cwd || cwd[0] != '/')
		return NULL;
	return config_path_join(cwd, base_dir ? base_dir : "");
}

int sluice_config_load_buffer(struct sluice_config *c, const char *name, const char *buf,
			      size_t len, const char *base_dir, struct sluice_error *err)
{
	cleanup_node struct config_node *root = NULL;
	cleanup_free char *base = resolve_base(base_dir);
	cleanup_free char *source = strdup(name);
	struct config_load L = { .c = c, .name = name, .base_dir = base, .err = err };
	int r;

	if (!source)
		return config_nomem(&L);
	r = config_yaml_parse(name, buf, len, &root, err);
	if (r == 0 && root && !config_node_is_null(root))
		r = config_walk_map(&L, root, top_fields, N_ELEMS(top_fields), c, NULL);
	if (r < 0)
		return r;
	free(c->source);
	c->source = steal_ptr(&source);
	free(c->base_dir);
	c->base_dir = steal_ptr(&base);
	return 0;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

int config_read_fd(int fd, const char *name, char **buf, size_t *len, struct sluice_error *err)
{
	int r = sluice_read_file_fd(fd, CONFIG_MAX_SIZE, buf, len);

	if (r == -EFBIG)
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0, "%s: larger than 4 MiB", name);
	if (r < 0)
		return sluice_err(err, SLUICE_EXIT_CONFIG, -r, "%s: cannot read", name);
	return 0;
}

int config_read_file(const char *path, char **buf, size_t *len, struct sluice_error *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return sluice_err(err, SLUICE_EXIT_CONFIG, errno, "%s: cannot read", path);
	return config_read_fd(fd, path, buf, len, err);
}

int sluice_config_load_file(struct sluice_config *c, const char *path, struct sluice_error *err)
{
	cleanup_free char *buf = NULL;
	cleanup_free char *dir = NULL;
	size_t len = 0;

	if (config_read_file(path, &buf, &len, err) < 0)
		return -1;
	dir = dir_of(path);
	if (!dir)
		return sluice_err(err, SLUICE_EXIT_CONFIG, ENOMEM, "%s: cannot read", path);
	return sluice_config_load_buffer(c, path, buf, len, dir, err);
}
