/* linux.cgroupsPath with runc's semantics, and the names sluice makes up.
 *
 * An absolute path is taken below each hierarchy's mount ("relative to
 * the cgroups mount point", config-linux.md); a relative one, or the name
 * when there is no path, below the caller's own cgroup in that hierarchy
 * (/proc/self/cgroup).  Paths here are relative to the mount: on a host
 * the mount shows the whole hierarchy and they are the hierarchy's own
 * paths; in a container whose cgroupfs is a bind of a subtree they still
 * name the right directory.
 *
 * A generated name is "sluice-PIDNS-PID-START": the launcher's pid
 * namespace (its inode), pid and start time (clock ticks after boot,
 * /proc/PID/stat field 22).  Whoever finds such a cgroup later can tell
 * whether the launcher that made it still lives, and remove it if not. */
#include "cgroup_internal.h"

#include <ctype.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

/* Join the components of a and b with single slashes, "." dropped. */
static char *join_clean(const char *a, const char *b)
{
	size_t cap = strlen(a) + (b ? strlen(b) : 0) + 3, o = 0;
	char *out = malloc(cap);

	if (!out)
		return NULL;
	for (int part = 0; part < 2; part++) {
		const char *p = part ? b : a;
		while (p && *p) {
			size_t len = strcspn(p, "/");
			if (len && !(len == 1 && p[0] == '.')) {
				out[o++] = '/';
				memcpy(out + o, p, len);
				o += len;
			}
			p += len;
			p += strspn(p, "/");
		}
	}
	if (!o)
		out[o++] = '/';
	out[o] = '\0';
	return out;
}

/* The caller's cgroup relative to the mount, or NULL if the mount does not
 * show it. */
static const char *own_below_mount(const struct cg_hier *h)
{
	size_t n = strlen(h->root);

	if (!h->own)
		return NULL;
	if (!strcmp(h->root, "/"))
		return h->own;
	if (strncmp(h->own, h->root, n) || (h->own[n] && h->own[n] != '/'))
		return NULL;
	return h->own + n;
}

static const char *hier_label(const struct cg_hier *h, char *buf, size_t len)
{
	if (h->v2)
		return "cgroup2";
	if (h->name) {
		snprintf(buf, len, "name=%s", h->name);
		return buf;
	}
	for (int c = 0; c < CG_CTRL_COUNT; c++)
		if (h->ctrls & CG_BIT(c))
			return cg_ctrl_names[c];
	return "?";
}

char *cg_path_in(const struct cg_hier *h, const char *cgroups_path, const char *name,
		 struct sluice_error *err)
{
	const char *own;
	char label[64], *p;

	if (cgroups_path && cgroups_path[0] == '/')
		p = join_clean(cgroups_path, NULL);
	else {
		own = own_below_mount(h);
		if (!own)
			return sluice_err(err, SLUICE_EXIT_SETUP, 0,
					  "cgroups: this process's cgroup in the %s hierarchy is "
					  "not below its mount %s: give linux.cgroupsPath an "
					  "absolute path",
					  hier_label(h, label, sizeof(label)), h->mount),
			       NULL;
		p = join_clean(own, cgroups_path ? cgroups_path : name);
	}
	if (!p)
		sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "cgroups");
	return p;
}

char *cg_path_dir(const struct cg_hier *h, const char *path)
{
	return join_clean(h->mount, path);
}

int sluice_cgroup_each_own(const char *under,
			   int (*fn)(const char *name, const char *dir, void *ctx), void *ctx,
			   struct sluice_error *err)
{
	struct cg_layout L;
	size_t n = strlen(under);
	int r = 0;

	if (cg_layout_detect(&L, err) < 0)
		return -1;
	for (size_t i = 0; i < L.n && r == 0; i++) {
		const struct cg_hier *h = &L.h[i];
		const char *own = own_below_mount(h), *name;
		char *dir;

		if (h->v2 || !own || strncmp(h->mount, under, n) || h->mount[n] != '/')
			continue;
		name = h->mount + n + 1;
		if (!*name || strchr(name, '/'))
			continue;
		dir = join_clean(h->mount, own);
		if (!dir) {
			r = sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "cgroups");
			break;
		}
		r = fn(name, dir, ctx);
		free(dir);
	}
	cg_layout_free(&L);
	return r;
}

/* Field 22 of /proc/PID/stat (after the parenthesised name, which may hold
 * anything): the start time in clock ticks after boot. */
static int start_time(const char *pid, uint64_t *out)
{
	char path[64], buf[1024];
	cleanup_close int fd = -1;
	ssize_t n;
	char *p;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p)
		return -EIO;
	for (int field = 2; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p || !sluice_scan_u64(p + 1, 10, out))
		return -EIO;
	return 0;
}

static int pidns_inode(uint64_t *ino)
{
	struct stat st;

	if (stat("/proc/self/ns/pid", &st) < 0)
		return -errno;
	*ino = (uint64_t)st.st_ino;
	return 0;
}

int cg_path_generated_name(char *buf, size_t len)
{
	uint64_t ns = 0, start = 0;
	int r = pidns_inode(&ns);

	if (r == 0)
		r = start_time("self", &start);
	if (r < 0)
		return r;
	snprintf(buf, len, "sluice-%" PRIu64 "-%d-%" PRIu64, ns, (int)getpid(), start);
	return 0;
}

/* "DIGITS" then `next`: the number and what follows `next`, or NULL. */
static const char *digits_then(const char *p, char next, uint64_t *v)
{
	if (!isdigit((unsigned char)*p) || !(p = sluice_scan_u64(p, 10, v)) || *p != next)
		return NULL;
	return p + 1;
}

/* "sluice-NS-PID-START" exactly: the pid namespace's inode, the pid (as
 * text, at most 15 digits) and its start time. */
static bool parse_generated(const char *name, uint64_t *ns, char pid[16], uint64_t *start)
{
	const char *p = strncmp(name, "sluice-", 7) ? NULL : digits_then(name + 7, '-', ns);
	size_t n = 0;

	if (!p)
		return false;
	while (n < 15 && isdigit((unsigned char)p[n]))
		n++;
	if (!n || p[n] != '-')
		return false;
	memcpy(pid, p, n);
	pid[n] = '\0';
	return digits_then(p + n + 1, '\0', start) != NULL;
}

int cg_path_stale_name(const char *name)
{
	uint64_t ns = 0, start = 0, ours = 0, now = 0;
	char pid[16];
	int r;

	if (!parse_generated(name, &ns, pid, &start))
		return 0;
	if (pidns_inode(&ours) < 0 || ours != ns)
		return 0; /* another pid namespace's launcher: not ours to judge */
	r = start_time(pid, &now);
	if (r == -ENOENT || r == -ESRCH)
		return 1;
	return r == 0 && now != start;
}
