/* What a compiled filter answers to one call (seccomp_filter.h).
 *
 * The helper's terminal guard (lib/init/session.c) is a second filter
 * that refuses ioctl TIOCSTI and TIOCLINUX.  When the workload's own
 * program refuses both already (the default profile does), the guard
 * would be a second load for nothing (~100 us of the kernel's work).
 * Rather than trust what the profile says, this runs the program the
 * kernel will run, a classic BPF interpreter over a made-up seccomp_data,
 * for each ABI the process can make the call in and for request values
 * whose upper 32 bits vary (the kernel reads only the lower ones).  A
 * program that looks at anything else (the fd, the instruction pointer)
 * gets no verdict: its answer would depend on what was not set, and the
 * guard stays. */
#include "seccomp_filter.h"

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>

/* The call to ask about: ioctl(any fd, request) in one ABI. */
struct call {
	uint32_t arch, nr;
	uint64_t arg1;
};

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG1_LO offsetof(struct seccomp_data, args[1])
#define ARG1_HI (offsetof(struct seccomp_data, args[1]) + 4)
#else
#define ARG1_LO (offsetof(struct seccomp_data, args[1]) + 4)
#define ARG1_HI offsetof(struct seccomp_data, args[1])
#endif

/* A 32-bit load; -1 for a field the call does not set. */
static int load(const struct call *c, uint32_t off, uint32_t *a)
{
	if (off == offsetof(struct seccomp_data, nr))
		*a = c->nr;
	else if (off == offsetof(struct seccomp_data, arch))
		*a = c->arch;
	else if (off == ARG1_LO)
		*a = (uint32_t)c->arg1;
	else if (off == ARG1_HI)
		*a = (uint32_t)(c->arg1 >> 32);
	else
		return -1;
	return 0;
}

static int alu(uint16_t code, uint32_t *a, uint32_t v)
{
	switch (BPF_OP(code)) {
	case BPF_ADD:
		*a += v;
		break;
	case BPF_SUB:
		*a -= v;
		break;
	case BPF_MUL:
		*a *= v;
		break;
	case BPF_OR:
		*a |= v;
		break;
	case BPF_AND:
		*a &= v;
		break;
	case BPF_XOR:
		*a ^= v;
		break;
	case BPF_LSH:
		*a = v < 32 ? *a << v : 0;
		break;
	case BPF_RSH:
		*a = v < 32 ? *a >> v : 0;
		break;
	case BPF_NEG:
		*a = -*a;
		break;
	case BPF_DIV:
	case BPF_MOD:
		if (!v)
			return -1;
		*a = BPF_OP(code) == BPF_DIV ? *a / v : *a % v;
		break;
	default:
		return -1;
	}
	return 0;
}

/* How far a jump goes past the next instruction; -1 for an unknown one. */
static int64_t jump(const struct sock_filter *i, uint32_t a, uint32_t x)
{
	uint32_t v = BPF_SRC(i->code) == BPF_X ? x : i->k;
	bool taken;

	switch (BPF_OP(i->code)) {
	case BPF_JA:
		return i->k;
	case BPF_JEQ:
		taken = a == v;
		break;
	case BPF_JGT:
		taken = a > v;
		break;
	case BPF_JGE:
		taken = a >= v;
		break;
	case BPF_JSET:
		taken = (a & v) != 0;
		break;
	default:
		return -1;
	}
	return taken ? i->jt : i->jf;
}

/* The program's SECCOMP_RET_* value for the call, or -1 without one. */
static int64_t run(const struct sock_filter *f, size_t n, const struct call *c)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };

	for (size_t pc = 0; pc < n; pc++) {
		const struct sock_filter *i = &f[pc];
		int64_t d;

		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (load(c, i->k, &a) < 0)
				return -1;
			continue;
		case BPF_LD | BPF_W | BPF_LEN:
			a = sizeof(struct seccomp_data);
			continue;
		case BPF_LDX | BPF_W | BPF_LEN:
			x = sizeof(struct seccomp_data);
			continue;
		case BPF_LD | BPF_IMM:
			a = i->k;
			continue;
		case BPF_LDX | BPF_IMM:
			x = i->k;
			continue;
		case BPF_MISC | BPF_TAX:
			x = a;
			continue;
		case BPF_MISC | BPF_TXA:
			a = x;
			continue;
		case BPF_RET | BPF_K:
			return i->k;
		case BPF_RET | BPF_A:
			return a;
		default:
			break;
		}
		if (i->code == (BPF_LD | BPF_MEM) || i->code == (BPF_LDX | BPF_MEM) ||
		    i->code == BPF_ST || i->code == BPF_STX) {
			if (i->k >= BPF_MEMWORDS)
				return -1;
			if (i->code == (BPF_LD | BPF_MEM))
				a = mem[i->k];
			else if (i->code == (BPF_LDX | BPF_MEM))
				x = mem[i->k];
			else
				mem[i->k] = i->code == BPF_ST ? a : x;
			continue;
		}
		if (BPF_CLASS(i->code) == BPF_ALU) {
			if (alu(i->code, &a, BPF_SRC(i->code) == BPF_X ? x : i->k) < 0)
				return -1;
			continue;
		}
		d = BPF_CLASS(i->code) == BPF_JMP ? jump(i, a, x) : -1;
		if (d < 0)
			return -1;
		pc += (size_t)d;
	}
	return -1; /* past the end: no verdict (the kernel refuses such a program) */
}

/* The call is not carried out: refused with an errno, or the caller
 * killed or trapped.  TRACE, USER_NOTIF, LOG and ALLOW may let it run. */
static bool refusal(int64_t ret)
{
	if (ret < 0)
		return false;
	switch ((uint32_t)ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_KILL_PROCESS:
	case SECCOMP_RET_KILL_THREAD:
	case SECCOMP_RET_TRAP:
	case SECCOMP_RET_ERRNO:
		return true;
	default:
		return false;
	}
}

/* ioctl in each ABI a process of this build can call it in. */
static const struct call abis[] = {
#if defined(__x86_64__)
	{ AUDIT_ARCH_X86_64, 16, 0 },
	{ AUDIT_ARCH_X86_64, 0x40000000 | 16, 0 },  /* x32 */
	{ AUDIT_ARCH_X86_64, 0x40000000 | 514, 0 }, /* x32's own ioctl */
	{ AUDIT_ARCH_I386, 54, 0 },
#elif defined(__aarch64__)
	{ AUDIT_ARCH_AARCH64, 29, 0 },
	{ AUDIT_ARCH_ARM, 54, 0 },
#endif
};

bool sluice_bpf_refuses_ioctl(const struct sluice_bpf *prog, uint32_t request)
{
	static const uint32_t high[] = { 0, 1, 0xffffffffu };
	size_t n = prog->len / sizeof(struct sock_filter);

	if (!prog->insns || !n || sizeof(abis) == 0)
		return false;
	for (size_t i = 0; i < sizeof(abis) / sizeof(abis[0]); i++)
		for (size_t h = 0; h < sizeof(high) / sizeof(high[0]); h++) {
			struct call c = abis[i];

			c.arg1 = (uint64_t)high[h] << 32 | request;
			if (!refusal(run(prog->insns, n, &c)))
				return false;
		}
	return true;
}
