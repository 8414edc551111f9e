/* Building the sandbox's filesystem: the root (rootfs.c), the configured
 * mounts (mounts.c) and the minimal /dev (devices.c).  Every path inside
 * the container is resolved with openat2(RESOLVE_IN_ROOT), so a symlink in
 * the rootfs can never point a mount outside of it. */
#ifndef SLUICE_MOUNTS_H
#define SLUICE_MOUNTS_H

#include <stdbool.h>
#include <sys/types.h>

#include "config.h"

#define SLUICE_MAX_MADE 64

struct sluice_root {
	int fd;		    /* O_PATH fd of the new root */
	bool host_view;	    /* root.path is "/": the host's own tree, read-only */
	bool userns;	    /* not the initial user namespace: mknod is refused */
	bool cgroupns;	    /* the config has a cgroup namespace */
	int null_tree;	    /* a detached bind of the host's /dev/null, for masking */
	bool null_attached; /* null_tree now masks a file: copy it, never move it */
	/* filesystems sluice mounted itself: only under these may it create
	 * mountpoints in the host view (it never writes to the host's files) */
	const char *made[SLUICE_MAX_MADE];
	size_t n_made;
};

/* openat2(root, path, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS); -errno. */
int sluice_root_open(const struct sluice_root *r, const char *path, int flags);
/* mkdir -p inside the root; the last component as an empty file when
 * as_file.  Returns an O_PATH fd of the result or -1 (err filled). */
int sluice_root_mkpath(struct sluice_root *r, const char *path, bool as_file,
		       struct sluice_error *err);
/* Bind src (open_tree, recursive with m->recursive) on a target fd with
 * m's flags and propagation.  0 or -errno. */
int sluice_bind_tree(int src_dirfd, const char *src, int target, const struct sluice_mount *m);
/* The same tree detached, not attached: its fd (close-on-exec) or -errno.
 * With userns_fd >= 0 it is id-mapped through that user namespace first
 * (every mount of it with m->idmap_rec), which needs CAP_SYS_ADMIN over
 * the source's filesystem: the runtime's, on the host. */
int sluice_bind_tree_open(int src_dirfd, const char *src, const struct sluice_mount *m,
			  int userns_fd);
/* cgroupfs.c: a type "cgroup" mount on a v1 or hybrid host, outside a
 * cgroup namespace.  0 or -errno. */
int sluice_mount_cgroup_v1(const struct sluice_root *root, const struct sluice_mount *m, int target);
/* Attach a detached mount tree (open_tree) on a target fd. */
int sluice_move_mount(int tree, int target);

/* src_fd: for a bind mount, an O_PATH fd of its source opened before the
 * first mount was made (a tmpfs on /tmp must not hide /tmp/data). */
int sluice_mount_one(struct sluice_root *r, const struct sluice_mount *m, int src_fd,
		     struct sluice_error *err);
/* The read-only tmpfs mounts, mounted writable, made read-only: after
 * every mount is in place.  0 or -1 (err filled). */
int sluice_mounts_readonly_late(struct sluice_root *r, const struct sluice_config *c,
				struct sluice_error *err);
/* copyup.c: copy the tree under the directory fd `under` (opened before
 * a tmpfs covered it) into the tmpfs's root dir fd (tmpcopyup). */
int sluice_copy_up(int under, int tmpfs, const char *dest, struct sluice_error *err);
int sluice_mask_paths(struct sluice_root *r, const struct sluice_config *c,
		      struct sluice_error *err);

/* devices.c: the default devices, links and linux.devices into <root>/dev. */
struct sluice_dev_trees;
int sluice_devices_prepare(struct sluice_root *r, const struct sluice_config *c,
			   struct sluice_error *err);
int sluice_devices_populate(struct sluice_root *r, const struct sluice_config *c,
			    struct sluice_error *err);
void sluice_devices_release(void);

#endif
