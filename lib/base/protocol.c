/* The fd-3 wire protocol (protocol.h, docs/protocol.md). */
#include "protocol.h"

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "error.h"
#include "util.h"

static uint32_t get_be32(const char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return be32toh(v);
}

static void put_be32(char *p, uint32_t v)
{
	v = htobe32(v);
	memcpy(p, &v, sizeof(v));
}

static bool known_type(uint32_t type)
{
	switch (type) {
	case SLUICE_MSG_CONFIG:
	case SLUICE_MSG_GO:
	case SLUICE_MSG_NAMESPACES:
	case SLUICE_MSG_OCI:
	case SLUICE_MSG_RESUME:
	case SLUICE_MSG_SECCOMP:
	case SLUICE_MSG_READY:
	case SLUICE_MSG_ERROR:
	case SLUICE_MSG_SECCOMP_LISTENER:
	case SLUICE_MSG_CONSOLE:
	case SLUICE_MSG_PID:
	case SLUICE_MSG_HOOKS:
		return true;
	}
	return false;
}

static int check_header(uint32_t type, uint32_t len)
{
	if (!known_type(type) || len > SLUICE_PROTO_MAX_PAYLOAD)
		return -EBADMSG;
	return 0;
}

ssize_t sluice_proto_parse(const char *buf, size_t len, struct sluice_frame *f)
{
	uint32_t type, plen;

	if (len < SLUICE_PROTO_HEADER_LEN)
		return 0;
	type = get_be32(buf);
	plen = get_be32(buf + 4);
	if (check_header(type, plen) < 0)
		return -EBADMSG;
	if (len - SLUICE_PROTO_HEADER_LEN < plen)
		return 0;
	f->type = type;
	f->len = plen;
	f->payload = buf + SLUICE_PROTO_HEADER_LEN;
	return (ssize_t)(SLUICE_PROTO_HEADER_LEN + plen);
}

/* rights == NULL: a pipe or file, read(); else a socket, recvmsg(). */
static ssize_t get_all(int fd, void *buf, size_t len, int *rights)
{
	return rights ? sluice_recv_all(fd, buf, len, rights) : sluice_read_all(fd, buf, len);
}

/* The first bytes of a header from a socket with SO_PASSCRED: the writer's
 * pid in *sender, an fd that comes along kept as sluice_recv_all keeps
 * one (the first, if *rights is -1; any other closed); then the rest. */
static ssize_t recv_cred(int sock, char *buf, size_t len, int *rights, pid_t *sender)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n, more;

	*sender = 0;
	do {
		m.msg_control = u.buf;
		m.msg_controllen = sizeof(u.buf);
		n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_CREDENTIALS) {
			struct ucred cred;
			memcpy(&cred, CMSG_DATA(c), sizeof(cred));
			*sender = cred.pid;
		} else if (c->cmsg_type == SCM_RIGHTS) {
			size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < k; i++) {
				int fd;
				memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
				if (*rights < 0)
					*rights = fd;
				else
					sluice_close(fd);
			}
		}
	}
	if (n == 0 || (size_t)n == len)
		return n;
	more = sluice_recv_all(sock, buf + n, len - (size_t)n, rights);
	return more < 0 ? more : n + more;
}

static int proto_read(int fd, struct sluice_frame *f, char **payload, int *rights, pid_t *sender)
{
	char hdr[SLUICE_PROTO_HEADER_LEN];
	cleanup_free char *buf = NULL;
	ssize_t n = sender ? recv_cred(fd, hdr, sizeof(hdr), rights, sender) :
			     get_all(fd, hdr, sizeof(hdr), rights);

	*payload = NULL;
	if (n < 0)
		return (int)n;
	if (n == 0)
		return -EPIPE;
	if ((size_t)n < sizeof(hdr))
		return -EBADMSG;
	f->type = get_be32(hdr);
	f->len = get_be32(hdr + 4);
	if (check_header(f->type, f->len) < 0)
		return -EBADMSG;
	buf = malloc(f->len + 1u);
	if (!buf)
		return -ENOMEM;
	n = get_all(fd, buf, f->len, rights);
	if (n < 0)
		return (int)n;
	if ((size_t)n < f->len)
		return -EBADMSG;
	buf[f->len] = '\0';
	f->payload = buf;
	*payload = steal_ptr(&buf);
	return 0;
}

int sluice_proto_read(int fd, struct sluice_frame *f, char **payload)
{
	return proto_read(fd, f, payload, NULL, NULL);
}

int sluice_proto_recv(int sock, struct sluice_frame *f, char **payload, int *rights)
{
	return proto_read(sock, f, payload, rights, NULL);
}

int sluice_proto_recv_cred(int sock, struct sluice_frame *f, char **payload, int *rights,
			   pid_t *sender)
{
	return proto_read(sock, f, payload, rights, sender);
}

int sluice_proto_send_fd(int sock, uint32_t type, const void *payload, size_t len, int fd)
{
	char one[SLUICE_PROTO_HEADER_LEN + 4096];

	if (len > 4096)
		return -EMSGSIZE;
	put_be32(one, type);
	put_be32(one + 4, (uint32_t)len);
	if (len)
		memcpy(one + SLUICE_PROTO_HEADER_LEN, payload, len);
	return sluice_send_fd(sock, one, SLUICE_PROTO_HEADER_LEN + len, fd);
}

int sluice_proto_write(int fd, uint32_t type, const void *payload, size_t len)
{
	char hdr[SLUICE_PROTO_HEADER_LEN];
	int r;

	if (len > SLUICE_PROTO_MAX_PAYLOAD)
		return -EMSGSIZE;
	put_be32(hdr, type);
	put_be32(hdr + 4, (uint32_t)len);
	/* Small frames go out in one write so that a reader never sees half of
	 * a status frame from a helper that dies right after writing it. */
	if (len <= 4096) {
		char one[SLUICE_PROTO_HEADER_LEN + 4096];
		memcpy(one, hdr, sizeof(hdr));
		if (len)
			memcpy(one + sizeof(hdr), payload, len);
		return sluice_write_all(fd, one, sizeof(hdr) + len);
	}
	r = sluice_write_all(fd, hdr, sizeof(hdr));
	if (r < 0)
		return r;
	return sluice_write_all(fd, payload, len);
}

int sluice_proto_write_magic(int fd)
{
	return sluice_write_all(fd, SLUICE_PROTO_MAGIC, SLUICE_PROTO_MAGIC_LEN);
}

int sluice_proto_write_error(int fd, const char *step, const struct sluice_error *err)
{
	char buf[8 + 64 + sizeof(err->msg)];
	size_t slen = strnlen(step, 63), mlen = strnlen(err->msg, sizeof(err->msg) - 1);

	put_be32(buf, (uint32_t)err->exit_code);
	put_be32(buf + 4, (uint32_t)err->errnum);
	memcpy(buf + 8, step, slen);
	buf[8 + slen] = '\0';
	memcpy(buf + 9 + slen, err->msg, mlen);
	return sluice_proto_write(fd, SLUICE_MSG_ERROR, buf, 9 + slen + mlen);
}

int sluice_proto_decode_error(const char *payload, size_t len, struct sluice_error *err, char *step,
			      size_t step_len)
{
	const char *nul;
	size_t slen, mlen;

	if (len < 9)
		return -EBADMSG;
	nul = memchr(payload + 8, '\0', len - 8);
	if (!nul)
		return -EBADMSG;
	slen = (size_t)(nul - (payload + 8));
	mlen = len - 9 - slen;
	if (slen >= step_len || mlen >= sizeof(err->msg))
		return -EBADMSG;
	err->exit_code = (int)get_be32(payload);
	err->errnum = (int)get_be32(payload + 4);
	if (err->exit_code < 0 || err->exit_code > 255 || err->errnum < 0)
		return -EBADMSG;
	memcpy(step, payload + 8, slen + 1);
	memcpy(err->msg, nul + 1, mlen);
	err->msg[mlen] = '\0';
	return 0;
}

int sluice_proto_decode_u32(const struct sluice_frame *f, uint32_t *v)
{
	if (f->len != 4)
		return -EBADMSG;
	*v = get_be32(f->payload);
	return 0;
}

int sluice_proto_decode_u64(const struct sluice_frame *f, uint64_t *v)
{
	if (f->len != 8)
		return -EBADMSG;
	*v = ((uint64_t)get_be32(f->payload) << 32) | get_be32(f->payload + 4);
	return 0;
}
