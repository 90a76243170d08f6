/* siteboot: range patterns, as people write them for a rack of servers.
 *
 *   edge-n[01-08]                 edge-n01 ... edge-n08 (width kept)
 *   10.0.0.[10-60]                51 addresses
 *   ipmi://admin@127.0.0.1:[9001-9100]
 *   rack[1-2]-n[1,3,5-6]          groups multiply out, left to right
 *
 * A bracket group holds numbers, ranges and commas only; anything else
 * (an IPv6 literal such as [::1]) is copied as it stands. */
#ifndef SB_COMMON_RANGE_H
#define SB_COMMON_RANGE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/str.h"

/* At most this many names from one pattern unless the caller says less. */
#define SB_RANGE_MAX 65536

/* Expand `pattern` and append the results to `out`. Fails with SB_EINPUT
 * naming the pattern and the column of the problem (reversed range, empty
 * group, more than `max` results, unbalanced bracket). */
int sb_range_expand(struct sb_strv *out, const char *pattern, size_t max);

/* Does `pattern` contain a range group at all? */
bool sb_range_has_group(const char *pattern);

#endif
