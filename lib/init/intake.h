/* The helper's config intake: the one path a config takes into
 * `sluice init`, raw or framed, whoever started the helper
 * (docs/protocol.md "One intake").
 *
 *   decode   the fd-3 stream: the preamble, frames in order up to GO, or
 *            raw text to EOF (sluice_intake_detect, sluice_intake_frame;
 *            sluice_intake_decode for a stream held in memory);
 *   build    the config over the embedded default (raw) or over nothing
 *            (framed), then finalize: default id mappings, validation
 *            (sluice_intake_config);
 *   check    what a helper started directly cannot honour, and what the
 *            NAMESPACES frame claims against the config.
 * Host paths are checked after that (sluice_config_check_paths), once the
 * helper has closed every fd not meant for the workload, and the
 * NAMESPACES claims against the kernel (sluice_ns_verify_prepared).
 *
 * Nothing here touches an fd, so that the fuzz target fuzz/fuzz_intake.c
 * drives the whole intake in-process. */
#ifndef SLUICE_INTAKE_H
#define SLUICE_INTAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "protocol.h"
#include "seccomp_filter.h"

struct sluice_intake {
	bool framed;
	bool go;	   /* framed: GO arrived */
	bool have_ns;	   /* framed: a NAMESPACES frame arrived */
	uint64_t prepared; /* CLONE_NEW* flags the runtime says it created */
	char *text;	   /* the config text, NUL-terminated (malloc'd) */
	size_t len;
	char *oci; /* framed: the OCI frame's request (lib/oci), malloc'd */
	size_t oci_len;
	struct sluice_bpf bpf;	   /* framed: the SECCOMP frame's program */
	unsigned int filter_flags; /* and its SECCOMP_FILTER_FLAG_* bits */
};

void sluice_intake_init(struct sluice_intake *in);
void sluice_intake_free(struct sluice_intake *in);

/* The first bytes of the stream (n of them, n <= SLUICE_PROTO_MAGIC_LEN):
 * 1 framed, 0 raw text, -1 with err for a preamble of a version this
 * helper does not speak. */
int sluice_intake_detect(const char *head, size_t n, struct sluice_error *err);

/* Framed: the next frame.  1 once GO arrived, 0 for more, -1 with err for
 * a frame out of order or malformed (docs/protocol.md "fd 3").  Order:
 * [NAMESPACES] [OCI] CONFIG [SECCOMP] GO, each once. */
int sluice_intake_frame(struct sluice_intake *in, const struct sluice_frame *f,
			struct sluice_error *err);

/* A whole fd-3 stream held in memory, decoded as the helper reads fd 3:
 * raw text to its end, or the preamble and frames up to GO (bytes after GO
 * are never read; a stream that ends before GO is the runtime giving up). */
int sluice_intake_decode(struct sluice_intake *in, const char *buf, size_t len,
			 struct sluice_error *err);

/* Build, finalize and check the config from the decoded text into c.
 * name and base_dir are for messages and relative paths (raw text only;
 * base_dir NULL: the current directory).  c is freed on failure. */
int sluice_intake_config(const struct sluice_intake *in, struct sluice_config *c, const char *name,
			 const char *base_dir, const struct sluice_caller *who,
			 struct sluice_error *err);

#endif
