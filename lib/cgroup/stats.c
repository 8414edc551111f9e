/* Usage figures of a sandbox's cgroup, as `runc events --stats` reports
 * them for containerd: cpu, memory, pids, block I/O, huge pages, OOM kills.
 * Each comes from whichever hierarchy serves it (v1 or v2); a figure that
 * no hierarchy gives stays 0. */
#include "cgroup_internal.h"

#include <ctype.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static uint64_t u64(const char *dir, const char *file)
{
	uint64_t v = 0;

	(void)cg_read_u64(dir, file, &v);
	return v == UINT64_MAX ? 0 : v;
}

static uint64_t keyed(const char *dir, const char *file, const char *key)
{
	uint64_t v = 0;

	(void)cg_read_keyed(dir, file, key, &v);
	return v;
}

static int percpu(const char *dir, struct sluice_cgroup_stats *st)
{
	cleanup_free char *text = NULL;
	size_t cap = 0;

	if (cg_read(dir, "cpuacct.usage_percpu", &text) < 0)
		return 0;
	for (char *p = text, *end;; p = end) {
		uint64_t v = strtoull(p, &end, 10);
		if (end == p)
			break;
		if (st->cpu.n_percpu == cap) {
			uint64_t *n =
				realloc(st->cpu.percpu_ns, (cap = cap ? cap * 2 : 8) * sizeof(*n));
			if (!n)
				return -ENOMEM;
			st->cpu.percpu_ns = n;
		}
		st->cpu.percpu_ns[st->cpu.n_percpu++] = v;
	}
	return 0;
}

static int cpu_stats(const struct sluice_cgroup *cg, struct sluice_cgroup_stats *st)
{
	const char *acct = cg_dir_of(cg, CG_CPUACCT), *cpu = cg_dir_of(cg, CG_CPU);
	uint64_t tick = 1000000000ull / (uint64_t)sysconf(_SC_CLK_TCK);

	if (acct && cg_dir_is_v2(cg, acct)) {
		st->cpu.total_ns = keyed(acct, "cpu.stat", "usage_usec") * 1000;
		st->cpu.user_ns = keyed(acct, "cpu.stat", "user_usec") * 1000;
		st->cpu.kernel_ns = keyed(acct, "cpu.stat", "system_usec") * 1000;
	} else if (acct) {
		st->cpu.total_ns = u64(acct, "cpuacct.usage");
		st->cpu.user_ns = keyed(acct, "cpuacct.stat", "user") * tick;
		st->cpu.kernel_ns = keyed(acct, "cpuacct.stat", "system") * tick;
		if (percpu(acct, st) < 0)
			return -ENOMEM;
	}
	if (cpu) {
		bool v2 = cg_dir_is_v2(cg, cpu);
		st->cpu.periods = keyed(cpu, "cpu.stat", "nr_periods");
		st->cpu.throttled_periods = keyed(cpu, "cpu.stat", "nr_throttled");
		st->cpu.throttled_ns = v2 ? keyed(cpu, "cpu.stat", "throttled_usec") * 1000 :
					    keyed(cpu, "cpu.stat", "throttled_time");
	}
	return 0;
}

/* memory.stat, all of it, as "raw" entries. */
static int memory_raw(const char *dir, struct sluice_cgroup_stats *st)
{
	cleanup_free char *text = NULL;
	char *save = NULL;
	size_t cap = 0;

	if (cg_read(dir, "memory.stat", &text) < 0)
		return 0;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');
		struct sluice_unified_entry *e;

		if (!sp)
			continue;
		*sp = '\0';
		if (st->memory.n_raw == cap) {
			e = realloc(st->memory.raw, (cap = cap ? cap * 2 : 32) * sizeof(*e));
			if (!e)
				return -ENOMEM;
			st->memory.raw = e;
		}
		e = &st->memory.raw[st->memory.n_raw];
		e->key = strdup(line);
		e->value = strdup(sp + 1);
		if (!e->key || !e->value) {
			free(e->key);
			free(e->value);
			return -ENOMEM;
		}
		st->memory.n_raw++;
	}
	return 0;
}

static int memory_stats(const struct sluice_cgroup *cg, struct sluice_cgroup_stats *st)
{
	const char *dir = cg_dir_of(cg, CG_MEMORY);

	if (!dir)
		return 0;
	if (cg_dir_is_v2(cg, dir)) {
		st->memory.usage = u64(dir, "memory.current");
		st->memory.max_usage = u64(dir, "memory.peak");
		st->memory.limit = u64(dir, "memory.max");
		st->memory.failcnt = keyed(dir, "memory.events", "max");
		st->memory.swap_usage = u64(dir, "memory.swap.current");
		st->memory.swap_limit = u64(dir, "memory.swap.max");
		st->memory.cache = keyed(dir, "memory.stat", "file");
		st->memory.kernel_usage = keyed(dir, "memory.stat", "kernel");
		st->oom_kills = keyed(dir, "memory.events", "oom_kill");
	} else {
		st->memory.usage = u64(dir, "memory.usage_in_bytes");
		st->memory.max_usage = u64(dir, "memory.max_usage_in_bytes");
		st->memory.limit = u64(dir, "memory.limit_in_bytes");
		st->memory.failcnt = u64(dir, "memory.failcnt");
		st->memory.swap_usage = u64(dir, "memory.memsw.usage_in_bytes");
		st->memory.swap_limit = u64(dir, "memory.memsw.limit_in_bytes");
		st->memory.cache = keyed(dir, "memory.stat", "cache");
		st->memory.kernel_usage = u64(dir, "memory.kmem.usage_in_bytes");
		st->oom_kills = keyed(dir, "memory.oom_control", "oom_kill");
	}
	return memory_raw(dir, st);
}

static int push_io(struct sluice_cgroup_blkio_entry **v, size_t *n, uint64_t major, uint64_t minor,
		   const char *op, uint64_t value)
{
	struct sluice_cgroup_blkio_entry *nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n] =
		(struct sluice_cgroup_blkio_entry){ .major = major, .minor = minor, .value = value };
	snprintf(nv[*n].op, sizeof(nv[*n].op), "%s", op);
	(*n)++;
	return 0;
}

/* "MAJOR:MINOR" at the start of a line: what follows, or NULL. */
static const char *dev_of(const char *line, uint64_t *ma, uint64_t *mi)
{
	const char *p = sluice_scan_u64(line, 10, ma);

	return p && *p == ':' ? sluice_scan_u64(p + 1, 10, mi) : NULL;
}

/* cgroup_internal.h */
bool cg_stats_io_line(const char *line, uint64_t *ma, uint64_t *mi, char op[16], uint64_t *val)
{
	const char *p = dev_of(line, ma, mi);
	size_t n = 0;

	if (!p || (*p != ' ' && *p != '\t'))
		return false;
	while (*p == ' ' || *p == '\t')
		p++;
	while (p[n] && p[n] != ' ' && p[n] != '\t' && p[n] != '\n')
		n++;
	if (!n || n > 15)
		return false;
	memcpy(op, p, n);
	op[n] = '\0';
	return sluice_scan_u64(p + n, 10, val) != NULL;
}

/* v1: "8:0 Read 4096" lines (and a final "Total N"). */
static int v1_io(const char *dir, const char *file, struct sluice_cgroup_blkio_entry **v, size_t *n)
{
	cleanup_free char *text = NULL;
	char *save = NULL;

	if (cg_read(dir, file, &text) < 0)
		return 0;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		uint64_t ma, mi, val;
		char op[16];

		if (cg_stats_io_line(line, &ma, &mi, op, &val) && push_io(v, n, ma, mi, op, val) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* v2: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=5 dios=6". */
static int v2_io(const char *dir, struct sluice_cgroup_stats *st)
{
	cleanup_free char *text = NULL;
	char *save = NULL;

	if (cg_read(dir, "io.stat", &text) < 0)
		return 0;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long rb = 0, wb = 0, ri = 0, wi = 0;
		uint64_t ma, mi;
		char *p;

		if (!dev_of(line, &ma, &mi))
			continue;
		if ((p = strstr(line, "rbytes=")))
			rb = strtoull(p + 7, NULL, 10);
		if ((p = strstr(line, "wbytes=")))
			wb = strtoull(p + 7, NULL, 10);
		if ((p = strstr(line, "rios=")))
			ri = strtoull(p + 5, NULL, 10);
		if ((p = strstr(line, "wios=")))
			wi = strtoull(p + 5, NULL, 10);
		if (push_io(&st->io_bytes, &st->n_io_bytes, ma, mi, "Read", rb) < 0 ||
		    push_io(&st->io_bytes, &st->n_io_bytes, ma, mi, "Write", wb) < 0 ||
		    push_io(&st->io_ops, &st->n_io_ops, ma, mi, "Read", ri) < 0 ||
		    push_io(&st->io_ops, &st->n_io_ops, ma, mi, "Write", wi) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int io_stats(const struct sluice_cgroup *cg, struct sluice_cgroup_stats *st)
{
	const char *dir = cg_dir_of(cg, CG_BLKIO);

	if (!dir)
		return 0;
	if (cg_dir_is_v2(cg, dir))
		return v2_io(dir, st);
	if (v1_io(dir, "blkio.throttle.io_service_bytes_recursive", &st->io_bytes,
		  &st->n_io_bytes) < 0)
		return -ENOMEM;
	return v1_io(dir, "blkio.throttle.io_serviced_recursive", &st->io_ops, &st->n_io_ops);
}

/* The huge page sizes of this kernel, as cgroup file names spell them. */
static int hugetlb_stats(const struct sluice_cgroup *cg, struct sluice_cgroup_stats *st)
{
	const char *dir = cg_dir_of(cg, CG_HUGETLB);
	DIR *d;
	struct dirent *e;
	bool v2;

	if (!dir || !(d = opendir("/sys/kernel/mm/hugepages")))
		return 0;
	v2 = cg_dir_is_v2(cg, dir);
	while ((e = readdir(d))) {
		uint64_t kb;
		const char *end;
		char size[24], f[80];
		struct sluice_cgroup_hugetlb *h;

		if (strncmp(e->d_name, "hugepages-", 10) || !isdigit((unsigned char)e->d_name[10]) ||
		    !(end = sluice_scan_u64(e->d_name + 10, 10, &kb)) || strcmp(end, "kB"))
			continue;
		if (kb >= 1048576)
			snprintf(size, sizeof(size), "%" PRIu64 "GB", kb / 1048576);
		else if (kb >= 1024)
			snprintf(size, sizeof(size), "%" PRIu64 "MB", kb / 1024);
		else
			snprintf(size, sizeof(size), "%" PRIu64 "KB", kb);
		h = realloc(st->hugetlb, (st->n_hugetlb + 1) * sizeof(*h));
		if (!h) {
			closedir(d);
			return -ENOMEM;
		}
		st->hugetlb = h;
		h = &h[st->n_hugetlb++];
		memset(h, 0, sizeof(*h));
		snprintf(h->page_size, sizeof(h->page_size), "%s", size);
		snprintf(f, sizeof(f), "hugetlb.%s.%s", size, v2 ? "current" : "usage_in_bytes");
		h->usage = u64(dir, f);
		snprintf(f, sizeof(f), "hugetlb.%s.%s", size, v2 ? "events" : "failcnt");
		h->failcnt = v2 ? keyed(dir, f, "max") : u64(dir, f);
		if (!v2) {
			snprintf(f, sizeof(f), "hugetlb.%s.max_usage_in_bytes", size);
			h->max_usage = u64(dir, f);
		}
	}
	closedir(d);
	return 0;
}

void sluice_cgroup_stats_free(struct sluice_cgroup_stats *st)
{
	free(st->cpu.percpu_ns);
	for (size_t i = 0; i < st->memory.n_raw; i++) {
		free(st->memory.raw[i].key);
		free(st->memory.raw[i].value);
	}
	free(st->memory.raw);
	free(st->io_bytes);
	free(st->io_ops);
	free(st->hugetlb);
	memset(st, 0, sizeof(*st));
}

int sluice_cgroup_stats(const struct sluice_cgroup *cg, struct sluice_cgroup_stats *st,
			struct sluice_error *err)
{
	const char *pids = cg_dir_of(cg, CG_PIDS);

	memset(st, 0, sizeof(*st));
	if (pids) {
		st->pids.current = u64(pids, "pids.current");
		st->pids.limit = u64(pids, "pids.max");
	}
	if (cpu_stats(cg, st) < 0 || memory_stats(cg, st) < 0 || io_stats(cg, st) < 0 ||
	    hugetlb_stats(cg, st) < 0) {
		sluice_cgroup_stats_free(st);
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "cgroups: stats");
	}
	return 0;
}
