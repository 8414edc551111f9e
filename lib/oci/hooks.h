/* OCI hooks (config.md "POSIX-platform Hooks"): each hook runs as a child
 * of the caller (the runtime, or the helper for createContainer and
 * startContainer), with the container's state as JSON on stdin, its own
 * args and env, and its timeout.  stdout and stderr are captured and
 * quoted in the error when the hook fails, as runc does. */
#ifndef SLUICE_HOOKS_H
#define SLUICE_HOOKS_H

#include <sys/types.h>

#include "config.h"

/* The state the spec hands to hooks (runtime.md "State"). */
struct sluice_oci_state_view {
	const char *id;
	const char *status; /* "creating", "created", "running", "stopped" */
	pid_t pid;	    /* 0: not written */
	const char *bundle;
	char *const *annotations; /* strv of keys and values, or NULL */
};

/* The state as the spec's JSON (schema/state-schema.json), compact. */
int sluice_oci_state_view_json(const struct sluice_oci_state_view *s, char **out, size_t *len,
			       struct sluice_error *err);

/* Run one hook; index is its place in its list (for messages). */
int sluice_hook_run(const struct sluice_hook *h, enum sluice_hook_kind kind, size_t index,
		    const struct sluice_oci_state_view *s, struct sluice_error *err);

/* Run the hooks of one kind in order; the first failure stops the list. */
int sluice_hooks_run(const struct sluice_config *c, enum sluice_hook_kind kind,
		     const struct sluice_oci_state_view *s, struct sluice_error *err);

#endif
