/* Unit tests for the fd-3 wire protocol (lib/base/protocol.c). */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "protocol.h"
#include "tap.h"
#include "util.h"

static void put32(char *p, uint32_t v)
{
	v = htobe32(v);
	memcpy(p, &v, 4);
}

static void test_parse(void)
{
	char buf[64];
	struct sluice_frame f;

	put32(buf, SLUICE_MSG_CONFIG);
	put32(buf + 4, 5);
	memcpy(buf + 8, "hello", 5);
	is_int(sluice_proto_parse(buf, 13, &f), 13, "a whole frame is consumed");
	is_int(f.type, SLUICE_MSG_CONFIG, "type decoded big-endian");
	is_int(f.len, 5, "length decoded big-endian");
	ok(memcmp(f.payload, "hello", 5) == 0, "payload points at the bytes");
	is_int(sluice_proto_parse(buf, 12, &f), 0, "a partial payload asks for more");
	is_int(sluice_proto_parse(buf, 7, &f), 0, "a partial header asks for more");
	put32(buf, 0x77);
	is_int(sluice_proto_parse(buf, 13, &f), -EBADMSG, "an unknown type is rejected");
	put32(buf, SLUICE_MSG_GO);
	put32(buf + 4, SLUICE_PROTO_MAX_PAYLOAD + 1);
	is_int(sluice_proto_parse(buf, 13, &f), -EBADMSG, "an oversized length is rejected");
}

static void test_pipe_roundtrip(void)
{
	int p[2];
	struct sluice_frame f;
	char *payload = NULL;

	if (pipe2(p, O_CLOEXEC) < 0)
		abort();
	is_int(sluice_proto_write(p[1], SLUICE_MSG_CONFIG, "a: 1\n", 5), 0, "write CONFIG");
	is_int(sluice_proto_write(p[1], SLUICE_MSG_GO, NULL, 0), 0, "write GO");
	close(p[1]);
	is_int(sluice_proto_read(p[0], &f, &payload), 0, "read CONFIG");
	is_int(f.type, SLUICE_MSG_CONFIG, "CONFIG type");
	is_str(payload, "a: 1\n", "CONFIG payload, NUL-terminated");
	free(payload);
	is_int(sluice_proto_read(p[0], &f, &payload), 0, "read GO");
	is_int(f.type, SLUICE_MSG_GO, "GO type");
	is_int(f.len, 0, "GO is empty");
	free(payload);
	is_int(sluice_proto_read(p[0], &f, &payload), -EPIPE, "clean EOF between frames");
	close(p[0]);
}

static void test_truncated(void)
{
	int p[2];
	struct sluice_frame f;
	char *payload = NULL, buf[10];

	if (pipe2(p, O_CLOEXEC) < 0)
		abort();
	put32(buf, SLUICE_MSG_CONFIG);
	put32(buf + 4, 100);
	memcpy(buf + 8, "ab", 2);
	if (write(p[1], buf, 10) != 10)
		abort();
	close(p[1]);
	is_int(sluice_proto_read(p[0], &f, &payload), -EBADMSG, "EOF inside a payload is an error");
	ok(payload == NULL, "no payload handed out on error");
	close(p[0]);
}

static void test_error_frame(void)
{
	int p[2];
	struct sluice_frame f;
	struct sluice_error in = { 0 }, out = { 0 };
	char *payload = NULL, step[64];

	if (pipe2(p, O_CLOEXEC) < 0)
		abort();
	sluice_err(&in, SLUICE_EXIT_SETUP, EPERM, "mount proc on /proc");
	is_int(sluice_proto_write_error(p[1], "mounts", &in), 0, "write ERROR");
	is_int(sluice_proto_read(p[0], &f, &payload), 0, "read ERROR");
	is_int(f.type, SLUICE_MSG_ERROR, "ERROR type");
	is_int(sluice_proto_decode_error(payload, f.len, &out, step, sizeof(step)), 0,
	       "decode ERROR");
	is_str(step, "mounts", "step survives");
	is_str(out.msg, "mount proc on /proc", "message survives");
	is_int(out.errnum, EPERM, "errno survives");
	is_int(out.exit_code, SLUICE_EXIT_SETUP, "exit code survives");
	is_int(sluice_proto_decode_error(payload, 8, &out, step, sizeof(step)), -EBADMSG,
	       "a payload without a step is rejected");
	is_int(sluice_proto_decode_error("\0\0\0\1\0\0\0\1abc", 11, &out, step, sizeof(step)),
	       -EBADMSG, "a step without its NUL is rejected");
	is_int(sluice_proto_decode_error("\0\0\1\0\0\0\0\1s\0m", 11, &out, step, sizeof(step)),
	       -EBADMSG, "an exit code over 255 is rejected");
	is_int(sluice_proto_decode_error(payload, f.len, &out, step, 3), -EBADMSG,
	       "a step longer than the caller's buffer is rejected");
	free(payload);
	close(p[0]);
	close(p[1]);
}

static void test_numbers(void)
{
	struct sluice_frame f = { SLUICE_MSG_NAMESPACES, 8, "\0\0\0\0\x70\0\0\0" };
	uint64_t v = 0;
	uint32_t w = 0;

	is_int(sluice_proto_decode_u64(&f, &v), 0, "u64 payload");
	ok(v == 0x70000000ULL, "u64 is big-endian");
	is_int(sluice_proto_decode_u32(&f, &w), -EBADMSG, "u32 of an 8-byte payload is rejected");
	ok(memcmp(SLUICE_PROTO_MAGIC, "\0SLUICE\1", SLUICE_PROTO_MAGIC_LEN) == 0,
	   "the preamble is NUL SLUICE version 1: never valid YAML text");
}

static bool same_file(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* process.terminal: a CONSOLE frame carries an fd over a socketpair; the
 * reader keeps one, close-on-exec, and closes any other a peer sends. */
static void test_console_frame(void)
{
	int sv[2], p[2], rights = -1;
	struct sluice_frame f;
	char *payload = NULL;
	uint32_t n = htobe32(7), v = 0;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 || pipe2(p, O_CLOEXEC) < 0)
		abort();
	is_int(sluice_proto_write(sv[1], SLUICE_MSG_READY, &n, 4), 0, "READY before, no fd");
	is_int(sluice_proto_send_fd(sv[1], SLUICE_MSG_CONSOLE, &n, 4, p[0]), 0,
	       "send CONSOLE with an fd");
	is_int(sluice_proto_send_fd(sv[1], SLUICE_MSG_CONSOLE, &n, 4, p[1]), 0, "send a second fd");
	close(sv[1]);
	is_int(sluice_proto_recv(sv[0], &f, &payload, &rights), 0, "receive READY");
	is_int(f.type, SLUICE_MSG_READY, "READY first");
	free(payload);
	is_int(sluice_proto_recv(sv[0], &f, &payload, &rights), 0, "receive CONSOLE");
	is_int(f.type, SLUICE_MSG_CONSOLE, "CONSOLE type (0x86)");
	ok(sluice_proto_decode_u32(&f, &v) == 0 && v == 7, "CONSOLE payload: the pty number");
	free(payload);
	ok(rights >= 0 && same_file(rights, p[0]), "the fd that came is the one sent");
	ok(rights >= 0 && (fcntl(rights, F_GETFD) & FD_CLOEXEC), "received close-on-exec");
	is_int(sluice_proto_recv(sv[0], &f, &payload, &rights), 0, "receive the second");
	free(payload);
	ok(same_file(rights, p[0]), "a second fd does not replace the first (it is closed)");
	is_int(sluice_proto_recv(sv[0], &f, &payload, &rights), -EPIPE, "EOF");
	is_int(sluice_proto_write(p[1], SLUICE_MSG_GO, NULL, 0), 0, "the pipe is still open");
	is_int(sluice_proto_send_fd(p[1], SLUICE_MSG_CONSOLE, &n, 4, p[0]), -ENOTSOCK,
	       "an fd cannot go over a pipe");
	close(rights);
	close(sv[0]);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	test_parse();
	test_pipe_roundtrip();
	test_truncated();
	test_error_frame();
	test_numbers();
	test_console_frame();
	return done_testing();
}
