/* Cleanup helpers, fd helpers and string vectors. */
#include "util.h"

#include "hardening.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <link.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

void sluice_freep(void *p)
{
	free(*(void **)p);
}

void sluice_close(int fd)
{
	int saved = errno;

	/* Never retry: on Linux the fd is gone even when close reports EINTR. */
	if (fd >= 0)
		(void)close(fd);
	errno = saved;
}

void sluice_closep(int *fd)
{
	sluice_close(*fd);
	*fd = -1;
}

void sluice_strv_freep(char ***v)
{
	sluice_strv_free(*v);
	*v = NULL;
}

int sluice_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t sluice_read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int sluice_send_fd(int sock, const void *data, size_t len, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm;
	ssize_t n;

	memset(&u, 0, sizeof(u));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* A stream socket may take part of it; the fd went with the first
	 * byte, the rest follows as plain data. */
	if ((size_t)n < len)
		return sluice_write_all(sock, (const char *)data + n, len - (size_t)n);
	return 0;
}

/* Keep the first fd that SCM_RIGHTS brings (in *rights, if it is -1), close
 * every other one: a peer must not be able to fill our table. */
static void take_rights(struct msghdr *msg, int *rights)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
		size_t n;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (*rights < 0)
				*rights = fd;
			else
				sluice_close(fd);
		}
	}
}

ssize_t sluice_recv_all(int sock, void *buf, size_t len, int *rights)
{
	char *p = buf;
	size_t got = 0;

	while (got < len) {
		union {
			char buf[CMSG_SPACE(4 * sizeof(int))];
			struct cmsghdr align;
		} u;
		struct iovec iov = { .iov_base = p + got, .iov_len = len - got };
		struct msghdr msg = { .msg_iov = &iov,
				      .msg_iovlen = 1,
				      .msg_control = u.buf,
				      .msg_controllen = sizeof(u.buf) };
		ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		take_rights(&msg, rights);
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static int read_fd(int fd, size_t max, size_t cap, char **out, size_t *len)
{
	size_t used = 0;
	char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;
		if (used + 1 >= cap) {
			char *nbuf;
			if (cap >= max + 1) {
				free(buf);
				return -EFBIG;
			}
			cap *= 2;
			nbuf = realloc(buf, cap);
			if (!nbuf) {
				free(buf);
				return -ENOMEM;
			}
			buf = nbuf;
		}
		n = read(fd, buf + used, cap - used - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			free(buf);
			return (int)n;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	if (used > max) {
		free(buf);
		return -EFBIG;
	}
	buf[used] = '\0';
	*out = buf;
	*len = used;
	return 0;
}

int sluice_read_fd(int fd, size_t max, char **out, size_t *len)
{
	return read_fd(fd, max, 4096, out, len);
}

/* A regular file's buffer is sized once from its length (plus the byte
 * that finds EOF and the NUL): growing one by doubling touches, and
 * copies through, pages that a start pays a fault for each.  Not for
 * pipes, /proc or cgroupfs, whose length says nothing: one fstat less. */
int sluice_read_file_fd(int fd, size_t max, char **out, size_t *len)
{
	struct stat st;
	size_t cap = 4096;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uintmax_t)st.st_size < max)
		cap = (size_t)st.st_size + 2;
	return read_fd(fd, max, cap, out, len);
}

int sluice_write_file(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -errno;
	r = sluice_write_all(fd, text, len);
	if (r == 0 && close(fd) < 0)
		return -errno;
	if (r < 0)
		sluice_close(fd);
	return r;
}

static void close_proc_fallback(unsigned int lo, unsigned int hi)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;

	if (!d) {
		for (unsigned int fd = lo; fd <= hi && fd < 65536; fd++)
			(void)close((int)fd);
		return;
	}
	while ((de = readdir(d))) {
		char *end;
		unsigned long fd = strtoul(de->d_name, &end, 10);
		if (*end || end == de->d_name || fd < lo || fd > hi || (int)fd == dirfd(d))
			continue;
		(void)close((int)fd);
	}
	closedir(d);
}

/* Belt and braces: every fd sluice opens is already O_CLOEXEC, but whatever
 * we inherited or a library opened without the flag is caught here. */
void sluice_close_range(unsigned int lo, unsigned int hi)
{
	if (lo > hi)
		return;
	if (syscall(SYS_close_range, lo, hi, 0U) < 0)
		close_proc_fallback(lo, hi);
}

void sluice_close_from(unsigned int lo)
{
	sluice_close_range(lo, UINT_MAX);
}

void sluice_set_dumpable(bool on)
{
	if (!SLUICE_HARDENED)
		return;
	(void)prctl(PR_SET_DUMPABLE, on ? 1 : 0, 0, 0, 0);
}

size_t sluice_strv_len(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

void sluice_strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

char **sluice_strv_dup(char *const *v)
{
	size_t n = sluice_strv_len(v);
	char **r = calloc(n + 1, sizeof(*r));

	if (!r)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		r[i] = strdup(v[i]);
		if (!r[i]) {
			sluice_strv_free(r);
			return NULL;
		}
	}
	return r;
}

int sluice_strv_push(char ***v, const char *s)
{
	size_t n = sluice_strv_len(*v);
	char *copy = strdup(s);
	char **nv;

	if (!copy)
		return -ENOMEM;
	nv = realloc(*v, (n + 2) * sizeof(*nv));
	if (!nv) {
		free(copy);
		return -ENOMEM;
	}
	nv[n] = copy;
	nv[n + 1] = NULL;
	*v = nv;
	return 0;
}

const char *sluice_env_get(char *const *env, const char *key)
{
	size_t k = strlen(key);

	for (size_t i = 0; env && env[i]; i++)
		if (strncmp(env[i], key, k) == 0 && env[i][k] == '=')
			return env[i] + k + 1;
	return NULL;
}

char *sluice_strdup0(const char *s)
{
	return s ? strdup(s) : NULL;
}

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

int sluice_pidfd_open(pid_t pid)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	return fd < 0 ? -errno : fd;
}

int sluice_pidfd_signal(int pidfd, int sig)
{
	return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 ? -errno : 0;
}

int sluice_pidfd_wait(int pidfd, siginfo_t *si, int options)
{
	memset(si, 0, sizeof(*si));
	while (waitid((idtype_t)P_PIDFD, (id_t)pidfd, si, options) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

int sluice_wait_status(const siginfo_t *si)
{
	if (si->si_code == CLD_EXITED)
		return si->si_status & 0xff;
	return 128 + si->si_status;
}

/* Called once setup is over by a sluice process that then waits for the
 * sandbox's lifetime (the PID-1 helper).  Fault-around made nearly all of
 * the binary's code resident during setup; the waiting loop needs a few
 * pages of it.  Dropping the page-table entries of the segments that are
 * never written (code, read-only data; not RELRO, which is in a writable
 * segment and holds relocated pointers) only unmaps clean copies of the
 * file: the kernel faults back in, from the page cache, whatever the loop
 * touches.  Whole pages inside each segment only, so a page shared with a
 * writable segment is never dropped.  Then the heap's free pages go back. */
static bool has_text_relocations(const struct dl_phdr_info *info)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Dyn) * d;

		if (info->dlpi_phdr[i].p_type != PT_DYNAMIC)
			continue;
		d = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
		for (; d->d_tag != DT_NULL; d++)
			if (d->d_tag == DT_TEXTREL ||
			    (d->d_tag == DT_FLAGS && (d->d_un.d_val & DF_TEXTREL)))
				return true;
	}
	return false;
}

struct ranges {
	struct sluice_mem_range *r;
	size_t n, max;
};

static int list_readonly_segments(struct dl_phdr_info *info, size_t size, void *data)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	struct ranges *out = data;

	(void)size;
	/* Code patched by relocations is no longer a copy of the file. */
	if (has_text_relocations(info))
		return 1;
	for (int i = 0; i < info->dlpi_phnum && out->n < out->max; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t start = info->dlpi_addr + ph->p_vaddr, end = start + ph->p_memsz;

		if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W))
			continue;
		start = (start + page - 1) & ~(page - 1);
		end &= ~(page - 1);
		if (end > start)
			out->r[out->n++] = (struct sluice_mem_range){ start, end - start };
	}
	return 1; /* the executable is listed first; libraries are left alone */
}

/* The heap first: malloc_trim's code must not run after the drop. */
size_t sluice_setup_memory_prepare(struct sluice_mem_range *r, size_t max)
{
	struct ranges out = { r, 0, max };

	(void)malloc_trim(0);
	(void)dl_iterate_phdr(list_readonly_segments, &out);
	return out.n;
}

void sluice_ensure_std_fds(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
			/* becomes fd 0, 1 or 2: meant to be inherited */
			int n = open("/dev/null", O_RDWR); /* no O_CLOEXEC */
			if (n >= 0 && n != fd) {
				dup2(n, fd);
				close(n);
			}
		}
}

const char *sluice_scan_u64(const char *p, int base, uint64_t *out)
{
	char *end;
	unsigned long long v;

	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (!(base == 16 ? isxdigit((unsigned char)*p) : isdigit((unsigned char)*p)))
		return NULL;
	errno = 0;
	v = strtoull(p, &end, base);
	if (errno == ERANGE || end == p)
		return NULL;
	*out = (uint64_t)v;
	return end;
}

int sluice_proc_sigmask(pid_t pid, const char *field, uint64_t *mask)
{
	char path[64], needle[32], buf[4096];
	const char *line;
	ssize_t n;
	int fd, e;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/thread-self/status");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* the signal lines come long before the first 4 KiB are out */
	n = read(fd, buf, sizeof(buf) - 1);
	e = errno;
	sluice_close(fd);
	if (n < 0)
		return -e;
	buf[n] = '\0';
	snprintf(needle, sizeof(needle), "\n%s:", field);
	line = strstr(buf, needle);
	if (!line || !sluice_scan_u64(line + strlen(needle), 16, mask))
		return -ENOENT;
	return 0;
}

/* Days since 1970-01-01 to a proleptic Gregorian date, in 400-year eras
 * of 146097 days, from March (Howard Hinnant's civil_from_days). */
void sluice_utc(int64_t t, struct sluice_utc *u)
{
	int64_t days = t / 86400, secs = t % 86400, era, doe, yoe, doy, mp;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	u->mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	u->mon = (int)(mp < 10 ? mp + 3 : mp - 9);
	u->year = yoe + era * 400 + (u->mon <= 2);
	u->hour = (int)(secs / 3600);
	u->min = (int)(secs / 60 % 60);
	u->sec = (int)(secs % 60);
}

void sluice_rfc3339(char *buf, size_t len, int64_t sec, long nsec)
{
	struct sluice_utc u;
	char frac[16] = "";

	sluice_utc(sec, &u);
	if (nsec > 0 && nsec < 1000000000L) {
		size_t n = (size_t)snprintf(frac, sizeof(frac), ".%09ld", nsec);
		while (frac[n - 1] == '0')
			frac[--n] = '\0';
	}
	snprintf(buf, len, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02d%sZ", u.year, u.mon, u.mday,
		 u.hour, u.min, u.sec, frac);
}

/* One item of a list: N or N-M, N <= M <= max. */
static int list_range(const char **p, long max, long *lo, long *hi)
{
	char *end;

	while (**p == ' ' || **p == '\t')
		(*p)++;
	if (**p < '0' || **p > '9')
		return -EINVAL;
	*lo = *hi = strtol(*p, &end, 10);
	if (*end == '-') {
		if (end[1] < '0' || end[1] > '9')
			return -EINVAL;
		*hi = strtol(end + 1, &end, 10);
	}
	while (*end == ' ' || *end == '\t')
		end++;
	*p = end;
	return *lo > *hi || *hi > max ? -EINVAL : 0;
}

int sluice_bit_list(const char *s, long max, cpu_set_t **set, size_t *size)
{
	const char *p = s;
	long lo, hi, top = -1;

	/* twice: the highest number sizes the set, then the set is filled */
	for (int pass = 0; pass < 2; pass++) {
		for (p = s;;) {
			if (list_range(&p, max, &lo, &hi) < 0)
				return -EINVAL;
			if (pass == 0 && hi > top)
				top = hi;
			for (long cpu = lo; pass == 1 && cpu <= hi; cpu++)
				CPU_SET_S((size_t)cpu, *size, *set);
			if (*p == '\0')
				break;
			if (*p++ != ',')
				return -EINVAL;
		}
		if (pass == 0) {
			*set = CPU_ALLOC((size_t)top + 1);
			if (!*set)
				return -ENOMEM;
			*size = CPU_ALLOC_SIZE((size_t)top + 1);
			CPU_ZERO_S(*size, *set);
		}
	}
	return 0;
}

int sluice_set_cpu_affinity(const char *list)
{
	cpu_set_t *set = NULL;
	size_t size = 0;
	int r = sluice_bit_list(list, SLUICE_CPU_MAX, &set, &size);

	if (r == 0 && sched_setaffinity(0, size, set) < 0)
		r = -errno;
	CPU_FREE(set);
	return r;
}

ssize_t sluice_read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	buf[0] = '\0';
	if (fd < 0)
		return -errno;
	n = sluice_read_all(fd, buf, size - 1);
	sluice_close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* The initial user namespace maps every id to itself. */
bool sluice_in_user_namespace(void)
{
	char buf[128];
	uint64_t a, b, n;
	const char *p = buf;
	ssize_t len = sluice_read_small("/proc/self/uid_map", buf, sizeof(buf));

	if (len <= 0 || !(p = sluice_scan_u64(p, 10, &a)) || !(p = sluice_scan_u64(p, 10, &b)) ||
	    !sluice_scan_u64(p, 10, &n))
		return true;
	return !(a == 0 && b == 0 && n == 4294967295UL);
}

bool sluice_id_mapped(const char *map, uint32_t id)
{
	char buf[4096];
	const char *p = buf;
	uint64_t inside, outside, n;

	if (sluice_read_small(map, buf, sizeof(buf)) <= 0)
		return true;
	while ((p = sluice_scan_u64(p, 10, &inside)) && (p = sluice_scan_u64(p, 10, &outside)) &&
	       (p = sluice_scan_u64(p, 10, &n)))
		if (id >= inside && id - inside < n)
			return true;
	return false;
}
