/* The API of cgroup.h: which hierarchies a sandbox joins, creating its
 * directories, moving processes in, describing it for later. */
#include "cgroup_internal.h"

#include <fcntl.h>
#include <limits.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

#define SRC(c) ((c)->source ? (c)->source : "<config>")

int cg_fault(const char *step, struct sluice_error *err)
{
#ifdef SLUICE_FAULT_INJECTION
	const char *want = getenv("SLUICE_FAULT");
	size_t n = strlen(step);

	if (!want || strncmp(want, step, n) != 0)
		return 0;
	if (want[n] == '\0')
		return sluice_err(err, SLUICE_EXIT_SETUP, EIO, "%s: fault injected", step);
	if (!strcmp(want + n, ":kill"))
		(void)kill(getpid(), SIGKILL);
#else
	(void)step;
	(void)err;
#endif
	return 0;
}

static struct sluice_cgroup *cg_new(const char *source)
{
	struct sluice_cgroup *cg = calloc(1, sizeof(*cg));

	if (!cg)
		return NULL;
	cg->v2dir = -1;
	cg->clone_fd = -1;
	cg->L.v2 = -1;
	cg->source = strdup(source ? source : "<config>");
	if (!cg->source) {
		free(cg);
		return NULL;
	}
	return cg;
}

void sluice_cgroup_free(struct sluice_cgroup *cg)
{
	if (!cg)
		return;
	for (size_t i = 0; i < cg->n; i++)
		free(cg->d[i].path);
	sluice_close(cg->clone_fd);
	cg_layout_free(&cg->L);
	free(cg->P.name);
	free(cg->source);
	free(cg);
}

enum sluice_cgroup_mode sluice_cgroup_mode(const struct sluice_cgroup *cg)
{
	return cg->L.mode;
}

const char *sluice_cgroup_dir(const struct sluice_cgroup *cg, const char *controller)
{
	int c;

	if (!controller[0])
		return cg->v2dir >= 0 ? cg->d[cg->v2dir].path : NULL;
	c = cg_ctrl_from_name(controller);
	return c < 0 ? NULL : cg_dir_of(cg, (enum cg_ctrl)c);
}

int sluice_cgroup_clone_fd(const struct sluice_cgroup *cg)
{
	return cg->clone_fd;
}

/* ---- which hierarchies ---- */

static const char *unavailable_reason(const struct cg_layout *L, enum cg_ctrl c)
{
	if (L->v2 < 0)
		return "no hierarchy has it mounted";
	if (!cg_ctrl_v2_names[c])
		return "it is a cgroup v1 controller and no v1 hierarchy has it mounted; cgroup v2 "
		       "has no equivalent";
	return NULL;
}

/* The hierarchy for controller c: its v1 one, else v2, else 78. */
static int place(const struct cg_layout *L, struct cg_plan *P, enum cg_ctrl c, const char *field,
		 const char *src, struct sluice_error *err)
{
	int h = cg_layout_v1(L, c);
	const char *why;
	uint32_t avail;

	if (h >= 0) {
		P->use[h] = true;
		return 0;
	}
	if (L->v2 >= 0 && (c == CG_DEVICES || c == CG_FREEZER || c == CG_CPUACCT)) {
		P->use[L->v2] = true; /* core files and BPF, no controller */
		return 0;
	}
	why = unavailable_reason(L, c);
	if (why)
		return cg_fail_config(err, src, field, "the %s controller is not available: %s",
				      cg_ctrl_names[c], why);
	avail = cg_v2_available(L->h[L->v2].mount);
	if (!(avail & CG_BIT(c)))
		return cg_fail_config(err, src, field,
				      "the %s controller is not available in cgroup v2 "
				      "(%s/cgroup.controllers lacks it: bound to a v1 hierarchy, "
				      "or not built into this kernel)",
				      cg_ctrl_v2_names[c], L->h[L->v2].mount);
	P->use[L->v2] = true;
	P->v2_ctrls |= CG_BIT(c);
	return 0;
}

static int plan_unified(const struct cg_layout *L, struct cg_plan *P, const struct sluice_config *c,
			struct sluice_error *err)
{
	const struct sluice_resources *r = &c->linux.resources;

	for (size_t i = 0; i < r->n_unified; i++) {
		char field[256];
		int ctrl = cg_res_unified_ctrl(r->unified[i].key);

		snprintf(field, sizeof(field), "linux.resources.unified.%s", r->unified[i].key);
		if (L->v2 < 0)
			return cg_fail_config(err, SRC(c), field,
					      "there is no cgroup v2 hierarchy on this host");
		P->use[L->v2] = true;
		if (!P->first)
			P->first = r->unified[i].key;
		if (ctrl < 0 || !cg_ctrl_v2_names[ctrl])
			continue; /* "cgroup.*", "io.pressure": core files */
		if (!(cg_v2_available(L->h[L->v2].mount) & CG_BIT(ctrl)))
			return cg_fail_config(err, SRC(c), field,
					      "the %s controller is not on the cgroup v2 hierarchy "
					      "(%s/cgroup.controllers lacks it)",
					      cg_ctrl_v2_names[ctrl], L->h[L->v2].mount);
		P->v2_ctrls |= CG_BIT(ctrl);
	}
	return 0;
}

static int make_plan(const struct cg_layout *L, struct cg_plan *P, const struct sluice_config *c,
		     const struct sluice_cgroup_opts *o, struct sluice_error *err)
{
	uint32_t need = cg_res_controllers(&c->linux.resources, P->field);
	bool any = false;

	if (L->mode == SLUICE_CGROUP_NONE)
		return cg_fail_config(err, SRC(c),
				      c->linux.cgroups_path ? "linux.cgroupsPath" :
							      "linux.resources",
				      "no cgroup filesystem is mounted");
	for (int ctrl = 0; ctrl < CG_CTRL_COUNT; ctrl++) {
		if (!(need & CG_BIT(ctrl)))
			continue;
		if (!P->first)
			P->first = P->field[ctrl];
		if (place(L, P, (enum cg_ctrl)ctrl, P->field[ctrl], SRC(c), err) < 0)
			return -1;
	}
	if (plan_unified(L, P, c, err) < 0)
		return -1;
	for (size_t i = 0; i < L->n; i++)
		any |= P->use[i];
	/* only a path, or the OCI create: every hierarchy, as runc */
	if (!any || o->join_all)
		for (size_t i = 0; i < L->n; i++)
			P->use[i] = true;
	if (!P->first)
		P->first = "linux.cgroupsPath";
	return 0;
}

/* ---- making the directories ---- */

static int mkdir_failed(int e, const char *dir, const struct cg_plan *P, const char *src,
			struct sluice_error *err)
{
	if (e == EACCES || e == EPERM || e == EROFS)
		return cg_fail_config(err, src, P->first,
				      "cannot create the cgroup %s as uid %u (%s): rootless, "
				      "resources need a cgroup delegated to this user",
				      dir, (unsigned)geteuid(), strerror(e));
	return sluice_err(err, SLUICE_EXIT_SETUP, e, "cgroups: create %s", dir);
}

/* A leaf that was there already must be empty: joining a populated one
 * would mix this sandbox with whatever runs there. */
static int check_empty(const char *dir, const char *src, struct sluice_error *err)
{
	pid_t *pids = NULL;
	size_t n = 0;

	if (cg_read_pids(dir, &pids, &n) == 0 && n) {
		free(pids);
		return cg_fail_config(err, src, "linux.cgroupsPath",
				      "the cgroup %s exists and holds processes", dir);
	}
	free(pids);
	return 0;
}

static int make_dir(struct sluice_cgroup *cg, int hier, const struct cg_plan *P,
		    const struct sluice_config *c, const char *name, struct sluice_error *err)
{
	const struct cg_hier *h = &cg->L.h[hier];
	cleanup_free char *rel = cg_path_in(h, c->linux.cgroups_path, name, err);
	struct cg_dir *d = &cg->d[cg->n];
	int r;

	if (!rel)
		return -1;
	d->hier = hier;
	d->path = cg_path_dir(h, rel);
	if (!d->path)
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "cgroups");
	r = cg_mkdirs(d->path, &d->made);
	/* a concurrent remover took a parent away between our steps */
	if (r == -ENOENT)
		r = cg_mkdirs(d->path, &d->made);
	if (r < 0) {
		mkdir_failed(-r, d->path, P, cg->source, err);
		free(d->path);
		d->path = NULL;
		return -1;
	}
	if (h->v2)
		cg->v2dir = (int)cg->n;
	cg->n++;
	if (!d->made && check_empty(d->path, cg->source, err) < 0)
		return -1;
	if (!h->v2 && (h->ctrls & CG_BIT(CG_CPUSET)) && d->made &&
	    (r = cg_v1_cpuset_init(d->path, d->made)) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -r, "cgroups: cpuset of %s", d->path);
	return 0;
}

/* For a generated name: the sluice-... directories next to ours whose
 * launcher died (SIGKILL) are removed when empty. */
static void remove_stale(const struct sluice_cgroup *cg, const char *name)
{
	if (strncmp(name, "sluice-", 7))
		return;
	for (size_t i = 0; i < cg->n; i++) {
		char parent[4096], *slash;

		snprintf(parent, sizeof(parent), "%s", cg->d[i].path);
		slash = strrchr(parent, '/');
		if (slash && slash != parent) {
			*slash = '\0';
			(void)cg_remove_stale_in(parent, false, NULL, NULL);
		}
	}
}

/* The directories, in every hierarchy of the plan. */
static int populate(struct sluice_cgroup *cg, const struct sluice_config *c,
		    struct sluice_error *err)
{
	const struct cg_plan *P = &cg->P;
	const char *name = P->name;

	for (size_t i = 0; i < cg->L.n; i++)
		if (P->use[i] && make_dir(cg, (int)i, P, c, name, err) < 0)
			return -1;
	if (name && !c->linux.cgroups_path)
		remove_stale(cg, name);
	if (cg->v2dir >= 0) {
		const struct cg_dir *d = &cg->d[cg->v2dir];
		if (cg_v2_enable(cg->L.h[d->hier].mount, d->path, P->v2_ctrls, P->first, cg->source,
				 err) < 0)
			return -1;
		cg->ctrls |= P->v2_ctrls;
	}
	for (size_t i = 0; i < cg->n; i++)
		if (!cg->L.h[cg->d[i].hier].v2)
			cg->ctrls |= cg->L.h[cg->d[i].hier].ctrls;
	return 0;
}

/* The leaf's name below the caller's cgroup: the one given (an OCI
 * container id, 64 characters from docker and podman), or a generated
 * one; none with a cgroupsPath that is used as it is. */
static int plan_name(struct cg_plan *P, const struct sluice_config *c,
		     const struct sluice_cgroup_opts *o, struct sluice_error *err)
{
	char generated[64];

	if (o->name)
		P->name = strdup(o->name);
	else if (c->linux.cgroups_path)
		return 0;
	else if (cg_path_generated_name(generated, sizeof(generated)) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "cgroups: a name");
	else
		P->name = strdup(generated);
	return P->name ? 0 : sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "cgroups");
}

int sluice_cgroup_plan(const struct sluice_config *c, const struct sluice_cgroup_opts *o,
		       struct sluice_cgroup **out, struct sluice_error *err)
{
	static const struct sluice_cgroup_opts none = { 0 };
	struct sluice_cgroup *cg = cg_new(c->source);
	int r;

	*out = NULL;
	if (!cg) {
		sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "cgroups");
		return -1;
	}
	o = o ? o : &none;
	r = cg_layout_detect(&cg->L, err);
	if (r == 0)
		r = make_plan(&cg->L, &cg->P, c, o, err);
	if (r == 0)
		r = plan_name(&cg->P, c, o, err);
	if (r < 0) {
		sluice_cgroup_free(cg);
		return -1;
	}
	cg->P.planned = true;
	*out = cg;
	return 0;
}

bool sluice_cgroup_planned(const struct sluice_cgroup *cg)
{
	return cg->P.planned;
}

int sluice_cgroup_make(struct sluice_cgroup *cg, const struct sluice_config *c,
		       struct sluice_error *err)
{
	cg->P.planned = false;
	if (cg_fault("cgroup-create", err) < 0 || populate(cg, c, err) < 0 ||
	    cg_fault("cgroup-limits", err) < 0 || cg_res_apply(cg, c, false, err) < 0)
		return -1;
	if (cg->L.mode == SLUICE_CGROUP_V2 && cg->v2dir >= 0) {
		cg->clone_fd = open(cg->d[cg->v2dir].path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (cg->clone_fd < 0)
			return sluice_err(err, SLUICE_EXIT_SETUP, errno, "cgroups: open %s",
					  cg->d[cg->v2dir].path);
	}
	return 0;
}

int sluice_cgroup_create(const struct sluice_config *c, const struct sluice_cgroup_opts *o,
			 struct sluice_cgroup **out, struct sluice_error *err)
{
	struct sluice_cgroup *cg;

	*out = NULL;
	if (sluice_cgroup_plan(c, o, &cg, err) < 0)
		return -1;
	if (sluice_cgroup_make(cg, c, err) < 0) {
		(void)sluice_cgroup_destroy(cg, &(struct sluice_error){ 0 });
		return -1;
	}
	*out = cg;
	return 0;
}

int sluice_cgroup_enter(struct sluice_cgroup *cg, pid_t pid, struct sluice_error *err)
{
	if (cg_fault("cgroup-enter", err) < 0)
		return -1;
	for (size_t i = 0; i < cg->n; i++) {
		struct sluice_error e;

		if (cg_writef(cg->d[i].path, "cgroup.procs", NULL, NULL, &e, "%d", (int)pid) == 0)
			continue;
		if (e.errnum == EACCES || e.errnum == EPERM)
			return cg_fail_config(err, cg->source, "linux.cgroupsPath",
					      "cannot move pid %d into %s as uid %u: not delegated "
					      "to this user",
					      (int)pid, cg->d[i].path, (unsigned)geteuid());
		*err = e;
		return -1;
	}
	return 0;
}

/* An update may need a v2 controller the create did not: enable it. */
static int enable_more(struct sluice_cgroup *cg, const struct sluice_config *c,
		       struct sluice_error *err)
{
	const struct sluice_resources *r = &c->linux.resources;
	const char *field[CG_CTRL_COUNT] = { 0 };
	uint32_t need = cg_res_controllers(r, field), add = 0;
	const struct cg_dir *d;

	if (cg->v2dir < 0)
		return 0;
	d = &cg->d[cg->v2dir];
	for (size_t i = 0; i < r->n_unified; i++) {
		int ctrl = cg_res_unified_ctrl(r->unified[i].key);
		if (ctrl >= 0)
			need |= CG_BIT(ctrl);
	}
	for (int ctrl = 0; ctrl < CG_CTRL_COUNT; ctrl++)
		if ((need & CG_BIT(ctrl)) && cg_ctrl_v2_names[ctrl] &&
		    !(cg->ctrls & CG_BIT(ctrl)) && cg_layout_v1(&cg->L, (enum cg_ctrl)ctrl) < 0)
			add |= CG_BIT(ctrl);
	if (!add)
		return 0;
	if (cg_v2_enable(cg->L.h[d->hier].mount, d->path, add, "linux.resources", cg->source, err) <
	    0)
		return -1;
	cg->ctrls |= add;
	return 0;
}

int sluice_cgroup_update(struct sluice_cgroup *cg, const struct sluice_config *c,
			 struct sluice_error *err)
{
	if (enable_more(cg, c, err) < 0)
		return -1;
	return cg_res_apply(cg, c, true, err);
}

int sluice_cgroup_pids(const struct sluice_cgroup *cg, pid_t **pids, size_t *n,
		       struct sluice_error *err)
{
	const char *dir = cg->v2dir >= 0 ? cg->d[cg->v2dir].path : cg->n ? cg->d[0].path : NULL;
	int r;

	if (!dir)
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOENT, "cgroups: no directory");
	r = cg_read_pids(dir, pids, n);
	if (r < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -r, "cgroups: read %s/cgroup.procs", dir);
	return 0;
}

/* A frozen task does not die of SIGKILL until it is thawed (v1 freezer;
 * v2 lets the kill through, but stays frozen for the rest): thaw after a
 * SIGKILL so that the tasks go, as runc does for a paused container. */
void cg_thaw_after_kill(const struct sluice_cgroup *cg)
{
	const char *dir = cg_dir_of(cg, CG_FREEZER);
	struct sluice_error ignored;

	if (!dir)
		return;
	if (cg_dir_is_v2(cg, dir) ? cg_v2_frozen(dir) == 1 : cg_v1_frozen(dir) == 1)
		(void)(cg_dir_is_v2(cg, dir) ?
			       cg_write(dir, "cgroup.freeze", "0", NULL, NULL, &ignored) :
			       cg_write(dir, "freezer.state", "THAWED", NULL, NULL, &ignored));
}

int sluice_cgroup_kill(struct sluice_cgroup *cg, int sig, struct sluice_error *err)
{
	pid_t *pids = NULL;
	size_t n = 0;

	if (sig == SIGKILL && cg->v2dir >= 0 && cg_v2_kill(cg->d[cg->v2dir].path) == 0) {
		cg_thaw_after_kill(cg);
		return 0;
	}
	if (sluice_cgroup_pids(cg, &pids, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		(void)kill(pids[i], sig);
	free(pids);
	if (sig == SIGKILL)
		cg_thaw_after_kill(cg);
	return 0;
}

static const char *freezer_dir(const struct sluice_cgroup *cg, struct sluice_error *err)
{
	const char *dir = cg_dir_of(cg, CG_FREEZER);

	if (!dir)
		sluice_err(err, SLUICE_EXIT_SETUP, 0,
			   "cgroups: no freezer: the sandbox is in no v1 freezer hierarchy and no "
			   "cgroup v2 directory");
	return dir;
}

int sluice_cgroup_freeze(struct sluice_cgroup *cg, bool frozen, struct sluice_error *err)
{
	const char *dir = freezer_dir(cg, err);

	if (!dir)
		return -1;
	return cg_dir_is_v2(cg, dir) ? cg_v2_freeze(dir, frozen, err) :
				       cg_v1_freeze(dir, frozen, err);
}

int sluice_cgroup_frozen(const struct sluice_cgroup *cg, struct sluice_error *err)
{
	const char *dir = freezer_dir(cg, err);
	int r;

	if (!dir)
		return -1;
	r = cg_dir_is_v2(cg, dir) ? cg_v2_frozen(dir) : cg_v1_frozen(dir);
	if (r < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -r, "cgroups: freezer state of %s", dir);
	return r;
}

/* ---- describe and load: "sluice-cgroup 1" then one line per directory,
 * "HIERARCHY MADE PATH" (HIERARCHY: "v2", a v1 controller list or
 * "name=X") ---- */

static void hier_key(const struct cg_hier *h, char *buf, size_t len)
{
	size_t o = 0;

	if (h->v2) {
		snprintf(buf, len, "v2");
		return;
	}
	if (h->name) {
		snprintf(buf, len, "name=%s", h->name);
		return;
	}
	buf[0] = '\0';
	for (int c = 0; c < CG_CTRL_COUNT && o < len; c++)
		if (h->ctrls & CG_BIT(c))
			o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? "," : "",
					      cg_ctrl_names[c]);
}

char *sluice_cgroup_describe(const struct sluice_cgroup *cg)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	fprintf(f, "sluice-cgroup 1\n");
	for (size_t i = 0; i < cg->n; i++) {
		char key[128];
		hier_key(&cg->L.h[cg->d[i].hier], key, sizeof(key));
		fprintf(f, "%s %d %s\n", key, cg->d[i].made, cg->d[i].path);
	}
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* cg_state_text's lines (cgroup_internal.h) */
char *cg_state_line(char *line, char key[128], int *made)
{
	size_t n = strcspn(line, " \t\n");
	uint64_t v;
	const char *p;

	if (!n || n > 127 || (line[n] != ' ' && line[n] != '\t'))
		return NULL;
	memcpy(key, line, n);
	key[n] = '\0';
	p = sluice_scan_u64(line + n, 10, &v);
	if (!p || v > INT_MAX || (*p != ' ' && *p != '\t'))
		return NULL;
	while (*p == ' ' || *p == '\t')
		p++;
	*made = (int)v;
	return *p == '/' ? line + (p - line) : NULL;
}

static int load_line(struct sluice_cgroup *cg, char *line, struct sluice_error *err)
{
	char key[128], *path;
	int made;

	path = cg_state_line(line, key, &made);
	if (!path)
		return sluice_err(err, SLUICE_EXIT_SETUP, EINVAL, "cgroups: bad state line \"%s\"",
				  line);
	for (size_t h = 0; h < cg->L.n; h++) {
		char k[128];
		hier_key(&cg->L.h[h], k, sizeof(k));
		if (strcmp(k, key) || cg->n == CG_MAX_HIER)
			continue;
		cg->d[cg->n] = (struct cg_dir){ (int)h, strdup(path), made };
		if (!cg->d[cg->n].path)
			return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "cgroups");
		if (cg->L.h[h].v2)
			cg->v2dir = (int)cg->n;
		else
			cg->ctrls |= cg->L.h[h].ctrls;
		cg->n++;
		return 0;
	}
	return sluice_err(err, SLUICE_EXIT_SETUP, ENOENT,
			  "cgroups: the %s hierarchy of the stored state is not mounted now", key);
}

int sluice_cgroup_load(const char *text, struct sluice_cgroup **out, struct sluice_error *err)
{
	struct sluice_cgroup *cg = cg_new(NULL);
	cleanup_free char *copy = strdup(text);
	char *save = NULL, *line;

	*out = NULL;
	if (!cg || !copy) {
		sluice_cgroup_free(cg);
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "cgroups");
	}
	line = strtok_r(copy, "\n", &save);
	if (!line || strcmp(line, "sluice-cgroup 1")) {
		sluice_cgroup_free(cg);
		return sluice_err(err, SLUICE_EXIT_SETUP, EINVAL, "cgroups: not a stored cgroup");
	}
	if (cg_layout_detect(&cg->L, err) < 0)
		goto fail;
	while ((line = strtok_r(NULL, "\n", &save)))
		if (load_line(cg, line, err) < 0)
			goto fail;
	if (cg->v2dir >= 0)
		cg->ctrls |= cg_v2_available(cg->d[cg->v2dir].path) | CG_BIT(CG_FREEZER) |
			     CG_BIT(CG_DEVICES);
	*out = cg;
	return 0;
fail:
	sluice_cgroup_free(cg);
	return -1;
}
