/* sluice_run: start the sandbox described by a config and supervise it
 * until the workload ends: forward signals, relay stdio, enforce the
 * timeout, report the helper's errors. */
#ifndef SLUICE_RUN_H
#define SLUICE_RUN_H

#include "config.h"

/* Returns the exit status to report (the workload's, 128+N for a signal,
 * SLUICE_EXIT_TIMEOUT), or -1 with err filled when the sandbox could not be
 * started; everything it started is gone by then. */
SLUICE_API int sluice_run(const struct sluice_config *c, const struct sluice_caller *who,
			  struct sluice_error *err);

#endif
