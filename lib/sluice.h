/* libsluice: start a command in a sandbox.  Public API. */
#ifndef SLUICE_H
#define SLUICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SLUICE_API __attribute__((visibility("default")))

#define SLUICE_VERSION "0.1.0"

/* Exit codes (docs/exit-codes.md).  The workload's own status passes
 * through; 128+N when it is killed by signal N. */
enum {
	SLUICE_EXIT_USAGE = 64,	    /* bad command line */
	SLUICE_EXIT_CONFIG = 78,    /* the configuration is invalid */
	SLUICE_EXIT_TIMEOUT = 124,  /* sluice.timeout expired */
	SLUICE_EXIT_SETUP = 125,    /* the sandbox could not be set up */
	SLUICE_EXIT_NOEXEC = 126,   /* the command is not executable */
	SLUICE_EXIT_NOTFOUND = 127, /* the command was not found */
};

struct sluice_error {
	int exit_code; /* one of SLUICE_EXIT_* */
	int errnum;    /* errno, or 0 */
	char msg[1024];
};

struct sluice_config;

/* Print "sluice: <message>" on stderr. */
SLUICE_API void sluice_error_print(const struct sluice_error *err);

#endif
