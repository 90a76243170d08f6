/* SHA-256 of many short messages at once.
 *
 * `inventory verify` hashes about ten 64-byte blocks per event, each
 * message only one to four blocks long. A single SHA-256 stream is bound
 * by the latency of the SHA-NI round instruction, not by its throughput:
 * the CPU can run rounds of several independent messages side by side.
 * So this file keeps four messages in flight, one block of each per step,
 * and refills a lane as soon as its message is done.
 *
 * Where the CPU has AVX-512, sixteen messages of the same length in
 * blocks go through the plain integer rounds side by side, one message
 * per 32-bit lane of the vector registers: on the machines measured here
 * a block costs about 17 ns that way against 23-25 ns through SHA-NI (its
 * unit is the limit, and the two do not overlap). Messages left over, fewer
 * than sixteen of a length, take the SHA-NI lanes.
 *
 * Where the CPU has neither (or is not x86), every message goes through
 * libcrypto; the unit tests compare every path with libcrypto. */
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
/* ---- sixteen messages at once on AVX-512 ------------------------------ */

#define AVX512 __attribute__((target("avx512f,avx512bw,avx512vl")))
#define GROUP 16
#define GROUP_BLOCKS 8		/* longer messages take the SHA-NI lanes */
#define SLICE 256		/* messages sorted by length at a time */

/* A 16x16 matrix of 32-bit words, rows in r[0..16), transposed in place:
 * row i (lane i's block) becomes column i (word t of every lane in r[t]). */
AVX512 static void transpose16(__m512i r[16])
{
	__m512i t[16];

	for (int i = 0; i < 16; i += 2) {
		t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
		t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
	}
	for (int i = 0; i < 16; i += 4) {
		r[i] = _mm512_unpacklo_epi64(t[i], t[i + 2]);
		r[i + 1] = _mm512_unpackhi_epi64(t[i], t[i + 2]);
		r[i + 2] = _mm512_unpacklo_epi64(t[i + 1], t[i + 3]);
		r[i + 3] = _mm512_unpackhi_epi64(t[i + 1], t[i + 3]);
	}
	for (int i = 0; i < 16; i += 8)
		for (int j = 0; j < 4; j++) {
			t[i + j] = _mm512_shuffle_i32x4(r[i + j], r[i + 4 + j], 0x88);
			t[i + 4 + j] = _mm512_shuffle_i32x4(r[i + j], r[i + 4 + j], 0xdd);
		}
	for (int j = 0; j < 8; j++) {
		r[j] = _mm512_shuffle_i32x4(t[j], t[8 + j], 0x88);
		r[8 + j] = _mm512_shuffle_i32x4(t[j], t[8 + j], 0xdd);
	}
}

#define ROR(x, n) _mm512_ror_epi32(x, n)
#define XOR3(a, b, c) _mm512_ternarylogic_epi32(a, b, c, 0x96)
#define CH(e, f, g) _mm512_ternarylogic_epi32(e, f, g, 0xca)
#define MAJ(a, b, c) _mm512_ternarylogic_epi32(a, b, c, 0xe8)

/* One block of each of sixteen messages: s[k] holds word k of the state
 * of all sixteen, p[i] is lane i's 64 bytes. FIPS 180-4's rounds as they
 * are written, sixteen wide. */
AVX512 static void compress16(__m512i s[8], const unsigned char *const p[GROUP])
{
	const __m512i bswap = _mm512_set4_epi32(0x0c0d0e0f, 0x08090a0b,
						0x04050607, 0x00010203);
	__m512i w[16], a = s[0], b = s[1], c = s[2], d = s[3], e = s[4],
		f = s[5], g = s[6], h = s[7];

	for (int i = 0; i < 16; i++)
		w[i] = _mm512_loadu_si512((const void *)p[i]);
	transpose16(w);
	for (int i = 0; i < 16; i++)
		w[i] = _mm512_shuffle_epi8(w[i], bswap);
#pragma GCC unroll 64
	for (int t = 0; t < 64; t++) {
		__m512i wt, t1, t2;

		if (t < 16) {
			wt = w[t];
		} else {
			/* W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16] */
			__m512i w2 = w[(t - 2) & 15], w15 = w[(t - 15) & 15];
			__m512i s1 = XOR3(ROR(w2, 17), ROR(w2, 19), _mm512_srli_epi32(w2, 10));
			__m512i s0 = XOR3(ROR(w15, 7), ROR(w15, 18), _mm512_srli_epi32(w15, 3));
			wt = _mm512_add_epi32(_mm512_add_epi32(s1, w[(t - 7) & 15]),
					      _mm512_add_epi32(s0, w[t & 15]));
			w[t & 15] = wt;
		}
		t1 = _mm512_add_epi32(h, XOR3(ROR(e, 6), ROR(e, 11), ROR(e, 25)));
		t1 = _mm512_add_epi32(t1, CH(e, f, g));
		t1 = _mm512_add_epi32(t1, _mm512_add_epi32(wt, _mm512_set1_epi32((int)K256[t])));
		t2 = _mm512_add_epi32(XOR3(ROR(a, 2), ROR(a, 13), ROR(a, 22)), MAJ(a, b, c));
		h = g;
		g = f;
		f = e;
		e = _mm512_add_epi32(d, t1);
		d = c;
		c = b;
		b = a;
		a = _mm512_add_epi32(t1, t2);
	}
	s[0] = _mm512_add_epi32(s[0], a);
	s[1] = _mm512_add_epi32(s[1], b);
	s[2] = _mm512_add_epi32(s[2], c);
	s[3] = _mm512_add_epi32(s[3], d);
	s[4] = _mm512_add_epi32(s[4], e);
	s[5] = _mm512_add_epi32(s[5], f);
	s[6] = _mm512_add_epi32(s[6], g);
	s[7] = _mm512_add_epi32(s[7], h);
}

static size_t nblocks(size_t len)
{
	return (len + 8) / 64 + 1;	/* the message, 0x80 and the length */
}

/* The padded tail of a message (its last rest = len % 64 bytes, 0x80,
 * zeros, the length in bits) as the one or two blocks t[0], t[1], built
 * in registers and stored whole: the rounds load them as whole blocks,
 * and a load that spans several smaller stores would wait for them. */
AVX512 static void tail16(__m512i t[2], const unsigned char *msg, size_t len)
{
	size_t rest = len % 64;
	__m512i x = _mm512_maskz_loadu_epi8(rest ? ~0ULL >> (64 - rest) : 0,
					    msg + len - rest);
	long long bits = (long long)__builtin_bswap64((uint64_t)len * 8);

	x = _mm512_mask_set1_epi8(x, 1ULL << rest, (char)0x80);
	if (rest < 56) {
		t[0] = _mm512_mask_set1_epi64(x, 0x80, bits);
	} else {
		t[0] = x;
		t[1] = _mm512_mask_set1_epi64(_mm512_setzero_si512(), 0x80, bits);
	}
}

/* Sixteen messages of nb blocks each: msg[idx[i]] into out[idx[i]]. */
AVX512 static void group16(unsigned char (*out)[32],
			   const unsigned char *const *msg, const size_t *len,
			   const uint16_t *idx, size_t nb)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};
	const __m512i bswap = _mm512_set4_epi32(0x0c0d0e0f, 0x08090a0b,
						0x04050607, 0x00010203);
	__m512i tail[GROUP][2], s[16];
	const unsigned char *p[GROUP];
	size_t whole[GROUP];

	for (int i = 0; i < GROUP; i++) {
		whole[i] = len[idx[i]] / 64;
		tail16(tail[i], msg[idx[i]], len[idx[i]]);
	}
	for (int k = 0; k < 8; k++)
		s[k] = _mm512_set1_epi32((int)iv[k]);
	for (size_t j = 0; j < nb; j++) {
		for (int i = 0; i < GROUP; i++)
			p[i] = j < whole[i] ? msg[idx[i]] + 64 * j :
					      (const unsigned char *)&tail[i][j - whole[i]];
		compress16(s, p);
	}
	/* back to one digest per lane: s[i] holds lane i's words 0..7 in its
	 * low half after the transpose */
	for (int k = 8; k < 16; k++)
		s[k] = _mm512_setzero_si512();
	transpose16(s);
	for (int i = 0; i < GROUP; i++)
		_mm256_storeu_si256((__m256i *)(void *)out[idx[i]],
				    _mm512_castsi512_si256(_mm512_shuffle_epi8(s[i], bswap)));
}

/* Up to SLICE messages: sorted by length in blocks, sixteen of a length
 * at a time; what is left (and anything longer than GROUP_BLOCKS) goes
 * through the SHA-NI lanes or libcrypto. */
static void slice_avx512(unsigned char (*out)[32],
			 const unsigned char *const *msg, const size_t *len,
			 size_t n, bool shani)
{
	uint16_t by[GROUP_BLOCKS + 1][SLICE], rest[SLICE];
	size_t cnt[GROUP_BLOCKS + 1] = { 0 }, nrest = 0;

	for (size_t i = 0; i < n; i++) {
		size_t nb = nblocks(len[i]);
		if (nb <= GROUP_BLOCKS)
			by[nb][cnt[nb]++] = (uint16_t)i;
		else
			rest[nrest++] = (uint16_t)i;
	}
	for (size_t nb = 1; nb <= GROUP_BLOCKS; nb++) {
		size_t k = 0;
		for (; k + GROUP <= cnt[nb]; k += GROUP)
			group16(out, msg, len, by[nb] + k, nb);
		for (; k < cnt[nb]; k++)
			rest[nrest++] = by[nb][k];
	}
	if (nrest > 1 && shani) {
		const unsigned char *m[SLICE];
		size_t l[SLICE];
		unsigned char o[SLICE][32];

		for (size_t i = 0; i < nrest; i++) {
			m[i] = msg[rest[i]];
			l[i] = len[rest[i]];
		}
		many_shani(o, m, l, nrest);
		for (size_t i = 0; i < nrest; i++)
			memcpy(out[rest[i]], o[i], 32);
	} else {
		for (size_t i = 0; i < nrest; i++)
			sb_sha256(out[rest[i]], msg[rest[i]], len[rest[i]]);
	}
}

static void many_avx512(unsigned char (*out)[32],
			const unsigned char *const *msg, const size_t *len,
			size_t n, bool shani)
{
	for (size_t i = 0; i < n; i += SLICE)
		slice_avx512(out + i, msg + i, len + i, n - i < SLICE ? n - i : SLICE,
			     shani);
}

static int have_avx512(void)
{
	static int known = -1;
	int yes;

	if ((yes = __atomic_load_n(&known, __ATOMIC_RELAXED)) >= 0)
		return yes;
	/* checks that the OS saves the registers too */
	__builtin_cpu_init();
	yes = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
	      __builtin_cpu_supports("avx512vl");
	__atomic_store_n(&known, yes, __ATOMIC_RELAXED);
	return yes;
}

#endif

static unsigned lanes_max = SB_SHA256_AVX512;

void sb_sha256_lanes_max(unsigned level)
{
	lanes_max = level;
}

void sb_sha256_lanes_disable(bool off)
{
	lanes_max = off ? SB_SHA256_ONE : SB_SHA256_AVX512;
}

unsigned sb_sha256_lanes_best(void)
{
#ifdef SB_HAVE_SHANI
	if (have_avx512())
		return SB_SHA256_AVX512;
	if (have_shani())
		return SB_SHA256_SHANI;
#endif
	return SB_SHA256_ONE;
}

void sb_sha256_many(unsigned char (*out)[32], const unsigned char *const *msg,
		    const size_t *len, size_t n)
{
#ifdef SB_HAVE_SHANI
	bool shani = lanes_max >= SB_SHA256_SHANI && have_shani();

	if (n >= GROUP && lanes_max >= SB_SHA256_AVX512 && have_avx512()) {
		many_avx512(out, msg, len, n, shani);
		return;
	}
	if (n > 1 && shani) {
		many_shani(out, msg, len, n);
		return;
	}
#endif
	for (size_t i = 0; i < n; i++)
		sb_sha256(out[i], msg[i], len[i]);
}
