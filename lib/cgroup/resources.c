/* linux.resources -> cgroup files: which controller each field needs, and
 * the writes for memory, cpu, cpuset and pids on v1 and v2
 * (resources_io.c has blockIO, hugepageLimits, network, rdma, unified).
 *
 * A field is written only when the config gives it.  As runc reads the
 * spec, 0 means "not set" for memory limit/reservation/swap/kernel/
 * kernelTCP and cpu shares/quota/period/realtime*: Go runtimes write zeros
 * for what they leave unset.  Where v2 has no equivalent (swappiness,
 * disabling the OOM killer, realtime bandwidth, kernel memory) the field is
 * a config error on v2, naming it, never a silent no-op. */
#include "cgroup_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define SET(r, f) (((r)->set & SLUICE_RES_BIT(SLUICE_RES_##f)) != 0)
#define NAME(f) sluice_res_field_name(SLUICE_RES_##f)

/* The controller each scalar field of linux.resources needs. */
static const enum cg_ctrl field_ctrl[SLUICE_RES_FIELD_COUNT] = {
	[SLUICE_RES_MEMORY_LIMIT] = CG_MEMORY,
	[SLUICE_RES_MEMORY_RESERVATION] = CG_MEMORY,
	[SLUICE_RES_MEMORY_SWAP] = CG_MEMORY,
	[SLUICE_RES_MEMORY_KERNEL] = CG_MEMORY,
	[SLUICE_RES_MEMORY_KERNEL_TCP] = CG_MEMORY,
	[SLUICE_RES_MEMORY_SWAPPINESS] = CG_MEMORY,
	[SLUICE_RES_MEMORY_DISABLE_OOM_KILLER] = CG_MEMORY,
	[SLUICE_RES_MEMORY_USE_HIERARCHY] = CG_MEMORY,
	[SLUICE_RES_MEMORY_CHECK_BEFORE_UPDATE] = CG_MEMORY,
	[SLUICE_RES_CPU_SHARES] = CG_CPU,
	[SLUICE_RES_CPU_QUOTA] = CG_CPU,
	[SLUICE_RES_CPU_BURST] = CG_CPU,
	[SLUICE_RES_CPU_PERIOD] = CG_CPU,
	[SLUICE_RES_CPU_REALTIME_RUNTIME] = CG_CPU,
	[SLUICE_RES_CPU_REALTIME_PERIOD] = CG_CPU,
	[SLUICE_RES_CPU_IDLE] = CG_CPU,
	[SLUICE_RES_PIDS_LIMIT] = CG_PIDS,
	[SLUICE_RES_BLKIO_WEIGHT] = CG_BLKIO,
	[SLUICE_RES_BLKIO_LEAF_WEIGHT] = CG_BLKIO,
	[SLUICE_RES_NETWORK_CLASS_ID] = CG_NET_CLS,
};

static void need(uint32_t *mask, const char *field[CG_CTRL_COUNT], enum cg_ctrl c, const char *f)
{
	if (!(*mask & CG_BIT(c)))
		field[c] = f;
	*mask |= CG_BIT(c);
}

uint32_t cg_res_controllers(const struct sluice_resources *r, const char *field[CG_CTRL_COUNT])
{
	uint32_t mask = 0;
	size_t throttles = 0;

	for (int f = 0; f < SLUICE_RES_FIELD_COUNT; f++)
		if (r->set & SLUICE_RES_BIT(f))
			need(&mask, field, field_ctrl[f],
			     sluice_res_field_name((enum sluice_res_field)f));
	if (r->cpu.cpus)
		need(&mask, field, CG_CPUSET, "linux.resources.cpu.cpus");
	if (r->cpu.mems)
		need(&mask, field, CG_CPUSET, "linux.resources.cpu.mems");
	for (int t = 0; t < SLUICE_THROTTLE_COUNT; t++)
		throttles += r->block_io.n_throttle[t];
	if (r->block_io.n_weight_device || throttles)
		need(&mask, field, CG_BLKIO, "linux.resources.blockIO");
	if (r->n_hugepage_limits)
		need(&mask, field, CG_HUGETLB, "linux.resources.hugepageLimits");
	if (r->network.n_priorities)
		need(&mask, field, CG_NET_PRIO, "linux.resources.network.priorities");
	if (r->n_rdma)
		need(&mask, field, CG_RDMA, "linux.resources.rdma");
	if (r->n_devices)
		need(&mask, field, CG_DEVICES, "linux.resources.devices");
	return mask;
}

int cg_res_unified_ctrl(const char *key)
{
	char name[32];
	size_t n = strcspn(key, ".");

	if (n >= sizeof(name))
		return -1;
	memcpy(name, key, n);
	name[n] = '\0';
	return cg_ctrl_from_name(name);
}

const char *cg_dir_of(const struct sluice_cgroup *cg, enum cg_ctrl ctrl)
{
	for (size_t i = 0; i < cg->n; i++) {
		const struct cg_hier *h = &cg->L.h[cg->d[i].hier];
		if (!h->v2 && (h->ctrls & CG_BIT(ctrl)))
			return cg->d[i].path;
	}
	if (cg->v2dir < 0)
		return NULL;
	/* no v1 hierarchy: v2 serves it, with a controller of its own or
	 * with the core files (devices: BPF, freezer: cgroup.freeze) */
	if ((cg->ctrls & CG_BIT(ctrl)) || ctrl == CG_DEVICES || ctrl == CG_FREEZER ||
	    ctrl == CG_CPUACCT)
		return cg->d[cg->v2dir].path;
	return NULL;
}

bool cg_dir_is_v2(const struct sluice_cgroup *cg, const char *dir)
{
	return cg->v2dir >= 0 && dir == cg->d[cg->v2dir].path;
}

/* ---- memory ---- */

static void fmt_i64(char *buf, size_t len, int64_t v, const char *unlimited)
{
	if (v < 0)
		snprintf(buf, len, "%s", unlimited);
	else
		snprintf(buf, len, "%" PRId64, v);
}

/* The kernel has ignored kmem.limit_in_bytes since Linux 5.16 (writes
 * succeed, the value stays unlimited): read it back, so that a limit that
 * would not be enforced is refused instead of reported as set. */
static int memory_v1_kernel(const char *dir, int64_t v, const char *src, struct sluice_error *err)
{
	uint64_t back = 0;
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);

	if (v == 0 || v == -1)
		return 0;
	if (cg_writef(dir, "memory.kmem.limit_in_bytes", NAME(MEMORY_KERNEL), src, err, "%" PRId64,
		      v) < 0)
		return -1;
	if (cg_read_u64(dir, "memory.kmem.limit_in_bytes", &back) == 0 &&
	    back == (uint64_t)v / page * page)
		return 0;
	return cg_fail_config(err, src, NAME(MEMORY_KERNEL),
			      "this kernel does not enforce kernel memory limits (%s/"
			      "memory.kmem.limit_in_bytes reads %" PRIu64 " after writing %" PRId64
			      "); leave it unset or -1",
			      dir, back, v);
}

/* memory+swap may never be below memory: write whichever keeps that true. */
static int memory_v1_limits(const char *dir, const struct sluice_resources *r, const char *src,
			    struct sluice_error *err)
{
	bool limit = SET(r, MEMORY_LIMIT) && r->memory.limit != 0;
	bool swap = SET(r, MEMORY_SWAP) && r->memory.swap != 0;
	char lim[32], sw[32];
	uint64_t cur = UINT64_MAX;
	bool swap_first;

	fmt_i64(lim, sizeof(lim), r->memory.limit, "-1");
	fmt_i64(sw, sizeof(sw), r->memory.swap, "-1");
	/* unlimited memory with no word on swap: unlimited swap too (runc) */
	if (limit && r->memory.limit < 0 && !swap && cg_exists(dir, "memory.memsw.limit_in_bytes")) {
		swap = true;
		snprintf(sw, sizeof(sw), "-1");
	}
	if (swap)
		(void)cg_read_u64(dir, "memory.memsw.limit_in_bytes", &cur);
	swap_first = swap && (sw[0] == '-' || (uint64_t)r->memory.swap >= cur);
	if (swap_first &&
	    cg_write(dir, "memory.memsw.limit_in_bytes", sw, NAME(MEMORY_SWAP), src, err) < 0)
		return -1;
	if (limit && cg_write(dir, "memory.limit_in_bytes", lim, NAME(MEMORY_LIMIT), src, err) < 0)
		return -1;
	if (swap && !swap_first &&
	    cg_write(dir, "memory.memsw.limit_in_bytes", sw, NAME(MEMORY_SWAP), src, err) < 0)
		return -1;
	return 0;
}

static int memory_v1(const char *dir, const struct sluice_resources *r, const char *src,
		     struct sluice_error *err)
{
	if (memory_v1_limits(dir, r, src, err) < 0)
		return -1;
	if (SET(r, MEMORY_RESERVATION) && r->memory.reservation != 0 &&
	    cg_writef(dir, "memory.soft_limit_in_bytes", NAME(MEMORY_RESERVATION), src, err,
		      "%" PRId64, r->memory.reservation) < 0)
		return -1;
	if (SET(r, MEMORY_KERNEL) && memory_v1_kernel(dir, r->memory.kernel, src, err) < 0)
		return -1;
	if (SET(r, MEMORY_KERNEL_TCP) && r->memory.kernel_tcp != 0 &&
	    cg_writef(dir, "memory.kmem.tcp.limit_in_bytes", NAME(MEMORY_KERNEL_TCP), src, err,
		      "%" PRId64, r->memory.kernel_tcp) < 0)
		return -1;
	if (SET(r, MEMORY_SWAPPINESS) && cg_writef(dir, "memory.swappiness", NAME(MEMORY_SWAPPINESS),
						   src, err, "%" PRIu64, r->memory.swappiness) < 0)
		return -1;
	if (SET(r, MEMORY_DISABLE_OOM_KILLER) &&
	    cg_write(dir, "memory.oom_control", r->memory.disable_oom_killer ? "1" : "0",
		     NAME(MEMORY_DISABLE_OOM_KILLER), src, err) < 0)
		return -1;
	if (SET(r, MEMORY_USE_HIERARCHY) &&
	    cg_write(dir, "memory.use_hierarchy", r->memory.use_hierarchy ? "1" : "0",
		     NAME(MEMORY_USE_HIERARCHY), src, err) < 0)
		return -1;
	return 0;
}

static int v2_lacks(const struct sluice_resources *r, const char *src, struct sluice_error *err)
{
	if (SET(r, MEMORY_KERNEL) && r->memory.kernel > 0)
		return cg_fail_config(err, src, NAME(MEMORY_KERNEL),
				      "cgroup v2 has no separate kernel memory limit (it is "
				      "counted in memory.limit); leave it unset or -1");
	if (SET(r, MEMORY_KERNEL_TCP) && r->memory.kernel_tcp > 0)
		return cg_fail_config(err, src, NAME(MEMORY_KERNEL_TCP),
				      "cgroup v2 has no separate TCP buffer limit (it is counted "
				      "in memory.limit); leave it unset or -1");
	if (SET(r, MEMORY_SWAPPINESS))
		return cg_fail_config(err, src, NAME(MEMORY_SWAPPINESS),
				      "cgroup v2 has no per-cgroup swappiness");
	if (SET(r, MEMORY_DISABLE_OOM_KILLER) && r->memory.disable_oom_killer)
		return cg_fail_config(err, src, NAME(MEMORY_DISABLE_OOM_KILLER),
				      "cgroup v2 cannot disable the OOM killer");
	if (SET(r, MEMORY_USE_HIERARCHY) && !r->memory.use_hierarchy)
		return cg_fail_config(err, src, NAME(MEMORY_USE_HIERARCHY),
				      "cgroup v2 accounting is always hierarchical");
	return 0;
}

/* checkBeforeUpdate: v2 would OOM-kill to get below a new limit; v1
 * refuses by itself, and so do we here. */
static int check_usage(const char *dir, const struct sluice_resources *r, const char *src,
		       struct sluice_error *err)
{
	uint64_t cur = 0;

	if (!SET(r, MEMORY_CHECK_BEFORE_UPDATE) || !r->memory.check_before_update ||
	    !SET(r, MEMORY_LIMIT) || r->memory.limit <= 0)
		return 0;
	if (cg_read_u64(dir, "memory.current", &cur) == 0 && cur > (uint64_t)r->memory.limit)
		return cg_fail_config(err, src, NAME(MEMORY_LIMIT),
				      "%" PRId64 " is below the current usage %" PRIu64
				      " (memory.checkBeforeUpdate)",
				      r->memory.limit, cur);
	return 0;
}

static int memory_v2(const char *dir, const struct sluice_resources *r, bool update,
		     const char *src, struct sluice_error *err)
{
	char buf[32];

	if (v2_lacks(r, src, err) < 0 || (update && check_usage(dir, r, src, err) < 0))
		return -1;
	/* OCI swap is memory+swap, v2's swap.max is swap alone */
	if (SET(r, MEMORY_SWAP) && r->memory.swap != 0) {
		if (r->memory.swap < 0)
			snprintf(buf, sizeof(buf), "max");
		else
			snprintf(buf, sizeof(buf), "%" PRId64, r->memory.swap - r->memory.limit);
		if (cg_write(dir, "memory.swap.max", buf, NAME(MEMORY_SWAP), src, err) < 0)
			return -1;
	}
	fmt_i64(buf, sizeof(buf), r->memory.limit, "max");
	if (SET(r, MEMORY_LIMIT) && r->memory.limit != 0 &&
	    cg_write(dir, "memory.max", buf, NAME(MEMORY_LIMIT), src, err) < 0)
		return -1;
	fmt_i64(buf, sizeof(buf), r->memory.reservation, "max");
	if (SET(r, MEMORY_RESERVATION) && r->memory.reservation != 0 &&
	    cg_write(dir, "memory.low", buf, NAME(MEMORY_RESERVATION), src, err) < 0)
		return -1;
	return 0;
}

/* ---- cpu ---- */

/* The kernel clamps cpu.shares to 2..262144 without saying so. */
static int cpu_v1_shares(const char *dir, uint64_t shares, const char *src, struct sluice_error *err)
{
	uint64_t back = 0;

	if (cg_writef(dir, "cpu.shares", NAME(CPU_SHARES), src, err, "%" PRIu64, shares) < 0)
		return -1;
	if (cg_read_u64(dir, "cpu.shares", &back) == 0 && back != shares)
		return cg_fail_config(err, src, NAME(CPU_SHARES),
				      "%" PRIu64 " is outside the kernel's range (it kept %" PRIu64
				      "; 2..262144)",
				      shares, back);
	return 0;
}

static int cpu_v1(const char *dir, const struct sluice_resources *r, const char *src,
		  struct sluice_error *err)
{
	if (SET(r, CPU_SHARES) && r->cpu.shares && cpu_v1_shares(dir, r->cpu.shares, src, err) < 0)
		return -1;
	if (SET(r, CPU_PERIOD) && r->cpu.period &&
	    cg_writef(dir, "cpu.cfs_period_us", NAME(CPU_PERIOD), src, err, "%" PRIu64,
		      r->cpu.period) < 0)
		return -1;
	if (SET(r, CPU_QUOTA) && r->cpu.quota &&
	    cg_writef(dir, "cpu.cfs_quota_us", NAME(CPU_QUOTA), src, err, "%" PRId64,
		      r->cpu.quota) < 0)
		return -1;
	if (SET(r, CPU_BURST) && cg_writef(dir, "cpu.cfs_burst_us", NAME(CPU_BURST), src, err,
					   "%" PRIu64, r->cpu.burst) < 0)
		return -1;
	/* the period first: the runtime must fit in it */
	if (SET(r, CPU_REALTIME_PERIOD) && r->cpu.realtime_period &&
	    cg_writef(dir, "cpu.rt_period_us", NAME(CPU_REALTIME_PERIOD), src, err, "%" PRIu64,
		      r->cpu.realtime_period) < 0)
		return -1;
	if (SET(r, CPU_REALTIME_RUNTIME) && r->cpu.realtime_runtime &&
	    cg_writef(dir, "cpu.rt_runtime_us", NAME(CPU_REALTIME_RUNTIME), src, err, "%" PRId64,
		      r->cpu.realtime_runtime) < 0)
		return -1;
	if (SET(r, CPU_IDLE) &&
	    cg_writef(dir, "cpu.idle", NAME(CPU_IDLE), src, err, "%" PRId64, r->cpu.idle) < 0)
		return -1;
	return 0;
}

/* runc's mapping of shares (2..262144) onto weight (1..10000). */
static uint64_t shares_to_weight(uint64_t shares)
{
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

static int cpu_v2_max(const char *dir, const struct sluice_resources *r, const char *src,
		      struct sluice_error *err)
{
	int64_t quota = SET(r, CPU_QUOTA) ? r->cpu.quota : 0;
	uint64_t period = SET(r, CPU_PERIOD) ? r->cpu.period : 0;
	char buf[64];
	int n;

	if (!quota && !period)
		return 0;
	n = quota > 0 ? snprintf(buf, sizeof(buf), "%" PRId64, quota) :
			snprintf(buf, sizeof(buf), "max");
	if (period)
		snprintf(buf + n, sizeof(buf) - (size_t)n, " %" PRIu64, period);
	return cg_write(dir, "cpu.max", buf, quota ? NAME(CPU_QUOTA) : NAME(CPU_PERIOD), src, err);
}

static int cpu_v2(const char *dir, const struct sluice_resources *r, const char *src,
		  struct sluice_error *err)
{
	if ((SET(r, CPU_REALTIME_RUNTIME) && r->cpu.realtime_runtime) ||
	    (SET(r, CPU_REALTIME_PERIOD) && r->cpu.realtime_period))
		return cg_fail_config(err, src,
				      SET(r, CPU_REALTIME_RUNTIME) ? NAME(CPU_REALTIME_RUNTIME) :
								     NAME(CPU_REALTIME_PERIOD),
				      "cgroup v2 has no realtime CPU bandwidth control");
	if (SET(r, CPU_SHARES) && r->cpu.shares &&
	    cg_writef(dir, "cpu.weight", NAME(CPU_SHARES), src, err, "%" PRIu64,
		      shares_to_weight(r->cpu.shares)) < 0)
		return -1;
	if (cpu_v2_max(dir, r, src, err) < 0)
		return -1;
	if (SET(r, CPU_BURST) && cg_writef(dir, "cpu.max.burst", NAME(CPU_BURST), src, err,
					   "%" PRIu64, r->cpu.burst) < 0)
		return -1;
	if (SET(r, CPU_IDLE) &&
	    cg_writef(dir, "cpu.idle", NAME(CPU_IDLE), src, err, "%" PRId64, r->cpu.idle) < 0)
		return -1;
	return 0;
}

static int cpuset(const char *dir, const struct sluice_resources *r, const char *src,
		  struct sluice_error *err)
{
	if (r->cpu.cpus &&
	    cg_write(dir, "cpuset.cpus", r->cpu.cpus, "linux.resources.cpu.cpus", src, err) < 0)
		return -1;
	if (r->cpu.mems &&
	    cg_write(dir, "cpuset.mems", r->cpu.mems, "linux.resources.cpu.mems", src, err) < 0)
		return -1;
	return 0;
}

static int pids(const char *dir, const struct sluice_resources *r, const char *src,
		struct sluice_error *err)
{
	char buf[32];

	if (!SET(r, PIDS_LIMIT))
		return 0;
	fmt_i64(buf, sizeof(buf), r->pids.limit, "max");
	return cg_write(dir, "pids.max", buf, NAME(PIDS_LIMIT), src, err);
}

/* resources_io.c */
int cg_res_blkio(const char *dir, bool v2, const struct sluice_resources *r, const char *src,
		 struct sluice_error *err);
int cg_res_hugetlb(const char *dir, bool v2, const struct sluice_resources *r, const char *src,
		   struct sluice_error *err);
int cg_res_net(const struct sluice_cgroup *cg, const struct sluice_resources *r, const char *src,
	       struct sluice_error *err);
int cg_res_rdma(const char *dir, const struct sluice_resources *r, const char *src,
		struct sluice_error *err);
int cg_res_unified(const char *dir, const struct sluice_resources *r, const char *src,
		   struct sluice_error *err);

static int devices(struct sluice_cgroup *cg, const struct sluice_resources *r, bool update,
		   struct sluice_error *err)
{
	const char *dir = cg_dir_of(cg, CG_DEVICES);
	struct sluice_device_rule *rules = NULL;
	size_t n = 0;
	int rc;

	if (!r->n_devices)
		return 0;
	if (cg_devices_rules(r, &rules, &n) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "cgroups: device rules");
	rc = cg_dir_is_v2(cg, dir) ? cg_devices_bpf_apply(dir, rules, n, update, cg->source, err) :
				     cg_devices_v1_apply(dir, rules, n, cg->source, err);
	free(rules);
	return rc;
}

/* Every controller a field needs has a directory: never skip a field. */
static int check_dirs(const struct sluice_cgroup *cg, const struct sluice_resources *r,
		      struct sluice_error *err)
{
	const char *field[CG_CTRL_COUNT] = { 0 };
	uint32_t need = cg_res_controllers(r, field);

	for (int ctrl = 0; ctrl < CG_CTRL_COUNT; ctrl++)
		if ((need & CG_BIT(ctrl)) && !cg_dir_of(cg, (enum cg_ctrl)ctrl))
			return cg_fail_config(err, cg->source, field[ctrl],
					      "the sandbox's cgroup is not in a hierarchy with the "
					      "%s controller",
					      cg_ctrl_names[ctrl]);
	if (r->n_unified && cg->v2dir < 0)
		return cg_fail_config(err, cg->source, "linux.resources.unified",
				      "the sandbox's cgroup is not in the cgroup v2 hierarchy");
	return 0;
}

int cg_res_apply(struct sluice_cgroup *cg, const struct sluice_config *c, bool update,
		 struct sluice_error *err)
{
	const struct sluice_resources *r = &c->linux.resources;
	const char *src = cg->source;
	const char *d;

	if (check_dirs(cg, r, err) < 0)
		return -1;

	if ((d = cg_dir_of(cg, CG_MEMORY)) &&
	    (cg_dir_is_v2(cg, d) ? memory_v2(d, r, update, src, err) : memory_v1(d, r, src, err)) <
		    0)
		return -1;
	if ((d = cg_dir_of(cg, CG_CPU)) &&
	    (cg_dir_is_v2(cg, d) ? cpu_v2(d, r, src, err) : cpu_v1(d, r, src, err)) < 0)
		return -1;
	if ((d = cg_dir_of(cg, CG_CPUSET)) && cpuset(d, r, src, err) < 0)
		return -1;
	if ((d = cg_dir_of(cg, CG_PIDS)) && pids(d, r, src, err) < 0)
		return -1;
	if ((d = cg_dir_of(cg, CG_BLKIO)) && cg_res_blkio(d, cg_dir_is_v2(cg, d), r, src, err) < 0)
		return -1;
	if ((d = cg_dir_of(cg, CG_HUGETLB)) &&
	    cg_res_hugetlb(d, cg_dir_is_v2(cg, d), r, src, err) < 0)
		return -1;
	if (cg_res_net(cg, r, src, err) < 0)
		return -1;
	if ((d = cg_dir_of(cg, CG_RDMA)) && cg_res_rdma(d, r, src, err) < 0)
		return -1;
	if (cg->v2dir >= 0 && cg_res_unified(cg->d[cg->v2dir].path, r, src, err) < 0)
		return -1;
	return devices(cg, r, update, err);
}
