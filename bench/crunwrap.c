/* crunwrap [-n | -u] CMD [ARG...]: what crun needs on this host, without a
 * shell.
 *
 * crun 1.8 refuses a hybrid cgroup host ("cgroups in hybrid mode not
 * supported"), even with --cgroup-manager=disabled.  So: a private mount
 * namespace, a pure cgroup2 mount on /sys/fs/cgroup in it, then exec CMD.
 * With -n it exits right after the mounts instead: the benchmark times that
 * to report the wrapper's own cost next to crun's.  With -u it takes the
 * cgroup2 mount off again before exec: the other runtimes of the OCI
 * figures pay the very same wrapper and still see the host's hierarchies. */

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int only_wrap = argc > 1 && strcmp(argv[1], "-n") == 0;
	int unmount = argc > 1 && strcmp(argv[1], "-u") == 0;
	char **cmd = argv + 1 + (only_wrap || unmount);

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("none", "/sys/fs/cgroup", "cgroup2", 0, NULL) < 0) {
		perror("crunwrap: private mount namespace with cgroup2 on /sys/fs/cgroup");
		return 125;
	}
	if (only_wrap)
		return 0;
	if (unmount && umount2("/sys/fs/cgroup", MNT_DETACH) < 0) {
		perror("crunwrap: umount /sys/fs/cgroup");
		return 125;
	}
	if (!cmd[0]) {
		fprintf(stderr, "usage: crunwrap [-n | -u] CMD [ARG...]\n");
		return 2;
	}
	execvp(cmd[0], cmd);
	perror(cmd[0]);
	return 127;
}
