/* Namespaces (namespaces.h). */
#include "namespaces.h"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "util.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const uint64_t ns_flags[SLUICE_NS_COUNT] = {
	[SLUICE_NS_USER] = CLONE_NEWUSER,     [SLUICE_NS_MOUNT] = CLONE_NEWNS,
	[SLUICE_NS_PID] = CLONE_NEWPID,	      [SLUICE_NS_UTS] = CLONE_NEWUTS,
	[SLUICE_NS_IPC] = CLONE_NEWIPC,	      [SLUICE_NS_NET] = CLONE_NEWNET,
	[SLUICE_NS_CGROUP] = CLONE_NEWCGROUP, [SLUICE_NS_TIME] = CLONE_NEWTIME,
};

/* unshare(2)'s failure, the namespaces by name, with what errno E means
 * here: the usual case is a sandbox inside another (a container's seccomp
 * profile, a sluice sandbox without --nested-userns). */
static int unshare_error(uint64_t flags, int e, struct sluice_error *err)
{
	char names[128] = "";
	const char *why = "";
	size_t len = 0;

	for (int i = 0; i < SLUICE_NS_COUNT && len < sizeof(names); i++)
		if (flags & ns_flags[i])
			len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s",
						len ? ", " : "", sluice_ns_names[i]);
	if (e == EPERM && (flags & CLONE_NEWUSER))
		why = ": no new user namespace is allowed here (a seccomp filter forbids it: "
		      "in a container, or a sluice sandbox without --nested-userns; or the host "
		      "disables them)";
	else if (e == EPERM)
		why = ": creating namespaces needs CAP_SYS_ADMIN (or a new user namespace with "
		      "them)";
	else if (e == ENOSPC || e == EUSERS)
		why = ": a limit on namespaces is reached (/proc/sys/user/max_*_namespaces, 0 for "
		      "user namespaces in a sluice sandbox without --nested-userns; or 32 nested "
		      "user namespaces)";
	else if (e == EINVAL)
		why = ": this kernel lacks one of them";
	return sluice_err(err, SLUICE_EXIT_SETUP, e, "unshare namespaces %s%s", names, why);
}

uint64_t sluice_ns_flag(enum sluice_ns ns)
{
	return ns_flags[ns];
}

uint64_t sluice_ns_new_flags(const struct sluice_config *c)
{
	uint64_t flags = 0;

	for (int i = 0; i < SLUICE_NS_COUNT; i++)
		if (c->linux.ns[i].enabled && !c->linux.ns[i].path)
			flags |= ns_flags[i];
	return flags;
}

bool sluice_ns_joined(const struct sluice_config *c, enum sluice_ns ns)
{
	return c->linux.ns[ns].enabled && c->linux.ns[ns].path;
}

bool sluice_ns_any_joined(const struct sluice_config *c)
{
	for (int i = 0; i < SLUICE_NS_COUNT; i++)
		if (sluice_ns_joined(c, (enum sluice_ns)i))
			return true;
	return false;
}

/* The order of setns(): the user namespace first, so that the rest are
 * joined with its capabilities; the mount namespace last, because joining
 * it changes what the other paths resolve to (they are opened up front
 * anyway). */
static const enum sluice_ns join_order[SLUICE_NS_COUNT] = {
	SLUICE_NS_USER, SLUICE_NS_IPC,	  SLUICE_NS_UTS,  SLUICE_NS_NET,
	SLUICE_NS_PID,	SLUICE_NS_CGROUP, SLUICE_NS_TIME, SLUICE_NS_MOUNT,
};

int sluice_ns_join(const struct sluice_config *c, struct sluice_error *err)
{
	int fds[SLUICE_NS_COUNT];
	int r = 0;

	/* Every entry -1 before the first open: a failed open jumps to the
	 * cleanup, which closes them all (clang --analyze: it closed stack
	 * garbage, possibly the status fd, when a later entry was unset). */
	for (int i = 0; i < SLUICE_NS_COUNT; i++)
		fds[i] = -1;
	for (int i = 0; i < SLUICE_NS_COUNT; i++) {
		if (!sluice_ns_joined(c, (enum sluice_ns)i))
			continue;
		fds[i] = open(c->linux.ns[i].path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0) {
			r = sluice_err(err, SLUICE_EXIT_SETUP, errno, "%s namespace %s: cannot open",
				       sluice_ns_names[i], c->linux.ns[i].path);
			goto out;
		}
	}
	for (int k = 0; k < SLUICE_NS_COUNT; k++) {
		enum sluice_ns ns = join_order[k];
		if (fds[ns] < 0)
			continue;
		if (setns(fds[ns], (int)ns_flags[ns]) < 0) {
			r = sluice_err(err, SLUICE_EXIT_SETUP, errno, "join %s namespace %s",
				       sluice_ns_names[ns], c->linux.ns[ns].path);
			goto out;
		}
	}
out:
	for (int i = 0; i < SLUICE_NS_COUNT; i++)
		sluice_close(fds[i]);
	return r;
}

static size_t format_map(char *buf, size_t len, const struct sluice_idmap *m, size_t n,
			 bool argv_style)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off,
					argv_style ? "%u %u %u " : "%u %u %u\n", m[i].container_id,
					m[i].host_id, m[i].size);
	return off < len ? off : len;
}

/* Without privilege the kernel accepts exactly one mapping of one id: the
 * creator's own. */
static bool self_mappable(const struct sluice_idmap *m, size_t n, uint32_t own)
{
	return n == 1 && m[0].size == 1 && m[0].host_id == own;
}

/* CAP is in our effective set (of the namespace we are in). */
static bool has_effective_cap(int cap)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { 0 };

	if (syscall(SYS_capget, &h, d) < 0)
		return false;
	return d[cap / 32].effective & (1U << (cap % 32));
}

static int run_helper_tool(const char *tool, pid_t pid, const struct sluice_idmap *m, size_t n,
			   struct sluice_error *err)
{
	char *argv[3 + 3 * 340 + 1];
	char nums[3 * 340][12], pidbuf[16];
	size_t a = 0;
	pid_t child;
	int status;

	if (n > 340)
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0, "too many id mappings (%zu)", n);
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)pid);
	argv[a++] = (char *)tool;
	argv[a++] = pidbuf;
	for (size_t i = 0; i < n; i++) {
		const uint32_t v[3] = { m[i].container_id, m[i].host_id, m[i].size };
		for (int k = 0; k < 3; k++) {
			snprintf(nums[3 * i + (size_t)k], sizeof(nums[0]), "%u", v[k]);
			argv[a++] = nums[3 * i + (size_t)k];
		}
	}
	argv[a] = NULL;
	child = fork();
	if (child < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "%s: fork", tool);
	if (child == 0) {
		execvp(tool, argv);
		_exit(127);
	}
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return sluice_err(err, SLUICE_EXIT_SETUP, errno, "%s: wait", tool);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return sluice_err(err, SLUICE_EXIT_SETUP, 0,
				  "%s not found: install the uidmap package to map id ranges", tool);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, 0,
				  "%s refused the mapping (see its message above; check /etc/sub%cid)",
				  tool, tool[3] == 'u' ? 'u' : 'g');
	return 0;
}

static bool maps_root(const struct sluice_idmap *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].container_id == 0 && m[i].size)
			return true;
	return false;
}

static int write_one_map(pid_t pid, const char *kind, const struct sluice_idmap *m, size_t n,
			 bool direct, struct sluice_error *err)
{
	char path[64], buf[4096];
	size_t len;
	int r;

	if (n == 0)
		return 0;
	if (!direct)
		return run_helper_tool(kind[0] == 'u' ? "newuidmap" : "newgidmap", pid, m, n, err);
	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/%s_map", (int)pid, kind);
	else
		snprintf(path, sizeof(path), "/proc/self/%s_map", kind);
	len = format_map(buf, sizeof(buf), m, n, false);
	r = sluice_write_file(path, buf, len);
	if (r < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -r, "write %s mapping %.*s%s", kind,
				  (int)(len ? len - 1 : 0), buf,
				  r == -EPERM && kind[0] == 'u' && maps_root(m, n) ?
					  " (mapping root of a new user namespace to its creator "
					  "needs CAP_SETFCAP where it is created, since Linux 5.12: "
					  "in a sluice sandbox, --cap-add CAP_SETFCAP)" :
					  "");
	return 0;
}

int sluice_idmap_write(pid_t pid, const struct sluice_config *c, uid_t who_uid, gid_t who_gid,
		       struct sluice_error *err)
{
	/* pid 0 is ourselves, after unshare(CLONE_NEWUSER): from then on we
	 * hold no capability in the parent namespace, root or not, so only a
	 * single-id map of our own ids goes, and setgroups must be denied
	 * first (found by the valgrind gate, which runs the no-clone3 path). */
	/* Root without CAP_SETUID or CAP_SETGID (in a sandbox that dropped
	 * them) may map only its own ids, as any user. */
	bool root = who_uid == 0 && pid != 0;
	bool uid_root = root && has_effective_cap(CAP_SETUID);
	bool gid_root = root && has_effective_cap(CAP_SETGID);
	bool uid_direct =
		uid_root || self_mappable(c->linux.uid_mappings, c->linux.n_uid_mappings, who_uid);
	bool gid_direct =
		gid_root || self_mappable(c->linux.gid_mappings, c->linux.n_gid_mappings, who_gid);
	char path[64];
	int r;

	if (!pid &&
	    ((!uid_direct && c->linux.n_uid_mappings) || (!gid_direct && c->linux.n_gid_mappings)))
		return sluice_err(
			err, SLUICE_EXIT_SETUP, 0,
			"a helper that creates its user namespace maps only its own uid and gid: "
			"id ranges need a runtime that writes the maps (docs/protocol.md)");
	if (!gid_root && gid_direct && c->linux.n_gid_mappings) {
		/* An unprivileged gid map is only accepted once setgroups is
		 * denied: otherwise the process could drop a group that is
		 * used to deny it access (user_namespaces(7)). */
		if (pid)
			snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
		else
			snprintf(path, sizeof(path), "/proc/self/setgroups");
		r = sluice_write_file(path, "deny", 4);
		if (r < 0)
			return sluice_err(err, SLUICE_EXIT_SETUP, -r, "write %s", path);
	}
	if (write_one_map(pid, "uid", c->linux.uid_mappings, c->linux.n_uid_mappings, uid_direct,
			  err) < 0)
		return -1;
	return write_one_map(pid, "gid", c->linux.gid_mappings, c->linux.n_gid_mappings, gid_direct,
			     err);
}

/* A process made in a new user namespace only to carry the maps: it
 * waits on a pipe that the parent never writes, and dies when the parent
 * closes it (or kills it). */
static pid_t userns_holder(int *hold)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid == 0) {
		close(p[1]);
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(p[0]);
	if (pid < 0)
		close(p[1]);
	*hold = pid < 0 ? -1 : p[1];
	return pid;
}

int sluice_userns_fd(const struct sluice_idmap *uid, size_t n_uid, const struct sluice_idmap *gid,
		     size_t n_gid, struct sluice_error *err)
{
	char path[64];
	int hold = -1, fd = -1;
	pid_t pid = userns_holder(&hold);

	if (pid < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno,
				  "a user namespace for an id-mapped mount");
	if (write_one_map(pid, "uid", uid, n_uid, true, err) == 0 &&
	    write_one_map(pid, "gid", gid, n_gid, true, err) == 0) {
		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			sluice_err(err, SLUICE_EXIT_SETUP, errno, "open %s", path);
	}
	close(hold);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return fd;
}

/* ---- the runtime's NAMESPACES claim, checked against the kernel ---- */

static const char *const ns_files[SLUICE_NS_COUNT] = {
	[SLUICE_NS_USER] = "user",     [SLUICE_NS_MOUNT] = "mnt", [SLUICE_NS_PID] = "pid",
	[SLUICE_NS_UTS] = "uts",       [SLUICE_NS_IPC] = "ipc",	  [SLUICE_NS_NET] = "net",
	[SLUICE_NS_CGROUP] = "cgroup", [SLUICE_NS_TIME] = "time",
};

/* What the check holds: our /proc/self/ns and the runtime's, once each. */
struct ns_check {
	pid_t parent;
	int self, theirs;   /* O_PATH fds of the two ns directories */
	bool theirs_hidden; /* the runtime's ns links are not ours to read */
	bool user_new;	    /* ... claimed and found new */
};

/* The runtime's pid as our /proc knows it: getppid() is 0 in a new pid
 * namespace, whose parent lives outside it; /proc/self/stat's fourth
 * field then says (after the command name, which may hold anything). */
static pid_t parent_pid(void)
{
	char buf[512];
	pid_t ppid = getppid();
	int fd;
	ssize_t n;
	const char *end;

	if (ppid > 0)
		return ppid;
	fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	sluice_close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	end = strrchr(buf, ')');
	return end && end[1] == ' ' && end[2] && end[3] == ' ' ? (pid_t)strtol(end + 4, NULL, 10) :
								 -1;
}

/* A namespace link's text ("net:[4026531840]"): its type and nsfs inode,
 * which is what tells two namespaces apart (nsfs is one filesystem).
 * readlink asks the kernel for that name only; stat follows the link to
 * an nsfs dentry, which costs 2-3 times as much in a fresh helper. */
static ssize_t ns_link(int dir, const char *name, char *buf, size_t len)
{
	ssize_t n = readlinkat(dir, name, buf, len);

	if (n >= 0 && (size_t)n == len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return n;
}

/* Whether our namespace ns is owned by our own user namespace or one
 * below it: nsfs names an owner (NS_GET_USERNS) only there, and refuses
 * (EPERM) one above ours, where the runtime's namespaces are.  Nothing
 * below our new user namespace exists yet but what was made with it. */
static int ns_owned_by_us(const struct ns_check *k, enum sluice_ns ns)
{
	cleanup_close int fd = openat(k->self, ns_files[ns], O_RDONLY | O_CLOEXEC);
	cleanup_close int user = -1;

	if (fd < 0)
		return -errno;
	user = ioctl(fd, NS_GET_USERNS);
	if (user < 0)
		return errno == EPERM ? 0 : -errno;
	return 1;
}

static int maps_differ(pid_t parent, const char *kind)
{
	char mine[4096], theirs[4096], path[64];
	ssize_t a, b;

	snprintf(path, sizeof(path), "/proc/self/%s_map", kind);
	a = sluice_read_small(path, mine, sizeof(mine));
	snprintf(path, sizeof(path), "/proc/%d/%s_map", (int)parent, kind);
	b = sluice_read_small(path, theirs, sizeof(theirs));
	if (a < 0 || b < 0)
		return -EACCES;
	return a != b || memcmp(mine, theirs, (size_t)a) != 0;
}

/*
 * Our user namespace, when the runtime's cannot be inspected (a process in
 * a child user namespace may not read its parent's /proc/PID/ns, nor ask
 * nsfs for a namespace above its own).  The kernel shows a namespace's id
 * maps relative to the reader's namespace when the two differ, relative
 * to its parent when they are one: the maps of one shared namespace read
 * the same from both sides, those of two read differently, but for a new
 * namespace that maps its ids onto the same ids of its parent (root of
 * `unshare -r` mapping its 0 onto 0).  That one is told by the refusal
 * itself: holding CAP_SYS_PTRACE in our own user namespace we may read the
 * links of any process in it (ptrace(2)'s access mode check), so a runtime
 * whose links we may not read is in another one.
 */
static int user_ns_apart(const struct ns_check *k)
{
	uint64_t eff = 0;
	int r = maps_differ(k->parent, "uid");

	if (r == 0)
		r = maps_differ(k->parent, "gid");
	if (r == 0 && k->theirs_hidden && sluice_proc_sigmask(0, "CapEff", &eff) == 0 &&
	    (eff & (UINT64_C(1) << CAP_SYS_PTRACE)))
		return 1;
	return r;
}

/* 1: ns is a namespace of our own, apart from the runtime's; 0: it is the
 * runtime's; -errno: cannot tell.  Once the runtime's links turn out to be
 * out of our sight (EACCES: we are in a child user namespace, or lack
 * ptrace rights over it), the others are not asked again. */
static int ns_apart(struct ns_check *k, enum sluice_ns ns)
{
	char mine[64], theirs[64];
	ssize_t a, b;

	/* The first process of a new pid namespace is its init. */
	if (ns == SLUICE_NS_PID)
		return getpid() == 1;
	if (!k->theirs_hidden) {
		a = ns_link(k->self, ns_files[ns], mine, sizeof(mine));
		if (a < 0)
			return -errno;
		b = ns_link(k->theirs, ns_files[ns], theirs, sizeof(theirs));
		if (b >= 0)
			return a != b || memcmp(mine, theirs, (size_t)a) != 0;
		if (errno != EACCES && errno != EPERM)
			return -errno;
		k->theirs_hidden = true;
	}
	if (ns == SLUICE_NS_USER)
		return user_ns_apart(k);
	/* A namespace owned by our new user namespace was made with it or
	 * after it: it cannot be one the runtime was already in. */
	if (!k->user_new)
		return -EACCES;
	return ns_owned_by_us(k, ns);
}

static int verify_each(struct ns_check *k, uint64_t prepared, struct sluice_error *err)
{
	for (int i = 0; i < SLUICE_NS_COUNT; i++) {
		enum sluice_ns ns = join_order[i];
		int r;

		if (!(prepared & ns_flags[ns]))
			continue;
		r = ns_apart(k, ns);
		if (r < 0)
			return sluice_err(err, SLUICE_EXIT_SETUP, -r,
					  "fd 3: NAMESPACES claims a new %s namespace: cannot check "
					  "it against the runtime's (pid %d)",
					  sluice_ns_names[ns], (int)k->parent);
		if (r == 0)
			return sluice_err(err, SLUICE_EXIT_SETUP, 0,
					  "fd 3: NAMESPACES claims a new %s namespace, but the "
					  "helper is in its runtime's (pid %d): refused",
					  sluice_ns_names[ns], (int)k->parent);
		if (ns == SLUICE_NS_USER)
			k->user_new = true;
	}
	return 0;
}

int sluice_ns_verify_prepared(uint64_t prepared, struct sluice_error *err)
{
	struct ns_check k = { .self = -1, .theirs = -1 };
	char path[64];
	int r;

	if (!prepared)
		return 0;
	k.parent = parent_pid();
	if (k.parent <= 0)
		return sluice_err(
			err, SLUICE_EXIT_SETUP, 0,
			"fd 3: NAMESPACES: cannot find the runtime's pid to check the claim");
	snprintf(path, sizeof(path), "/proc/%d/ns", (int)k.parent);
	k.self = open("/proc/self/ns", O_PATH | O_DIRECTORY | O_CLOEXEC);
	k.theirs = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (k.theirs < 0 && (errno == EACCES || errno == EPERM))
		k.theirs_hidden = true;
	if (k.self < 0 || (k.theirs < 0 && !k.theirs_hidden))
		r = sluice_err(err, SLUICE_EXIT_SETUP, errno, "fd 3: NAMESPACES: /proc/self/ns, %s",
			       path);
	else
		r = verify_each(&k, prepared, err);
	sluice_close(k.self);
	sluice_close(k.theirs);
	return r;
}

/* ---- creating namespaces in the helper ---- */

static bool self_maps(const struct sluice_config *c, uid_t uid, gid_t gid)
{
	return (!c->linux.n_uid_mappings ||
		self_mappable(c->linux.uid_mappings, c->linux.n_uid_mappings, uid)) &&
	       (!c->linux.n_gid_mappings ||
		self_mappable(c->linux.gid_mappings, c->linux.n_gid_mappings, gid));
}

/* The writer: forked before the unshare, so it stays in the parent user
 * namespace with our privileges there, and writes the maps of the new one
 * (directly as root, else with newuidmap/newgidmap).  Its error comes back
 * whole through res. */
static __attribute__((noreturn)) void map_writer(const struct sluice_config *c, pid_t target,
						 uid_t uid, gid_t gid, int go, int res)
{
	struct sluice_error e = { 0 };
	char b;

	if (read(go, &b, 1) != 1)
		_exit(1);
	if (sluice_idmap_write(target, c, uid, gid, &e) < 0) {
		(void)sluice_write_all(res, &e, sizeof(e));
		_exit(1);
	}
	_exit(0);
}

static int unshare_with_writer(const struct sluice_config *c, uint64_t flags, uid_t uid, gid_t gid,
			       struct sluice_error *err)
{
	cleanup_close int go_r = -1, go_w = -1, res_r = -1, res_w = -1;
	int p[2], status = 0, r = 0;
	struct sluice_error e;
	pid_t self = getpid(), w;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "pipe2");
	go_r = p[0], go_w = p[1];
	if (pipe2(p, O_CLOEXEC) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "pipe2");
	res_r = p[0], res_w = p[1];
	w = fork();
	if (w < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "fork the id-map writer");
	if (w == 0)
		map_writer(c, self, uid, gid, go_r, res_w);
	sluice_closep(&res_w);
	if (unshare((int)flags) < 0)
		r = unshare_error(flags, errno, err);
	/* newuidmap opens our /proc/PID/uid_map as the caller: only a
	 * dumpable process's /proc files are the caller's. */
	sluice_set_dumpable(r == 0);
	if (r == 0 && write(go_w, "m", 1) != 1)
		r = sluice_err(err, SLUICE_EXIT_SETUP, errno, "start the id-map writer");
	sluice_closep(&go_w);
	n = sluice_read_all(res_r, &e, sizeof(e));
	while (waitpid(w, &status, 0) < 0 && errno == EINTR)
		;
	sluice_set_dumpable(false);
	if (r < 0)
		return r;
	if (n == (ssize_t)sizeof(e)) {
		e.msg[sizeof(e.msg) - 1] = '\0';
		*err = e;
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, 0, "the id-map writer failed");
	return 0;
}

static int time_offsets_write(const struct sluice_config *c, struct sluice_error *err)
{
	static const char *const clocks[] = { "monotonic", "boottime" };

	for (int i = 0; i < 2; i++) {
		const struct sluice_time_offset *o = &c->linux.time_offsets[i];
		char line[64];
		int n, r;

		if (!o->set)
			continue;
		n = snprintf(line, sizeof(line), "%s %lld %u\n", clocks[i], (long long)o->secs,
			     o->nanosecs);
		/* our own /proc files are ours to write only while we are
		 * dumpable (in a user namespace, root's otherwise) */
		sluice_set_dumpable(true);
		r = sluice_write_file("/proc/self/timens_offsets", line, (size_t)n);
		sluice_set_dumpable(false);
		if (r < 0)
			return sluice_err(err, SLUICE_EXIT_SETUP, -r,
					  "linux.timeOffsets.%s: write /proc/self/timens_offsets",
					  clocks[i]);
	}
	return 0;
}

int sluice_time_ns_enter(const struct sluice_config *c, struct sluice_error *err)
{
	int fd, r = 0;

	if (time_offsets_write(c, err) < 0)
		return -1;
	fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno,
				  "open /proc/self/ns/time_for_children");
	/* setns(2) into a time namespace moves the caller at once (its vDSO
	 * too), and freezes the offsets just written. */
	if (setns(fd, CLONE_NEWTIME) < 0)
		r = sluice_err(err, SLUICE_EXIT_SETUP, errno, "enter the new time namespace");
	sluice_close(fd);
	return r;
}

int sluice_ns_unshare(const struct sluice_config *c, uint64_t flags, uid_t uid, gid_t gid,
		      struct sluice_error *err)
{
	int r;

	if (!(flags & CLONE_NEWUSER) || !self_maps(c, uid, gid)) {
		if (flags & CLONE_NEWUSER)
			return unshare_with_writer(c, flags, uid, gid, err);
		if (unshare((int)flags) < 0)
			return unshare_error(flags, errno, err);
		return 0;
	}
	if (unshare((int)flags) < 0)
		return unshare_error(flags, errno, err);
	/* Our own uid_map is ours to write only while we are dumpable. */
	sluice_set_dumpable(true);
	r = sluice_idmap_write(0, c, uid, gid, err);
	sluice_set_dumpable(false);
	return r;
}
