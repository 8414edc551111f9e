/* exec: a new process in a running container (docs/oci.md "exec").
 *
 * The config is the container's own (saved at create) turned into one
 * that joins: every namespace of the container's init by /proc/PID/ns
 * (the user namespace first, by the helper's join order), nothing of the
 * container rebuilt (mounts, devices, hostname, sysctls: the helper skips
 * those steps in exec mode), and the process replaced: --process FILE, or
 * the container's process with the given args and flag edits, as runc's
 * exec does.  In the foreground sluice supervises the process like
 * `sluice run` (signals forwarded, its status returned); --detach leaves
 * it running and returns once it has exec'd. */
#include "oci_internal.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "helper.h"
#include "request.h"
#include "run.h"
#include "stdio_relay.h"
#include "util.h"

/* /proc/PID/ns/NAME of each enum sluice_ns */
static const char *const proc_ns[SLUICE_NS_COUNT] = {
	[SLUICE_NS_USER] = "user",     [SLUICE_NS_MOUNT] = "mnt", [SLUICE_NS_PID] = "pid",
	[SLUICE_NS_UTS] = "uts",       [SLUICE_NS_IPC] = "ipc",	  [SLUICE_NS_NET] = "net",
	[SLUICE_NS_CGROUP] = "cgroup", [SLUICE_NS_TIME] = "time",
};

static int parse_id(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || (*end && *end != ':') || v > UINT32_MAX - 1 || s[0] == '-')
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* --user UID[:GID] */
static int set_user(struct sluice_config *c, const char *user, struct sluice_error *err)
{
	const char *colon = strchr(user, ':');

	if (parse_id(user, &c->process.user.uid) < 0 ||
	    (colon && parse_id(colon + 1, &c->process.user.gid) < 0))
		return sluice_err(err, SLUICE_EXIT_USAGE, 0,
				  "exec: --user \"%s\": expected UID[:GID], numbers", user);
	return 0;
}

static int add_gids(struct sluice_config *c, char **gids, struct sluice_error *err)
{
	size_t n = sluice_strv_len(gids), have = c->process.user.n_additional_gids;
	uint32_t *v;

	if (!n)
		return 0;
	v = realloc(c->process.user.additional_gids, (have + n) * sizeof(*v));
	if (!v)
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "exec");
	c->process.user.additional_gids = v;
	for (size_t i = 0; i < n; i++) {
		uint32_t g;
		if (parse_id(gids[i], &g) < 0 || strchr(gids[i], ':'))
			return sluice_err(err, SLUICE_EXIT_USAGE, 0,
					  "exec: --additional-gids \"%s\": not a gid", gids[i]);
		v[c->process.user.n_additional_gids++] = g;
	}
	return 0;
}

/* runc exec --cap: bounding, effective, permitted; ambient only where
 * the spec's inheritable set has it (the kernel needs both). */
static int add_caps(struct sluice_config *c, char **caps, struct sluice_error *err)
{
	uint64_t *set = c->process.caps;

	for (size_t i = 0; caps && caps[i]; i++) {
		int cap = sluice_cap_from_name(caps[i]);
		uint64_t bit;
		if (cap < 0 || cap > 63)
			return sluice_err(err, SLUICE_EXIT_USAGE, 0,
					  "exec: --cap: unknown capability \"%s\"", caps[i]);
		bit = UINT64_C(1) << cap;
		set[SLUICE_CAP_BOUNDING] |= bit;
		set[SLUICE_CAP_EFFECTIVE] |= bit;
		set[SLUICE_CAP_PERMITTED] |= bit;
		if (set[SLUICE_CAP_INHERITABLE] & bit)
			set[SLUICE_CAP_AMBIENT] |= bit;
	}
	return 0;
}

/* KEY=VALUE replaces KEY's entry or is added. */
static int add_env(struct sluice_config *c, char **env, struct sluice_error *err)
{
	for (size_t i = 0; env && env[i]; i++) {
		const char *eq = strchr(env[i], '=');
		size_t k = eq ? (size_t)(eq - env[i]) : 0;
		bool replaced = false;
		if (!eq || k == 0)
			return sluice_err(err, SLUICE_EXIT_USAGE, 0,
					  "exec: --env \"%s\": expected KEY=VALUE", env[i]);
		for (size_t j = 0; c->process.env && c->process.env[j] && !replaced; j++)
			if (!strncmp(c->process.env[j], env[i], k + 1)) {
				char *copy = strdup(env[i]);
				if (!copy)
					return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "exec");
				free(c->process.env[j]);
				c->process.env[j] = copy;
				replaced = true;
			}
		if (!replaced && sluice_strv_push(&c->process.env, env[i]) < 0)
			return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "exec");
	}
	return 0;
}

static int edit_process(struct sluice_config *c, const struct sluice_oci_exec_opts *x,
			struct sluice_error *err)
{
	char **args;

	if (x->process)
		return sluice_config_load_process_file(c, x->process, err);
	if (!x->args || !x->args[0])
		return sluice_err(err, SLUICE_EXIT_USAGE, 0,
				  "exec: no command: give ARGS or --process FILE");
	args = sluice_strv_dup(x->args);
	if (!args)
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "exec");
	sluice_strv_free(c->process.args);
	c->process.args = args;
	if (x->cwd) {
		free(c->process.cwd);
		if (!(c->process.cwd = strdup(x->cwd)))
			return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "exec");
	}
	if (x->user && set_user(c, x->user, err) < 0)
		return -1;
	if (add_gids(c, x->additional_gids, err) < 0 || add_caps(c, x->caps, err) < 0 ||
	    add_env(c, x->env, err) < 0)
		return -1;
	if (x->no_new_privs)
		c->process.no_new_privileges = true;
	return 0;
}

static int join_paths(struct sluice_config *c, pid_t pid, struct sluice_error *err)
{
	for (int i = 0; i < SLUICE_NS_COUNT; i++) {
		if (!c->linux.ns[i].enabled)
			continue;
		free(c->linux.ns[i].path);
		if (asprintf(&c->linux.ns[i].path, "/proc/%d/ns/%s", (int)pid, proc_ns[i]) < 0) {
			c->linux.ns[i].path = NULL;
			return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "exec");
		}
	}
	return 0;
}

/* runc's rules: a detached terminal needs a console socket to go to, and
 * a console socket needs a detached terminal (in the foreground sluice
 * relays the terminal itself). */
static int check_terminal(const struct sluice_config *c, const struct sluice_oci_exec_opts *x,
			  struct sluice_error *err)
{
	if (x->detach && c->process.terminal && !x->console_socket)
		return sluice_err(err, SLUICE_EXIT_USAGE, 0,
				  "cannot allocate tty if sluice will detach without setting console "
				  "socket");
	if ((!x->detach || !c->process.terminal) && x->console_socket)
		return sluice_err(err, SLUICE_EXIT_USAGE, 0,
				  "cannot use console socket if sluice will not detach or allocate "
				  "tty");
	return 0;
}

static int exec_config(const struct sluice_oci *o, struct oci_container *ct,
		       const struct sluice_oci_exec_opts *x, struct sluice_config *c,
		       struct sluice_error *err)
{
	struct sluice_caller who = { .uid = o->uid, .gid = o->gid, .helper = o->helper };

	if (oci_container_load_config(ct, c, err) < 0)
		return -1;
	/* Nothing of the container is made again: only its namespaces joined. */
	sluice_config_strip_setup(c);
	if (edit_process(c, x, err) < 0 || join_paths(c, ct->rec.pid, err) < 0)
		return -1;
	c->sluice.preserve_fds = x->preserve_fds;
	if (x->tty)
		c->process.terminal = true;
	if (x->pid_file && !x->detach)
		return sluice_err(err, SLUICE_EXIT_USAGE, 0,
				  "exec: --pid-file is written with --detach only");
	if (check_terminal(c, x, err) < 0 || sluice_config_finalize(c, &who, err) < 0)
		return -1;
	oci_log_warnings(o, c);
	return 0;
}

/* ---- detached: started, handed over, not waited for ---- */

/* The helper forked the process (a pid namespace applies to children
 * only): the pidfd names it now; the intermediate goes once it has exec'd. */
static int adopt(struct sluice_launch *l, int *inter, struct sluice_error *err)
{
	int fd = sluice_pidfd_open(l->container_pid);

	if (fd < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -fd, "the exec'd process");
	*inter = l->pidfd;
	l->pidfd = fd;
	l->pid = l->container_pid;
	l->container_pid = 0;
	return 0;
}

/* Until the exec happened (EOF after READY) or failed (ERROR). */
static int wait_exec(struct sluice_launch *l, int *inter, struct sluice_error *err)
{
	while (l->status_fd >= 0) {
		struct pollfd p = { .fd = l->status_fd, .events = POLLIN };
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			return sluice_err(err, SLUICE_EXIT_SETUP, errno, "poll");
		if (sluice_launch_read_status(l, err) < 0)
			return -1;
		if (l->failed) {
			*err = l->error;
			return sluice_err_prefix(err, "exec failed");
		}
		if (l->container_pid && adopt(l, inter, err) < 0)
			return -1;
	}
	if (!l->ready)
		return sluice_err(err, SLUICE_EXIT_SETUP, 0,
				  "exec failed: the helper died during setup");
	return 0;
}

static int exec_detached(const struct sluice_oci *o, const struct sluice_config *c, const char *req,
			 size_t len, struct sluice_cgroup *cg, const char *pid_file,
			 const char *console_socket, struct sluice_error *err)
{
	struct sluice_caller who = {
		.uid = o->uid, .gid = o->gid, .helper = o->helper, .console_socket = console_socket
	};
	struct sluice_launch l;
	struct sluice_stdio_setup stdio;
	struct sigaction ign = { .sa_handler = SIG_IGN }, oldpipe;
	sigset_t mask;
	int r, inter = -1;

	sluice_launch_init(&l);
	l.cg = cg;
	l.cg_keep = true;
	if (sluice_stdio_prepare(c, &stdio, err) < 0) {
		(void)sluice_launch_release(&l, &(struct sluice_error){ 0 });
		return -1;
	}
	sigaction(SIGPIPE, &ign, &oldpipe);
	l.oci_request = req;
	l.oci_request_len = len;
	sigprocmask(SIG_SETMASK, NULL, &mask);
	r = sluice_launch_start(&l, c, &who, &stdio, &mask, err);
	sluice_stdio_release(&stdio);
	if (r == 0)
		r = wait_exec(&l, &inter, err);
	if (r == 0 && pid_file)
		r = oci_write_pid_file(pid_file, l.pid, err);
	if (r < 0)
		oci_kill_wait(&l.pidfd);
	else
		oci_log(o, SLUICE_LOG_DEBUG, "exec: process %d runs", (int)l.pid);
	oci_kill_wait(&inter);
	(void)sluice_launch_release(&l, &(struct sluice_error){ 0 });
	sigaction(SIGPIPE, &oldpipe, NULL);
	return r;
}

static int check_status(struct oci_container *ct, struct sluice_error *err)
{
	enum oci_status st = oci_container_status(ct);
	int fd;

	if (st == OCI_PAUSED)
		return sluice_err(err, SLUICE_EXIT_OCI, 0, "cannot exec in a paused container");
	if (st == OCI_STOPPED || st == OCI_CREATING || (fd = oci_container_pidfd(ct)) < 0)
		return sluice_err(err, SLUICE_EXIT_OCI, 0, "cannot exec in a %s container",
				  st == OCI_CREATING ? "creating" : "stopped");
	sluice_close(fd);
	return 0;
}

int sluice_oci_exec(const struct sluice_oci *o, const struct sluice_oci_exec_opts *x,
		    struct sluice_error *err)
{
	struct sluice_oci_request req = { .mode = SLUICE_OCI_EXEC, .detach = x->detach };
	struct sluice_config c;
	struct oci_container ct;
	struct sluice_caller who = { .uid = o->uid, .gid = o->gid, .helper = o->helper };
	struct sluice_cgroup *cg = NULL;
	cleanup_free char *payload = NULL;
	size_t len = 0;
	bool gone;
	int r;

	sluice_config_init(&c);
	sluice_ensure_std_fds();
	r = oci_container_open(o, x->id, LOCK_SH, &ct, &gone, err);
	if (r == 0)
		r = check_status(&ct, err);
	if (r == 0)
		r = exec_config(o, &ct, x, &c, err);
	/* execCPUAffinity.initial: the CPUs the process starts on, before it
	 * is in the container's cgroup (it inherits ours; the helper sets the
	 * final ones once there). */
	if (r == 0)
		r = sluice_cpu_affinity_apply(c.process.exec_cpus.initial, "initial", err);
	req.id = ct.rec.id;
	req.bundle = ct.rec.bundle;
	if (r == 0 && sluice_oci_request_encode(&req, &payload, &len) < 0)
		r = sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "exec");
	/* the process goes into the container's cgroup; the launch owns it now */
	if (r == 0 && (r = oci_container_cgroup(&ct, &cg, err)) == 0)
		ct.cg = NULL;
	/* The lock is for the state, not for the process's whole life. */
	if (ct.dirfd >= 0)
		(void)flock(ct.dirfd, LOCK_UN);
	if (r == 0 && x->detach)
		r = exec_detached(o, &c, payload, len, cg, x->pid_file, x->console_socket, err);
	else if (r == 0)
		r = sluice_run_request(&c, &who, payload, len, cg, err);
	oci_container_close(&ct);
	sluice_config_free(&c);
	return r;
}
