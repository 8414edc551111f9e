/* The helper's config intake (intake.h). */
#include "intake.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "namespaces.h"
#include "util.h"

void sluice_intake_init(struct sluice_intake *in)
{
	memset(in, 0, sizeof(*in));
}

void sluice_intake_free(struct sluice_intake *in)
{
	free(in->text);
	free(in->oci);
	sluice_bpf_release(&in->bpf);
	sluice_intake_init(in);
}

int sluice_intake_detect(const char *head, size_t n, struct sluice_error *err)
{
	if (n == SLUICE_PROTO_MAGIC_LEN && memcmp(head, SLUICE_PROTO_MAGIC, n) == 0)
		return 1;
	/* NUL never starts YAML: this is a preamble, of a version we do not
	 * know (docs/protocol.md "Versioning"), not a config to parse. */
	if (n == SLUICE_PROTO_MAGIC_LEN && memcmp(head, SLUICE_PROTO_MAGIC, n - 1) == 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, 0,
				  "fd 3: protocol version %u not supported (this helper speaks 1)",
				  (unsigned)(unsigned char)head[n - 1]);
	return 0;
}

static uint64_t known_ns_flags(void)
{
	uint64_t all = 0;

	for (int i = 0; i < SLUICE_NS_COUNT; i++)
		all |= sluice_ns_flag((enum sluice_ns)i);
	return all;
}

static int take_namespaces(struct sluice_intake *in, const struct sluice_frame *f,
			   struct sluice_error *err)
{
	uint64_t unknown;

	if (sluice_proto_decode_u64(f, &in->prepared) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, 0,
				  "fd 3: NAMESPACES frame of %u bytes (expected 8)", f->len);
	unknown = in->prepared & ~known_ns_flags();
	if (unknown)
		return sluice_err(err, SLUICE_EXIT_SETUP, 0,
				  "fd 3: NAMESPACES frame: unknown flag bits %#llx",
				  (unsigned long long)unknown);
	in->have_ns = true;
	return 0;
}

/* OCI: the OCI runtime's request (lib/oci), kept for the helper. */
static int take_oci(struct sluice_intake *in, const struct sluice_frame *f, struct sluice_error *err)
{
	in->oci = malloc(f->len ? f->len : 1);
	if (!in->oci)
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "fd 3");
	if (f->len)
		memcpy(in->oci, f->payload, f->len);
	in->oci_len = f->len;
	return 0;
}

/* SECCOMP: the runtime's compiled filter, which stands for the config's
 * linux.seccomp (the helper then neither parses nor compiles a profile). */
static int take_filter(struct sluice_intake *in, const struct sluice_frame *f,
		       struct sluice_error *err)
{
	int r = sluice_seccomp_frame_decode(f->payload, f->len, &in->filter_flags, &in->bpf);

	if (r == -ENOMEM)
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "fd 3");
	if (r < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, 0,
				  "fd 3: SECCOMP frame of %u bytes: not a flags word and a "
				  "filter of 1 to 4096 instructions",
				  f->len);
	return 0;
}

/* Order: [NAMESPACES] [OCI] CONFIG [SECCOMP] GO, each once. */
int sluice_intake_frame(struct sluice_intake *in, const struct sluice_frame *f,
			struct sluice_error *err)
{
	if (f->type == SLUICE_MSG_GO && in->text)
		return in->go = true;
	if (f->type == SLUICE_MSG_CONFIG && !in->text) {
		in->text = malloc((size_t)f->len + 1);
		if (!in->text)
			return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "fd 3");
		if (f->len)
			memcpy(in->text, f->payload, f->len);
		in->text[f->len] = '\0';
		in->len = f->len;
		return 0;
	}
	if (f->type == SLUICE_MSG_NAMESPACES && !in->text && !in->have_ns)
		return take_namespaces(in, f, err);
	if (f->type == SLUICE_MSG_OCI && !in->text && !in->oci)
		return take_oci(in, f, err);
	if (f->type == SLUICE_MSG_SECCOMP && in->text && !in->bpf.insns)
		return take_filter(in, f, err);
	return sluice_err(err, SLUICE_EXIT_SETUP, 0,
			  "fd 3: message %u out of order (expected NAMESPACES?, OCI?, CONFIG, SECCOMP?, "
			  "GO)",
			  f->type);
}

static int decode_frames(struct sluice_intake *in, const char *buf, size_t len,
			 struct sluice_error *err)
{
	while (!in->go) {
		struct sluice_frame f;
		ssize_t n = len ? sluice_proto_parse(buf, len, &f) : 0;

		if (n < 0)
			return sluice_err(err, SLUICE_EXIT_SETUP, -(int)n, "fd 3: bad frame");
		if (n == 0 && len == 0)
			return sluice_err(err, SLUICE_EXIT_SETUP, 0,
					  "fd 3 closed before the go-ahead: the runtime gave up");
		if (n == 0)
			return sluice_err(err, SLUICE_EXIT_SETUP, EBADMSG, "fd 3: bad frame");
		if (sluice_intake_frame(in, &f, err) < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int sluice_intake_decode(struct sluice_intake *in, const char *buf, size_t len,
			 struct sluice_error *err)
{
	size_t head = len < SLUICE_PROTO_MAGIC_LEN ? len : SLUICE_PROTO_MAGIC_LEN;
	int framed = sluice_intake_detect(buf, head, err);

	if (framed < 0)
		return -1;
	in->framed = framed;
	if (framed)
		return decode_frames(in, buf + head, len - head, err);
	if (len > SLUICE_PROTO_MAX_PAYLOAD)
		return sluice_err(err, SLUICE_EXIT_CONFIG, EFBIG, "fd 3: cannot read the config");
	in->text = malloc(len + 1);
	if (!in->text)
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "fd 3");
	if (len)
		memcpy(in->text, buf, len);
	in->text[len] = '\0';
	in->len = len;
	return 0;
}

/*
 * A helper started directly (raw text on fd 3) has no runtime beside it:
 * nobody enforces a timeout or relays and opens stdio.  Such fields are
 * errors there rather than silently ignored; with the framed protocol they
 * are the runtime's job (sluice run does them).
 */
static int check_direct(const struct sluice_config *c, struct sluice_error *err)
{
	static const char *const names[] = { "stdin", "stdout", "stderr" };
	const char *src = c->source ? c->source : "<fd 3>";

	if (c->sluice.timeout > 0)
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
				  "%s: sluice.timeout needs a runtime that enforces it (sluice run); "
				  "a helper started directly cannot (use timeout(1))",
				  src);
	for (int i = 0; i < 3; i++)
		if (c->sluice.stdio[i].mode != SLUICE_STDIO_INHERIT)
			return sluice_err(
				err, SLUICE_EXIT_CONFIG, 0,
				"%s: sluice.%s: a helper started directly passes its own "
				"fd %d on (inherit); redirect it where you start sluice init",
				src, names[i], i);
	/* A cgroup is made and entered by the runtime before the go-ahead
	 * (docs/cgroups.md): with no runtime there would be none, and the
	 * limits would be silently missing. */
	if (sluice_config_wants_cgroup(c))
		return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
				  "%s: linux.resources and linux.cgroupsPath need a runtime that "
				  "makes the cgroup before the go-ahead (sluice run, or the framed "
				  "protocol); sluice init with a raw config cannot",
				  src);
	return 0;
}

/* The runtime may only have created namespaces the config asks for. */
static int check_prepared(const struct sluice_intake *in, const struct sluice_config *c,
			  struct sluice_error *err)
{
	uint64_t extra = in->prepared & ~sluice_ns_new_flags(c);

	if (!extra)
		return 0;
	return sluice_err(err, SLUICE_EXIT_SETUP, 0,
			  "fd 3: NAMESPACES frame claims namespaces %#llx that the config does not "
			  "create",
			  (unsigned long long)extra);
}

/* A framed config is complete (what `sluice run` sends): absent keys are
 * unset.  Raw text is a user's file and is overlaid on the embedded
 * default, as --config is.  Both are finalized and validated alike. */
int sluice_intake_config(const struct sluice_intake *in, struct sluice_config *c, const char *name,
			 const char *base_dir, const struct sluice_caller *who,
			 struct sluice_error *err)
{
	const char *text = in->text ? in->text : "";
	int r;

	if (in->framed) {
		sluice_config_init(c);
		r = sluice_config_load_buffer(c, name, text, in->len, "/", err);
	} else {
		r = sluice_config_default(c, who, err);
		if (r == 0)
			r = sluice_config_load_buffer(c, name, text, in->len, base_dir, err);
	}
	if (r == 0)
		r = sluice_config_finalize(c, who, err);
	if (r == 0 && !in->framed)
		r = check_direct(c, err);
	if (r == 0)
		r = check_prepared(in, c, err);
	if (r < 0)
		sluice_config_free(c);
	return r;
}
