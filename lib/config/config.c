/* The config object: lifetime, and the name tables shared by the loader,
 * the emitter and the command line. */
#include "config_internal.h"

#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "util.h"

const char *const sluice_ns_names[SLUICE_NS_COUNT] = {
	[SLUICE_NS_USER] = "user",     [SLUICE_NS_MOUNT] = "mount", [SLUICE_NS_PID] = "pid",
	[SLUICE_NS_UTS] = "uts",       [SLUICE_NS_IPC] = "ipc",	    [SLUICE_NS_NET] = "network",
	[SLUICE_NS_CGROUP] = "cgroup", [SLUICE_NS_TIME] = "time",
};

const char *const sluice_capset_names[SLUICE_CAP_COUNT] = {
	[SLUICE_CAP_BOUNDING] = "bounding",	  [SLUICE_CAP_EFFECTIVE] = "effective",
	[SLUICE_CAP_INHERITABLE] = "inheritable", [SLUICE_CAP_PERMITTED] = "permitted",
	[SLUICE_CAP_AMBIENT] = "ambient",
};

const char *const sluice_hook_names[SLUICE_HOOK_COUNT] = {
	[SLUICE_HOOK_PRESTART] = "prestart",
	[SLUICE_HOOK_CREATE_RUNTIME] = "createRuntime",
	[SLUICE_HOOK_CREATE_CONTAINER] = "createContainer",
	[SLUICE_HOOK_START_CONTAINER] = "startContainer",
	[SLUICE_HOOK_POSTSTART] = "poststart",
	[SLUICE_HOOK_POSTSTOP] = "poststop",
};

/* Our own table rather than libcap's cap_to_name(): OCI spells names in
 * upper case with the CAP_ prefix, and the header's numbers are kernel ABI. */
#define CAP_ENTRY(x) [x] = #x
static const char *const cap_names[] = {
	CAP_ENTRY(CAP_CHOWN),
	CAP_ENTRY(CAP_DAC_OVERRIDE),
	CAP_ENTRY(CAP_DAC_READ_SEARCH),
	CAP_ENTRY(CAP_FOWNER),
	CAP_ENTRY(CAP_FSETID),
	CAP_ENTRY(CAP_KILL),
	CAP_ENTRY(CAP_SETGID),
	CAP_ENTRY(CAP_SETUID),
	CAP_ENTRY(CAP_SETPCAP),
	CAP_ENTRY(CAP_LINUX_IMMUTABLE),
	CAP_ENTRY(CAP_NET_BIND_SERVICE),
	CAP_ENTRY(CAP_NET_BROADCAST),
	CAP_ENTRY(CAP_NET_ADMIN),
	CAP_ENTRY(CAP_NET_RAW),
	CAP_ENTRY(CAP_IPC_LOCK),
	CAP_ENTRY(CAP_IPC_OWNER),
	CAP_ENTRY(CAP_SYS_MODULE),
	CAP_ENTRY(CAP_SYS_RAWIO),
	CAP_ENTRY(CAP_SYS_CHROOT),
	CAP_ENTRY(CAP_SYS_PTRACE),
	CAP_ENTRY(CAP_SYS_PACCT),
	CAP_ENTRY(CAP_SYS_ADMIN),
	CAP_ENTRY(CAP_SYS_BOOT),
	CAP_ENTRY(CAP_SYS_NICE),
	CAP_ENTRY(CAP_SYS_RESOURCE),
	CAP_ENTRY(CAP_SYS_TIME),
	CAP_ENTRY(CAP_SYS_TTY_CONFIG),
	CAP_ENTRY(CAP_MKNOD),
	CAP_ENTRY(CAP_LEASE),
	CAP_ENTRY(CAP_AUDIT_WRITE),
	CAP_ENTRY(CAP_AUDIT_CONTROL),
	CAP_ENTRY(CAP_SETFCAP),
	CAP_ENTRY(CAP_MAC_OVERRIDE),
	CAP_ENTRY(CAP_MAC_ADMIN),
	CAP_ENTRY(CAP_SYSLOG),
	CAP_ENTRY(CAP_WAKE_ALARM),
	CAP_ENTRY(CAP_BLOCK_SUSPEND),
	CAP_ENTRY(CAP_AUDIT_READ),
#ifdef CAP_PERFMON
	CAP_ENTRY(CAP_PERFMON),
#endif
#ifdef CAP_BPF
	CAP_ENTRY(CAP_BPF),
#endif
#ifdef CAP_CHECKPOINT_RESTORE
	CAP_ENTRY(CAP_CHECKPOINT_RESTORE),
#endif
};
#define N_CAPS (sizeof(cap_names) / sizeof(cap_names[0]))

#define RLIMIT_ENTRY(x) \
	{               \
#x, x   \
	}
static const struct {
	const char *name;
	int resource;
} rlimits[] = {
	RLIMIT_ENTRY(RLIMIT_AS),	 RLIMIT_ENTRY(RLIMIT_CORE),
	RLIMIT_ENTRY(RLIMIT_CPU),	 RLIMIT_ENTRY(RLIMIT_DATA),
	RLIMIT_ENTRY(RLIMIT_FSIZE),	 RLIMIT_ENTRY(RLIMIT_LOCKS),
	RLIMIT_ENTRY(RLIMIT_MEMLOCK),	 RLIMIT_ENTRY(RLIMIT_MSGQUEUE),
	RLIMIT_ENTRY(RLIMIT_NICE),	 RLIMIT_ENTRY(RLIMIT_NOFILE),
	RLIMIT_ENTRY(RLIMIT_NPROC),	 RLIMIT_ENTRY(RLIMIT_RSS),
	RLIMIT_ENTRY(RLIMIT_RTPRIO),	 RLIMIT_ENTRY(RLIMIT_RTTIME),
	RLIMIT_ENTRY(RLIMIT_SIGPENDING), RLIMIT_ENTRY(RLIMIT_STACK),
};

static const struct {
	const char *name;
	unsigned long flags;
} propagations[] = {
	{ "private", MS_PRIVATE },	 { "rprivate", MS_PRIVATE | MS_REC },
	{ "shared", MS_SHARED },	 { "rshared", MS_SHARED | MS_REC },
	{ "slave", MS_SLAVE },		 { "rslave", MS_SLAVE | MS_REC },
	{ "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
};

void sluice_config_init(struct sluice_config *c)
{
	memset(c, 0, sizeof(*c));
}

void config_mount_clear(struct sluice_mount *m)
{
	free(m->destination);
	free(m->type);
	free(m->source);
	sluice_strv_free(m->options);
	free(m->data);
	free(m->uid_map);
	free(m->gid_map);
	memset(m, 0, sizeof(*m));
}

void config_mounts_free(struct sluice_mount *m, size_t n)
{
	for (size_t i = 0; m && i < n; i++)
		config_mount_clear(&m[i]);
	free(m);
}

void config_devices_free(struct sluice_device *d, size_t n)
{
	for (size_t i = 0; d && i < n; i++)
		free(d[i].path);
	free(d);
}

void config_sysctl_free(struct sluice_sysctl *s, size_t n)
{
	for (size_t i = 0; s && i < n; i++) {
		free(s[i].key);
		free(s[i].value);
	}
	free(s);
}

void config_hooks_free(struct sluice_hook_list *l)
{
	for (size_t i = 0; l->v && i < l->n; i++) {
		free(l->v[i].path);
		sluice_strv_free(l->v[i].args);
		sluice_strv_free(l->v[i].env);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void sluice_config_strip_setup(struct sluice_config *c)
{
	free(c->hostname);
	free(c->domainname);
	c->hostname = c->domainname = NULL;
	c->hostname_inherited = false;
	config_mounts_free(c->mounts, c->n_mounts);
	c->mounts = NULL;
	c->n_mounts = 0;
	for (int k = 0; k < SLUICE_HOOK_COUNT; k++)
		config_hooks_free(&c->hooks[k]);
	free(c->linux.uid_mappings);
	free(c->linux.gid_mappings);
	c->linux.uid_mappings = c->linux.gid_mappings = NULL;
	c->linux.n_uid_mappings = c->linux.n_gid_mappings = 0;
	config_sysctl_free(c->linux.sysctl, c->linux.n_sysctl);
	c->linux.sysctl = NULL;
	c->linux.n_sysctl = 0;
	config_net_devices_free(c->linux.net_devices, c->linux.n_net_devices);
	c->linux.net_devices = NULL;
	c->linux.n_net_devices = 0;
	config_devices_free(c->linux.devices, c->linux.n_devices);
	c->linux.devices = NULL;
	c->linux.n_devices = 0;
	sluice_strv_free(c->linux.masked_paths);
	sluice_strv_free(c->linux.readonly_paths);
	c->linux.masked_paths = c->linux.readonly_paths = NULL;
	c->linux.rootfs_propagation = 0;
	/* the offsets are the container's time namespace's, which an exec
	 * joins by path */
	memset(c->linux.time_offsets, 0, sizeof(c->linux.time_offsets));
	sluice_resources_free(&c->linux.resources);
	free(c->linux.cgroups_path);
	c->linux.cgroups_path = NULL;
	c->sluice.timeout = 0;
	c->sluice.init = false;
	c->sluice.init_signal_group = false;
	c->sluice.n_remap_exit = 0;
	for (int i = 0; i < 3; i++) {
		free(c->sluice.stdio[i].path);
		c->sluice.stdio[i] = (struct sluice_stdio){ .mode = SLUICE_STDIO_INHERIT };
	}
}

bool sluice_config_has_hooks(const struct sluice_config *c)
{
	for (int k = 0; k < SLUICE_HOOK_COUNT; k++)
		if (c->hooks[k].n)
			return true;
	return false;
}

void config_process_clear(struct sluice_config *c)
{
	sluice_strv_free(c->process.args);
	sluice_strv_free(c->process.env);
	free(c->process.cwd);
	free(c->process.user.additional_gids);
	free(c->process.rlimits);
	free(c->process.exec_cpus.initial);
	free(c->process.exec_cpus.final);
	memset(&c->process, 0, sizeof(c->process));
}

static void free_linux(struct sluice_config *c)
{
	for (int i = 0; i < SLUICE_NS_COUNT; i++)
		free(c->linux.ns[i].path);
	free(c->linux.uid_mappings);
	free(c->linux.gid_mappings);
	free(c->linux.memory_policy.nodes);
	config_net_devices_free(c->linux.net_devices, c->linux.n_net_devices);
	config_sysctl_free(c->linux.sysctl, c->linux.n_sysctl);
	config_devices_free(c->linux.devices, c->linux.n_devices);
	sluice_strv_free(c->linux.masked_paths);
	sluice_strv_free(c->linux.readonly_paths);
	sluice_resources_free(&c->linux.resources);
	free(c->linux.cgroups_path);
	sluice_seccomp_free(c->linux.seccomp);
}

void sluice_config_free(struct sluice_config *c)
{
	if (!c)
		return;
	free(c->source);
	free(c->base_dir);
	sluice_strv_free(c->warnings);
	config_process_clear(c);
	free(c->root.path);
	free(c->hostname);
	free(c->domainname);
	config_mounts_free(c->mounts, c->n_mounts);
	for (int k = 0; k < SLUICE_HOOK_COUNT; k++)
		config_hooks_free(&c->hooks[k]);
	sluice_strv_free(c->annotations);
	free_linux(c);
	for (int i = 0; i < 3; i++)
		free(c->sluice.stdio[i].path);
	free(c->sluice.remap_exit);
	/* leave an empty config behind: freeing twice is harmless */
	sluice_config_init(c);
}

int sluice_ns_from_name(const char *name)
{
	for (int i = 0; i < SLUICE_NS_COUNT; i++)
		if (!strcmp(name, sluice_ns_names[i]))
			return i;
	return -1;
}

int sluice_cap_from_name(const char *name)
{
	const char *bare = strncasecmp(name, "CAP_", 4) ? name : name + 4;

	for (size_t i = 0; i < N_CAPS; i++)
		if (cap_names[i] && !strcasecmp(bare, cap_names[i] + 4))
			return (int)i;
	return -1;
}

uint64_t sluice_caps_grantable(void)
{
	uint64_t set = 0;

	for (size_t cap = 0; cap < N_CAPS && cap < 64; cap++)
		if (cap_names[cap] && prctl(PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0) == 1)
			set |= UINT64_C(1) << cap;
	return set;
}

const char *sluice_cap_name(int cap)
{
	if (cap < 0 || (size_t)cap >= N_CAPS)
		return NULL;
	return cap_names[cap];
}

size_t config_cap_names(const char **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < N_CAPS && n < max; i++)
		if (cap_names[i])
			out[n++] = cap_names[i];
	return n;
}

int sluice_rlimit_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(rlimits) / sizeof(rlimits[0]); i++)
		if (!strcmp(name, rlimits[i].name))
			return rlimits[i].resource;
	return -1;
}

const char *sluice_rlimit_name(int resource)
{
	for (size_t i = 0; i < sizeof(rlimits) / sizeof(rlimits[0]); i++)
		if (rlimits[i].resource == resource)
			return rlimits[i].name;
	return NULL;
}

size_t config_rlimit_names(const char **out, size_t max)
{
	size_t n = 0;

	for (; n < sizeof(rlimits) / sizeof(rlimits[0]) && n < max; n++)
		out[n] = rlimits[n].name;
	return n;
}

int config_propagation_from_name(const char *name, unsigned long *flags)
{
	for (size_t i = 0; i < sizeof(propagations) / sizeof(propagations[0]); i++)
		if (!strcmp(name, propagations[i].name)) {
			*flags = propagations[i].flags;
			return 0;
		}
	return -EINVAL;
}

const char *config_propagation_name(unsigned long flags)
{
	for (size_t i = 0; i < sizeof(propagations) / sizeof(propagations[0]); i++)
		if (flags == propagations[i].flags)
			return propagations[i].name;
	return NULL;
}

int sluice_stdio_parse(struct sluice_stdio *s, const char *text)
{
	static const char *const modes[] = {
		[SLUICE_STDIO_INHERIT] = "inherit",
		[SLUICE_STDIO_NULL] = "null",
		[SLUICE_STDIO_PIPE] = "pipe",
	};
	char *path = NULL;

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(text, modes[i])) {
			free(s->path);
			s->path = NULL;
			s->mode = (enum sluice_stdio_mode)i;
			return 0;
		}
	if (strncmp(text, "file:", 5) || !text[5])
		return -EINVAL;
	path = strdup(text + 5);
	if (!path)
		return -ENOMEM;
	free(s->path);
	s->path = path;
	s->mode = SLUICE_STDIO_FILE;
	return 0;
}

char *config_path_join(const char *base, const char *rel)
{
	size_t blen = strlen(base), rlen = strlen(rel);
	char *out = malloc(blen + rlen + 3);
	size_t o = 0;

	if (!out)
		return NULL;
	for (int part = 0; part < 2; part++) {
		const char *p = part ? rel : base;
		while (*p) {
			size_t len = strcspn(p, "/");
			if (len && !(len == 1 && p[0] == '.')) {
				out[o++] = '/';
				memcpy(out + o, p, len);
				o += len;
			}
			p += len;
			p += strspn(p, "/");
		}
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return out;
}

bool config_path_within(const char *path, const char *prefix)
{
	size_t len = strlen(prefix);

	while (len > 1 && prefix[len - 1] == '/')
		len--;
	if (len == 1 && prefix[0] == '/')
		return path[0] == '/';
	return !strncmp(path, prefix, len) && (path[len] == '\0' || path[len] == '/');
}

/* UTF-8 as YAML takes it: well-formed, shortest form, no surrogates, at
 * most U+10FFFF. */
bool config_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		unsigned char c = *p;
		size_t n = c < 0x80	      ? 1 :
			   (c & 0xe0) == 0xc0 ? 2 :
			   (c & 0xf0) == 0xe0 ? 3 :
			   (c & 0xf8) == 0xf0 ? 4 :
						0;
		uint32_t cp = n == 1 ? c : n == 2 ? c & 0x1f : n == 3 ? c & 0x0f : c & 0x07;

		if (!n || (size_t)(end - p) < n)
			return false;
		for (size_t i = 1; i < n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		p += n;
	}
	return true;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *config_base64_encode(const char *data, size_t len)
{
	const unsigned char *d = (const unsigned char *)data;
	char *out = malloc((len + 2) / 3 * 4 + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)d[i] << 16 | (i + 1 < len ? (uint32_t)d[i + 1] << 8 : 0) |
			     (i + 2 < len ? d[i + 2] : 0);
		*o++ = b64[v >> 18 & 63];
		*o++ = b64[v >> 12 & 63];
		*o++ = i + 1 < len ? b64[v >> 6 & 63] : '=';
		*o++ = i + 2 < len ? b64[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

int config_base64_decode(const char *text, size_t len, char **out, size_t *out_len)
{
	char *buf = malloc(len / 4 * 3 + 4);
	size_t n = 0, pad = 0, quad = 0;
	uint32_t v = 0;

	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		const char *at = text[i] ? strchr(b64, text[i]) : NULL;
		if (strchr(" \t\r\n", text[i]))
			continue;
		if (text[i] == '=' && quad >= 2) {
			pad++;
			at = b64; /* a zero sextet */
		} else if (!at || pad) {
			free(buf);
			return -EINVAL;
		}
		v = v << 6 | (uint32_t)(at - b64);
		if (++quad == 4) {
			buf[n++] = (char)(v >> 16);
			buf[n++] = (char)(v >> 8);
			buf[n++] = (char)v;
			n -= pad;
			quad = 0;
			v = 0;
		}
	}
	if (quad) {
		free(buf);
		return -EINVAL;
	}
	buf[n] = '\0';
	*out = buf;
	*out_len = n;
	return 0;
}

int64_t sluice_config_host_id(const struct sluice_config *c, bool group)
{
	const struct sluice_namespace *user = &c->linux.ns[SLUICE_NS_USER];
	const struct sluice_idmap *m = group ? c->linux.gid_mappings : c->linux.uid_mappings;
	size_t n = group ? c->linux.n_gid_mappings : c->linux.n_uid_mappings;
	uint32_t id = group ? c->process.user.gid : c->process.user.uid;

	if (!user->enabled)
		return id;
	if (user->path)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (id >= m[i].container_id &&
		    (uint64_t)id < (uint64_t)m[i].container_id + m[i].size)
			return (int64_t)m[i].host_id + (id - m[i].container_id);
	return -1;
}

size_t sluice_config_idmap_mounts(const struct sluice_config *c)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n_mounts; i++)
		n += c->mounts[i].idmap;
	return n;
}

bool sluice_config_time_offsets(const struct sluice_config *c)
{
	return c->linux.time_offsets[SLUICE_CLOCK_MONOTONIC].set ||
	       c->linux.time_offsets[SLUICE_CLOCK_BOOTTIME].set;
}
