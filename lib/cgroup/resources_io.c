/* linux.resources -> cgroup files, continued: blockIO (v1 blkio, v2 io),
 * hugepageLimits, network (v1 only), rdma and unified (v2 only). */
#include "cgroup_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define SET(r, f) (((r)->set & SLUICE_RES_BIT(SLUICE_RES_##f)) != 0)
#define NAME(f) sluice_res_field_name(SLUICE_RES_##f)

int cg_res_blkio(const char *dir, bool v2, const struct sluice_resources *r, const char *src,
		 struct sluice_error *err);
int cg_res_hugetlb(const char *dir, bool v2, const struct sluice_resources *r, const char *src,
		   struct sluice_error *err);
int cg_res_net(const struct sluice_cgroup *cg, const struct sluice_resources *r, const char *src,
	       struct sluice_error *err);
int cg_res_rdma(const char *dir, const struct sluice_resources *r, const char *src,
		struct sluice_error *err);
int cg_res_unified(const char *dir, const struct sluice_resources *r, const char *src,
		   struct sluice_error *err);

/* ---- blockIO ---- */

/* Proportional weights live in the BFQ scheduler's file when BFQ is the
 * I/O scheduler (blkio.bfq.weight / io.bfq.weight, 1..1000), else in the
 * generic one (v1 blkio.weight 10..1000, v2 io.weight 1..10000). */
static const char *weight_file(const char *dir, bool v2, bool *scale)
{
	const char *bfq = v2 ? "io.bfq.weight" : "blkio.bfq.weight";
	const char *plain = v2 ? "io.weight" : "blkio.weight";

	*scale = false;
	if (cg_exists(dir, bfq))
		return bfq;
	if (!cg_exists(dir, plain))
		return NULL;
	*scale = v2;
	return plain;
}

/* runc's mapping of blkio weight (10..1000) onto io.weight (1..10000). */
static uint64_t io_weight(uint64_t w)
{
	return 1 + (w - 10) * 9999 / 990;
}

/* v2 takes "MAJ:MIN W" in the same file; v1 has a file of its own. */
static const char *per_device_file(const char *file, bool v2)
{
	if (v2)
		return file;
	return strstr(file, "bfq") ? "blkio.bfq.weight_device" : "blkio.weight_device";
}

static int no_weights(const char *dir, const char *field, const char *src, struct sluice_error *err)
{
	return cg_fail_config(err, src, field,
			      "proportional I/O weights are not available here (%s has no "
			      "blkio/io weight file: they need the BFQ I/O scheduler)",
			      dir);
}

static int blkio_weights(const char *dir, bool v2, const struct sluice_resources *r,
			 const char *src, struct sluice_error *err)
{
	bool scale;
	const char *file = weight_file(dir, v2, &scale);
	/* 0 is "not set", as docker writes it */
	bool weight = SET(r, BLKIO_WEIGHT) && r->block_io.weight;
	bool leaf = SET(r, BLKIO_LEAF_WEIGHT) && r->block_io.leaf_weight;

	if (weight && !file)
		return no_weights(dir, NAME(BLKIO_WEIGHT), src, err);
	if (weight && cg_writef(dir, file, NAME(BLKIO_WEIGHT), src, err, "%s%" PRIu64,
				scale ? "default " : "",
				scale ? io_weight(r->block_io.weight) : r->block_io.weight) < 0)
		return -1;
	if (leaf && v2)
		return cg_fail_config(err, src, NAME(BLKIO_LEAF_WEIGHT),
				      "cgroup v2 has no leaf weights");
	if (leaf && cg_writef(dir, "blkio.leaf_weight", NAME(BLKIO_LEAF_WEIGHT), src, err, "%u",
			      r->block_io.leaf_weight) < 0)
		return -1;
	for (size_t i = 0; i < r->block_io.n_weight_device; i++) {
		const struct sluice_blkio_device *d = &r->block_io.weight_device[i];
		const char *f = "linux.resources.blockIO.weightDevice";

		if (d->weight && !file)
			return no_weights(dir, f, src, err);
		if (d->weight && cg_writef(dir, per_device_file(file, v2), f, src, err,
					   "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor,
					   scale ? io_weight(d->weight) : d->weight) < 0)
			return -1;
		if (d->leaf_weight && v2)
			return cg_fail_config(err, src, f, "cgroup v2 has no leaf weights");
		if (d->leaf_weight &&
		    cg_writef(dir, "blkio.leaf_weight_device", f, src, err,
			      "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, d->leaf_weight) < 0)
			return -1;
	}
	return 0;
}

static int blkio_throttles(const char *dir, bool v2, const struct sluice_resources *r,
			   const char *src, struct sluice_error *err)
{
	static const char *const v1_files[SLUICE_THROTTLE_COUNT] = {
		"blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
		"blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device"
	};
	static const char *const v2_keys[SLUICE_THROTTLE_COUNT] = { "rbps", "wbps", "riops",
								    "wiops" };
	static const char *const fields[SLUICE_THROTTLE_COUNT] = {
		"linux.resources.blockIO.throttleReadBpsDevice",
		"linux.resources.blockIO.throttleWriteBpsDevice",
		"linux.resources.blockIO.throttleReadIOPSDevice",
		"linux.resources.blockIO.throttleWriteIOPSDevice",
	};

	for (int t = 0; t < SLUICE_THROTTLE_COUNT; t++)
		for (size_t i = 0; i < r->block_io.n_throttle[t]; i++) {
			const struct sluice_blkio_device *d = &r->block_io.throttle[t][i];
			int rc = v2 ? cg_writef(dir, "io.max", fields[t], src, err,
						"%" PRId64 ":%" PRId64 " %s=%" PRIu64, d->major,
						d->minor, v2_keys[t], d->rate) :
				      cg_writef(dir, v1_files[t], fields[t], src, err,
						"%" PRId64 ":%" PRId64 " %" PRIu64, d->major,
						d->minor, d->rate);
			if (rc < 0)
				return -1;
		}
	return 0;
}

int cg_res_blkio(const char *dir, bool v2, const struct sluice_resources *r, const char *src,
		 struct sluice_error *err)
{
	if (blkio_weights(dir, v2, r, src, err) < 0)
		return -1;
	return blkio_throttles(dir, v2, r, src, err);
}

/* ---- hugepageLimits ---- */

/* The reservation limit (rsvd) where the kernel has one, as the spec asks,
 * and the fault-time limit, which is what the kernel had before. */
int cg_res_hugetlb(const char *dir, bool v2, const struct sluice_resources *r, const char *src,
		   struct sluice_error *err)
{
	const char *f = "linux.resources.hugepageLimits";

	for (size_t i = 0; i < r->n_hugepage_limits; i++) {
		const struct sluice_hugepage_limit *h = &r->hugepage_limits[i];
		char file[64], rsvd[64];

		snprintf(file, sizeof(file), "hugetlb.%s.%s", h->page_size,
			 v2 ? "max" : "limit_in_bytes");
		snprintf(rsvd, sizeof(rsvd), "hugetlb.%s.rsvd.%s", h->page_size,
			 v2 ? "max" : "limit_in_bytes");
		if (!cg_exists(dir, file))
			return cg_fail_config(err, src, f,
					      "huge page size %s is not supported here (no %s/%s)",
					      h->page_size, dir, file);
		if (cg_writef(dir, file, f, src, err, "%" PRIu64, h->limit) < 0)
			return -1;
		if (cg_exists(dir, rsvd) &&
		    cg_writef(dir, rsvd, f, src, err, "%" PRIu64, h->limit) < 0)
			return -1;
	}
	return 0;
}

/* ---- network: v1's net_cls and net_prio, which v2 does not have ---- */

int cg_res_net(const struct sluice_cgroup *cg, const struct sluice_resources *r, const char *src,
	       struct sluice_error *err)
{
	const char *cls = cg_dir_of(cg, CG_NET_CLS), *prio = cg_dir_of(cg, CG_NET_PRIO);
	const char *pf = "linux.resources.network.priorities";

	if (SET(r, NETWORK_CLASS_ID) && cg_writef(cls, "net_cls.classid", NAME(NETWORK_CLASS_ID),
						  src, err, "%" PRIu32, r->network.class_id) < 0)
		return -1;
	for (size_t i = 0; i < r->network.n_priorities; i++)
		if (cg_writef(prio, "net_prio.ifpriomap", pf, src, err, "%s %" PRIu32,
			      r->network.priorities[i].name, r->network.priorities[i].priority) < 0)
			return -1;
	return 0;
}

/* ---- rdma ---- */

int cg_res_rdma(const char *dir, const struct sluice_resources *r, const char *src,
		struct sluice_error *err)
{
	for (size_t i = 0; i < r->n_rdma; i++) {
		const struct sluice_rdma_limit *d = &r->rdma[i];
		char handles[16] = "max", objects[16] = "max";

		if (d->handles_set)
			snprintf(handles, sizeof(handles), "%" PRIu32, d->hca_handles);
		if (d->objects_set)
			snprintf(objects, sizeof(objects), "%" PRIu32, d->hca_objects);
		if (cg_writef(dir, "rdma.max", "linux.resources.rdma", src, err,
			      "%s hca_handle=%s hca_object=%s", d->device, handles, objects) < 0)
			return -1;
	}
	return 0;
}

/* ---- unified: written as given, into the v2 directory ---- */

int cg_res_unified(const char *dir, const struct sluice_resources *r, const char *src,
		   struct sluice_error *err)
{
	for (size_t i = 0; i < r->n_unified; i++) {
		char field[256];

		snprintf(field, sizeof(field), "linux.resources.unified.%s", r->unified[i].key);
		if (cg_write(dir, r->unified[i].key, r->unified[i].value, field, src, err) < 0)
			return -1;
	}
	return 0;
}
