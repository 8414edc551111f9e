/* SCMP_ACT_NOTIFY: the runtime's side of the listener hand-off
 * (config-linux.md "listenerPath", "The Container Process State";
 * docs/seccomp.md "Notify").
 *
 * The helper loads the filter and announces the listener's fd number on
 * the status socket (SECCOMP_LISTENER frame); the runtime takes the fd
 * with pidfd_getfd(2), connects to listenerPath and sends the container
 * process state as JSON with the fd in SCM_RIGHTS, in one sendmsg, then
 * closes the connection: what runc and crun do, so a seccomp agent written
 * for them works with sluice. */
#ifndef SLUICE_SECCOMP_NOTIFY_H
#define SLUICE_SECCOMP_NOTIFY_H

#include <sys/types.h>

#include "sluice.h"

/* The fd number fd of process pid (our pid namespace's view), duplicated
 * into ours, close-on-exec.  fd or -1 with err filled. */
int sluice_seccomp_take_listener(pid_t pid, int fd, struct sluice_error *err);

/* The OCI state object (runtime.md "State") of a sandbox that `sluice run`
 * starts: status "creating", id "sluice-PID" (PID: the launcher's),
 * bundle the config file's directory (or the current one).  malloc'd,
 * NULL on ENOMEM. */
char *sluice_seccomp_run_state(pid_t launcher, const char *bundle, pid_t pid);

/* Send the container process state to the agent at listener_path: state
 * is the OCI state object as JSON (an OCI runtime passes its own), pid the
 * container process as the runtime sees it, metadata listenerMetadata or
 * NULL, listener the fd to pass.  0, or -1 with err filled (the start
 * must then fail: the spec says so). */
SLUICE_API int sluice_seccomp_send_state(const char *listener_path, const char *metadata,
					 const char *state, pid_t pid, int listener,
					 struct sluice_error *err);

#endif
