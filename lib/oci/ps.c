/* ps: the container's processes, as pids (--format json) or as lines of
 * the host's ps(1) output, the way runc shows them. */
#include "oci_internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "util.h"

#define PS_OUTPUT_MAX (16u << 20)

struct pid_list {
	pid_t *v;
	size_t n, cap;
};

static int add(pid_t pid, int pidfd, void *ctx)
{
	struct pid_list *l = ctx;

	(void)pidfd;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		pid_t *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = pid;
	return 0;
}

int sluice_oci_pids(const struct sluice_oci *o, const char *id, pid_t **pids, size_t *n,
		    struct sluice_error *err)
{
	struct oci_container ct;
	struct pid_list l = { 0 };
	bool gone;
	int r = oci_container_open(o, id, LOCK_SH, &ct, &gone, err);

	*pids = NULL;
	*n = 0;
	if (r == 0 && oci_container_status(&ct) == OCI_STOPPED)
		r = sluice_err(err, SLUICE_EXIT_OCI, 0, "container not running");
	if (r == 0 && add(ct.rec.pid, -1, &l) < 0)
		r = sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "ps");
	if (r == 0 && (r = oci_container_procs(&ct, add, &l, err)) == -ENOMEM)
		r = sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "ps");
	oci_container_close(&ct);
	if (r < 0) {
		free(l.v);
		return -1;
	}
	*pids = l.v;
	*n = l.n;
	return 0;
}

/* ps ARGS, stdout and stderr together, as runc's CombinedOutput. */
static int run_ps(char *const *args, char **out, struct sluice_error *err)
{
	char *argv[64] = { "ps" };
	int p[2], status;
	size_t len = 0, a = 1;
	pid_t pid;

	for (size_t i = 0; args && args[i] && a < 63; i++)
		argv[a++] = args[i];
	if (a == 1)
		argv[a++] = "-ef";
	argv[a] = NULL;
	if (pipe2(p, O_CLOEXEC) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "pipe2");
	pid = fork();
	if (pid == 0) {
		if (dup2(p[1], 1) < 0 || dup2(p[1], 2) < 0)
			_exit(127);
		execvp("ps", argv);
		_exit(127);
	}
	sluice_close(p[1]);
	if (pid < 0) {
		sluice_close(p[0]);
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "fork ps");
	}
	status = sluice_read_fd(p[0], PS_OUTPUT_MAX, out, &len);
	sluice_close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return sluice_err(err, SLUICE_EXIT_OCI, 0, "ps failed (status %d): %s",
				  WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
				  *out ? *out : "");
	return 0;
}

/* The column of the header named PID. */
static int pid_column(const char *header)
{
	char *copy = strdup(header), *save = NULL;
	int col = -1, i = 0;

	for (char *w = copy ? strtok_r(copy, " \t", &save) : NULL; w;
	     w = strtok_r(NULL, " \t", &save), i++)
		if (!strcmp(w, "PID")) {
			col = i;
			break;
		}
	free(copy);
	return col;
}

static bool line_pid_in(const char *line, int col, const pid_t *pids, size_t n)
{
	const char *p = line;

	for (int i = 0; i < col && *p; i++) {
		p += strspn(p, " \t");
		p += strcspn(p, " \t");
	}
	p += strspn(p, " \t");
	long pid = strtol(p, NULL, 10);
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

static int filter(char *text, const pid_t *pids, size_t n, char **out, struct sluice_error *err)
{
	/* sized before strtok_r cuts text into lines */
	char *buf = text ? malloc(strlen(text) + 2) : NULL;
	char *save = NULL, *line = strtok_r(text, "\n", &save);
	size_t len = 0;
	int col = line ? pid_column(line) : -1;

	if (!buf)
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "ps");
	if (col < 0) {
		free(buf);
		return sluice_err(err, SLUICE_EXIT_OCI, 0, "ps: no PID column in its output");
	}
	for (bool first = true; line; line = strtok_r(NULL, "\n", &save), first = false)
		if (first || line_pid_in(line, col, pids, n))
			len += (size_t)sprintf(buf + len, "%s\n", line);
	buf[len] = '\0';
	*out = buf;
	return 0;
}

int sluice_oci_ps_table(const struct sluice_oci *o, const char *id, char *const *args, char **out,
			struct sluice_error *err)
{
	pid_t *pids = NULL;
	size_t n = 0;
	cleanup_free char *text = NULL;
	int r = sluice_oci_pids(o, id, &pids, &n, err);

	if (r == 0)
		r = run_ps(args, &text, err);
	if (r == 0)
		r = filter(text, pids, n, out, err);
	free(pids);
	return r;
}
