/* linux.resources and linux.cgroupsPath in the config: the table of scalar
 * fields that the loader, the emitter and lib/cgroup share, the checks that
 * need the whole config, and the command-line edits (--memory,
 * --pids-limit, --cpus) that `sluice run` and the OCI commands share. */
#include "config_internal.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define SRC(c) ((c)->source ? (c)->source : "<config>")
#define RES_OFF(member) offsetof(struct sluice_resources, member)

/* Ranges are the spec's, narrowed where the kernel has a narrower one that
 * every layout shares (swappiness, idle).  blkio weights are 10..1000 for
 * the kernel, and 0 is "not set" as docker writes it (and runc reads it). */
const struct config_res_scalar config_res_scalars[SLUICE_RES_FIELD_COUNT] = {
	[SLUICE_RES_MEMORY_LIMIT] = { "memory", "limit", RES_I64, RES_OFF(memory.limit), -1,
				      INT64_MAX },
	[SLUICE_RES_MEMORY_RESERVATION] = { "memory", "reservation", RES_I64,
					    RES_OFF(memory.reservation), -1, INT64_MAX },
	[SLUICE_RES_MEMORY_SWAP] = { "memory", "swap", RES_I64, RES_OFF(memory.swap), -1,
				     INT64_MAX },
	[SLUICE_RES_MEMORY_KERNEL] = { "memory", "kernel", RES_I64, RES_OFF(memory.kernel), -1,
				       INT64_MAX },
	[SLUICE_RES_MEMORY_KERNEL_TCP] = { "memory", "kernelTCP", RES_I64,
					   RES_OFF(memory.kernel_tcp), -1, INT64_MAX },
	[SLUICE_RES_MEMORY_SWAPPINESS] = { "memory", "swappiness", RES_U64,
					   RES_OFF(memory.swappiness), 0, 100 },
	[SLUICE_RES_MEMORY_DISABLE_OOM_KILLER] = { "memory", "disableOOMKiller", RES_BOOL,
						   RES_OFF(memory.disable_oom_killer), 0, 1 },
	[SLUICE_RES_MEMORY_USE_HIERARCHY] = { "memory", "useHierarchy", RES_BOOL,
					      RES_OFF(memory.use_hierarchy), 0, 1 },
	[SLUICE_RES_MEMORY_CHECK_BEFORE_UPDATE] = { "memory", "checkBeforeUpdate", RES_BOOL,
						    RES_OFF(memory.check_before_update), 0, 1 },
	[SLUICE_RES_CPU_SHARES] = { "cpu", "shares", RES_U64, RES_OFF(cpu.shares), 0, INT64_MAX },
	[SLUICE_RES_CPU_QUOTA] = { "cpu", "quota", RES_I64, RES_OFF(cpu.quota), -1, INT64_MAX },
	[SLUICE_RES_CPU_BURST] = { "cpu", "burst", RES_U64, RES_OFF(cpu.burst), 0, INT64_MAX },
	[SLUICE_RES_CPU_PERIOD] = { "cpu", "period", RES_U64, RES_OFF(cpu.period), 0, INT64_MAX },
	[SLUICE_RES_CPU_REALTIME_RUNTIME] = { "cpu", "realtimeRuntime", RES_I64,
					      RES_OFF(cpu.realtime_runtime), -1, INT64_MAX },
	[SLUICE_RES_CPU_REALTIME_PERIOD] = { "cpu", "realtimePeriod", RES_U64,
					     RES_OFF(cpu.realtime_period), 0, INT64_MAX },
	[SLUICE_RES_CPU_IDLE] = { "cpu", "idle", RES_I64, RES_OFF(cpu.idle), 0, 1 },
	[SLUICE_RES_PIDS_LIMIT] = { "pids", "limit", RES_I64, RES_OFF(pids.limit), -1, INT64_MAX },
	[SLUICE_RES_BLKIO_WEIGHT] = { "blockIO", "weight", RES_U16, RES_OFF(block_io.weight), 0,
				      1000 },
	[SLUICE_RES_BLKIO_LEAF_WEIGHT] = { "blockIO", "leafWeight", RES_U16,
					   RES_OFF(block_io.leaf_weight), 0, 1000 },
	[SLUICE_RES_NETWORK_CLASS_ID] = { "network", "classID", RES_U32, RES_OFF(network.class_id),
					  0, UINT32_MAX },
};

const char *const config_throttle_keys[SLUICE_THROTTLE_COUNT] = {
	[SLUICE_THROTTLE_READ_BPS] = "throttleReadBpsDevice",
	[SLUICE_THROTTLE_WRITE_BPS] = "throttleWriteBpsDevice",
	[SLUICE_THROTTLE_READ_IOPS] = "throttleReadIOPSDevice",
	[SLUICE_THROTTLE_WRITE_IOPS] = "throttleWriteIOPSDevice",
};

const char *sluice_res_field_name(enum sluice_res_field f)
{
	static char names[SLUICE_RES_FIELD_COUNT][64];

	if ((unsigned)f >= SLUICE_RES_FIELD_COUNT)
		return "linux.resources";
	if (!names[f][0])
		snprintf(names[f], sizeof(names[f]), "linux.resources.%s.%s",
			 config_res_scalars[f].group, config_res_scalars[f].key);
	return names[f];
}

int64_t config_res_get(const struct sluice_resources *r, enum sluice_res_field f)
{
	const struct config_res_scalar *s = &config_res_scalars[f];
	const char *p = (const char *)r + s->offset;

	switch (s->type) {
	case RES_I64:
		return *(const int64_t *)(const void *)p;
	case RES_U64:
		return (int64_t) * (const uint64_t *)(const void *)p;
	case RES_BOOL:
		return *(const bool *)(const void *)p;
	case RES_U16:
		return *(const uint16_t *)(const void *)p;
	case RES_U32:
		return *(const uint32_t *)(const void *)p;
	}
	return 0;
}

void config_res_put(struct sluice_resources *r, enum sluice_res_field f, int64_t v)
{
	const struct config_res_scalar *s = &config_res_scalars[f];
	char *p = (char *)r + s->offset;

	switch (s->type) {
	case RES_I64:
		*(int64_t *)(void *)p = v;
		break;
	case RES_U64:
		*(uint64_t *)(void *)p = (uint64_t)v;
		break;
	case RES_BOOL:
		*(bool *)(void *)p = v != 0;
		break;
	case RES_U16:
		*(uint16_t *)(void *)p = (uint16_t)v;
		break;
	case RES_U32:
		*(uint32_t *)(void *)p = (uint32_t)v;
		break;
	}
	r->set |= SLUICE_RES_BIT(f);
}

bool sluice_resources_empty(const struct sluice_resources *r)
{
	size_t throttles = 0;

	for (int i = 0; i < SLUICE_THROTTLE_COUNT; i++)
		throttles += r->block_io.n_throttle[i];
	return !r->set && !r->cpu.cpus && !r->cpu.mems && !r->block_io.n_weight_device &&
	       !throttles && !r->n_hugepage_limits && !r->network.n_priorities && !r->n_rdma &&
	       !r->n_unified && !r->n_devices;
}

/* A value a new cgroup has anyway, or that means "not set" (0 for what
 * runc reads so, -1 unlimited, the OOM killer on, hierarchical accounting):
 * it asks for nothing a cgroup would have to do. */
static bool neutral(const struct sluice_resources *r, enum sluice_res_field f)
{
	int64_t v = config_res_get(r, f);

	switch (f) {
	case SLUICE_RES_MEMORY_LIMIT:
	case SLUICE_RES_MEMORY_RESERVATION:
	case SLUICE_RES_MEMORY_SWAP:
	case SLUICE_RES_MEMORY_KERNEL:
	case SLUICE_RES_MEMORY_KERNEL_TCP:
	case SLUICE_RES_CPU_QUOTA:
	case SLUICE_RES_CPU_REALTIME_RUNTIME:
		return v == 0 || v == -1;
	case SLUICE_RES_PIDS_LIMIT:
		return v == -1; /* 0 is a limit (config-linux.md) */
	case SLUICE_RES_MEMORY_DISABLE_OOM_KILLER:
	case SLUICE_RES_CPU_SHARES:
	case SLUICE_RES_CPU_PERIOD:
	case SLUICE_RES_CPU_BURST:
	case SLUICE_RES_CPU_REALTIME_PERIOD:
	case SLUICE_RES_CPU_IDLE:
	case SLUICE_RES_BLKIO_WEIGHT:
	case SLUICE_RES_BLKIO_LEAF_WEIGHT:
	case SLUICE_RES_NETWORK_CLASS_ID:
		return v == 0;
	case SLUICE_RES_MEMORY_USE_HIERARCHY:
		return v == 1;
	case SLUICE_RES_MEMORY_CHECK_BEFORE_UPDATE:
		return true; /* about updates, not a limit */
	case SLUICE_RES_MEMORY_SWAPPINESS:
	case SLUICE_RES_FIELD_COUNT:
		break;
	}
	return false;
}

/* A cgroup is made only for what needs one: docker's "cpu.shares: 0,
 * blockIO.weight: 0, memory.disableOOMKiller: false" asks for nothing
 * (and so runs rootless without a delegated cgroup); a cgroupsPath asks
 * for the cgroup itself. */
bool sluice_config_wants_cgroup(const struct sluice_config *c)
{
	const struct sluice_resources *r = &c->linux.resources;
	struct sluice_resources lists = *r;

	if (c->linux.cgroups_path)
		return true;
	for (int f = 0; f < SLUICE_RES_FIELD_COUNT; f++)
		if ((r->set & SLUICE_RES_BIT(f)) && !neutral(r, (enum sluice_res_field)f))
			return true;
	lists.set = 0;
	return !sluice_resources_empty(&lists);
}

void config_hugepages_free(struct sluice_hugepage_limit *h, size_t n)
{
	for (size_t i = 0; h && i < n; i++)
		free(h[i].page_size);
	free(h);
}

void config_priorities_free(struct sluice_net_priority *p, size_t n)
{
	for (size_t i = 0; p && i < n; i++)
		free(p[i].name);
	free(p);
}

void config_rdma_free(struct sluice_rdma_limit *d, size_t n)
{
	for (size_t i = 0; d && i < n; i++)
		free(d[i].device);
	free(d);
}

void config_unified_free(struct sluice_unified_entry *u, size_t n)
{
	for (size_t i = 0; u && i < n; i++) {
		free(u[i].key);
		free(u[i].value);
	}
	free(u);
}

void sluice_resources_free(struct sluice_resources *r)
{
	free(r->cpu.cpus);
	free(r->cpu.mems);
	free(r->block_io.weight_device);
	for (int i = 0; i < SLUICE_THROTTLE_COUNT; i++)
		free(r->block_io.throttle[i]);
	config_hugepages_free(r->hugepage_limits, r->n_hugepage_limits);
	config_priorities_free(r->network.priorities, r->network.n_priorities);
	config_rdma_free(r->rdma, r->n_rdma);
	config_unified_free(r->unified, r->n_unified);
	free(r->devices);
	memset(r, 0, sizeof(*r));
}

/* ---- checks that need more than one field ---- */

static bool given(const struct sluice_resources *r, enum sluice_res_field f)
{
	return (r->set & SLUICE_RES_BIT(f)) != 0;
}

static int check_memory(const struct sluice_config *c, struct sluice_error *err)
{
	const struct sluice_resources *r = &c->linux.resources;

	/* OCI swap is memory+swap: below the memory limit it means nothing */
	if (given(r, SLUICE_RES_MEMORY_SWAP) && given(r, SLUICE_RES_MEMORY_LIMIT) &&
	    r->memory.swap > 0 && r->memory.limit > 0 && r->memory.swap < r->memory.limit)
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
				  "%s: linux.resources.memory.swap (%" PRId64
				  ") is memory+swap: it must be at least memory.limit (%" PRId64
				  ") or -1",
				  SRC(c), r->memory.swap, r->memory.limit);
	if (given(r, SLUICE_RES_MEMORY_SWAP) && r->memory.swap > 0 &&
	    (!given(r, SLUICE_RES_MEMORY_LIMIT) || r->memory.limit <= 0))
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
				  "%s: linux.resources.memory.swap needs memory.limit (swap is "
				  "counted as memory+swap)",
				  SRC(c));
	return 0;
}

static int check_cpu(const struct sluice_config *c, struct sluice_error *err)
{
	const struct sluice_resources *r = &c->linux.resources;

	if (given(r, SLUICE_RES_CPU_BURST) && given(r, SLUICE_RES_CPU_QUOTA) && r->cpu.quota > 0 &&
	    r->cpu.burst > (uint64_t)r->cpu.quota)
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
				  "%s: linux.resources.cpu.burst (%" PRIu64
				  ") must not exceed cpu.quota (%" PRId64 ")",
				  SRC(c), r->cpu.burst, r->cpu.quota);
	return 0;
}

/* A path below a hierarchy's root: no "..", which would leave the caller's
 * cgroup for a relative path, and no systemd slice:prefix:name spelling,
 * which only a systemd cgroup driver understands. */
static int check_cgroups_path(const struct sluice_config *c, struct sluice_error *err)
{
	const char *p = c->linux.cgroups_path, *colon;
	size_t len;

	if (!p)
		return 0;
	for (const char *s = p; *s;) {
		len = strcspn(s, "/");
		if (len == 2 && s[0] == '.' && s[1] == '.')
			return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
					  "%s: linux.cgroupsPath \"%s\": \"..\" is not allowed",
					  SRC(c), p);
		s += len;
		s += strspn(s, "/");
	}
	if (strspn(p, "/.") == strlen(p))
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
				  "%s: linux.cgroupsPath \"%s\" names %s, not a cgroup of its own",
				  SRC(c), p,
				  p[0] == '/' ? "the root cgroup" : "the caller's cgroup");
	colon = strchr(p, ':');
	if (p[0] != '/' && colon && strchr(colon + 1, ':') && colon - p > 6 &&
	    !strncmp(colon - 6, ".slice", 6))
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
				  "%s: linux.cgroupsPath \"%s\" is a systemd slice:prefix:name: "
				  "sluice manages cgroupfs itself (no systemd driver); give a path "
				  "(podman: --cgroup-manager=cgroupfs)",
				  SRC(c), p);
	return 0;
}

int config_check_resources(const struct sluice_config *c, struct sluice_error *err)
{
	if (check_memory(c, err) < 0 || check_cpu(c, err) < 0 || check_cgroups_path(c, err) < 0)
		return -1;
	return 0;
}

/* ---- command-line edits ---- */

int sluice_parse_size(const char *text, int64_t *out)
{
	static const char units[] = "kmgt";
	char *end;
	double v;
	const char *u;
	int shift = 0;

	if (!text[0] || !isdigit((unsigned char)text[0]))
		return -EINVAL;
	errno = 0;
	v = strtod(text, &end);
	if (errno || end == text)
		return -EINVAL;
	if (*end && (u = strchr(units, tolower((unsigned char)*end)))) {
		shift = 10 * (int)(u - units + 1);
		end++;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end)
		return -EINVAL;
	v *= (double)(UINT64_C(1) << shift);
	if (!isfinite(v) || v >= 9.2e18 || v < 1)
		return -ERANGE;
	*out = (int64_t)v;
	return 0;
}

static bool is_unlimited(const char *text)
{
	return !strcmp(text, "max") || !strcmp(text, "-1") || !strcmp(text, "unlimited");
}

int sluice_config_set_memory(struct sluice_config *c, const char *opt, const char *text,
			     struct sluice_error *err)
{
	int64_t v = -1;

	if (!is_unlimited(text) && sluice_parse_size(text, &v) < 0)
		return sluice_err(err, SLUICE_EXIT_USAGE, 0,
				  "%s %s: expected a size in bytes (512m, 1g, 1073741824) or max",
				  opt, text);
	config_res_put(&c->linux.resources, SLUICE_RES_MEMORY_LIMIT, v);
	return 0;
}

int sluice_config_set_pids_limit(struct sluice_config *c, const char *opt, const char *text,
				 struct sluice_error *err)
{
	char *end;
	long long v = -1;

	if (!is_unlimited(text)) {
		errno = 0;
		v = strtoll(text, &end, 10);
		if (errno || end == text || *end || v < 0 || !isdigit((unsigned char)text[0]))
			return sluice_err(err, SLUICE_EXIT_USAGE, 0,
					  "%s %s: expected a number of processes or max", opt, text);
	}
	config_res_put(&c->linux.resources, SLUICE_RES_PIDS_LIMIT, v);
	return 0;
}

/* docker run --cpus: quota per a 100 ms period.  The kernel's smallest
 * quota is 1 ms, so 0.01 CPU is the least. */
int sluice_config_set_cpus(struct sluice_config *c, const char *opt, const char *text,
			   struct sluice_error *err)
{
	const uint64_t period = 100000;
	char *end;
	double v;

	errno = 0;
	v = strtod(text, &end);
	if (errno || end == text || *end || !isdigit((unsigned char)text[0]) || !(v >= 0.01) ||
	    v > 100000)
		return sluice_err(err, SLUICE_EXIT_USAGE, 0,
				  "%s %s: expected a number of CPUs from 0.01 (1.5 = one and a "
				  "half)",
				  opt, text);
	config_res_put(&c->linux.resources, SLUICE_RES_CPU_PERIOD, (int64_t)period);
	config_res_put(&c->linux.resources, SLUICE_RES_CPU_QUOTA,
		       (int64_t)(v * (double)period + 0.5));
	return 0;
}
