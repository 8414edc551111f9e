/* Loading linux: namespaces, id mappings, sysctl, devices, masked and
 * read-only paths, rootfs propagation. */
#include "config_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/stat.h>

#include "util.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

struct ns_item {
	int type;
	char *path;
};

struct ns_list {
	struct sluice_namespace ns[SLUICE_NS_COUNT];
};

/* The names people reach for from other tools, so the hint can say the
 * OCI spelling: unshare(1) says "net" and "mnt". */
static const char *const ns_aliases[][2] = {
	{ "net", "network" }, { "mnt", "mount" },   { "cgroupns", "cgroup" },
	{ "usr", "user" },    { "userns", "user" }, { "pidns", "pid" },
};

static const char *ns_hint(const char *word)
{
	const char *alias[N_ELEMS(ns_aliases)];
	const char *best = config_nearest(word, sluice_ns_names, SLUICE_NS_COUNT);
	const char *via;

	for (size_t i = 0; i < N_ELEMS(ns_aliases); i++)
		alias[i] = ns_aliases[i][0];
	via = config_nearest(word, alias, N_ELEMS(alias));
	if (!via)
		return best;
	if (best && config_edit_distance(word, best) <= config_edit_distance(word, via))
		return best;
	for (size_t i = 0; i < N_ELEMS(ns_aliases); i++)
		if (via == ns_aliases[i][0])
			return ns_aliases[i][1];
	return best;
}

static int load_ns_type(struct config_load *L, const struct config_node *v, void *obj,
			const char *path)
{
	struct ns_item *it = obj;
	cleanup_free char *name = NULL;
	const char *hint;
	int r = config_get_string(L, v, path, &name);

	if (r < 0)
		return r;
	it->type = sluice_ns_from_name(name);
	if (it->type >= 0)
		return 0;
	hint = ns_hint(name);
	if (hint)
		return config_fail(L, v, "%s: unknown namespace \"%s\" (did you mean \"%s\"?)",
				   path, name, hint);
	return config_fail(L, v, "%s: unknown namespace \"%s\"", path, name);
}

static int load_ns_path(struct config_load *L, const struct config_node *v, void *obj,
			const char *path)
{
	return config_get_abs_path(L, v, path, &((struct ns_item *)obj)->path);
}

static const struct config_field ns_fields[] = {
	{ "type", load_ns_type },
	{ "path", load_ns_path },
};

static int load_ns(struct config_load *L, const struct config_node *item, const char *ipath,
		   void *ctx)
{
	struct ns_list *list = ctx;
	struct ns_item it = { .type = -1 };
	int r = config_walk_map(L, item, ns_fields, N_ELEMS(ns_fields), &it, ipath);

	if (r == 0 && it.type < 0)
		r = config_missing(L, item, ipath, "type");
	if (r == 0 && list->ns[it.type].enabled)
		r = config_fail(L, config_map_get(item, "type"),
				"%s.type: namespace \"%s\" is listed twice", ipath,
				sluice_ns_names[it.type]);
	if (r < 0) {
		free(it.path);
		return r;
	}
	list->ns[it.type].enabled = true;
	list->ns[it.type].path = it.path;
	return 0;
}

static int load_namespaces(struct config_load *L, const struct config_node *v, void *obj,
			   const char *path)
{
	struct sluice_config *c = obj;
	struct ns_list list = { 0 };
	int r = config_each_item(L, v, path, "namespaces", load_ns, &list);

	/* the list replaces the whole set: unlisted types are inherited */
	if (r == 0)
		c->userns_inherited = false;
	for (int i = 0; i < SLUICE_NS_COUNT; i++) {
		if (r < 0) {
			free(list.ns[i].path);
			continue;
		}
		free(c->linux.ns[i].path);
		c->linux.ns[i] = list.ns[i];
	}
	return r;
}

static int load_container_id(struct config_load *L, const struct config_node *v, void *obj,
			     const char *path)
{
	return config_get_u32(L, v, path, &((struct sluice_idmap *)obj)->container_id);
}

static int load_host_id(struct config_load *L, const struct config_node *v, void *obj,
			const char *path)
{
	return config_get_u32(L, v, path, &((struct sluice_idmap *)obj)->host_id);
}

static int load_size(struct config_load *L, const struct config_node *v, void *obj, const char *path)
{
	return config_get_u32(L, v, path, &((struct sluice_idmap *)obj)->size);
}

static const struct config_field idmap_fields[] = {
	{ "containerID", load_container_id },
	{ "hostID", load_host_id },
	{ "size", load_size },
};

struct idmap_list {
	struct sluice_idmap *v;
	size_t n;
};

static int check_idmap(struct config_load *L, const struct config_node *item, const char *ipath,
		       const struct sluice_idmap *m)
{
	for (size_t i = 0; i < N_ELEMS(idmap_fields); i++)
		if (!config_map_get(item, idmap_fields[i].key))
			return config_missing(L, item, ipath, idmap_fields[i].key);
	if (m->size == 0)
		return config_fail(L, item, "%s: size must be at least 1", ipath);
	/* the kernel refuses ranges that wrap past 2^32 - 1 */
	if ((uint64_t)m->container_id + m->size > UINT32_MAX ||
	    (uint64_t)m->host_id + m->size > UINT32_MAX)
		return config_fail(L, item, "%s: the range runs past id 4294967294", ipath);
	return 0;
}

static int load_idmap(struct config_load *L, const struct config_node *item, const char *ipath,
		      void *ctx)
{
	struct idmap_list *list = ctx;
	struct sluice_idmap *m = &list->v[list->n];
	int r = config_walk_map(L, item, idmap_fields, N_ELEMS(idmap_fields), m, ipath);

	if (r == 0)
		r = check_idmap(L, item, ipath, m);
	if (r == 0)
		list->n++;
	return r;
}

int config_load_idmap_list(struct config_load *L, const struct config_node *v, const char *path,
			   struct sluice_idmap **out, size_t *n)
{
	struct idmap_list list = { calloc(v->n ? v->n : 1, sizeof(*list.v)), 0 };
	int r;

	if (!list.v)
		return config_nomem(L);
	r = config_each_item(L, v, path, "id mappings", load_idmap, &list);
	if (r < 0) {
		free(list.v);
		return r;
	}
	free(*out);
	*out = list.v;
	*n = list.n;
	return 0;
}

static int load_idmaps(struct config_load *L, const struct config_node *v, void *obj,
		       const char *path)
{
	struct sluice_config *c = obj;

	if (!strcmp(strrchr(path, '.') + 1, "uidMappings"))
		return config_load_idmap_list(L, v, path, &c->linux.uid_mappings,
					      &c->linux.n_uid_mappings);
	return config_load_idmap_list(L, v, path, &c->linux.gid_mappings, &c->linux.n_gid_mappings);
}

static int load_sysctl_entry(struct config_load *L, const struct config_node *m, size_t i,
			     const char *path, struct sluice_sysctl *out)
{
	const struct config_node *k = config_map_key(m, i), *v = config_map_value(m, i);
	char kpath[256];

	config_path_key(kpath, sizeof(kpath), path, k->value);
	if (!*k->value)
		return config_fail(L, k, "%s: empty key", path);
	out->key = strdup(k->value);
	if (!out->key)
		return config_nomem(L);
	return config_get_string(L, v, kpath, &out->value);
}

static int load_sysctl(struct config_load *L, const struct config_node *v, void *obj,
		       const char *path)
{
	struct sluice_config *c = obj;
	struct sluice_sysctl *list = NULL;
	int r = config_expect_map(L, v, path);

	if (r < 0)
		return r;
	list = calloc(v->n ? v->n : 1, sizeof(*list));
	if (!list)
		return config_nomem(L);
	for (size_t i = 0; r == 0 && i < v->n; i++)
		r = load_sysctl_entry(L, v, i, path, &list[i]);
	if (r < 0) {
		config_sysctl_free(list, v->n);
		return r;
	}
	config_sysctl_free(c->linux.sysctl, c->linux.n_sysctl);
	c->linux.sysctl = list;
	c->linux.n_sysctl = v->n;
	return 0;
}

static int load_dev_path(struct config_load *L, const struct config_node *v, void *obj,
			 const char *path)
{
	return config_get_abs_path(L, v, path, &((struct sluice_device *)obj)->path);
}

static int load_dev_type(struct config_load *L, const struct config_node *v, void *obj,
			 const char *path)
{
	cleanup_free char *s = NULL;
	int r = config_get_string(L, v, path, &s);

	if (r < 0)
		return r;
	if (strlen(s) != 1 || !strchr("cbup", s[0]))
		return config_fail(L, v, "%s: expected c, b, u or p, got \"%s\"", path, s);
	((struct sluice_device *)obj)->type = s[0];
	return 0;
}

static int load_dev_major(struct config_load *L, const struct config_node *v, void *obj,
			  const char *path)
{
	return config_get_int(L, v, path, 0, INT64_MAX, &((struct sluice_device *)obj)->major);
}

static int load_dev_minor(struct config_load *L, const struct config_node *v, void *obj,
			  const char *path)
{
	return config_get_int(L, v, path, 0, INT64_MAX, &((struct sluice_device *)obj)->minor);
}

/* The permission bits, or a whole st_mode: podman writes the host node's
 * (S_IFCHR | 0600 = 8576); load_device checks its type against type and
 * keeps the permissions, as runc drops S_IFMT. */
static int load_dev_mode(struct config_load *L, const struct config_node *v, void *obj,
			 const char *path)
{
	struct sluice_device *d = obj;
	int r = config_get_mode(L, v, path, S_IFMT | 07777, &d->file_mode);

	d->file_mode_set = r == 0;
	return r;
}

static int load_dev_uid(struct config_load *L, const struct config_node *v, void *obj,
			const char *path)
{
	struct sluice_device *d = obj;
	int r = config_get_id(L, v, path, &d->uid);

	d->uid_set = r == 0;
	return r;
}

static int load_dev_gid(struct config_load *L, const struct config_node *v, void *obj,
			const char *path)
{
	struct sluice_device *d = obj;
	int r = config_get_id(L, v, path, &d->gid);

	d->gid_set = r == 0;
	return r;
}

static const struct config_field device_fields[] = {
	{ "path", load_dev_path },   { "type", load_dev_type },	    { "major", load_dev_major },
	{ "minor", load_dev_minor }, { "fileMode", load_dev_mode }, { "uid", load_dev_uid },
	{ "gid", load_dev_gid },
};

struct device_list {
	struct sluice_device *v;
	size_t n;
};

/* A fileMode with file-type bits must name the type the device has. */
static int check_dev_mode_type(struct config_load *L, const struct config_node *item,
			       const char *ipath, struct sluice_device *d)
{
	uint32_t fmt = d->file_mode & S_IFMT;
	uint32_t want = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;

	d->file_mode &= 07777;
	if (!fmt || fmt == want)
		return 0;
	return config_fail(L, config_map_get(item, "fileMode"),
			   "%s.fileMode: its file-type bits (0%o) are not those of type %c (0%o)",
			   ipath, fmt, d->type, want);
}

static int load_device(struct config_load *L, const struct config_node *item, const char *ipath,
		       void *ctx)
{
	struct device_list *list = ctx;
	struct sluice_device *d = &list->v[list->n++];
	int r = config_walk_map(L, item, device_fields, N_ELEMS(device_fields), d, ipath);

	if (r == 0 && !d->path)
		r = config_missing(L, item, ipath, "path");
	if (r == 0 && !d->type)
		r = config_missing(L, item, ipath, "type");
	/* a FIFO has no device numbers; everything else needs both */
	if (r == 0 && d->type != 'p' && !config_map_get(item, "major"))
		r = config_missing(L, item, ipath, "major");
	if (r == 0 && d->type != 'p' && !config_map_get(item, "minor"))
		r = config_missing(L, item, ipath, "minor");
	if (r == 0 && d->file_mode_set)
		r = check_dev_mode_type(L, item, ipath, d);
	return r;
}

static int load_devices(struct config_load *L, const struct config_node *v, void *obj,
			const char *path)
{
	struct sluice_config *c = obj;
	struct device_list list = { calloc(v->n ? v->n : 1, sizeof(*list.v)), 0 };
	int r;

	if (!list.v)
		return config_nomem(L);
	r = config_each_item(L, v, path, "devices", load_device, &list);
	if (r < 0) {
		config_devices_free(list.v, list.n);
		return r;
	}
	config_devices_free(c->linux.devices, c->linux.n_devices);
	c->linux.devices = list.v;
	c->linux.n_devices = list.n;
	return 0;
}

static int check_abs_item(struct config_load *L, const struct config_node *item, const char *ipath)
{
	return config_check_abs(L, item, ipath);
}

static int load_masked(struct config_load *L, const struct config_node *v, void *obj,
		       const char *path)
{
	return config_get_strv(L, v, path, check_abs_item,
			       &((struct sluice_config *)obj)->linux.masked_paths);
}

static int load_readonly(struct config_load *L, const struct config_node *v, void *obj,
			 const char *path)
{
	return config_get_strv(L, v, path, check_abs_item,
			       &((struct sluice_config *)obj)->linux.readonly_paths);
}

static int load_rootfs_propagation(struct config_load *L, const struct config_node *v, void *obj,
				   const char *path)
{
	cleanup_free char *s = NULL;
	int r = config_get_string(L, v, path, &s);

	if (r < 0)
		return r;
	if (config_propagation_from_name(s,
					 &((struct sluice_config *)obj)->linux.rootfs_propagation) <
	    0)
		return config_fail(L, v,
				   "%s: expected private, shared, slave or unbindable (or r...), "
				   "got \"%s\"",
				   path, s);
	return 0;
}

static int load_unsupported(struct config_load *L, const struct config_node *v, void *obj,
			    const char *path)
{
	(void)obj;
	return config_unsupported(L, v, path);
}

/* linux.personality (config-linux.md): the two domains the spec has;
 * it defines no flag, so any flag is an error. */
static int load_personality_domain(struct config_load *L, const struct config_node *v, void *obj,
				   const char *path)
{
	struct sluice_config *c = obj;

	if (v->kind == CONFIG_SCALAR && !strcmp(v->value, "LINUX"))
		c->linux.personality = PER_LINUX;
	else if (v->kind == CONFIG_SCALAR && !strcmp(v->value, "LINUX32"))
		c->linux.personality = PER_LINUX32;
	else
		return config_fail(L, v, "%s: expected LINUX or LINUX32, got %s%s%s", path,
				   v->kind == CONFIG_SCALAR ? "\"" : "a ",
				   v->kind == CONFIG_SCALAR ? v->value : "non-string",
				   v->kind == CONFIG_SCALAR ? "\"" : "");
	return 0;
}

static int check_personality_flag(struct config_load *L, const struct config_node *item,
				  const char *ipath)
{
	return config_fail(L, item, "%s: unknown personality flag \"%s\" (the spec defines none)",
			   ipath, item->value);
}

static int load_personality_flags(struct config_load *L, const struct config_node *v, void *obj,
				  const char *path)
{
	char **flags = NULL;
	int r = config_get_strv(L, v, path, check_personality_flag, &flags);

	(void)obj;
	sluice_strv_free(flags);
	return r;
}

/* linux.timeOffsets (config-linux.md): per clock, secs and nanosecs. */
static int load_offset_secs(struct config_load *L, const struct config_node *v, void *obj,
			    const char *path)
{
	return config_get_int(L, v, path, INT64_MIN, INT64_MAX,
			      &((struct sluice_time_offset *)obj)->secs);
}

static int load_offset_nanosecs(struct config_load *L, const struct config_node *v, void *obj,
				const char *path)
{
	int64_t n;
	int r = config_get_int(L, v, path, 0, 999999999, &n);

	if (r == 0)
		((struct sluice_time_offset *)obj)->nanosecs = (uint32_t)n;
	return r;
}

static const struct config_field offset_fields[] = {
	{ "secs", load_offset_secs },
	{ "nanosecs", load_offset_nanosecs },
};

static int load_offset(struct config_load *L, const struct config_node *v,
		       struct sluice_time_offset *o, const char *path)
{
	*o = (struct sluice_time_offset){ .set = true };
	return config_walk_map(L, v, offset_fields, N_ELEMS(offset_fields), o, path);
}

static int load_monotonic(struct config_load *L, const struct config_node *v, void *obj,
			  const char *path)
{
	return load_offset(L, v,
			   &((struct sluice_config *)obj)->linux.time_offsets[SLUICE_CLOCK_MONOTONIC],
			   path);
}

static int load_boottime(struct config_load *L, const struct config_node *v, void *obj,
			 const char *path)
{
	return load_offset(L, v,
			   &((struct sluice_config *)obj)->linux.time_offsets[SLUICE_CLOCK_BOOTTIME],
			   path);
}

static const struct config_field clock_fields[] = {
	{ "monotonic", load_monotonic },
	{ "boottime", load_boottime },
};

static int load_time_offsets(struct config_load *L, const struct config_node *v, void *obj,
			     const char *path)
{
	return config_walk_map(L, v, clock_fields, N_ELEMS(clock_fields), obj, path);
}

static const struct config_field personality_fields[] = {
	{ "domain", load_personality_domain },
	{ "flags", load_personality_flags },
};

static int load_personality(struct config_load *L, const struct config_node *v, void *obj,
			    const char *path)
{
	struct sluice_config *c = obj;
	int r = config_walk_map(L, v, personality_fields, N_ELEMS(personality_fields), obj, path);

	if (r == 0 && !config_map_get(v, "domain"))
		r = config_missing(L, v, path, "domain");
	if (r == 0)
		c->linux.personality_set = true;
	return r;
}

void config_net_devices_free(struct sluice_net_device *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(d[i].host);
		free(d[i].name);
	}
	free(d);
}

/* An interface name as the kernel takes one (dev_valid_name): 1..15
 * bytes, not "." or "..", no '/', ':' or blank; template: "%d" allowed
 * once. */
static bool ifname_valid(const char *s, bool template)
{
	size_t n = strlen(s);
	const char *pct = strchr(s, '%');

	if (n == 0 || n > 15 || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	if (strpbrk(s, "/: \t\n\r\v\f"))
		return false;
	return !pct || (template && pct[1] == 'd' && !strchr(pct + 1, '%'));
}

static int load_net_device_name(struct config_load *L, const struct config_node *v, void *obj,
				const char *path)
{
	struct sluice_net_device *d = obj;
	cleanup_free char *s = NULL;

	if (config_get_string(L, v, path, &s) < 0)
		return -1;
	if (!ifname_valid(s, true))
		return config_fail(L, v,
				   "%s: \"%s\" is not an interface name (1 to 15 characters, no /, "
				   ": or blanks; %%d once as a template)",
				   path, s);
	free(d->name);
	d->name = steal_ptr(&s);
	return 0;
}

static const struct config_field net_device_fields[] = {
	{ "name", load_net_device_name },
};

static int load_net_devices(struct config_load *L, const struct config_node *v, void *obj,
			    const char *path)
{
	struct sluice_config *c = obj;
	struct sluice_net_device *list;
	size_t n = 0;
	int r = config_expect_map(L, v, path);

	if (r < 0)
		return r;
	list = calloc(v->n ? v->n : 1, sizeof(*list));
	if (!list)
		return config_nomem(L);
	for (size_t i = 0; r == 0 && i < v->n; i++) {
		const struct config_node *k = config_map_key(v, i), *val = config_map_value(v, i);
		char kpath[256];
		config_path_key(kpath, sizeof(kpath), path, k->value);
		if (!ifname_valid(k->value, false)) {
			r = config_fail(L, k, "%s: \"%s\" is not an interface name", path, k->value);
			break;
		}
		list[n].host = strdup(k->value);
		if (!list[n++].host) {
			r = config_nomem(L);
			break;
		}
		if (!config_node_is_null(val))
			r = config_walk_map(L, val, net_device_fields, N_ELEMS(net_device_fields),
					    &list[n - 1], kpath);
	}
	if (r < 0) {
		config_net_devices_free(list, n);
		return r;
	}
	config_net_devices_free(c->linux.net_devices, c->linux.n_net_devices);
	c->linux.net_devices = list;
	c->linux.n_net_devices = n;
	return 0;
}

static const struct config_field linux_fields[] = {
	{ "namespaces", load_namespaces },    { "uidMappings", load_idmaps },
	{ "gidMappings", load_idmaps },	      { "sysctl", load_sysctl },
	{ "devices", load_devices },	      { "maskedPaths", load_masked },
	{ "readonlyPaths", load_readonly },   { "rootfsPropagation", load_rootfs_propagation },
	{ "resources", config_load_res },     { "cgroupsPath", config_load_cgpath },
	{ "seccomp", config_load_seccomp },   { "intelRdt", load_unsupported },
	{ "personality", load_personality },  { "mountLabel", load_unsupported },
	{ "timeOffsets", load_time_offsets }, { "memoryPolicy", config_load_memory_policy },
	{ "netDevices", load_net_devices },   { "ioPriority", load_unsupported },
};

int config_load_linux(struct config_load *L, const struct config_node *v, void *obj,
		      const char *path)
{
	return config_walk_map(L, v, linux_fields, N_ELEMS(linux_fields), obj, path);
}
