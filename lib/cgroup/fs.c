/* Reading and writing cgroup files, making and removing directories.
 *
 * A write that carries a config field turns the kernel's refusal into a
 * config error (78) naming the field: a missing file means this kernel or
 * layout has no such knob, EINVAL/ERANGE/EOPNOTSUPP that it refuses the
 * value, EACCES/EPERM that the cgroup is not ours to change (rootless
 * without delegation).  Anything else is a setup failure (125). */
#include "cgroup_internal.h"

#include <ctype.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "util.h"

int cg_fail_config(struct sluice_error *err, const char *source, const char *field, const char *fmt,
		   ...)
{
	char msg[sizeof(err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return sluice_err(err, SLUICE_EXIT_CONFIG, 0, "%s: %s: %s", source ? source : "<config>",
			  field, msg);
}

static int write_failed(int e, const char *path, const char *value, const char *field,
			const char *source, bool opening, struct sluice_error *err)
{
	if (!field)
		return sluice_err(err, SLUICE_EXIT_SETUP, e, "cgroups: write \"%s\" to %s", value,
				  path);
	if (opening && e == ENOENT)
		return cg_fail_config(err, source, field,
				      "not available on this host (%s does not exist)", path);
	if (e == EACCES || e == EPERM || e == EROFS)
		return cg_fail_config(err, source, field,
				      "cannot write %s as uid %u (%s): the cgroup is not "
				      "delegated to this user",
				      path, (unsigned)geteuid(), strerror(e));
	if (e == EINVAL || e == ERANGE || e == EOPNOTSUPP || e == ENODEV || e == EOVERFLOW)
		return cg_fail_config(err, source, field, "the kernel refused \"%s\" in %s (%s)",
				      value, path, strerror(e));
	return sluice_err(err, SLUICE_EXIT_SETUP, e, "%s: %s: write \"%s\" to %s",
			  source ? source : "<config>", field, value, path);
}

int cg_write(const char *dir, const char *file, const char *value, const char *field,
	     const char *source, struct sluice_error *err)
{
	char path[4096];
	cleanup_close int fd = -1;
	size_t len = strlen(value);
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return write_failed(errno, path, value, field, source, true, err);
	/* one write: cgroup files take a value per write(2) call */
	do
		n = write(fd, value, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return write_failed(errno, path, value, field, source, false, err);
	if ((size_t)n != len)
		return write_failed(EIO, path, value, field, source, false, err);
	return 0;
}

int cg_writef(const char *dir, const char *file, const char *field, const char *source,
	      struct sluice_error *err, const char *fmt, ...)
{
	char value[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	return cg_write(dir, file, value, field, source, err);
}

int cg_read(const char *dir, const char *file, char **out)
{
	char path[4096];
	cleanup_close int fd = -1;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	return sluice_read_fd(fd, 1u << 20, out, &len);
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	if (!strncmp(s, "max", 3)) {
		*out = UINT64_MAX;
		return 0;
	}
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || end == s ? -EINVAL : 0;
}

int cg_read_u64(const char *dir, const char *file, uint64_t *out)
{
	cleanup_free char *text = NULL;
	int r = cg_read(dir, file, &text);

	return r < 0 ? r : parse_u64(text, out);
}

int cg_read_keyed(const char *dir, const char *file, const char *key, uint64_t *out)
{
	cleanup_free char *text = NULL;
	size_t klen = strlen(key);
	int r = cg_read(dir, file, &text);

	if (r < 0)
		return r;
	for (char *line = text; line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (!strncmp(line, key, klen) && line[klen] == ' ')
			return parse_u64(line + klen + 1, out);
	return -ENOENT;
}

bool cg_exists(const char *dir, const char *file)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return access(path, F_OK) == 0;
}

int cg_mkdirs(const char *path, int *made)
{
	char parent[4096];
	char *slash;
	int r;

	*made = 0;
	if (mkdir(path, 0755) == 0) {
		*made = 1;
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return -errno;
	snprintf(parent, sizeof(parent), "%s", path);
	slash = strrchr(parent, '/');
	if (!slash || slash == parent)
		return -ENOENT;
	*slash = '\0';
	r = cg_mkdirs(parent, made);
	if (r < 0)
		return r;
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		r = -errno;
		/* leave nothing of a path that could not be made */
		for (int k = *made; k > 0; k--) {
			(void)rmdir(parent);
			slash = strrchr(parent, '/');
			if (!slash || slash == parent)
				break;
			*slash = '\0';
		}
		*made = 0;
		return r;
	}
	(*made)++;
	return 0;
}

/* The last tasks of a cgroup leave it a little after their parent saw
 * them die: EBUSY for a few milliseconds is normal (runc retries too). */
int cg_rmdir(const char *path)
{
	struct timespec pause = { 0, 1000 * 1000 };

	for (int i = 0; i < 12; i++) {
		if (rmdir(path) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -errno;
		nanosleep(&pause, NULL);
		if (pause.tv_nsec < 256 * 1000 * 1000)
			pause.tv_nsec *= 2;
	}
	return -EBUSY;
}

int cg_read_pids(const char *dir, pid_t **pids, size_t *n)
{
	cleanup_free char *text = NULL;
	size_t cap = 0;
	pid_t *v = NULL;
	int r = cg_read(dir, "cgroup.procs", &text);

	*pids = NULL;
	*n = 0;
	if (r < 0 || !text)
		return r < 0 ? r : -EIO;
	for (char *p = text, *end; *p; p = end) {
		long pid = strtol(p, &end, 10);
		if (end == p)
			break;
		if (*n == cap) {
			pid_t *nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*v));
			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
		}
		v[(*n)++] = (pid_t)pid;
	}
	*pids = v;
	return 0;
}
