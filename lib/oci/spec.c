/* spec: runc's example config.json (libcontainer/specconv/example.go),
 * written the way runc writes it (tab-indented), changed only where this
 * build of sluice could not run it, so that sluice and runc both do:
 *   - the hostname "sluice".
 * Its linux.resources are runc's: deny every device, to which the cgroup
 * module adds the defaults a container's /dev needs, as runc does. 
 * --rootless as runc's ToRootless: a user namespace mapping the caller to
 * root, no network namespace, /sys bound from the host, no uid=/gid=
 * mount options. */
#include "oci_internal.h"

#include <errno.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>

#include "error.h"
#include "json.h"

static const char *const default_caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" };

struct spec_mount {
	const char *destination, *type, *source;
	const char *options[8];
};

static const struct spec_mount mounts[] = {
	{ "/proc", "proc", "proc", { NULL } },
	{ "/dev", "tmpfs", "tmpfs", { "nosuid", "strictatime", "mode=755", "size=65536k" } },
	{ "/dev/pts",
	  "devpts",
	  "devpts",
	  { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" } },
	{ "/dev/shm", "tmpfs", "shm", { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" } },
	{ "/dev/mqueue", "mqueue", "mqueue", { "nosuid", "noexec", "nodev" } },
	{ "/sys", "sysfs", "sysfs", { "nosuid", "noexec", "nodev", "ro" } },
	{ "/sys/fs/cgroup", "cgroup", "cgroup", { "nosuid", "noexec", "nodev", "relatime", "ro" } },
};

static const struct spec_mount rootless_sys = { "/sys",
						"none",
						"/sys",
						{ "rbind", "nosuid", "noexec", "nodev", "ro" } };

static const char *const masked[] = {
	"/proc/acpi",
	"/proc/asound",
	"/proc/kcore",
	"/proc/keys",
	"/proc/latency_stats",
	"/proc/timer_list",
	"/proc/timer_stats",
	"/proc/sched_debug",
	"/sys/firmware",
	"/proc/scsi",
	"/sys/devices/virtual/tpm",
};

static const char *const readonly[] = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
					"/proc/sysrq-trigger" };

static void strs(struct sluice_json *j, const char *key, const char *const *v, size_t n)
{
	sluice_json_key(j, key);
	sluice_json_arr_start(j);
	for (size_t i = 0; i < n && v[i]; i++)
		sluice_json_str(j, v[i]);
	sluice_json_arr_end(j);
}

static void process(struct sluice_json *j)
{
	static const char *const args[] = { "sh" };
	static const char *const env[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"
	};

	sluice_json_key(j, "process");
	sluice_json_obj_start(j);
	sluice_json_kbool(j, "terminal", true);
	sluice_json_key(j, "user");
	sluice_json_obj_start(j);
	sluice_json_kint(j, "uid", 0);
	sluice_json_kint(j, "gid", 0);
	sluice_json_obj_end(j);
	strs(j, "args", args, 1);
	strs(j, "env", env, 2);
	sluice_json_kstr(j, "cwd", "/");
	sluice_json_key(j, "capabilities");
	sluice_json_obj_start(j);
	strs(j, "bounding", default_caps, 3);
	strs(j, "effective", default_caps, 3);
	strs(j, "permitted", default_caps, 3);
	sluice_json_obj_end(j);
	sluice_json_key(j, "rlimits");
	sluice_json_arr_start(j);
	sluice_json_obj_start(j);
	sluice_json_kstr(j, "type", "RLIMIT_NOFILE");
	sluice_json_kint(j, "hard", 1024);
	sluice_json_kint(j, "soft", 1024);
	sluice_json_obj_end(j);
	sluice_json_arr_end(j);
	sluice_json_kbool(j, "noNewPrivileges", true);
	sluice_json_obj_end(j);
}

static void mount(struct sluice_json *j, const struct spec_mount *m, bool rootless)
{
	const char *opts[8];
	size_t n = 0;

	for (size_t i = 0; i < 8 && m->options[i]; i++)
		if (!rootless ||
		    (strncmp(m->options[i], "uid=", 4) && strncmp(m->options[i], "gid=", 4)))
			opts[n++] = m->options[i];
	sluice_json_obj_start(j);
	sluice_json_kstr(j, "destination", m->destination);
	sluice_json_kstr(j, "type", m->type);
	sluice_json_kstr(j, "source", m->source);
	if (n)
		strs(j, "options", opts, n);
	sluice_json_obj_end(j);
}

static void idmap(struct sluice_json *j, const char *key, unsigned id)
{
	sluice_json_key(j, key);
	sluice_json_arr_start(j);
	sluice_json_obj_start(j);
	sluice_json_kint(j, "containerID", 0);
	sluice_json_kint(j, "hostID", id);
	sluice_json_kint(j, "size", 1);
	sluice_json_obj_end(j);
	sluice_json_arr_end(j);
}

/* runc adds a cgroup namespace where the host has cgroup v2 unified. */
static bool unified_cgroup(void)
{
	struct statfs st;

	return statfs("/sys/fs/cgroup", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
}

static void namespaces(struct sluice_json *j, bool rootless)
{
	const char *types[] = { "pid", "network", "ipc", "uts", "mount", "cgroup", "user" };

	sluice_json_key(j, "namespaces");
	sluice_json_arr_start(j);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if ((rootless && !strcmp(types[i], "network")) ||
		    (!rootless && !strcmp(types[i], "user")) ||
		    (!strcmp(types[i], "cgroup") && !unified_cgroup()))
			continue;
		sluice_json_obj_start(j);
		sluice_json_kstr(j, "type", types[i]);
		sluice_json_obj_end(j);
	}
	sluice_json_arr_end(j);
}

static void linux_(struct sluice_json *j, bool rootless, uid_t uid, gid_t gid)
{
	sluice_json_key(j, "linux");
	sluice_json_obj_start(j);
	if (rootless) {
		idmap(j, "uidMappings", uid);
		idmap(j, "gidMappings", gid);
	}
	if (!rootless) {
		/* runc's ToRootless drops resources: no cgroup to write to */
		sluice_json_key(j, "resources");
		sluice_json_obj_start(j);
		sluice_json_key(j, "devices");
		sluice_json_arr_start(j);
		sluice_json_obj_start(j);
		sluice_json_kbool(j, "allow", false);
		sluice_json_kstr(j, "access", "rwm");
		sluice_json_obj_end(j);
		sluice_json_arr_end(j);
		sluice_json_obj_end(j);
	}
	namespaces(j, rootless);
	strs(j, "maskedPaths", masked, sizeof(masked) / sizeof(masked[0]));
	strs(j, "readonlyPaths", readonly, sizeof(readonly) / sizeof(readonly[0]));
	sluice_json_obj_end(j);
}

int sluice_oci_spec(bool rootless, uid_t uid, gid_t gid, char **out, struct sluice_error *err)
{
	struct sluice_json j;
	size_t len;

	sluice_json_init(&j, "\t");
	sluice_json_obj_start(&j);
	sluice_json_kstr(&j, "ociVersion", SLUICE_OCI_VERSION);
	process(&j);
	sluice_json_key(&j, "root");
	sluice_json_obj_start(&j);
	sluice_json_kstr(&j, "path", "rootfs");
	sluice_json_kbool(&j, "readonly", true);
	sluice_json_obj_end(&j);
	sluice_json_kstr(&j, "hostname", "sluice");
	sluice_json_key(&j, "mounts");
	sluice_json_arr_start(&j);
	for (size_t i = 0; i < sizeof(mounts) / sizeof(mounts[0]); i++)
		mount(&j,
		      rootless && !strcmp(mounts[i].destination, "/sys") ? &rootless_sys :
									   &mounts[i],
		      rootless);
	sluice_json_arr_end(&j);
	linux_(&j, rootless, uid, gid);
	sluice_json_obj_end(&j);
	if (sluice_json_finish(&j, out, &len) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "spec");
	return 0;
}
