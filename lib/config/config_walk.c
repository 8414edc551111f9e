/* Walking the node tree: key tables, typed scalars and the messages that
 * point at FILE:LINE:COL.
 *
 * The scalar rules (docs/config.md "Types"): booleans are exactly true or
 * false, numbers are written unquoted, and a quoted "5" where a number is
 * expected is a type error rather than a guess.  A plain number where a
 * string is expected is taken as written, since YAML authors rarely quote
 * sysctl values or hostnames like 1234. */
#include "config_internal.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int config_fail(struct config_load *L, const struct config_node *n, const char *fmt, ...)
{
	char msg[sizeof(L->err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return sluice_err(L->err, SLUICE_EXIT_CONFIG, 0, "%s:%u:%u: %s", L->name, n->line, n->col,
			  msg);
}

int config_nomem(struct config_load *L)
{
	return sluice_err(L->err, SLUICE_EXIT_CONFIG, ENOMEM, "%s: cannot load", L->name);
}

static bool is_bool_text(const char *s)
{
	return !strcmp(s, "true") || !strcmp(s, "false");
}

/* What the user wrote, for "expected X, got Y". */
static void describe(const struct config_node *n, char *buf, size_t len)
{
	switch (n->kind) {
	case CONFIG_MAP:
		snprintf(buf, len, "a mapping");
		return;
	case CONFIG_SEQ:
		snprintf(buf, len, "a list");
		return;
	case CONFIG_SCALAR:
		break;
	}
	if (config_node_is_null(n))
		snprintf(buf, len, "null");
	else if (!n->plain)
		snprintf(buf, len, "the quoted string \"%.60s\"", n->value);
	else if (is_bool_text(n->value))
		snprintf(buf, len, "the boolean %s", n->value);
	else
		snprintf(buf, len, "\"%.60s\"", n->value);
}

static int type_error(struct config_load *L, const struct config_node *n, const char *path,
		      const char *expected)
{
	char got[96];

	describe(n, got, sizeof(got));
	return config_fail(L, n, "%s: expected %s, got %s", path, expected, got);
}

int config_expect_map(struct config_load *L, const struct config_node *n, const char *path)
{
	return n->kind == CONFIG_MAP ? 0 : type_error(L, n, path, "a mapping");
}

/* The dotted paths below are built for every node read, for the messages
 * of the few that fail: by hand, since snprintf costs several times more. */
static size_t append(char *buf, size_t size, size_t at, const char *s, size_t n)
{
	if (at + 1 >= size)
		return at;
	if (n > size - 1 - at)
		n = size - 1 - at;
	memcpy(buf + at, s, n);
	buf[at + n] = '\0';
	return at + n;
}

const char *config_path_key(char *buf, size_t size, const char *path, const char *key)
{
	size_t at = 0;

	buf[0] = '\0';
	if (path) {
		at = append(buf, size, at, path, strlen(path));
		at = append(buf, size, at, ".", 1);
	}
	append(buf, size, at, key, strlen(key));
	return buf;
}

const char *config_path_index(char *buf, size_t size, const char *path, size_t i)
{
	char digits[24], *d = digits + sizeof(digits);
	size_t at;

	*--d = ']';
	do
		*--d = (char)('0' + i % 10);
	while ((i /= 10) > 0);
	*--d = '[';
	buf[0] = '\0';
	at = append(buf, size, 0, path, strlen(path));
	append(buf, size, at, d, (size_t)(digits + sizeof(digits) - d));
	return buf;
}

int config_expect_seq(struct config_load *L, const struct config_node *n, const char *path,
		      const char *what)
{
	char expected[64];

	if (n->kind == CONFIG_SEQ)
		return 0;
	snprintf(expected, sizeof(expected), "a list of %s", what);
	return type_error(L, n, path, expected);
}

int config_each_item(struct config_load *L, const struct config_node *n, const char *path,
		     const char *what,
		     int (*fn)(struct config_load *L, const struct config_node *item,
			       const char *ipath, void *ctx),
		     void *ctx)
{
	int r = config_expect_seq(L, n, path, what);

	for (size_t i = 0; r == 0 && i < n->n; i++) {
		char ipath[256];
		config_path_index(ipath, sizeof(ipath), path, i);
		r = fn(L, n->items[i], ipath, ctx);
	}
	return r;
}

int config_unsupported(struct config_load *L, const struct config_node *n, const char *path)
{
	return config_fail(L, n, "%s is not supported yet", path);
}

int config_missing(struct config_load *L, const struct config_node *m, const char *path,
		   const char *key)
{
	return config_fail(L, m, "%s: required key \"%s\" is missing", path, key);
}

static int unknown_key(struct config_load *L, const struct config_node *k,
		       const struct config_field *fields, size_t nfields, const char *path)
{
	const char *names[64];
	const char *hint;
	size_t n = nfields < 64 ? nfields : 64;

	for (size_t i = 0; i < n; i++)
		names[i] = fields[i].key;
	hint = config_nearest(k->value, names, n);
	return config_fail(L, k, "unknown key \"%s\" %s%s%s%s%s", k->value, path ? "in " : "",
			   path ? path : "at the top level", hint ? " (did you mean \"" : "",
			   hint ? hint : "", hint ? "\"?)" : "");
}

static const struct config_field *find_field(const struct config_field *fields, size_t n,
					     const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(fields[i].key, key))
			return &fields[i];
	return NULL;
}

int config_walk_map(struct config_load *L, const struct config_node *m,
		    const struct config_field *fields, size_t nfields, void *obj, const char *path)
{
	int r = config_expect_map(L, m, path ? path : "the document");

	for (size_t i = 0; r == 0 && i < m->n; i++) {
		const struct config_node *k = config_map_key(m, i), *v = config_map_value(m, i);
		const struct config_field *f = find_field(fields, nfields, k->value);
		char child[256];

		if (!f)
			return unknown_key(L, k, fields, nfields, path);
		if (config_node_is_null(v))
			continue;
		config_path_key(child, sizeof(child), path, k->value);
		r = f->fn(L, v, obj, child);
	}
	return r;
}

const struct config_node *config_map_get(const struct config_node *m, const char *key)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(config_map_key(m, i)->value, key)) {
			const struct config_node *v = config_map_value(m, i);
			return config_node_is_null(v) ? NULL : v;
		}
	return NULL;
}

int config_get_string(struct config_load *L, const struct config_node *n, const char *path,
		      char **out)
{
	char *s;

	/* an unquoted true/false is a boolean in every YAML reader: make the
	 * author quote it rather than silently reading a word */
	if (n->kind != CONFIG_SCALAR || config_node_is_null(n) ||
	    (n->plain && is_bool_text(n->value)))
		return type_error(L, n, path, "a string");
	s = strdup(n->value);
	if (!s)
		return config_nomem(L);
	free(*out);
	*out = s;
	return 0;
}

int config_get_bool(struct config_load *L, const struct config_node *n, const char *path, bool *out)
{
	if (n->kind != CONFIG_SCALAR || !n->plain || !is_bool_text(n->value))
		return type_error(L, n, path, "a boolean (true or false)");
	*out = !strcmp(n->value, "true");
	return 0;
}

/* Decimal digits only: strtoll alone would accept " 1", "+1", "0x10". */
static bool is_decimal(const char *s, bool allow_minus)
{
	if (allow_minus && *s == '-')
		s++;
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static int range_error(struct config_load *L, const struct config_node *n, const char *path,
		       int64_t min, int64_t max)
{
	return config_fail(L, n, "%s: %s is out of range (%" PRId64 "..%" PRId64 ")", path,
			   n->value, min, max);
}

int config_get_int(struct config_load *L, const struct config_node *n, const char *path,
		   int64_t min, int64_t max, int64_t *out)
{
	long long v;

	if (n->kind != CONFIG_SCALAR || !n->plain || !is_decimal(n->value, true))
		return type_error(L, n, path, "an integer");
	errno = 0;
	v = strtoll(n->value, NULL, 10);
	if (errno == ERANGE || v < min || v > max)
		return range_error(L, n, path, min, max);
	*out = v;
	return 0;
}

int config_get_u64(struct config_load *L, const struct config_node *n, const char *path,
		   uint64_t *out)
{
	unsigned long long v;

	if (n->kind != CONFIG_SCALAR || !n->plain || !is_decimal(n->value, false))
		return type_error(L, n, path, "an unsigned integer");
	errno = 0;
	v = strtoull(n->value, NULL, 10);
	if (errno == ERANGE)
		return config_fail(L, n, "%s: %s is out of range (0..%" PRIu64 ")", path, n->value,
				   UINT64_MAX);
	*out = v;
	return 0;
}

int config_get_u32(struct config_load *L, const struct config_node *n, const char *path,
		   uint32_t *out)
{
	int64_t v = 0;
	int r = config_get_int(L, n, path, 0, UINT32_MAX, &v);

	if (r == 0)
		*out = (uint32_t)v;
	return r;
}

/* A uid or gid: 4294967295 is (uid_t)-1, which setresuid(), setresgid() and
 * fchown() read as "leave unchanged": accepted, uid 4294967295 would run the
 * workload as whoever sluice is (root).  So the range stops one short. */
int config_get_id(struct config_load *L, const struct config_node *n, const char *path,
		  uint32_t *out)
{
	int64_t v = 0;
	int r = config_get_int(L, n, path, 0, UINT32_MAX - 1, &v);

	if (r == 0)
		*out = (uint32_t)v;
	return r;
}

static bool is_octal(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '7')
			return false;
	return true;
}

int config_get_mode(struct config_load *L, const struct config_node *n, const char *path,
		    uint32_t max, uint32_t *out)
{
	const char *s = n->value;
	unsigned long v;
	int64_t d = 0;

	if (n->kind != CONFIG_SCALAR || !n->plain)
		return type_error(L, n, path, "a mode (decimal, or octal as 0755 or 0o755)");
	if (s[0] != '0' || !s[1]) {
		int r = config_get_int(L, n, path, 0, max, &d);
		if (r == 0)
			*out = (uint32_t)d;
		return r;
	}
	s += (s[1] == 'o') ? 2 : 1;
	if (!is_octal(s) || strlen(s) > 11)
		return type_error(L, n, path, "a mode (decimal, or octal as 0755 or 0o755)");
	v = strtoul(s, NULL, 8);
	if (v > max)
		return config_fail(L, n, "%s: %s is out of range (0..0%o)", path, n->value, max);
	*out = (uint32_t)v;
	return 0;
}

/* digits [. digits] [e [+-] digits]: what JSON allows, minus the sign */
static bool is_number_text(const char *s)
{
	size_t digits = 0;

	for (; isdigit((unsigned char)*s); s++)
		digits++;
	if (*s == '.')
		for (s++; isdigit((unsigned char)*s); s++)
			digits++;
	if (digits && (*s == 'e' || *s == 'E')) {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!isdigit((unsigned char)*s))
			return false;
		while (isdigit((unsigned char)*s))
			s++;
	}
	return digits && !*s;
}

int config_get_number(struct config_load *L, const struct config_node *n, const char *path,
		      double *out)
{
	double v;

	if (n->kind == CONFIG_SCALAR && n->plain && n->value[0] == '-' &&
	    is_number_text(n->value + 1))
		return config_fail(L, n, "%s: %s is negative", path, n->value);
	if (n->kind != CONFIG_SCALAR || !n->plain || !is_number_text(n->value))
		return type_error(L, n, path, "a number of seconds");
	v = strtod(n->value, NULL);
	if (!isfinite(v))
		return config_fail(L, n, "%s: %s is out of range", path, n->value);
	*out = v;
	return 0;
}

int config_check_abs(struct config_load *L, const struct config_node *n, const char *path)
{
	if (n->value[0] != '/')
		return config_fail(L, n, "%s: \"%s\" is not an absolute path", path, n->value);
	return 0;
}

int config_get_abs_path(struct config_load *L, const struct config_node *n, const char *path,
			char **out)
{
	cleanup_free char *s = NULL;
	int r = config_get_string(L, n, path, &s);

	if (r == 0)
		r = config_check_abs(L, n, path);
	if (r == 0) {
		free(*out);
		*out = steal_ptr(&s);
	}
	return r;
}

/* Builds a new vector and only then replaces *out: lists replace wholesale. */
int config_get_strv(struct config_load *L, const struct config_node *n, const char *path,
		    int (*check)(struct config_load *L, const struct config_node *item,
				 const char *ipath),
		    char ***out)
{
	cleanup_strv char **v = calloc(n->n + 1, sizeof(*v));
	int r = config_expect_seq(L, n, path, "strings");

	if (r == 0 && !v)
		return config_nomem(L);
	for (size_t i = 0; r == 0 && i < n->n; i++) {
		char ipath[256];
		config_path_index(ipath, sizeof(ipath), path, i);
		r = config_get_string(L, n->items[i], ipath, &v[i]);
		if (r == 0 && check)
			r = check(L, n->items[i], ipath);
	}
	if (r == 0) {
		sluice_strv_free(*out);
		*out = steal_ptr(&v);
	}
	return r;
}

size_t config_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[65];

	if (la > 64 || lb > 64)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = tolower((unsigned char)a[i - 1]) !=
				      tolower((unsigned char)b[j - 1]);
			size_t best = diag + cost;
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

const char *config_nearest(const char *word, const char *const *cands, size_t n)
{
	size_t len = strlen(word);
	/* a hint is only worth giving for a typo, not for a different word */
	size_t limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
	size_t best = SIZE_MAX;
	const char *hint = NULL;

	for (size_t i = 0; i < n; i++) {
		size_t d = config_edit_distance(word, cands[i]);
		if (d < best) {
			best = d;
			hint = cands[i];
		}
	}
	return best <= limit ? hint : NULL;
}
