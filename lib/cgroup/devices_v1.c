/* Device rules: the config's, then the defaults sluice's own /dev needs,
 * written to a v1 devices cgroup in that order (config-linux.md: "The
 * runtime MUST apply entries in the listed order").
 *
 * The defaults are runc's: mknod of any node (a node made is not a node
 * opened), and the nodes every container has: null, zero, full, random,
 * urandom, tty, console, ptmx and the pts.  So "deny all" keeps the usual
 * /dev usable, while a config's allow rules grant the rest.  They are only
 * added when the config has rules: without any, the cgroup keeps what its
 * parent allows, as with runc. */
#include "cgroup_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const struct sluice_device_rule defaults[] = {
	{ true, 'c', -1, -1, "m" }, { true, 'b', -1, -1, "m" },	   { true, 'c', 1, 3, "rwm" },
	{ true, 'c', 1, 5, "rwm" }, { true, 'c', 1, 7, "rwm" },	   { true, 'c', 1, 8, "rwm" },
	{ true, 'c', 1, 9, "rwm" }, { true, 'c', 5, 0, "rwm" },	   { true, 'c', 5, 1, "rwm" },
	{ true, 'c', 5, 2, "rwm" }, { true, 'c', 136, -1, "rwm" },
};
#define N_DEFAULTS (sizeof(defaults) / sizeof(defaults[0]))

int cg_devices_rules(const struct sluice_resources *r, struct sluice_device_rule **out, size_t *n)
{
	struct sluice_device_rule *v;

	*out = NULL;
	*n = 0;
	if (!r->n_devices)
		return 0;
	v = calloc(r->n_devices + N_DEFAULTS, sizeof(*v));
	if (!v)
		return -ENOMEM;
	memcpy(v, r->devices, r->n_devices * sizeof(*v));
	memcpy(v + r->n_devices, defaults, sizeof(defaults));
	*out = v;
	*n = r->n_devices + N_DEFAULTS;
	return 0;
}

/* "c 1:3 rw", "c 136:* rwm", or "a" (every device: the rest is ignored
 * by the kernel for type a). */
static void format_rule(char *buf, size_t len, const struct sluice_device_rule *d)
{
	char major[24] = "*", minor[24] = "*";

	if (d->type == 'a') {
		snprintf(buf, len, "a");
		return;
	}
	if (d->major >= 0)
		snprintf(major, sizeof(major), "%" PRId64, d->major);
	if (d->minor >= 0)
		snprintf(minor, sizeof(minor), "%" PRId64, d->minor);
	snprintf(buf, len, "%c %s:%s %s", d->type, major, minor, d->access);
}

int cg_devices_v1_apply(const char *dir, const struct sluice_device_rule *rules, size_t n,
			const char *source, struct sluice_error *err)
{
	for (size_t i = 0; i < n; i++) {
		char rule[80];

		format_rule(rule, sizeof(rule), &rules[i]);
		if (cg_write(dir, rules[i].allow ? "devices.allow" : "devices.deny", rule,
			     "linux.resources.devices", source, err) < 0)
			return -1;
	}
	return 0;
}
