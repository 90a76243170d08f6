/* Streaming checksums of install images (gigabytes: never in memory at
 * once) and the verdict against the catalog. */
#include "images/images.h"

#include "common/error.h"
#include "common/str.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

/* Large reads keep the syscall count low; 1 MiB is past the point where
 * bigger buffers stop helping on disks and page cache alike. */
#define HASH_CHUNK (1u << 20)

int sb_image_hash_file(char sha256[SB_SHA256_HEX], char sha512[SB_SHA512_HEX],
		       uint64_t *size, const char *path,
		       sb_image_progress_fn progress, void *ctx)
{
	EVP_MD_CTX *c256 = NULL, *c512 = NULL;
	unsigned char *buf = NULL, md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	uint64_t done = 0, total = 0, next_report = 0;
	struct stat st;
	int fd = -1, rc = SB_EINTERNAL;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = sb_error_set(errno == ENOENT ? SB_EINPUT : SB_EIO,
				  "%s: cannot open: %s; check the path", path,
				  strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		rc = sb_error_set(SB_EINPUT, "%s is a directory; give the image file", path);
		goto out;
	}
	if (S_ISREG(st.st_mode))
		total = (uint64_t)st.st_size;
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	buf = malloc(HASH_CHUNK);
	c256 = EVP_MD_CTX_new();
	if (!buf || !c256 || (sha512 && !(c512 = EVP_MD_CTX_new()))) {
		rc = sb_error_set(SB_ENOMEM, "out of memory hashing %s", path);
		goto out;
	}
	if (!EVP_DigestInit_ex(c256, EVP_sha256(), NULL) ||
	    (c512 && !EVP_DigestInit_ex(c512, EVP_sha512(), NULL))) {
		rc = sb_error_set(SB_EINTERNAL, "libcrypto: cannot start SHA-256");
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, buf, HASH_CHUNK);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = sb_error_set(SB_EIO, "%s: read failed at byte %llu: %s",
					  path, (unsigned long long)done, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		if (!EVP_DigestUpdate(c256, buf, (size_t)r) ||
		    (c512 && !EVP_DigestUpdate(c512, buf, (size_t)r))) {
			rc = sb_error_set(SB_EINTERNAL, "libcrypto: SHA update failed");
			goto out;
		}
		done += (uint64_t)r;
		if (progress && done >= next_report) {
			next_report = done + 64ull * HASH_CHUNK;
			if (progress(ctx, done, total)) {
				rc = sb_error_set(SB_ECANCELED, "%s: checksum interrupted", path);
				goto out;
			}
		}
	}
	if (progress)
		(void)progress(ctx, done, total);
	if (!EVP_DigestFinal_ex(c256, md, &mdlen)) {
		rc = sb_error_set(SB_EINTERNAL, "libcrypto: SHA-256 final failed");
		goto out;
	}
	sb_hex(sha256, md, mdlen);
	if (c512) {
		if (!EVP_DigestFinal_ex(c512, md, &mdlen)) {
			rc = sb_error_set(SB_EINTERNAL, "libcrypto: SHA-512 final failed");
			goto out;
		}
		sb_hex(sha512, md, mdlen);
	}
	if (size)
		*size = done;
	rc = 0;
out:
	EVP_MD_CTX_free(c256);
	EVP_MD_CTX_free(c512);
	free(buf);
	if (fd >= 0)
		close(fd);
	return rc;
}

const char *sb_image_verdict_name(enum sb_image_verdict v)
{
	switch (v) {
	case SB_IMAGE_OK: return "ok";
	case SB_IMAGE_CORRUPT: return "corrupted";
	case SB_IMAGE_SWAPPED: return "swapped";
	case SB_IMAGE_UNKNOWN: return "unknown";
	case SB_IMAGE_MISMATCH: return "mismatch";
	}
	return "?";
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* Could a file of `size` bytes be another entry than `e` (a swap)? */
static bool other_may_match(const struct sb_image_catalog *cat,
			    const struct sb_image_entry *e, uint64_t size)
{
	for (size_t i = 0; cat && i < cat->n; i++)
		if (&cat->entries[i] != e &&
		    (cat->entries[i].size == 0 || cat->entries[i].size == size))
			return true;
	return false;
}

int sb_image_verify(struct sb_image_check *res, const char *path,
		    const char *expect_hex, const struct sb_image_catalog *cat,
		    const char *spec, sb_image_progress_fn progress, void *ctx)
{
	const struct sb_image_entry *e = NULL;
	struct stat st;
	int rc;

	memset(res, 0, sizeof(*res));
	if (stat(path, &st) != 0)
		return sb_error_set(SB_EINPUT, "%s: %s; check the path", path,
				    strerror(errno));
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		return sb_error_set(SB_EINPUT, "%s is not a file; give the image file", path);
	if (!expect_hex && spec) {
		e = sb_image_catalog_find_spec(cat, spec);
		if (!e)
			return sb_error_set(SB_ENOTFOUND,
					    "%s: no image '%s' in the catalog; 'siteboot image verify --list' shows them",
					    cat ? cat->file : "catalog", spec);
	} else if (!expect_hex) {
		e = sb_image_catalog_find_file(cat, base_name(path));
	}
	res->entry = e;
	/* A known entry whose published size differs is settled without
	 * reading gigabytes: it is truncated, grown or another file. */
	if (e && e->size && S_ISREG(st.st_mode) && (uint64_t)st.st_size != e->size &&
	    !other_may_match(cat, e, (uint64_t)st.st_size)) {
		res->size = (uint64_t)st.st_size;
		res->size_mismatch = true;
		res->verdict = SB_IMAGE_CORRUPT;
		return 0;
	}
	rc = sb_image_hash_file(res->sha256, e && e->sha512[0] ? res->sha512 : NULL,
				&res->size, path, progress, ctx);
	if (rc)
		return rc;
	if (expect_hex) {
		res->verdict = strcmp(expect_hex, res->sha256) == 0 ? SB_IMAGE_OK
								    : SB_IMAGE_MISMATCH;
		return 0;
	}
	if (e) {
		bool ok = strcmp(e->sha256, res->sha256) == 0 &&
			  (!e->sha512[0] || strcmp(e->sha512, res->sha512) == 0);
		if (ok) {
			res->verdict = SB_IMAGE_OK;
		} else {
			res->actual = sb_image_catalog_find_sha256(cat, res->sha256);
			res->verdict = res->actual ? SB_IMAGE_SWAPPED : SB_IMAGE_CORRUPT;
			/* --entry NAME without @VERSION: any listed version of NAME */
			if (res->actual && spec && !strchr(spec, '@') &&
			    strcmp(res->actual->name, e->name) == 0) {
				res->entry = res->actual;
				res->actual = NULL;
				res->verdict = SB_IMAGE_OK;
			}
		}
		return 0;
	}
	/* Not known by name: perhaps a renamed download of a known image. */
	res->actual = sb_image_catalog_find_sha256(cat, res->sha256);
	if (res->actual) {
		res->entry = res->actual;
		res->renamed = true;
		res->verdict = SB_IMAGE_OK;
	} else {
		res->verdict = SB_IMAGE_UNKNOWN;
	}
	return 0;
}
