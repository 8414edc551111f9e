/* Internals of the config module, shared by config*.c only.
 *
 * The loader works in two steps: config_yaml.c turns the document into a
 * small tree of nodes that remember where they were written (for
 * FILE:LINE:COL messages), then config_load*.c walk that tree with one key
 * table per mapping and overlay what they find onto the config. */
#ifndef SLUICE_CONFIG_INTERNAL_H
#define SLUICE_CONFIG_INTERNAL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "config.h"
#include "error.h"

/* Documents bigger than this are refused before parsing. */
#define CONFIG_MAX_SIZE (4u << 20)
/* Nesting deeper than this is refused (the real schema needs 4). */
#define CONFIG_MAX_DEPTH 64

enum config_node_kind {
	CONFIG_SCALAR,
	CONFIG_SEQ,
	CONFIG_MAP,
};

/* Where a node's memory comes from, for config_node_free. */
enum config_node_mem {
	CONFIG_NODE_HEAP,	/* malloc'd, with its items and value (libyaml's path) */
	CONFIG_NODE_ARENA,	/* in its root's arena: freed with the root only */
	CONFIG_NODE_ARENA_ROOT, /* the root of an arena tree: a config_arena_tree */
};

struct config_node {
	enum config_node_kind kind;
	unsigned int line, col; /* 1-based */
	bool plain;		/* scalar written without quotes */
	unsigned char mem;	/* enum config_node_mem */
	char *value;		/* scalar text */
	/* SEQ: items[0..n); MAP: items[2i] is the key, items[2i+1] the value;
	 * 32 bits are plenty under CONFIG_MAX_SIZE and keep a node at 40 bytes */
	struct config_node **items;
	uint32_t n;
	uint32_t cap; /* items allocated: heap nodes only (config_yaml.c); 0 in an arena */
};

static inline const struct config_node *config_map_key(const struct config_node *m, size_t i)
{
	return m->items[2 * i];
}

static inline const struct config_node *config_map_value(const struct config_node *m, size_t i)
{
	return m->items[2 * i + 1];
}

/* Reads a config or profile file whole (at most CONFIG_MAX_SIZE): 78 with
 * the path when it cannot.  config_read_fd: the same from an open fd
 * (stdin), name for the messages. */
int config_read_file(const char *path, char **buf, size_t *len, struct sluice_error *err);
int config_read_fd(int fd, const char *name, char **buf, size_t *len, struct sluice_error *err);
/* Parse buf into *root (NULL for an empty stream).  Rejects documents
 * larger than CONFIG_MAX_SIZE, aliases, anchors, tags, several documents,
 * duplicate and non-scalar keys and nesting deeper than CONFIG_MAX_DEPTH. */
int config_yaml_parse(const char *name, const char *buf, size_t len, struct config_node **root,
		      struct sluice_error *err);
/* A tree whose nodes, items and values all sit in one arena (the JSON
 * reader's): the root node and the arena that holds the rest. */
struct config_arena_tree {
	struct config_node root;
	struct sluice_arena arena;
};

/* The same with libyaml only, never the JSON fast path, and no size
 * check (for the fuzz target that compares the two). */
int config_yaml_parse_libyaml(const char *name, const char *buf, size_t len,
			      struct config_node **root, struct sluice_error *err);

/* config_json.c: strict JSON without libyaml, to the same tree and with the
 * same messages; a document outside the subset it takes is declined
 * (CONFIG_JSON_DECLINED, nothing reported) for libyaml to read. */
#define CONFIG_JSON_DECLINED 1
bool config_json_likely(const char *buf, size_t len);
int config_json_parse(const char *name, const char *buf, size_t len, struct config_node **root,
		      struct sluice_error *err);

/* Shared by both readers: append keeps items NULL-terminated (-ENOMEM);
 * the duplicate check reports the earliest second occurrence of a key. */
int config_node_append(struct config_node *parent, struct config_node *child);
int config_map_check_duplicates(const char *name, struct sluice_error *err,
				const struct config_node *m);
void config_node_free(struct config_node *n);
void config_node_freep(struct config_node **n);
#define cleanup_node __attribute__((cleanup(config_node_freep)))

/* A plain "", "~" or "null": the same as an absent key. */
bool config_node_is_null(const struct config_node *n);

/* One loading pass: where messages point and what relative paths join. */
struct config_load {
	struct sluice_config *c;
	const char *name;
	const char *base_dir; /* absolute, or NULL if the cwd is unknown */
	struct sluice_error *err;
};

/* A key table entry: fn overlays value v (never null) onto obj.  path is
 * the dotted name of the value, for messages ("process.user.uid"). */
struct config_field {
	const char *key;
	int (*fn)(struct config_load *L, const struct config_node *v, void *obj, const char *path);
};

/* "NAME:LINE:COL: message" as a SLUICE_EXIT_CONFIG error at node n. */
int config_fail(struct config_load *L, const struct config_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Out of memory while loading. */
int config_nomem(struct config_load *L);

/* Walk mapping m with the key table: unknown keys are errors with a
 * "did you mean" hint, null values are skipped. */
int config_walk_map(struct config_load *L, const struct config_node *m,
		    const struct config_field *fields, size_t nfields, void *obj, const char *path);
/* The value of key in mapping m, or NULL if absent or null. */
const struct config_node *config_map_get(const struct config_node *m, const char *key);

/* Typed getters: each fails with "PATH: expected ..., got ..." */
int config_get_string(struct config_load *L, const struct config_node *n, const char *path,
		      char **out);
int config_get_bool(struct config_load *L, const struct config_node *n, const char *path, bool *out);
int config_get_int(struct config_load *L, const struct config_node *n, const char *path,
		   int64_t min, int64_t max, int64_t *out);
int config_get_u32(struct config_load *L, const struct config_node *n, const char *path,
		   uint32_t *out);
/* A uid or gid: 0..4294967294 ((uid_t)-1 means "unchanged" to the kernel). */
int config_get_id(struct config_load *L, const struct config_node *n, const char *path,
		  uint32_t *out);
int config_get_u64(struct config_load *L, const struct config_node *n, const char *path,
		   uint64_t *out);
/* Permission bits: decimal as in OCI JSON, or octal as "0022" / "0o022". */
int config_get_mode(struct config_load *L, const struct config_node *n, const char *path,
		    uint32_t max, uint32_t *out);
int config_get_number(struct config_load *L, const struct config_node *n, const char *path,
		      double *out);
int config_get_abs_path(struct config_load *L, const struct config_node *n, const char *path,
			char **out);
/* A list of strings; check (may be NULL) vets each item. */
int config_get_strv(struct config_load *L, const struct config_node *n, const char *path,
		    int (*check)(struct config_load *L, const struct config_node *item,
				 const char *ipath),
		    char ***out);
/* "PATH.key" ("key" when path is NULL) and "PATH[i]" into buf, cut to
 * its size as snprintf would: the paths that messages name. */
const char *config_path_key(char *buf, size_t size, const char *path, const char *key);
const char *config_path_index(char *buf, size_t size, const char *path, size_t i);
/* n must be a sequence ("PATH: expected a list of WHAT, got ..."). */
int config_expect_seq(struct config_load *L, const struct config_node *n, const char *path,
		      const char *what);
/* Call fn for every item of the sequence n, with "PATH[i]" as ipath. */
int config_each_item(struct config_load *L, const struct config_node *n, const char *path,
		     const char *what,
		     int (*fn)(struct config_load *L, const struct config_node *item,
			       const char *ipath, void *ctx),
		     void *ctx);
int config_expect_map(struct config_load *L, const struct config_node *n, const char *path);
int config_check_abs(struct config_load *L, const struct config_node *n, const char *path);
/* "PATH is not supported yet" */
int config_unsupported(struct config_load *L, const struct config_node *n, const char *path);
/* "PATH: required key KEY is missing" at the mapping m. */
int config_missing(struct config_load *L, const struct config_node *m, const char *path,
		   const char *key);

/* Free what c->process holds and zero it (every field unset). */
void config_process_clear(struct sluice_config *c);

/* The per-section loaders (config_load_*.c). */
int config_load_process(struct config_load *L, const struct config_node *v, void *obj,
			const char *path);
/* process.scheduler, ioPriority, execCPUAffinity, linux.memoryPolicy
 * (config_load_sched.c) */
int config_load_scheduler(struct config_load *L, const struct config_node *v, void *obj,
			  const char *path);
int config_load_io_priority(struct config_load *L, const struct config_node *v, void *obj,
			    const char *path);
int config_load_exec_cpus(struct config_load *L, const struct config_node *v, void *obj,
			  const char *path);
int config_load_memory_policy(struct config_load *L, const struct config_node *v, void *obj,
			      const char *path);
/* Their names for the emitter; NULL for a value without one. */
const char *config_sched_policy_name(uint32_t policy);
const char *config_sched_flag_name(uint64_t flag);
const char *config_io_class_name(int ioclass);
int config_load_linux(struct config_load *L, const struct config_node *v, void *obj,
		      const char *path);
/* A list of LinuxIDMapping objects into *out (replaced), *n entries. */
int config_load_idmap_list(struct config_load *L, const struct config_node *v, const char *path,
			   struct sluice_idmap **out, size_t *n);
int config_load_mounts(struct config_load *L, const struct config_node *v, void *obj,
		       const char *path);
/* config_load_hooks.c: hooks, annotations, a process object on its own. */
int config_load_hooks(struct config_load *L, const struct config_node *v, void *obj,
		      const char *path);
int config_load_annotations(struct config_load *L, const struct config_node *v, void *obj,
			    const char *path);
void config_hooks_free(struct sluice_hook_list *l);
void config_net_devices_free(struct sluice_net_device *d, size_t n);
/* linux.seccomp (config_load_seccomp.c); `{}` means no filter. */
int config_load_seccomp(struct config_load *L, const struct config_node *v, void *obj,
			const char *path);
/* A profile mapping on its own (path NULL for a file of its own). */
int config_load_seccomp_profile(struct config_load *L, const struct config_node *m,
				const char *path, struct sluice_seccomp **out);

/* linux.resources and linux.cgroupsPath (config_load_resources.c). */
int config_load_res(struct config_load *L, const struct config_node *v, void *obj, const char *path);
int config_load_cgpath(struct config_load *L, const struct config_node *v, void *obj,
		       const char *path);

/* The scalar fields of linux.resources, shared by the loader, the emitter
 * and the checks (config_resources.c): where each lives and its range. */
enum config_res_type {
	RES_I64,
	RES_U64,
	RES_BOOL,
	RES_U16,
	RES_U32
};
struct config_res_scalar {
	const char *group; /* "memory", "cpu", "pids", "blockIO", "network" */
	const char *key;   /* OCI key in that group */
	enum config_res_type type;
	size_t offset; /* in struct sluice_resources */
	int64_t min, max;
};
extern const struct config_res_scalar config_res_scalars[SLUICE_RES_FIELD_COUNT];
extern const char *const config_throttle_keys[SLUICE_THROTTLE_COUNT];
int64_t config_res_get(const struct sluice_resources *r, enum sluice_res_field f);
void config_res_put(struct sluice_resources *r, enum sluice_res_field f, int64_t v);
int config_check_resources(const struct sluice_config *c, struct sluice_error *err);
void config_hugepages_free(struct sluice_hugepage_limit *h, size_t n);
void config_priorities_free(struct sluice_net_priority *p, size_t n);
void config_rdma_free(struct sluice_rdma_limit *d, size_t n);
void config_unified_free(struct sluice_unified_entry *u, size_t n);

/* Edit distance, case-insensitive; SIZE_MAX for words too long to bother. */
size_t config_edit_distance(const char *a, const char *b);
/* The candidate nearest to word if it is close enough for a hint, else NULL. */
const char *config_nearest(const char *word, const char *const *cands, size_t n);

/* Every known capability / rlimit name, for "did you mean" hints. */
size_t config_cap_names(const char **out, size_t max);
size_t config_rlimit_names(const char **out, size_t max);

/* Mount propagation names ("rprivate" ...) <-> MS_* | MS_REC. */
int config_propagation_from_name(const char *name, unsigned long *flags);
const char *config_propagation_name(unsigned long flags);

/* Strings that are not UTF-8 (argv and env are bytes to the kernel, and a
 * file name may be any) travel through YAML as !!binary scalars: base64 of
 * the bytes, which the emitter writes and the loader decodes. */
#define CONFIG_BINARY_TAG "tag:yaml.org,2002:binary"
bool config_utf8_valid(const char *s, size_t len);
char *config_base64_encode(const char *data, size_t len); /* NULL on ENOMEM */
/* Whitespace is skipped (YAML folds long !!binary text); -EINVAL on a
 * character or length base64 does not have, -ENOMEM.  *out is malloc'd
 * and NUL-terminated. */
int config_base64_decode(const char *text, size_t len, char **out, size_t *out_len);

/* Lexically join a relative path onto an absolute base, dropping "."
 * components and doubled slashes.  NULL on ENOMEM. */
char *config_path_join(const char *base, const char *rel);
/* path equals prefix or lies beneath it (component-wise). */
bool config_path_within(const char *path, const char *prefix);

/* Real root: no new user namespace, no mappings, devpts with the tty
 * group (config_default.c; --real-root and root's own rootfs). */
int config_real_root(struct sluice_config *c);

/* Options equivalent to m's derived fields (for mounts built in code). */
int config_mount_synth_options(const struct sluice_mount *m, char ***out);

void config_mount_clear(struct sluice_mount *m);
void config_mounts_free(struct sluice_mount *m, size_t n);
void config_devices_free(struct sluice_device *d, size_t n);
void config_sysctl_free(struct sluice_sysctl *s, size_t n);
/* The namespace (enum sluice_ns) a sysctl key belongs to, -1 for a global
 * key, -2 for a malformed one (lib/init/sysctl.c). */
int sluice_sysctl_namespace(const char *key);

#endif
