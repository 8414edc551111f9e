/* The seccomp step (helper.h): the filter goes on last, in the process
 * about to exec, after fds are arranged and READY is sent, so that what
 * sluice itself does under it is execve and nothing else a workload's
 * profile would have to allow (docs/seccomp.md "What runs under the
 * filter").  The exceptions, each because the kernel leaves no other way:
 *
 * - SCMP_ACT_NOTIFY: the listener exists only once the filter is loaded.
 *   Its number goes to the runtime in one write on the status socket; the
 *   runtime takes the fd itself with pidfd_getfd(2) (no sendmsg needed
 *   here, as runc does it) and answers one byte, which we read.  So a
 *   profile may not notify write (the loader refuses it).
 * - process.noNewPrivileges false: the kernel then loads a filter only for
 *   a holder of CAP_SYS_ADMIN, which the capabilities step kept for this
 *   moment and which one capset drops again (runc and crun instead load
 *   the filter before they change uid and capabilities, so their profiles
 *   must allow far more). */
#include <endian.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "error.h"
#include "helper.h"
#include "protocol.h"
#include "seccomp_filter.h"

static int hand_over(int status_fd, int listener, struct sluice_error *err)
{
	uint32_t be = htobe32((uint32_t)listener);
	char ack = 0;
	ssize_t n;

	if (status_fd < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, 0,
				  "SCMP_ACT_NOTIFY: no runtime on fd 4 to take the listener");
	if (sluice_proto_write(status_fd, SLUICE_MSG_SECCOMP_LISTENER, &be, sizeof(be)) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno,
				  "SCMP_ACT_NOTIFY: cannot announce the listener");
	do
		n = read(status_fd, &ack, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		return sluice_err(err, SLUICE_EXIT_SETUP, n < 0 ? errno : 0,
				  "SCMP_ACT_NOTIFY: the runtime did not take the listener");
	/* The listener is close-on-exec: the exec drops our copy. */
	return 0;
}

/* The configured sets as capset(2) takes them, made before the filter
 * so that dropping the kept CAP_SYS_ADMIN is that one call (libcap would
 * ask capget first). */
static void cap_data(const struct sluice_config *c, struct __user_cap_data_struct d[2])
{
	const uint64_t *caps = c->process.caps;

	for (int i = 0; i < 2; i++) {
		d[i].effective = (uint32_t)(caps[SLUICE_CAP_EFFECTIVE] >> (32 * i));
		d[i].permitted = (uint32_t)(caps[SLUICE_CAP_PERMITTED] >> (32 * i));
		d[i].inheritable = (uint32_t)(caps[SLUICE_CAP_INHERITABLE] >> (32 * i));
	}
}

int sluice_seccomp_apply(const struct sluice_config *c, const struct sluice_bpf *bpf,
			 unsigned int flags, bool drop_kept, int status_fd, struct sluice_error *err)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	int listener = -1;

	cap_data(c, data);
	if (sluice_seccomp_load(bpf, flags, &listener, err) < 0)
		return -1;
	if (drop_kept && syscall(SYS_capset, &hdr, data) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno,
				  "drop CAP_SYS_ADMIN after loading the seccomp filter (with "
				  "noNewPrivileges false the profile must allow capset)");
	if (listener >= 0 && hand_over(status_fd, listener, err) < 0)
		return -1;
	return 0;
}
