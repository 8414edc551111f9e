/* Id-mapped binds made on the host (idmap_mounts.h). */
#include "idmap_mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "mounts.h"
#include "namespaces.h"
#include "util.h"

/* The mount's own maps, or the container's user namespace's (config.md:
 * idmap without uidMappings; validation made sure there are some). */
static int mount_userns(const struct sluice_config *c, const struct sluice_mount *m,
			struct sluice_error *err)
{
	if (m->n_uid_map)
		return sluice_userns_fd(m->uid_map, m->n_uid_map, m->gid_map, m->n_gid_map, err);
	return sluice_userns_fd(c->linux.uid_mappings, c->linux.n_uid_mappings,
				c->linux.gid_mappings, c->linux.n_gid_mappings, err);
}

static int one_tree(const struct sluice_config *c, const struct sluice_mount *m,
		    struct sluice_error *err)
{
	cleanup_close int userns = mount_userns(c, m, err);
	int tree;

	if (userns < 0)
		return sluice_err_prefix(err, "id-mapped mount %s%s", m->destination,
					 err->errnum == EPERM ? " (it needs root)" : "");
	tree = sluice_bind_tree_open(AT_FDCWD, m->source, m, userns);
	if (tree < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -tree, "id-mapped mount %s on %s%s",
				  m->source, m->destination,
				  tree == -EPERM ?
					  " (it needs root: CAP_SYS_ADMIN over the source's "
					  "filesystem)" :
				  tree == -EINVAL ? " (the source's filesystem cannot be id-mapped, "
						    "or the mapping is the filesystem's own)" :
						    "");
	return tree;
}

int sluice_idmap_trees(const struct sluice_config *c, int *fds, struct sluice_error *err)
{
	size_t k = 0;

	for (size_t i = 0; i < c->n_mounts; i++) {
		if (!c->mounts[i].idmap)
			continue;
		fds[k] = one_tree(c, &c->mounts[i], err);
		if (fds[k++] < 0)
			return -1;
	}
	return 0;
}
