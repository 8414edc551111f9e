/* Device rules on cgroup v2: a BPF_PROG_TYPE_CGROUP_DEVICE program, built
 * here instruction by instruction and loaded with the raw bpf(2) call (no
 * libbpf).  The kernel runs it on every open and mknod of a device node by
 * a task in the cgroup; it returns 1 to allow, 0 to deny.
 *
 * The rules mean what they mean to the v1 devices controller, whose order
 * semantics the spec assumes: they are first folded into a default
 * (allow or deny, set by the last "a" rule) and a list of exceptions, the
 * way the kernel's devcgroup keeps them (an allow rule in deny mode adds
 * an exception, a deny rule removes exactly that exception's access, and
 * vice versa), then each exception becomes one block of the program:
 *   default deny:  a request is allowed if one exception covers all of
 *                  its access (match_exception)
 *   default allow: a request is denied if one exception shares any of its
 *                  access (match_exception_partial)
 * runc and crun compile the same way (runc's devicefilter, crun's ebpf.c). */
#include "cgroup_internal.h"

#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

#ifndef BPF_JMP32
#define BPF_JMP32 0x06
#endif

enum {
	R0,
	R1,
	R2,
	R3,
	R4,
	R5
};

struct exception {
	char type; /* 'c' or 'b' */
	int64_t major, minor;
	unsigned access; /* BPF_DEVCG_ACC_* bits */
};

static unsigned access_bits(const char *a)
{
	unsigned bits = 0;

	for (; *a; a++)
		bits |= *a == 'r' ? BPF_DEVCG_ACC_READ :
			*a == 'w' ? BPF_DEVCG_ACC_WRITE :
			*a == 'm' ? BPF_DEVCG_ACC_MKNOD :
				    0;
	return bits;
}

struct fold {
	bool allow; /* the default */
	struct exception *ex;
	size_t n;
};

static void fold_rule(struct fold *F, const struct sluice_device_rule *d)
{
	unsigned acc = access_bits(d->access);

	if (d->type == 'a') {
		F->allow = d->allow;
		F->n = 0;
		return;
	}
	for (size_t i = 0; i < F->n; i++) {
		struct exception *e = &F->ex[i];
		if (e->type != d->type || e->major != d->major || e->minor != d->minor)
			continue;
		if (d->allow != F->allow)
			e->access |= acc;
		else
			e->access &= ~acc;
		if (!e->access)
			memmove(e, e + 1, (F->n - i - 1) * sizeof(*e)), F->n--;
		return;
	}
	if (d->allow != F->allow)
		F->ex[F->n++] = (struct exception){ d->type, d->major, d->minor, acc };
}

static void emit(struct cg_bpf_insn *p, size_t *len, uint8_t code, int dst, int src, int16_t off,
		 int32_t imm)
{
	p[(*len)++] = (struct cg_bpf_insn){ code, (uint8_t)(dst | (src << 4)), off, imm };
}

/* One exception: jumps past its own end when it does not match. */
static void emit_block(struct cg_bpf_insn *p, size_t *len, const struct exception *e, bool allow)
{
	size_t start = *len;
	int32_t type = e->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK;
	size_t jumps[4], nj = 0;

	jumps[nj++] = *len;
	emit(p, len, BPF_JMP32 | BPF_JNE | BPF_K, R2, 0, 0, type);
	if (e->major >= 0) {
		jumps[nj++] = *len;
		emit(p, len, BPF_JMP32 | BPF_JNE | BPF_K, R4, 0, 0, (int32_t)e->major);
	}
	if (e->minor >= 0) {
		jumps[nj++] = *len;
		emit(p, len, BPF_JMP32 | BPF_JNE | BPF_K, R5, 0, 0, (int32_t)e->minor);
	}
	emit(p, len, BPF_ALU | BPF_MOV | BPF_X, R1, R3, 0, 0);
	if (allow) {
		/* deny exception: go on unless the request shares its access */
		emit(p, len, BPF_ALU | BPF_AND | BPF_K, R1, 0, 0, (int32_t)e->access);
		jumps[nj++] = *len;
		emit(p, len, BPF_JMP32 | BPF_JEQ | BPF_K, R1, 0, 0, 0);
	} else {
		/* allow exception: go on unless it covers every access asked */
		emit(p, len, BPF_ALU | BPF_AND | BPF_K, R1, 0, 0, (int32_t)(~e->access & 7u));
		jumps[nj++] = *len;
		emit(p, len, BPF_JMP32 | BPF_JNE | BPF_K, R1, 0, 0, 0);
	}
	emit(p, len, BPF_ALU | BPF_MOV | BPF_K, R0, 0, 0, allow ? 0 : 1);
	emit(p, len, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	for (size_t j = 0; j < nj; j++)
		p[jumps[j]].off = (int16_t)(*len - jumps[j] - 1);
	(void)start;
}

int cg_bpf_build(const struct sluice_device_rule *rules, size_t n, struct cg_bpf_insn **out,
		 size_t *len)
{
	struct fold F = { .allow = true, .ex = calloc(n ? n : 1, sizeof(struct exception)) };
	struct cg_bpf_insn *p;

	*out = NULL;
	*len = 0;
	if (!F.ex)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if ((rules[i].major > INT32_MAX) || (rules[i].minor > INT32_MAX)) {
			free(F.ex);
			return -ERANGE;
		}
		fold_rule(&F, &rules[i]);
	}
	/* 6 to load the context, at most 9 per exception, 2 to end */
	p = calloc(6 + 9 * F.n + 2, sizeof(*p));
	if (!p) {
		free(F.ex);
		return -ENOMEM;
	}
	/* r2 = type, r3 = access, r4 = major, r5 = minor (struct bpf_cgroup_dev_ctx) */
	emit(p, len, BPF_LDX | BPF_MEM | BPF_W, R2, R1, 0, 0);
	emit(p, len, BPF_ALU | BPF_AND | BPF_K, R2, 0, 0, 0xffff);
	emit(p, len, BPF_LDX | BPF_MEM | BPF_W, R3, R1, 0, 0);
	emit(p, len, BPF_ALU | BPF_RSH | BPF_K, R3, 0, 0, 16);
	emit(p, len, BPF_LDX | BPF_MEM | BPF_W, R4, R1, 4, 0);
	emit(p, len, BPF_LDX | BPF_MEM | BPF_W, R5, R1, 8, 0);
	for (size_t i = 0; i < F.n; i++)
		emit_block(p, len, &F.ex[i], F.allow);
	emit(p, len, BPF_ALU | BPF_MOV | BPF_K, R0, 0, 0, F.allow ? 1 : 0);
	emit(p, len, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	free(F.ex);
	*out = p;
	return 0;
}

/* The subset of eBPF the builder emits, interpreted: unit tests check the
 * program's decisions without loading it. */
int cg_bpf_run(const struct cg_bpf_insn *p, size_t len, char type, uint32_t major, uint32_t minor,
	       const char *access)
{
	uint32_t ctx[3] = { ((uint32_t)access_bits(access) << 16) |
				    (type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK),
			    major, minor };
	uint64_t r[11] = { 0 };

	for (size_t pc = 0; pc < len; pc++) {
		const struct cg_bpf_insn *i = &p[pc];
		int dst = i->regs & 0xf, src = i->regs >> 4;
		uint32_t v32 = (uint32_t)r[dst];

		switch (i->code) {
		case BPF_LDX | BPF_MEM | BPF_W:
			r[dst] = ctx[i->off / 4];
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			r[dst] = v32 & (uint32_t)i->imm;
			break;
		case BPF_ALU | BPF_RSH | BPF_K:
			r[dst] = v32 >> i->imm;
			break;
		case BPF_ALU | BPF_MOV | BPF_X:
			r[dst] = (uint32_t)r[src];
			break;
		case BPF_ALU | BPF_MOV | BPF_K:
			r[dst] = (uint32_t)i->imm;
			break;
		case BPF_JMP32 | BPF_JNE | BPF_K:
			if (v32 != (uint32_t)i->imm)
				pc += (size_t)i->off;
			break;
		case BPF_JMP32 | BPF_JEQ | BPF_K:
			if (v32 == (uint32_t)i->imm)
				pc += (size_t)i->off;
			break;
		case BPF_JMP | BPF_EXIT:
			return (int)r[R0];
		default:
			return -1;
		}
	}
	return -1;
}

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int load_program(const struct cg_bpf_insn *p, size_t len)
{
	struct bpf_insn *insns = calloc(len, sizeof(*insns));
	union bpf_attr attr;
	int fd;

	if (!insns)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		insns[i].code = p[i].code;
		insns[i].dst_reg = p[i].regs & 0xf;
		insns[i].src_reg = p[i].regs >> 4;
		insns[i].off = p[i].off;
		insns[i].imm = p[i].imm;
	}
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)insns;
	attr.insn_cnt = (uint32_t)len;
	attr.license = (uint64_t)(uintptr_t) "GPL";
	fd = (int)sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd < 0)
		fd = -errno;
	free(insns);
	return fd;
}

/* The programs attached to the cgroup before ours (OCI update replaces
 * them): their ids, at most max. */
static size_t attached(int cgfd, uint32_t *ids, uint32_t max)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.query.target_fd = (uint32_t)cgfd;
	attr.query.attach_type = BPF_CGROUP_DEVICE;
	attr.query.prog_ids = (uint64_t)(uintptr_t)ids;
	attr.query.prog_cnt = max;
	if (sys_bpf(BPF_PROG_QUERY, &attr) < 0)
		return 0;
	return attr.query.prog_cnt < max ? attr.query.prog_cnt : max;
}

static void detach(int cgfd, uint32_t id)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_id = id;
	fd = (int)sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
	if (fd < 0)
		return;
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)cgfd;
	attr.attach_bpf_fd = (uint32_t)fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	(void)sys_bpf(BPF_PROG_DETACH, &attr);
	sluice_close(fd);
}

static int attach(int cgfd, int prog)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)cgfd;
	attr.attach_bpf_fd = (uint32_t)prog;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	return sys_bpf(BPF_PROG_ATTACH, &attr) < 0 ? -errno : 0;
}

static int bpf_failed(int e, const char *what, const char *dir, const char *source,
		      struct sluice_error *err)
{
	if (e == EPERM || e == EACCES)
		return cg_fail_config(err, source, "linux.resources.devices",
				      "%s a BPF device program on %s needs CAP_SYS_ADMIN (or "
				      "CAP_BPF): not possible rootless (%s)",
				      what, dir, strerror(e));
	return sluice_err(err, SLUICE_EXIT_SETUP, e,
			  "linux.resources.devices: %s a BPF device "
			  "program on %s",
			  what, dir);
}

int cg_devices_bpf_apply(const char *dir, const struct sluice_device_rule *rules, size_t n,
			 bool replace, const char *source, struct sluice_error *err)
{
	cleanup_free struct cg_bpf_insn *p = NULL;
	cleanup_close int cgfd = -1;
	cleanup_close int prog = -1;
	uint32_t old[64];
	size_t len = 0, n_old = 0;
	int r = cg_bpf_build(rules, n, &p, &len);

	if (r == -ERANGE)
		return cg_fail_config(err, source, "linux.resources.devices",
				      "a major or minor number above 2147483647");
	if (r < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, -r, "linux.resources.devices");
	cgfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "cgroups: open %s", dir);
	if (replace)
		n_old = attached(cgfd, old, 64);
	prog = load_program(p, len);
	if (prog < 0)
		return bpf_failed(-prog, "loading", dir, source, err);
	r = attach(cgfd, prog);
	if (r < 0)
		return bpf_failed(-r, "attaching", dir, source, err);
	/* the new program is in force before the old ones go */
	for (size_t i = 0; i < n_old; i++)
		detach(cgfd, old[i]);
	return 0;
}
