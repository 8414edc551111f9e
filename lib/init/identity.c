/* process.user: supplementary groups, gid and uid. */
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "error.h"
#include "helper.h"
#include "util.h"

/* In a user namespace whose gid map was written without privilege the
 * kernel denies setgroups() for good (user_namespaces(7)). */
static bool setgroups_denied(void)
{
	char buf[16];

	return sluice_read_small("/proc/self/setgroups", buf, sizeof(buf)) > 0 &&
	       strncmp(buf, "deny", 4) == 0;
}

static int set_groups(const struct sluice_config *c, struct sluice_error *err)
{
	size_t n = c->process.user.n_additional_gids;
	gid_t gids[NGROUPS_MAX];

	if (setgroups_denied()) {
		if (n == 0)
			return 0;
		return sluice_err(
			err, SLUICE_EXIT_SETUP, EPERM,
			"process.user.additionalGids: setgroups is denied in this user "
			"namespace (a single-id gid map); map a range with newgidmap instead");
	}
	if (n > NGROUPS_MAX)
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0, "too many additionalGids (%zu)", n);
	for (size_t i = 0; i < n; i++)
		gids[i] = c->process.user.additional_gids[i];
	/* Also with n == 0: root's own supplementary groups must not leak in. */
	if (setgroups(n, gids) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "setgroups");
	return 0;
}

int sluice_identity_apply(const struct sluice_config *c, struct sluice_error *err)
{
	uid_t uid = c->process.user.uid;
	gid_t gid = c->process.user.gid;

	if (set_groups(c, err) < 0)
		return -1;
	/* Keep the permitted set across the uid change; capabilities.c then
	 * sets exactly the configured sets. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "prctl(PR_SET_KEEPCAPS)");
	if (setresgid(gid, gid, gid) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "set gid %u%s", gid,
				  errno == EINVAL ? " (not mapped in the user namespace)" : "");
	if (setresuid(uid, uid, uid) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "set uid %u%s", uid,
				  errno == EINVAL ? " (not mapped in the user namespace)" : "");
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "prctl(PR_SET_KEEPCAPS)");
	/* The id change reset dumpability to fs.suid_dumpable, which a host
	 * may have set to 1: the helper stays out of the workload's reach. */
	sluice_set_dumpable(false);
	return 0;
}
