/* Unit tests for lib/cgroup: layout detection from mountinfo texts (pure
 * v1, pure v2, hybrid, over-mounted, escaped, a container's bind of a
 * subtree), cgroupsPath resolution, generated names and their staleness,
 * the device rules' BPF program (run by the interpreter against what the
 * v1 controller would decide), which controllers fields need, and the
 * keyed-file reader the OOM report uses.  Nothing here touches a real
 * cgroup: the bats scenarios (test/cgroups.bats) do that. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "tap.h"

#define MI_HYBRID                                                                                 \
	"30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"                     \
	"31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"                    \
	"32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"            \
	"34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"              \
	"35 30 0:32 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"            \
	"38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"                  \
	"39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n" \
	"40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"                  \
	"41 22 0:5 / /proc rw - proc proc rw\n"

#define SELF_HYBRID                                                                         \
	"9:name=systemd:/\n8:pids:/\n5:devices:/\n4:memory:/process_api/abc\n2:cpuacct:/\n" \
	"1:cpu:/\n0::/\n"

static bool hide_v1(const char *mount, unsigned major, unsigned minor)
{
	(void)major;
	(void)minor;
	/* cgroup2 mounted over /sys/fs/cgroup: what was below it is gone */
	return !strncmp(mount, "/sys/fs/cgroup/", 15) ? false : true;
}

static void test_layouts(void)
{
	struct cg_layout L;
	struct sluice_error err = { 0 };
	int m;

	ok(cg_layout_parse(&L, MI_HYBRID, SELF_HYBRID, NULL, &err) == 0, "hybrid parses");
	is_int(L.mode, SLUICE_CGROUP_HYBRID, "v1 controllers and cgroup2: hybrid");
	is_int(L.n, 7, "6 v1 hierarchies (named one included) and cgroup2");
	ok(L.v2 >= 0 && !strcmp(L.h[L.v2].mount, "/sys/fs/cgroup/unified"), "cgroup2's mount");
	m = cg_layout_v1(&L, CG_MEMORY);
	ok(m >= 0 && !strcmp(L.h[m].own, "/process_api/abc"), "memory: our own cgroup");
	is_int(cg_layout_v1(&L, CG_FREEZER), -1, "freezer: not mounted");
	ok(L.h[5].name && !strcmp(L.h[5].name, "systemd") && !L.h[5].ctrls, "name=systemd");
	is_str(L.h[L.v2].own, "/", "the unified hierarchy: /");
	cg_layout_free(&L);

	ok(cg_layout_parse(&L, "40 30 0:37 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n",
			   "0::/user.slice/user-1000.slice/session-2.scope\n", NULL, &err) == 0,
	   "pure v2 parses");
	is_int(L.mode, SLUICE_CGROUP_V2, "cgroup2 alone: v2");
	is_str(L.h[0].own, "/user.slice/user-1000.slice/session-2.scope", "own cgroup");
	cg_layout_free(&L);

	ok(cg_layout_parse(&L,
			   "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
			   "34 30 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n",
			   "3:cpu,cpuacct:/a\n2:memory:/b\n", NULL, &err) == 0,
	   "pure v1 parses");
	is_int(L.mode, SLUICE_CGROUP_V1, "no cgroup2: v1");
	is_int(cg_layout_v1(&L, CG_CPU), cg_layout_v1(&L, CG_CPUACCT), "cpu,cpuacct: one hierarchy");
	is_str(L.h[0].own, "/a", "co-mounted controllers find their line");
	cg_layout_free(&L);

	ok(cg_layout_parse(&L, MI_HYBRID "86 70 0:37 / /sys/fs/cgroup rw - cgroup2 none rw\n",
			   SELF_HYBRID, hide_v1, &err) == 0,
	   "cgroup2 over /sys/fs/cgroup parses");
	is_int(L.mode, SLUICE_CGROUP_V2, "the covered v1 mounts do not count: v2");
	is_str(L.h[L.v2].mount, "/sys/fs/cgroup", "the visible cgroup2 mount");
	cg_layout_free(&L);

	ok(cg_layout_parse(
		   &L,
		   "34 30 0:31 /docker/x /sys/fs/cgroup/my\\040mem rw - cgroup cgroup rw,memory\n",
		   "4:memory:/docker/x/inner\n", NULL, &err) == 0,
	   "an escaped mount point and a subtree root parse");
	is_str(L.h[0].mount, "/sys/fs/cgroup/my mem", "\\040 is a space");
	is_str(L.h[0].root, "/docker/x", "the mount's root");
	cg_layout_free(&L);

	ok(cg_layout_parse(&L, "41 22 0:5 / /proc rw - proc proc rw\n", "", NULL, &err) == 0 &&
		   L.mode == SLUICE_CGROUP_NONE,
	   "no cgroup mount at all: none");
	cg_layout_free(&L);
}

static void path_is(const struct cg_hier *h, const char *cgroups_path, const char *name,
		    const char *want, const char *what)
{
	struct sluice_error err = { 0 };
	char *p = cg_path_in(h, cgroups_path, name, &err);

	is_str(p ? p : err.msg, want, "%s", what);
	free(p);
}

static void test_paths(void)
{
	struct cg_hier h = { .mount = "/sys/fs/cgroup/memory",
			     .root = "/",
			     .own = "/process_api/abc" };
	struct cg_hier sub = { .mount = "/sys/fs/cgroup/memory",
			       .root = "/docker/x",
			       .own = "/docker/x/inner" };
	struct cg_hier away = { .ctrls = CG_BIT(CG_MEMORY),
				.mount = "/sys/fs/cgroup/memory",
				.root = "/docker/x",
				.own = "/else" };
	char *dir;

	path_is(&h, "/a/b", NULL, "/a/b", "absolute: below the mount");
	path_is(&h, "//a//./b/", NULL, "/a/b", "absolute, cleaned");
	path_is(&h, "c/d", NULL, "/process_api/abc/c/d", "relative: below our own cgroup");
	path_is(&h, NULL, "sluice-1-2-3", "/process_api/abc/sluice-1-2-3",
		"no path: the name below our own cgroup");
	path_is(&sub, "c", NULL, "/inner/c", "a subtree mount: relative to what it shows");
	path_is(&away, "c", NULL,
		"cgroups: this process's cgroup in the memory hierarchy is not below its mount "
		"/sys/fs/cgroup/memory: give linux.cgroupsPath an absolute path",
		"our cgroup outside the mount: an error naming the hierarchy");
	dir = cg_path_dir(&h, "/process_api/abc/x");
	is_str(dir, "/sys/fs/cgroup/memory/process_api/abc/x", "the directory");
	free(dir);
}

static void test_names(void)
{
	char name[64], other[96];
	unsigned long long ns, start;
	int pid;

	ok(cg_path_generated_name(name, sizeof(name)) == 0, "a generated name");
	ok(sscanf(name, "sluice-%llu-%d-%llu", &ns, &pid, &start) == 3 && pid == getpid(),
	   "sluice-PIDNS-PID-START: %s", name);
	is_int(cg_path_stale_name(name), 0, "ours, alive: not stale");
	snprintf(other, sizeof(other), "sluice-%llu-%d-%llu", ns, pid, start + 1);
	is_int(cg_path_stale_name(other), 1, "our pid with another start time: stale");
	snprintf(other, sizeof(other), "sluice-%llu-%d-%llu", ns, 0x3ffffe, start);
	is_int(cg_path_stale_name(other), 1, "a pid that does not exist: stale");
	snprintf(other, sizeof(other), "sluice-%llu-%d-%llu", ns + 1, 0x3ffffe, start);
	is_int(cg_path_stale_name(other), 0, "another pid namespace: not ours to judge");
	is_int(cg_path_stale_name("sluice-x"), 0, "not such a name");
	snprintf(other, sizeof(other), "%s-more", name);
	is_int(cg_path_stale_name(other), 0, "trailing text: not such a name");
	snprintf(other, sizeof(other), "%s ", name);
	is_int(cg_path_stale_name(other), 0, "a trailing blank: not such a name");
	snprintf(other, sizeof(other), "sluice-%llu--%d-%llu", ns, pid, start + 1);
	is_int(cg_path_stale_name(other), 0, "a signed pid: not such a name");
	snprintf(other, sizeof(other), "sluice- %llu-%d-%llu", ns, 0x3ffffe, start);
	is_int(cg_path_stale_name(other), 0, "a blank before a number: not such a name");
	snprintf(other, sizeof(other), "sluice-%llu-1234567890123456-%llu", ns, start);
	is_int(cg_path_stale_name(other), 0, "a pid of 16 digits: not such a name");
	snprintf(other, sizeof(other), "sluice-%llu-%d-", ns, 0x3ffffe);
	is_int(cg_path_stale_name(other), 0, "no start time: not such a name");
	snprintf(other, sizeof(other), "sluice-99999999999999999999-%d-%llu", 0x3ffffe, start);
	is_int(cg_path_stale_name(other), 0, "a namespace past 64 bits: not such a name");
}

/* The v1 blkio lines of events --stats, and the stored state's lines. */
static void test_lines(void)
{
	uint64_t ma, mi, v;
	char op[16], key[128], line[512];
	int made;
	char *path;

	ok(cg_stats_io_line("8:16 Read 4096", &ma, &mi, op, &v) && ma == 8 && mi == 16 &&
		   !strcmp(op, "Read") && v == 4096,
	   "blkio: 8:16 Read 4096");
	ok(cg_stats_io_line("253:0\tAsync 18446744073709551615", &ma, &mi, op, &v) &&
		   !strcmp(op, "Async") && v == UINT64_MAX,
	   "blkio: a tab, the largest value");
	ok(!cg_stats_io_line("Total 4096", &ma, &mi, op, &v), "blkio: the Total line is skipped");
	ok(!cg_stats_io_line("8:0 Read", &ma, &mi, op, &v), "blkio: no value: skipped");
	ok(!cg_stats_io_line("8:0 ThisOperationIsTooLong 1", &ma, &mi, op, &v),
	   "blkio: an operation of 24 characters: skipped");
	ok(!cg_stats_io_line("8 Read 1", &ma, &mi, op, &v), "blkio: no minor: skipped");

	snprintf(line, sizeof(line), "memory 1 /process_api/sluice-1-2-3");
	path = cg_state_line(line, key, &made);
	ok(path && !strcmp(path, "/process_api/sluice-1-2-3") && !strcmp(key, "memory") && made == 1,
	   "state: key, made, path");
	snprintf(line, sizeof(line), "0::/ 0 /a b");
	path = cg_state_line(line, key, &made);
	ok(path && !strcmp(path, "/a b") && !strcmp(key, "0::/") && made == 0,
	   "state: a path with a blank is kept whole");
	snprintf(line, sizeof(line), "memory 3 /x/y/z");
	path = cg_state_line(line, key, &made);
	ok(path && made == 3, "state: three directories made");
	snprintf(line, sizeof(line), "memory 2147483648 /x");
	ok(!cg_state_line(line, key, &made), "state: made past INT_MAX: refused");
	snprintf(line, sizeof(line), "memory 1 x");
	ok(!cg_state_line(line, key, &made), "state: a relative path: refused");
	snprintf(line, sizeof(line), "memory -1 /x");
	ok(!cg_state_line(line, key, &made), "state: a negative made: refused");
	memset(line, 'k', 128);
	snprintf(line + 128, sizeof(line) - 128, " 1 /x");
	ok(!cg_state_line(line, key, &made), "state: a key of 128 characters: refused");
	snprintf(line, sizeof(line), "memory 1");
	ok(!cg_state_line(line, key, &made), "state: no path: refused");
}

static struct sluice_device_rule rule(bool allow, char type, int64_t major, int64_t minor,
				      const char *access)
{
	struct sluice_device_rule r = { allow, type, major, minor, "" };

	snprintf(r.access, sizeof(r.access), "%s", access);
	return r;
}

static int decide(const struct sluice_device_rule *rules, size_t n, char type, uint32_t major,
		  uint32_t minor, const char *access)
{
	struct cg_bpf_insn *p = NULL;
	size_t len = 0;
	int r;

	if (cg_bpf_build(rules, n, &p, &len) < 0)
		return -2;
	r = cg_bpf_run(p, len, type, major, minor, access);
	free(p);
	return r;
}

static void test_bpf(void)
{
	struct sluice_resources res = { 0 };
	struct sluice_device_rule deny_all = rule(false, 'a', -1, -1, "rwm");
	struct sluice_device_rule *with_defaults = NULL;
	size_t n = 0;
	struct sluice_device_rule set[4];

	ok(cg_devices_rules(&res, &with_defaults, &n) == 0 && n == 0 && !with_defaults,
	   "no rules: none added");
	res.devices = &deny_all;
	res.n_devices = 1;
	ok(cg_devices_rules(&res, &with_defaults, &n) == 0 && n == 12, "deny all, then 11 defaults");
	is_int(decide(with_defaults, n, 'c', 1, 3, "rw"), 1, "/dev/null usable");
	is_int(decide(with_defaults, n, 'c', 136, 7, "rw"), 1, "a pts usable");
	is_int(decide(with_defaults, n, 'c', 10, 200, "r"), 0, "/dev/net/tun denied");
	is_int(decide(with_defaults, n, 'b', 8, 0, "r"), 0, "a disk denied");
	is_int(decide(with_defaults, n, 'b', 8, 0, "m"), 1, "making a disk node allowed");
	is_int(decide(with_defaults, n, 'b', 8, 0, "rm"), 0, "making and reading it denied");
	free(with_defaults);

	is_int(decide(NULL, 0, 'c', 10, 200, "rwm"), 1, "no rules: everything allowed");
	set[0] = rule(true, 'a', -1, -1, "rwm");
	set[1] = rule(false, 'c', 1, 5, "r");
	is_int(decide(set, 2, 'c', 1, 5, "r"), 0, "allow all, deny c 1:5 r: reading denied");
	is_int(decide(set, 2, 'c', 1, 5, "w"), 1, "writing allowed");
	is_int(decide(set, 2, 'c', 1, 5, "rw"), 0, "reading and writing denied");
	is_int(decide(set, 2, 'b', 1, 5, "r"), 1, "a block device 1:5: allowed");

	set[0] = rule(false, 'a', -1, -1, "rwm");
	set[1] = rule(true, 'c', 1, -1, "r");
	set[2] = rule(true, 'c', 1, 3, "w");
	is_int(decide(set, 3, 'c', 1, 3, "r"), 1, "deny all, allow c 1:* r: 1:3 readable");
	is_int(decide(set, 3, 'c', 1, 3, "w"), 1, "1:3 w allowed by its own rule");
	is_int(decide(set, 3, 'c', 1, 3, "rw"), 0, "rw at once: no single rule covers it (as v1)");
	set[3] = rule(false, 'c', 1, -1, "r");
	is_int(decide(set, 4, 'c', 1, 4, "r"), 0, "the allow of c 1:* r taken back");
	is_int(decide(set, 4, 'c', 1, 3, "w"), 1, "1:3 w kept: another exception (as v1)");

	set[0] = rule(true, 'c', 1, 3, "rwm");
	set[1] = rule(false, 'a', -1, -1, "rwm");
	is_int(decide(set, 2, 'c', 1, 3, "r"), 0, "a later deny all clears earlier allows");
	set[0] = rule(false, 'c', 1 + (int64_t)INT32_MAX, 0, "r");
	ok(decide(set, 1, 'c', 0, 0, "r") == -2, "a major above 2^31-1: refused");
}

static void test_controllers(void)
{
	struct sluice_resources r = { 0 };
	const char *field[CG_CTRL_COUNT] = { 0 };
	uint32_t need;
	char *cpus = "0";

	ok(cg_res_controllers(&r, field) == 0, "nothing given: no controller");
	r.set = SLUICE_RES_BIT(SLUICE_RES_MEMORY_SWAP) | SLUICE_RES_BIT(SLUICE_RES_PIDS_LIMIT) |
		SLUICE_RES_BIT(SLUICE_RES_NETWORK_CLASS_ID);
	r.cpu.cpus = cpus;
	need = cg_res_controllers(&r, field);
	is_int(need, CG_BIT(CG_MEMORY) | CG_BIT(CG_PIDS) | CG_BIT(CG_NET_CLS) | CG_BIT(CG_CPUSET),
	       "memory, pids, net_cls, cpuset");
	is_str(field[CG_MEMORY], "linux.resources.memory.swap", "the field that needs memory");
	is_str(field[CG_CPUSET], "linux.resources.cpu.cpus", "and cpuset");
	is_int(cg_res_unified_ctrl("memory.high"), CG_MEMORY, "unified memory.high: memory");
	is_int(cg_res_unified_ctrl("io.max"), CG_BLKIO, "io.max: io");
	is_int(cg_res_unified_ctrl("cgroup.max.depth"), -1, "cgroup.*: core");
}

static void test_keyed(void)
{
	char dir[] = "/tmp/sluice-unit-XXXXXX", path[64];
	FILE *f;
	uint64_t v = 0;

	if (!mkdtemp(dir)) {
		ok(false, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/memory.events", dir);
	f = fopen(path, "we");
	fputs("low 0\nhigh 0\nmax 12\noom 2\noom_kill 1\noom_group_kill 0\n", f);
	fclose(f);
	ok(cg_read_keyed(dir, "memory.events", "oom_kill", &v) == 0 && v == 1, "oom_kill 1");
	ok(cg_read_keyed(dir, "memory.events", "oom", &v) == 0 && v == 2, "oom 2, not oom_kill's");
	ok(cg_read_keyed(dir, "memory.events", "max", &v) == 0 && v == 12, "max 12");
	ok(cg_read_keyed(dir, "memory.events", "nope", &v) == -ENOENT, "a missing key");
	snprintf(path, sizeof(path), "%s/pids.max", dir);
	f = fopen(path, "we");
	fputs("max\n", f);
	fclose(f);
	ok(cg_read_u64(dir, "pids.max", &v) == 0 && v == UINT64_MAX, "\"max\" reads as unlimited");
	unlink(path);
	snprintf(path, sizeof(path), "%s/memory.events", dir);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	test_layouts();
	test_paths();
	test_names();
	test_lines();
	test_bpf();
	test_controllers();
	test_keyed();
	return done_testing();
}
