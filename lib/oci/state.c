/* The state directory of one container (state.h). */
#include "state.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "error.h"
#include "util.h"

#define RECORD_MAX (256 * 1024)

const char *const oci_status_names[] = {
	[OCI_CREATING] = "creating", [OCI_CREATED] = "created", [OCI_RUNNING] = "running",
	[OCI_STOPPED] = "stopped",   [OCI_PAUSED] = "paused",
};

int sluice_oci_check_id(const char *id, struct sluice_error *err)
{
	size_t n = strlen(id);

	/* runc's ^[\w+-\.]+$, whose "+-\." is the range + , - . */
	if (n == 0 || n > 1024 || !strcmp(id, ".") || !strcmp(id, "..") ||
	    strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+,-.") != n)
		return sluice_err(err, SLUICE_EXIT_OCI, 0, "invalid container ID format: \"%s\"",
				  id);
	return 0;
}

/* As runc: XDG_RUNTIME_DIR is a non-root user's, and that of root in a
 * user namespace unless $USER says root (rootless podman runs the runtime
 * as uid 0 of its own user namespace, and /run is not its to write). */
static bool honor_xdg(uid_t uid)
{
	const char *user = getenv("USER");

	if (uid != 0)
		return true;
	return sluice_in_user_namespace() && !(user && !strcmp(user, "root"));
}

int sluice_oci_default_root(uid_t uid, char **out, struct sluice_error *err)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	*out = NULL;
	if (!honor_xdg(uid) || (uid == 0 && (!xdg || xdg[0] != '/')))
		*out = strdup("/run/sluice");
	else if (xdg && xdg[0] == '/' && asprintf(out, "%s/sluice", xdg) < 0)
		*out = NULL;
	else if (!xdg || xdg[0] != '/')
		return sluice_err(err, SLUICE_EXIT_USAGE, 0,
				  "no state directory for a non-root user: set XDG_RUNTIME_DIR or "
				  "give --root");
	if (!*out)
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "state root");
	return 0;
}

void oci_time_now(char *buf, size_t len)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	sluice_rfc3339(buf, len, ts.tv_sec, ts.tv_nsec);
}

/* ---- the directory ---- */

static int lock_dir(struct oci_container *ct, int how, struct sluice_error *err)
{
	struct stat st;

	while (flock(ct->dirfd, how) < 0)
		if (errno != EINTR)
			return sluice_err(err, SLUICE_EXIT_SETUP, errno, "lock %s", ct->dir);
	/* Whoever held the lock before may have deleted the container. */
	if (fstat(ct->dirfd, &st) < 0 || st.st_nlink == 0) {
		ct->missing = true;
		return sluice_err(err, SLUICE_EXIT_OCI, 0, "container does not exist");
	}
	ct->owner = st.st_uid;
	return 0;
}

static int make_root(const char *root, struct sluice_error *err)
{
	char buf[PATH_MAX];

	if (snprintf(buf, sizeof(buf), "%s", root) >= (int)sizeof(buf))
		return sluice_err(err, SLUICE_EXIT_USAGE, ENAMETOOLONG, "--root %s", root);
	/* mkdir -p, the state root itself 0700 as runc makes it */
	for (char *p = buf + 1;; p++) {
		bool last = *p == '\0';
		if (*p != '/' && !last)
			continue;
		*p = '\0';
		if (mkdir(buf, last ? 0700 : 0755) < 0 && errno != EEXIST)
			return sluice_err(err, SLUICE_EXIT_SETUP, errno, "state root %s", buf);
		if (last)
			return 0;
		*p = '/';
	}
}

static int dir_path(const struct sluice_oci *o, const char *id, struct oci_container *ct,
		    struct sluice_error *err)
{
	memset(ct, 0, sizeof(*ct));
	ct->o = o;
	ct->dirfd = -1;
	if (sluice_oci_check_id(id, err) < 0)
		return -1;
	if (asprintf(&ct->dir, "%s/%s", o->root, id) < 0 || !ct->dir) {
		ct->dir = NULL;
		sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "state directory");
		return -1;
	}
	return 0;
}

int oci_container_create(const struct sluice_oci *o, const char *id, struct oci_container *ct,
			 struct sluice_error *err)
{
	if (dir_path(o, id, ct, err) < 0 || make_root(o->root, err) < 0)
		return -1;
	if (mkdir(ct->dir, 0700) < 0) {
		if (errno == EEXIST)
			return sluice_err(err, SLUICE_EXIT_OCI, 0,
					  "container with given ID already exists: %s", id);
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "state directory %s", ct->dir);
	}
	ct->dirfd = open(ct->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (ct->dirfd < 0) {
		int e = errno;
		(void)rmdir(ct->dir);
		return sluice_err(err, SLUICE_EXIT_SETUP, e, "state directory %s", ct->dir);
	}
	ct->rec.id = strdup(id);
	if (!ct->rec.id)
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "state");
	return lock_dir(ct, LOCK_EX, err);
}

static int parse_record(struct oci_record *rec, char *buf, size_t len)
{
	size_t off = 0;

	while (off < len) {
		char *k = buf + off, *v = memchr(k, '\0', len - off);
		char *end;
		if (!v || (size_t)(++v - buf) >= len ||
		    !(end = memchr(v, '\0', len - (size_t)(v - buf))))
			return -EBADMSG;
		off = (size_t)(end - buf) + 1;
		char **s = !strcmp(k, "id")	 ? &rec->id :
			   !strcmp(k, "bundle")	 ? &rec->bundle :
			   !strcmp(k, "rootfs")	 ? &rec->rootfs :
			   !strcmp(k, "created") ? &rec->created :
			   !strcmp(k, "cgroup")	 ? &rec->cgroup :
						   NULL;
		if (s) {
			free(*s);
			if (!(*s = strdup(v)))
				return -ENOMEM;
		} else if (!strcmp(k, "pid")) {
			rec->pid = (pid_t)strtol(v, NULL, 10);
		} else if (!strcmp(k, "starttime")) {
			rec->starttime = strtoull(v, NULL, 10);
		} else if (!strcmp(k, "ready")) {
			rec->ready = !strcmp(v, "1");
		} else if (!strcmp(k, "hooks")) {
			rec->hooks = (unsigned int)strtoul(v, NULL, 10);
			rec->hooks_known = true;
		} else if (!strncmp(k, "a.", 2)) {
			if (sluice_strv_push(&rec->annotations, k + 2) < 0 ||
			    sluice_strv_push(&rec->annotations, v) < 0)
				return -ENOMEM;
		}
	}
	return rec->id && rec->bundle && rec->created ? 0 : -EBADMSG;
}

static int read_record(struct oci_container *ct, bool *gone, struct sluice_error *err)
{
	cleanup_close int fd = openat(ct->dirfd, OCI_STATE_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	cleanup_free char *buf = NULL;
	size_t len = 0;
	int r;

	if (fd < 0 && errno == ENOENT) {
		*gone = true;
		return sluice_err(err, SLUICE_EXIT_OCI, 0, "container does not exist");
	}
	if (fd < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "%s/%s", ct->dir, OCI_STATE_FILE);
	r = sluice_read_file_fd(fd, RECORD_MAX, &buf, &len);
	if (r == 0)
		r = parse_record(&ct->rec, buf, len);
	if (r < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -r, "%s/%s: unreadable", ct->dir,
				  OCI_STATE_FILE);
	ct->written = true;
	return 0;
}

int oci_container_open(const struct sluice_oci *o, const char *id, int lock,
		       struct oci_container *ct, bool *gone, struct sluice_error *err)
{
	*gone = false;
	if (dir_path(o, id, ct, err) < 0)
		return -1;
	ct->dirfd = open(ct->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (ct->dirfd < 0 && (errno == ENOENT || errno == ENOTDIR)) {
		ct->missing = true;
		return sluice_err(err, SLUICE_EXIT_OCI, 0, "container does not exist");
	}
	if (ct->dirfd < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "state directory %s", ct->dir);
	if (lock_dir(ct, lock, err) < 0)
		return -1;
	return read_record(ct, gone, err);
}

void oci_record_free(struct oci_record *rec)
{
	free(rec->id);
	free(rec->bundle);
	free(rec->rootfs);
	free(rec->created);
	free(rec->cgroup);
	sluice_strv_free(rec->annotations);
	memset(rec, 0, sizeof(*rec));
}

void oci_container_close(struct oci_container *ct)
{
	sluice_close(ct->dirfd); /* the lock goes with it */
	ct->dirfd = -1;
	free(ct->dir);
	ct->dir = NULL;
	oci_record_free(&ct->rec);
	sluice_cgroup_free(ct->cg);
	ct->cg = NULL;
}

static int put_kv(char **buf, size_t *len, const char *k, const char *v)
{
	size_t kl = strlen(k) + 1, vl = strlen(v ? v : "") + 1;
	char *nb = realloc(*buf, *len + kl + vl);

	if (!nb)
		return -ENOMEM;
	memcpy(nb + *len, k, kl);
	memcpy(nb + *len + kl, v ? v : "", vl);
	*buf = nb;
	*len += kl + vl;
	return 0;
}

/* The new record at the temporary name becomes the record.  Exchanged
 * with the old one (RENAME_EXCHANGE), which is then unlinked, rather than
 * renamed over it: on ext4 a rename that replaces a file forces the
 * allocation of the new file's blocks at once (auto_da_alloc), which the
 * unlink at delete then frees; 0.13 ms a record on this host's ext4 /run,
 * the same on tmpfs (docs/performance.md).  Either way a reader sees the
 * old record or the new one, never a part: the name always holds one. */
static int record_replace(int dirfd, bool exists)
{
	const char *tmp = OCI_STATE_FILE ".tmp";

	if (exists && renameat2(dirfd, tmp, dirfd, OCI_STATE_FILE, RENAME_EXCHANGE) == 0) {
		/* the old record; one left by a crash is emptied by the next
		 * write (O_TRUNC) and removed with the directory */
		(void)unlinkat(dirfd, tmp, 0);
		return 0;
	}
	/* ENOENT: no record after all; EINVAL: a filesystem without exchange */
	if (exists && errno != ENOENT && errno != EINVAL && errno != ENOSYS)
		return -errno;
	return renameat(dirfd, tmp, dirfd, OCI_STATE_FILE) < 0 ? -errno : 0;
}

/* Written whole to a temporary name, then put in the old one's place
 * (record_replace): a reader sees the old record or the new one. */
int oci_record_write(struct oci_container *ct, struct sluice_error *err)
{
	const struct oci_record *rec = &ct->rec;
	cleanup_free char *buf = NULL;
	char pid[24], start[24];
	size_t len = 0;
	int fd, r;

	snprintf(pid, sizeof(pid), "%d", (int)rec->pid);
	snprintf(start, sizeof(start), "%" PRIu64, rec->starttime);
	r = put_kv(&buf, &len, "id", rec->id);
	if (r == 0)
		r = put_kv(&buf, &len, "bundle", rec->bundle);
	if (r == 0)
		r = put_kv(&buf, &len, "rootfs", rec->rootfs);
	if (r == 0)
		r = put_kv(&buf, &len, "created", rec->created);
	if (r == 0)
		r = put_kv(&buf, &len, "pid", pid);
	if (r == 0)
		r = put_kv(&buf, &len, "starttime", start);
	if (r == 0)
		r = put_kv(&buf, &len, "ready", rec->ready ? "1" : "0");
	if (r == 0 && rec->cgroup)
		r = put_kv(&buf, &len, "cgroup", rec->cgroup);
	if (r == 0 && rec->hooks_known) {
		char hooks[16];
		snprintf(hooks, sizeof(hooks), "%u", rec->hooks);
		r = put_kv(&buf, &len, "hooks", hooks);
	}
	for (size_t i = 0;
	     r == 0 && rec->annotations && rec->annotations[i] && rec->annotations[i + 1]; i += 2) {
		cleanup_free char *k = NULL;
		if (asprintf(&k, "a.%s", rec->annotations[i]) < 0) {
			k = NULL;
			r = -ENOMEM;
		} else
			r = put_kv(&buf, &len, k, rec->annotations[i + 1]);
	}
	if (r < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -r, "state");
	const int tmp_flags = O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC;

	fd = openat(ct->dirfd, OCI_STATE_FILE ".tmp", tmp_flags, 0600); /* O_CLOEXEC in tmp_flags */
	if (fd < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "%s/%s.tmp", ct->dir,
				  OCI_STATE_FILE);
	r = sluice_write_all(fd, buf, len);
	sluice_close(fd);
	if (r == 0)
		r = record_replace(ct->dirfd, ct->written);
	if (r < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -r, "%s/%s", ct->dir, OCI_STATE_FILE);
	ct->written = true;
	return 0;
}

/* ---- liveness ---- */

int oci_proc_stat(pid_t pid, uint64_t *starttime, char *state)
{
	char path[32], buf[1024];
	const char *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	sluice_close(fd);
	if (n <= 0)
		return -ESRCH;
	buf[n] = '\0';
	/* the command name may hold anything, spaces and ')' included */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2])
		return -EBADMSG;
	*state = p[2];
	p += 2;
	/* field 3 is the state; the start time is field 22 */
	for (int field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (!p)
			return -EBADMSG;
		p++;
	}
	*starttime = strtoull(p, NULL, 10);
	return 0;
}

static bool init_alive(const struct oci_record *rec)
{
	uint64_t st = 0;
	char state = 0;

	if (rec->pid <= 0 || oci_proc_stat(rec->pid, &st, &state) < 0)
		return false;
	return st == rec->starttime && state != 'Z' && state != 'X';
}

int oci_container_cgroup(struct oci_container *ct, struct sluice_cgroup **cg,
			 struct sluice_error *err)
{
	if (!ct->cg && ct->rec.cgroup && sluice_cgroup_load(ct->rec.cgroup, &ct->cg, err) < 0)
		return -1;
	*cg = ct->cg;
	return 0;
}

static bool frozen(struct oci_container *ct)
{
	struct sluice_error e = { 0 };
	struct sluice_cgroup *cg = NULL;

	return oci_container_cgroup(ct, &cg, &e) == 0 && cg && sluice_cgroup_frozen(cg, &e) == 1;
}

enum oci_status oci_container_status(struct oci_container *ct)
{
	if (!init_alive(&ct->rec))
		return OCI_STOPPED;
	if (!ct->rec.ready)
		return OCI_CREATING;
	if (frozen(ct))
		return OCI_PAUSED;
	if (faccessat(ct->dirfd, OCI_FIFO_FILE, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return OCI_CREATED;
	return OCI_RUNNING;
}

int oci_container_pidfd(const struct oci_container *ct)
{
	int fd;

	if (ct->rec.pid <= 0)
		return -ESRCH;
	fd = sluice_pidfd_open(ct->rec.pid);
	if (fd < 0)
		return fd;
	/* Checked after the open: if the pid was reused before it, the start
	 * time differs; if our process dies after it, the pidfd still names
	 * it and a signal reaches nobody else. */
	if (!init_alive(&ct->rec)) {
		sluice_close(fd);
		return -ESRCH;
	}
	return fd;
}

/* ---- removal ---- */

int oci_container_remove(struct oci_container *ct, struct sluice_error *err)
{
	int fd = openat(ct->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL; /* the DIR owns fd */
	struct dirent *e;

	if (!d) {
		int saved = errno;
		sluice_close(fd);
		return sluice_err(err, SLUICE_EXIT_SETUP, saved, "state directory %s", ct->dir);
	}
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			(void)unlinkat(ct->dirfd, e->d_name, 0);
	closedir(d);
	if (rmdir(ct->dir) < 0 && errno != ENOENT)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "remove %s", ct->dir);
	return 0;
}

bool oci_container_may_have_hook(const struct oci_container *ct, int kind)
{
	return !ct->rec.hooks_known || (ct->rec.hooks & (1U << kind));
}

int oci_container_load_config(const struct oci_container *ct, struct sluice_config *c,
			      struct sluice_error *err)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", ct->dir, OCI_CONFIG_FILE);
	sluice_config_init(c);
	return sluice_config_load_file(c, path, err);
}
