/* What the kernel's OOM killer did in a sandbox's cgroup (docs/cgroups.md
 * "OOM").  v2: memory.events (oom, oom_kill, max); v1: memory.oom_control
 * (oom_kill since Linux 4.13, under_oom) and memory.failcnt.  The counts
 * start at 0 with the cgroup, so whatever they say happened in this
 * sandbox. */
#include "cgroup_internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>

#include "util.h"

static void read_limit(const char *dir, bool v2, int64_t *limit)
{
	uint64_t v = UINT64_MAX;

	(void)cg_read_u64(dir, v2 ? "memory.max" : "memory.limit_in_bytes", &v);
	/* v1 reports "unlimited" as the largest page-aligned value */
	*limit = v >= (UINT64_C(1) << 62) ? -1 : (int64_t)v;
}

int sluice_cgroup_oom(const struct sluice_cgroup *cg, struct sluice_cgroup_oom *o,
		      struct sluice_error *err)
{
	const char *dir = cg_dir_of(cg, CG_MEMORY);
	uint64_t under = 0;
	bool v2;

	memset(o, 0, sizeof(*o));
	o->limit = -1;
	if (!dir)
		return 0;
	v2 = cg_dir_is_v2(cg, dir);
	read_limit(dir, v2, &o->limit);
	if (v2) {
		(void)cg_read_keyed(dir, "memory.events", "oom_kill", &o->kills);
		(void)cg_read_keyed(dir, "memory.events", "oom", &o->ooms);
		(void)cg_read_keyed(dir, "memory.events", "max", &o->limit_hits);
		return 0;
	}
	if (cg_read_keyed(dir, "memory.oom_control", "oom_kill", &o->kills) == -EACCES)
		return sluice_err(err, SLUICE_EXIT_SETUP, EACCES,
				  "cgroups: read %s/memory.oom_control", dir);
	(void)cg_read_keyed(dir, "memory.oom_control", "under_oom", &under);
	(void)cg_read_u64(dir, "memory.failcnt", &o->limit_hits);
	o->under_oom = under != 0;
	o->ooms = o->kills;
	return 0;
}

/* v1: an eventfd the kernel signals on every OOM of the cgroup
 * (cgroup.event_control); the registration lives as long as the eventfd. */
static int v1_oom_fd(const char *dir, struct sluice_error *err)
{
	char path[4096];
	cleanup_close int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	cleanup_close int ofd = -1;

	snprintf(path, sizeof(path), "%s/memory.oom_control", dir);
	ofd = open(path, O_RDONLY | O_CLOEXEC);
	if (efd < 0 || ofd < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "cgroups: OOM events of %s", dir);
	if (cg_writef(dir, "cgroup.event_control", NULL, NULL, err, "%d %d", efd, ofd) < 0)
		return -1;
	return steal_fd(&efd);
}

/* v2: memory.events changes on every event; inotify says when. */
static int v2_oom_fd(const char *dir, struct sluice_error *err)
{
	char path[4096];
	cleanup_close int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);

	snprintf(path, sizeof(path), "%s/memory.events", dir);
	if (fd < 0 || inotify_add_watch(fd, path, IN_MODIFY) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "cgroups: watch %s", path);
	return steal_fd(&fd);
}

int sluice_cgroup_oom_fd(const struct sluice_cgroup *cg, struct sluice_error *err)
{
	const char *dir = cg_dir_of(cg, CG_MEMORY);

	if (!dir)
		return sluice_err(err, SLUICE_EXIT_SETUP, 0,
				  "cgroups: the sandbox has no memory cgroup");
	return cg_dir_is_v2(cg, dir) ? v2_oom_fd(dir, err) : v1_oom_fd(dir, err);
}
