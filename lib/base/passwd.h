/* /etc/passwd read without NSS, which a static binary cannot load: the
 * host's (the owner column of `list`) and the container's (the HOME that
 * runc fills in).  Internal: not part of the public API. */
#ifndef SLUICE_PASSWD_H
#define SLUICE_PASSWD_H

#include <stddef.h>
#include <sys/types.h>

/* The fields of a passwd line: name:password:uid:gid:gecos:dir:shell. */
enum sluice_passwd_field {
	SLUICE_PW_NAME = 0,
	SLUICE_PW_DIR = 5
};

/* Copies FIELD of the first entry of PATH whose uid is UID (and that has
 * that field) into buf.  Reads a regular file only, without blocking, a
 * page at a time; lines longer than a page are skipped.  1 when found, 0
 * when not (buf untouched), -errno when PATH cannot be read. */
int sluice_passwd_field(const char *path, uid_t uid, enum sluice_passwd_field field, char *buf,
			size_t len);

#endif
