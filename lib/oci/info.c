/* state and list: what runc prints about containers. */
#include "oci_internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>

#include "error.h"
#include "json.h"
#include "passwd.h"
#include "util.h"

static int fill(struct oci_container *ct, struct sluice_oci_info *info, struct sluice_error *err)
{
	enum oci_status st = oci_container_status(ct);

	memset(info, 0, sizeof(*info));
	info->id = strdup(ct->rec.id);
	info->status = strdup(oci_status_names[st]);
	info->pid = st == OCI_STOPPED ? 0 : ct->rec.pid;
	info->bundle = strdup(ct->rec.bundle);
	info->rootfs = sluice_strdup0(ct->rec.rootfs ? ct->rec.rootfs : "");
	info->created = strdup(ct->rec.created);
	info->owner = ct->owner;
	info->annotations = ct->rec.annotations ? sluice_strv_dup(ct->rec.annotations) : NULL;
	if (!info->id || !info->status || !info->bundle || !info->rootfs || !info->created ||
	    (ct->rec.annotations && !info->annotations)) {
		sluice_oci_info_free(info);
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "state");
	}
	return 0;
}

int sluice_oci_info(const struct sluice_oci *o, const char *id, struct sluice_oci_info *info,
		    struct sluice_error *err)
{
	struct oci_container ct;
	bool gone;
	int r = oci_container_open(o, id, LOCK_SH, &ct, &gone, err);

	memset(info, 0, sizeof(*info));
	if (r == 0)
		r = fill(&ct, info, err);
	oci_container_close(&ct);
	return r;
}

void sluice_oci_info_free(struct sluice_oci_info *info)
{
	free(info->id);
	free(info->status);
	free(info->bundle);
	free(info->rootfs);
	free(info->created);
	sluice_strv_free(info->annotations);
	memset(info, 0, sizeof(*info));
}

static int by_id(const void *a, const void *b)
{
	return strcmp(((const struct sluice_oci_info *)a)->id,
		      ((const struct sluice_oci_info *)b)->id);
}

/* One entry of the root: a container, or skipped (not a container, or
 * one that went away meanwhile) with a warning as runc gives. */
static int list_one(const struct sluice_oci *o, const char *name, struct sluice_oci_info **v,
		    size_t *n)
{
	struct sluice_error e = { 0 };
	struct sluice_oci_info *nv;
	struct oci_container ct;
	bool gone;
	int r = -1;

	if (oci_container_open(o, name, LOCK_SH, &ct, &gone, &e) == 0 &&
	    (nv = realloc(*v, (*n + 1) * sizeof(**v)))) {
		*v = nv;
		if (fill(&ct, &nv[*n], &e) == 0) {
			(*n)++;
			r = 0;
		}
	}
	if (r < 0 && e.msg[0])
		oci_log(o, SLUICE_LOG_WARN, "load container %s: %s", name, e.msg);
	oci_container_close(&ct);
	return r;
}

int sluice_oci_list(const struct sluice_oci *o, struct sluice_oci_info **v, size_t *n,
		    struct sluice_error *err)
{
	DIR *d = opendir(o->root);
	struct dirent *e;

	*v = NULL;
	*n = 0;
	if (!d && errno == ENOENT)
		return 0; /* no container was ever created there */
	if (!d)
		return sluice_err(err, SLUICE_EXIT_SETUP, errno, "state root %s", o->root);
	while ((e = readdir(d)))
		if (e->d_type == DT_DIR && e->d_name[0] != '.')
			(void)list_one(o, e->d_name, v, n);
	closedir(d);
	if (*n)
		qsort(*v, *n, sizeof(**v), by_id);
	return 0;
}

static void info_json(struct sluice_json *j, const struct sluice_oci_info *info, const char *owner)
{
	sluice_json_obj_start(j);
	sluice_json_kstr(j, "ociVersion", SLUICE_OCI_VERSION);
	sluice_json_kstr(j, "id", info->id);
	sluice_json_kint(j, "pid", info->pid);
	sluice_json_kstr(j, "status", info->status);
	sluice_json_kstr(j, "bundle", info->bundle);
	sluice_json_kstr(j, "rootfs", info->rootfs);
	sluice_json_kstr(j, "created", info->created);
	if (info->annotations && info->annotations[0]) {
		sluice_json_key(j, "annotations");
		sluice_json_obj_start(j);
		for (size_t i = 0; info->annotations[i] && info->annotations[i + 1]; i += 2)
			sluice_json_kstr(j, info->annotations[i], info->annotations[i + 1]);
		sluice_json_obj_end(j);
	}
	sluice_json_kstr(j, "owner", owner);
	sluice_json_obj_end(j);
}

/* runc's `state` leaves the owner empty (only `list` looks it up). */
int sluice_oci_state_json(const struct sluice_oci_info *info, char **out, struct sluice_error *err)
{
	struct sluice_json j;
	size_t len;

	sluice_json_init(&j, "  ");
	info_json(&j, info, "");
	if (sluice_json_finish(&j, out, &len) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "state");
	return 0;
}

/* The user name of uid in the host's /etc/passwd ("#UID" when it has
 * none). */
static void owner_name(uid_t uid, char *buf, size_t len)
{
	if (sluice_passwd_field("/etc/passwd", uid, SLUICE_PW_NAME, buf, len) <= 0)
		snprintf(buf, len, "#%u", (unsigned)uid);
}

/* As runc's json.Encoder: one line, "null" for no containers. */
int sluice_oci_list_json(const struct sluice_oci_info *v, size_t n, char **out,
			 struct sluice_error *err)
{
	struct sluice_json j;
	size_t len;

	if (n == 0) {
		*out = strdup("null");
		return *out ? 0 : sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "list");
	}
	sluice_json_init(&j, NULL);
	sluice_json_arr_start(&j);
	for (size_t i = 0; i < n; i++) {
		char owner[256];
		owner_name(v[i].owner, owner, sizeof(owner));
		info_json(&j, &v[i], owner);
	}
	sluice_json_arr_end(&j);
	if (sluice_json_finish(&j, out, &len) < 0)
		return sluice_err(err, SLUICE_EXIT_SETUP, ENOMEM, "list");
	return 0;
}

void sluice_oci_owner_name(uid_t uid, char *buf, size_t len)
{
	owner_name(uid, buf, len);
}
