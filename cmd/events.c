/* sluice events [--stats] [--interval D] ID: the container's events as
 * runc prints them, one JSON object per line: a stats event every
 * interval (default 5s) and an oom event when the kernel's OOM killer
 * acts; --stats prints one stats event and exits.  The stream ends when
 * the container stops. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "error.h"
#include "oci_cmd.h"
#include "util.h"

struct events_opts {
	bool stats;
	const char *interval;
};

static const struct flag events_flags[] = {
	FLAG("stats", 0, FLAG_BOOL, struct events_opts, stats, NULL,
	     "print the container's statistics once and exit"),
	FLAG("interval", 0, FLAG_STRING, struct events_opts, interval, "DURATION",
	     "time between stats events (Go's syntax: 5s, 500ms, 1m; default 5s)"),
};

static const struct command events_cmd = {
	.name = "events",
	.args = "<container-id>",
	.summary = "print a container's stats and OOM events as JSON lines",
	.flags = events_flags,
	.n_flags = sizeof(events_flags) / sizeof(events_flags[0]),
	.min_args = 1,
	.max_args = 1,
};

/* A Go duration ("1.5s", "500ms", "2m", "1h") in milliseconds, > 0. */
static int parse_duration(const char *s, long *ms, struct sluice_error *err)
{
	static const struct {
		const char *unit;
		double ms;
	} units[] = { { "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 } };
	char *end;
	double v = strtod(s, &end);

	for (size_t i = 0; end != s && i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(end, units[i].unit) && v * units[i].ms >= 1 &&
		    v * units[i].ms < 86400000.0 * 365) {
			*ms = (long)(v * units[i].ms);
			return 0;
		}
	return sluice_err(err, SLUICE_EXIT_USAGE, 0,
			  "--interval %s: expected a duration such as 5s, 500ms or 1m", s);
}

static int print_stats(struct sluice_oci *o, const char *id, struct sluice_error *err)
{
	cleanup_free char *line = NULL;

	if (sluice_oci_stats_event(o, id, &line, err) < 0)
		return -1;
	printf("%s\n", line);
	return fflush(stdout) == 0 ? 0 : sluice_err(err, SLUICE_EXIT_SETUP, errno, "stdout");
}

/* Until the container stops: stats every interval, oom when it happens. */
static int stream(struct sluice_oci *o, const char *id, long ms, struct sluice_error *err)
{
	cleanup_close int oom = sluice_oci_oom_fd(o, id, err);
	struct sluice_error gone = { 0 };

	if (oom < 0)
		return -1;
	for (;;) {
		struct pollfd p = { .fd = oom, .events = POLLIN };
		char buf[4096];
		int n = poll(&p, 1, (int)(ms > 0x7fffffff ? 0x7fffffff : ms));
		if (n < 0 && errno != EINTR)
			return sluice_err(err, SLUICE_EXIT_SETUP, errno, "poll");
		if (n > 0 && (p.revents & POLLIN)) {
			(void)!read(oom, buf, sizeof(buf));
			printf("{\"type\":\"oom\",\"id\":\"%s\"}\n", id);
			fflush(stdout);
		}
		if (n == 0 && print_stats(o, id, &gone) < 0)
			return 0; /* stopped or deleted: the stream ends */
	}
}

static int events(struct sluice_oci *o, void *opts, char **args, int nargs, struct sluice_error *err)
{
	struct events_opts *e = opts;
	long ms = 5000;

	(void)nargs;
	if (e->interval && parse_duration(e->interval, &ms, err) < 0)
		return -1;
	if (e->stats)
		return print_stats(o, args[0], err);
	if (print_stats(o, args[0], err) < 0)
		return -1;
	return stream(o, args[0], ms, err);
}

int cmd_events(int argc, char **argv)
{
	struct events_opts opts = { 0 };

	return oci_command(&events_cmd, argc, argv, &opts, events);
}
