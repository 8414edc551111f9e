/* Internals shared by the files of lib/oci. */
#ifndef SLUICE_OCI_INTERNAL_H
#define SLUICE_OCI_INTERNAL_H

#include <signal.h>
#include <stdbool.h>

#include "config.h"
#include "hooks.h"
#include "launch.h"
#include "oci.h"
#include "state.h"

void oci_log(const struct sluice_oci *o, enum sluice_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The state view hooks get for this container. */
struct sluice_oci_state_view oci_view(const struct oci_container *ct, const struct sluice_config *c,
				      const char *status, pid_t pid);

/* poststop hooks: each runs, failures are warnings (runtime.md step 13). */
void oci_poststop(const struct sluice_oci *o, const struct sluice_config *c,
		  const struct sluice_oci_state_view *s);

/* Kill what the pidfd names with SIGKILL and wait until it has exited
 * (our child or not).  The pidfd is closed. */
void oci_kill_wait(int *pidfd);

/* What the foreground run (run.c) gives create and gets back. */
struct oci_foreground {
	const sigset_t *mask; /* in: the container process's signal mask */
	/* in: run relays a terminal itself: process.terminal needs no console
	 * socket then, and the pty master comes back in pty (or -1) */
	bool relay_pty;
	int pidfd; /* out: the container's process */
	pid_t pid;
	int pty;
	/* out: it runs already: with nothing that needs `start`, the run
	 * goes without the exec FIFO (docs/oci.md "The lifecycle") */
	bool started;
	struct sluice_cgroup *cg; /* out: its cgroup, for the delete (or NULL) */
};

/* sluice_oci_delete, with the container's cgroup object when the caller
 * has it (cg, taken over; NULL: read back from the record). */
int oci_delete(const struct sluice_oci *o, const char *id, bool force, struct sluice_cgroup *cg,
	       struct sluice_error *err);

/* A new container, set up and recorded (create.c); fg: the foreground
 * run's (NULL: `create`). */
int oci_create(const struct sluice_oci *o, const struct sluice_oci_create_opts *opts,
	       struct oci_foreground *fg, struct sluice_error *err);

/* Call fn for every process of the container but its init (procs.c):
 * those of its cgroup, or without one those of its pid namespace and of
 * namespaces nested in it, each with a pidfd opened before it was found
 * to belong (so fn never reaches a recycled pid).  Without a cgroup nor a
 * pid namespace of its own the container's processes cannot be told from
 * others: an error.  fn returning < 0 stops the walk. */
int oci_container_procs(struct oci_container *ct, int (*fn)(pid_t pid, int pidfd, void *ctx),
			void *ctx, struct sluice_error *err);

/* The container's cgroup for an operation named what ("pause"): an error
 * for a container without one (pause.c). */
int oci_require_cgroup(struct oci_container *ct, const char *what, struct sluice_cgroup **cg,
		       struct sluice_error *err);

/* Write "PID" to path, atomically (a temporary name, then rename). */
int oci_write_pid_file(const char *path, pid_t pid, struct sluice_error *err);

/* Send a pidfd over the unix socket at path (--pidfd-socket). */
int oci_send_pidfd(const char *path, int pidfd, struct sluice_error *err);

/* What finalize changed the way runc does (ambient capabilities the
 * kernel cannot raise, ...): logged at info level, which goes to --log,
 * and to stderr (the container's, for a created one) only with --debug:
 * runc changes the same silently. */
void oci_log_warnings(const struct sluice_oci *o, const struct sluice_config *c);

/* --rootless: given, or (auto) runc's rule: a caller that is not root, or
 * root of a user namespace other than the initial one (rootless podman).
 * A rootless container gets a cgroup only when its config asks for one. */
bool oci_rootless(const struct sluice_oci *o);

#endif
