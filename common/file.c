#include "common/file.h"
#include "common/error.h"
#include "common/str.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int sb_file_read(char **out, size_t *len, const char *path, size_t max)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd, rc = SB_EINTERNAL;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return sb_error_set(SB_EINPUT, "%s: cannot open: %s%s", path,
				    strerror(errno),
				    errno == ENOENT ? "; check the path" : "");
	if (fstat(fd, &st) != 0) {
		rc = sb_error_set(SB_EIO, "%s: cannot stat: %s", path,
				  strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = sb_error_set(SB_EINPUT,
				  "%s: is a directory; give the path of a file in it",
				  path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = sb_error_set(SB_EINPUT,
				  "%s: is not a regular file; give the path of a file",
				  path);
		goto out;
	}
	if ((unsigned long long)st.st_size > max) {
		rc = sb_error_set(SB_EINPUT,
				  "%s: is %lld bytes, more than the limit of %zu; is this the right file?",
				  path, (long long)st.st_size, max);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		rc = sb_error_set(SB_ENOMEM, "out of memory reading %s", path);
		goto out;
	}
	/* the file may grow while we read: never read past st_size + 0 */
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = sb_error_set(SB_EIO, "%s: read failed: %s", path,
					  strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}

int sb_file_write_atomic(const char *path, const void *data, size_t len,
			 mode_t mode)
{
	char tmp[PATH_MAX];
	const char *p = data;
	int fd, n, rc = SB_EIO;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return sb_error_set(SB_EINPUT, "%s: path too long", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return sb_error_set(SB_EIO, "%s: cannot create: %s", tmp,
				    strerror(errno));
	if (fchmod(fd, mode) != 0)
		goto fail;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		p += w;
		len -= (size_t)w;
	}
	if (fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto fail;
	return 0;
fail:
	rc = sb_error_set(SB_EIO, "%s: cannot write: %s", path,
			  strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return rc;
}

int sb_mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t n = sb_strlcpy(buf, path, sizeof(buf));

	if (n >= sizeof(buf))
		return sb_error_set(SB_EINPUT, "%s: path too long", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) != 0 && errno != EEXIST)
			return sb_error_set(SB_EIO, "%s: cannot create: %s",
					    buf, strerror(errno));
		*p = '/';
	}
	if (mkdir(buf, mode) != 0 && errno != EEXIST)
		return sb_error_set(SB_EIO, "%s: cannot create: %s", buf,
				    strerror(errno));
	return 0;
}

int sb_file_check_private(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return sb_error_set(SB_EINPUT, "%s: cannot open: %s", path,
				    strerror(errno));
	if (st.st_mode & 077)
		return sb_error_set(SB_EINPUT,
				    "%s: holds secrets but has mode %04o, readable by others; run 'chmod 600 %s'",
				    path, (unsigned)(st.st_mode & 07777), path);
	return 0;
}

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);
	return v && *v ? v : dflt;
}

const char *sb_appliance_etc(void)
{
	return env_or("SITEBOOT_ETC", "/etc/siteboot");
}

const char *sb_appliance_images(void)
{
	return env_or("SITEBOOT_IMAGES", "/var/lib/siteboot/images");
}
