/* Internals of lib/cgroup, shared by its modules only:
 *   layout.c       which hierarchies exist, where, and the caller's place in each
 *   path.c         linux.cgroupsPath -> a directory in each hierarchy; names
 *   fs.c           reading and writing cgroup files, mkdir -p, rmdir
 *   v1.c, v2.c     what differs between the two: cpuset init, controllers,
 *                  freezing, killing
 *   resources.c    linux.resources -> file writes, field by field
 *   devices_v1.c   device rules as devices.allow / devices.deny
 *   devices_bpf.c  device rules as a BPF_PROG_TYPE_CGROUP_DEVICE program
 *   oom.c, stats.c what the kernel reports back
 *   teardown.c     removal, and stale cgroups of launchers that died
 *   cgroup.c       the API of cgroup.h, putting these together */
#ifndef SLUICE_CGROUP_INTERNAL_H
#define SLUICE_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"
#include "error.h"

/* Controllers sluice knows, by their v1 names (v2 calls blkio "io"). */
enum cg_ctrl {
	CG_CPU,
	CG_CPUACCT,
	CG_CPUSET,
	CG_MEMORY,
	CG_DEVICES,
	CG_FREEZER,
	CG_BLKIO,
	CG_PIDS,
	CG_HUGETLB,
	CG_NET_CLS,
	CG_NET_PRIO,
	CG_RDMA,
	CG_PERF_EVENT,
	CG_MISC,
	CG_CTRL_COUNT
};
#define CG_BIT(c) (1u << (c))
extern const char *const cg_ctrl_names[CG_CTRL_COUNT];	  /* v1 names */
extern const char *const cg_ctrl_v2_names[CG_CTRL_COUNT]; /* NULL: no v2 controller */
int cg_ctrl_from_name(const char *name);		  /* either spelling; -1 */

#define CG_MAX_HIER 16

struct cg_hier {
	bool v2;
	uint32_t ctrls; /* v1: the controllers bound here */
	char *name;	/* v1 named hierarchy ("systemd" for name=systemd), or NULL */
	char *mount;	/* mount point */
	char *root;	/* the hierarchy path mounted there ("/" usually) */
	char *own;	/* the caller's cgroup in this hierarchy, or NULL */
};

struct cg_layout {
	enum sluice_cgroup_mode mode;
	struct cg_hier h[CG_MAX_HIER];
	size_t n;
	int v2; /* index of the cgroup2 hierarchy, -1 */
};

/* Detect the layout of this process (/proc/self/mountinfo, statfs of each
 * mount point, /proc/self/cgroup). */
int cg_layout_detect(struct cg_layout *L, struct sluice_error *err);
/* The parser behind it, for unit tests: visible(mount point, major, minor)
 * says whether a mount is the one a path lookup reaches (NULL: all are). */
int cg_layout_parse(struct cg_layout *L, const char *mountinfo, const char *self_cgroup,
		    bool (*visible)(const char *mount, unsigned major, unsigned minor),
		    struct sluice_error *err);
void cg_layout_free(struct cg_layout *L);
/* The v1 hierarchy a controller is bound to, or -1. */
int cg_layout_v1(const struct cg_layout *L, enum cg_ctrl c);
/* "\040" and friends in mountinfo: decoded in place. */
void cg_unescape(char *s);

/* A directory of the sandbox's cgroup in one hierarchy. */
struct cg_dir {
	int hier;   /* index in the layout */
	char *path; /* absolute */
	int made;   /* trailing components sluice created (0: it existed) */
};

/* Which hierarchies a sandbox joins (sluice_cgroup_plan), kept for
 * sluice_cgroup_make. */
struct cg_plan {
	bool use[CG_MAX_HIER];
	uint32_t v2_ctrls; /* controllers to enable on the v2 hierarchy */
	const char *field[CG_CTRL_COUNT];
	const char *first; /* the field to name when a directory cannot be made */
	char *name;	   /* the leaf's name (malloc'd), NULL with a cgroupsPath */
	bool planned;	   /* not yet made */
};

struct sluice_cgroup {
	struct cg_layout L;
	struct cg_plan P;
	struct cg_dir d[CG_MAX_HIER];
	size_t n;
	int v2dir;	/* index in d of the cgroup2 directory, -1 */
	int clone_fd;	/* O_PATH of that directory on pure v2, -1 */
	uint32_t ctrls; /* controllers this cgroup has (v1 hierarchies or v2 enabled) */
	char *source;	/* the config's name, for messages */
};

/* path.c */
/* The path of the sandbox's cgroup inside hierarchy h: the absolute
 * cgroupsPath as is, a relative one (or name) below the caller's cgroup.
 * malloc'd, "/"-rooted, no trailing slash; NULL with err. */
char *cg_path_in(const struct cg_hier *h, const char *cgroups_path, const char *name,
		 struct sluice_error *err);
/* "sluice-PIDNS-PID-START" of this process; a buffer of 64. */
int cg_path_generated_name(char *buf, size_t len);
/* For a generated name: 1 if its launcher is gone, 0 if alive or not
 * ours to judge (another pid namespace, not such a name). */
int cg_path_stale_name(const char *name);
/* stats.c: a v1 blkio line "MAJOR:MINOR OP VALUE" (OP at most 15
 * characters); false for any other line ("Total N"). */
bool cg_stats_io_line(const char *line, uint64_t *major, uint64_t *minor, char op[16],
		      uint64_t *value);
/* cgroup.c: a line of the stored state, "KEY MADE /PATH" (KEY at most 127
 * characters, MADE the number of directories made): the path within
 * line, or NULL. */
char *cg_state_line(char *line, char key[128], int *made);
/* mount + (path - root): the directory of a hierarchy path; malloc'd. */
char *cg_path_dir(const struct cg_hier *h, const char *path);

/* fs.c: a failed write names the field that asked for it */
int cg_write(const char *dir, const char *file, const char *value, const char *field,
	     const char *source, struct sluice_error *err);
int cg_writef(const char *dir, const char *file, const char *field, const char *source,
	      struct sluice_error *err, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* The file's text (NUL-terminated, malloc'd); 0 or -errno. */
int cg_read(const char *dir, const char *file, char **out);
/* A single number (or "max" -> UINT64_MAX); 0 or -errno. */
int cg_read_u64(const char *dir, const char *file, uint64_t *out);
/* "key value" lines: the value of key; 0, -ENOENT, or -errno. */
int cg_read_keyed(const char *dir, const char *file, const char *key, uint64_t *out);
bool cg_exists(const char *dir, const char *file);
/* mkdir -p path, counting the components it made (*made). */
int cg_mkdirs(const char *path, int *made);
/* rmdir, waiting out EBUSY while the last tasks leave (bounded). */
int cg_rmdir(const char *path);
/* The pids in dir/cgroup.procs; malloc'd. */
int cg_read_pids(const char *dir, pid_t **pids, size_t *n);
int cg_fail_config(struct sluice_error *err, const char *source, const char *field, const char *fmt,
		   ...) __attribute__((format(printf, 4, 5)));

/* v1.c */
int cg_v1_cpuset_init(const char *dir, int made);
int cg_v1_freeze(const char *dir, bool frozen, struct sluice_error *err);
int cg_v1_frozen(const char *dir);

/* v2.c */
/* The v2 controllers available in dir (its cgroup.controllers). */
uint32_t cg_v2_available(const char *dir);
/* Enable ctrls in the subtree_control of every ancestor of dir that needs
 * it, up to the hierarchy's mount point. */
int cg_v2_enable(const char *mount, const char *dir, uint32_t ctrls, const char *field,
		 const char *source, struct sluice_error *err);
int cg_v2_freeze(const char *dir, bool frozen, struct sluice_error *err);
int cg_v2_frozen(const char *dir);
int cg_v2_kill(const char *dir);

/* resources.c */
/* The controllers the resources need, and the field that first needs
 * each (for messages). */
uint32_t cg_res_controllers(const struct sluice_resources *r, const char *field[CG_CTRL_COUNT]);
/* The unified keys' controllers (v2 names before the dot; "cgroup" is core). */
int cg_res_unified_ctrl(const char *key);
/* Write every field given.  update: an existing cgroup (OCI update). */
int cg_res_apply(struct sluice_cgroup *cg, const struct sluice_config *c, bool update,
		 struct sluice_error *err);
/* The directory serving controller ctrl (v1 hierarchy, else v2), or NULL. */
const char *cg_dir_of(const struct sluice_cgroup *cg, enum cg_ctrl ctrl);
bool cg_dir_is_v2(const struct sluice_cgroup *cg, const char *dir);

/* devices: the rules of the config followed by the defaults sluice's own
 * /dev needs (runc's: mknod of anything, and null, zero, full, random,
 * urandom, tty, console, ptmx, pts usable). */
int cg_devices_rules(const struct sluice_resources *r, struct sluice_device_rule **out, size_t *n);
int cg_devices_v1_apply(const char *dir, const struct sluice_device_rule *rules, size_t n,
			const char *source, struct sluice_error *err);
/* The BPF program (instructions, 8 bytes each) for the rules, evaluated as
 * the v1 controller would: exposed for unit tests. */
struct cg_bpf_insn {
	uint8_t code;
	uint8_t regs; /* dst: low nibble, src: high nibble */
	int16_t off;
	int32_t imm;
};
int cg_bpf_build(const struct sluice_device_rule *rules, size_t n, struct cg_bpf_insn **out,
		 size_t *len);
/* Run the program on (type 'c'/'b', major, minor, access "rwm" bits) as
 * the kernel would: 1 allow, 0 deny.  For unit tests. */
int cg_bpf_run(const struct cg_bpf_insn *p, size_t len, char type, uint32_t major, uint32_t minor,
	       const char *access);
int cg_devices_bpf_apply(const char *dir, const struct sluice_device_rule *rules, size_t n,
			 bool replace, const char *source, struct sluice_error *err);

/* cgroup.c: thaw a frozen cgroup after its tasks got SIGKILL */
void cg_thaw_after_kill(const struct sluice_cgroup *cg);

/* teardown.c */
/* Remove every stale sluice-... directory directly below parent. */
int cg_remove_stale_in(const char *parent, bool kill,
		       void (*report)(const char *, const char *, void *), void *ctx);

/* Test builds (make fault): fail on purpose at the cgroup step named in
 * SLUICE_FAULT ("cgroup-create", "cgroup-limits", "cgroup-enter"), or
 * SIGKILL the launcher there with STEP:kill. */
int cg_fault(const char *step, struct sluice_error *err);

#endif
