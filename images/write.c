/* Writing an image to a USB device, and refusing the wrong device.
 *
 * The refusals come first because the cost of a mistake is a wiped disk:
 * a device that holds a mounted file system, or the system we run from,
 * is refused even with --force; a target that is not a removable block
 * device (a fixed disk, a loop device, a plain file) needs --force. */
#include "images/images.h"

#include "common/error.h"
#include "common/str.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#define IO_CHUNK (4u << 20)
#define IO_ALIGN 4096u

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int read_file_small(char *buf, size_t size, const char *path)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	sb_trim(buf);
	return 0;
}

/* The whole-disk name ("sdb") of a block device number: partitions have
 * a 'partition' file in sysfs and their disk is the parent directory. */
static int disk_of(char *disk, size_t size, unsigned maj, unsigned min)
{
	char link[256], target[1024], part[1100];
	const char *slash;
	ssize_t n;

	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", maj, min);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return -1;
	target[n] = '\0';
	snprintf(part, sizeof(part), "%s/partition", link);
	if (access(part, F_OK) == 0) {
		char *last = strrchr(target, '/');
		if (last)
			*last = '\0';
	}
	slash = strrchr(target, '/');
	sb_strlcpy(disk, slash ? slash + 1 : target, size);
	return 0;
}

/* Mount table text; fields: id parent MAJ:MIN root mountpoint ... */
static int mount_fields(const char *line, unsigned *maj, unsigned *min,
			char *mnt, size_t mntsize, char *src, size_t srcsize)
{
	const char *p = line, *sep;
	int field = 0;

	src[0] = '\0';
	while (*p && field < 4) {
		if (field == 2 && sscanf(p, "%u:%u", maj, min) != 2)
			return -1;
		p = strchr(p, ' ');
		if (!p)
			return -1;
		p++;
		field++;
	}
	{
		size_t i = 0;
		while (*p && *p != ' ' && i + 1 < mntsize)
			mnt[i++] = *p++;
		mnt[i] = '\0';
	}
	sep = strstr(p, " - ");
	if (sep) {
		/* " - fstype source options" */
		const char *s = strchr(sep + 3, ' ');
		size_t i = 0;
		if (s) {
			s++;
			while (*s && *s != ' ' && i + 1 < srcsize)
				src[i++] = *s++;
		}
		src[i] = '\0';
	}
	return 0;
}

static bool is_boot_mount(const char *mnt)
{
	static const char *const boot_mounts[] = {
		"/", "/boot", "/boot/efi", "/efi", "/run/live/medium",
		"/lib/live/mount/medium", "/run/live/persistence", NULL,
	};
	for (const char *const *m = boot_mounts; *m; m++)
		if (strcmp(*m, mnt) == 0)
			return true;
	return sb_startswith(mnt, "/run/live/persistence/");
}

int sb_image_boot_devices(char ***out, size_t *n, const char *text)
{
	struct sb_strv sv = { 0 };
	const char *line = text;

	*out = NULL;
	*n = 0;
	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char buf[4096], mnt[1024], src[1024], id[32];
		unsigned maj = 0, min = 0;

		if (len < sizeof(buf)) {
			memcpy(buf, line, len);
			buf[len] = '\0';
			if (mount_fields(buf, &maj, &min, mnt, sizeof(mnt), src,
					 sizeof(src)) == 0 && maj != 0 &&
			    is_boot_mount(mnt)) {
				snprintf(id, sizeof(id), "%u:%u", maj, min);
				if (!sb_strv_contains(&sv, id) && sb_strv_push(&sv, id)) {
					sb_strv_release(&sv);
					return sb_error_set(SB_ENOMEM, "out of memory");
				}
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	*out = sv.v;
	*n = sv.n;
	return 0;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int read_mountinfo(char **text, const char *path)
{
	FILE *f = fopen(path, "re");
	struct sb_buf b = SB_BUF_INIT(16u << 20);
	char chunk[8192];
	size_t r;
	int rc = 0;

	if (!f)
		return sb_error_set(SB_EIO, "%s: %s: cannot tell which devices are mounted",
				    path, strerror(errno));
	while (rc == 0 && (r = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rc = sb_buf_append(&b, chunk, r);
	fclose(f);
	if (rc == 0)
		rc = sb_buf_puts(&b, "");
	if (rc == 0)
		rc = sb_buf_detach(text, &b);
	sb_buf_release(&b);
	return rc;
}

int sb_image_target_check(struct sb_image_target *t, const char *dev,
			  bool force, uint64_t need, const char *mountinfo)
{
	struct stat st;
	char *text = NULL, **boot = NULL;
	size_t nboot = 0;
	int rc = 0;

	memset(t, 0, sizeof(*t));
	sb_strlcpy(t->path, dev, sizeof(t->path));
	if (stat(dev, &st) != 0) {
		if (errno == ENOENT && force && !sb_startswith(dev, "/dev/"))
			return 0;	/* a new plain file, with --force */
		if (errno == ENOENT && !sb_startswith(dev, "/dev/"))
			return sb_error_set(SB_ESECURITY,
					    "%s does not exist; give the USB stick (/dev/sdX), or add --force to write a plain file",
					    dev);
		return sb_error_set(SB_EINPUT, "%s: %s; 'lsblk -o NAME,RM,SIZE,MODEL' lists the devices",
				    dev, strerror(errno));
	}
	t->is_block = S_ISBLK(st.st_mode);
	if (!t->is_block && !S_ISREG(st.st_mode))
		return sb_error_set(SB_EINPUT, "%s is neither a block device nor a plain file", dev);
	if (!t->is_block) {
		if (!force)
			return sb_error_set(SB_ESECURITY,
					    "%s is not a block device; give the USB stick (/dev/sdX), or add --force to write a plain file",
					    dev);
		return 0;
	}
	if (disk_of(t->disk, sizeof(t->disk), major(st.st_rdev), minor(st.st_rdev)) != 0)
		return sb_error_set(SB_EIO, "%s: not found in /sys/dev/block", dev);

	rc = read_mountinfo(&text, mountinfo ? mountinfo : "/proc/self/mountinfo");
	if (rc)
		return rc;
	/* The system we run from, then anything mounted. */
	rc = sb_image_boot_devices(&boot, &nboot, text);
	for (size_t i = 0; rc == 0 && i < nboot; i++) {
		unsigned maj, min;
		char disk[64];
		if (sscanf(boot[i], "%u:%u", &maj, &min) == 2 &&
		    disk_of(disk, sizeof(disk), maj, min) == 0 &&
		    strcmp(disk, t->disk) == 0)
			rc = sb_error_set(SB_ESECURITY,
					  "%s is the device this system booted from (/dev/%s); refusing to overwrite it, even with --force",
					  dev, disk);
	}
	for (const char *line = text; rc == 0 && line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char buf[4096], mnt[1024], src[1024], disk[64];
		unsigned maj = 0, min = 0;

		if (len < sizeof(buf)) {
			memcpy(buf, line, len);
			buf[len] = '\0';
			if (mount_fields(buf, &maj, &min, mnt, sizeof(mnt), src, sizeof(src)) == 0 &&
			    maj != 0 && disk_of(disk, sizeof(disk), maj, min) == 0 &&
			    strcmp(disk, t->disk) == 0)
				rc = sb_error_set(SB_ESECURITY,
						  "%s is mounted (%s on %s); unmount it first ('umount %s'), or pick another device",
						  dev, src[0] ? src : disk, mnt, mnt);
		}
		line = nl ? nl + 1 : NULL;
	}
	if (rc)
		goto out;
	{
		char path[256], val[32];
		snprintf(path, sizeof(path), "/sys/block/%s/removable", t->disk);
		t->removable = read_file_small(val, sizeof(val), path) == 0 &&
			       strcmp(val, "1") == 0;
	}
	{
		int fd = open(dev, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (ioctl(fd, BLKGETSIZE64, &t->size) != 0)
				t->size = 0;
			close(fd);
		}
	}
	if (!t->removable && !force) {
		rc = sb_error_set(SB_ESECURITY,
				  "%s (/dev/%s) is not a removable device; a USB stick is. Check with 'lsblk -o NAME,RM,SIZE,MODEL', or add --force if you are sure",
				  dev, t->disk);
		goto out;
	}
	if (need && t->size && t->size < need) {
		char have[32], want[32];
		sb_fmt_size(have, sizeof(have), t->size, true);
		sb_fmt_size(want, sizeof(want), need, true);
		rc = sb_error_set(SB_EINPUT, "%s holds %s; the image needs %s: use a larger stick",
				  dev, have, want);
	}
out:
	strv_free(boot, nboot);
	free(text);
	return rc;
}

static int write_all(int fd, const unsigned char *p, size_t n, const char *dev,
		     uint64_t off)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return sb_error_set(SB_EIO, "%s: write failed at byte %llu: %s",
					    dev, (unsigned long long)off,
					    w < 0 ? strerror(errno) : "no space left");
		p += w;
		n -= (size_t)w;
		off += (uint64_t)w;
	}
	return 0;
}

static int digest_hex(EVP_MD_CTX *c, char out[SB_SHA256_HEX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;

	if (!EVP_DigestFinal_ex(c, md, &len))
		return sb_error_set(SB_EINTERNAL, "libcrypto: SHA-256 final failed");
	sb_hex(out, md, len);
	return 0;
}

/* Read the first `bytes` of the target back, past the page cache: with
 * O_DIRECT where the target allows it, else after dropping its cached
 * pages, so what we hash is what the medium holds. */
static int read_back(struct sb_image_write_result *res, const struct sb_image_target *t,
		     unsigned char *buf, const struct sb_image_write_opts *o)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	uint64_t done = 0, next = 0;
	int fd, rc = 0;
	bool direct = true;

	if (!c)
		return sb_error_set(SB_ENOMEM, "out of memory");
	fd = open(t->path, O_RDONLY | O_CLOEXEC | O_DIRECT);
	if (fd < 0) {
		direct = false;
		fd = open(t->path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		rc = sb_error_set(SB_EIO, "%s: cannot reopen to verify: %s", t->path,
				  strerror(errno));
		goto out;
	}
	if (!direct)
		(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	while (done < res->bytes) {
		uint64_t left = res->bytes - done;
		size_t want = left < IO_CHUNK ? (size_t)left : IO_CHUNK;
		size_t ask = want;
		ssize_t r;

		if (direct)	/* whole sectors; the tail past `bytes` is not hashed */
			ask = (want + IO_ALIGN - 1) / IO_ALIGN * IO_ALIGN;
		r = read(fd, buf, ask);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && direct && errno == EINVAL && done == 0) {
			/* O_DIRECT refused by this file system: use the cache-dropped path */
			close(fd);
			direct = false;
			fd = open(t->path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				break;
			(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
			continue;
		}
		if (r < 0) {
			rc = sb_error_set(SB_EIO, "%s: read-back failed at byte %llu: %s",
					  t->path, (unsigned long long)done, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;	/* shorter than written: the digest will differ */
		if ((size_t)r > want)
			r = (ssize_t)want;
		EVP_DigestUpdate(c, buf, (size_t)r);
		done += (uint64_t)r;
		if (o && o->progress && done >= next) {
			next = done + 16ull * IO_CHUNK;
			if (o->progress(o->ctx, done, res->bytes)) {
				rc = sb_error_set(SB_ECANCELED, "%s: verification interrupted", t->path);
				goto out;
			}
		}
	}
	if (fd < 0) {
		rc = sb_error_set(SB_EIO, "%s: cannot reopen to verify: %s", t->path,
				  strerror(errno));
		goto out;
	}
	if (o && o->progress)
		(void)o->progress(o->ctx, done, res->bytes);
	rc = digest_hex(c, res->readback);
out:
	if (fd >= 0)
		close(fd);
	EVP_MD_CTX_free(c);
	return rc;
}

int sb_image_write(struct sb_image_write_result *res, const char *image,
		   const struct sb_image_target *t,
		   const struct sb_image_write_opts *o)
{
	EVP_MD_CTX *c = NULL;
	unsigned char *buf = NULL;
	uint64_t total = 0, next = 0, synced = 0;
	struct stat st;
	int in = -1, out = -1, rc = SB_EINTERNAL;
	double t0;

	memset(res, 0, sizeof(*res));
	in = open(image, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		rc = sb_error_set(SB_EINPUT, "%s: %s; check the path", image, strerror(errno));
		goto out;
	}
	if (fstat(in, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = sb_error_set(SB_EINPUT, "%s is not a plain file; give the image file", image);
		goto out;
	}
	total = (uint64_t)st.st_size;
	if (posix_memalign((void **)&buf, IO_ALIGN, IO_CHUNK) != 0 || !(c = EVP_MD_CTX_new())) {
		rc = sb_error_set(SB_ENOMEM, "out of memory");
		goto out;
	}
	out = open(t->path, O_WRONLY | O_CLOEXEC | (t->is_block ? O_EXCL : O_CREAT | O_TRUNC), 0644);
	if (out < 0) {
		rc = sb_error_set(errno == EBUSY ? SB_ESECURITY : SB_EIO,
				  "%s: cannot open for writing: %s%s", t->path, strerror(errno),
				  errno == EBUSY ? " (in use: mounted or held by another program)" : "");
		goto out;
	}
	if (o && o->phase)
		*o->phase = 0;
	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	t0 = now_s();
	for (;;) {
		ssize_t r = read(in, buf, IO_CHUNK);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = sb_error_set(SB_EIO, "%s: read failed: %s", image, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		EVP_DigestUpdate(c, buf, (size_t)r);
		rc = write_all(out, buf, (size_t)r, t->path, res->bytes);
		if (rc)
			goto out;
		res->bytes += (uint64_t)r;
		/* Push dirty pages out as we go, so the progress shown is the
		 * medium's pace and the final flush is short. */
		if (res->bytes - synced >= 16ull * IO_CHUNK) {
			(void)sync_file_range(out, (off64_t)synced, (off64_t)(res->bytes - synced),
					      SYNC_FILE_RANGE_WRITE);
			synced = res->bytes;
		}
		if (o && o->progress && res->bytes >= next) {
			next = res->bytes + 4ull * IO_CHUNK;
			if (o->progress(o->ctx, res->bytes, total)) {
				rc = sb_error_set(SB_ECANCELED, "%s: writing interrupted after %llu bytes; the device holds a partial image",
						  t->path, (unsigned long long)res->bytes);
				goto out;
			}
		}
	}
	if (fsync(out) != 0) {
		rc = sb_error_set(SB_EIO, "%s: flushing to the medium failed: %s", t->path,
				  strerror(errno));
		goto out;
	}
	if (o && o->progress)
		(void)o->progress(o->ctx, res->bytes, total);
	(void)posix_fadvise(out, 0, 0, POSIX_FADV_DONTNEED);
	if (t->is_block)
		(void)ioctl(out, BLKFLSBUF, 0);
	close(out);
	out = -1;
	res->write_seconds = now_s() - t0;
	rc = digest_hex(c, res->sha256);
	if (rc)
		goto out;
	if (o && o->phase)
		*o->phase = 1;
	t0 = now_s();
	rc = read_back(res, t, buf, o);
	res->verify_seconds = now_s() - t0;
	if (rc)
		goto out;
	res->verified = strcmp(res->sha256, res->readback) == 0;
	rc = 0;
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	EVP_MD_CTX_free(c);
	free(buf);
	return rc;
}

int sb_image_build(const char *srcdir, const char *outdir)
{
	char script[4096];
	pid_t pid;
	int status = 0;

	snprintf(script, sizeof(script), "%s/images/build.sh", srcdir);
	if (access(script, X_OK) != 0)
		return sb_error_set(SB_EINPUT,
				    "%s: not found or not executable; give the siteboot source tree with --source DIR",
				    script);
	pid = fork();
	if (pid < 0)
		return sb_error_set(SB_EIO, "fork: %s", strerror(errno));
	if (pid == 0) {
		if (outdir)
			execlp("nice", "nice", "-n", "10", script, "--source", srcdir,
			       "--out", outdir, (char *)NULL);
		else
			execlp("nice", "nice", "-n", "10", script, "--source", srcdir,
			       (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return sb_error_set(SB_EIO, "waitpid: %s", strerror(errno));
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		return sb_error_set(WEXITSTATUS(status) == 2 ? SB_EINPUT : SB_EFAILED,
				    "%s exited with status %d (its messages are above)",
				    script, WEXITSTATUS(status));
	return sb_error_set(SB_EFAILED, "%s was stopped by signal %d", script,
			    WTERMSIG(status));
}
