/* YAML (and therefore JSON) to a node tree, with libyaml's event parser.
 * A document that looks like JSON goes to config_json.c's reader first,
 * which takes most of them faster and declines the rest to this one.
 *
 * libyaml's own document loader would resolve aliases (a "billion laughs"
 * document explodes in memory) and forgets whether a scalar was quoted; the
 * event stream gives us both the marks and the scalar style, and lets us
 * refuse what a config never needs before it costs anything. */
#include "config_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct builder {
	const char *name;
	struct sluice_error *err;
	struct config_node *root;
	struct config_node *stack[CONFIG_MAX_DEPTH];
	size_t depth;
	unsigned int documents;
};

struct key_ref {
	const struct config_node *key;
	size_t index;
};

static void node_free_items(struct config_node *n)
{
	for (size_t i = 0; i < n->cap && n->items && n->items[i]; i++)
		config_node_free(n->items[i]);
	free(n->items);
}

void config_node_free(struct config_node *n)
{
	if (!n || n->mem == CONFIG_NODE_ARENA)
		return;
	if (n->mem == CONFIG_NODE_ARENA_ROOT) {
		struct config_arena_tree *t = (struct config_arena_tree *)n;
		sluice_arena_free(&t->arena);
		free(t);
		return;
	}
	node_free_items(n);
	free(n->value);
	free(n);
}

void config_node_freep(struct config_node **n)
{
	config_node_free(*n);
	*n = NULL;
}

bool config_node_is_null(const struct config_node *n)
{
	if (n->kind != CONFIG_SCALAR || !n->plain)
		return false;
	return !strcmp(n->value, "") || !strcmp(n->value, "~") || !strcmp(n->value, "null") ||
	       !strcmp(n->value, "Null") || !strcmp(n->value, "NULL");
}

static int fail_at(struct builder *b, const yaml_mark_t *m, const char *what)
{
	return sluice_err(b->err, SLUICE_EXIT_CONFIG, 0, "%s:%zu:%zu: %s", b->name, m->line + 1,
			  m->column + 1, what);
}

static int fail_nomem(struct builder *b)
{
	return sluice_err(b->err, SLUICE_EXIT_CONFIG, ENOMEM, "%s: cannot parse", b->name);
}

/* Reader errors (bad UTF-8, control characters) carry only a byte offset. */
static void offset_to_mark(const char *buf, size_t len, size_t off, yaml_mark_t *m)
{
	m->line = 0;
	m->column = 0;
	for (size_t i = 0; i < off && i < len; i++) {
		if (buf[i] == '\n') {
			m->line++;
			m->column = 0;
		} else {
			m->column++;
		}
	}
}

static int syntax_error(struct builder *b, const yaml_parser_t *p, const char *buf, size_t len)
{
	yaml_mark_t m = p->problem_mark;
	const char *problem = p->problem ? p->problem : "unknown problem";

	if (p->error == YAML_MEMORY_ERROR)
		return fail_nomem(b);
	if (p->error == YAML_READER_ERROR)
		offset_to_mark(buf, len, p->problem_offset, &m);
	if (p->context)
		return sluice_err(b->err, SLUICE_EXIT_CONFIG, 0,
				  "%s:%zu:%zu: YAML syntax error: %s (%s)", b->name, m.line + 1,
				  m.column + 1, problem, p->context);
	return sluice_err(b->err, SLUICE_EXIT_CONFIG, 0, "%s:%zu:%zu: YAML syntax error: %s",
			  b->name, m.line + 1, m.column + 1, problem);
}

int config_node_append(struct config_node *parent, struct config_node *child)
{
	/* items stays NULL-terminated so a half-built tree frees cleanly */
	if (parent->n + 2 > parent->cap) {
		size_t cap = parent->cap ? (size_t)parent->cap * 2 : 8;
		struct config_node **items = realloc(parent->items, cap * sizeof(*items));
		if (!items)
			return -ENOMEM;
		memset(items + parent->cap, 0, (cap - parent->cap) * sizeof(*items));
		parent->items = items;
		parent->cap = (uint32_t)cap;
	}
	parent->items[parent->n++] = child;
	return 0;
}

/* Hang n under the innermost open collection (or make it the root) right
 * away, so that everything built so far is freed through the root. */
static int attach(struct builder *b, struct config_node *n, const yaml_mark_t *m)
{
	struct config_node *parent;

	if (b->depth == 0) {
		/* only one node can sit at the top of the one document we accept */
		if (b->root) {
			config_node_free(n);
			return fail_at(b, m, "multiple documents are not supported");
		}
		b->root = n;
		return 0;
	}
	parent = b->stack[b->depth - 1];
	if (parent->kind == CONFIG_MAP && parent->n % 2 == 0 && n->kind != CONFIG_SCALAR) {
		config_node_free(n);
		return fail_at(b, m, "mapping keys must be scalars");
	}
	if (config_node_append(parent, n) < 0) {
		config_node_free(n);
		return fail_nomem(b);
	}
	return 0;
}

static struct config_node *node_new(enum config_node_kind kind, const yaml_mark_t *m)
{
	struct config_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->kind = kind;
	n->line = (unsigned int)m->line + 1;
	n->col = (unsigned int)m->column + 1;
	return n;
}

static bool is_binary(const yaml_event_t *ev)
{
	return ev->type == YAML_SCALAR_EVENT && ev->data.scalar.tag &&
	       !strcmp((const char *)ev->data.scalar.tag, CONFIG_BINARY_TAG);
}

/* A !!binary scalar is the string its base64 text decodes to: never plain,
 * so it is a string wherever it goes, never a number or a boolean. */
static int binary_value(struct builder *b, const yaml_event_t *ev, struct config_node *n)
{
	size_t len = 0;
	int r = config_base64_decode((const char *)ev->data.scalar.value, ev->data.scalar.length,
				     &n->value, &len);

	if (r == -ENOMEM)
		return fail_nomem(b);
	if (r < 0)
		return fail_at(b, &ev->start_mark, "a !!binary string is not base64");
	if (memchr(n->value, '\0', len))
		return fail_at(b, &ev->start_mark, "a !!binary string contains a NUL byte");
	return 0;
}

static int on_scalar(struct builder *b, const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	struct config_node *n;

	if (memchr(v, '\0', len))
		return fail_at(b, &ev->start_mark, "a string contains a NUL character");
	n = node_new(CONFIG_SCALAR, &ev->start_mark);
	if (!n)
		return fail_nomem(b);
	if (is_binary(ev)) {
		if (binary_value(b, ev, n) < 0) {
			config_node_free(n);
			return -1;
		}
		return attach(b, n, &ev->start_mark);
	}
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	n->value = strndup(v, len);
	if (!n->value) {
		config_node_free(n);
		return fail_nomem(b);
	}
	return attach(b, n, &ev->start_mark);
}

static int on_open(struct builder *b, const yaml_event_t *ev, enum config_node_kind kind)
{
	struct config_node *n;
	int r;

	if (b->depth == CONFIG_MAX_DEPTH)
		return fail_at(b, &ev->start_mark, "nesting deeper than 64 levels");
	n = node_new(kind, &ev->start_mark);
	if (!n)
		return fail_nomem(b);
	r = attach(b, n, &ev->start_mark);
	if (r < 0)
		return r;
	b->stack[b->depth++] = n;
	return 0;
}

static int key_cmp(const void *a, const void *b)
{
	const struct key_ref *x = a, *y = b;
	int r = strcmp(x->key->value, y->key->value);

	if (r)
		return r;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int duplicate_error(const char *name, struct sluice_error *err,
			   const struct config_node *again, const struct config_node *first)
{
	sluice_err(err, SLUICE_EXIT_CONFIG, 0,
		   "%s:%u:%u: duplicate key \"%s\" (first at line %u, column %u)", name,
		   again->line, again->col, again->value, first->line, first->col);
	return -1;
}

/* The maps of a config mostly have a handful of keys: comparing each with
 * those before it needs no allocation. */
#define DUPLICATES_SMALL 16
static int duplicates_small(const char *name, struct sluice_error *err, const struct config_node *m)
{
	for (size_t i = 1; i < m->n; i++)
		for (size_t j = 0; j < i; j++)
			if (!strcmp(config_map_key(m, i)->value, config_map_key(m, j)->value))
				return duplicate_error(name, err, config_map_key(m, i),
						       config_map_key(m, j));
	return 0;
}

/* Sorting keeps a 4 MiB document of keys from costing n^2 comparisons.
 * Reports the earliest second occurrence, pointing at the first. */
int config_map_check_duplicates(const char *name, struct sluice_error *err,
				const struct config_node *m)
{
	struct key_ref *refs;
	const struct key_ref *dup = NULL, *first = NULL;

	if (m->n < 2)
		return 0;
	if (m->n <= DUPLICATES_SMALL)
		return duplicates_small(name, err, m);
	refs = calloc(m->n, sizeof(*refs));
	if (!refs)
		return sluice_err(err, SLUICE_EXIT_CONFIG, ENOMEM, "%s: cannot parse", name);
	for (size_t i = 0; i < m->n; i++)
		refs[i] = (struct key_ref){ config_map_key(m, i), i };
	qsort(refs, m->n, sizeof(*refs), key_cmp);
	for (size_t i = 1, run = 0; i < m->n; i++) {
		if (strcmp(refs[i].key->value, refs[run].key->value)) {
			run = i;
			continue;
		}
		if (!dup || refs[i].index < dup->index) {
			dup = &refs[i];
			first = &refs[run];
		}
	}
	if (dup)
		duplicate_error(name, err, dup->key, first->key);
	free(refs);
	return dup ? -1 : 0;
}

static int on_close(struct builder *b)
{
	struct config_node *n;

	if (b->depth == 0) /* libyaml balances its events; be safe anyway */
		return 0;
	n = b->stack[--b->depth];

	if (n->kind != CONFIG_MAP)
		return 0;
	/* during the build n counted keys and values; from here on, pairs */
	n->n /= 2;
	return config_map_check_duplicates(b->name, b->err, n);
}

static bool has_anchor_or_tag(const yaml_event_t *ev, const char **what)
{
	const yaml_char_t *anchor = NULL, *tag = NULL;

	if (ev->type == YAML_SCALAR_EVENT) {
		anchor = ev->data.scalar.anchor;
		tag = ev->data.scalar.tag;
	} else if (ev->type == YAML_SEQUENCE_START_EVENT) {
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
	} else if (ev->type == YAML_MAPPING_START_EVENT) {
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
	}
	*what = anchor ? "anchors and aliases are not supported" :
			 "tags are not supported (but !!binary on a string)";
	return anchor || (tag && !is_binary(ev));
}

static int on_event(struct builder *b, const yaml_event_t *ev)
{
	const char *what;

	if (has_anchor_or_tag(ev, &what))
		return fail_at(b, &ev->start_mark, what);
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++b->documents > 1)
			return fail_at(b, &ev->start_mark, "multiple documents are not supported");
		return 0;
	case YAML_ALIAS_EVENT:
		return fail_at(b, &ev->start_mark, "aliases are not supported");
	case YAML_SCALAR_EVENT:
		return on_scalar(b, ev);
	case YAML_SEQUENCE_START_EVENT:
		return on_open(b, ev, CONFIG_SEQ);
	case YAML_MAPPING_START_EVENT:
		return on_open(b, ev, CONFIG_MAP);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return on_close(b);
	case YAML_NO_EVENT:
	case YAML_STREAM_START_EVENT:
	case YAML_STREAM_END_EVENT:
	case YAML_DOCUMENT_END_EVENT:
		return 0;
	}
	return 0;
}

/* yaml_parser_delete copes with a zeroed parser, so this is safe even
 * when yaml_parser_initialize failed or never ran. */
static void parser_deletep(yaml_parser_t *p)
{
	yaml_parser_delete(p);
}

int config_yaml_parse_libyaml(const char *name, const char *buf, size_t len,
			      struct config_node **root, struct sluice_error *err)
{
	struct builder b = { .name = name, .err = err };
	yaml_parser_t parser __attribute__((cleanup(parser_deletep)));
	int r = 0;

	memset(&parser, 0, sizeof(parser));
	*root = NULL;
	if (!yaml_parser_initialize(&parser))
		return fail_nomem(&b);
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	for (bool done = false; !done && r == 0;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			r = syntax_error(&b, &parser, buf, len);
			break;
		}
		r = on_event(&b, &ev);
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	if (r < 0) {
		config_node_free(b.root);
		return r;
	}
	*root = b.root;
	return 0;
}

int config_yaml_parse(const char *name, const char *buf, size_t len, struct config_node **root,
		      struct sluice_error *err)
{
	if (len > CONFIG_MAX_SIZE)
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0, "%s: larger than 4 MiB", name);
	if (config_json_likely(buf, len)) {
		int r = config_json_parse(name, buf, len, root, err);
		if (r != CONFIG_JSON_DECLINED)
			return r;
	}
	return config_yaml_parse_libyaml(name, buf, len, root, err);
}
