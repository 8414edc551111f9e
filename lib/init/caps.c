/* process.capabilities, with libcap: the bounding set is dropped before the
 * uid changes (it needs CAP_SETPCAP), the other sets after. */
#include <linux/capability.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "error.h"
#include "helper.h"
#include "util.h"

static bool has(uint64_t set, int cap)
{
	return cap < 64 && (set >> cap) & 1;
}

/* cap_max_bits() is what the running kernel supports (libcap probes it
 * once), so every cap below it can be dropped without first asking
 * (CAP_IS_SUPPORTED is one prctl per capability: ~40 per start). */
/* A capability the config grants that sluice does not hold cannot be
 * given: name it, and the set, rather than the kernel's bare EPERM. */
static int not_held(const char *set, int cap, struct sluice_error *err)
{
	const char *name = sluice_cap_name(cap);

	return sluice_err(err, SLUICE_EXIT_SETUP, EPERM,
			  "process.capabilities.%s: %s is not in the bounding set sluice runs with "
			  "(the host withholds it), so it cannot be granted",
			  set, name ? name : "?");
}

int sluice_caps_drop_bounding(const struct sluice_config *c, struct sluice_error *err)
{
	int last = (int)cap_max_bits();

	for (int cap = 0; cap < last; cap++) {
		if (has(c->process.caps[SLUICE_CAP_BOUNDING], cap)) {
			if (prctl(PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0) != 1)
				return not_held("bounding", cap, err);
			continue;
		}
		if (cap_drop_bound((cap_value_t)cap) < 0)
			return sluice_err(err, SLUICE_EXIT_SETUP, errno,
					  "drop %s from the bounding set", sluice_cap_name(cap));
	}
	return 0;
}

/* The configured effective, permitted and inheritable sets, plus `keep` in
 * the first two (CAP_SYS_ADMIN the helper still needs for seccomp). */
int sluice_caps_set_proc(const struct sluice_config *c, uint64_t keep, struct sluice_error *err)
{
	static const struct {
		enum sluice_capset set;
		cap_flag_t flag;
	} map[] = {
		{ SLUICE_CAP_EFFECTIVE, CAP_EFFECTIVE },
		{ SLUICE_CAP_PERMITTED, CAP_PERMITTED },
		{ SLUICE_CAP_INHERITABLE, CAP_INHERITABLE },
	};
	int last = (int)cap_max_bits(), r = 0;
	cap_t caps = cap_init();

	if (!caps)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "cap_init");
	for (size_t m = 0; m < sizeof(map) / sizeof(map[0]); m++)
		for (int cap = 0; cap < last; cap++) {
			cap_value_t v = (cap_value_t)cap;
			bool kept = map[m].set != SLUICE_CAP_INHERITABLE && has(keep, cap);
			if ((has(c->process.caps[map[m].set], cap) || kept) &&
			    cap_set_flag(caps, map[m].flag, 1, &v, CAP_SET) < 0)
				r = sluice_err(err, SLUICE_EXIT_SETUP, errno, "cap_set_flag");
		}
	if (r == 0 && cap_set_proc(caps) < 0)
		r = sluice_err(err, SLUICE_EXIT_SETUP, errno,
			       "set capabilities (effective, permitted, inheritable)");
	cap_free(caps);
	return r;
}

/* What we hold now (permitted) against what the config grants. */
static int check_held(const struct sluice_config *c, struct sluice_error *err)
{
	static const enum sluice_capset sets[] = { SLUICE_CAP_PERMITTED, SLUICE_CAP_EFFECTIVE,
						   SLUICE_CAP_INHERITABLE, SLUICE_CAP_AMBIENT };
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	uint64_t held;

	if (capget(&hdr, data) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "capget");
	held = (uint64_t)data[1].permitted << 32 | data[0].permitted;
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		for (int cap = 0; cap < 64; cap++)
			if (has(c->process.caps[sets[i]], cap) && !has(held, cap))
				return not_held(sluice_capset_names[sets[i]], cap, err);
	return 0;
}

int sluice_caps_apply_keep(const struct sluice_config *c, uint64_t keep, struct sluice_error *err)
{
	int last = (int)cap_max_bits();

	if (check_held(c, err) < 0 || sluice_caps_set_proc(c, keep, err) < 0)
		return -1;
	/* The ambient set also held the capabilities the helper carried
	 * across its own exec (launch.c): start from nothing.  One prctl:
	 * libcap's cap_reset_ambient() first reads the set a capability at
	 * a time (~40 calls).  EINVAL: a kernel without ambient sets. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "clear the ambient capabilities");
	for (int cap = 0; cap < last; cap++)
		if (has(c->process.caps[SLUICE_CAP_AMBIENT], cap) &&
		    cap_set_ambient((cap_value_t)cap, CAP_SET) < 0)
			return sluice_err(err, SLUICE_EXIT_SETUP, errno, "raise ambient %s",
					  sluice_cap_name(cap));
	/* Fewer capabilities reset dumpability too (identity.c). */
	sluice_set_dumpable(false);
	return 0;
}

int sluice_caps_apply(const struct sluice_config *c, struct sluice_error *err)
{
	return sluice_caps_apply_keep(c, 0, err);
}
