/* libFuzzer target: the recipes' parsers of hostile text: the answer.toml
 * schema check (images/answer.c), the Ceph status judge (bootstrap/ceph.c,
 * `ceph -s` output from a node) and enode URLs (bootstrap/besu.c, from
 * the network's files). */
#include "bootstrap/besu.h"
#include "bootstrap/ceph.h"
#include "common/error.h"
#include "images/answer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sb_diags d;
	struct sb_ceph_state st;
	struct sb_ceph_expect exp = { 6, 3, false };
	struct sb_buf problems = SB_BUF_INIT(1 << 16);
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	sb_diags_init(&d);
	sb_answer_validate((const char *)data, size, "fuzz.toml", &d);
	sb_diags_release(&d);
	sb_ceph_judge(&st, &problems, (const char *)data, size, &exp);
	sb_buf_release(&problems);
	{
		unsigned char pub[64];
		char host[64];
		unsigned port;
		sb_besu_enode_parse(pub, host, sizeof(host), &port, text);
	}
	free(text);
	sb_error_clear();
	return 0;
}
