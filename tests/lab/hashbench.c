/* Benchmark helper: Keccak-256 (common/keccak.c) against libcrypto's
 * SHA3-256 (the same permutation, tuned by OpenSSL) on the same bytes in
 * the same run: bulk (MiB/s) and 64-byte messages (the size of a public
 * key, what address derivation hashes). Prints one line per case with
 * the ratio ours/libcrypto (above 1 means we are slower).
 * Usage: hashbench [MIB] */
#include "common/keccak.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void ours(const unsigned char *p, size_t len, size_t chunk, unsigned char *out)
{
	for (size_t off = 0; off < len; off += chunk)
		sb_keccak256(out, p + off, chunk);
}

static void theirs(const unsigned char *p, size_t len, size_t chunk, unsigned char *out)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	const EVP_MD *md = EVP_sha3_256();

	for (size_t off = 0; off < len; off += chunk) {
		EVP_DigestInit_ex(c, md, NULL);
		EVP_DigestUpdate(c, p + off, chunk);
		EVP_DigestFinal_ex(c, out, NULL);
	}
	EVP_MD_CTX_free(c);
}

/* best of 3 runs of each, alternating, so both see the same machine */
static void bench(const char *name, const unsigned char *p, size_t len, size_t chunk)
{
	double best_o = 1e9, best_t = 1e9;
	unsigned char out[32];

	for (int r = 0; r < 3; r++) {
		double t0 = now();
		ours(p, len, chunk, out);
		double t1 = now();
		theirs(p, len, chunk, out);
		double t2 = now();
		if (t1 - t0 < best_o)
			best_o = t1 - t0;
		if (t2 - t1 < best_t)
			best_t = t2 - t1;
	}
	double mib = (double)len / (1024.0 * 1024.0);
	printf("%-22s keccak256 %8.1f MiB/s  libcrypto-sha3-256 %8.1f MiB/s  ratio %.2f\n",
	       name, mib / best_o, mib / best_t, best_o / best_t);
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 32;
	size_t len = mib << 20;
	unsigned char *buf = malloc(len);

	if (!buf || mib == 0)
		return 2;
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)(i * 131 + 7);
	bench("bulk (1 MiB messages)", buf, len, 1 << 20);
	bench("64-byte messages", buf, len / 16, 64);
	free(buf);
	return 0;
}
