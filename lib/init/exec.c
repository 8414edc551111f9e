/* The last step: leave only the fds meant for the workload, then exec. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "error.h"
#include "helper.h"
#include "passwd.h"
#include "protocol.h"
#include "util.h"

/* Move *fd (if any) above the preserved range, close-on-exec. */
static int lift(int *fd, int min, const char *what, int n, struct sluice_error *err)
{
	int moved;

	if (*fd < 0)
		return 0;
	moved = fcntl(*fd, F_DUPFD_CLOEXEC, min);
	if (moved < 0 && errno == EINVAL)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno,
				  "sluice.preserveFds %d: the %s cannot move above fd %d: the "
				  "open-file limit (RLIMIT_NOFILE) is lower",
				  n, what, min);
	if (moved < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "move the %s", what);
	sluice_close(*fd);
	*fd = moved;
	return 0;
}

/* 0, 1, 2 and the preserved fds (waiting at 5.., moved to 3..) reach the
 * workload; the status channel stays, close-on-exec, to report a failed
 * exec, and so does the exec pipe of a spawned child (clone_vm.h), which
 * tells the init when its memory is its own again; everything else is
 * closed. */
static int arrange_fds(const struct sluice_config *c, int *status_fd, int exec_fd,
		       struct sluice_error *err)
{
	int n = c->sluice.preserve_fds;
	int first_free = 3 + n;
	int keep[2];

	if (lift(status_fd, SLUICE_PRESERVED_FD_BASE + n, "status fd", n, err) < 0 ||
	    lift(&exec_fd, SLUICE_PRESERVED_FD_BASE + n, "exec pipe", n, err) < 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (dup2(SLUICE_PRESERVED_FD_BASE + i, 3 + i) < 0)
			return sluice_err(err, SLUICE_EXIT_SETUP, errno, "preserved fd %d", 3 + i);
	/* both kept fds sit above first_free: close around them, in order */
	keep[0] = *status_fd < exec_fd ? *status_fd : exec_fd;
	keep[1] = *status_fd < exec_fd ? exec_fd : *status_fd;
	for (int i = 0; i < 2; i++) {
		if (keep[i] < 0)
			continue;
		if (keep[i] > first_free)
			sluice_close_range((unsigned int)first_free, (unsigned int)keep[i] - 1);
		first_free = keep[i] + 1;
	}
	sluice_close_range((unsigned int)first_free, UINT_MAX);
	return 0;
}

/* Sets ENTRY ("KEY=VALUE") in *env, in place of KEY's entry if there is
 * one.  0 or -ENOMEM. */
static int env_set(char ***env, const char *entry)
{
	size_t k = strcspn(entry, "=") + 1;
	char *s;

	for (size_t i = 0; (*env)[i]; i++)
		if (strncmp((*env)[i], entry, k) == 0) {
			s = strdup(entry);
			if (!s)
				return -ENOMEM;
			free((*env)[i]);
			(*env)[i] = s;
			return 0;
		}
	return sluice_strv_push(env, entry);
}

/* HOME, when the config gives none or an empty one, is the user's home in
 * the container's /etc/passwd (its first entry with that uid), as runc sets
 * it (setupUser), or "/" (runc's default user's home) when there is no such
 * entry or no readable regular /etc/passwd; read here, before seccomp.  Socket
 * activation: the fds are for this process, whose pid only the helper
 * knows now. */
static char **workload_env(const struct sluice_config *c)
{
	char **env = sluice_strv_dup(c->process.env);
	const char *home = env ? sluice_env_get(env, "HOME") : NULL;
	char buf[PATH_MAX + 8];

	if (!env)
		return NULL;
	if (!home || !home[0]) {
		memcpy(buf, "HOME=", 5);
		if (sluice_passwd_field("/etc/passwd", c->process.user.uid, SLUICE_PW_DIR, buf + 5,
					sizeof(buf) - 5) <= 0 ||
		    !buf[5])
			snprintf(buf + 5, sizeof(buf) - 5, "/");
		if (env_set(&env, buf) < 0) {
			sluice_strv_free(env);
			return NULL;
		}
	}
	if (!sluice_env_get(env, "LISTEN_FDS"))
		return env;
	snprintf(buf, sizeof(buf), "LISTEN_PID=%d", (int)getpid());
	(void)env_set(&env, buf);
	return env;
}

static int exec_error(const char *cmd, int e, struct sluice_error *err)
{
	if (e == ENOENT || e == ENOTDIR)
		return sluice_err(err, SLUICE_EXIT_NOTFOUND, 0, "%s: command not found", cmd);
	return sluice_err(err, SLUICE_EXIT_NOEXEC, e, "%s: cannot execute", cmd);
}

/* PATH is searched with the workload's PATH, inside the new root. */
static int exec_search(const char *cmd, char *const *argv, char *const *env,
		       struct sluice_error *err)
{
	const char *path = sluice_env_get(env, "PATH");
	char buf[PATH_MAX];
	int seen = ENOENT;

	if (strchr(cmd, '/')) {
		execve(cmd, argv, env);
		return exec_error(cmd, errno, err);
	}
	for (const char *p = path ? path : SLUICE_DEFAULT_PATH; p;) {
		const char *colon = strchr(p, ':');
		size_t len = colon ? (size_t)(colon - p) : strlen(p);
		if (snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, len ? p : ".", cmd) <
		    (int)sizeof(buf)) {
			execve(buf, argv, env);
			if (errno == EACCES)
				seen = EACCES;
			else if (errno != ENOENT && errno != ENOTDIR)
				return exec_error(cmd, errno, err);
		}
		p = colon ? colon + 1 : NULL;
	}
	return exec_error(cmd, seen, err);
}

int sluice_exec_workload(const struct sluice_config *c, int *status_fd, int exec_fd,
			 sluice_exec_last_fn last, void *ctx, struct sluice_error *err)
{
	char **env;

	if (arrange_fds(c, status_fd, exec_fd, err) < 0 || sluice_rlimit_nofile_final(c, err) < 0)
		return -1;
	env = workload_env(c);
	if (!env)
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "environment");
	if (last && last(ctx, *status_fd, err) < 0) {
		sluice_strv_free(env);
		return -1;
	}
	exec_search(c->process.args[0], c->process.args, env, err);
	sluice_strv_free(env);
	return -1;
}
