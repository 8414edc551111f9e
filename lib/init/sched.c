/* process.scheduler, process.ioPriority, the final CPUs of
 * process.execCPUAffinity (config.md of the OCI spec) and
 * linux.memoryPolicy (config-linux.md).  Set in the helper while it still
 * has its capabilities (a real-time policy, a negative nice or the
 * real-time I/O class need CAP_SYS_NICE or CAP_SYS_ADMIN, as with runc),
 * and inherited by the workload across fork and exec. */
#include <errno.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "error.h"
#include "helper.h"
#include "util.h"

#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif
#define SCHED_FLAG_RESET_ON_FORK 0x01

/* struct sched_attr of sched_setattr(2), SCHED_ATTR_SIZE_VER1: the
 * utilisation clamps, which the spec gives no value for, stay 0, as runc
 * passes them. */
struct sched_attr_v1 {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
	uint32_t sched_util_min, sched_util_max;
};

/* ioprio_set(2): IOPRIO_WHO_PROCESS, class in the top bits */
#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_CLASS_SHIFT 13

int sluice_scheduler_apply(const struct sluice_config *c, bool forks, struct sluice_error *err)
{
	const struct sluice_sched *s = &c->process.scheduler;
	struct sched_attr_v1 a = {
		.size = sizeof(a),
		.sched_policy = s->policy,
		.sched_flags = s->flags,
		.sched_nice = s->nice,
		.sched_priority = s->priority,
		.sched_runtime = s->runtime,
		.sched_deadline = s->deadline,
		.sched_period = s->period,
	};

	if (!s->set)
		return 0;
	/* The init forks the workload: a deadline task cannot fork, and the
	 * workload of one that resets on fork would run without the policy. */
	if (forks && (s->policy == SCHED_DEADLINE || (s->flags & SCHED_FLAG_RESET_ON_FORK)))
		return sluice_err(
			err, SLUICE_EXIT_CONFIG, 0,
			"process.scheduler: %s would not reach the workload that sluice's "
			"init forks: run it without the init (--no-init, sluice.init: false)",
			s->policy == SCHED_DEADLINE ? "SCHED_DEADLINE" : "SCHED_FLAG_RESET_ON_FORK");
	if (syscall(SYS_sched_setattr, 0, &a, 0) == 0)
		return 0;
	if (errno == EPERM && s->policy == SCHED_DEADLINE)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno,
				  "process.scheduler: sched_setattr(SCHED_DEADLINE) (it needs "
				  "CAP_SYS_NICE and every CPU of the system allowed: no cpuset "
				  "restriction, no execCPUAffinity)");
	return sluice_err(err, SLUICE_EXIT_SETUP, errno,
			  "process.scheduler: sched_setattr(policy %u, nice %d, priority %u)",
			  s->policy, s->nice, s->priority);
}

int sluice_io_priority_apply(const struct sluice_config *c, struct sluice_error *err)
{
	int value = c->process.io_priority.ioclass << IOPRIO_CLASS_SHIFT |
		    c->process.io_priority.priority;

	if (!c->process.io_priority.set)
		return 0;
	if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, value) == 0)
		return 0;
	return sluice_err(err, SLUICE_EXIT_SETUP, errno,
			  "process.ioPriority: ioprio_set(class %d, priority %d)%s",
			  c->process.io_priority.ioclass, c->process.io_priority.priority,
			  c->process.io_priority.ioclass == 1 && errno == EPERM ?
				  " (the real-time class needs CAP_SYS_ADMIN or CAP_SYS_NICE)" :
				  "");
}

int sluice_cpu_affinity_apply(const char *list, const char *what, struct sluice_error *err)
{
	int r = list ? sluice_set_cpu_affinity(list) : 0;

	if (r == 0)
		return 0;
	return sluice_err(err, SLUICE_EXIT_SETUP, -r,
			  "process.execCPUAffinity.%s \"%s\": sched_setaffinity%s", what, list,
			  r == -EINVAL ? " (none of these CPUs is online and allowed here)" : "");
}

int sluice_memory_policy_apply(const struct sluice_config *c, struct sluice_error *err)
{
	const char *nodes = c->linux.memory_policy.nodes;
	cpu_set_t *set = NULL;
	size_t size = 0;
	int r = 0, mode = c->linux.memory_policy.mode | (int)c->linux.memory_policy.flags;

	if (!c->linux.memory_policy.set)
		return 0;
	if (nodes && (r = sluice_bit_list(nodes, SLUICE_NODE_MAX, &set, &size)) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -r, "linux.memoryPolicy.nodes");
	/* the mask is read as maxnode - 1 bits */
	if (syscall(SYS_set_mempolicy, mode, set, set ? size * 8 + 1 : 0) < 0)
		r = -errno;
	CPU_FREE(set);
	if (r == 0)
		return 0;
	return sluice_err(err, SLUICE_EXIT_SETUP, -r, "linux.memoryPolicy: set_mempolicy(%s%s%s)%s",
			  sluice_mpol_mode_names[c->linux.memory_policy.mode],
			  nodes ? ", nodes " : "", nodes ? nodes : "",
			  r == -EINVAL ?
				  " (nodes that are not online, or flags this kernel does not "
				  "take with the mode)" :
				  "");
}
