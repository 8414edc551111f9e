/* start: open the exec FIFO, so that the helper blocked on it goes on to
 * exec the workload (docs/oci.md "start").
 *
 * The FIFO is opened for reading without blocking (a reader with no writer
 * polls as not ready, not as hung up), then poll waits for the helper's
 * byte or its death: no polling loop, no timeout.  After the byte the
 * helper runs the startContainer hooks and execs; its end of the FIFO
 * closes on exec, so EOF means the workload runs, and an ERROR frame
 * before EOF says why it does not. */
#include "oci_internal.h"

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "error.h"
#include "protocol.h"
#include "util.h"

#define START_REPLY_MAX 8192

static int refuse(enum oci_status st, struct sluice_error *err)
{
	switch (st) {
	case OCI_RUNNING:
		return sluice_err(err, SLUICE_EXIT_OCI, 0,
				  "cannot start an already running container");
	case OCI_STOPPED:
		return sluice_err(err, SLUICE_EXIT_OCI, 0,
				  "cannot start a container that has stopped");
	case OCI_CREATING:
		return sluice_err(err, SLUICE_EXIT_OCI, 0,
				  "cannot start a container that is being created");
	case OCI_PAUSED:
		return sluice_err(err, SLUICE_EXIT_OCI, 0,
				  "cannot start a container in the paused state");
	case OCI_CREATED:
		break;
	}
	return 0;
}

/* Wait for the helper's byte; -1 with err if the helper died first. */
static int wait_byte(int fifo, int pidfd, struct sluice_error *err)
{
	struct pollfd p[2] = { { .fd = fifo, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
	char b;

	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return sluice_err(err, SLUICE_EXIT_SETUP, errno, "poll");
		}
		/* the byte first: it may have come just before an early exit */
		ssize_t n = read(fifo, &b, 1);
		if (n == 1 && b == '0')
			return 0;
		/* n == 0: a writer came and went without a word */
		if (p[1].revents || n == 0 || n == 1)
			return sluice_err(err, SLUICE_EXIT_OCI, 0,
					  "cannot start a container that has stopped");
	}
}

/* After the byte, until EOF: nothing (the exec happened) or an ERROR. */
static int read_outcome(int fifo, struct sluice_error *err)
{
	char buf[START_REPLY_MAX];
	size_t len = 0;
	struct sluice_frame f;
	char step[64];
	int fl = fcntl(fifo, F_GETFL);

	if (fl >= 0)
		(void)fcntl(fifo, F_SETFL, fl & ~O_NONBLOCK);
	for (;;) {
		ssize_t n = read(fifo, buf + len, sizeof(buf) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || (len += (size_t)n) == sizeof(buf))
			break;
	}
	if (len == 0)
		return 0;
	if (sluice_proto_parse(buf, len, &f) <= 0 || f.type != SLUICE_MSG_ERROR ||
	    sluice_proto_decode_error(f.payload, f.len, err, step, sizeof(step)) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, EBADMSG,
				  "unable to start container process: bad reply on the exec FIFO");
	return sluice_err_prefix(err, "unable to start container process");
}

static int run_poststart(const struct sluice_oci *o, struct oci_container *ct, int *pidfd,
			 struct sluice_error *err)
{
	struct sluice_config c;
	struct sluice_oci_state_view s;
	int r;

	if (!oci_container_may_have_hook(ct, SLUICE_HOOK_POSTSTART))
		return 0;
	r = oci_container_load_config(ct, &c, err);

	if (r == 0 && c.hooks[SLUICE_HOOK_POSTSTART].n) {
		s = oci_view(ct, &c, "running", ct->rec.pid);
		r = sluice_hooks_run(&c, SLUICE_HOOK_POSTSTART, &s, err);
		/* runtime.md step 9: a failed poststart hook stops the container */
		if (r < 0) {
			oci_log(o, SLUICE_LOG_DEBUG, "container %s: poststart failed, killing it",
				ct->rec.id);
			oci_kill_wait(pidfd);
		}
	}
	sluice_config_free(&c);
	return r;
}

static int start_locked(const struct sluice_oci *o, struct oci_container *ct,
			struct sluice_error *err)
{
	cleanup_close int fifo = -1, pidfd = -1;
	int r;

	if (refuse(oci_container_status(ct), err) < 0)
		return -1;
	pidfd = oci_container_pidfd(ct);
	if (pidfd < 0)
		return refuse(OCI_STOPPED, err);
	fifo = openat(ct->dirfd, OCI_FIFO_FILE, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (fifo < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "%s/%s", ct->dir, OCI_FIFO_FILE);
	if (wait_byte(fifo, pidfd, err) < 0)
		return -1;
	/* From here the container is running, whatever comes next. */
	(void)unlinkat(ct->dirfd, OCI_FIFO_FILE, 0);
	r = read_outcome(fifo, err);
	if (r == 0)
		r = run_poststart(o, ct, &pidfd, err);
	if (r == 0)
		oci_log(o, SLUICE_LOG_DEBUG, "container %s started", ct->rec.id);
	return r;
}

int sluice_oci_start(const struct sluice_oci *o, const char *id, struct sluice_error *err)
{
	struct oci_container ct;
	bool gone;
	int r = oci_container_open(o, id, LOCK_EX, &ct, &gone, err);

	if (r == 0)
		r = start_locked(o, &ct, err);
	oci_container_close(&ct);
	return r;
}
