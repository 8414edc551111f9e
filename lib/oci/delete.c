/* delete: the container's processes killed if need be, its state
 * removed, then the poststop hooks (runtime.md steps 11-13). */
#include "oci_internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "error.h"
#include "util.h"

/* A directory without a record: a create that died before writing one.
 * Nothing of it can be running (the helper starts after the record). */
static int remove_orphan(struct oci_container *ct, bool force, struct sluice_error *err)
{
	struct sluice_error e = { 0 };

	if (oci_container_remove(ct, &e) < 0) {
		*err = e;
		return -1;
	}
	return force ? 0 : -1;
}

/* Whatever is left in the cgroup (exec'd processes, a paused init) is
 * killed and waited for, then the directories sluice made are removed. */
static int remove_cgroup(struct oci_container *ct, struct sluice_error *err)
{
	struct sluice_cgroup *cg = NULL;

	if (oci_container_cgroup(ct, &cg, err) < 0)
		return -1;
	ct->cg = NULL;
	return cg ? sluice_cgroup_destroy(cg, err) : 0;
}

static int destroy(const struct sluice_oci *o, struct oci_container *ct, struct sluice_error *err)
{
	struct sluice_config c = { 0 }; /* empty unless loaded */
	struct sluice_error e = { 0 };
	/* without poststop hooks (the record says so) the config is not needed */
	bool want = oci_container_may_have_hook(ct, SLUICE_HOOK_POSTSTOP);
	bool have_config = want && oci_container_load_config(ct, &c, &e) == 0;
	struct sluice_oci_state_view s = oci_view(ct, have_config ? &c : NULL, "stopped", 0);
	int r = remove_cgroup(ct, err);

	if (r == 0)
		r = oci_container_remove(ct, err);

	if (want && !have_config)
		oci_log(o, SLUICE_LOG_WARN, "container %s: no saved config, no poststop hooks: %s",
			ct->rec.id, e.msg);
	if (r == 0 && have_config)
		oci_poststop(o, &c, &s);
	if (r == 0)
		oci_log(o, SLUICE_LOG_DEBUG, "container %s deleted", ct->rec.id);
	sluice_config_free(&c);
	return r;
}

static int delete_locked(const struct sluice_oci *o, struct oci_container *ct, bool force,
			 struct sluice_error *err)
{
	enum oci_status st = oci_container_status(ct);
	int pidfd;

	/* runc deletes a created container without --force: it never ran */
	if ((st == OCI_RUNNING || st == OCI_CREATING || st == OCI_PAUSED) && !force)
		return sluice_err(err, SLUICE_EXIT_OCI, 0,
				  "cannot delete container %s that is not stopped: %s", ct->rec.id,
				  oci_status_names[st]);
	if (st != OCI_STOPPED && (pidfd = oci_container_pidfd(ct)) >= 0) {
		oci_log(o, SLUICE_LOG_DEBUG, "container %s: killing pid %d", ct->rec.id,
			(int)ct->rec.pid);
		/* a frozen init dies only once thawed: the cgroup first */
		if (st == OCI_PAUSED)
			(void)remove_cgroup(ct, &(struct sluice_error){ 0 });
		oci_kill_wait(&pidfd);
	}
	return destroy(o, ct, err);
}

/* cg: the container's cgroup as its create made it (the foreground
 * run), used when the record names that very cgroup; taken over. */
static void take_cgroup(struct oci_container *ct, struct sluice_cgroup *cg)
{
	cleanup_free char *ours = cg && ct->rec.cgroup ? sluice_cgroup_describe(cg) : NULL;

	if (ours && !strcmp(ours, ct->rec.cgroup) && !ct->cg) {
		ct->cg = cg;
		return;
	}
	sluice_cgroup_free(cg);
}

int oci_delete(const struct sluice_oci *o, const char *id, bool force, struct sluice_cgroup *cg,
	       struct sluice_error *err)
{
	struct oci_container ct;
	bool gone = false;
	int r = oci_container_open(o, id, LOCK_EX, &ct, &gone, err);

	if (r == 0) {
		take_cgroup(&ct, steal_ptr(&cg));
		r = delete_locked(o, &ct, force, err);
	} else if (gone)
		r = remove_orphan(&ct, force, err);
	else if (force && ct.missing)
		r = 0; /* runc: --force on a container that does not exist succeeds */
	oci_container_close(&ct);
	sluice_cgroup_free(cg);
	return r;
}

int sluice_oci_delete(const struct sluice_oci *o, const char *id, bool force,
		      struct sluice_error *err)
{
	return oci_delete(o, id, force, NULL, err);
}
