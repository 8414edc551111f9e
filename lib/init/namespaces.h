/* Namespaces: which to create (clone flags), joining by path, and the
 * uid/gid maps of a new user namespace. */
#ifndef SLUICE_NAMESPACES_H
#define SLUICE_NAMESPACES_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"

/* CLONE_NEW* flag of each enum sluice_ns. */
uint64_t sluice_ns_flag(enum sluice_ns ns);
/* Flags of the namespaces to create (enabled, no path). */
uint64_t sluice_ns_new_flags(const struct sluice_config *c);
/* True if any namespace is joined by path. */
bool sluice_ns_any_joined(const struct sluice_config *c);
bool sluice_ns_joined(const struct sluice_config *c, enum sluice_ns ns);

/* In the helper: setns() into every namespace given by path, the user
 * namespace first and the mount namespace last. */
int sluice_ns_join(const struct sluice_config *c, struct sluice_error *err);

/* Write the uid/gid maps of process pid ("self" when pid is 0).  Direct
 * writes when privileged or for a single mapping of the caller's own id
 * (then setgroups is denied first, as the kernel demands); newuidmap and
 * newgidmap otherwise.  who: the ids of the process that created the
 * namespace. */
int sluice_idmap_write(pid_t pid, const struct sluice_config *c, uid_t who_uid, gid_t who_gid,
		       struct sluice_error *err);

#endif
