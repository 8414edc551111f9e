/* Loading where and how the workload runs: process.scheduler
 * (sched_setattr), process.ioPriority (ioprio_set), process.execCPUAffinity
 * (the CPUs of the processes `sluice exec` starts) and linux.memoryPolicy
 * (set_mempolicy).  config.md and config-linux.md of the OCI spec; what the
 * kernel alone can judge (a deadline's bandwidth, a CPU or node that is
 * offline) is its answer at start, the rest is refused here. */
#include "config_internal.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif

/* Every name table here is indexed by the kernel's value (a flag's by its
 * bit), NULL where Linux has no such value; one lookup (choice_index) and
 * one error (get_choice) serve them all, the memory policy's shared
 * tables (config.h) included. */

/* SCHED_ISO (4) is in the spec's list but reserved in Linux: never
 * accepted by the kernel, so refused with the reason (load_policy). */
static const char *const policies[] = {
	[SCHED_OTHER] = "SCHED_OTHER", [SCHED_FIFO] = "SCHED_FIFO",
	[SCHED_RR] = "SCHED_RR",       [SCHED_BATCH] = "SCHED_BATCH",
	[SCHED_IDLE] = "SCHED_IDLE",   [SCHED_DEADLINE] = "SCHED_DEADLINE",
};

/* include/uapi/linux/sched.h, by bit */
static const char *const sched_flags[] = {
	"SCHED_FLAG_RESET_ON_FORK",  "SCHED_FLAG_RECLAIM",     "SCHED_FLAG_DL_OVERRUN",
	"SCHED_FLAG_KEEP_POLICY",    "SCHED_FLAG_KEEP_PARAMS", "SCHED_FLAG_UTIL_CLAMP_MIN",
	"SCHED_FLAG_UTIL_CLAMP_MAX",
};

/* include/uapi/linux/ioprio.h (0, IOPRIO_CLASS_NONE, is not the spec's) */
static const char *const io_classes[] = {
	[1] = "IOPRIO_CLASS_RT",
	[2] = "IOPRIO_CLASS_BE",
	[3] = "IOPRIO_CLASS_IDLE",
};

static int choice_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return (int)i;
	return -1;
}

static const char *choice_name(const char *const *names, size_t n, uint64_t i)
{
	return i < n ? names[i] : NULL;
}

/* "PATH: unknown value "S" (one of A, B, ...)" */
static int choice_fail(struct config_load *L, const struct config_node *v, const char *path,
		       const char *const *names, size_t n, const char *s)
{
	char list[256] = "";

	for (size_t i = 0; i < n; i++) {
		if (!names[i])
			continue;
		strncat(list, list[0] ? ", " : "", sizeof(list) - strlen(list) - 1);
		strncat(list, names[i], sizeof(list) - strlen(list) - 1);
	}
	return config_fail(L, v, "%s: unknown value \"%s\" (one of %s)", path, s, list);
}

/* A string naming one entry of names: its index in *out. */
static int get_choice(struct config_load *L, const struct config_node *v, const char *path,
		      const char *const *names, size_t n, int *out)
{
	cleanup_free char *s = NULL;
	int r = config_get_string(L, v, path, &s);

	if (r < 0)
		return r;
	*out = choice_index(names, n, s);
	return *out < 0 ? choice_fail(L, v, path, names, n, s) : 0;
}

/* A list of names of bits (names by bit): the bits, from bit shift up. */
static int get_choice_bits(struct config_load *L, const struct config_node *v, const char *path,
			   const char *const *names, size_t n, unsigned shift, uint64_t *out)
{
	uint64_t bits = 0;
	int r = config_expect_seq(L, v, path, "strings");

	for (size_t i = 0; r == 0 && i < v->n; i++) {
		char ipath[256];
		int bit;

		config_path_index(ipath, sizeof(ipath), path, i);
		r = get_choice(L, v->items[i], ipath, names, n, &bit);
		if (r == 0)
			bits |= UINT64_C(1) << (shift + (unsigned)bit);
	}
	if (r == 0)
		*out = bits;
	return r;
}

static struct sluice_sched *sched_of(void *obj)
{
	return &((struct sluice_config *)obj)->process.scheduler;
}

static int load_policy(struct config_load *L, const struct config_node *v, void *obj,
		       const char *path)
{
	int p = 0;

	if (v->kind == CONFIG_SCALAR && !strcmp(v->value, "SCHED_ISO"))
		return config_fail(L, v, "%s: SCHED_ISO is reserved: Linux does not implement it",
				   path);
	if (get_choice(L, v, path, policies, N_ELEMS(policies), &p) < 0)
		return -1;
	sched_of(obj)->policy = (uint32_t)p;
	return 0;
}

static int load_nice(struct config_load *L, const struct config_node *v, void *obj, const char *path)
{
	int64_t n;

	if (config_get_int(L, v, path, -20, 19, &n) < 0)
		return -1;
	sched_of(obj)->nice = (int32_t)n;
	return 0;
}

static int load_priority(struct config_load *L, const struct config_node *v, void *obj,
			 const char *path)
{
	int64_t n;

	if (config_get_int(L, v, path, 0, 99, &n) < 0)
		return -1;
	sched_of(obj)->priority = (uint32_t)n;
	return 0;
}

static int load_flags(struct config_load *L, const struct config_node *v, void *obj,
		      const char *path)
{
	return get_choice_bits(L, v, path, sched_flags, N_ELEMS(sched_flags), 0,
			       &sched_of(obj)->flags);
}

static int load_runtime(struct config_load *L, const struct config_node *v, void *obj,
			const char *path)
{
	return config_get_u64(L, v, path, &sched_of(obj)->runtime);
}

static int load_deadline(struct config_load *L, const struct config_node *v, void *obj,
			 const char *path)
{
	return config_get_u64(L, v, path, &sched_of(obj)->deadline);
}

static int load_period(struct config_load *L, const struct config_node *v, void *obj,
		       const char *path)
{
	return config_get_u64(L, v, path, &sched_of(obj)->period);
}

static const struct config_field sched_fields[] = {
	{ "policy", load_policy }, { "nice", load_nice },	{ "priority", load_priority },
	{ "flags", load_flags },   { "runtime", load_runtime }, { "deadline", load_deadline },
	{ "period", load_period },
};

/* What sched_setattr(2) would refuse with a bare EINVAL, said here. */
static int check_sched(struct config_load *L, const struct config_node *v, const char *path,
		       const struct sluice_sched *s)
{
	bool rt = s->policy == SCHED_FIFO || s->policy == SCHED_RR;
	uint64_t period = s->period ? s->period : s->deadline;

	if (rt && s->priority == 0)
		return config_fail(L, v, "%s.priority: SCHED_FIFO and SCHED_RR need 1..99", path);
	if (!rt && s->priority)
		return config_fail(L, v, "%s.priority: only SCHED_FIFO and SCHED_RR have one (0)",
				   path);
	if (s->policy != SCHED_DEADLINE && (s->runtime || s->deadline || s->period))
		return config_fail(L, v, "%s: runtime, deadline and period are SCHED_DEADLINE's",
				   path);
	if (s->policy == SCHED_DEADLINE &&
	    !(s->runtime && s->runtime <= s->deadline && s->deadline <= period))
		return config_fail(L, v,
				   "%s: SCHED_DEADLINE needs 0 < runtime <= deadline <= period "
				   "(a period of 0 is the deadline)",
				   path);
	return 0;
}

int config_load_scheduler(struct config_load *L, const struct config_node *v, void *obj,
			  const char *path)
{
	struct sluice_sched *s = sched_of(obj);

	memset(s, 0, sizeof(*s));
	if (config_walk_map(L, v, sched_fields, N_ELEMS(sched_fields), obj, path) < 0)
		return -1;
	if (!config_map_get(v, "policy"))
		return config_missing(L, v, path, "policy");
	if (check_sched(L, v, path, s) < 0)
		return -1;
	s->set = true;
	return 0;
}

static int load_io_class(struct config_load *L, const struct config_node *v, void *obj,
			 const char *path)
{
	return get_choice(L, v, path, io_classes, N_ELEMS(io_classes),
			  &((struct sluice_config *)obj)->process.io_priority.ioclass);
	return 0;
}

static int load_io_level(struct config_load *L, const struct config_node *v, void *obj,
			 const char *path)
{
	int64_t n;

	if (config_get_int(L, v, path, 0, 7, &n) < 0)
		return -1;
	((struct sluice_config *)obj)->process.io_priority.priority = (int)n;
	return 0;
}

static const struct config_field io_fields[] = {
	{ "class", load_io_class },
	{ "priority", load_io_level },
};

int config_load_io_priority(struct config_load *L, const struct config_node *v, void *obj,
			    const char *path)
{
	struct sluice_config *c = obj;

	if (config_walk_map(L, v, io_fields, N_ELEMS(io_fields), obj, path) < 0)
		return -1;
	if (!config_map_get(v, "class"))
		return config_missing(L, v, path, "class");
	if (!config_map_get(v, "priority"))
		return config_missing(L, v, path, "priority");
	c->process.io_priority.set = true;
	return 0;
}

/* A CPU or node list (what: "CPU", "node"), checked whole
 * (sluice_bit_list) up to max; "" is "not given", as the spec says of an
 * empty final. */
static int load_bit_list(struct config_load *L, const struct config_node *v, const char *path,
			 const char *what, long max, char **out)
{
	cleanup_free char *s = NULL;
	cpu_set_t *set = NULL;
	size_t size;
	int r = config_get_string(L, v, path, &s);

	if (r < 0)
		return r;
	free(*out);
	*out = NULL;
	if (!s[0])
		return 0;
	r = sluice_bit_list(s, max, &set, &size);
	CPU_FREE(set);
	if (r == -ENOMEM)
		return config_nomem(L);
	if (r < 0)
		return config_fail(L, v,
				   "%s: expected a %s list such as 0-3,7 (%ss 0..%ld), got \"%s\"",
				   path, what, what, max, s);
	*out = steal_ptr(&s);
	return 0;
}

static int load_initial(struct config_load *L, const struct config_node *v, void *obj,
			const char *path)
{
	return load_bit_list(L, v, path, "CPU", SLUICE_CPU_MAX,
			     &((struct sluice_config *)obj)->process.exec_cpus.initial);
}

static int load_final(struct config_load *L, const struct config_node *v, void *obj,
		      const char *path)
{
	return load_bit_list(L, v, path, "CPU", SLUICE_CPU_MAX,
			     &((struct sluice_config *)obj)->process.exec_cpus.final);
}

static const struct config_field cpu_fields[] = {
	{ "initial", load_initial },
	{ "final", load_final },
};

int config_load_exec_cpus(struct config_load *L, const struct config_node *v, void *obj,
			  const char *path)
{
	return config_walk_map(L, v, cpu_fields, N_ELEMS(cpu_fields), obj, path);
}

const char *config_sched_policy_name(uint32_t policy)
{
	return choice_name(policies, N_ELEMS(policies), policy);
}

const char *config_sched_flag_name(uint64_t flag)
{
	for (size_t i = 0; i < N_ELEMS(sched_flags); i++)
		if (flag == UINT64_C(1) << i)
			return sched_flags[i];
	return NULL;
}

const char *config_io_class_name(int ioclass)
{
	return ioclass < 0 ? NULL : choice_name(io_classes, N_ELEMS(io_classes), (uint64_t)ioclass);
}

/* include/uapi/linux/mempolicy.h: the modes by value, the flags by bit
 * from SLUICE_MPOL_FLAG_SHIFT (MPOL_F_NUMA_BALANCING, _RELATIVE_NODES,
 * _STATIC_NODES). */
const char *const sluice_mpol_mode_names[SLUICE_MPOL_MODE_COUNT] = {
	"MPOL_DEFAULT",
	"MPOL_PREFERRED",
	"MPOL_BIND",
	"MPOL_INTERLEAVE",
	"MPOL_LOCAL",
	"MPOL_PREFERRED_MANY",
	"MPOL_WEIGHTED_INTERLEAVE",
};
const char *const sluice_mpol_flag_names[SLUICE_MPOL_FLAG_COUNT] = {
	"MPOL_F_NUMA_BALANCING",
	"MPOL_F_RELATIVE_NODES",
	"MPOL_F_STATIC_NODES",
};

enum {
	MPOL_DEFAULT_,
	MPOL_PREFERRED_,
	MPOL_BIND_,
	MPOL_INTERLEAVE_,
	MPOL_LOCAL_
};
#define MPOL_F_RELATIVE (1U << (SLUICE_MPOL_FLAG_SHIFT + 1))
#define MPOL_F_STATIC (1U << (SLUICE_MPOL_FLAG_SHIFT + 2))

static int load_mpol_mode(struct config_load *L, const struct config_node *v, void *obj,
			  const char *path)
{
	return get_choice(L, v, path, sluice_mpol_mode_names, SLUICE_MPOL_MODE_COUNT,
			  &((struct sluice_config *)obj)->linux.memory_policy.mode);
}

static int load_mpol_flags(struct config_load *L, const struct config_node *v, void *obj,
			   const char *path)
{
	uint64_t bits = 0;

	if (get_choice_bits(L, v, path, sluice_mpol_flag_names, SLUICE_MPOL_FLAG_COUNT,
			    SLUICE_MPOL_FLAG_SHIFT, &bits) < 0)
		return -1;
	((struct sluice_config *)obj)->linux.memory_policy.flags = (unsigned)bits;
	return 0;
}

static int load_mpol_nodes(struct config_load *L, const struct config_node *v, void *obj,
			   const char *path)
{
	return load_bit_list(L, v, path, "node", SLUICE_NODE_MAX,
			     &((struct sluice_config *)obj)->linux.memory_policy.nodes);
}

static const struct config_field mpol_fields[] = {
	{ "mode", load_mpol_mode },
	{ "nodes", load_mpol_nodes },
	{ "flags", load_mpol_flags },
};

/* What set_mempolicy(2) would answer with a bare EINVAL, said here. */
static int check_mpol(struct config_load *L, const struct config_node *v, const char *path,
		      int mode, unsigned flags, const char *nodes)
{
	const char *name = sluice_mpol_mode_names[mode];

	if ((mode == MPOL_DEFAULT_ || mode == MPOL_LOCAL_) && nodes)
		return config_fail(L, v, "%s: %s takes no nodes", path, name);
	if (mode != MPOL_DEFAULT_ && mode != MPOL_LOCAL_ && mode != MPOL_PREFERRED_ && !nodes)
		return config_fail(L, v, "%s: %s needs nodes", path, name);
	if ((flags & MPOL_F_RELATIVE) && (flags & MPOL_F_STATIC))
		return config_fail(L, v,
				   "%s: MPOL_F_RELATIVE_NODES and MPOL_F_STATIC_NODES exclude each "
				   "other",
				   path);
	if (mode == MPOL_DEFAULT_ && flags)
		return config_fail(L, v, "%s: MPOL_DEFAULT takes no flags", path);
	return 0;
}

int config_load_memory_policy(struct config_load *L, const struct config_node *v, void *obj,
			      const char *path)
{
	struct sluice_config *c = obj;

	free(c->linux.memory_policy.nodes);
	memset(&c->linux.memory_policy, 0, sizeof(c->linux.memory_policy));
	if (config_walk_map(L, v, mpol_fields, N_ELEMS(mpol_fields), obj, path) < 0)
		return -1;
	if (!config_map_get(v, "mode"))
		return config_missing(L, v, path, "mode");
	if (check_mpol(L, v, path, c->linux.memory_policy.mode, c->linux.memory_policy.flags,
		       c->linux.memory_policy.nodes) < 0)
		return -1;
	c->linux.memory_policy.set = true;
	return 0;
}
