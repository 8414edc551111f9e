/* The workload's stdio (stdio_relay.h): what the child gets on 0, 1 and 2, and
 * the relay between the workload's pipes and sluice's own 0, 1 and 2. */
#include "stdio_relay.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "util.h"

static const char *const stream_names[3] = { "stdin", "stdout", "stderr" };

/* ---- prepare: what the child gets ---------------------------------- */

/* The launcher dup2()s child_fd[i] onto i.  Were sluice started with 0, 1
 * or 2 closed, open() could return one of them: a dup2() onto itself keeps
 * FD_CLOEXEC (the workload would lose the stream at exec) and a relay could
 * end up writing into its own pipe.  So every fd we hand out is above 2.
 * Takes fd (closed on failure); returns the new fd or -1 with errno. */
static int fd_above_stdio(int fd)
{
	int nfd;

	if (fd < 0 || fd > STDERR_FILENO)
		return fd;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
	sluice_close(fd);
	return nfd;
}

static int open_null(int i, struct sluice_stdio_setup *s, struct sluice_error *err)
{
	int acc = i == STDIN_FILENO ? O_RDONLY : O_WRONLY;
	int fd = fd_above_stdio(open("/dev/null", acc | O_NOCTTY | O_CLOEXEC));

	if (fd < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "%s /dev/null: cannot open",
				  stream_names[i]);
	s->child_fd[i] = fd;
	return 0;
}

/* Output files are created as a shell's `>` does: 0666 less the umask,
 * truncated.  O_NOCTTY: a path naming a terminal must not become ours.
 * The path is opened with the launcher's rights: a last component that is
 * a symlink is refused unless sluice.stdioFollowSymlinks says otherwise,
 * so that a link planted where a log is written cannot point the write at
 * another file (docs/security.md). */
static int open_file(int i, const char *path, bool follow, struct sluice_error *err)
{
	int flags = i == STDIN_FILENO ? O_RDONLY : O_WRONLY | O_CREAT | O_TRUNC;
	int fd = fd_above_stdio(
		open(path, flags | O_NOCTTY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW), 0666));

	if (fd < 0 && errno == ELOOP && !follow)
		return sluice_err(err, SLUICE_EXIT_SETUP, ELOOP,
				  "sluice.%s file %s: a symbolic link (sluice.stdioFollowSymlinks: "
				  "true follows it)",
				  stream_names[i], path);
	if (fd < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "%s file %s: cannot open",
				  stream_names[i], path);
	return fd;
}

static bool same_file(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* stderr names stdout's file: both streams share one open file description
 * (one offset), so their output interleaves instead of overwriting. */
static int share_stdout_file(struct sluice_stdio_setup *s, const char *path,
			     struct sluice_error *err)
{
	int fd = fcntl(s->child_fd[STDOUT_FILENO], F_DUPFD_CLOEXEC, STDERR_FILENO + 1);

	if (fd < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno,
				  "stderr file %s: cannot share stdout's file", path);
	s->child_fd[STDERR_FILENO] = fd;
	return 0;
}

static int prepare_file(const struct sluice_config *c, const struct sluice_stdio *io, int i,
			struct sluice_stdio_setup *s, struct sluice_error *err)
{
	const char *path = io[i].path;
	bool after_stdout = i == STDERR_FILENO && io[STDOUT_FILENO].mode == SLUICE_STDIO_FILE;
	int fd;

	if (!path || !*path)
		return sluice_err(err, SLUICE_EXIT_SETUP, EINVAL, "%s file: no path",
				  stream_names[i]);
	/* Same spelling: do not even open twice (a FIFO would need two readers). */
	if (after_stdout && strcmp(path, io[STDOUT_FILENO].path) == 0)
		return share_stdout_file(s, path, err);
	fd = open_file(i, path, c->sluice.stdio_follow_symlinks, err);
	if (fd < 0)
		return -1;
	if (after_stdout && same_file(fd, s->child_fd[STDOUT_FILENO])) {
		sluice_close(fd); /* "out.txt" and "./out.txt": nothing written yet */
		return share_stdout_file(s, path, err);
	}
	s->child_fd[i] = fd;
	return 0;
}

/* The child gets the read end of stdin's pipe and the write end of an
 * output's; the parent keeps the other end to relay. */
/*
 * The workload may reopen its stdio (`>/dev/stderr` opens /proc/self/fd/2
 * anew), which checks the pipe's owner: a pipe made by root is root's,
 * 0600, and root's sandbox runs as another uid (docs/security.md "Root").
 * The pipes sluice makes for the workload are the workload's: given to the
 * uid it runs as outside.  Only root can, and only root needs to.
 */
static int give_pipe(const struct sluice_config *c, int fd)
{
	int64_t uid = sluice_config_host_id(c, false), gid = sluice_config_host_id(c, true);

	if (geteuid() != 0 || uid < 0 || gid < 0 || (uid == 0 && gid == 0))
		return 0;
	return fchown(fd, (uid_t)uid, (gid_t)gid);
}

static int prepare_pipe(const struct sluice_config *c, int i, struct sluice_stdio_setup *s,
			struct sluice_error *err)
{
	cleanup_close int rd = -1;
	cleanup_close int wr = -1;
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		goto fail;
	wr = p[1];
	rd = fd_above_stdio(p[0]);
	if (rd < 0)
		goto fail;
	wr = fd_above_stdio(steal_fd(&wr));
	if (wr < 0 || give_pipe(c, wr) < 0)
		goto fail;
	s->child_fd[i] = steal_fd(i == STDIN_FILENO ? &rd : &wr);
	s->relay_fd[i] = steal_fd(i == STDIN_FILENO ? &wr : &rd);
	return 0;
fail:
	return sluice_err(err, SLUICE_EXIT_SETUP, errno, "%s pipe: cannot create", stream_names[i]);
}

static int prepare_stream(const struct sluice_config *c, const struct sluice_stdio *io, int i,
			  struct sluice_stdio_setup *s, struct sluice_error *err)
{
	switch (io[i].mode) {
	case SLUICE_STDIO_INHERIT:
		return 0;
	case SLUICE_STDIO_NULL:
		return open_null(i, s, err);
	case SLUICE_STDIO_PIPE:
		return prepare_pipe(c, i, s, err);
	case SLUICE_STDIO_FILE:
		return prepare_file(c, io, i, s, err);
	}
	return sluice_err(err, SLUICE_EXIT_SETUP, EINVAL, "%s: unknown mode %d", stream_names[i],
			  (int)io[i].mode);
}

int sluice_stdio_prepare(const struct sluice_config *c, struct sluice_stdio_setup *s,
			 struct sluice_error *err)
{
	/* With a terminal the workload's 0, 1, 2 are the pty, made in the
	 * container; the helper (and sluice's init, which stays) hold
	 * nothing of ours: no host terminal ends up in the sandbox. */
	static const struct sluice_stdio null_io[3] = { { SLUICE_STDIO_NULL, NULL },
							{ SLUICE_STDIO_NULL, NULL },
							{ SLUICE_STDIO_NULL, NULL } };
	const struct sluice_stdio *io = c->process.terminal ? null_io : c->sluice.stdio;

	for (int i = 0; i < 3; i++)
		s->child_fd[i] = s->relay_fd[i] = -1;
	for (int i = 0; i < 3; i++) {
		if (prepare_stream(c, io, i, s, err) < 0) {
			sluice_stdio_release(s);
			return -1;
		}
	}
	return 0;
}

void sluice_stdio_close_child_ends(struct sluice_stdio_setup *s)
{
	for (int i = 0; i < 3; i++)
		sluice_close(steal_fd(&s->child_fd[i]));
}

bool sluice_stdio_hands_terminal(const struct sluice_stdio_setup *s)
{
	for (int i = 0; i < 3; i++)
		if (isatty(s->child_fd[i] >= 0 ? s->child_fd[i] : i))
			return true;
	return false;
}

void sluice_stdio_release(struct sluice_stdio_setup *s)
{
	sluice_stdio_close_child_ends(s);
	for (int i = 0; i < 3; i++)
		sluice_close(steal_fd(&s->relay_fd[i]));
}

/* ---- relay: setting up the ends ------------------------------------ */

/* Bigger than any pipe holds: one splice() moves all there is. */
#define RELAY_SPLICE_CHUNK ((size_t)1 << 20)
/* Operations per stream per readiness event, so stdout cannot starve stderr. */
#define RELAY_PUMP_MAX 16

static void stream_clear(struct sluice_relay_stream *st)
{
	memset(st, 0, sizeof(*st));
	st->src = st->dst = -1;
}

/* Closing what the stream owns is what tells the workload: EOF on its
 * stdin, EPIPE (or SIGPIPE) on its next write to stdout or stderr. */
static void stream_finish(struct sluice_relay_stream *st)
{
	if (st->own_src)
		sluice_close(st->src);
	if (st->own_dst)
		sluice_close(st->dst);
	free(st->buf);
	stream_clear(st);
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	return 0;
}

/* /dev/null, /dev/zero, /dev/full, /dev/urandom: never wait.  (Not all of
 * major 1: reading /dev/kmsg does.) */
static bool mem_device_never_waits(dev_t rdev)
{
	unsigned int mi = minor(rdev);

	return major(rdev) == 1 && (mi == 3 || mi == 5 || mi == 7 || mi == 9);
}

static enum sluice_relay_io io_kind(const struct stat *sb)
{
	if (S_ISREG(sb->st_mode) || S_ISBLK(sb->st_mode))
		return SLUICE_RELAY_IO_FILE;
	if (S_ISCHR(sb->st_mode) && mem_device_never_waits(sb->st_rdev))
		return SLUICE_RELAY_IO_FILE;
	if (S_ISFIFO(sb->st_mode))
		return SLUICE_RELAY_IO_PIPE;
	if (S_ISSOCK(sb->st_mode))
		return SLUICE_RELAY_IO_SOCKET;
	return SLUICE_RELAY_IO_SMALL;
}

/* Which inherited ends get a description of their own.  Ttys: splice()
 * refuses them, so the read/write fallback needs O_NONBLOCK.  Pipes we
 * write to: a shared one only takes PIPE_BUF per poll() in the fallback.
 * Not pipes we read from: splice() between two pipes honours
 * SPLICE_F_NONBLOCK on both, and reopening a named FIFO for reading while
 * it has no writer would hide its POLLHUP from us.  Sockets cannot be
 * reopened (ENXIO); other devices may react to an open (a tape rewinds). */
static bool should_reopen(int fd, const struct stat *sb, int acc)
{
	if (S_ISFIFO(sb->st_mode))
		return acc == O_WRONLY;
	return S_ISCHR(sb->st_mode) && isatty(fd);
}

/* sluice's own 0, 1 and 2 share their open file description with whoever
 * started us (the shell and its other children): setting O_NONBLOCK on it
 * would break them.  Opening /proc/self/fd/N instead creates a new
 * description of the same pipe or tty that is ours to make non-blocking.
 * The access mode is exactly our direction: O_RDWR on a pipe would make us
 * one of its readers, and we would never see EPIPE. */
static int reopen_nonblock(int fd, int acc)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return fd_above_stdio(open(path, acc | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
}

/* Use inherited fd in direction acc: reopened when possible, else as is
 * within the limits of its kind.  -1 if fd is not open. */
static int adopt_inherited(int fd, int acc, int *out, bool *own, enum sluice_relay_io *io)
{
	struct stat sb;
	int nfd;

	if (fstat(fd, &sb) < 0)
		return -1;
	*out = fd;
	*own = false;
	*io = io_kind(&sb);
	if (!should_reopen(fd, &sb, acc))
		return 0;
	nfd = reopen_nonblock(fd, acc);
	if (nfd < 0) /* no /proc, a tty we may not open, a FIFO without reader */
		return 0;
	*out = nfd;
	*own = true;
	*io = SLUICE_RELAY_IO_NONBLOCK;
	return 0;
}

/* Stream i around our end of its pipe.  -1 with errno if that end cannot
 * be made non-blocking (it is closed then). */
static int init_stream(struct sluice_relay_stream *st, int i, int pipe_fd)
{
	int r;

	if (set_nonblock(pipe_fd) < 0) {
		sluice_close(pipe_fd);
		return -1;
	}
	st->to_child = i == STDIN_FILENO;
	if (st->to_child) {
		st->dst = pipe_fd;
		st->own_dst = true;
		st->dst_io = SLUICE_RELAY_IO_NONBLOCK;
		r = adopt_inherited(i, O_RDONLY, &st->src, &st->own_src, &st->src_io);
	} else {
		st->src = pipe_fd;
		st->own_src = true;
		st->src_io = SLUICE_RELAY_IO_NONBLOCK;
		r = adopt_inherited(i, O_WRONLY, &st->dst, &st->own_dst, &st->dst_io);
	}
	if (r < 0) { /* our fd i is closed: nothing to read, nowhere to write */
		stream_finish(st);
		return 0;
	}
	/* Sockets and small-step ends need to be polled between reads and
	 * writes, which the buffer allows and splice() does not. */
	st->splice_ok = st->src_io != SLUICE_RELAY_IO_SOCKET &&
			st->dst_io != SLUICE_RELAY_IO_SOCKET && st->dst_io != SLUICE_RELAY_IO_SMALL;
	return 0;
}

int sluice_relay_init(struct sluice_relay *r, struct sluice_stdio_setup *s, struct sluice_error *err)
{
	r->hangup = false;
	for (int i = 0; i < 3; i++)
		stream_clear(&r->s[i]);
	for (int i = 0; i < 3; i++) {
		int fd = steal_fd(&s->relay_fd[i]);
		int e;

		if (fd < 0 || init_stream(&r->s[i], i, fd) == 0)
			continue;
		e = errno;
		for (int j = i + 1; j < 3; j++)
			sluice_close(steal_fd(&s->relay_fd[j]));
		sluice_relay_free(r);
		return sluice_err(err, SLUICE_EXIT_SETUP, e, "%s pipe: cannot make non-blocking",
				  stream_names[i]);
	}
	return 0;
}

/* ---- relay: moving bytes ------------------------------------------- */

enum step {
	STEP_AGAIN, /* progress or a change of plan: go on if that cannot block */
	STEP_WAIT,  /* poll() first */
	STEP_DONE,  /* EOF on src, or dst gone: finish the stream */
};

/* Whether an end may be used again without a new poll().  A shared pipe
 * may when splicing: SPLICE_F_NONBLOCK covers both pipe ends. */
static bool io_nonblocking(enum sluice_relay_io io, bool splicing)
{
	switch (io) {
	case SLUICE_RELAY_IO_NONBLOCK:
	case SLUICE_RELAY_IO_FILE:
	case SLUICE_RELAY_IO_SOCKET:
		return true;
	case SLUICE_RELAY_IO_PIPE:
		return splicing;
	case SLUICE_RELAY_IO_SMALL:
		return false;
	}
	return false;
}

static bool pending(const struct sluice_relay_stream *st)
{
	return st->off < st->len;
}

static bool may_repeat(const struct sluice_relay_stream *st)
{
	if (pending(st))
		return io_nonblocking(st->dst_io, false);
	if (st->splice_ok)
		return io_nonblocking(st->src_io, true) && io_nonblocking(st->dst_io, true);
	return io_nonblocking(st->src_io, false);
}

static enum step io_failed(void)
{
	/* EAGAIN also if someone else made a shared description non-blocking */
	return errno == EAGAIN || errno == EINTR ? STEP_WAIT : STEP_DONE;
}

static ssize_t end_read(int fd, enum sluice_relay_io io, char *buf, size_t len)
{
	if (io == SLUICE_RELAY_IO_SOCKET)
		return recv(fd, buf, len, MSG_DONTWAIT);
	return read(fd, buf, len);
}

static ssize_t end_write(int fd, enum sluice_relay_io io, const char *buf, size_t len)
{
	if (io == SLUICE_RELAY_IO_SOCKET)
		return send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	/* A blocking pipe or tty that poll() found writable takes PIPE_BUF
	 * bytes without blocking (for long); more could block the relay. */
	if ((io == SLUICE_RELAY_IO_PIPE || io == SLUICE_RELAY_IO_SMALL) && len > PIPE_BUF)
		len = PIPE_BUF;
	return write(fd, buf, len);
}

static enum step flush_buffer(struct sluice_relay_stream *st)
{
	ssize_t n = end_write(st->dst, st->dst_io, st->buf + st->off, st->len - st->off);

	if (n < 0 && errno != EAGAIN && errno != EINTR)
		st->dst_failed = true;
	if (n < 0)
		return io_failed(); /* EPIPE: the reader is gone */
	if (n == 0)
		return STEP_WAIT;
	st->off += (size_t)n;
	if (st->off == st->len)
		st->off = st->len = 0;
	return STEP_AGAIN;
}

/* Read only into an empty buffer: while bytes are pending nothing more is
 * read, so a slow reader slows the workload down through the pipe. */
static enum step fill_buffer(struct sluice_relay_stream *st)
{
	ssize_t n;

	if (!st->buf)
		st->buf = malloc(SLUICE_RELAY_BUF_SIZE);
	if (!st->buf)
		return STEP_DONE;
	n = end_read(st->src, st->src_io, st->buf, SLUICE_RELAY_BUF_SIZE);
	if (n == 0)
		st->src_eof = true;
	if (n < 0 && errno != EAGAIN && errno != EINTR)
		st->src_errno = errno;
	if (n <= 0)
		return n == 0 ? STEP_DONE : io_failed();
	st->off = 0;
	st->len = (size_t)n;
	st->mid_line = st->buf[n - 1] != '\n' && st->buf[n - 1] != '\r';
	st->wait_dst = false;
	if (!io_nonblocking(st->dst_io, false))
		return STEP_WAIT; /* write once poll() says POLLOUT */
	return flush_buffer(st);
}

/* splice() says EAGAIN both when src is empty and when dst is full. */
static bool src_has_data(const struct sluice_relay_stream *st)
{
	int avail = 0;

	if (ioctl(st->src, FIONREAD, &avail) < 0)
		return !st->wait_dst; /* cannot tell: wait on the other end */
	return avail > 0;
}

static enum step splice_once(struct sluice_relay_stream *st)
{
	ssize_t n = splice(st->src, NULL, st->dst, NULL, RELAY_SPLICE_CHUNK,
			   SPLICE_F_NONBLOCK | SPLICE_F_MOVE);

	if (n > 0) {
		st->wait_dst = false;
		return STEP_AGAIN;
	}
	if (n == 0)
		return STEP_DONE;
	if (errno == EAGAIN) {
		st->wait_dst = src_has_data(st);
		return STEP_WAIT;
	}
	if (errno == EINVAL) { /* a tty, an O_APPEND file...: for good */
		st->splice_ok = false;
		st->wait_dst = false;
		return STEP_AGAIN;
	}
	return io_failed();
}

static enum step stream_step(struct sluice_relay_stream *st)
{
	if (pending(st))
		return flush_buffer(st);
	if (st->splice_ok)
		return splice_once(st);
	return fill_buffer(st);
}

/* ---- a pty's master (process.terminal) ------------------------------ */

/* The end of our stdin, for a pty in canonical mode, is its EOF character
 * (twice when a line was left unfinished: once to end it, once for EOF),
 * as util-linux's script does: the master has no write side to close. */
static void pty_send_eof(const struct sluice_relay_stream *st)
{
	struct termios t;
	char eof[2];

	if (tcgetattr(st->dst, &t) < 0 || !(t.c_lflag & ICANON))
		return;
	eof[0] = eof[1] = (char)t.c_cc[VEOF];
	if (write(st->dst, eof, st->mid_line ? 2 : 1) < 0)
		return; /* a full input queue: the reader is not reading anyway */
}

/* A raw terminal of ours read EOF or failed: hung up, or only read from the
 * background (EIO while SIGTTIN is blocked), which the terminal still
 * answers for. */
static bool terminal_hung_up(const struct sluice_relay_stream *st)
{
	return st->src_eof || st->src_errno != EIO || tcgetpgrp(st->src) < 0;
}

/* How a stream of the pty ends: EOF on a stdin that is a pipe or file is
 * sent as the terminal's EOF; a hang-up of a stdin that is our terminal,
 * or our stdout gone, is passed on by closing the master (the kernel then
 * hangs up the container's terminal: SIGHUP to its session).  The master's
 * own end (EIO: the workload closed it) is neither. */
static void pty_stream_end(struct sluice_relay *r, struct sluice_relay_stream *st)
{
	if (!st->to_child)
		r->hangup = r->hangup || st->dst_failed;
	else if (st->dst_failed)
		return;
	else if (st->src_tty)
		r->hangup = r->hangup || terminal_hung_up(st);
	else if (st->src_eof)
		pty_send_eof(st);
}

/* After poll() said the awaited end is ready (or in error: the operation
 * tells which). */
static void stream_pump(struct sluice_relay *r, struct sluice_relay_stream *st)
{
	for (int k = 0; k < RELAY_PUMP_MAX; k++) {
		enum step step = stream_step(st);

		if (step == STEP_DONE) {
			if (st->pty)
				pty_stream_end(r, st);
			stream_finish(st);
			return;
		}
		if (step == STEP_WAIT || !may_repeat(st))
			return;
	}
}

/* ---- relay: the poll loop ------------------------------------------ */

static bool stream_open(const struct sluice_relay_stream *st)
{
	return st->src >= 0;
}

static void stream_pollfd(const struct sluice_relay_stream *st, struct pollfd *p)
{
	bool out = st->wait_dst || pending(st);

	p->fd = out ? st->dst : st->src;
	p->events = out ? POLLOUT : POLLIN;
	p->revents = 0;
}

size_t sluice_relay_pollfds(const struct sluice_relay *r, struct pollfd *pfd, size_t max)
{
	size_t n = 0;

	for (int i = 0; i < 3 && n < max; i++)
		if (stream_open(&r->s[i]))
			stream_pollfd(&r->s[i], &pfd[n++]);
	return n;
}

/* The stream that asked for this pollfd, or -1 (not ours, or served). */
static int stream_for(const struct sluice_relay *r, const struct pollfd *p, const bool *served)
{
	for (int i = 0; i < 3; i++) {
		struct pollfd want;

		if (served[i] || !stream_open(&r->s[i]))
			continue;
		stream_pollfd(&r->s[i], &want);
		if (want.fd == p->fd && want.events == p->events)
			return i;
	}
	return -1;
}

void sluice_relay_handle(struct sluice_relay *r, const struct pollfd *pfd, size_t n)
{
	bool served[3] = { false, false, false };

	for (size_t j = 0; j < n; j++) {
		int i;

		if (!pfd[j].revents)
			continue;
		i = stream_for(r, &pfd[j], served);
		if (i < 0)
			continue;
		served[i] = true;
		stream_pump(r, &r->s[i]);
	}
	if (r->hangup) {
		stream_finish(&r->s[STDIN_FILENO]);
		stream_finish(&r->s[STDOUT_FILENO]);
	}
}

bool sluice_relay_outputs_open(const struct sluice_relay *r)
{
	return stream_open(&r->s[STDOUT_FILENO]) || stream_open(&r->s[STDERR_FILENO]);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sluice_relay_drain(struct sluice_relay *r, int timeout_ms)
{
	int64_t deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);

	/* The workload is gone: what we would still read from our stdin is
	 * lost, and belongs to whoever reads it after us. */
	stream_finish(&r->s[STDIN_FILENO]);
	while (sluice_relay_outputs_open(r)) {
		struct pollfd pfd[3];
		int64_t left = deadline - now_ms();
		size_t n = sluice_relay_pollfds(r, pfd, 3);
		int ready;

		left = left < 0 ? 0 : left < INT_MAX ? left : INT_MAX;
		ready = poll(pfd, n, (int)left);
		if (ready > 0)
			sluice_relay_handle(r, pfd, n);
		/* the pass with left == 0 is the last one: data may keep coming */
		if (left == 0 || ready == 0 || (ready < 0 && errno != EINTR))
			return;
	}
}

/* Our 0 -> the master, the master -> our 1.  Two descriptors of one open
 * master: closing both is what hangs the pty up.  The bytes go through the
 * buffer, never splice: a terminal's traffic is small and the ends need
 * watching (EOF, hang-up). */
int sluice_relay_add_pty(struct sluice_relay *r, int master, bool stdin_raw,
			 struct sluice_error *err)
{
	struct sluice_relay_stream *in = &r->s[STDIN_FILENO], *out = &r->s[STDOUT_FILENO];
	int dup = fcntl(master, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);

	if (dup < 0 || set_nonblock(master) < 0) {
		int e = errno;
		sluice_close(dup);
		sluice_close(master);
		return sluice_err(err, SLUICE_EXIT_SETUP, e, "the pty master");
	}
	for (int i = 0; i < 3; i++)
		stream_finish(&r->s[i]);
	r->hangup = false;
	in->to_child = in->pty = out->pty = true;
	in->dst = dup;
	out->src = master;
	in->own_dst = out->own_src = true;
	in->dst_io = out->src_io = SLUICE_RELAY_IO_NONBLOCK;
	in->src_tty = stdin_raw;
	/* sluice_run opens /dev/null on a closed 0, 1 or 2 before this */
	if (adopt_inherited(STDIN_FILENO, O_RDONLY, &in->src, &in->own_src, &in->src_io) < 0)
		stream_finish(in);
	if (adopt_inherited(STDOUT_FILENO, O_WRONLY, &out->dst, &out->own_dst, &out->dst_io) < 0)
		stream_finish(out);
	return 0;
}

int sluice_relay_pty_fd(const struct sluice_relay *r)
{
	if (r->s[STDOUT_FILENO].pty && r->s[STDOUT_FILENO].src >= 0)
		return r->s[STDOUT_FILENO].src;
	if (r->s[STDIN_FILENO].pty && r->s[STDIN_FILENO].dst >= 0)
		return r->s[STDIN_FILENO].dst;
	return -1;
}

void sluice_relay_free(struct sluice_relay *r)
{
	for (int i = 0; i < 3; i++)
		stream_finish(&r->s[i]);
}
