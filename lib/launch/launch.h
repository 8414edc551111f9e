/* The launcher: the parent's half of the fd-3 protocol.  Creates the pipes,
 * clones the child into the new namespaces (clone3 + CLONE_PIDFD), has it
 * re-execute sluice as `sluice init` with the config pipe on fd 3 and the
 * status pipe on fd 4, then sends the config, writes the id maps and gives
 * the go-ahead.  A config that asks for cgroup limits gets its cgroup made
 * and filled (before the clone on pure v2, after it otherwise, while the
 * helper re-executes itself), and the helper is in it before the go-ahead
 * (clone3's CLONE_INTO_CGROUP on pure v2, cgroup.procs otherwise); a cgroup
 * namespace is then created by the helper, after the move, so that it is
 * rooted at the sandbox's own cgroup. */
#ifndef SLUICE_LAUNCH_H
#define SLUICE_LAUNCH_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"
#include "config.h"
#include "stdio_relay.h"

struct sluice_launch {
	pid_t pid;	/* the helper, as the parent sees it */
	int pidfd;	/* for waiting and signalling without pid reuse */
	int status_fd;	/* read end of the helper's fd 4, -1 at EOF */
	bool new_pidns; /* the helper is PID 1 of a new pid namespace */
	bool ready;	/* READY received: setup is done */
	bool failed;	/* ERROR received: see error/step */
	struct sluice_error error;
	char step[64];
	/* process.terminal (docs/terminal.md): fd 4 is then a socketpair, on
	 * which the helper sends the pty master (a CONSOLE frame).  With a
	 * console socket (who->console_socket) it goes on there at once;
	 * otherwise it waits in pty_fd for the caller (steal_fd it). */
	bool status_sock;
	int console_sock;	  /* connected to the console socket until then */
	const char *console_path; /* who->console_socket, for messages */
	int pty_fd;		  /* the master, when no console socket takes it */
	/* linux.resources / cgroupsPath: planned before the clone (the
	 * config's cgroup errors come before any helper exists), made
	 * before it on pure v2 (CLONE_INTO_CGROUP) and otherwise after it,
	 * while the helper re-executes itself; the helper in it before GO;
	 * removed by sluice_launch_release.  cg_opts, cg_always: the OCI
	 * create's (the container's name, every hierarchy, a cgroup even
	 * when the config asks for none).  cg_made, when set, is called once
	 * the directories exist and before anything enters them (the OCI
	 * create records them there).  exec sets cg itself (the container's,
	 * entered).  cg_keep: release leaves the cgroup to the container. */
	struct sluice_cgroup *cg;
	const struct sluice_cgroup_opts *cg_opts;
	bool cg_always;
	int (*cg_made)(struct sluice_launch *l, void *ctx, struct sluice_error *err);
	void *cg_ctx;
	bool cg_keep;
	bool in_cgroup; /* born there (CLONE_INTO_CGROUP) */
	/* SCMP_ACT_NOTIFY: the status channel is a socket that carries the
	 * sender's credentials; the listener goes to the profile's agent */
	bool passcred;
	const struct sluice_seccomp *seccomp;
	const char *bundle; /* for the state the agent gets */
	/* OCI mode (lib/oci): set before sluice_launch_start, the request
	 * goes out as an OCI frame before GO, and fd 3 stays open for
	 * RESUME (cfg_fd).  The helper may then ask for the runtime's hooks
	 * (HOOKS) and report a forked container process (PID). */
	const char *oci_request;
	size_t oci_request_len;
	bool oci;	     /* the request went out: OCI mode */
	int cfg_fd;	     /* write end of the helper's fd 3 in OCI mode, else -1 */
	bool hooks_wanted;   /* HOOKS received and not yet answered */
	pid_t container_pid; /* PID received: 0 until then */
};

void sluice_launch_init(struct sluice_launch *l);

/* Start the helper.  child_mask: the signal mask the helper starts with
 * (the caller blocks signals it forwards).  On success the helper is
 * running and waits for the go-ahead; call sluice_launch_go next. */
int sluice_launch_start(struct sluice_launch *l, const struct sluice_config *c,
			const struct sluice_caller *who, struct sluice_stdio_setup *stdio,
			const sigset_t *child_mask, struct sluice_error *err);

/* Read one frame from the status pipe (call when it is readable).  Sets
 * ready/failed; at EOF closes status_fd; takes the pty master (pty_fd, or
 * forwarded to the console socket).  Returns 0, or -1 on a protocol
 * violation or a console socket that cannot take the master (err filled). */
int sluice_launch_read_status(struct sluice_launch *l, struct sluice_error *err);

/* Send a frame on fd 3 (OCI mode: RESUME).  0 or -1 with err filled. */
int sluice_launch_send(struct sluice_launch *l, uint32_t type, struct sluice_error *err);

/* Kill the helper (the whole sandbox with it) and reap it. */
void sluice_launch_abort(struct sluice_launch *l);

/* Close what the launch holds and remove the sandbox's cgroup (call it
 * once the helper is reaped; with cg_keep the cgroup stays and is only
 * forgotten).  Fails only when the cgroup stays behind. */
int sluice_launch_release(struct sluice_launch *l, struct sluice_error *err);

#endif
