/* tmpcopyup (runc, crun): a tmpfs mounted over a directory of the rootfs
 * starts with a copy of what that directory held (podman's --read-only
 * gives /tmp, /var/tmp and /run this way).  The source is read through an
 * fd opened before the tmpfs covered it; nothing follows a symlink, and
 * every entry keeps its mode, owner and times. */
#include "mounts.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "util.h"

#define COPYUP_MAX_DEPTH 64

static int copy_tree(int src, int dst, int depth);

static int copy_data(int from, int to)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(from, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || sluice_write_all(to, buf, (size_t)n) < 0)
			return -errno;
	}
	return 0;
}

static int copy_file(int src, int dst, const char *name, const struct stat *st)
{
	cleanup_close int from = openat(src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	cleanup_close int to = -1;

	if (from < 0)
		return -errno;
	to = openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    st->st_mode & 07777);
	if (to < 0)
		return -errno;
	return copy_data(from, to);
}

static int copy_dir(int src, int dst, const char *name, const struct stat *st, int depth)
{
	cleanup_close int from = -1, to = -1;

	if (depth >= COPYUP_MAX_DEPTH)
		return -ELOOP;
	if (mkdirat(dst, name, st->st_mode & 07777) < 0)
		return -errno;
	from = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	to = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (from < 0 || to < 0)
		return -errno;
	return copy_tree(from, to, depth + 1);
}

static int copy_link(int src, int dst, const char *name)
{
	char target[4096];
	ssize_t n = readlinkat(src, name, target, sizeof(target) - 1);

	if (n < 0)
		return -errno;
	target[n] = '\0';
	return symlinkat(target, dst, name) < 0 ? -errno : 0;
}

/* One entry, then its owner, mode (setuid bits survive chown only if set
 * after it) and times. */
static int copy_entry(int src, int dst, const char *name, int depth)
{
	struct stat st;
	int r;

	if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		r = copy_dir(src, dst, name, &st, depth);
	else if (S_ISREG(st.st_mode))
		r = copy_file(src, dst, name, &st);
	else if (S_ISLNK(st.st_mode))
		r = copy_link(src, dst, name);
	else
		r = mknodat(dst, name, st.st_mode, st.st_rdev) < 0 ? -errno : 0;
	if (r == 0 && fchownat(dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		r = -errno;
	if (r == 0 && !S_ISLNK(st.st_mode) && fchmodat(dst, name, st.st_mode & 07777, 0) < 0)
		r = -errno;
	if (r == 0) {
		const struct timespec t[2] = { st.st_atim, st.st_mtim };
		(void)utimensat(dst, name, t, AT_SYMLINK_NOFOLLOW);
	}
	return r;
}

static int copy_tree(int src, int dst, int depth)
{
	int fd = openat(src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	int r = 0;

	if (!d) {
		r = -errno;
		sluice_close(fd);
		return r;
	}
	while (r == 0 && (errno = 0, e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			r = copy_entry(src, dst, e->d_name, depth);
	if (r == 0 && errno)
		r = -errno;
	closedir(d);
	return r;
}

int sluice_copy_up(int under, int tmpfs, const char *dest, struct sluice_error *err)
{
	/* what is under it only: the tmpfs's root keeps its owner, and its
	 * mode is mount_fs's (runc copies the contents alone too) */
	int r = copy_tree(under, tmpfs, 0);

	if (r < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -r,
				  "tmpcopyup: copy what was under %s into its tmpfs", dest);
	return 0;
}
