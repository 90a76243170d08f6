/* siteboot: reading and writing whole files safely. */
#ifndef SB_COMMON_FILE_H
#define SB_COMMON_FILE_H

#include <stddef.h>
#include <sys/types.h>

/* Read a regular file of at most `max` bytes into a NUL-terminated heap
 * buffer. A missing file, a directory, a device or an oversized file is
 * SB_EINPUT with a message naming the path and the fix. */
int sb_file_read(char **out, size_t *len, const char *path, size_t max);

/* Write a file under a temporary name in the same directory, fsync it and
 * rename it into place, so readers see the old or the new file, never
 * half of one. `mode` is applied before any data is written. */
int sb_file_write_atomic(const char *path, const void *data, size_t len,
			 mode_t mode);

/* mkdir -p with `mode` for the directories it creates. */
int sb_mkdir_p(const char *path, mode_t mode);

/* Is a file readable and writable by its owner only (0600 or stricter)?
 * Returns 0, or SB_EINPUT naming the mode and the chmod that fixes it. */
int sb_file_check_private(const char *path);

/* The appliance's own places (docs/appliance.md): its configuration
 * (BMC credentials, root password hash, the Besu network's files),
 * $SITEBOOT_ETC or /etc/siteboot; its verified install images,
 * $SITEBOOT_IMAGES or /var/lib/siteboot/images. */
const char *sb_appliance_etc(void);
const char *sb_appliance_images(void);

#endif
