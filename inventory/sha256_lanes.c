/* SHA-256 of many short messages at once.
 *
 * `inventory verify` hashes about ten 64-byte blocks per event, each
 * message only one to four blocks long. A single SHA-256 stream is bound
 * by the latency of the SHA-NI round instruction, not by its throughput:
 * the CPU can run rounds of several independent messages side by side.
 * So this file keeps four messages in flight, one block of each per step,
 * and refills a lane as soon as its message is done. Where the CPU has no
 * SHA-NI (or is not x86), every message goes through libcrypto instead;
 * the unit tests compare both with libcrypto. */
#include "inventory/inventory.h"

#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SB_HAVE_SHANI 1
#include <cpuid.h>
#include <immintrin.h>
#endif

#ifdef SB_HAVE_SHANI

#define LANES 4
#define SHANI __attribute__((target("sha,sse4.1,ssse3")))

static const uint32_t K256[64] __attribute__((aligned(16))) = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* The initial state H0..H7, already in the lane layout the round
 * instruction wants: {F, E, B, A} and {H, G, D, C} from low to high. */
#define IV_ABEF 0x6a09e667u, 0xbb67ae85u, 0x510e527fu, 0x9b05688cu
#define IV_CDGH 0x3c6ef372u, 0xa54ff53au, 0x1f83d9abu, 0x5be0cd19u

struct lane {
	const unsigned char *data;	/* the message's whole blocks */
	size_t blocks, next;		/* whole blocks, the next one to do */
	size_t ntail;			/* 1 or 2 blocks of tail + padding */
	size_t msg;			/* which message */
	unsigned char tail[128];
};

/* One block of each of the four lanes: s[2l], s[2l+1] are lane l's state
 * halves, p[l] its 64 bytes. The message schedule and the rounds of the
 * four lanes interleave, so the round instructions of one lane fill the
 * latency of another's. */
SHANI static void blocks4(__m128i s[2 * LANES],
			  const unsigned char *const p[LANES])
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL,
					     0x0405060700010203LL);
	__m128i w[LANES][4], a[LANES], b[LANES], m[LANES];

	for (int l = 0; l < LANES; l++) {
		a[l] = s[2 * l];
		b[l] = s[2 * l + 1];
	}
#pragma GCC unroll 16
	for (int g = 0; g < 16; g++) {
		__m128i k = _mm_load_si128((const __m128i *)(const void *)(K256 + 4 * g));
#pragma GCC unroll 4
		for (int l = 0; l < LANES; l++) {
			if (g < 4) {
				w[l][g] = _mm_shuffle_epi8(_mm_loadu_si128(
					(const __m128i *)(const void *)(p[l] + 16 * g)), bswap);
			} else {
				/* W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16] */
				__m128i x = _mm_sha256msg1_epu32(w[l][g & 3],
								 w[l][(g + 1) & 3]);
				x = _mm_add_epi32(x, _mm_alignr_epi8(w[l][(g + 3) & 3],
								     w[l][(g + 2) & 3], 4));
				w[l][g & 3] = _mm_sha256msg2_epu32(x, w[l][(g + 3) & 3]);
			}
			m[l] = _mm_add_epi32(w[l][g & 3], k);
		}
#pragma GCC unroll 4
		for (int l = 0; l < LANES; l++)
			b[l] = _mm_sha256rnds2_epu32(b[l], a[l], m[l]);
#pragma GCC unroll 4
		for (int l = 0; l < LANES; l++)
			a[l] = _mm_sha256rnds2_epu32(a[l], b[l],
						     _mm_shuffle_epi32(m[l], 0x0e));
	}
	for (int l = 0; l < LANES; l++) {
		s[2 * l] = _mm_add_epi32(s[2 * l], a[l]);
		s[2 * l + 1] = _mm_add_epi32(s[2 * l + 1], b[l]);
	}
}

/* The digest from a lane's state: back to H0..H7, big-endian. */
SHANI static void digest(unsigned char out[32], __m128i abef, __m128i cdgh)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL,
					     0x0405060700010203LL);
	__m128i feba = _mm_shuffle_epi32(abef, 0x1b);
	__m128i dchg = _mm_shuffle_epi32(cdgh, 0xb1);
	__m128i dcba = _mm_blend_epi16(feba, dchg, 0xf0);
	__m128i hgfe = _mm_alignr_epi8(dchg, feba, 8);

	_mm_storeu_si128((__m128i *)(void *)out, _mm_shuffle_epi8(dcba, bswap));
	_mm_storeu_si128((__m128i *)(void *)(out + 16), _mm_shuffle_epi8(hgfe, bswap));
}

static void lane_load(struct lane *ln, const unsigned char *msg, size_t len,
		      size_t which)
{
	size_t rest = len % 64;
	uint64_t bits = (uint64_t)len * 8;

	ln->data = msg;
	ln->blocks = len / 64;
	ln->next = 0;
	ln->msg = which;
	ln->ntail = rest < 56 ? 1 : 2;
	if (rest)
		memcpy(ln->tail, msg + len - rest, rest);
	ln->tail[rest] = 0x80;
	memset(ln->tail + rest + 1, 0, ln->ntail * 64 - 8 - rest - 1);
	for (int i = 0; i < 8; i++)
		ln->tail[ln->ntail * 64 - 1 - i] = (unsigned char)(bits >> (8 * i));
}

static const unsigned char *lane_block(const struct lane *ln)
{
	if (ln->next < ln->blocks)
		return ln->data + 64 * ln->next;
	return ln->tail + 64 * (ln->next - ln->blocks);
}

SHANI static void many_shani(unsigned char (*out)[32],
			     const unsigned char *const *msg, const size_t *len,
			     size_t n)
{
	static const unsigned char idle[64];
	struct lane ln[LANES];
	bool busy[LANES];
	__m128i s[2 * LANES];
	const unsigned char *p[LANES];
	size_t fed = 0, active = 0;

	for (int l = 0; l < LANES; l++) {
		busy[l] = fed < n;
		if (busy[l]) {
			lane_load(&ln[l], msg[fed], len[fed], fed);
			s[2 * l] = _mm_set_epi32(IV_ABEF);
			s[2 * l + 1] = _mm_set_epi32(IV_CDGH);
			fed++;
			active++;
		}
	}
	while (active) {
		for (int l = 0; l < LANES; l++)
			p[l] = busy[l] ? lane_block(&ln[l]) : idle;
		blocks4(s, p);
		for (int l = 0; l < LANES; l++) {
			if (!busy[l] || ++ln[l].next < ln[l].blocks + ln[l].ntail)
				continue;
			digest(out[ln[l].msg], s[2 * l], s[2 * l + 1]);
			if (fed < n) {
				lane_load(&ln[l], msg[fed], len[fed], fed);
				s[2 * l] = _mm_set_epi32(IV_ABEF);
				s[2 * l + 1] = _mm_set_epi32(IV_CDGH);
				fed++;
			} else {
				busy[l] = false;
				active--;
			}
		}
	}
}

static int have_shani(void)
{
	static int known = -1;
	unsigned a, b, c, d;
	int yes = 0;

	if ((yes = __atomic_load_n(&known, __ATOMIC_RELAXED)) >= 0)
		return yes;
	yes = 0;
	if (__get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSSE3) && (c & bit_SSE4_1) &&
	    __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_SHA))
		yes = 1;
	/* benign race: every thread computes the same answer */
	__atomic_store_n(&known, yes, __ATOMIC_RELAXED);
	return yes;
}
#endif

static int lanes_forced_off;

void sb_sha256_lanes_disable(bool off)
{
	lanes_forced_off = off;
}

void sb_sha256_many(unsigned char (*out)[32], const unsigned char *const *msg,
		    const size_t *len, size_t n)
{
#ifdef SB_HAVE_SHANI
	if (n > 1 && !lanes_forced_off && have_shani()) {
		many_shani(out, msg, len, n);
		return;
	}
#endif
	for (size_t i = 0; i < n; i++)
		sb_sha256(out[i], msg[i], len[i]);
}
