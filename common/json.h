/* siteboot: small helpers over jansson for output and for reading
 * untrusted JSON (Redfish replies, ledger payloads). */
#ifndef SB_COMMON_JSON_H
#define SB_COMMON_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/* Parse untrusted JSON of at most `max` bytes; duplicate keys and
 * embedded NULs are refused. `what` names the source in the error. */
int sb_json_parse(json_t **out, const char *buf, size_t len, size_t max,
		  const char *what);

/* Write one document, indented, followed by a newline; a failed write
 * (full disk, closed pipe) is reported as SB_EIO. */
int sb_json_write(FILE *f, const json_t *doc);

/* The canonical form used for hashing: compact, keys sorted, UTF-8.
 * The caller frees *out. */
int sb_json_canonical(char **out, const json_t *doc);

/* Length-checked getters: NULL / default when absent or of another type. */
const char *sb_json_str(const json_t *obj, const char *key);
json_t *sb_json_obj(const json_t *obj, const char *key);
json_t *sb_json_arr(const json_t *obj, const char *key);
bool sb_json_int(const json_t *obj, const char *key, long long *out);

/* Set obj[key] to a string, or to null when s is NULL. Returns 0 or
 * SB_ENOMEM. */
int sb_json_set_str(json_t *obj, const char *key, const char *s);

#endif
