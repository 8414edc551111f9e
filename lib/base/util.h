/* Small helpers used across libsluice: cleanup attributes, fd handling,
 * string vectors.  Internal: not part of the public API. */
#ifndef SLUICE_UTIL_H
#define SLUICE_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* Cleanup attributes: the variable is released when it goes out of scope.
 * Always initialise such variables; hand ownership on with steal_ptr/steal_fd. */
void sluice_freep(void *p);
void sluice_closep(int *fd);
void sluice_strv_freep(char ***v);
#define cleanup_free __attribute__((cleanup(sluice_freep)))
#define cleanup_close __attribute__((cleanup(sluice_closep)))
#define cleanup_strv __attribute__((cleanup(sluice_strv_freep)))

static inline void *steal_ptr_(void **p)
{
	void *v = *p;
	*p = NULL;
	return v;
}
#define steal_ptr(pp) steal_ptr_((void **)(pp))

static inline int steal_fd(int *fd)
{
	int v = *fd;
	*fd = -1;
	return v;
}

/* close() that is never retried on EINTR and keeps errno intact. */
void sluice_close(int fd);

/* write_all: write all of buf, retrying on EINTR and short writes; 0 or
 * -errno.  read_all: read up to len bytes, retrying likewise; the count read
 * (less than len only at EOF) or -errno. */
int sluice_write_all(int fd, const void *buf, size_t len);
ssize_t sluice_read_all(int fd, void *buf, size_t len);

/* The start of a small file (a /proc line) into buf, NUL-terminated: its
 * length, or -errno. */
ssize_t sluice_read_small(const char *path, char *buf, size_t size);

/* Unix sockets: send len bytes of data with fd attached (SCM_RIGHTS, on the
 * first byte), MSG_NOSIGNAL; 0 or -errno.  recv_all: read_all for a socket
 * that may carry fds: the first one received goes to *rights if that is -1
 * (close-on-exec), any other is closed. */
int sluice_send_fd(int sock, const void *data, size_t len, int fd);
ssize_t sluice_recv_all(int sock, void *buf, size_t len, int *rights);

/* Read a whole fd (up to max bytes) into a malloc'd NUL-terminated buffer.
 * read_file_fd: the same for an fd that is usually a regular file (a
 * config, a record, a memfd), whose buffer is then sized once. */
int sluice_read_fd(int fd, size_t max, char **out, size_t *len);
int sluice_read_file_fd(int fd, size_t max, char **out, size_t *len);

/*
 * Numbers and dates in text without scanf, strftime or gmtime_r: their
 * code (the scanf engine, its long-double and float128 conversions, the
 * time-zone machinery) was over 80 KiB of this static binary, all mapped
 * into every process of a start (docs/performance.md).
 *
 * sluice_scan_u64 skips blanks (space, tab, newline), then reads an
 * unsigned number in base 10 or 16 (no sign) and returns the character
 * after it; NULL when no digit follows the blanks or the number does not
 * fit in 64 bits.
 */
const char *sluice_scan_u64(const char *p, int base, uint64_t *out);

/* Whether we are in a user namespace other than the initial one (whose
 * uid_map maps every id to itself); true when /proc cannot tell. */
bool sluice_in_user_namespace(void);

/* Whether id is mapped in our user namespace: inside a range of map
 * ("/proc/self/uid_map" or gid_map).  True when the map cannot be read. */
bool sluice_id_mapped(const char *map, uint32_t id);

/* A signal mask line of /proc/PID/status (field "SigIgn", "SigCgt", ...;
 * pid 0: the calling thread's): 0, or -errno (-ENOENT: no such line). */
int sluice_proc_sigmask(pid_t pid, const char *field, uint64_t *mask);

/* t (seconds since the epoch) as UTC calendar fields: month 1-12. */
struct sluice_utc {
	int64_t year;
	int mon, mday, hour, min, sec;
};
void sluice_utc(int64_t t, struct sluice_utc *u);
/* t as RFC 3339 in UTC, "2026-12-07T09:10:11Z", with nsec (> 0) as a
 * fraction without its trailing zeros, "…:11.25Z", as runc writes times.
 * 32 bytes hold any. */
void sluice_rfc3339(char *buf, size_t len, int64_t sec, long nsec);

/* Write a short string to a file such as /proc/PID/uid_map. Returns 0 or -errno. */
int sluice_write_file(const char *path, const char *text, size_t len);

/* Close every fd in lo..hi (inclusive): close_range, with a /proc/self/fd
 * walk where the kernel lacks it.  sluice_close_from(lo): lo and above. */
void sluice_close_range(unsigned int lo, unsigned int hi);

/* A closed 0, 1 or 2 would be reused by the next open and end up as a
 * child's stdio by accident: each one closed becomes /dev/null (not
 * close-on-exec, since it is meant to be inherited). */
void sluice_ensure_std_fds(void);
void sluice_close_from(unsigned int lo);

/* prctl(PR_SET_DUMPABLE): a process that is not dumpable keeps its
 * /proc/PID/{mem,environ,fd,exe} and ptrace from anyone without
 * CAP_SYS_PTRACE over its user namespace (docs/security.md). */
void sluice_set_dumpable(bool on);

/* strv: NULL-terminated string vectors. */
size_t sluice_strv_len(char *const *v);
void sluice_strv_free(char **v);
char **sluice_strv_dup(char *const *v);		/* NULL on ENOMEM */
int sluice_strv_push(char ***v, const char *s); /* copies s; 0 or -ENOMEM */
/* The value of KEY in an environment ("KEY=VALUE" entries), or NULL. */
const char *sluice_env_get(char *const *env, const char *key);

/* 1 in a build with AddressSanitizer (make asan, make fuzz; gcc or clang),
 * 0 otherwise: the few places that must know test for it. */
#if defined(__SANITIZE_ADDRESS__)
#define SLUICE_HAS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLUICE_HAS_ASAN 1
#endif
#endif
#ifndef SLUICE_HAS_ASAN
#define SLUICE_HAS_ASAN 0
#endif

/* A CPU or NUMA node list as the kernel writes them ("0-3,7"; blanks
 * around items allowed) into a bit set from CPU_ALLOC (an array of
 * unsigned longs, as set_mempolicy takes too), *size its CPU_ALLOC_SIZE;
 * numbers up to max.  0, -EINVAL (not such a list, or empty) or -ENOMEM. */
#include <sched.h>
#define SLUICE_CPU_MAX 8191
#define SLUICE_NODE_MAX 1023
int sluice_bit_list(const char *s, long max, cpu_set_t **set, size_t *size);
/* sched_setaffinity(0) to such a list: 0 or -errno. */
int sluice_set_cpu_affinity(const char *list);

/* xstrdup that tolerates NULL. */
char *sluice_strdup0(const char *s);

/* pidfds: signal and wait on a process without racing pid reuse. */
#include <signal.h>
int sluice_pidfd_open(pid_t pid);			      /* fd or -errno */
int sluice_pidfd_signal(int pidfd, int sig);		      /* 0 or -errno */
int sluice_pidfd_wait(int pidfd, siginfo_t *si, int options); /* 0 or -errno */

/* Exit status of a waited process as a shell reports it: the code, or
 * 128+N for signal N. */
int sluice_wait_status(const siginfo_t *si);

/* For a process that only waits from now on (the PID-1 helper): give back
 * the resident pages of the binary's code and the heap's free memory.
 * Nothing is lost: code pages come back from the page cache on use.
 * sluice_setup_memory_prepare trims the heap and lists the ranges; the
 * drop itself is inline, in the caller's code: what runs after it is
 * faulted back in 16 pages at a time (fault-around), so the fewer places
 * the code returns through, the less comes back. */
struct sluice_mem_range {
	uintptr_t start;
	size_t len;
};
size_t sluice_setup_memory_prepare(struct sluice_mem_range *r, size_t max);
static inline void sluice_release_setup_memory(void)
{
	struct sluice_mem_range r[8];
	size_t n = sluice_setup_memory_prepare(r, sizeof(r) / sizeof(r[0]));

	for (size_t i = 0; i < n; i++)
		(void)madvise((void *)r[i].start, r[i].len, MADV_DONTNEED);
}
#endif
