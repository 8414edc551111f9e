/* The mounts list, masked paths and read-only paths (mounts.h). */
#include "mounts.h"

#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "error.h"
#include "util.h"

int sluice_root_open(const struct sluice_root *r, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	while (*path == '/')
		path++;
	if (!*path)
		path = ".";
	fd = (int)syscall(SYS_openat2, r->fd, path, &how, sizeof(how));
	return fd < 0 ? -errno : fd;
}

static bool may_create(const struct sluice_root *r, const char *path)
{
	if (!r->host_view)
		return true;
	for (size_t i = 0; i < r->n_made; i++) {
		size_t n = strlen(r->made[i]);
		if (strncmp(path, r->made[i], n) == 0 &&
		    (path[n] == '/' || (n == 1 && path[0] == '/')))
			return true;
	}
	return false;
}

static int create_last(int dirfd, const char *name, bool as_file)
{
	if (!as_file)
		return mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST ? -errno : 0;
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno == EEXIST ? 0 : -errno;
	sluice_close(fd);
	return 0;
}

/* sluice_root_mkpath; *made says whether the last component was created. */
static int root_mkpath(struct sluice_root *r, const char *path, bool as_file, bool *made,
		       struct sluice_error *err)
{
	char buf[PATH_MAX];
	int fd = sluice_root_open(r, path, O_PATH);

	*made = false;

	if (fd >= 0 || fd != -ENOENT)
		return fd >= 0 ? fd : sluice_err(err, SLUICE_EXIT_SETUP, -fd, "%s", path);
	if (!may_create(r, path))
		return sluice_err(
			err, SLUICE_EXIT_SETUP, ENOENT,
			"%s does not exist in the host's / (sluice never creates files there)",
			path);
	/* Create each missing component below its parent, resolving the
	 * parent inside the root every time. */
	for (const char *p = path + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		bool last = *p == '\0';
		snprintf(buf, sizeof(buf), "%.*s", (int)(p - path), path);
		fd = sluice_root_open(r, buf, O_PATH);
		if (fd == -ENOENT) {
			char parent[PATH_MAX], *slash;
			int pfd, e;
			snprintf(parent, sizeof(parent), "%s", buf);
			slash = strrchr(parent, '/');
			*slash = '\0';
			pfd = sluice_root_open(r, parent[0] ? parent : "/", O_PATH | O_DIRECTORY);
			if (pfd < 0)
				return sluice_err(err, SLUICE_EXIT_SETUP, -pfd, "%s", parent);
			e = create_last(pfd, slash + 1, last && as_file);
			sluice_close(pfd);
			if (e < 0)
				return sluice_err(err, SLUICE_EXIT_SETUP, -e,
						  "create mountpoint %s", buf);
			fd = sluice_root_open(r, buf, O_PATH);
			*made = last;
		}
		if (fd < 0)
			return sluice_err(err, SLUICE_EXIT_SETUP, -fd, "%s", buf);
		if (last)
			return fd;
		sluice_close(fd);
	}
}

int sluice_root_mkpath(struct sluice_root *r, const char *path, bool as_file,
		       struct sluice_error *err)
{
	bool made;

	return root_mkpath(r, path, as_file, &made, err);
}

int sluice_move_mount(int tree, int target)
{
	return move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

/* MS_* mount flags as mount_setattr() attributes. */
static void bind_attrs(const struct sluice_mount *m, struct mount_attr *a)
{
	static const struct {
		unsigned long ms;
		uint64_t attr;
	} map[] = {
		{ MS_RDONLY, MOUNT_ATTR_RDONLY },	  { MS_NOSUID, MOUNT_ATTR_NOSUID },
		{ MS_NODEV, MOUNT_ATTR_NODEV },		  { MS_NOEXEC, MOUNT_ATTR_NOEXEC },
		{ MS_NODIRATIME, MOUNT_ATTR_NODIRATIME },
	};

	memset(a, 0, sizeof(*a));
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (m->flags & map[i].ms)
			a->attr_set |= map[i].attr;
		else if (m->clear & map[i].ms)
			a->attr_clr |= map[i].attr;
	}
	/* OCI: a bind mount is read-write unless it says "ro". */
	if (!(m->flags & MS_RDONLY))
		a->attr_clr |= MOUNT_ATTR_RDONLY;
	if (m->flags & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME)) {
		a->attr_clr |= MOUNT_ATTR__ATIME;
		if (m->flags & MS_NOATIME)
			a->attr_set |= MOUNT_ATTR_NOATIME;
		else if (m->flags & MS_STRICTATIME)
			a->attr_set |= MOUNT_ATTR_STRICTATIME;
	}
}

/* "rro", "rnosuid", ...: on fd's mount and every mount below it. */
static int set_rec_attrs(int fd, const struct sluice_mount *m)
{
	struct mount_attr a = { .attr_set = m->rec_set, .attr_clr = m->rec_clr };

	if (!m->rec_set && !m->rec_clr)
		return 0;
	return mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a));
}

static int set_propagation(int fd, unsigned long prop)
{
	struct mount_attr a = { .propagation = prop & ~(unsigned long)MS_REC };

	if (!prop)
		return 0;
	return mount_setattr(fd, "", AT_EMPTY_PATH | (prop & MS_REC ? AT_RECURSIVE : 0), &a,
			     sizeof(a));
}

int sluice_bind_tree_open(int src_dirfd, const char *src, const struct sluice_mount *m,
			  int userns_fd)
{
	struct mount_attr a, idmap = { .attr_set = MOUNT_ATTR_IDMAP };
	unsigned int rec = m->recursive ? AT_RECURSIVE : 0;
	cleanup_close int tree =
		open_tree(src_dirfd, src,
			  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | rec | (src[0] ? 0 : AT_EMPTY_PATH));

	if (tree < 0)
		return -errno;
	idmap.userns_fd = (uint64_t)userns_fd;
	if (userns_fd >= 0 && mount_setattr(tree, "", AT_EMPTY_PATH | (m->idmap_rec ? rec : 0),
					    &idmap, sizeof(idmap)) < 0)
		return -errno;
	bind_attrs(m, &a);
	if (mount_setattr(tree, "", AT_EMPTY_PATH | rec, &a, sizeof(a)) < 0 ||
	    set_rec_attrs(tree, m) < 0)
		return -errno;
	if (set_propagation(tree, m->propagation) < 0)
		return -errno;
	return steal_fd(&tree);
}

/* A detached copy of src with its attributes applied, attached in one
 * step: the mount never exists with weaker flags than asked for. */
int sluice_bind_tree(int src_dirfd, const char *src, int target, const struct sluice_mount *m)
{
	cleanup_close int tree = sluice_bind_tree_open(src_dirfd, src, m, -1);

	if (tree < 0)
		return tree;
	return sluice_move_mount(tree, target) < 0 ? -errno : 0;
}

static int mount_bind(struct sluice_root *r, const struct sluice_mount *m, int src_fd,
		      struct sluice_error *err)
{
	struct stat st;
	cleanup_close int target = -1;
	int e;

	if (fstat(src_fd, &st) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "bind mount source %s", m->source);
	target = sluice_root_mkpath(r, m->destination, !S_ISDIR(st.st_mode), err);
	if (target < 0)
		return -1;
	/* an id-mapped bind: the runtime's detached tree, attributes set */
	if (m->idmap)
		e = sluice_move_mount(src_fd, target) < 0 ? -errno : 0;
	else
		e = sluice_bind_tree(src_fd, "", target, m);
	if (e < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -e, "bind mount %s on %s", m->source,
				  m->destination);
	return 0;
}

static const unsigned long fs_flag_mask = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC |
					  MS_SYNCHRONOUS | MS_DIRSYNC | MS_NOATIME | MS_NODIRATIME |
					  MS_RELATIME | MS_STRICTATIME | MS_MANDLOCK;

static int fd_path(int fd, char *buf, size_t len)
{
	return snprintf(buf, len, "/proc/self/fd/%d", fd) < (int)len ? 0 : -1;
}

/* sysfs can only be mounted in a user namespace that owns the network
 * namespace; otherwise the host's /sys is bound instead, with the same
 * flags (what runc does for rootless containers). */
static int mount_fs_fallback(const struct sluice_mount *m, int target, int e)
{
	struct sluice_mount b = *m;

	if (e != EPERM || !m->type || strcmp(m->type, "sysfs") != 0)
		return -e;
	b.recursive = true;
	return sluice_bind_tree(AT_FDCWD, "/sys", target, &b);
}

static bool host_cgroup_is_v2(void)
{
	struct statfs sf;

	return statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

/* type "cgroup": a fresh cgroup2 mount on a unified host; on a v1 or hybrid
 * host the container's own cgroup of each hierarchy (cgroupfs.c), or, in a
 * cgroup namespace, the host's /sys/fs/cgroup tree bound with the mount's
 * flags. */
static int mount_cgroup(const struct sluice_root *r, const struct sluice_mount *m, int target)
{
	struct sluice_mount b = *m;
	char path[64];

	if (host_cgroup_is_v2()) {
		fd_path(target, path, sizeof(path));
		return mount("cgroup2", path, "cgroup2", m->flags & fs_flag_mask, NULL) < 0 ?
			       -errno :
			       0;
	}
	if (!r->cgroupns)
		return sluice_mount_cgroup_v1(r, m, target);
	b.recursive = true;
	return sluice_bind_tree(AT_FDCWD, "/sys/fs/cgroup", target, &b);
}

/* The target fd names the directory under the new mount: the propagation
 * ("private", "rslave", ...) is for the mount itself, opened afresh. */
static int mount_propagation(struct sluice_root *r, const struct sluice_mount *m)
{
	char path[64];
	cleanup_close int fd = sluice_root_open(r, m->destination, O_PATH | O_DIRECTORY);

	if (fd < 0)
		return fd;
	fd_path(fd, path, sizeof(path));
	return mount(NULL, path, NULL, m->propagation, NULL) < 0 ? -errno : 0;
}

/* The recursive attributes of a new filesystem mount (a bound tree got
 * them before it was attached), on the mount opened afresh. */
static int mount_rec_attrs(struct sluice_root *r, const struct sluice_mount *m)
{
	cleanup_close int fd = -1;

	if (!m->rec_set && !m->rec_clr)
		return 0;
	fd = sluice_root_open(r, m->destination, O_PATH | O_DIRECTORY);
	if (fd < 0)
		return fd;
	return set_rec_attrs(fd, m) < 0 ? -errno : 0;
}

/* A read-only tmpfs is mounted writable and made read-only once every
 * mount is in place, as runc does (finalizeRootfs): a tmpcopyup one is
 * filled first, a /dev one populated, and the mounts after it may make
 * their mountpoints in it (podman's /etc/hostname in a read-only /etc). */
static bool ro_later(const struct sluice_mount *m)
{
	return !m->bind && m->type && strcmp(m->type, "tmpfs") == 0 && (m->flags & MS_RDONLY);
}

/* The mount at m's destination made read-only. */
static int mount_readonly(struct sluice_root *r, const struct sluice_mount *m)
{
	struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };
	cleanup_close int fd = sluice_root_open(r, m->destination, O_PATH | O_DIRECTORY);

	if (fd < 0)
		return fd;
	return mount_setattr(fd, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0 ? -errno : 0;
}

/* tmpcopyup: the new tmpfs gets a copy of the directory it covers, read
 * through an fd opened before the mount. */
static int copy_up(struct sluice_root *r, const struct sluice_mount *m, int under,
		   struct sluice_error *err)
{
	cleanup_close int tmpfs = sluice_root_open(r, m->destination, O_RDONLY | O_DIRECTORY);

	if (tmpfs < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -tmpfs, "tmpcopyup: open %s",
				  m->destination);
	return sluice_copy_up(under, tmpfs, m->destination, err);
}

/* The tmpfs's options hold mode=. */
static bool has_mode_option(const char *data)
{
	for (const char *p = data; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, "mode=", 5) == 0)
			return true;
	return false;
}

/* A tmpfs over a directory that was there starts with that directory's
 * mode unless its options say mode= (runc puts "mode=<the directory's>"
 * before the options, createMountpoint); on a mountpoint made for it (made)
 * the tmpfs keeps its own (1777, or its mode=).  The options to mount with:
 * m->data, or buf (at least MODE_OPTION longer than m->data). */
#define MODE_OPTION sizeof("mode=0000,")
static bool tmpfs_without_mode(const struct sluice_mount *m)
{
	return m->type && strcmp(m->type, "tmpfs") == 0 && !has_mode_option(m->data);
}

static const char *tmpfs_data(const struct sluice_mount *m, int target, bool made, char *buf,
			      size_t size)
{
	struct stat st;

	if (made || !tmpfs_without_mode(m) || fstat(target, &st) < 0 || !S_ISDIR(st.st_mode))
		return m->data;
	snprintf(buf, size, "mode=%04o%s%s", (unsigned)(st.st_mode & 07777), m->data ? "," : "",
		 m->data ? m->data : "");
	return buf;
}

static int mount_fs(struct sluice_root *r, const struct sluice_mount *m, struct sluice_error *err)
{
	char path[64], data_buf[4096];
	const char *data;
	cleanup_close int target = -1;
	cleanup_close int under = -1;
	bool made;
	int e = 0;

	if (tmpfs_without_mode(m) && m->data && strlen(m->data) + MODE_OPTION > sizeof(data_buf))
		return sluice_err(err, SLUICE_EXIT_CONFIG, E2BIG,
				  "mount %s on %s: options too long", m->type, m->destination);
	target = root_mkpath(r, m->destination, false, &made, err);
	if (target < 0)
		return -1;
	data = tmpfs_data(m, target, made, data_buf, sizeof(data_buf));
	fd_path(target, path, sizeof(path));
	if (m->copy_up && (under = openat(target, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "tmpcopyup: open %s",
				  m->destination);
	/* a bound tree (cgroup v1, sysfs fallback) got its propagation already */
	if (strcmp(m->type, "cgroup") == 0) {
		e = mount_cgroup(r, m, target);
		if (e == 0 && m->propagation && host_cgroup_is_v2())
			e = mount_propagation(r, m);
	} else if (mount(m->source ? m->source : m->type, path, m->type,
			 m->flags & fs_flag_mask & ~(ro_later(m) ? (unsigned long)MS_RDONLY : 0UL),
			 data) < 0)
		e = mount_fs_fallback(m, target, errno);
	else if (m->propagation)
		e = mount_propagation(r, m);
	if (e < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -e, "mount %s on %s%s%s", m->type,
				  m->destination, m->data ? " with " : "", m->data ? m->data : "");
	if (under >= 0 && copy_up(r, m, under, err) < 0)
		return -1;
	e = mount_rec_attrs(r, m);
	if (e < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -e, "mount %s on %s%s%s", m->type,
				  m->destination, m->data ? " with " : "", m->data ? m->data : "");
	if (r->n_made < SLUICE_MAX_MADE)
		r->made[r->n_made++] = m->destination;
	return 0;
}

int sluice_mounts_readonly_late(struct sluice_root *r, const struct sluice_config *c,
				struct sluice_error *err)
{
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct sluice_mount *m = &c->mounts[i];
		int e = ro_later(m) ? mount_readonly(r, m) : 0;

		if (e < 0)
			return sluice_err(err, SLUICE_EXIT_SETUP, -e,
					  "mount tmpfs on %s: make it read-only", m->destination);
	}
	return 0;
}

int sluice_mount_one(struct sluice_root *r, const struct sluice_mount *m, int src_fd,
		     struct sluice_error *err)
{
	if (m->destination[0] != '/')
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
				  "mount destination %s is not absolute", m->destination);
	return m->bind ? mount_bind(r, m, src_fd, err) : mount_fs(r, m, err);
}

static int mask_one(struct sluice_root *r, const char *path, struct sluice_error *err)
{
	struct stat st;
	char p[64];
	cleanup_close int fd = sluice_root_open(r, path, O_PATH | O_NOFOLLOW);

	if (fd == -ENOENT)
		return 0; /* nothing to hide */
	if (fd < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -fd, "masked path %s", path);
	if (fstat(fd, &st) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "masked path %s", path);
	if (S_ISDIR(st.st_mode)) {
		fd_path(fd, p, sizeof(p));
		if (mount("tmpfs", p, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  "size=0") < 0)
			return sluice_err(err, SLUICE_EXIT_SETUP, errno,
					  "mask %s with an empty tmpfs", path);
		return 0;
	}
	if (r->null_tree < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, ENODEV, "mask %s: no /dev/null", path);
	/* The first file gets the detached tree itself, the others copies of
	 * it.  A detached tree closed without being attached is dissolved by
	 * an unmount that waits for an RCU grace period (namespace_unlock):
	 * about half a millisecond of every start (docs/performance.md). */
	if (!r->null_attached) {
		if (sluice_move_mount(r->null_tree, fd) < 0)
			return sluice_err(err, SLUICE_EXIT_SETUP, errno, "mask %s with /dev/null",
					  path);
		r->null_attached = true;
		return 0;
	}
	{
		cleanup_close int tree =
			open_tree(r->null_tree, "",
				  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
		if (tree < 0 || sluice_move_mount(tree, fd) < 0)
			return sluice_err(err, SLUICE_EXIT_SETUP, errno, "mask %s with /dev/null",
					  path);
	}
	return 0;
}

static int readonly_one(struct sluice_root *r, const char *path, struct sluice_error *err)
{
	struct sluice_mount m = { .flags = MS_RDONLY, .recursive = true, .bind = true };
	cleanup_close int fd = sluice_root_open(r, path, O_PATH);
	int e;

	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -fd, "read-only path %s", path);
	/* A read-only copy of the path, attached over itself. */
	e = sluice_bind_tree(fd, "", fd, &m);
	if (e < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -e, "make %s read-only", path);
	return 0;
}

int sluice_mask_paths(struct sluice_root *r, const struct sluice_config *c, struct sluice_error *err)
{
	for (size_t i = 0; c->linux.masked_paths && c->linux.masked_paths[i]; i++)
		if (mask_one(r, c->linux.masked_paths[i], err) < 0)
			return -1;
	for (size_t i = 0; c->linux.readonly_paths && c->linux.readonly_paths[i]; i++)
		if (readonly_one(r, c->linux.readonly_paths[i], err) < 0)
			return -1;
	return 0;
}
