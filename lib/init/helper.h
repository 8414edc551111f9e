/* `sluice init`: the helper that builds the sandbox and execs the workload.
 *
 * It reads the config from fd 3 (framed, or raw YAML/JSON to EOF), waits
 * for the go-ahead, runs the setup steps in a fixed order (see steps[] in
 * helper.c and docs/protocol.md), reports READY or a structured ERROR on
 * fd 4 and execs.  This is child-side code: on failure it reports and
 * exits; it never returns an error to a caller. */
#ifndef SLUICE_HELPER_H
#define SLUICE_HELPER_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"

/* Runs the helper; returns only an exit status (the helper normally ends
 * in exec, or as PID 1 with the workload's status). */
SLUICE_API int sluice_helper_main(void);

/* Setup modules, in the order the helper runs them.  Each returns 0 or -1
 * with err filled.  They run inside the new namespaces, before pivot_root
 * unless said otherwise. */
int sluice_keyring_apply(const struct sluice_config *c, struct sluice_error *err);
int sluice_nested_userns_apply(const struct sluice_config *c, struct sluice_error *err);
int sluice_uts_apply(const struct sluice_config *c, struct sluice_error *err);
int sluice_sysctl_apply(const struct sluice_config *c, struct sluice_error *err);
int sluice_oom_apply(const struct sluice_config *c, struct sluice_error *err);
int sluice_net_loopback_up(struct sluice_error *err);
int sluice_mounts_apply(const struct sluice_config *c,
			struct sluice_error *err); /* ends with pivot_root */
/* The same, calling before_pivot (when not NULL) once the mounts are made,
 * just before pivot_root (or at the end, without a mount namespace): the
 * point of the OCI create hooks. */
int sluice_mounts_apply_hooked(const struct sluice_config *c,
			       int (*before_pivot)(void *ctx, struct sluice_error *err), void *ctx,
			       struct sluice_error *err);
int sluice_cwd_apply(const struct sluice_config *c, struct sluice_error *err);
int sluice_rlimits_apply(const struct sluice_config *c, struct sluice_error *err);
int sluice_personality_apply(const struct sluice_config *c, struct sluice_error *err);
/* sched.c: process.scheduler (refused when forks: sluice's init forks the
 * workload and a deadline or reset-on-fork policy would not reach it),
 * process.ioPriority, and a CPU list of process.execCPUAffinity (what:
 * "initial" or "final", for messages) as this process's affinity; a NULL
 * list changes nothing. */
int sluice_scheduler_apply(const struct sluice_config *c, bool forks, struct sluice_error *err);
int sluice_io_priority_apply(const struct sluice_config *c, struct sluice_error *err);
int sluice_cpu_affinity_apply(const char *list, const char *what, struct sluice_error *err);
/* linux.memoryPolicy: set_mempolicy(2), kept across fork and exec */
int sluice_memory_policy_apply(const struct sluice_config *c, struct sluice_error *err);
/* The config's RLIMIT_NOFILE, which rlimits_apply left no lower than the
 * helper's own: applied by the exec step once the fds are in place. */
int sluice_rlimit_nofile_final(const struct sluice_config *c, struct sluice_error *err);
int sluice_caps_drop_bounding(const struct sluice_config *c, struct sluice_error *err);
int sluice_identity_apply(const struct sluice_config *c, struct sluice_error *err);
int sluice_caps_apply(const struct sluice_config *c, struct sluice_error *err);
/* The same, keeping the capabilities in `keep` (bit N = capability N) in
 * the effective and permitted sets until sluice_caps_set_proc(c, 0) drops
 * them: CAP_SYS_ADMIN for a seccomp filter without no_new_privs. */
int sluice_caps_apply_keep(const struct sluice_config *c, uint64_t keep, struct sluice_error *err);
int sluice_caps_set_proc(const struct sluice_config *c, uint64_t keep, struct sluice_error *err);

/* seccomp.c: load the filter in the process about to exec (the last thing
 * before execve), hand a SCMP_ACT_NOTIFY listener to the runtime over the
 * status socket, and drop the CAP_SYS_ADMIN kept for the load if
 * drop_kept.  After it only execve runs (docs/seccomp.md). */
struct sluice_bpf;
int sluice_seccomp_apply(const struct sluice_config *c, const struct sluice_bpf *bpf,
			 unsigned int flags, bool drop_kept, int status_fd,
			 struct sluice_error *err);

/* session.c: the caller's terminal.  sluice_session_enter() starts a
 * session of the helper's own unless fd 0, 1 or 2 is a terminal; true when
 * the workload stays in the caller's session (and so needs the guard).
 * sluice_tty_guard_apply() loads the seccomp filter that refuses TIOCSTI
 * and TIOCLINUX. */
bool sluice_stdio_is_terminal(void);
bool sluice_session_enter(void);
int sluice_tty_guard_apply(const struct sluice_config *c, struct sluice_error *err);
/* terminal.c (process.terminal, docs/terminal.md).  setup: after pivot_root,
 * make the pty from the container's devpts, send the master on status_fd
 * (CONSOLE frame with SCM_RIGHTS) and keep the peer in *pty (close-on-exec,
 * -1 without terminal).  host_pts: st_dev of the /dev/pts the helper
 * started with (sluice_terminal_devpts), refused as the container's.
 * attach: in the process about to exec, setsid, the pty as controlling
 * terminal and as 0, 1, 2. */
struct sluice_terminal {
	const struct sluice_config *cfg;
	int status_fd;
	dev_t host_pts;
};
dev_t sluice_terminal_devpts(void);
int sluice_terminal_setup(const struct sluice_terminal *t, int *pty, struct sluice_error *err);
int sluice_terminal_attach(int *pty, struct sluice_error *err);

/* Where a command is looked up when process.env has no PATH (runc finds
 * nothing then; crun and execvp(3) have a default too). */
#define SLUICE_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* exec.c: close every fd but 0-2 and the preserved ones (moved from 5.. to
 * 3..), then exec process.args with process.env.  Returns only on failure
 * (127 not found, 126 not executable); *status_fd is where the status
 * channel was moved to.  exec_fd, if not -1, is kept too (close-on-exec):
 * the exec pipe of a child that shares the init's memory (clone_vm.h).
 * last, if not NULL, runs right before the exec, after everything else
 * (the seccomp filter); its failure is returned. */
typedef int (*sluice_exec_last_fn)(void *ctx, int status_fd, struct sluice_error *err);
int sluice_exec_workload(const struct sluice_config *c, int *status_fd, int exec_fd,
			 sluice_exec_last_fn last, void *ctx, struct sluice_error *err);

/* pid1.c: fork (or spawn: opts.child); the child returns 0 and goes on to
 * exec the workload; the parent stays as its init (reaps, forwards
 * signals) and exits with the workload's status.  status_fd is closed in the parent so that the runtime
 * sees EOF when the workload's exec succeeds. */
/* Sent to a helper that is init without being PID 1 (no pid namespace):
 * "end the sandbox now".  Its parent-death signal too, so that the launcher's
 * death still kills every process in the sandbox. */
#define SLUICE_SIG_END SIGRTMAX

struct sluice_pid1_opts {
	bool signal_group;     /* forward to the workload's process group */
	const int *remap_exit; /* exit codes reported as 0 */
	size_t n_remap_exit;
	int status_fd;
	bool terminal; /* the workload makes a session of its own (terminal.c) */
	bool confine;  /* the workload runs under a filter: the init gets its own */
	/* set: the init's capabilities go back to this config's first (the
	 * helper kept CAP_SYS_ADMIN for the workload's filter) */
	const struct sluice_config *caps_of;
	/* the init gives back its set-up memory when its loop goes idle
	 * (sluice_release_setup_memory, pid1.c's next_signal) */
	bool release_memory;
	/* set: the workload's side runs child(child_ctx, exec_fd), which
	 * execs or exits, in a child that shares the init's memory until then
	 * (clone_vm.h: exec_fd, -1 after a fork, must survive until the
	 * exec); sluice_pid1_fork returns only on failure.  NULL: it forks,
	 * and returns 0 in the child. */
	int (*child)(void *child_ctx, int exec_fd);
	void *child_ctx;
};
int sluice_pid1_fork(const struct sluice_pid1_opts *o, struct sluice_error *err);

#endif
