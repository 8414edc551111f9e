/* A session keyring of the sandbox's own, and the limit on nested user
 * namespaces: what the workload could otherwise reach through the kernel
 * rather than through files (docs/security.md). */
#include <linux/keyctl.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "error.h"
#include "hardening.h"
#include "helper.h"
#include "util.h"

/*
 * The session keyring is inherited like the credentials it hangs off: a
 * workload that keeps the caller's possesses every key linked in it (a
 * login session links root's user keyring there), and reads and rewrites
 * them.  A new anonymous keyring replaces it, as runc does (its
 * --no-new-keyring is sluice.noNewKeyring).  It is joined before the ids
 * change, so that it counts against the caller's key quota, not the
 * sandbox's id's.  A kernel without keys has nothing to hide (ENOSYS).
 */
int sluice_keyring_apply(const struct sluice_config *c, struct sluice_error *err)
{
	if (c->sluice.no_new_keyring || !SLUICE_HARDENED)
		return 0;
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL, 0, 0, 0) >= 0 || errno == ENOSYS)
		return 0;
	return sluice_err(err, SLUICE_EXIT_SETUP, errno, "join a new session keyring%s",
			  errno == EDQUOT ? " (the key quota is full: kernel.keys.maxkeys, or "
					    "sluice.noNewKeyring: true)" :
					    "");
}

/*
 * In a user namespace the workload's own, unshare(CLONE_NEWUSER) would
 * give it a full capability set over new namespaces: kernel attack surface
 * that a sandbox need not offer (bubblewrap's --disable-userns).  The
 * count of user namespaces below ours is capped at 0 in ours, which only a
 * holder of CAP_SYS_RESOURCE over it may raise: the helper now, nobody
 * once the capabilities are dropped (the default bounding set is empty).
 * The limit is the sandbox's own: without a user namespace of its own
 * there is nothing sluice may cap (the host's is the host's).
 */
int sluice_nested_userns_apply(const struct sluice_config *c, struct sluice_error *err)
{
	const struct sluice_namespace *user = &c->linux.ns[SLUICE_NS_USER];
	int r;

	if (c->sluice.nested_userns || !user->enabled || user->path || !SLUICE_HARDENED)
		return 0;
	r = sluice_write_file("/proc/sys/user/max_user_namespaces", "0", 1);
	if (r < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -r,
				  "limit user.max_user_namespaces to 0 in the sandbox's user "
				  "namespace (sluice.nestedUserNamespaces: true to allow them)");
	return 0;
}
