/* siteboot: the GNU build-id of a loaded object, for caches of data
 * derived by code (a compiled BOM is only as good as the code that
 * compiled it). */
#ifndef SB_COMMON_BUILDID_H
#define SB_COMMON_BUILDID_H

#include <stdbool.h>
#include <stddef.h>

/* The build-id (NT_GNU_BUILD_ID note, in hex) of the loaded object that
 * holds `addr` (the main program when NULL) into out[size]. false when it
 * has none (linked without --build-id) or it does not fit. */
bool sb_build_id(char *out, size_t size, const void *addr);

#endif
