/* A new network namespace starts with loopback down: bring it up. */
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "error.h"
#include "helper.h"
#include "util.h"

int sluice_net_loopback_up(struct sluice_error *err)
{
	struct ifreq ifr;
	cleanup_close int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "loopback: socket");
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "loopback: get flags of lo");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "loopback: bring lo up");
	return 0;
}
