/* The OCI runtime (docs/oci.md): runc's lifecycle on a state directory.
 *
 *   create  -> the helper builds the container and waits on the exec FIFO
 *   start   -> opens the FIFO: the workload is exec'd (poststart hooks)
 *   state / list / kill / exec / delete
 *
 * One directory per container under the state root, 0700, holding
 *   state        the runtime's record (NUL-separated key/value pairs),
 *                replaced atomically by rename
 *   config.yaml  the effective config at create (later commands use it,
 *                never the bundle's config.json again)
 *   exec.fifo    the create/start gate, until start
 * Commands on one container take an flock on its directory.  Liveness is
 * the init's pid together with its start time (/proc/PID/stat); signals go
 * through pidfds.
 *
 * Errors: -1 with err filled.  Lifecycle refusals (no such container, the
 * wrong status) use exit code 1 and runc's wording, since engines match on
 * it; config, usage and setup failures keep sluice's codes. */
#ifndef SLUICE_OCI_H
#define SLUICE_OCI_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "sluice.h"

/* The runtime spec version sluice implements (`state`, hooks, features). */
#define SLUICE_OCI_VERSION "1.2.1"
/* The exit code of a refused lifecycle operation, as runc's. */
#define SLUICE_EXIT_OCI 1

enum sluice_log_level {
	SLUICE_LOG_ERROR,
	SLUICE_LOG_WARN,
	SLUICE_LOG_INFO,
	SLUICE_LOG_DEBUG,
};

/* What every OCI operation needs: where the state lives, who calls, and
 * where its warnings and debug messages go. */
struct sluice_oci {
	const char *root; /* the state root (absolute) */
	uid_t uid;	  /* the caller's effective ids */
	gid_t gid;
	int rootless;	    /* -1 auto, 0 no, 1 yes (--rootless) */
	const char *helper; /* the binary re-executed as the helper; NULL: /proc/self/exe */
	void (*log)(void *ctx, enum sluice_log_level level, const char *msg);
	void *log_ctx;
};

/* Container ids follow runc's rules: letters, digits and + , - . _ only,
 * not "." nor "..", at most 1024 bytes.  1 with runc's message otherwise. */
SLUICE_API int sluice_oci_check_id(const char *id, struct sluice_error *err);

/* The default state root: /run/sluice for root, $XDG_RUNTIME_DIR/sluice
 * for anyone else and for root in a user namespace other than the initial
 * one unless $USER is root (runc's rule).  *out is malloc'd. */
SLUICE_API int sluice_oci_default_root(uid_t uid, char **out, struct sluice_error *err);

struct sluice_oci_create_opts {
	const char *id;
	const char *bundle;	    /* NULL: the current directory */
	const char *pid_file;	    /* NULL: none */
	const char *console_socket; /* NULL: none */
	const char *pidfd_socket;   /* NULL: none */
	int preserve_fds;	    /* fds 3..3+N-1 go on to the workload */
	bool no_pivot;
	bool no_new_keyring;
};

SLUICE_API int sluice_oci_create(const struct sluice_oci *o, const struct sluice_oci_create_opts *c,
				 struct sluice_error *err);
SLUICE_API int sluice_oci_start(const struct sluice_oci *o, const char *id,
				struct sluice_error *err);

/* runc run: create + start; in the foreground (detach false) it waits for
 * the container, forwarding signals, deletes it unless keep, and returns
 * its exit status (128+N for signal N). */
SLUICE_API int sluice_oci_run(const struct sluice_oci *o, const struct sluice_oci_create_opts *c,
			      bool detach, bool keep, struct sluice_error *err);

/* What `state` and `list` report. */
struct sluice_oci_info {
	char *id;
	char *status; /* creating, created, running, stopped */
	pid_t pid;    /* 0 when stopped */
	char *bundle;
	char *rootfs;
	char *created; /* RFC 3339, nanoseconds, UTC */
	uid_t owner;
	char **annotations; /* strv of keys and values, or NULL */
};

SLUICE_API int sluice_oci_info(const struct sluice_oci *o, const char *id,
			       struct sluice_oci_info *info, struct sluice_error *err);
/* Every container under the root, sorted by id. */
SLUICE_API int sluice_oci_list(const struct sluice_oci *o, struct sluice_oci_info **v, size_t *n,
			       struct sluice_error *err);
SLUICE_API void sluice_oci_info_free(struct sluice_oci_info *info);

/* `state` as runc prints it (2-space indented, no final newline); `list
 * --format json` (one line).  *out is malloc'd. */
SLUICE_API int sluice_oci_state_json(const struct sluice_oci_info *info, char **out,
				     struct sluice_error *err);
SLUICE_API int sluice_oci_list_json(const struct sluice_oci_info *v, size_t n, char **out,
				    struct sluice_error *err);
/* The user name of uid (/etc/passwd), or "#UID". */
SLUICE_API void sluice_oci_owner_name(uid_t uid, char *buf, size_t len);

/* "KILL", "SIGKILL", "kill", "9", "RTMIN+2": the number, or -1 with err. */
SLUICE_API int sluice_oci_parse_signal(const char *text, struct sluice_error *err);
SLUICE_API int sluice_oci_kill(const struct sluice_oci *o, const char *id, int sig, bool all,
			       struct sluice_error *err);
SLUICE_API int sluice_oci_delete(const struct sluice_oci *o, const char *id, bool force,
				 struct sluice_error *err);

/* pause (true) or resume (false): the container's cgroup frozen or
 * thawed, waited for; runc's "container not running" / "container not
 * paused" otherwise. */
SLUICE_API int sluice_oci_pause(const struct sluice_oci *o, const char *id, bool pause,
				struct sluice_error *err);

/* update: the resources set in res->linux.resources written to the
 * container's cgroup (res: sluice_config_init'ed, then filled by
 * sluice_config_load_resources_fd or the sluice_config_set_* edits). */
SLUICE_API int sluice_oci_update(const struct sluice_oci *o, const char *id,
				 const struct sluice_config *res, struct sluice_error *err);

/* events: one runc stats event for the container, as a JSON line
 * ({"type":"stats","id":ID,"data":{...}}, no newline; *out malloc'd). */
SLUICE_API int sluice_oci_stats_event(const struct sluice_oci *o, const char *id, char **out,
				      struct sluice_error *err);
/* An fd that polls readable when the kernel's OOM killer acts in the
 * container's cgroup (read it to rearm); the caller closes it. */
SLUICE_API int sluice_oci_oom_fd(const struct sluice_oci *o, const char *id,
				 struct sluice_error *err);

/* ps: the pids (in our pid namespace) of the container's processes, its
 * init first.  Found through the container's pid namespace (a container
 * sharing sluice's is an error until the cgroup module lands). */
SLUICE_API int sluice_oci_pids(const struct sluice_oci *o, const char *id, pid_t **pids, size_t *n,
			       struct sluice_error *err);
/* runc's ps table: `ps ARGS` (default -ef), its header and the lines of
 * the container's processes.  *out is malloc'd. */
SLUICE_API int sluice_oci_ps_table(const struct sluice_oci *o, const char *id, char *const *args,
				   char **out, struct sluice_error *err);

struct sluice_oci_exec_opts {
	const char *id;
	const char *process; /* a process.json, or NULL: args and the flags below */
	char **args;	     /* strv */
	char **env;	     /* strv of KEY=VALUE added to the container's */
	const char *cwd;
	const char *user; /* "UID[:GID]" */
	char **additional_gids;
	char **caps; /* added to the bounding, effective, permitted and ambient sets */
	bool no_new_privs;
	bool detach;
	const char *pid_file;
	int preserve_fds;
	bool tty;
	const char *console_socket;
};

/* Returns the process's exit status (foreground), or 0 once it runs
 * (detach). */
SLUICE_API int sluice_oci_exec(const struct sluice_oci *o, const struct sluice_oci_exec_opts *x,
			       struct sluice_error *err);

/* `spec`: runc's example config.json, made for the caller (rootless: a
 * user namespace mapping the caller to root, no network namespace, /sys
 * bound from the host). */
SLUICE_API int sluice_oci_spec(bool rootless, uid_t uid, gid_t gid, char **out,
			       struct sluice_error *err);
/* `features`: features.md's JSON for this build. */
SLUICE_API int sluice_oci_features(char **out, struct sluice_error *err);

#endif
