#include "common/str.h"
#include "common/error.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sb_buf_init(struct sb_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

static int buf_reserve(struct sb_buf *b, size_t extra)
{
	size_t need, ncap;
	char *p;

	if (extra > SIZE_MAX - b->len - 1)
		return sb_error_set(SB_EINPUT, "data too large");
	need = b->len + extra + 1;
	if (b->max && need - 1 > b->max)
		return sb_error_set(SB_EINPUT,
				    "data exceeds the limit of %zu bytes",
				    b->max);
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	p = realloc(b->data, ncap);
	if (!p)
		return sb_error_set(SB_ENOMEM, "out of memory");
	b->data = p;
	b->cap = ncap;
	return 0;
}

int sb_buf_append(struct sb_buf *b, const void *p, size_t n)
{
	int rc = buf_reserve(b, n);

	if (rc)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int sb_buf_puts(struct sb_buf *b, const char *s)
{
	return sb_buf_append(b, s, strlen(s));
}

int sb_buf_printf(struct sb_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return sb_error_set(SB_EINTERNAL, "bad format");
	rc = buf_reserve(b, (size_t)n);
	if (rc)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void sb_buf_reset(struct sb_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

int sb_buf_detach(char **out, struct sb_buf *b)
{
	int rc = buf_reserve(b, 0);

	if (rc)
		return rc;
	b->data[b->len] = '\0';
	*out = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return 0;
}

void sb_buf_release(struct sb_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void sb_buf_release_secret(struct sb_buf *b)
{
	sb_freezero(b->data, b->cap);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *sb_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

char *sb_strndup(const char *s, size_t n)
{
	return s ? strndup(s, n) : NULL;
}

char *sb_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	p = malloc((size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

size_t sb_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size) {
		size_t c = n < size - 1 ? n : size - 1;
		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

bool sb_streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

bool sb_startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool sb_endswith(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

bool sb_strcaseeq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	for (; *a && *b; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
	return *a == *b;
}

void sb_freezero(void *p, size_t n)
{
	if (!p)
		return;
	explicit_bzero(p, n);
	free(p);
}

void sb_free_secret(char *s)
{
	if (s)
		sb_freezero(s, strlen(s));
}

int sb_parse_ll(long long *out, const char *s, long long min, long long max,
		const char *what)
{
	char *end;
	long long v;

	if (!s || !*s || isspace((unsigned char)*s))
		return sb_error_set(SB_EINPUT, "%s: expected a number, got '%s'",
				    what, s ? s : "");
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0')
		return sb_error_set(SB_EINPUT,
				    "%s: '%s' is not a whole number", what, s);
	if (errno == ERANGE || v < min || v > max)
		return sb_error_set(SB_EINPUT,
				    "%s: %s is out of range (%lld to %lld)",
				    what, s, min, max);
	*out = v;
	return 0;
}

int sb_parse_u64(uint64_t *out, const char *s, uint64_t max, const char *what)
{
	unsigned long long v;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return sb_error_set(SB_EINPUT,
				    "%s: expected a non-negative number, got '%s'",
				    what, s ? s : "");
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end != '\0')
		return sb_error_set(SB_EINPUT,
				    "%s: '%s' is not a whole number", what, s);
	if (errno == ERANGE || v > max)
		return sb_error_set(SB_EINPUT,
				    "%s: %s is out of range (0 to %llu)", what,
				    s, (unsigned long long)max);
	*out = v;
	return 0;
}

/* Split "<digits><unit>" and find the unit's multiplier in `units`. */
struct unit {
	const char *name;
	uint64_t mult;
};

static int parse_with_unit(uint64_t *out, const char *s, const struct unit *u,
			   const char *what, const char *expect)
{
	char num[32];
	size_t i = 0;
	uint64_t v, mult = 0;
	int rc;

	if (!s)
		s = "";
	while (s[i] && isdigit((unsigned char)s[i]))
		i++;
	if (i == 0 || i >= sizeof(num))
		return sb_error_set(SB_EINPUT, "%s: '%s' is not %s", what, s,
				    expect);
	memcpy(num, s, i);
	num[i] = '\0';
	rc = sb_parse_u64(&v, num, UINT64_MAX, what);
	if (rc)
		return rc;
	const char *unit = s + i;
	while (*unit == ' ')
		unit++;
	for (; u->name; u++) {
		if (sb_strcaseeq(unit, u->name)) {
			mult = u->mult;
			break;
		}
	}
	if (!mult)
		return sb_error_set(SB_EINPUT, "%s: '%s' is not %s", what, s,
				    expect);
	if (v > UINT64_MAX / mult)
		return sb_error_set(SB_EINPUT, "%s: '%s' is too large", what, s);
	*out = v * mult;
	return 0;
}

int sb_parse_duration_ms(uint64_t *out, const char *s, const char *what)
{
	static const struct unit units[] = {
		{ "", 1000 }, { "ms", 1 }, { "s", 1000 }, { "m", 60000 },
		{ "h", 3600000 }, { NULL, 0 },
	};
	return parse_with_unit(out, s, units, what,
			       "a duration such as 500ms, 30s, 5m or 2h");
}

int sb_parse_size(uint64_t *out, const char *s, const char *what)
{
	static const struct unit units[] = {
		{ "B", 1 },
		{ "KB", 1000ULL }, { "K", 1000ULL },
		{ "MB", 1000000ULL }, { "M", 1000000ULL },
		{ "GB", 1000000000ULL }, { "G", 1000000000ULL },
		{ "TB", 1000000000000ULL }, { "T", 1000000000000ULL },
		{ "KiB", 1ULL << 10 }, { "MiB", 1ULL << 20 },
		{ "GiB", 1ULL << 30 }, { "TiB", 1ULL << 40 },
		{ NULL, 0 },
	};
	static const char expect[] =
		"a size such as 64GB, 3.84TB or 512GiB";
	char ipart[24], fpart[8];
	size_t i = 0, fi = 0;
	uint64_t whole = 0, frac = 0, mult = 0, scale = 1;
	const char *unit;

	if (!s)
		s = "";
	while (i < sizeof(ipart) - 1 && isdigit((unsigned char)s[i])) {
		ipart[i] = s[i];
		i++;
	}
	ipart[i] = '\0';
	if (i == 0)
		return sb_error_set(SB_EINPUT, "%s: '%s' is not %s", what, s,
				    expect);
	unit = s + i;
	if (*unit == '.') {
		unit++;
		while (isdigit((unsigned char)*unit)) {
			if (fi >= 6)
				return sb_error_set(SB_EINPUT,
						    "%s: '%s' has more than 6 decimals",
						    what, s);
			fpart[fi++] = *unit++;
			scale *= 10;
		}
		fpart[fi] = '\0';
		if (fi == 0)
			return sb_error_set(SB_EINPUT, "%s: '%s' is not %s",
					    what, s, expect);
		frac = strtoull(fpart, NULL, 10);
	}
	while (*unit == ' ')
		unit++;
	for (const struct unit *u = units; u->name; u++) {
		if (strcmp(unit, u->name) == 0 ||
		    (u->mult >= 1000 && sb_strcaseeq(unit, u->name) &&
		     strchr(u->name, 'i') == NULL)) {
			mult = u->mult;
			break;
		}
	}
	if (!mult)
		return sb_error_set(SB_EINPUT, "%s: '%s' is not %s", what, s,
				    expect);
	if (sb_parse_u64(&whole, ipart, UINT64_MAX, what))
		return SB_EINPUT;
	if (whole > UINT64_MAX / mult)
		return sb_error_set(SB_EINPUT, "%s: '%s' is too large", what, s);
	if (frac && (mult % scale) != 0)
		return sb_error_set(SB_EINPUT,
				    "%s: '%s' is not a whole number of bytes",
				    what, s);
	*out = whole * mult + frac * (mult / scale);
	return 0;
}

void sb_fmt_size(char *buf, size_t size, uint64_t bytes, bool binary)
{
	static const char *const bin[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	static const char *const dec[] = { "B", "KB", "MB", "GB", "TB", "PB" };
	uint64_t base = binary ? 1024 : 1000, div = 1;
	unsigned u = 0;

	while (u < 5 && bytes / div >= base) {
		div *= base;
		u++;
	}
	uint64_t whole = bytes / div;
	uint64_t cents = (uint64_t)((bytes % div) * 100.0 / (double)div + 0.5);
	if (cents >= 100) {
		whole++;
		cents = 0;
	}
	if (cents == 0)
		snprintf(buf, size, "%llu %s", (unsigned long long)whole,
			 binary ? bin[u] : dec[u]);
	else if (cents % 10 == 0)
		snprintf(buf, size, "%llu.%llu %s", (unsigned long long)whole,
			 (unsigned long long)(cents / 10),
			 binary ? bin[u] : dec[u]);
	else
		snprintf(buf, size, "%llu.%02llu %s", (unsigned long long)whole,
			 (unsigned long long)cents, binary ? bin[u] : dec[u]);
}

bool sb_utf8_valid(const char *str, size_t n, size_t *bad_off)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];
		size_t len;
		uint32_t cp;

		if (c == 0)
			goto bad;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			len = 2;
			cp = c & 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			len = 3;
			cp = c & 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			len = 4;
			cp = c & 0x07;
		} else {
			goto bad;
		}
		if (n - i < len)
			goto bad;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				goto bad;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		/* overlong forms, surrogates and out-of-range code points */
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			goto bad;
		i += len;
	}
	return true;
bad:
	if (bad_off)
		*bad_off = i;
	return false;
}

/* Optimal string alignment distance, case-insensitive: insertions,
 * deletions, substitutions and swaps of neighbours ("bmo" for "bom") each
 * cost one. */
size_t sb_edit_distance(const char *a, const char *b, size_t max)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[65][65];

	if (la > 64 || lb > 64)
		return max + 1;
	if ((la > lb ? la - lb : lb - la) > max)
		return max + 1;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		int ca = tolower((unsigned char)a[i - 1]);
		for (size_t j = 1; j <= lb; j++) {
			int cb = tolower((unsigned char)b[j - 1]);
			size_t v = d[i - 1][j - 1] + (ca != cb);
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 &&
			    ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb] > max ? max + 1 : d[la][lb];
}

const char *sb_did_you_mean(const char *word, const char *const *cands)
{
	size_t len = strlen(word);
	size_t max = len <= 3 ? 1 : len <= 6 ? 2 : 3;
	const char *best = NULL;
	size_t bestd = max + 1;

	for (; *cands; cands++) {
		size_t d = sb_edit_distance(word, *cands, max);
		if (d < bestd) {
			bestd = d;
			best = *cands;
		}
	}
	return best;
}

void sb_hint_choice(char *buf, size_t size, const char *word,
		    const char *const *cands, const char *lead, bool list)
{
	const char *best = sb_did_you_mean(word, cands);
	size_t off;

	if (best) {
		snprintf(buf, size, "did you mean '%s'?", best);
		return;
	}
	off = (size_t)snprintf(buf, size, "%s", lead);
	for (const char *const *c = cands; list && *c && off < size; c++)
		off += (size_t)snprintf(buf + off, size - off, "%s %s",
					c == cands ? "" : ",", *c);
}

void sb_hex(char *out, const unsigned char *in, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int sb_unhex(unsigned char *out, size_t n, const char *hex)
{
	if (strlen(hex) != 2 * n)
		return sb_error_set(SB_EINPUT,
				    "expected %zu hex digits, got %zu", 2 * n,
				    strlen(hex));
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return sb_error_set(SB_EINPUT,
					    "'%c%c' is not a hex digit pair",
					    hex[2 * i], hex[2 * i + 1]);
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

char *sb_trim(char *s)
{
	size_t n;
	char *p = s;

	while (*p && isspace((unsigned char)*p))
		p++;
	n = strlen(p);
	while (n && isspace((unsigned char)p[n - 1]))
		n--;
	memmove(s, p, n);
	s[n] = '\0';
	return s;
}

int sb_strv_push_owned(struct sb_strv *sv, char *s)
{
	if (!s)
		return sb_error_set(SB_ENOMEM, "out of memory");
	if (sv->n + 2 > sv->cap) {
		size_t ncap = sv->cap ? sv->cap * 2 : 8;
		char **v = realloc(sv->v, ncap * sizeof(*v));
		if (!v) {
			free(s);
			return sb_error_set(SB_ENOMEM, "out of memory");
		}
		sv->v = v;
		sv->cap = ncap;
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
	return 0;
}

int sb_strv_push(struct sb_strv *sv, const char *s)
{
	return sb_strv_push_owned(sv, strdup(s));
}

bool sb_strv_contains(const struct sb_strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return true;
	return false;
}

void sb_strv_release(struct sb_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}
