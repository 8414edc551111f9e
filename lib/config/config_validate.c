/* Whole-config rules: what finalize fills in, and the cross-field checks
 * no single key can make (docs/config.md "Validation"). */
#include "config_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "util.h"

#define SRC(c) ((c)->source ? (c)->source : "<config>")

static bool ns_new(const struct sluice_config *c, enum sluice_ns ns)
{
	return c->linux.ns[ns].enabled && !c->linux.ns[ns].path;
}

static int add_identity_map(struct sluice_idmap **maps, size_t *n, uint32_t inside, uint32_t outside)
{
	struct sluice_idmap *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	*m = (struct sluice_idmap){ .container_id = inside, .host_id = outside, .size = 1 };
	free(*maps);
	*maps = m;
	*n = 1;
	return 0;
}

/* A new user namespace without mappings would leave the workload as the
 * overflow uid (65534) with no rights at all: map process.user onto the
 * caller, the one mapping an unprivileged caller may always write.  Root's
 * sandboxes get SLUICE_SANDBOX_ID instead of root itself, so that what
 * only root may read (/etc/shadow, /root, root's keys) stays unread. */
static int default_mappings(struct sluice_config *c, const struct sluice_caller *who)
{
	/* Root of a user namespace that has no 65534 (`unshare -r`, a
	 * rootless container) is one user outside: its own ids, as anyone's. */
	bool sandbox_id = who->uid == 0 &&
			  sluice_id_mapped("/proc/self/uid_map", SLUICE_SANDBOX_ID) &&
			  sluice_id_mapped("/proc/self/gid_map", SLUICE_SANDBOX_ID);
	uint32_t uid = sandbox_id ? SLUICE_SANDBOX_ID : who->uid;
	uint32_t gid = sandbox_id ? SLUICE_SANDBOX_ID : who->gid;

	if (!ns_new(c, SLUICE_NS_USER))
		return 0;
	if (c->linux.n_uid_mappings == 0 &&
	    add_identity_map(&c->linux.uid_mappings, &c->linux.n_uid_mappings, c->process.user.uid,
			     uid) < 0)
		return -ENOMEM;
	if (c->linux.n_gid_mappings == 0 &&
	    add_identity_map(&c->linux.gid_mappings, &c->linux.n_gid_mappings, c->process.user.gid,
			     gid) < 0)
		return -ENOMEM;
	return 0;
}

/*
 * The kernel raises an ambient capability only if it is both permitted and
 * inheritable (PR_CAP_AMBIENT_RAISE, capabilities(7)).  `runc spec` writes
 * ambient capabilities without inheritable ones, and runc then raises what
 * the kernel allows and warns about the rest: so does sluice, deciding here
 * what the kernel would refuse, so that the warning can name the config.
 */
static int ambient_raisable(struct sluice_config *c)
{
	uint64_t *caps = c->process.caps;
	uint64_t stray = caps[SLUICE_CAP_AMBIENT] &
			 ~(caps[SLUICE_CAP_PERMITTED] & caps[SLUICE_CAP_INHERITABLE]);

	char names[1024] = "";
	size_t len = 0;
	cleanup_free char *msg = NULL;

	if (!stray)
		return 0;
	for (int cap = 0; cap < 64 && len < sizeof(names); cap++)
		if (stray & (UINT64_C(1) << cap))
			len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s",
						len ? ", " : "",
						sluice_cap_name(cap) ? sluice_cap_name(cap) : "?");
	caps[SLUICE_CAP_AMBIENT] &= ~stray;
	if (asprintf(&msg,
		     "%s: process.capabilities.ambient: not raised: %s (the kernel raises only "
		     "capabilities that are also permitted and inheritable)",
		     SRC(c), names) < 0)
		return -ENOMEM;
	return sluice_strv_push(&c->warnings, msg);
}

/* The host id that id runs as, through the maps; -1 when unmapped. */
static int64_t host_id(const struct sluice_idmap *m, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (id >= m[i].container_id &&
		    (uint64_t)id < (uint64_t)m[i].container_id + m[i].size)
			return (int64_t)m[i].host_id + (id - m[i].container_id);
	return -1;
}

/* Every directory on the way to path (path included) searchable by
 * "others": what a uid that owns none of them and is in none of their
 * groups needs to enter it (ACLs aside). */
static bool others_may_enter(const char *path)
{
	char buf[4096];
	struct stat st;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return false;
	for (char *p = buf;; p++) {
		char saved = *p;
		if (saved != '/' && saved != '\0')
			continue;
		*p = '\0';
		if (stat(buf[0] ? buf : "/", &st) < 0 || !(st.st_mode & S_IXOTH))
			return false;
		*p = saved;
		if (!saved)
			return true;
	}
}

/* The caller's directory, inherited by default, is kept only where the
 * sandbox's identity can enter it: root's sandboxes run as another uid,
 * which /root or a 0700 home shuts out.  There the default falls back to
 * "/", as it does for a directory the sandbox replaces (bubblewrap does the
 * same).  A cwd asked for is never changed: it fails at setup, saying so. */
static int inherited_cwd(struct sluice_config *c, const struct sluice_caller *who)
{
	int64_t host;
	char *root;

	if (!c->cwd_inherited || !c->process.cwd || !ns_new(c, SLUICE_NS_USER))
		return 0;
	host = host_id(c->linux.uid_mappings, c->linux.n_uid_mappings, c->process.user.uid);
	if (host == (int64_t)who->uid || others_may_enter(c->process.cwd))
		return 0;
	root = strdup("/");
	if (!root)
		return -ENOMEM;
	free(c->process.cwd);
	c->process.cwd = root;
	return 0;
}

/* A mount namespace of our own never shows the host's /dev (devtmpfs, not
 * nodev: root could write /dev/kmsg): unless the config mounts something
 * on /dev itself, sluice's minimal /dev goes there, before the first mount
 * under it. */
static int minimal_dev(struct sluice_config *c)
{
	static const char *const opts[] = { "nosuid", "strictatime", "mode=755", "size=65536k" };
	struct sluice_mount m = { .flags = MS_NOSUID | MS_STRICTATIME };
	struct sluice_mount *nm;
	size_t at = c->n_mounts;

	if (!c->linux.ns[SLUICE_NS_MOUNT].enabled)
		return 0;
	for (size_t i = 0; i < c->n_mounts; i++) {
		cleanup_free char *dest = config_path_join("/", c->mounts[i].destination);
		if (!dest)
			return -ENOMEM;
		if (!strcmp(dest, "/dev"))
			return 0;
		if (at == c->n_mounts && config_path_within(dest, "/dev"))
			at = i;
	}
	m.destination = strdup("/dev");
	m.type = strdup("tmpfs");
	m.source = strdup("tmpfs");
	m.data = strdup("mode=755,size=65536k");
	bool ok = m.destination && m.type && m.source && m.data;
	for (size_t i = 0; ok && i < sizeof(opts) / sizeof(opts[0]); i++)
		ok = sluice_strv_push(&m.options, opts[i]) == 0;
	nm = ok ? realloc(c->mounts, (c->n_mounts + 1) * sizeof(*nm)) : NULL;
	if (!nm) {
		config_mount_clear(&m);
		return -ENOMEM;
	}
	memmove(nm + at + 1, nm + at, (c->n_mounts - at) * sizeof(*nm));
	nm[at] = m;
	c->mounts = nm;
	c->n_mounts++;
	return 0;
}

/*
 * Root's sandboxes get the user namespace of the embedded default only
 * where they see the host's own tree (root.path "/"): there it keeps what
 * only root may read out of reach.  With a root filesystem of their own,
 * nothing of the host's is in view but what the caller binds in, and they
 * run as real root, as with runc and podman.  A config that lists its
 * namespaces decides for itself (docs/security.md "Root").
 */
static int root_identity(struct sluice_config *c, const struct sluice_caller *who)
{
	if (who->uid != 0 || !c->userns_inherited || !c->root.path || !strcmp(c->root.path, "/"))
		return 0;
	return config_real_root(c);
}

int sluice_config_seccomp_default(struct sluice_config *c, struct sluice_error *err)
{
	if (!c->seccomp_inherited)
		return 0;
	sluice_seccomp_free(c->linux.seccomp);
	c->linux.seccomp = sluice_seccomp_default_profile(c->process.caps[SLUICE_CAP_BOUNDING],
							  c->sluice.nested_userns);
	if (!c->linux.seccomp)
		return sluice_err(err, SLUICE_EXIT_CONFIG, ENOMEM, "%s", SRC(c));
	c->seccomp_inherited = false;
	return 0;
}

int sluice_config_finalize(struct sluice_config *c, const struct sluice_caller *who,
			   struct sluice_error *err)
{
	bool creates = false;

	if (root_identity(c, who) < 0 || default_mappings(c, who) < 0 || ambient_raisable(c) < 0 ||
	    inherited_cwd(c, who) < 0 || minimal_dev(c) < 0)
		return sluice_err(err, SLUICE_EXIT_CONFIG, ENOMEM, "%s", SRC(c));
	/* The default's hostname is for a uts namespace of our own: without
	 * one, or in one joined by path, the name already there stays. */
	if (c->hostname_inherited && !ns_new(c, SLUICE_NS_UTS)) {
		free(c->hostname);
		c->hostname = NULL;
	}
	if (sluice_config_seccomp_default(c, err) < 0)
		return -1;
	for (int i = 0; i < SLUICE_NS_COUNT; i++)
		creates |= ns_new(c, (enum sluice_ns)i);
	/* the kernel demands CAP_SYS_ADMIN for every other namespace type;
	 * an unprivileged caller only gets it inside a user namespace */
	if (who->uid != 0 && creates && !c->linux.ns[SLUICE_NS_USER].enabled)
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
				  "%s: creating namespaces as an unprivileged user needs a user "
				  "namespace: add {type: user} to linux.namespaces",
				  SRC(c));
	/* Without no_new_privs the kernel loads a filter only for a holder of
	 * CAP_SYS_ADMIN (seccomp(2)): root, or root of a user namespace. */
	if (who->uid != 0 && c->linux.seccomp && !c->process.no_new_privileges &&
	    !c->linux.ns[SLUICE_NS_USER].enabled)
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
				  "%s: a seccomp filter with process.noNewPrivileges false needs "
				  "CAP_SYS_ADMIN: set noNewPrivileges to true or add {type: user} "
				  "to linux.namespaces",
				  SRC(c));
	return sluice_config_validate(c, err);
}

static bool id_mapped(const struct sluice_idmap *m, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (id >= m[i].container_id &&
		    (uint64_t)id < (uint64_t)m[i].container_id + m[i].size)
			return true;
	return false;
}

static int check_ids(const struct sluice_config *c, struct sluice_error *err)
{
	const struct sluice_idmap *um = c->linux.uid_mappings, *gm = c->linux.gid_mappings;
	size_t nu = c->linux.n_uid_mappings, ng = c->linux.n_gid_mappings;

	if (!ns_new(c, SLUICE_NS_USER)) {
		if (nu || ng)
			return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
					  "%s: linux.uidMappings and gidMappings need a new user "
					  "namespace: add {type: user} to linux.namespaces",
					  SRC(c));
		return 0;
	}
	if (!id_mapped(um, nu, c->process.user.uid))
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
				  "%s: process.user.uid %u is not mapped by linux.uidMappings",
				  SRC(c), c->process.user.uid);
	if (!id_mapped(gm, ng, c->process.user.gid))
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
				  "%s: process.user.gid %u is not mapped by linux.gidMappings",
				  SRC(c), c->process.user.gid);
	for (size_t i = 0; i < c->process.user.n_additional_gids; i++)
		if (!id_mapped(gm, ng, c->process.user.additional_gids[i]))
			return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
					  "%s: process.user.additionalGids: gid %u is not mapped by "
					  "linux.gidMappings",
					  SRC(c), c->process.user.additional_gids[i]);
	return 0;
}

/* What only makes sense in a mount namespace of our own, with the way out. */
static int check_mount_ns(const struct sluice_config *c, struct sluice_error *err)
{
	const char *what = NULL;

	if (c->linux.ns[SLUICE_NS_MOUNT].enabled)
		return 0;
	if (c->n_mounts)
		what = "mounts (set mounts: [])";
	else if (sluice_strv_len(c->linux.masked_paths))
		what = "linux.maskedPaths (set maskedPaths: [])";
	else if (sluice_strv_len(c->linux.readonly_paths))
		what = "linux.readonlyPaths (set readonlyPaths: [])";
	else if (c->root.path && strcmp(c->root.path, "/"))
		what = "a root.path other than /";
	else if (c->root.readonly)
		what = "root.readonly (set it to false)";
	if (!what)
		return 0;
	return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
			  "%s: %s needs the mount namespace: add {type: mount} to linux.namespaces",
			  SRC(c), what);
}

static int check_uts_ns(const struct sluice_config *c, struct sluice_error *err)
{
	const char *what = c->hostname ? "hostname" : c->domainname ? "domainname" : NULL;

	if (!what || c->linux.ns[SLUICE_NS_UTS].enabled)
		return 0;
	return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
			  "%s: %s needs the uts namespace: add {type: uts} to linux.namespaces "
			  "(or set %s: \"\")",
			  SRC(c), what, what);
}

/* Offsets can only be given to a time namespace no process is in yet:
 * one the helper makes (docs/config.md). */
static int check_time_offsets(const struct sluice_config *c, struct sluice_error *err)
{
	if (!sluice_config_time_offsets(c))
		return 0;
	if (!c->linux.ns[SLUICE_NS_TIME].enabled)
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
				  "%s: linux.timeOffsets needs a time namespace: add {type: time} to "
				  "linux.namespaces",
				  SRC(c));
	if (c->linux.ns[SLUICE_NS_TIME].path)
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
				  "%s: linux.timeOffsets needs a new time namespace, not one joined by "
				  "path (its clocks are set by whoever made it)",
				  SRC(c));
	return 0;
}

/* config.md: idmap without the mount's own maps takes the container's
 * user namespace's, and is an error when there are none (not a new user
 * namespace with maps of its own). */
static int check_idmap_mounts(const struct sluice_config *c, struct sluice_error *err)
{
	const struct sluice_namespace *user = &c->linux.ns[SLUICE_NS_USER];

	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct sluice_mount *m = &c->mounts[i];
		if (!m->idmap || m->n_uid_map ||
		    (user->enabled && !user->path && c->linux.n_uid_mappings &&
		     c->linux.n_gid_mappings))
			continue;
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
				  "%s: mounts[%zu] (%s): idmap without uidMappings and gidMappings "
				  "takes the container's user namespace's, and it makes none: give "
				  "the mount its own",
				  SRC(c), i, m->destination);
	}
	return 0;
}

static int check_net_devices(const struct sluice_config *c, struct sluice_error *err)
{
	if (!c->linux.n_net_devices || c->linux.ns[SLUICE_NS_NET].enabled)
		return 0;
	return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
			  "%s: linux.netDevices needs a network namespace: add {type: network} to "
			  "linux.namespaces",
			  SRC(c));
}

static int check_process(const struct sluice_config *c, struct sluice_error *err)
{
	if (!c->process.args || !c->process.args[0])
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
				  "%s: no command: give one on the command line or in process.args",
				  SRC(c));
	if (!c->process.cwd || c->process.cwd[0] != '/')
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
				  "%s: process.cwd must be an absolute path", SRC(c));
	for (size_t i = 0; i < c->process.n_rlimits; i++) {
		const struct sluice_rlimit *rl = &c->process.rlimits[i];
		if (rl->soft > rl->hard)
			return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
					  "%s: process.rlimits: %s soft limit is above its hard limit",
					  SRC(c), sluice_rlimit_name(rl->resource));
	}
	return 0;
}

/* With a terminal the pty is the workload's stdin, stdout and stderr, and
 * sluice's own 0, 1, 2 are the other end of the relay: a stdio mode other
 * than inherit would be silently overridden. */
static int check_terminal(const struct sluice_config *c, struct sluice_error *err)
{
	static const char *const names[3] = { "stdin", "stdout", "stderr" };

	if (!c->process.terminal)
		return 0;
	for (int i = 0; i < 3; i++)
		if (c->sluice.stdio[i].mode != SLUICE_STDIO_INHERIT)
			return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
					  "%s: sluice.%s cannot be combined with process.terminal "
					  "(the terminal is the workload's stdin, stdout and stderr): "
					  "leave it inherit",
					  SRC(c), names[i]);
	return 0;
}

static int check_sluice(const struct sluice_config *c, struct sluice_error *err)
{
	if (!c->root.path || c->root.path[0] != '/')
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
				  "%s: root.path must be an absolute path", SRC(c));
	if (!isfinite(c->sluice.timeout) || c->sluice.timeout < 0 ||
	    !isfinite(c->sluice.kill_grace) || c->sluice.kill_grace < 0)
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
				  "%s: sluice.timeout and killGrace must be numbers >= 0", SRC(c));
	return 0;
}

/* A sysctl outside the sandbox's own namespaces would change the host:
 * refused here, where the message can name the config, as runc does. */
static int check_sysctl(const struct sluice_config *c, struct sluice_error *err)
{
	for (size_t i = 0; i < c->linux.n_sysctl; i++) {
		const char *key = c->linux.sysctl[i].key;
		int ns = sluice_sysctl_namespace(key);

		if (ns == -2)
			return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
					  "%s: linux.sysctl \"%s\": not a valid key", SRC(c), key);
		if (ns < 0)
			return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
					  "%s: linux.sysctl %s: not a namespaced key (it would change "
					  "the host)",
					  SRC(c), key);
		if (!c->linux.ns[ns].enabled)
			return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
					  "%s: linux.sysctl %s: needs the %s namespace (listed in "
					  "linux.namespaces)",
					  SRC(c), key, sluice_ns_names[ns]);
	}
	return 0;
}

int sluice_config_validate(const struct sluice_config *c, struct sluice_error *err)
{
	if (check_sysctl(c, err) < 0)
		return -1;
	if (check_process(c, err) < 0 || check_sluice(c, err) < 0 || check_terminal(c, err) < 0 ||
	    check_uts_ns(c, err) < 0 || check_mount_ns(c, err) < 0 || check_ids(c, err) < 0 ||
	    check_time_offsets(c, err) < 0 || check_idmap_mounts(c, err) < 0 ||
	    check_net_devices(c, err) < 0)
		return -1;
	if (config_check_resources(c, err) < 0)
		return -1;
	return 0;
}

/* Paths on the host that must exist before anything starts: a missing one
 * is the config's fault (78, naming where it is), not a setup failure deep
 * in the helper. */
int sluice_config_check_paths(const struct sluice_config *c, struct sluice_error *err)
{
	struct stat st;

	if (strcmp(c->root.path, "/") != 0) {
		if (stat(c->root.path, &st) < 0)
			return sluice_err(err, SLUICE_EXIT_CONFIG, errno, "%s: root.path %s",
					  SRC(c), c->root.path);
		if (!S_ISDIR(st.st_mode))
			return sluice_err(err, SLUICE_EXIT_CONFIG, ENOTDIR, "%s: root.path %s",
					  SRC(c), c->root.path);
	}
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct sluice_mount *m = &c->mounts[i];

		if (m->bind && m->source && stat(m->source, &st) < 0)
			return sluice_err(err, SLUICE_EXIT_CONFIG, errno,
					  "%s: mounts[%zu] (%s): bind source %s", SRC(c), i,
					  m->destination, m->source);
	}
	return 0;
}
