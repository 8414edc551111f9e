/* Which cgroup layout this process sees: pure v2, pure v1 or hybrid.
 *
 * Decided from /proc/self/mountinfo (the filesystem type of each mount:
 * "cgroup" or "cgroup2", and a v1 mount's super options name its
 * controllers), never from guesses such as "does /sys/fs/cgroup/memory
 * exist".  A mount that another one covers (cgroup2 mounted over
 * /sys/fs/cgroup in a private mount namespace hides the v1 ones below it)
 * is still listed in mountinfo: stat() of its mount point then finds
 * another device, and it does not count.  /proc/self/cgroup gives the
 * caller's own cgroup in each hierarchy. */
#include "cgroup_internal.h"

#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "util.h"

const char *const cg_ctrl_names[CG_CTRL_COUNT] = {
	[CG_CPU] = "cpu",
	[CG_CPUACCT] = "cpuacct",
	[CG_CPUSET] = "cpuset",
	[CG_MEMORY] = "memory",
	[CG_DEVICES] = "devices",
	[CG_FREEZER] = "freezer",
	[CG_BLKIO] = "blkio",
	[CG_PIDS] = "pids",
	[CG_HUGETLB] = "hugetlb",
	[CG_NET_CLS] = "net_cls",
	[CG_NET_PRIO] = "net_prio",
	[CG_RDMA] = "rdma",
	[CG_PERF_EVENT] = "perf_event",
	[CG_MISC] = "misc",
};

/* devices, freezer and cpuacct have no v2 controller: a BPF program,
 * cgroup.freeze and cpu.stat stand in for them. */
const char *const cg_ctrl_v2_names[CG_CTRL_COUNT] = {
	[CG_CPU] = "cpu",	[CG_CPUSET] = "cpuset",
	[CG_MEMORY] = "memory", [CG_BLKIO] = "io",
	[CG_PIDS] = "pids",	[CG_HUGETLB] = "hugetlb",
	[CG_RDMA] = "rdma",	[CG_PERF_EVENT] = "perf_event",
	[CG_MISC] = "misc",
};

int cg_ctrl_from_name(const char *name)
{
	for (int i = 0; i < CG_CTRL_COUNT; i++)
		if (!strcmp(name, cg_ctrl_names[i]) ||
		    (cg_ctrl_v2_names[i] && !strcmp(name, cg_ctrl_v2_names[i])))
			return i;
	return -1;
}

void cg_unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
			s += 3;
			continue;
		}
		*o++ = *s;
	}
	*o = '\0';
}

void cg_layout_free(struct cg_layout *L)
{
	for (size_t i = 0; i < L->n; i++) {
		free(L->h[i].name);
		free(L->h[i].mount);
		free(L->h[i].root);
		free(L->h[i].own);
	}
	memset(L, 0, sizeof(*L));
	L->v2 = -1;
}

int cg_layout_v1(const struct cg_layout *L, enum cg_ctrl c)
{
	for (size_t i = 0; i < L->n; i++)
		if (!L->h[i].v2 && (L->h[i].ctrls & CG_BIT(c)))
			return (int)i;
	return -1;
}

/* The controllers in a list such as "rw,cpu,cpuacct" (super options) or
 * "cpu,cpuacct" (/proc/self/cgroup); a "name=X" entry goes to *name. */
static uint32_t parse_ctrls(const char *list, char **name)
{
	cleanup_free char *copy = strdup(list);
	uint32_t ctrls = 0;
	char *save = NULL;

	if (!copy)
		return 0;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int c = cg_ctrl_from_name(tok);
		if (c >= 0 && !strcmp(tok, cg_ctrl_names[c]))
			ctrls |= CG_BIT(c);
		else if (!strncmp(tok, "name=", 5) && name && !*name)
			*name = strdup(tok + 5);
	}
	return ctrls;
}

static bool same_hier(const struct cg_hier *h, bool v2, uint32_t ctrls, const char *name)
{
	if (h->v2 || v2)
		return h->v2 == v2;
	if (h->ctrls != ctrls)
		return false;
	return (!h->name && !name) || (h->name && name && !strcmp(h->name, name));
}

/* One mountinfo line: "ID PARENT MAJ:MIN ROOT MOUNT OPTS [OPT...] - TYPE SRC SUPER". */
struct mi_line {
	unsigned major, minor;
	char *root, *mount, *type, *super;
};

/* "MAJOR:MINOR" */
static bool dev_numbers(const char *text, unsigned int *major, unsigned int *minor)
{
	uint64_t a, b;
	const char *p = sluice_scan_u64(text, 10, &a);

	if (!p || *p != ':' || !sluice_scan_u64(p + 1, 10, &b) || a > UINT_MAX || b > UINT_MAX)
		return false;
	*major = (unsigned int)a;
	*minor = (unsigned int)b;
	return true;
}

static bool split_line(char *line, struct mi_line *m)
{
	char *f[6], *save = NULL, *dash;
	int i = 0;

	dash = strstr(line, " - ");
	if (!dash)
		return false;
	*dash = '\0';
	for (char *tok = strtok_r(line, " ", &save); tok && i < 6; tok = strtok_r(NULL, " ", &save))
		f[i++] = tok;
	if (i < 6 || !dev_numbers(f[2], &m->major, &m->minor))
		return false;
	m->root = f[3];
	m->mount = f[4];
	save = NULL;
	m->type = strtok_r(dash + 3, " ", &save);
	if (!m->type || !strtok_r(NULL, " ", &save))
		return false;
	m->super = strtok_r(NULL, " \n", &save);
	if (!m->super)
		m->super = "";
	cg_unescape(m->root);
	cg_unescape(m->mount);
	return true;
}

static int add_hier(struct cg_layout *L, const struct mi_line *m, bool v2)
{
	char *name = NULL;
	uint32_t ctrls = v2 ? 0 : parse_ctrls(m->super, &name);
	struct cg_hier *h;

	for (size_t i = 0; i < L->n; i++)
		if (same_hier(&L->h[i], v2, ctrls, name)) {
			/* a second mount of a hierarchy: keep one showing all of it */
			free(name);
			if (strcmp(L->h[i].root, "/") == 0 || strcmp(m->root, "/") != 0)
				return 0;
			h = &L->h[i];
			free(h->mount);
			free(h->root);
			h->mount = strdup(m->mount);
			h->root = strdup(m->root);
			return h->mount && h->root ? 0 : -ENOMEM;
		}
	if (!v2 && !ctrls && !name)
		return 0; /* a v1 mount without controllers or name: nothing to use */
	if (L->n == CG_MAX_HIER) {
		free(name);
		return 0;
	}
	h = &L->h[L->n++];
	*h = (struct cg_hier){ .v2 = v2, .ctrls = ctrls, .name = name };
	h->mount = strdup(m->mount);
	h->root = strdup(m->root);
	if (v2)
		L->v2 = (int)(L->n - 1);
	return h->mount && h->root ? 0 : -ENOMEM;
}

/* "ID:CONTROLLERS:PATH": the caller's cgroup in the matching hierarchy. */
static int set_own(struct cg_layout *L, char *line)
{
	char *c1 = strchr(line, ':'), *c2, *name = NULL, *path;
	uint32_t ctrls;
	bool v2;

	if (!c1 || !(c2 = strchr(c1 + 1, ':')))
		return 0;
	*c1 = '\0';
	*c2 = '\0';
	path = c2 + 1;
	path[strcspn(path, "\n")] = '\0';
	v2 = !strcmp(line, "0") && c1[1] == '\0';
	ctrls = v2 ? 0 : parse_ctrls(c1 + 1, &name);
	for (size_t i = 0; i < L->n; i++)
		if (same_hier(&L->h[i], v2, ctrls, name) && !L->h[i].own) {
			L->h[i].own = strdup(path);
			free(name);
			return L->h[i].own ? 0 : -ENOMEM;
		}
	free(name);
	return 0;
}

static void decide_mode(struct cg_layout *L)
{
	bool v1 = false;

	for (size_t i = 0; i < L->n; i++)
		v1 |= !L->h[i].v2 && L->h[i].ctrls;
	if (L->v2 >= 0)
		L->mode = v1 ? SLUICE_CGROUP_HYBRID : SLUICE_CGROUP_V2;
	else
		L->mode = v1 ? SLUICE_CGROUP_V1 : SLUICE_CGROUP_NONE;
}

static int each_line(char *text, int (*fn)(struct cg_layout *, char *, void *), struct cg_layout *L,
		     void *ctx)
{
	char *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int r = fn(L, line, ctx);
		if (r < 0)
			return r;
	}
	return 0;
}

typedef bool (*visible_fn)(const char *mount, unsigned major, unsigned minor);

/* Mount points of the lines after the one being read: only a later mount
 * on the same point or above it can hide a mount, and only then is the
 * (costlier) visibility check made. */
struct mounts_ctx {
	visible_fn visible;
	char **points; /* every line's mount point, in order */
	size_t n, at;
};

static bool covered_later(const struct mounts_ctx *X, const char *mount)
{
	for (size_t j = X->at + 1; j < X->n; j++) {
		size_t len = strlen(X->points[j]);
		if (!strncmp(mount, X->points[j], len) &&
		    (mount[len] == '\0' || mount[len] == '/' || !strcmp(X->points[j], "/")))
			return true;
	}
	return false;
}

static int on_mount(struct cg_layout *L, char *line, void *ctx)
{
	struct mounts_ctx *X = ctx;
	struct mi_line m;
	bool v2;

	if (!split_line(line, &m))
		return 0;
	X->at++;
	if (strcmp(m.type, "cgroup") && strcmp(m.type, "cgroup2"))
		return 0;
	v2 = !strcmp(m.type, "cgroup2");
	if (X->visible && covered_later(X, m.mount) && !X->visible(m.mount, m.major, m.minor))
		return 0;
	return add_hier(L, &m, v2);
}

/* The mount point of every line, unescaped (field 5). */
static char **mount_points(const char *mountinfo, size_t *n)
{
	cleanup_free char *copy = strdup(mountinfo);
	char **v = NULL, *save = NULL;
	size_t cap = 0;

	*n = 0;
	if (!copy)
		return NULL;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct mi_line m;
		if (!split_line(line, &m))
			continue;
		if (*n == cap) {
			char **nv = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof(*v));
			if (!nv)
				break;
			v = nv;
		}
		if (!(v[*n] = strdup(m.mount)))
			break;
		(*n)++;
	}
	return v;
}

static int on_cgroup(struct cg_layout *L, char *line, void *ctx)
{
	(void)ctx;
	return set_own(L, line);
}

int cg_layout_parse(struct cg_layout *L, const char *mountinfo, const char *self_cgroup,
		    visible_fn visible, struct sluice_error *err)
{
	cleanup_free char *mi = strdup(mountinfo ? mountinfo : "");
	cleanup_free char *sc = strdup(self_cgroup ? self_cgroup : "");
	int r;

	struct mounts_ctx X = { .visible = visible, .at = (size_t)-1 };

	memset(L, 0, sizeof(*L));
	L->v2 = -1;
	if (!mi || !sc)
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "cgroup layout");
	if (visible)
		X.points = mount_points(mi, &X.n);
	r = each_line(mi, on_mount, L, &X);
	for (size_t i = 0; i < X.n; i++)
		free(X.points[i]);
	free(X.points);
	if (r == 0)
		r = each_line(sc, on_cgroup, L, NULL);
	if (r < 0) {
		cg_layout_free(L);
		return sluice_err(err, SLUICE_EXIT_SETUP, -r, "cgroup layout");
	}
	decide_mode(L);
	return 0;
}

/* The mount a path lookup reaches at this mount point is this one. */
static bool reaches(const char *mount, unsigned major, unsigned minor)
{
	struct stat st;

	return stat(mount, &st) == 0 && major(st.st_dev) == major && minor(st.st_dev) == minor;
}

static int read_proc(const char *path, char **out, struct sluice_error *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len;
	int r;

	if (fd < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "cgroups: read %s", path);
	r = sluice_read_fd(fd, 4u << 20, out, &len);
	if (r < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -r, "cgroups: read %s", path);
	return 0;
}

int cg_layout_detect(struct cg_layout *L, struct sluice_error *err)
{
	cleanup_free char *mi = NULL;
	cleanup_free char *sc = NULL;

	if (read_proc("/proc/self/mountinfo", &mi, err) < 0 ||
	    read_proc("/proc/self/cgroup", &sc, err) < 0)
		return -1;
	return cg_layout_parse(L, mi, sc, reaches, err);
}
