/* siteboot: strings, bounded buffers and bounded number parsing. */
#ifndef SB_COMMON_STR_H
#define SB_COMMON_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growable byte buffer with a hard size cap, always NUL-terminated.
 * Appending past `max` fails with SB_EINPUT ("too large"), so a hostile
 * peer cannot make us allocate without bound. */
struct sb_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
};

#define SB_BUF_INIT(maxbytes) { NULL, 0, 0, (maxbytes) }

void sb_buf_init(struct sb_buf *b, size_t max);
int sb_buf_append(struct sb_buf *b, const void *p, size_t n);
int sb_buf_puts(struct sb_buf *b, const char *s);
int sb_buf_printf(struct sb_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sb_buf_reset(struct sb_buf *b);
/* Hand the NUL-terminated contents to the caller (never NULL on success). */
int sb_buf_detach(char **out, struct sb_buf *b);
void sb_buf_release(struct sb_buf *b);
/* Wipe, then release: for buffers that held secrets. */
void sb_buf_release_secret(struct sb_buf *b);

/* NULL-safe strdup; NULL in gives NULL out. */
char *sb_strdup(const char *s);
char *sb_strndup(const char *s, size_t n);
/* snprintf into a fresh heap string; NULL on failure. */
char *sb_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Copy with truncation, always terminated; returns strlen(src). */
size_t sb_strlcpy(char *dst, const char *src, size_t size);
bool sb_streq(const char *a, const char *b);	/* NULL-safe */
bool sb_startswith(const char *s, const char *prefix);
bool sb_endswith(const char *s, const char *suffix);
/* ASCII case-insensitive comparison, NULL-safe. */
bool sb_strcaseeq(const char *a, const char *b);

/* Wipe and free memory that held a secret. NULL is fine. */
void sb_freezero(void *p, size_t n);
void sb_free_secret(char *s);

/* Parse a whole string as a decimal integer within [min, max].
 * Returns 0, or SB_EINPUT with a message naming `what`. */
int sb_parse_ll(long long *out, const char *s, long long min, long long max,
		const char *what);
int sb_parse_u64(uint64_t *out, const char *s, uint64_t max, const char *what);
/* A duration such as "500ms", "30s", "5m", "2h" or a bare number of
 * seconds, into milliseconds. */
int sb_parse_duration_ms(uint64_t *out, const char *s, const char *what);
/* A size such as "64GB", "2TB", "512MiB", "800G" into bytes. Decimal units
 * (KB, MB, GB, TB) are powers of 1000, binary (KiB..TiB) of 1024. */
int sb_parse_size(uint64_t *out, const char *s, const char *what);

/* A size for people: "64 GiB" (binary) or "3.84 TB" (decimal), the
 * largest unit that keeps at least 1, up to two decimals, trailing zeros
 * dropped. */
void sb_fmt_size(char *buf, size_t size, uint64_t bytes, bool binary);

/* Is [s, s+n) valid UTF-8 without NUL bytes? On failure *bad_off is the
 * offset of the first offending byte. */
bool sb_utf8_valid(const char *s, size_t n, size_t *bad_off);

/* Edit distance, bounded: returns max+1 as soon as it exceeds max. */
size_t sb_edit_distance(const char *a, const char *b, size_t max);
/* The closest of `cands` (NULL-terminated) to `word` within a distance
 * suited to its length, or NULL: for "did you mean" hints. */
const char *sb_did_you_mean(const char *word, const char *const *cands);

/* A hint for `word`, which is not among `cands` (NULL-terminated):
 * "did you mean 'X'?" when one is close, otherwise `lead`, followed by
 * the candidates ("allowed keys: a, b") when `list` is true. */
void sb_hint_choice(char *buf, size_t size, const char *word,
		    const char *const *cands, const char *lead, bool list);

/* Lower-case hex of n bytes into out (2n+1 bytes). */
void sb_hex(char *out, const unsigned char *in, size_t n);
/* Parse exactly 2n hex digits into n bytes. */
int sb_unhex(unsigned char *out, size_t n, const char *hex);

/* Trim ASCII white space at both ends in place; returns s. */
char *sb_trim(char *s);

/* A NULL-terminated vector of strings. */
struct sb_strv {
	char **v;
	size_t n;
	size_t cap;
};
int sb_strv_push(struct sb_strv *sv, const char *s);	/* copies s */
int sb_strv_push_owned(struct sb_strv *sv, char *s);	/* takes s */
bool sb_strv_contains(const struct sb_strv *sv, const char *s);
void sb_strv_release(struct sb_strv *sv);

#endif
