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

/* In the helper: unshare the namespaces in flags; with a new user
 * namespace, write its maps: our own single ids ourselves, anything else
 * (root's map onto an unprivileged id, id ranges) from a writer process
 * forked before the unshare, which keeps our privileges in the parent
 * namespace.  uid/gid: our ids before the unshare. */
int sluice_ns_unshare(const struct sluice_config *c, uint64_t flags, uid_t uid, gid_t gid,
		      struct sluice_error *err);

#define SLUICE_CLONE_NEWTIME 0x00000080 /* CLONE_NEWTIME, which older headers lack */

/* In the helper, after it unshared a time namespace: linux.timeOffsets to
 * /proc/self/timens_offsets, then into the namespace itself (setns on
 * time_for_children), so that the helper, not a child of it, is the
 * sandbox's process.  0, or -1 (125). */
int sluice_time_ns_enter(const struct sluice_config *c, struct sluice_error *err);

/* The runtime's NAMESPACES claim (CLONE_NEW* flags it says it created for
 * us), checked against the kernel: each such namespace must be apart from
 * the runtime's own (compared through /proc/PPID/ns, or, where a child
 * user namespace may not look there, by what owns it).  A false claim
 * would have the helper pivot_root, rename and reconfigure the caller's
 * own namespaces.  0, or -1 (125) naming the namespace. */
int sluice_ns_verify_prepared(uint64_t prepared, struct sluice_error *err);

/* Write the uid/gid maps of process pid ("self" when pid is 0).  Direct
 * writes when privileged or for a single mapping of the caller's own id
 * (then setgroups is denied first, as the kernel demands); newuidmap and
 * newgidmap otherwise.  who: the ids of the process that created the
 * namespace. */
int sluice_idmap_write(pid_t pid, const struct sluice_config *c, uid_t who_uid, gid_t who_gid,
		       struct sluice_error *err);

/* An fd of a new user namespace with these maps (root: written directly),
 * for MOUNT_ATTR_IDMAP; nothing else is in it.  fd or -1 (err filled). */
int sluice_userns_fd(const struct sluice_idmap *uid, size_t n_uid, const struct sluice_idmap *gid,
		     size_t n_gid, struct sluice_error *err);

#endif
