/* features: what this build implements (the spec's features.md), derived
 * from the tables the loader uses wherever there is one, so that it stays
 * true as they grow. */
#include "oci_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "json.h"
#include "seccomp_filter.h"

static void names(struct sluice_json *j, const char *key, const char *const *v, size_t n)
{
	sluice_json_key(j, key);
	sluice_json_arr_start(j);
	for (size_t i = 0; i < n; i++)
		sluice_json_str(j, v[i]);
	sluice_json_arr_end(j);
}

static void enabled(struct sluice_json *j, const char *key, bool on)
{
	sluice_json_key(j, key);
	sluice_json_obj_start(j);
	sluice_json_kbool(j, "enabled", on);
	sluice_json_obj_end(j);
}

/* Whether the config loader takes a field (it refuses what this build
 * cannot honour): features follow the build, not a list kept by hand. */
static bool loader_takes(const char *yaml)
{
	struct sluice_config c;
	struct sluice_error e = { 0 };
	bool ok;

	sluice_config_init(&c);
	ok = sluice_config_load_buffer(&c, "features", yaml, strlen(yaml), "/", &e) == 0;
	sluice_config_free(&c);
	return ok;
}

/* What linux.seccomp may hold (the loader's name tables; of the
 * architectures, those libseccomp compiles), and which flags the running
 * kernel has. */
static void seccomp_features(struct sluice_json *j)
{
	const char *supported[SLUICE_SCMP_FLAG_COUNT], *archs[64];
	size_t n = 0, narchs = 0;

	for (size_t i = 0; i < sluice_scmp_n_arch_names && narchs < 64; i++)
		if (sluice_seccomp_arch_known(sluice_scmp_arch_names[i]))
			archs[narchs++] = sluice_scmp_arch_names[i];
	for (int f = 0; f < SLUICE_SCMP_FLAG_COUNT; f++)
		if (sluice_seccomp_flag_supported((enum sluice_scmp_flag)f))
			supported[n++] = sluice_scmp_flag_names[f];
	sluice_json_key(j, "seccomp");
	sluice_json_obj_start(j);
	sluice_json_kbool(j, "enabled", true);
	names(j, "actions", sluice_scmp_action_names, SLUICE_SCMP_ACTION_COUNT);
	names(j, "operators", sluice_scmp_op_names, SLUICE_SCMP_OP_COUNT);
	names(j, "archs", archs, narchs);
	names(j, "knownFlags", sluice_scmp_flag_names, SLUICE_SCMP_FLAG_COUNT);
	names(j, "supportedFlags", supported, n);
	sluice_json_obj_end(j);
}

static void linux_features(struct sluice_json *j)
{
	const char *caps[64];
	size_t ncaps = 0;

	for (int cap = 0; cap < 64 && sluice_cap_name(cap); cap++)
		caps[ncaps++] = sluice_cap_name(cap);
	sluice_json_key(j, "linux");
	sluice_json_obj_start(j);
	names(j, "namespaces", sluice_ns_names, SLUICE_NS_COUNT);
	names(j, "capabilities", caps, ncaps);
	/* lib/cgroup drives v1, v2 and hybrid hosts with the cgroupfs manager
	 * (rdma included); there is no systemd manager.  AppArmor, SELinux and
	 * Intel RDT are refused by the loader in this build; seccomp and
	 * id-mapped mounts are reported as the loader takes them. */
	sluice_json_key(j, "cgroup");
	sluice_json_obj_start(j);
	sluice_json_kbool(j, "v1", true);
	sluice_json_kbool(j, "v2", true);
	sluice_json_kbool(j, "systemd", false);
	sluice_json_kbool(j, "systemdUser", false);
	sluice_json_kbool(j, "rdma", true);
	sluice_json_obj_end(j);
	if (loader_takes("linux: {seccomp: {defaultAction: SCMP_ACT_ALLOW}}\n"))
		seccomp_features(j);
	else
		enabled(j, "seccomp", false);
	enabled(j, "apparmor", false);
	enabled(j, "selinux", false);
	enabled(j, "intelRdt", false);
	enabled(j, "netDevices", loader_takes("linux: {netDevices: {eth0: {}}}\n"));
	sluice_json_key(j, "memoryPolicy");
	sluice_json_obj_start(j);
	names(j, "modes", sluice_mpol_mode_names, SLUICE_MPOL_MODE_COUNT);
	names(j, "flags", sluice_mpol_flag_names, SLUICE_MPOL_FLAG_COUNT);
	sluice_json_obj_end(j);
	sluice_json_key(j, "mountExtensions");
	sluice_json_obj_start(j);
	enabled(j, "idmap",
		loader_takes("mounts: [{destination: /x, type: bind, source: /, "
			     "options: [idmap]}]\n"));
	sluice_json_obj_end(j);
	sluice_json_obj_end(j);
}

int sluice_oci_features(char **out, struct sluice_error *err)
{
	const char *opts[128];
	size_t nopts = sluice_mount_option_names(opts, 128), len;
	struct sluice_json j;

	sluice_json_init(&j, "    ");
	sluice_json_obj_start(&j);
	sluice_json_kstr(&j, "ociVersionMin", "1.0.0");
	sluice_json_kstr(&j, "ociVersionMax", SLUICE_OCI_VERSION);
	names(&j, "hooks", sluice_hook_names, SLUICE_HOOK_COUNT);
	names(&j, "mountOptions", opts, nopts);
	linux_features(&j);
	sluice_json_key(&j, "annotations");
	sluice_json_obj_start(&j);
	sluice_json_kstr(&j, "sluice.version", SLUICE_VERSION);
	sluice_json_obj_end(&j);
	sluice_json_obj_end(&j);
	if (sluice_json_finish(&j, out, &len) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "features");
	return 0;
}
