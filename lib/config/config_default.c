/* The embedded default (docs/config.md "Defaults").
 *
 * It is written as a config document (JSON) and read by the same loader as
 * every other config, so the default cannot drift from what a user could
 * write, and configs/default.yaml is simply its emitted form.  Only the parts that
 * depend on the caller (uid/gid, the user namespace, devpts's gid=5, cwd)
 * are filled in by code. */
#include "config_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* JSON, which the loader reads without libyaml (config_json.c): this
 * document is read on every start. */
static const char default_json[] =
	"{\n"
	"  \"process\": {\n"
	"    \"terminal\": false,\n"
	"    \"args\": [],\n"
	"    \"env\": [\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\n"
	"            \"HOME=/tmp\"],\n"
	"    \"cwd\": \"/\",\n"
	"    \"user\": {\"umask\": 18, \"additionalGids\": []},\n"
	"    \"capabilities\": {\"bounding\": [], \"effective\": [], \"inheritable\": [],\n"
	"                     \"permitted\": [], \"ambient\": []},\n"
	"    \"rlimits\": [],\n"
	"    \"noNewPrivileges\": true\n"
	"  },\n"
	"  \"root\": {\"path\": \"/\", \"readonly\": true},\n"
	"  \"hostname\": \"sluice\",\n"
	"  \"mounts\": [\n"
	"    {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\",\n"
	"     \"options\": [\"nosuid\", \"noexec\", \"nodev\"]},\n"
	"    {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\",\n"
	"     \"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},\n"
	"    {\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\",\n"
	"     \"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\"]},\n"
	"    {\"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\",\n"
	"     \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"]},\n"
	"    {\"destination\": \"/tmp\", \"type\": \"tmpfs\", \"source\": \"tmpfs\",\n"
	"     \"options\": [\"nosuid\", \"nodev\", \"mode=1777\"]},\n"
	"    {\"destination\": \"/run\", \"type\": \"tmpfs\", \"source\": \"tmpfs\",\n"
	"     \"options\": [\"nosuid\", \"nodev\", \"mode=755\"]}\n"
	"  ],\n"
	"  \"linux\": {\n"
	"    \"namespaces\": [{\"type\": \"user\"}, {\"type\": \"mount\"}, {\"type\": \"pid\"},\n"
	"                   {\"type\": \"ipc\"}, {\"type\": \"uts\"}, {\"type\": \"network\"},\n"
	"                   {\"type\": \"cgroup\"}],\n"
	"    \"maskedPaths\": [\"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\",\n"
	"                    \"/proc/latency_stats\", \"/proc/timer_list\", \"/proc/timer_stats\",\n"
	"                    \"/proc/sched_debug\", \"/proc/scsi\", \"/sys/firmware\",\n"
	"                    \"/sys/devices/virtual/powercap\"],\n"
	"    \"readonlyPaths\": [\"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\",\n"
	"                      \"/proc/sysrq-trigger\"]\n"
	"  },\n"
	"  \"sluice\": {\n"
	"    \"timeout\": 0,\n"
	"    \"killGrace\": 5,\n"
	"    \"stdin\": \"inherit\",\n"
	"    \"stdout\": \"inherit\",\n"
	"    \"stderr\": \"inherit\",\n"
	"    \"init\": true,\n"
	"    \"initSignalGroup\": false,\n"
	"    \"remapExitCodes\": [],\n"
	"    \"preserveFds\": 0,\n"
	"    \"noNewKeyring\": false,\n"
	"    \"nestedUserNamespaces\": false,\n"
	"    \"stdioFollowSymlinks\": false\n"
	"  }\n"
	"}\n";

/* A cwd on a mount the sandbox replaces would not be the caller's
 * directory any more, and may not exist: fall back to "/". */
static bool cwd_usable(const struct sluice_config *c, const char *cwd)
{
	if (!cwd || cwd[0] != '/')
		return false;
	for (size_t i = 0; i < c->n_mounts; i++)
		if (config_path_within(cwd, c->mounts[i].destination))
			return false;
	return true;
}

static struct sluice_mount *find_mount(struct sluice_config *c, const char *dest)
{
	for (size_t i = 0; i < c->n_mounts; i++)
		if (!strcmp(c->mounts[i].destination, dest))
			return &c->mounts[i];
	return NULL;
}

/* gid 5 is the "tty" group only as the host's root: in a user namespace
 * that maps a single id, gid 5 is unmapped and devpts refuses to mount. */
static int add_devpts_gid(struct sluice_config *c)
{
	struct sluice_mount *m = find_mount(c, "/dev/pts");
	char *data;

	if (!m || (m->data && strstr(m->data, "gid=")))
		return 0;
	if (sluice_strv_push(&m->options, "gid=5") < 0)
		return -ENOMEM;
	if (asprintf(&data, "%s,gid=5", m->data) < 0)
		return -ENOMEM;
	free(m->data);
	m->data = data;
	return 0;
}

/* The caller's ids inside; a user namespace for everyone, root included:
 * finalize maps root's onto SLUICE_SANDBOX_ID (docs/security.md). */
static int apply_caller(struct sluice_config *c, const struct sluice_caller *who)
{
	c->process.user.uid = who->uid;
	c->process.user.gid = who->gid;
	if (cwd_usable(c, who->cwd)) {
		char *cwd = strdup(who->cwd);
		if (!cwd)
			return -ENOMEM;
		free(c->process.cwd);
		c->process.cwd = cwd;
		c->cwd_inherited = true;
	}
	return 0;
}

int config_real_root(struct sluice_config *c)
{
	c->linux.ns[SLUICE_NS_USER].enabled = false;
	c->userns_inherited = false;
	free(c->linux.uid_mappings);
	free(c->linux.gid_mappings);
	c->linux.uid_mappings = c->linux.gid_mappings = NULL;
	c->linux.n_uid_mappings = c->linux.n_gid_mappings = 0;
	return add_devpts_gid(c);
}

int sluice_config_real_root(struct sluice_config *c, const struct sluice_caller *who,
			    struct sluice_error *err)
{
	const struct sluice_namespace *user = &c->linux.ns[SLUICE_NS_USER];

	if (who->uid != 0)
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
				  "--real-root: sluice runs as uid %u, not as root", who->uid);
	if (user->path)
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
				  "--real-root: the config joins the user namespace %s", user->path);
	if (config_real_root(c) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "out of memory");
	return 0;
}

int sluice_config_default(struct sluice_config *c, const struct sluice_caller *who,
			  struct sluice_error *err)
{
	static const char name[] = "<default>";

	sluice_config_init(c);
	if (sluice_config_load_buffer(c, name, default_json, sizeof(default_json) - 1, "/", err) <
	    0) {
		sluice_config_free(c);
		return -1;
	}
	c->hostname_inherited = true;
	c->userns_inherited = true;
	/* the default filter depends on the final capabilities: finalize */
	c->seccomp_inherited = true;
	/* nothing in the default is relative: no directory to remember */
	free(c->base_dir);
	c->base_dir = NULL;
	if (apply_caller(c, who) < 0) {
		sluice_config_free(c);
		return sluice_err(err, SLUICE_EXIT_CONFIG, ENOMEM, "%s", name);
	}
	return 0;
}
