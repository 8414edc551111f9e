/* Unit tests for lib/base/util.c's text helpers that stand in for scanf
 * and gmtime_r in the static binary: numbers (blanks, bases, limits, what
 * is refused), UTC dates (against the C library's gmtime_r over four
 * centuries either side of the epoch, leap days included), the signal
 * masks of /proc/PID/status, and reading whole fds (files sized once,
 * pipes grown, the limit). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "passwd.h"
#include "util.h"

static void test_scan(void)
{
	uint64_t v = 7;
	const char *p;

	p = sluice_scan_u64("  42 rest", 10, &v);
	ok(p && v == 42 && !strcmp(p, " rest"), "blanks skipped, the rest after the number");
	p = sluice_scan_u64("\t\n7", 10, &v);
	ok(p && v == 7 && !*p, "tabs and newlines are blanks");
	p = sluice_scan_u64("ff:1", 16, &v);
	ok(p && v == 255 && *p == ':', "hexadecimal");
	p = sluice_scan_u64("18446744073709551615", 10, &v);
	ok(p && v == UINT64_MAX, "the largest 64-bit number");
	ok(!sluice_scan_u64("18446744073709551616", 10, &v), "one more does not fit: refused");
	ok(!sluice_scan_u64("-1", 10, &v), "a sign: refused");
	ok(!sluice_scan_u64("+1", 10, &v), "a plus sign: refused");
	ok(!sluice_scan_u64("", 10, &v), "nothing: refused");
	ok(!sluice_scan_u64("   ", 10, &v), "blanks only: refused");
	ok(!sluice_scan_u64("x1", 10, &v), "a letter first: refused");
	ok(!sluice_scan_u64("g", 16, &v), "not a hexadecimal digit: refused");
	p = sluice_scan_u64("0000000000000000000012", 10, &v);
	ok(p && v == 12, "leading zeros");
}

static void test_utc(void)
{
	/* every day from 1600 to 2400, at a time of day that varies */
	int bad = 0;

	for (int64_t day = -135140; day <= 157024 && bad < 5; day++) {
		int64_t t = day * 86400 + (day * 7919) % 86400;
		time_t tt = (time_t)t;
		struct tm want;
		struct sluice_utc got;

		gmtime_r(&tt, &want);
		sluice_utc(t, &got);
		if (got.year != want.tm_year + 1900 || got.mon != want.tm_mon + 1 ||
		    got.mday != want.tm_mday || got.hour != want.tm_hour ||
		    got.min != want.tm_min || got.sec != want.tm_sec) {
			diag("t=%lld: got %lld-%d-%d %d:%d:%d", (long long)t, (long long)got.year,
			     got.mon, got.mday, got.hour, got.min, got.sec);
			bad++;
		}
	}
	is_int(bad, 0, "sluice_utc agrees with gmtime_r on every day of 1600-2400");

	struct sluice_utc u;
	sluice_utc(951782400, &u); /* 2000-02-29 00:00:00 */
	ok(u.year == 2000 && u.mon == 2 && u.mday == 29 && !u.hour, "2000-02-29, a leap day");
	sluice_utc(-1, &u);
	ok(u.year == 1969 && u.mon == 12 && u.mday == 31 && u.hour == 23 && u.min == 59 &&
		   u.sec == 59,
	   "one second before the epoch");
}

static void test_sigmask(void)
{
	uint64_t mask = 0;

	signal(SIGUSR2, SIG_IGN);
	is_int(sluice_proc_sigmask(0, "SigIgn", &mask), 0, "SigIgn of this thread");
	ok(mask >> (SIGUSR2 - 1) & 1, "SIGUSR2, ignored, is in it");
	signal(SIGUSR2, SIG_DFL);
	is_int(sluice_proc_sigmask(getpid(), "SigIgn", &mask), 0, "SigIgn of this process by pid");
	ok(!(mask >> (SIGUSR2 - 1) & 1), "SIGUSR2 back to the default is not");
	is_int(sluice_proc_sigmask(0, "SigNone", &mask), -ENOENT, "no such line: -ENOENT");
	is_int(sluice_proc_sigmask(0x3ffffe, "SigIgn", &mask), -ENOENT, "no such process: -ENOENT");
}

/* 10000 bytes, so a pipe's 4096-byte first buffer must grow. */
static void fill(char *text, size_t n)
{
	for (size_t i = 0; i < n; i++)
		text[i] = (char)('a' + i % 26);
}

static void test_read_fd(void)
{
	static char text[10000];
	char path[] = "/tmp/sluice-test-read-XXXXXX";
	char *buf = NULL;
	size_t len = 0;
	int fd = mkstemp(path), p[2];

	fill(text, sizeof(text));
	ok(fd >= 0 && write(fd, text, sizeof(text)) == (ssize_t)sizeof(text), "a file written");
	lseek(fd, 0, SEEK_SET);
	is_int(sluice_read_file_fd(fd, 1 << 20, &buf, &len), 0, "a regular file read");
	ok(len == sizeof(text) && !memcmp(buf, text, len) && !buf[len], "whole, NUL-terminated");
	free(buf);
	lseek(fd, 0, SEEK_SET);
	is_int(sluice_read_file_fd(fd, sizeof(text) - 1, &buf, &len), -EFBIG,
	       "a byte over the limit: -EFBIG");
	lseek(fd, 0, SEEK_SET);
	is_int(sluice_read_file_fd(fd, sizeof(text), &buf, &len), 0, "exactly the limit: read");
	free(buf);
	close(fd);
	unlink(path);

	ok(pipe(p) == 0 && write(p[1], text, sizeof(text)) == (ssize_t)sizeof(text), "a pipe");
	close(p[1]);
	is_int(sluice_read_fd(p[0], 1 << 20, &buf, &len), 0, "a pipe read");
	ok(len == sizeof(text) && !memcmp(buf, text, len) && !buf[len], "whole, past 4096 bytes");
	free(buf);
	close(p[0]);
	ok(pipe(p) == 0 && write(p[1], text, sizeof(text)) == (ssize_t)sizeof(text), "again");
	close(p[1]);
	is_int(sluice_read_file_fd(p[0], 5000, &buf, &len), -EFBIG,
	       "a pipe through read_file_fd, over its limit: -EFBIG");
	close(p[0]);
}

static void test_rfc3339(void)
{
	char buf[40];

	sluice_rfc3339(buf, sizeof(buf), 0, 0);
	is_str(buf, "1970-01-01T00:00:00Z", "the epoch, no fraction");
	sluice_rfc3339(buf, sizeof(buf), 1796634611, 250000000);
	is_str(buf, "2026-12-07T09:10:11.25Z", "a fraction without its trailing zeros");
	sluice_rfc3339(buf, sizeof(buf), 1796634611, 1);
	is_str(buf, "2026-12-07T09:10:11.000000001Z", "a nanosecond");
	sluice_rfc3339(buf, sizeof(buf), 951782400, 999999999);
	is_str(buf, "2000-02-29T00:00:00.999999999Z", "a leap day, the longest fraction");
	sluice_rfc3339(buf, sizeof(buf), 5, 1000000000L);
	is_str(buf, "1970-01-01T00:00:05Z", "a nanosecond count out of range: no fraction");
}

/* The CPUs of a list, as "0 1 5" (or the error number). */
static const char *cpus_of(const char *list, char *buf, size_t len)
{
	cpu_set_t *set = NULL;
	size_t size = 0, at = 0;
	int r = sluice_bit_list(list, SLUICE_CPU_MAX, &set, &size);

	buf[0] = '\0';
	if (r < 0) {
		snprintf(buf, len, "%d", r);
		return buf;
	}
	for (size_t cpu = 0; cpu < size * 8; cpu++)
		if (CPU_ISSET_S(cpu, size, set))
			at += (size_t)snprintf(buf + at, len - at, "%s%zu", at ? " " : "", cpu);
	CPU_FREE(set);
	return buf;
}

static void test_cpu_list(void)
{
	char buf[128];

	is_str(cpus_of("0-3,7", buf, sizeof(buf)), "0 1 2 3 7", "a range and a CPU");
	is_str(cpus_of(" 5 , 1-2 ", buf, sizeof(buf)), "1 2 5", "blanks around items, any order");
	is_str(cpus_of("8191", buf, sizeof(buf)), "8191", "the highest CPU");
	is_str(cpus_of("8192", buf, sizeof(buf)), "-22", "one too high");
	is_str(cpus_of("", buf, sizeof(buf)), "-22", "empty");
	is_str(cpus_of("3-1", buf, sizeof(buf)), "-22", "a backwards range");
	is_str(cpus_of("1,", buf, sizeof(buf)), "-22", "a trailing comma");
	is_str(cpus_of("1-", buf, sizeof(buf)), "-22", "an open range");
	is_str(cpus_of("-1", buf, sizeof(buf)), "-22", "a negative CPU");
	is_str(cpus_of("0x1", buf, sizeof(buf)), "-22", "hexadecimal");
	is_str(cpus_of("99999999999999999999", buf, sizeof(buf)), "-22", "beyond a long");
}

static void test_read_small(void)
{
	char buf[8];

	ok(sluice_read_small("/proc/self/setgroups", buf, sizeof(buf)) > 0 &&
		   !strncmp(buf, "allow", 5),
	   "read_small: a /proc line");
	is_int((int)sluice_read_small("/proc/self/status", buf, sizeof(buf)), 7,
	       "read_small: cut at the buffer, NUL-terminated");
	is_int((int)strlen(buf), 7, "read_small: the string");
	is_int((int)sluice_read_small("/no/such/file", buf, sizeof(buf)), -ENOENT,
	       "read_small: -errno");
	is_str(buf, "", "read_small: empty on failure");
	{
		unsigned long long x = 1, y = 1, n = 0;
		FILE *f = fopen("/proc/self/uid_map", "re");
		bool initial = f && fscanf(f, "%llu %llu %llu", &x, &y, &n) == 3 && !x && !y &&
			       n == 4294967295ULL;
		if (f)
			fclose(f);
		ok(sluice_in_user_namespace() == !initial,
		   "in_user_namespace: as /proc/self/uid_map says");
	}
	ok(sluice_id_mapped("/no/such/map", 7), "id_mapped: an unreadable map says yes");
	{
		char path[] = "/tmp/sluice-test-map.XXXXXX";
		int fd = mkstemp(path);
		const char *map =
			"         0       1000          1\n       100     200000      65536\n";
		ok(fd >= 0 && write(fd, map, strlen(map)) == (ssize_t)strlen(map),
		   "id_mapped: a map");
		ok(sluice_id_mapped(path, 0) && !sluice_id_mapped(path, 1) &&
			   sluice_id_mapped(path, 100) && sluice_id_mapped(path, 65635) &&
			   !sluice_id_mapped(path, 65636) && !sluice_id_mapped(path, 99),
		   "id_mapped: inside each range, and only there");
		if (fd >= 0)
			close(fd);
		unlink(path);
	}
}

/* Writes TEXT to a new temporary file whose name goes to path. */
static void temp_file(char *path, const char *text)
{
	int fd = mkstemp(path);

	ok(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text), "passwd: a file");
	if (fd >= 0)
		close(fd);
}

static void test_passwd(void)
{
	char path[] = "/tmp/sluice-test-passwd.XXXXXX", fifo[64], buf[64], *big;
	size_t n = 3 * 4096;

	temp_file(path, "root:x:0:0:root:/root:/bin/sh\n"
			"short:x:7\n"
			"nohome:x:8:8:gecos\n"
			"bad:x:9x:9::/bad:/bin/sh\n"
			"neg:x:-1:1::/neg:/bin/sh\n"
			"empty:x:10:10:::/bin/sh\n"
			"first:x:11:11::/first:/bin/sh\n"
			"second:x:11:11::/second:/bin/sh\n"
			"last:x:12:12::/last");
	strcpy(buf, "untouched");
	is_int(sluice_passwd_field(path, 0, SLUICE_PW_DIR, buf, sizeof(buf)), 1, "passwd: root");
	is_str(buf, "/root", "passwd: root's home");
	sluice_passwd_field(path, 0, SLUICE_PW_NAME, buf, sizeof(buf));
	is_str(buf, "root", "passwd: root's name");
	strcpy(buf, "untouched");
	ok(sluice_passwd_field(path, 7, SLUICE_PW_DIR, buf, sizeof(buf)) == 0 &&
		   sluice_passwd_field(path, 8, SLUICE_PW_DIR, buf, sizeof(buf)) == 0 &&
		   !strcmp(buf, "untouched"),
	   "passwd: a line without the field asked for is no match, buf untouched");
	is_int(sluice_passwd_field(path, 7, SLUICE_PW_NAME, buf, sizeof(buf)), 1,
	       "passwd: the name of a short line");
	ok(sluice_passwd_field(path, 9, SLUICE_PW_DIR, buf, sizeof(buf)) == 0 &&
		   sluice_passwd_field(path, (uid_t)-1, SLUICE_PW_DIR, buf, sizeof(buf)) == 0,
	   "passwd: a uid with junk or a sign is no match");
	ok(sluice_passwd_field(path, 10, SLUICE_PW_DIR, buf, sizeof(buf)) == 1 && !buf[0],
	   "passwd: an empty home is found empty");
	sluice_passwd_field(path, 11, SLUICE_PW_DIR, buf, sizeof(buf));
	is_str(buf, "/first", "passwd: the first entry of a uid");
	ok(sluice_passwd_field(path, 12, SLUICE_PW_DIR, buf, sizeof(buf)) == 1 &&
		   !strcmp(buf, "/last"),
	   "passwd: the last line without a newline");
	unlink(path);

	big = malloc(n + 200);
	if (!big)
		return;
	memset(big, 'x', n);
	memcpy(big, "long:x:13:13::", 14);
	strcpy(big + n, "\nafter:x:13:13::/after:/bin/sh\n");
	strcpy(path + strlen(path) - 6, "XXXXXX");
	temp_file(path, big);
	sluice_passwd_field(path, 13, SLUICE_PW_DIR, buf, sizeof(buf));
	is_str(buf, "/after", "passwd: a line over a page is skipped, the next one read");
	unlink(path);
	free(big);

	is_int(sluice_passwd_field("/no/such/passwd", 0, SLUICE_PW_DIR, buf, sizeof(buf)), -ENOENT,
	       "passwd: a missing file: -ENOENT");
	snprintf(fifo, sizeof(fifo), "/tmp/sluice-test-fifo.%d", (int)getpid());
	ok(mkfifo(fifo, 0600) == 0, "passwd: a FIFO");
	is_int(sluice_passwd_field(fifo, 0, SLUICE_PW_DIR, buf, sizeof(buf)), -EINVAL,
	       "passwd: a FIFO is refused without blocking");
	unlink(fifo);
}

int main(void)
{
	test_cpu_list();
	test_rfc3339();
	test_read_fd();
	test_sigmask();
	test_scan();
	test_utc();
	test_read_small();
	test_passwd();
	return done_testing();
}
