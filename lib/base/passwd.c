/* /etc/passwd without NSS: one entry's field, by uid. */
#include "passwd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define PW_FIELDS 7

/* 1 (and the field in buf) when LINE is UID's entry and has FIELD. */
static int line_match(char *line, uid_t uid, unsigned field, char *buf, size_t len)
{
	char *f[PW_FIELDS] = { 0 };
	unsigned n = 0;
	uint64_t id;
	const char *end;

	for (char *p = line; p && n < PW_FIELDS; n++) {
		f[n] = p;
		p = strchr(p, ':');
		if (p)
			*p++ = '\0';
	}
	if (n <= field || n < 3 || f[2][0] < '0' || f[2][0] > '9')
		return 0;
	end = sluice_scan_u64(f[2], 10, &id);
	if (!end || *end || id != (uint64_t)uid)
		return 0;
	snprintf(buf, len, "%s", f[field]);
	return 1;
}

/* The complete lines of data[0..*have) go through line_match; what is left
 * of a line moves to the start.  1 when found, else 0. */
static int scan_lines(char *data, size_t *have, bool *skip, uid_t uid, unsigned field, char *buf,
		      size_t len)
{
	char *line = data, *nl;
	size_t rest;

	while ((nl = memchr(line, '\n', (size_t)(data + *have - line)))) {
		*nl = '\0';
		if (!*skip && line_match(line, uid, field, buf, len))
			return 1;
		*skip = false;
		line = nl + 1;
	}
	rest = (size_t)(data + *have - line);
	memmove(data, line, rest);
	*have = rest;
	return 0;
}

int sluice_passwd_field(const char *path, uid_t uid, enum sluice_passwd_field field, char *buf,
			size_t len)
{
	char data[4096];
	size_t have = 0;
	bool skip = false;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY), r = 0;
	ssize_t got;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		r = -errno;
	else if (!S_ISREG(st.st_mode))
		r = -EINVAL;
	if (r < 0) {
		sluice_close(fd);
		return r;
	}
	while (r == 0) {
		got = read(fd, data + have, sizeof(data) - 1 - have);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r = -errno;
			break;
		}
		if (got == 0) {
			data[have] = '\0';
			r = have && !skip ? line_match(data, uid, field, buf, len) : 0;
			break;
		}
		have += (size_t)got;
		r = scan_lines(data, &have, &skip, uid, field, buf, len);
		if (have == sizeof(data) - 1) { /* a line longer than a page */
			skip = true;
			have = 0;
		}
	}
	sluice_close(fd);
	return r;
}
