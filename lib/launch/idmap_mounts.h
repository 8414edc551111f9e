/* The id-mapped binds of a config (mounts with idmap, ridmap or their own
 * uidMappings), made by the runtime on the host: MOUNT_ATTR_IDMAP needs
 * CAP_SYS_ADMIN over the source's filesystem, which a helper in the
 * sandbox's user namespace lacks.  The helper attaches the detached trees
 * (docs/protocol.md "File descriptors"). */
#ifndef SLUICE_IDMAP_MOUNTS_H
#define SLUICE_IDMAP_MOUNTS_H

#include "config.h"
#include "error.h"

#define SLUICE_IDMAP_MOUNTS_MAX 64

/* fds[k] for the k-th id-mapped mount (the child moves them to
 * SLUICE_PRESERVED_FD_BASE + preserveFds + k); 0, or -1 with err filled and
 * the fds made so far left in fds for the caller to close. */
int sluice_idmap_trees(const struct sluice_config *c, int *fds, struct sluice_error *err);

#endif
