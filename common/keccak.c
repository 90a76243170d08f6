/* Keccak-256: the Keccak-f[1600] permutation (24 rounds) in a sponge with
 * a rate of 136 bytes and the original multi-rate padding (0x01 ... 0x80).
 * Written from the Keccak reference description; lanes are little-endian
 * 64-bit words, state index x + 5y. */
#include "common/keccak.h"

#include <string.h>

#define RATE 136

static const uint64_t round_constants[24] = {
	0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL,
	0x8000000080008000ULL, 0x000000000000808bULL, 0x0000000080000001ULL,
	0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL,
	0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
	0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
	0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
	0x000000000000800aULL, 0x800000008000000aULL, 0x8000000080008081ULL,
	0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

static inline uint64_t rotl(uint64_t v, unsigned n)
{
	return (v << n) | (v >> ((64 - n) & 63));
}

/* One round per loop turn, written out over 25 named lanes (aXY = lane
 * x, y) so the compiler keeps them in registers: theta, then rho and pi
 * fused into the loads of chi's inputs, then chi and iota. */
static void keccak_f1600(uint64_t st[25])
{
	uint64_t a00 = st[0], a10 = st[1], a20 = st[2], a30 = st[3], a40 = st[4];
	uint64_t a01 = st[5], a11 = st[6], a21 = st[7], a31 = st[8], a41 = st[9];
	uint64_t a02 = st[10], a12 = st[11], a22 = st[12], a32 = st[13], a42 = st[14];
	uint64_t a03 = st[15], a13 = st[16], a23 = st[17], a33 = st[18], a43 = st[19];
	uint64_t a04 = st[20], a14 = st[21], a24 = st[22], a34 = st[23], a44 = st[24];

	for (int r = 0; r < 24; r++) {
		uint64_t c0 = a00 ^ a01 ^ a02 ^ a03 ^ a04;
		uint64_t c1 = a10 ^ a11 ^ a12 ^ a13 ^ a14;
		uint64_t c2 = a20 ^ a21 ^ a22 ^ a23 ^ a24;
		uint64_t c3 = a30 ^ a31 ^ a32 ^ a33 ^ a34;
		uint64_t c4 = a40 ^ a41 ^ a42 ^ a43 ^ a44;
		uint64_t d0 = c4 ^ rotl(c1, 1), d1 = c0 ^ rotl(c2, 1);
		uint64_t d2 = c1 ^ rotl(c3, 1), d3 = c2 ^ rotl(c4, 1);
		uint64_t d4 = c3 ^ rotl(c0, 1);

		/* b[y][2x+3y] = rot(a[x][y] ^ d[x], r[x][y]); named bXY by destination */
		uint64_t b00 = a00 ^ d0;
		uint64_t b10 = rotl(a11 ^ d1, 44);
		uint64_t b20 = rotl(a22 ^ d2, 43);
		uint64_t b30 = rotl(a33 ^ d3, 21);
		uint64_t b40 = rotl(a44 ^ d4, 14);
		uint64_t b01 = rotl(a30 ^ d3, 28);
		uint64_t b11 = rotl(a41 ^ d4, 20);
		uint64_t b21 = rotl(a02 ^ d0, 3);
		uint64_t b31 = rotl(a13 ^ d1, 45);
		uint64_t b41 = rotl(a24 ^ d2, 61);
		uint64_t b02 = rotl(a10 ^ d1, 1);
		uint64_t b12 = rotl(a21 ^ d2, 6);
		uint64_t b22 = rotl(a32 ^ d3, 25);
		uint64_t b32 = rotl(a43 ^ d4, 8);
		uint64_t b42 = rotl(a04 ^ d0, 18);
		uint64_t b03 = rotl(a40 ^ d4, 27);
		uint64_t b13 = rotl(a01 ^ d0, 36);
		uint64_t b23 = rotl(a12 ^ d1, 10);
		uint64_t b33 = rotl(a23 ^ d2, 15);
		uint64_t b43 = rotl(a34 ^ d3, 56);
		uint64_t b04 = rotl(a20 ^ d2, 62);
		uint64_t b14 = rotl(a31 ^ d3, 55);
		uint64_t b24 = rotl(a42 ^ d4, 39);
		uint64_t b34 = rotl(a03 ^ d0, 41);
		uint64_t b44 = rotl(a14 ^ d1, 2);

		a00 = b00 ^ (~b10 & b20) ^ round_constants[r];
		a10 = b10 ^ (~b20 & b30);
		a20 = b20 ^ (~b30 & b40);
		a30 = b30 ^ (~b40 & b00);
		a40 = b40 ^ (~b00 & b10);
		a01 = b01 ^ (~b11 & b21);
		a11 = b11 ^ (~b21 & b31);
		a21 = b21 ^ (~b31 & b41);
		a31 = b31 ^ (~b41 & b01);
		a41 = b41 ^ (~b01 & b11);
		a02 = b02 ^ (~b12 & b22);
		a12 = b12 ^ (~b22 & b32);
		a22 = b22 ^ (~b32 & b42);
		a32 = b32 ^ (~b42 & b02);
		a42 = b42 ^ (~b02 & b12);
		a03 = b03 ^ (~b13 & b23);
		a13 = b13 ^ (~b23 & b33);
		a23 = b23 ^ (~b33 & b43);
		a33 = b33 ^ (~b43 & b03);
		a43 = b43 ^ (~b03 & b13);
		a04 = b04 ^ (~b14 & b24);
		a14 = b14 ^ (~b24 & b34);
		a24 = b24 ^ (~b34 & b44);
		a34 = b34 ^ (~b44 & b04);
		a44 = b44 ^ (~b04 & b14);
	}
	st[0] = a00; st[1] = a10; st[2] = a20; st[3] = a30; st[4] = a40;
	st[5] = a01; st[6] = a11; st[7] = a21; st[8] = a31; st[9] = a41;
	st[10] = a02; st[11] = a12; st[12] = a22; st[13] = a32; st[14] = a42;
	st[15] = a03; st[16] = a13; st[17] = a23; st[18] = a33; st[19] = a43;
	st[20] = a04; st[21] = a14; st[22] = a24; st[23] = a34; st[24] = a44;
}

/* XOR one byte into the state at byte offset i (little-endian lanes). */
static inline void xor_byte(uint64_t st[25], size_t i, unsigned char b)
{
	st[i / 8] ^= (uint64_t)b << (8 * (i % 8));
}

void sb_keccak256_init(struct sb_keccak *k)
{
	memset(k, 0, sizeof(*k));
}

static inline uint64_t load64_le(const unsigned char *p)
{
	uint64_t w = 0;

	for (int j = 7; j >= 0; j--)
		w = (w << 8) | p[j];
	return w;
}

void sb_keccak256_update(struct sb_keccak *k, const void *data, size_t len)
{
	const unsigned char *p = data;

	/* bytes until the state is at a block boundary */
	while (len > 0 && k->pos != 0) {
		xor_byte(k->st, k->pos++, *p++);
		len--;
		if (k->pos == RATE) {
			keccak_f1600(k->st);
			k->pos = 0;
		}
	}
	/* whole blocks, a lane at a time */
	while (len >= RATE) {
		for (size_t i = 0; i < RATE / 8; i++)
			k->st[i] ^= load64_le(p + 8 * i);
		keccak_f1600(k->st);
		p += RATE;
		len -= RATE;
	}
	/* the tail */
	while (len > 0) {
		xor_byte(k->st, k->pos++, *p++);
		len--;
	}
}

void sb_keccak256_final(struct sb_keccak *k, unsigned char out[SB_KECCAK256_LEN])
{
	xor_byte(k->st, k->pos, 0x01);
	xor_byte(k->st, RATE - 1, 0x80);
	keccak_f1600(k->st);
	for (size_t i = 0; i < SB_KECCAK256_LEN; i++)
		out[i] = (unsigned char)(k->st[i / 8] >> (8 * (i % 8)));
	memset(k, 0, sizeof(*k));
}

void sb_keccak256(unsigned char out[SB_KECCAK256_LEN], const void *data, size_t len)
{
	struct sb_keccak k;

	sb_keccak256_init(&k);
	sb_keccak256_update(&k, data, len);
	sb_keccak256_final(&k, out);
}
