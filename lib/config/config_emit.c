/* The effective config as YAML, through libyaml's emitter, or as JSON.
 *
 * The output is what `sluice init` reads on top of an empty config, so it
 * is complete and explicit: every field is written, lists even when empty,
 * and strings that a YAML reader would take for null, a boolean or a
 * number are quoted.  load(emit(c)) emits the same bytes again.
 *
 * The JSON form is the same document written straight out, for the config
 * that `sluice run` sends its helper and the copy an OCI container keeps:
 * the loader's JSON path reads it several times faster than libyaml reads
 * the YAML, and writing it needs no libyaml either.  A config that JSON
 * cannot carry as such (a string that is not UTF-8 travels as YAML's
 * !!binary) is written as YAML instead. */
#include "config_internal.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <strings.h>
#include <yaml.h>

#include "util.h"

/* A sticky error: the emit_* calls do nothing once one has failed, so the
 * writers below read as the document they produce. */
struct emit {
	yaml_emitter_t e;
	char *buf;
	size_t len, cap;
	const char *key; /* the last key written, for messages */
	const char *source;
	struct sluice_error *err;
	bool failed;
	/* JSON: the open collections, and whether the config does not fit */
	bool json, unfit;
	size_t depth;
	struct {
		bool map;
		size_t count; /* nodes written in it so far (keys included) */
	} open[16];
};

static int write_out(void *data, unsigned char *chunk, size_t size)
{
	struct emit *E = data;

	if (E->len + size + 1 > E->cap) {
		size_t cap = (E->cap ? E->cap * 2 : 4096) + size;
		char *buf = realloc(E->buf, cap);
		if (!buf)
			return 0;
		E->buf = buf;
		E->cap = cap;
	}
	memcpy(E->buf + E->len, chunk, size);
	E->len += size;
	E->buf[E->len] = '\0';
	return 1;
}

static void fail(struct emit *E, const char *problem)
{
	if (E->failed)
		return;
	E->failed = true;
	sluice_err(E->err, SLUICE_EXIT_CONFIG, 0, "%s: cannot write the config%s%s: %s", E->source,
		   E->key ? " at " : "", E->key ? E->key : "", problem);
}

/* ---- JSON ---- */

static void put(struct emit *E, const char *s, size_t n)
{
	if (!E->failed && !write_out(E, (unsigned char *)(uintptr_t)s, n))
		fail(E, "out of memory");
}

/* What goes before the next node: a comma, or the colon after its key. */
static bool json_next(struct emit *E)
{
	bool is_key = false;

	if (E->depth > 0) {
		size_t count = E->open[E->depth - 1].count++;
		is_key = E->open[E->depth - 1].map && count % 2 == 0;
		if (!is_key && E->open[E->depth - 1].map)
			put(E, ":", 1);
		else if (count > 0)
			put(E, ",", 1);
	}
	return is_key;
}

static void json_open(struct emit *E, bool map)
{
	json_next(E);
	if (E->depth == sizeof(E->open) / sizeof(E->open[0])) {
		E->unfit = true;
		return;
	}
	E->open[E->depth].map = map;
	E->open[E->depth++].count = 0;
	put(E, map ? "{" : "[", 1);
}

static void json_close(struct emit *E)
{
	if (E->depth == 0)
		return;
	put(E, E->open[--E->depth].map ? "}" : "]", 1);
}

/* The code point of the valid UTF-8 sequence at s, and its length. */
static uint32_t utf8_at(const unsigned char *s, size_t *n)
{
	if (s[0] < 0xe0) {
		*n = 2;
		return (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
	}
	if (s[0] < 0xf0) {
		*n = 3;
		return (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
	}
	*n = 4;
	return 0x10000; /* beyond \uXXXX: only that matters */
}

/* Escaped so that both readers take it: control characters, DEL and
 * everything else outside ASCII as \uXXXX (YAML refuses some of them raw),
 * but what lies beyond the BMP, which JSON could only write as a surrogate
 * pair that YAML refuses: raw, which both read. */
static void json_string(struct emit *E, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *run = p;

	if (!config_utf8_valid(s, strlen(s))) {
		E->unfit = true; /* YAML writes it as !!binary, or says why not */
		return;
	}
	put(E, "\"", 1);
	for (;;) {
		uint32_t cp = *p;
		size_t n = 1;
		char esc[6] = { '\\', 'u' };

		if (cp >= 0x80)
			cp = utf8_at(p, &n);
		if ((cp >= 0x20 && cp < 0x7f && cp != '"' && cp != '\\') || cp >= 0x10000) {
			p += n;
			continue;
		}
		put(E, (const char *)run, (size_t)(p - run));
		if (!cp)
			break;
		if (cp == '"' || cp == '\\' || cp == '\n' || cp == '\t') {
			esc[1] = cp == '\n' ? 'n' : cp == '\t' ? 't' : (char)cp;
			put(E, esc, 2);
		} else {
			for (int i = 0; i < 4; i++)
				esc[2 + i] = hex[cp >> (12 - 4 * i) & 15];
			put(E, esc, sizeof(esc));
		}
		p += n;
		run = p;
	}
	put(E, "\"", 1);
}

/* A plain scalar that JSON reads as the same number or boolean. */
static bool json_literal(const char *s)
{
	const char *p = s;

	if (!strcmp(s, "true") || !strcmp(s, "false") || !strcmp(s, "null"))
		return true;
	p += *p == '-';
	if (!isdigit((unsigned char)*p) || (*p == '0' && isdigit((unsigned char)p[1])))
		return false;
	p += strspn(p, "0123456789");
	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			return false;
		p += strspn(p, "0123456789");
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		p += *p == '+' || *p == '-';
		if (!isdigit((unsigned char)*p))
			return false;
		p += strspn(p, "0123456789");
	}
	return *p == '\0';
}

static void json_scalar(struct emit *E, const char *s, yaml_scalar_style_t style)
{
	bool is_key = json_next(E);

	if (style != YAML_PLAIN_SCALAR_STYLE || is_key) {
		json_string(E, s);
		return;
	}
	if (!json_literal(s)) {
		E->unfit = true;
		return;
	}
	put(E, s, strlen(s));
}

/* linux.resources and cgroupsPath: at the end of this file. */
static void emit_cgroup_fields(struct emit *E, const struct sluice_config *c);

/* initialized: the event's init call succeeded (it checks UTF-8) */
static void emit_event(struct emit *E, yaml_event_t *ev, int initialized)
{
	if (!initialized) {
		fail(E, "a string is not valid UTF-8");
		return;
	}
	if (E->failed) {
		yaml_event_delete(ev);
		return;
	}
	/* yaml_emitter_emit owns the event from here, even when it fails */
	if (!yaml_emitter_emit(&E->e, ev))
		fail(E, E->e.problem ? E->e.problem : "out of memory");
}

/* An empty mapping is written `{}` (flow style), a full one as a block. */
static void map_start_as(struct emit *E, bool empty)
{
	yaml_event_t ev;
	int ok;

	if (E->json) {
		json_open(E, true);
		return;
	}
	ok = yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
						 empty ? YAML_FLOW_MAPPING_STYLE :
							 YAML_BLOCK_MAPPING_STYLE);
	emit_event(E, &ev, ok);
}

static void map_start(struct emit *E)
{
	map_start_as(E, false);
}

static void map_end(struct emit *E)
{
	yaml_event_t ev;
	int ok;

	if (E->json) {
		json_close(E);
		return;
	}
	ok = yaml_mapping_end_event_initialize(&ev);
	emit_event(E, &ev, ok);
}

/* Empty collections are written in flow style: "args: []", "sysctl: {}". */
static void seq_start(struct emit *E, bool empty)
{
	yaml_event_t ev;
	int ok;

	if (E->json) {
		json_open(E, false);
		return;
	}
	ok = yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
						  empty ? YAML_FLOW_SEQUENCE_STYLE :
							  YAML_BLOCK_SEQUENCE_STYLE);
	emit_event(E, &ev, ok);
}

static void seq_end(struct emit *E)
{
	yaml_event_t ev;
	int ok;

	if (E->json) {
		json_close(E);
		return;
	}
	ok = yaml_sequence_end_event_initialize(&ev);
	emit_event(E, &ev, ok);
}

static void scalar(struct emit *E, const char *s, yaml_scalar_style_t style)
{
	yaml_event_t ev;
	int ok;

	if (E->json) {
		json_scalar(E, s, style);
		return;
	}
	ok = yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)(uintptr_t)s,
					  (int)strlen(s), 1, 1, style);
	emit_event(E, &ev, ok);
}

/* Would a YAML reader (ours or another) take s for something else? */
static bool ambiguous(const char *s)
{
	static const char *const words[] = { "~",  "null", "true", "false", "yes",
					     "no", "on",   "off",  "y",	    "n" };

	if (!*s)
		return true;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcasecmp(s, words[i]))
			return true;
	return strspn(s, "0123456789+-._eEoOxX") == strlen(s) &&
	       (isdigit((unsigned char)s[0]) || strchr("+-.", s[0]));
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* Bytes that are not UTF-8 (an argument, a file name) as !!binary. */
static void binary(struct emit *E, const char *s)
{
	yaml_event_t ev;
	char *text;
	int ok;

	if (E->json) {
		json_scalar(E, s, YAML_DOUBLE_QUOTED_SCALAR_STYLE); /* unfit */
		return;
	}
	text = config_base64_encode(s, strlen(s));
	if (!text) {
		fail(E, "out of memory");
		return;
	}
	ok = yaml_scalar_event_initialize(&ev, NULL, (yaml_char_t *)CONFIG_BINARY_TAG,
					  (yaml_char_t *)text, (int)strlen(text), 0, 0,
					  YAML_ANY_SCALAR_STYLE);
	emit_event(E, &ev, ok);
	free(text);
}

/* Double quotes for what would otherwise read as another type, and for
 * control characters: "a\nb" beats a single-quoted string folded over
 * blank lines. */
static void str(struct emit *E, const char *s)
{
	bool quote = ambiguous(s) || has_control(s);

	if (!config_utf8_valid(s, strlen(s))) {
		binary(E, s);
		return;
	}
	scalar(E, s, quote ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE);
}

static void key(struct emit *E, const char *k)
{
	E->key = k;
	scalar(E, k, YAML_PLAIN_SCALAR_STYLE);
}

static void kv_str(struct emit *E, const char *k, const char *s)
{
	key(E, k);
	str(E, s);
}

static void kv_raw(struct emit *E, const char *k, const char *text)
{
	key(E, k);
	scalar(E, text, YAML_PLAIN_SCALAR_STYLE);
}

static void kv_bool(struct emit *E, const char *k, bool v)
{
	kv_raw(E, k, v ? "true" : "false");
}

static void kv_i64(struct emit *E, const char *k, int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	kv_raw(E, k, buf);
}

static void kv_u64(struct emit *E, const char *k, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	kv_raw(E, k, buf);
}

/* Permission bits read better in octal; the loader takes 0-prefixed octal
 * (JSON has no octal: decimal there, as in an OCI config.json). */
static void kv_mode(struct emit *E, const char *k, uint32_t v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), E->json ? "%" PRIu32 : "%04o", v);
	kv_raw(E, k, buf);
}

/* The shortest text that reads back as the same double. */
static void kv_double(struct emit *E, const char *k, double v)
{
	char buf[40];

	if (!isfinite(v) || v < 0) {
		key(E, k);
		fail(E, "not a finite number >= 0");
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	/* Fewest digits is not shortest text: %g writes 10 as "1e+01".  The
	 * fewest decimals of %f that read back win when not longer. */
	for (int dec = 0; dec <= 17; dec++) {
		char fixed[40];

		snprintf(fixed, sizeof(fixed), "%.*f", dec, v);
		if (strtod(fixed, NULL) == v) {
			if (strlen(fixed) <= strlen(buf))
				memcpy(buf, fixed, strlen(fixed) + 1);
			break;
		}
	}
	kv_raw(E, k, buf);
}

static void kv_strv(struct emit *E, const char *k, char *const *v)
{
	size_t n = sluice_strv_len(v);

	key(E, k);
	seq_start(E, n == 0);
	for (size_t i = 0; i < n; i++)
		str(E, v[i]);
	seq_end(E);
}

static void emit_user(struct emit *E, const struct sluice_config *c)
{
	key(E, "user");
	map_start(E);
	kv_u64(E, "uid", c->process.user.uid);
	kv_u64(E, "gid", c->process.user.gid);
	if (c->process.user.umask_set)
		kv_mode(E, "umask", c->process.user.umask);
	key(E, "additionalGids");
	seq_start(E, c->process.user.n_additional_gids == 0);
	for (size_t i = 0; i < c->process.user.n_additional_gids; i++) {
		char buf[16];
		snprintf(buf, sizeof(buf), "%" PRIu32, c->process.user.additional_gids[i]);
		scalar(E, buf, YAML_PLAIN_SCALAR_STYLE);
	}
	seq_end(E);
	map_end(E);
}

static void emit_capset(struct emit *E, const char *k, uint64_t set)
{
	key(E, k);
	seq_start(E, set == 0);
	for (int cap = 0; cap < 64; cap++) {
		if (!(set & (UINT64_C(1) << cap)))
			continue;
		if (!sluice_cap_name(cap)) {
			fail(E, "unknown capability number");
			return;
		}
		str(E, sluice_cap_name(cap));
	}
	seq_end(E);
}

static void emit_rlimits(struct emit *E, const struct sluice_config *c)
{
	key(E, "rlimits");
	seq_start(E, c->process.n_rlimits == 0);
	for (size_t i = 0; i < c->process.n_rlimits; i++) {
		const struct sluice_rlimit *rl = &c->process.rlimits[i];
		const char *name = sluice_rlimit_name(rl->resource);
		map_start(E);
		if (!name)
			fail(E, "unknown rlimit");
		kv_str(E, "type", name ? name : "");
		kv_u64(E, "soft", rl->soft);
		kv_u64(E, "hard", rl->hard);
		map_end(E);
	}
	seq_end(E);
}

/* A name the loader gave, or the emit fails (a value no config can hold). */
static void kv_name(struct emit *E, const char *k, const char *name)
{
	if (!name)
		fail(E, "unknown scheduling value");
	kv_str(E, k, name ? name : "");
}

/* process.scheduler, ioPriority, execCPUAffinity */
static void emit_sched(struct emit *E, const struct sluice_config *c)
{
	const struct sluice_sched *s = &c->process.scheduler;

	if (s->set) {
		key(E, "scheduler");
		map_start(E);
		kv_name(E, "policy", config_sched_policy_name(s->policy));
		kv_i64(E, "nice", s->nice);
		kv_u64(E, "priority", s->priority);
		key(E, "flags");
		seq_start(E, s->flags == 0);
		for (int bit = 0; bit < 64; bit++)
			if ((s->flags & (UINT64_C(1) << bit)) &&
			    !config_sched_flag_name(UINT64_C(1) << bit))
				fail(E, "unknown scheduling flag");
			else if (s->flags & (UINT64_C(1) << bit))
				str(E, config_sched_flag_name(UINT64_C(1) << bit));
		seq_end(E);
		kv_u64(E, "runtime", s->runtime);
		kv_u64(E, "deadline", s->deadline);
		kv_u64(E, "period", s->period);
		map_end(E);
	}
	if (c->process.io_priority.set) {
		key(E, "ioPriority");
		map_start(E);
		kv_name(E, "class", config_io_class_name(c->process.io_priority.ioclass));
		kv_i64(E, "priority", c->process.io_priority.priority);
		map_end(E);
	}
	if (c->process.exec_cpus.initial || c->process.exec_cpus.final) {
		key(E, "execCPUAffinity");
		map_start(E);
		if (c->process.exec_cpus.initial)
			kv_str(E, "initial", c->process.exec_cpus.initial);
		if (c->process.exec_cpus.final)
			kv_str(E, "final", c->process.exec_cpus.final);
		map_end(E);
	}
}

static void emit_process(struct emit *E, const struct sluice_config *c)
{
	key(E, "process");
	map_start(E);
	kv_bool(E, "terminal", c->process.terminal);
	if (c->process.console_size.set) {
		key(E, "consoleSize");
		map_start(E);
		kv_u64(E, "height", c->process.console_size.height);
		kv_u64(E, "width", c->process.console_size.width);
		map_end(E);
	}
	kv_strv(E, "args", c->process.args);
	kv_strv(E, "env", c->process.env);
	if (c->process.cwd)
		kv_str(E, "cwd", c->process.cwd);
	emit_user(E, c);
	key(E, "capabilities");
	map_start(E);
	for (int i = 0; i < SLUICE_CAP_COUNT; i++)
		emit_capset(E, sluice_capset_names[i], c->process.caps[i]);
	map_end(E);
	emit_rlimits(E, c);
	kv_bool(E, "noNewPrivileges", c->process.no_new_privileges);
	if (c->process.oom_score_adj_set)
		kv_i64(E, "oomScoreAdj", c->process.oom_score_adj);
	emit_sched(E, c);
	map_end(E);
}

static void emit_idmaps(struct emit *E, const char *k, const struct sluice_idmap *m, size_t n);

static void emit_mount(struct emit *E, const struct sluice_mount *m)
{
	char **synth = NULL;

	if (sluice_strv_len(m->options) == 0 && config_mount_synth_options(m, &synth) < 0)
		fail(E, "out of memory");
	map_start(E);
	kv_str(E, "destination", m->destination ? m->destination : "");
	if (m->type)
		kv_str(E, "type", m->type);
	if (m->source)
		kv_str(E, "source", m->source);
	if (sluice_strv_len(m->options))
		kv_strv(E, "options", m->options);
	else if (sluice_strv_len(synth))
		kv_strv(E, "options", synth);
	if (m->n_uid_map) {
		emit_idmaps(E, "uidMappings", m->uid_map, m->n_uid_map);
		emit_idmaps(E, "gidMappings", m->gid_map, m->n_gid_map);
	}
	map_end(E);
	sluice_strv_free(synth);
}

static void emit_mounts(struct emit *E, const struct sluice_config *c)
{
	key(E, "mounts");
	seq_start(E, c->n_mounts == 0);
	for (size_t i = 0; i < c->n_mounts; i++)
		emit_mount(E, &c->mounts[i]);
	seq_end(E);
}

static void emit_hook(struct emit *E, const struct sluice_hook *h)
{
	map_start(E);
	kv_str(E, "path", h->path ? h->path : "");
	if (h->args)
		kv_strv(E, "args", h->args);
	if (h->env)
		kv_strv(E, "env", h->env);
	if (h->timeout)
		kv_i64(E, "timeout", h->timeout);
	map_end(E);
}

/* Only when there are any: the configs of `sluice run` never have them. */
static void emit_hooks(struct emit *E, const struct sluice_config *c)
{
	if (!sluice_config_has_hooks(c))
		return;
	key(E, "hooks");
	map_start(E);
	for (int k = 0; k < SLUICE_HOOK_COUNT; k++) {
		if (!c->hooks[k].n)
			continue;
		key(E, sluice_hook_names[k]);
		seq_start(E, false);
		for (size_t i = 0; i < c->hooks[k].n; i++)
			emit_hook(E, &c->hooks[k].v[i]);
		seq_end(E);
	}
	map_end(E);
}

static void emit_annotations(struct emit *E, const struct sluice_config *c)
{
	if (!c->annotations)
		return;
	key(E, "annotations");
	map_start(E);
	for (size_t i = 0; c->annotations[i] && c->annotations[i + 1]; i += 2) {
		str(E, c->annotations[i]);
		str(E, c->annotations[i + 1]);
	}
	map_end(E);
}

static void emit_namespaces(struct emit *E, const struct sluice_config *c)
{
	bool any = false;

	for (int i = 0; i < SLUICE_NS_COUNT; i++)
		any |= c->linux.ns[i].enabled;
	key(E, "namespaces");
	seq_start(E, !any);
	for (int i = 0; i < SLUICE_NS_COUNT; i++) {
		if (!c->linux.ns[i].enabled)
			continue;
		map_start(E);
		kv_str(E, "type", sluice_ns_names[i]);
		if (c->linux.ns[i].path)
			kv_str(E, "path", c->linux.ns[i].path);
		map_end(E);
	}
	seq_end(E);
}

static void emit_idmaps(struct emit *E, const char *k, const struct sluice_idmap *m, size_t n)
{
	key(E, k);
	seq_start(E, n == 0);
	for (size_t i = 0; i < n; i++) {
		map_start(E);
		kv_u64(E, "containerID", m[i].container_id);
		kv_u64(E, "hostID", m[i].host_id);
		kv_u64(E, "size", m[i].size);
		map_end(E);
	}
	seq_end(E);
}

static void emit_sysctl(struct emit *E, const struct sluice_config *c)
{
	key(E, "sysctl");
	map_start_as(E, c->linux.n_sysctl == 0);
	for (size_t i = 0; i < c->linux.n_sysctl; i++) {
		str(E, c->linux.sysctl[i].key);
		str(E, c->linux.sysctl[i].value);
	}
	map_end(E);
}

static void emit_device(struct emit *E, const struct sluice_device *d)
{
	char type[2] = { d->type, '\0' };

	map_start(E);
	kv_str(E, "path", d->path ? d->path : "");
	kv_str(E, "type", type);
	kv_i64(E, "major", d->major);
	kv_i64(E, "minor", d->minor);
	if (d->file_mode_set)
		kv_mode(E, "fileMode", d->file_mode);
	if (d->uid_set)
		kv_u64(E, "uid", d->uid);
	if (d->gid_set)
		kv_u64(E, "gid", d->gid);
	map_end(E);
}

static void emit_seccomp_arg(struct emit *E, const struct sluice_seccomp_arg *a)
{
	map_start(E);
	kv_u64(E, "index", a->index);
	kv_u64(E, "value", a->value);
	if (a->value_two_set)
		kv_u64(E, "valueTwo", a->value_two);
	kv_str(E, "op", sluice_scmp_op_names[a->op]);
	map_end(E);
}

static void emit_seccomp_rule(struct emit *E, const struct sluice_seccomp_rule *r)
{
	map_start(E);
	kv_strv(E, "names", r->names);
	kv_str(E, "action", sluice_scmp_action_names[r->action]);
	if (r->errno_set)
		kv_u64(E, "errnoRet", r->errno_ret);
	if (r->n_args) {
		key(E, "args");
		seq_start(E, false);
		for (size_t i = 0; i < r->n_args; i++)
			emit_seccomp_arg(E, &r->args[i]);
		seq_end(E);
	}
	map_end(E);
}

/* No filter is `seccomp: {}`, which the loader reads back as no filter
 * (an absent key would keep the embedded default's). */
static void emit_seccomp(struct emit *E, const struct sluice_seccomp *s)
{
	key(E, "seccomp");
	map_start_as(E, !s);
	if (!s) {
		map_end(E);
		return;
	}
	kv_str(E, "defaultAction", sluice_scmp_action_names[s->default_action]);
	if (s->default_errno_set)
		kv_u64(E, "defaultErrnoRet", s->default_errno);
	key(E, "architectures");
	seq_start(E, s->n_archs == 0);
	for (size_t i = 0; i < s->n_archs; i++)
		str(E, sluice_scmp_arch_names[s->archs[i]]);
	seq_end(E);
	key(E, "flags");
	seq_start(E, s->flags == 0);
	for (int f = 0; f < SLUICE_SCMP_FLAG_COUNT; f++)
		if (s->flags & (1u << f))
			str(E, sluice_scmp_flag_names[f]);
	seq_end(E);
	if (s->listener_path)
		kv_str(E, "listenerPath", s->listener_path);
	if (s->listener_metadata)
		kv_str(E, "listenerMetadata", s->listener_metadata);
	key(E, "syscalls");
	seq_start(E, s->n_rules == 0);
	for (size_t i = 0; i < s->n_rules; i++)
		emit_seccomp_rule(E, &s->rules[i]);
	seq_end(E);
	map_end(E);
}

static void emit_linux(struct emit *E, const struct sluice_config *c)
{
	key(E, "linux");
	map_start(E);
	emit_namespaces(E, c);
	emit_idmaps(E, "uidMappings", c->linux.uid_mappings, c->linux.n_uid_mappings);
	emit_idmaps(E, "gidMappings", c->linux.gid_mappings, c->linux.n_gid_mappings);
	emit_sysctl(E, c);
	key(E, "devices");
	seq_start(E, c->linux.n_devices == 0);
	for (size_t i = 0; i < c->linux.n_devices; i++)
		emit_device(E, &c->linux.devices[i]);
	seq_end(E);
	kv_strv(E, "maskedPaths", c->linux.masked_paths);
	kv_strv(E, "readonlyPaths", c->linux.readonly_paths);
	if (c->linux.rootfs_propagation) {
		const char *name = config_propagation_name(c->linux.rootfs_propagation);
		if (!name)
			fail(E, "unknown propagation flags");
		kv_str(E, "rootfsPropagation", name ? name : "");
	}
	if (sluice_config_time_offsets(c)) {
		static const char *const clocks[] = { "monotonic", "boottime" };
		key(E, "timeOffsets");
		map_start(E);
		for (int i = 0; i < 2; i++) {
			if (!c->linux.time_offsets[i].set)
				continue;
			key(E, clocks[i]);
			map_start(E);
			kv_i64(E, "secs", c->linux.time_offsets[i].secs);
			kv_u64(E, "nanosecs", c->linux.time_offsets[i].nanosecs);
			map_end(E);
		}
		map_end(E);
	}
	if (c->linux.n_net_devices) {
		key(E, "netDevices");
		map_start(E);
		for (size_t i = 0; i < c->linux.n_net_devices; i++) {
			key(E, c->linux.net_devices[i].host);
			map_start(E);
			if (c->linux.net_devices[i].name)
				kv_str(E, "name", c->linux.net_devices[i].name);
			map_end(E);
		}
		map_end(E);
	}
	if (c->linux.memory_policy.set) {
		key(E, "memoryPolicy");
		map_start(E);
		kv_str(E, "mode", sluice_mpol_mode_names[c->linux.memory_policy.mode]);
		if (c->linux.memory_policy.nodes)
			kv_str(E, "nodes", c->linux.memory_policy.nodes);
		key(E, "flags");
		seq_start(E, c->linux.memory_policy.flags == 0);
		for (int i = 0; i < SLUICE_MPOL_FLAG_COUNT; i++)
			if (c->linux.memory_policy.flags & (1U << (SLUICE_MPOL_FLAG_SHIFT + i)))
				str(E, sluice_mpol_flag_names[i]);
		seq_end(E);
		map_end(E);
	}
	if (c->linux.personality_set) {
		key(E, "personality");
		map_start(E);
		kv_str(E, "domain", c->linux.personality == PER_LINUX32 ? "LINUX32" : "LINUX");
		map_end(E);
	}
	emit_cgroup_fields(E, c);
	/* the embedded default's filter is made at finalize: until then it
	 * is the word "default" */
	if (c->seccomp_inherited)
		kv_str(E, "seccomp", "default");
	else
		emit_seccomp(E, c->linux.seccomp);
	map_end(E);
}

static void emit_stdio(struct emit *E, const char *k, const struct sluice_stdio *s)
{
	static const char *const modes[] = {
		[SLUICE_STDIO_INHERIT] = "inherit",
		[SLUICE_STDIO_NULL] = "null",
		[SLUICE_STDIO_PIPE] = "pipe",
	};
	char *text = NULL;

	if (s->mode == SLUICE_STDIO_FILE) {
		if (asprintf(&text, "file:%s", s->path ? s->path : "") < 0) {
			fail(E, "out of memory");
			return;
		}
		kv_str(E, k, text);
		free(text);
		return;
	}
	if ((size_t)s->mode >= sizeof(modes) / sizeof(modes[0])) {
		fail(E, "unknown stdio mode");
		return;
	}
	kv_str(E, k, modes[s->mode]);
}

static void emit_sluice(struct emit *E, const struct sluice_config *c)
{
	static const char *const names[] = { "stdin", "stdout", "stderr" };

	key(E, "sluice");
	map_start(E);
	kv_double(E, "timeout", c->sluice.timeout);
	kv_double(E, "killGrace", c->sluice.kill_grace);
	for (int i = 0; i < 3; i++)
		emit_stdio(E, names[i], &c->sluice.stdio[i]);
	kv_bool(E, "init", c->sluice.init);
	kv_bool(E, "initSignalGroup", c->sluice.init_signal_group);
	key(E, "remapExitCodes");
	seq_start(E, c->sluice.n_remap_exit == 0);
	for (size_t i = 0; i < c->sluice.n_remap_exit; i++) {
		char buf[16];
		snprintf(buf, sizeof(buf), "%d", c->sluice.remap_exit[i]);
		scalar(E, buf, YAML_PLAIN_SCALAR_STYLE);
	}
	seq_end(E);
	kv_i64(E, "preserveFds", c->sluice.preserve_fds);
	kv_bool(E, "noNewKeyring", c->sluice.no_new_keyring);
	kv_bool(E, "nestedUserNamespaces", c->sluice.nested_userns);
	kv_bool(E, "stdioFollowSymlinks", c->sluice.stdio_follow_symlinks);
	map_end(E);
}

static void document_start(struct emit *E)
{
	yaml_event_t ev;
	int ok;

	if (E->json)
		return;
	ok = yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	emit_event(E, &ev, ok);
	ok = yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	emit_event(E, &ev, ok);
}

static void document_end(struct emit *E)
{
	yaml_event_t ev;
	int ok;

	if (E->json) {
		put(E, "\n", 1);
		return;
	}
	ok = yaml_document_end_event_initialize(&ev, 1);
	emit_event(E, &ev, ok);
	ok = yaml_stream_end_event_initialize(&ev);
	emit_event(E, &ev, ok);
}

static void emit_document(struct emit *E, const struct sluice_config *c)
{
	document_start(E);
	map_start(E);
	emit_process(E, c);
	key(E, "root");
	map_start(E);
	if (c->root.path)
		kv_str(E, "path", c->root.path);
	kv_bool(E, "readonly", c->root.readonly);
	map_end(E);
	if (c->hostname)
		kv_str(E, "hostname", c->hostname);
	if (c->domainname)
		kv_str(E, "domainname", c->domainname);
	emit_mounts(E, c);
	emit_hooks(E, c);
	emit_annotations(E, c);
	emit_linux(E, c);
	emit_sluice(E, c);
	map_end(E);
	document_end(E);
}

int sluice_config_emit(const struct sluice_config *c, char **out, size_t *len,
		       struct sluice_error *err)
{
	struct emit E = { .source = c->source ? c->source : "<config>", .err = err };

	if (!yaml_emitter_initialize(&E.e))
		return sluice_err(err, SLUICE_EXIT_CONFIG, ENOMEM, "%s: cannot write the config",
				  E.source);
	yaml_emitter_set_output(&E.e, write_out, &E);
	yaml_emitter_set_indent(&E.e, 2);
	yaml_emitter_set_width(&E.e, -1); /* never fold long strings */
	yaml_emitter_set_unicode(&E.e, 1);
	emit_document(&E, c);
	if (!E.failed && !yaml_emitter_flush(&E.e))
		fail(&E, "out of memory");
	yaml_emitter_delete(&E.e);
	if (E.failed) {
		free(E.buf);
		return -1;
	}
	*out = E.buf;
	*len = E.len;
	return 0;
}

int sluice_config_emit_json(const struct sluice_config *c, char **out, size_t *len,
			    struct sluice_error *err)
{
	struct emit E = { .source = c->source ? c->source : "<config>", .err = err, .json = true };

	emit_document(&E, c);
	if (E.unfit && !E.failed) {
		free(E.buf);
		return sluice_config_emit(c, out, len, err);
	}
	if (E.failed) {
		free(E.buf);
		return -1;
	}
	*out = E.buf;
	*len = E.len;
	return 0;
}

/* ---- linux.resources and linux.cgroupsPath: only what is given ---- */

static void emit_scalar(struct emit *E, const struct sluice_resources *r, enum sluice_res_field f)
{
	const struct config_res_scalar *s = &config_res_scalars[f];
	int64_t v = config_res_get(r, f);

	if (s->type == RES_BOOL)
		kv_bool(E, s->key, v != 0);
	else if (s->type == RES_U64)
		kv_u64(E, s->key, (uint64_t)v);
	else
		kv_i64(E, s->key, v);
}

/* The scalars of group, then its other keys through more (may be NULL). */
static void emit_group(struct emit *E, const struct sluice_resources *r, const char *group,
		       bool others, void (*more)(struct emit *E, const struct sluice_resources *r))
{
	bool any = others;

	for (int f = 0; f < SLUICE_RES_FIELD_COUNT; f++)
		any |= (r->set & SLUICE_RES_BIT(f)) && !strcmp(config_res_scalars[f].group, group);
	if (!any)
		return;
	key(E, group);
	map_start(E);
	for (int f = 0; f < SLUICE_RES_FIELD_COUNT; f++)
		if ((r->set & SLUICE_RES_BIT(f)) && !strcmp(config_res_scalars[f].group, group))
			emit_scalar(E, r, (enum sluice_res_field)f);
	if (more)
		more(E, r);
	map_end(E);
}

static void emit_cpu_lists(struct emit *E, const struct sluice_resources *r)
{
	if (r->cpu.cpus)
		kv_str(E, "cpus", r->cpu.cpus);
	if (r->cpu.mems)
		kv_str(E, "mems", r->cpu.mems);
}

static void emit_bdevs(struct emit *E, const char *k, const struct sluice_blkio_device *d, size_t n,
		       bool weights)
{
	if (!n)
		return;
	key(E, k);
	seq_start(E, false);
	for (size_t i = 0; i < n; i++) {
		map_start(E);
		kv_i64(E, "major", d[i].major);
		kv_i64(E, "minor", d[i].minor);
		if (!weights)
			kv_u64(E, "rate", d[i].rate);
		if (weights && d[i].weight)
			kv_u64(E, "weight", d[i].weight);
		if (weights && d[i].leaf_weight)
			kv_u64(E, "leafWeight", d[i].leaf_weight);
		map_end(E);
	}
	seq_end(E);
}

static void emit_blkio_lists(struct emit *E, const struct sluice_resources *r)
{
	emit_bdevs(E, "weightDevice", r->block_io.weight_device, r->block_io.n_weight_device, true);
	for (int t = 0; t < SLUICE_THROTTLE_COUNT; t++)
		emit_bdevs(E, config_throttle_keys[t], r->block_io.throttle[t],
			   r->block_io.n_throttle[t], false);
}

static void emit_priorities(struct emit *E, const struct sluice_resources *r)
{
	if (!r->network.n_priorities)
		return;
	key(E, "priorities");
	seq_start(E, false);
	for (size_t i = 0; i < r->network.n_priorities; i++) {
		map_start(E);
		kv_str(E, "name", r->network.priorities[i].name);
		kv_u64(E, "priority", r->network.priorities[i].priority);
		map_end(E);
	}
	seq_end(E);
}

static void emit_rules(struct emit *E, const struct sluice_resources *r)
{
	if (!r->n_devices)
		return;
	key(E, "devices");
	seq_start(E, false);
	for (size_t i = 0; i < r->n_devices; i++) {
		const struct sluice_device_rule *d = &r->devices[i];
		char type[2] = { d->type, '\0' };

		map_start(E);
		kv_bool(E, "allow", d->allow);
		kv_str(E, "type", type);
		if (d->major >= 0)
			kv_i64(E, "major", d->major);
		if (d->minor >= 0)
			kv_i64(E, "minor", d->minor);
		kv_str(E, "access", d->access);
		map_end(E);
	}
	seq_end(E);
}

static void emit_hugepages(struct emit *E, const struct sluice_resources *r)
{
	if (!r->n_hugepage_limits)
		return;
	key(E, "hugepageLimits");
	seq_start(E, false);
	for (size_t i = 0; i < r->n_hugepage_limits; i++) {
		map_start(E);
		kv_str(E, "pageSize", r->hugepage_limits[i].page_size);
		kv_u64(E, "limit", r->hugepage_limits[i].limit);
		map_end(E);
	}
	seq_end(E);
}

static void emit_rdma(struct emit *E, const struct sluice_resources *r)
{
	if (!r->n_rdma)
		return;
	key(E, "rdma");
	map_start(E);
	for (size_t i = 0; i < r->n_rdma; i++) {
		str(E, r->rdma[i].device);
		map_start(E);
		if (r->rdma[i].handles_set)
			kv_u64(E, "hcaHandles", r->rdma[i].hca_handles);
		if (r->rdma[i].objects_set)
			kv_u64(E, "hcaObjects", r->rdma[i].hca_objects);
		map_end(E);
	}
	map_end(E);
}

static void emit_unified(struct emit *E, const struct sluice_resources *r)
{
	if (!r->n_unified)
		return;
	key(E, "unified");
	map_start(E);
	for (size_t i = 0; i < r->n_unified; i++) {
		str(E, r->unified[i].key);
		str(E, r->unified[i].value);
	}
	map_end(E);
}

static void emit_cgroup_fields(struct emit *E, const struct sluice_config *c)
{
	const struct sluice_resources *r = &c->linux.resources;
	size_t throttles = 0;

	if (c->linux.cgroups_path)
		kv_str(E, "cgroupsPath", c->linux.cgroups_path);
	if (sluice_resources_empty(r))
		return;
	for (int t = 0; t < SLUICE_THROTTLE_COUNT; t++)
		throttles += r->block_io.n_throttle[t];
	key(E, "resources");
	map_start(E);
	emit_rules(E, r);
	emit_group(E, r, "memory", false, NULL);
	emit_group(E, r, "cpu", r->cpu.cpus || r->cpu.mems, emit_cpu_lists);
	emit_group(E, r, "pids", false, NULL);
	emit_group(E, r, "blockIO", r->block_io.n_weight_device || throttles, emit_blkio_lists);
	emit_hugepages(E, r);
	emit_group(E, r, "network", r->network.n_priorities != 0, emit_priorities);
	emit_rdma(E, r);
	emit_unified(E, r);
	map_end(E);
}
