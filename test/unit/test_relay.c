/* lib/launch/stdio_relay.c: what the workload gets on 0/1/2 (prepare) and the relay.
 *
 * Relay tests run a "host" process that plays the sluice parent: its own
 * fd 0/1 are set up by the test (a pipe, a pty, a socket, a file), it
 * prepares the streams, forks a workload that dup2()s the child ends the
 * way the launcher does, and relays with sluice_relay_*.  The test process
 * is the outside world: it feeds the host's stdin or reads its stdout
 * (slowly, or closing early), and checks what arrived against a
 * position-dependent pattern.  The host reports what it saw of the relay
 * (buffer use, RSS, fd flags) through a pipe. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "stdio_relay.h"
#include "tap.h"
#include "util.h"

/* ---- helpers --------------------------------------------------------- */

#define MiB (1024 * 1024)

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
static bool on_valgrind(void)
{
	return RUNNING_ON_VALGRIND;
}
#else
static bool on_valgrind(void)
{
	return false;
}
#endif
#define EXIT_GOT_EPIPE 42

static uint64_t splitmix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Byte pos of the stream: any loss, duplication or reordering shows. */
static uint8_t pattern_byte(uint64_t pos)
{
	return (uint8_t)(splitmix(pos >> 3) >> ((pos & 7) * 8));
}

static void pattern_fill(uint8_t *b, uint64_t pos, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[i] = pattern_byte(pos + i);
}

static uint64_t fnv1a(uint64_t h, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

#define FNV_INIT 0xcbf29ce484222325ULL

static uint64_t pattern_fnv(uint64_t len)
{
	uint8_t b[4096];
	uint64_t h = FNV_INIT;

	for (uint64_t pos = 0; pos < len; pos += sizeof(b)) {
		size_t n = len - pos < sizeof(b) ? (size_t)(len - pos) : sizeof(b);
		pattern_fill(b, pos, n);
		h = fnv1a(h, b, n);
	}
	return h;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void close_from(int lo, int keep)
{
	if (keep >= lo) {
		if (keep > lo)
			syscall(SYS_close_range, lo, keep - 1, 0);
		syscall(SYS_close_range, keep + 1, ~0U, 0);
	} else {
		syscall(SYS_close_range, lo, ~0U, 0);
	}
}

static int count_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

static bool is_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	return fl >= 0 && (fl & FD_CLOEXEC);
}

/* Anonymous memory only: a forked child faults in shared library pages on
 * first use, which says nothing about the relay's buffers. */
static long rss_anon_kb(void)
{
	char buf[4096];
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	char *p;

	if (fd < 0)
		return -1;
	n = sluice_read_all(fd, buf, sizeof(buf) - 1);
	sluice_close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "RssAnon:");
	return p ? strtol(p + 8, NULL, 10) : -1;
}

static void config_modes(struct sluice_config *c, enum sluice_stdio_mode m0,
			 enum sluice_stdio_mode m1, enum sluice_stdio_mode m2)
{
	memset(c, 0, sizeof(*c));
	c->sluice.stdio[0].mode = m0;
	c->sluice.stdio[1].mode = m1;
	c->sluice.stdio[2].mode = m2;
}

/* ---- the workload (child of the host) --------------------------------- */

enum workload {
	WL_PRODUCE,	    /* bytes of pattern to fd 1, odd-sized writes; exit 42 on EPIPE */
	WL_PRODUCE_FOREVER, /* like `yes` */
	WL_BLAST,	    /* bytes of a constant 1 MiB block: throughput */
	WL_PRODUCE_BOTH,    /* bytes of pattern to fd 1 and to fd 2, interleaved */
	WL_CONSUME,	    /* read fd 0 to EOF, check the pattern, report */
	WL_CONSUME_FEW,	    /* read 10 bytes of fd 0 and exit */
	WL_LINGER,	    /* leave a grandchild holding fd 1, report it, then produce */
};

struct wl_report {
	pid_t grandchild;
	uint64_t bytes, bad;
};

struct host_cfg {
	unsigned piped; /* bit i: stream i is SLUICE_STDIO_PIPE */
	int watch;	/* the stream reported on */
	enum workload wl;
	uint64_t bytes;
	bool no_splice; /* clear splice_ok after init: force the buffer */
	bool shared;	/* drop a reopened description: use the shared fd as is */
	bool close_fd1; /* start with fd 1 closed */
	bool drain;	/* WL_LINGER: sluice_relay_drain instead of the loop */
};

static int produce(int fd, uint64_t bytes, bool forever)
{
	cleanup_free uint8_t *b = malloc(65536);
	uint64_t pos = 0;

	while (b && (forever || pos < bytes)) {
		size_t n = 1 + (size_t)(splitmix(pos ^ 0x5eed) % 65536);
		if (!forever && n > bytes - pos)
			n = (size_t)(bytes - pos);
		pattern_fill(b, pos, n);
		if (sluice_write_all(fd, b, n) < 0)
			return errno == EPIPE ? EXIT_GOT_EPIPE : 3;
		pos += n;
	}
	return b ? 0 : 4;
}

static int blast(uint64_t bytes)
{
	cleanup_free char *b = malloc(MiB);

	if (!b)
		return 4;
	memset(b, 'x', MiB);
	for (uint64_t pos = 0; pos < bytes; pos += MiB)
		if (sluice_write_all(STDOUT_FILENO, b, MiB) < 0)
			return 3;
	return 0;
}

static int produce_both(uint64_t bytes)
{
	uint8_t b[8192];

	for (uint64_t pos = 0; pos < bytes; pos += sizeof(b)) {
		pattern_fill(b, pos, sizeof(b));
		if (sluice_write_all(STDOUT_FILENO, b, sizeof(b)) < 0 ||
		    sluice_write_all(STDERR_FILENO, b, sizeof(b)) < 0)
			return 3;
	}
	return 0;
}

static int consume(int rep, bool few)
{
	struct wl_report w;
	uint8_t b[65536];
	ssize_t n;

	memset(&w, 0, sizeof(w)); /* padding too: it goes through a pipe */
	while ((n = read(STDIN_FILENO, b, few ? 10 : sizeof(b))) > 0) {
		for (ssize_t i = 0; i < n; i++)
			w.bad += b[i] != pattern_byte(w.bytes + (uint64_t)i);
		w.bytes += (uint64_t)n;
		if (few)
			break;
	}
	return sluice_write_all(rep, &w, sizeof(w)) < 0 ? 3 : 0;
}

static int linger(int rep, uint64_t bytes)
{
	struct wl_report w;
	int hold[2];

	memset(&w, 0, sizeof(w));
	/* The grandchild keeps the write end of stdout open, like a process
	 * left in the sandbox; it waits on a pipe nobody writes to. */
	if (pipe2(hold, O_CLOEXEC) < 0)
		return 5;
	w.grandchild = fork();
	if (w.grandchild == 0) {
		char c;
		(void)!read(hold[0], &c, 1);
		_exit(0);
	}
	if (w.grandchild < 0 || sluice_write_all(rep, &w, sizeof(w)) < 0)
		return 5;
	return produce(STDOUT_FILENO, bytes, false);
}

static void __attribute__((noreturn))
workload_main(const struct host_cfg *cfg, const struct sluice_stdio_setup *s, int rep)
{
	/* what the launcher does after clone */
	for (int i = 0; i < 3; i++)
		if (s->child_fd[i] >= 0)
			dup2(s->child_fd[i], i);
	close_from(3, rep);
	switch (cfg->wl) {
	case WL_PRODUCE:
		_exit(produce(STDOUT_FILENO, cfg->bytes, false));
	case WL_PRODUCE_FOREVER:
		_exit(produce(STDOUT_FILENO, 0, true));
	case WL_BLAST:
		_exit(blast(cfg->bytes));
	case WL_PRODUCE_BOTH:
		_exit(produce_both(cfg->bytes));
	case WL_CONSUME:
	case WL_CONSUME_FEW:
		_exit(consume(rep, cfg->wl == WL_CONSUME_FEW));
	case WL_LINGER:
		_exit(linger(rep, cfg->bytes));
	}
	_exit(6);
}

/* ---- the host: plays the sluice parent -------------------------------- */

struct host_result {
	int prepare_rc, init_rc;
	int min_fd; /* smallest fd prepare handed out */
	int src_io, dst_io;
	bool own_src, own_dst;
	bool splice_ok_last; /* while the stream was open */
	bool finished_at_init;
	int buf_changes; /* distinct buffer allocations seen */
	size_t max_pending;
	long rss_before, rss_after;
	double secs;
	int fl_before, fl_after; /* F_GETFL of the watched inherited fd */
	bool timed_out;
	int wl_status;
	struct wl_report wl;
	double drain1_ms, drain2_ms;
	bool open_after_drain1, open_after_drain2;
};

struct sample {
	struct host_result *res;
	const char *last_buf;
};

static void sample(const struct sluice_relay *r, const struct host_cfg *cfg, struct sample *sm)
{
	const struct sluice_relay_stream *st = &r->s[cfg->watch];

	for (int i = 0; i < 3; i++) {
		const struct sluice_relay_stream *x = &r->s[i];
		if (x->len > sm->res->max_pending)
			sm->res->max_pending = x->len;
	}
	if (st->src < 0)
		return;
	sm->res->splice_ok_last = st->splice_ok;
	if (st->buf && st->buf != sm->last_buf) {
		sm->res->buf_changes++;
		sm->last_buf = st->buf;
	}
}

static bool host_open(const struct sluice_relay *r, const struct host_cfg *cfg)
{
	if (cfg->watch == STDIN_FILENO)
		return r->s[STDIN_FILENO].src >= 0;
	return sluice_relay_outputs_open(r);
}

static void host_loop(struct sluice_relay *r, const struct host_cfg *cfg, struct host_result *res)
{
	struct sample sm = { res, NULL };

	while (host_open(r, cfg)) {
		struct pollfd pfd[3];
		size_t n = sluice_relay_pollfds(r, pfd, 3);
		int rc = poll(pfd, n, 20000);

		if (rc == 0) {
			res->timed_out = true;
			return;
		}
		if (rc < 0 && errno != EINTR)
			return;
		if (rc > 0)
			sluice_relay_handle(r, pfd, n);
		sample(r, cfg, &sm);
	}
}

static void host_drain(struct sluice_relay *r, int rep, struct host_result *res)
{
	double t;

	if (sluice_read_all(rep, &res->wl, sizeof(res->wl)) != sizeof(res->wl))
		return;
	t = now_s();
	sluice_relay_drain(r, 300);
	res->drain1_ms = (now_s() - t) * 1000;
	res->open_after_drain1 = sluice_relay_outputs_open(r);
	kill(res->wl.grandchild, SIGKILL);
	t = now_s();
	sluice_relay_drain(r, 5000);
	res->drain2_ms = (now_s() - t) * 1000;
	res->open_after_drain2 = sluice_relay_outputs_open(r);
}

/* Make the watched inherited end shared again (as if /proc were missing). */
static void force_shared(struct sluice_relay_stream *st, int fd)
{
	struct stat sb;
	bool src = st->to_child;

	if (!(src ? st->own_src : st->own_dst) || fstat(fd, &sb) < 0)
		return;
	sluice_close(src ? st->src : st->dst);
	if (src) {
		st->src = fd;
		st->own_src = false;
		st->src_io = S_ISFIFO(sb.st_mode) ? SLUICE_RELAY_IO_PIPE : SLUICE_RELAY_IO_SMALL;
	} else {
		st->dst = fd;
		st->own_dst = false;
		st->dst_io = S_ISFIFO(sb.st_mode) ? SLUICE_RELAY_IO_PIPE : SLUICE_RELAY_IO_SMALL;
		if (st->dst_io == SLUICE_RELAY_IO_SMALL)
			st->splice_ok = false; /* as sluice_relay_init would */
	}
}

static void record_setup(const struct sluice_stdio_setup *s, struct host_result *res)
{
	res->min_fd = INT_MAX;
	for (int i = 0; i < 3; i++) {
		if (s->child_fd[i] >= 0 && s->child_fd[i] < res->min_fd)
			res->min_fd = s->child_fd[i];
		if (s->relay_fd[i] >= 0 && s->relay_fd[i] < res->min_fd)
			res->min_fd = s->relay_fd[i];
	}
}

static void record_stream(const struct sluice_relay_stream *st, struct host_result *res)
{
	res->finished_at_init = st->src < 0;
	res->src_io = (int)st->src_io;
	res->dst_io = (int)st->dst_io;
	res->own_src = st->own_src;
	res->own_dst = st->own_dst;
	res->splice_ok_last = st->splice_ok;
}

static void host_relay(const struct host_cfg *cfg, struct sluice_stdio_setup *s, pid_t wl, int rep,
		       struct host_result *res)
{
	struct sluice_relay r;
	struct sluice_error err;
	double t0;

	sluice_stdio_close_child_ends(s);
	res->init_rc = sluice_relay_init(&r, s, &err);
	if (res->init_rc < 0)
		return;
	if (cfg->shared)
		force_shared(&r.s[cfg->watch], cfg->watch);
	if (cfg->no_splice)
		r.s[cfg->watch].splice_ok = false;
	record_stream(&r.s[cfg->watch], res);
	res->rss_before = rss_anon_kb();
	t0 = now_s();
	if (cfg->drain)
		host_drain(&r, rep, res);
	else
		host_loop(&r, cfg, res);
	res->secs = now_s() - t0;
	res->rss_after = rss_anon_kb();
	sluice_relay_free(&r);
	waitpid(wl, &res->wl_status, 0);
	if (!cfg->drain)
		(void)sluice_read_all(rep, &res->wl, sizeof(res->wl));
}

static void __attribute__((noreturn)) host_main(const struct host_cfg *cfg, int res_fd)
{
	struct host_result res;
	struct sluice_config c;
	struct sluice_stdio_setup s;
	struct sluice_error err;
	int rep[2];
	pid_t wl;

	memset(&res, 0, sizeof(res));
	signal(SIGPIPE, SIG_IGN); /* as the launcher does */
	if (pipe2(rep, O_CLOEXEC) < 0)
		_exit(1);
	if (cfg->close_fd1)
		close(STDOUT_FILENO);
	res.fl_before = fcntl(cfg->watch, F_GETFL);
	config_modes(&c, SLUICE_STDIO_INHERIT, SLUICE_STDIO_INHERIT, SLUICE_STDIO_INHERIT);
	for (int i = 0; i < 3; i++)
		if (cfg->piped & (1U << i))
			c.sluice.stdio[i].mode = SLUICE_STDIO_PIPE;
	res.prepare_rc = sluice_stdio_prepare(&c, &s, &err);
	if (res.prepare_rc < 0)
		_exit(sluice_write_all(res_fd, &res, sizeof(res)) < 0 ? 2 : 1);
	record_setup(&s, &res);
	wl = fork();
	if (wl == 0)
		workload_main(cfg, &s, rep[1]);
	sluice_close(rep[1]);
	host_relay(cfg, &s, wl, rep[0], &res);
	sluice_close(rep[0]);
	res.fl_after = fcntl(cfg->watch, F_GETFL);
	_exit(sluice_write_all(res_fd, &res, sizeof(res)) < 0 ? 2 : 0);
}

/* Fork a host whose fd i is fdmap[i] (or the test's own when -1). */
static pid_t spawn_host(const struct host_cfg *cfg, const int fdmap[3], int *res_rd)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		for (int i = 0; i < 3; i++)
			if (fdmap[i] >= 0)
				dup2(fdmap[i], i);
		close_from(3, p[1]);
		host_main(cfg, p[1]);
	}
	sluice_close(p[1]);
	*res_rd = p[0];
	return pid;
}

/* Read the host's report and reap it; false if it did not end well. */
static bool host_finish(pid_t pid, int res_rd, struct host_result *res)
{
	int status = 0;
	ssize_t n = sluice_read_all(res_rd, res, sizeof(*res));

	sluice_close(res_rd);
	waitpid(pid, &status, 0);
	if (n != sizeof(*res) || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		diag("host: report %zd bytes, status %#x", n, status);
		return false;
	}
	return true;
}

/* ---- the outside world: reading what the host relays ------------------ */

struct sink {
	int fd;
	uint64_t want;	      /* stop after this many bytes */
	uint64_t close_after; /* or close the fd after this many (0: never) */
	size_t chunk;
	int delay_us; /* per read: a slow reader */
	bool verify;
	uint64_t got, bad, fnv;
	bool done;
};

static void sink_read(struct sink *k)
{
	static uint8_t b[256 * 1024];
	ssize_t n = read(k->fd, b, k->chunk);

	if (n <= 0) {
		if (n == 0 || errno != EAGAIN)
			k->done = true;
		return;
	}
	if (k->verify) {
		for (ssize_t i = 0; i < n; i++)
			k->bad += b[i] != pattern_byte(k->got + (uint64_t)i);
		k->fnv = fnv1a(k->fnv, b, (size_t)n);
	}
	k->got += (uint64_t)n;
	if (k->got >= k->want || (k->close_after && k->got >= k->close_after))
		k->done = true;
	if (k->close_after && k->got >= k->close_after)
		sluice_close(steal_fd(&k->fd));
	if (k->delay_us)
		usleep((useconds_t)k->delay_us);
}

/* Read all sinks until each is done; false on a 30 s stall. */
static bool run_sinks(struct sink *k, size_t n)
{
	for (size_t i = 0; i < n; i++)
		k[i].fnv = FNV_INIT;
	for (;;) {
		struct pollfd pfd[4];
		size_t map[4], m = 0;

		for (size_t i = 0; i < n; i++)
			if (!k[i].done) {
				pfd[m] = (struct pollfd){ .fd = k[i].fd, .events = POLLIN };
				map[m++] = i;
			}
		if (m == 0)
			return true;
		if (poll(pfd, m, 30000) <= 0)
			return false;
		for (size_t j = 0; j < m; j++)
			if (pfd[j].revents)
				sink_read(&k[map[j]]);
	}
}

static struct sink sink_new(int fd, uint64_t want, size_t chunk, int delay_us)
{
	return (struct sink){
		.fd = fd, .want = want, .chunk = chunk, .delay_us = delay_us, .verify = true
	};
}

/* Host with fd 1 = a pipe read by one sink. */
static bool relay_to_pipe(const struct host_cfg *cfg, struct sink *k, struct host_result *res)
{
	int p[2], fdmap[3] = { -1, -1, -1 }, res_rd;
	pid_t pid;
	bool ok;

	if (pipe2(p, O_CLOEXEC) < 0)
		return false;
	fdmap[1] = p[1];
	pid = spawn_host(cfg, fdmap, &res_rd);
	sluice_close(p[1]);
	k->fd = p[0];
	ok = run_sinks(k, 1);
	if (!ok)
		diag("sink stalled at %llu bytes", (unsigned long long)k->got);
	sluice_close(k->fd);
	return host_finish(pid, res_rd, res) && ok;
}

/* ---- prepare --------------------------------------------------------- */

static void test_prepare_null(void)
{
	struct sluice_config c;
	struct sluice_stdio_setup s;
	struct sluice_error err;
	struct stat sb, null_sb;
	int before = count_fds();

	config_modes(&c, SLUICE_STDIO_NULL, SLUICE_STDIO_NULL, SLUICE_STDIO_NULL);
	is_int(sluice_stdio_prepare(&c, &s, &err), 0, "null: prepare");
	stat("/dev/null", &null_sb);
	for (int i = 0; i < 3; i++) {
		int acc = fcntl(s.child_fd[i], F_GETFL) & O_ACCMODE;
		ok(s.child_fd[i] > 2 && is_cloexec(s.child_fd[i]),
		   "null: %d gets an fd above 2, close-on-exec", i);
		ok(fstat(s.child_fd[i], &sb) == 0 && sb.st_rdev == null_sb.st_rdev,
		   "null: %d is /dev/null", i);
		is_int(acc, i == 0 ? O_RDONLY : O_WRONLY,
		       "null: read-only stdin, write-only outputs");
		is_int(s.relay_fd[i], -1, "null: nothing to relay");
	}
	sluice_stdio_close_child_ends(&s);
	ok(s.child_fd[0] == -1 && s.child_fd[1] == -1 && s.child_fd[2] == -1,
	   "close_child_ends forgets them");
	sluice_stdio_release(&s);
	is_int(count_fds(), before, "null: nothing left open");

	config_modes(&c, SLUICE_STDIO_INHERIT, SLUICE_STDIO_INHERIT, SLUICE_STDIO_INHERIT);
	is_int(sluice_stdio_prepare(&c, &s, &err), 0, "inherit: prepare");
	ok(s.child_fd[0] == -1 && s.child_fd[1] == -1 && s.child_fd[2] == -1 &&
		   s.relay_fd[0] == -1 && s.relay_fd[1] == -1 && s.relay_fd[2] == -1,
	   "inherit: no fd at all");
}

static bool file_is(const char *path, const char *want)
{
	char buf[256];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : sluice_read_all(fd, buf, sizeof(buf) - 1);

	sluice_close(fd);
	if (n < 0)
		return false;
	buf[n] = '\0';
	if (strcmp(buf, want) != 0)
		diag("%s holds \"%s\", want \"%s\"", path, buf, want);
	return strcmp(buf, want) == 0;
}

static void put(int fd, const char *s)
{
	(void)sluice_write_all(fd, s, strlen(s));
}

static void make_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	put(fd, text);
	sluice_close(fd);
}

/* stdout and stderr on one file, spelled alike or not: one description. */
static void check_shared_output(const char *out, const char *err_path)
{
	struct sluice_config c;
	struct sluice_stdio_setup s;
	struct sluice_error err;
	struct stat sb;

	make_file(out, "previous content, longer\n");
	config_modes(&c, SLUICE_STDIO_FILE, SLUICE_STDIO_FILE, SLUICE_STDIO_FILE);
	c.sluice.stdio[0].path = (char *)"in.txt";
	c.sluice.stdio[1].path = (char *)out;
	c.sluice.stdio[2].path = (char *)err_path;
	is_int(sluice_stdio_prepare(&c, &s, &err), 0, "file: prepare");
	for (int i = 0; i < 3; i++)
		ok(s.child_fd[i] > 2 && is_cloexec(s.child_fd[i]) && s.relay_fd[i] == -1,
		   "file: %d gets an fd above 2, close-on-exec", i);
	ok(s.child_fd[1] != s.child_fd[2], "file: stdout and stderr get two fds");
	put(s.child_fd[1], "a");
	put(s.child_fd[2], "b");
	put(s.child_fd[1], "c");
	ok(file_is(out, "abc"), "file: %s and %s interleave in a truncated file", out, err_path);
	ok(stat(out, &sb) == 0 && (sb.st_mode & 0777) == 0640, "file: created 0666 less umask");
	is_int(fcntl(s.child_fd[0], F_GETFL) & O_ACCMODE, O_RDONLY, "file: stdin read-only");
	{
		char b[8] = { 0 };
		ok(read(s.child_fd[0], b, sizeof(b) - 1) == 5 && strcmp(b, "hello") == 0,
		   "file: stdin reads the file");
	}
	sluice_stdio_release(&s);
}

static void test_prepare_file(void)
{
	char dir[] = "/tmp/sluice-stdio-XXXXXX";
	int here = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int before = count_fds();
	mode_t old_umask = umask(027);
	struct sluice_config c;
	struct sluice_stdio_setup s;
	struct sluice_error err;

	if (!mkdtemp(dir) || chdir(dir) < 0) {
		ok(false, "file: temporary directory");
		return;
	}
	make_file("in.txt", "hello");
	check_shared_output("out.txt", "out.txt");
	check_shared_output("out2.txt", "./out2.txt");
	is_int(count_fds(), before, "file: nothing left open");

	config_modes(&c, SLUICE_STDIO_INHERIT, SLUICE_STDIO_FILE, SLUICE_STDIO_FILE);
	c.sluice.stdio[1].path = (char *)"o1";
	c.sluice.stdio[2].path = (char *)"o2";
	is_int(sluice_stdio_prepare(&c, &s, &err), 0, "file: two files");
	put(s.child_fd[1], "one");
	put(s.child_fd[2], "two");
	ok(s.child_fd[0] == -1 && file_is("o1", "one") && file_is("o2", "two"),
	   "file: two files, two contents");
	sluice_stdio_release(&s);

	for (size_t i = 0; i < 5; i++)
		unlink((const char *[]){ "in.txt", "out.txt", "out2.txt", "o1", "o2" }[i]);
	umask(old_umask);
	if (fchdir(here) < 0 || rmdir(dir) < 0)
		diag("cleanup of %s failed", dir);
	sluice_close(here);
}

static void test_prepare_pipe(void)
{
	struct sluice_config c;
	struct sluice_stdio_setup s;
	struct sluice_error err;
	int before = count_fds(), fds[6];

	config_modes(&c, SLUICE_STDIO_PIPE, SLUICE_STDIO_PIPE, SLUICE_STDIO_PIPE);
	is_int(sluice_stdio_prepare(&c, &s, &err), 0, "pipe: prepare");
	for (int i = 0; i < 3; i++) {
		struct stat sb;
		ok(s.child_fd[i] > 2 && s.relay_fd[i] > 2 && is_cloexec(s.child_fd[i]) &&
			   is_cloexec(s.relay_fd[i]),
		   "pipe: %d: both ends above 2, close-on-exec", i);
		ok(fstat(s.child_fd[i], &sb) == 0 && S_ISFIFO(sb.st_mode), "pipe: %d is a pipe", i);
		is_int(fcntl(s.child_fd[i], F_GETFL) & O_ACCMODE, i == 0 ? O_RDONLY : O_WRONLY,
		       "pipe: the child reads stdin, writes outputs");
		ok(!(fcntl(s.child_fd[i], F_GETFL) & O_NONBLOCK), "pipe: the child's end blocks");
		fds[2 * i] = s.child_fd[i];
		fds[2 * i + 1] = s.relay_fd[i];
	}
	put(s.relay_fd[0], "in");
	{
		char b[3] = { 0 };
		ok(read(s.child_fd[0], b, 2) == 2 && strcmp(b, "in") == 0,
		   "pipe: stdin flows parent to child");
	}
	sluice_stdio_close_child_ends(&s);
	ok(fcntl(fds[0], F_GETFD) < 0 && fcntl(fds[2], F_GETFD) < 0 && fcntl(fds[4], F_GETFD) < 0,
	   "pipe: close_child_ends closes the child ends");
	ok(fcntl(fds[1], F_GETFD) >= 0 && fcntl(fds[3], F_GETFD) >= 0 && fcntl(fds[5], F_GETFD) >= 0,
	   "pipe: ... and keeps the relay ends");
	sluice_stdio_release(&s);
	is_int(count_fds(), before, "pipe: release closes everything");
}

static void check_prepare_error(enum sluice_stdio_mode m0, const char *p0, enum sluice_stdio_mode m1,
				const char *p1, const char *msg, int errnum)
{
	struct sluice_config c;
	struct sluice_stdio_setup s;
	struct sluice_error err;
	int before = count_fds();

	config_modes(&c, m0, m1, SLUICE_STDIO_NULL);
	c.sluice.stdio[0].path = (char *)p0;
	c.sluice.stdio[1].path = (char *)p1;
	memset(&err, 0, sizeof(err));
	is_int(sluice_stdio_prepare(&c, &s, &err), -1, "%s", msg);
	is_int(err.exit_code, SLUICE_EXIT_SETUP, "... exit code SLUICE_EXIT_SETUP");
	is_int(err.errnum, errnum, "... errno");
	ok(strcmp(err.msg, msg) == 0, "... message \"%s\"", err.msg);
	ok(s.child_fd[0] == -1 && s.child_fd[1] == -1 && s.child_fd[2] == -1,
	   "... no fd handed out");
	is_int(count_fds(), before, "... nothing left open");
}

/* EMFILE at pipe2: in a child, not to disturb the test's limit. */
static void test_prepare_pipe_error(void)
{
	struct sluice_config c;
	struct sluice_stdio_setup s;
	struct sluice_error err;
	int status = 0, p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int lowest = 0;
		struct rlimit rl;
		while (fcntl(lowest, F_GETFD) >= 0)
			lowest++;
		/* one free slot: /dev/null for stdin fits, the pipe does not */
		getrlimit(RLIMIT_NOFILE, &rl);
		rl.rlim_cur = (rlim_t)lowest + 1;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			_exit(9);
		config_modes(&c, SLUICE_STDIO_NULL, SLUICE_STDIO_PIPE, SLUICE_STDIO_INHERIT);
		memset(&err, 0, sizeof(err));
		err.exit_code = sluice_stdio_prepare(&c, &s, &err) == -1 ? err.exit_code : -1;
		if (fcntl(lowest, F_GETFD) >= 0 && lowest != p[1])
			err.exit_code = -2; /* /dev/null left open */
		_exit(sluice_write_all(p[1], &err, sizeof(err)) < 0 ? 8 : 0);
	}
	sluice_close(p[1]);
	memset(&err, 0, sizeof(err));
	ok(sluice_read_all(p[0], &err, sizeof(err)) == sizeof(err), "pipe error: child reports");
	sluice_close(p[0]);
	waitpid(pid, &status, 0);
	is_int(err.exit_code, SLUICE_EXIT_SETUP, "pipe error: SLUICE_EXIT_SETUP, nothing left open");
	is_int(err.errnum, EMFILE, "pipe error: EMFILE");
	ok(strcmp(err.msg, "stdout pipe: cannot create") == 0, "pipe error: \"%s\"", err.msg);
}

static void test_prepare_errors(void)
{
	check_prepare_error(SLUICE_STDIO_NULL, NULL, SLUICE_STDIO_FILE, "/nonexistent/dir/out.txt",
			    "stdout file /nonexistent/dir/out.txt: cannot open", ENOENT);
	check_prepare_error(SLUICE_STDIO_FILE, "missing.txt", SLUICE_STDIO_PIPE, NULL,
			    "stdin file missing.txt: cannot open", ENOENT);
	check_prepare_error(SLUICE_STDIO_PIPE, NULL, SLUICE_STDIO_FILE, "/",
			    "stdout file /: cannot open", EISDIR);
	test_prepare_pipe_error();
}

/* ---- relay ------------------------------------------------------------ */

static void check_clean_host(const struct host_result *res, const char *what)
{
	ok(!res->timed_out, "%s: the relay never stalled", what);
	ok(WIFEXITED(res->wl_status) && WEXITSTATUS(res->wl_status) == 0,
	   "%s: the workload wrote everything", what);
	ok(!(res->fl_after & O_NONBLOCK) && res->fl_after == res->fl_before,
	   "%s: flags of the shared fd untouched", what);
}

static void check_bounded(const struct host_result *res, const char *what)
{
	ok(res->max_pending <= SLUICE_RELAY_BUF_SIZE && res->buf_changes <= 1,
	   "%s: at most one 64 KiB buffer (max pending %zu, %d allocations)", what,
	   res->max_pending, res->buf_changes);
	if (on_valgrind()) /* its own bookkeeping grows with every syscall */
		ok(true, "# SKIP %s: RSS under valgrind", what);
	else
		ok(res->rss_after - res->rss_before < 128, "%s: anonymous RSS grew by %ld KiB",
		   what, res->rss_after - res->rss_before);
}

/* 16 MiB through stdout into a pipe read slowly. */
static void relay_stdout_case(const char *what, bool shared, bool no_splice, int want_io,
			      bool want_splice)
{
	const uint64_t size = 16 * MiB;
	struct host_cfg cfg = { .piped = 2,
				.watch = 1,
				.wl = WL_PRODUCE,
				.bytes = size,
				.shared = shared,
				.no_splice = no_splice };
	struct sink k = sink_new(-1, size, 16384, 100);
	struct host_result res;

	ok(relay_to_pipe(&cfg, &k, &res), "%s: host ran", what);
	ok(k.got == size && k.bad == 0 && k.fnv == pattern_fnv(size),
	   "%s: 16 MiB arrive intact and in order (%llu bytes, %llu wrong)", what,
	   (unsigned long long)k.got, (unsigned long long)k.bad);
	is_int(res.dst_io, want_io, "dst kind");
	ok(res.splice_ok_last == want_splice, "%s: splice %s", what,
	   want_splice ? "used" : "not used");
	check_clean_host(&res, what);
	check_bounded(&res, what);
	if (want_splice)
		ok(res.buf_changes == 0, "%s: no buffer at all while splicing", what);
}

static void test_relay_stdout(void)
{
	relay_stdout_case("stdout, reopened pipe, splice", false, false, SLUICE_RELAY_IO_NONBLOCK,
			  true);
	relay_stdout_case("stdout, reopened pipe, buffer", false, true, SLUICE_RELAY_IO_NONBLOCK,
			  false);
	relay_stdout_case("stdout, shared pipe, splice", true, false, SLUICE_RELAY_IO_PIPE, true);
	relay_stdout_case("stdout, shared pipe, PIPE_BUF writes", true, true, SLUICE_RELAY_IO_PIPE,
			  false);
}

static double relay_throughput(bool no_splice, uint64_t size)
{
	struct host_cfg cfg = {
		.piped = 2, .watch = 1, .wl = WL_BLAST, .bytes = size, .no_splice = no_splice
	};
	struct sink k = sink_new(-1, size, 256 * 1024, 0);
	struct host_result res;

	k.verify = false;
	if (!relay_to_pipe(&cfg, &k, &res) || k.got != size)
		return 0;
	return (double)size / MiB / res.secs;
}

static void test_relay_throughput(void)
{
	const uint64_t size = 256 * MiB;
	double sp = relay_throughput(false, size), buf = relay_throughput(true, size);

	ok(sp > 0 && buf > 0, "throughput: 256 MiB relayed both ways");
	diag("relay throughput, pipe to pipe: splice %.0f MiB/s, buffer %.0f MiB/s", sp, buf);
}

/* stdout and stderr at once, into two pipes. */
static void test_relay_both_outputs(void)
{
	const uint64_t size = 4 * MiB;
	struct host_cfg cfg = { .piped = 6, .watch = 1, .wl = WL_PRODUCE_BOTH, .bytes = size };
	struct sink k[2] = { sink_new(-1, size, 8192, 20), sink_new(-1, size, 65536, 0) };
	int out[2], errp[2], fdmap[3] = { -1, -1, -1 }, res_rd;
	struct host_result res;
	pid_t pid;

	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0)
		return;
	fdmap[1] = out[1];
	fdmap[2] = errp[1];
	pid = spawn_host(&cfg, fdmap, &res_rd);
	sluice_close(out[1]);
	sluice_close(errp[1]);
	k[0].fd = out[0];
	k[1].fd = errp[0];
	ok(run_sinks(k, 2), "both outputs: no stall");
	ok(host_finish(pid, res_rd, &res), "both outputs: host ran");
	ok(k[0].got == size && k[0].bad == 0 && k[1].got == size && k[1].bad == 0,
	   "both outputs: each stream intact");
	sluice_close(out[0]);
	sluice_close(errp[0]);
}

/* `sluice run --stdout=pipe -- yes | head -c 1M` */
static void epipe_case(const char *what, bool no_splice, bool shared)
{
	struct host_cfg cfg = { .piped = 2,
				.watch = 1,
				.wl = WL_PRODUCE_FOREVER,
				.no_splice = no_splice,
				.shared = shared };
	struct sink k = sink_new(-1, UINT64_MAX, 4096, 0);
	struct host_result res;

	k.close_after = MiB;
	ok(relay_to_pipe(&cfg, &k, &res), "%s: the relay survives its reader going away", what);
	ok(k.bad == 0, "%s: what was read is intact", what);
	ok(!res.timed_out, "%s: the relay stopped by itself", what);
	ok(WIFEXITED(res.wl_status) && WEXITSTATUS(res.wl_status) == EXIT_GOT_EPIPE,
	   "%s: the workload got EPIPE", what);
}

static void test_relay_epipe(void)
{
	epipe_case("EPIPE, splice", false, false);
	epipe_case("EPIPE, buffer", true, false);
	epipe_case("EPIPE, shared pipe, PIPE_BUF writes", true, true);
}

/* fd 1 closed when sluice starts: prepare stays above 2, the output has
 * nowhere to go and the workload learns it at once. */
static void test_relay_closed_stdout(void)
{
	struct host_cfg cfg = {
		.piped = 2, .watch = 1, .wl = WL_PRODUCE, .bytes = MiB, .close_fd1 = true
	};
	int fdmap[3] = { -1, -1, -1 }, res_rd;
	struct host_result res;
	pid_t pid = spawn_host(&cfg, fdmap, &res_rd);

	ok(host_finish(pid, res_rd, &res), "closed fd 1: host ran");
	ok(res.min_fd > 2, "closed fd 1: prepare hands out fds above 2 (%d)", res.min_fd);
	ok(res.finished_at_init, "closed fd 1: the stream ends at init");
	ok(WIFEXITED(res.wl_status) && WEXITSTATUS(res.wl_status) == EXIT_GOT_EPIPE,
	   "closed fd 1: the workload gets EPIPE");
}

/* Host with fd 1 = a pty slave (raw): splice refuses a tty. */
static void pty_case(const char *what, bool shared, int want_io)
{
	const uint64_t size = 4 * MiB;
	struct host_cfg cfg = {
		.piped = 2, .watch = 1, .wl = WL_PRODUCE, .bytes = size, .shared = shared
	};
	struct sink k = sink_new(-1, size, 65536, 0);
	int fdmap[3] = { -1, -1, -1 }, res_rd, master, slave;
	struct termios tio;
	struct host_result res;
	pid_t pid;

	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 ||
	    (slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
		ok(true, "# SKIP %s: no pty", what);
		sluice_close(master);
		return;
	}
	tcgetattr(slave, &tio);
	cfmakeraw(&tio);
	tcsetattr(slave, TCSANOW, &tio);
	fdmap[1] = slave;
	pid = spawn_host(&cfg, fdmap, &res_rd);
	sluice_close(slave);
	k.fd = master;
	ok(run_sinks(&k, 1), "%s: no stall", what);
	ok(host_finish(pid, res_rd, &res), "%s: host ran", what);
	ok(k.got == size && k.bad == 0, "%s: 4 MiB intact through the pty", what);
	is_int(res.dst_io, want_io, "pty: dst kind");
	/* Kernels before 6.x refuse to splice into a tty (EINVAL); newer ones
	 * take it through iter_file_splice_write.  Either is fine. */
	ok(res.splice_ok_last ? res.buf_changes == 0 : res.buf_changes == 1, "%s: %s", what,
	   res.splice_ok_last ? "spliced, no buffer" : "one buffer");
	check_clean_host(&res, what);
	check_bounded(&res, what);
	diag("%s: %.0f MiB/s (%s)", what, (double)size / MiB / res.secs,
	     res.splice_ok_last ? "splice" : "read/write");
	sluice_close(master);
}

static void test_relay_pty(void)
{
	pty_case("pty, reopened non-blocking", false, SLUICE_RELAY_IO_NONBLOCK);
	pty_case("pty, shared, PIPE_BUF writes", true, SLUICE_RELAY_IO_SMALL);
}

/* `sluice run --stdout=pipe ... >> log`: splice refuses an O_APPEND file
 * (EINVAL), the stream falls back to its buffer for good. */
static void test_relay_append_file(void)
{
	const uint64_t size = 16 * MiB;
	struct host_cfg cfg = { .piped = 2, .watch = 1, .wl = WL_PRODUCE, .bytes = size };
	char path[] = "/tmp/sluice-append-XXXXXX";
	int fd = mkostemp(path, O_CLOEXEC | O_APPEND), fdmap[3] = { -1, -1, -1 }, res_rd;
	struct sink k = sink_new(-1, size, 65536, 0);
	char head[7] = { 0 };
	struct host_result res;
	pid_t pid;

	if (fd < 0)
		return;
	put(fd, "start\n");
	fdmap[1] = fd;
	pid = spawn_host(&cfg, fdmap, &res_rd);
	ok(host_finish(pid, res_rd, &res), "append file: host ran");
	k.fd = open(path, O_RDONLY | O_CLOEXEC);
	unlink(path);
	sluice_close(fd);
	ok(k.fd >= 0 && read(k.fd, head, 6) == 6 && strcmp(head, "start\n") == 0,
	   "append file: the old content stays");
	ok(run_sinks(&k, 1) && k.got == size && k.bad == 0,
	   "append file: 16 MiB appended intact after the old content");
	is_int(res.dst_io, SLUICE_RELAY_IO_FILE, "append file: dst kind");
	ok(!res.splice_ok_last && res.buf_changes == 1, "append file: splice refused, one buffer");
	check_clean_host(&res, "append file");
	check_bounded(&res, "append file");
	diag("append file: %.0f MiB/s through the buffer", (double)size / MiB / res.secs);
	sluice_close(k.fd);
}

static void test_relay_socket(void)
{
	const uint64_t size = 4 * MiB;
	struct host_cfg cfg = { .piped = 2, .watch = 1, .wl = WL_PRODUCE, .bytes = size };
	struct sink k = sink_new(-1, size, 65536, 10);
	int sv[2], fdmap[3] = { -1, -1, -1 }, res_rd;
	struct host_result res;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return;
	fdmap[1] = sv[1];
	pid = spawn_host(&cfg, fdmap, &res_rd);
	sluice_close(sv[1]);
	k.fd = sv[0];
	ok(run_sinks(&k, 1), "socket: no stall");
	ok(host_finish(pid, res_rd, &res), "socket: host ran");
	ok(k.got == size && k.bad == 0, "socket: 4 MiB intact");
	is_int(res.dst_io, SLUICE_RELAY_IO_SOCKET, "socket: dst kind, send(MSG_DONTWAIT)");
	check_clean_host(&res, "socket");
	check_bounded(&res, "socket");
	sluice_close(sv[0]);
}

static pid_t feeder(int fd, uint64_t bytes, bool forever)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		signal(SIGPIPE, SIG_IGN);
		_exit(produce(fd, bytes, forever));
	}
	return pid;
}

/* The host's stdin is a pipe fed by another process, then closed. */
static void test_relay_stdin_pipe(void)
{
	const uint64_t size = 8 * MiB;
	struct host_cfg cfg = { .piped = 1, .watch = 0, .wl = WL_CONSUME };
	int p[2], fdmap[3] = { -1, -1, -1 }, res_rd, st = 0;
	struct host_result res;
	pid_t pid, feed;

	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	fdmap[0] = p[0];
	pid = spawn_host(&cfg, fdmap, &res_rd);
	sluice_close(p[0]);
	feed = feeder(p[1], size, false);
	sluice_close(p[1]);
	ok(host_finish(pid, res_rd, &res), "stdin pipe: host ran");
	waitpid(feed, &st, 0);
	ok(res.wl.bytes == size && res.wl.bad == 0,
	   "stdin pipe: the workload read 8 MiB intact, then EOF");
	is_int(res.src_io, SLUICE_RELAY_IO_PIPE, "stdin pipe: src kind (not reopened)");
	ok(res.splice_ok_last, "stdin pipe: splice used");
	check_clean_host(&res, "stdin pipe");
	check_bounded(&res, "stdin pipe");
}

/* The host's stdin is a regular file. */
static void test_relay_stdin_file(void)
{
	const uint64_t size = 4 * MiB;
	struct host_cfg cfg = { .piped = 1, .watch = 0, .wl = WL_CONSUME };
	char path[] = "/tmp/sluice-stdin-XXXXXX";
	int fd = mkostemp(path, O_CLOEXEC), fdmap[3] = { -1, -1, -1 }, res_rd;
	struct host_result res;
	pid_t pid;

	if (fd < 0)
		return;
	unlink(path);
	produce(fd, size, false);
	lseek(fd, 0, SEEK_SET);
	fdmap[0] = fd;
	pid = spawn_host(&cfg, fdmap, &res_rd);
	sluice_close(fd);
	ok(host_finish(pid, res_rd, &res), "stdin file: host ran");
	ok(res.wl.bytes == size && res.wl.bad == 0, "stdin file: 4 MiB intact, then EOF");
	is_int(res.src_io, SLUICE_RELAY_IO_FILE, "stdin file: src kind");
	check_clean_host(&res, "stdin file");
}

/* The workload stops reading: the relay lets go of stdin although it is
 * still open (the test holds a write end: this is EPIPE, not EOF). */
static void test_relay_stdin_reader_gone(void)
{
	struct host_cfg cfg = { .piped = 1, .watch = 0, .wl = WL_CONSUME_FEW };
	int p[2], fdmap[3] = { -1, -1, -1 }, res_rd, st = 0;
	struct host_result res;
	pid_t pid, feed;

	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	fdmap[0] = p[0];
	pid = spawn_host(&cfg, fdmap, &res_rd);
	sluice_close(p[0]);
	feed = feeder(p[1], 0, true);
	ok(host_finish(pid, res_rd, &res), "stdin reader gone: host ran");
	ok(!res.timed_out, "stdin reader gone: the relay let go of a stdin still open");
	ok(res.wl.bytes == 10 && res.wl.bad == 0, "stdin reader gone: the workload read 10 bytes");
	ok(!(res.fl_after & O_NONBLOCK), "stdin reader gone: fd 0 still blocking");
	sluice_close(p[1]);
	kill(feed, SIGKILL);
	waitpid(feed, &st, 0);
}

/* A process left behind holds stdout's pipe: drain gives up after its
 * timeout; once it is gone drain ends at EOF at once. */
static void test_relay_drain(void)
{
	const uint64_t size = 200 * 1024;
	struct host_cfg cfg = {
		.piped = 2, .watch = 1, .wl = WL_LINGER, .bytes = size, .drain = true
	};
	struct sink k = sink_new(-1, size, 65536, 0);
	struct host_result res;

	ok(relay_to_pipe(&cfg, &k, &res), "drain: host ran");
	ok(k.got == size && k.bad == 0, "drain: everything written arrives");
	ok(res.drain1_ms >= 290 && res.drain1_ms < 3000 && res.open_after_drain1,
	   "drain: gives up after the timeout while a writer remains (%.0f ms)", res.drain1_ms);
	ok(res.drain2_ms < 2000 && !res.open_after_drain2,
	   "drain: ends at EOF once the last writer is gone (%.0f ms)", res.drain2_ms);
}

static void test_relay_nothing(void)
{
	struct sluice_stdio_setup s = { { -1, -1, -1 }, { -1, -1, -1 } };
	struct sluice_relay r;
	struct sluice_error err;
	struct pollfd pfd[3];

	is_int(sluice_relay_init(&r, &s, &err), 0, "no pipes: init");
	is_int((long long)sluice_relay_pollfds(&r, pfd, 3), 0, "no pipes: nothing to poll");
	ok(!sluice_relay_outputs_open(&r), "no pipes: no output open");
	sluice_relay_drain(&r, 1000);
	sluice_relay_free(&r);
}

/* ---- a pty master relayed (process.terminal) ------------------------ */

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* What one run of a pty relay saw: the test plays both the person (our
 * fds 0 and 1, pipes) and the workload (the pty's peer). */
struct pty_run {
	char peer_got[256]; /* what the workload read, "|" at each read's end */
	bool peer_eof;	    /* a read returned 0 */
	char out_got[256];  /* what arrived on our stdout */
	bool hangup;	    /* the relay hung the pty up */
	bool master_open;   /* the relay still holds a master fd */
};

static void pty_peer_read(int peer, struct pty_run *pr)
{
	char buf[64];
	ssize_t n = read(peer, buf, sizeof(buf) - 1);

	if (n == 0 || (n < 0 && errno == EIO))
		pr->peer_eof = true;
	if (n <= 0)
		return;
	buf[n] = '\0';
	strncat(pr->peer_got, buf, sizeof(pr->peer_got) - strlen(pr->peer_got) - 2);
	strcat(pr->peer_got, "|");
}

/* Relays for at most 2 s, until the workload saw EOF or the pty hung up.
 * input goes to our stdin (then EOF), peer_says to the pty; close_out
 * closes the reader of our stdout first.  fds 0 and 1 are swapped for
 * pipes meanwhile: nothing may print (TAP) until they are back. */
static void pty_run(const char *input, const char *peer_says, bool raw, bool close_out,
		    struct pty_run *pr)
{
	int in[2], out[2], saved0 = fcntl(0, F_DUPFD_CLOEXEC, 10),
			   saved1 = fcntl(1, F_DUPFD_CLOEXEC, 10);
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), peer, unlock = 0;
	struct sluice_relay r;
	struct sluice_stdio_setup none = { { -1, -1, -1 }, { -1, -1, -1 } };
	struct sluice_error err;
	double deadline = now_s() + 2;

	memset(pr, 0, sizeof(*pr));
	if (master < 0 || ioctl(master, TIOCSPTLCK, &unlock) < 0 || pipe2(in, O_CLOEXEC) < 0 ||
	    pipe2(out, O_CLOEXEC) < 0)
		abort();
	peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (peer < 0 || write(in[1], input, strlen(input)) < 0)
		abort();
	close(in[1]);
	if (close_out)
		close(out[0]);
	dup2(in[0], 0);
	dup2(out[1], 1);
	close(in[0]);
	close(out[1]);
	if (sluice_relay_init(&r, &none, &err) < 0 ||
	    sluice_relay_add_pty(&r, master, raw, &err) < 0)
		abort();
	if (peer_says && write(peer, peer_says, strlen(peer_says)) < 0)
		abort();
	/* the output side done too: what the peer said sits in our stdout
	 * (each \n grown to \r\n by the pty) */
	size_t want = peer_says && !close_out ? strlen(peer_says) + 1 : 0;
	int queued = 0;

	while ((!(pr->peer_eof || r.hangup) || (size_t)queued < want) && now_s() < deadline) {
		struct pollfd pfd[4];
		size_t n = sluice_relay_pollfds(&r, pfd, 3);

		pfd[n] = (struct pollfd){ .fd = peer, .events = POLLIN };
		if (poll(pfd, n + 1, 50) > 0)
			sluice_relay_handle(&r, pfd, n);
		pty_peer_read(peer, pr);
		if (want && ioctl(out[0], FIONREAD, &queued) < 0)
			queued = 0;
	}
	pr->hangup = r.hangup;
	pr->master_open = sluice_relay_pty_fd(&r) >= 0;
	sluice_relay_free(&r);
	dup2(saved0, 0);
	dup2(saved1, 1);
	close(saved0);
	close(saved1);
	if (!close_out) {
		ssize_t n = read(out[0], pr->out_got, sizeof(pr->out_got) - 1);
		pr->out_got[n > 0 ? n : 0] = '\0';
		close(out[0]);
	}
	close(peer);
}

static void test_relay_pty_master(void)
{
	struct pty_run pr;

	/* a piped stdin: its lines, then the pty's EOF; a last line without
	 * newline is delivered by a first EOF character, EOF by a second */
	pty_run("hello\npartial", "out\n", false, false, &pr);
	is_str(pr.peer_got, "hello\n|partial|", "pty: the workload reads the lines of our stdin");
	ok(pr.peer_eof, "pty: then EOF, without a hang-up");
	ok(!pr.hangup && pr.master_open, "pty: the master stays open at our stdin's EOF");
	ok(strstr(pr.out_got, "out\r\n") != NULL, "pty: the workload's output reaches our stdout");
	/* a raw terminal's stdin ends only by hanging up: passed on */
	pty_run("typed", NULL, true, false, &pr);
	ok(pr.hangup && !pr.master_open, "pty: the end of a raw stdin hangs the pty up");
	/* our stdout gone: the workload's terminal hangs up */
	pty_run("", "x\n", false, true, &pr);
	ok(pr.hangup && !pr.master_open, "pty: a lost stdout hangs the pty up");
}

int main(void)
{
	alarm(600);
	signal(SIGPIPE, SIG_IGN);
	test_prepare_null();
	test_prepare_file();
	test_prepare_pipe();
	test_prepare_errors();
	test_relay_nothing();
	test_relay_stdout();
	test_relay_throughput();
	test_relay_both_outputs();
	test_relay_epipe();
	test_relay_closed_stdout();
	test_relay_pty();
	test_relay_append_file();
	test_relay_socket();
	test_relay_stdin_pipe();
	test_relay_stdin_file();
	test_relay_stdin_reader_gone();
	test_relay_drain();
	test_relay_pty_master();
	return done_testing();
}
