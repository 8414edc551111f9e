/* What only cgroup v2 needs: controllers enabled from the parent down,
 * cgroup.freeze and cgroup.kill. */
#include "cgroup_internal.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static uint32_t parse_v2_list(const char *text)
{
	cleanup_free char *copy = strdup(text);
	uint32_t ctrls = 0;
	char *save = NULL;

	if (!copy)
		return 0;
	for (char *tok = strtok_r(copy, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
		int c = cg_ctrl_from_name(tok);
		if (c >= 0 && cg_ctrl_v2_names[c] && !strcmp(tok, cg_ctrl_v2_names[c]))
			ctrls |= CG_BIT(c);
	}
	return ctrls;
}

static uint32_t read_list(const char *dir, const char *file)
{
	cleanup_free char *text = NULL;

	return cg_read(dir, file, &text) < 0 ? 0 : parse_v2_list(text);
}

uint32_t cg_v2_available(const char *dir)
{
	return read_list(dir, "cgroup.controllers");
}

static void parent_of(char *out, size_t len, const char *dir)
{
	char *slash;

	snprintf(out, len, "%s", dir);
	slash = strrchr(out, '/');
	if (slash && slash != out)
		*slash = '\0';
}

static int enable_in(const char *mount, const char *dir, int c, const char *field,
		     const char *source, struct sluice_error *err)
{
	char up[4096];
	struct sluice_error e;

	if (read_list(dir, "cgroup.subtree_control") & CG_BIT(c))
		return 0;
	if (!(cg_v2_available(dir) & CG_BIT(c))) {
		if (!strcmp(dir, mount))
			return cg_fail_config(err, source, field,
					      "the %s controller is not available in cgroup v2 "
					      "(%s/cgroup.controllers lacks it: bound to a v1 "
					      "hierarchy, or not built into this kernel)",
					      cg_ctrl_v2_names[c], mount);
		parent_of(up, sizeof(up), dir);
		if (enable_in(mount, up, c, field, source, err) < 0)
			return -1;
	}
	if (cg_writef(dir, "cgroup.subtree_control", NULL, NULL, &e, "+%s", cg_ctrl_v2_names[c]) ==
	    0)
		return 0;
	if (e.errnum == EBUSY)
		return cg_fail_config(err, source, field,
				      "cannot enable the %s controller below %s: it holds "
				      "processes (cgroup v2 puts processes only in leaves); give "
				      "linux.cgroupsPath an absolute path elsewhere, or start "
				      "sluice from a cgroup with room below it",
				      cg_ctrl_v2_names[c], dir);
	if (e.errnum == EACCES || e.errnum == EPERM)
		return cg_fail_config(err, source, field,
				      "cannot enable the %s controller in %s as uid %u: not "
				      "delegated to this user",
				      cg_ctrl_v2_names[c], dir, (unsigned)geteuid());
	*err = e;
	return -1;
}

int cg_v2_enable(const char *mount, const char *dir, uint32_t ctrls, const char *field,
		 const char *source, struct sluice_error *err)
{
	char parent[4096];

	parent_of(parent, sizeof(parent), dir);
	for (int c = 0; c < CG_CTRL_COUNT; c++)
		if ((ctrls & CG_BIT(c)) && cg_ctrl_v2_names[c] &&
		    enable_in(mount, parent, c, field, source, err) < 0)
			return -1;
	return 0;
}

/* "frozen N" in cgroup.events, read through fd (which rearms its poll). */
static int frozen_now(int fd)
{
	char buf[512];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	char *p;

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	p = strstr(buf, "frozen ");
	return p ? p[7] == '1' : -ENOENT;
}

/* cgroup.events says "frozen 1" once every task is stopped; the file
 * polls POLLPRI when it changes, until it is read again. */
static int wait_frozen(const char *dir, bool frozen, struct sluice_error *err)
{
	char path[4096];
	cleanup_close int fd = -1;

	snprintf(path, sizeof(path), "%s/cgroup.events", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "cgroups: open %s", path);
	for (int i = 0; i < 100; i++) {
		struct pollfd p = { .fd = fd, .events = POLLPRI };
		int r = frozen_now(fd);

		if (r < 0)
			return sluice_err(err, SLUICE_EXIT_SETUP, -r, "cgroups: read %s", path);
		if ((r == 1) == frozen)
			return 0;
		(void)poll(&p, 1, 50);
	}
	return sluice_err(err, SLUICE_EXIT_SETUP, ETIMEDOUT, "cgroups: %s did not %s", dir,
			  frozen ? "freeze" : "thaw");
}

int cg_v2_freeze(const char *dir, bool frozen, struct sluice_error *err)
{
	if (cg_write(dir, "cgroup.freeze", frozen ? "1" : "0", NULL, NULL, err) < 0)
		return -1;
	return wait_frozen(dir, frozen, err);
}

int cg_v2_frozen(const char *dir)
{
	uint64_t v = 0;
	int r = cg_read_u64(dir, "cgroup.freeze", &v);

	return r < 0 ? r : v == 1;
}

/* cgroup.kill (Linux 5.14) SIGKILLs every task at once, new forks
 * included; -ENOENT on older kernels, where the caller signals the pids. */
int cg_v2_kill(const char *dir)
{
	struct sluice_error e;

	if (cg_write(dir, "cgroup.kill", "1", NULL, NULL, &e) == 0)
		return 0;
	return -(e.errnum ? e.errnum : EIO);
}
