/* libFuzzer target: the config loader (lib/config/config*.c, docs/config.md).
 *
 * Each input is a YAML or JSON document, loaded the two ways sluice loads
 * one:
 *   - over the embedded default, then finalized: `sluice run --config`, and
 *     `sluice init 3<file` with a raw config;
 *   - over an empty config (sluice_config_init): `sluice init` reading the
 *     framed config that `sluice run` sends.
 * The caller is root for inputs of even length and uid 1000 for odd ones
 * (the default differs: a user namespace for the latter).
 *
 * A document that loads and finalizes over the default is what `sluice run`
 * sends to its helper: it is emitted, and the text must load over an empty
 * config and emit the same bytes again (config_emit.c promises it), or
 * `sluice run` would hand its helper a config the helper refuses.
 *
 * Whatever JSON the fast reader (config_json.c) takes must read the same
 * through libyaml: the same tree, or the same message.  A broken invariant
 * aborts, with the texts on stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_internal.h"
#include "error.h"
#include "fuzz.h"

static void broken(const char *what, const struct sluice_error *err, const char *text, size_t len)
{
	fprintf(stderr, "fuzz_config: %s%s%s\n", what, err ? ": " : "", err ? err->msg : "");
	if (text)
		fprintf(stderr, "---- text ----\n%.*s\n---- end ----\n", (int)len, text);
	abort();
}

typedef int (*emit_fn)(const struct sluice_config *c, char **out, size_t *len,
		       struct sluice_error *err);

/* emit(c) loads over an empty config and that config emits yaml again. */
static void reload(const struct sluice_config *c, emit_fn emit, const char *form, const char *yaml,
		   size_t len)
{
	struct sluice_config back;
	struct sluice_error err = { 0 };
	char *text = NULL, *again = NULL;
	size_t tlen = 0, len2 = 0;

	if (emit(c, &text, &tlen, &err) < 0)
		broken("a finalized config cannot be emitted in this form", &err, form,
		       strlen(form));
	sluice_config_init(&back);
	if (sluice_config_load_buffer(&back, "<emitted>", text, tlen, "/", &err) < 0)
		broken("the emitted config does not load", &err, text, tlen);
	if (sluice_config_emit(&back, &again, &len2, &err) < 0)
		broken("the reloaded config cannot be emitted", &err, text, tlen);
	if (len != len2 || memcmp(yaml, again, len) != 0) {
		fprintf(stderr, "---- emitted (%s) ----\n%.*s\n---- its YAML ----\n%.*s\n", form,
			(int)tlen, text, (int)len2, again);
		broken("emit(load(emitted)) differs from emit(c)", NULL, yaml, len);
	}
	sluice_config_free(&back);
	free(text);
	free(again);
}

/* emit(c) loads over an empty config and emits the same bytes again; so
 * does the JSON form (what `sluice run` sends its helper). */
static void round_trip(const struct sluice_config *c)
{
	struct sluice_error err = { 0 };
	char *yaml = NULL;
	size_t len = 0;

	if (sluice_config_emit(c, &yaml, &len, &err) < 0)
		broken("a finalized config cannot be emitted", &err, NULL, 0);
	reload(c, sluice_config_emit, "YAML", yaml, len);
	reload(c, sluice_config_emit_json, "JSON", yaml, len);
	free(yaml);
}

static void over_default(const char *buf, size_t len)
{
	struct sluice_caller who = { .uid = len % 2 ? 1000 : 0,
				     .gid = len % 2 ? 1000 : 0,
				     .cwd = "/" };
	struct sluice_config c;
	struct sluice_error err = { 0 };

	sluice_config_init(&c);
	if (sluice_config_default(&c, &who, &err) < 0)
		broken("the embedded default does not load", &err, NULL, 0);
	if (sluice_config_load_buffer(&c, "fuzz.yaml", buf, len, "/bundle", &err) == 0 &&
	    sluice_config_finalize(&c, &who, &err) == 0)
		round_trip(&c);
	else if (err.exit_code != SLUICE_EXIT_CONFIG || !err.msg[0])
		broken("a refused config must fail with exit code 78 and a message", &err, buf, len);
	sluice_config_free(&c);
}

static void over_empty(const char *buf, size_t len)
{
	struct sluice_config c;
	struct sluice_error err = { 0 };

	sluice_config_init(&c);
	if (sluice_config_load_buffer(&c, "<fd 3>", buf, len, "/", &err) < 0 &&
	    (err.exit_code != SLUICE_EXIT_CONFIG || !err.msg[0]))
		broken("a refused config must fail with exit code 78 and a message", &err, buf, len);
	sluice_config_free(&c);
}

static bool same_tree(const struct config_node *a, const struct config_node *b)
{
	size_t items;

	if (!a || !b)
		return a == b;
	if (a->kind != b->kind || a->line != b->line || a->col != b->col || a->n != b->n)
		return false;
	if (a->kind == CONFIG_SCALAR)
		return a->plain == b->plain && !strcmp(a->value, b->value);
	items = a->kind == CONFIG_MAP ? 2 * a->n : a->n;
	for (size_t i = 0; i < items; i++)
		if (!same_tree(a->items[i], b->items[i]))
			return false;
	return true;
}

/* The JSON fast path (config_json.c) reads what it takes exactly as
 * libyaml does: the same tree, or the same message. */
static void json_as_yaml(const char *buf, size_t len)
{
	struct config_node *fast = NULL, *slow = NULL;
	struct sluice_error e1 = { 0 }, e2 = { 0 };
	int r1 = config_json_parse("f.json", buf, len, &fast, &e1);
	int r2;

	if (r1 == CONFIG_JSON_DECLINED)
		return;
	r2 = config_yaml_parse_libyaml("f.json", buf, len, &slow, &e2);
	if ((r1 < 0) != (r2 < 0))
		broken(r1 < 0 ? "the JSON reader refuses what libyaml reads" :
				"the JSON reader takes what libyaml refuses",
		       r1 < 0 ? &e1 : &e2, buf, len);
	if (r1 < 0 && strcmp(e1.msg, e2.msg)) {
		fprintf(stderr, "libyaml: %s\n", e2.msg);
		broken("the JSON reader's message differs from libyaml's", &e1, buf, len);
	}
	if (r1 == 0 && !same_tree(fast, slow))
		broken("the JSON reader's tree differs from libyaml's", NULL, buf, len);
	config_node_free(fast);
	config_node_free(slow);
}

int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
	json_as_yaml((const char *)data, size);
	over_default((const char *)data, size);
	over_empty((const char *)data, size);
	return 0;
}
