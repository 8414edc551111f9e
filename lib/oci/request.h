/* The OCI runtime's request to the helper (the OCI frame of the fd-3
 * protocol, docs/protocol.md): what the helper does beyond a plain
 * sandbox.  Encoded as NUL-terminated "key=value" strings. */
#ifndef SLUICE_OCI_REQUEST_H
#define SLUICE_OCI_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "sluice.h"

enum sluice_oci_mode {
	SLUICE_OCI_CREATE = 1, /* a new container: gate on the exec FIFO, hooks */
	SLUICE_OCI_EXEC,       /* a process joining a running container */
};

struct sluice_oci_request {
	enum sluice_oci_mode mode;
	char *id;
	char *bundle;
	/* CREATE: the exec FIFO's path on the host.  Absent: no gate (the
	 * foreground run, docs/oci.md): once recorded the helper runs the
	 * startContainer hooks and execs, fd 4 open until the exec. */
	char *fifo;
	/* The process must outlive the runtime (create; exec --detach): the
	 * helper clears its parent-death signal, and a forked container
	 * process is handed over (PID frame) instead of waited for. */
	bool detach;
};

/* *out is malloc'd.  0 or -ENOMEM. */
int sluice_oci_request_encode(const struct sluice_oci_request *r, char **out, size_t *len);
/* 0, or -EBADMSG for a malformed payload (r then needs no free). */
int sluice_oci_request_decode(const char *buf, size_t len, struct sluice_oci_request *r);
void sluice_oci_request_free(struct sluice_oci_request *r);

#endif
