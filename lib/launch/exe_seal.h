/* The binary the launcher re-executes as the helper, and how
 * (docs/security.md "The sluice binary").
 *
 * A process that runs sluice inside the sandbox (the helper, the init, or a
 * workload that is sluice itself through "#!/proc/self/exe") has the
 * binary behind /proc/PID/exe; a process of the sandbox that reaches that
 * link and may write the file would replace the host's sluice (the
 * CVE-2019-5736 class).  When no process of the sandbox could ever write
 * the file (its ids, capabilities and maps tell), the binary is executed as
 * it is.  Otherwise it is executed through a read-only bind of itself in
 * the sandbox's new mount namespace (a few system calls), or, where the
 * sandbox could remount that (CAP_SYS_ADMIN) or has no mount namespace of
 * its own, from a memfd copy sealed against writing, growing, shrinking
 * and further sealing.  The copy is made once per process (and path) and
 * kept, close-on-exec, for the next launch: a program that embeds libsluice
 * and starts many sandboxes pays for it once; a sluice that runs from a
 * sealed copy already is not copied again. */
#ifndef SLUICE_EXE_SEAL_H
#define SLUICE_EXE_SEAL_H

#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "config.h"

/* Whether a process of c's sandbox could ever open the file st (with an
 * access ACL: acl) for writing. */
bool sluice_exe_needs_seal(const struct sluice_config *c, const struct stat *st, bool acl);

enum sluice_exe_method {
	SLUICE_EXE_PATH,    /* execve the path as it is */
	SLUICE_EXE_RO_BIND, /* bind it read-only over itself in the new mount namespace */
	SLUICE_EXE_SEALED,  /* execveat a sealed memfd copy */
};

struct sluice_exe_plan {
	enum sluice_exe_method method;
	const char *path;	  /* the helper binary, or /proc/self/exe */
	char real_path[PATH_MAX]; /* RO_BIND: its path, the same file in the new namespace */
	struct stat our_mnt_ns;	  /* RO_BIND: the launcher's mount namespace, never bound in */
	int fd;			  /* SEALED: the copy, at an fd >= min_fd, or -1 */
	char fd_path[32];	  /* SEALED: /proc/self/fd/N, where execveat is missing */
};

/* Before clone: how to execute path (NULL: our own executable) for c;
 * min_fd: the lowest fd the child does not dup2() onto.  -1 with err. */
int sluice_exe_plan(struct sluice_exe_plan *x, const struct sluice_config *c, const char *path,
		    int min_fd, struct sluice_error *err);
void sluice_exe_plan_release(struct sluice_exe_plan *x);

/* In the child after clone (system calls only): execute the helper as
 * planned; ns_applied: clone created a mount namespace for it (not the
 * fork fallback).  Returns only on failure, with errno. */
void sluice_exe_exec(const struct sluice_exe_plan *x, bool ns_applied, char *const argv[],
		     char *const envp[]);

#endif
