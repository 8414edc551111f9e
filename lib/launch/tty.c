/* The caller's terminal while sluice relays a pty (tty.h). */
#include "tty.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* What the handler restores.  One relay per process at a time: the
 * terminal is the process's own stdin. */
static int restore_fd = -1;
static struct termios restore_termios;
static struct sigaction old_actions[NSIG];
static bool installed[NSIG];

/* Signals whose default action kills (or dumps) and that sluice_run neither
 * blocks nor ignores: they would end sluice with the terminal still raw. */
static const int fatal[] = { SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU, SIGXFSZ,
			     SIGPWR,  SIGSTKFLT, SIGIO,	  SIGSYS,  SIGABRT,
			     SIGBUS,  SIGFPE,	 SIGILL,  SIGSEGV, SIGTRAP };

static void on_fatal(int sig)
{
	int e = errno;

	(void)tcsetattr(restore_fd, TCSANOW, &restore_termios);
	/* SA_RESETHAND made the default action current again; the signal
	 * raised here stays blocked until we return, then kills us as the
	 * first one would have. */
	(void)raise(sig);
	errno = e;
}

static void arm(int sig)
{
	struct sigaction sa, cur;

	/* only where the default would kill: an embedder's handler or an
	 * ignored signal stays as it is */
	if (sigaction(sig, NULL, &cur) < 0 || cur.sa_handler != SIG_DFL)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, &old_actions[sig]) == 0)
		installed[sig] = true;
}

static void arm_all(void)
{
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		arm(fatal[i]);
	for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		arm(sig);
}

static void disarm_all(void)
{
	for (int sig = 1; sig < NSIG; sig++)
		if (installed[sig]) {
			(void)sigaction(sig, &old_actions[sig], NULL);
			installed[sig] = false;
		}
}

void sluice_tty_init(struct sluice_tty *t)
{
	t->raw_fd = -1;
	t->size_fd = -1;
	for (int fd = 0; fd < 3 && t->size_fd < 0; fd++)
		if (isatty(fd))
			t->size_fd = fd;
}

bool sluice_tty_raw(struct sluice_tty *t)
{
	struct termios raw;

	/* a background job must not touch the terminal (SIGTTOU) */
	if (!isatty(STDIN_FILENO) || tcgetpgrp(STDIN_FILENO) != getpgrp())
		return false;
	if (tcgetattr(STDIN_FILENO, &t->saved) < 0)
		return false;
	raw = t->saved;
	/* No echo, no line editing, no signals from keys (Ctrl-C is a byte
	 * for the container's own terminal), no output processing (the
	 * container's terminal did it). */
	cfmakeraw(&raw);
	restore_termios = t->saved;
	restore_fd = STDIN_FILENO;
	arm_all();
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) < 0) {
		disarm_all();
		restore_fd = -1;
		return false;
	}
	t->raw_fd = STDIN_FILENO;
	return true;
}

bool sluice_tty_size(const struct sluice_tty *t, unsigned short *rows, unsigned short *cols)
{
	struct winsize ws;

	if (t->size_fd < 0 || ioctl(t->size_fd, TIOCGWINSZ, &ws) < 0 || !ws.ws_row || !ws.ws_col)
		return false;
	*rows = ws.ws_row;
	*cols = ws.ws_col;
	return true;
}

void sluice_tty_copy_size(const struct sluice_tty *t, int master)
{
	struct winsize ws;

	if (t->size_fd < 0 || master < 0 || ioctl(t->size_fd, TIOCGWINSZ, &ws) < 0)
		return;
	if (ws.ws_row && ws.ws_col)
		(void)ioctl(master, TIOCSWINSZ, &ws);
}

void sluice_tty_restore(struct sluice_tty *t)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;

	if (t->raw_fd < 0)
		return;
	/* TCSANOW: what the relay wrote was processed when written; waiting
	 * for a terminal that does not read (TCSADRAIN) could hang us.  With
	 * SIGTTOU ignored: put in the background meanwhile, we must still
	 * give the terminal back rather than stop. */
	sigaction(SIGTTOU, &ign, &old);
	(void)tcsetattr(t->raw_fd, TCSANOW, &t->saved);
	sigaction(SIGTTOU, &old, NULL);
	disarm_all();
	restore_fd = -1;
	t->raw_fd = -1;
}
