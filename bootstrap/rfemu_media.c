/* The lab's Redfish emulator, the parts that leave the process: fetching
 * a virtual media image over HTTP as a BMC does, and the lab's stand-in
 * for booting the Proxmox VE installer from it (rfemu.h, docs/lab.md).
 *
 * The stand-in checks what the real installer's partition mode needs
 * before it can install: an ISO 9660 image in the CD drive, and on a
 * second, removable medium an ISO 9660 file system labelled PROXMOX-AIS
 * whose answer.toml the installer accepts. It installs nothing. */
#include "bootstrap/rfemu.h"
#include "common/error.h"
#include "common/json.h"
#include "common/str.h"
#include "common/time.h"
#include "images/answer.h"

#include <archive.h>
#include <archive_entry.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define ISO_SECTOR 2048
#define ISO_PVD_OFFSET (16 * ISO_SECTOR)
#define ANSWER_MAX (256 * 1024)

struct sink {
	int fd;
	EVP_MD_CTX *md;
	uint64_t got, max;
	bool too_big, io_error;
};

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
	struct sink *s = ctx;
	size_t len = size * n;

	if (s->got + len > s->max) {
		s->too_big = true;
		return 0;
	}
	for (size_t off = 0; off < len;) {
		ssize_t w = write(s->fd, p + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			s->io_error = true;
			return 0;
		}
		off += (size_t)w;
	}
	EVP_DigestUpdate(s->md, p, len);
	s->got += len;
	return len;
}

static size_t on_pvd(char *p, size_t size, size_t n, void *ctx)
{
	struct sb_buf *b = ctx;

	return sb_buf_append(b, p, size * n) ? 0 : size * n;
}

static CURL *easy(const char *url, char *err)
{
	CURL *c = curl_easy_init();

	if (!c)
		return NULL;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 600000L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "siteboot-lab-bmc/1 (virtual media)");
	return c;
}

int sb_rfemu_fetch(const char *url, const char *path, uint64_t max,
		   struct sb_rfemu_fetched *out)
{
	char err[CURL_ERROR_SIZE] = "", tmp[4200];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	struct sink s = { .fd = -1, .max = max };
	struct sb_buf pvd = SB_BUF_INIT(ISO_SECTOR * 2);
	long status = 0;
	CURL *c = NULL;
	CURLcode cc;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0)
		return sb_error_set(SB_EUNSUPPORTED, "the lab BMC fetches virtual media over http and https only, not %.200s",
				    url);
	/* first, as BMCs do, a ranged read: the ISO volume descriptor */
	c = easy(url, err);
	if (!c)
		return sb_error_set(SB_ENOMEM, "out of memory");
	curl_easy_setopt(c, CURLOPT_RANGE, "32768-34815");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_pvd);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &pvd);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	if (cc != CURLE_OK) {
		rc = sb_error_set(SB_ECONNECT, "cannot fetch %.300s: %s", url, err[0] ? err : curl_easy_strerror(cc));
		goto out;
	}
	if (status != 206 && status != 200 && status != 416) {
		rc = sb_error_set(SB_ECONNECT, "cannot fetch %.300s: the server answered HTTP %ld", url, status);
		goto out;
	}
	out->ranged = status == 206;
	/* then the whole image, hashed on the way */
	snprintf(tmp, sizeof(tmp), "%s.part", path ? path : "/dev/null");
	s.fd = path ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) :
		      open("/dev/null", O_WRONLY | O_CLOEXEC);
	s.md = EVP_MD_CTX_new();
	if (s.fd < 0 || !s.md || !EVP_DigestInit_ex(s.md, EVP_sha256(), NULL)) {
		rc = sb_error_set(SB_EIO, "%s: cannot write the fetched image: %s", tmp, strerror(errno));
		goto out;
	}
	c = easy(url, err);
	if (!c) {
		rc = sb_error_set(SB_ENOMEM, "out of memory");
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	cc = curl_easy_perform(c);
	status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	if (s.too_big)
		rc = sb_error_set(SB_EINPUT, "%.300s is larger than the %llu bytes this BMC takes", url,
				  (unsigned long long)max);
	else if (s.io_error)
		rc = sb_error_set(SB_EIO, "%s: cannot write the fetched image: %s", tmp, strerror(errno));
	else if (cc != CURLE_OK)
		rc = sb_error_set(SB_ECONNECT, "cannot fetch %.300s: %s", url, err[0] ? err : curl_easy_strerror(cc));
	else if (status != 200)
		rc = sb_error_set(SB_ECONNECT, "cannot fetch %.300s: the server answered HTTP %ld", url, status);
	if (rc)
		goto out;
	if (close(s.fd) != 0) {
		s.fd = -1;
		rc = sb_error_set(SB_EIO, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	s.fd = -1;
	if (path && rename(tmp, path) != 0) {
		rc = sb_error_set(SB_EIO, "%s: cannot rename into place: %s", path, strerror(errno));
		goto out;
	}
	EVP_DigestFinal_ex(s.md, md, &mdlen);
	sb_hex(out->sha256, md, mdlen);
	out->size = s.got;
out:
	if (s.fd >= 0) {
		close(s.fd);
		if (path)
			unlink(tmp);
	}
	EVP_MD_CTX_free(s.md);
	sb_buf_release(&pvd);
	return rc;
}

/* ---- the installer stand-in -------------------------------------------- */

/* The volume label of an ISO 9660 image as blkid (and so udev's
 * /dev/disk/by-label, where the installer looks) reports it: the Joliet
 * volume identifier when there is one (ISO 9660's own d-characters
 * have no '-'), else the primary one; trailing blanks cut. False when
 * the file is not ISO 9660. */
static bool iso_label(const char *file, char label[33])
{
	unsigned char vd[ISO_SECTOR];
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	bool iso = false;

	label[0] = '\0';
	if (fd < 0)
		return false;
	for (int i = 0; i < 32; i++) {
		ssize_t n = pread(fd, vd, sizeof(vd), ISO_PVD_OFFSET + (off_t)i * ISO_SECTOR);
		if (n != (ssize_t)sizeof(vd) || memcmp(vd + 1, "CD001", 5) != 0 || vd[0] == 255)
			break;
		if (vd[0] == 1 && !iso) {
			memcpy(label, vd + 40, 32);
			label[32] = '\0';
			iso = true;
		} else if (vd[0] == 2 && iso && vd[88] == '%' && vd[89] == '/' &&
			   (vd[90] == '@' || vd[90] == 'C' || vd[90] == 'E')) {
			/* Joliet: UCS-2 big-endian; keep what is ASCII */
			size_t o = 0;
			for (int k = 0; k < 32; k += 2)
				if (vd[40 + k] == 0 && vd[41 + k] >= 0x20 && vd[41 + k] < 0x7f)
					label[o++] = (char)vd[41 + k];
			label[o] = '\0';
			break;
		}
	}
	close(fd);
	if (!iso)
		return false;
	for (int i = (int)strlen(label) - 1; i >= 0 && label[i] == ' '; i--)
		label[i] = '\0';
	return true;
}

/* /answer.toml of an ISO 9660 image, read with libarchive. */
static int iso_answer(const char *file, char **out, size_t *len)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ent;
	int rc = SB_ENOTFOUND;

	*out = NULL;
	*len = 0;
	if (!a)
		return sb_error_set(SB_ENOMEM, "out of memory");
	archive_read_support_format_iso9660(a);
	if (archive_read_open_filename(a, file, 10240) != ARCHIVE_OK) {
		rc = sb_error_set(SB_EINPUT, "the removable medium is not a readable ISO 9660 image: %s",
				  archive_error_string(a));
		goto out;
	}
	while (archive_read_next_header(a, &ent) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(ent);
		if (!name || (strcmp(name, SB_ANSWER_FILE) != 0 && strcmp(name, "./" SB_ANSWER_FILE) != 0))
			continue;
		int64_t size = archive_entry_size(ent);
		if (size < 0 || size > ANSWER_MAX) {
			rc = sb_error_set(SB_EINPUT, "answer.toml on the removable medium is %lld bytes; at most %d",
					  (long long)size, ANSWER_MAX);
			goto out;
		}
		char *buf = malloc((size_t)size + 1);
		if (!buf) {
			rc = sb_error_set(SB_ENOMEM, "out of memory");
			goto out;
		}
		la_ssize_t got = archive_read_data(a, buf, (size_t)size);
		if (got != size) {
			free(buf);
			rc = sb_error_set(SB_EINPUT, "cannot read answer.toml from the removable medium: %s",
					  archive_error_string(a));
			goto out;
		}
		buf[size] = '\0';
		*out = buf;
		*len = (size_t)size;
		rc = 0;
		goto out;
	}
	rc = sb_error_set(SB_ENOTFOUND, "the medium labelled " SB_ANSWER_LABEL " holds no answer.toml");
out:
	archive_read_free(a);
	return rc;
}

/* fqdn = "..." of [global]. */
static char *answer_fqdn(const char *toml)
{
	bool global = false;
	const char *p = toml;

	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);
		char line[1024];
		snprintf(line, sizeof(line), "%.*s", (int)(n < sizeof(line) ? n : sizeof(line) - 1), p);
		char *l = line;
		while (*l == ' ' || *l == '\t')
			l++;
		if (*l == '[')
			global = strncmp(l, "[global]", 8) == 0;
		else if (global && strncmp(l, "fqdn", 4) == 0) {
			char *q1 = strchr(l, '"'), *q2 = q1 ? strchr(q1 + 1, '"') : NULL;
			if (q1 && q2)
				return sb_strndup(q1 + 1, (size_t)(q2 - q1 - 1));
		}
		p = eol ? eol + 1 : NULL;
	}
	return NULL;
}

json_t *sb_rfemu_install(const struct sb_rfemu_boot_media *m)
{
	char when[40], label[33], *toml = NULL, *fqdn = NULL;
	size_t len = 0;
	json_t *st;
	int rc;

	sb_time_iso8601(when, sizeof(when), sb_time_now_ms());
	st = json_pack("{s:s, s:s, s:b}", "at", when, "what", "the lab's stand-in for the Proxmox VE "
		       "installer (automated installation, partition mode)", "ok", 0);
	if (!st)
		return NULL;
	if (m->cd_image)
		json_object_set_new(st, "installer", json_pack("{s:s, s:s?, s:I}", "image", m->cd_image,
							       "sha256", m->cd_sha256,
							       "size", (json_int_t)m->cd_size));
	if (m->usb_image)
		json_object_set_new(st, "answer_media", json_pack("{s:s, s:s?, s:I}", "image", m->usb_image,
								  "sha256", m->usb_sha256,
								  "size", (json_int_t)m->usb_size));
	if (!m->cd_file) {
		json_object_set_new(st, "error", json_string("nothing to boot: the virtual CD holds no "
							     "image the BMC fetched"));
		return st;
	}
	if (!iso_label(m->cd_file, label)) {
		json_object_set_new(st, "error", json_string("the virtual CD's image is not ISO 9660: "
							     "not a bootable installer"));
		return st;
	}
	json_object_set_new(json_object_get(st, "installer"), "label", json_string(label));
	if (!m->usb_file) {
		json_object_set_new(st, "error", json_string("the installer found no answer media: no "
							     "removable virtual medium (USB) holds an image "
							     "labelled " SB_ANSWER_LABEL));
		return st;
	}
	if (!iso_label(m->usb_file, label)) {
		json_object_set_new(st, "error", json_string("the installer found no answer media: the "
							     "removable medium is not ISO 9660"));
		return st;
	}
	json_object_set_new(json_object_get(st, "answer_media"), "label", json_string(label));
	if (strcasecmp(label, SB_ANSWER_LABEL) != 0) {
		char msg[200];
		snprintf(msg, sizeof(msg), "the installer found no answer media: the removable medium is "
			 "labelled '%s', not " SB_ANSWER_LABEL, label);
		json_object_set_new(st, "error", json_string(msg));
		return st;
	}
	rc = iso_answer(m->usb_file, &toml, &len);
	if (rc) {
		char msg[600];
		snprintf(msg, sizeof(msg), "the installer could not use the answer media: %s",
			 sb_error_message());
		sb_error_clear();
		json_object_set_new(st, "error", json_string(msg));
		return st;
	}
	struct sb_diags d;
	sb_diags_init(&d);
	rc = sb_answer_validate(toml, len, "answer.toml", &d);
	if (rc) {
		char msg[600];
		snprintf(msg, sizeof(msg), "the installer refused answer.toml: %s",
			 d.n ? d.v[0].msg : sb_error_message());
		sb_error_clear();
		json_object_set_new(st, "error", json_string(msg));
		sb_diags_release(&d);
		free(toml);
		return st;
	}
	sb_diags_release(&d);
	fqdn = answer_fqdn(toml);
	free(toml);
	if (!fqdn) {
		json_object_set_new(st, "error", json_string("the installer refused answer.toml: no "
							     "fqdn in [global]"));
		return st;
	}
	json_object_set_new(st, "installed", json_string("proxmox-ve"));
	json_object_set_new(st, "fqdn", json_string(fqdn));
	json_object_set_new(st, "ok", json_true());
	free(fqdn);
	return st;
}
