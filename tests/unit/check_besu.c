/* Unit tests for common/keccak.c, common/rlp.c and bootstrap/besu.c
 * against published vectors: Keccak-256 (the Keccak team's and
 * Ethereum's well-known digests), RLP (the Ethereum wiki's examples),
 * EIP-55 (the EIP's own examples), and the address of the key 1 (the
 * secp256k1 generator point). */
#include "bootstrap/besu.h"
#include "common/error.h"
#include "common/keccak.h"
#include "common/rlp.h"
#include "common/str.h"
#include "testutil.h"

static void keccak_hex(char out[65], const void *p, size_t n)
{
	unsigned char h[32];

	sb_keccak256(h, p, n);
	sb_hex(out, h, 32);
}

START_TEST(keccak_vectors)
{
	char h[65];

	keccak_hex(h, "", 0);
	ck_assert_str_eq(h, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
	keccak_hex(h, "abc", 3);
	ck_assert_str_eq(h, "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
	keccak_hex(h, "The quick brown fox jumps over the lazy dog", 43);
	ck_assert_str_eq(h, "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15");
	/* keccak256 of the RLP of the empty list: Ethereum's empty ommers hash */
	keccak_hex(h, "\xc0", 1);
	ck_assert_str_eq(h, "1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347");
	/* keccak256 of RLP(""): the empty trie root */
	keccak_hex(h, "\x80", 1);
	ck_assert_str_eq(h, "56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421");
}
END_TEST

/* Feeding in pieces of every size gives the one-shot digest, across the
 * 136-byte block boundary. */
START_TEST(keccak_incremental)
{
	unsigned char buf[700], one[32], inc[32];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 7 + 3);
	for (size_t len = 0; len <= sizeof(buf); len += 17) {
		sb_keccak256(one, buf, len);
		for (size_t step = 1; step < 150; step += 13) {
			struct sb_keccak k;
			sb_keccak256_init(&k);
			for (size_t off = 0; off < len; off += step)
				sb_keccak256_update(&k, buf + off, len - off < step ? len - off : step);
			sb_keccak256_final(&k, inc);
			ck_assert_mem_eq(one, inc, 32);
		}
	}
}
END_TEST

static void rlp_is(const struct sb_buf *b, const char *hex)
{
	char *got = malloc(2 * b->len + 1);

	ck_assert_ptr_nonnull(got);
	sb_hex(got, (const unsigned char *)b->data, b->len);
	ck_assert_str_eq(got, hex);
	free(got);
}

START_TEST(rlp_wiki_vectors)
{
	struct sb_buf b = SB_BUF_INIT(1 << 16), l = SB_BUF_INIT(1 << 16);
	struct sb_buf inner = SB_BUF_INIT(1 << 16);
	const char *lorem = "Lorem ipsum dolor sit amet, consectetur adipisicing elit";

	ck_assert_int_eq(sb_rlp_bytes(&b, "dog", 3), 0);
	rlp_is(&b, "83646f67");
	sb_buf_reset(&b);
	ck_assert_int_eq(sb_rlp_bytes(&l, "cat", 3), 0);
	ck_assert_int_eq(sb_rlp_bytes(&l, "dog", 3), 0);
	ck_assert_int_eq(sb_rlp_list(&b, l.data, l.len), 0);
	rlp_is(&b, "c88363617483646f67");
	sb_buf_reset(&b);
	ck_assert_int_eq(sb_rlp_bytes(&b, "", 0), 0);
	rlp_is(&b, "80");
	sb_buf_reset(&b);
	ck_assert_int_eq(sb_rlp_list(&b, NULL, 0), 0);
	rlp_is(&b, "c0");
	sb_buf_reset(&b);
	ck_assert_int_eq(sb_rlp_uint(&b, 0), 0);
	rlp_is(&b, "80");
	sb_buf_reset(&b);
	ck_assert_int_eq(sb_rlp_bytes(&b, "\x00", 1), 0);
	rlp_is(&b, "00");
	sb_buf_reset(&b);
	ck_assert_int_eq(sb_rlp_uint(&b, 15), 0);
	rlp_is(&b, "0f");
	sb_buf_reset(&b);
	ck_assert_int_eq(sb_rlp_uint(&b, 1024), 0);
	rlp_is(&b, "820400");
	sb_buf_reset(&b);
	/* the set-theoretical representation of three: [ [], [[]], [ [], [[]] ] ] */
	sb_buf_reset(&l);
	ck_assert_int_eq(sb_rlp_list(&l, NULL, 0), 0);			/* [] */
	ck_assert_int_eq(sb_rlp_list(&inner, "\xc0", 1), 0);		/* [[]] */
	ck_assert_int_eq(sb_buf_append(&l, inner.data, inner.len), 0);
	sb_buf_reset(&inner);
	ck_assert_int_eq(sb_rlp_list(&inner, "\xc0\xc1\xc0", 3), 0);	/* [ [], [[]] ] */
	ck_assert_int_eq(sb_buf_append(&l, inner.data, inner.len), 0);
	ck_assert_int_eq(sb_rlp_list(&b, l.data, l.len), 0);
	rlp_is(&b, "c7c0c1c0c3c0c1c0");
	sb_buf_reset(&b);
	/* 56 bytes: the first long form */
	ck_assert_int_eq(sb_rlp_bytes(&b, lorem, strlen(lorem)), 0);
	ck_assert_uint_eq(b.len, 58);
	ck_assert_int_eq((unsigned char)b.data[0], 0xb8);
	ck_assert_int_eq((unsigned char)b.data[1], 0x38);
	ck_assert_mem_eq(b.data + 2, lorem, 56);
	sb_buf_release(&b);
	sb_buf_release(&l);
	sb_buf_release(&inner);
}
END_TEST

static int decode_hex(const char *hex)
{
	unsigned char buf[64];
	size_t n = strlen(hex) / 2;
	struct sb_rlp_item it;
	int rc;

	ck_assert_int_eq(sb_unhex(buf, n, hex), 0);
	rc = sb_rlp_decode(&it, buf, n);
	if (rc == 0 && it.is_list)
		rc = sb_rlp_validate(it.payload, it.len);
	sb_error_clear();
	return rc;
}

START_TEST(rlp_decode_strict)
{
	ck_assert_int_eq(decode_hex("83646f67"), 0);
	ck_assert_int_eq(decode_hex("c88363617483646f67"), 0);
	ck_assert_int_eq(decode_hex("c7c0c1c0c3c0c1c0"), 0);
	ck_assert_int_eq(decode_hex("8100"), SB_EINPUT);	/* 0x00 wrapped */
	ck_assert_int_eq(decode_hex("817f"), SB_EINPUT);
	ck_assert_int_eq(decode_hex("b80141"), SB_EINPUT);	/* long form, short length */
	ck_assert_int_eq(decode_hex("b9000141"), SB_EINPUT);	/* leading zero length */
	ck_assert_int_eq(decode_hex("83646f"), SB_EINPUT);	/* cut short */
	ck_assert_int_eq(decode_hex("83646f6767"), SB_EINPUT);	/* trailing byte */
	ck_assert_int_eq(decode_hex("c483646f"), SB_EINPUT);	/* list item cut short */
	ck_assert_int_eq(decode_hex("bfffffffffffffffff"), SB_EINPUT);
	ck_assert_int_eq(decode_hex(""), SB_EINPUT);
}
END_TEST

START_TEST(eip55_vectors)
{
	static const char *const ok[] = {
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
		"0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
		"0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
		"0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
	};
	struct sb_eth_addr a;
	char s[SB_ETH_ADDR_STRLEN];

	for (size_t i = 0; i < 4; i++) {
		ck_assert_int_eq(sb_eth_addr_parse(&a, ok[i], "t"), 0);
		sb_eth_addr_format(s, &a);
		ck_assert_str_eq(s, ok[i]);
	}
	/* all lower case is accepted without a checksum */
	ck_assert_int_eq(sb_eth_addr_parse(&a, "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "t"), 0);
	/* one letter's case flipped: refused, and the message shows the right spelling */
	ck_assert_int_eq(sb_eth_addr_parse(&a, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", "t"),
			 SB_EINPUT);
	ck_assert_ptr_nonnull(strstr(sb_error_message(), "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"));
	ck_assert_int_eq(sb_eth_addr_parse(&a, "0x5aaeb6053f3e94c9b9a09f33669435e7ef1bea", "t"), SB_EINPUT);
	ck_assert_int_eq(sb_eth_addr_parse(&a, "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed00", "t"), SB_EINPUT);
	ck_assert_int_eq(sb_eth_addr_parse(&a, "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg", "t"), SB_EINPUT);
	sb_error_clear();
}
END_TEST

#define GX "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
#define GY "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"

START_TEST(address_of_generator)
{
	unsigned char pub[64];
	struct sb_eth_addr a;
	char s[SB_ETH_ADDR_STRLEN];

	/* private key 1: its public key is the generator G */
	ck_assert_int_eq(sb_besu_pubkey_parse(pub, "0x" GX GY), 0);
	sb_besu_address(&a, pub);
	sb_eth_addr_format(s, &a);
	ck_assert_str_eq(s, "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf");
	/* the same key as 04||x||y and compressed (y is even: 02) */
	memset(pub, 0, sizeof(pub));
	ck_assert_int_eq(sb_besu_pubkey_parse(pub, "04" GX GY), 0);
	sb_besu_address(&a, pub);
	sb_eth_addr_format(s, &a);
	ck_assert_str_eq(s, "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf");
	memset(pub, 0, sizeof(pub));
	ck_assert_int_eq(sb_besu_pubkey_parse(pub, "02" GX), 0);
	sb_besu_address(&a, pub);
	sb_eth_addr_format(s, &a);
	ck_assert_str_eq(s, "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf");
	/* off the curve, wrong length, wrong prefix */
	ck_assert_int_eq(sb_besu_pubkey_parse(pub, GX "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b9"),
			 SB_EINPUT);
	ck_assert_int_eq(sb_besu_pubkey_parse(pub, GX), SB_EINPUT);
	ck_assert_int_eq(sb_besu_pubkey_parse(pub, "05" GX GY), SB_EINPUT);
	ck_assert_int_eq(sb_besu_pubkey_parse(pub, "zz" GX GY), SB_EINPUT);
	sb_error_clear();
}
END_TEST

START_TEST(extra_data_layout)
{
	struct sb_buf b = SB_BUF_INIT(1 << 16);
	struct sb_eth_addr *v = NULL, *back = NULL;
	size_t n = 0, nback = 0;

	/* one validator, worked out by hand from the layout:
	 * f83a = list of 58; a0 + 32 zeros; d5 94 + address; c0; 80; c0 */
	ck_assert_int_eq(sb_besu_validators_parse(&v, &n, "0x9811ebc35d7b06b3fa8dc5809a1f9c52751e1deb",
						  "t"), 0);
	ck_assert_int_eq(sb_besu_qbft_extra_data(&b, v, n), 0);
	rlp_is(&b, "f83aa0" "0000000000000000000000000000000000000000000000000000000000000000"
		   "d5949811ebc35d7b06b3fa8dc5809a1f9c52751e1deb" "c080c0");
	free(v);
	sb_buf_reset(&b);
	/* validators sorted ascending whatever the input order; decoded back */
	ck_assert_int_eq(sb_besu_validators_parse(&v, &n,
		"# three validators\n"
		"0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359\n"
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed, 0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB\n",
		"t"), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(sb_besu_qbft_extra_data(&b, v, n), 0);
	ck_assert_int_eq(sb_besu_qbft_extra_data_decode(&back, &nback, b.data, b.len), 0);
	ck_assert_uint_eq(nback, 3);
	ck_assert_int_eq(back[0].b[0], 0x5a);
	ck_assert_int_eq(back[1].b[0], 0xdb);
	ck_assert_int_eq(back[2].b[0], 0xfb);
	free(back);
	/* a duplicate is refused; so is an empty list; JSON arrays work */
	free(v);
	ck_assert_int_eq(sb_besu_validators_parse(&v, &n,
		"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed,0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED", "t"),
		SB_EINPUT);
	ck_assert_int_eq(sb_besu_validators_parse(&v, &n, "# none\n", "t"), SB_EINPUT);
	ck_assert_int_eq(sb_besu_validators_parse(&v, &n,
		"[\"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed\"]", "t"), 0);
	ck_assert_uint_eq(n, 1);
	free(v);
	/* the IBFT 2.0 layout (4 fields, 4-byte round) is not QBFT's */
	unsigned char ibft[64];
	ck_assert_int_eq(sb_unhex(ibft, 64,
		"f83ea00000000000000000000000000000000000000000000000000000000000000000d594"
		"9811ebc35d7b06b3fa8dc5809a1f9c52751e1deb808400000000c0"), 0);
	ck_assert_int_eq(sb_besu_qbft_extra_data_decode(&back, &nback, ibft, 64), SB_EINPUT);
	sb_buf_release(&b);
	sb_error_clear();
}
END_TEST

START_TEST(genesis_document)
{
	struct sb_besu_genesis_opts o;
	struct sb_eth_addr *v = NULL;
	size_t n = 0;
	json_t *doc = NULL;

	ck_assert_int_eq(sb_besu_validators_parse(&v, &n,
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed,0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359,"
		"0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB,0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb", "t"), 0);
	sb_besu_genesis_opts_init(&o);
	o.chain_id = 20261;
	o.block_period = 2;
	ck_assert_int_eq(sb_besu_genesis(&doc, &o, v, n), 0);
	json_t *cfg = json_object_get(doc, "config");
	json_t *q = json_object_get(cfg, "qbft");
	ck_assert_int_eq(json_integer_value(json_object_get(cfg, "chainId")), 20261);
	ck_assert_int_eq(json_integer_value(json_object_get(q, "blockperiodseconds")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(q, "epochlength")), 30000);
	ck_assert_int_eq(json_integer_value(json_object_get(q, "requesttimeoutseconds")), 4);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "difficulty")), "0x1");
	ck_assert_str_eq(json_string_value(json_object_get(doc, "mixHash")), SB_QBFT_MIXHASH);
	const char *extra = json_string_value(json_object_get(doc, "extraData"));
	ck_assert_ptr_nonnull(extra);
	ck_assert(sb_startswith(extra, "0xf8"));
	ck_assert(sb_endswith(extra, "c080c0"));
	json_decref(doc);
	/* refused settings */
	o.request_timeout = 2;
	ck_assert_int_eq(sb_besu_genesis(&doc, &o, v, n), SB_EINPUT);
	o.request_timeout = 0;
	o.chain_id = 0;
	ck_assert_int_eq(sb_besu_genesis(&doc, &o, v, n), SB_EINPUT);
	ck_assert_uint_eq(sb_qbft_fault_tolerance(4), 1);
	ck_assert_uint_eq(sb_qbft_fault_tolerance(3), 0);
	ck_assert_uint_eq(sb_qbft_fault_tolerance(7), 2);
	free(v);
	sb_error_clear();
}
END_TEST

/* The genesis block hash against a published block: Ethereum mainnet's
 * genesis (block 0, hash d4e567...8fa3, as every block explorer and
 * eth_getBlockByNumber("0x0") on mainnet give it), whose state root is
 * given since its alloc is not empty. Then our own QBFT genesis: empty
 * state, and a later fork or an alloc refused. */
START_TEST(genesis_block_hash)
{
	unsigned char root[32];
	char h[67];
	json_t *g = json_pack("{s:{s:i}, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			      "config", "chainId", 1, "nonce", "0x0000000000000042",
			      "timestamp", "0x0", "gasLimit", "0x1388", "difficulty", "0x400000000",
			      "extraData", "0x11bbe8db4e347b4e8c937c1c8370e4b5ed33adb3db69cbdb7a38e1e50b1b82fa",
			      "mixHash", "0x0000000000000000000000000000000000000000000000000000000000000000",
			      "coinbase", "0x0000000000000000000000000000000000000000");

	ck_assert_int_eq(sb_unhex(root, 32, "d7f8974fb5ac78d9ac099b9ad5018bedc2ce0a72dad1827a1709da30580f0544"), 0);
	ck_assert_int_eq(sb_besu_genesis_hash_state(h, g, root), 0);
	ck_assert_str_eq(h, "0xd4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3");
	json_decref(g);

	struct sb_besu_genesis_opts o;
	struct sb_eth_addr *v = NULL;
	size_t n = 0;
	char h2[67];
	ck_assert_int_eq(sb_besu_validators_parse(&v, &n,
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed,0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", "t"), 0);
	sb_besu_genesis_opts_init(&o);
	o.chain_id = 20261;
	ck_assert_int_eq(sb_besu_genesis(&g, &o, v, n), 0);
	ck_assert_int_eq(sb_besu_genesis_hash(h, g), 0);
	ck_assert_uint_eq(strlen(h), 66);
	o.chain_id = 20262;	/* the chain id is not in the header */
	json_t *g2 = NULL;
	ck_assert_int_eq(sb_besu_genesis(&g2, &o, v, n), 0);
	ck_assert_int_eq(sb_besu_genesis_hash(h2, g2), 0);
	ck_assert_str_eq(h, h2);
	o.timestamp = 1;	/* the timestamp is */
	json_decref(g2);
	ck_assert_int_eq(sb_besu_genesis(&g2, &o, v, n), 0);
	ck_assert_int_eq(sb_besu_genesis_hash(h2, g2), 0);
	ck_assert_str_ne(h, h2);
	json_object_set_new(json_object_get(g2, "config"), "londonBlock", json_integer(0));
	ck_assert_int_eq(sb_besu_genesis_hash(h2, g2), SB_EUNSUPPORTED);
	json_object_del(json_object_get(g2, "config"), "londonBlock");
	json_object_set_new(json_object_get(g2, "alloc"), "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
			    json_pack("{s:s}", "balance", "0x1"));
	ck_assert_int_eq(sb_besu_genesis_hash(h2, g2), SB_EUNSUPPORTED);
	json_decref(g);
	json_decref(g2);
	free(v);
	sb_error_clear();
}
END_TEST

static Suite *besu_suite(void)
{
	Suite *s = suite_create("besu");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, keccak_vectors);
	tcase_add_test(tc, keccak_incremental);
	tcase_add_test(tc, rlp_wiki_vectors);
	tcase_add_test(tc, rlp_decode_strict);
	tcase_add_test(tc, eip55_vectors);
	tcase_add_test(tc, address_of_generator);
	tcase_add_test(tc, extra_data_layout);
	tcase_add_test(tc, genesis_document);
	tcase_add_test(tc, genesis_block_hash);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return sb_test_run(besu_suite());
}
