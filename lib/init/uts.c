/* hostname and domainname (UTS namespace). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "helper.h"

int sluice_uts_apply(const struct sluice_config *c, struct sluice_error *err)
{
	if (c->hostname && sethostname(c->hostname, strlen(c->hostname)) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "set hostname \"%s\"", c->hostname);
	if (c->domainname && setdomainname(c->domainname, strlen(c->domainname)) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "set domainname \"%s\"",
				  c->domainname);
	return 0;
}
