/* siteboot: Keccak-256, the hash Ethereum and Besu use (the original
 * Keccak padding 0x01, not the FIPS 202 SHA3-256 padding 0x06).
 *
 * Small and dependency-free on purpose: libcrypto's EVP offers SHA3-256
 * but not Keccak-256 on Debian 12's OpenSSL 3.0. */
#ifndef SB_COMMON_KECCAK_H
#define SB_COMMON_KECCAK_H

#include <stddef.h>
#include <stdint.h>

#define SB_KECCAK256_LEN 32

struct sb_keccak {
	uint64_t st[25];
	size_t pos;	/* bytes absorbed into the current block */
};

void sb_keccak256_init(struct sb_keccak *k);
void sb_keccak256_update(struct sb_keccak *k, const void *data, size_t len);
/* Writes 32 bytes; the context must be re-initialised before reuse. */
void sb_keccak256_final(struct sb_keccak *k, unsigned char out[SB_KECCAK256_LEN]);
/* One shot. */
void sb_keccak256(unsigned char out[SB_KECCAK256_LEN], const void *data, size_t len);

#endif
