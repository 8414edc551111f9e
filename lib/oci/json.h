/* A small JSON writer for what the OCI commands print (state, list,
 * features, spec) and hand to hooks.  Output is built in memory; the first
 * allocation failure makes the writer fail as a whole (sticky). */
#ifndef SLUICE_JSON_H
#define SLUICE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SLUICE_JSON_MAX_DEPTH 32

struct sluice_json {
	char *buf;
	size_t len, cap;
	const char *indent; /* NULL: compact, else one level of indentation */
	int depth;
	bool empty[SLUICE_JSON_MAX_DEPTH]; /* nothing written yet at this level */
	bool after_key;
	bool failed;
};

void sluice_json_init(struct sluice_json *j, const char *indent);
void sluice_json_obj_start(struct sluice_json *j);
void sluice_json_obj_end(struct sluice_json *j);
void sluice_json_arr_start(struct sluice_json *j);
void sluice_json_arr_end(struct sluice_json *j);
void sluice_json_key(struct sluice_json *j, const char *key);
void sluice_json_str(struct sluice_json *j, const char *s);
void sluice_json_int(struct sluice_json *j, int64_t v);
void sluice_json_bool(struct sluice_json *j, bool v);
/* key + value shorthands */
void sluice_json_kstr(struct sluice_json *j, const char *key, const char *s);
void sluice_json_kint(struct sluice_json *j, const char *key, int64_t v);
void sluice_json_kbool(struct sluice_json *j, const char *key, bool v);
/* An array of strings (strv). */
void sluice_json_kstrv(struct sluice_json *j, const char *key, char *const *v);
/* The text (NUL-terminated, malloc'd) and its length; -ENOMEM if the
 * writer failed.  The writer is reset either way. */
int sluice_json_finish(struct sluice_json *j, char **out, size_t *len);
void sluice_json_free(struct sluice_json *j);

#endif
