/* A profile compiled to a BPF program with libseccomp (seccomp_filter.h).
 *
 * The same choices as runc and crun, so that a profile behaves the same
 * under all three: SCMP_ACT_KILL kills the thread; a rule whose action is
 * the default's is skipped; a syscall name this libseccomp does not know
 * is skipped (the profile may name calls of newer kernels or other
 * architectures); conditions on one argument index are separate rules
 * (OR), conditions on different indexes one rule (AND).  Unlike them, the
 * binary-tree layout for every filter with rules (compile() says why). */
#include "seccomp_filter.h"

#include <ctype.h>
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "error.h"
#include "util.h"

void sluice_bpf_release(struct sluice_bpf *b)
{
	free(b->insns);
	b->insns = NULL;
	b->len = 0;
}

int sluice_bpf_check(const void *insns, size_t len)
{
	if (!insns || len == 0 || len % 8 || len > SLUICE_BPF_MAX_LEN)
		return -EBADMSG;
	return 0;
}

static uint32_t action_value(enum sluice_scmp_action a, uint32_t e)
{
	switch (a) {
	case SLUICE_SCMP_KILL:
	case SLUICE_SCMP_KILL_THREAD:
		return SCMP_ACT_KILL_THREAD;
	case SLUICE_SCMP_KILL_PROCESS:
		return SCMP_ACT_KILL_PROCESS;
	case SLUICE_SCMP_TRAP:
		return SCMP_ACT_TRAP;
	case SLUICE_SCMP_ERRNO:
		return SCMP_ACT_ERRNO(e);
	case SLUICE_SCMP_TRACE:
		return SCMP_ACT_TRACE(e);
	case SLUICE_SCMP_LOG:
		return SCMP_ACT_LOG;
	case SLUICE_SCMP_NOTIFY:
		return SCMP_ACT_NOTIFY;
	case SLUICE_SCMP_ALLOW:
	case SLUICE_SCMP_ACTION_COUNT:
		break;
	}
	return SCMP_ACT_ALLOW;
}

static enum scmp_compare op_value(enum sluice_scmp_op op)
{
	static const enum scmp_compare ops[SLUICE_SCMP_OP_COUNT] = {
		[SLUICE_SCMP_NE] = SCMP_CMP_NE,
		[SLUICE_SCMP_LT] = SCMP_CMP_LT,
		[SLUICE_SCMP_LE] = SCMP_CMP_LE,
		[SLUICE_SCMP_EQ] = SCMP_CMP_EQ,
		[SLUICE_SCMP_GE] = SCMP_CMP_GE,
		[SLUICE_SCMP_GT] = SCMP_CMP_GT,
		[SLUICE_SCMP_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
	};

	return ops[op];
}

/* "SCMP_ARCH_X86_64" -> libseccomp's token for "x86_64", or 0. */
static uint32_t arch_token(const char *name)
{
	char lower[32];
	size_t i = 0;

	for (const char *p = name + strlen("SCMP_ARCH_"); *p && i < sizeof(lower) - 1; p++)
		lower[i++] = (char)tolower((unsigned char)*p);
	lower[i] = '\0';
	return seccomp_arch_resolve_name(lower);
}

bool sluice_seccomp_arch_known(const char *name)
{
	return arch_token(name) != 0;
}

/* The SCMP_ARCH_* name of the architecture sluice runs on. */
static const char *native_arch_name(void)
{
	uint32_t native = seccomp_arch_native();

	for (size_t i = 0; i < sluice_scmp_n_arch_names; i++)
		if (arch_token(sluice_scmp_arch_names[i]) == native)
			return sluice_scmp_arch_names[i];
	return "the native one";
}

struct compile {
	scmp_filter_ctx ctx;
	const struct sluice_seccomp *s;
	const char *source;
	struct sluice_error *err;
	size_t added; /* libseccomp rules */
};

static int add_archs(struct compile *C)
{
	for (size_t i = 0; i < C->s->n_archs; i++) {
		const char *name = sluice_scmp_arch_names[C->s->archs[i]];
		uint32_t token = arch_token(name);
		int r;

		if (token == 0) {
			const struct scmp_version *v = seccomp_version();
			return sluice_err(C->err, SLUICE_EXIT_CONFIG, 0,
					  "%s: linux.seccomp.architectures: %s is not known to "
					  "libseccomp %u.%u.%u",
					  C->source, name, v->major, v->minor, v->micro);
		}
		r = seccomp_arch_add(C->ctx, token);
		if (r == -EDOM)
			return sluice_err(C->err, SLUICE_EXIT_CONFIG, 0,
					  "%s: linux.seccomp.architectures: %s has the other byte "
					  "order than this host's %s, and a filter holds one "
					  "(libseccomp refuses it, and so do runc and crun)",
					  C->source, name, native_arch_name());
		if (r < 0 && r != -EEXIST)
			return sluice_err(C->err, SLUICE_EXIT_CONFIG, -r,
					  "%s: linux.seccomp.architectures: cannot add %s",
					  C->source, name);
	}
	return 0;
}

static int rule_error(struct compile *C, size_t i, const char *name, int r)
{
	/* libseccomp says EOPNOTSUPP for an action the kernel lacks */
	if (r == -EOPNOTSUPP)
		return sluice_err(C->err, SLUICE_EXIT_CONFIG, 0,
				  "%s: linux.seccomp.syscalls[%zu]: %s is not supported by this "
				  "kernel",
				  C->source, i, sluice_scmp_action_names[C->s->rules[i].action]);
	return sluice_err(C->err, SLUICE_EXIT_CONFIG, -r,
			  "%s: linux.seccomp.syscalls[%zu]: cannot add the rule for %s", C->source,
			  i, name);
}

/* One name of rule i: one libseccomp rule, or one per condition when two
 * conditions test the same argument. */
static int add_call(struct compile *C, size_t i, int nr, const char *name, uint32_t action)
{
	const struct sluice_seccomp_rule *rule = &C->s->rules[i];
	struct scmp_arg_cmp cmp[6];
	unsigned int seen = 0;
	bool split = false;
	int r;

	if (rule->n_args > 6)
		split = true;
	for (size_t k = 0; k < rule->n_args && k < 6; k++) {
		const struct sluice_seccomp_arg *a = &rule->args[k];
		cmp[k] = (struct scmp_arg_cmp){ a->index, op_value(a->op), a->value, a->value_two };
		if (seen & (1u << a->index))
			split = true;
		seen |= 1u << a->index;
	}
	if (!split) {
		r = seccomp_rule_add_array(C->ctx, action, nr, (unsigned int)rule->n_args, cmp);
		C->added++;
		return r < 0 ? rule_error(C, i, name, r) : 0;
	}
	for (size_t k = 0; k < rule->n_args; k++) {
		const struct sluice_seccomp_arg *a = &rule->args[k];
		struct scmp_arg_cmp one = { a->index, op_value(a->op), a->value, a->value_two };
		r = seccomp_rule_add_array(C->ctx, action, nr, 1, &one);
		if (r < 0)
			return rule_error(C, i, name, r);
		C->added++;
	}
	return 0;
}

static int add_rules(struct compile *C, uint32_t default_action)
{
	for (size_t i = 0; i < C->s->n_rules; i++) {
		const struct sluice_seccomp_rule *rule = &C->s->rules[i];
		uint32_t action = action_value(rule->action, sluice_seccomp_rule_errno(rule));

		if (action == default_action)
			continue;
		for (size_t j = 0; rule->names[j]; j++) {
			int nr = seccomp_syscall_resolve_name(rule->names[j]);
			if (nr == __NR_SCMP_ERROR)
				continue; /* unknown here: runc and crun skip it too */
			if (add_call(C, i, nr, rule->names[j], action) < 0)
				return -1;
		}
	}
	return 0;
}

/* libseccomp writes the program to an fd: a memfd, read back. */
static int export_bpf(struct compile *C, struct sluice_bpf *out)
{
	cleanup_close int fd = memfd_create("sluice-seccomp", MFD_CLOEXEC);
	cleanup_free char *buf = NULL;
	size_t len = 0;
	int r;

	if (fd < 0)
		return sluice_err(C->err, SLUICE_EXIT_SETUP, errno, "memfd_create");
	r = seccomp_export_bpf(C->ctx, fd);
	if (r < 0)
		return sluice_err(C->err, SLUICE_EXIT_SETUP, -r, "%s: seccomp_export_bpf",
				  C->source);
	if (lseek(fd, 0, SEEK_SET) < 0)
		return sluice_err(C->err, SLUICE_EXIT_SETUP, errno, "lseek");
	r = sluice_read_file_fd(fd, SLUICE_BPF_MAX_LEN + 1, &buf, &len);
	if (r < 0 || sluice_bpf_check(buf, len) < 0)
		return sluice_err(C->err, SLUICE_EXIT_CONFIG, r < 0 ? -r : 0,
				  "%s: linux.seccomp: the compiled filter is %zu bytes, over the "
				  "kernel's limit of %d instructions",
				  C->source, len, SLUICE_BPF_MAX_LEN / 8);
	out->insns = steal_ptr(&buf);
	out->len = len;
	return 0;
}

int sluice_seccomp_compile(const struct sluice_seccomp *s, const char *source,
			   struct sluice_bpf *out, struct sluice_error *err)
{
	uint32_t def = action_value(s->default_action, sluice_seccomp_default_errno(s));
	struct compile C = { .s = s, .source = source, .err = err };
	int r = -1;

	C.ctx = seccomp_init(def);
	if (!C.ctx)
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
				  "%s: linux.seccomp.defaultAction: %s is not supported by this "
				  "kernel",
				  source, sluice_scmp_action_names[s->default_action]);
	/* the helper sets no_new_privs itself (or not: process.noNewPrivileges) */
	(void)seccomp_attr_set(C.ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (add_archs(&C) == 0 && add_rules(&C, def) == 0) {
		/* A binary tree of the calls rather than a chain: runc does it
		 * past 32 rules, for the run-time cost of a call; for sluice it
		 * is also what the kernel does at every start, emulating the
		 * filter for each call number to find those it always allows
		 * (5.11's seccomp cache), which along a chain of 200 checks
		 * cost more than the rest of loading it.  Not without rules:
		 * libseccomp up to 2.5.4 writes a broken filter then. */
		if (C.added > 0)
			(void)seccomp_attr_set(C.ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
		r = export_bpf(&C, out);
	}
	seccomp_release(C.ctx);
	return r;
}
