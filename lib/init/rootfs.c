/* The sandbox's root: propagation, the rootfs (or the host's / read-only),
 * the mounts in order, then pivot_root, the read-only root and the working
 * directory (mounts.h). */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "error.h"
#include "helper.h"
#include "mounts.h"
#include "protocol.h"
#include "util.h"

static int open_root(struct sluice_root *r, const struct sluice_config *c, struct sluice_error *err)
{
	/* Nothing we mount may propagate back to the host, and nothing the
	 * host mounts later may appear in the sandbox. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "make / private");
	if (!r->host_view) {
		/* pivot_root needs the new root to be a mount point. */
		if (mount(c->root.path, c->root.path, NULL, MS_BIND | MS_REC, NULL) < 0)
			return sluice_err(err, SLUICE_EXIT_SETUP, errno, "root.path %s",
					  c->root.path);
	}
	r->fd = open(c->root.path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r->fd < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "root.path %s", c->root.path);
	return 0;
}

/* The host view: the whole tree read-only and nosuid, in one atomic
 * recursive change of this namespace's copy of the mounts. */
static int host_view_readonly(struct sluice_root *r, const struct sluice_config *c,
			      struct sluice_error *err)
{
	struct mount_attr a = { .attr_set = MOUNT_ATTR_NOSUID };

	if (c->root.readonly)
		a.attr_set |= MOUNT_ATTR_RDONLY;
	if (mount_setattr(r->fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "make the host's / read-only");
	return 0;
}

static bool is_dev_tmpfs(const struct sluice_mount *m)
{
	return !m->bind && m->type && strcmp(m->type, "tmpfs") == 0 &&
	       strcmp(m->destination, "/dev") == 0;
}

/* The k-th id-mapped tree, which the runtime made on the host and left at
 * 5 + preserveFds + k (idmap_mounts.h); -1 (err filled) if there is none,
 * as when `sluice init` is started by hand. */
static int idmap_tree(const struct sluice_config *c, size_t k, const struct sluice_mount *m,
		      struct sluice_error *err)
{
	int fd = SLUICE_PRESERVED_FD_BASE + c->sluice.preserve_fds + (int)k;
	struct stat st;

	if (fstat(fd, &st) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno,
				  "id-mapped mount %s: the runtime passed no tree for it (fd %d)",
				  m->destination, fd);
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

/* Bind sources are host paths: open them all before the first mount, which
 * could hide them (the host view's tmpfs on /tmp covers /tmp/data).  An
 * id-mapped one is the runtime's tree instead. */
static int open_bind_sources(const struct sluice_config *c, int *fds, struct sluice_error *err)
{
	size_t k = 0;

	for (size_t i = 0; i < c->n_mounts; i++)
		fds[i] = -1;
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct sluice_mount *m = &c->mounts[i];
		if (m->idmap && (fds[i] = idmap_tree(c, k++, m, err)) < 0)
			return -1;
		if (m->bind && !m->idmap && (fds[i] = open(m->source, O_PATH | O_CLOEXEC)) < 0)
			return sluice_err(err, SLUICE_EXIT_SETUP, errno, "bind mount source %s",
					  m->source);
	}
	return 0;
}

static int mount_each(struct sluice_root *r, const struct sluice_config *c, const int *src,
		      struct sluice_error *err)
{
	bool populated = false;

	for (size_t i = 0; i < c->n_mounts; i++) {
		if (sluice_mount_one(r, &c->mounts[i], src[i], err) < 0)
			return -1;
		/* As runc does: a tmpfs on /dev gets the default devices. */
		if (is_dev_tmpfs(&c->mounts[i]) && !populated) {
			if (sluice_devices_populate(r, c, err) < 0)
				return -1;
			populated = true;
		}
	}
	if (sluice_mounts_readonly_late(r, c, err) < 0)
		return -1;
	if (!populated && c->linux.n_devices)
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
				  "linux.devices needs a tmpfs mounted on /dev (sluice does not "
				  "create device nodes in the rootfs itself)");
	return 0;
}

static int do_mounts(struct sluice_root *r, const struct sluice_config *c, struct sluice_error *err)
{
	int *src = calloc(c->n_mounts + 1, sizeof(*src));
	int ret = -1;

	if (!src)
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "mounts");
	if (open_bind_sources(c, src, err) == 0)
		ret = mount_each(r, c, src, err);
	for (size_t i = 0; i < c->n_mounts; i++)
		sluice_close(src[i]);
	free(src);
	return ret;
}

static int pivot(struct sluice_root *r, const struct sluice_config *c, struct sluice_error *err)
{
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };

	if (r->host_view)
		return chdir("/") < 0 ? sluice_err(err, SLUICE_EXIT_SETUP, errno, "chdir /") : 0;
	/* pivot_root(".", ".") stacks the old root on top of the new one;
	 * detaching it leaves the new root alone, with no directory needed
	 * to park the old one in. */
	if (fchdir(r->fd) < 0 || syscall(SYS_pivot_root, ".", ".") < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "pivot_root to %s", c->root.path);
	if (umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "detach the old root");
	if (c->root.readonly && mount_setattr(AT_FDCWD, "/", 0, &ro, sizeof(ro)) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "make the root read-only");
	if (c->linux.rootfs_propagation &&
	    mount(NULL, "/", NULL, c->linux.rootfs_propagation, NULL) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "set linux.rootfsPropagation");
	return 0;
}

int sluice_mounts_apply(const struct sluice_config *c, struct sluice_error *err)
{
	return sluice_mounts_apply_hooked(c, NULL, NULL, err);
}

int sluice_mounts_apply_hooked(const struct sluice_config *c,
			       int (*before_pivot)(void *ctx, struct sluice_error *err), void *ctx,
			       struct sluice_error *err)
{
	struct sluice_root r = { .fd = -1, .null_tree = -1 };
	int ret = -1;

	if (!c->linux.ns[SLUICE_NS_MOUNT].enabled)
		return before_pivot ? before_pivot(ctx, err) : 0;
	r.host_view = strcmp(c->root.path, "/") == 0;
	r.userns = sluice_in_user_namespace();
	r.cgroupns = c->linux.ns[SLUICE_NS_CGROUP].enabled;
	if (sluice_devices_prepare(&r, c, err) < 0 || open_root(&r, c, err) < 0)
		goto out;
	if (r.host_view && host_view_readonly(&r, c, err) < 0)
		goto out;
	if (do_mounts(&r, c, err) < 0 || sluice_mask_paths(&r, c, err) < 0)
		goto out;
	if (before_pivot && before_pivot(ctx, err) < 0)
		goto out;
	ret = pivot(&r, c, err);
out:
	sluice_devices_release();
	sluice_close(r.null_tree);
	sluice_close(r.fd);
	return ret;
}

/*
 * process.cwd, inside the sandbox's view in every mode (rootfs or the
 * host's /): resolved from the root with RESOLVE_IN_ROOT, so that no
 * symlink leads out, and RESOLVE_NO_MAGICLINKS, so that /proc/self/fd/N,
 * /proc/PID/cwd and the like, which name whatever an fd holds, host
 * directories of other mount namespaces included (the CVE-2024-21626
 * class), are refused.  getcwd() then proves it: a directory outside the
 * root reads back as "(unreachable)...".
 */
int sluice_cwd_apply(const struct sluice_config *c, struct sluice_error *err)
{
	struct sluice_root root = { .fd = AT_FDCWD };
	char buf[PATH_MAX];
	cleanup_close int fd = -1;

	if (!c->process.cwd)
		return 0;
	root.fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root.fd < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "open /");
	fd = sluice_root_open(&root, c->process.cwd, O_PATH | O_DIRECTORY);
	sluice_close(root.fd);
	if (fd == -ELOOP)
		return sluice_err(err, SLUICE_EXIT_SETUP, ELOOP,
				  "process.cwd %s: a /proc magic link (/proc/self/fd/N, "
				  "/proc/PID/cwd) or a symlink loop: it must name a directory of "
				  "the sandbox's own view",
				  c->process.cwd);
	if (fd < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -fd, "process.cwd %s%s", c->process.cwd,
				  fd == -EACCES ? " (the sandbox's user may not enter it)" : "");
	if (fchdir(fd) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "process.cwd %s", c->process.cwd);
	if (!getcwd(buf, sizeof(buf)) || buf[0] != '/')
		return sluice_err(err, SLUICE_EXIT_SETUP, EXDEV,
				  "process.cwd %s is outside the root", c->process.cwd);
	return 0;
}
