/* The error object (error.h). */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int sluice_err(struct sluice_error *err, int exit_code, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->exit_code = exit_code;
	err->errnum = errnum;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int sluice_err_prefix(struct sluice_error *err, const char *fmt, ...)
{
	char old[sizeof(err->msg)];
	size_t n;
	va_list ap;

	memcpy(old, err->msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	/* "<prefix>: <old>", cut at the buffer's end */
	n = strlen(err->msg);
	if (n + 2 < sizeof(err->msg)) {
		memcpy(err->msg + n, ": ", 3);
		n += 2;
		memcpy(err->msg + n, old, strnlen(old, sizeof(err->msg) - n - 1));
		err->msg[n + strnlen(old, sizeof(err->msg) - n - 1)] = '\0';
	}
	return -1;
}

void sluice_error_format(const struct sluice_error *err, char *buf, size_t len)
{
	if (err->errnum)
		snprintf(buf, len, "%s: %s", err->msg, strerror(err->errnum));
	else
		snprintf(buf, len, "%s", err->msg);
}

void sluice_error_print(const struct sluice_error *err)
{
	char buf[sizeof(err->msg) + 128];

	sluice_error_format(err, buf, sizeof(buf));
	fprintf(stderr, "sluice: %s\n", buf);
}
