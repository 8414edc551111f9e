/* sluice_run: start the sandbox described by a config and supervise it
 * until the workload ends: forward signals, relay stdio, enforce the
 * timeout, report the helper's errors. */
#ifndef SLUICE_RUN_H
#define SLUICE_RUN_H

#include "cgroup.h"
#include "config.h"

/* Returns the exit status to report (the workload's, 128+N for a signal),
 * or -1 with err filled: the sandbox could not be started, it timed out
 * (SLUICE_EXIT_TIMEOUT), the kernel's OOM killer ended it (exit code 137,
 * the status of a SIGKILL, and a message that says so), or its cgroup could
 * not be removed.  Everything it started is gone by then. */
SLUICE_API int sluice_run(const struct sluice_config *c, const struct sluice_caller *who,
			  struct sluice_error *err);

/* The same with the OCI runtime's request for the helper (lib/oci:
 * `sluice exec` in the foreground); request NULL is sluice_run.  cg (may
 * be NULL): the container's cgroup, which the helper enters before GO;
 * taken over (freed, never removed). */
int sluice_run_request(const struct sluice_config *c, const struct sluice_caller *who,
		       const char *request, size_t request_len, struct sluice_cgroup *cg,
		       struct sluice_error *err);

#endif
