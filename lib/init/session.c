/* The caller's terminal is out of the workload's reach (docs/security.md
 * "The caller's terminal").
 *
 * A process that shares the caller's session can open /dev/tty, its
 * controlling terminal, whatever stdio it was given, and push keystrokes
 * into the caller's shell with ioctl(TIOCSTI), which the shell runs once
 * sluice exits (CVE-2017-5226).  So the helper leaves the caller's session
 * unless the workload is handed the caller's terminal as stdio: then it
 * stays (an interactive shell needs its terminal as the controlling one
 * for job control) and a seccomp filter refuses TIOCSTI and TIOCLINUX:
 * the workload's own when it refuses them (the default profile's), else
 * the small one here (helper.c step_tty_guard, docs/seccomp.md).
 * Without the caller's session, the terminal's signals (Ctrl-C, Ctrl-Z,
 * hang-up) reach only `sluice run`, which forwards them (lib/launch/run.c). */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "error.h"
#include "helper.h"

bool sluice_stdio_is_terminal(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (isatty(fd))
			return true;
	return false;
}

bool sluice_session_enter(void)
{
	if (sluice_stdio_is_terminal())
		return true;
	/* A process group leader cannot start a session: that is a helper
	 * started straight from a shell (`sluice init 3<config`), whose
	 * workload then keeps the shell's session and gets the filter. */
	return setsid() < 0;
}

/* The architectures a process of this build can run system calls in. */
#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#define NATIVE_IOCTL 16
#define X32_IOCTL (0x40000000 | 514) /* x32's ioctl, a third ABI on x86-64 */
#define COMPAT_ARCH AUDIT_ARCH_I386
#define COMPAT_IOCTL 54
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#define NATIVE_IOCTL 29
#define X32_IOCTL NATIVE_IOCTL
#define COMPAT_ARCH AUDIT_ARCH_ARM
#define COMPAT_IOCTL 54
#else
#error "lib/init/session.c: add this architecture's audit arch and ioctl numbers"
#endif

/* ioctl's request is an unsigned int to the kernel: only the low word of
 * the 64-bit argument counts. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG1_LOW offsetof(struct seccomp_data, args[1])
#else
#define ARG1_LOW (offsetof(struct seccomp_data, args[1]) + 4)
#endif

/* ioctl(fd, TIOCSTI or TIOCLINUX, ...) fails with EPERM, in every ABI;
 * everything else is allowed.  Jumps are relative to the next instruction. */
static const struct sock_filter tty_filter[] = {
	/* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	/* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 0, 4),
	/* 2 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	/* 3 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_IOCTL, 5, 0),
	/* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, X32_IOCTL, 4, 0),
	/* 5 */ BPF_STMT(BPF_JMP | BPF_JA | BPF_K, 6),
	/* 6 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, COMPAT_ARCH, 0, 5),
	/* 7 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	/* 8 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, COMPAT_IOCTL, 0, 3),
	/* 9 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG1_LOW),
	/* 10 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TIOCSTI, 2, 0),
	/* 11 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TIOCLINUX, 1, 0),
	/* 12 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	/* 13 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
};

static int load_filter(void)
{
	struct sock_fprog prog = {
		.len = sizeof(tty_filter) / sizeof(tty_filter[0]),
		.filter = (struct sock_filter *)tty_filter,
	};

	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0 ? -errno : 0;
}

/*
 * Loaded before the capabilities are dropped: the kernel accepts a filter
 * from a process with CAP_SYS_ADMIN in its user namespace, or with
 * no_new_privs.  Without either (an unprivileged caller and no user
 * namespace), no_new_privs is set now when the config asks for it anyway.
 */
int sluice_tty_guard_apply(const struct sluice_config *c, struct sluice_error *err)
{
	int e = load_filter();

	if (e == -EACCES && c->process.no_new_privileges) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			return sluice_err(err, SLUICE_EXIT_SETUP, errno,
					  "prctl(PR_SET_NO_NEW_PRIVS)");
		e = load_filter();
	}
	if (e == -EACCES)
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
				  "the workload gets the caller's terminal, and refusing it TIOCSTI "
				  "takes a seccomp filter, which needs process.noNewPrivileges or a "
				  "user namespace: set one, or give it stdio that is not a terminal");
	if (e < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -e,
				  "load the seccomp filter that refuses TIOCSTI and TIOCLINUX");
	return 0;
}
