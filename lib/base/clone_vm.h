/* A child that shares its parent's memory until it execs (posix_spawn's
 * trick), for the two places where sluice starts a process only to exec:
 * the launcher's helper and the init's workload.  Internal. */
#ifndef SLUICE_CLONE_VM_H
#define SLUICE_CLONE_VM_H

#include <stdint.h>
#include <sys/types.h>

/* The child's stack: what the helper's last steps need, sanitizers
 * included, with room to spare. */
#define SLUICE_CLONE_VM_STACK (256 * 1024)

/*
 * clone3(2) with CLONE_VM and `flags` (namespaces), the child running
 * fn(arg, exec_fd) on a stack of its own and exiting with what fn returns
 * (fn should exec or _exit).  Returns the child's pid once the child has
 * exec'd or exited, when it no longer uses our memory.
 *
 * meanwhile NULL: we sleep in the kernel until then (CLONE_VFORK), and
 * exec_fd is -1.  Otherwise meanwhile(pid, ctx) runs while the child runs,
 * on the same memory: the child must wait (a gate of the caller's) until
 * meanwhile lets it go, and touch nothing meanwhile uses, errno included;
 * and exec_fd is the fd (close-on-exec) whose closing by the exec tells us
 * that the child no longer uses our memory: whatever closes the child's
 * fds before its exec must keep that one.
 *
 * cgroup_fd >= 0 adds CLONE_INTO_CGROUP; pidfd (not NULL) CLONE_PIDFD.
 * -1 with errno on failure; ENOSYS where this build, kernel or stack
 * limit has no room for it: the caller forks instead.
 */
pid_t sluice_clone_vm(uint64_t flags, int (*fn)(void *arg, int exec_fd), void *arg, int *pidfd,
		      int cgroup_fd, void (*meanwhile)(pid_t pid, void *ctx), void *ctx);

/*
 * The child's stack is unmapped before sluice_clone_vm returns, unless
 * sluice_clone_vm_keep_stack() was called first: the next stack then stays
 * mapped until sluice_clone_vm_drop_stack().  For the init, whose munmap
 * would otherwise come between the workload's exec and its reaping (0.14
 * ms here, a TLB shootdown of a memory the other CPU ran on): it drops the
 * stack once idle, with the rest of its set-up memory.
 */
void sluice_clone_vm_keep_stack(void);
void sluice_clone_vm_drop_stack(void);

#endif
