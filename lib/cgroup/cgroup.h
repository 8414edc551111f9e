/* Control groups for a sandbox: the runtime's side (docs/cgroups.md).
 *
 * One object, struct sluice_cgroup, stands for a sandbox's cgroup in every
 * hierarchy it uses: the v1 hierarchies of the controllers it needs, the
 * unified (v2) one, or both on a hybrid host.  The layout is detected once,
 * at create (or load), from /proc/self/mountinfo and the filesystems' types.
 *
 * Lifecycle, as `sluice run` uses it (lib/launch/launch.c):
 *   sluice_cgroup_create()   mkdir below the caller's cgroup (or at an
 *                            absolute linux.cgroupsPath), write every limit;
 *                            in two halves, sluice_cgroup_plan() before the
 *                            clone and sluice_cgroup_make() after it on v1
 *                            and hybrid hosts (before it on pure v2)
 *   sluice_cgroup_clone_fd() pure v2: the fd for clone3(CLONE_INTO_CGROUP)
 *   sluice_cgroup_enter()    otherwise: write the helper's pid to cgroup.procs
 *   ... the sandbox runs ...
 *   sluice_cgroup_oom()      did the kernel's OOM killer act?
 *   sluice_cgroup_destroy()  kill what is left, rmdir what sluice created
 *
 * The OCI commands store sluice_cgroup_describe()'s text in their state and
 * get the object back with sluice_cgroup_load() for start/kill/pause/update/
 * delete.  Errors: -1 with a struct sluice_error; a field the host's kernel
 * or layout cannot honour is SLUICE_EXIT_CONFIG (78) naming the field and
 * why; rootless without a delegated cgroup is 78 too.  Nothing here prints
 * or exits.  Never is a process moved out of a cgroup sluice did not create:
 * destroy kills what it finds, it does not migrate it. */
#ifndef SLUICE_CGROUP_H
#define SLUICE_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "sluice.h"

struct sluice_cgroup;

enum sluice_cgroup_mode {
	SLUICE_CGROUP_NONE,   /* no cgroup filesystem visible */
	SLUICE_CGROUP_V1,     /* v1 hierarchies only */
	SLUICE_CGROUP_V2,     /* cgroup2 only (controllers may still be bound to v1
			       * hierarchies elsewhere: then they are unavailable) */
	SLUICE_CGROUP_HYBRID, /* v1 controllers plus a cgroup2 mount */
};

struct sluice_cgroup_opts {
	/* With no linux.cgroupsPath: the leaf's name below the caller's own
	 * cgroup (the container id, as runc does).  NULL: a generated
	 * "sluice-PIDNS-PID-START" that a later start or `sluice cleanup`
	 * removes if the launcher died without removing it. */
	const char *name;
	/* Join every hierarchy (runc's behaviour, what OCI create wants, so
	 * that pause, stats and kill work whatever the resources), not only
	 * the ones the resources need. */
	bool join_all;
};

/* Detect the layout, create the cgroup(s) and write every limit of
 * c->linux.resources (devices included: v1 devices.allow/deny, or a
 * BPF_PROG_TYPE_CGROUP_DEVICE program on pure v2), using c->linux.cgroups_path
 * with runc's semantics.  On failure nothing is left behind. */
SLUICE_API int sluice_cgroup_create(const struct sluice_config *c,
				    const struct sluice_cgroup_opts *o, struct sluice_cgroup **out,
				    struct sluice_error *err);

/* sluice_cgroup_create in two halves, so that a launcher can make the
 * directories while its helper re-executes itself.  Plan: detect the
 * layout, choose the hierarchies, check the config against them (the
 * config errors of create), make nothing.  Make: the directories and every
 * limit; on failure what was made stays until sluice_cgroup_destroy.
 * Planned: made not yet.  A planned cgroup's mode is known; on pure v2 it
 * must be made before the clone that uses its clone fd. */
SLUICE_API int sluice_cgroup_plan(const struct sluice_config *c, const struct sluice_cgroup_opts *o,
				  struct sluice_cgroup **out, struct sluice_error *err);
SLUICE_API int sluice_cgroup_make(struct sluice_cgroup *cg, const struct sluice_config *c,
				  struct sluice_error *err);
SLUICE_API bool sluice_cgroup_planned(const struct sluice_cgroup *cg);

/* Pure v2 only: an O_PATH fd of the cgroup directory for clone3's
 * CLONE_INTO_CGROUP (owned by cg), or -1 when pids must be written instead. */
SLUICE_API int sluice_cgroup_clone_fd(const struct sluice_cgroup *cg);

/* Move pid into the cgroup in every hierarchy (cgroup.procs).  Also for
 * `exec` into a running container. */
SLUICE_API int sluice_cgroup_enter(struct sluice_cgroup *cg, pid_t pid, struct sluice_error *err);

/* Apply the resources of c again (OCI update): only the fields given are
 * written; memory and swap in the order the kernel accepts. */
SLUICE_API int sluice_cgroup_update(struct sluice_cgroup *cg, const struct sluice_config *c,
				    struct sluice_error *err);

/* Signal every process in the cgroup (v2 cgroup.kill for SIGKILL). */
SLUICE_API int sluice_cgroup_kill(struct sluice_cgroup *cg, int sig, struct sluice_error *err);

/* The pids in the cgroup (OCI ps); *pids is malloc'd. */
SLUICE_API int sluice_cgroup_pids(const struct sluice_cgroup *cg, pid_t **pids, size_t *n,
				  struct sluice_error *err);

/* Freeze (true) or thaw (false), and wait until the kernel says it is
 * done: v2 cgroup.freeze + cgroup.events, v1 freezer.state. */
SLUICE_API int sluice_cgroup_freeze(struct sluice_cgroup *cg, bool frozen, struct sluice_error *err);
/* 1 frozen, 0 not, -1 error (OCI state "paused"). */
SLUICE_API int sluice_cgroup_frozen(const struct sluice_cgroup *cg, struct sluice_error *err);

/* What the kernel's OOM killer did in this cgroup. */
struct sluice_cgroup_oom {
	uint64_t kills;	     /* processes killed (v2 memory.events oom_kill, v1 oom_control) */
	uint64_t ooms;	     /* times the limit was reached and reclaim failed (v2 "oom") */
	uint64_t limit_hits; /* v2 memory.events "max", v1 memory.failcnt */
	bool under_oom;	     /* v1 with the OOM killer disabled: tasks are waiting now */
	int64_t limit;	     /* the memory limit in bytes, -1 none */
};
SLUICE_API int sluice_cgroup_oom(const struct sluice_cgroup *cg, struct sluice_cgroup_oom *o,
				 struct sluice_error *err);
/* An fd that polls readable when an OOM event happens (v2: inotify on
 * memory.events; v1: an eventfd registered on memory.oom_control); read
 * sluice_cgroup_oom() then.  The caller closes it.  For OCI events. */
SLUICE_API int sluice_cgroup_oom_fd(const struct sluice_cgroup *cg, struct sluice_error *err);

/* What `runc events --stats` reports (containerd reads it). */
struct sluice_cgroup_blkio_entry {
	uint64_t major, minor;
	char op[8]; /* "Read", "Write", "Sync", "Async", "Discard", "Total" */
	uint64_t value;
};
struct sluice_cgroup_hugetlb {
	char page_size[24]; /* "2MB" */
	uint64_t usage, max_usage, failcnt;
};
struct sluice_cgroup_stats {
	struct {
		uint64_t total_ns, user_ns, kernel_ns;
		uint64_t *percpu_ns; /* malloc'd, n_percpu entries (v1 cpuacct) */
		size_t n_percpu;
		uint64_t periods, throttled_periods, throttled_ns;
	} cpu;
	struct {
		uint64_t usage, max_usage, limit, failcnt;
		uint64_t swap_usage, swap_limit; /* v1: memory+swap, as runc reports it */
		uint64_t cache;
		uint64_t kernel_usage;
		struct sluice_unified_entry *raw; /* memory.stat, malloc'd */
		size_t n_raw;
	} memory;
	struct {
		uint64_t current, limit; /* limit 0: none */
	} pids;
	struct sluice_cgroup_blkio_entry *io_bytes, *io_ops; /* malloc'd */
	size_t n_io_bytes, n_io_ops;
	struct sluice_cgroup_hugetlb *hugetlb; /* malloc'd */
	size_t n_hugetlb;
	uint64_t oom_kills;
};
/* Fills st from every hierarchy the cgroup is in; what a hierarchy that
 * is not there would give stays 0.  Free with sluice_cgroup_stats_free. */
SLUICE_API int sluice_cgroup_stats(const struct sluice_cgroup *cg, struct sluice_cgroup_stats *st,
				   struct sluice_error *err);
SLUICE_API void sluice_cgroup_stats_free(struct sluice_cgroup_stats *st);

/* Kill every process left (SIGKILL), wait until the cgroup is empty (a
 * few seconds at most), remove every directory sluice created, deepest
 * first, and free cg.  Directories sluice did not create stay.  On error cg
 * is freed all the same; the message names what stayed. */
SLUICE_API int sluice_cgroup_destroy(struct sluice_cgroup *cg, struct sluice_error *err);

/* Forget cg without touching the cgroup (it outlives this process). */
SLUICE_API void sluice_cgroup_free(struct sluice_cgroup *cg);

/* A text to store (OCI state): the layout's hierarchies, the path in each
 * and what sluice created.  malloc'd; NULL on ENOMEM.  Opaque: give it back
 * to sluice_cgroup_load() only. */
SLUICE_API char *sluice_cgroup_describe(const struct sluice_cgroup *cg);
SLUICE_API int sluice_cgroup_load(const char *text, struct sluice_cgroup **out,
				  struct sluice_error *err);

/* For messages and tests: the directory in the hierarchy of controller
 * ("memory", "pids", ..., "" for the unified one), or NULL. */
SLUICE_API const char *sluice_cgroup_dir(const struct sluice_cgroup *cg, const char *controller);
SLUICE_API enum sluice_cgroup_mode sluice_cgroup_mode(const struct sluice_cgroup *cg);

/* `sluice cleanup`: below the caller's own cgroup in every hierarchy,
 * remove the sluice-... cgroups whose launcher is gone (killing what is
 * still in them).  report (may be NULL) is called for each with the
 * directory and what was done.  Returns the number removed, or -1. */
SLUICE_API int sluice_cgroup_cleanup_stale(void (*report)(const char *dir, const char *what,
							  void *ctx),
					   void *ctx, struct sluice_error *err);

/* For the helper's /sys/fs/cgroup (lib/init/cgroupfs.c), not part of
 * libsluice: for each v1 hierarchy mounted directly below `under` in which
 * this process has a cgroup the mount shows, fn(name, dir, ctx) with the
 * mount point's last component ("memory", "systemd") and that cgroup's
 * directory.  A hybrid host's cgroup2 mount ("unified") is left out, as
 * runc leaves it out of a container's /sys/fs/cgroup.  The layout is the
 * one sluice_cgroup_create detects.  A
 * non-zero return of fn stops the walk and is returned; -1 with err when
 * the layout cannot be read. */
int sluice_cgroup_each_own(const char *under,
			   int (*fn)(const char *name, const char *dir, void *ctx), void *ctx,
			   struct sluice_error *err);

#endif
