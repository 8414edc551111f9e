/* linux.sysctl: written under /proc/sys from inside the new namespaces, so
 * namespaced keys (net.*, kernel.shm*, ...) affect only the sandbox. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "config_internal.h"
#include "helper.h"
#include "util.h"

/* "net.ipv4.ip_forward" -> "/proc/sys/net/ipv4/ip_forward".  Keys are
 * dotted names; a '/' or ".." could walk out of /proc/sys. */
static int sysctl_path(const char *key, char *path, size_t len)
{
	size_t off = (size_t)snprintf(path, len, "/proc/sys/");

	if (!*key || strstr(key, "..") || strchr(key, '/') || key[0] == '.')
		return -1;
	if (off + strlen(key) >= len)
		return -1;
	for (const char *k = key; *k; k++)
		path[off++] = *k == '.' ? '/' : *k;
	path[off] = '\0';
	return 0;
}

/* The namespace a key belongs to, -2 for a key that is not a valid name,
 * or -1.  Any other key (vm.*, kernel.panic, ...) is global: writing it
 * would change the host itself, so config validation refuses it
 * (config_validate.c check_sysctl, as runc does) before this file writes
 * anything. */
int sluice_sysctl_namespace(const char *key)
{
	char path[PATH_MAX];

	if (sysctl_path(key, path, sizeof(path)) < 0)
		return -2;
	static const char *const ipc[] = { "kernel.msgmax", "kernel.msgmnb",
					   "kernel.msgmni", "kernel.sem",
					   "kernel.shmall", "kernel.shmmax",
					   "kernel.shmmni", "kernel.shm_rmid_forced" };

	if (strncmp(key, "net.", 4) == 0)
		return SLUICE_NS_NET;
	if (strncmp(key, "fs.mqueue.", 10) == 0)
		return SLUICE_NS_IPC;
	if (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0)
		return SLUICE_NS_UTS;
	for (size_t i = 0; i < sizeof(ipc) / sizeof(ipc[0]); i++)
		if (strcmp(key, ipc[i]) == 0)
			return SLUICE_NS_IPC;
	return -1;
}

int sluice_sysctl_apply(const struct sluice_config *c, struct sluice_error *err)
{
	for (size_t i = 0; i < c->linux.n_sysctl; i++) {
		const struct sluice_sysctl *s = &c->linux.sysctl[i];
		char path[PATH_MAX];
		int r;

		if (sysctl_path(s->key, path, sizeof(path)) < 0)
			return sluice_err(err, SLUICE_EXIT_CONFIG, 0,
					  "sysctl \"%s\": not a valid key", s->key);
		r = sluice_write_file(path, s->value, strlen(s->value));
		if (r < 0)
			return sluice_err(err, SLUICE_EXIT_SETUP, -r, "sysctl %s=%s", s->key,
					  s->value);
	}
	return 0;
}
