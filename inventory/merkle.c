/* SHA-256 and the RFC 6962 / RFC 9162 Merkle tree: root, inclusion and
 * consistency proofs, and their verification.
 *
 * SHA-256 goes through libcrypto's SHA256_* functions rather than EVP:
 * verify hashes about four short messages per event, and EVP's per-call
 * dispatch costs more than the hashing itself at that size. The functions
 * are deprecated in OpenSSL 3 but present, and use SHA-NI where the CPU
 * has it (docs/decisions.md). */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include "inventory/inventory.h"

#include "common/error.h"
#include "common/str.h"

#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

void sb_sha256(unsigned char out[32], const void *data, size_t len)
{
	SHA256_CTX c;

	SHA256_Init(&c);
	SHA256_Update(&c, data, len);
	SHA256_Final(out, &c);
}

void sb_sha256_hex(char out[65], const void *data, size_t len)
{
	unsigned char h[32];

	sb_sha256(h, data, len);
	sb_hex(out, h, 32);
}

void sb_merkle_leaf(unsigned char out[32], const void *data, size_t len)
{
	static const unsigned char zero = 0x00;
	SHA256_CTX c;

	SHA256_Init(&c);
	SHA256_Update(&c, &zero, 1);
	SHA256_Update(&c, data, len);
	SHA256_Final(out, &c);
}

void sb_merkle_node(unsigned char out[32], const unsigned char l[32],
		    const unsigned char r[32])
{
	unsigned char buf[65];

	buf[0] = 0x01;
	memcpy(buf + 1, l, 32);
	memcpy(buf + 33, r, 32);
	sb_sha256(out, buf, sizeof(buf));
}

/* The largest power of two smaller than n (n >= 2). */
static size_t split(size_t n)
{
	size_t k = 1;

	while (k << 1 < n)
		k <<= 1;
	return k;
}

void sb_merkle_root(unsigned char out[32], const unsigned char (*leaves)[32],
		    size_t n)
{
	struct sb_merkle_acc a;

	sb_merkle_acc_init(&a);
	for (size_t i = 0; i < n; i++)
		sb_merkle_acc_push(&a, leaves[i]);
	sb_merkle_acc_root(&a, out);
}

/* The stack holds the roots of the perfect subtrees that make up the
 * first n leaves, one per set bit of n, largest first. */
void sb_merkle_acc_init(struct sb_merkle_acc *a)
{
	a->n = 0;
}

void sb_merkle_acc_push_subtree(struct sb_merkle_acc *a,
				const unsigned char root[32], unsigned height)
{
	unsigned depth = (unsigned)__builtin_popcountll(a->n);
	unsigned char h[32];

	memcpy(h, root, 32);
	/* merge while the lowest subtree has the same size as the new one
	 * (a->n's low `height` bits are zero) */
	for (uint64_t n = a->n >> height; n & 1; n >>= 1) {
		depth--;
		sb_merkle_node(h, a->stack[depth], h);
	}
	memcpy(a->stack[depth], h, 32);
	a->n += (uint64_t)1 << height;
}

void sb_merkle_acc_push(struct sb_merkle_acc *a, const unsigned char leaf[32])
{
	sb_merkle_acc_push_subtree(a, leaf, 0);
}

void sb_merkle_acc_append(struct sb_merkle_acc *a, const struct sb_merkle_acc *b)
{
	int i = 0;

	/* b's subtrees, largest first, one per set bit of b->n */
	for (int bit = 63; bit >= 0; bit--)
		if (b->n >> bit & 1)
			sb_merkle_acc_push_subtree(a, b->stack[i++], (unsigned)bit);
}

void sb_merkle_acc_root(const struct sb_merkle_acc *a, unsigned char out[32])
{
	int depth = __builtin_popcountll(a->n);

	if (depth == 0) {
		sb_sha256(out, "", 0);
		return;
	}
	/* fold the subtrees from the smallest (right) to the largest */
	memcpy(out, a->stack[depth - 1], 32);
	for (int i = depth - 2; i >= 0; i--)
		sb_merkle_node(out, a->stack[i], out);
}

struct path {
	unsigned char (*h)[32];
	size_t n, cap;
};

static int path_push(struct path *p, const unsigned char h[32])
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		void *nh = realloc(p->h, cap * 32);
		if (!nh)
			return sb_error_set(SB_ENOMEM, "out of memory");
		p->h = nh;
		p->cap = cap;
	}
	memcpy(p->h[p->n++], h, 32);
	return 0;
}

/* RFC 9162 2.1.3.1: PATH(m, D[lo:lo+n]) */
static int incl_path(struct path *p, const unsigned char (*d)[32], size_t n,
		     size_t m)
{
	unsigned char h[32];
	size_t k;
	int rc;

	if (n <= 1)
		return 0;
	k = split(n);
	if (m < k) {
		if ((rc = incl_path(p, d, k, m)))
			return rc;
		sb_merkle_root(h, d + k, n - k);
	} else {
		if ((rc = incl_path(p, d + k, n - k, m - k)))
			return rc;
		sb_merkle_root(h, d, k);
	}
	return path_push(p, h);
}

int sb_merkle_inclusion(unsigned char (**out)[32], size_t *len,
			const unsigned char (*leaves)[32], size_t n, size_t m)
{
	struct path p = { 0 };
	int rc;

	*out = NULL;
	*len = 0;
	if (m >= n)
		return sb_error_set(SB_EINPUT, "leaf %zu is not in a tree of %zu",
				    m, n);
	if ((rc = incl_path(&p, leaves, n, m))) {
		free(p.h);
		return rc;
	}
	*out = p.h;
	*len = p.n;
	return 0;
}

/* RFC 9162 2.1.4.1: SUBPROOF(m, D[n], b) */
static int subproof(struct path *p, const unsigned char (*d)[32], size_t n,
		    size_t m, bool b)
{
	unsigned char h[32];
	size_t k;
	int rc;

	if (m == n) {
		if (b)
			return 0;
		sb_merkle_root(h, d, n);
		return path_push(p, h);
	}
	k = split(n);
	if (m <= k) {
		if ((rc = subproof(p, d, k, m, b)))
			return rc;
		sb_merkle_root(h, d + k, n - k);
	} else {
		if ((rc = subproof(p, d + k, n - k, m - k, false)))
			return rc;
		sb_merkle_root(h, d, k);
	}
	return path_push(p, h);
}

int sb_merkle_consistency(unsigned char (**out)[32], size_t *len,
			  const unsigned char (*leaves)[32], size_t n,
			  size_t m)
{
	struct path p = { 0 };
	int rc;

	*out = NULL;
	*len = 0;
	if (m > n)
		return sb_error_set(SB_EINPUT, "a tree of %zu cannot extend one "
				    "of %zu", n, m);
	if (m == 0 || m == n)
		return 0;
	if ((rc = subproof(&p, leaves, n, m, true))) {
		free(p.h);
		return rc;
	}
	*out = p.h;
	*len = p.n;
	return 0;
}

/* RFC 9162 2.1.3.2 */
bool sb_merkle_inclusion_check(const unsigned char leaf[32], size_t m,
			       size_t n, const unsigned char (*proof)[32],
			       size_t len, const unsigned char root[32])
{
	unsigned char r[32];
	uint64_t fn = m, sn;

	if (m >= n)
		return false;
	sn = n - 1;
	memcpy(r, leaf, 32);
	for (size_t i = 0; i < len; i++) {
		if (sn == 0)
			return false;
		if ((fn & 1) || fn == sn) {
			sb_merkle_node(r, proof[i], r);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			sb_merkle_node(r, r, proof[i]);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && memcmp(r, root, 32) == 0;
}

/* RFC 9162 2.1.4.2 */
bool sb_merkle_consistency_check(size_t m, size_t n,
				 const unsigned char oldroot[32],
				 const unsigned char newroot[32],
				 const unsigned char (*proof)[32], size_t len)
{
	unsigned char fr[32], sr[32];
	const unsigned char *first;
	uint64_t fn, sn;
	size_t i = 0;

	if (m > n)
		return false;
	if (m == n)
		return len == 0 && memcmp(oldroot, newroot, 32) == 0;
	if (m == 0)
		return len == 0;	/* the empty tree is in every tree */
	if (len == 0)
		return false;
	/* when m is a power of two, the old root is the proof's first node */
	if ((m & (m - 1)) == 0) {
		first = oldroot;
	} else {
		first = proof[0];
		i = 1;
	}
	fn = m - 1;
	sn = n - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	memcpy(fr, first, 32);
	memcpy(sr, first, 32);
	for (; i < len; i++) {
		if (sn == 0)
			return false;
		if ((fn & 1) || fn == sn) {
			sb_merkle_node(fr, proof[i], fr);
			sb_merkle_node(sr, proof[i], sr);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			sb_merkle_node(sr, sr, proof[i]);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && memcmp(fr, oldroot, 32) == 0 &&
	       memcmp(sr, newroot, 32) == 0;
}
