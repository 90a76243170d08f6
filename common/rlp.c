/* RLP encoding and strict decoding (yellow paper, appendix B).
 *
 * Short forms: a single byte below 0x80 is itself; a string of 0-55 bytes
 * is 0x80+len then the bytes; a list with a 0-55 byte payload is 0xc0+len.
 * Long forms put the big-endian length (1-8 bytes) after 0xb7+lenlen
 * (strings) or 0xf7+lenlen (lists). */
#include "common/rlp.h"
#include "common/error.h"

#include <string.h>

static int put_header(struct sb_buf *out, unsigned char short_base,
		      unsigned char long_base, size_t len)
{
	unsigned char h[9];
	size_t nl = 0;

	if (len <= 55) {
		h[0] = (unsigned char)(short_base + len);
		return sb_buf_append(out, h, 1);
	}
	for (size_t v = len; v; v >>= 8)
		nl++;
	h[0] = (unsigned char)(long_base + nl);
	for (size_t i = 0; i < nl; i++)
		h[nl - i] = (unsigned char)(len >> (8 * i));
	return sb_buf_append(out, h, nl + 1);
}

int sb_rlp_bytes(struct sb_buf *out, const void *p, size_t n)
{
	int rc;

	if (n == 1 && ((const unsigned char *)p)[0] < 0x80)
		return sb_buf_append(out, p, 1);
	rc = put_header(out, 0x80, 0xb7, n);
	if (rc == 0 && n)
		rc = sb_buf_append(out, p, n);
	return rc;
}

int sb_rlp_uint(struct sb_buf *out, uint64_t v)
{
	unsigned char b[8];
	size_t n = 0;

	for (uint64_t x = v; x; x >>= 8)
		n++;
	for (size_t i = 0; i < n; i++)
		b[n - 1 - i] = (unsigned char)(v >> (8 * i));
	return sb_rlp_bytes(out, b, n);
}

int sb_rlp_list(struct sb_buf *out, const void *payload, size_t n)
{
	int rc = put_header(out, 0xc0, 0xf7, n);

	if (rc == 0 && n)
		rc = sb_buf_append(out, payload, n);
	return rc;
}

int sb_rlp_item(struct sb_rlp_item *it, const void *data, size_t n)
{
	const unsigned char *p = data;
	unsigned char b;
	size_t hl, len = 0;

	memset(it, 0, sizeof(*it));
	if (n == 0)
		return sb_error_set(SB_EINPUT, "rlp: an item was expected, the input ended");
	b = p[0];
	if (b < 0x80) {
		it->payload = p;
		it->len = 1;
		it->total = 1;
		return 0;
	}
	it->is_list = b >= 0xc0;
	unsigned char base = it->is_list ? 0xc0 : 0x80;
	if (b - base <= 55) {
		hl = 1;
		len = (size_t)(b - base);
	} else {
		size_t nl = (size_t)(b - base - 55);
		if (nl > sizeof(size_t) || nl > 8)
			return sb_error_set(SB_EINPUT, "rlp: length of %zu bytes is too long", nl);
		if (n < 1 + nl)
			return sb_error_set(SB_EINPUT, "rlp: length field is cut short");
		if (p[1] == 0)
			return sb_error_set(SB_EINPUT, "rlp: length with a leading zero byte (not canonical)");
		for (size_t i = 0; i < nl; i++)
			len = (len << 8) | p[1 + i];
		if (len <= 55)
			return sb_error_set(SB_EINPUT, "rlp: long form for a length of %zu (not canonical)", len);
		hl = 1 + nl;
	}
	if (len > n - hl)
		return sb_error_set(SB_EINPUT, "rlp: item of %zu bytes runs past the end of the input (%zu left)",
				    len, n - hl);
	if (!it->is_list && len == 1 && p[hl] < 0x80)
		return sb_error_set(SB_EINPUT, "rlp: byte 0x%02x wrapped as a string (not canonical)", p[hl]);
	it->payload = p + hl;
	it->len = len;
	it->total = hl + len;
	return 0;
}

int sb_rlp_decode(struct sb_rlp_item *it, const void *p, size_t n)
{
	int rc = sb_rlp_item(it, p, n);

	if (rc == 0 && it->total != n)
		rc = sb_error_set(SB_EINPUT, "rlp: %zu bytes after the item", n - it->total);
	return rc;
}

int sb_rlp_list_next(const struct sb_rlp_item *list, size_t *off,
		     struct sb_rlp_item *it)
{
	int rc;

	if (!list->is_list)
		return sb_error_set(SB_EINPUT, "rlp: a list was expected, found a string");
	if (*off >= list->len)
		return 0;
	rc = sb_rlp_item(it, list->payload + *off, list->len - *off);
	if (rc)
		return rc;
	*off += it->total;
	return 1;
}

static int validate(const unsigned char *p, size_t n, int depth)
{
	struct sb_rlp_item it;
	size_t off = 0;
	int rc;

	if (depth > SB_RLP_MAX_DEPTH)
		return sb_error_set(SB_EINPUT, "rlp: lists nested deeper than %d", SB_RLP_MAX_DEPTH);
	while (off < n) {
		rc = sb_rlp_item(&it, p + off, n - off);
		if (rc)
			return sb_error_prefix("at offset %zu: ", off);
		if (it.is_list) {
			rc = validate(it.payload, it.len, depth + 1);
			if (rc)
				return rc;
		}
		off += it.total;
	}
	return 0;
}

int sb_rlp_validate(const void *p, size_t n)
{
	return validate(p, n, 0);
}
