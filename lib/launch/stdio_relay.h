/* The workload's stdio (sluice.stdin/stdout/stderr): inherited as is,
 * /dev/null, a file, or a pipe that the parent relays (splice where the
 * kernel allows, a bounded buffer otherwise).
 *
 * Parent side only.  Every fd opened here is close-on-exec; the child end of
 * each stream is dup2'd onto 0, 1 or 2 by the launcher after clone. */
#ifndef SLUICE_STDIO_H
#define SLUICE_STDIO_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct sluice_stdio_setup {
	int child_fd[3]; /* dup2 onto fd i in the child, or -1: leave fd i as is */
	int relay_fd[3]; /* the parent's end of a relayed pipe, or -1 */
};

/* Open /dev/null, files (relative paths against the caller's cwd) and pipes
 * for the modes in c->sluice.stdio.  On error nothing stays open. */
int sluice_stdio_prepare(const struct sluice_config *c, struct sluice_stdio_setup *s,
			 struct sluice_error *err);
/* After clone: close the child ends in the parent. */
void sluice_stdio_close_child_ends(struct sluice_stdio_setup *s);
/* Does the workload get a terminal as fd 0, 1 or 2 (then it keeps the
 * caller's session: lib/init/session.c)? */
bool sluice_stdio_hands_terminal(const struct sluice_stdio_setup *s);
/* Close everything still open. */
void sluice_stdio_release(struct sluice_stdio_setup *s);

/* How the relay may use one end without ever blocking for long; chosen by
 * sluice_relay_init.  sluice's own 0/1/2 share their open file description
 * with other processes, so their flags are never changed. */
enum sluice_relay_io {
	SLUICE_RELAY_IO_NONBLOCK, /* an O_NONBLOCK description we own */
	SLUICE_RELAY_IO_FILE,	  /* regular file, block or memory device: never waits */
	SLUICE_RELAY_IO_PIPE,	  /* shared pipe: splice(SPLICE_F_NONBLOCK), PIPE_BUF writes */
	SLUICE_RELAY_IO_SOCKET,	  /* shared socket: recv/send with MSG_DONTWAIT, no splice */
	SLUICE_RELAY_IO_SMALL,	  /* other shared fd (tty, device): one op per poll, PIPE_BUF
				   * writes, no splice into it */
};

/* One direction of a relay: stdin (our 0 -> pipe) or stdout/stderr
 * (pipe -> our 1 / 2).  Memory is bounded: at most one fixed buffer per
 * stream, none when splice works. */
struct sluice_relay_stream {
	int src, dst;	       /* -1 when closed */
	bool to_child;	       /* stdin direction: close dst when src ends */
	bool own_src, own_dst; /* fds this stream closes when done */
	bool splice_ok;	       /* try splice(); cleared when the kernel refuses */
	bool wait_dst;	       /* next poll: POLLOUT on dst (else POLLIN on src) */
	enum sluice_relay_io src_io, dst_io;
	char *buf;	 /* fallback buffer, allocated on first need */
	size_t off, len; /* pending bytes in buf */
	/* how it ended, for a pty's streams (sluice_relay_add_pty) */
	bool pty;	 /* one end is the pty master */
	bool src_tty;	 /* src is a terminal: its EOF is a hang-up */
	bool src_eof;	 /* read() returned 0 */
	int src_errno;	 /* read() failed for good with this errno, or 0 */
	bool dst_failed; /* a write failed for good */
	bool mid_line;	 /* the last byte moved did not end a line */
};

#define SLUICE_RELAY_BUF_SIZE (64 * 1024)

struct sluice_relay {
	struct sluice_relay_stream s[3];
	bool hangup; /* a pty relay lost its terminal: the master is closed */
};

/* Take over the parent's ends in s (relay_fd[] is set to -1).  On error
 * they are closed and r needs no sluice_relay_free. */
int sluice_relay_init(struct sluice_relay *r, struct sluice_stdio_setup *s,
		      struct sluice_error *err);
/* Fill up to max pollfds for the streams that wait on readiness; returns the
 * count.  Call sluice_relay_handle with the same array after poll(). */
size_t sluice_relay_pollfds(const struct sluice_relay *r, struct pollfd *pfd, size_t max);
void sluice_relay_handle(struct sluice_relay *r, const struct pollfd *pfd, size_t n);
/* True while an output stream (stdout/stderr) is still open. */
bool sluice_relay_outputs_open(const struct sluice_relay *r);
/* After the workload ended: stop relaying stdin (the workload no longer
 * reads it), move what is left in the output pipes, stop at EOF or after
 * timeout_ms. */
void sluice_relay_drain(struct sluice_relay *r, int timeout_ms);
void sluice_relay_free(struct sluice_relay *r);

/* process.terminal: relay our stdin to the pty master and the master to our
 * stdout instead (stderr is the same pty).  Takes master (closed on error).
 * EOF on a stdin that is no raw terminal becomes the pty's EOF character;
 * EOF of the raw terminal (stdin_raw: only a hang-up ends it) or a lost
 * stdout closes the master, which hangs up the container's pty
 * (r->hangup).  The master's own EOF (EIO) means the workload and
 * everything holding the pty closed it. */
int sluice_relay_add_pty(struct sluice_relay *r, int master, bool stdin_raw,
			 struct sluice_error *err);
/* A descriptor of the master while the relay holds one (for TIOCSWINSZ). */
int sluice_relay_pty_fd(const struct sluice_relay *r);

#endif
