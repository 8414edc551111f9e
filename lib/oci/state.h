/* The state directory of one container (oci.h describes the layout):
 * creating and opening it under its flock, the runtime's record, liveness
 * and status.  Internal to lib/oci. */
#ifndef SLUICE_OCI_STATE_H
#define SLUICE_OCI_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"
#include "oci.h"

#define OCI_STATE_FILE "state"
#define OCI_CONFIG_FILE "config.yaml"
#define OCI_FIFO_FILE "exec.fifo"

enum oci_status {
	OCI_CREATING,
	OCI_CREATED,
	OCI_RUNNING,
	OCI_STOPPED,
	OCI_PAUSED,
};

extern const char *const oci_status_names[]; /* "creating", ... */

/* The record in the state file. */
struct oci_record {
	char *id, *bundle, *rootfs, *created;
	pid_t pid;	    /* the container's init in our pid namespace, 0 if none yet */
	uint64_t starttime; /* its start time (clock ticks after boot) */
	bool ready;	    /* the create finished (else: still, or crashed, creating) */
	char **annotations; /* strv of keys and values (config.json's), or NULL */
	char *cgroup;	    /* sluice_cgroup_describe()'s text, or NULL: none */
	/* which hooks the saved config has (bit SLUICE_HOOK_x), so that start
	 * and delete parse it again only for hooks it has; hooks_known false:
	 * a record without the field (an older sluice), parse it */
	bool hooks_known;
	unsigned int hooks;
};

struct oci_container {
	const struct sluice_oci *o;
	char *dir;    /* root/id */
	int dirfd;    /* the directory, flock'ed */
	uid_t owner;  /* the directory's owner */
	bool missing; /* open: there is no such container */
	bool written; /* the record is on disk (read, or written by us) */
	struct oci_record rec;
	struct sluice_cgroup *cg; /* loaded from rec.cgroup by oci_container_cgroup */
};

/* Make root/id (0700, the root too if missing) and lock it.  "container
 * with given ID already exists" (exit 1) when it is there. */
int oci_container_create(const struct sluice_oci *o, const char *id, struct oci_container *ct,
			 struct sluice_error *err);
/* Open and lock (LOCK_SH or LOCK_EX) an existing container, read its
 * record.  "container does not exist" (exit 1); *gone is set when the
 * directory exists but holds no record (a create that crashed early). */
int oci_container_open(const struct sluice_oci *o, const char *id, int lock,
		       struct oci_container *ct, bool *gone, struct sluice_error *err);
void oci_container_close(struct oci_container *ct);

int oci_record_write(struct oci_container *ct, struct sluice_error *err);
void oci_record_free(struct oci_record *rec);

/* The container's cgroup (loaded once from the record, owned by ct), or
 * NULL when it has none (a rootless container without resources); -1
 * only when the record's text cannot be loaded. */
int oci_container_cgroup(struct oci_container *ct, struct sluice_cgroup **cg,
			 struct sluice_error *err);

/* The live status (stopped once the init is gone or is another process;
 * paused while its cgroup is frozen). */
enum oci_status oci_container_status(struct oci_container *ct);
/* A pidfd of the init, checked against its start time; -ESRCH when the
 * container's init is gone. */
int oci_container_pidfd(const struct oci_container *ct);

/* /proc/PID/stat: start time and state letter.  0 or -errno. */
int oci_proc_stat(pid_t pid, uint64_t *starttime, char *state);

/* Remove the directory and everything in it (the lock goes with it). */
int oci_container_remove(struct oci_container *ct, struct sluice_error *err);

/* The config saved at create. */
struct sluice_config;
/* Could the saved config have hooks of this kind (the record says, or
 * does not know)?  Without any, start and delete need not parse it. */
bool oci_container_may_have_hook(const struct oci_container *ct, int kind);
int oci_container_load_config(const struct oci_container *ct, struct sluice_config *c,
			      struct sluice_error *err);

/* RFC 3339 with nanoseconds, UTC, as Go's time.RFC3339Nano prints (no
 * trailing zeros in the fraction). */
void oci_time_now(char *buf, size_t len);

#endif
