/* process.terminal, the helper's side (docs/terminal.md): the pty is made
 * inside the container, after pivot_root, from the container's own devpts
 * instance; the workload gets the peer, the runtime the master.
 *
 * Nothing here reaches the pty by a path the container could swap: the
 * master comes from the devpts instance's ptmx (checked to be one), the peer
 * from the master itself (TIOCGPTPEER), and both are checked to live on the
 * devpts mounted at the container's /dev/pts, which must not be the one the
 * helper started with (the host's). */
#include <endian.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "error.h"
#include "helper.h"
#include "mounts.h"
#include "protocol.h"
#include "util.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* /dev/ptmx and devpts' own ptmx are both this device (devices.txt). */
#define PTMX_MAJOR 5
#define PTMX_MINOR 2

/* After pivot_root: absolute paths resolve in the container's root. */
static int open_in_root(const char *path, int flags, uint64_t resolve)
{
	struct open_how how = { .flags = (uint64_t)(flags | O_CLOEXEC), .resolve = resolve };
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));

	return fd < 0 ? -errno : fd;
}

dev_t sluice_terminal_devpts(void)
{
	struct stat st;

	return stat("/dev/pts", &st) == 0 ? st.st_dev : 0;
}

/* The devpts instance's ptmx: /dev/pts/ptmx, no symlink on the way; or
 * /dev/ptmx, which is conventionally the symlink "pts/ptmx" (or a device
 * node, which the kernel ties to the devpts beside it). */
static int open_ptmx(struct sluice_error *err)
{
	const int flags = O_RDWR | O_NOCTTY;
	const uint64_t strict = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
	struct stat st;
	int fd = open_in_root("/dev/pts/ptmx", flags, strict);

	if (fd == -ENOENT)
		fd = open_in_root("/dev/ptmx", flags, RESOLVE_NO_MAGICLINKS);
	if (fd < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -fd,
				  "cannot open /dev/pts/ptmx or /dev/ptmx in the "
				  "container (mount devpts at /dev/pts)");
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != PTMX_MAJOR ||
	    minor(st.st_rdev) != PTMX_MINOR) {
		sluice_close(fd);
		return sluice_err(err, SLUICE_EXIT_SETUP, 0,
				  "the container's ptmx is not the pty multiplexer (5:2)");
	}
	return fd;
}

/* The peer must be on the devpts at the container's /dev/pts (so that its
 * name there is its name) and that must not be the host's. */
static int check_peer(int peer, dev_t host_pts, struct sluice_error *err)
{
	struct statfs sf;
	struct stat st, pts;
	int fd = open_in_root("/dev/pts", O_PATH | O_DIRECTORY,
			      RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);

	if (fd < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -fd, "/dev/pts");
	if (fstat(fd, &pts) < 0 || fstatfs(peer, &sf) < 0 || fstat(peer, &st) < 0) {
		sluice_close(fd);
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "fstat");
	}
	sluice_close(fd);
	if (sf.f_type != DEVPTS_SUPER_MAGIC || st.st_dev != pts.st_dev)
		return sluice_err(err, SLUICE_EXIT_SETUP, 0,
				  "the new pty is not on the devpts mounted at "
				  "/dev/pts in the container");
	if (host_pts && st.st_dev == host_pts)
		return sluice_err(err, SLUICE_EXIT_SETUP, 0,
				  "/dev/pts in the container is the host's devpts: "
				  "mount a devpts of its own there (as the default config does)");
	return 0;
}

/* The peer, from the master itself; above 2, so that dup2() onto 0, 1 and
 * 2 later clears close-on-exec on exactly those. */
static int open_peer(int master, struct sluice_error *err)
{
	int unlock = 0, peer, moved;

	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "unlock the pty");
	peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (peer < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno,
				  "open the pty's peer (TIOCGPTPEER)");
	if (peer > STDERR_FILENO)
		return peer;
	moved = fcntl(peer, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
	sluice_close(peer);
	if (moved < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "fcntl");
	return moved;
}

/* As runc's fixStdioPermissions: the workload's user owns its terminal
 * (the group stays what devpts' gid= made it).  A mapping that cannot
 * express it (EINVAL, EPERM) or a read-only devpts leaves it as it is. */
static int own_peer(int peer, uid_t uid, struct sluice_error *err)
{
	struct stat st;

	if (fstat(peer, &st) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "fstat");
	if (st.st_uid == uid || fchown(peer, uid, (gid_t)-1) == 0)
		return 0;
	if (errno == EINVAL || errno == EPERM || errno == EROFS)
		return 0;
	return sluice_err(err, SLUICE_EXIT_SETUP, errno, "chown the pty to %u", (unsigned)uid);
}

/* The spec's /dev/console: the pty bound over it.  The target is opened
 * without following symlinks anywhere (a /dev/console planted as a symlink
 * would redirect the mount, the CVE-2025-52565 class) and must be a file or
 * a device, created empty if missing. */
static int open_console_target(struct sluice_error *err)
{
	cleanup_close int dev = open_in_root("/dev", O_PATH | O_DIRECTORY,
					     RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
	struct stat st;
	int fd;

	if (dev < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -dev, "/dev");
	fd = openat(dev, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		fd = openat(dev, "console", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    0600);
		if (fd >= 0) {
			sluice_close(fd);
			fd = openat(dev, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
		}
	}
	if (fd < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "/dev/console");
	if (fstat(fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode))) {
		sluice_close(fd);
		return sluice_err(err, SLUICE_EXIT_SETUP, 0,
				  "/dev/console is neither a file nor a device "
				  "(a symlink?): refused");
	}
	return fd;
}

static int bind_console(int peer, struct sluice_error *err)
{
	cleanup_close int target = open_console_target(err);
	cleanup_close int tree = -1;

	if (target < 0)
		return -1;
	tree = open_tree(peer, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tree < 0 || sluice_move_mount(tree, target) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "bind the pty on /dev/console");
	return 0;
}

static int set_size(int peer, const struct sluice_config *c, struct sluice_error *err)
{
	struct winsize ws = { 0 };

	if (!c->process.console_size.set)
		return 0;
	ws.ws_row = (unsigned short)c->process.console_size.height;
	ws.ws_col = (unsigned short)c->process.console_size.width;
	if (ioctl(peer, TIOCSWINSZ, &ws) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "set process.consoleSize");
	return 0;
}

static bool is_socket(int fd)
{
	struct stat st;

	return fd >= 0 && fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* The master goes to the runtime on fd 4, never to a socket of the host:
 * the container holds no connection to the outside (the runtime forwards
 * it to a console socket, docs/terminal.md). */
static int send_master(int status_fd, int master, struct sluice_error *err)
{
	unsigned int n = 0;
	uint32_t be;
	int r;

	(void)ioctl(master, TIOCGPTN, &n);
	be = htobe32(n);
	r = sluice_proto_send_fd(status_fd, SLUICE_MSG_CONSOLE, &be, sizeof(be), master);
	if (r < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -r, "send the pty master on fd 4");
	return 0;
}

static int make_pty(const struct sluice_terminal *t, int master, int *peer, struct sluice_error *err)
{
	const struct sluice_config *c = t->cfg;
	const struct sluice_namespace *mnt = &c->linux.ns[SLUICE_NS_MOUNT];

	*peer = open_peer(master, err);
	if (*peer < 0)
		return -1;
	/* An exec into a joined mount namespace started in the host's view
	 * too: its /dev/pts then was the host's, nothing to compare. */
	if (check_peer(*peer, mnt->path ? 0 : t->host_pts, err) < 0 ||
	    set_size(*peer, c, err) < 0 || own_peer(*peer, c->process.user.uid, err) < 0)
		return -1;
	/* Exec into a joined mount namespace (OCI exec) leaves its
	 * /dev/console alone, as runc does. */
	if (mnt->enabled && !mnt->path && bind_console(*peer, err) < 0)
		return -1;
	return send_master(t->status_fd, master, err);
}

int sluice_terminal_setup(const struct sluice_terminal *t, int *pty, struct sluice_error *err)
{
	int master, peer = -1;

	*pty = -1;
	if (!t->cfg->process.terminal)
		return 0;
	if (!is_socket(t->status_fd))
		return sluice_err(err, SLUICE_EXIT_SETUP, 0,
				  "process.terminal needs fd 4 to be a unix socket, to send the "
				  "pty master on (docs/protocol.md)");
	master = open_ptmx(err);
	if (master < 0)
		return -1;
	if (make_pty(t, master, &peer, err) < 0) {
		sluice_close(peer);
		sluice_close(master);
		return -1;
	}
	sluice_close(master);
	*pty = peer;
	return 0;
}

/* The process about to exec the workload leads a session of its own with
 * the pty as controlling terminal and 0, 1, 2 (sluice's init, if any, stays
 * outside that session: docs/terminal.md). */
int sluice_terminal_attach(int *pty, struct sluice_error *err)
{
	if (*pty < 0)
		return 0;
	if (getsid(0) != getpid() && setsid() < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno,
				  "setsid (the helper must not lead a process group)");
	if (ioctl(*pty, TIOCSCTTY, 0) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno,
				  "make the pty the controlling terminal (TIOCSCTTY)");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(*pty, fd) < 0)
			return sluice_err(err, SLUICE_EXIT_SETUP, errno, "dup2 the pty onto %d", fd);
	sluice_close(*pty);
	*pty = -1;
	return 0;
}
