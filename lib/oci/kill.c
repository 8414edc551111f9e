/* kill: a signal to the container's init, or to all its processes. */
#include "oci_internal.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "util.h"

#define SIG(x) { #x, SIG##x }
static const struct {
	const char *name;
	int sig;
} signals[] = {
	SIG(HUP),  SIG(INT),  SIG(QUIT),   SIG(ILL),	SIG(TRAP),   SIG(ABRT),	 SIG(IOT),
	SIG(BUS),  SIG(FPE),  SIG(KILL),   SIG(USR1),	SIG(SEGV),   SIG(USR2),	 SIG(PIPE),
	SIG(ALRM), SIG(TERM), SIG(STKFLT), SIG(CHLD),	SIG(CONT),   SIG(STOP),	 SIG(TSTP),
	SIG(TTIN), SIG(TTOU), SIG(URG),	   SIG(XCPU),	SIG(XFSZ),   SIG(VTALRM), SIG(PROF),
	SIG(WINCH), SIG(IO),  SIG(POLL),   SIG(PWR),	SIG(SYS),
};

/* "RTMIN", "RTMIN+3", "RTMAX-2" */
static int realtime(const char *s)
{
	int base = !strncasecmp(s, "RTMIN", 5) ? SIGRTMIN : !strncasecmp(s, "RTMAX", 5) ? SIGRTMAX : 0;
	char *end;
	long off;

	if (!base)
		return -1;
	if (!s[5])
		return base;
	if ((s[5] != '+' && s[5] != '-') || !isdigit((unsigned char)s[6]))
		return -1;
	off = strtol(s + 6, &end, 10);
	if (*end || off > SIGRTMAX - SIGRTMIN)
		return -1;
	off = s[5] == '+' ? base + off : base - off;
	return off >= SIGRTMIN && off <= SIGRTMAX ? (int)off : -1;
}

int sluice_oci_parse_signal(const char *text, struct sluice_error *err)
{
	const char *s = text;
	char *end;
	long n;

	if (isdigit((unsigned char)*s)) {
		n = strtol(s, &end, 10);
		if (!*end && n >= 0 && n < NSIG)
			return (int)n;
	} else {
		if (!strncasecmp(s, "SIG", 3))
			s += 3;
		for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
			if (!strcasecmp(s, signals[i].name))
				return signals[i].sig;
		if (realtime(s) > 0)
			return realtime(s);
	}
	return sluice_err(err, SLUICE_EXIT_USAGE, 0, "unknown signal \"%s\"", text);
}

/* The identity of a namespace file: device and inode. */
static int ns_id(int fd, struct stat *st)
{
	return fstat(fd, st);
}

static bool same_ns(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Is the pid namespace of process pid the container's, or one nested in
 * it?  Walks up the parents (NS_GET_PARENT) of the process's namespace. */
static bool in_container(pid_t pid, const struct stat *cns, const struct stat *own)
{
	char path[64];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	for (int depth = 0; fd >= 0 && depth < 33; depth++) {
		int parent;
		if (ns_id(fd, &st) < 0 || same_ns(&st, own))
			break;
		if (same_ns(&st, cns)) {
			sluice_close(fd);
			return true;
		}
		parent = ioctl(fd, NS_GET_PARENT); /* a new fd, close-on-exec */
		sluice_close(fd);
		fd = parent;
	}
	sluice_close(fd);
	return false;
}

static void signal_one(pid_t pid, int sig, const struct stat *cns, const struct stat *own)
{
	int fd = sluice_pidfd_open(pid);

	/* checked after the open: a pid reused before it is not ours */
	if (fd >= 0 && in_container(pid, cns, own))
		(void)sluice_pidfd_signal(fd, sig);
	sluice_close(fd);
}

/* --all without the cgroup module: every process of the container's own
 * pid namespace (and of namespaces nested in it). */
static int kill_all(const struct oci_container *ct, int pidfd, int sig, struct sluice_error *err)
{
	char path[64];
	struct stat cns, own;
	cleanup_close int cfd = -1, ofd = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)ct->rec.pid);
	cfd = open(path, O_RDONLY | O_CLOEXEC);
	if (cfd < 0 || ofd < 0 || ns_id(cfd, &cns) < 0 || ns_id(ofd, &own) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "%s", path);
	if (same_ns(&cns, &own))
		return sluice_err(err, SLUICE_EXIT_OCI, 0,
				  "kill --all: the container shares sluice's pid namespace, and "
				  "finding its processes without one needs its cgroup");
	/* the init first: with SIGKILL that ends the namespace by itself */
	(void)sluice_pidfd_signal(pidfd, sig);
	d = opendir("/proc");
	if (!d)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "/proc");
	while ((e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*end || pid <= 0 || pid == ct->rec.pid)
			continue;
		signal_one((pid_t)pid, sig, &cns, &own);
	}
	closedir(d);
	return 0;
}

int sluice_oci_kill(const struct sluice_oci *o, const char *id, int sig, bool all,
		    struct sluice_error *err)
{
	struct oci_container ct;
	cleanup_close int pidfd = -1;
	bool gone;
	int r = oci_container_open(o, id, LOCK_EX, &ct, &gone, err);
	enum oci_status st = r == 0 ? oci_container_status(&ct) : OCI_STOPPED;

	if (r == 0 && (st == OCI_STOPPED || st == OCI_CREATING || (pidfd = oci_container_pidfd(&ct)) < 0))
		r = sluice_err(err, SLUICE_EXIT_OCI, 0, "container not running");
	if (r == 0 && all)
		r = kill_all(&ct, pidfd, sig, err);
	else if (r == 0 && (r = sluice_pidfd_signal(pidfd, sig)) < 0)
		r = sluice_err(err, SLUICE_EXIT_OCI, -r, "kill container %s", id);
	if (r == 0)
		oci_log(o, SLUICE_LOG_DEBUG, "container %s: signal %d sent%s", id, sig,
			all ? " to all its processes" : "");
	oci_container_close(&ct);
	return r;
}
