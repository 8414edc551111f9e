/* The launcher (launch.h). */
#include "launch.h"
#include "idmap_mounts.h"
#include "net_devices.h"

#include <endian.h>
#include <fcntl.h>
#include <stdio.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "clone_vm.h"
#include "error.h"
#include "exe_seal.h"
#include "namespaces.h"
#include "protocol.h"
#include "seccomp_filter.h"
#include "seccomp_notify.h"
#include "util.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

extern char **environ;

/* Everything the child needs, prepared before clone: after clone the child
 * only makes async-signal-safe calls until it execs. */
struct child_plan {
	struct sluice_exe_plan exe;
	bool ns_applied; /* clone3 created the namespaces */
	char *envp[5];
	sigset_t mask;
	pid_t parent;
	bool new_pidns, new_userns;
	int stdio_fd[3];
	int preserve;
	const int *idmap; /* id-mapped trees, for 5 + preserve + k */
	int n_idmap;
	int cfg_fd, status_fd;
	char error_frame[256];
	size_t error_frame_len;
};

void sluice_launch_init(struct sluice_launch *l)
{
	memset(l, 0, sizeof(*l));
	l->pid = -1;
	l->pidfd = -1;
	l->status_fd = -1;
	l->console_sock = -1;
	l->pty_fd = -1;
	l->cfg_fd = -1;
}

int sluice_launch_release(struct sluice_launch *l, struct sluice_error *err)
{
	struct sluice_cgroup *cg = l->cg;

	sluice_close(l->pidfd);
	sluice_close(l->status_fd);
	sluice_close(l->console_sock);
	sluice_close(l->pty_fd);
	sluice_close(l->cfg_fd);
	l->pidfd = l->status_fd = l->console_sock = l->pty_fd = l->cfg_fd = -1;
	l->cg = NULL;
	if (l->cg_keep) {
		sluice_cgroup_free(cg);
		return 0;
	}
	return sluice_cgroup_destroy(cg, err);
}

/* runc's --console-socket, connected before anything starts: a path that
 * does not exist or does not listen fails here, with nothing to undo.  As
 * the caller, in the caller's mount namespace: the helper never touches it. */
static int connect_console(struct sluice_launch *l, const char *path, struct sluice_error *err)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	size_t n = strlen(path);
	int fd, r;

	if (n == 0 || n >= sizeof(a.sun_path))
		return sluice_err(err, SLUICE_EXIT_SETUP, n ? ENAMETOOLONG : ENOENT,
				  "console socket \"%s\"", path);
	memcpy(a.sun_path, path, n + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "console socket %s: socket", path);
	do
		r = connect(fd, (struct sockaddr *)&a, sizeof(a));
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		sluice_err(err, SLUICE_EXIT_SETUP, errno, "console socket %s: cannot connect", path);
		sluice_close(fd);
		return -1;
	}
	l->console_sock = fd;
	l->console_path = path;
	return 0;
}

static int prepare_console(struct sluice_launch *l, const struct sluice_config *c,
			   const struct sluice_caller *who, struct sluice_error *err)
{
	l->status_sock = c->process.terminal;
	if (!who->console_socket)
		return 0;
	if (!c->process.terminal)
		return sluice_err(err, SLUICE_EXIT_USAGE, 0,
				  "console socket %s given but process.terminal is false",
				  who->console_socket);
	return connect_console(l, who->console_socket, err);
}

/* What runc's utils.SendRawFd sends and conmon and containerd's shim read:
 * one message, the master's name as data, the master as SCM_RIGHTS. */
#define CONSOLE_NAME "/dev/ptmx"

static int take_console(struct sluice_launch *l, int master, struct sluice_error *err)
{
	int r;

	if (master < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, EBADMSG,
				  "the helper sent no pty master with its CONSOLE message");
	if (l->console_sock < 0) {
		if (l->pty_fd >= 0) {
			sluice_close(master);
			return sluice_err(err, SLUICE_EXIT_SETUP, EBADMSG,
					  "the helper sent a second pty master");
		}
		l->pty_fd = master;
		return 0;
	}
	r = sluice_send_fd(l->console_sock, CONSOLE_NAME, sizeof(CONSOLE_NAME) - 1, master);
	sluice_close(master);
	sluice_close(l->console_sock);
	l->console_sock = -1;
	if (r < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -r,
				  "console socket %s: cannot send the pty master", l->console_path);
	return 0;
}

/* The helper is started in a new user namespace before its uid map is
 * written, and execs at once.  An exec with an unmapped (or non-zero) uid
 * would drop every capability it got from clone; raising them as ambient
 * capabilities first carries them across the exec, whatever the map ends
 * up being.  The helper clears the ambient set before the workload runs. */
static void raise_ambient_caps(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data) < 0)
		return;
	data[0].inheritable = data[0].permitted;
	data[1].inheritable = data[1].permitted;
	if (syscall(SYS_capset, &hdr, data) < 0)
		return;
	for (unsigned long cap = 0; cap < 64; cap++)
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0 && errno == EINVAL)
			break;
}

static void move_fds(const struct child_plan *p)
{
	for (int i = 0; i < 3; i++)
		if (p->stdio_fd[i] >= 0)
			dup2(p->stdio_fd[i], i);
	/* Preserved fds 3.. wait at 5.. in the helper, out of the way of the
	 * protocol fds; moved from the top down since the ranges overlap. */
	for (int i = p->preserve - 1; i >= 0; i--)
		dup2(3 + i, SLUICE_PRESERVED_FD_BASE + i);
	for (int k = 0; k < p->n_idmap; k++)
		dup2(p->idmap[k], SLUICE_PRESERVED_FD_BASE + p->preserve + k);
	dup2(p->cfg_fd, SLUICE_CONFIG_FD);
	dup2(p->status_fd, SLUICE_STATUS_FD);
}

static __attribute__((noreturn)) void child_main(const struct child_plan *p)
{
	static char *const argv[] = { "sluice", "init", NULL };
	struct sigaction dfl = { .sa_handler = SIG_DFL };

	sigaction(SIGPIPE, &dfl, NULL);
	sigprocmask(SIG_SETMASK, &p->mask, NULL);
	/* The sandbox must not outlive its launcher. */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (!p->new_pidns && getppid() != p->parent)
		_exit(SLUICE_EXIT_SETUP);
	move_fds(p);
	if (p->new_userns)
		raise_ambient_caps();
	sluice_exe_exec(&p->exe, p->ns_applied, argv, p->envp);
	if (write(SLUICE_STATUS_FD, p->error_frame, p->error_frame_len) < 0)
		_exit(SLUICE_EXIT_SETUP);
	_exit(SLUICE_EXIT_SETUP);
}

/*
 * The helper starts with an empty environment: the workload's comes from
 * the config, and the launcher's (tokens, keys) must not sit in the memory
 * of an init that lives inside the sandbox (/proc/1/environ).  Only what
 * makes a test build one passes: SLUICE_FAULT, which only a fault-injection
 * helper reads (and every helper wipes at once, helper.c), and in such
 * builds the sanitizers' options.
 */
static void plan_env(struct child_plan *p)
{
	static const char *const pass[] = {
		"SLUICE_FAULT=",
#ifdef SLUICE_FAULT_INJECTION
		"ASAN_OPTIONS=",
		"UBSAN_OPTIONS=",
		"LSAN_OPTIONS=",
#endif
	};
	size_t n = 0, max = sizeof(p->envp) / sizeof(p->envp[0]) - 1;

	for (size_t i = 0; environ && environ[i]; i++)
		for (size_t k = 0; k < sizeof(pass) / sizeof(pass[0]) && n < max; k++)
			if (!strncmp(environ[i], pass[k], strlen(pass[k])))
				p->envp[n++] = environ[i];
	p->envp[n] = NULL;
}

/* The error frame for a failed re-exec is built before clone so that the
 * child does not format anything. */
static void plan_error_frame(struct child_plan *p)
{
	struct sluice_error e;
	int fds[2];

	sluice_err(&e, SLUICE_EXIT_SETUP, ENOEXEC, "cannot re-execute %s as the helper",
		   p->exe.path);
	p->error_frame_len = 0;
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
		return;
	if (sluice_proto_write_error(fds[1], "exec-helper", &e) == 0) {
		ssize_t n = read(fds[0], p->error_frame, sizeof(p->error_frame));
		p->error_frame_len = n > 0 ? (size_t)n : 0;
	}
	sluice_close(fds[0]);
	sluice_close(fds[1]);
}

/* Keep every fd the child moves into place above the range it writes
 * (0..2, 3, 4, 5..5+preserve-1), so no dup2 clobbers another source. */
static int lift_fd(int *fd, int min, struct sluice_error *err)
{
	int nfd;

	if (*fd < 0 || *fd >= min)
		return 0;
	nfd = fcntl(*fd, F_DUPFD_CLOEXEC, min);
	if (nfd < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "fcntl(F_DUPFD_CLOEXEC)");
	sluice_close(*fd);
	*fd = nfd;
	return 0;
}

static pid_t do_clone3(uint64_t flags, int *pidfd, int cgroup_fd)
{
	struct clone_args args;

	memset(&args, 0, sizeof(args));
	args.flags = flags | CLONE_PIDFD;
	args.pidfd = (uint64_t)(uintptr_t)pidfd;
	args.exit_signal = SIGCHLD;
	if (cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgroup_fd;
	}
	return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

/* One way of cloning the helper's process, tried into a cgroup or not. */
struct clone_try {
	uint64_t flags;
	int *pidfd;
	struct child_plan *plan;
	pid_t (*clone)(const struct clone_try *t, int cgroup_fd);
};

/* Born in the cgroup of cgroup_fd (pure v2: *into), or, on a kernel
 * before 5.7 or a cgroup it refuses to clone into, outside it: the caller
 * then moves the child by pid.  SLUICE_FORCE_FALLBACK=into-cgroup takes
 * the second way at once, so that tests cover it. */
static pid_t into_cgroup_or_not(const struct clone_try *t, int cgroup_fd, const char *force,
				bool *into)
{
	*into = false;
	if (cgroup_fd >= 0 && (!force || !strstr(force, "into-cgroup"))) {
		pid_t pid = t->clone(t, cgroup_fd);
		if (pid >= 0) {
			*into = pid > 0;
			return pid;
		}
	}
	return t->clone(t, -1);
}

static pid_t try_clone3(const struct clone_try *t, int cgroup_fd)
{
	return do_clone3(t->flags, t->pidfd, cgroup_fd);
}

/* SLUICE_FORCE_FALLBACK=clone3 takes the fallback path even where clone3
 * works, so that tests cover it.  *into: the child was born in the cgroup
 * of cgroup_fd (pure v2); otherwise the caller moves it there. */
static pid_t clone_child(uint64_t flags, int *pidfd, int cgroup_fd, bool *applied, bool *into)
{
	const struct clone_try t = { .flags = flags, .pidfd = pidfd, .clone = try_clone3 };
	pid_t pid;
	const char *force = getenv("SLUICE_FORCE_FALLBACK");

	*applied = true;
	*into = false;
	if (!force || !strstr(force, "clone3")) {
		pid = into_cgroup_or_not(&t, cgroup_fd, force, into);
		if (pid >= 0 || (errno != ENOSYS && errno != E2BIG))
			return pid;
	}
	/* No clone3: a fork-like clone(2) that returns the pidfd at once
	 * (Linux 5.2), and the helper creates the namespaces.  Not fork plus
	 * pidfd_open: valgrind 3.19 has neither clone3 nor pidfd_open, and
	 * the memcheck gate (docs/quality.md) runs this path.  The argument
	 * order (flags, stack, parent_tid) is that of x86-64, arm64, arm, ppc
	 * and riscv. */
	*applied = false;
	pid = (pid_t)syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, 0, pidfd, 0, 0);
	if (pid > 0 && *pidfd < 0) {
		/* A kernel that ignored CLONE_PIDFD: our unreaped child's pid
		 * cannot be reused yet, so kill and waitpid are safe. */
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		errno = ENOSYS;
		return -1;
	}
	return pid;
}

/* Spawned with CLONE_VFORK: no exec pipe to keep. */
static int child_entry(void *plan, int exec_fd)
{
	(void)exec_fd;
	child_main(plan);
}

static pid_t try_clone_vm(const struct clone_try *t, int cgroup_fd)
{
	return sluice_clone_vm(t->flags, child_entry, t->plan, t->pidfd, cgroup_fd, NULL, NULL);
}

/* Does this thread catch any signal (SigCgt)?  Unknown counts as yes. */
static bool catches_signals(void)
{
	uint64_t mask;

	return sluice_proc_sigmask(0, "SigCgt", &mask) < 0 || mask != 0;
}

/*
 * The helper's process as a child that shares our memory until it execs
 * `sluice init` (clone_vm.h), which is all it does: no copy of the
 * launcher's address space is built for it (0.5 ms and more per start on
 * a virtual machine).  We sleep until that exec.  -1 where that cannot be
 * done (another architecture, no clone3, a combination of namespaces the
 * kernel refuses with CLONE_VM) or should not be (a signal handler that
 * the child would run on our memory): the caller clones as a fork does.
 * SLUICE_FORCE_FALLBACK=clone-vm (or clone3) skips it, for the tests.
 */
static pid_t spawn_child(uint64_t flags, struct child_plan *plan, int *pidfd, int cgroup_fd,
			 bool *applied, bool *into)
{
	const struct clone_try t = {
		.flags = flags, .pidfd = pidfd, .plan = plan, .clone = try_clone_vm
	};
	const char *force = getenv("SLUICE_FORCE_FALLBACK");

	/* A handler of the program that embeds us (sluice's own are set
	 * later) could run in the child, on our memory, before its exec. */
	if ((force && (strstr(force, "clone3") || strstr(force, "clone-vm"))) || catches_signals()) {
		errno = ENOSYS;
		return -1;
	}
	*applied = true;
	plan->ns_applied = (flags & CLONE_NEWNS) != 0;
	return into_cgroup_or_not(&t, cgroup_fd, force, into);
}

static int send_config(int fd, const struct sluice_launch *l, const char *text, size_t len,
		       uint64_t created)
{
	uint64_t be = htobe64(created);
	int r = sluice_proto_write_magic(fd);

	if (r == 0)
		r = sluice_proto_write(fd, SLUICE_MSG_NAMESPACES, &be, sizeof(be));
	if (r == 0 && l->oci_request)
		r = sluice_proto_write(fd, SLUICE_MSG_OCI, l->oci_request, l->oci_request_len);
	if (r == 0)
		r = sluice_proto_write(fd, SLUICE_MSG_CONFIG, text, len);
	return r;
}

struct launch_fds {
	int cfg[2], status[2];
	int idmap[SLUICE_IDMAP_MOUNTS_MAX]; /* the id-mapped trees, n_idmap of them */
	int n_idmap;
};

static void close_launch_fds(struct launch_fds *f)
{
	for (int i = 0; i < 2; i++) {
		sluice_close(f->cfg[i]);
		sluice_close(f->status[i]);
		f->cfg[i] = f->status[i] = -1;
	}
	for (int k = 0; k < f->n_idmap; k++)
		sluice_close(f->idmap[k]);
	f->n_idmap = 0;
}

/* fd 4 is a socketpair when it must carry the pty master or a seccomp
 * listener's announcement, a pipe otherwise.  Every fd the child moves
 * (these, stdio's, the id-mapped trees) is lifted to min or above.  For the listener the reading
 * end gets each writer's pid (SO_PASSCRED, set before the helper exists)
 * and we answer on it. */
static int make_pipes(struct launch_fds *f, struct sluice_stdio_setup *stdio, int min, bool sock,
		      bool passcred, struct sluice_error *err)
{
	int on = 1;

	if (pipe2(f->cfg, O_CLOEXEC) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "pipe2");
	if (sock ? socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, f->status) < 0 :
		   pipe2(f->status, O_CLOEXEC) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, sock ? "socketpair" : "pipe2");
	if (passcred && setsockopt(f->status[0], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "setsockopt(SO_PASSCRED)");
	if (lift_fd(&f->cfg[0], min, err) < 0 || lift_fd(&f->status[1], min, err) < 0)
		return -1;
	for (int i = 0; i < 3; i++)
		if (lift_fd(&stdio->child_fd[i], min, err) < 0)
			return -1;
	for (int k = 0; k < f->n_idmap; k++)
		if (lift_fd(&f->idmap[k], min, err) < 0)
			return -1;
	return 0;
}

static int spawn(struct sluice_launch *l, const struct sluice_config *c,
		 const struct sluice_caller *who, struct launch_fds *f,
		 struct sluice_stdio_setup *stdio, const sigset_t *mask, uint64_t *created,
		 struct sluice_error *err)
{
	struct child_plan plan;
	bool applied;
	uint64_t flags = sluice_ns_any_joined(c) ? 0 : sluice_ns_new_flags(c);
	int cgroup_fd = l->cg ? sluice_cgroup_clone_fd(l->cg) : -1;
	int clone_errno;

	/* A cgroup namespace is rooted where its creator is: the helper makes
	 * it after GO, once it is in the sandbox's cgroup. */
	if (l->cg)
		flags &= ~(uint64_t)CLONE_NEWCGROUP;
	/* A time namespace takes offsets only until a process is in it: with
	 * linux.timeOffsets the helper makes it, writes them, then enters it. */
	if (sluice_config_time_offsets(c))
		flags &= ~(uint64_t)SLUICE_CLONE_NEWTIME;
	memset(&plan, 0, sizeof(plan));
	if (sluice_exe_plan(&plan.exe, c, who->helper,
			    SLUICE_PRESERVED_FD_BASE + c->sluice.preserve_fds + f->n_idmap, err) < 0)
		return -1;
	plan_env(&plan);
	plan.mask = *mask;
	plan.parent = getpid();
	plan.new_pidns = flags & CLONE_NEWPID;
	plan.new_userns = flags & CLONE_NEWUSER;
	memcpy(plan.stdio_fd, stdio->child_fd, sizeof(plan.stdio_fd));
	plan.preserve = c->sluice.preserve_fds;
	plan.idmap = f->idmap;
	plan.n_idmap = f->n_idmap;
	plan.cfg_fd = f->cfg[0];
	plan.status_fd = f->status[1];
	plan_error_frame(&plan);

	l->pid = spawn_child(flags, &plan, &l->pidfd, cgroup_fd, &applied, &l->in_cgroup);
	if (l->pid < 0)
		l->pid = clone_child(flags, &l->pidfd, cgroup_fd, &applied, &l->in_cgroup);
	if (l->pid == 0) {
		plan.ns_applied = applied && (flags & CLONE_NEWNS);
		child_main(&plan);
	}
	clone_errno = errno;
	sluice_exe_plan_release(&plan.exe);
	if (l->pid < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, clone_errno,
				  "cannot create the sandbox (clone3 with namespaces %#llx)",
				  (unsigned long long)flags);
	/* With the fork fallback nothing was created: the helper does it. */
	*created = applied ? flags : 0;
	l->new_pidns = (*created & CLONE_NEWPID) != 0;
	return 0;
}

/* The seccomp filter, compiled or from the cache (docs/seccomp.md), for
 * the helper to load as it is: it then never runs libseccomp, nor parses
 * the profile (left out of CONFIG: the frame stands for it). */
static int send_filter(int fd, const struct sluice_config *c, struct sluice_error *err)
{
	struct sluice_bpf bpf = { 0 };
	cleanup_free char *payload = NULL;
	size_t len = 0;

	if (!c->linux.seccomp)
		return 0;
	if (sluice_seccomp_resolve(c->linux.seccomp, c->source ? c->source : "<config>", &bpf,
				   err) < 0)
		return -1;
	payload = sluice_seccomp_frame_encode(sluice_seccomp_kernel_flags(c->linux.seccomp), &bpf,
					      &len);
	sluice_bpf_release(&bpf);
	if (!payload)
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "seccomp filter");
	/* a helper that died shows up on the status pipe */
	(void)sluice_proto_write(fd, SLUICE_MSG_SECCOMP, payload, len);
	return 0;
}

/* CONFIG as the helper needs it: the profile itself stays out, since the
 * SECCOMP frame carries its program (parsing it would cost the helper
 * more than the whole rest of the config). */
static int emit_for_helper(const struct sluice_config *c, char **text, size_t *len,
			   struct sluice_error *err)
{
	struct sluice_config shallow = *c;

	shallow.linux.seccomp = NULL;
	return sluice_config_emit_json(&shallow, text, len, err);
}

/* linux.netDevices go into a network namespace that exists before GO:
 * one the config joins, or the one clone3 made (not the fork fallback's,
 * which the helper makes after GO). */
static int move_net_devices(struct sluice_launch *l, const struct sluice_config *c,
			    uint64_t created, struct sluice_error *err)
{
	if (!c->linux.n_net_devices)
		return 0;
	if (!c->linux.ns[SLUICE_NS_NET].path && !(created & CLONE_NEWNET))
		return sluice_err(err, SLUICE_EXIT_SETUP, 0,
				  "linux.netDevices: the network namespace is made by the helper "
				  "here (no clone3), too late to move interfaces into it");
	return sluice_net_devices_move(c, l->pid, err);
}

/* The planned cgroup made, and cg_made told.  On pure v2 before the
 * clone; otherwise after it, overlapping the helper's re-exec: the helper
 * waits for GO, which comes once it is in the cgroup. */
static int make_cgroup(struct sluice_launch *l, const struct sluice_config *c,
		       struct sluice_error *err)
{
	if (sluice_cgroup_make(l->cg, c, err) < 0)
		return -1;
	return l->cg_made ? l->cg_made(l, l->cg_ctx, err) : 0;
}

int sluice_launch_start(struct sluice_launch *l, const struct sluice_config *c,
			const struct sluice_caller *who, struct sluice_stdio_setup *stdio,
			const sigset_t *child_mask, struct sluice_error *err)
{
	struct launch_fds f = { .cfg = { -1, -1 }, .status = { -1, -1 } };
	cleanup_free char *text = NULL;
	size_t len = 0;
	uint64_t created = 0;
	size_t n_idmap = sluice_config_idmap_mounts(c);
	/* the preserved fds at 5.., then the id-mapped trees */
	int min = SLUICE_PRESERVED_FD_BASE + c->sluice.preserve_fds + (int)n_idmap;
	struct rlimit nofile;

	/* The helper holds the preserved fds at 5.. and its own above them:
	 * all must be below the open-file limit. */
	if (c->sluice.preserve_fds && getrlimit(RLIMIT_NOFILE, &nofile) == 0 &&
	    (rlim_t)min + 8 > nofile.rlim_cur)
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
				  "%s: sluice.preserveFds %d: the helper would hold fds up to %d, "
				  "above the open-file limit (RLIMIT_NOFILE %llu)",
				  c->source ? c->source : "<config>", c->sluice.preserve_fds,
				  min + 8, (unsigned long long)nofile.rlim_cur);
	if (prepare_console(l, c, who, err) < 0)
		return -1;
	if (!l->cg && (l->cg_always || sluice_config_wants_cgroup(c)) &&
	    sluice_cgroup_plan(c, l->cg_opts, &l->cg, err) < 0)
		return -1;
	if (l->cg && sluice_cgroup_planned(l->cg) &&
	    sluice_cgroup_mode(l->cg) == SLUICE_CGROUP_V2 && make_cgroup(l, c, err) < 0) {
		(void)sluice_launch_release(l, &(struct sluice_error){ 0 });
		return -1;
	}
	l->seccomp = c->linux.seccomp;
	l->passcred = c->linux.seccomp && sluice_seccomp_uses_notify(c->linux.seccomp);
	l->status_sock |= l->passcred;
	l->bundle = c->base_dir ? c->base_dir : who->cwd;
	if (n_idmap > SLUICE_IDMAP_MOUNTS_MAX)
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0, "%s: more than %d id-mapped mounts",
				  c->source ? c->source : "<config>", SLUICE_IDMAP_MOUNTS_MAX);
	f.n_idmap = (int)n_idmap;
	for (int k = 0; k < f.n_idmap; k++)
		f.idmap[k] = -1;
	if (sluice_idmap_trees(c, f.idmap, err) < 0 ||
	    make_pipes(&f, stdio, min, l->status_sock, l->passcred, err) < 0 ||
	    spawn(l, c, who, &f, stdio, child_mask, &created, err) < 0) {
		close_launch_fds(&f);
		(void)sluice_launch_release(l, &(struct sluice_error){ 0 });
		return -1;
	}
	sluice_stdio_close_child_ends(stdio);
	sluice_close(f.cfg[0]);
	sluice_close(f.status[1]);
	f.cfg[0] = f.status[1] = -1;
	l->status_fd = steal_fd(&f.status[0]);

	/* Emitted now, not before the clone: the child spends longer
	 * re-executing itself than we do here, and waits for GO anyway, so
	 * the emitter is off the critical path (docs/performance.md). */
	if (emit_for_helper(c, &text, &len, err) < 0) {
		close_launch_fds(&f);
		sluice_launch_abort(l);
		return -1;
	}
	/* The config goes out first so the helper parses it while we write
	 * the maps; a helper that died shows up on the status pipe. */
	(void)send_config(f.cfg[1], l, text, len, created);
	if (send_filter(f.cfg[1], c, err) < 0 ||
	    (l->cg && sluice_cgroup_planned(l->cg) && make_cgroup(l, c, err) < 0) ||
	    (l->cg && !l->in_cgroup && sluice_cgroup_enter(l->cg, l->pid, err) < 0) ||
	    ((created & CLONE_NEWUSER) &&
	     sluice_idmap_write(l->pid, c, who->uid, who->gid, err) < 0) ||
	    move_net_devices(l, c, created, err) < 0) {
		close_launch_fds(&f);
		sluice_launch_abort(l);
		return -1;
	}
	(void)sluice_proto_write(f.cfg[1], SLUICE_MSG_GO, NULL, 0);
	if (l->oci_request) {
		l->oci = true;
		l->cfg_fd = steal_fd(&f.cfg[1]);
	}
	close_launch_fds(&f);
	return 0;
}

int sluice_launch_send(struct sluice_launch *l, uint32_t type, struct sluice_error *err)
{
	int r = l->cfg_fd < 0 ? -EPIPE : sluice_proto_write(l->cfg_fd, type, NULL, 0);

	if (r < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -r, "cannot write to the helper on fd 3");
	return 0;
}

void sluice_launch_abort(struct sluice_launch *l)
{
	siginfo_t si;

	if (l->pidfd >= 0) {
		(void)sluice_pidfd_signal(l->pidfd, SIGKILL);
		(void)sluice_pidfd_wait(l->pidfd, &si, WEXITED);
	}
	(void)sluice_launch_release(l, &(struct sluice_error){ 0 });
}

/* SECCOMP_LISTENER: take the fd from the process that wrote the frame,
 * give it to the agent with the state, and let that process go on (one
 * byte back).  Any failure fails the start (config-linux.md). */
static int hand_off(struct sluice_launch *l, const struct sluice_frame *f, pid_t sender,
		    struct sluice_error *err)
{
	const struct sluice_seccomp *s = l->seccomp;
	cleanup_close int listener = -1;
	cleanup_free char *state = NULL;
	uint32_t fd;
	char ack = 0;

	if (!s || !s->listener_path || sender <= 0 || sluice_proto_decode_u32(f, &fd) < 0 ||
	    fd > INT32_MAX)
		return sluice_err(err, SLUICE_EXIT_SETUP, 0,
				  "unexpected seccomp listener message from the helper");
	listener = sluice_seccomp_take_listener(sender, (int)fd, err);
	if (listener < 0)
		return -1;
	state = sluice_seccomp_run_state(getpid(), l->bundle, sender);
	if (!state)
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "seccomp notify");
	if (sluice_seccomp_send_state(s->listener_path, s->listener_metadata, state, sender,
				      listener, err) < 0)
		return -1;
	if (write(l->status_fd, &ack, 1) != 1)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "seccomp notify: the helper");
	return 0;
}

int sluice_launch_read_status(struct sluice_launch *l, struct sluice_error *err)
{
	struct sluice_frame f;
	cleanup_free char *payload = NULL;
	cleanup_close int rights = -1;
	pid_t sender = 0;
	int r = l->passcred ? sluice_proto_recv_cred(l->status_fd, &f, &payload, &rights, &sender) :
		l->status_sock ? sluice_proto_recv(l->status_fd, &f, &payload, &rights) :
				 sluice_proto_read(l->status_fd, &f, &payload);

	if (r == -EPIPE) {
		sluice_close(l->status_fd);
		l->status_fd = -1;
		return 0;
	}
	if (r < 0) {
		sluice_close(l->status_fd);
		l->status_fd = -1;
		return sluice_err(err, SLUICE_EXIT_SETUP, -r, "bad message from the helper on fd 4");
	}
	if (f.type == SLUICE_MSG_READY) {
		l->ready = true;
		return 0;
	}
	if (f.type == SLUICE_MSG_CONSOLE)
		return take_console(l, steal_fd(&rights), err);
	if (f.type == SLUICE_MSG_HOOKS && l->oci && f.len == 0) {
		l->hooks_wanted = true;
		return 0;
	}
	if (f.type == SLUICE_MSG_PID && l->oci) {
		uint32_t pid;
		if (sluice_proto_decode_u32(&f, &pid) < 0 || pid == 0 || pid > INT32_MAX)
			return sluice_err(err, SLUICE_EXIT_SETUP, EBADMSG,
					  "bad PID message from the helper");
		l->container_pid = (pid_t)pid;
		return 0;
	}
	if (f.type == SLUICE_MSG_ERROR &&
	    sluice_proto_decode_error(payload, f.len, &l->error, l->step, sizeof(l->step)) == 0) {
		l->failed = true;
		return 0;
	}
	if (f.type == SLUICE_MSG_SECCOMP_LISTENER && l->passcred)
		return hand_off(l, &f, sender, err);
	return sluice_err(err, SLUICE_EXIT_SETUP, 0, "unexpected message %#x from the helper",
			  f.type);
}
