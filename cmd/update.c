/* sluice update [--resources FILE] [LIMIT FLAGS...] ID: new limits for a
 * running container's cgroup, with runc's flags.  The flags become a
 * LinuxResources document read by the config loader, so that they are
 * checked exactly as config.json's resources are. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "error.h"
#include "oci_cmd.h"
#include "util.h"

enum upd_kind {
	UPD_NUM,
	UPD_SIZE,
	UPD_STR,
	UPD_REFUSED
};

enum {
	U_BLKIO_WEIGHT,
	U_CPU_PERIOD,
	U_CPU_QUOTA,
	U_CPU_BURST,
	U_CPU_SHARE,
	U_CPU_RT_PERIOD,
	U_CPU_RT_RUNTIME,
	U_CPUSET_CPUS,
	U_CPUSET_MEMS,
	U_KERNEL_MEMORY,
	U_KERNEL_MEMORY_TCP,
	U_MEMORY,
	U_MEMORY_RESERVATION,
	U_MEMORY_SWAP,
	U_PIDS_LIMIT,
	U_L3_CACHE_SCHEMA,
	U_MEM_BW_SCHEMA,
	U_COUNT
};

/* Where each flag goes in the LinuxResources object. */
static const struct {
	const char *group, *key;
	enum upd_kind kind;
} fields[U_COUNT] = {
	[U_BLKIO_WEIGHT] = { "blockIO", "weight", UPD_NUM },
	[U_CPU_PERIOD] = { "cpu", "period", UPD_NUM },
	[U_CPU_QUOTA] = { "cpu", "quota", UPD_NUM },
	[U_CPU_BURST] = { "cpu", "burst", UPD_NUM },
	[U_CPU_SHARE] = { "cpu", "shares", UPD_NUM },
	[U_CPU_RT_PERIOD] = { "cpu", "realtimePeriod", UPD_NUM },
	[U_CPU_RT_RUNTIME] = { "cpu", "realtimeRuntime", UPD_NUM },
	[U_CPUSET_CPUS] = { "cpu", "cpus", UPD_STR },
	[U_CPUSET_MEMS] = { "cpu", "mems", UPD_STR },
	[U_KERNEL_MEMORY] = { "memory", "kernel", UPD_SIZE },
	[U_KERNEL_MEMORY_TCP] = { "memory", "kernelTCP", UPD_SIZE },
	[U_MEMORY] = { "memory", "limit", UPD_SIZE },
	[U_MEMORY_RESERVATION] = { "memory", "reservation", UPD_SIZE },
	[U_MEMORY_SWAP] = { "memory", "swap", UPD_SIZE },
	[U_PIDS_LIMIT] = { "pids", "limit", UPD_NUM },
	[U_L3_CACHE_SCHEMA] = { NULL, NULL, UPD_REFUSED },
	[U_MEM_BW_SCHEMA] = { NULL, NULL, UPD_REFUSED },
};

struct update_opts {
	const char *resources;
	const char *v[U_COUNT];
};

#define UFLAG(name, idx, arg, help) \
	FLAG(name, 0, FLAG_STRING, struct update_opts, v[idx], arg, help)

static const struct flag update_flags[] = {
	FLAG("resources", 'r', FLAG_STRING, struct update_opts, resources, "FILE",
	     "a LinuxResources JSON object (config.json's linux.resources); - reads stdin"),
	UFLAG("blkio-weight", U_BLKIO_WEIGHT, "N", "block IO weight, 10 to 1000"),
	UFLAG("cpu-period", U_CPU_PERIOD, "US", "CPU CFS period in microseconds"),
	UFLAG("cpu-quota", U_CPU_QUOTA, "US", "CPU CFS quota in microseconds per period"),
	UFLAG("cpu-burst", U_CPU_BURST, "US", "CPU CFS burst in microseconds"),
	UFLAG("cpu-share", U_CPU_SHARE, "N", "CPU shares (relative weight)"),
	UFLAG("cpu-rt-period", U_CPU_RT_PERIOD, "US", "realtime period in microseconds"),
	UFLAG("cpu-rt-runtime", U_CPU_RT_RUNTIME, "US", "realtime runtime in microseconds"),
	UFLAG("cpuset-cpus", U_CPUSET_CPUS, "LIST", "CPUs to run on (0-3,7)"),
	UFLAG("cpuset-mems", U_CPUSET_MEMS, "LIST", "memory nodes to use (0-1)"),
	UFLAG("kernel-memory", U_KERNEL_MEMORY, "BYTES", "kernel memory limit (v1)"),
	UFLAG("kernel-memory-tcp", U_KERNEL_MEMORY_TCP, "BYTES", "kernel TCP buffer limit (v1)"),
	UFLAG("memory", U_MEMORY, "BYTES", "memory limit (512m, 1g; -1 unlimited)"),
	UFLAG("memory-reservation", U_MEMORY_RESERVATION, "BYTES", "memory soft limit"),
	UFLAG("memory-swap", U_MEMORY_SWAP, "BYTES", "memory plus swap limit (-1 unlimited)"),
	UFLAG("pids-limit", U_PIDS_LIMIT, "N", "maximum number of processes (-1 unlimited)"),
	UFLAG("l3-cache-schema", U_L3_CACHE_SCHEMA, "S", "Intel RDT: refused, not supported"),
	UFLAG("mem-bw-schema", U_MEM_BW_SCHEMA, "S", "Intel RDT: refused, not supported"),
};

static const struct command update_cmd = {
	.name = "update",
	.args = "<container-id>",
	.summary = "change the resource limits of a running container",
	.help = "The flags are applied over --resources.  0 leaves a limit as it is, as "
		"runc and docker read it.",
	.flags = update_flags,
	.n_flags = sizeof(update_flags) / sizeof(update_flags[0]),
	.min_args = 1,
	.max_args = 1,
};

/* One flag's value as JSON text: sizes in bytes, lists quoted. */
static int value_text(int i, const char *v, FILE *f, struct sluice_error *err)
{
	int64_t n;

	if (fields[i].kind == UPD_REFUSED)
		return sluice_err(err, SLUICE_EXIT_USAGE, 0,
				  "--%s: Intel RDT is not supported by sluice",
				  update_flags[i + 1].name);
	if (fields[i].kind == UPD_STR) {
		fputc('"', f);
		for (; *v; v++)
			fprintf(f, *v == '"' || *v == '\\' ? "\\%c" : "%c", *v);
		fputc('"', f);
	} else if (fields[i].kind == UPD_SIZE && strcmp(v, "-1")) {
		if (sluice_parse_size(v, &n) < 0)
			return sluice_err(err, SLUICE_EXIT_USAGE, 0,
					  "--%s %s: expected a size in bytes (512m, 1g, 1073741824) "
					  "or -1",
					  update_flags[i + 1].name, v);
		fprintf(f, "%" PRId64, n);
	} else {
		fputs(v, f);
	}
	return 0;
}

static bool group_given(const struct update_opts *u, const char *group)
{
	for (int i = 0; i < U_COUNT; i++)
		if (u->v[i] && (!fields[i].group || !strcmp(fields[i].group, group)))
			return true;
	return false;
}

/* One group's object: "memory": {"limit": N, ...} */
static int group_text(const struct update_opts *u, const char *group, FILE *f,
		      struct sluice_error *err)
{
	const char *sep = "";

	fprintf(f, "\"%s\": {", group);
	for (int i = 0; i < U_COUNT; i++) {
		if (!u->v[i] || (fields[i].group && strcmp(fields[i].group, group)))
			continue;
		fprintf(f, "%s\"%s\": ", sep, fields[i].key ? fields[i].key : "");
		if (value_text(i, u->v[i], f, err) < 0)
			return -1;
		sep = ", ";
	}
	fputc('}', f);
	return 0;
}

/* {"memory": {...}, "cpu": {...}, ...} from the flags given. */
static int flags_document(const struct update_opts *u, char **doc, size_t *len,
			  struct sluice_error *err)
{
	static const char *const groups[] = { "memory", "cpu", "pids", "blockIO" };
	FILE *f = open_memstream(doc, len);
	const char *sep = "";
	int r = 0;

	if (!f)
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "update");
	fputc('{', f);
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]) && r == 0; g++) {
		if (!group_given(u, groups[g]))
			continue;
		fputs(sep, f);
		r = group_text(u, groups[g], f, err);
		sep = ", ";
	}
	fputc('}', f);
	if (fclose(f) != 0 && r == 0)
		r = sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "update");
	return r;
}

static bool any_flag(const struct update_opts *u)
{
	for (int i = 0; i < U_COUNT; i++)
		if (u->v[i])
			return true;
	return false;
}

static int load_resources_file(struct sluice_config *c, const char *path, struct sluice_error *err)
{
	cleanup_close int fd = -1;

	if (!strcmp(path, "-"))
		return sluice_config_load_resources_fd(c, "<stdin>", 0, err);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return sluice_err(err, SLUICE_EXIT_CONFIG, errno, "%s: cannot read", path);
	return sluice_config_load_resources_fd(c, path, fd, err);
}

static int update(struct sluice_oci *o, void *opts, char **args, int nargs, struct sluice_error *err)
{
	struct update_opts *u = opts;
	struct sluice_config c;
	cleanup_free char *doc = NULL;
	size_t len = 0;
	int r = 0;

	(void)nargs;
	if (!u->resources && !any_flag(u))
		return sluice_err(err, SLUICE_EXIT_USAGE, 0,
				  "update: nothing to change: give --resources FILE or a limit flag");
	sluice_config_init(&c);
	if (u->resources)
		r = load_resources_file(&c, u->resources, err);
	if (r == 0 && any_flag(u)) {
		r = flags_document(u, &doc, &len, err);
		if (r == 0)
			r = sluice_config_load_resources_buffer(&c, "<update flags>", doc, len, err);
	}
	if (r == 0)
		r = sluice_oci_update(o, args[0], &c, err);
	sluice_config_free(&c);
	return r;
}

int cmd_update(int argc, char **argv)
{
	struct update_opts opts = { 0 };

	return oci_command(&update_cmd, argc, argv, &opts, update);
}
