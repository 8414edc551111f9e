/* The caller's terminal while `sluice run` relays a container's pty
 * (process.terminal without a console socket, docs/terminal.md): raw mode,
 * restored on every way out, and the window size copied onto the pty.
 *
 * Parent side.  Raw mode is taken only when stdin is a terminal and sluice
 * is in its foreground process group (a background job leaves it alone).
 * While it is taken, a signal that would kill sluice without passing
 * through sluice_run's cleanup (SIGALRM, SIGSEGV, a real-time signal...)
 * restores the terminal first, then kills as it would have: the handlers
 * are installed by sluice_tty_raw and removed by sluice_tty_restore. */
#ifndef SLUICE_TTY_H
#define SLUICE_TTY_H

#include <stdbool.h>
#include <termios.h>

struct sluice_tty {
	int raw_fd;	      /* our stdin, put in raw mode; -1: untouched */
	int size_fd;	      /* a terminal of ours to read the size from, or -1 */
	struct termios saved; /* raw_fd's settings before */
};

void sluice_tty_init(struct sluice_tty *t);
/* Raw mode on stdin when it is our foreground terminal; true if taken. */
bool sluice_tty_raw(struct sluice_tty *t);
/* Our terminal's window size; false without a terminal or a size. */
bool sluice_tty_size(const struct sluice_tty *t, unsigned short *rows, unsigned short *cols);
/* Copy our terminal's window size onto the pty (master); the kernel then
 * sends SIGWINCH to the pty's foreground process group.  No-op without a
 * terminal of ours or a size. */
void sluice_tty_copy_size(const struct sluice_tty *t, int master);
/* Back to the saved settings (after the output is written), handlers off.
 * Safe to call more than once. */
void sluice_tty_restore(struct sluice_tty *t);

#endif
