/* Namespaces (namespaces.h). */
#include "namespaces.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

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
		return sluice_err(err, SLUICE_EXIT_SETUP, -r, "write %s mapping %.*s", kind,
				  (int)(len ? len - 1 : 0), buf);
	return 0;
}

int sluice_idmap_write(pid_t pid, const struct sluice_config *c, uid_t who_uid, gid_t who_gid,
		       struct sluice_error *err)
{
	/* pid 0 is ourselves, after unshare(CLONE_NEWUSER): from then on we
	 * hold no capability in the parent namespace, root or not, so only a
	 * single-id map of our own ids goes, and setgroups must be denied
	 * first (found by the valgrind gate, which runs the no-clone3 path). */
	bool root = who_uid == 0 && pid != 0;
	bool uid_direct =
		root || self_mappable(c->linux.uid_mappings, c->linux.n_uid_mappings, who_uid);
	bool gid_direct =
		root || self_mappable(c->linux.gid_mappings, c->linux.n_gid_mappings, who_gid);
	char path[64];
	int r;

	if (!pid &&
	    ((!uid_direct && c->linux.n_uid_mappings) || (!gid_direct && c->linux.n_gid_mappings)))
		return sluice_err(
			err, SLUICE_EXIT_SETUP, 0,
			"a helper that creates its user namespace maps only its own uid and gid: "
			"id ranges need a runtime that writes the maps (docs/protocol.md)");
	if (!root && gid_direct && c->linux.n_gid_mappings) {
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
