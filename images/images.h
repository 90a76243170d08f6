/* siteboot: install images. The catalog of known images and their
 * published checksums, streaming verification, and writing an image to a
 * USB device with the refusals that keep a technician from overwriting
 * the wrong disk.
 *
 * Nothing here prints or exits; the command layer (bootstrap/cmd_image.c)
 * turns results into text, JSON, ledger events and exit codes. */
#ifndef SB_IMAGES_IMAGES_H
#define SB_IMAGES_IMAGES_H

#include <stdbool.h>
#include <stdint.h>

#include "common/diag.h"

#define SB_SHA256_HEX 65	/* 64 hex digits and the NUL */
#define SB_SHA512_HEX 129

/* ---- the catalog (images/catalog.yaml, docs/images.md) ---- */

struct sb_image_entry {
	char *name;		/* "proxmox-ve" */
	char *version;		/* "8.2-2" */
	char *filename;		/* the published file name */
	uint64_t size;		/* bytes, 0 when the publisher gives none */
	char sha256[SB_SHA256_HEX];	/* lower-case hex */
	char sha512[SB_SHA512_HEX];	/* lower-case hex, or "" */
	char *url;		/* where it is published, or NULL */
	char *source;		/* where the checksum was taken from */
	unsigned line;		/* position in the catalog file */
};

struct sb_image_catalog {
	char *file;
	struct sb_image_entry *entries;
	size_t n;
};

/* Load a catalog. Every problem goes to `diags` with FILE:LINE:COL; the
 * return is SB_EINPUT when any error was found (then *out is NULL). */
int sb_image_catalog_load(struct sb_image_catalog **out, const char *path,
			  struct sb_diags *diags);
void sb_image_catalog_free(struct sb_image_catalog *c);

/* Lookups; NULL when none. `spec` is "NAME" (the newest listed first
 * wins) or "NAME@VERSION". */
const struct sb_image_entry *
sb_image_catalog_find_file(const struct sb_image_catalog *c, const char *filename);
const struct sb_image_entry *
sb_image_catalog_find_sha256(const struct sb_image_catalog *c, const char *hex);
const struct sb_image_entry *
sb_image_catalog_find_spec(const struct sb_image_catalog *c, const char *spec);

/* ---- hashing ---- */

/* Called now and then with the bytes done so far and the total (0 when
 * unknown). Returning nonzero cancels the work (SB_ECANCELED). */
typedef int (*sb_image_progress_fn)(void *ctx, uint64_t done, uint64_t total);

/* Stream a file through SHA-256 (and SHA-512 when sha512 is not NULL).
 * *size gets the bytes read. */
int sb_image_hash_file(char sha256[SB_SHA256_HEX], char sha512[SB_SHA512_HEX],
		       uint64_t *size, const char *path,
		       sb_image_progress_fn progress, void *ctx);

/* Is `s` exactly 64 hex digits? Writes the lower-case form to `norm`. */
bool sb_image_sha256_parse(char norm[SB_SHA256_HEX], const char *s);

/* ---- verification ---- */

enum sb_image_verdict {
	SB_IMAGE_OK,		/* matches the expected checksum */
	SB_IMAGE_CORRUPT,	/* the entry is known, the bytes differ */
	SB_IMAGE_SWAPPED,	/* the bytes are another catalog entry */
	SB_IMAGE_UNKNOWN,	/* neither name nor bytes are in the catalog */
	SB_IMAGE_MISMATCH,	/* differs from an explicit --sha256 */
};

struct sb_image_check {
	enum sb_image_verdict verdict;
	const struct sb_image_entry *entry;	/* the expected entry, or NULL */
	const struct sb_image_entry *actual;	/* SWAPPED: what it really is */
	bool renamed;		/* OK, but found by content, not by name */
	bool size_mismatch;	/* the size alone ruled it out */
	uint64_t size;
	char sha256[SB_SHA256_HEX];	/* "" when not computed */
	char sha512[SB_SHA512_HEX];
};

/* Check `path` against an explicit SHA-256 (`expect_hex`, already
 * normalised) or against the catalog: against the entry named by `spec`
 * when given, else the entry for the file's base name, else any entry
 * with the same bytes. A verdict other than OK is not an error: the
 * return is 0 and the verdict says what was found; an unreadable file is
 * SB_EINPUT, an unknown `spec` SB_ENOTFOUND. */
int sb_image_verify(struct sb_image_check *res, const char *path,
		    const char *expect_hex, const struct sb_image_catalog *cat,
		    const char *spec, sb_image_progress_fn progress, void *ctx);
const char *sb_image_verdict_name(enum sb_image_verdict v);

/* ---- writing to a device ---- */

struct sb_image_target {
	char path[4096];
	bool is_block;
	bool removable;		/* from /sys/block/DISK/removable */
	char disk[64];		/* "sdb" for /dev/sdb1, "" for files */
	uint64_t size;		/* device size in bytes, 0 for files */
};

/* Inspect `dev` and refuse what must not be written (all SB_ESECURITY,
 * with a message naming the device, the reason and the way out):
 *   - the device, or a partition of it, holds a mounted file system;
 *   - it is the device this system booted from (the live medium or the
 *     disk of /, /boot, /boot/efi);
 *   - unless `force`: not a block device, or a block device the kernel
 *     does not call removable.
 * A device smaller than `need` bytes is SB_EINPUT. `mountinfo` is the
 * mount table to read (NULL: /proc/self/mountinfo). */
int sb_image_target_check(struct sb_image_target *t, const char *dev,
			  bool force, uint64_t need, const char *mountinfo);

/* The devices (as "MAJOR:MINOR") that hold the running system: the
 * sources of /, /boot, /boot/efi and the live medium, read from mount
 * table text. Exposed for tests. */
int sb_image_boot_devices(char ***out, size_t *n, const char *mountinfo_text);

struct sb_image_write_result {
	uint64_t bytes;
	char sha256[SB_SHA256_HEX];	/* of the image as read */
	char readback[SB_SHA256_HEX];	/* of the device's first `bytes` */
	bool verified;			/* the two are equal */
	double write_seconds, verify_seconds;
};

/* Copy `image` onto the checked target, flush it to the medium, drop the
 * cached pages and read it back. A read-back that differs is not an
 * error: res->verified says so. Progress is reported in two passes
 * (writing, then verifying: `phase` 0 and 1 through ctx). */
struct sb_image_write_opts {
	sb_image_progress_fn progress;
	void *ctx;
	int *phase;		/* set to 0 while writing, 1 while verifying */
};
int sb_image_write(struct sb_image_write_result *res, const char *image,
		   const struct sb_image_target *t,
		   const struct sb_image_write_opts *opts);

/* ---- building the appliance ---- */

/* Run SRCDIR/images/build.sh (what `make image` runs) with --out OUTDIR
 * when given, at a lower CPU priority, and wait for it. Its output goes
 * to ours. Returns 0, or SB_EFAILED with its exit status in the message. */
int sb_image_build(const char *srcdir, const char *outdir);

#endif
