/* The init's own filter (seccomp_filter.h, docs/seccomp.md "The init").
 *
 * With sluice.init (or without a pid namespace) the helper stays in the
 * sandbox as the workload's init.  It is not put under the workload's
 * profile: a strict profile written for the workload (no wait4, no kill)
 * would break the init, which runs sluice's code, not the user's.  But it
 * must not be a way around that profile either: a workload allowed to
 * ptrace it could make it run any system call.  So the init gets a filter
 * of its own, fixed and small, right after it forks the workload: the
 * calls of its loop (wait, signals, reading its children from /proc, the
 * memory stdio needs) and nothing else, EPERM for the rest, the compat
 * ABIs (i386 and x32 on x86-64) included.
 *
 * Hand-written classic BPF: no libseccomp on this path, a few dozen
 * instructions, loaded in microseconds. */
#include "seccomp_filter.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "error.h"
#include "util.h"

#if defined(__x86_64__) && !defined(__ILP32__)
#define INIT_AUDIT_ARCH AUDIT_ARCH_X86_64
#define X32_SYSCALL_BIT 0x40000000
#elif defined(__aarch64__)
#define INIT_AUDIT_ARCH AUDIT_ARCH_AARCH64
#elif defined(__riscv) && __riscv_xlen == 64
#define INIT_AUDIT_ARCH AUDIT_ARCH_RISCV64
#elif defined(__s390x__)
#define INIT_AUDIT_ARCH AUDIT_ARCH_S390X
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define INIT_AUDIT_ARCH AUDIT_ARCH_PPC64LE
#endif

#define NR_OFF offsetof(struct seccomp_data, nr)
#define ARCH_OFF offsetof(struct seccomp_data, arch)
#define ARG0_OFF offsetof(struct seccomp_data, args[0])

/* What lib/init/pid1.c does once the workload is forked. */
static const int allowed[] = {
	SYS_rt_sigtimedwait,
	SYS_rt_sigprocmask,
	SYS_rt_sigreturn,
	SYS_restart_syscall,
	SYS_wait4,
	SYS_waitid,
	SYS_kill,
	SYS_tgkill,
	SYS_getpid,
	SYS_gettid,
	SYS_exit,
	SYS_exit_group,
	/* end_the_rest() reads /proc/self/task/PID/children with stdio */
	SYS_openat,
	SYS_read,
	SYS_close,
	SYS_lseek,
	SYS_fstat,
	SYS_newfstatat,
	SYS_brk,
	SYS_mmap,
	SYS_munmap,
	SYS_madvise,
	SYS_close_range,
#if SLUICE_HAS_ASAN
	/* Test builds only (make asan): the sanitizer runtimes report, lock
	 * and switch signal stacks with calls of their own. */
	SYS_sigaltstack,
	SYS_futex,
	SYS_write,
	SYS_writev,
	SYS_rt_sigaction,
	SYS_mprotect,
	SYS_sched_yield,
	SYS_prlimit64,
	SYS_getrlimit,
	SYS_readlinkat,
	SYS_readlink,
	SYS_getppid,
#endif
};

#ifdef INIT_AUDIT_ARCH
/* Builds: arch check, x32 check, prctl(PR_SET_PDEATHSIG) only, then one
 * jump per allowed call; EPERM and ALLOW at the end (at 7 + n, 8 + n). */
static size_t build(struct sock_filter *f)
{
	const size_t n = sizeof(allowed) / sizeof(allowed[0]);
	size_t i = 0;

	f[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARCH_OFF);
	/* another ABI: straight to EPERM, past the n + 5 jumps below */
	f[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, INIT_AUDIT_ARCH, 0,
					      (unsigned char)(n + 5));
	f[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFF);
#ifdef X32_SYSCALL_BIT
	f[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT,
					      (unsigned char)(n + 3), 0);
#else
	f[i++] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, 0);
#endif
	/* prctl: only PR_SET_PDEATHSIG, which the init sets after the fork */
	f[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_prctl, 0, 2);
	f[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0_OFF);
	f[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PR_SET_PDEATHSIG,
					      (unsigned char)(n + 1), (unsigned char)n);
	for (size_t k = 0; k < n; k++)
		f[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
						      (unsigned int)allowed[k],
						      (unsigned char)(n - k), 0);
	f[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
	f[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	return i;
}
#endif

int sluice_seccomp_confine_init(struct sluice_error *err)
{
#ifdef INIT_AUDIT_ARCH
	struct sock_filter insns[sizeof(allowed) / sizeof(allowed[0]) + 16];
	struct sock_fprog prog = { .filter = insns };

	prog.len = (unsigned short)build(insns);
	/* The init never execs: no_new_privs costs it nothing, and lets it
	 * load a filter without CAP_SYS_ADMIN. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "prctl(PR_SET_NO_NEW_PRIVS)");
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "the init's seccomp filter");
	return 0;
#else
	return sluice_err(err, SLUICE_EXIT_SETUP, 0,
			  "the init's seccomp filter is not written for this architecture");
#endif
}
