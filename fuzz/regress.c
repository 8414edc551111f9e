/* Replays every input a fuzz target ever crashed on (fuzz/regressions/) and
 * its seeds (fuzz/seeds/, and configs/ for the config loader) through the
 * targets, without libFuzzer: built as the unit test test_fuzz_regress, so
 * that every `make check` (and, with the sanitizers, `make asan`) holds the
 * fixes.  TAP, one test per input; a crash ends the binary, which test/run
 * counts as a failure.  Run from the repository (test/run does), or with
 * SLUICE_REPO set. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tap.h"
#include "util.h"

int fuzz_config_input(const uint8_t *data, size_t size);
int fuzz_proto_input(const uint8_t *data, size_t size);
int fuzz_intake_input(const uint8_t *data, size_t size);

struct target {
	const char *name;
	int (*entry)(const uint8_t *data, size_t size);
	const char *dirs[4]; /* under the repository */
};

static const struct target targets[] = {
	{ "config",
	  fuzz_config_input,
	  { "fuzz/regressions/config", "fuzz/seeds/config", "configs" } },
	{ "proto", fuzz_proto_input, { "fuzz/regressions/proto", "fuzz/seeds/proto" } },
	{ "intake",
	  fuzz_intake_input,
	  { "fuzz/regressions/intake", "fuzz/seeds/intake", "fuzz/seeds/proto" } },
};

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The input replayed; false when it could not be read (said in TAP). */
static bool replay_file(const struct target *t, const char *path)
{
	FILE *f = fopen(path, "rbe");
	char *data = NULL;
	size_t len = 0;
	long size;

	if (!f || fseek(f, 0, SEEK_END) < 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0) {
		ok(0, "%s: %s: cannot read: %s", t->name, path, strerror(errno));
		if (f)
			fclose(f);
		return false;
	}
	/* An exact-size copy, as libFuzzer gives, so that an overread shows. */
	data = malloc(size ? (size_t)size : 1);
	if (data)
		len = fread(data, 1, (size_t)size, f);
	fclose(f);
	if (!data || len != (size_t)size) {
		ok(0, "%s: %s: short read", t->name, path);
		free(data);
		return false;
	}
	t->entry((const uint8_t *)data, len);
	free(data);
	return true;
}

/* Each regression is a test of its own; a directory of seeds is one. */
static void replay_dir(const struct target *t, const char *dir)
{
	bool each = strstr(dir, "regressions") != NULL;
	size_t good = 0;

	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;

	if (!d) {
		if (!each)
			ok(0, "%s: cannot open %s: %s", t->name, dir, strerror(errno));
		return;
	}
	while ((e = readdir(d))) {
		char path[4096];
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "README.md"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (sluice_strv_push(&names, path) < 0)
			abort();
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		bool r = replay_file(t, names[i]);
		good += r;
		if (each && r)
			ok(1, "%s: %s replays cleanly", t->name, names[i]);
	}
	if (!each)
		ok(n > 0 && good == n, "%s: the %zu inputs in %s replay cleanly", t->name, n, dir);
	sluice_strv_free(names);
}

int main(void)
{
	const char *repo = getenv("SLUICE_REPO");

	if (repo && chdir(repo) < 0) {
		printf("Bail out! cannot enter SLUICE_REPO %s\n", repo);
		return 1;
	}
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		for (size_t j = 0; targets[i].dirs[j]; j++)
			replay_dir(&targets[i], targets[i].dirs[j]);
	return done_testing();
}
