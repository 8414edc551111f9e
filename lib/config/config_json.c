/* The fast path of the loader: strict JSON straight to config_yaml.c's
 * node tree, without libyaml.
 *
 * Most documents sluice reads are JSON: every bundle's config.json (runc
 * spec, podman, containerd), seccomp profiles, and the config that
 * `sluice run` sends its helper.  libyaml reads them at some 20 MB/s and
 * through a good deal of code, which on a start of a few milliseconds is
 * not small (docs/performance.md).  This reader takes the plain subset of
 * JSON that YAML reads the same way: printable ASCII, spaces and newlines
 * between tokens, double-quoted strings with the common escapes, JSON
 * numbers, true, false and null.  Whatever falls outside, it declines, and
 * libyaml reads the document as before: so any document gets the same tree
 * (values, scalar styles, lines and columns) and the same messages by
 * either path, which fuzz/fuzz_config.c checks on every input. */
#include "config_internal.h"

#include <stdlib.h>
#include <string.h>

struct reader {
	const char *name;
	struct sluice_error *err;
	const char *p, *end;
	const char *line_start;
	unsigned int line; /* 1-based */
	unsigned int depth;
	/* The first map with a duplicate key, in the order libyaml closes
	 * them: reported only once the whole document is read, since libyaml
	 * reports a syntax error it scans ahead to first. */
	bool duplicate;
	struct sluice_error duplicate_err;
	/* Every node, value and items array goes to the tree's arena; the
	 * root is the tree's own first node.  The items of the collections
	 * still open wait on stack, each collection's on top of its
	 * parent's, and move to the arena in one piece when it closes. */
	struct config_arena_tree *tree;
	struct config_node *root_slot;
	struct config_node **stack;
	size_t stack_n, stack_cap;
};

/* libyaml forgets a key that is not followed by ':' within 1024
 * characters on its line (and then reads the document differently). */
#define KEY_SPAN_MAX 1000

static void skip_space(struct reader *r)
{
	for (; r->p < r->end; r->p++) {
		if (*r->p == '\n') {
			r->line++;
			r->line_start = r->p + 1;
		} else if (*r->p != ' ') {
			return;
		}
	}
}

static struct config_node *node_here(struct reader *r, enum config_node_kind kind)
{
	struct config_node *n = r->root_slot;

	if (n) {
		r->root_slot = NULL;
		n->mem = CONFIG_NODE_ARENA_ROOT;
	} else {
		n = sluice_arena_zalloc(&r->tree->arena, sizeof(*n));
		if (!n)
			return NULL;
		n->mem = CONFIG_NODE_ARENA;
	}
	n->kind = kind;
	n->line = r->line;
	n->col = (unsigned int)(r->p - r->line_start) + 1;
	return n;
}

static int nomem(struct reader *r)
{
	return sluice_err(r->err, SLUICE_EXIT_CONFIG, ENOMEM, "%s: cannot parse", r->name);
}

static int hex4(const char *p, unsigned int *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned int)(c - 'A' + 10);
		else
			return -1;
		*v = *v << 4 | d;
	}
	return 0;
}

static char *put_utf8(char *o, unsigned int cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xc0 | cp >> 6);
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xe0 | cp >> 12);
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	return o;
}

/* The escapes of [from, to) decoded into a new string.  \u0000 (libyaml
 * reports the NUL) and surrogates (libyaml refuses them) are declined, and
 * so is \/ (not every libyaml knows it). */
static int unescape(struct reader *r, const char *from, const char *to, char **out)
{
	char *o = sluice_arena_bytes(&r->tree->arena, (size_t)(to - from) + 1), *start = o;

	if (!o)
		return nomem(r);
	for (const char *p = from; p < to; p++) {
		unsigned int cp;

		if (*p != '\\') {
			*o++ = *p;
			continue;
		}
		switch (*++p) {
		case '"':
		case '\\':
			*o++ = *p;
			break;
		case 'b':
			*o++ = '\b';
			break;
		case 'f':
			*o++ = '\f';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 't':
			*o++ = '\t';
			break;
		case 'u':
			if (to - p < 5 || hex4(p + 1, &cp) < 0 || cp == 0 ||
			    (cp >= 0xd800 && cp <= 0xdfff))
				goto decline;
			o = put_utf8(o, cp);
			p += 4;
			break;
		default:
			goto decline;
		}
	}
	*o = '\0';
	*out = start;
	return 0;
decline:
	return CONFIG_JSON_DECLINED; /* the arena goes with the whole document */
}

/* At the opening quote: the string's value, the reader past its end. */
static int read_string(struct reader *r, char **out)
{
	const char *from = r->p + 1, *q;
	bool escaped = false;

	for (q = from; q < r->end && *q != '"'; q++) {
		if (*q == '\\') {
			escaped = true;
			if (++q == r->end)
				return CONFIG_JSON_DECLINED;
		} else if (*q == '\n') {
			return CONFIG_JSON_DECLINED;
		}
	}
	if (q == r->end)
		return CONFIG_JSON_DECLINED;
	r->p = q + 1;
	if (escaped)
		return unescape(r, from, q, out);
	*out = sluice_arena_strndup(&r->tree->arena, from, (size_t)(q - from));
	return *out ? 0 : nomem(r);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static const char *digits(const char *p, const char *end)
{
	while (p < end && is_digit(*p))
		p++;
	return p;
}

/* The end of the JSON number at p, or NULL if there is none. */
static const char *number_end(const char *p, const char *end)
{
	const char *q;

	if (p < end && *p == '-')
		p++;
	if (p == end || !is_digit(*p))
		return NULL;
	p = *p == '0' ? p + 1 : digits(p, end);
	if (p < end && *p == '.') {
		q = digits(p + 1, end);
		if (q == p + 1)
			return NULL;
		p = q;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		q = digits(p, end);
		if (q == p)
			return NULL;
		p = q;
	}
	return p;
}

/* A number, true, false or null: a plain scalar, as YAML reads it. */
static int read_word(struct reader *r, struct config_node *n)
{
	static const char *const words[] = { "true", "false", "null" };
	const char *q = number_end(r->p, r->end);

	for (size_t i = 0; !q && i < sizeof(words) / sizeof(words[0]); i++) {
		size_t len = strlen(words[i]);
		if ((size_t)(r->end - r->p) >= len && !memcmp(r->p, words[i], len))
			q = r->p + len;
	}
	/* what follows must end the scalar for YAML too */
	if (!q || (q < r->end && !strchr(" \n,]}", *q)))
		return CONFIG_JSON_DECLINED;
	n->plain = true;
	n->value = sluice_arena_strndup(&r->tree->arena, r->p, (size_t)(q - r->p));
	r->p = q;
	return n->value ? 0 : nomem(r);
}

static int read_value(struct reader *r, struct config_node **out);

/* Puts what read_value built on the stack of open collections' items. */
static int add(struct reader *r, struct config_node *child)
{
	if (r->stack_n == r->stack_cap) {
		size_t cap = r->stack_cap ? r->stack_cap * 2 : 64;
		struct config_node **stack = reallocarray(r->stack, cap, sizeof(*stack));
		if (!stack)
			return nomem(r);
		r->stack = stack;
		r->stack_cap = cap;
	}
	r->stack[r->stack_n++] = child;
	return 0;
}

/* The items above base become n's, in the arena. */
static int close_items(struct reader *r, struct config_node *n, size_t base)
{
	size_t count = r->stack_n - base;

	if (count) {
		n->items = sluice_arena_zalloc(&r->tree->arena, count * sizeof(*n->items));
		if (!n->items)
			return nomem(r);
		memcpy(n->items, r->stack + base, count * sizeof(*n->items));
	}
	n->n = (uint32_t)count;
	r->stack_n = base;
	return 0;
}

/* A value of a sequence. */
static int read_item(struct reader *r)
{
	struct config_node *item = NULL;
	int ret = read_value(r, &item);

	return ret == 0 ? add(r, item) : ret;
}

static int read_pair(struct reader *r)
{
	const char *key_at = r->p;
	unsigned int key_line = r->line;
	struct config_node *key, *value = NULL;
	int ret;

	if (r->p == r->end || *r->p != '"')
		return CONFIG_JSON_DECLINED;
	key = node_here(r, CONFIG_SCALAR);
	if (!key)
		return nomem(r);
	ret = read_string(r, &key->value);
	if (ret == 0)
		ret = add(r, key);
	if (ret != 0)
		return ret;
	skip_space(r);
	if (r->p == r->end || *r->p != ':' || r->line != key_line || r->p - key_at > KEY_SPAN_MAX)
		return CONFIG_JSON_DECLINED;
	r->p++;
	skip_space(r);
	ret = read_value(r, &value);
	return ret == 0 ? add(r, value) : ret;
}

/* At '{' or '[': the collection, up to its closing bracket. */
static int read_collection(struct reader *r, struct config_node *n)
{
	bool map = *r->p == '{';
	char close = map ? '}' : ']';
	size_t base = r->stack_n;
	int ret;

	/* libyaml's path has the message for too deep */
	if (r->depth == CONFIG_MAX_DEPTH)
		return CONFIG_JSON_DECLINED;
	r->depth++;
	r->p++;
	skip_space(r);
	if (r->p < r->end && *r->p == close)
		goto done;
	/* the elements, each followed by ',' or the closing bracket */
	for (;;) {
		ret = map ? read_pair(r) : read_item(r);
		if (ret != 0)
			return ret;
		skip_space(r);
		if (r->p < r->end && *r->p == close)
			break;
		if (r->p == r->end || *r->p != ',')
			return CONFIG_JSON_DECLINED;
		r->p++;
		skip_space(r);
	}
done:
	r->p++;
	r->depth--;
	ret = close_items(r, n, base);
	if (ret != 0 || !map)
		return ret;
	n->n /= 2; /* from here on, pairs */
	if (!r->duplicate && config_map_check_duplicates(r->name, &r->duplicate_err, n) < 0) {
		if (r->duplicate_err.errnum == ENOMEM)
			return nomem(r);
		r->duplicate = true;
	}
	return 0;
}

static int read_value(struct reader *r, struct config_node **out)
{
	struct config_node *n;
	int ret;

	if (r->p == r->end)
		return CONFIG_JSON_DECLINED;
	n = node_here(r, *r->p == '{' ? CONFIG_MAP : *r->p == '[' ? CONFIG_SEQ : CONFIG_SCALAR);
	if (!n)
		return nomem(r);
	if (n->kind != CONFIG_SCALAR)
		ret = read_collection(r, n);
	else if (*r->p == '"')
		ret = read_string(r, &n->value);
	else
		ret = read_word(r, n);
	if (ret != 0)
		return ret;
	*out = n;
	return 0;
}

bool config_json_likely(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != ' ' && buf[i] != '\n')
			return buf[i] == '{' || buf[i] == '[';
	return false;
}

/* The arena's first chunk, for a document of len bytes: the trees of the
 * configs sluice reads take 3.7 (runc spec's config.json with a seccomp
 * profile) to 4.3 times (runc spec's alone) their text, and more where the
 * text has no indentation; a chunk larger than the tree costs nothing for
 * the part that stays empty (its pages are never touched), one too small a
 * second chunk. */
static size_t arena_hint(size_t len)
{
	return len * 6;
}

static void reader_drop(struct reader *r)
{
	free(r->stack);
	if (r->tree) {
		sluice_arena_free(&r->tree->arena);
		free(r->tree);
	}
}

int config_json_parse(const char *name, const char *buf, size_t len, struct config_node **root,
		      struct sluice_error *err)
{
	struct reader r = {
		.name = name, .err = err, .p = buf, .end = buf + len, .line_start = buf, .line = 1
	};
	struct config_node *n = NULL;
	int ret;

	*root = NULL;
	/* libyaml checks its input ahead of what it parses: a byte it may
	 * refuse anywhere would make its message differ from ours */
	for (size_t i = 0; i < len; i++)
		if ((buf[i] < 0x20 || buf[i] > 0x7e) && buf[i] != '\n')
			return CONFIG_JSON_DECLINED;
	skip_space(&r);
	if (r.p == r.end || (*r.p != '{' && *r.p != '['))
		return CONFIG_JSON_DECLINED;
	r.tree = calloc(1, sizeof(*r.tree));
	if (!r.tree)
		return nomem(&r);
	sluice_arena_init(&r.tree->arena, arena_hint(len));
	r.root_slot = &r.tree->root;
	ret = read_value(&r, &n);
	if (ret == 0) {
		skip_space(&r);
		if (r.p != r.end)
			ret = CONFIG_JSON_DECLINED;
		else if (r.duplicate) {
			*err = r.duplicate_err;
			ret = -1;
		}
	}
	if (ret != 0) {
		reader_drop(&r);
		return ret;
	}
	free(r.stack);
	*root = n;
	return 0;
}
