/* kill: a signal to the container's init, or to all its processes. */
#include "oci_internal.h"

#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <unistd.h>

#include "error.h"
#include "util.h"

#define SIG(x)             \
	{                  \
#x, SIG##x \
	}
static const struct {
	const char *name;
	int sig;
} signals[] = {
	SIG(HUP),   SIG(INT),  SIG(QUIT),   SIG(ILL),  SIG(TRAP), SIG(ABRT),   SIG(IOT),
	SIG(BUS),   SIG(FPE),  SIG(KILL),   SIG(USR1), SIG(SEGV), SIG(USR2),   SIG(PIPE),
	SIG(ALRM),  SIG(TERM), SIG(STKFLT), SIG(CHLD), SIG(CONT), SIG(STOP),   SIG(TSTP),
	SIG(TTIN),  SIG(TTOU), SIG(URG),    SIG(XCPU), SIG(XFSZ), SIG(VTALRM), SIG(PROF),
	SIG(WINCH), SIG(IO),   SIG(POLL),   SIG(PWR),  SIG(SYS),
};

/* "RTMIN", "RTMIN+3", "RTMAX-2" */
static int realtime(const char *s)
{
	int base = !strncasecmp(s, "RTMIN", 5) ? SIGRTMIN :
		   !strncasecmp(s, "RTMAX", 5) ? SIGRTMAX :
						 0;
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

static int signal_one(pid_t pid, int pidfd, void *ctx)
{
	(void)pid;
	(void)sluice_pidfd_signal(pidfd, *(int *)ctx);
	return 0;
}

/* --all: every process of the container's cgroup, as runc; a container
 * without one (rootless, no resources) through its pid namespace, the init
 * first (with SIGKILL that ends the namespace). */
static int kill_all(struct oci_container *ct, int pidfd, int sig, struct sluice_error *err)
{
	struct sluice_cgroup *cg = NULL;

	if (oci_container_cgroup(ct, &cg, err) < 0)
		return -1;
	if (cg)
		return sluice_cgroup_kill(cg, sig, err);
	(void)sluice_pidfd_signal(pidfd, sig);
	return oci_container_procs(ct, signal_one, &sig, err);
}

/* A SIGKILL must not wait in a frozen cgroup (v1 keeps frozen tasks
 * from dying): runc thaws a paused container after it, and so do we. */
static void thaw_after_kill(struct oci_container *ct, enum oci_status st, int sig)
{
	struct sluice_error e = { 0 };
	struct sluice_cgroup *cg = NULL;

	if (sig == SIGKILL && st == OCI_PAUSED && oci_container_cgroup(ct, &cg, &e) == 0 && cg)
		(void)sluice_cgroup_freeze(cg, false, &e);
}

int sluice_oci_kill(const struct sluice_oci *o, const char *id, int sig, bool all,
		    struct sluice_error *err)
{
	struct oci_container ct;
	cleanup_close int pidfd = -1;
	bool gone;
	int r = oci_container_open(o, id, LOCK_EX, &ct, &gone, err);
	enum oci_status st = r == 0 ? oci_container_status(&ct) : OCI_STOPPED;

	if (r == 0 &&
	    (st == OCI_STOPPED || st == OCI_CREATING || (pidfd = oci_container_pidfd(&ct)) < 0))
		r = sluice_err(err, SLUICE_EXIT_OCI, 0, "container not running");
	if (r == 0 && all)
		r = kill_all(&ct, pidfd, sig, err);
	else if (r == 0 && (r = sluice_pidfd_signal(pidfd, sig)) < 0)
		r = sluice_err(err, SLUICE_EXIT_OCI, -r, "kill container %s", id);
	if (r == 0)
		thaw_after_kill(&ct, st, sig);
	if (r == 0)
		oci_log(o, SLUICE_LOG_DEBUG, "container %s: signal %d sent%s", id, sig,
			all ? " to all its processes" : "");
	oci_container_close(&ct);
	return r;
}
