/* Errors: one convention for all of libsluice.
 *
 * Library functions return 0 on success and -1 on failure, filling a
 * struct sluice_error with the exit code class, the errno (0 if none) and a
 * message that names the object and the problem.  Library code never prints
 * and never exits, except in the helper after fork (see helper.h). */
#ifndef SLUICE_ERROR_H
#define SLUICE_ERROR_H

#include "sluice.h"

/* Fill err and return -1.  errnum is appended as ": strerror" when printed. */
int sluice_err(struct sluice_error *err, int exit_code, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Prefix an existing message with more context ("while X: <old>"). */
int sluice_err_prefix(struct sluice_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Format "msg[: strerror(errnum)]" into buf. */
void sluice_error_format(const struct sluice_error *err, char *buf, size_t len);

#endif
