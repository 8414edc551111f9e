/* Unit tests for lib/base/util.c's text helpers that stand in for scanf
 * and gmtime_r in the static binary: numbers (blanks, bases, limits, what
 * is refused), UTC dates (against the C library's gmtime_r over four
 * centuries either side of the epoch, leap days included), and the signal
 * masks of /proc/PID/status. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
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

int main(void)
{
	test_sigmask();
	test_scan();
	test_utc();
	return done_testing();
}
