/* The JSON writer (json.h).  Indented output has the layout of Go's
 * json.MarshalIndent, which is what runc prints: one member per line,
 * "key": value, and {} / [] for empty containers. */
#include "json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put(struct sluice_json *j, const char *s, size_t n)
{
	if (j->failed)
		return;
	if (j->len + n + 1 > j->cap) {
		size_t cap = (j->cap ? j->cap * 2 : 256) + n;
		char *nb = realloc(j->buf, cap);
		if (!nb) {
			j->failed = true;
			return;
		}
		j->buf = nb;
		j->cap = cap;
	}
	if (!j->buf) {
		j->failed = true;
		return;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void puts_(struct sluice_json *j, const char *s)
{
	put(j, s, strlen(s));
}

static void newline(struct sluice_json *j)
{
	if (!j->indent)
		return;
	put(j, "\n", 1);
	for (int i = 0; i < j->depth; i++)
		puts_(j, j->indent);
}

/* Before a value or a key: the separator from the previous item. */
static void item(struct sluice_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth == 0)
		return;
	if (!j->empty[j->depth])
		put(j, ",", 1);
	j->empty[j->depth] = false;
	newline(j);
}

static void open_(struct sluice_json *j, const char *c)
{
	item(j);
	puts_(j, c);
	if (j->depth + 1 >= SLUICE_JSON_MAX_DEPTH) {
		j->failed = true;
		return;
	}
	j->depth++;
	j->empty[j->depth] = true;
}

static void close_(struct sluice_json *j, const char *c)
{
	bool was_empty = j->empty[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (!was_empty)
		newline(j);
	puts_(j, c);
}

void sluice_json_init(struct sluice_json *j, const char *indent)
{
	memset(j, 0, sizeof(*j));
	j->indent = indent;
}

void sluice_json_obj_start(struct sluice_json *j)
{
	open_(j, "{");
}

void sluice_json_obj_end(struct sluice_json *j)
{
	close_(j, "}");
}

void sluice_json_arr_start(struct sluice_json *j)
{
	open_(j, "[");
}

void sluice_json_arr_end(struct sluice_json *j)
{
	close_(j, "]");
}

static void quoted(struct sluice_json *j, const char *s)
{
	put(j, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char esc[8];
		switch (*p) {
		case '"':
			puts_(j, "\\\"");
			break;
		case '\\':
			puts_(j, "\\\\");
			break;
		case '\n':
			puts_(j, "\\n");
			break;
		case '\r':
			puts_(j, "\\r");
			break;
		case '\t':
			puts_(j, "\\t");
			break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				snprintf(esc, sizeof(esc), "\\u%04x", *p);
				puts_(j, esc);
			} else {
				put(j, (const char *)p, 1);
			}
		}
	}
	put(j, "\"", 1);
}

void sluice_json_key(struct sluice_json *j, const char *key)
{
	item(j);
	quoted(j, key);
	puts_(j, j->indent ? ": " : ":");
	j->after_key = true;
}

void sluice_json_str(struct sluice_json *j, const char *s)
{
	item(j);
	quoted(j, s ? s : "");
}

void sluice_json_int(struct sluice_json *j, int64_t v)
{
	char buf[32];

	item(j);
	snprintf(buf, sizeof(buf), "%" PRId64, v);
	puts_(j, buf);
}

void sluice_json_bool(struct sluice_json *j, bool v)
{
	item(j);
	puts_(j, v ? "true" : "false");
}

void sluice_json_kstr(struct sluice_json *j, const char *key, const char *s)
{
	sluice_json_key(j, key);
	sluice_json_str(j, s);
}

void sluice_json_kint(struct sluice_json *j, const char *key, int64_t v)
{
	sluice_json_key(j, key);
	sluice_json_int(j, v);
}

void sluice_json_kbool(struct sluice_json *j, const char *key, bool v)
{
	sluice_json_key(j, key);
	sluice_json_bool(j, v);
}

void sluice_json_kstrv(struct sluice_json *j, const char *key, char *const *v)
{
	sluice_json_key(j, key);
	sluice_json_arr_start(j);
	for (size_t i = 0; v && v[i]; i++)
		sluice_json_str(j, v[i]);
	sluice_json_arr_end(j);
}

int sluice_json_finish(struct sluice_json *j, char **out, size_t *len)
{
	if (!j->buf && !j->failed)
		put(j, "", 0);
	if (j->failed) {
		sluice_json_free(j);
		return -ENOMEM;
	}
	*out = j->buf;
	*len = j->len;
	j->buf = NULL;
	sluice_json_free(j);
	return 0;
}

void sluice_json_free(struct sluice_json *j)
{
	free(j->buf);
	memset(j, 0, sizeof(*j));
}
