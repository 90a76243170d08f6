/* Test helper: reads lines of hex (optionally 0x-prefixed) on standard
 * input and prints the Keccak-256 of each line's bytes as 0x-hex, so
 * t_besu_ethers.sh can compare common/keccak.c with an independent
 * implementation. */
#include "common/keccak.h"
#include "common/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;

	while (getline(&line, &cap, stdin) >= 0) {
		char *h = sb_trim(line);
		unsigned char out[SB_KECCAK256_LEN], *bytes;
		char hex[2 * SB_KECCAK256_LEN + 1];
		size_t n;

		if (sb_startswith(h, "0x"))
			h += 2;
		n = strlen(h) / 2;
		bytes = malloc(n ? n : 1);
		if (!bytes || (strlen(h) % 2) || sb_unhex(bytes, n, h) != 0) {
			fprintf(stderr, "keccak256: bad hex line\n");
			free(bytes);
			rc = 2;
			break;
		}
		sb_keccak256(out, bytes, n);
		sb_hex(hex, out, sizeof(out));
		printf("0x%s\n", hex);
		free(bytes);
	}
	free(line);
	return rc;
}
