/* The processes of a container (oci_internal.h: oci_container_procs):
 * those of its cgroup, or, for a container without one (rootless without
 * resources), those of its pid namespace. */
#include "oci_internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "util.h"

static bool same_ns(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Is the pid namespace of process pid the container's, or one nested in
 * it?  Walks up the parents (NS_GET_PARENT) of the process's namespace,
 * stopping at our own. */
static bool in_container(pid_t pid, const struct stat *cns, const struct stat *own)
{
	char path[64];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	for (int depth = 0; fd >= 0 && depth < 33; depth++) {
		int parent;
		if (fstat(fd, &st) < 0 || same_ns(&st, own))
			break;
		if (same_ns(&st, cns)) {
			sluice_close(fd);
			return true;
		}
		parent = ioctl(fd, NS_GET_PARENT); /* a new fd, close-on-exec */
		sluice_close(fd);
		fd = parent;
	}
	sluice_close(fd);
	return false;
}

static int ns_of(const char *path, struct stat *st, struct sluice_error *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, st) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "%s", path);
	return 0;
}

static int cgroup_procs(const struct oci_container *ct, struct sluice_cgroup *cg,
			int (*fn)(pid_t pid, int pidfd, void *ctx), void *ctx,
			struct sluice_error *err)
{
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;
	int r = 0;

	if (sluice_cgroup_pids(cg, &pids, &n, err) < 0)
		return -1;
	for (size_t i = 0; r == 0 && i < n; i++) {
		int fd = pids[i] == ct->rec.pid ? -1 : sluice_pidfd_open(pids[i]);
		if (fd >= 0)
			r = fn(pids[i], fd, ctx);
		sluice_close(fd);
	}
	return r;
}

int oci_container_procs(struct oci_container *ct, int (*fn)(pid_t pid, int pidfd, void *ctx),
			void *ctx, struct sluice_error *err)
{
	struct sluice_cgroup *cg = NULL;
	char path[64];
	struct stat cns = { 0 }, own = { 0 };
	struct dirent *e;
	DIR *d;
	int r = 0;

	if (oci_container_cgroup(ct, &cg, err) < 0)
		return -1;
	if (cg)
		return cgroup_procs(ct, cg, fn, ctx, err);
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)ct->rec.pid);
	if (ns_of(path, &cns, err) < 0 || ns_of("/proc/self/ns/pid", &own, err) < 0)
		return -1;
	if (same_ns(&cns, &own))
		return sluice_err(err, SLUICE_EXIT_OCI, 0,
				  "container %s shares sluice's pid namespace and has no cgroup: its "
				  "processes cannot be told from others",
				  ct->rec.id);
	d = opendir("/proc");
	if (!d)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "/proc");
	while (r == 0 && (e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		int fd;
		if (*end || pid <= 0 || pid == ct->rec.pid)
			continue;
		fd = sluice_pidfd_open((pid_t)pid);
		/* checked after the open: a pid reused before it is not ours */
		if (fd >= 0 && in_container((pid_t)pid, &cns, &own))
			r = fn((pid_t)pid, fd, ctx);
		sluice_close(fd);
	}
	closedir(d);
	return r;
}
