/* The minimal /dev: null zero full random urandom tty, the fd and stdio
 * links, ptmx, and linux.devices.  As root in the initial user namespace
 * the nodes are made with mknod; in a user namespace mknod is refused, so
 * the host's nodes are bind-mounted onto empty files instead (the trees are
 * opened before /dev is covered by the new tmpfs). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "error.h"
#include "mounts.h"
#include "util.h"

struct dev_node {
	const char *path;
	unsigned int major, minor;
};

static const struct dev_node default_nodes[] = {
	{ "/dev/null", 1, 3 },	 { "/dev/zero", 1, 5 },	   { "/dev/full", 1, 7 },
	{ "/dev/random", 1, 8 }, { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 },
};
#define N_DEFAULT (sizeof(default_nodes) / sizeof(default_nodes[0]))
#define MAX_TREES (N_DEFAULT + 64)

static const struct {
	const char *path, *target;
} default_links[] = {
	{ "/dev/fd", "/proc/self/fd" },	      { "/dev/stdin", "/proc/self/fd/0" },
	{ "/dev/stdout", "/proc/self/fd/1" }, { "/dev/stderr", "/proc/self/fd/2" },
	{ "/dev/ptmx", "pts/ptmx" },
};

/* Host node trees for the user-namespace case, by index: defaults first,
 * then linux.devices. */
static int trees[MAX_TREES];
static size_t n_trees;

void sluice_devices_release(void)
{
	for (size_t i = 0; i < n_trees; i++)
		sluice_close(trees[i]);
	n_trees = 0;
}

static int open_host_node(const char *path)
{
	return open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
}

int sluice_devices_prepare(struct sluice_root *r, const struct sluice_config *c,
			   struct sluice_error *err)
{
	r->null_tree = open_host_node("/dev/null");
	if (!r->userns)
		return 0;
	if (c->linux.n_devices > MAX_TREES - N_DEFAULT)
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0, "too many linux.devices");
	for (size_t i = 0; i < N_DEFAULT; i++)
		trees[n_trees++] = open_host_node(default_nodes[i].path);
	for (size_t i = 0; i < c->linux.n_devices; i++) {
		trees[n_trees] = open_host_node(c->linux.devices[i].path);
		if (trees[n_trees++] < 0)
			return sluice_err(err, SLUICE_EXIT_SETUP, errno,
					  "linux.devices %s: no such device on the host to bind "
					  "(in a user namespace devices are bound from the host)",
					  c->linux.devices[i].path);
	}
	return 0;
}

static mode_t node_type(char type)
{
	switch (type) {
	case 'b':
		return S_IFBLK;
	case 'p':
		return S_IFIFO;
	default:
		return S_IFCHR;
	}
}

static int make_node(struct sluice_root *r, const char *path, mode_t mode, dev_t dev, int tree,
		     struct sluice_error *err)
{
	cleanup_close int target = -1;
	char dir[4096], *slash;
	cleanup_close int dfd = -1;

	if (r->userns) {
		if (tree < 0)
			return sluice_err(err, SLUICE_EXIT_SETUP, ENODEV,
					  "device %s: not on the host", path);
		target = sluice_root_mkpath(r, path, true, err);
		if (target < 0)
			return -1;
		if (sluice_move_mount(tree, target) < 0)
			return sluice_err(err, SLUICE_EXIT_SETUP, errno, "bind the host's %s", path);
		return 0;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	*slash = '\0';
	dfd = sluice_root_mkpath(r, dir[0] ? dir : "/", false, err);
	if (dfd < 0)
		return -1;
	sluice_close(dfd);
	dfd = sluice_root_open(r, dir[0] ? dir : "/", O_DIRECTORY);
	if (dfd < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -dfd, "%s", dir);
	if (mknodat(dfd, slash + 1, mode, dev) < 0 && errno != EEXIST)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "mknod %s", path);
	/* mknod is subject to the umask; the mode is meant as given. */
	if (fchmodat(dfd, slash + 1, mode & 07777, 0) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "chmod %s", path);
	return 0;
}

static int make_links(struct sluice_root *r, struct sluice_error *err)
{
	cleanup_close int dfd = sluice_root_open(r, "/dev", O_DIRECTORY);

	if (dfd < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -dfd, "/dev");
	for (size_t i = 0; i < sizeof(default_links) / sizeof(default_links[0]); i++)
		if (symlinkat(default_links[i].target, dfd, default_links[i].path + 5) < 0 &&
		    errno != EEXIST)
			return sluice_err(err, SLUICE_EXIT_SETUP, errno, "symlink %s",
					  default_links[i].path);
	return 0;
}

static int configured_device(struct sluice_root *r, const struct sluice_device *d, int tree,
			     struct sluice_error *err)
{
	mode_t mode = node_type(d->type) | (d->file_mode_set ? d->file_mode : 0666);
	cleanup_close int fd = -1;

	if (make_node(r, d->path, mode, makedev(d->major, d->minor), tree, err) < 0)
		return -1;
	if (r->userns || (!d->uid_set && !d->gid_set))
		return 0;
	fd = sluice_root_open(r, d->path, O_PATH | O_NOFOLLOW);
	if (fd < 0 || fchownat(fd, "", d->uid_set ? d->uid : (uid_t)-1,
			       d->gid_set ? d->gid : (gid_t)-1, AT_EMPTY_PATH) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, fd < 0 ? -fd : errno, "chown %s", d->path);
	return 0;
}

int sluice_devices_populate(struct sluice_root *r, const struct sluice_config *c,
			    struct sluice_error *err)
{
	size_t t = 0;

	for (size_t i = 0; i < N_DEFAULT; i++, t++) {
		const struct dev_node *n = &default_nodes[i];
		if (make_node(r, n->path, S_IFCHR | 0666, makedev(n->major, n->minor),
			      r->userns ? trees[t] : -1, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < c->linux.n_devices; i++, t++)
		if (configured_device(r, &c->linux.devices[i], r->userns ? trees[t] : -1, err) < 0)
			return -1;
	return make_links(r, err);
}
