/* libFuzzer target: the helper's whole config intake (lib/init/intake.c,
 * docs/protocol.md "One intake").
 *
 * Each input is what a runtime writes on fd 3 of `sluice init`: raw YAML or
 * JSON text, or the preamble and frames.  It goes through what the helper
 * does with it before the first setup step: decode (preamble, frame order,
 * NAMESPACES flags), build the config (over the embedded default when raw,
 * over nothing when framed), finalize and validate, the checks of a helper
 * started directly, and the host path checks.  The caller is root for
 * inputs of even length and uid 1000 for odd ones.
 *
 * Invariants: a refusal carries a message and exit code 78 (the config) or
 * 125 (the stream); an accepted config is one the setup steps can run on:
 * it validates again, it has a command, a cwd, a root path, and it can be
 * emitted.  A NULL field that a step would dereference shows up here as a
 * broken invariant or a sanitizer report, not as a crashed helper. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "error.h"
#include "fuzz.h"
#include "intake.h"

static void broken(const char *what, const struct sluice_error *err, const uint8_t *data,
		   size_t size)
{
	fprintf(stderr, "fuzz_intake: %s%s%s\n", what, err ? ": " : "", err ? err->msg : "");
	fprintf(stderr, "---- input (%zu bytes) ----\n%.*s\n---- end ----\n", size, (int)size,
		(const char *)data);
	abort();
}

static void refused(const struct sluice_error *err, const uint8_t *data, size_t size)
{
	if ((err->exit_code != SLUICE_EXIT_CONFIG && err->exit_code != SLUICE_EXIT_SETUP) ||
	    !err->msg[0])
		broken("a refusal must carry exit code 78 or 125 and a message", err, data, size);
}

/* What the setup steps take for granted of an accepted config. */
static void sound(const struct sluice_config *c, const uint8_t *data, size_t size)
{
	struct sluice_error err = { 0 };
	char *text = NULL;
	size_t len = 0;

	if (!c->process.args || !c->process.args[0] || !c->process.cwd || !c->root.path)
		broken("an accepted config lacks args, cwd or root.path", NULL, data, size);
	if (sluice_config_validate(c, &err) < 0)
		broken("an accepted config does not validate again", &err, data, size);
	if (sluice_config_emit(c, &text, &len, &err) < 0)
		broken("an accepted config cannot be emitted", &err, data, size);
	free(text);
}

int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
	struct sluice_caller who = { .uid = size % 2 ? 1000 : 0,
				     .gid = size % 2 ? 1000 : 0,
				     .cwd = "/" };
	struct sluice_intake in;
	struct sluice_config c;
	struct sluice_error err = { 0 };

	sluice_intake_init(&in);
	sluice_config_init(&c);
	if (sluice_intake_decode(&in, (const char *)data, size, &err) < 0 ||
	    sluice_intake_config(&in, &c, "<fd 3>", "/bundle", &who, &err) < 0 ||
	    sluice_config_check_paths(&c, &err) < 0)
		refused(&err, data, size);
	else
		sound(&c, data, size);
	sluice_config_free(&c);
	sluice_intake_free(&in);
	return 0;
}
