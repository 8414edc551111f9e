/* Loading a compiled filter with seccomp(2) itself (seccomp_filter.h): no
 * libseccomp on the helper's hot path, one system call. */
#include "seccomp_filter.h"

#include <endian.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "error.h"

#ifndef SECCOMP_FILTER_FLAG_TSYNC
#define SECCOMP_FILTER_FLAG_TSYNC (1UL << 0)
#endif
#ifndef SECCOMP_FILTER_FLAG_LOG
#define SECCOMP_FILTER_FLAG_LOG (1UL << 1)
#endif
#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2)
#endif
#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#ifndef SECCOMP_GET_ACTION_AVAIL
#define SECCOMP_GET_ACTION_AVAIL 2
#endif

static const unsigned long kernel_flag[SLUICE_SCMP_FLAG_COUNT] = {
	[SLUICE_SCMP_FLAG_TSYNC] = SECCOMP_FILTER_FLAG_TSYNC,
	[SLUICE_SCMP_FLAG_LOG] = SECCOMP_FILTER_FLAG_LOG,
	[SLUICE_SCMP_FLAG_SPEC_ALLOW] = SECCOMP_FILTER_FLAG_SPEC_ALLOW,
	[SLUICE_SCMP_FLAG_WAIT_KILLABLE_RECV] = SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
};

static int sys_seccomp(unsigned int op, unsigned int flags, void *args)
{
	return (int)syscall(SYS_seccomp, op, flags, args);
}

/* TSYNC with a listener is refused unless the kernel may answer ESRCH
 * instead of a thread id (seccomp(2)); the helper has one thread, so no
 * thread can be out of sync either way. */
unsigned int sluice_seccomp_kernel_flags(const struct sluice_seccomp *s)
{
	unsigned int flags = 0;

	for (int f = 0; f < SLUICE_SCMP_FLAG_COUNT; f++)
		if (s->flags & (1u << f))
			flags |= (unsigned int)kernel_flag[f];
	if (sluice_seccomp_uses_notify(s)) {
		flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
		if (flags & SECCOMP_FILTER_FLAG_TSYNC)
			flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
	}
	return flags;
}

/* The kernel checks the flags before it reads the program: EFAULT for a
 * NULL program means it knows them, EINVAL that it does not.  Any other
 * answer (ENOSYS under valgrind, which does not know seccomp(2)) proves
 * nothing: the load itself will say.  WAIT_KILLABLE_RECV alone is EINVAL
 * even where the kernel has it: it is valid only with a listener, so it
 * is asked with one (which is only made after the program is read). */
static bool kernel_has_flag(unsigned int flag)
{
	if (flag & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
		flag |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	return !(sys_seccomp(SECCOMP_SET_MODE_FILTER, flag, NULL) < 0 && errno == EINVAL);
}

bool sluice_seccomp_flag_supported(enum sluice_scmp_flag f)
{
	return kernel_has_flag((unsigned int)kernel_flag[f]);
}

/* EOPNOTSUPP: an action this kernel does not have (EINVAL: a kernel older
 * than SECCOMP_GET_ACTION_AVAIL, which has only the oldest actions). */
static bool kernel_has_action(uint32_t ret)
{
	return !(sys_seccomp(SECCOMP_GET_ACTION_AVAIL, 0, &ret) < 0 && errno == EOPNOTSUPP);
}

static uint32_t action_ret(enum sluice_scmp_action a)
{
	static const uint32_t rets[SLUICE_SCMP_ACTION_COUNT] = {
		[SLUICE_SCMP_KILL] = SECCOMP_RET_KILL_THREAD,
		[SLUICE_SCMP_KILL_PROCESS] = SECCOMP_RET_KILL_PROCESS,
		[SLUICE_SCMP_KILL_THREAD] = SECCOMP_RET_KILL_THREAD,
		[SLUICE_SCMP_TRAP] = SECCOMP_RET_TRAP,
		[SLUICE_SCMP_ERRNO] = SECCOMP_RET_ERRNO,
		[SLUICE_SCMP_TRACE] = SECCOMP_RET_TRACE,
		[SLUICE_SCMP_ALLOW] = SECCOMP_RET_ALLOW,
		[SLUICE_SCMP_LOG] = SECCOMP_RET_LOG,
		[SLUICE_SCMP_NOTIFY] = SECCOMP_RET_USER_NOTIF,
	};

	return rets[a];
}

static int missing(const char *source, const char *what, struct sluice_error *err)
{
	struct utsname u;

	if (uname(&u) < 0)
		snprintf(u.release, sizeof(u.release), "?");
	return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
			  "%s: linux.seccomp: %s is not supported by this kernel (%s)", source,
			  what, u.release);
}

int sluice_seccomp_check_flags(const struct sluice_seccomp *s, const char *source,
			       struct sluice_error *err)
{
	for (int f = 0; f < SLUICE_SCMP_FLAG_COUNT; f++)
		if ((s->flags & (1u << f)) && !kernel_has_flag((unsigned int)kernel_flag[f]))
			return missing(source, sluice_scmp_flag_names[f], err);
	if (sluice_seccomp_uses_notify(s) && !kernel_has_flag(SECCOMP_FILTER_FLAG_NEW_LISTENER))
		return missing(source, "SCMP_ACT_NOTIFY (a listener)", err);
	return 0;
}

int sluice_seccomp_check_actions(const struct sluice_seccomp *s, const char *source,
				 struct sluice_error *err)
{
	unsigned int seen = 0;

	for (size_t i = 0; i <= s->n_rules; i++) {
		enum sluice_scmp_action a = i < s->n_rules ? s->rules[i].action : s->default_action;
		if (seen & (1u << a))
			continue;
		seen |= 1u << a;
		if (!kernel_has_action(action_ret(a)))
			return missing(source, sluice_scmp_action_names[a], err);
	}
	return 0;
}

char *sluice_seccomp_frame_encode(unsigned int flags, const struct sluice_bpf *prog, size_t *len)
{
	uint32_t be = htobe32(flags);
	char *p = malloc(sizeof(be) + prog->len);

	if (!p)
		return NULL;
	memcpy(p, &be, sizeof(be));
	memcpy(p + sizeof(be), prog->insns, prog->len);
	*len = sizeof(be) + prog->len;
	return p;
}

int sluice_seccomp_frame_decode(const char *payload, size_t len, unsigned int *flags,
				struct sluice_bpf *prog)
{
	uint32_t be;

	if (len < sizeof(be) || sluice_bpf_check(payload + sizeof(be), len - sizeof(be)) < 0)
		return -EBADMSG;
	memcpy(&be, payload, sizeof(be));
	prog->insns = malloc(len - sizeof(be));
	if (!prog->insns)
		return -ENOMEM;
	memcpy(prog->insns, payload + sizeof(be), len - sizeof(be));
	prog->len = len - sizeof(be);
	*flags = be32toh(be);
	return 0;
}

bool sluice_seccomp_flags_notify(unsigned int flags)
{
	return (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) != 0;
}

int sluice_seccomp_load(const struct sluice_bpf *prog, unsigned int flags, int *listener,
			struct sluice_error *err)
{
	struct sock_fprog fprog = { .len = (unsigned short)(prog->len / 8), .filter = prog->insns };
	int r;

	*listener = -1;
	if (sluice_bpf_check(prog->insns, prog->len) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, EINVAL, "seccomp: bad filter program");
	r = sys_seccomp(SECCOMP_SET_MODE_FILTER, flags, &fprog);
	if (r < 0 && errno == EACCES)
		return sluice_err(err, SLUICE_EXIT_SETUP, 0,
				  "seccomp: loading a filter needs no_new_privs or CAP_SYS_ADMIN: "
				  "set process.noNewPrivileges to true");
	if (r < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "seccomp(SECCOMP_SET_MODE_FILTER)");
	if (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)
		*listener = r;
	return 0;
}
