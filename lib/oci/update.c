/* update: new limits for a container's cgroup (runc update).  Only the
 * fields given are written; 0 means "leave alone" where runc and docker
 * read it so (docker sends zeros for what `docker update` did not set). */
#include "oci_internal.h"

#include <sys/file.h>

#include "error.h"

int sluice_oci_update(const struct sluice_oci *o, const char *id, const struct sluice_config *res,
		      struct sluice_error *err)
{
	struct oci_container ct;
	struct sluice_cgroup *cg = NULL;
	bool gone;
	int r = oci_container_open(o, id, LOCK_EX, &ct, &gone, err);
	enum oci_status st = r == 0 ? oci_container_status(&ct) : OCI_STOPPED;

	if (r == 0 && st == OCI_STOPPED)
		r = sluice_err(err, SLUICE_EXIT_OCI, 0, "container not running");
	if (r == 0)
		r = oci_require_cgroup(&ct, "update", &cg, err);
	if (r == 0)
		r = sluice_cgroup_update(cg, res, err);
	if (r == 0)
		oci_log(o, SLUICE_LOG_DEBUG, "container %s: resources updated", id);
	oci_container_close(&ct);
	return r;
}
