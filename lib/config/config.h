/* The sandbox configuration: the OCI runtime config's structure and field
 * names, plus sluice's own `sluice:` block (docs/config.md).
 *
 * A config is built from the embedded default (config_default.c) and then
 * overlaid by a YAML or JSON document (config_load.c): every key present in
 * the document replaces the default's value, every key absent keeps it.
 * config_emit.c writes the effective config back as YAML; the same text is
 * what the parent sends to `sluice init` over fd 3.
 *
 * Strings are heap-allocated and NUL-terminated; string vectors (strv) are
 * NULL-terminated arrays.  Everything is released by sluice_config_free(). */
#ifndef SLUICE_CONFIG_H
#define SLUICE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "seccomp_profile.h"
#include "sluice.h"

/* -std=gnu11 predefines `linux` as 1, which would break the OCI-named
 * `linux` member below in every file that includes this header. */
#undef linux

enum sluice_ns {
	SLUICE_NS_USER,
	SLUICE_NS_MOUNT,
	SLUICE_NS_PID,
	SLUICE_NS_UTS,
	SLUICE_NS_IPC,
	SLUICE_NS_NET,
	SLUICE_NS_CGROUP,
	SLUICE_NS_TIME,
	SLUICE_NS_COUNT
};

struct sluice_namespace {
	bool enabled; /* listed in linux.namespaces */
	char *path;   /* join this one instead of creating a new one, or NULL */
};

struct sluice_idmap {
	uint32_t container_id;
	uint32_t host_id;
	uint32_t size;
};

struct sluice_rlimit {
	int resource; /* RLIMIT_* */
	uint64_t soft;
	uint64_t hard;
};

/* Parsed from the OCI mount "options" list. */
struct sluice_mount {
	char *destination; /* absolute path inside the container */
	char *type;	   /* "bind", "tmpfs", "proc", ... or NULL (bind) */
	char *source;	   /* absolute for bind mounts; may be NULL */
	char **options;	   /* the options as written (strv) */
	/* derived from options by the loader: */
	unsigned long flags;	   /* MS_* flags set (MS_RDONLY, MS_NOSUID, ...) */
	unsigned long clear;	   /* MS_* flags explicitly cleared ("rw", "suid", ...) */
	unsigned long propagation; /* MS_PRIVATE/MS_SLAVE/... | MS_REC, or 0 */
	bool bind;		   /* "bind" or "rbind" option, or type "bind" */
	bool recursive;		   /* "rbind" */
	bool copy_up;		   /* "tmpcopyup": a tmpfs gets what was under it */
	/* "rro", "rnosuid", ...: MOUNT_ATTR_* to set and clear on the mount
	 * and every mount below it (mount_setattr, AT_RECURSIVE) */
	uint64_t rec_set, rec_clr;
	char *data; /* filesystem options joined by ',' or NULL */
	/* An id-mapped bind ("idmap", "ridmap": the mapping on every mount of
	 * the tree, or uidMappings/gidMappings alone): its files show through
	 * uid_map/gid_map (mount_setattr MOUNT_ATTR_IDMAP), or through the
	 * container's user namespace's maps when the mount has none */
	bool idmap, idmap_rec;
	struct sluice_idmap *uid_map, *gid_map;
	size_t n_uid_map, n_gid_map;
};

struct sluice_device {
	char *path; /* absolute path inside the container */
	char type;  /* 'c', 'b', 'u' or 'p' */
	int64_t major, minor;
	uint32_t file_mode; /* permission bits */
	bool file_mode_set;
	uint32_t uid, gid;
	bool uid_set, gid_set;
};

/* The clocks of linux.timeOffsets, as /proc/PID/timens_offsets names them. */
enum {
	SLUICE_CLOCK_MONOTONIC,
	SLUICE_CLOCK_BOOTTIME
};

struct sluice_sysctl {
	char *key;
	char *value;
};

enum sluice_stdio_mode {
	SLUICE_STDIO_INHERIT, /* the workload gets sluice's own fd */
	SLUICE_STDIO_NULL,    /* /dev/null */
	SLUICE_STDIO_PIPE,    /* sluice relays through a pipe */
	SLUICE_STDIO_FILE,    /* a file (read for stdin, created/truncated for output) */
};

struct sluice_stdio {
	enum sluice_stdio_mode mode;
	char *path; /* SLUICE_STDIO_FILE only */
};

/* linux.resources (lib/cgroup/, docs/cgroups.md).  Scalars carry a bit in
 * sluice_resources.set when the config gives them; lists are empty and
 * strings NULL when not given. */
struct sluice_device_rule { /* linux.resources.devices[] */
	bool allow;
	char type;	      /* 'a' (all), 'c' or 'b' */
	int64_t major, minor; /* -1: any ("*") */
	char access[4];	      /* a subset of "rwm", in that order */
};

struct sluice_blkio_device { /* weightDevice[] and the throttle lists */
	int64_t major, minor;
	uint64_t rate;		      /* throttle lists */
	uint16_t weight, leaf_weight; /* weightDevice; 0: not given */
};

enum sluice_blkio_throttle {
	SLUICE_THROTTLE_READ_BPS,
	SLUICE_THROTTLE_WRITE_BPS,
	SLUICE_THROTTLE_READ_IOPS,
	SLUICE_THROTTLE_WRITE_IOPS,
	SLUICE_THROTTLE_COUNT
};

struct sluice_hugepage_limit {
	char *page_size; /* "2MB" */
	uint64_t limit;
};

struct sluice_net_priority {
	char *name;
	uint32_t priority;
};

struct sluice_rdma_limit {
	char *device;
	uint32_t hca_handles, hca_objects;
	bool handles_set, objects_set;
};

struct sluice_unified_entry { /* linux.resources.unified: a cgroup v2 file */
	char *key;
	char *value;
};

/* The scalar fields of linux.resources, one bit each in .set. */
enum sluice_res_field {
	SLUICE_RES_MEMORY_LIMIT,
	SLUICE_RES_MEMORY_RESERVATION,
	SLUICE_RES_MEMORY_SWAP,
	SLUICE_RES_MEMORY_KERNEL,
	SLUICE_RES_MEMORY_KERNEL_TCP,
	SLUICE_RES_MEMORY_SWAPPINESS,
	SLUICE_RES_MEMORY_DISABLE_OOM_KILLER,
	SLUICE_RES_MEMORY_USE_HIERARCHY,
	SLUICE_RES_MEMORY_CHECK_BEFORE_UPDATE,
	SLUICE_RES_CPU_SHARES,
	SLUICE_RES_CPU_QUOTA,
	SLUICE_RES_CPU_BURST,
	SLUICE_RES_CPU_PERIOD,
	SLUICE_RES_CPU_REALTIME_RUNTIME,
	SLUICE_RES_CPU_REALTIME_PERIOD,
	SLUICE_RES_CPU_IDLE,
	SLUICE_RES_PIDS_LIMIT,
	SLUICE_RES_BLKIO_WEIGHT,
	SLUICE_RES_BLKIO_LEAF_WEIGHT,
	SLUICE_RES_NETWORK_CLASS_ID,
	SLUICE_RES_FIELD_COUNT
};
#define SLUICE_RES_BIT(f) (UINT64_C(1) << (f))

struct sluice_resources {
	uint64_t set; /* SLUICE_RES_BIT(field) for every scalar given */
	struct {
		/* bytes, -1 unlimited; 0 means "not limited" as runc reads it */
		int64_t limit, reservation, swap, kernel, kernel_tcp;
		uint64_t swappiness;
		bool disable_oom_killer, use_hierarchy, check_before_update;
	} memory;
	struct {
		uint64_t shares, period, burst, realtime_period;
		int64_t quota, realtime_runtime, idle;
		char *cpus, *mems; /* NULL: not given */
	} cpu;
	struct {
		int64_t limit; /* -1: no limit */
	} pids;
	struct {
		uint16_t weight, leaf_weight;
		struct sluice_blkio_device *weight_device;
		size_t n_weight_device;
		struct sluice_blkio_device *throttle[SLUICE_THROTTLE_COUNT];
		size_t n_throttle[SLUICE_THROTTLE_COUNT];
	} block_io;
	struct sluice_hugepage_limit *hugepage_limits;
	size_t n_hugepage_limits;
	struct {
		uint32_t class_id;
		struct sluice_net_priority *priorities;
		size_t n_priorities;
	} network;
	struct sluice_rdma_limit *rdma;
	size_t n_rdma;
	struct sluice_unified_entry *unified;
	size_t n_unified;
	struct sluice_device_rule *devices;
	size_t n_devices;
};

/* OCI hooks (config.md "POSIX-platform Hooks"), in lifecycle order.  Run
 * by the OCI runtime commands (lib/oci/, docs/oci.md) only. */
enum sluice_hook_kind {
	SLUICE_HOOK_PRESTART,
	SLUICE_HOOK_CREATE_RUNTIME,
	SLUICE_HOOK_CREATE_CONTAINER,
	SLUICE_HOOK_START_CONTAINER,
	SLUICE_HOOK_POSTSTART,
	SLUICE_HOOK_POSTSTOP,
	SLUICE_HOOK_COUNT
};

struct sluice_hook {
	char *path;  /* absolute */
	char **args; /* strv, argv of the hook; NULL: argv is { path } */
	char **env;  /* strv, the hook's whole environment; NULL: empty */
	int timeout; /* seconds, 0: none */
};

struct sluice_hook_list {
	struct sluice_hook *v;
	size_t n;
};

/* Capability sets: bit N set = capability N (linux/capability.h). */
enum sluice_capset {
	SLUICE_CAP_BOUNDING,
	SLUICE_CAP_EFFECTIVE,
	SLUICE_CAP_INHERITABLE,
	SLUICE_CAP_PERMITTED,
	SLUICE_CAP_AMBIENT,
	SLUICE_CAP_COUNT
};

struct sluice_config {
	char *source;	/* file name used in messages ("config.yaml", "<default>") */
	char *base_dir; /* directory relative paths were resolved against */
	/* What finalize changed in the config the way runc does, for the
	 * caller to show as warnings (strv, never emitted). */
	char **warnings;

	struct {
		bool terminal; /* a pty made inside the container (docs/terminal.md) */
		struct {
			bool set;
			uint32_t height, width; /* rows and columns, 1..65535 */
		} console_size;			/* applied only with terminal */
		char **args;			/* strv, argv of the workload */
		char **env;			/* strv, "KEY=VALUE" */
		char *cwd;			/* absolute path inside the container */
		struct {
			uint32_t uid;
			uint32_t gid;
			uint32_t *additional_gids;
			size_t n_additional_gids;
			bool umask_set;
			uint32_t umask;
		} user;
		uint64_t caps[SLUICE_CAP_COUNT];
		struct sluice_rlimit *rlimits;
		size_t n_rlimits;
		bool no_new_privileges;
		bool oom_score_adj_set;
		int oom_score_adj;
		/* process.scheduler: sched_setattr(2) by the helper before the
		 * capabilities drop (lib/init/sched.c), when set */
		struct sluice_sched {
			bool set;
			uint32_t policy; /* SCHED_OTHER .. SCHED_DEADLINE */
			int32_t nice;	 /* -20..19 */
			uint32_t priority;
			uint64_t flags; /* SCHED_FLAG_* */
			uint64_t runtime, deadline, period;
		} scheduler;
		/* process.ioPriority: ioprio_set(2) for the helper, inherited */
		struct {
			bool set;
			int ioclass;  /* IOPRIO_CLASS_RT, _BE, _IDLE (1..3) */
			int priority; /* 0..7 */
		} io_priority;
		/* process.execCPUAffinity: CPU lists ("0-3,7") for the processes
		 * `sluice exec` starts; NULL: not given */
		struct {
			char *initial, *final;
		} exec_cpus;
	} process;

	struct {
		char *path; /* absolute; "/" means a read-only view of the host's / */
		bool readonly;
	} root;

	char *hostname; /* NULL: not set */
	/* hostname is the embedded default's, not asked for: finalize drops it
	 * when the config has no uts namespace instead of calling it an error */
	bool hostname_inherited;
	/* process.cwd is the caller's directory, not asked for: finalize falls
	 * back to / when the sandbox's identity could not enter it */
	bool cwd_inherited;
	/* the user namespace is the embedded default's, not asked for: for
	 * root, finalize keeps it only where the sandbox sees the host's tree */
	bool userns_inherited;
	char *domainname; /* NULL: not set */

	struct sluice_mount *mounts;
	size_t n_mounts;

	struct sluice_hook_list hooks[SLUICE_HOOK_COUNT];
	/* strv of keys and values, alternating: { k0, v0, k1, v1, NULL } */
	char **annotations;

	struct {
		struct sluice_namespace ns[SLUICE_NS_COUNT];
		struct sluice_idmap *uid_mappings;
		size_t n_uid_mappings;
		struct sluice_idmap *gid_mappings;
		size_t n_gid_mappings;
		struct sluice_sysctl *sysctl;
		size_t n_sysctl;
		struct sluice_device *devices;
		size_t n_devices;
		char **masked_paths;		   /* strv */
		char **readonly_paths;		   /* strv */
		unsigned long rootfs_propagation;  /* MS_* | MS_REC, 0 = MS_PRIVATE|MS_REC */
		struct sluice_resources resources; /* cgroup limits */
		char *cgroups_path;		   /* linux.cgroupsPath, NULL: not given */
		struct sluice_seccomp *seccomp;	   /* NULL: no filter */
		/* linux.personality: PER_LINUX or PER_LINUX32 for personality(2)
		 * before the exec, when personality_set */
		bool personality_set;
		unsigned long personality;
		/* linux.netDevices: host interfaces moved into the sandbox's
		 * network namespace by the runtime (lib/launch/net_devices.c) */
		struct sluice_net_device {
			char *host; /* the name on the host */
			char *name; /* the name inside (may hold %d), NULL: host's */
		} * net_devices;
		size_t n_net_devices;
		/* linux.memoryPolicy: set_mempolicy(2) by the helper, when set */
		struct {
			bool set;
			int mode;	/* MPOL_DEFAULT .. MPOL_WEIGHTED_INTERLEAVE */
			unsigned flags; /* MPOL_F_STATIC_NODES, ... */
			char *nodes;	/* a node list ("0-3,7"), NULL: none */
		} memory_policy;
		/* linux.timeOffsets: [SLUICE_CLOCK_MONOTONIC], [SLUICE_CLOCK_BOOTTIME] */
		struct sluice_time_offset {
			bool set;
			int64_t secs;
			uint32_t nanosecs;
		} time_offsets[2];
	} linux;
	/* linux.seccomp is the embedded default's, not asked for: finalize
	 * makes it the default profile for the final capabilities */
	bool seccomp_inherited;

	struct {
		double timeout;	   /* seconds, 0 = none */
		double kill_grace; /* seconds between TERM and KILL on timeout */
		struct sluice_stdio stdio[3];
		bool init; /* sluice's init is PID 1, the workload its child (docs/pid1.md) */
		bool init_signal_group; /* forward signals to the workload's group */
		int *remap_exit;	/* exit codes reported as 0 */
		size_t n_remap_exit;
		int preserve_fds;	    /* fds 3..3+N-1 reach the workload */
		bool no_new_keyring;	    /* keep the caller's session keyring */
		bool nested_userns;	    /* the workload may create user namespaces */
		bool stdio_follow_symlinks; /* file:PATH may end in a symlink */
	} sluice;
};

/* Names, for messages, the loader and the emitter. */
extern const char *const sluice_ns_names[SLUICE_NS_COUNT];	/* "user", "mount", ... */
extern const char *const sluice_capset_names[SLUICE_CAP_COUNT]; /* "bounding", ... */
extern const char *const sluice_hook_names[SLUICE_HOOK_COUNT];	/* "prestart", ... */
/* linux.memoryPolicy's modes by value (MPOL_DEFAULT = 0, ...) and flags by
 * bit (MPOL_F_NUMA_BALANCING = 1 << 13, ...; SLUICE_MPOL_FLAG_SHIFT) */
#define SLUICE_MPOL_MODE_COUNT 7
#define SLUICE_MPOL_FLAG_COUNT 3
#define SLUICE_MPOL_FLAG_SHIFT 13
extern const char *const sluice_mpol_mode_names[SLUICE_MPOL_MODE_COUNT];
extern const char *const sluice_mpol_flag_names[SLUICE_MPOL_FLAG_COUNT];

/* Who is starting the sandbox; the embedded default depends on it. */
struct sluice_caller {
	uid_t uid; /* effective uid */
	gid_t gid; /* effective gid */
	char *cwd; /* current directory, or NULL if unknown */
	/* The binary sluice_run re-executes as `HELPER init`: NULL means
	 * /proc/self/exe, so a program embedding libsluice either calls
	 * sluice_helper_main() when started with "init" as argv[1], or points
	 * this at an installed sluice (docs/libsluice.md). */
	const char *helper;
	/* runc's --console-socket: with process.terminal, the pty master goes
	 * to the unix socket at this path (docs/terminal.md); NULL: the caller
	 * gets it (sluice_run relays it). */
	const char *console_socket;
};

/* Zero everything (no namespaces, no args, ...): the base for a document
 * that is already complete, such as the one `sluice init` receives. */
SLUICE_API void sluice_config_init(struct sluice_config *c);

/* The embedded default for this caller (docs/config.md "Defaults"). */
SLUICE_API int sluice_config_default(struct sluice_config *c, const struct sluice_caller *who,
				     struct sluice_error *err);

/* The host id that root's sandboxes run as by default: a new user
 * namespace without mappings maps process.user onto it when the caller is
 * root, so that what only root may read stays unread (docs/security.md). */
#define SLUICE_SANDBOX_ID 65534

/* As root: run as the host's real root instead, without the user namespace
 * (`sluice run --real-root`).  78 when the caller is not root. */
SLUICE_API int sluice_config_real_root(struct sluice_config *c, const struct sluice_caller *who,
				       struct sluice_error *err);

/* Overlay the YAML/JSON document in buf onto c.  name is used in messages
 * (file:line:column); base_dir resolves relative root.path and bind sources
 * (NULL: the current directory).  Unknown keys, wrong types, unknown
 * capability/namespace/rlimit names and fields sluice cannot honour are
 * errors with exit code SLUICE_EXIT_CONFIG.  On error c is unchanged in
 * meaning but may hold partially replaced fields: free it. */
SLUICE_API int sluice_config_load_buffer(struct sluice_config *c, const char *name, const char *buf,
					 size_t len, const char *base_dir, struct sluice_error *err);

/* Replace c->process with the OCI process object in the JSON/YAML file at
 * path (`sluice exec --process`): every process field not in the file is
 * unset, as in a config.json. */
SLUICE_API int sluice_config_load_process_file(struct sluice_config *c, const char *path,
					       struct sluice_error *err);

/* Overlay c->linux.resources with the bare LinuxResources object read
 * from fd (`sluice update --resources FILE`, "-" for stdin); name is for
 * messages.  Only the fields given are marked set. */
SLUICE_API int sluice_config_load_resources_fd(struct sluice_config *c, const char *name, int fd,
					       struct sluice_error *err);
SLUICE_API int sluice_config_load_resources_buffer(struct sluice_config *c, const char *name,
						   const char *buf, size_t len,
						   struct sluice_error *err);

/* Drop everything that builds a container (mounts, devices, sysctls,
 * hostname, id mappings, time offsets, masked and read-only paths,
 * propagation, hooks, network devices, cgroup resources and path, sluice's
 * timeout, init and stdio modes): what
 * is left runs a process that joins an existing container (`sluice
 * exec`), whose cgroup the runtime enters it into. */
SLUICE_API void sluice_config_strip_setup(struct sluice_config *c);

/* True when the config has hooks of any kind. */
bool sluice_config_has_hooks(const struct sluice_config *c);

/* Read path and overlay it (base_dir = the file's directory). */
SLUICE_API int sluice_config_load_file(struct sluice_config *c, const char *path,
				       struct sluice_error *err);

/* After all overrides: fill what depends on the whole config and the
 * caller (default uid/gid mappings: process.user -> the caller, size 1,
 * when a new user namespace has none), then validate it. */
SLUICE_API int sluice_config_finalize(struct sluice_config *c, const struct sluice_caller *who,
				      struct sluice_error *err);

/* `linux.seccomp: default` (the embedded default's): the default profile
 * for the config's bounding set (docs/seccomp.md).  Part of finalize; a
 * complete config (`sluice init`'s framed CONFIG) needs it alone. */
SLUICE_API int sluice_config_seccomp_default(struct sluice_config *c, struct sluice_error *err);

/* Cross-field checks after all overrides (e.g. args non-empty, cwd
 * absolute, uid mapped when a user namespace is used). */
SLUICE_API int sluice_config_validate(const struct sluice_config *c, struct sluice_error *err);

/* The host paths the config names (root.path, bind sources) exist: 78
 * naming the field otherwise.  Just before a start, not for printing. */
SLUICE_API int sluice_config_check_paths(const struct sluice_config *c, struct sluice_error *err);

/* The effective config as a YAML document that the loader reads back to an
 * equal config.  *out is malloc'd. */
SLUICE_API int sluice_config_emit(const struct sluice_config *c, char **out, size_t *len,
				  struct sluice_error *err);
/* The same document as one line of JSON, which the loader reads several
 * times faster (the config `sluice run` sends its helper); YAML text
 * instead when a value needs YAML (a string that is not UTF-8). */
SLUICE_API int sluice_config_emit_json(const struct sluice_config *c, char **out, size_t *len,
				       struct sluice_error *err);

SLUICE_API void sluice_config_free(struct sluice_config *c);

/* The host uid (group: gid) that process.user runs as: through the maps
 * of a new user namespace, itself without one; -1 when it cannot be told
 * (a joined user namespace) or is unmapped. */
int64_t sluice_config_host_id(const struct sluice_config *c, bool group);
/* The mount options the loader honours (`sluice features`); the count. */
size_t sluice_mount_option_names(const char **out, size_t max);

/* `sluice run --seccomp FILE`: linux.seccomp from a profile file of its own
 * (OCI JSON or YAML: the object linux.seccomp holds), replacing the
 * config's.  Errors as sluice_config_load_buffer's, naming FILE. */
SLUICE_API int sluice_config_load_seccomp_file(struct sluice_config *c, const char *path,
					       struct sluice_error *err);
/* `sluice run --no-seccomp`: no filter (not even the default's). */
SLUICE_API void sluice_config_no_seccomp(struct sluice_config *c);

/* Helpers shared by the loader and the command line. */
int sluice_ns_from_name(const char *name);  /* -1 if unknown */
int sluice_cap_from_name(const char *name); /* "CAP_SYS_ADMIN" or "sys_admin"; -1 if unknown */
/* The capabilities sluice could grant: known to this build and in the
 * bounding set it runs with (what --cap-add ALL means). */
uint64_t sluice_caps_grantable(void);
const char *sluice_cap_name(int cap);	       /* "CAP_SYS_ADMIN" */
int sluice_rlimit_from_name(const char *name); /* "RLIMIT_NOFILE"; -1 if unknown */
const char *sluice_rlimit_name(int resource);
int sluice_stdio_parse(struct sluice_stdio *s,
		       const char *text); /* "inherit", "null", "pipe", "file:PATH" */

/* linux.resources helpers (config_resources.c). */
/* True when the config asks for a cgroup: cgroupsPath, or a resource whose
 * value a new cgroup would not have anyway (0 "not set", -1 unlimited, the
 * OOM killer left on ... ask for none). */
SLUICE_API bool sluice_config_wants_cgroup(const struct sluice_config *c);

/* How many mounts are id-mapped: the runtime makes their trees and hands
 * them to the helper at fds SLUICE_PRESERVED_FD_BASE + preserveFds + k. */
size_t sluice_config_idmap_mounts(const struct sluice_config *c);
/* linux.timeOffsets gives an offset for some clock. */
bool sluice_config_time_offsets(const struct sluice_config *c);
SLUICE_API bool sluice_resources_empty(const struct sluice_resources *r);
SLUICE_API void sluice_resources_free(struct sluice_resources *r);
/* The dotted name of a scalar field ("linux.resources.memory.limit"). */
SLUICE_API const char *sluice_res_field_name(enum sluice_res_field f);
/* Command-line edits shared by `sluice run` and the OCI commands: a size
 * ("512m", "1g", "max"), a pids limit ("100", "max"), a number of CPUs
 * ("1.5": quota 150000 per period 100000).  Usage errors (64) name opt. */
SLUICE_API int sluice_config_set_memory(struct sluice_config *c, const char *opt, const char *text,
					struct sluice_error *err);
SLUICE_API int sluice_config_set_pids_limit(struct sluice_config *c, const char *opt,
					    const char *text, struct sluice_error *err);
SLUICE_API int sluice_config_set_cpus(struct sluice_config *c, const char *opt, const char *text,
				      struct sluice_error *err);
/* "512m" -> 536870912 (k, m, g, t: powers of 1024; optional "b"/"B"). */
int sluice_parse_size(const char *text, int64_t *out);

#endif
