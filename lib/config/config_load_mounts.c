/* Loading mounts: each entry's OCI "options" list becomes MS_* flags to
 * set and clear, a propagation type, bind/rbind, and filesystem data. */
#include "config_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "util.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

enum opt_kind {
	OPT_SET,   /* flags |= flag */
	OPT_CLEAR, /* clear |= flag */
	OPT_BIND,
	OPT_RBIND,
	OPT_NOTHING, /* "defaults" */
	OPT_REMOUNT,
	OPT_COPYUP, /* tmpcopyup (runc, crun): tmpfs only */
	OPT_RSET,   /* rec_set |= flag (a MOUNT_ATTR_*, on every mount below) */
	OPT_RCLEAR, /* rec_clr |= flag */
	OPT_IDMAP,  /* idmap (flag 0), ridmap (1): bind mounts only */
};

static const struct {
	const char *name;
	enum opt_kind kind;
	unsigned long flag;
} mount_opts[] = {
	{ "ro", OPT_SET, MS_RDONLY },
	{ "rw", OPT_CLEAR, MS_RDONLY },
	{ "nosuid", OPT_SET, MS_NOSUID },
	{ "suid", OPT_CLEAR, MS_NOSUID },
	{ "nodev", OPT_SET, MS_NODEV },
	{ "dev", OPT_CLEAR, MS_NODEV },
	{ "noexec", OPT_SET, MS_NOEXEC },
	{ "exec", OPT_CLEAR, MS_NOEXEC },
	{ "sync", OPT_SET, MS_SYNCHRONOUS },
	{ "async", OPT_CLEAR, MS_SYNCHRONOUS },
	{ "dirsync", OPT_SET, MS_DIRSYNC },
	{ "mand", OPT_SET, MS_MANDLOCK },
	{ "nomand", OPT_CLEAR, MS_MANDLOCK },
	{ "noatime", OPT_SET, MS_NOATIME },
	{ "atime", OPT_CLEAR, MS_NOATIME },
	{ "nodiratime", OPT_SET, MS_NODIRATIME },
	{ "diratime", OPT_CLEAR, MS_NODIRATIME },
	{ "relatime", OPT_SET, MS_RELATIME },
	{ "norelatime", OPT_CLEAR, MS_RELATIME },
	{ "strictatime", OPT_SET, MS_STRICTATIME },
	{ "nostrictatime", OPT_CLEAR, MS_STRICTATIME },
	/* mount(8) flags OCI requires too: as data they would make mount fail */
	{ "iversion", OPT_SET, MS_I_VERSION },
	{ "noiversion", OPT_CLEAR, MS_I_VERSION },
	{ "lazytime", OPT_SET, MS_LAZYTIME },
	{ "nolazytime", OPT_CLEAR, MS_LAZYTIME },
	{ "silent", OPT_SET, MS_SILENT },
	{ "loud", OPT_CLEAR, MS_SILENT },
	{ "nosymfollow", OPT_SET, MS_NOSYMFOLLOW },
	{ "symfollow", OPT_CLEAR, MS_NOSYMFOLLOW },
	{ "bind", OPT_BIND, 0 },
	{ "rbind", OPT_RBIND, 0 },
	{ "defaults", OPT_NOTHING, 0 },
	{ "remount", OPT_REMOUNT, 0 },
	/* The recursive variants (config.md, runc 1.1): mount_setattr() with
	 * AT_RECURSIVE, on the mount and every mount below it.  "rrelatime"
	 * sets the atime field to relatime (0); "rnorelatime" clears nothing,
	 * as in runc. */
	{ "rro", OPT_RSET, MOUNT_ATTR_RDONLY },
	{ "rrw", OPT_RCLEAR, MOUNT_ATTR_RDONLY },
	{ "rnosuid", OPT_RSET, MOUNT_ATTR_NOSUID },
	{ "rsuid", OPT_RCLEAR, MOUNT_ATTR_NOSUID },
	{ "rnodev", OPT_RSET, MOUNT_ATTR_NODEV },
	{ "rdev", OPT_RCLEAR, MOUNT_ATTR_NODEV },
	{ "rnoexec", OPT_RSET, MOUNT_ATTR_NOEXEC },
	{ "rexec", OPT_RCLEAR, MOUNT_ATTR_NOEXEC },
	{ "rnoatime", OPT_RSET, MOUNT_ATTR_NOATIME },
	{ "ratime", OPT_RCLEAR, MOUNT_ATTR_NOATIME },
	{ "rnodiratime", OPT_RSET, MOUNT_ATTR_NODIRATIME },
	{ "rdiratime", OPT_RCLEAR, MOUNT_ATTR_NODIRATIME },
	{ "rrelatime", OPT_RSET, MOUNT_ATTR_RELATIME },
	{ "rnorelatime", OPT_RCLEAR, MOUNT_ATTR_RELATIME },
	{ "rstrictatime", OPT_RSET, MOUNT_ATTR_STRICTATIME },
	{ "rnostrictatime", OPT_RCLEAR, MOUNT_ATTR_STRICTATIME },
	{ "rnosymfollow", OPT_RSET, MOUNT_ATTR_NOSYMFOLLOW },
	{ "rsymfollow", OPT_RCLEAR, MOUNT_ATTR_NOSYMFOLLOW },
	/* id-mapped mounts */
	{ "idmap", OPT_IDMAP, 0 },
	{ "ridmap", OPT_IDMAP, 1 },
	{ "tmpcopyup", OPT_COPYUP, 0 },
};

size_t sluice_mount_option_names(const char **out, size_t max)
{
	static const char *const propagation[] = { "private",	 "rprivate",   "shared",
						   "rshared",	 "slave",      "rslave",
						   "unbindable", "runbindable" };
	size_t n = 0;

	for (size_t i = 0; i < N_ELEMS(mount_opts) && n < max; i++)
		if (mount_opts[i].kind != OPT_REMOUNT)
			out[n++] = mount_opts[i].name;
	for (size_t i = 0; i < N_ELEMS(propagation) && n < max; i++)
		out[n++] = propagation[i];
	return n;
}

static int append_data(struct sluice_mount *m, const char *opt)
{
	size_t old = m->data ? strlen(m->data) : 0;
	char *data = realloc(m->data, old + strlen(opt) + 2);

	if (!data)
		return -ENOMEM;
	if (old)
		data[old++] = ',';
	strcpy(data + old, opt);
	m->data = data;
	return 0;
}

/* Later options win over earlier ones, as with mount(8): "ro,rw" is rw. */
static int apply_option(struct config_load *L, const struct config_node *n, const char *ipath,
			struct sluice_mount *m)
{
	const char *opt = n->value;

	if (config_propagation_from_name(opt, &m->propagation) == 0)
		return 0;
	for (size_t i = 0; i < N_ELEMS(mount_opts); i++) {
		if (strcmp(opt, mount_opts[i].name))
			continue;
		switch (mount_opts[i].kind) {
		case OPT_SET:
			m->flags |= mount_opts[i].flag;
			m->clear &= ~mount_opts[i].flag;
			return 0;
		case OPT_CLEAR:
			m->clear |= mount_opts[i].flag;
			m->flags &= ~mount_opts[i].flag;
			return 0;
		case OPT_RBIND:
			m->recursive = true;
			/* fall through */
		case OPT_BIND:
			m->bind = true;
			return 0;
		case OPT_NOTHING:
			return 0;
		case OPT_COPYUP:
			m->copy_up = true;
			return 0;
		case OPT_RSET:
			m->rec_set |= mount_opts[i].flag;
			m->rec_clr &= ~mount_opts[i].flag;
			/* mount_setattr(2): an atime setting needs its whole
			 * field cleared, and replaces any earlier one */
			if (mount_opts[i].flag == MOUNT_ATTR_RELATIME ||
			    (mount_opts[i].flag & MOUNT_ATTR__ATIME)) {
				m->rec_set &= ~(uint64_t)MOUNT_ATTR__ATIME;
				m->rec_set |= mount_opts[i].flag;
				m->rec_clr |= MOUNT_ATTR__ATIME;
			}
			return 0;
		case OPT_RCLEAR:
			if (mount_opts[i].flag & MOUNT_ATTR__ATIME) {
				/* "ratime", "rnostrictatime": back to the
				 * kernel's default, relatime, if that one was
				 * set; the field is cleared either way */
				if ((m->rec_set & MOUNT_ATTR__ATIME) == mount_opts[i].flag)
					m->rec_set &= ~(uint64_t)MOUNT_ATTR__ATIME;
				m->rec_clr |= MOUNT_ATTR__ATIME;
				return 0;
			}
			m->rec_clr |= mount_opts[i].flag;
			m->rec_set &= ~mount_opts[i].flag;
			return 0;
		case OPT_REMOUNT:
			return config_fail(
				L, n, "%s: \"remount\" is not supported: each entry is a new mount",
				ipath);
		case OPT_IDMAP:
			m->idmap = true;
			m->idmap_rec |= mount_opts[i].flag != 0;
			return 0;
		}
	}
	/* anything else is for the filesystem: mode=755, size=65536k, ... */
	return append_data(m, opt) < 0 ? config_nomem(L) : 0;
}

static int apply_options(struct config_load *L, const struct config_node *item, const char *ipath,
			 struct sluice_mount *m)
{
	const struct config_node *opts = config_map_get(item, "options");
	int r = 0;

	for (size_t i = 0; opts && r == 0 && i < opts->n; i++) {
		char opath[256];
		snprintf(opath, sizeof(opath), "%s.options[%zu]", ipath, i);
		r = apply_option(L, opts->items[i], opath, m);
	}
	return r;
}

static int load_destination(struct config_load *L, const struct config_node *v, void *obj,
			    const char *path)
{
	return config_get_abs_path(L, v, path, &((struct sluice_mount *)obj)->destination);
}

static int load_type(struct config_load *L, const struct config_node *v, void *obj, const char *path)
{
	return config_get_string(L, v, path, &((struct sluice_mount *)obj)->type);
}

static int load_source(struct config_load *L, const struct config_node *v, void *obj,
		       const char *path)
{
	return config_get_string(L, v, path, &((struct sluice_mount *)obj)->source);
}

static int load_options(struct config_load *L, const struct config_node *v, void *obj,
			const char *path)
{
	return config_get_strv(L, v, path, NULL, &((struct sluice_mount *)obj)->options);
}

static int load_uid_map(struct config_load *L, const struct config_node *v, void *obj,
			const char *path)
{
	struct sluice_mount *m = obj;

	return config_load_idmap_list(L, v, path, &m->uid_map, &m->n_uid_map);
}

static int load_gid_map(struct config_load *L, const struct config_node *v, void *obj,
			const char *path)
{
	struct sluice_mount *m = obj;

	return config_load_idmap_list(L, v, path, &m->gid_map, &m->n_gid_map);
}

static const struct config_field mount_fields[] = {
	{ "destination", load_destination }, { "type", load_type },
	{ "source", load_source },	     { "options", load_options },
	{ "uidMappings", load_uid_map },     { "gidMappings", load_gid_map },
};

/* config.md: mappings come in pairs and make the mount id-mapped (the
 * options should say idmap or ridmap, but a runtime that knows the field
 * honours it); as in runc, only a bind can be id-mapped. */
static int check_idmap(struct config_load *L, const struct config_node *item, const char *ipath,
		       struct sluice_mount *m)
{
	if (!m->n_uid_map != !m->n_gid_map)
		return config_fail(L, item, "%s: uidMappings and gidMappings go together", ipath);
	if (m->n_uid_map)
		m->idmap = true;
	if (m->idmap && !m->bind)
		return config_fail(L, item,
				   "%s: only a bind mount can be id-mapped (idmap, ridmap, "
				   "uidMappings)",
				   ipath);
	return 0;
}

/* OCI: bind sources are absolute or relative to the bundle (base_dir). */
static int resolve_bind_source(struct config_load *L, const struct config_node *item,
			       const char *ipath, struct sluice_mount *m)
{
	const struct config_node *src = config_map_get(item, "source");
	char *joined;

	if (!m->source || !*m->source)
		return config_fail(L, item, "%s: a bind mount needs a source", ipath);
	if (m->source[0] == '/')
		return 0;
	if (!L->base_dir)
		return config_fail(
			L, src, "%s.source: cannot resolve \"%s\": the current directory is unknown",
			ipath, m->source);
	joined = config_path_join(L->base_dir, m->source);
	if (!joined)
		return config_nomem(L);
	free(m->source);
	m->source = joined;
	return 0;
}

static int load_mount(struct config_load *L, const struct config_node *item, const char *ipath,
		      void *ctx)
{
	struct sluice_mount *m = ctx;
	int r = config_walk_map(L, item, mount_fields, N_ELEMS(mount_fields), m, ipath);

	if (r == 0 && !m->destination)
		r = config_missing(L, item, ipath, "destination");
	if (r == 0)
		r = apply_options(L, item, ipath, m);
	if (r < 0)
		return r;
	if (m->type && !strcmp(m->type, "bind"))
		m->bind = true;
	if (!m->type && !m->bind)
		return config_fail(L, item, "%s: a mount needs a type (or the \"bind\" option)",
				   ipath);
	if (m->copy_up && (m->bind || strcmp(m->type, "tmpfs")))
		return config_fail(L, item, "%s: \"tmpcopyup\" is for tmpfs mounts only", ipath);
	if (check_idmap(L, item, ipath, m) < 0)
		return -1;
	return m->bind ? resolve_bind_source(L, item, ipath, m) : 0;
}

struct mount_list {
	struct sluice_mount *v;
	size_t n;
};

static int load_mount_item(struct config_load *L, const struct config_node *item, const char *ipath,
			   void *ctx)
{
	struct mount_list *list = ctx;

	return load_mount(L, item, ipath, &list->v[list->n++]);
}

int config_load_mounts(struct config_load *L, const struct config_node *v, void *obj,
		       const char *path)
{
	struct sluice_config *c = obj;
	struct mount_list list = { calloc(v->n ? v->n : 1, sizeof(*list.v)), 0 };
	int r;

	if (!list.v)
		return config_nomem(L);
	r = config_each_item(L, v, path, "mounts", load_mount_item, &list);
	if (r < 0) {
		config_mounts_free(list.v, list.n);
		return r;
	}
	config_mounts_free(c->mounts, c->n_mounts);
	c->mounts = list.v;
	c->n_mounts = list.n;
	return 0;
}

static int push_flag_names(char ***out, unsigned long bits, enum opt_kind kind)
{
	for (size_t i = 0; i < N_ELEMS(mount_opts); i++)
		if (mount_opts[i].kind == kind && (bits & mount_opts[i].flag) &&
		    sluice_strv_push(out, mount_opts[i].name) < 0)
			return -ENOMEM;
	return 0;
}

/* For mounts built in code rather than loaded: options that the loader
 * turns back into the same fields. */
int config_mount_synth_options(const struct sluice_mount *m, char ***out)
{
	cleanup_strv char **v = calloc(1, sizeof(*v));
	const char *prop = config_propagation_name(m->propagation);
	cleanup_free char *data = sluice_strdup0(m->data);
	char *save = NULL;

	if (!v || (m->data && !data))
		return -ENOMEM;
	if (m->bind && sluice_strv_push(&v, m->recursive ? "rbind" : "bind") < 0)
		return -ENOMEM;
	if (push_flag_names(&v, m->flags, OPT_SET) < 0 ||
	    push_flag_names(&v, m->clear, OPT_CLEAR) < 0)
		return -ENOMEM;
	if (m->propagation && prop && sluice_strv_push(&v, prop) < 0)
		return -ENOMEM;
	if (m->copy_up && sluice_strv_push(&v, "tmpcopyup") < 0)
		return -ENOMEM;
	for (char *tok = data ? strtok_r(data, ",", &save) : NULL; tok;
	     tok = strtok_r(NULL, ",", &save))
		if (sluice_strv_push(&v, tok) < 0)
			return -ENOMEM;
	*out = steal_ptr(&v);
	return 0;
}
