/* The compiled-filter cache (seccomp_filter.h, docs/seccomp.md "The
 * cache").
 *
 * libseccomp takes milliseconds to compile a profile of a few hundred
 * rules, more than the rest of a start; the program it writes depends only
 * on the profile, the architecture, the libseccomp version (and the
 * kernel, whose features libseccomp checks).  So each distinct profile is
 * compiled once and its program kept in a file named by a 128-bit hash of
 * that key.  An entry holds the key itself, so a hit is an exact match and
 * never a mere hash collision, and a checksum over key and program, so a
 * damaged entry is noticed and rebuilt.  The hash is a fast one
 * (lib/base/hash.c), not SHA-256: trust comes from the directory's owner
 * and mode, not from the hash, and hashing takes a microsecond, not
 * fifty.  Entries are
 * written to a temporary name and renamed into place: a reader sees a
 * whole entry or none.  They are not fsync'd: after a crash an entry may
 * be damaged, which the checksum catches.
 *
 * Trust: a filter planted by someone else would be loaded into the
 * caller's sandbox, so the directory and each entry must belong to the
 * caller (or root) and be writable by nobody else; anything else is
 * ignored (compiled afresh, not stored). */
#include "seccomp_filter.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "hash.h"
#include "util.h"

/* Bump when what the compiler writes changes for the same key. */
#define CACHE_FORMAT 1
#define ENTRY_MAGIC "SLCBPF\0\1"
/* Past this many entries a store evicts the oldest half. */
#define CACHE_MAX_ENTRIES 256

struct entry_header {
	char magic[8];
	uint32_t key_len;
	uint32_t bpf_len;
	uint64_t sum; /* over key and program, which follow in that order */
};

/* ---- the directory ---- */

static bool trusted(const struct stat *st, uid_t me)
{
	return (st->st_uid == me || st->st_uid == 0) && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

/* mkdir -p, the directories it creates private to the caller. */
static int make_dirs(char *path)
{
	for (char *p = strchr(path + 1, '/');; p = strchr(p + 1, '/')) {
		if (p)
			*p = '\0';
		int r = mkdir(path, 0700);
		if (p)
			*p = '/';
		if (r < 0 && errno != EEXIST)
			return -errno;
		if (!p)
			return 0;
	}
}

/* The helper wipes its environment first thing (docs/security.md): it
 * pins the cache directory the environment names before that. */
static char pinned[PATH_MAX];
static bool is_pinned;

/* The directory's path, or an empty string for no cache. */
static void cache_path(char *buf, size_t len, uid_t me)
{
	const char *env = getenv("SLUICE_CACHE_DIR");
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	int n = -1;

	if (env)
		n = env[0] == '/' ? snprintf(buf, len, "%s/seccomp", env) : -1;
	else if (me == 0)
		n = snprintf(buf, len, "/var/cache/sluice/seccomp");
	else if (xdg && xdg[0] == '/')
		n = snprintf(buf, len, "%s/sluice/seccomp", xdg);
	else if (home && home[0] == '/')
		n = snprintf(buf, len, "%s/.cache/sluice/seccomp", home);
	if (n < 0 || (size_t)n >= len)
		buf[0] = '\0';
}

void sluice_seccomp_cache_pin(void)
{
	cache_path(pinned, sizeof(pinned), geteuid());
	is_pinned = true;
}

/* An fd on the cache directory, or -1 when there is none to trust. */
static int open_cache_dir(uid_t me)
{
	char path[PATH_MAX];
	struct stat st;
	int fd;

	if (is_pinned)
		snprintf(path, sizeof(path), "%s", pinned);
	else
		cache_path(path, sizeof(path), me);
	if (!path[0])
		return -1;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT && make_dirs(path) == 0)
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !trusted(&st, me)) {
		sluice_close(fd);
		return -1;
	}
	return fd;
}

/* ---- the key ---- */

struct key {
	char *text;
	size_t len;
	char name[2 * 8 + 1]; /* its hash in hex: a collision only costs a miss */
};

/* The key: what the program depends on besides the profile, then the
 * profile's canonical bytes. */
static int make_key(const struct sluice_seccomp *s, struct key *k)
{
	const struct scmp_version *v = seccomp_version();
	cleanup_free char *canon = NULL;
	struct utsname u;
	char head[512];
	size_t clen = 0;
	int n;

	if (sluice_seccomp_canonical(s, &canon, &clen) < 0)
		return -ENOMEM;
	/* The kernel is in the key too: libseccomp checks what it supports
	 * while it compiles (crun keys its cache the same way). */
	if (uname(&u) < 0)
		return -errno;
	n = snprintf(head, sizeof(head),
		     "sluice seccomp cache %d\nlibseccomp %u.%u.%u\narch %#x\nkernel %s %s\n",
		     CACHE_FORMAT, v->major, v->minor, v->micro, seccomp_arch_native(), u.release,
		     u.machine);
	if (n < 0 || (size_t)n >= sizeof(head))
		return -EOVERFLOW;
	k->text = malloc((size_t)n + clen);
	if (!k->text)
		return -ENOMEM;
	memcpy(k->text, head, (size_t)n);
	memcpy(k->text + n, canon, clen);
	k->len = (size_t)n + clen;
	snprintf(k->name, sizeof(k->name), "%016llx",
		 (unsigned long long)sluice_hash64(k->text, k->len, 1));
	return 0;
}

/* ---- lookup ---- */

/* The program of a valid entry matching k, or -1 (absent, foreign,
 * damaged, another key). */
static int lookup(int dirfd, uid_t me, const struct key *k, struct sluice_bpf *out)
{
	cleanup_close int fd = openat(dirfd, k->name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	cleanup_free char *buf = NULL;
	struct entry_header h;
	struct stat st;
	size_t len;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !trusted(&st, me) ||
	    st.st_nlink != 1 || (size_t)st.st_size < sizeof(h) ||
	    (size_t)st.st_size > sizeof(h) + k->len + SLUICE_BPF_MAX_LEN)
		return -1;
	len = (size_t)st.st_size;
	buf = malloc(len);
	if (!buf || sluice_read_all(fd, buf, len) != (ssize_t)len)
		return -1;
	memcpy(&h, buf, sizeof(h));
	if (memcmp(h.magic, ENTRY_MAGIC, sizeof(h.magic)) || h.key_len != k->len ||
	    len != sizeof(h) + (size_t)h.key_len + h.bpf_len ||
	    sluice_bpf_check(buf + sizeof(h) + h.key_len, h.bpf_len) < 0 ||
	    sluice_hash64(buf + sizeof(h), len - sizeof(h), 3) != h.sum ||
	    memcmp(buf + sizeof(h), k->text, k->len))
		return -1;
	out->insns = malloc(h.bpf_len);
	if (!out->insns)
		return -1;
	memcpy(out->insns, buf + sizeof(h) + h.key_len, h.bpf_len);
	out->len = h.bpf_len;
	return 0;
}

/* ---- store ---- */

struct old {
	char name[64];
	struct timespec mtime;
};

static int by_mtime(const void *a, const void *b)
{
	const struct timespec *x = &((const struct old *)a)->mtime;
	const struct timespec *y = &((const struct old *)b)->mtime;

	if (x->tv_sec != y->tv_sec)
		return x->tv_sec < y->tv_sec ? -1 : 1;
	return x->tv_nsec < y->tv_nsec ? -1 : x->tv_nsec > y->tv_nsec;
}

/* Keep the directory bounded: past CACHE_MAX_ENTRIES, the older half goes
 * (a kernel update leaves every entry of the old one behind). */
static void evict(int dirfd)
{
	int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct old *list = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;

	if (!d) {
		sluice_close(fd);
		return;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		struct stat st;
		if (de->d_name[0] == '.' || len >= sizeof(list[0].name) ||
		    fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (n == cap) {
			struct old *l = realloc(list, (cap = cap ? 2 * cap : 64) * sizeof(*l));
			if (!l)
				break;
			list = l;
		}
		memcpy(list[n].name, de->d_name, len + 1);
		list[n++].mtime = st.st_mtim;
	}
	closedir(d);
	if (n > CACHE_MAX_ENTRIES) {
		qsort(list, n, sizeof(*list), by_mtime);
		for (size_t i = 0; i < n - CACHE_MAX_ENTRIES / 2; i++)
			(void)unlinkat(dirfd, list[i].name, 0);
	}
	free(list);
}

/* The entry in one buffer, one write: header, key, program. */
static void store(int dirfd, const struct key *k, const struct sluice_bpf *bpf)
{
	struct entry_header h = { .key_len = (uint32_t)k->len, .bpf_len = (uint32_t)bpf->len };
	size_t len = sizeof(h) + k->len + bpf->len;
	char *buf = malloc(len);
	char tmp[64];
	int fd;
	bool ok;

	if (!buf)
		return;
	memcpy(h.magic, ENTRY_MAGIC, sizeof(h.magic));
	memcpy(buf + sizeof(h), k->text, k->len);
	memcpy(buf + sizeof(h) + k->len, bpf->insns, bpf->len);
	h.sum = sluice_hash64(buf + sizeof(h), len - sizeof(h), 3);
	memcpy(buf, &h, sizeof(h));
	evict(dirfd);
	snprintf(tmp, sizeof(tmp), ".tmp.%d.%s", (int)getpid(), k->name);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	ok = fd >= 0 && sluice_write_all(fd, buf, len) == 0;
	free(buf);
	if (fd < 0)
		return;
	sluice_close(fd);
	if (!ok || renameat(dirfd, tmp, dirfd, k->name) < 0)
		(void)unlinkat(dirfd, tmp, 0);
}

int sluice_seccomp_resolve(const struct sluice_seccomp *s, const char *source,
			   struct sluice_bpf *out, struct sluice_error *err)
{
	cleanup_close int dirfd = -1;
	struct key k = { 0 };
	uid_t me = geteuid();
	int r;

	if (sluice_seccomp_check_flags(s, source, err) < 0)
		return -1;
	if (make_key(s, &k) == 0 && k.text) {
		dirfd = open_cache_dir(me);
		if (dirfd >= 0 && lookup(dirfd, me, &k, out) == 0) {
			free(k.text);
			return 0;
		}
	}
	r = sluice_seccomp_check_actions(s, source, err);
	if (r == 0)
		r = sluice_seccomp_compile(s, source, out, err);
	if (r == 0 && dirfd >= 0 && k.text)
		store(dirfd, &k, out);
	free(k.text);
	return r;
}
