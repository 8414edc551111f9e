/* pause and resume: the container's cgroup frozen or thawed (v1 freezer,
 * v2 cgroup.freeze), waited for until the kernel says it is done. */
#include "oci_internal.h"

#include <sys/file.h>

#include "error.h"

/* The container's cgroup, for an operation that needs one. */
int oci_require_cgroup(struct oci_container *ct, const char *what, struct sluice_cgroup **cg,
		       struct sluice_error *err)
{
	if (oci_container_cgroup(ct, cg, err) < 0)
		return -1;
	if (!*cg)
		return sluice_err(err, SLUICE_EXIT_OCI, 0,
				  "cannot %s container %s: it has no cgroup (a rootless container "
				  "gets one only when config.json asks for linux.resources or "
				  "cgroupsPath)",
				  what, ct->rec.id);
	return 0;
}

int sluice_oci_pause(const struct sluice_oci *o, const char *id, bool pause,
		     struct sluice_error *err)
{
	struct oci_container ct;
	struct sluice_cgroup *cg = NULL;
	bool gone;
	int r = oci_container_open(o, id, LOCK_EX, &ct, &gone, err);
	enum oci_status st = r == 0 ? oci_container_status(&ct) : OCI_STOPPED;

	/* runc's rules and words: a running or created container pauses, a
	 * paused one resumes */
	if (r == 0 && pause && st != OCI_RUNNING && st != OCI_CREATED)
		r = sluice_err(err, SLUICE_EXIT_OCI, 0, "container not running");
	else if (r == 0 && !pause && st != OCI_PAUSED)
		r = sluice_err(err, SLUICE_EXIT_OCI, 0, "container not paused");
	if (r == 0)
		r = oci_require_cgroup(&ct, pause ? "pause" : "resume", &cg, err);
	if (r == 0)
		r = sluice_cgroup_freeze(cg, pause, err);
	if (r == 0)
		oci_log(o, SLUICE_LOG_DEBUG, "container %s %s", id, pause ? "paused" : "resumed");
	oci_container_close(&ct);
	return r;
}
