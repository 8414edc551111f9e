/* The container's /sys/fs/cgroup on a v1 or hybrid host, as runc makes it:
 * a tmpfs holding, for each hierarchy the host mounts under
 * /sys/fs/cgroup, a bind of the container's own cgroup in it (so
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

#include "error.h"
#include "util.h"

#define HOST_CGROUP "/sys/fs/cgroup"

/* The cgroup path (as /proc/self/cgroup, read once into cgroups, gives
 * it) of the hierarchy whose controllers (super options of its mount:
 * "rw,memory", "rw,xattr,name=systemd") are in opts; v2 for cgroup2. */
static bool own_path(const char *cgroups, const char *opts, bool v2, char *out, size_t len)
{
	char have[1100];

	snprintf(have, sizeof(have), ",%.1024s,", opts);
	for (const char *at = cgroups; *at;) {
		size_t n = strcspn(at, "\n");
		char line[4096];
		char *ctrls, *path;

		snprintf(line, sizeof(line), "%.*s", (int)n, at);
		at += n + (at[n] == '\n');
		ctrls = strchr(line, ':');
		path = ctrls ? strchr(ctrls + 1, ':') : NULL;
		if (!path)
			continue;
		*path++ = '\0';
		ctrls++;
		if (v2 ? *ctrls == '\0' : *ctrls != '\0') {
			char *save = NULL, *one;
			bool all = true;
			for (one = v2 ? NULL : strtok_r(ctrls, ",", &save); one;
			     one = strtok_r(NULL, ",", &save)) {
				char want[160];
				snprintf(want, sizeof(want), ",%.150s,", one);
				all = all && strstr(have, want);
			}
			if (all) {
				snprintf(out, len, "%s", path);
				return true;
			}
		}
	}
	return false;
}

/* One hierarchy: mountinfo's mount point, fs type and super options. */
static int bind_one(int tmpfs, const char *cgroups, const char *point, const char *type,
		    const char *opts, const struct sluice_mount *m)
{
	const char *name = point + sizeof(HOST_CGROUP);
	char path[4096], src[8192];
	cleanup_close int target = -1;
	struct sluice_mount b = *m;

	if (!own_path(cgroups, opts, !strcmp(type, "cgroup2"), path, sizeof(path)))
		return 0; /* not a hierarchy this process is in (none on v1 then) */
	snprintf(src, sizeof(src), "%s%s", point, strcmp(path, "/") ? path : "");
	if (mkdirat(tmpfs, name, 0755) < 0 && errno != EEXIST)
		return -errno;
	target = openat(tmpfs, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0)
		return -errno;
	b.recursive = false;
	b.propagation = 0;
	return sluice_bind_tree(AT_FDCWD, src, target, &b);
}

/* Every cgroup/cgroup2 mount directly under /sys/fs/cgroup. */
static int bind_hierarchies(int tmpfs, const struct sluice_mount *m)
{
	cleanup_free char *cgroups = NULL;
	cleanup_close int fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	char line[8192];
	FILE *f;
	int r = fd < 0 ? -errno : sluice_read_fd(fd, 1 << 20, &cgroups, &len);

	if (r < 0)
		return r;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	while (r == 0 && fgets(line, sizeof(line), f)) {
		char point[4096], type[32], opts[1024];
		const char *sep = strstr(line, " - ");
		if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", point) != 1 ||
		    sscanf(sep + 3, "%31s %*s %1023s", type, opts) != 2)
			continue;
		if (strncmp(point, HOST_CGROUP "/", sizeof(HOST_CGROUP)) ||
		    strchr(point + sizeof(HOST_CGROUP), '/') ||
		    (strcmp(type, "cgroup") && strcmp(type, "cgroup2")))
			continue;
		r = bind_one(tmpfs, cgroups, point, type, opts, m);
	}
	fclose(f);
	return r;
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
