/* Removing a sandbox's cgroups, and the stale ones of launchers that died.
 *
 * A cgroup can only be removed once no task is left in it.  When the
 * sandbox has ended its processes are gone or going (the pid namespace's
 * init took them with it, or the subreaper init killed them); what is left
 * is SIGKILLed, through cgroup.kill on v2.  Only directories sluice made
 * are touched: a pre-existing cgroup that the sandbox joined keeps its
 * processes and stays.  Nothing is ever moved out of a cgroup.
 *
 * `sluice run` names its cgroups "sluice-PIDNS-PID-START" (path.c); if the
 * launcher is SIGKILLed it cannot remove them, its sandbox dies with it
 * (PR_SET_PDEATHSIG), and the empty directories stay.  The next start
 * that makes a cgroup next to them removes them, and `sluice cleanup`
 * removes them (killing what might still run in them) on demand. */
#include "cgroup_internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

static void kill_all(const char *dir, bool v2)
{
	pid_t *pids = NULL;
	size_t n = 0;

	if (v2 && cg_v2_kill(dir) == 0)
		return;
	if (cg_read_pids(dir, &pids, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++)
		(void)kill(pids[i], SIGKILL);
	free(pids);
}

/* Kill, then rmdir until the last task has left: at most about 5 s. */
static int empty_and_remove(const char *dir, bool v2)
{
	int r = -EBUSY;

	for (int round = 0; round < 4 && r == -EBUSY; round++) {
		kill_all(dir, v2);
		r = cg_rmdir(dir);
	}
	return r;
}

/* The directories above a leaf that sluice made with it: removed when
 * nothing else has appeared in them meanwhile (EBUSY: leave them). */
static void remove_parents(const char *leaf, int made)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s", leaf);
	for (int k = 1; k < made; k++) {
		char *slash = strrchr(path, '/');
		if (!slash || slash == path)
			return;
		*slash = '\0';
		if (rmdir(path) < 0)
			return;
	}
}

/* The common case first: the sandbox is gone and each directory is empty,
 * so a plain rmdir does it.  Only when one is busy is everything killed
 * (wherever it is, and thawed: a frozen task would keep its directory
 * busy) and waited for. */
static int remove_made(struct sluice_cgroup *cg, bool *busy)
{
	int e = 0;

	for (size_t i = 0; i < cg->n; i++) {
		struct cg_dir *d = &cg->d[i];

		if (d->made <= 0)
			continue;
		if (rmdir(d->path) < 0 && errno != ENOENT) {
			*busy |= errno == EBUSY;
			e = e ? e : errno;
			continue;
		}
		remove_parents(d->path, d->made);
		d->made = -d->made; /* done */
	}
	return e;
}

int sluice_cgroup_destroy(struct sluice_cgroup *cg, struct sluice_error *err)
{
	const char *stayed = NULL;
	bool busy = false;
	int e = 0;

	if (!cg)
		return 0;
	e = remove_made(cg, &busy);
	if (e && busy) {
		e = 0;
		for (size_t i = 0; i < cg->n; i++)
			if (cg->d[i].made > 0)
				kill_all(cg->d[i].path, cg->L.h[cg->d[i].hier].v2);
		cg_thaw_after_kill(cg);
		for (size_t i = 0; i < cg->n; i++) {
			struct cg_dir *d = &cg->d[i];
			int r;

			if (d->made <= 0)
				continue;
			r = empty_and_remove(d->path, cg->L.h[d->hier].v2);
			if (r == 0) {
				remove_parents(d->path, d->made);
				continue;
			}
			stayed = stayed ? stayed : d->path;
			e = e ? e : -r;
		}
	} else if (e) {
		for (size_t i = 0; i < cg->n && !stayed; i++)
			if (cg->d[i].made > 0)
				stayed = cg->d[i].path;
	}
	if (stayed)
		sluice_err(err, SLUICE_EXIT_SETUP, e, "cgroups: cannot remove %s", stayed);
	sluice_cgroup_free(cg);
	return stayed ? -1 : 0;
}

/* One stale directory: empty, or emptied when kill is set. */
static int remove_one(const char *dir, bool kill,
		      void (*report)(const char *, const char *, void *), void *ctx)
{
	pid_t *pids = NULL;
	size_t n = 0;
	bool v2 = cg_exists(dir, "cgroup.controllers");
	int r;

	if (cg_read_pids(dir, &pids, &n) < 0)
		return 0;
	free(pids);
	if (n && !kill)
		return 0;
	r = n ? empty_and_remove(dir, v2) : cg_rmdir(dir);
	if (report)
		report(dir,
		       r == 0 ? (n ? "killed what was left and removed" : "removed") :
				"could not be removed",
		       ctx);
	return r == 0;
}

int cg_remove_stale_in(const char *parent, bool kill,
		       void (*report)(const char *, const char *, void *), void *ctx)
{
	DIR *d = opendir(parent);
	struct dirent *e;
	int removed = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char dir[4096];

		if (e->d_type != DT_DIR || strncmp(e->d_name, "sluice-", 7) ||
		    cg_path_stale_name(e->d_name) != 1)
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", parent, e->d_name);
		removed += remove_one(dir, kill, report, ctx);
	}
	closedir(d);
	return removed;
}

int sluice_cgroup_cleanup_stale(void (*report)(const char *dir, const char *what, void *ctx),
				void *ctx, struct sluice_error *err)
{
	struct cg_layout L;
	int removed = 0;

	if (cg_layout_detect(&L, err) < 0)
		return -1;
	for (size_t i = 0; i < L.n; i++) {
		cleanup_free char *own = NULL;
		cleanup_free char *dir = NULL;

		struct sluice_error ignored;

		own = cg_path_in(&L.h[i], NULL, "", &ignored);
		if (!own)
			continue;
		dir = cg_path_dir(&L.h[i], own);
		if (dir)
			removed += cg_remove_stale_in(dir, true, report, ctx);
	}
	cg_layout_free(&L);
	return removed;
}
