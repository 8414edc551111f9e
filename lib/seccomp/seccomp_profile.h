/* The OCI linux.seccomp profile (config-linux.md "Seccomp"): the model the
 * config loader fills and the emitter writes back, its name tables, and the
 * canonical text that keys the compiled-filter cache.
 *
 * Nothing here needs libseccomp: compiling is seccomp_filter.h's job. */
#ifndef SLUICE_SECCOMP_PROFILE_H
#define SLUICE_SECCOMP_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sluice.h"

/* OCI names SCMP_ACT_*, in this order in sluice_scmp_action_names. */
enum sluice_scmp_action {
	SLUICE_SCMP_KILL, /* the thread, as libseccomp's SCMP_ACT_KILL */
	SLUICE_SCMP_KILL_PROCESS,
	SLUICE_SCMP_KILL_THREAD,
	SLUICE_SCMP_TRAP,
	SLUICE_SCMP_ERRNO,
	SLUICE_SCMP_TRACE,
	SLUICE_SCMP_ALLOW,
	SLUICE_SCMP_LOG,
	SLUICE_SCMP_NOTIFY,
	SLUICE_SCMP_ACTION_COUNT
};

/* OCI names SCMP_CMP_*. */
enum sluice_scmp_op {
	SLUICE_SCMP_NE,
	SLUICE_SCMP_LT,
	SLUICE_SCMP_LE,
	SLUICE_SCMP_EQ,
	SLUICE_SCMP_GE,
	SLUICE_SCMP_GT,
	SLUICE_SCMP_MASKED_EQ,
	SLUICE_SCMP_OP_COUNT
};

/* OCI names SECCOMP_FILTER_FLAG_*: bit N of sluice_seccomp.flags. */
enum sluice_scmp_flag {
	SLUICE_SCMP_FLAG_TSYNC,
	SLUICE_SCMP_FLAG_LOG,
	SLUICE_SCMP_FLAG_SPEC_ALLOW,
	SLUICE_SCMP_FLAG_WAIT_KILLABLE_RECV,
	SLUICE_SCMP_FLAG_COUNT
};

/* The errno of SCMP_ACT_ERRNO and SCMP_ACT_TRACE when none is given. */
#define SLUICE_SCMP_DEFAULT_ERRNO 1 /* EPERM, as the spec says */
/* The kernel passes at most this as an errno (MAX_ERRNO). */
#define SLUICE_SCMP_MAX_ERRNO 4095

struct sluice_seccomp_arg {
	uint32_t index; /* 0..5 */
	uint64_t value;
	uint64_t value_two; /* SCMP_CMP_MASKED_EQ: the value; value is the mask */
	bool value_two_set;
	enum sluice_scmp_op op;
};

struct sluice_seccomp_rule {
	char **names; /* strv, at least one */
	enum sluice_scmp_action action;
	bool errno_set; /* errnoRet written (ERRNO and TRACE only) */
	uint32_t errno_ret;
	struct sluice_seccomp_arg *args;
	size_t n_args;
};

struct sluice_seccomp {
	enum sluice_scmp_action default_action;
	bool default_errno_set;
	uint32_t default_errno;
	int *archs; /* indexes into sluice_scmp_arch_names, as written */
	size_t n_archs;
	uint32_t flags; /* 1 << enum sluice_scmp_flag */
	char *listener_path;
	char *listener_metadata;
	struct sluice_seccomp_rule *rules;
	size_t n_rules;
};

extern const char *const sluice_scmp_action_names[SLUICE_SCMP_ACTION_COUNT];
extern const char *const sluice_scmp_op_names[SLUICE_SCMP_OP_COUNT];
extern const char *const sluice_scmp_flag_names[SLUICE_SCMP_FLAG_COUNT];
/* SCMP_ARCH_* as the spec lists them (libseccomp 2.6's set). */
extern const char *const sluice_scmp_arch_names[];
extern const size_t sluice_scmp_n_arch_names;

/* Index of name in names[0..n), or -1. */
int sluice_scmp_lookup(const char *const *names, size_t n, const char *name);

/* ERRNO and TRACE carry a number; the others cannot (the spec: an error). */
bool sluice_scmp_action_has_errno(enum sluice_scmp_action a);

/* The errno a rule or the default returns (SLUICE_SCMP_DEFAULT_ERRNO if
 * not written). */
uint32_t sluice_seccomp_rule_errno(const struct sluice_seccomp_rule *r);
uint32_t sluice_seccomp_default_errno(const struct sluice_seccomp *s);

/* Some rule (or the default action) is SCMP_ACT_NOTIFY. */
bool sluice_seccomp_uses_notify(const struct sluice_seccomp *s);

/* A deep copy (NULL on ENOMEM), and freeing (s itself too; NULL is fine). */
struct sluice_seccomp *sluice_seccomp_dup(const struct sluice_seccomp *s);
void sluice_seccomp_free(struct sluice_seccomp *s);
void sluice_seccomp_rules_free(struct sluice_seccomp_rule *r, size_t n);

/* What the compiled filter depends on (default action, architectures,
 * rules; not the load flags nor the listener) as unambiguous bytes: equal
 * bytes compile to equal programs.  *out is malloc'd. 0 or -ENOMEM. */
int sluice_seccomp_canonical(const struct sluice_seccomp *s, char **out, size_t *len);

/* s as OCI JSON (the object linux.seccomp holds; `{}` for NULL): what
 * `sluice run --print-seccomp` gives to other runtimes.  *out is
 * malloc'd.  0 or -ENOMEM. */
SLUICE_API int sluice_seccomp_json(const struct sluice_seccomp *s, char **out, size_t *len);

/* The default profile of `sluice run` (docs/seccomp.md) for a sandbox
 * whose bounding set is `bounding` (bit N = capability N): what a
 * capability makes legitimate is left to the kernel's own check, as the
 * container engines' default profiles do; with nested_userns
 * (sluice.nestedUserNamespaces) new user namespaces are too.  NULL on
 * ENOMEM. */
struct sluice_seccomp *sluice_seccomp_default_profile(uint64_t bounding, bool nested_userns);

#endif
