/* The seccomp profile model (seccomp_profile.h): names, copies, and the
 * canonical text the filter cache is keyed by. */
#include "seccomp_profile.h"

#include <errno.h>
#include <stdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

const char *const sluice_scmp_action_names[SLUICE_SCMP_ACTION_COUNT] = {
	[SLUICE_SCMP_KILL] = "SCMP_ACT_KILL",
	[SLUICE_SCMP_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS",
	[SLUICE_SCMP_KILL_THREAD] = "SCMP_ACT_KILL_THREAD",
	[SLUICE_SCMP_TRAP] = "SCMP_ACT_TRAP",
	[SLUICE_SCMP_ERRNO] = "SCMP_ACT_ERRNO",
	[SLUICE_SCMP_TRACE] = "SCMP_ACT_TRACE",
	[SLUICE_SCMP_ALLOW] = "SCMP_ACT_ALLOW",
	[SLUICE_SCMP_LOG] = "SCMP_ACT_LOG",
	[SLUICE_SCMP_NOTIFY] = "SCMP_ACT_NOTIFY",
};

const char *const sluice_scmp_op_names[SLUICE_SCMP_OP_COUNT] = {
	[SLUICE_SCMP_NE] = "SCMP_CMP_NE",
	[SLUICE_SCMP_LT] = "SCMP_CMP_LT",
	[SLUICE_SCMP_LE] = "SCMP_CMP_LE",
	[SLUICE_SCMP_EQ] = "SCMP_CMP_EQ",
	[SLUICE_SCMP_GE] = "SCMP_CMP_GE",
	[SLUICE_SCMP_GT] = "SCMP_CMP_GT",
	[SLUICE_SCMP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

const char *const sluice_scmp_flag_names[SLUICE_SCMP_FLAG_COUNT] = {
	[SLUICE_SCMP_FLAG_TSYNC] = "SECCOMP_FILTER_FLAG_TSYNC",
	[SLUICE_SCMP_FLAG_LOG] = "SECCOMP_FILTER_FLAG_LOG",
	[SLUICE_SCMP_FLAG_SPEC_ALLOW] = "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
	[SLUICE_SCMP_FLAG_WAIT_KILLABLE_RECV] = "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
};

const char *const sluice_scmp_arch_names[] = {
	"SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",	    "SCMP_ARCH_ARM",
	"SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",	   "SCMP_ARCH_MIPS64",	    "SCMP_ARCH_MIPS64N32",
	"SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
	"SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",	    "SCMP_ARCH_S390X",
	"SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",	    "SCMP_ARCH_LOONGARCH64",
	"SCMP_ARCH_M68K",    "SCMP_ARCH_SH",	   "SCMP_ARCH_SHEB",
};
const size_t sluice_scmp_n_arch_names = N_ELEMS(sluice_scmp_arch_names);

int sluice_scmp_lookup(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], name))
			return (int)i;
	return -1;
}

bool sluice_scmp_action_has_errno(enum sluice_scmp_action a)
{
	return a == SLUICE_SCMP_ERRNO || a == SLUICE_SCMP_TRACE;
}

uint32_t sluice_seccomp_rule_errno(const struct sluice_seccomp_rule *r)
{
	return r->errno_set ? r->errno_ret : SLUICE_SCMP_DEFAULT_ERRNO;
}

uint32_t sluice_seccomp_default_errno(const struct sluice_seccomp *s)
{
	return s->default_errno_set ? s->default_errno : SLUICE_SCMP_DEFAULT_ERRNO;
}

bool sluice_seccomp_uses_notify(const struct sluice_seccomp *s)
{
	if (s->default_action == SLUICE_SCMP_NOTIFY)
		return true;
	for (size_t i = 0; i < s->n_rules; i++)
		if (s->rules[i].action == SLUICE_SCMP_NOTIFY)
			return true;
	return false;
}

void sluice_seccomp_rules_free(struct sluice_seccomp_rule *r, size_t n)
{
	for (size_t i = 0; r && i < n; i++) {
		sluice_strv_free(r[i].names);
		free(r[i].args);
	}
	free(r);
}

void sluice_seccomp_free(struct sluice_seccomp *s)
{
	if (!s)
		return;
	free(s->archs);
	free(s->listener_path);
	free(s->listener_metadata);
	sluice_seccomp_rules_free(s->rules, s->n_rules);
	free(s);
}

static void *memdup(const void *p, size_t n)
{
	void *q = malloc(n ? n : 1);

	if (q && n)
		memcpy(q, p, n);
	return q;
}

static int dup_rule(struct sluice_seccomp_rule *to, const struct sluice_seccomp_rule *from)
{
	*to = *from;
	to->names = sluice_strv_dup(from->names);
	to->args = memdup(from->args, from->n_args * sizeof(*from->args));
	return to->names && to->args ? 0 : -ENOMEM;
}

struct sluice_seccomp *sluice_seccomp_dup(const struct sluice_seccomp *s)
{
	struct sluice_seccomp *d = calloc(1, sizeof(*d));
	bool ok;

	if (!d)
		return NULL;
	*d = *s;
	d->archs = memdup(s->archs, s->n_archs * sizeof(*s->archs));
	d->listener_path = sluice_strdup0(s->listener_path);
	d->listener_metadata = sluice_strdup0(s->listener_metadata);
	d->rules = calloc(s->n_rules ? s->n_rules : 1, sizeof(*d->rules));
	d->n_rules = 0;
	ok = d->archs && d->rules && (d->listener_path || !s->listener_path) &&
	     (d->listener_metadata || !s->listener_metadata);
	for (size_t i = 0; ok && i < s->n_rules; i++, d->n_rules++)
		ok = dup_rule(&d->rules[i], &s->rules[i]) == 0;
	if (!ok) {
		/* a half-copied rule still owns what it got */
		if (d->rules && d->n_rules < s->n_rules)
			d->n_rules++;
		sluice_seccomp_free(d);
		return NULL;
	}
	return d;
}

/* A growing buffer whose first failure sticks.  The canonical form is
 * binary: numbers as 8 bytes, strings length-prefixed, so no value can
 * pass for another, and building it is a few memcpy (a printf per field
 * cost more than the rest of a cached start). */
struct text {
	char *buf;
	size_t len, cap;
	bool failed;
};

static void put_bytes(struct text *t, const void *p, size_t n)
{
	if (t->failed)
		return;
	if (t->len + n > t->cap) {
		size_t cap = (t->cap ? t->cap * 2 : 2048) + n;
		char *b = realloc(t->buf, cap);
		if (!b) {
			t->failed = true;
			return;
		}
		t->buf = b;
		t->cap = cap;
	}
	memcpy(t->buf + t->len, p, n);
	t->len += n;
}

static void put_num(struct text *t, uint64_t v)
{
	put_bytes(t, &v, sizeof(v));
}

static void put_str(struct text *t, const char *s)
{
	size_t n = strlen(s);

	put_num(t, n);
	put_bytes(t, s, n);
}

static void put_rule(struct text *t, const struct sluice_seccomp_rule *r)
{
	size_t n = sluice_strv_len(r->names);

	put_num(t, (uint64_t)r->action);
	put_num(t, sluice_scmp_action_has_errno(r->action) ? sluice_seccomp_rule_errno(r) : 0);
	put_num(t, n);
	for (size_t i = 0; i < n; i++)
		put_str(t, r->names[i]);
	put_num(t, r->n_args);
	for (size_t i = 0; i < r->n_args; i++) {
		put_num(t, r->args[i].index);
		put_num(t, (uint64_t)r->args[i].op);
		put_num(t, r->args[i].value);
		put_num(t, r->args[i].value_two);
	}
}

int sluice_seccomp_canonical(const struct sluice_seccomp *s, char **out, size_t *len)
{
	struct text t = { 0 };

	put_num(&t, (uint64_t)s->default_action);
	put_num(&t, sluice_scmp_action_has_errno(s->default_action) ?
			    sluice_seccomp_default_errno(s) :
			    0);
	put_num(&t, s->n_archs);
	for (size_t i = 0; i < s->n_archs; i++)
		put_str(&t, sluice_scmp_arch_names[s->archs[i]]);
	put_num(&t, s->n_rules);
	for (size_t i = 0; i < s->n_rules; i++)
		put_rule(&t, &s->rules[i]);
	if (t.failed || !t.buf) {
		free(t.buf);
		return -ENOMEM;
	}
	*out = t.buf;
	*len = t.len;
	return 0;
}

/* ---- OCI JSON ---- */

static void put_cstr(struct text *t, const char *s)
{
	put_bytes(t, s, strlen(s));
}

static void put_json_str(struct text *t, const char *s)
{
	put_cstr(t, "\"");
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		char esc[8];
		if (ch == '"' || ch == '\\') {
			esc[0] = '\\', esc[1] = (char)ch, esc[2] = '\0';
			put_cstr(t, esc);
		} else if (ch < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", ch);
			put_cstr(t, esc);
		} else {
			put_bytes(t, s, 1);
		}
	}
	put_cstr(t, "\"");
}

static void put_json_u64(struct text *t, const char *key, uint64_t v)
{
	char buf[64];

	snprintf(buf, sizeof(buf), ", \"%s\": %llu", key, (unsigned long long)v);
	put_cstr(t, buf);
}

static void put_json_rule(struct text *t, const struct sluice_seccomp_rule *r)
{
	put_cstr(t, "\t\t{\"names\": [");
	for (size_t i = 0; r->names[i]; i++) {
		put_cstr(t, i ? ", " : "");
		put_json_str(t, r->names[i]);
	}
	put_cstr(t, "], \"action\": ");
	put_json_str(t, sluice_scmp_action_names[r->action]);
	if (r->errno_set)
		put_json_u64(t, "errnoRet", r->errno_ret);
	if (r->n_args)
		put_cstr(t, ", \"args\": [");
	for (size_t i = 0; i < r->n_args; i++) {
		char buf[64];
		snprintf(buf, sizeof(buf), "%s{\"index\": %u", i ? ", " : "", r->args[i].index);
		put_cstr(t, buf);
		put_json_u64(t, "value", r->args[i].value);
		if (r->args[i].value_two_set)
			put_json_u64(t, "valueTwo", r->args[i].value_two);
		put_cstr(t, ", \"op\": ");
		put_json_str(t, sluice_scmp_op_names[r->args[i].op]);
		put_cstr(t, "}");
	}
	put_cstr(t, r->n_args ? "]}" : "}");
}

int sluice_seccomp_json(const struct sluice_seccomp *s, char **out, size_t *len)
{
	struct text t = { 0 };

	if (!s) {
		put_cstr(&t, "{}\n");
	} else {
		put_cstr(&t, "{\n\t\"defaultAction\": ");
		put_json_str(&t, sluice_scmp_action_names[s->default_action]);
		if (s->default_errno_set)
			put_json_u64(&t, "defaultErrnoRet", s->default_errno);
		put_cstr(&t, ",\n\t\"architectures\": [");
		for (size_t i = 0; i < s->n_archs; i++) {
			put_cstr(&t, i ? ", " : "");
			put_json_str(&t, sluice_scmp_arch_names[s->archs[i]]);
		}
		put_cstr(&t, "],\n\t\"flags\": [");
		for (int f = 0, n = 0; f < SLUICE_SCMP_FLAG_COUNT; f++)
			if (s->flags & (1u << f)) {
				put_cstr(&t, n++ ? ", " : "");
				put_json_str(&t, sluice_scmp_flag_names[f]);
			}
		put_cstr(&t, "],\n");
		if (s->listener_path) {
			put_cstr(&t, "\t\"listenerPath\": ");
			put_json_str(&t, s->listener_path);
			put_cstr(&t, ",\n");
		}
		if (s->listener_metadata) {
			put_cstr(&t, "\t\"listenerMetadata\": ");
			put_json_str(&t, s->listener_metadata);
			put_cstr(&t, ",\n");
		}
		put_cstr(&t, "\t\"syscalls\": [\n");
		for (size_t i = 0; i < s->n_rules; i++) {
			put_json_rule(&t, &s->rules[i]);
			put_cstr(&t, i + 1 < s->n_rules ? ",\n" : "\n");
		}
		put_cstr(&t, "\t]\n}\n");
	}
	if (t.failed) {
		free(t.buf);
		return -ENOMEM;
	}
	*out = t.buf;
	*len = t.len;
	return 0;
}
