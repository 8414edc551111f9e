/* The OCI request frame (request.h). */
#include "request.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add(char **buf, size_t *len, const char *key, const char *value)
{
	size_t n = strlen(key) + 1 + strlen(value) + 1;
	char *nb = realloc(*buf, *len + n);

	if (!nb)
		return -ENOMEM;
	snprintf(nb + *len, n, "%s=%s", key, value);
	*buf = nb;
	*len += n;
	return 0;
}

int sluice_oci_request_encode(const struct sluice_oci_request *r, char **out, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	int rc = add(&buf, &n, "mode", r->mode == SLUICE_OCI_EXEC ? "exec" : "create");

	if (rc == 0)
		rc = add(&buf, &n, "id", r->id ? r->id : "");
	if (rc == 0)
		rc = add(&buf, &n, "bundle", r->bundle ? r->bundle : "");
	if (rc == 0 && r->fifo)
		rc = add(&buf, &n, "fifo", r->fifo);
	if (rc == 0)
		rc = add(&buf, &n, "detach", r->detach ? "1" : "0");
	if (rc < 0) {
		free(buf);
		return rc;
	}
	*out = buf;
	*len = n;
	return 0;
}

static int set(struct sluice_oci_request *r, const char *key, const char *value)
{
	char **field = !strcmp(key, "id")     ? &r->id :
		       !strcmp(key, "bundle") ? &r->bundle :
		       !strcmp(key, "fifo")   ? &r->fifo :
						NULL;

	if (!strcmp(key, "mode")) {
		if (strcmp(value, "create") && strcmp(value, "exec"))
			return -EBADMSG;
		r->mode = !strcmp(value, "exec") ? SLUICE_OCI_EXEC : SLUICE_OCI_CREATE;
		return 0;
	}
	if (!strcmp(key, "detach")) {
		r->detach = !strcmp(value, "1");
		return 0;
	}
	if (!field || *field)
		return -EBADMSG;
	*field = strdup(value);
	return *field ? 0 : -ENOMEM;
}

int sluice_oci_request_decode(const char *buf, size_t len, struct sluice_oci_request *r)
{
	size_t off = 0;

	memset(r, 0, sizeof(*r));
	while (off < len) {
		const char *s = buf + off, *end = memchr(s, '\0', len - off), *eq;
		char key[16];
		int rc;

		eq = end ? memchr(s, '=', (size_t)(end - s)) : NULL;
		if (!eq || (size_t)(eq - s) >= sizeof(key)) {
			sluice_oci_request_free(r);
			return -EBADMSG;
		}
		snprintf(key, sizeof(key), "%.*s", (int)(eq - s), s);
		rc = set(r, key, eq + 1);
		if (rc < 0) {
			sluice_oci_request_free(r);
			return rc;
		}
		off = (size_t)(end - buf) + 1;
	}
	if (!r->mode || !r->id || !r->bundle) {
		sluice_oci_request_free(r);
		return -EBADMSG;
	}
	return 0;
}

void sluice_oci_request_free(struct sluice_oci_request *r)
{
	free(r->id);
	free(r->bundle);
	free(r->fifo);
	memset(r, 0, sizeof(*r));
}
