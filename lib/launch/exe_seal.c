/* The sealed copy of the helper's binary (exe_seal.h). */
#include "exe_seal.h"

#include <fcntl.h>
#include <stdio.h>
#include <linux/capability.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <linux/mount.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "error.h"
#include "util.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3: executable even where vm.memfd_noexec says no */
#endif
#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)
#define CAP(x) (UINT64_C(1) << (x))

static bool ns_new(const struct sluice_config *c, enum sluice_ns ns)
{
	return c->linux.ns[ns].enabled && !c->linux.ns[ns].path;
}

/* The host id that sandbox id runs as, -1 when unmapped. */
static int64_t to_host(const struct sluice_idmap *m, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (id >= m[i].container_id &&
		    (uint64_t)id < (uint64_t)m[i].container_id + m[i].size)
			return (int64_t)m[i].host_id + (id - m[i].container_id);
	return -1;
}

static bool host_mapped(const struct sluice_idmap *m, size_t n, uint32_t host)
{
	for (size_t i = 0; i < n; i++)
		if (host >= m[i].host_id && (uint64_t)host < (uint64_t)m[i].host_id + m[i].size)
			return true;
	return false;
}

static bool in_groups(const struct sluice_config *c, gid_t gid)
{
	const struct sluice_idmap *gm = c->linux.gid_mappings;
	size_t ng = c->linux.n_gid_mappings;
	bool userns = ns_new(c, SLUICE_NS_USER);

	if ((userns ? to_host(gm, ng, c->process.user.gid) : c->process.user.gid) == gid)
		return true;
	for (size_t i = 0; i < c->process.user.n_additional_gids; i++) {
		uint32_t g = c->process.user.additional_gids[i];
		if ((userns ? to_host(gm, ng, g) : g) == gid)
			return true;
	}
	return false;
}

/* In a user namespace of its own, the sandbox's ids are the host ids its
 * maps name, and its capabilities reach a host file only when the file's
 * owner and group are both mapped (capable_wrt_inode_uidgid).  A process
 * can become any mapped id with CAP_SETUID/CAP_SETGID, or through a
 * set-id file when no_new_privs is off. */
static bool writable_in_userns(const struct sluice_config *c, const struct stat *st)
{
	uint64_t caps = c->process.caps[SLUICE_CAP_BOUNDING];
	const struct sluice_idmap *um = c->linux.uid_mappings, *gm = c->linux.gid_mappings;
	size_t nu = c->linux.n_uid_mappings, ng = c->linux.n_gid_mappings;
	bool owner = host_mapped(um, nu, st->st_uid), group = host_mapped(gm, ng, st->st_gid);
	bool any_uid = !c->process.no_new_privileges || (caps & CAP(CAP_SETUID));
	bool any_gid = !c->process.no_new_privileges || (caps & CAP(CAP_SETGID));

	if (owner && group && (caps & (CAP(CAP_DAC_OVERRIDE) | CAP(CAP_FOWNER))))
		return true;
	if ((st->st_mode & S_IWUSR) &&
	    (any_uid ? owner : to_host(um, nu, c->process.user.uid) == (int64_t)st->st_uid))
		return true;
	return (st->st_mode & S_IWGRP) && (any_gid ? group : in_groups(c, st->st_gid));
}

/*
 * Whether any process of the sandbox could ever open the binary for
 * writing, which is what writing through /proc/PID/exe needs, however the
 * link is reached (a non-dumpable helper's only with CAP_SYS_PTRACE, or a
 * workload that is sluice itself through "#!/proc/self/exe").  Joined
 * namespaces hold ids and capabilities the config does not tell: sealed.
 * Without a user namespace of its own, any capability, or a set-id file,
 * can lead to a host root that writes anything: sealed.
 */
bool sluice_exe_needs_seal(const struct sluice_config *c, const struct stat *st, bool acl)
{
	for (int i = 0; i < SLUICE_NS_COUNT; i++)
		if (c->linux.ns[i].enabled && c->linux.ns[i].path)
			return true;
	if (acl || (st->st_mode & S_IWOTH))
		return true;
	if (ns_new(c, SLUICE_NS_USER))
		return writable_in_userns(c, st);
	if (c->process.caps[SLUICE_CAP_BOUNDING] || !c->process.no_new_privileges)
		return true;
	return ((st->st_mode & S_IWUSR) && c->process.user.uid == st->st_uid) ||
	       ((st->st_mode & S_IWGRP) && in_groups(c, st->st_gid));
}

static struct {
	pthread_mutex_t lock;
	bool self_known; /* self_st and self_acl hold our own executable */
	struct stat self_st;
	bool self_acl;
	bool self_sealed;    /* we run from a sealed copy ourselves */
	int self_fd;	     /* our own executable, sealed */
	char *path;	     /* the last other path asked for */
	struct stat path_st; /* that file when it was copied: a new one is copied again */
	int path_fd;	     /* its sealed copy */
} cache = { .lock = PTHREAD_MUTEX_INITIALIZER, .self_fd = -1, .path_fd = -1 };

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static bool sealed_already(int fd)
{
	int seals = fcntl(fd, F_GET_SEALS);

	return seals >= 0 && (seals & SEALS) == SEALS;
}

/* An access ACL may grant writing where the mode bits do not. */
static bool has_acl(int fd)
{
	return fgetxattr(fd, "system.posix_acl_access", NULL, 0) > 0;
}

static int new_memfd(void)
{
	int fd = memfd_create("sluice", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);

	if (fd < 0 && errno == EINVAL) /* a kernel before 6.3 */
		fd = memfd_create("sluice", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	return fd;
}

/* The whole file: with its debug information, which sanitizer reports and
 * debuggers read from /proc/PID/exe. */
static int copy_sealed(int src, const struct stat *st, const char *name, struct sluice_error *err)
{
	cleanup_close int fd = new_memfd();
	off_t off = 0;

	if (fd < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "memfd_create for a copy of %s",
				  name);
	while (off < st->st_size) {
		ssize_t n = sendfile(fd, src, &off, (size_t)(st->st_size - off));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return sluice_err(err, SLUICE_EXIT_SETUP, n < 0 ? errno : EIO,
					  "copy %s into a sealed memfd", name);
	}
	if (fcntl(fd, F_ADD_SEALS, SEALS) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "seal the copy of %s", name);
	return steal_fd(&fd);
}

/* What sluice_exe_for needs to know of our own executable, once. */
static int know_self(struct sluice_error *err)
{
	cleanup_close int fd = -1;

	if (cache.self_known)
		return 0;
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &cache.self_st) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "/proc/self/exe");
	cache.self_acl = has_acl(fd);
	cache.self_sealed = sealed_already(fd);
	cache.self_known = true;
	return 0;
}

/* 1 when the binary must not be executed as it is, 0 when it may; st is
 * the binary.  -1 with err. */
static int self_needs(const struct sluice_config *c, struct stat *st, struct sluice_error *err)
{
	if (know_self(err) < 0)
		return -1;
	*st = cache.self_st;
	return !cache.self_sealed && sluice_exe_needs_seal(c, &cache.self_st, cache.self_acl);
}

static int path_needs(const struct sluice_config *c, const char *path, struct stat *st)
{
	cleanup_close int src = open(path, O_RDONLY | O_CLOEXEC);

	if (src < 0 || fstat(src, st) < 0)
		return -1;
	return !sealed_already(src) && sluice_exe_needs_seal(c, st, has_acl(src));
}

static int self_sealed(int *fd, struct sluice_error *err)
{
	cleanup_close int src = -1;

	if (cache.self_fd < 0) {
		src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
		if (src < 0)
			return sluice_err(err, SLUICE_EXIT_SETUP, errno, "/proc/self/exe");
		cache.self_fd = copy_sealed(src, &cache.self_st, "/proc/self/exe", err);
		if (cache.self_fd < 0)
			return -1;
	}
	*fd = cache.self_fd;
	return 0;
}

static int path_sealed(const char *path, const struct stat *st, int *fd, struct sluice_error *err)
{
	cleanup_close int src = -1;
	char *copy;
	int sealed;

	if (cache.path_fd < 0 || strcmp(cache.path, path) != 0 || !same_file(st, &cache.path_st)) {
		src = open(path, O_RDONLY | O_CLOEXEC);
		copy = strdup(path);
		if (src < 0 || !copy) {
			free(copy);
			return sluice_err(err, SLUICE_EXIT_SETUP, src < 0 ? errno : ENOMEM,
					  "helper %s", path);
		}
		sealed = copy_sealed(src, st, path, err);
		if (sealed < 0) {
			free(copy);
			return -1;
		}
		sluice_close(cache.path_fd);
		free(cache.path);
		cache.path = copy;
		cache.path_fd = sealed;
		cache.path_st = *st;
	}
	*fd = cache.path_fd;
	return 0;
}

/* What the child can do with a new mount namespace of its own: bind the
 * binary read-only over itself there.  Not when the sandbox may hold
 * CAP_SYS_ADMIN over that namespace (it could remount the bind writable):
 * then only the sealed copy holds. */
static bool ro_bind_will_do(const struct sluice_config *c)
{
	/* the launcher creates the namespaces itself only when none is joined */
	for (int i = 0; i < SLUICE_NS_COUNT; i++)
		if (c->linux.ns[i].enabled && c->linux.ns[i].path)
			return false;
	return ns_new(c, SLUICE_NS_MOUNT) &&
	       !(c->process.caps[SLUICE_CAP_BOUNDING] & CAP(CAP_SYS_ADMIN));
}

/* The binary's path in the new mount namespace, which is a copy of ours:
 * the file the path names there must be the one we would execute. */
static int real_path(const char *path, char *out, size_t len, const struct stat *want)
{
	struct stat st = { 0 };
	ssize_t n;

	if (path) {
		char abs[PATH_MAX];
		if (!realpath(path, abs) || snprintf(out, len, "%s", abs) >= (int)len)
			return -1;
	} else {
		n = readlink("/proc/self/exe", out, len - 1);
		if (n <= 0)
			return -1;
		out[n] = '\0';
	}
	if (out[0] != '/' || stat(out, &st) < 0 || !same_file(&st, want))
		return -1;
	return 0;
}

int sluice_exe_plan(struct sluice_exe_plan *x, const struct sluice_config *c, const char *path,
		    int min_fd, struct sluice_error *err)
{
	int fd = -1, r;
	struct stat st = { 0 };

	memset(x, 0, sizeof(*x));
	x->fd = -1;
	x->path = path ? path : "/proc/self/exe";
	pthread_mutex_lock(&cache.lock);
	r = path ? path_needs(c, path, &st) : self_needs(c, &st, err);
	if (r < 0 && path)
		r = sluice_err(err, SLUICE_EXIT_SETUP, errno, "helper %s", path);
	if (r > 0 && ro_bind_will_do(c) &&
	    real_path(path, x->real_path, sizeof(x->real_path), &st) == 0 &&
	    stat("/proc/self/ns/mnt", &x->our_mnt_ns) == 0)
		x->method = SLUICE_EXE_RO_BIND;
	else if (r > 0 &&
		 (r = (path ? path_sealed(path, &st, &fd, err) : self_sealed(&fd, err))) == 0)
		x->method = SLUICE_EXE_SEALED;
	pthread_mutex_unlock(&cache.lock);
	if (r < 0)
		return -1;
	if (x->method != SLUICE_EXE_SEALED)
		return 0;
	/* at an fd above the range the child dup2()s onto */
	x->fd = fcntl(fd, F_DUPFD_CLOEXEC, min_fd);
	if (x->fd < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "fcntl(F_DUPFD_CLOEXEC)");
	snprintf(x->fd_path, sizeof(x->fd_path), "/proc/self/fd/%d", x->fd);
	return 0;
}

void sluice_exe_plan_release(struct sluice_exe_plan *x)
{
	sluice_close(x->fd);
	x->fd = -1;
}

/* ---- in the child, after clone: system calls only ---- */

/* "/proc/self/fd/N" without snprintf. */
static void fd_path_of(char *buf, int fd)
{
	static const char prefix[] = "/proc/self/fd/";
	char digits[12];
	size_t n = 0, i = 0;

	do
		digits[n++] = (char)('0' + fd % 10);
	while ((fd /= 10) > 0);
	for (; prefix[i]; i++)
		buf[i] = prefix[i];
	while (n)
		buf[i++] = digits[--n];
	buf[i] = '\0';
}

static void exec_fd(int fd, const char *fd_path, char *const argv[], char *const envp[])
{
	syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
	/* The same sealed file by its /proc path: for a kernel before 3.19,
	 * and for valgrind 3.19, whose execveat looks the fd's name up as a
	 * path ("/memfd:sluice (deleted)"). */
	execve(fd_path, argv, envp);
}

/* The fork fallback created no namespace: no mount to bind in, so the
 * child makes the sealed copy itself. */
static void exec_copied(const struct sluice_exe_plan *x, char *const argv[], char *const envp[])
{
	struct stat st;
	char fd_path[32];
	int src = open(x->real_path, O_RDONLY | O_CLOEXEC), fd;
	off_t off = 0;

	if (src < 0 || fstat(src, &st) < 0 ||
	    (fd = memfd_create("sluice", MFD_CLOEXEC | MFD_ALLOW_SEALING)) < 0)
		return;
	while (off < st.st_size)
		if (sendfile(fd, src, &off, (size_t)(st.st_size - off)) <= 0 && errno != EINTR)
			return;
	if (fcntl(fd, F_ADD_SEALS, SEALS) < 0)
		return;
	fd_path_of(fd_path, fd);
	exec_fd(fd, fd_path, argv, envp);
}

/* The binary bound read-only over itself in the child's new mount
 * namespace, and executed through that bind: /proc/PID/exe then names a
 * read-only mount (EROFS to any writer).  / is made private first, as the
 * helper does anyway, so that the bind propagates nowhere. */
static void exec_ro_bind(const struct sluice_exe_plan *x, char *const argv[], char *const envp[])
{
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
	struct stat ns;
	int tree;

	/* Never in the launcher's own mount namespace: whatever the flags
	 * said, the kernel's word on where we are decides. */
	if (stat("/proc/self/ns/mnt", &ns) < 0 ||
	    (ns.st_dev == x->our_mnt_ns.st_dev && ns.st_ino == x->our_mnt_ns.st_ino)) {
		exec_copied(x, argv, envp);
		return;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return;
	tree = (int)syscall(SYS_open_tree, AT_FDCWD, x->real_path,
			    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0 || syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0 ||
	    syscall(SYS_move_mount, tree, "", AT_FDCWD, x->real_path, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return;
	execve(x->real_path, argv, envp);
}

void sluice_exe_exec(const struct sluice_exe_plan *x, bool ns_applied, char *const argv[],
		     char *const envp[])
{
	switch (x->method) {
	case SLUICE_EXE_PATH:
		execve(x->path, argv, envp);
		return;
	case SLUICE_EXE_SEALED:
		exec_fd(x->fd, x->fd_path, argv, envp);
		return;
	case SLUICE_EXE_RO_BIND:
		if (ns_applied)
			exec_ro_bind(x, argv, envp);
		else
			exec_copied(x, argv, envp);
		return;
	}
}
