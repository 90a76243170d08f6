/* siteboot: RLP (Recursive Length Prefix), Ethereum's serialisation, as
 * defined in the Ethereum yellow paper, appendix B.
 *
 * Encoding appends to an sb_buf. A list is encoded by building its
 * payload (the concatenated encodings of its items) in a buffer of its
 * own and wrapping it with sb_rlp_list().
 *
 * Decoding is strict: it refuses anything but the one canonical encoding
 * (a single byte below 0x80 wrapped as a string, lengths with leading
 * zeros, a long form for a short length), and lengths beyond the input. */
#ifndef SB_COMMON_RLP_H
#define SB_COMMON_RLP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/str.h"

/* Append the encoding of the byte string p[0..n). */
int sb_rlp_bytes(struct sb_buf *out, const void *p, size_t n);
/* Append the encoding of a non-negative integer (big-endian, no leading
 * zero bytes; 0 is the empty string 0x80). */
int sb_rlp_uint(struct sb_buf *out, uint64_t v);
/* Append a list whose payload (already-encoded items) is p[0..n). */
int sb_rlp_list(struct sb_buf *out, const void *payload, size_t n);

/* One decoded item: a string or a list, and where its payload lies. */
struct sb_rlp_item {
	bool is_list;
	const unsigned char *payload;
	size_t len;		/* payload length */
	size_t total;		/* header + payload */
};

/* Decode the item at the start of p[0..n). Returns 0 or SB_EINPUT with a
 * message giving the offset. Items after it are left alone. */
int sb_rlp_item(struct sb_rlp_item *it, const void *p, size_t n);
/* Decode p[0..n) as exactly one item (nothing may follow it). */
int sb_rlp_decode(struct sb_rlp_item *it, const void *p, size_t n);
/* Walk a list's items: start with *off = 0; returns 1 with the next item,
 * 0 at the end, or SB_EINPUT. */
int sb_rlp_list_next(const struct sb_rlp_item *list, size_t *off,
		     struct sb_rlp_item *it);

/* Nesting depth cap for any recursive walk of untrusted RLP. */
#define SB_RLP_MAX_DEPTH 64

/* Check that every item of p[0..n), recursively, is canonical, with
 * lists nested at most SB_RLP_MAX_DEPTH deep. */
int sb_rlp_validate(const void *p, size_t n);

#endif
