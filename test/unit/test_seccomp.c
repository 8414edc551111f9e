/* Unit tests for lib/seccomp/ and the linux.seccomp loader: the model and
 * its canonical bytes, the default profile, compiling, the SECCOMP frame,
 * the protocol's credentials, the cache. */
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "error.h"
#include "hash.h"
#include "intake.h"
#include "protocol.h"
#include "seccomp_filter.h"
#include "tap.h"
#include "util.h"

static struct sluice_seccomp *load(const char *yaml)
{
	struct sluice_config c;
	struct sluice_error err = { 0 };
	struct sluice_seccomp *s;

	sluice_config_init(&c);
	if (sluice_config_load_buffer(&c, "p.yaml", yaml, strlen(yaml), "/", &err) < 0) {
		diag("%s", err.msg);
		sluice_config_free(&c);
		return NULL;
	}
	s = c.linux.seccomp;
	c.linux.seccomp = NULL;
	sluice_config_free(&c);
	return s;
}

static bool same_canonical(const struct sluice_seccomp *a, const struct sluice_seccomp *b)
{
	char *x = NULL, *y = NULL;
	size_t lx = 0, ly = 0;
	bool same;

	if (sluice_seccomp_canonical(a, &x, &lx) < 0 || sluice_seccomp_canonical(b, &y, &ly) < 0)
		abort();
	same = lx == ly && !memcmp(x, y, lx);
	free(x);
	free(y);
	return same;
}

#define BASE "linux:\n  seccomp:\n    defaultAction: SCMP_ACT_ALLOW\n    syscalls:\n"

static void test_canonical(void)
{
	static const char *const variants[] = {
		BASE "    - {names: [mkdir], action: SCMP_ACT_ERRNO}\n",
		BASE "    - {names: [mkdir], action: SCMP_ACT_ERRNO, errnoRet: 2}\n",
		BASE "    - {names: [mkdir], action: SCMP_ACT_KILL}\n",
		BASE "    - {names: [mkdirat], action: SCMP_ACT_ERRNO}\n",
		BASE "    - {names: [mkdir, mkdirat], action: SCMP_ACT_ERRNO}\n",
		BASE "    - {names: [mkdir], action: SCMP_ACT_ERRNO, args: [{index: 1, value: 1, "
		     "op: SCMP_CMP_EQ}]}\n",
		BASE "    - {names: [mkdir], action: SCMP_ACT_ERRNO, args: [{index: 1, value: 1, "
		     "op: SCMP_CMP_NE}]}\n",
		BASE "    - {names: [mkdir], action: SCMP_ACT_ERRNO, args: [{index: 1, value: 2, "
		     "op: SCMP_CMP_EQ}]}\n",
		"linux:\n  seccomp: {defaultAction: SCMP_ACT_ALLOW, architectures: [SCMP_ARCH_X86]}\n",
		"linux:\n  seccomp: {defaultAction: SCMP_ACT_ERRNO}\n",
	};
	struct sluice_seccomp *s[sizeof(variants) / sizeof(variants[0])];
	struct sluice_seccomp *same;
	size_t n = sizeof(variants) / sizeof(variants[0]);
	bool all_differ = true;

	for (size_t i = 0; i < n; i++) {
		s[i] = load(variants[i]);
		ok(s[i] != NULL, "variant %zu loads", i);
		if (!s[i])
			return;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (same_canonical(s[i], s[j])) {
				diag("variants %zu and %zu have the same canonical bytes", i, j);
				all_differ = false;
			}
	ok(all_differ, "every difference that changes the program changes the canonical bytes");
	/* load flags and the listener do not change the program */
	same = load("linux:\n  seccomp: {defaultAction: SCMP_ACT_ERRNO, flags: "
		    "[SECCOMP_FILTER_FLAG_LOG], listenerPath: /x}\n");
	ok(same && same_canonical(same, s[n - 1]), "flags and listenerPath are not in the key");
	sluice_seccomp_free(same);
	/* the errno written or the default one: EPERM both ways */
	same = load(BASE "    - {names: [mkdir], action: SCMP_ACT_ERRNO, errnoRet: 1}\n");
	ok(same && same_canonical(same, s[0]), "errnoRet: 1 is the default EPERM");
	sluice_seccomp_free(same);
	for (size_t i = 0; i < n; i++)
		sluice_seccomp_free(s[i]);
}

static bool has_rule_for(const struct sluice_seccomp *s, const char *name)
{
	for (size_t i = 0; i < s->n_rules; i++)
		for (char **n = s->rules[i].names; *n; n++)
			if (!strcmp(*n, name))
				return true;
	return false;
}

static void test_default_profile(void)
{
	struct sluice_seccomp *none = sluice_seccomp_default_profile(0, false);
	struct sluice_seccomp *admin =
		sluice_seccomp_default_profile(UINT64_C(1) << CAP_SYS_ADMIN, false);

	ok(none && admin, "the default profile is made");
	if (!none || !admin)
		return;
	is_int(none->default_action, SLUICE_SCMP_ALLOW, "a deny list: the default allows");
	ok(none->n_archs == 2, "x86-64 and its i386 ABI (x32: the bad-arch action)");
	ok(has_rule_for(none, "keyctl") && has_rule_for(none, "mount") &&
		   has_rule_for(none, "clone3") && has_rule_for(none, "io_uring_setup"),
	   "without capabilities: keyctl, mount, clone3, io_uring refused");
	struct sluice_seccomp *nested = sluice_seccomp_default_profile(0, true);
	ok(nested && has_rule_for(nested, "mount") && !has_rule_for(nested, "unshare") &&
		   !has_rule_for(nested, "clone") && !has_rule_for(nested, "clone3"),
	   "nestedUserNamespaces: clone, unshare and clone3 left to the kernel");
	sluice_seccomp_free(nested);
	ok(has_rule_for(admin, "keyctl") && !has_rule_for(admin, "mount") &&
		   !has_rule_for(admin, "clone3") && !has_rule_for(admin, "setns"),
	   "with CAP_SYS_ADMIN: mount, clone3, setns left to the kernel; keyctl still refused");
	for (size_t i = 0; i < none->n_rules; i++) {
		const struct sluice_seccomp_rule *r = &none->rules[i];
		if (!(r->action == SLUICE_SCMP_ERRNO && r->errno_set &&
		      (r->errno_ret == EPERM ||
		       (r->errno_ret == ENOSYS && !strcmp(r->names[0], "clone3"))))) {
			ok(false, "rule %zu (%s) is EPERM (clone3: ENOSYS)", i, r->names[0]);
			break;
		}
	}
	sluice_seccomp_free(none);
	sluice_seccomp_free(admin);
}

static void test_compile(void)
{
	struct sluice_seccomp *s = sluice_seccomp_default_profile(0, false);
	struct sluice_seccomp *odd =
		load(BASE "    - {names: [no_such_call, mkdir], action: SCMP_ACT_ERRNO}\n"
			  "    - {names: [getppid], action: SCMP_ACT_ALLOW}\n");
	struct sluice_error err = { 0 };
	struct sluice_bpf b = { 0 };

	ok(sluice_seccomp_compile(s, "d", &b, &err) == 0, "the default profile compiles");
	ok(b.len > 0 && b.len % 8 == 0 && sluice_bpf_check(b.insns, b.len) == 0,
	   "a whole number of instructions (%zu bytes)", b.len);
	sluice_bpf_release(&b);
	ok(odd && sluice_seccomp_compile(odd, "o", &b, &err) == 0,
	   "unknown names are skipped, a rule equal to the default too");
	sluice_bpf_release(&b);
	ok(sluice_bpf_check(NULL, 0) < 0 && sluice_bpf_check("12345678", 7) < 0 &&
		   sluice_bpf_check("12345678", 8) == 0,
	   "sluice_bpf_check: empty and partial programs are refused");
	sluice_seccomp_free(s);
	sluice_seccomp_free(odd);
}

static void test_frame(void)
{
	struct sock_filter insns[2] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
					BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
	struct sluice_bpf in = { insns, sizeof(insns) }, out = { 0 };
	unsigned int flags = 0;
	size_t len = 0;
	char *p = sluice_seccomp_frame_encode(SECCOMP_FILTER_FLAG_LOG, &in, &len);

	ok(p && len == 4 + sizeof(insns), "SECCOMP frame: flags, then the program");
	ok(p && sluice_seccomp_frame_decode(p, len, &flags, &out) == 0 &&
		   flags == SECCOMP_FILTER_FLAG_LOG && out.len == sizeof(insns) &&
		   !memcmp(out.insns, insns, sizeof(insns)),
	   "decodes to the same flags and program");
	sluice_bpf_release(&out);
	ok(p && sluice_seccomp_frame_decode(p, len - 1, &flags, &out) == -EBADMSG &&
		   sluice_seccomp_frame_decode(p, 4, &flags, &out) == -EBADMSG &&
		   sluice_seccomp_frame_decode(p, 3, &flags, &out) == -EBADMSG,
	   "a cut or empty program is refused");
	free(p);
}

static void test_kernel_flags(void)
{
	struct sluice_seccomp *s =
		load("linux:\n  seccomp:\n    defaultAction: SCMP_ACT_ALLOW\n    flags: "
		     "[SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_SPEC_ALLOW]\n"
		     "    listenerPath: /a\n    syscalls: [{names: [mkdir], action: "
		     "SCMP_ACT_NOTIFY}]\n");
	unsigned int f = s ? sluice_seccomp_kernel_flags(s) : 0;

	ok(s && sluice_seccomp_uses_notify(s), "a NOTIFY rule is noticed");
	is_int((int)f,
	       (int)(SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_SPEC_ALLOW |
		     SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_TSYNC_ESRCH),
	       "TSYNC with a listener asks for ESRCH too");
	ok(sluice_seccomp_flags_notify(f), "NEW_LISTENER is seen in the frame's flags");
	sluice_seccomp_free(s);
}

static void test_hash(void)
{
	char a[100], b[100];

	memset(a, 'x', sizeof(a));
	memcpy(b, a, sizeof(b));
	ok(sluice_hash64(a, sizeof(a), 1) == sluice_hash64(b, sizeof(b), 1), "equal bytes");
	ok(sluice_hash64(a, sizeof(a), 1) != sluice_hash64(a, sizeof(a), 2), "seeds differ");
	ok(sluice_hash64(a, 99, 1) != sluice_hash64(a, 100, 1), "lengths differ");
	for (size_t i = 0; i < sizeof(b); i++) {
		b[i] ^= 1;
		if (sluice_hash64(a, sizeof(a), 3) == sluice_hash64(b, sizeof(b), 3)) {
			ok(false, "a flipped bit at byte %zu changes the hash", i);
			return;
		}
		b[i] ^= 1;
	}
	ok(true, "every single flipped bit changes the hash");
}

/* A frame written by a process reaches a SO_PASSCRED reader with its pid. */
static void test_cred(void)
{
	int sv[2], on = 1;
	struct sluice_frame f;
	char *payload = NULL;
	pid_t sender = 0;
	int rights = -1;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 ||
	    setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) < 0)
		abort();
	is_int(sluice_proto_write(sv[1], SLUICE_MSG_SECCOMP_LISTENER, "\0\0\0\7", 4), 0,
	       "write a SECCOMP_LISTENER frame");
	is_int(sluice_proto_recv_cred(sv[0], &f, &payload, &rights, &sender), 0,
	       "read it with credentials");
	is_int(f.type, SLUICE_MSG_SECCOMP_LISTENER, "its type");
	is_int(sender, getpid(), "the writer's pid");
	free(payload);
	close(sv[1]);
	is_int(rights, -1, "no fd came with it");
	is_int(sluice_proto_recv_cred(sv[0], &f, &payload, &rights, &sender), -EPIPE, "EOF");
	close(sv[0]);
}

/* The cache in a directory of its own: a miss stores, a hit loads the
 * same program, a damaged entry is not used. */
static void test_cache(void)
{
	char dir[] = "/tmp/unit-seccomp-cache.XXXXXX", path[256], entry[512];
	struct sluice_seccomp *s = sluice_seccomp_default_profile(0, false);
	struct sluice_bpf a = { 0 }, b = { 0 }, c = { 0 };
	struct sluice_error err = { 0 };
	DIR *d;
	struct dirent *de;
	int fd;

	if (!mkdtemp(dir))
		abort();
	setenv("SLUICE_CACHE_DIR", dir, 1);
	ok(sluice_seccomp_resolve(s, "t", &a, &err) == 0, "a miss: compiled and stored");
	ok(sluice_seccomp_resolve(s, "t", &b, &err) == 0, "a hit");
	ok(a.len == b.len && !memcmp(a.insns, b.insns, a.len), "the same program");
	snprintf(path, sizeof(path), "%s/seccomp", dir);
	d = opendir(path);
	entry[0] = '\0';
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.')
			snprintf(entry, sizeof(entry), "%s/%s", path, de->d_name);
	if (d)
		closedir(d);
	ok(entry[0] != '\0', "one entry");
	fd = open(entry, O_WRONLY | O_CLOEXEC);
	ok(fd >= 0 && pwrite(fd, "\xff\xff\xff\xff", 4, 40) == 4, "damage it");
	if (fd >= 0)
		close(fd);
	ok(sluice_seccomp_resolve(s, "t", &c, &err) == 0 && c.len == a.len &&
		   !memcmp(c.insns, a.insns, a.len),
	   "a damaged entry is not used: the program is compiled again");
	sluice_bpf_release(&a);
	sluice_bpf_release(&b);
	sluice_bpf_release(&c);
	unlink(entry);
	rmdir(path);
	rmdir(dir);
	unsetenv("SLUICE_CACHE_DIR");
	sluice_seccomp_free(s);
}

/* Whether a compiled program refuses ioctl(TIOCSTI/TIOCLINUX): what
 * decides if the helper's terminal guard is needed beside it. */
static bool refuses_tty(const char *yaml)
{
	struct sluice_seccomp *s = load(yaml);
	struct sluice_error err = { 0 };
	struct sluice_bpf b = { 0 };
	bool r;

	if (!s || sluice_seccomp_compile(s, "v", &b, &err) < 0)
		abort();
	r = sluice_bpf_refuses_ioctl(&b, TIOCSTI) && sluice_bpf_refuses_ioctl(&b, TIOCLINUX);
	sluice_bpf_release(&b);
	sluice_seccomp_free(s);
	return r;
}

#define STI_LOW32 "{index: 1, value: 4294967295, valueTwo: 21522, op: SCMP_CMP_MASKED_EQ}"
#define LINUX_LOW32 "{index: 1, value: 4294967295, valueTwo: 21532, op: SCMP_CMP_MASKED_EQ}"

static void test_verdict(void)
{
	struct sluice_seccomp *d[2] = { sluice_seccomp_default_profile(0, false),
					sluice_seccomp_default_profile(~UINT64_C(0), false) };
	struct sock_filter ip[2] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 8),
				     BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 1) };
	struct sluice_bpf b = { 0 };
	struct sluice_error err = { 0 };

	for (int i = 0; i < 2; i++) {
		ok(d[i] && sluice_seccomp_compile(d[i], "d", &b, &err) == 0 &&
			   sluice_bpf_refuses_ioctl(&b, TIOCSTI) &&
			   sluice_bpf_refuses_ioctl(&b, TIOCLINUX) &&
			   !sluice_bpf_refuses_ioctl(&b, TCGETS),
		   "the default profile (%s capabilities) refuses TIOCSTI and TIOCLINUX, not TCGETS",
		   i ? "all" : "no");
		sluice_bpf_release(&b);
		sluice_seccomp_free(d[i]);
	}
	ok(!sluice_bpf_refuses_ioctl(&b, TIOCSTI), "no program refuses nothing");
	ok(refuses_tty(BASE "    - {names: [ioctl], action: SCMP_ACT_ERRNO, errnoRet: 25}\n"),
	   "every ioctl refused");
	ok(refuses_tty(BASE "    - {names: [ioctl], action: SCMP_ACT_TRAP, args: [" STI_LOW32 "]}\n"
			    "    - {names: [ioctl], action: SCMP_ACT_KILL, args: [" LINUX_LOW32
			    "]}\n"),
	   "trap and kill refuse too");
	ok(refuses_tty("linux:\n  seccomp: {defaultAction: SCMP_ACT_KILL_PROCESS}\n"),
	   "a kill-everything default");
	ok(!refuses_tty(BASE "    - {names: [mkdir], action: SCMP_ACT_ERRNO}\n"),
	   "a profile without ioctl rules lets them through");
	ok(!refuses_tty("linux:\n  seccomp:\n    defaultAction: SCMP_ACT_ERRNO\n    syscalls:\n"
			"    - {names: [ioctl, execve], action: SCMP_ACT_ALLOW}\n"),
	   "a deny-by-default profile that allows ioctl (podman's) lets them through");
	ok(!refuses_tty(BASE "    - {names: [ioctl], action: SCMP_ACT_ERRNO, args: [{index: 1, "
			     "value: 21522, op: SCMP_CMP_EQ}]}\n"
			     "    - {names: [ioctl], action: SCMP_ACT_ERRNO, args: [" LINUX_LOW32
			     "]}\n"),
	   "a 64-bit match of TIOCSTI misses TIOCSTI | 1 << 32");
	ok(!refuses_tty(BASE "    - {names: [ioctl], action: SCMP_ACT_ERRNO, args: [{index: 0, "
			     "value: 0, op: SCMP_CMP_EQ}, " STI_LOW32 "]}\n"
			     "    - {names: [ioctl], action: SCMP_ACT_ERRNO, args: [" LINUX_LOW32
			     "]}\n"),
	   "a rule that depends on the fd: no verdict");
	ok(!refuses_tty(BASE "    - {names: [ioctl], action: SCMP_ACT_LOG}\n"),
	   "SCMP_ACT_LOG lets it through");
	b.insns = ip;
	b.len = sizeof(ip);
	ok(!sluice_bpf_refuses_ioctl(&b, TIOCSTI), "a program that reads the instruction pointer");
}

/* A stream of frames as a runtime writes fd 3: the preamble, then each
 * (type, payload) pair, then GO. */
static size_t stream(char *buf, const uint32_t *types, const char *const *payloads,
		     const size_t *lens, size_t n)
{
	size_t at = SLUICE_PROTO_MAGIC_LEN;

	memcpy(buf, SLUICE_PROTO_MAGIC, SLUICE_PROTO_MAGIC_LEN);
	for (size_t i = 0; i <= n; i++) {
		uint32_t hdr[2] = { htobe32(i < n ? types[i] : SLUICE_MSG_GO),
				    htobe32(i < n ? (uint32_t)lens[i] : 0) };
		memcpy(buf + at, hdr, sizeof(hdr));
		at += sizeof(hdr);
		if (i < n) {
			memcpy(buf + at, payloads[i], lens[i]);
			at += lens[i];
		}
	}
	return at;
}

static void test_intake_frame(void)
{
	struct sock_filter insns[2] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),
					BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
	char frame[4 + sizeof(insns)], buf[256];
	const uint32_t types[] = { SLUICE_MSG_CONFIG, SLUICE_MSG_SECCOMP };
	const char *payloads[] = { "{}", frame };
	size_t lens[] = { 2, sizeof(frame) }, n;
	struct sluice_intake in;
	struct sluice_error err = { 0 };
	uint32_t flags = htobe32(SECCOMP_FILTER_FLAG_LOG);

	memcpy(frame, &flags, 4);
	memcpy(frame + 4, insns, sizeof(insns));
	n = stream(buf, types, payloads, lens, 2);
	sluice_intake_init(&in);
	ok(sluice_intake_decode(&in, buf, n, &err) == 0 && in.bpf.len == sizeof(insns) &&
		   in.filter_flags == SECCOMP_FILTER_FLAG_LOG,
	   "intake: CONFIG, SECCOMP, GO: the program and its flags");
	sluice_intake_free(&in);
	lens[1] = 5;
	n = stream(buf, types, payloads, lens, 2);
	ok(sluice_intake_decode(&in, buf, n, &err) < 0 && err.exit_code == SLUICE_EXIT_SETUP &&
		   strstr(err.msg, "SECCOMP frame of 5 bytes"),
	   "intake: a SECCOMP frame that is no program: 125, saying so (%s)", err.msg);
	sluice_intake_free(&in);
	n = stream(buf, types + 1, payloads + 1, lens + 1, 1);
	ok(sluice_intake_decode(&in, buf, n, &err) < 0 &&
		   strstr(err.msg,
			  "message 4 out of order (expected NAMESPACES?, OCI?, CONFIG, SECCOMP?, GO)"),
	   "intake: SECCOMP before CONFIG is out of order (%s)", err.msg);
	sluice_intake_free(&in);
}

int main(void)
{
	test_canonical();
	test_default_profile();
	test_compile();
	test_frame();
	test_kernel_flags();
	test_hash();
	test_cred();
	test_cache();
	test_verdict();
	test_intake_frame();
	return done_testing();
}
