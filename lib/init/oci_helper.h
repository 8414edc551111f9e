/* The helper's part of the OCI runtime (lib/oci, docs/oci.md): what
 * `sluice init` does beyond a plain sandbox when the runtime's request
 * (the OCI frame) came with the config.  Child-side code, like helper.h:
 * functions return -1 with err filled, and the helper reports and exits. */
#ifndef SLUICE_OCI_HELPER_H
#define SLUICE_OCI_HELPER_H

#include "config.h"
#include "request.h"

struct sluice_oci_helper {
	struct sluice_oci_request req;
	int fifo_fd;   /* O_PATH fd of the exec FIFO (create), opened on the host */
	int status_fd; /* fd 4 */
};

/* Decode the OCI frame. */
int sluice_oci_helper_init(struct sluice_oci_helper *o, const char *payload, size_t len,
			   struct sluice_error *err);
/* After the config is read: refuse what OCI mode cannot honour, open the
 * FIFO while host paths still resolve. */
int sluice_oci_helper_begin(struct sluice_oci_helper *o, const struct sluice_config *c,
			    struct sluice_error *err);

/* A new or joined pid (or time) namespace applies to children only: fork.
 * The child returns 0 and goes on as the container's process; the parent
 * reports the child's pid (PID frame) and waits to be killed by the
 * runtime, which takes the child over.  Never returns in the parent. */
int sluice_oci_fork(struct sluice_oci_helper *o, struct sluice_error *err);

/* The hooks point of create, before pivot_root: the runtime runs prestart
 * and createRuntime (HOOKS, then RESUME on fd 3), then createContainer
 * hooks run here, in the container's namespaces. */
int sluice_oci_hooks_point(struct sluice_oci_helper *o, const struct sluice_config *c,
			   struct sluice_error *err);

/* Find process.args[0] in the container before READY: a missing command
 * is create's error (as runc's) rather than start's, and exec's message
 * is runc's too. */
int sluice_oci_lookup(const struct sluice_config *c, struct sluice_error *err);

/* The process must outlive the runtime: no parent-death signal from here.
 * Until then a runtime that dies takes the helper with it (directly, or
 * through the intermediate process of sluice_oci_fork). */
int sluice_oci_detach(struct sluice_error *err);

/* create, after READY: wait for the runtime to have recorded us (RESUME);
 * a runtime that died first (EOF) ends the helper quietly.  The helper
 * then detaches and closes fd 4: the runtime's sign to leave (without a
 * gate fd 4 stays until the exec, which closes it). */
int sluice_oci_wait_recorded(struct sluice_oci_helper *o, struct sluice_error *err);

/* create: block on the exec FIFO until `start` opens it, run the
 * startContainer hooks, and return the FIFO's write end in *status_fd: it
 * carries an error to `start` if the exec fails, and closes on exec. */
int sluice_oci_gate(struct sluice_oci_helper *o, const struct sluice_config *c, int *status_fd,
		    struct sluice_error *err);
/* The startContainer hooks (the gate's last part; alone where the request
 * has no gate). */
int sluice_oci_start_hooks(struct sluice_oci_helper *o, const struct sluice_config *c,
			   struct sluice_error *err);

#endif
