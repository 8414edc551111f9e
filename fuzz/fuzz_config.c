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
 * `sluice run` would hand its helper a config the helper refuses.  A broken
 * invariant aborts, with the texts on stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "error.h"
#include "fuzz.h"

static void broken(const char *what, const struct sluice_error *err, const char *text, size_t len)
{
	fprintf(stderr, "fuzz_config: %s%s%s\n", what, err ? ": " : "", err ? err->msg : "");
	if (text)
		fprintf(stderr, "---- text ----\n%.*s\n---- end ----\n", (int)len, text);
	abort();
}

/* emit(c) loads over an empty config and emits the same bytes again. */
static void round_trip(const struct sluice_config *c)
{
	struct sluice_config back;
	struct sluice_error err = { 0 };
	char *text = NULL, *again = NULL;
	size_t len = 0, len2 = 0;

	if (sluice_config_emit(c, &text, &len, &err) < 0)
		broken("a finalized config cannot be emitted", &err, NULL, 0);
	sluice_config_init(&back);
	if (sluice_config_load_buffer(&back, "<emitted>", text, len, "/", &err) < 0)
		broken("the emitted config does not load", &err, text, len);
	if (sluice_config_emit(&back, &again, &len2, &err) < 0)
		broken("the reloaded config cannot be emitted", &err, text, len);
	if (len != len2 || memcmp(text, again, len) != 0) {
		fprintf(stderr, "---- second emit ----\n%.*s\n", (int)len2, again);
		broken("emit(load(emit(c))) differs from emit(c)", NULL, text, len);
	}
	sluice_config_free(&back);
	free(text);
	free(again);
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

int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
	over_default((const char *)data, size);
	over_empty((const char *)data, size);
	return 0;
}
