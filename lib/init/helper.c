/* `sluice init` (helper.h). */
#include "helper.h"

#include <endian.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "error.h"
#include "hardening.h"
#include "intake.h"
#include "namespaces.h"
#include "oci_helper.h"
#include "protocol.h"
#include "seccomp_filter.h"
#include "util.h"

extern char **environ;

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

struct helper {
	struct sluice_config cfg;
	int status_fd;	   /* fd 4, or -1: errors go to stderr */
	uint64_t prepared; /* namespaces the runtime created for us */
	bool framed;
	bool tty_guard; /* the workload keeps the caller's session */
	const char *step;
	dev_t host_pts;		       /* process.terminal: the /dev/pts we started with */
	int pty;		       /* process.terminal: the peer, for the workload */
	struct sluice_bpf bpf;	       /* the seccomp filter, if there is one */
	unsigned int filter_flags;     /* SECCOMP_FILTER_FLAG_* to load it with */
	bool keep_admin;	       /* CAP_SYS_ADMIN kept for loading it */
	struct sluice_oci_helper *oci; /* OCI mode (lib/oci): the runtime's request */
};

static __attribute__((noreturn)) void fail(struct helper *h, const struct sluice_error *e)
{
	struct sluice_error out = *e;

	if (snprintf(out.msg, sizeof(out.msg), "%s: %s", h->step, e->msg) >= (int)sizeof(out.msg))
		out.msg[sizeof(out.msg) - 1] = '\0'; /* cut, not lost */
	if (h->status_fd >= 0)
		(void)sluice_proto_write_error(h->status_fd, h->step, &out);
	else
		sluice_error_print(&out);
	_exit(out.exit_code ? out.exit_code : SLUICE_EXIT_SETUP);
}

/* fd 4 is the status channel when it is open and a pipe or socket: a
 * shell's `sluice init 3<config` has no such fd and gets stderr. */
static int find_status_fd(void)
{
	struct stat st;

	if (fstat(SLUICE_STATUS_FD, &st) < 0)
		return -1;
	if (!S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode))
		return -1;
	(void)fcntl(SLUICE_STATUS_FD, F_SETFD, FD_CLOEXEC);
	return SLUICE_STATUS_FD;
}

/* "the file behind fd 3" for messages, when fd 3 is a file. */
static void config_name(char *name, size_t len)
{
	ssize_t n = readlink("/proc/self/fd/3", name, len - 1);

	if (n <= 0 || name[0] != '/')
		snprintf(name, len, "<fd 3>");
	else
		name[n] = '\0';
}

static int read_framed(struct sluice_intake *in, struct sluice_error *err)
{
	int r = 0;

	while (r == 0) {
		struct sluice_frame f;
		cleanup_free char *payload = NULL;

		r = sluice_proto_read(SLUICE_CONFIG_FD, &f, &payload);
		if (r == -EPIPE)
			return sluice_err(err, SLUICE_EXIT_SETUP, 0,
					  "fd 3 closed before the go-ahead: the runtime gave up");
		if (r < 0)
			return sluice_err(err, SLUICE_EXIT_SETUP, -r, "fd 3: bad frame");
		f.payload = payload;
		r = sluice_intake_frame(in, &f, err);
	}
	return r < 0 ? -1 : 0;
}

static int read_raw(struct sluice_intake *in, const char *head, size_t nhead,
		    struct sluice_error *err)
{
	char *rest = NULL;
	size_t nrest = 0;
	int r = sluice_read_fd(SLUICE_CONFIG_FD, SLUICE_PROTO_MAX_PAYLOAD, &rest, &nrest);

	if (r < 0)
		return sluice_err(err, SLUICE_EXIT_CONFIG, -r, "fd 3: cannot read the config");
	in->text = malloc(nhead + nrest + 1);
	if (!in->text) {
		free(rest);
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "fd 3");
	}
	memcpy(in->text, head, nhead);
	memcpy(in->text + nhead, rest, nrest + 1);
	free(rest);
	in->len = nhead + nrest;
	return 0;
}

/* Decode fd 3 (docs/protocol.md): the preamble, then frames up to GO, or
 * raw text up to EOF. */
static int read_stream(struct sluice_intake *in, struct sluice_error *err)
{
	char head[SLUICE_PROTO_MAGIC_LEN];
	ssize_t n = sluice_read_all(SLUICE_CONFIG_FD, head, sizeof(head));
	int framed;

	if (n < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, (int)-n,
				  "fd 3: cannot read (start sluice init with the config on fd 3)");
	framed = sluice_intake_detect(head, (size_t)n, err);
	if (framed < 0)
		return -1;
	in->framed = framed;
	return framed ? read_framed(in, err) : read_raw(in, head, (size_t)n, err);
}

/* The directory of the file behind fd 3: relative paths of a raw config
 * file resolve against it, as for --config. */
static const char *config_dir(const char *name, char *dir, size_t len)
{
	char *slash;

	if (name[0] != '/')
		return NULL;
	snprintf(dir, len, "%s", name);
	slash = strrchr(dir, '/');
	if (slash && slash != dir)
		*slash = '\0';
	return dir;
}

/*
 * Every fd the workload is not meant to get is closed before any path of
 * the config is resolved: an fd inherited from whoever started us is a
 * door to the host (/proc/self/fd/N as a cwd or a root, the CVE-2024-21626
 * class), and close-on-exec would only shut it at the very end.  Kept:
 * 0-2, the status channel, the preserved fds at 5.. and after them the
 * runtime's id-mapped trees (closed once attached, or at the exec).
 */
static void close_strays(const struct helper *h)
{
	if (h->status_fd != SLUICE_STATUS_FD)
		sluice_close(SLUICE_STATUS_FD);
	sluice_close_from((unsigned int)SLUICE_PRESERVED_FD_BASE +
			  (unsigned int)h->cfg.sluice.preserve_fds +
			  (unsigned int)sluice_config_idmap_mounts(&h->cfg));
}

/* The OCI runtime's request (lib/oci): the helper's OCI mode. */
static int take_oci(struct helper *h, const struct sluice_intake *in, struct sluice_error *err)
{
	static struct sluice_oci_helper oci;

	if (sluice_oci_helper_init(&oci, in->oci, in->oci_len, err) < 0)
		return -1;
	oci.status_fd = h->status_fd;
	h->oci = &oci;
	return 0;
}

/* The filter program: the runtime's (a SECCOMP frame, which then stands
 * for linux.seccomp), or resolved here through the cache from the
 * config's profile.  A listener is handed over on the status channel,
 * which must then be a socket (seccomp.c). */
static int prepare_filter(struct helper *h, const char *name, struct sluice_error *err)
{
	const struct sluice_seccomp *s = h->cfg.linux.seccomp;
	struct stat st;

	if (!h->bpf.insns && s) {
		if (sluice_seccomp_resolve(s, name, &h->bpf, err) < 0)
			return -1;
		h->filter_flags = sluice_seccomp_kernel_flags(s);
	}
	if (h->bpf.insns && sluice_seccomp_flags_notify(h->filter_flags) &&
	    (h->status_fd < 0 || fstat(h->status_fd, &st) < 0 || !S_ISSOCK(st.st_mode)))
		return sluice_err(err, SLUICE_EXIT_SETUP, 0,
				  "SCMP_ACT_NOTIFY needs a runtime that takes the listener: fd 4 "
				  "must be a unix socket (docs/protocol.md)");
	return 0;
}

/* One intake for raw and framed configs (intake.h); the caller is whoever
 * started us, as the kernel sees it. */
static int read_config(struct helper *h, struct sluice_error *err)
{
	char name[PATH_MAX], cwd[PATH_MAX], dir[PATH_MAX];
	struct sluice_caller who = { .uid = getuid(),
				     .gid = getgid(),
				     .cwd = getcwd(cwd, sizeof(cwd)) };
	struct sluice_intake in;
	int r;

	sluice_intake_init(&in);
	config_name(name, sizeof(name));
	r = read_stream(&in, err);
	if (r == 0 && in.oci)
		r = take_oci(h, &in, err);
	/* In OCI mode the runtime has more to say (RESUME) */
	if (!h->oci)
		sluice_close(SLUICE_CONFIG_FD);
	/* From here until the workload's exec, no process in the sandbox may
	 * read our memory, fds or exe (docs/security.md). */
	sluice_set_dumpable(false);
	if (r == 0)
		r = sluice_intake_config(&in, &h->cfg, name,
					 in.framed ? "/" : config_dir(name, dir, sizeof(dir)), &who,
					 err);
	h->framed = in.framed;
	h->prepared = in.prepared;
	h->bpf = in.bpf;
	h->filter_flags = in.filter_flags;
	in.bpf = (struct sluice_bpf){ 0 };
	sluice_intake_free(&in);
	if (r < 0)
		return -1;
	if (SLUICE_HARDENED) {
		close_strays(h);
		if (sluice_config_check_paths(&h->cfg, err) < 0 ||
		    sluice_ns_verify_prepared(h->prepared, err) < 0)
			return -1;
	}
	return prepare_filter(h, h->cfg.source ? h->cfg.source : "<fd 3>", err);
}

/* Hooks belong to the OCI lifecycle: a plain sandbox has no create and
 * start for them to run at, so a config with hooks is refused there. */
static int begin(struct helper *h, struct sluice_error *err)
{
	if (h->oci)
		return sluice_oci_helper_begin(h->oci, &h->cfg, err);
	if (sluice_config_has_hooks(&h->cfg))
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
				  "%s: hooks are run by the OCI runtime commands only (sluice "
				  "create, docs/oci.md)",
				  h->cfg.source ? h->cfg.source : "<config>");
	return 0;
}

/*
 * In a user namespace whose map sends uid 0 elsewhere (root launching with
 * 0 -> 300000), the helper still holds the launcher's ids, which read as
 * the overflow id inside: files it makes (mount points) would fail with
 * EOVERFLOW.  So it becomes the namespace's root first, as runc does.  A
 * namespace without 0 in its map (EINVAL: root's default maps only the
 * workload's uid 1000 onto 65534) makes it the workload's ids instead,
 * which the map holds.  Neither is the namespace's root as the kernel
 * counts it for the capability rules, so the helper keeps its own.
 */
static int become_id(uid_t uid, gid_t gid)
{
	if (setresgid(gid, gid, gid) < 0)
		return -errno;
	return setresuid(uid, uid, uid) < 0 ? -errno : 0;
}

static int become_ns_root(const struct sluice_config *c, struct sluice_error *err)
{
	int r;

	if (!c->linux.ns[SLUICE_NS_USER].enabled || (getuid() == 0 && getgid() == 0))
		return 0;
	r = become_id(0, 0);
	if (r == -EINVAL)
		r = become_id(c->process.user.uid, c->process.user.gid);
	if (r < 0 && r != -EINVAL)
		return sluice_err(err, SLUICE_EXIT_SETUP, -r,
				  "become uid 0 (or process.user) in the user namespace");
	/* A change of ids resets dumpability to fs.suid_dumpable. */
	sluice_set_dumpable(false);
	return 0;
}

/* Namespaces the runtime did not create are made here: joined by path
 * (user first), then unshared.  A new time namespace the helper enters
 * itself once its offsets are written; a new pid namespace only applies
 * to children, so for one the helper forks and stays outside as a waiter
 * (setns into a pid namespace is the same). */
static int step_namespaces(struct helper *h, struct sluice_error *err)
{
	const struct sluice_config *c = &h->cfg;
	uint64_t need = sluice_ns_new_flags(c) & ~h->prepared;
	bool joined_pid = sluice_ns_joined(c, SLUICE_NS_PID);
	/* Our ids as the parent namespace knows them: in the new user
	 * namespace they read as the overflow id until the map is written. */
	uid_t uid = getuid();
	gid_t gid = getgid();

	if (sluice_ns_join(c, err) < 0)
		return -1;
	if (need && sluice_ns_unshare(c, need, uid, gid, err) < 0)
		return -1;
	if (sluice_keyring_apply(c, err) < 0 || become_ns_root(c, err) < 0)
		return -1;
	if ((need & CLONE_NEWTIME) && sluice_time_ns_enter(c, err) < 0)
		return -1;
	if ((need & CLONE_NEWPID) || joined_pid) {
		struct sluice_pid1_opts o = { .status_fd = h->status_fd };
		/* A detached container process is handed to the runtime, not
		 * waited for by a sluice process outside the container. */
		if (h->oci && h->oci->req.detach)
			return sluice_oci_fork(h->oci, err);
		return sluice_pid1_fork(&o, err);
	}
	return 0;
}

static int net_apply(const struct sluice_config *c, struct sluice_error *err)
{
	if (!c->linux.ns[SLUICE_NS_NET].enabled || c->linux.ns[SLUICE_NS_NET].path)
		return 0;
	return sluice_net_loopback_up(err);
}
static int umask_apply(const struct sluice_config *c, struct sluice_error *err)
{
	(void)err;
	if (c->process.user.umask_set)
		umask((mode_t)c->process.user.umask);
	return 0;
}
/* Without no_new_privs only CAP_SYS_ADMIN lets the last step load the
 * filter: keep it until then (seccomp.c drops it right after). */
static int step_caps(struct helper *h, struct sluice_error *err)
{
	const struct sluice_config *c = &h->cfg;
	uint64_t admin = UINT64_C(1) << CAP_SYS_ADMIN;

	h->keep_admin = h->bpf.insns && !c->process.no_new_privileges &&
			!(c->process.caps[SLUICE_CAP_EFFECTIVE] & admin);
	return sluice_caps_apply_keep(c, h->keep_admin ? admin : 0, err);
}

static int nnp_apply(const struct sluice_config *c, struct sluice_error *err)
{
	if (c->process.no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "prctl(PR_SET_NO_NEW_PRIVS)");
	return 0;
}

/* Changing credentials clears the parent-death signal (prctl(2)): arm it
 * again, then make sure the runtime did not die in between. */
static int step_pdeathsig(struct helper *h, struct sluice_error *err)
{
	struct pollfd p = { .fd = h->status_fd, .events = 0 };

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "prctl(PR_SET_PDEATHSIG)");
	if (h->status_fd >= 0 && poll(&p, 1, 0) == 1 && (p.revents & POLLERR))
		return sluice_err(err, SLUICE_EXIT_SETUP, EPIPE, "the runtime went away");
	return 0;
}

static int step_session(struct helper *h, struct sluice_error *err)
{
	(void)err;
	if (!SLUICE_HARDENED)
		return 0;
	h->tty_guard = sluice_session_enter();
	return 0;
}

/* One filter where one is enough: a workload's filter that refuses TIOCSTI
 * and TIOCLINUX itself (the default profile's does) makes the guard a
 * second load for nothing, and the init beside it gets its own filter,
 * which refuses every ioctl.  No filter, or a profile that lets either
 * request through (or whose answer depends on the fd): the guard. */
static int step_tty_guard(struct helper *h, struct sluice_error *err)
{
	if (!h->tty_guard || (sluice_bpf_refuses_ioctl(&h->bpf, TIOCSTI) &&
			      sluice_bpf_refuses_ioctl(&h->bpf, TIOCLINUX)))
		return 0;
	return sluice_tty_guard_apply(&h->cfg, err);
}

static int step_terminal(struct helper *h, struct sluice_error *err)
{
	struct sluice_terminal t = { &h->cfg, h->status_fd, h->host_pts };

	return sluice_terminal_setup(&t, &h->pty, err);
}

static int oci_hooks_point(void *ctx, struct sluice_error *err)
{
	struct helper *h = ctx;

	return sluice_oci_hooks_point(h->oci, &h->cfg, err);
}

/* In OCI mode the create hooks run just before pivot_root. */
static int step_mounts(struct helper *h, struct sluice_error *err)
{
	if (!h->oci)
		return sluice_mounts_apply(&h->cfg, err);
	return sluice_mounts_apply_hooked(&h->cfg, oci_hooks_point, h, err);
}

/* Whether sluice's init will fork the workload: asked for, or (sandbox
 * form) kept as a subreaper without a pid namespace; never for an exec. */
static bool forks_init(const struct helper *h)
{
	if (h->oci)
		return h->cfg.sluice.init && h->oci->req.mode != SLUICE_OCI_EXEC;
	return h->cfg.sluice.init || !h->cfg.linux.ns[SLUICE_NS_PID].enabled;
}

static int step_scheduler(struct helper *h, struct sluice_error *err)
{
	return sluice_scheduler_apply(&h->cfg, forks_init(h), err);
}

/* execCPUAffinity.final: a process `sluice exec` starts, now in the
 * container's cgroup (its initial CPUs are the runtime's: lib/oci/exec.c).
 * The spec leaves the container's own process alone. */
static int step_cpu_affinity(struct helper *h, struct sluice_error *err)
{
	if (!h->oci || h->oci->req.mode != SLUICE_OCI_EXEC)
		return 0;
	return sluice_cpu_affinity_apply(h->cfg.process.exec_cpus.final, "final", err);
}

/* A step needs either the whole helper (run) or only the config (apply).
 * setup_only: builds the container, skipped by `sluice exec`, which joins
 * one that exists. */
struct step {
	const char *name;
	int (*run)(struct helper *h, struct sluice_error *err);
	int (*apply)(const struct sluice_config *c, struct sluice_error *err);
	bool setup_only;
};

/* The setup order (docs/protocol.md "Steps").  The session first, so that
 * every process of the sandbox is born outside the caller's; oom-score-adj
 * before the helper joins anything: it writes our own /proc file, which it
 * may only while dumpable (rlimits.c); /proc-dependent steps come before
 * the mounts; the terminal guard while the helper still has CAP_SYS_ADMIN
 * (it needs it or no_new_privs); credentials change last, capabilities
 * after the identity (keepcaps), no_new_privs after capabilities. */
static const struct step steps[] = {
	{ "session", .run = step_session },
	{ "oom-score-adj", .apply = sluice_oom_apply },
	{ "namespaces", .run = step_namespaces },
	{ "hostname", .apply = sluice_uts_apply, .setup_only = true },
	{ "sysctl", .apply = sluice_sysctl_apply, .setup_only = true },
	{ "nested-userns", .apply = sluice_nested_userns_apply, .setup_only = true },
	{ "network", .apply = net_apply, .setup_only = true },
	{ "mounts", .run = step_mounts, .setup_only = true },
	{ "terminal", .run = step_terminal },
	{ "cwd", .apply = sluice_cwd_apply },
	{ "rlimits", .apply = sluice_rlimits_apply },
	{ "umask", .apply = umask_apply },
	{ "personality", .apply = sluice_personality_apply },
	{ "cpu-affinity", .run = step_cpu_affinity },
	{ "scheduler", .run = step_scheduler },
	{ "io-priority", .apply = sluice_io_priority_apply },
	{ "memory-policy", .apply = sluice_memory_policy_apply },
	{ "tty-guard", .run = step_tty_guard },
	{ "capabilities-bounding", .apply = sluice_caps_drop_bounding },
	{ "identity", .apply = sluice_identity_apply },
	{ "capabilities", .run = step_caps },
	{ "no-new-privileges", .apply = nnp_apply },
	{ "parent-death-signal", .run = step_pdeathsig },
};

/* Test builds (make fault, docs/quality.md) fail on purpose at the step
 * named in SLUICE_FAULT, to prove that every failure is reported and
 * cleaned up.  SLUICE_FAULT=STEP:kill dies there by SIGKILL instead, to
 * prove the parent notices a helper that vanishes mid-handshake; the init
 * of a pid namespace cannot SIGKILL itself (the kernel drops it), so
 * STEP:hang says so on stderr and waits there to be killed from outside. */
#ifdef SLUICE_FAULT_INJECTION
static char fault_want[64];
#endif

static int fault_injected(const char *step, struct sluice_error *err)
{
#ifdef SLUICE_FAULT_INJECTION
	const char *want = fault_want[0] ? fault_want : NULL;
	size_t n = strlen(step);

	if (!want || strncmp(want, step, n) != 0)
		return 0;
	if (want[n] == '\0')
		return sluice_err(err, SLUICE_EXIT_SETUP, EIO, "fault injected");
	if (strcmp(want + n, ":kill") == 0) {
		(void)kill(getpid(), SIGKILL);
		return sluice_err(err, SLUICE_EXIT_SETUP, 0,
				  "fault injected: SIGKILL ignored (pid namespace init: use %s:hang)",
				  step);
	}
	if (strcmp(want + n, ":hang") == 0) {
		fprintf(stderr, "sluice: %s: fault injected: waiting for SIGKILL\n", step);
		for (;;)
			pause();
	}
#else
	(void)step;
	(void)err;
#endif
	return 0;
}

/*
 * Whoever started us may have given us an environment (a shell's, a
 * program embedding libsluice): the workload's comes from the config, and
 * an init that lives in the sandbox must not keep the caller's secrets in
 * its memory, where /proc/PID/environ reads them.  The strings are wiped
 * in place, not just unset.
 */
static void wipe_environment(void)
{
#ifdef SLUICE_FAULT_INJECTION
	const char *want = getenv("SLUICE_FAULT");

	if (want)
		snprintf(fault_want, sizeof(fault_want), "%s", want);
#endif
	sluice_seccomp_cache_pin();
	for (char **e = environ; e && *e; e++)
		explicit_bzero(*e, strlen(*e));
	(void)clearenv();
}

/* Right before the exec (exec.c calls it): the seccomp step, outside
 * steps[] because it runs in the process that execs, after the init's
 * fork.  A step of its own for messages and fault injection. */
static int last_step(void *ctx, int status_fd, struct sluice_error *err)
{
	struct helper *h = ctx;

	h->step = "seccomp";
	if (fault_injected(h->step, err) < 0 ||
	    sluice_seccomp_apply(&h->cfg, &h->bpf, h->filter_flags, h->keep_admin, status_fd, err) <
		    0)
		return -1;
	h->step = "exec";
	return 0;
}

static void report_ready(struct helper *h)
{
	uint32_t pid = htobe32((uint32_t)getpid());

	if (h->status_fd >= 0)
		(void)sluice_proto_write(h->status_fd, SLUICE_MSG_READY, &pid, sizeof(pid));
}

static bool skipped(const struct helper *h, const struct step *st)
{
	return h->oci && st->setup_only && h->oci->req.mode == SLUICE_OCI_EXEC;
}

static int run_step(struct helper *h, const char *name,
		    int (*fn)(struct helper *h, struct sluice_error *err), struct sluice_error *err)
{
	h->step = name;
	if (fault_injected(h->step, err) < 0)
		return -1;
	return fn ? fn(h, err) : 0;
}

static int oci_lookup(struct helper *h, struct sluice_error *err)
{
	return sluice_oci_lookup(&h->cfg, err);
}

/* exec --detach: the process outlives the runtime (it is exec'd right
 * after READY, nobody waits for a word from the runtime). */
static int oci_exec_detach(struct helper *h, struct sluice_error *err)
{
	if (h->oci->req.mode != SLUICE_OCI_EXEC || !h->oci->req.detach)
		return 0;
	return sluice_oci_detach(err);
}

static int oci_ready(struct helper *h, struct sluice_error *err)
{
	(void)err;
	report_ready(h);
	return 0;
}

/* create: the runtime has the container on record (RESUME), so it may
 * outlive the runtime now; fd 4's EOF tells the runtime so, and nothing
 * more goes to it: `start` gets what follows.  Without a gate (the
 * foreground run) fd 4 stays: an exec error goes there, and its EOF at the
 * exec tells the runtime that the container runs. */
static int oci_recorded(struct helper *h, struct sluice_error *err)
{
	if (h->oci->req.mode != SLUICE_OCI_CREATE)
		return 0;
	if (sluice_oci_wait_recorded(h->oci, err) < 0 || sluice_oci_detach(err) < 0)
		return -1;
	if (!h->oci->req.fifo)
		return 0;
	sluice_close(h->status_fd);
	h->status_fd = h->oci->status_fd = -1;
	return 0;
}

static int oci_init(struct helper *h, struct sluice_error *err)
{
	struct sluice_pid1_opts o = {
		.signal_group = h->cfg.sluice.init_signal_group,
		.remap_exit = h->cfg.sluice.remap_exit,
		.n_remap_exit = h->cfg.sluice.n_remap_exit,
		.status_fd = h->status_fd,
		.terminal = h->pty >= 0,
		.release_memory = true,
	};

	if (!h->cfg.sluice.init)
		return 0;
	return sluice_pid1_fork(&o, err);
}

/* process.terminal: the process about to exec leads a session with the
 * pty (made in the terminal step, its master sent to the runtime) as its
 * controlling terminal and 0, 1, 2. */
static int oci_controlling_terminal(struct helper *h, struct sluice_error *err)
{
	return sluice_terminal_attach(&h->pty, err);
}

static int oci_gate(struct helper *h, struct sluice_error *err)
{
	if (h->oci->req.mode != SLUICE_OCI_CREATE)
		return 0;
	if (!h->oci->req.fifo)
		return sluice_oci_start_hooks(h->oci, &h->cfg, err);
	return sluice_oci_gate(h->oci, &h->cfg, &h->status_fd, err);
}

/* OCI mode, after the steps: the command is found, READY (exec --detach:
 * detached first), recorded by the runtime and detached (create); then
 * sluice's init if asked (the workload is PID 1 otherwise, as with runc),
 * the terminal as the controlling one, the exec FIFO (create: until
 * `start`) and the exec. */
static __attribute__((noreturn)) void oci_finish(struct helper *h)
{
	static const struct {
		const char *name;
		int (*fn)(struct helper *h, struct sluice_error *err);
	} tail[] = {
		{ "lookup", oci_lookup }, { "detach", oci_exec_detach },
		{ "ready", oci_ready },	  { "recorded", oci_recorded },
		{ "init", oci_init },	  { "controlling-terminal", oci_controlling_terminal },
		{ "gate", oci_gate },
	};
	struct sluice_error err = { 0 };

	for (size_t i = 0; i < sizeof(tail) / sizeof(tail[0]); i++)
		if (run_step(h, tail[i].name, tail[i].fn, &err) < 0)
			fail(h, &err);
	if (run_step(h, "exec", NULL, &err) == 0)
		sluice_exec_workload(&h->cfg, &h->status_fd, -1, h->bpf.insns ? last_step : NULL, h,
				     &err);
	fail(h, &err);
}

/* The last steps, in the process that execs (under an init, its child,
 * which may share the init's memory until the exec: pid1.c's spawn). */
static int exec_tail(void *ctx, int exec_fd)
{
	struct helper *h = ctx;
	struct sluice_error err = { 0 };

	h->step = "controlling-terminal";
	if (fault_injected(h->step, &err) < 0 || sluice_terminal_attach(&h->pty, &err) < 0)
		fail(h, &err);
	/* READY carries this process's pid, and precedes an ERROR only when
	 * the exec fails. */
	report_ready(h);
	h->step = "exec";
	if (fault_injected(h->step, &err) == 0)
		sluice_exec_workload(&h->cfg, &h->status_fd, exec_fd,
				     h->bpf.insns ? last_step : NULL, h, &err);
	fail(h, &err);
}

int sluice_helper_main(void)
{
	static struct helper h;
	struct sluice_error err = { 0 };
	struct sigaction dfl = { .sa_handler = SIG_DFL };

	/* Whoever started us may have left SIGCHLD ignored: as init we would
	 * then never see the workload end (the kernel reaps it unseen). */
	sigaction(SIGCHLD, &dfl, NULL);
	wipe_environment();
	h.status_fd = find_status_fd();
	h.pty = -1;
	h.step = "read-config";
	if (fault_injected(h.step, &err) < 0 || read_config(&h, &err) < 0 || begin(&h, &err) < 0)
		fail(&h, &err);
	if (h.cfg.process.terminal)
		h.host_pts = sluice_terminal_devpts();
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		const struct step *st = &steps[i];

		if (skipped(&h, st))
			continue;
		h.step = st->name;
		if (fault_injected(h.step, &err) < 0 ||
		    (st->run ? st->run(&h, &err) : st->apply(&h.cfg, &err)) < 0)
			fail(&h, &err);
	}
	if (h.oci)
		oci_finish(&h);
	/* Without a pid namespace the helper stays as a subreaper init in
	 * every case: otherwise the workload's children would outlive it. */
	if (forks_init(&h)) {
		struct sluice_pid1_opts o = {
			.signal_group = h.cfg.sluice.init_signal_group,
			.remap_exit = h.cfg.sluice.remap_exit,
			.n_remap_exit = h.cfg.sluice.n_remap_exit,
			.status_fd = h.status_fd,
			.terminal = h.pty >= 0,
			.confine = h.bpf.insns != NULL,
			.caps_of = h.keep_admin ? &h.cfg : NULL,
			.release_memory = true,
			.child = exec_tail,
			.child_ctx = &h,
		};
		h.step = "init";
		if (fault_injected(h.step, &err) < 0 || sluice_pid1_fork(&o, &err) < 0)
			fail(&h, &err);
	}
	return exec_tail(&h, -1);
}
