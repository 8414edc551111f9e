/* The default seccomp profile of `sluice run` (docs/seccomp.md has every
 * entry and why).
 *
 * A deny list in the spirit of the container engines' default profiles
 * (moby's profiles/seccomp/default.json, containers/common's seccomp.json)
 * and of flatpak's: everything is allowed but the system calls that reach
 * kernel state a sandbox must not touch (keyrings, modules, kexec), widen
 * the kernel's attack surface for no common program (bpf, perf,
 * userfaultfd, io_uring), push input into the caller's terminal (TIOCSTI,
 * TIOCLINUX), or make new user namespaces from inside.  Each gets EPERM,
 * except clone3: its flags are in memory a filter cannot read, so it gets
 * ENOSYS and the C library falls back to clone, whose flags it can.
 *
 * Like the engines' profiles, an entry whose only legitimate use needs a
 * capability is left out when the sandbox's bounding set holds that
 * capability: the kernel's own check then decides, and the filter does
 * not break what the config asked for (mount with CAP_SYS_ADMIN).
 *
 * The profile names the native architecture and the compat ABI a program
 * may still use (i386 on x86-64), so that int 0x80 cannot walk around the
 * list.  x32 is left out: no distribution builds for it, Debian's kernel
 * does not even run it, and an ABI the filter does not name meets
 * libseccomp's bad-arch action, which kills the caller: stricter than
 * listing its calls, and 70 fewer instructions to load at every start. */
#include "seccomp_profile.h"

#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "util.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif
#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
#ifndef CLONE_NEWUSER
#define CLONE_NEWUSER 0x10000000
#endif

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define CAP(x) (UINT64_C(1) << (x))
#define NAMES(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* clone's flags are its first argument, but s390's second. */
#if defined(__s390x__) || defined(__s390__)
#define CLONE_FLAGS_ARG 1
#else
#define CLONE_FLAGS_ARG 0
#endif

struct entry {
	const char *const *names;
	uint32_t errno_ret;
	uint64_t unless; /* dropped when the bounding set holds one of these */
	bool userns;	 /* dropped when the config allows nested user namespaces */
	bool has_arg;
	struct sluice_seccomp_arg arg;
};

/* An argument condition: ioctl's request is an unsigned int, so only its
 * low 32 bits are compared (the kernel ignores the rest; an exact 64-bit
 * match would let TIOCSTI | 1 << 32 through). */
#define LOW32_EQ(i, v)                                   \
	.has_arg = true, .arg = { .index = (i),          \
				  .value = 0xffffffffu,  \
				  .value_two = (v),      \
				  .value_two_set = true, \
				  .op = SLUICE_SCMP_MASKED_EQ }
#define HAS_BITS(i, v)                                   \
	.has_arg = true, .arg = { .index = (i),          \
				  .value = (v),          \
				  .value_two = (v),      \
				  .value_two_set = true, \
				  .op = SLUICE_SCMP_MASKED_EQ }
#define EQUALS(i, v) .has_arg = true, .arg = { .index = (i), .value = (v), .op = SLUICE_SCMP_EQ }

static const struct entry entries[] = {
	/* Kernel keyrings are not namespaced. */
	{ .names = NAMES("add_key", "keyctl", "request_key"), .errno_ret = EPERM, .unless = 0 },
	/* Replacing or extending the running kernel. */
	{ .names = NAMES("kexec_load", "kexec_file_load"), .errno_ret = EPERM, .unless = 0 },
	{ .names = NAMES("init_module", "finit_module", "delete_module"),
	  .errno_ret = EPERM,
	  .unless = CAP(CAP_SYS_MODULE) },
	{ .names = NAMES("create_module", "get_kernel_syms", "query_module"),
	  .errno_ret = EPERM,
	  .unless = 0 },
	{ .names = NAMES("reboot"), .errno_ret = EPERM, .unless = CAP(CAP_SYS_BOOT) },
	/* Attack surface: the subsystems most kernel exploits came through. */
	{ .names = NAMES("bpf"), .errno_ret = EPERM, .unless = CAP(CAP_SYS_ADMIN) | CAP(CAP_BPF) },
	{ .names = NAMES("perf_event_open"),
	  .errno_ret = EPERM,
	  .unless = CAP(CAP_SYS_ADMIN) | CAP(CAP_PERFMON) },
	{ .names = NAMES("userfaultfd"), .errno_ret = EPERM, .unless = 0 },
	{ .names = NAMES("io_uring_setup", "io_uring_enter", "io_uring_register"),
	  .errno_ret = EPERM,
	  .unless = 0 },
	/* Files by handle walk around the mount tree (CVE-2014-5206 "shocker"). */
	{ .names = NAMES("open_by_handle_at"),
	  .errno_ret = EPERM,
	  .unless = CAP(CAP_DAC_READ_SEARCH) },
	/* Typing into the terminal the sandbox shares (CVE-2017-5226). */
	{ .names = NAMES("ioctl"), .errno_ret = EPERM, .unless = 0, LOW32_EQ(1, TIOCSTI) },
	{ .names = NAMES("ioctl"), .errno_ret = EPERM, .unless = 0, LOW32_EQ(1, TIOCLINUX) },
	/* New user namespaces from inside; clone3 hides its flags. */
	{ .names = NAMES("clone"),
	  .errno_ret = EPERM,
	  .unless = CAP(CAP_SYS_ADMIN),
	  .userns = true,
	  HAS_BITS(CLONE_FLAGS_ARG, CLONE_NEWUSER) },
	{ .names = NAMES("unshare"),
	  .errno_ret = EPERM,
	  .unless = CAP(CAP_SYS_ADMIN),
	  .userns = true,
	  HAS_BITS(0, CLONE_NEWUSER) },
	{ .names = NAMES("clone3"),
	  .errno_ret = ENOSYS,
	  .unless = CAP(CAP_SYS_ADMIN),
	  .userns = true },
	{ .names = NAMES("setns"), .errno_ret = EPERM, .unless = CAP(CAP_SYS_ADMIN) },
	/* The mount tree. */
	{ .names = NAMES("mount", "umount", "umount2", "pivot_root", "fsopen", "fsconfig",
			 "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr"),
	  .errno_ret = EPERM,
	  .unless = CAP(CAP_SYS_ADMIN) },
	{ .names = NAMES("chroot"), .errno_ret = EPERM, .unless = CAP(CAP_SYS_CHROOT) },
	/* Host-wide state: clocks, swap, quotas, accounting, the kernel log. */
	{ .names = NAMES("settimeofday", "stime", "clock_settime", "clock_settime64"),
	  .errno_ret = EPERM,
	  .unless = CAP(CAP_SYS_TIME) },
	{ .names = NAMES("swapon", "swapoff", "quotactl", "quotactl_fd", "sethostname",
			 "setdomainname", "fanotify_init", "lookup_dcookie"),
	  .errno_ret = EPERM,
	  .unless = CAP(CAP_SYS_ADMIN) },
	{ .names = NAMES("acct"), .errno_ret = EPERM, .unless = CAP(CAP_SYS_PACCT) },
	{ .names = NAMES("syslog"),
	  .errno_ret = EPERM,
	  .unless = CAP(CAP_SYS_ADMIN) | CAP(CAP_SYSLOG) },
	{ .names = NAMES("vhangup"), .errno_ret = EPERM, .unless = CAP(CAP_SYS_TTY_CONFIG) },
	{ .names = NAMES("iopl", "ioperm"), .errno_ret = EPERM, .unless = CAP(CAP_SYS_RAWIO) },
	/* Other processes' memory and files. */
	{ .names = NAMES("kcmp", "pidfd_getfd", "process_madvise"),
	  .errno_ret = EPERM,
	  .unless = CAP(CAP_SYS_PTRACE) },
	{ .names = NAMES("mbind", "set_mempolicy", "get_mempolicy", "set_mempolicy_home_node",
			 "migrate_pages", "move_pages"),
	  .errno_ret = EPERM,
	  .unless = CAP(CAP_SYS_NICE) },
	/* vsock reaches the hypervisor or the host: no namespace covers it. */
	{ .names = NAMES("socket"), .errno_ret = EPERM, .unless = 0, EQUALS(0, AF_VSOCK) },
	/* Obsolete calls no current program makes. */
	{ .names = NAMES("uselib", "ustat", "sysfs", "_sysctl", "nfsservctl", "bdflush", "vm86",
			 "vm86old"),
	  .errno_ret = EPERM,
	  .unless = 0 },
};

/* The native architecture and the compat ABI programs still use. */
static const char *const native_archs[] = {
#if defined(__x86_64__) && defined(__ILP32__)
	"SCMP_ARCH_X32", "SCMP_ARCH_X86_64", "SCMP_ARCH_X86",
#elif defined(__x86_64__)
	"SCMP_ARCH_X86_64", "SCMP_ARCH_X86",
#elif defined(__aarch64__)
	"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM",
#endif
	NULL
};

static int add_archs(struct sluice_seccomp *s)
{
	s->archs = calloc(N_ELEMS(native_archs), sizeof(*s->archs));
	if (!s->archs)
		return -ENOMEM;
	for (size_t i = 0; native_archs[i]; i++) {
		int a = sluice_scmp_lookup(sluice_scmp_arch_names, sluice_scmp_n_arch_names,
					   native_archs[i]);
		if (a >= 0)
			s->archs[s->n_archs++] = a;
	}
	return 0;
}

static int add_rule(struct sluice_seccomp *s, const struct entry *e)
{
	struct sluice_seccomp_rule *r = &s->rules[s->n_rules];

	r->names = sluice_strv_dup((char *const *)e->names);
	if (!r->names)
		return -ENOMEM;
	s->n_rules++;
	r->action = SLUICE_SCMP_ERRNO;
	r->errno_set = true;
	r->errno_ret = e->errno_ret;
	if (!e->has_arg)
		return 0;
	r->args = malloc(sizeof(*r->args));
	if (!r->args)
		return -ENOMEM;
	r->args[0] = e->arg;
	r->n_args = 1;
	return 0;
}

struct sluice_seccomp *sluice_seccomp_default_profile(uint64_t bounding, bool nested_userns)
{
	struct sluice_seccomp *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return NULL;
	s->default_action = SLUICE_SCMP_ALLOW;
	s->rules = calloc(N_ELEMS(entries), sizeof(*s->rules));
	r = s->rules ? add_archs(s) : -ENOMEM;
	for (size_t i = 0; r == 0 && i < N_ELEMS(entries); i++)
		if (!(entries[i].unless & bounding) && !(entries[i].userns && nested_userns))
			r = add_rule(s, &entries[i]);
	if (r < 0) {
		sluice_seccomp_free(s);
		return NULL;
	}
	return s;
}
