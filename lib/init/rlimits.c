/* process.rlimits and process.oomScoreAdj. */
#include <stdio.h>
#include <sys/resource.h>

#include "error.h"
#include "helper.h"
#include "util.h"

/*
 * RLIMIT_NOFILE is for the workload, but the helper still opens files after
 * this step (/proc, the status fd it moves at exec): until the exec it
 * keeps the larger of the two limits, which raises what the config raises
 * (with the capabilities it still holds here), and the exec step lowers it
 * to the config's last (sluice_rlimit_nofile_final), which needs none.
 */
static struct rlimit for_helper(const struct sluice_rlimit *l)
{
	struct rlimit rl = { (rlim_t)l->soft, (rlim_t)l->hard }, cur;

	if (l->resource != RLIMIT_NOFILE || getrlimit(RLIMIT_NOFILE, &cur) < 0)
		return rl;
	if (cur.rlim_cur > rl.rlim_cur)
		rl.rlim_cur = cur.rlim_cur;
	if (cur.rlim_max > rl.rlim_max)
		rl.rlim_max = cur.rlim_max;
	if (rl.rlim_cur > rl.rlim_max)
		rl.rlim_cur = rl.rlim_max;
	return rl;
}

static int set_one(const struct sluice_rlimit *l, const struct rlimit *rl, struct sluice_error *err)
{
	if (setrlimit((__rlimit_resource_t)l->resource, rl) == 0)
		return 0;
	return sluice_err(err, SLUICE_EXIT_SETUP, errno, "set %s to soft %llu, hard %llu%s",
			  sluice_rlimit_name(l->resource), (unsigned long long)l->soft,
			  (unsigned long long)l->hard,
			  errno == EPERM ? " (raising a hard limit needs CAP_SYS_RESOURCE)" : "");
}

int sluice_rlimit_nofile_final(const struct sluice_config *c, struct sluice_error *err)
{
	for (size_t i = c->process.n_rlimits; i-- > 0;) {
		const struct sluice_rlimit *l = &c->process.rlimits[i];
		struct rlimit rl = { (rlim_t)l->soft, (rlim_t)l->hard };

		if (l->resource == RLIMIT_NOFILE)
			return set_one(l, &rl, err);
	}
	return 0;
}

int sluice_rlimits_apply(const struct sluice_config *c, struct sluice_error *err)
{
	for (size_t i = 0; i < c->process.n_rlimits; i++) {
		const struct sluice_rlimit *l = &c->process.rlimits[i];
		struct rlimit rl = for_helper(l);

		if (set_one(l, &rl, err) < 0)
			return -1;
	}
	return 0;
}

int sluice_oom_apply(const struct sluice_config *c, struct sluice_error *err)
{
	char buf[16];
	int n, r;

	if (!c->process.oom_score_adj_set)
		return 0;
	n = snprintf(buf, sizeof(buf), "%d", c->process.oom_score_adj);
	/* Our /proc files are ours to write only while we are dumpable; this
	 * step runs before the helper joins or creates anything itself. */
	sluice_set_dumpable(true);
	r = sluice_write_file("/proc/self/oom_score_adj", buf, (size_t)n);
	sluice_set_dumpable(false);
	if (r < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -r, "set oom_score_adj to %d%s",
				  c->process.oom_score_adj,
				  r == -EACCES ? " (lowering it needs CAP_SYS_RESOURCE)" : "");
	return 0;
}
