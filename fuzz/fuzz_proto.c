/* libFuzzer target: the fd-3/fd-4 protocol decoder (lib/base/protocol.c,
 * docs/protocol.md).
 *
 * Each input is read the ways the two ends read what they receive:
 *   - as a buffer of frames (sluice_proto_parse), after the preamble when
 *     it starts with one, each payload decoded as its type says: READY
 *     and SECCOMP_LISTENER (u32), NAMESPACES (u64), ERROR
 *     (sluice_proto_decode_error), SECCOMP (flags and a filter program);
 *   - as a stream on an fd (sluice_proto_read), frame after frame until it
 *     ends or is refused;
 *   - whole, as the payload of an ERROR frame.
 * What is accepted must be sound: a frame inside the buffer, strings
 * NUL-terminated inside their buffers, an exit code 0..255, and an ERROR
 * written back (sluice_proto_write_error) that decodes to the same. */
#include <endian.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "error.h"
#include "fuzz.h"
#include "protocol.h"
#include "seccomp_filter.h"

static void broken(const char *what)
{
	fprintf(stderr, "fuzz_proto: %s\n", what);
	abort();
}

/* A pipe that holds one ERROR frame (at most 8 + 8 + 64 + 1024 bytes). */
static int loop_pipe[2] = { -1, -1 };

static void error_round_trip(const struct sluice_error *e, const char *step)
{
	struct sluice_frame f;
	struct sluice_error back = { 0 };
	char *payload = NULL, step2[64];

	if (loop_pipe[0] < 0 && pipe2(loop_pipe, O_CLOEXEC) < 0)
		broken("pipe2");
	if (sluice_proto_write_error(loop_pipe[1], step, e) < 0)
		broken("an accepted ERROR cannot be written back");
	if (sluice_proto_read(loop_pipe[0], &f, &payload) < 0 || f.type != SLUICE_MSG_ERROR)
		broken("an ERROR written back cannot be read");
	if (sluice_proto_decode_error(payload, f.len, &back, step2, sizeof(step2)) < 0)
		broken("an ERROR written back does not decode");
	if (back.exit_code != e->exit_code || back.errnum != e->errnum || strcmp(step, step2) ||
	    strcmp(back.msg, e->msg))
		broken("an ERROR written back decodes differently");
	free(payload);
}

static void decode_error(const char *payload, size_t len, size_t step_len)
{
	struct sluice_error e;
	char step[64];
	char text[sizeof(e.msg) + 128];

	memset(&e, 0x55, sizeof(e));
	memset(step, 0x55, sizeof(step));
	if (sluice_proto_decode_error(payload, len, &e, step, step_len) < 0)
		return;
	if (!memchr(step, '\0', step_len) || !memchr(e.msg, '\0', sizeof(e.msg)))
		broken("a decoded string is not NUL-terminated");
	if (e.exit_code < 0 || e.exit_code > 255 || e.errnum < 0)
		broken("a decoded exit code or errno is out of range");
	sluice_error_format(&e, text, sizeof(text)); /* what the parent prints */
	if (step_len == sizeof(step))
		error_round_trip(&e, step);
}

/* A SECCOMP frame the helper accepts holds a whole program it may load. */
static void decode_seccomp(const struct sluice_frame *f)
{
	struct sluice_bpf prog = { 0 };
	unsigned int flags;

	if (sluice_seccomp_frame_decode(f->payload, f->len, &flags, &prog) < 0)
		return;
	if (prog.len + 4 != f->len || sluice_bpf_check(prog.insns, prog.len) < 0 ||
	    memcmp(prog.insns, f->payload + 4, prog.len))
		broken("an accepted SECCOMP frame is not its program");
	sluice_bpf_release(&prog);
}

static void decode_frame(const struct sluice_frame *f)
{
	uint32_t u32;
	uint64_t u64;

	switch (f->type) {
	case SLUICE_MSG_READY:
		(void)sluice_proto_decode_u32(f, &u32);
		break;
	case SLUICE_MSG_NAMESPACES:
		(void)sluice_proto_decode_u64(f, &u64);
		break;
	case SLUICE_MSG_ERROR:
		decode_error(f->payload, f->len, 64);
		break;
	case SLUICE_MSG_SECCOMP:
		decode_seccomp(f);
		break;
	case SLUICE_MSG_SECCOMP_LISTENER:
		(void)sluice_proto_decode_u32(f, &u32);
		break;
	default:
		break;
	}
}

static void parse_buffer(const char *buf, size_t len)
{
	if (len >= SLUICE_PROTO_MAGIC_LEN &&
	    memcmp(buf, SLUICE_PROTO_MAGIC, SLUICE_PROTO_MAGIC_LEN) == 0) {
		buf += SLUICE_PROTO_MAGIC_LEN;
		len -= SLUICE_PROTO_MAGIC_LEN;
	}
	while (len > 0) {
		struct sluice_frame f;
		ssize_t n = sluice_proto_parse(buf, len, &f);
		if (n <= 0)
			return;
		if ((size_t)n > len || (size_t)n != SLUICE_PROTO_HEADER_LEN + f.len ||
		    f.payload != buf + SLUICE_PROTO_HEADER_LEN)
			broken("sluice_proto_parse consumed what it does not describe");
		decode_frame(&f);
		buf += n;
		len -= (size_t)n;
	}
}

/* The same bytes through sluice_proto_read, from a memfd. */
static void read_stream(const char *buf, size_t len)
{
	static int fd = -1;
	struct sluice_frame f;
	char *payload;

	if (fd < 0 && (fd = memfd_create("fuzz_proto", MFD_CLOEXEC)) < 0)
		broken("memfd_create");
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, len, 0) != (ssize_t)len ||
	    lseek(fd, 0, SEEK_SET) != 0)
		broken("memfd write");
	while (sluice_proto_read(fd, &f, &payload) == 0) {
		if (f.len && (!payload || payload[f.len] != '\0'))
			broken("a payload read is not NUL-terminated");
		f.payload = payload;
		decode_frame(&f);
		free(payload);
	}
}

int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;

	parse_buffer(buf, size);
	read_stream(buf, size);
	decode_error(buf, size, 64);
	decode_error(buf, size, 1 + size % 8); /* a step buffer that is too small */
	return 0;
}
