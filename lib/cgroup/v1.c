/* What only cgroup v1 needs: cpuset directories that start empty, and the
 * freezer controller. */
#include "cgroup_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

/* path without its last k components. */
static void strip(char *out, size_t len, const char *path, int k)
{
	char *slash;

	snprintf(out, len, "%s", path);
	while (k-- > 0 && (slash = strrchr(out, '/')) && slash != out)
		*slash = '\0';
}

/* A new v1 cpuset cgroup has no CPUs and no memory nodes, and the kernel
 * refuses tasks until it has both: copy the parent's into each directory
 * sluice made, top down (runc does the same). */
int cg_v1_cpuset_init(const char *dir, int made)
{
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };

	for (int k = made - 1; k >= 0; k--) {
		char child[4096], parent[4096];

		strip(child, sizeof(child), dir, k);
		strip(parent, sizeof(parent), child, 1);
		for (size_t f = 0; f < 2; f++) {
			cleanup_free char *mine = NULL;
			cleanup_free char *theirs = NULL;
			struct sluice_error e;
			int r = cg_read(child, files[f], &mine);

			if (r < 0)
				return r;
			if (mine[0] && mine[0] != '\n')
				continue;
			r = cg_read(parent, files[f], &theirs);
			if (r < 0)
				return r;
			if (cg_write(child, files[f], theirs, NULL, NULL, &e) < 0)
				return -(e.errnum ? e.errnum : EIO);
		}
	}
	return 0;
}

static int wait_state(const char *dir, const char *want, struct sluice_error *err)
{
	struct timespec tick = { 0, 1000 * 1000 };

	/* FREEZING until every task is stopped; writing FROZEN again makes
	 * the kernel retry the ones that were busy */
	for (int i = 0; i < 2000; i++) {
		cleanup_free char *state = NULL;
		int r = cg_read(dir, "freezer.state", &state);

		if (r < 0)
			return sluice_err(err, SLUICE_EXIT_SETUP, -r,
					  "cgroups: read %s/freezer.state", dir);
		if (!strncmp(state, want, strlen(want)))
			return 0;
		if (i % 50 == 49 && cg_write(dir, "freezer.state", want, NULL, NULL, err) < 0)
			return -1;
		nanosleep(&tick, NULL);
	}
	return sluice_err(err, SLUICE_EXIT_SETUP, ETIMEDOUT, "cgroups: %s/freezer.state is not %s",
			  dir, want);
}

int cg_v1_freeze(const char *dir, bool frozen, struct sluice_error *err)
{
	const char *want = frozen ? "FROZEN" : "THAWED";

	if (cg_write(dir, "freezer.state", want, NULL, NULL, err) < 0)
		return -1;
	return wait_state(dir, want, err);
}

int cg_v1_frozen(const char *dir)
{
	cleanup_free char *state = NULL;
	int r = cg_read(dir, "freezer.state", &state);

	if (r < 0)
		return r;
	return !strncmp(state, "FROZEN", 6) || !strncmp(state, "FREEZING", 8);
}
