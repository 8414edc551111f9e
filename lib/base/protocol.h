/* The fd-3 wire protocol between a runtime and `sluice init`
 * (docs/protocol.md).
 *
 * fd 3 (runtime -> helper): either a framed stream, which starts with the
 * 8-byte preamble SLUICE_PROTO_MAGIC, or raw YAML/JSON text read to EOF
 * (EOF is then the go-ahead).  A frame is a 4-byte type and a 4-byte payload
 * length, both big-endian, then the payload.
 * fd 4 (helper -> runtime): frames without a preamble. */
#ifndef SLUICE_PROTOCOL_H
#define SLUICE_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sluice.h"

#define SLUICE_PROTO_MAGIC "\0SLUICE\1"
#define SLUICE_PROTO_MAGIC_LEN 8
#define SLUICE_PROTO_HEADER_LEN 8
#define SLUICE_PROTO_MAX_PAYLOAD (4u << 20) /* 4 MiB: configs are small */

#define SLUICE_CONFIG_FD 3
#define SLUICE_STATUS_FD 4
#define SLUICE_PRESERVED_FD_BASE 5 /* preserved fds wait here in the helper */

enum sluice_msg {
	/* runtime -> helper */
	SLUICE_MSG_CONFIG = 1,	   /* YAML/JSON text of the effective config */
	SLUICE_MSG_GO = 2,	   /* empty: the runtime's side is done */
	SLUICE_MSG_NAMESPACES = 3, /* u64: CLONE_NEW* flags the runtime already created */
	SLUICE_MSG_SECCOMP = 4,	   /* the compiled seccomp filter (struct sock_filter[]) */
	SLUICE_MSG_OCI = 5,	   /* the OCI runtime's request (lib/oci/launch_oci.h) */
	SLUICE_MSG_RESUME = 6,	   /* empty: go on (after HOOKS, after READY in OCI mode) */
	/* helper -> runtime */
	SLUICE_MSG_READY = 0x81, /* u32: workload pid as the helper sees it */
	SLUICE_MSG_ERROR = 0x82, /* u32 exit code, u32 errno, step NUL, message */
	/* u32: the fd number of a seccomp listener in the sender, which waits
	 * for one byte back (docs/protocol.md "Seccomp notify") */
	SLUICE_MSG_SECCOMP_LISTENER = 0x83,
	SLUICE_MSG_PID = 0x84,	 /* u32: the container process, forked, in the runtime's pid ns */
	SLUICE_MSG_HOOKS = 0x85, /* empty: run prestart/createRuntime hooks, then RESUME */
	/* u32: the pty number; the pty master rides along (SCM_RIGHTS), so
	 * fd 4 must then be a unix socket (docs/terminal.md) */
	SLUICE_MSG_CONSOLE = 0x86,
};

struct sluice_frame {
	uint32_t type;
	uint32_t len;
	const char *payload; /* points into the parsed buffer */
};

/* Parse one frame from buf: the bytes consumed (> 0), 0 if buf holds only
 * part of a frame, or -EBADMSG (unknown type, length over the limit).
 * Pure function on memory: the fuzz target drives it. */
ssize_t sluice_proto_parse(const char *buf, size_t len, struct sluice_frame *f);

/* Read one whole frame from a blocking fd.  *payload is malloc'd (may be
 * NULL when len is 0).  Returns 0, -EPIPE on EOF before any byte of the
 * frame, -EBADMSG on a malformed or truncated frame, or -errno. */
int sluice_proto_read(int fd, struct sluice_frame *f, char **payload);

/* The same on a unix socket: an fd received with the frame goes to *rights
 * when that is -1, any other is closed (sluice_recv_all). */
int sluice_proto_recv(int sock, struct sluice_frame *f, char **payload, int *rights);
/* The same from a socket with SO_PASSCRED: *sender is the pid (in our pid
 * namespace) of the process that wrote the frame, or 0 when the kernel
 * attached no credentials. */
int sluice_proto_recv_cred(int sock, struct sluice_frame *f, char **payload, int *rights,
			   pid_t *sender);

int sluice_proto_write(int fd, uint32_t type, const void *payload, size_t len);
/* A small frame (payload up to 4096 bytes) in one sendmsg with fd attached. */
int sluice_proto_send_fd(int sock, uint32_t type, const void *payload, size_t len, int fd);
int sluice_proto_write_magic(int fd);

/* ERROR payload <-> error object; step names the setup step that failed. */
int sluice_proto_write_error(int fd, const char *step, const struct sluice_error *err);
int sluice_proto_decode_error(const char *payload, size_t len, struct sluice_error *err, char *step,
			      size_t step_len);

/* Decode a u32/u64 payload (READY, NAMESPACES); -EBADMSG on a bad length. */
int sluice_proto_decode_u32(const struct sluice_frame *f, uint32_t *v);
int sluice_proto_decode_u64(const struct sluice_frame *f, uint64_t *v);

#endif
