/* clone_vm.h.  Why: on a virtual machine a fork costs what building and
 * tearing down a whole address space costs (0.5-0.8 ms measured on the
 * test machine, against 25 us for a vfork); a child that only execs need
 * not have one of its own.  glibc's clone() takes a function and a stack
 * but not clone3's arguments (CLONE_INTO_CGROUP, CLONE_NEWTIME), so the
 * few instructions that run the function on the new stack are ours. */
#include "clone_vm.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_VM
#define CLONE_VM 0x00000100
#endif
#define CLONE_INTO_CGROUP_ 0x200000000ULL

#if SLUICE_HAS_ASAN
#include <sanitizer/asan_interface.h>
#endif

/* clone3's argument, as the kernel's <linux/sched.h> has it (version 2). */
struct clone_vm_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
		set_tid_size, cgroup;
};

#if defined(__x86_64__) && !defined(__ILP32__) && defined(SYS_clone3)
/* The child starts on the new stack with the parent's registers: fn and
 * arg come in callee-saved registers, the stack top is 16-byte aligned so
 * that the call leaves it as the ABI expects at a function's entry, and
 * the child never comes back here (exit_group with fn's value). */
static long clone3_call(struct clone_vm_args *a, int (*fn)(void *), void *arg)
{
	register long r12 __asm__("r12") = (long)fn;
	register long r13 __asm__("r13") = (long)arg;
	long ret;

	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "mov %%r13, %%rdi\n\t"
			 "call *%%r12\n\t"
			 "mov %%eax, %%edi\n\t"
			 "mov %[exit_group], %%eax\n\t"
			 "syscall\n\t"
			 "hlt\n"
			 "1:"
			 : "=a"(ret)
			 : "a"((long)SYS_clone3), "D"(a), "S"(sizeof(*a)), "r"(r12),
			   "r"(r13), [exit_group] "i"(SYS_exit_group)
			 : "rcx", "r11", "rdx", "memory", "cc");
	return ret;
}
#define HAVE_CLONE3_CALL 1
#endif

static pid_t clone_on(void *stack, size_t size, uint64_t flags, int (*fn)(void *), void *arg,
		      int *pidfd, int cgroup_fd)
{
#ifdef HAVE_CLONE3_CALL
	struct clone_vm_args a;
	uintptr_t base = (uintptr_t)stack, top = (base + size) & ~(uintptr_t)15;
	long r;

	memset(&a, 0, sizeof(a));
	a.flags = flags | CLONE_VM;
	a.exit_signal = SIGCHLD;
	a.stack = base;
	a.stack_size = top - base;
	if (pidfd) {
		a.flags |= CLONE_PIDFD;
		a.pidfd = (uint64_t)(uintptr_t)pidfd;
	}
	if (cgroup_fd >= 0) {
		a.flags |= CLONE_INTO_CGROUP_;
		a.cgroup = (uint64_t)cgroup_fd;
	}
	r = clone3_call(&a, fn, arg);
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return (pid_t)r;
#else
	(void)stack;
	(void)size;
	(void)flags;
	(void)fn;
	(void)arg;
	(void)pidfd;
	(void)cgroup_fd;
	errno = ENOSYS;
	return -1;
#endif
}

struct start {
	int (*fn)(void *, int);
	void *arg;
	int execd[2];
};

/* The child: the read end of the exec pipe is the parent's, the write end
 * goes to fn.  Plain close(), which leaves errno (shared with the parent)
 * alone when it succeeds. */
static int child_start(void *p)
{
	struct start *st = p;

	if (st->execd[0] >= 0)
		(void)close(st->execd[0]);
	return st->fn(st->arg, st->execd[1]);
}

static pid_t clone_and_wait(void *stack, size_t size, uint64_t flags, struct start *st, int *pidfd,
			    int cgroup_fd, void (*meanwhile)(pid_t, void *), void *ctx)
{
	char c;
	pid_t pid;
	int e;

	st->execd[0] = st->execd[1] = -1;
	if (meanwhile) {
		if (pipe2(st->execd, O_CLOEXEC) < 0)
			return -1;
	} else {
		flags |= CLONE_VFORK;
	}
	pid = clone_on(stack, size, flags, child_start, st, pidfd, cgroup_fd);
	e = errno;
	/* st is the child's to read until its exec: never written here
	 * before the exec pipe says so (the child may start after meanwhile) */
	if (pid > 0 && meanwhile) {
		meanwhile(pid, ctx);
		(void)close(st->execd[1]);
		while (read(st->execd[0], &c, 1) < 0 && errno == EINTR)
			;
	} else if (st->execd[1] >= 0) {
		(void)close(st->execd[1]);
	}
	if (st->execd[0] >= 0)
		(void)close(st->execd[0]);
	errno = e;
	return pid;
}

#if SLUICE_HAS_ASAN
/* Test builds: the child runs on this frame, a part of the thread's stack
 * the sanitizer knows (on memory of its own the sanitizer would warn, on
 * the child's first call of a noreturn function, that it cannot tell the
 * stack's bounds), and the frames it leaves poisoned are cleared after. */
static pid_t clone_with_stack(uint64_t flags, struct start *st, int *pidfd, int cgroup_fd,
			      void (*meanwhile)(pid_t, void *), void *ctx)
{
	char stack[SLUICE_CLONE_VM_STACK];
	struct rlimit r;
	pid_t pid;

	if (getrlimit(RLIMIT_STACK, &r) < 0 ||
	    (r.rlim_cur != RLIM_INFINITY && r.rlim_cur < 8 * sizeof(stack))) {
		errno = ENOSYS;
		return -1;
	}
	pid = clone_and_wait(stack, sizeof(stack), flags, st, pidfd, cgroup_fd, meanwhile, ctx);
	__asan_unpoison_memory_region(stack, sizeof(stack));
	return pid;
}
void sluice_clone_vm_keep_stack(void)
{
}

void sluice_clone_vm_drop_stack(void)
{
}
#else
/* A stack kept mapped after its child's exec (sluice_clone_vm_keep_stack). */
static struct {
	bool keep;
	char *map;
	size_t len;
} kept;

void sluice_clone_vm_keep_stack(void)
{
	kept.keep = true;
}

void sluice_clone_vm_drop_stack(void)
{
	if (kept.map)
		(void)munmap(kept.map, kept.len);
	kept.map = NULL;
}

/* A mapping of its own, with a guard page below: a child that ran past its
 * stack faults instead of writing over whatever lies under it. */
static pid_t clone_with_stack(uint64_t flags, struct start *st, int *pidfd, int cgroup_fd,
			      void (*meanwhile)(pid_t, void *), void *ctx)
{
	const size_t guard = 4096, len = guard + SLUICE_CLONE_VM_STACK;
	char *map = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
	pid_t pid = -1;
	int e;

	if (map == MAP_FAILED)
		return -1;
	if (mprotect(map, guard, PROT_NONE) == 0)
		pid = clone_and_wait(map + guard, SLUICE_CLONE_VM_STACK, flags, st, pidfd,
				     cgroup_fd, meanwhile, ctx);
	e = errno;
	if (pid > 0 && kept.keep && !kept.map) {
		kept.map = map;
		kept.len = len;
	} else {
		(void)munmap(map, len);
	}
	kept.keep = false; /* the next clone's stack is unmapped again */
	errno = e;
	return pid;
}
#endif

pid_t sluice_clone_vm(uint64_t flags, int (*fn)(void *, int), void *arg, int *pidfd, int cgroup_fd,
		      void (*meanwhile)(pid_t pid, void *ctx), void *ctx)
{
	struct start st = { .fn = fn, .arg = arg };

#ifndef HAVE_CLONE3_CALL
	errno = ENOSYS;
	return -1;
#endif
	return clone_with_stack(flags, &st, pidfd, cgroup_fd, meanwhile, ctx);
}
