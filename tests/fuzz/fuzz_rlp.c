/* libFuzzer target: strict RLP decoding, QBFT extraData decoding and the
 * validator-list parser (text, comma lists, JSON arrays) on arbitrary
 * bytes. Whatever decodes must re-encode to the same bytes. */
#include "bootstrap/besu.h"
#include "common/error.h"
#include "common/rlp.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sb_rlp_item it;
	struct sb_eth_addr *v = NULL;
	size_t n = 0;

	if (sb_rlp_decode(&it, data, size) == 0 &&
	    (!it.is_list || sb_rlp_validate(it.payload, it.len) == 0)) {
		/* canonical input: the same bytes come back */
		struct sb_buf b = SB_BUF_INIT(1 << 20);
		if (it.is_list)
			sb_rlp_list(&b, it.payload, it.len);
		else
			sb_rlp_bytes(&b, it.payload, it.len);
		if (b.len != size || memcmp(b.data, data, size) != 0)
			abort();
		sb_buf_release(&b);
	}
	if (sb_besu_qbft_extra_data_decode(&v, &n, data, size) == 0) {
		/* a genesis extraData made from the decoded set decodes to it */
		struct sb_buf b = SB_BUF_INIT(1 << 20);
		struct sb_eth_addr *w = NULL;
		size_t m = 0;
		if (n && sb_besu_qbft_extra_data(&b, v, n) == 0) {
			if (sb_besu_qbft_extra_data_decode(&w, &m, b.data, b.len) != 0 || m != n)
				abort();
			free(w);
		}
		sb_buf_release(&b);
		free(v);
	}
	char *text = malloc(size + 1);
	if (text) {
		memcpy(text, data, size);
		text[size] = '\0';
		if (sb_besu_validators_parse(&v, &n, text, "fuzz") == 0)
			free(v);
		free(text);
	}
	sb_error_clear();
	return 0;
}
