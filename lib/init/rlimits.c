/* process.rlimits and process.oomScoreAdj. */
#include <stdio.h>
#include <sys/resource.h>

#include "error.h"
#include "helper.h"
#include "util.h"

int sluice_rlimits_apply(const struct sluice_config *c, struct sluice_error *err)
{
	for (size_t i = 0; i < c->process.n_rlimits; i++) {
		const struct sluice_rlimit *l = &c->process.rlimits[i];
		struct rlimit rl = { (rlim_t)l->soft, (rlim_t)l->hard };

		if (setrlimit((__rlimit_resource_t)l->resource, &rl) < 0)
			return sluice_err(err, SLUICE_EXIT_SETUP, errno,
					  "set %s to soft %llu, hard %llu%s",
					  sluice_rlimit_name(l->resource),
					  (unsigned long long)l->soft, (unsigned long long)l->hard,
					  errno == EPERM ?
						  " (raising a hard limit needs CAP_SYS_RESOURCE)" :
						  "");
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
