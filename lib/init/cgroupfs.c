/* The container's /sys/fs/cgroup on a v1 or hybrid host, as runc makes it:
 * a tmpfs holding, for each v1 hierarchy the host mounts under
 * /sys/fs/cgroup (not a hybrid host's cgroup2 "unified"), a bind of the
 * container's own cgroup in it (so
 * /sys/fs/cgroup/memory/memory.limit_in_bytes is the container's limit,
 * which podman and docker users read), and the host's symlinks between
 * them (cpu -> cpu,cpuacct).  The helper is already in the container's
 * cgroup (the runtime moved it before the go-ahead), so /proc/self/cgroup
 * names it.  The tmpfs is made read-only last when the mount asks for ro. */
#include "mounts.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "error.h"
#include "util.h"

#define HOST_CGROUP "/sys/fs/cgroup"

struct binds {
	int tmpfs;
	const struct sluice_mount *m;
	int error; /* -errno of the bind that failed */
};

/* One hierarchy: our own cgroup in it, bound at its name in the tmpfs.
 * A failure stops the walk (1) with its errno kept in B->error. */
static int bind_one(const char *name, const char *dir, void *ctx)
{
	struct binds *B = ctx;
	cleanup_close int target = -1;
	struct sluice_mount b = *B->m;

	if (mkdirat(B->tmpfs, name, 0755) < 0 && errno != EEXIST) {
		B->error = -errno;
		return 1;
	}
	target = openat(B->tmpfs, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0) {
		B->error = -errno;
		return 1;
	}
	b.recursive = false;
	b.propagation = 0;
	B->error = sluice_bind_tree(AT_FDCWD, dir, target, &b);
	return B->error < 0;
}

/* Every v1 hierarchy mounted directly under /sys/fs/cgroup that we are in
 * (the cgroup module's layout, lib/cgroup/layout.c). */
static int bind_hierarchies(int tmpfs, const struct sluice_mount *m)
{
	struct binds B = { .tmpfs = tmpfs, .m = m };
	struct sluice_error e = { 0 };

	if (sluice_cgroup_each_own(HOST_CGROUP, bind_one, &B, &e) < 0)
		return e.errnum ? -e.errnum : -EIO;
	return B.error;
}

/* The host's symlinks (cpu -> cpu,cpuacct) beside the binds. */
static int copy_links(int tmpfs)
{
	DIR *d = opendir(HOST_CGROUP);
	struct dirent *e;
	int r = 0;

	if (!d)
		return -errno;
	while (r == 0 && (e = readdir(d))) {
		char target[256];
		ssize_t n;
		if (e->d_type != DT_LNK)
			continue;
		n = readlinkat(dirfd(d), e->d_name, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (symlinkat(target, tmpfs, e->d_name) < 0 && errno != EEXIST)
			r = -errno;
	}
	closedir(d);
	return r;
}

int sluice_mount_cgroup_v1(const struct sluice_root *root, const struct sluice_mount *m, int target)
{
	char path[64];
	cleanup_close int tmpfs = -1;
	unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	int r;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", target);
	if (mount("tmpfs", path, "tmpfs", flags, "mode=755") < 0)
		return -errno;
	/* the new mount, not the directory under it that target names */
	tmpfs = sluice_root_open(root, m->destination, O_RDONLY | O_DIRECTORY);
	if (tmpfs < 0)
		return tmpfs;
	r = bind_hierarchies(tmpfs, m);
	if (r == 0)
		r = copy_links(tmpfs);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", tmpfs);
	if (r == 0 && (m->flags & MS_RDONLY) &&
	    mount(NULL, path, NULL, MS_REMOUNT | MS_RDONLY | flags, "mode=755") < 0)
		r = -errno;
	return r;
}
