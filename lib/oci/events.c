/* events: runc's event objects for a container's cgroup, one JSON line
 * each: {"type":"stats","id":ID,"data":STATS} with runc's field names
 * (libcontainer's types.Stats, which containerd's shim decodes), and
 * {"type":"oom","id":ID} when the kernel's OOM killer acts. */
#include "oci_internal.h"

#include <stdlib.h>
#include <sys/file.h>

#include "error.h"
#include "json.h"
#include "util.h"

static void kuint(struct sluice_json *j, const char *key, uint64_t v)
{
	sluice_json_kint(j, key, (int64_t)v);
}

static void cpu_json(struct sluice_json *j, const struct sluice_cgroup_stats *st)
{
	sluice_json_key(j, "cpu");
	sluice_json_obj_start(j);
	sluice_json_key(j, "usage");
	sluice_json_obj_start(j);
	kuint(j, "total", st->cpu.total_ns);
	sluice_json_key(j, "percpu");
	sluice_json_arr_start(j);
	for (size_t i = 0; i < st->cpu.n_percpu; i++)
		sluice_json_int(j, (int64_t)st->cpu.percpu_ns[i]);
	sluice_json_arr_end(j);
	kuint(j, "kernel", st->cpu.kernel_ns);
	kuint(j, "user", st->cpu.user_ns);
	sluice_json_obj_end(j);
	sluice_json_key(j, "throttling");
	sluice_json_obj_start(j);
	kuint(j, "periods", st->cpu.periods);
	kuint(j, "throttledPeriods", st->cpu.throttled_periods);
	kuint(j, "throttledTime", st->cpu.throttled_ns);
	sluice_json_obj_end(j);
	sluice_json_obj_end(j);
}

static void mem_entry(struct sluice_json *j, const char *key, uint64_t limit, uint64_t usage,
		      uint64_t max, uint64_t failcnt)
{
	sluice_json_key(j, key);
	sluice_json_obj_start(j);
	kuint(j, "limit", limit);
	kuint(j, "usage", usage);
	kuint(j, "max", max);
	kuint(j, "failcnt", failcnt);
	sluice_json_obj_end(j);
}

static void memory_json(struct sluice_json *j, const struct sluice_cgroup_stats *st)
{
	sluice_json_key(j, "memory");
	sluice_json_obj_start(j);
	kuint(j, "cache", st->memory.cache);
	mem_entry(j, "usage", st->memory.limit, st->memory.usage, st->memory.max_usage,
		  st->memory.failcnt);
	mem_entry(j, "swap", st->memory.swap_limit, st->memory.swap_usage, 0, 0);
	mem_entry(j, "kernel", 0, st->memory.kernel_usage, 0, 0);
	sluice_json_key(j, "raw");
	sluice_json_obj_start(j);
	for (size_t i = 0; i < st->memory.n_raw; i++)
		kuint(j, st->memory.raw[i].key, strtoull(st->memory.raw[i].value, NULL, 10));
	sluice_json_obj_end(j);
	sluice_json_obj_end(j);
}

static void blkio_list(struct sluice_json *j, const char *key,
		       const struct sluice_cgroup_blkio_entry *v, size_t n)
{
	sluice_json_key(j, key);
	sluice_json_arr_start(j);
	for (size_t i = 0; i < n; i++) {
		sluice_json_obj_start(j);
		kuint(j, "major", v[i].major);
		kuint(j, "minor", v[i].minor);
		sluice_json_kstr(j, "op", v[i].op);
		kuint(j, "value", v[i].value);
		sluice_json_obj_end(j);
	}
	sluice_json_arr_end(j);
}

static void rest_json(struct sluice_json *j, const struct sluice_cgroup_stats *st)
{
	sluice_json_key(j, "pids");
	sluice_json_obj_start(j);
	kuint(j, "current", st->pids.current);
	kuint(j, "limit", st->pids.limit);
	sluice_json_obj_end(j);
	sluice_json_key(j, "blkio");
	sluice_json_obj_start(j);
	blkio_list(j, "ioServiceBytesRecursive", st->io_bytes, st->n_io_bytes);
	blkio_list(j, "ioServicedRecursive", st->io_ops, st->n_io_ops);
	sluice_json_obj_end(j);
	sluice_json_key(j, "hugetlb");
	sluice_json_obj_start(j);
	for (size_t i = 0; i < st->n_hugetlb; i++) {
		sluice_json_key(j, st->hugetlb[i].page_size);
		sluice_json_obj_start(j);
		kuint(j, "usage", st->hugetlb[i].usage);
		kuint(j, "max", st->hugetlb[i].max_usage);
		kuint(j, "failcnt", st->hugetlb[i].failcnt);
		sluice_json_obj_end(j);
	}
	sluice_json_obj_end(j);
}

static int stats_event(const char *id, const struct sluice_cgroup_stats *st, char **out,
		       struct sluice_error *err)
{
	struct sluice_json j;
	size_t len;

	sluice_json_init(&j, NULL);
	sluice_json_obj_start(&j);
	sluice_json_kstr(&j, "type", "stats");
	sluice_json_kstr(&j, "id", id);
	sluice_json_key(&j, "data");
	sluice_json_obj_start(&j);
	cpu_json(&j, st);
	memory_json(&j, st);
	rest_json(&j, st);
	sluice_json_obj_end(&j);
	sluice_json_obj_end(&j);
	if (sluice_json_finish(&j, out, &len) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "events");
	return 0;
}

/* Open the container for an event: it must be there and not stopped. */
static int open_live(const struct sluice_oci *o, const char *id, struct oci_container *ct,
		     struct sluice_cgroup **cg, struct sluice_error *err)
{
	bool gone;

	if (oci_container_open(o, id, LOCK_SH, ct, &gone, err) < 0)
		return -1;
	if (oci_container_status(ct) == OCI_STOPPED)
		return sluice_err(err, SLUICE_EXIT_OCI, 0, "container %s is not running", id);
	return oci_require_cgroup(ct, "report events of", cg, err);
}

int sluice_oci_stats_event(const struct sluice_oci *o, const char *id, char **out,
			   struct sluice_error *err)
{
	struct oci_container ct;
	struct sluice_cgroup *cg = NULL;
	struct sluice_cgroup_stats st = { 0 };
	int r = open_live(o, id, &ct, &cg, err);

	*out = NULL;
	if (r == 0)
		r = sluice_cgroup_stats(cg, &st, err);
	if (r == 0)
		r = stats_event(id, &st, out, err);
	sluice_cgroup_stats_free(&st);
	oci_container_close(&ct);
	return r;
}

int sluice_oci_oom_fd(const struct sluice_oci *o, const char *id, struct sluice_error *err)
{
	struct oci_container ct;
	struct sluice_cgroup *cg = NULL;
	int r = open_live(o, id, &ct, &cg, err);

	if (r == 0)
		r = sluice_cgroup_oom_fd(cg, err);
	oci_container_close(&ct);
	return r;
}
