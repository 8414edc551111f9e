/* linux.personality (config-linux.md): the execution domain, LINUX or
 * LINUX32 (uname then says i686 on x86-64).  Set in the helper, so the
 * workload (and the init, with one) inherit it across fork and exec; before
 * the seccomp filter, which may not allow personality(2) at all. */
#include <errno.h>
#include <sys/personality.h>

#include "error.h"
#include "helper.h"

int sluice_personality_apply(const struct sluice_config *c, struct sluice_error *err)
{
	if (!c->linux.personality_set)
		return 0;
	/* personality(2) returns the previous persona, or -1 with errno */
	if (personality(c->linux.personality) == -1)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "personality(%s)",
				  c->linux.personality == PER_LINUX32 ? "LINUX32" : "LINUX");
	return 0;
}
