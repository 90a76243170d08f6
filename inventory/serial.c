/* Serial numbers and durable identifiers: normalisation and placeholders.
 *
 * Sources disagree on the form of the same serial (FRU fields padded with
 * spaces, NULs or 0xFF; Redfish in another case; "0x" on DIMM serials from
 * some BMCs), and firmware fills absent serials with the same strings on
 * every machine. A placeholder is never an identity: two boards with
 * "Default string" are two boards. */
#include "inventory/inventory.h"

#include "common/error.h"
#include "common/str.h"

#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static const char *const builtin_placeholders[] = {
	"To be filled by O.E.M.", "Default string", "0123456789", "123456789",
	"1234567890", "System Serial Number", "Chassis Serial Number",
	"Base Board Serial Number", "Not Specified", "Not Available",
	"Not Applicable", "N/A", "NA", "None", "Null", "Unknown", "Empty",
	"Serial", "SerialNumber", "S/N", "SN", "OEM", "Default", "Invalid",
	"XXXXXXXXXX", "No Serial", NULL
};

static pthread_mutex_t ph_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sb_strv ph_extra;
/* whether ph_extra has any: most runs add none, and the lock is then
 * not taken for each of the 100,000 serials of a core site */
static atomic_bool ph_any;

/* The C locale's classes, spelt out: siteboot never sets a locale, and a
 * core site normalises 100,000 serials (the <ctype.h> calls cost more
 * than the rest of the work). */
static bool c_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool pad_char(unsigned char c)
{
	return c_space(c) || c == 0 || c == 0xff || c == '.' || c == '_' ||
	       c == '-' || c == '*' || c == '#';
}

static bool c_xdigit(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

/* Trim padding, drop control characters and inner white space,
 * upper-case. Returns the length written. */
static size_t squeeze(char *out, size_t size, const char *raw)
{
	size_t n = raw ? strlen(raw) : 0, a = 0, b, k = 0;

	if (size == 0)
		return 0;
	b = n;
	while (a < b && pad_char((unsigned char)raw[a]))
		a++;
	while (b > a && pad_char((unsigned char)raw[b - 1]))
		b--;
	for (size_t i = a; i < b && k + 1 < size; i++) {
		unsigned char c = (unsigned char)raw[i];
		if (c <= ' ' || c == 0x7f)	/* controls and white space */
			continue;
		out[k++] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
	}
	out[k] = '\0';
	/* "0x1A2B3C4D" and "1A2B3C4D" are the same DIMM serial */
	if (k > 4 && out[0] == '0' && out[1] == 'X') {
		bool hex = true;
		for (size_t i = 2; i < k; i++)
			hex = hex && c_xdigit((unsigned char)out[i]);
		if (hex) {
			memmove(out, out + 2, k - 1);
			k -= 2;
		}
	}
	return k;
}

static bool one_char_repeated(const char *s)
{
	for (size_t i = 1; s[i]; i++)
		if (s[i] != s[0])
			return false;
	return true;
}

/* The built-in placeholders in normalised form, made once. */
static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;
static struct sb_strv builtin;

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void builtin_init(void)
{
	char buf[SB_HW_FIELD_MAX + 1];

	for (size_t i = 0; builtin_placeholders[i]; i++) {
		squeeze(buf, sizeof(buf), builtin_placeholders[i]);
		if (sb_strv_push(&builtin, buf))
			break;	/* out of memory: fewer placeholders known */
	}
	/* sorted: looked up by binary search */
	qsort(builtin.v, builtin.n, sizeof(*builtin.v), cmp_strp);
}

static bool placeholder_norm(const char *norm)
{
	bool found = false;

	if (!*norm)
		return true;
	/* all zeros, all F (erased EEPROM), all X, all blanks */
	if (one_char_repeated(norm) &&
	    (norm[0] == '0' || norm[0] == 'F' || norm[0] == 'X' || norm[0] == '9' ||
	     norm[0] == '1' || norm[0] == '?'))
		return true;
	pthread_once(&builtin_once, builtin_init);
	if (bsearch(&norm, builtin.v, builtin.n, sizeof(*builtin.v), cmp_strp))
		return true;
	if (!atomic_load_explicit(&ph_any, memory_order_acquire))
		return false;
	pthread_mutex_lock(&ph_lock);
	for (size_t i = 0; i < ph_extra.n && !found; i++)
		found = strcmp(ph_extra.v[i], norm) == 0;
	pthread_mutex_unlock(&ph_lock);
	return found;
}

int sb_inv_placeholder_add(const char *serial)
{
	char buf[SB_HW_FIELD_MAX + 1];
	int rc = 0;

	if (!squeeze(buf, sizeof(buf), serial))
		return sb_error_set(SB_EINPUT, "an empty placeholder serial");
	pthread_mutex_lock(&ph_lock);
	if (!sb_strv_contains(&ph_extra, buf))
		rc = sb_strv_push(&ph_extra, buf);
	if (ph_extra.n)
		atomic_store_explicit(&ph_any, true, memory_order_release);
	pthread_mutex_unlock(&ph_lock);
	return rc;
}

bool sb_inv_serial_is_placeholder(const char *raw)
{
	char buf[SB_HW_FIELD_MAX + 1];

	squeeze(buf, sizeof(buf), raw);
	return placeholder_norm(buf);
}

bool sb_inv_serial_norm(char *out, size_t size, const char *raw)
{
	if (size == 0)
		return false;
	squeeze(out, size, raw);
	if (placeholder_norm(out)) {
		out[0] = '\0';
		return false;
	}
	return true;
}

bool sb_inv_durable_norm(char *out, size_t size, const char *raw)
{
	size_t k = 0, n;
	const char *s = raw;
	bool nonzero = false;

	if (size == 0)
		return false;
	out[0] = '\0';
	if (!s)
		return false;
	while (isspace((unsigned char)*s))
		s++;
	if (strncasecmp(s, "naa.", 4) == 0 || strncasecmp(s, "eui.", 4) == 0)
		s += 4;
	else if (strncasecmp(s, "wwn-", 4) == 0)
		s += 4;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	n = strlen(s);
	for (size_t i = 0; i < n && k + 1 < size; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ':' || c == '-' || c == '.' || isspace(c))
			continue;
		if (c < 0x20 || c == 0x7f)
			continue;
		if (c != '0')
			nonzero = true;
		out[k++] = (char)tolower(c);
	}
	out[k] = '\0';
	if (!k || !nonzero || (one_char_repeated(out) && out[0] == 'f')) {
		out[0] = '\0';
		return false;
	}
	return true;
}
