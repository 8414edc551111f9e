/* create: the container is built by the helper, which then waits on the
 * exec FIFO; sluice records it and leaves (docs/oci.md "create").
 *
 * The runtime's side of the handshake, after the usual fd-3 start
 * (launch.c) with an OCI request:
 *   PID    the helper forked the container process (a new pid namespace it
 *          made itself, or a joined one): adopt it, kill the intermediate
 *   HOOKS  at the hooks point: run prestart and createRuntime, RESUME
 *   READY  set up: record the container as created, RESUME
 * The state record holds the pid from the first moment it is known, so
 * that a sluice killed at any point leaves what `delete --force` cleans. */
#include "oci_internal.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "protocol.h"
#include "request.h"
#include "stdio_relay.h"
#include "util.h"

struct creation {
	const struct sluice_oci *o;
	const struct sluice_oci_create_opts *opts;
	bool relays_terminal; /* the foreground run relays the pty itself */
	bool foreground;      /* the foreground run: it may go without a gate */
	/* The exec FIFO is there for `start`: a foreground run that needs
	 * nothing of start's (poststart hooks, which start runs; sluice's
	 * init, which would hold fd 4 past the exec) goes without: the
	 * helper execs once recorded, and fd 4's EOF says it did. */
	bool gateless;
	struct sluice_config c;
	struct oci_container ct;
	struct sluice_launch l;
	int inter_pidfd;  /* the helper's intermediate process, until the end */
	bool dir_made;	  /* the state directory is ours to remove on failure */
	bool hooks_begun; /* prestart ran: a failure goes on to poststop */
};

/* ---- the config ---- */

static int bundle_path(const struct sluice_oci_create_opts *opts, char *out,
		       struct sluice_error *err)
{
	const char *b = opts->bundle && *opts->bundle ? opts->bundle : ".";

	if (!realpath(b, out))
		return sluice_err(err, SLUICE_EXIT_CONFIG, errno, "bundle %s", b);
	return 0;
}

/* What a created container cannot have: nobody stays to relay a pipe or
 * to enforce a timeout once create returns. */
static int check_oci_config(const struct sluice_config *c, const struct sluice_oci_create_opts *opts,
			    bool relays, struct sluice_error *err)
{
	const char *src = c->source ? c->source : "config.json";

	for (int i = 0; i < 3; i++)
		if (c->sluice.stdio[i].mode == SLUICE_STDIO_PIPE)
			return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
					  "%s: sluice.%s: pipe needs a sluice process relaying it, "
					  "which a created container does not have (use inherit, "
					  "null or file:PATH)",
					  src,
					  i == 0 ? "stdin" :
					  i == 1 ? "stdout" :
						   "stderr");
	if (c->sluice.timeout > 0)
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
				  "%s: sluice.timeout needs a sluice process watching the "
				  "container, which a created container does not have "
				  "(`sluice run -- CMD` has one)",
				  src);
	if (opts->console_socket && !c->process.terminal)
		return sluice_err(err, SLUICE_EXIT_USAGE, 0,
				  "cannot use console socket if sluice will not allocate a tty "
				  "(process.terminal is false)");
	if (c->process.terminal && !opts->console_socket && !relays)
		return sluice_err(err, SLUICE_EXIT_USAGE, 0,
				  "cannot allocate tty if sluice will detach without setting console "
				  "socket (process.terminal is true: give --console-socket)");
	if (opts->no_pivot)
		return sluice_err(err, SLUICE_EXIT_USAGE, 0,
				  "--no-pivot is not supported: sluice always enters the root "
				  "with pivot_root (docs/oci.md)");
	return 0;
}

/* runc's rule for a rootless container's device rules (buildah's rootless
 * RUN steps deny every device so): with no cgroup to hold them (none
 * asked for by path, no other limit) they are left out, and logged as
 * finalize's changes are.  The container is in a user namespace other
 * than the initial one, where no device node can be made: it reaches only
 * the nodes its config binds in, on the user's own rights. */
static void rootless_device_rules(struct creation *x)
{
	struct sluice_resources *r = &x->c.linux.resources;
	struct sluice_device_rule *rules = r->devices;
	size_t n = r->n_devices;
	bool wanted;

	if (!n || !oci_rootless(x->o) || x->c.linux.cgroups_path ||
	    !(x->c.linux.ns[SLUICE_NS_USER].enabled || sluice_in_user_namespace()))
		return;
	r->devices = NULL;
	r->n_devices = 0;
	wanted = sluice_config_wants_cgroup(&x->c);
	if (wanted) {
		r->devices = rules;
		r->n_devices = n;
		return;
	}
	free(rules);
	oci_log(x->o, SLUICE_LOG_INFO,
		"%s: linux.resources.devices: %zu rule(s) left out: a rootless container "
		"without linux.cgroupsPath or other limits gets no cgroup to hold them (as with "
		"runc); in its user namespace no device node can be made",
		x->c.source ? x->c.source : "config.json", n);
}

static int load_bundle(struct creation *x, const char *bundle, struct sluice_error *err)
{
	char path[PATH_MAX];
	struct sluice_caller who = {
		.uid = x->o->uid, .gid = x->o->gid, .cwd = (char *)bundle, .helper = x->o->helper
	};

	if (snprintf(path, sizeof(path), "%s/config.json", bundle) >= (int)sizeof(path))
		return sluice_err(err, SLUICE_EXIT_CONFIG, ENAMETOOLONG, "bundle %s", bundle);
	/* An OCI config is complete: what it does not say is unset, never
	 * sluice's embedded default. */
	sluice_config_init(&x->c);
	if (sluice_config_load_file(&x->c, path, err) < 0)
		return -1;
	if (x->opts->preserve_fds > 0)
		x->c.sluice.preserve_fds = x->opts->preserve_fds;
	if (sluice_config_finalize(&x->c, &who, err) < 0 ||
	    check_oci_config(&x->c, x->opts, x->relays_terminal, err) < 0)
		return -1;
	oci_log_warnings(x->o, &x->c);
	rootless_device_rules(x);
	x->gateless = x->foreground && !x->c.sluice.init && !x->c.hooks[SLUICE_HOOK_POSTSTART].n;
	return sluice_config_check_paths(&x->c, err);
}

/* ---- the state directory ---- */

static int save_config(struct creation *x, struct sluice_error *err)
{
	cleanup_free char *text = NULL;
	size_t len = 0;
	cleanup_close int fd = -1;

	if (sluice_config_emit_json(&x->c, &text, &len, err) < 0)
		return -1;
	fd = openat(x->ct.dirfd, OCI_CONFIG_FILE, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || sluice_write_all(fd, text, len) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "%s/%s", x->ct.dir,
				  OCI_CONFIG_FILE);
	return 0;
}

/* The helper opens it for writing after it changed to the workload's
 * user: writable by anyone, in a directory only we can enter (the helper
 * reaches it through an fd it opened before). */
static int make_fifo(struct creation *x, struct sluice_error *err)
{
	if (mkfifoat(x->ct.dirfd, OCI_FIFO_FILE, 0600) < 0 ||
	    fchmodat(x->ct.dirfd, OCI_FIFO_FILE, 0622, 0) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "%s/%s", x->ct.dir, OCI_FIFO_FILE);
	return 0;
}

static int make_state(struct creation *x, const char *bundle, struct sluice_error *err)
{
	char now[64];

	if (oci_container_create(x->o, x->opts->id, &x->ct, err) < 0) {
		x->dir_made = x->ct.dirfd >= 0;
		return -1;
	}
	x->dir_made = true;
	oci_time_now(now, sizeof(now));
	x->ct.rec.bundle = strdup(bundle);
	x->ct.rec.rootfs = strdup(x->c.root.path);
	x->ct.rec.created = strdup(now);
	x->ct.rec.annotations = x->c.annotations ? sluice_strv_dup(x->c.annotations) : NULL;
	x->ct.rec.hooks_known = true;
	for (int k = 0; k < SLUICE_HOOK_COUNT; k++)
		if (x->c.hooks[k].n)
			x->ct.rec.hooks |= 1U << k;
	if (!x->ct.rec.bundle || !x->ct.rec.rootfs || !x->ct.rec.created ||
	    (x->c.annotations && !x->ct.rec.annotations))
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "state");
	/* The record is written first when something outside the directory
	 * exists (the cgroup, the helper): until then a crash leaves a
	 * directory without one, which delete --force removes as it is, and
	 * every other command waits for our lock anyway. */
	if (!x->gateless && make_fifo(x, err) < 0)
		return -1;
	return save_config(x, err);
}

/* The container's process is pid now: its start time goes with it. */
static int record_pid(struct creation *x, pid_t pid, bool ready, struct sluice_error *err)
{
	char state;

	x->ct.rec.pid = pid;
	x->ct.rec.ready = ready;
	if (oci_proc_stat(pid, &x->ct.rec.starttime, &state) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, ESRCH,
				  "the container's process %d is gone", (int)pid);
	return oci_record_write(&x->ct, err);
}

/* runc makes a cgroup for every container (named after it when
 * config.json has no cgroupsPath), so that pause, update, stats, kill
 * --all and ps have it whatever the resources.  Rootless, only when the
 * config asks for one: the caller's cgroup is rarely ours to write to, and
 * runc ignores that failure too.  The launch makes it (after the clone,
 * while the helper re-executes itself, except on pure v2) and calls this
 * once it exists, before anything runs in it: recorded then, a sluice
 * killed from here on leaves what `delete --force` removes. */
static int record_cgroup(struct sluice_launch *l, void *ctx, struct sluice_error *err)
{
	struct creation *x = ctx;

	if (!(x->ct.rec.cgroup = sluice_cgroup_describe(l->cg)))
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "state");
	/* made after the clone (v1, hybrid): the helper's pid in the same
	 * write (each rename over the record costs, docs/performance.md) */
	if (l->pid > 0)
		return record_pid(x, l->pid, false, err);
	return oci_record_write(&x->ct, err);
}

/* ---- the handshake ---- */

static int start_helper(struct creation *x, const sigset_t *child_mask, struct sluice_error *err)
{
	struct sluice_oci_request req = {
		.mode = SLUICE_OCI_CREATE,
		.id = x->ct.rec.id,
		.bundle = x->ct.rec.bundle,
		.detach = true,
	};
	struct sluice_caller who = { .uid = x->o->uid,
				     .gid = x->o->gid,
				     .helper = x->o->helper,
				     .console_socket = x->opts->console_socket };
	struct sluice_stdio_setup stdio;
	cleanup_free char *payload = NULL;
	char fifo[PATH_MAX];
	sigset_t mask;
	struct sluice_cgroup_opts cg_opts = { .name = x->ct.rec.id, .join_all = true };
	size_t len = 0;
	int r;

	snprintf(fifo, sizeof(fifo), "%s/%s", x->ct.dir, OCI_FIFO_FILE);
	req.fifo = x->gateless ? NULL : fifo;
	if (sluice_oci_request_encode(&req, &payload, &len) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "OCI request");
	if (sluice_stdio_prepare(&x->c, &stdio, err) < 0)
		return -1;
	x->l.oci_request = payload;
	x->l.oci_request_len = len;
	x->l.cg_opts = &cg_opts;
	x->l.cg_always = !oci_rootless(x->o);
	x->l.cg_made = record_cgroup;
	x->l.cg_ctx = x;
	if (child_mask)
		mask = *child_mask;
	else
		sigprocmask(SIG_SETMASK, NULL, &mask);
	r = sluice_launch_start(&x->l, &x->c, &who, &stdio, &mask, err);
	sluice_stdio_release(&stdio);
	x->l.oci_request = NULL;
	x->l.cg_opts = NULL;
	if (r < 0)
		return -1;
	if (x->ct.rec.pid == x->l.pid) /* recorded with the cgroup */
		return 0;
	return record_pid(x, x->l.pid, false, err);
}

/* The helper forked the container's process: the pidfd names that process
 * from now on.  The intermediate process stays until the end of create:
 * the container's process dies with it until it has detached. */
static int adopt(struct creation *x, struct sluice_error *err)
{
	pid_t pid = x->l.container_pid;
	int fd = sluice_pidfd_open(pid);

	if (fd < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -fd, "the container's process %d",
				  (int)pid);
	x->inter_pidfd = x->l.pidfd;
	x->l.pidfd = fd;
	x->l.pid = pid;
	x->l.container_pid = 0;
	/* recorded while its parent lives: not reaped, the pid is still it */
	if (record_pid(x, pid, false, err) < 0)
		return -1;
	oci_log(x->o, SLUICE_LOG_DEBUG, "container %s: process %d forked by the helper",
		x->ct.rec.id, (int)pid);
	return 0;
}

static int helper_failed(struct creation *x, struct sluice_error *err);

/* RESUME; a helper gone meanwhile has said why on fd 4. */
static int resume(struct creation *x, struct sluice_error *err)
{
	struct sluice_error e = { 0 };

	if (sluice_launch_send(&x->l, SLUICE_MSG_RESUME, &e) == 0)
		return 0;
	while (x->l.status_fd >= 0 && !x->l.failed)
		if (sluice_launch_read_status(&x->l, &e) < 0)
			break;
	if (!x->l.failed) {
		*err = e;
		return -1;
	}
	return helper_failed(x, err);
}

static int run_create_hooks(struct creation *x, struct sluice_error *err)
{
	struct sluice_oci_state_view s = oci_view(&x->ct, &x->c, "creating", x->l.pid);

	x->l.hooks_wanted = false;
	x->hooks_begun = true;
	if (sluice_hooks_run(&x->c, SLUICE_HOOK_PRESTART, &s, err) < 0 ||
	    sluice_hooks_run(&x->c, SLUICE_HOOK_CREATE_RUNTIME, &s, err) < 0)
		return -1;
	return resume(x, err);
}

static int helper_failed(struct creation *x, struct sluice_error *err)
{
	if (x->l.failed) {
		*err = x->l.error;
		return sluice_err_prefix(err, "unable to start container process");
	}
	return sluice_err(err, SLUICE_EXIT_SETUP, 0,
			  "unable to start container process: the helper died during setup");
}

/* One event: a frame on fd 4, or the helper's exit. */
static int step(struct creation *x, struct sluice_error *err)
{
	struct pollfd p[2] = { { .fd = x->l.status_fd, .events = POLLIN },
			       { .fd = x->l.pidfd, .events = POLLIN } };

	if (poll(p, 2, -1) < 0)
		return errno == EINTR ? 0 : sluice_err(err, SLUICE_EXIT_SETUP, errno, "poll");
	if (p[0].revents) {
		if (sluice_launch_read_status(&x->l, err) < 0)
			return -1;
		if (x->l.failed || x->l.status_fd < 0)
			return helper_failed(x, err);
		if (x->l.container_pid && adopt(x, err) < 0)
			return -1;
		if (x->l.hooks_wanted && run_create_hooks(x, err) < 0)
			return -1;
		return 0;
	}
	if (p[1].revents) {
		/* gone: what it said before it went is on fd 4 */
		while (x->l.status_fd >= 0 && !x->l.failed)
			if (sluice_launch_read_status(&x->l, err) < 0)
				break;
		return helper_failed(x, err);
	}
	return 0;
}

/* Recorded, the helper detaches from us and closes fd 4 (EOF); an ERROR
 * instead, or its death, fails the create.  Gateless, the EOF comes with
 * the exec, and an ERROR is the start's (the exec, a startContainer hook). */
static int wait_detached(struct creation *x, struct sluice_error *err)
{
	while (x->l.status_fd >= 0 && !x->l.failed) {
		struct pollfd p[2] = { { .fd = x->l.status_fd, .events = POLLIN },
				       { .fd = x->l.pidfd, .events = POLLIN } };
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return sluice_err(err, SLUICE_EXIT_SETUP, errno, "poll");
		if (p[0].revents && sluice_launch_read_status(&x->l, err) < 0)
			return -1;
		if (!p[0].revents && p[1].revents)
			break;
	}
	if (x->l.failed || x->l.status_fd >= 0)
		return helper_failed(x, err);
	return 0;
}

static int handshake(struct creation *x, struct sluice_error *err)
{
	while (!x->l.ready)
		if (step(x, err) < 0)
			return -1;
	if (record_pid(x, x->l.pid, true, err) < 0 || resume(x, err) < 0)
		return -1;
	return wait_detached(x, err);
}

static int after_create(struct creation *x, struct sluice_error *err)
{
	if (x->opts->pid_file && oci_write_pid_file(x->opts->pid_file, x->l.pid, err) < 0)
		return -1;
	if (x->opts->pidfd_socket && oci_send_pidfd(x->opts->pidfd_socket, x->l.pidfd, err) < 0)
		return -1;
	oci_log(x->o, SLUICE_LOG_DEBUG, "container %s created: pid %d", x->ct.rec.id, (int)x->l.pid);
	return 0;
}

/* Back to nothing: the container killed, its state gone, and poststop
 * run if the hooks had begun (runtime.md: a failed prestart continues the
 * lifecycle at the destruction). */
static void undo(struct creation *x)
{
	struct sluice_error e = { 0 };

	oci_kill_wait(&x->l.pidfd);
	oci_kill_wait(&x->inter_pidfd);
	/* the cgroup before the poststop hooks, as delete does */
	(void)sluice_cgroup_destroy(x->l.cg, &e);
	x->l.cg = NULL;
	if (x->dir_made && x->ct.dirfd >= 0)
		(void)oci_container_remove(&x->ct, &e);
	if (x->hooks_begun) {
		struct sluice_oci_state_view s = oci_view(&x->ct, &x->c, "stopped", 0);
		oci_poststop(x->o, &x->c, &s);
	}
}

int oci_create(const struct sluice_oci *o, const struct sluice_oci_create_opts *opts,
	       struct oci_foreground *fg, struct sluice_error *err)
{
	struct creation x = { .o = o,
			      .opts = opts,
			      .relays_terminal = fg && fg->relay_pty,
			      .foreground = fg != NULL,
			      .ct = { .dirfd = -1 },
			      .inter_pidfd = -1 };
	struct sigaction ign = { .sa_handler = SIG_IGN }, oldpipe;
	char bundle[PATH_MAX];
	int r = -1;

	sluice_launch_init(&x.l);
	sluice_config_init(&x.c);
	/* a helper that died must not take us with it when we write to it */
	sigaction(SIGPIPE, &ign, &oldpipe);
	sluice_ensure_std_fds();
	if (sluice_oci_check_id(opts->id, err) == 0 && bundle_path(opts, bundle, err) == 0 &&
	    load_bundle(&x, bundle, err) == 0 && make_state(&x, bundle, err) == 0 &&
	    start_helper(&x, fg ? fg->mask : NULL, err) == 0 && handshake(&x, err) == 0 &&
	    after_create(&x, err) == 0)
		r = 0;
	if (r < 0)
		undo(&x);
	/* the container's process detached from it (or is gone): reparented */
	oci_kill_wait(&x.inter_pidfd);
	if (fg) {
		fg->pidfd = r == 0 ? steal_fd(&x.l.pidfd) : -1;
		fg->pid = r == 0 ? x.ct.rec.pid : 0;
		fg->pty = r == 0 ? steal_fd(&x.l.pty_fd) : -1;
		fg->started = r == 0 && x.gateless;
		fg->cg = r == 0 ? steal_ptr(&x.l.cg) : NULL;
	}
	/* the cgroup is the container's now: delete removes it */
	x.l.cg_keep = r == 0;
	(void)sluice_launch_release(&x.l, &(struct sluice_error){ 0 });
	sigaction(SIGPIPE, &oldpipe, NULL);
	oci_container_close(&x.ct);
	sluice_config_free(&x.c);
	return r;
}

int sluice_oci_create(const struct sluice_oci *o, const struct sluice_oci_create_opts *opts,
		      struct sluice_error *err)
{
	return oci_create(o, opts, NULL, err);
}
