/* Unit tests for the config module: the embedded default, the loader's
 * overlay rules and messages, the emitter's round trip, finalize and
 * validate.  Messages are compared exactly: they are what users see. */
#include <errno.h>
#include <linux/capability.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "error.h"
#include "tap.h"
#include "util.h"

#define CAP(n) (UINT64_C(1) << (n))

/* The source tree (configs/ lives there): $SLUICE_SRCDIR or the cwd at start. */
static char srcdir[2048];

static void make_default(struct sluice_config *c, uid_t uid, const char *cwd)
{
	struct sluice_caller who = { .uid = uid, .gid = uid, .cwd = (char *)cwd };
	struct sluice_error err = { 0 };

	if (sluice_config_default(c, &who, &err) < 0) {
		diag("default failed: %s", err.msg);
		exit(2);
	}
}

static int load(struct sluice_config *c, const char *yaml, struct sluice_error *err)
{
	return sluice_config_load_buffer(c, "config.yaml", yaml, strlen(yaml), "/srv/bundle", err);
}

/* Load yaml over the root default and expect exactly msg. */
static void load_fails(const char *yaml, const char *msg)
{
	struct sluice_config c;
	struct sluice_error err = { 0 };
	int r;

	make_default(&c, 0, "/");
	r = load(&c, yaml, &err);
	ok(r == -1 && err.exit_code == SLUICE_EXIT_CONFIG, "refused with exit code 78: %s", msg);
	is_str(err.msg, msg, "message");
	sluice_config_free(&c);
}

static void load_succeeds(struct sluice_config *c, const char *yaml, const char *what)
{
	struct sluice_error err = { 0 };
	int r = load(c, yaml, &err);

	ok(r == 0, "loads: %s", what);
	if (r < 0)
		diag("error: %s", err.msg);
}

/* emit, load on an empty config, emit again: the same bytes. */
static void round_trip(const struct sluice_config *c, const char *what)
{
	struct sluice_config back;
	struct sluice_error err = { 0 };
	char *first = NULL, *second = NULL;
	size_t n1 = 0, n2 = 0;

	sluice_config_init(&back);
	ok(sluice_config_emit(c, &first, &n1, &err) == 0, "%s: emits", what);
	ok(first && sluice_config_load_buffer(&back, "emitted", first, n1, "/nowhere", &err) == 0,
	   "%s: emitted text loads on an empty config", what);
	if (err.msg[0])
		diag("error: %s", err.msg);
	ok(sluice_config_emit(&back, &second, &n2, &err) == 0, "%s: emits again", what);
	ok(first && second && n1 == n2 && !memcmp(first, second, n1),
	   "%s: second emit is byte-identical", what);
	if (first && second && strcmp(first, second))
		diag("first:\n%s\nsecond:\n%s", first, second);
	free(first);
	free(second);
	sluice_config_free(&back);
}

static struct sluice_mount *find_mount(struct sluice_config *c, const char *dest)
{
	for (size_t i = 0; i < c->n_mounts; i++)
		if (!strcmp(c->mounts[i].destination, dest))
			return &c->mounts[i];
	return NULL;
}

static void test_names(void)
{
	struct sluice_stdio s = { 0 };

	is_int(sluice_ns_from_name("network"), SLUICE_NS_NET, "ns: network");
	is_int(sluice_ns_from_name("mount"), SLUICE_NS_MOUNT, "ns: mount");
	is_int(sluice_ns_from_name("net"), -1, "ns: net is not an OCI name");
	is_str(sluice_ns_names[SLUICE_NS_TIME], "time", "ns name: time");
	is_str(sluice_capset_names[SLUICE_CAP_AMBIENT], "ambient", "capset name: ambient");
	is_int(sluice_cap_from_name("CAP_SYS_ADMIN"), 21, "cap: CAP_SYS_ADMIN");
	is_int(sluice_cap_from_name("sys_admin"), 21, "cap: sys_admin");
	is_int(sluice_cap_from_name("Cap_Chown"), 0, "cap: Cap_Chown");
	is_int(sluice_cap_from_name("CAP_FOO"), -1, "cap: CAP_FOO unknown");
	is_int(sluice_cap_from_name("CAP_"), -1, "cap: bare prefix unknown");
	is_str(sluice_cap_name(21), "CAP_SYS_ADMIN", "cap name 21");
	is_str(sluice_cap_name(CAP_LAST_CAP), "CAP_CHECKPOINT_RESTORE", "cap name: last");
	ok(sluice_cap_name(63) == NULL, "cap name 63: none");
	is_int(sluice_rlimit_from_name("RLIMIT_NOFILE"), RLIMIT_NOFILE, "rlimit: NOFILE");
	is_int(sluice_rlimit_from_name("RLIMIT_SIGPENDING"), RLIMIT_SIGPENDING,
	       "rlimit: SIGPENDING");
	is_int(sluice_rlimit_from_name("NOFILE"), -1, "rlimit: needs the prefix");
	is_str(sluice_rlimit_name(RLIMIT_RTTIME), "RLIMIT_RTTIME", "rlimit name");
	is_int(sluice_stdio_parse(&s, "pipe"), 0, "stdio: pipe");
	is_int(s.mode, SLUICE_STDIO_PIPE, "stdio: pipe mode");
	is_int(sluice_stdio_parse(&s, "file:out/log"), 0, "stdio: file:");
	is_int(s.mode, SLUICE_STDIO_FILE, "stdio: file mode");
	is_str(s.path, "out/log", "stdio: relative path kept as written");
	is_int(sluice_stdio_parse(&s, "null"), 0, "stdio: null");
	ok(s.mode == SLUICE_STDIO_NULL && s.path == NULL, "stdio: null drops the path");
	is_int(sluice_stdio_parse(&s, "file:"), -EINVAL, "stdio: file: without a path");
	is_int(sluice_stdio_parse(&s, "tty"), -EINVAL, "stdio: unknown mode");
	is_int(sluice_stdio_parse(&s, "inherit"), 0, "stdio: inherit");
	free(s.path);
}

static void test_default_root(void)
{
	struct sluice_config c;
	struct sluice_mount *m;

	make_default(&c, 0, "/home/me/src");
	is_str(c.source, "<default>", "default: source");
	ok(c.process.args && !c.process.args[0], "default: no args");
	is_str(c.process.env[0],
	       "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "default: PATH");
	is_str(c.process.env[1], "HOME=/tmp", "default: HOME");
	ok(c.process.env[2] == NULL, "default: two env entries");
	is_str(c.process.cwd, "/home/me/src", "default: cwd is the caller's");
	ok(c.process.user.umask_set && c.process.user.umask == 022, "default: umask 0022");
	is_int(c.process.user.uid, 0, "default: uid of the caller");
	ok(c.process.no_new_privileges, "default: noNewPrivileges");
	ok(!c.process.caps[SLUICE_CAP_BOUNDING] && !c.process.caps[SLUICE_CAP_AMBIENT],
	   "default: no capabilities");
	is_str(c.root.path, "/", "default: root /");
	ok(c.root.readonly, "default: root read-only");
	is_str(c.hostname, "sluice", "default: hostname");
	ok(c.linux.ns[SLUICE_NS_USER].enabled && c.userns_inherited,
	   "default as root: a user namespace, the default's");
	ok(c.linux.ns[SLUICE_NS_MOUNT].enabled && c.linux.ns[SLUICE_NS_PID].enabled &&
		   c.linux.ns[SLUICE_NS_IPC].enabled && c.linux.ns[SLUICE_NS_UTS].enabled &&
		   c.linux.ns[SLUICE_NS_NET].enabled && c.linux.ns[SLUICE_NS_CGROUP].enabled &&
		   !c.linux.ns[SLUICE_NS_TIME].enabled,
	   "default: mount pid ipc uts network cgroup");
	is_int(c.n_mounts, 6, "default: six mounts");
	m = find_mount(&c, "/run");
	ok(m && m->flags == (MS_NOSUID | MS_NODEV) && m->type && !strcmp(m->type, "tmpfs"),
	   "default: an empty tmpfs on /run");
	ok(!c.sluice.no_new_keyring && !c.sluice.nested_userns && !c.sluice.stdio_follow_symlinks,
	   "default: a new keyring, no nested user namespaces, no stdio symlinks");
	m = find_mount(&c, "/proc");
	ok(m && m->flags == (MS_NOSUID | MS_NOEXEC | MS_NODEV) && !m->data, "default: /proc flags");
	m = find_mount(&c, "/dev/pts");
	is_str(m ? m->data : NULL, "newinstance,ptmxmode=0666,mode=0620",
	       "default as root: no gid=5 (a user namespace)");
	m = find_mount(&c, "/dev");
	ok(m && m->flags == (MS_NOSUID | MS_STRICTATIME), "default: /dev flags");
	is_str(m ? m->data : NULL, "mode=755,size=65536k", "default: /dev data");
	is_int(sluice_strv_len(c.linux.masked_paths), 11, "default: masked paths");
	is_str(c.linux.masked_paths[10], "/sys/devices/virtual/powercap",
	       "default: powercap masked");
	is_int(sluice_strv_len(c.linux.readonly_paths), 5, "default: read-only paths");
	ok(c.sluice.timeout == 0 && c.sluice.kill_grace == 5, "default: timeout 0, killGrace 5");
	ok(c.sluice.stdio[0].mode == SLUICE_STDIO_INHERIT &&
		   c.sluice.stdio[2].mode == SLUICE_STDIO_INHERIT,
	   "default: stdio inherited");
	round_trip(&c, "default as root");
	sluice_config_free(&c);
}

static void test_default_user(void)
{
	struct sluice_config c;
	struct sluice_mount *m;

	make_default(&c, 1000, NULL);
	ok(c.linux.ns[SLUICE_NS_USER].enabled && !c.linux.ns[SLUICE_NS_USER].path,
	   "default as 1000: new user namespace");
	ok(c.process.user.uid == 1000 && c.process.user.gid == 1000, "default as 1000: uid/gid");
	ok(c.linux.n_uid_mappings == 0 && c.linux.n_gid_mappings == 0, "default: no mappings yet");
	m = find_mount(&c, "/dev/pts");
	is_str(m ? m->data : NULL, "newinstance,ptmxmode=0666,mode=0620",
	       "default as 1000: no gid=5");
	is_str(c.process.cwd, "/", "default: unknown cwd gives /");
	round_trip(&c, "default as 1000");
	sluice_config_free(&c);

	static const char *const shadowed[] = { "/tmp", "/tmp/x", "/dev", "/proc/1", "relative" };
	for (size_t i = 0; i < sizeof(shadowed) / sizeof(shadowed[0]); i++) {
		make_default(&c, 1000, shadowed[i]);
		is_str(c.process.cwd, "/", "default: cwd %s falls back to /", shadowed[i]);
		sluice_config_free(&c);
	}
	make_default(&c, 1000, "/tmpfoo");
	is_str(c.process.cwd, "/tmpfoo", "default: /tmpfoo is not under /tmp");
	sluice_config_free(&c);
}

static const char rich_yaml[] =
	"process:\n"
	"  terminal: false\n"
	"  args: [/bin/sh, -c, \"echo hi; exit 3\", \"true\", \"\", \"null\", \"0755\", 42]\n"
	"  env: [A=1, \"B=two words\", \"C=x: y\", EMPTY=, \"NL=a\\nb\"]\n"
	"  cwd: /work dir\n"
	"  user: {uid: 1000, gid: 100, umask: 0o027, additionalGids: [10, 20]}\n"
	"  capabilities:\n"
	"    bounding: [CAP_NET_BIND_SERVICE, CAP_KILL, cap_chown]\n"
	"    effective: [CAP_KILL]\n"
	"    inheritable: [NET_BIND_SERVICE]\n"
	"    permitted: [CAP_KILL, CAP_NET_BIND_SERVICE]\n"
	"    ambient: [CAP_NET_BIND_SERVICE]\n"
	"  rlimits:\n"
	"  - {type: RLIMIT_NOFILE, soft: 1024, hard: 4096}\n"
	"  - {type: RLIMIT_CORE, soft: 0, hard: 18446744073709551615}\n"
	"  noNewPrivileges: false\n"
	"  oomScoreAdj: -500\n"
	"  apparmorProfile: \"\"\n"
	"root: {path: /srv/rootfs, readonly: false}\n"
	"hostname: box\n"
	"domainname: example.org\n"
	"mounts:\n"
	"- {destination: /data, type: bind, source: data, options: [rbind, ro, nosuid, rslave]}\n"
	"- destination: /run\n"
	"  type: tmpfs\n"
	"  source: tmpfs\n"
	"  options: [rw, nodev, exec, mode=755, size=1m, noatime]\n"
	"- {destination: /mnt, source: /host/mnt, options: [bind, private, ro, rw]}\n"
	"linux:\n"
	"  namespaces: [{type: user}, {type: mount}, {type: pid}, {type: uts}, {type: ipc},\n"
	"               {type: network, path: /run/netns/x}, {type: cgroup}, {type: time}]\n"
	"  uidMappings: [{containerID: 0, hostID: 100000, size: 65536}]\n"
	"  gidMappings: [{containerID: 0, hostID: 100000, size: 65536}]\n"
	"  sysctl: {net.ipv4.ip_forward: 1, kernel.msgmax: \"65536\", \"null\": \"true\"}\n"
	"  devices:\n"
	"  - {path: /dev/fuse, type: c, major: 10, minor: 229, fileMode: 0666, uid: 0, gid: 0}\n"
	"  - {path: /dev/fifo, type: p, fileMode: 420}\n"
	"  maskedPaths: [/proc/kcore]\n"
	"  readonlyPaths: [/proc/sys, /proc/sysrq-trigger]\n"
	"  rootfsPropagation: rslave\n"
	"sluice:\n"
	"  timeout: 2.5\n"
	"  killGrace: 0.1\n"
	"  stdin: \"null\"\n"
	"  stdout: pipe\n"
	"  stderr: file:logs/err.txt\n"
	"  init: true\n"
	"  initSignalGroup: true\n"
	"  remapExitCodes: [1, 143]\n"
	"  preserveFds: 2\n"
	"ociVersion: 1.2.0\n"
	"annotations: {org.example/a: b}\n"
	"hooks: {}\n";

static void check_rich_process(const struct sluice_config *c)
{
	is_int(sluice_strv_len(c->process.args), 8, "rich: args");
	is_str(c->process.args[3], "true", "rich: quoted true is a string");
	is_str(c->process.args[7], "42", "rich: a plain number as a string");
	is_str(c->process.env[4], "NL=a\nb", "rich: escapes");
	is_str(c->process.cwd, "/work dir", "rich: cwd");
	is_int(c->process.user.umask, 027, "rich: umask 0o027");
	ok(c->process.user.n_additional_gids == 2 && c->process.user.additional_gids[1] == 20,
	   "rich: additionalGids");
	ok(c->process.caps[SLUICE_CAP_BOUNDING] ==
		   (CAP(CAP_NET_BIND_SERVICE) | CAP(CAP_KILL) | CAP(CAP_CHOWN)),
	   "rich: bounding set");
	ok(c->process.caps[SLUICE_CAP_INHERITABLE] == CAP(CAP_NET_BIND_SERVICE),
	   "rich: a name without CAP_");
	ok(c->process.n_rlimits == 2 && c->process.rlimits[1].resource == RLIMIT_CORE &&
		   c->process.rlimits[1].hard == UINT64_MAX,
	   "rich: rlimits up to 2^64-1");
	ok(c->process.oom_score_adj_set && c->process.oom_score_adj == -500, "rich: oomScoreAdj");
	ok(!c->process.no_new_privileges, "rich: noNewPrivileges false");
}

static void check_rich_mounts(struct sluice_config *c)
{
	struct sluice_mount *m = find_mount(c, "/data");

	ok(m && m->bind && m->recursive, "rich: rbind");
	is_str(m ? m->source : NULL, "/srv/bundle/data", "rich: relative bind source joined");
	ok(m && m->flags == (MS_RDONLY | MS_NOSUID) && m->propagation == (MS_SLAVE | MS_REC),
	   "rich: ro nosuid rslave");
	m = find_mount(c, "/run");
	ok(m && !m->bind && m->flags == (MS_NODEV | MS_NOATIME) &&
		   m->clear == (MS_RDONLY | MS_NOEXEC),
	   "rich: rw/exec clear, nodev/noatime set");
	is_str(m ? m->data : NULL, "mode=755,size=1m", "rich: filesystem data");
	is_str(m ? m->source : NULL, "tmpfs", "rich: non-bind source not joined");
	m = find_mount(c, "/mnt");
	ok(m && m->bind && !m->type && m->propagation == MS_PRIVATE, "rich: bind without type");
	ok(m && !(m->flags & MS_RDONLY) && (m->clear & MS_RDONLY), "rich: later rw wins over ro");
}

static void check_rich_linux(const struct sluice_config *c)
{
	ok(c->linux.ns[SLUICE_NS_TIME].enabled, "rich: time namespace");
	is_str(c->linux.ns[SLUICE_NS_NET].path, "/run/netns/x", "rich: joined network ns");
	ok(c->linux.n_uid_mappings == 1 && c->linux.uid_mappings[0].host_id == 100000 &&
		   c->linux.uid_mappings[0].size == 65536,
	   "rich: uidMappings");
	ok(c->linux.n_sysctl == 3 && !strcmp(c->linux.sysctl[0].value, "1"),
	   "rich: sysctl value written as a number");
	ok(c->linux.n_devices == 2 && c->linux.devices[0].file_mode == 0666 &&
		   c->linux.devices[0].major == 10 && c->linux.devices[0].uid_set,
	   "rich: device");
	ok(c->linux.devices[1].type == 'p' && c->linux.devices[1].file_mode == 0644 &&
		   !c->linux.devices[1].uid_set,
	   "rich: fifo, decimal fileMode as in OCI JSON");
	is_int(c->linux.rootfs_propagation, MS_SLAVE | MS_REC, "rich: rootfsPropagation");
}

static void check_rich_sluice(const struct sluice_config *c)
{
	ok(c->sluice.timeout == 2.5 && c->sluice.kill_grace == 0.1, "rich: timeout, killGrace");
	ok(c->sluice.stdio[0].mode == SLUICE_STDIO_NULL, "rich: stdin null");
	ok(c->sluice.stdio[2].mode == SLUICE_STDIO_FILE &&
		   !strcmp(c->sluice.stdio[2].path, "logs/err.txt"),
	   "rich: stderr file, relative path kept");
	ok(c->sluice.init && c->sluice.init_signal_group, "rich: init flags");
	ok(c->sluice.n_remap_exit == 2 && c->sluice.remap_exit[1] == 143, "rich: remapExitCodes");
	is_int(c->sluice.preserve_fds, 2, "rich: preserveFds");
}

static void test_rich(void)
{
	struct sluice_config c;
	struct sluice_caller who = { .uid = 0, .gid = 0 };
	struct sluice_error err = { 0 };
	char *text = NULL;
	size_t len = 0;

	make_default(&c, 0, "/");
	load_succeeds(&c, rich_yaml, "every field");
	check_rich_process(&c);
	check_rich_mounts(&c);
	check_rich_linux(&c);
	check_rich_sluice(&c);
	is_str(c.source, "config.yaml", "rich: source is the document name");
	is_str(c.base_dir, "/srv/bundle", "rich: base_dir");
	round_trip(&c, "rich config");
	ok(sluice_config_emit(&c, &text, &len, &err) == 0, "rich: emit");
	ok(text && strstr(text, "  stdin: \"null\"\n") && strstr(text, "  - \"true\"\n") &&
		   strstr(text, "    umask: 0027\n") && strstr(text, "\"null\": \"true\"") &&
		   strstr(text, "  killGrace: 0.1\n"),
	   "rich: ambiguous strings quoted, modes octal, short decimals");
	free(text);
	/* "null" was for the emitter's quoting: not a key finalize accepts. */
	free(c.linux.sysctl[2].key);
	c.linux.sysctl[2].key = strdup("fs.mqueue.msg_max");
	is_int(sluice_config_finalize(&c, &who, &err), 0, "rich: finalize passes");
	if (err.msg[0])
		diag("error: %s", err.msg);
	sluice_config_free(&c);
}

/* What `runc spec` writes, minus terminal: true and linux.resources. */
static const char runc_json[] =
	"{\n"
	"\t\"ociVersion\": \"1.2.1\",\n"
	"\t\"process\": {\n"
	"\t\t\"terminal\": false,\n"
	"\t\t\"user\": {\n"
	"\t\t\t\"uid\": 0,\n"
	"\t\t\t\"gid\": 0\n"
	"\t\t},\n"
	"\t\t\"args\": [\n"
	"\t\t\t\"sh\"\n"
	"\t\t],\n"
	"\t\t\"env\": [\n"
	"\t\t\t\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\n"
	"\t\t\t\"TERM=xterm\"\n"
	"\t\t],\n"
	"\t\t\"cwd\": \"/\",\n"
	"\t\t\"capabilities\": {\n"
	"\t\t\t\"bounding\": [\n"
	"\t\t\t\t\"CAP_AUDIT_WRITE\",\n"
	"\t\t\t\t\"CAP_KILL\",\n"
	"\t\t\t\t\"CAP_NET_BIND_SERVICE\"\n"
	"\t\t\t],\n"
	"\t\t\t\"effective\": [\n"
	"\t\t\t\t\"CAP_AUDIT_WRITE\",\n"
	"\t\t\t\t\"CAP_KILL\",\n"
	"\t\t\t\t\"CAP_NET_BIND_SERVICE\"\n"
	"\t\t\t],\n"
	"\t\t\t\"permitted\": [\n"
	"\t\t\t\t\"CAP_AUDIT_WRITE\",\n"
	"\t\t\t\t\"CAP_KILL\",\n"
	"\t\t\t\t\"CAP_NET_BIND_SERVICE\"\n"
	"\t\t\t]\n"
	"\t\t},\n"
	"\t\t\"rlimits\": [\n"
	"\t\t\t{\n"
	"\t\t\t\t\"type\": \"RLIMIT_NOFILE\",\n"
	"\t\t\t\t\"hard\": 1024,\n"
	"\t\t\t\t\"soft\": 1024\n"
	"\t\t\t}\n"
	"\t\t],\n"
	"\t\t\"noNewPrivileges\": true\n"
	"\t},\n"
	"\t\"root\": {\n"
	"\t\t\"path\": \"rootfs\",\n"
	"\t\t\"readonly\": true\n"
	"\t},\n"
	"\t\"hostname\": \"runc\",\n"
	"\t\"mounts\": [\n"
	"\t\t{\n"
	"\t\t\t\"destination\": \"/proc\",\n"
	"\t\t\t\"type\": \"proc\",\n"
	"\t\t\t\"source\": \"proc\"\n"
	"\t\t},\n"
	"\t\t{\n"
	"\t\t\t\"destination\": \"/dev\",\n"
	"\t\t\t\"type\": \"tmpfs\",\n"
	"\t\t\t\"source\": \"tmpfs\",\n"
	"\t\t\t\"options\": [\n"
	"\t\t\t\t\"nosuid\",\n"
	"\t\t\t\t\"strictatime\",\n"
	"\t\t\t\t\"mode=755\",\n"
	"\t\t\t\t\"size=65536k\"\n"
	"\t\t\t]\n"
	"\t\t},\n"
	"\t\t{\n"
	"\t\t\t\"destination\": \"/dev/pts\",\n"
	"\t\t\t\"type\": \"devpts\",\n"
	"\t\t\t\"source\": \"devpts\",\n"
	"\t\t\t\"options\": [\n"
	"\t\t\t\t\"nosuid\",\n"
	"\t\t\t\t\"noexec\",\n"
	"\t\t\t\t\"newinstance\",\n"
	"\t\t\t\t\"ptmxmode=0666\",\n"
	"\t\t\t\t\"mode=0620\",\n"
	"\t\t\t\t\"gid=5\"\n"
	"\t\t\t]\n"
	"\t\t},\n"
	"\t\t{\n"
	"\t\t\t\"destination\": \"/dev/shm\",\n"
	"\t\t\t\"type\": \"tmpfs\",\n"
	"\t\t\t\"source\": \"shm\",\n"
	"\t\t\t\"options\": [\n"
	"\t\t\t\t\"nosuid\",\n"
	"\t\t\t\t\"noexec\",\n"
	"\t\t\t\t\"nodev\",\n"
	"\t\t\t\t\"mode=1777\",\n"
	"\t\t\t\t\"size=65536k\"\n"
	"\t\t\t]\n"
	"\t\t},\n"
	"\t\t{\n"
	"\t\t\t\"destination\": \"/dev/mqueue\",\n"
	"\t\t\t\"type\": \"mqueue\",\n"
	"\t\t\t\"source\": \"mqueue\",\n"
	"\t\t\t\"options\": [\n"
	"\t\t\t\t\"nosuid\",\n"
	"\t\t\t\t\"noexec\",\n"
	"\t\t\t\t\"nodev\"\n"
	"\t\t\t]\n"
	"\t\t},\n"
	"\t\t{\n"
	"\t\t\t\"destination\": \"/sys\",\n"
	"\t\t\t\"type\": \"sysfs\",\n"
	"\t\t\t\"source\": \"sysfs\",\n"
	"\t\t\t\"options\": [\n"
	"\t\t\t\t\"nosuid\",\n"
	"\t\t\t\t\"noexec\",\n"
	"\t\t\t\t\"nodev\",\n"
	"\t\t\t\t\"ro\"\n"
	"\t\t\t]\n"
	"\t\t},\n"
	"\t\t{\n"
	"\t\t\t\"destination\": \"/sys/fs/cgroup\",\n"
	"\t\t\t\"type\": \"cgroup\",\n"
	"\t\t\t\"source\": \"cgroup\",\n"
	"\t\t\t\"options\": [\n"
	"\t\t\t\t\"nosuid\",\n"
	"\t\t\t\t\"noexec\",\n"
	"\t\t\t\t\"nodev\",\n"
	"\t\t\t\t\"relatime\",\n"
	"\t\t\t\t\"ro\"\n"
	"\t\t\t]\n"
	"\t\t}\n"
	"\t],\n"
	"\t\"linux\": {\n"
	"\t\t\"namespaces\": [\n"
	"\t\t\t{\n"
	"\t\t\t\t\"type\": \"pid\"\n"
	"\t\t\t},\n"
	"\t\t\t{\n"
	"\t\t\t\t\"type\": \"network\"\n"
	"\t\t\t},\n"
	"\t\t\t{\n"
	"\t\t\t\t\"type\": \"ipc\"\n"
	"\t\t\t},\n"
	"\t\t\t{\n"
	"\t\t\t\t\"type\": \"uts\"\n"
	"\t\t\t},\n"
	"\t\t\t{\n"
	"\t\t\t\t\"type\": \"mount\"\n"
	"\t\t\t},\n"
	"\t\t\t{\n"
	"\t\t\t\t\"type\": \"cgroup\"\n"
	"\t\t\t}\n"
	"\t\t],\n"
	"\t\t\"maskedPaths\": [\n"
	"\t\t\t\"/proc/acpi\",\n"
	"\t\t\t\"/proc/asound\",\n"
	"\t\t\t\"/proc/kcore\",\n"
	"\t\t\t\"/proc/keys\",\n"
	"\t\t\t\"/proc/latency_stats\",\n"
	"\t\t\t\"/proc/timer_list\",\n"
	"\t\t\t\"/proc/timer_stats\",\n"
	"\t\t\t\"/proc/sched_debug\",\n"
	"\t\t\t\"/sys/firmware\",\n"
	"\t\t\t\"/proc/scsi\",\n"
	"\t\t\t\"/sys/devices/virtual/tpm\"\n"
	"\t\t],\n"
	"\t\t\"readonlyPaths\": [\n"
	"\t\t\t\"/proc/bus\",\n"
	"\t\t\t\"/proc/fs\",\n"
	"\t\t\t\"/proc/irq\",\n"
	"\t\t\t\"/proc/sys\",\n"
	"\t\t\t\"/proc/sysrq-trigger\"\n"
	"\t\t]\n"
	"\t}\n"
	"}\n";

static void test_runc_json(void)
{
	struct sluice_config c;
	struct sluice_caller who = { .uid = 0, .gid = 0 };
	struct sluice_error err = { 0 };
	struct sluice_mount *m;
	uint64_t three = CAP(CAP_AUDIT_WRITE) | CAP(CAP_KILL) | CAP(CAP_NET_BIND_SERVICE);

	ok(strchr(runc_json, '\t') != NULL, "runc JSON is TAB-indented");
	make_default(&c, 0, "/");
	load_succeeds(&c, runc_json, "runc spec JSON");
	is_str(c.root.path, "/srv/bundle/rootfs", "json: root.path joined with the bundle");
	ok(c.process.args && !strcmp(c.process.args[0], "sh") && !c.process.args[1], "json: args");
	is_str(c.process.env[1], "TERM=xterm", "json: env replaced");
	ok(c.process.env[2] == NULL, "json: env replaced, not appended");
	ok(c.process.caps[SLUICE_CAP_BOUNDING] == three &&
		   c.process.caps[SLUICE_CAP_PERMITTED] == three &&
		   c.process.caps[SLUICE_CAP_INHERITABLE] == 0 &&
		   c.process.caps[SLUICE_CAP_AMBIENT] == 0,
	   "json: capabilities");
	ok(c.process.n_rlimits == 1 && c.process.rlimits[0].resource == RLIMIT_NOFILE &&
		   c.process.rlimits[0].soft == 1024,
	   "json: rlimits");
	is_str(c.hostname, "runc", "json: hostname");
	is_int(c.n_mounts, 7, "json: mounts replaced");
	m = find_mount(&c, "/sys/fs/cgroup");
	ok(m && m->flags == (MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME | MS_RDONLY) && !m->data,
	   "json: cgroup mount flags");
	m = find_mount(&c, "/dev/pts");
	is_str(m ? m->data : NULL, "newinstance,ptmxmode=0666,mode=0620,gid=5", "json: devpts data");
	ok(!c.linux.ns[SLUICE_NS_USER].enabled && c.linux.ns[SLUICE_NS_NET].enabled,
	   "json: namespaces");
	is_int(sluice_strv_len(c.linux.masked_paths), 11, "json: masked paths");
	is_str(c.linux.masked_paths[10], "/sys/devices/virtual/tpm", "json: masked paths replaced");
	ok(c.process.user.umask_set, "json: absent umask keeps the default");
	is_int(sluice_config_finalize(&c, &who, &err), 0, "json: finalize as root passes");
	if (err.msg[0])
		diag("error: %s", err.msg);
	round_trip(&c, "runc JSON");
	sluice_config_free(&c);
}

static void test_errors_keys(void)
{
	load_fails("process:\n  cwdd: /\n",
		   "config.yaml:2:3: unknown key \"cwdd\" in process (did you mean \"cwd\"?)");
	load_fails("hostnme: x\n",
		   "config.yaml:1:1: unknown key \"hostnme\" at the top level (did you mean "
		   "\"hostname\"?)");
	load_fails("process:\n  user:\n    frobnicate: 1\n",
		   "config.yaml:3:5: unknown key \"frobnicate\" in process.user");
	load_fails("linux:\n  namespaces:\n  - {type: pid, pth: /x}\n",
		   "config.yaml:3:17: unknown key \"pth\" in linux.namespaces[0] (did you mean "
		   "\"path\"?)");
	load_fails("hostname: a\nhostname: b\n",
		   "config.yaml:2:1: duplicate key \"hostname\" (first at line 1, column 1)");
	load_fails("{[a]: 1}\n", "config.yaml:1:2: mapping keys must be scalars");
	load_fails("windows: {}\n", "config.yaml:1:10: windows: sluice runs Linux containers only");
}

static void test_errors_types(void)
{
	load_fails("process:\n  args: {a: b}\n",
		   "config.yaml:2:9: process.args: expected a list of strings, got a mapping");
	load_fails("process:\n  args: [a, [b]]\n",
		   "config.yaml:2:13: process.args[1]: expected a string, got a list");
	load_fails("process:\n  user:\n    uid: \"5\"\n",
		   "config.yaml:3:10: process.user.uid: expected an integer, got the quoted string "
		   "\"5\"");
	load_fails("process:\n  noNewPrivileges: yes\n",
		   "config.yaml:2:20: process.noNewPrivileges: expected a boolean (true or false), "
		   "got \"yes\"");
	load_fails("process:\n  noNewPrivileges: \"true\"\n",
		   "config.yaml:2:20: process.noNewPrivileges: expected a boolean (true or false), "
		   "got the quoted string \"true\"");
	load_fails("hostname: true\n",
		   "config.yaml:1:11: hostname: expected a string, got the boolean true");
	load_fails("process:\n  user: {uid: -1}\n",
		   "config.yaml:2:15: process.user.uid: -1 is out of range (0..4294967294)");
	load_fails("process:\n  oomScoreAdj: 1001\n",
		   "config.yaml:2:16: process.oomScoreAdj: 1001 is out of range (-1000..1000)");
	load_fails("process:\n  user: {umask: 0999}\n",
		   "config.yaml:2:17: process.user.umask: expected a mode (decimal, or octal as 0755 "
		   "or 0o755), got \"0999\"");
	load_fails("process:\n  user: {umask: 01000}\n",
		   "config.yaml:2:17: process.user.umask: 01000 is out of range (0..0777)");
	load_fails("process:\n  user: {umask: \"0022\"}\n",
		   "config.yaml:2:17: process.user.umask: expected a mode (decimal, or octal as 0755 "
		   "or 0o755), got the quoted string \"0022\"");
	load_fails("sluice:\n  timeout: -1\n", "config.yaml:2:12: sluice.timeout: -1 is negative");
	load_fails("sluice:\n  timeout: 1h\n",
		   "config.yaml:2:12: sluice.timeout: expected a number of seconds, got \"1h\"");
	load_fails("sluice:\n  stdout: tty\n",
		   "config.yaml:2:11: sluice.stdout: expected inherit, null, pipe or file:PATH, got "
		   "\"tty\"");
	load_fails("sluice:\n  remapExitCodes: [256]\n",
		   "config.yaml:2:20: sluice.remapExitCodes[0]: 256 is out of range (0..255)");
	load_fails("42\n", "config.yaml:1:1: the document: expected a mapping, got \"42\"");
}

static void test_errors_names(void)
{
	load_fails("linux:\n  namespaces:\n  - type: pid\n  - type: mount\n  - type: nett\n",
		   "config.yaml:5:11: linux.namespaces[2].type: unknown namespace \"nett\" (did you "
		   "mean \"network\"?)");
	load_fails("linux:\n  namespaces: [{type: mnt}]\n",
		   "config.yaml:2:23: linux.namespaces[0].type: unknown namespace \"mnt\" (did you "
		   "mean \"mount\"?)");
	load_fails("linux:\n  namespaces: [{type: pid}, {type: pid}]\n",
		   "config.yaml:2:36: linux.namespaces[1].type: namespace \"pid\" is listed twice");
	load_fails("linux:\n  namespaces: [{path: /proc/1/ns/pid}]\n",
		   "config.yaml:2:16: linux.namespaces[0]: required key \"type\" is missing");
	load_fails("process:\n  capabilities:\n    bounding: [CAP_FOO]\n",
		   "config.yaml:3:16: process.capabilities.bounding[0]: unknown capability "
		   "\"CAP_FOO\"");
	load_fails("process:\n  capabilities:\n    effective: [CAP_KILL, sys_admn]\n",
		   "config.yaml:3:27: process.capabilities.effective[1]: unknown capability "
		   "\"sys_admn\" (did you mean \"CAP_SYS_ADMIN\"?)");
	load_fails("process:\n  rlimits:\n  - {type: RLIMIT_NOFLE, soft: 1, hard: 2}\n",
		   "config.yaml:3:12: process.rlimits[0].type: unknown rlimit \"RLIMIT_NOFLE\" (did "
		   "you mean \"RLIMIT_NOFILE\"?)");
	load_fails("process:\n  rlimits:\n  - {type: RLIMIT_NOFILE, soft: 2, hard: 1}\n",
		   "config.yaml:3:5: process.rlimits[0]: soft limit 2 is above hard limit 1");
	load_fails("process:\n  rlimits:\n  - {type: RLIMIT_NOFILE, soft: 2}\n",
		   "config.yaml:3:5: process.rlimits[0]: required key \"hard\" is missing");
	load_fails("process:\n  rlimits:\n  - {type: RLIMIT_CPU, soft: 1, hard: 1}\n"
		   "  - {type: RLIMIT_CPU, soft: 2, hard: 2}\n",
		   "config.yaml:4:5: process.rlimits[1]: RLIMIT_CPU is given twice");
	load_fails("linux:\n  rootfsPropagation: privat\n",
		   "config.yaml:2:22: linux.rootfsPropagation: expected private, shared, slave or "
		   "unbindable (or r...), got \"privat\"");
	load_fails("linux:\n  uidMappings: [{containerID: 0, hostID: 1000, size: 0}]\n",
		   "config.yaml:2:17: linux.uidMappings[0]: size must be at least 1");
	load_fails("linux:\n  devices: [{path: /dev/x, type: q, major: 1, minor: 2}]\n",
		   "config.yaml:2:34: linux.devices[0].type: expected c, b, u or p, got \"q\"");
	load_fails("linux:\n  devices: [{path: /dev/x, type: c}]\n",
		   "config.yaml:2:13: linux.devices[0]: required key \"major\" is missing");
}

static void test_errors_values(void)
{
	load_fails("process:\n  env: [A=1, JUSTKEY]\n",
		   "config.yaml:2:14: process.env[1]: \"JUSTKEY\" is not KEY=VALUE");
	load_fails("process:\n  cwd: work\n",
		   "config.yaml:2:8: process.cwd: \"work\" is not an absolute path");
	load_fails("linux:\n  maskedPaths: [/a, b]\n",
		   "config.yaml:2:21: linux.maskedPaths[1]: \"b\" is not an absolute path");
	load_fails("mounts:\n- destination: /x\n",
		   "config.yaml:2:3: mounts[0]: a mount needs a type (or the \"bind\" option)");
	load_fails("mounts:\n- {type: tmpfs}\n",
		   "config.yaml:2:3: mounts[0]: required key \"destination\" is missing");
	load_fails("mounts:\n- {destination: x, type: tmpfs}\n",
		   "config.yaml:2:17: mounts[0].destination: \"x\" is not an absolute path");
	load_fails("mounts:\n- {destination: /x, options: [bind]}\n",
		   "config.yaml:2:3: mounts[0]: a bind mount needs a source");
	load_fails("mounts:\n- {destination: /x, type: tmpfs, options: [nodev, remount]}\n",
		   "config.yaml:2:51: mounts[0].options[1]: \"remount\" is not supported: each entry "
		   "is a new mount");
}

/* linux.devices[].fileMode as podman writes it: the host node's st_mode,
 * whose file-type bits must match the type and are dropped (runc). */
static void test_device_file_mode(void)
{
	struct sluice_config c;

	make_default(&c, 0, "/");
	load_succeeds(&c,
		      "linux:\n  devices:\n"
		      "  - {path: /dev/xnull, type: c, major: 1, minor: 3, fileMode: 8630}\n"
		      "  - {path: /dev/loop9, type: b, major: 7, minor: 9, fileMode: 0o60600}\n"
		      "  - {path: /dev/f, type: p, fileMode: 4516}\n",
		      "fileMode with file-type bits");
	ok(c.linux.n_devices == 3 && c.linux.devices[0].file_mode == 0666 &&
		   c.linux.devices[1].file_mode == 0600 && c.linux.devices[2].file_mode == 0644,
	   "fileMode: the permission bits kept");
	sluice_config_free(&c);
	load_fails("linux:\n  devices:\n  - {path: /dev/x, type: c, major: 1, minor: 3, "
		   "fileMode: 0o60600}\n",
		   "config.yaml:3:59: linux.devices[0].fileMode: its file-type bits (060000) are "
		   "not those of type c (020000)");
	load_fails("linux:\n  devices:\n  - {path: /dev/x, type: c, major: 1, minor: 3, "
		   "fileMode: 0o200600}\n",
		   "config.yaml:3:59: linux.devices[0].fileMode: 0o200600 is out of range "
		   "(0..0177777)");
}

/* The recursive options' mount_setattr() attributes for one tmpfs entry
 * with these options. */
static void rec_attrs(const char *opts, uint64_t set, uint64_t clr, const char *what)
{
	struct sluice_config c;
	char yaml[256];
	struct sluice_mount *m;

	make_default(&c, 0, "/");
	snprintf(yaml, sizeof(yaml), "mounts:\n- {destination: /x, type: tmpfs, options: [%s]}\n",
		 opts);
	load_succeeds(&c, yaml, what);
	m = find_mount(&c, "/x");
	ok(m && m->rec_set == set && m->rec_clr == clr, "%s: set %#llx clear %#llx", what,
	   m ? (unsigned long long)m->rec_set : 0ULL, m ? (unsigned long long)m->rec_clr : 0ULL);
	sluice_config_free(&c);
}

static void test_rec_attrs(void)
{
	const uint64_t at = MOUNT_ATTR__ATIME;

	rec_attrs("ro", 0, 0, "no recursive option: nothing");
	rec_attrs("rro, rnosuid, rnodev, rnoexec, rnodiratime, rnosymfollow",
		  MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
			  MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW,
		  0, "each flag set");
	rec_attrs("rrw, rsuid, rdev, rexec, rdiratime, rsymfollow", 0,
		  MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
			  MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW,
		  "each flag cleared");
	rec_attrs("rro, rrw", 0, MOUNT_ATTR_RDONLY, "the later one wins: rrw");
	rec_attrs("rrw, rro", MOUNT_ATTR_RDONLY, 0, "the later one wins: rro");
	rec_attrs("rnoatime", MOUNT_ATTR_NOATIME, at, "rnoatime clears the whole atime field");
	rec_attrs("rnoatime, rstrictatime", MOUNT_ATTR_STRICTATIME, at, "the last atime setting");
	rec_attrs("rstrictatime, rrelatime", 0, at, "rrelatime: the field set to relatime (0)");
	rec_attrs("rnoatime, ratime", 0, at, "ratime undoes rnoatime: relatime");
	rec_attrs("rstrictatime, ratime", MOUNT_ATTR_STRICTATIME, at,
		  "ratime leaves another setting");
	rec_attrs("rnorelatime", 0, 0, "rnorelatime: nothing, as runc");
	rec_attrs("rnoatime, rnodiratime", MOUNT_ATTR_NOATIME | MOUNT_ATTR_NODIRATIME, at,
		  "nodiratime is a flag of its own");
}

static void test_personality(void)
{
	struct sluice_config c;
	struct sluice_error err = { 0 };
	char *text = NULL;
	size_t len = 0;

	make_default(&c, 0, "/");
	ok(!c.linux.personality_set, "personality: none by default");
	load_succeeds(&c, "linux: {personality: {domain: LINUX32, flags: []}}\n", "LINUX32");
	ok(c.linux.personality_set && c.linux.personality == PER_LINUX32, "personality: LINUX32");
	ok(sluice_config_emit_json(&c, &text, &len, &err) == 0 &&
		   strstr(text, "\"personality\":{\"domain\":\"LINUX32\"}"),
	   "personality: emitted");
	free(text);
	load_succeeds(&c, "linux: {personality: {domain: LINUX}}\n", "LINUX");
	ok(c.linux.personality_set && c.linux.personality == PER_LINUX, "personality: LINUX");
	sluice_config_free(&c);
	load_fails("linux: {personality: {domain: LINUX64}}\n",
		   "config.yaml:1:31: linux.personality.domain: expected LINUX or LINUX32, got "
		   "\"LINUX64\"");
	load_fails("linux: {personality: {domain: LINUX, flags: [SHORT_INODE]}}\n",
		   "config.yaml:1:46: linux.personality.flags[0]: unknown personality flag "
		   "\"SHORT_INODE\" (the spec defines none)");
	load_fails("linux: {personality: {flags: []}}\n",
		   "config.yaml:1:22: linux.personality: required key \"domain\" is missing");
}

static void test_scheduling(void)
{
	struct sluice_config c;
	struct sluice_error err = { 0 };
	char *text = NULL;
	size_t len = 0;

	make_default(&c, 0, "/");
	ok(!c.process.scheduler.set && !c.process.io_priority.set && !c.process.exec_cpus.initial,
	   "scheduling: none by default");
	load_succeeds(&c,
		      "process:\n  scheduler: {policy: SCHED_DEADLINE, runtime: 10000, deadline: "
		      "20000, flags: [SCHED_FLAG_RESET_ON_FORK, SCHED_FLAG_DL_OVERRUN]}\n"
		      "  ioPriority: {class: IOPRIO_CLASS_BE, priority: 4}\n"
		      "  execCPUAffinity: {initial: '0-1', final: ''}\n",
		      "scheduling");
	ok(c.process.scheduler.set && c.process.scheduler.policy == 6 &&
		   c.process.scheduler.flags == 0x05 && c.process.scheduler.runtime == 10000 &&
		   c.process.scheduler.deadline == 20000 && c.process.scheduler.period == 0,
	   "scheduler: deadline, its flags and parameters");
	ok(c.process.io_priority.set && c.process.io_priority.ioclass == 2 &&
		   c.process.io_priority.priority == 4,
	   "ioPriority: best effort 4");
	ok(c.process.exec_cpus.initial && !strcmp(c.process.exec_cpus.initial, "0-1") &&
		   !c.process.exec_cpus.final,
	   "execCPUAffinity: initial kept, an empty final is none");
	ok(sluice_config_emit_json(&c, &text, &len, &err) == 0 &&
		   strstr(text, "\"scheduler\":{\"policy\":\"SCHED_DEADLINE\",\"nice\":0,"
				"\"priority\":0,\"flags\":[\"SCHED_FLAG_RESET_ON_FORK\","
				"\"SCHED_FLAG_DL_OVERRUN\"],\"runtime\":10000,\"deadline\":20000,"
				"\"period\":0},\"ioPriority\":{\"class\":\"IOPRIO_CLASS_BE\","
				"\"priority\":4},\"execCPUAffinity\":{\"initial\":\"0-1\"}"),
	   "scheduling: emitted as loaded");
	free(text);
	/* a new scheduler replaces the old one whole */
	load_succeeds(&c, "process: {scheduler: {policy: SCHED_OTHER, nice: -3}}\n", "replaced");
	ok(c.process.scheduler.policy == 0 && c.process.scheduler.nice == -3 &&
		   c.process.scheduler.flags == 0 && c.process.scheduler.runtime == 0,
	   "scheduler: replaced whole by a later one");
	sluice_config_free(&c);
	load_fails("process: {scheduler: {policy: SCHED_ISO}}\n",
		   "config.yaml:1:31: process.scheduler.policy: SCHED_ISO is reserved: Linux does "
		   "not implement it");
	load_fails("process: {scheduler: {policy: SCHED_FIFO, priority: 100}}\n",
		   "config.yaml:1:53: process.scheduler.priority: 100 is out of range (0..99)");
	load_fails("process: {ioPriority: {priority: 1}}\n",
		   "config.yaml:1:23: process.ioPriority: required key \"class\" is missing");
	load_fails("process: {execCPUAffinity: {initial: 8192}}\n",
		   "config.yaml:1:38: process.execCPUAffinity.initial: expected a CPU list such as "
		   "0-3,7 (CPUs 0..8191), got \"8192\"");
}

static void test_memory_policy(void)
{
	struct sluice_config c;
	struct sluice_error err = { 0 };
	char *text = NULL;
	size_t len = 0;

	make_default(&c, 0, "/");
	ok(!c.linux.memory_policy.set, "memoryPolicy: none by default");
	load_succeeds(&c,
		      "linux: {memoryPolicy: {mode: MPOL_INTERLEAVE, nodes: '0-1', flags: "
		      "[MPOL_F_STATIC_NODES, MPOL_F_NUMA_BALANCING]}}\n",
		      "memoryPolicy");
	ok(c.linux.memory_policy.set && c.linux.memory_policy.mode == 3 &&
		   c.linux.memory_policy.flags == (1U << 15 | 1U << 13) &&
		   !strcmp(c.linux.memory_policy.nodes, "0-1"),
	   "memoryPolicy: mode, flags as the kernel's bits, nodes");
	ok(sluice_config_emit_json(&c, &text, &len, &err) == 0 &&
		   strstr(text, "\"memoryPolicy\":{\"mode\":\"MPOL_INTERLEAVE\",\"nodes\":\"0-1\","
				"\"flags\":[\"MPOL_F_NUMA_BALANCING\",\"MPOL_F_STATIC_NODES\"]}"),
	   "memoryPolicy: emitted");
	free(text);
	load_succeeds(&c, "linux: {memoryPolicy: {mode: MPOL_LOCAL}}\n", "replaced");
	ok(c.linux.memory_policy.mode == 4 && !c.linux.memory_policy.nodes &&
		   !c.linux.memory_policy.flags,
	   "memoryPolicy: replaced whole by a later one");
	sluice_config_free(&c);
	load_fails("linux: {memoryPolicy: {mode: MPOL_PREFERRED_MANY}}\n",
		   "config.yaml:1:23: linux.memoryPolicy: MPOL_PREFERRED_MANY needs nodes");
	load_fails("linux: {memoryPolicy: {mode: MPOL_BIND, nodes: '0,x'}}\n",
		   "config.yaml:1:48: linux.memoryPolicy.nodes: expected a node list such as 0-3,7 "
		   "(nodes 0..1023), got \"0,x\"");
}

static void test_idmap_mounts(void)
{
	struct sluice_config c;
	struct sluice_error err = { 0 };
	char *text = NULL;
	size_t len = 0;

	make_default(&c, 0, "/");
	load_succeeds(&c,
		      "mounts:\n"
		      "- {destination: /a, type: bind, source: /srv, options: [rbind, ridmap]}\n"
		      "- {destination: /b, source: /srv, options: [bind], uidMappings: "
		      "[{containerID: 0, hostID: 1000, size: 1}], gidMappings: [{containerID: 0, "
		      "hostID: 1001, size: 2}]}\n"
		      "- {destination: /c, source: /srv, options: [bind]}\n",
		      "idmap");
	ok(c.mounts[0].idmap && c.mounts[0].idmap_rec && !c.mounts[0].n_uid_map,
	   "ridmap: recursive, the container's maps");
	ok(c.mounts[1].idmap && !c.mounts[1].idmap_rec && c.mounts[1].n_uid_map == 1 &&
		   c.mounts[1].uid_map[0].host_id == 1000 && c.mounts[1].gid_map[0].size == 2,
	   "mappings alone: id-mapped through them");
	ok(!c.mounts[2].idmap && sluice_config_idmap_mounts(&c) == 2, "two id-mapped mounts");
	ok(sluice_config_emit_json(&c, &text, &len, &err) == 0 &&
		   strstr(text, "\"options\":[\"bind\"],\"uidMappings\":[{\"containerID\":0,"
				"\"hostID\":1000,\"size\":1}],\"gidMappings\":[{\"containerID\":0,"
				"\"hostID\":1001,\"size\":2}]}"),
	   "idmap: the mount's maps emitted");
	free(text);
	sluice_config_free(&c);
	load_fails("mounts: [{destination: /a, type: proc, source: proc, options: [ridmap]}]\n",
		   "config.yaml:1:10: mounts[0]: only a bind mount can be id-mapped (idmap, ridmap, "
		   "uidMappings)");
	load_fails("mounts: [{destination: /a, source: /srv, options: [bind], gidMappings: "
		   "[{containerID: 0, hostID: 1, size: 1}]}]\n",
		   "config.yaml:1:10: mounts[0]: uidMappings and gidMappings go together");
	load_fails("mounts: [{destination: /a, source: /srv, options: [bind], uidMappings: "
		   "[{containerID: 0, hostID: 1}]}]\n",
		   "config.yaml:1:73: mounts[0].uidMappings[0]: required key \"size\" is missing");
}

static void test_net_devices(void)
{
	struct sluice_config c;
	struct sluice_error err = { 0 };
	char *text = NULL;
	size_t len = 0;

	make_default(&c, 0, "/");
	load_succeeds(&c, "linux: {netDevices: {eth0: {name: 'ctr%d'}, eth1: {}, eth2: null}}\n",
		      "netDevices");
	ok(c.linux.n_net_devices == 3 && !strcmp(c.linux.net_devices[0].host, "eth0") &&
		   !strcmp(c.linux.net_devices[0].name, "ctr%d") && !c.linux.net_devices[1].name &&
		   !strcmp(c.linux.net_devices[2].host, "eth2"),
	   "netDevices: in order, a template, the host's name kept");
	ok(sluice_config_emit_json(&c, &text, &len, &err) == 0 &&
		   strstr(text, "\"netDevices\":{\"eth0\":{\"name\":\"ctr%d\"},\"eth1\":{},"
				"\"eth2\":{}}"),
	   "netDevices: emitted");
	free(text);
	sluice_config_strip_setup(&c);
	ok(c.linux.n_net_devices == 0, "netDevices: not an exec's");
	sluice_config_free(&c);
	load_fails("linux: {netDevices: {eth0: {name: 0123456789abcdef}}}\n",
		   "config.yaml:1:35: linux.netDevices.eth0.name: \"0123456789abcdef\" is not an "
		   "interface name (1 to 15 characters, no /, : or blanks; %d once as a template)");
	load_fails("linux: {netDevices: {'e%d': {}}}\n",
		   "config.yaml:1:22: linux.netDevices: \"e%d\" is not an interface name");
	load_fails("linux: {netDevices: [eth0]}\n",
		   "config.yaml:1:21: linux.netDevices: expected a mapping, got a list");
}

static void finalize_fails(uid_t uid, const char *yaml, const char *msg);

static void test_time_offsets(void)
{
	struct sluice_config c;
	struct sluice_error err = { 0 };
	struct sluice_caller who = { .uid = 0, .gid = 0, .cwd = (char *)"/" };
	char *text = NULL;
	size_t len = 0;

	make_default(&c, 0, "/");
	load_succeeds(&c,
		      "process: {args: [/bin/true]}\n"
		      "linux:\n  namespaces: [{type: mount}, {type: pid}, {type: time}]\n"
		      "  timeOffsets: {boottime: {secs: -5, nanosecs: 999999999}, monotonic: {}}\n",
		      "timeOffsets");
	ok(c.linux.time_offsets[SLUICE_CLOCK_BOOTTIME].set &&
		   c.linux.time_offsets[SLUICE_CLOCK_BOOTTIME].secs == -5 &&
		   c.linux.time_offsets[SLUICE_CLOCK_BOOTTIME].nanosecs == 999999999,
	   "timeOffsets: boottime");
	ok(c.linux.time_offsets[SLUICE_CLOCK_MONOTONIC].set &&
		   !c.linux.time_offsets[SLUICE_CLOCK_MONOTONIC].secs,
	   "timeOffsets: monotonic, zero");
	is_int(sluice_config_finalize(&c, &who, &err), 0,
	       "timeOffsets: valid with a new time namespace");
	ok(sluice_config_emit_json(&c, &text, &len, &err) == 0 &&
		   strstr(text, "\"timeOffsets\":{\"monotonic\":{\"secs\":0,\"nanosecs\":0},"
				"\"boottime\":{\"secs\":-5,\"nanosecs\":999999999}}"),
	   "timeOffsets: emitted");
	free(text);
	sluice_config_free(&c);
	finalize_fails(0,
		       "process: {args: [sh]}\nlinux: {namespaces: [{type: mount}, {type: uts}], "
		       "timeOffsets: {monotonic: {secs: 1}}}\n",
		       "config.yaml: linux.timeOffsets needs a time namespace: add {type: time} to "
		       "linux.namespaces");
	finalize_fails(0,
		       "process: {args: [sh]}\nlinux: {namespaces: [{type: mount}, {type: uts}, "
		       "{type: time, path: /proc/1/ns/time}], timeOffsets: {monotonic: {secs: 1}}}\n",
		       "config.yaml: linux.timeOffsets needs a new time namespace, not one joined by "
		       "path (its clocks are set by whoever made it)");
	load_fails("linux: {timeOffsets: {realtime: {secs: 1}}}\n",
		   "config.yaml:1:23: unknown key \"realtime\" in linux.timeOffsets");
	load_fails("linux: {timeOffsets: {boottime: {nanosecs: 1000000000}}}\n",
		   "config.yaml:1:44: linux.timeOffsets.boottime.nanosecs: 1000000000 is out of range "
		   "(0..999999999)");
}

static void test_errors_unsupported(void)
{
	load_fails("process:\n  apparmorProfile: docker-default\n",
		   "config.yaml:2:20: process.apparmorProfile is not supported yet");
	load_fails("process:\n  user: {username: bob}\n",
		   "config.yaml:2:20: process.user.username is not supported (it is for Windows): "
		   "give uid and gid");
	load_fails("linux:\n  mountLabel: system_u:object_r:container_file_t:s0\n",
		   "config.yaml:2:15: linux.mountLabel is not supported yet");
}

/* Every field of linux.resources, as config-linux.md lists them. */
static const char resources_yaml[] =
	"linux:\n"
	"  cgroupsPath: sandboxes/one\n"
	"  resources:\n"
	"    devices:\n"
	"    - {allow: false, access: rwm}\n"
	"    - {allow: true, type: c, major: 10, minor: 200, access: rw}\n"
	"    - {allow: true, type: b, major: 8, access: m}\n"
	"    memory: {limit: 536870912, reservation: 268435456, swap: 1073741824, kernel: -1,\n"
	"             kernelTCP: -1, swappiness: 10, disableOOMKiller: false,\n"
	"             useHierarchy: true, checkBeforeUpdate: true}\n"
	"    cpu: {shares: 512, quota: 50000, burst: 10000, period: 100000,\n"
	"          realtimeRuntime: 950000, realtimePeriod: 1000000, cpus: 0-1, mems: \"0\",\n"
	"          idle: 1}\n"
	"    pids: {limit: 64}\n"
	"    blockIO:\n"
	"      weight: 500\n"
	"      leafWeight: 300\n"
	"      weightDevice: [{major: 8, minor: 0, weight: 600, leafWeight: 200},\n"
	"                     {major: 8, minor: 16, weight: 100}]\n"
	"      throttleReadBpsDevice: [{major: 8, minor: 0, rate: 1048576}]\n"
	"      throttleWriteBpsDevice: [{major: 8, minor: 0, rate: 2097152}]\n"
	"      throttleReadIOPSDevice: [{major: 8, minor: 0, rate: 100}]\n"
	"      throttleWriteIOPSDevice: [{major: 8, minor: 0, rate: 200}]\n"
	"    hugepageLimits: [{pageSize: 2MB, limit: 209715200}, {pageSize: 1GB, limit: 0}]\n"
	"    network: {classID: 1048577, priorities: [{name: eth0, priority: 500}]}\n"
	"    rdma: {mlx5_1: {hcaHandles: 3, hcaObjects: 10000}, rxe3: {hcaObjects: 1}}\n"
	"    unified: {io.max: \"8:0 rbps=2097152\", memory.high: 400000000}\n";

static void test_resources(void)
{
	struct sluice_config c;
	const struct sluice_resources *r = &c.linux.resources;

	make_default(&c, 0, "/");
	ok(!sluice_config_wants_cgroup(&c), "the default asks for no cgroup");
	load_succeeds(&c, resources_yaml, "every linux.resources field");
	ok(sluice_config_wants_cgroup(&c), "then it does");
	is_str(c.linux.cgroups_path, "sandboxes/one", "cgroupsPath");
	is_int(r->n_devices, 3, "3 device rules");
	ok(!r->devices[0].allow && r->devices[0].type == 'a' && r->devices[0].major == -1 &&
		   !strcmp(r->devices[0].access, "rwm"),
	   "a rule without type or numbers: all devices");
	ok(r->devices[2].allow && r->devices[2].type == 'b' && r->devices[2].major == 8 &&
		   r->devices[2].minor == -1 && !strcmp(r->devices[2].access, "m"),
	   "a rule without minor: any minor");
	is_int(r->memory.limit, 536870912, "memory.limit");
	is_int(r->memory.kernel, -1, "memory.kernel -1");
	ok(r->memory.use_hierarchy && r->memory.check_before_update && !r->memory.disable_oom_killer,
	   "memory booleans");
	is_int(r->cpu.quota, 50000, "cpu.quota");
	is_int((long long)r->cpu.burst, 10000, "cpu.burst");
	is_str(r->cpu.cpus, "0-1", "cpu.cpus");
	is_str(r->cpu.mems, "0", "cpu.mems");
	is_int(r->cpu.idle, 1, "cpu.idle");
	is_int(r->pids.limit, 64, "pids.limit");
	is_int(r->block_io.weight, 500, "blockIO.weight");
	is_int(r->block_io.n_weight_device, 2, "weightDevice");
	is_int(r->block_io.weight_device[1].leaf_weight, 0, "no leafWeight given");
	is_int((long long)r->block_io.throttle[SLUICE_THROTTLE_WRITE_IOPS][0].rate, 200,
	       "throttleWriteIOPSDevice");
	is_int(r->n_hugepage_limits, 2, "hugepageLimits");
	is_str(r->hugepage_limits[1].page_size, "1GB", "pageSize");
	is_int(r->network.class_id, 1048577, "classID");
	is_str(r->network.priorities[0].name, "eth0", "priorities");
	is_int(r->n_rdma, 2, "rdma");
	ok(r->rdma[1].objects_set && !r->rdma[1].handles_set, "rdma: only hcaObjects");
	is_int(r->n_unified, 2, "unified");
	is_str(r->unified[1].value, "400000000", "an unquoted number is a string there");
	ok(r->set == (SLUICE_RES_BIT(SLUICE_RES_FIELD_COUNT) - 1), "every scalar is marked given");
	is_str(sluice_res_field_name(SLUICE_RES_CPU_REALTIME_RUNTIME),
	       "linux.resources.cpu.realtimeRuntime", "field names");
	round_trip(&c, "every linux.resources field");
	/* mappings merge, lists replace */
	load_succeeds(&c,
		      "linux:\n  resources:\n    memory: {limit: 1000}\n"
		      "    devices: [{allow: true, access: r}]\n",
		      "an overlay");
	is_int(r->memory.limit, 1000, "the limit replaced");
	is_int(r->memory.reservation, 268435456, "the reservation kept");
	is_int(r->n_devices, 1, "the rules replaced");
	load_succeeds(&c, "linux: {cgroupsPath: \"\"}\n", "an empty cgroupsPath");
	ok(!c.linux.cgroups_path, "unsets it");
	sluice_config_free(&c);
}

static void test_resources_errors(void)
{
	load_fails("linux:\n  resources: {memory: {limit: -2}}\n",
		   "config.yaml:2:31: linux.resources.memory.limit: -2 is out of range "
		   "(-1..9223372036854775807)");
	load_fails("linux:\n  resources: {memory: {swappiness: 101}}\n",
		   "config.yaml:2:36: linux.resources.memory.swappiness: 101 is out of range "
		   "(0..100)");
	load_fails("linux:\n  resources: {memory: {limt: 1}}\n",
		   "config.yaml:2:24: unknown key \"limt\" in linux.resources.memory (did you mean "
		   "\"limit\"?)");
	load_fails("linux:\n  resources: {pids: {limit: \"5\"}}\n",
		   "config.yaml:2:29: linux.resources.pids.limit: expected an integer, got the "
		   "quoted string \"5\"");
	load_fails("linux:\n  resources: {cpu: {idle: 2}}\n",
		   "config.yaml:2:27: linux.resources.cpu.idle: 2 is out of range (0..1)");
	load_fails("linux:\n  resources: {cpu: {cpus: \"0 1\"}}\n",
		   "config.yaml:2:27: linux.resources.cpu.cpus: expected a list such as 0-3,7, got "
		   "\"0 1\"");
	load_fails(
		"linux:\n  resources: {blockIO: {weight: 1001}}\n",
		"config.yaml:2:33: linux.resources.blockIO.weight: 1001 is out of range (0..1000)");
	load_fails("linux:\n  resources: {blockIO: {weightDevice: [{major: 8, minor: 0}]}}\n",
		   "config.yaml:2:40: linux.resources.blockIO.weightDevice[0]: give weight, "
		   "leafWeight or both");
	load_fails("linux:\n  resources: {blockIO: {throttleReadBpsDevice: [{major: 8, minor: 0}]}}\n",
		   "config.yaml:2:49: linux.resources.blockIO.throttleReadBpsDevice[0]: required "
		   "key \"rate\" is missing");
	load_fails("linux:\n  resources: {hugepageLimits: [{pageSize: 2M, limit: 1}]}\n",
		   "config.yaml:2:43: linux.resources.hugepageLimits[0].pageSize: expected a size "
		   "such as 2MB or 1GB, got \"2M\"");
	load_fails("linux:\n  resources: {hugepageLimits: [{pageSize: 2MB, limit: 1}, "
		   "{pageSize: 2MB, limit: 2}]}\n",
		   "config.yaml:2:59: linux.resources.hugepageLimits[1]: page size 2MB is listed "
		   "twice");
	load_fails("linux:\n  resources: {rdma: {mlx: {}}}\n",
		   "config.yaml:2:27: linux.resources.rdma.mlx: give hcaHandles, hcaObjects or both");
	load_fails("linux:\n  resources: {unified: {../x: \"1\"}}\n",
		   "config.yaml:2:25: linux.resources.unified: \"../x\" is not a cgroup v2 file "
		   "name (controller.file)");
	load_fails("linux:\n  resources: {unified: {cgroup.procs: \"1\"}}\n",
		   "config.yaml:2:25: linux.resources.unified: cgroup.procs is managed by sluice, "
		   "not a limit");
	load_fails("linux:\n  resources: {devices: [{access: r}]}\n",
		   "config.yaml:2:25: linux.resources.devices[0]: required key \"allow\" is "
		   "missing");
	load_fails("linux:\n  resources: {devices: [{allow: true, type: u}]}\n",
		   "config.yaml:2:45: linux.resources.devices[0].type: expected a (all), c or b, "
		   "got \"u\"");
	load_fails("linux:\n  resources: {devices: [{allow: true, access: rrw}]}\n",
		   "config.yaml:2:47: linux.resources.devices[0].access: expected r, w and m, each "
		   "at most once, got \"rrw\"");
	load_fails("linux:\n  resources: {network: {priorities: [{name: eth0}]}}\n",
		   "config.yaml:2:38: linux.resources.network.priorities[0]: required key "
		   "\"priority\" is missing");
	load_fails("linux:\n  cgroupsPath: [a]\n",
		   "config.yaml:2:16: linux.cgroupsPath: expected a string, got a list");
}

/* What finalize refuses: rules across fields, and paths. */
static void validate_fails(const char *yaml, const char *msg)
{
	struct sluice_config c;
	struct sluice_error err = { 0 };
	struct sluice_caller who = { .uid = 0, .gid = 0, .cwd = "/" };

	make_default(&c, 0, "/");
	load_succeeds(&c, yaml, msg);
	ok(sluice_config_finalize(&c, &who, &err) < 0 && err.exit_code == SLUICE_EXIT_CONFIG,
	   "finalize refuses with 78");
	is_str(err.msg, msg, "message");
	sluice_config_free(&c);
}

static void test_resources_validate(void)
{
	validate_fails("process: {args: [x]}\nlinux: {resources: {memory: {limit: 100, swap: 50}}}\n",
		       "config.yaml: linux.resources.memory.swap (50) is memory+swap: it must be "
		       "at least memory.limit (100) or -1");
	validate_fails("process: {args: [x]}\nlinux: {resources: {memory: {swap: 50}}}\n",
		       "config.yaml: linux.resources.memory.swap needs memory.limit (swap is "
		       "counted as memory+swap)");
	validate_fails("process: {args: [x]}\nlinux: {resources: {cpu: {quota: 1000, burst: 2000}}}\n",
		       "config.yaml: linux.resources.cpu.burst (2000) must not exceed cpu.quota "
		       "(1000)");
	validate_fails("process: {args: [x]}\nlinux: {cgroupsPath: a/../../b}\n",
		       "config.yaml: linux.cgroupsPath \"a/../../b\": \"..\" is not allowed");
	validate_fails("process: {args: [x]}\nlinux: {cgroupsPath: /}\n",
		       "config.yaml: linux.cgroupsPath \"/\" names the root cgroup, not a cgroup "
		       "of its own");
	validate_fails("process: {args: [x]}\nlinux: {cgroupsPath: ./}\n",
		       "config.yaml: linux.cgroupsPath \"./\" names the caller's cgroup, not a "
		       "cgroup of its own");
	validate_fails("process: {args: [x]}\nlinux: {cgroupsPath: \"machine.slice:libpod:abc\"}\n",
		       "config.yaml: linux.cgroupsPath \"machine.slice:libpod:abc\" is a systemd "
		       "slice:prefix:name: sluice manages cgroupfs itself (no systemd driver); give "
		       "a path (podman: --cgroup-manager=cgroupfs)");
}

/* Which configs need a cgroup at all. */
static void wants(const char *yaml, bool want, const char *what)
{
	struct sluice_config c;
	struct sluice_error err = { 0 };

	sluice_config_init(&c);
	ok(sluice_config_load_buffer(&c, "w.yaml", yaml, strlen(yaml), "/", &err) == 0 &&
		   sluice_config_wants_cgroup(&c) == want,
	   "%s: %s", what, want ? "a cgroup" : "no cgroup");
	sluice_config_free(&c);
}

static void test_wants_cgroup(void)
{
	wants("{}", false, "nothing");
	wants("linux: {resources: {}}", false, "resources: {}");
	wants("linux: {resources: {memory: {disableOOMKiller: false, limit: 0, swap: -1},"
	      " cpu: {shares: 0, quota: -1}, blockIO: {weight: 0}, pids: {limit: -1}}}",
	      false, "docker's unset values, unlimited ones");
	wants("linux: {resources: {memory: {useHierarchy: true, checkBeforeUpdate: true}}}", false,
	      "useHierarchy true, checkBeforeUpdate");
	wants("linux: {resources: {pids: {limit: 0}}}", true, "pids.limit 0 (a limit)");
	wants("linux: {resources: {memory: {disableOOMKiller: true}}}", true, "disableOOMKiller");
	wants("linux: {resources: {memory: {swappiness: 0}}}", true, "swappiness 0");
	wants("linux: {resources: {devices: [{allow: true}]}}", true, "a device rule");
	wants("linux: {resources: {cpu: {cpus: \"0\"}}}", true, "cpus");
	wants("linux: {resources: {unified: {a.b: c}}}", true, "a unified key");
	wants("linux: {cgroupsPath: x}", true, "a cgroupsPath alone");
}

/* The command-line edits of --memory, --pids-limit, --cpus. */
static void test_resource_options(void)
{
	struct sluice_config c;
	struct sluice_error err = { 0 };
	int64_t v = 0;

	ok(sluice_parse_size("512m", &v) == 0 && v == 536870912, "512m");
	ok(sluice_parse_size("1.5G", &v) == 0 && v == 1610612736, "1.5G");
	ok(sluice_parse_size("4096", &v) == 0 && v == 4096, "4096");
	ok(sluice_parse_size("10kb", &v) == 0 && v == 10240, "10kb");
	ok(sluice_parse_size("m", &v) < 0 && sluice_parse_size("-1m", &v) < 0 &&
		   sluice_parse_size("5x", &v) < 0 && sluice_parse_size("0", &v) < 0,
	   "m, -1m, 5x, 0 refused");
	sluice_config_init(&c);
	ok(sluice_config_set_memory(&c, "--memory", "64m", &err) == 0 &&
		   c.linux.resources.memory.limit == 67108864,
	   "--memory 64m");
	ok(sluice_config_set_memory(&c, "--memory", "max", &err) == 0 &&
		   c.linux.resources.memory.limit == -1,
	   "--memory max");
	ok(sluice_config_set_memory(&c, "--memory", "lots", &err) < 0 &&
		   err.exit_code == SLUICE_EXIT_USAGE,
	   "--memory lots: 64");
	is_str(err.msg, "--memory lots: expected a size in bytes (512m, 1g, 1073741824) or max",
	       "its message");
	ok(sluice_config_set_pids_limit(&c, "--pids-limit", "100", &err) == 0 &&
		   c.linux.resources.pids.limit == 100,
	   "--pids-limit 100");
	ok(sluice_config_set_pids_limit(&c, "--pids-limit", "-5", &err) < 0, "--pids-limit -5");
	ok(sluice_config_set_cpus(&c, "--cpus", "1.5", &err) == 0 &&
		   c.linux.resources.cpu.quota == 150000 && c.linux.resources.cpu.period == 100000,
	   "--cpus 1.5: 150000 per 100000");
	ok(sluice_config_set_cpus(&c, "--cpus", "0.001", &err) < 0 &&
		   err.exit_code == SLUICE_EXIT_USAGE,
	   "--cpus 0.001 is below a 1 ms quota");
	sluice_config_free(&c);
}

/* Hooks and annotations: loaded, kept, emitted (only when there are
 * any) and read back; the process of `sluice exec --process` on its own. */
static void test_hooks(void)
{
	static const char yaml[] =
		"hooks:\n"
		"  prestart: [{path: /bin/a}]\n"
		"  createRuntime: [{path: /bin/b, args: [b, x], env: [K=v], timeout: 5}]\n"
		"  poststop: [{path: /bin/c}, {path: /bin/d}]\n"
		"  startContainer: []\n"
		"annotations: {org.example/a: b, \"k\": \"\"}\n";
	struct sluice_config c;
	char *text = NULL;
	size_t n = 0;
	struct sluice_error err = { 0 };

	make_default(&c, 0, "/");
	ok(!sluice_config_has_hooks(&c), "hooks: the default has none");
	load_succeeds(&c, yaml, "hooks");
	ok(sluice_config_has_hooks(&c), "hooks: there are some");
	is_int(c.hooks[SLUICE_HOOK_PRESTART].n, 1, "hooks: one prestart");
	is_str(c.hooks[SLUICE_HOOK_PRESTART].v[0].path, "/bin/a", "hooks: its path");
	ok(!c.hooks[SLUICE_HOOK_PRESTART].v[0].args && !c.hooks[SLUICE_HOOK_PRESTART].v[0].env,
	   "hooks: args and env unset when absent");
	is_str(c.hooks[SLUICE_HOOK_CREATE_RUNTIME].v[0].args[1], "x", "hooks: args");
	is_str(c.hooks[SLUICE_HOOK_CREATE_RUNTIME].v[0].env[0], "K=v", "hooks: env");
	is_int(c.hooks[SLUICE_HOOK_CREATE_RUNTIME].v[0].timeout, 5, "hooks: timeout");
	is_int(c.hooks[SLUICE_HOOK_POSTSTOP].n, 2, "hooks: two poststop, in order");
	is_str(c.hooks[SLUICE_HOOK_POSTSTOP].v[1].path, "/bin/d", "hooks: the second");
	is_int(c.hooks[SLUICE_HOOK_START_CONTAINER].n, 0, "hooks: an empty list");
	is_int(sluice_strv_len(c.annotations), 4, "annotations: two pairs");
	is_str(c.annotations[1], "b", "annotations: value");
	is_str(c.annotations[3], "", "annotations: an empty value");
	round_trip(&c, "hooks");
	ok(sluice_config_emit(&c, &text, &n, &err) == 0 && strstr(text, "\nhooks:\n") &&
		   strstr(text, "\nannotations:\n"),
	   "hooks and annotations are emitted");
	free(text);
	sluice_config_strip_setup(&c);
	ok(!sluice_config_has_hooks(&c) && c.n_mounts == 0 && !c.hostname,
	   "strip_setup drops hooks, mounts, hostname");
	sluice_config_free(&c);
	load_fails("hooks:\n  prestart: [{path: bin/a}]\n",
		   "config.yaml:2:21: hooks.prestart[0].path: \"bin/a\" is not an absolute path");
	load_fails("hooks:\n  prestart: [{args: [a]}]\n",
		   "config.yaml:2:14: hooks.prestart[0]: required key \"path\" is missing");
	load_fails("hooks:\n  poststart: [{path: /a, timeout: 0}]\n",
		   "config.yaml:2:35: hooks.poststart[0].timeout: 0 is out of range (1..31536000)");
	load_fails("hooks:\n  postStop: []\n",
		   "config.yaml:2:3: unknown key \"postStop\" in hooks (did you mean \"poststop\"?)");
	load_fails("annotations: {\"\": x}\n", "config.yaml:1:15: annotations: empty key");
}

static void test_process_file(void)
{
	static const char doc[] = "{\"args\": [\"/bin/x\"], \"cwd\": \"/w\", "
				  "\"user\": {\"uid\": 5, \"gid\": 6}}";
	char path[] = "/tmp/sluice-unit-process.XXXXXX";
	int fd = mkostemp(path, O_CLOEXEC);
	struct sluice_config c;
	struct sluice_error err = { 0 };

	make_default(&c, 0, "/");
	ok(fd >= 0 && write(fd, doc, sizeof(doc) - 1) == (ssize_t)sizeof(doc) - 1,
	   "process file written");
	ok(sluice_config_load_process_file(&c, path, &err) == 0, "process file loads");
	is_str(c.process.args[0], "/bin/x", "process file: args");
	is_int(c.process.user.uid, 5, "process file: uid");
	ok(!c.process.env && !c.process.no_new_privileges,
	   "process file: what it does not set is unset");
	ok(c.n_mounts > 0, "process file: the rest of the config stays");
	sluice_config_free(&c);
	unlink(path);
	if (fd >= 0)
		close(fd);
}

static void test_errors_yaml(void)
{
	char *big, *deep;

	load_fails("process:\n  args: [a, b\n",
		   "config.yaml:3:1: YAML syntax error: did not find expected ',' or ']' (while "
		   "parsing a flow sequence)");
	load_fails("process:\n\targs: [a]\n",
		   "config.yaml:2:1: YAML syntax error: found character that cannot start any token "
		   "(while scanning for the next token)");
	load_fails("hostname: \"a\xff\"\n",
		   "config.yaml:1:13: YAML syntax error: invalid leading UTF-8 octet");
	load_fails("process:\n  args: *cmd\n", "config.yaml:2:9: aliases are not supported");
	load_fails("process:\n  args: &cmd [a]\n",
		   "config.yaml:2:9: anchors and aliases are not supported");
	load_fails("hostname: !!str a\n",
		   "config.yaml:1:11: tags are not supported (but !!binary on a string)");
	load_fails("hostname: !!binary a*b=\n", "config.yaml:1:11: a !!binary string is not base64");
	load_fails("hostname: !!binary YQBi\n",
		   "config.yaml:1:11: a !!binary string contains a NUL byte");
	load_fails("process: {user: {uid: !!binary MTA=}}\n",
		   "config.yaml:1:23: process.user.uid: expected an integer, got the quoted string "
		   "\"10\"");
	load_fails("hostname: a\n---\nhostname: b\n",
		   "config.yaml:2:1: multiple documents are not supported");
	load_fails("hostname: \"a\\0b\"\n", "config.yaml:1:11: a string contains a NUL character");

	deep = calloc(200, 1);
	memset(deep, '[', 65);
	memset(deep + 65, ']', 65);
	load_fails(deep, "config.yaml:1:65: nesting deeper than 64 levels");
	free(deep);

	big = malloc((4u << 20) + 2);
	memset(big, ' ', (4u << 20) + 1);
	big[(4u << 20) + 1] = '\0';
	load_fails(big, "config.yaml: larger than 4 MiB");
	free(big);
}

static void test_overlay(void)
{
	struct sluice_config c;

	make_default(&c, 0, "/");
	load_succeeds(&c, "", "an empty document");
	load_succeeds(&c, "# only a comment\n", "a comment");
	load_succeeds(
		&c,
		"hostname: null\nprocess: {cwd: ~, env: }\nhooks: null\nlinux: {resources: null}\n",
		"null values");
	is_str(c.hostname, "sluice", "null keeps the default hostname");
	is_int(sluice_strv_len(c.process.env), 2, "null keeps the default env");
	load_succeeds(&c, "process:\n  env: [A=1]\n  user: {uid: 7}\n", "a partial process");
	ok(c.process.env[0] && !strcmp(c.process.env[0], "A=1") && !c.process.env[1],
	   "lists replace the default's");
	ok(c.process.user.uid == 7 && c.process.user.umask_set && c.process.no_new_privileges,
	   "mappings merge key by key");
	load_succeeds(&c, "hostname: 1234\ndomainname: \"\"\n", "a number as a string");
	is_str(c.hostname, "1234", "unquoted number accepted as a string");
	ok(c.domainname == NULL, "empty domainname is unset");
	load_succeeds(&c, "hostname: \"\"\n", "empty hostname");
	ok(c.hostname == NULL, "empty hostname unsets the default");
	sluice_config_free(&c);
}

static void test_modes(void)
{
	static const struct {
		const char *text;
		uint32_t want;
	} cases[] = {
		{ "0022", 022 }, { "0o022", 022 }, { "18", 18 }, { "0", 0 }, { "0o777", 0777 }
	};
	struct sluice_config c;
	char yaml[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		make_default(&c, 0, "/");
		snprintf(yaml, sizeof(yaml), "process: {user: {umask: %s}}\n", cases[i].text);
		load_succeeds(&c, yaml, cases[i].text);
		is_int(c.process.user.umask, cases[i].want, "umask %s", cases[i].text);
		sluice_config_free(&c);
	}
}

static void test_paths(void)
{
	struct sluice_config c;
	struct sluice_error err = { 0 };
	char dir[] = "/tmp/sluice-test-XXXXXX", file[64], *cwd;
	const char *yaml = "root: {path: ./a//b/}\nmounts:\n- {destination: /d, source: d, "
			   "options: [bind]}\n";
	int fd;

	make_default(&c, 0, "/");
	load_succeeds(&c, yaml, "relative paths");
	is_str(c.root.path, "/srv/bundle/a/b", "root.path: ./a//b/ is cleaned and joined");
	is_str(c.mounts[0].source, "/srv/bundle/d", "bind source joined");
	sluice_config_free(&c);

	ok(mkdtemp(dir) != NULL, "temp dir");
	snprintf(file, sizeof(file), "%s/cfg.yaml", dir);
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ok(fd >= 0 && write(fd, "root: {path: rootfs}\n", 21) == 21, "write the file");
	close(fd);
	make_default(&c, 0, "/");
	is_int(sluice_config_load_file(&c, file, &err), 0, "load_file");
	cwd = malloc(strlen(dir) + 8);
	sprintf(cwd, "%s/rootfs", dir);
	is_str(c.root.path, cwd, "load_file: relative to the file's directory");
	is_str(c.source, file, "load_file: source is the path");
	sluice_config_free(&c);
	free(cwd);

	/* a relative file name resolves against the cwd */
	ok(chdir(dir) == 0, "chdir");
	make_default(&c, 0, "/");
	is_int(sluice_config_load_file(&c, "cfg.yaml", &err), 0, "load_file relative");
	ok(c.root.path && !strncmp(c.root.path, dir, strlen(dir)) && c.root.path[0] == '/',
	   "relative file: absolute root.path");
	sluice_config_free(&c);
	ok(chdir(srcdir) == 0, "chdir back");
	unlink(file);
	rmdir(dir);

	make_default(&c, 0, "/");
	memset(&err, 0, sizeof(err));
	is_int(sluice_config_load_file(&c, "/nonexistent/config.yaml", &err), -1, "missing file");
	ok(err.exit_code == SLUICE_EXIT_CONFIG && err.errnum == ENOENT, "missing file: 78, ENOENT");
	is_str(err.msg, "/nonexistent/config.yaml: cannot read", "missing file: message");
	{
		char buf[256];
		sluice_error_format(&err, buf, sizeof(buf));
		is_str(buf, "/nonexistent/config.yaml: cannot read: No such file or directory",
		       "missing file: formatted");
	}
	sluice_config_free(&c);
}

static int finalize_yaml(uid_t uid, const char *yaml, struct sluice_config *c,
			 struct sluice_error *err)
{
	struct sluice_caller who = { .uid = uid, .gid = uid + 1 };

	make_default(c, uid, "/");
	if (load(c, yaml, err) < 0)
		return -2;
	return sluice_config_finalize(c, &who, err);
}

static void finalize_fails(uid_t uid, const char *yaml, const char *msg)
{
	struct sluice_config c;
	struct sluice_error err = { 0 };

	is_int(finalize_yaml(uid, yaml, &c, &err), -1, "finalize refuses: %s", msg);
	is_int(err.exit_code, SLUICE_EXIT_CONFIG, "exit code 78");
	is_str(err.msg, msg, "message");
	sluice_config_free(&c);
}

static void test_finalize(void)
{
	struct sluice_config c;
	struct sluice_error err = { 0 };
	struct sluice_mount *m;

	finalize_fails(0, "process: {args: [sh]}\nlinux: {sysctl: {vm.swappiness: \"10\"}}\n",
		       "config.yaml: linux.sysctl vm.swappiness: not a namespaced key (it would "
		       "change the host)");
	finalize_fails(0,
		       "process: {args: [sh]}\nlinux:\n  namespaces: [{type: mount}]\n"
		       "  sysctl: {net.ipv4.ip_forward: \"1\"}\n",
		       "config.yaml: linux.sysctl net.ipv4.ip_forward: needs the network namespace "
		       "(listed in linux.namespaces)");
	finalize_fails(0, "process: {args: [sh]}\nlinux: {sysctl: {net/../kernel.x: \"1\"}}\n",
		       "config.yaml: linux.sysctl \"net/../kernel.x\": not a valid key");
	is_int(finalize_yaml(0,
			     "process: {args: [sh]}\nlinux: {sysctl: {kernel.shmmax: \"1\", "
			     "fs.mqueue.msg_max: \"5\", kernel.domainname: x, net.core.somaxconn: "
			     "\"9\"}}\n",
			     &c, &err),
	       0, "namespaced sysctls of the default's namespaces pass");
	sluice_config_free(&c);

	is_int(finalize_yaml(1000, "process: {args: [/bin/true]}\n", &c, &err), 0,
	       "rootless default");
	ok(c.linux.n_uid_mappings == 1 && c.linux.uid_mappings[0].container_id == 1000 &&
		   c.linux.uid_mappings[0].host_id == 1000 && c.linux.uid_mappings[0].size == 1,
	   "default uid mapping: uid -> caller");
	ok(c.linux.n_gid_mappings == 1 && c.linux.gid_mappings[0].container_id == 1000 &&
		   c.linux.gid_mappings[0].host_id == 1001,
	   "default gid mapping: gid -> caller's gid");
	round_trip(&c, "finalized rootless");
	sluice_config_free(&c);

	is_int(finalize_yaml(1000, "process: {args: [sh], user: {uid: 0, gid: 0}}\n", &c, &err), 0,
	       "root inside, caller outside");
	ok(c.linux.uid_mappings[0].container_id == 0 && c.linux.uid_mappings[0].host_id == 1000,
	   "uid 0 maps to the caller");
	sluice_config_free(&c);

	is_int(finalize_yaml(1000,
			     "process: {args: [sh]}\nlinux: {namespaces: [{type: user, path: "
			     "/proc/1/ns/user}, {type: mount}, {type: uts}]}\n",
			     &c, &err),
	       0, "joined user namespace");
	ok(c.linux.n_uid_mappings == 0, "joined user namespace: no mappings added");
	sluice_config_free(&c);

	is_int(finalize_yaml(0, "process: {args: [sh]}\n", &c, &err), 0, "root default");
	ok(c.linux.n_uid_mappings == 1 && c.linux.uid_mappings[0].container_id == 0 &&
		   c.linux.uid_mappings[0].host_id == SLUICE_SANDBOX_ID &&
		   c.linux.gid_mappings[0].host_id == SLUICE_SANDBOX_ID,
	   "root default: uid/gid 0 inside are 65534 outside");
	sluice_config_free(&c);

	is_int(finalize_yaml(0, "process: {args: [sh]}\nroot: {path: /srv/rootfs}\n", &c, &err), 0,
	       "root with a rootfs");
	ok(!c.linux.ns[SLUICE_NS_USER].enabled && c.linux.n_uid_mappings == 0,
	   "root with a rootfs: real root, no user namespace");
	m = find_mount(&c, "/dev/pts");
	is_str(m ? m->data : NULL, "newinstance,ptmxmode=0666,mode=0620,gid=5",
	       "root with a rootfs: devpts gets gid=5");
	sluice_config_free(&c);

	is_int(finalize_yaml(0,
			     "process: {args: [sh]}\nroot: {path: /srv/rootfs}\n"
			     "linux: {namespaces: [{type: user}, {type: mount}]}\n",
			     &c, &err),
	       0, "root, a rootfs, a user namespace listed");
	ok(c.linux.ns[SLUICE_NS_USER].enabled && c.linux.n_uid_mappings == 1 &&
		   c.linux.uid_mappings[0].host_id == SLUICE_SANDBOX_ID,
	   "a listed user namespace stays: 0 -> 65534");
	sluice_config_free(&c);

	is_int(finalize_yaml(0, "process: {args: [sh]}\nmounts: []\n", &c, &err), 0,
	       "mounts without /dev");
	ok(c.n_mounts == 1 && !strcmp(c.mounts[0].destination, "/dev") &&
		   !strcmp(c.mounts[0].type, "tmpfs"),
	   "sluice's minimal /dev is added");
	sluice_config_free(&c);
	is_int(finalize_yaml(0,
			     "process: {args: [sh]}\nmounts: [{destination: /proc, type: proc},\n"
			     "  {destination: /dev/pts, type: devpts}]\n",
			     &c, &err),
	       0, "mounts with /dev/pts, no /dev");
	ok(c.n_mounts == 3 && !strcmp(c.mounts[1].destination, "/dev") &&
		   !strcmp(c.mounts[2].destination, "/dev/pts"),
	   "/dev goes before the first mount under it");
	sluice_config_free(&c);
	is_int(finalize_yaml(0,
			     "process: {args: [sh]}\nmounts: [{destination: /dev/, type: bind, "
			     "source: /dev, options: [rbind]}]\n",
			     &c, &err),
	       0, "a /dev of the config's own");
	ok(c.n_mounts == 1, "a /dev the config binds is left alone");
	sluice_config_free(&c);

	finalize_fails(1000, "process: {args: [sh]}\nlinux: {namespaces: [{type: mount}]}\n",
		       "config.yaml: creating namespaces as an unprivileged user needs a user "
		       "namespace: add {type: user} to linux.namespaces");
	/* joining only: nothing is created, so no user namespace is needed */
	is_int(finalize_yaml(
		       1000,
		       "process: {args: [sh]}\nmounts: []\nroot: {readonly: false}\n"
		       "hostname: \"\"\nlinux: {namespaces: [{type: network, path: /proc/1/ns/net}],"
		       " maskedPaths: [], readonlyPaths: []}\n",
		       &c, &err),
	       0, "rootless, only joining namespaces");
	if (err.msg[0])
		diag("error: %s", err.msg);
	sluice_config_free(&c);
}

static void test_inherited_hostname(void)
{
	struct sluice_config c;
	struct sluice_error err = { 0 };

	is_int(finalize_yaml(0, "process: {args: [sh]}\nlinux: {namespaces: [{type: mount}]}\n", &c,
			     &err),
	       0, "the default's hostname does not force a uts namespace");
	ok(c.hostname == NULL, "the inherited hostname is dropped without a uts namespace");
	sluice_config_free(&c);
	is_int(finalize_yaml(0, "process: {args: [sh]}\n", &c, &err), 0, "default namespaces");
	is_str(c.hostname, "sluice", "the inherited hostname stays with a uts namespace");
	sluice_config_free(&c);
}

static void test_validate(void)
{
	struct sluice_config c;
	struct sluice_error err = { 0 };

	finalize_fails(0, "",
		       "config.yaml: no command: give one on the command line or in process.args");
	finalize_fails(0,
		       "process: {args: [sh]}\nhostname: box\nlinux: {namespaces: [{type: mount}]}\n",
		       "config.yaml: hostname needs the uts namespace: add {type: uts} to "
		       "linux.namespaces (or set hostname: \"\")");
	finalize_fails(0,
		       "process: {args: [sh]}\nhostname: \"\"\nlinux: {namespaces: [{type: pid}]}\n",
		       "config.yaml: mounts (set mounts: []) needs the mount namespace: add {type: "
		       "mount} to linux.namespaces");
	finalize_fails(0,
		       "process: {args: [sh]}\nhostname: \"\"\nmounts: []\nlinux: {namespaces: [], "
		       "maskedPaths: [], readonlyPaths: []}\n",
		       "config.yaml: root.readonly (set it to false) needs the mount namespace: add "
		       "{type: mount} to linux.namespaces");
	finalize_fails(0,
		       "process: {args: [sh], user: {uid: 5}}\nlinux: {namespaces: [{type: user}, "
		       "{type: mount}, {type: uts}],\n  uidMappings: [{containerID: 0, hostID: 1000, "
		       "size: 1}]}\n",
		       "config.yaml: process.user.uid 5 is not mapped by linux.uidMappings");
	finalize_fails(1000, "process: {args: [sh], user: {additionalGids: [1000, 44]}}\n",
		       "config.yaml: process.user.additionalGids: gid 44 is not mapped by "
		       "linux.gidMappings");
	/* As runc: ambient capabilities the kernel cannot raise are left out,
	 * with one warning naming them; the raisable ones stay. */
	is_int(finalize_yaml(
		       0,
		       "process: {args: [sh], capabilities: {permitted: [CAP_KILL, CAP_CHOWN], "
		       "inheritable: [CAP_CHOWN], ambient: [CAP_KILL, CAP_CHOWN, CAP_FOWNER]}}\n",
		       &c, &err),
	       0, "finalize takes ambient capabilities the kernel cannot raise");
	is_int((int)c.process.caps[SLUICE_CAP_AMBIENT], 1 << 0, "only CAP_CHOWN stays ambient");
	is_int((int)sluice_strv_len(c.warnings), 1, "one warning");
	is_str(c.warnings ? c.warnings[0] : NULL,
	       "config.yaml: process.capabilities.ambient: not raised: CAP_FOWNER, CAP_KILL (the "
	       "kernel raises only capabilities that are also permitted and inheritable)",
	       "the warning names them");
	sluice_config_free(&c);
	is_int(finalize_yaml(0, "process: {args: [sh], capabilities: {ambient: []}}\n", &c, &err),
	       0, "no ambient capabilities");
	is_int((int)sluice_strv_len(c.warnings), 0, "no warning");
	sluice_config_free(&c);
	finalize_fails(0,
		       "process: {args: [sh]}\nlinux: {namespaces: [{type: mount}], uidMappings: "
		       "[{containerID: 0, hostID: 0, size: 1}]}\n",
		       "config.yaml: linux.uidMappings and gidMappings need a new user namespace: add "
		       "{type: user} to linux.namespaces");
}

/* process.terminal and consoleSize: loaded, emitted, read back; the
 * size's bounds and keys; stdio modes that the terminal would override. */
static void test_terminal(void)
{
	struct sluice_config c;
	struct sluice_error err = { 0 };
	char *text = NULL;
	size_t len = 0;

	make_default(&c, 0, "/");
	is_int(c.process.terminal, 0, "terminal: false by default");
	is_int(c.process.console_size.set, 0, "consoleSize: unset by default");
	load_succeeds(&c, "process:\n  terminal: true\n  consoleSize: {height: 40, width: 132}\n",
		      "terminal with a size");
	ok(c.process.terminal && c.process.console_size.set &&
		   c.process.console_size.height == 40 && c.process.console_size.width == 132,
	   "terminal: true, 40 rows, 132 columns");
	round_trip(&c, "terminal");
	ok(sluice_config_emit(&c, &text, &len, &err) == 0 && text &&
		   strstr(text,
			  "  terminal: true\n  consoleSize:\n    height: 40\n    width: 132\n"),
	   "terminal and consoleSize emitted");
	free(text);
	sluice_config_free(&c);

	load_fails("process:\n  consoleSize: {height: 1}\n",
		   "config.yaml:2:16: process.consoleSize: required key \"width\" is missing");
	load_fails("process:\n  consoleSize: {height: 1, width: 65536}\n",
		   "config.yaml:2:35: process.consoleSize.width: 65536 is out of range (0..65535)");
	load_fails("process:\n  consoleSize: {height: 1, width: 2, depth: 3}\n",
		   "config.yaml:2:38: unknown key \"depth\" in process.consoleSize");
	load_fails(
		"process:\n  terminal: yes\n",
		"config.yaml:2:13: process.terminal: expected a boolean (true or false), got \"yes\"");
	finalize_fails(0, "process: {args: [sh], terminal: true}\nsluice: {stdout: pipe}\n",
		       "config.yaml: sluice.stdout cannot be combined with process.terminal (the "
		       "terminal is the workload's stdin, stdout and stderr): leave it inherit");
}

static void test_emit_edge(void)
{
	struct sluice_config c;
	struct sluice_error err = { 0 };
	struct sluice_mount *m;
	char *text = NULL;
	size_t len = 0;

	/* argv and env are bytes: what is not UTF-8 goes as !!binary */
	make_default(&c, 0, "/");
	sluice_strv_push(&c.process.args, "printf");
	sluice_strv_push(&c.process.args, "\xff\xfe");
	sluice_strv_push(&c.process.env, "X=caf\xe9");
	is_int(sluice_config_emit(&c, &text, &len, &err), 0, "emit: not UTF-8 is fine");
	ok(text && strstr(text, "- !!binary //4=\n") && strstr(text, "- !!binary WD1jYWbp\n"),
	   "emit: bytes as !!binary");
	free(text);
	text = NULL;
	round_trip(&c, "not UTF-8");
	sluice_config_free(&c);
	sluice_config_init(&c);
	{
		static const char doc[] = "process: {args: [!!binary //4=, !!binary \"YWJj\"]}\n";
		is_int(sluice_config_load_buffer(&c, "b.yaml", doc, sizeof(doc) - 1, "/", &err), 0,
		       "load: !!binary strings");
	}
	ok(c.process.args && c.process.args[0] && !strcmp(c.process.args[0], "\xff\xfe") &&
		   c.process.args[1] && !strcmp(c.process.args[1], "abc"),
	   "load: !!binary decodes to the bytes");
	sluice_config_free(&c);

	/* a mount built in code, without an options list */
	make_default(&c, 0, "/");
	m = &c.mounts[0];
	sluice_strv_free(m->options);
	m->options = NULL;
	free(m->data);
	m->data = strdup("mode=700,size=1m");
	m->flags = MS_RDONLY | MS_NOSUID;
	m->clear = MS_NOEXEC;
	m->propagation = MS_SHARED | MS_REC;
	round_trip(&c, "mount without options");
	is_int(sluice_config_emit(&c, &text, &len, &err), 0, "emit synthesized options");
	ok(text && strstr(text,
			  "  - ro\n  - nosuid\n  - exec\n  - rshared\n  - mode=700\n  - size=1m\n"),
	   "synthesized options in order");
	free(text);
	sluice_config_free(&c);
}

/* The example configs must load on top of the default. */
static void test_examples(void)
{
	static const char *const names[] = { "default.yaml",	    "minimal.yaml",
					     "busybox-rootfs.yaml", "readonly-bind.yaml",
					     "pipe-stdio.yaml",	    "rootless.yaml" };
	char path[2200];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct sluice_config c;
		struct sluice_error err = { 0 };
		int r;

		snprintf(path, sizeof(path), "%s/configs/%s", srcdir, names[i]);
		make_default(&c, 1000, "/");
		r = sluice_config_load_file(&c, path, &err);
		ok(r == 0, "example %s loads", names[i]);
		if (r < 0)
			diag("%s", err.msg);
		sluice_config_free(&c);
	}
}

/* configs/default.yaml is the default as printed for an unprivileged caller. */
static void test_default_file(void)
{
	char path[2200], *text = NULL, *file = NULL, *body;
	struct sluice_config c;
	struct sluice_error err = { 0 };
	size_t len = 0, flen = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/configs/default.yaml", srcdir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ok(fd >= 0 && sluice_read_fd(fd, 1 << 20, &file, &flen) == 0, "read configs/default.yaml");
	if (fd >= 0)
		close(fd);
	make_default(&c, 1000, NULL);
	ok(sluice_config_emit(&c, &text, &len, &err) == 0, "emit the default");
	/* skip the leading comment block */
	body = file;
	while (body && *body == '#')
		body = strchr(body, '\n') ? strchr(body, '\n') + 1 : body + strlen(body);
	while (body && *body == '\n')
		body++;
	is_str(body, text, "configs/default.yaml is the emitted default");
	free(text);
	free(file);
	sluice_config_free(&c);
}

/* Duplicate keys, in small maps (compared pairwise) and large ones
 * (sorted), by both readers: the earliest second occurrence is named,
 * pointing at the first. */
static void test_errors_duplicates(void)
{
	char big[2048];
	size_t at = 0;

	load_fails("{\"hostname\": \"a\", \"domainname\": \"b\", \"hostname\": \"c\", "
		   "\"domainname\": \"d\"}\n",
		   "config.yaml:1:38: duplicate key \"hostname\" (first at line 1, column 2)");
	load_fails("process:\n  cwd: /\n  args: [x]\n  cwd: /y\n",
		   "config.yaml:4:3: duplicate key \"cwd\" (first at line 2, column 3)");
	/* 20 keys: the sorted path; k7 comes back before k3 does */
	at += (size_t)snprintf(big + at, sizeof(big) - at, "annotations:\n");
	for (int i = 0; i < 20; i++)
		at += (size_t)snprintf(big + at, sizeof(big) - at, "  k%d: v\n",
				       i == 12 ? 7 :
				       i == 15 ? 3 :
						 i);
	load_fails(big, "config.yaml:14:3: duplicate key \"k7\" (first at line 9, column 3)");
	at = (size_t)snprintf(big, sizeof(big), "{\"annotations\": {");
	for (int i = 0; i < 20; i++)
		at += (size_t)snprintf(big + at, sizeof(big) - at, "%s\n\"k%d\": \"v\"",
				       i ? "," : "",
				       i == 12 ? 7 :
				       i == 15 ? 3 :
						 i);
	snprintf(big + at, sizeof(big) - at, "}}\n");
	load_fails(big, "config.yaml:14:1: duplicate key \"k7\" (first at line 9, column 1)");
}

/* A JSON document whose tree outgrows the arena's first chunk (sized from
 * the text) loads whole: 3000 annotations, short keys, long tree. */
static void test_json_large_tree(void)
{
	struct sluice_config c;
	struct sluice_error err = { 0 };
	size_t cap = 64 * 1024, at = 0;
	char *doc = malloc(cap);

	if (!doc) {
		ok(false, "json large tree: memory");
		return;
	}
	at += (size_t)snprintf(doc, cap, "{\"annotations\":{");
	for (int i = 0; i < 3000; i++)
		at += (size_t)snprintf(doc + at, cap - at, "%s\"%d\":\"\"", i ? "," : "", i);
	snprintf(doc + at, cap - at, "},\"hostname\":\"h\"}");
	make_default(&c, 0, "/");
	is_int(load(&c, doc, &err), 0, "json large tree: loads");
	if (err.msg[0])
		diag("error: %s", err.msg);
	is_str(c.hostname, "h", "json large tree: the key after the big map is read");
	sluice_config_free(&c);
	free(doc);
}

int main(void)
{
	const char *env = getenv("SLUICE_SRCDIR");

	if (env)
		snprintf(srcdir, sizeof(srcdir), "%s", env);
	else if (!getcwd(srcdir, sizeof(srcdir)))
		snprintf(srcdir, sizeof(srcdir), ".");
	test_names();
	test_default_root();
	test_default_user();
	test_rich();
	test_runc_json();
	test_errors_keys();
	test_errors_duplicates();
	test_json_large_tree();
	test_errors_types();
	test_errors_names();
	test_errors_values();
	test_device_file_mode();
	test_errors_unsupported();
	test_rec_attrs();
	test_personality();
	test_scheduling();
	test_memory_policy();
	test_idmap_mounts();
	test_net_devices();
	test_time_offsets();
	test_hooks();
	test_process_file();
	test_errors_yaml();
	test_resources();
	test_resources_errors();
	test_resources_validate();
	test_resource_options();
	test_wants_cgroup();
	test_overlay();
	test_modes();
	test_paths();
	test_finalize();
	test_validate();
	test_inherited_hostname();
	test_terminal();
	test_emit_edge();
	test_examples();
	test_default_file();
	return done_testing();
}
