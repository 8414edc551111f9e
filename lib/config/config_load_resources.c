/* Loading linux.resources and linux.cgroupsPath (docs/config.md "linux",
 * docs/cgroups.md).
 *
 * Mappings merge key by key (resources, memory, cpu, ...), lists and the
 * free-form maps (rdma, unified) replace wholesale, as everywhere in the
 * config.  What a single value can get wrong is refused here with its
 * position; whether the host can honour a field is decided at start, by
 * lib/cgroup, which names the field too. */
#include "config_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* The field named by the last two components of path ("memory.limit"). */
static int scalar_of(const char *path)
{
	const char *key = strrchr(path, '.');
	size_t glen;
	const char *group;

	if (!key)
		return -1;
	for (group = key; group > path && group[-1] != '.';)
		group--;
	glen = (size_t)(key - group);
	for (int f = 0; f < SLUICE_RES_FIELD_COUNT; f++) {
		const struct config_res_scalar *s = &config_res_scalars[f];
		if (!strcmp(s->key, key + 1) && strlen(s->group) == glen &&
		    !strncmp(s->group, group, glen))
			return f;
	}
	return -1;
}

static int load_scalar(struct config_load *L, const struct config_node *v, void *obj,
		       const char *path)
{
	int f = scalar_of(path);
	const struct config_res_scalar *s;
	int64_t i = 0;
	uint64_t u = 0;
	bool b = false;
	int r;

	if (f < 0)
		return config_fail(L, v, "%s: internal error: no such field", path);
	s = &config_res_scalars[f];
	switch (s->type) {
	case RES_BOOL:
		r = config_get_bool(L, v, path, &b);
		i = b;
		break;
	case RES_U64:
		r = config_get_u64(L, v, path, &u);
		if (r == 0 && u > (uint64_t)s->max)
			return config_fail(L, v, "%s: %s is out of range (0..%lld)", path, v->value,
					   (long long)s->max);
		i = (int64_t)u;
		break;
	case RES_I64:
	case RES_U16:
	case RES_U32:
		r = config_get_int(L, v, path, s->min, s->max, &i);
		break;
	default:
		r = config_fail(L, v, "%s: internal error: bad type", path);
	}
	if (r == 0)
		config_res_put(obj, (enum sluice_res_field)f, i);
	return r;
}

/* A cpuset list as the kernel reads it ("0-3,7", "0-7:2/4"): the
 * characters are checked here, the CPUs and nodes at start. */
static int load_cpuset_list(struct config_load *L, const struct config_node *v, void *obj,
			    const char *path)
{
	struct sluice_resources *r = obj;
	bool cpus = !strcmp(strrchr(path, '.') + 1, "cpus");
	char **field = cpus ? &r->cpu.cpus : &r->cpu.mems;
	cleanup_free char *s = NULL;
	int rc = config_get_string(L, v, path, &s);

	if (rc < 0)
		return rc;
	if (!s[0] || strspn(s, "0123456789,-:/") != strlen(s))
		return config_fail(L, v, "%s: expected a list such as 0-3,7, got \"%s\"", path, s);
	free(*field);
	*field = steal_ptr(&s);
	return 0;
}

static const struct config_field memory_fields[] = {
	{ "limit", load_scalar },
	{ "reservation", load_scalar },
	{ "swap", load_scalar },
	{ "kernel", load_scalar },
	{ "kernelTCP", load_scalar },
	{ "swappiness", load_scalar },
	{ "disableOOMKiller", load_scalar },
	{ "useHierarchy", load_scalar },
	{ "checkBeforeUpdate", load_scalar },
};

static const struct config_field cpu_fields[] = {
	{ "shares", load_scalar },
	{ "quota", load_scalar },
	{ "burst", load_scalar },
	{ "period", load_scalar },
	{ "realtimeRuntime", load_scalar },
	{ "realtimePeriod", load_scalar },
	{ "idle", load_scalar },
	{ "cpus", load_cpuset_list },
	{ "mems", load_cpuset_list },
};

static const struct config_field pids_fields[] = {
	{ "limit", load_scalar },
};

static int load_memory(struct config_load *L, const struct config_node *v, void *obj,
		       const char *path)
{
	return config_walk_map(L, v, memory_fields, N_ELEMS(memory_fields), obj, path);
}

static int load_cpu(struct config_load *L, const struct config_node *v, void *obj, const char *path)
{
	return config_walk_map(L, v, cpu_fields, N_ELEMS(cpu_fields), obj, path);
}

static int load_pids(struct config_load *L, const struct config_node *v, void *obj, const char *path)
{
	return config_walk_map(L, v, pids_fields, N_ELEMS(pids_fields), obj, path);
}

/* ---- blockIO ---- */

static int load_bdev_major(struct config_load *L, const struct config_node *v, void *obj,
			   const char *path)
{
	return config_get_int(L, v, path, 0, UINT32_MAX,
			      &((struct sluice_blkio_device *)obj)->major);
}

static int load_bdev_minor(struct config_load *L, const struct config_node *v, void *obj,
			   const char *path)
{
	return config_get_int(L, v, path, 0, UINT32_MAX,
			      &((struct sluice_blkio_device *)obj)->minor);
}

static int load_bdev_rate(struct config_load *L, const struct config_node *v, void *obj,
			  const char *path)
{
	return config_get_u64(L, v, path, &((struct sluice_blkio_device *)obj)->rate);
}

static int load_bdev_weight(struct config_load *L, const struct config_node *v, void *obj,
			    const char *path)
{
	struct sluice_blkio_device *d = obj;
	bool leaf = !strcmp(strrchr(path, '.') + 1, "leafWeight");
	int64_t w;
	int r = config_get_int(L, v, path, 0, 1000, &w);

	if (r == 0)
		*(leaf ? &d->leaf_weight : &d->weight) = (uint16_t)w;
	return r;
}

static const struct config_field weight_device_fields[] = {
	{ "major", load_bdev_major },
	{ "minor", load_bdev_minor },
	{ "weight", load_bdev_weight },
	{ "leafWeight", load_bdev_weight },
};

static const struct config_field throttle_fields[] = {
	{ "major", load_bdev_major },
	{ "minor", load_bdev_minor },
	{ "rate", load_bdev_rate },
};

struct bdev_list {
	struct sluice_blkio_device *v;
	size_t n;
	bool weights; /* weightDevice, else a throttle list */
};

static int load_bdev(struct config_load *L, const struct config_node *item, const char *ipath,
		     void *ctx)
{
	struct bdev_list *list = ctx;
	struct sluice_blkio_device *d = &list->v[list->n];
	int r = list->weights ? config_walk_map(L, item, weight_device_fields,
						N_ELEMS(weight_device_fields), d, ipath) :
				config_walk_map(L, item, throttle_fields, N_ELEMS(throttle_fields),
						d, ipath);
	const char *need[] = { "major", "minor", list->weights ? NULL : "rate" };

	for (size_t i = 0; r == 0 && i < N_ELEMS(need); i++)
		if (need[i] && !config_map_get(item, need[i]))
			r = config_missing(L, item, ipath, need[i]);
	if (r == 0 && list->weights && !d->weight && !d->leaf_weight)
		r = config_fail(L, item, "%s: give weight, leafWeight or both", ipath);
	if (r == 0)
		list->n++;
	return r;
}

static int load_bdev_list(struct config_load *L, const struct config_node *v, void *obj,
			  const char *path)
{
	struct sluice_resources *res = obj;
	const char *key = strrchr(path, '.') + 1;
	struct bdev_list list = { calloc(v->n ? v->n : 1, sizeof(*list.v)), 0,
				  !strcmp(key, "weightDevice") };
	struct sluice_blkio_device **field = &res->block_io.weight_device;
	size_t *n = &res->block_io.n_weight_device;
	int r;

	for (int t = 0; t < SLUICE_THROTTLE_COUNT; t++)
		if (!strcmp(key, config_throttle_keys[t])) {
			field = &res->block_io.throttle[t];
			n = &res->block_io.n_throttle[t];
		}
	if (!list.v)
		return config_nomem(L);
	r = config_each_item(L, v, path, "devices", load_bdev, &list);
	if (r < 0) {
		free(list.v);
		return r;
	}
	free(*field);
	*field = list.v;
	*n = list.n;
	return 0;
}

static const struct config_field blkio_fields[] = {
	{ "weight", load_scalar },
	{ "leafWeight", load_scalar },
	{ "weightDevice", load_bdev_list },
	{ "throttleReadBpsDevice", load_bdev_list },
	{ "throttleWriteBpsDevice", load_bdev_list },
	{ "throttleReadIOPSDevice", load_bdev_list },
	{ "throttleWriteIOPSDevice", load_bdev_list },
};

static int load_blkio(struct config_load *L, const struct config_node *v, void *obj,
		      const char *path)
{
	return config_walk_map(L, v, blkio_fields, N_ELEMS(blkio_fields), obj, path);
}

/* ---- hugepageLimits ---- */

/* <size><K|M|G>B, as the spec's schema has it: ^[1-9][0-9]*[KMG]B$ */
static bool page_size_ok(const char *s)
{
	size_t digits = strspn(s, "0123456789");

	return digits && s[0] != '0' && s[digits] && strchr("KMG", s[digits]) &&
	       !strcmp(s + digits + 1, "B");
}

static int load_page_size(struct config_load *L, const struct config_node *v, void *obj,
			  const char *path)
{
	struct sluice_hugepage_limit *h = obj;
	int r = config_get_string(L, v, path, &h->page_size);

	if (r == 0 && !page_size_ok(h->page_size))
		return config_fail(L, v, "%s: expected a size such as 2MB or 1GB, got \"%s\"", path,
				   h->page_size);
	return r;
}

static int load_hp_limit(struct config_load *L, const struct config_node *v, void *obj,
			 const char *path)
{
	return config_get_u64(L, v, path, &((struct sluice_hugepage_limit *)obj)->limit);
}

static const struct config_field hugepage_fields[] = {
	{ "pageSize", load_page_size },
	{ "limit", load_hp_limit },
};

struct hp_list {
	struct sluice_hugepage_limit *v;
	size_t n;
};

static int load_hugepage(struct config_load *L, const struct config_node *item, const char *ipath,
			 void *ctx)
{
	struct hp_list *list = ctx;
	struct sluice_hugepage_limit *h = &list->v[list->n++];
	int r = config_walk_map(L, item, hugepage_fields, N_ELEMS(hugepage_fields), h, ipath);

	if (r == 0 && !h->page_size)
		r = config_missing(L, item, ipath, "pageSize");
	if (r == 0 && !config_map_get(item, "limit"))
		r = config_missing(L, item, ipath, "limit");
	for (size_t i = 0; r == 0 && h->page_size && i + 1 < list->n; i++)
		if (list->v[i].page_size && !strcmp(list->v[i].page_size, h->page_size))
			r = config_fail(L, item, "%s: page size %s is listed twice", ipath,
					h->page_size);
	return r;
}

static int load_hugepages(struct config_load *L, const struct config_node *v, void *obj,
			  const char *path)
{
	struct sluice_resources *res = obj;
	struct hp_list list = { calloc(v->n ? v->n : 1, sizeof(*list.v)), 0 };
	int r;

	if (!list.v)
		return config_nomem(L);
	r = config_each_item(L, v, path, "huge page limits", load_hugepage, &list);
	if (r < 0) {
		config_hugepages_free(list.v, list.n);
		return r;
	}
	config_hugepages_free(res->hugepage_limits, res->n_hugepage_limits);
	res->hugepage_limits = list.v;
	res->n_hugepage_limits = list.n;
	return 0;
}

/* ---- network ---- */

static int load_prio_name(struct config_load *L, const struct config_node *v, void *obj,
			  const char *path)
{
	struct sluice_net_priority *p = obj;
	int r = config_get_string(L, v, path, &p->name);

	if (r == 0 && (!p->name[0] || strpbrk(p->name, " \t\n/")))
		return config_fail(L, v, "%s: \"%s\" is not an interface name", path, p->name);
	return r;
}

static int load_prio_value(struct config_load *L, const struct config_node *v, void *obj,
			   const char *path)
{
	return config_get_u32(L, v, path, &((struct sluice_net_priority *)obj)->priority);
}

static const struct config_field priority_fields[] = {
	{ "name", load_prio_name },
	{ "priority", load_prio_value },
};

struct prio_list {
	struct sluice_net_priority *v;
	size_t n;
};

static int load_priority(struct config_load *L, const struct config_node *item, const char *ipath,
			 void *ctx)
{
	struct prio_list *list = ctx;
	struct sluice_net_priority *p = &list->v[list->n++];
	int r = config_walk_map(L, item, priority_fields, N_ELEMS(priority_fields), p, ipath);

	if (r == 0 && !p->name)
		r = config_missing(L, item, ipath, "name");
	if (r == 0 && !config_map_get(item, "priority"))
		r = config_missing(L, item, ipath, "priority");
	return r;
}

static int load_priorities(struct config_load *L, const struct config_node *v, void *obj,
			   const char *path)
{
	struct sluice_resources *res = obj;
	struct prio_list list = { calloc(v->n ? v->n : 1, sizeof(*list.v)), 0 };
	int r;

	if (!list.v)
		return config_nomem(L);
	r = config_each_item(L, v, path, "priorities", load_priority, &list);
	if (r < 0) {
		config_priorities_free(list.v, list.n);
		return r;
	}
	config_priorities_free(res->network.priorities, res->network.n_priorities);
	res->network.priorities = list.v;
	res->network.n_priorities = list.n;
	return 0;
}

static const struct config_field network_fields[] = {
	{ "classID", load_scalar },
	{ "priorities", load_priorities },
};

static int load_network(struct config_load *L, const struct config_node *v, void *obj,
			const char *path)
{
	return config_walk_map(L, v, network_fields, N_ELEMS(network_fields), obj, path);
}

/* ---- rdma: device name -> {hcaHandles, hcaObjects} ---- */

static int load_hca(struct config_load *L, const struct config_node *v, void *obj, const char *path)
{
	struct sluice_rdma_limit *d = obj;
	bool handles = !strcmp(strrchr(path, '.') + 1, "hcaHandles");
	int r = config_get_u32(L, v, path, handles ? &d->hca_handles : &d->hca_objects);

	if (r == 0)
		*(handles ? &d->handles_set : &d->objects_set) = true;
	return r;
}

static const struct config_field rdma_fields[] = {
	{ "hcaHandles", load_hca },
	{ "hcaObjects", load_hca },
};

static int load_rdma_entry(struct config_load *L, const struct config_node *m, size_t i,
			   const char *path, struct sluice_rdma_limit *d)
{
	const struct config_node *k = config_map_key(m, i), *v = config_map_value(m, i);
	char kpath[256];
	int r;

	config_path_key(kpath, sizeof(kpath), path, k->value);
	if (!k->value[0] || strpbrk(k->value, " \t\n/"))
		return config_fail(L, k, "%s: \"%s\" is not an RDMA device name", path, k->value);
	d->device = strdup(k->value);
	if (!d->device)
		return config_nomem(L);
	r = config_walk_map(L, v, rdma_fields, N_ELEMS(rdma_fields), d, kpath);
	if (r == 0 && !d->handles_set && !d->objects_set)
		r = config_fail(L, v, "%s: give hcaHandles, hcaObjects or both", kpath);
	return r;
}

static int load_rdma(struct config_load *L, const struct config_node *v, void *obj, const char *path)
{
	struct sluice_resources *res = obj;
	struct sluice_rdma_limit *list;
	int r = config_expect_map(L, v, path);

	if (r < 0)
		return r;
	list = calloc(v->n ? v->n : 1, sizeof(*list));
	if (!list)
		return config_nomem(L);
	for (size_t i = 0; r == 0 && i < v->n; i++)
		r = load_rdma_entry(L, v, i, path, &list[i]);
	if (r < 0) {
		config_rdma_free(list, v->n);
		return r;
	}
	config_rdma_free(res->rdma, res->n_rdma);
	res->rdma = list;
	res->n_rdma = v->n;
	return 0;
}

/* ---- unified: cgroup v2 file -> value ---- */

/* A file of the cgroup's own directory, "controller.name".  The files that
 * move or kill processes, or that sluice manages, are not a limit. */
static int check_unified_key(struct config_load *L, const struct config_node *k, const char *path)
{
	static const char *const refused[] = { "cgroup.procs",	"cgroup.threads",
					       "cgroup.kill",	"cgroup.subtree_control",
					       "cgroup.freeze", "cgroup.type" };
	const char *dot = strchr(k->value, '.');

	if (!dot || dot == k->value || !dot[1] || strchr(k->value, '/') || strstr(k->value, ".."))
		return config_fail(L, k, "%s: \"%s\" is not a cgroup v2 file name (controller.file)",
				   path, k->value);
	for (size_t i = 0; i < N_ELEMS(refused); i++)
		if (!strcmp(k->value, refused[i]))
			return config_fail(L, k, "%s: %s is managed by sluice, not a limit", path,
					   k->value);
	return 0;
}

static int load_unified(struct config_load *L, const struct config_node *v, void *obj,
			const char *path)
{
	struct sluice_resources *res = obj;
	struct sluice_unified_entry *list;
	int r = config_expect_map(L, v, path);

	if (r < 0)
		return r;
	list = calloc(v->n ? v->n : 1, sizeof(*list));
	if (!list)
		return config_nomem(L);
	for (size_t i = 0; r == 0 && i < v->n; i++) {
		const struct config_node *k = config_map_key(v, i);
		char kpath[256];

		config_path_key(kpath, sizeof(kpath), path, k->value);
		r = check_unified_key(L, k, path);
		if (r == 0 && !(list[i].key = strdup(k->value)))
			r = config_nomem(L);
		if (r == 0)
			r = config_get_string(L, config_map_value(v, i), kpath, &list[i].value);
	}
	if (r < 0) {
		config_unified_free(list, v->n);
		return r;
	}
	config_unified_free(res->unified, res->n_unified);
	res->unified = list;
	res->n_unified = v->n;
	return 0;
}

/* ---- devices: the cgroup's device rules, in order ---- */

static int load_rule_allow(struct config_load *L, const struct config_node *v, void *obj,
			   const char *path)
{
	return config_get_bool(L, v, path, &((struct sluice_device_rule *)obj)->allow);
}

static int load_rule_type(struct config_load *L, const struct config_node *v, void *obj,
			  const char *path)
{
	cleanup_free char *s = NULL;
	int r = config_get_string(L, v, path, &s);

	if (r < 0)
		return r;
	if (strlen(s) != 1 || !strchr("acb", s[0]))
		return config_fail(L, v, "%s: expected a (all), c or b, got \"%s\"", path, s);
	((struct sluice_device_rule *)obj)->type = s[0];
	return 0;
}

static int load_rule_num(struct config_load *L, const struct config_node *v, void *obj,
			 const char *path)
{
	struct sluice_device_rule *d = obj;
	bool major = !strcmp(strrchr(path, '.') + 1, "major");

	/* -1 is what Go runtimes write for "any" */
	return config_get_int(L, v, path, -1, UINT32_MAX, major ? &d->major : &d->minor);
}

static int load_rule_access(struct config_load *L, const struct config_node *v, void *obj,
			    const char *path)
{
	struct sluice_device_rule *d = obj;
	cleanup_free char *s = NULL;
	int r = config_get_string(L, v, path, &s);
	size_t n = 0;

	if (r < 0)
		return r;
	for (const char *p = "rwm"; *p; p++)
		if (strchr(s, *p))
			d->access[n++] = *p;
	d->access[n] = '\0';
	if (!n || strspn(s, "rwm") != strlen(s) || strlen(s) != n)
		return config_fail(L, v, "%s: expected r, w and m, each at most once, got \"%s\"",
				   path, s);
	return 0;
}

static const struct config_field rule_fields[] = {
	{ "allow", load_rule_allow }, { "type", load_rule_type },     { "major", load_rule_num },
	{ "minor", load_rule_num },   { "access", load_rule_access },
};

struct rule_list {
	struct sluice_device_rule *v;
	size_t n;
};

static int load_rule(struct config_load *L, const struct config_node *item, const char *ipath,
		     void *ctx)
{
	struct rule_list *list = ctx;
	struct sluice_device_rule *d = &list->v[list->n];
	int r;

	*d = (struct sluice_device_rule){ .type = 'a', .major = -1, .minor = -1, .access = "rwm" };
	r = config_walk_map(L, item, rule_fields, N_ELEMS(rule_fields), d, ipath);
	if (r == 0 && !config_map_get(item, "allow"))
		r = config_missing(L, item, ipath, "allow");
	if (r == 0)
		list->n++;
	return r;
}

static int load_rules(struct config_load *L, const struct config_node *v, void *obj,
		      const char *path)
{
	struct sluice_resources *res = obj;
	struct rule_list list = { calloc(v->n ? v->n : 1, sizeof(*list.v)), 0 };
	int r;

	if (!list.v)
		return config_nomem(L);
	r = config_each_item(L, v, path, "device rules", load_rule, &list);
	if (r < 0) {
		free(list.v);
		return r;
	}
	free(res->devices);
	res->devices = list.v;
	res->n_devices = list.n;
	return 0;
}

static const struct config_field resource_fields[] = {
	{ "devices", load_rules },   { "memory", load_memory },
	{ "cpu", load_cpu },	     { "pids", load_pids },
	{ "blockIO", load_blkio },   { "hugepageLimits", load_hugepages },
	{ "network", load_network }, { "rdma", load_rdma },
	{ "unified", load_unified },
};

int config_load_res(struct config_load *L, const struct config_node *v, void *obj, const char *path)
{
	struct sluice_config *c = obj;

	return config_walk_map(L, v, resource_fields, N_ELEMS(resource_fields), &c->linux.resources,
			       path);
}

/* "" is the same as no path, as for runc. */
int config_load_cgpath(struct config_load *L, const struct config_node *v, void *obj,
		       const char *path)
{
	struct sluice_config *c = obj;
	int r = config_get_string(L, v, path, &c->linux.cgroups_path);

	if (r == 0 && !c->linux.cgroups_path[0]) {
		free(c->linux.cgroups_path);
		c->linux.cgroups_path = NULL;
	}
	return r;
}

/* runc update: a bare LinuxResources object (--resources FILE, "-" for
 * stdin; or what the update flags make). */
int sluice_config_load_resources_buffer(struct sluice_config *c, const char *name, const char *buf,
					size_t len, struct sluice_error *err)
{
	cleanup_node struct config_node *root = NULL;
	struct config_load L = { .c = c, .name = name, .err = err };

	if (config_yaml_parse(name, buf, len, &root, err) < 0)
		return -1;
	if (!root || config_node_is_null(root))
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0, "%s: no resources", name);
	return config_load_res(&L, root, c, "resources");
}

int sluice_config_load_resources_fd(struct sluice_config *c, const char *name, int fd,
				    struct sluice_error *err)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;

	if (config_read_fd(fd, name, &buf, &len, err) < 0)
		return -1;
	return sluice_config_load_resources_buffer(c, name, buf, len, err);
}
