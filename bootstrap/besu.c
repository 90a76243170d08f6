/* Besu QBFT: addresses, extraData and the genesis file. */
#include "bootstrap/besu.h"
#include "common/error.h"
#include "common/json.h"
#include "common/keccak.h"
#include "common/rlp.h"
#include "common/url.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ec.h>
#include <openssl/obj_mac.h>

int sb_eth_addr_cmp(const struct sb_eth_addr *a, const struct sb_eth_addr *b)
{
	return memcmp(a->b, b->b, SB_ETH_ADDR_LEN);
}

static int addr_qsort_cmp(const void *a, const void *b)
{
	return sb_eth_addr_cmp(a, b);
}

void sb_eth_addr_format_lower(char out[SB_ETH_ADDR_STRLEN], const struct sb_eth_addr *a)
{
	out[0] = '0';
	out[1] = 'x';
	sb_hex(out + 2, a->b, SB_ETH_ADDR_LEN);
}

/* EIP-55: hash the lower-case hex (no 0x); a letter is upper case where
 * the hash's nibble at the same index is 8 or more. */
void sb_eth_addr_format(char out[SB_ETH_ADDR_STRLEN], const struct sb_eth_addr *a)
{
	unsigned char h[SB_KECCAK256_LEN];

	sb_eth_addr_format_lower(out, a);
	sb_keccak256(h, out + 2, 40);
	for (int i = 0; i < 40; i++) {
		unsigned nib = (h[i / 2] >> (i % 2 ? 0 : 4)) & 0xf;
		char *c = &out[2 + i];
		if (*c >= 'a' && *c <= 'f' && nib >= 8)
			*c = (char)(*c - 'a' + 'A');
	}
}

int sb_eth_addr_parse(struct sb_eth_addr *out, const char *text,
		      const char *what)
{
	char lower[41], want[SB_ETH_ADDR_STRLEN];
	bool has_upper = false, has_lower = false;
	size_t len = strlen(text);

	if (len != 42 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X'))
		return sb_error_set(SB_EINPUT, "%s: '%.60s' is not an address: "
				    "write 0x followed by 40 hex digits", what, text);
	for (int i = 0; i < 40; i++) {
		char c = text[2 + i];
		if (!isxdigit((unsigned char)c))
			return sb_error_set(SB_EINPUT, "%s: '%s' is not an address: "
					    "'%c' is not a hex digit", what, text, c);
		has_upper |= c >= 'A' && c <= 'F';
		has_lower |= c >= 'a' && c <= 'f';
		lower[i] = (char)tolower((unsigned char)c);
	}
	lower[40] = '\0';
	if (sb_unhex(out->b, SB_ETH_ADDR_LEN, lower) != 0)
		return sb_error_set(SB_EINPUT, "%s: '%s' is not an address", what, text);
	sb_error_clear();
	if (has_upper && has_lower) {
		sb_eth_addr_format(want, out);
		if (strcmp(want + 2, text + 2) != 0)
			return sb_error_set(SB_EINPUT, "%s: '%s' has a wrong EIP-55 checksum "
					    "(mixed case spells %s): check the address for a typo, "
					    "or write it all in lower case", what, text, want);
	}
	return 0;
}

int sb_besu_pubkey_parse(unsigned char out[64], const char *hex)
{
	unsigned char raw[65], full[65];
	size_t len, nbytes;
	EC_GROUP *g = NULL;
	EC_POINT *pt = NULL;
	int rc = SB_EINPUT;

	if (sb_startswith(hex, "0x") || sb_startswith(hex, "0X"))
		hex += 2;
	len = strlen(hex);
	nbytes = len / 2;
	if (len % 2 || (nbytes != 64 && nbytes != 65 && nbytes != 33))
		return sb_error_set(SB_EINPUT, "public key: %zu hex digits; a secp256k1 public key "
				    "has 128 (x||y, as 'besu public-key export' writes it), "
				    "130 (04||x||y) or 66 (compressed)", len);
	if (sb_unhex(raw, nbytes, hex) != 0)
		return sb_error_set(SB_EINPUT, "public key: not hex digits");
	if (nbytes == 64) {
		full[0] = 0x04;
		memcpy(full + 1, raw, 64);
	} else if (nbytes == 65 && raw[0] != 0x04) {
		return sb_error_set(SB_EINPUT, "public key: 65 bytes must start with 04 (uncompressed)");
	} else if (nbytes == 33 && raw[0] != 0x02 && raw[0] != 0x03) {
		return sb_error_set(SB_EINPUT, "public key: 33 bytes must start with 02 or 03 (compressed)");
	}
	g = EC_GROUP_new_by_curve_name(NID_secp256k1);
	pt = g ? EC_POINT_new(g) : NULL;
	if (!pt) {
		rc = sb_error_set(SB_EINTERNAL, "libcrypto: secp256k1 is not available");
		goto out;
	}
	if (EC_POINT_oct2point(g, pt, nbytes == 64 ? full : raw,
			       nbytes == 64 ? 65 : nbytes, NULL) != 1 ||
	    EC_POINT_is_on_curve(g, pt, NULL) != 1) {
		rc = sb_error_set(SB_EINPUT, "public key: not a point on secp256k1: check that "
				  "the whole key was copied");
		goto out;
	}
	if (EC_POINT_point2oct(g, pt, POINT_CONVERSION_UNCOMPRESSED, full, sizeof(full),
			       NULL) != 65) {
		rc = sb_error_set(SB_EINTERNAL, "libcrypto: cannot write the point");
		goto out;
	}
	memcpy(out, full + 1, 64);
	rc = 0;
out:
	EC_POINT_free(pt);
	EC_GROUP_free(g);
	return rc;
}

void sb_besu_address(struct sb_eth_addr *out, const unsigned char pub[64])
{
	unsigned char h[SB_KECCAK256_LEN];

	sb_keccak256(h, pub, 64);
	memcpy(out->b, h + 12, SB_ETH_ADDR_LEN);
}

size_t sb_qbft_fault_tolerance(size_t n)
{
	return n ? (n - 1) / 3 : 0;
}

static int push_addr(struct sb_eth_addr **v, size_t *n, size_t *cap,
		     const struct sb_eth_addr *a)
{
	if (*n >= SB_QBFT_MAX_VALIDATORS)
		return sb_error_set(SB_EINPUT, "more than %d validators", SB_QBFT_MAX_VALIDATORS);
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 8;
		struct sb_eth_addr *nv = realloc(*v, nc * sizeof(**v));
		if (!nv)
			return sb_error_set(SB_ENOMEM, "out of memory");
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = *a;
	return 0;
}

static int parse_json_list(struct sb_eth_addr **v, size_t *n, size_t *cap,
			   const char *text, const char *what)
{
	json_t *doc = NULL;
	int rc = sb_json_parse(&doc, text, strlen(text), 1 << 20, what);

	if (rc)
		return rc;
	if (!json_is_array(doc)) {
		json_decref(doc);
		return sb_error_set(SB_EINPUT, "%s: a JSON array of addresses was expected", what);
	}
	for (size_t i = 0; i < json_array_size(doc) && rc == 0; i++) {
		const char *s = json_string_value(json_array_get(doc, i));
		struct sb_eth_addr a;
		if (!s)
			rc = sb_error_set(SB_EINPUT, "%s: item %zu is not a string", what, i + 1);
		else if ((rc = sb_eth_addr_parse(&a, s, what)) == 0)
			rc = push_addr(v, n, cap, &a);
	}
	json_decref(doc);
	return rc;
}

static int parse_words(struct sb_eth_addr **v, size_t *n, size_t *cap,
		       const char *text, const char *what)
{
	const char *p = text;
	unsigned line = 1;
	char word[128];
	int rc;

	while (*p) {
		if (*p == '#') {
			while (*p && *p != '\n')
				p++;
			continue;
		}
		if (*p == '\n')
			line++;
		if (*p == ',' || isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		size_t wl = 0;
		const char *start = p;
		while (*p && *p != ',' && *p != '#' && !isspace((unsigned char)*p))
			p++;
		wl = (size_t)(p - start);
		snprintf(word, sizeof(word), "%.*s", (int)(wl < 127 ? wl : 127), start);
		char where[512];
		if (strchr(text, '\n'))
			snprintf(where, sizeof(where), "%s:%u", what, line);
		else
			snprintf(where, sizeof(where), "%s", what);
		struct sb_eth_addr a;
		rc = sb_eth_addr_parse(&a, word, where);
		if (rc == 0)
			rc = push_addr(v, n, cap, &a);
		if (rc)
			return rc;
	}
	return 0;
}

int sb_besu_validators_parse(struct sb_eth_addr **out, size_t *nout,
			     const char *text, const char *what)
{
	struct sb_eth_addr *v = NULL;
	size_t n = 0, cap = 0;
	const char *p = text;
	int rc;

	*out = NULL;
	*nout = 0;
	while (isspace((unsigned char)*p))
		p++;
	rc = *p == '[' ? parse_json_list(&v, &n, &cap, text, what)
		       : parse_words(&v, &n, &cap, text, what);
	if (rc == 0 && n == 0)
		rc = sb_error_set(SB_EINPUT, "%s: no validator addresses", what);
	if (rc == 0) {
		qsort(v, n, sizeof(*v), addr_qsort_cmp);
		for (size_t i = 1; i < n; i++) {
			if (sb_eth_addr_cmp(&v[i - 1], &v[i]) == 0) {
				char s[SB_ETH_ADDR_STRLEN];
				sb_eth_addr_format(s, &v[i]);
				rc = sb_error_set(SB_EINPUT, "%s: validator %s is listed twice", what, s);
				break;
			}
		}
	}
	if (rc) {
		free(v);
		return rc;
	}
	*out = v;
	*nout = n;
	return 0;
}

int sb_besu_qbft_extra_data(struct sb_buf *out, const struct sb_eth_addr *v, size_t n)
{
	static const unsigned char vanity[32];
	struct sb_buf vals = SB_BUF_INIT(1 << 20), items = SB_BUF_INIT(1 << 20);
	struct sb_eth_addr *sorted = NULL;
	int rc = SB_ENOMEM;

	if (n == 0 || n > SB_QBFT_MAX_VALIDATORS)
		return sb_error_set(SB_EINPUT, "a QBFT network needs 1 to %d validators",
				    SB_QBFT_MAX_VALIDATORS);
	sorted = malloc(n * sizeof(*sorted));
	if (!sorted)
		return sb_error_set(SB_ENOMEM, "out of memory");
	memcpy(sorted, v, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), addr_qsort_cmp);
	for (size_t i = 0; i < n; i++)
		if ((rc = sb_rlp_bytes(&vals, sorted[i].b, SB_ETH_ADDR_LEN)) != 0)
			goto out;
	if ((rc = sb_rlp_bytes(&items, vanity, sizeof(vanity))) != 0 ||
	    (rc = sb_rlp_list(&items, vals.data, vals.len)) != 0 ||
	    (rc = sb_rlp_list(&items, NULL, 0)) != 0 ||		/* no vote */
	    (rc = sb_rlp_uint(&items, 0)) != 0 ||		/* round 0: 0x80 */
	    (rc = sb_rlp_list(&items, NULL, 0)) != 0)		/* no seals */
		goto out;
	rc = sb_rlp_list(out, items.data, items.len);
out:
	free(sorted);
	sb_buf_release(&vals);
	sb_buf_release(&items);
	return rc;
}

int sb_besu_qbft_extra_data_decode(struct sb_eth_addr **out, size_t *nout,
				   const void *p, size_t len)
{
	struct sb_rlp_item top, it, a;
	struct sb_eth_addr *v = NULL;
	size_t off = 0, voff = 0, n = 0, cap = 0;
	int rc, k;

	*out = NULL;
	*nout = 0;
	if ((rc = sb_rlp_decode(&top, p, len)) != 0)
		return sb_error_prefix("extraData: ");
	if (!top.is_list)
		return sb_error_set(SB_EINPUT, "extraData: a list was expected");
	for (int field = 0; field < 5; field++) {
		k = sb_rlp_list_next(&top, &off, &it);
		if (k < 0)
			goto fail;
		if (k == 0) {
			rc = sb_error_set(SB_EINPUT, "extraData: %d fields, QBFT has 5 "
					  "(vanity, validators, vote, round, seals)", field);
			goto fail;
		}
		switch (field) {
		case 0:
			if (it.is_list || it.len != 32) {
				rc = sb_error_set(SB_EINPUT, "extraData: vanity must be 32 bytes");
				goto fail;
			}
			break;
		case 1:
			if (!it.is_list) {
				rc = sb_error_set(SB_EINPUT, "extraData: validators must be a list");
				goto fail;
			}
			while ((k = sb_rlp_list_next(&it, &voff, &a)) == 1) {
				struct sb_eth_addr e;
				if (a.is_list || a.len != SB_ETH_ADDR_LEN) {
					rc = sb_error_set(SB_EINPUT, "extraData: validator %zu is not "
							  "20 bytes", n + 1);
					goto fail;
				}
				memcpy(e.b, a.payload, SB_ETH_ADDR_LEN);
				if ((rc = push_addr(&v, &n, &cap, &e)) != 0)
					goto fail;
			}
			if (k < 0)
				goto fail;
			break;
		case 2:
		case 4:
			if (!it.is_list) {
				rc = sb_error_set(SB_EINPUT, "extraData: %s must be a list",
						  field == 2 ? "vote" : "seals");
				goto fail;
			}
			if (field == 2 && it.len) {
				rc = sb_error_set(SB_EINPUT, "extraData: a genesis carries no vote");
				goto fail;
			}
			break;
		case 3:
			if (it.is_list || it.len > 4) {
				rc = sb_error_set(SB_EINPUT, "extraData: round must be an integer");
				goto fail;
			}
			break;
		}
	}
	if (off != top.len) {
		rc = sb_error_set(SB_EINPUT, "extraData: more than 5 fields");
		goto fail;
	}
	if ((rc = sb_rlp_validate(top.payload, top.len)) != 0)
		goto fail;
	*out = v;
	*nout = n;
	return 0;
fail:
	free(v);
	return rc ? rc : sb_error_code();
}

void sb_besu_genesis_opts_init(struct sb_besu_genesis_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->chain_id = 1337;
	o->block_period = 5;
	o->epoch_length = 30000;
	o->request_timeout = 0;	/* 2 x block period */
	o->gas_limit = 0x1fffffffffffffULL;
}

static json_t *hex_u64(uint64_t v)
{
	char s[32];

	snprintf(s, sizeof(s), "0x%llx", (unsigned long long)v);
	return json_string(s);
}

int sb_besu_genesis(json_t **out, const struct sb_besu_genesis_opts *o,
		    const struct sb_eth_addr *v, size_t n)
{
	struct sb_buf extra = SB_BUF_INIT(1 << 20);
	char *hex = NULL;
	json_t *doc = NULL;
	unsigned timeout = o->request_timeout ? o->request_timeout : 2 * o->block_period;
	int rc;

	*out = NULL;
	if (o->chain_id == 0)
		return sb_error_set(SB_EINPUT, "chain id 0 is not allowed: choose the site's chain id");
	if (o->block_period == 0)
		return sb_error_set(SB_EINPUT, "block period must be at least 1 second");
	if (o->epoch_length == 0)
		return sb_error_set(SB_EINPUT, "epoch length must be at least 1 block");
	if (timeout <= o->block_period)
		return sb_error_set(SB_EINPUT, "request timeout (%us) must be longer than the "
				    "block period (%us)", timeout, o->block_period);
	if ((rc = sb_besu_qbft_extra_data(&extra, v, n)) != 0)
		return rc;
	hex = malloc(2 * extra.len + 3);
	if (!hex) {
		sb_buf_release(&extra);
		return sb_error_set(SB_ENOMEM, "out of memory");
	}
	hex[0] = '0';
	hex[1] = 'x';
	sb_hex(hex + 2, (const unsigned char *)extra.data, extra.len);
	doc = json_pack("{s:{s:I, s:i, s:{s:i, s:i, s:i}},"
			" s:s, s:o, s:o, s:s, s:s, s:s, s:{}, s:s}",
			"config",
			"chainId", (json_int_t)o->chain_id,
			"berlinBlock", 0,
			"qbft",
			"blockperiodseconds", (int)o->block_period,
			"epochlength", (int)o->epoch_length,
			"requesttimeoutseconds", (int)timeout,
			"nonce", "0x0",
			"timestamp", hex_u64(o->timestamp),
			"gasLimit", hex_u64(o->gas_limit),
			"difficulty", "0x1",
			"mixHash", SB_QBFT_MIXHASH,
			"coinbase", "0x0000000000000000000000000000000000000000",
			"alloc",
			"extraData", hex);
	free(hex);
	sb_buf_release(&extra);
	if (!doc)
		return sb_error_set(SB_ENOMEM, "out of memory");
	*out = doc;
	return 0;
}

/* ---- the genesis block's hash ---- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A quantity of the genesis file: "0x..." hex, decimal text or a JSON
 * integer; absent is 0. */
static int genesis_qty(uint64_t *out, const json_t *doc, const char *key)
{
	const json_t *v = json_object_get(doc, key);
	const char *t;

	*out = 0;
	if (!v)
		return 0;
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	t = json_string_value(v);
	if (t && (sb_startswith(t, "0x") || sb_startswith(t, "0X"))) {
		size_t n = strlen(t + 2);
		uint64_t x = 0;
		if (n == 0 || n > 16)
			goto bad;
		for (size_t i = 0; i < n; i++) {
			int d = hexval(t[2 + i]);
			if (d < 0)
				goto bad;
			x = x << 4 | (uint64_t)d;
		}
		*out = x;
		return 0;
	}
	if (t && sb_parse_u64(out, t, UINT64_MAX, key) == 0)
		return 0;
bad:
	sb_error_clear();
	return sb_error_set(SB_EINPUT, "genesis '%s' is not a quantity (0x hex, at most 64 bits)", key);
}

/* Fixed-size bytes of the genesis file ("0x" + 2n hex digits); absent
 * is n zero bytes. */
static int genesis_bytes(unsigned char *out, size_t n, const json_t *doc, const char *key)
{
	const char *t = json_string_value(json_object_get(doc, key));

	memset(out, 0, n);
	if (!json_object_get(doc, key))
		return 0;
	if (!t || !sb_startswith(t, "0x") || strlen(t + 2) != 2 * n || sb_unhex(out, n, t + 2))
		return sb_error_set(SB_EINPUT, "genesis '%s' must be 0x and %zu hex digits", key, 2 * n);
	return 0;
}

int sb_besu_genesis_hash(char out[67], const json_t *g)
{
	return sb_besu_genesis_hash_state(out, g, NULL);
}

int sb_besu_genesis_hash_state(char out[67], const json_t *g,
			       const unsigned char state_root[32])
{
	static const unsigned char empty_list[1] = { 0xc0 }, empty_str[1] = { 0x80 };
	/* forks whose header fields we do not write (base fee, withdrawals,
	 * blob gas): a genesis with them is outside what we compute */
	static const char *const later[] = {
		"londonBlock", "arrowGlacierBlock", "grayGlacierBlock", "mergeNetsplitBlock",
		"shanghaiTime", "cancunTime", "pragueTime", "terminalTotalDifficulty", NULL,
	};
	const json_t *cfg = json_object_get(g, "config"), *alloc = json_object_get(g, "alloc");
	unsigned char zero32[32] = { 0 }, ommers[32], empty_root[32], coinbase[20], mix[32];
	unsigned char bloom[256] = { 0 }, nonce[8], md[32], *extra = NULL;
	uint64_t difficulty, gas_limit, timestamp, n64, number;
	struct sb_buf items = SB_BUF_INIT(1 << 20), hdr = SB_BUF_INIT(1 << 20);
	struct sb_keccak k;
	int rc;

	if (!json_is_object(g) || !json_is_object(cfg))
		return sb_error_set(SB_EINPUT, "not a genesis file: no 'config' object");
	for (size_t i = 0; later[i]; i++)
		if (json_object_get(cfg, later[i]))
			return sb_error_set(SB_EUNSUPPORTED, "genesis config.%s: siteboot computes "
					    "the genesis hash of pre-London headers only (as 'besu "
					    "genesis' writes them)", later[i]);
	if (json_object_get(g, "baseFeePerGas"))
		return sb_error_set(SB_EUNSUPPORTED, "genesis baseFeePerGas: siteboot computes the "
				    "genesis hash of pre-London headers only");
	if (!state_root && alloc && (!json_is_object(alloc) || json_object_size(alloc) != 0))
		return sb_error_set(SB_EUNSUPPORTED, "genesis alloc is not empty: siteboot computes "
				    "the state root of an empty state only");
	const char *xt = json_string_value(json_object_get(g, "extraData"));
	size_t xlen = xt && sb_startswith(xt, "0x") ? strlen(xt + 2) : 1;
	if (!xt || xlen % 2 || !(extra = malloc(xlen / 2 + 1)) ||
	    (xlen && sb_unhex(extra, xlen / 2, xt + 2))) {
		free(extra);
		return sb_error_set(SB_EINPUT, "genesis 'extraData' must be 0x and hex digits");
	}
	if ((rc = genesis_qty(&difficulty, g, "difficulty")) || (rc = genesis_qty(&gas_limit, g, "gasLimit")) ||
	    (rc = genesis_qty(&timestamp, g, "timestamp")) || (rc = genesis_qty(&n64, g, "nonce")) ||
	    (rc = genesis_qty(&number, g, "number")) ||
	    (rc = genesis_bytes(coinbase, sizeof(coinbase), g, "coinbase")) ||
	    (rc = genesis_bytes(mix, sizeof(mix), g, "mixHash")))
		goto out;
	for (int i = 0; i < 8; i++)
		nonce[i] = (unsigned char)(n64 >> (56 - 8 * i));
	sb_keccak256_init(&k);
	sb_keccak256_update(&k, empty_list, 1);
	sb_keccak256_final(&k, ommers);
	sb_keccak256_init(&k);
	sb_keccak256_update(&k, empty_str, 1);
	sb_keccak256_final(&k, empty_root);	/* the root of an empty trie */
	/* the header: parent, ommers, beneficiary, state, transactions and
	 * receipts roots, bloom, difficulty, number, gas limit, gas used,
	 * timestamp, extra data, mix hash, nonce */
	if ((rc = sb_rlp_bytes(&items, zero32, 32)) || (rc = sb_rlp_bytes(&items, ommers, 32)) ||
	    (rc = sb_rlp_bytes(&items, coinbase, 20)) ||
	    (rc = sb_rlp_bytes(&items, state_root ? state_root : empty_root, 32)) ||
	    (rc = sb_rlp_bytes(&items, empty_root, 32)) || (rc = sb_rlp_bytes(&items, empty_root, 32)) ||
	    (rc = sb_rlp_bytes(&items, bloom, sizeof(bloom))) || (rc = sb_rlp_uint(&items, difficulty)) ||
	    (rc = sb_rlp_uint(&items, number)) || (rc = sb_rlp_uint(&items, gas_limit)) ||
	    (rc = sb_rlp_uint(&items, 0)) || (rc = sb_rlp_uint(&items, timestamp)) ||
	    (rc = sb_rlp_bytes(&items, extra, xlen / 2)) || (rc = sb_rlp_bytes(&items, mix, 32)) ||
	    (rc = sb_rlp_bytes(&items, nonce, 8)) || (rc = sb_rlp_list(&hdr, items.data, items.len)))
		goto out;
	sb_keccak256_init(&k);
	sb_keccak256_update(&k, hdr.data, hdr.len);
	sb_keccak256_final(&k, md);
	out[0] = '0';
	out[1] = 'x';
	sb_hex(out + 2, md, 32);
	rc = 0;
out:
	free(extra);
	sb_buf_release(&items);
	sb_buf_release(&hdr);
	return rc;
}

/* ---- per-node files ---- */

int sb_besu_enode(char **out, const unsigned char pub[64], const char *host, unsigned port)
{
	char hex[129];
	bool v6 = strchr(host, ':') != NULL;

	sb_hex(hex, pub, 64);
	*out = sb_asprintf("enode://%s@%s%s%s:%u", hex, v6 ? "[" : "", host, v6 ? "]" : "", port);
	return *out ? 0 : sb_error_set(SB_ENOMEM, "out of memory");
}

int sb_besu_enode_parse(unsigned char pub[64], char *host, size_t hostsize,
			unsigned *port, const char *url)
{
	const char *at, *colon, *h;
	long long p;

	if (!sb_startswith(url, "enode://") || !(at = strchr(url, '@')) || at - url != 8 + 128)
		return sb_error_set(SB_EINPUT, "'%.80s' is not an enode URL (enode://KEY@HOST:PORT, "
				    "the key 128 hex digits)", url);
	char hex[129];
	memcpy(hex, url + 8, 128);
	hex[128] = '\0';
	if (sb_unhex(pub, 64, hex) != 0)
		return sb_error_set(SB_EINPUT, "enode URL: the key is not hex");
	h = at + 1;
	const char *end = strchr(h, '?');
	size_t hl = end ? (size_t)(end - h) : strlen(h);
	char hp[300];
	snprintf(hp, sizeof(hp), "%.*s", (int)(hl < 299 ? hl : 299), h);
	colon = strrchr(hp, ':');
	if (!colon || sb_parse_ll(&p, colon + 1, 1, 65535, "enode port"))
		return sb_error_set(SB_EINPUT, "enode URL '%.80s...': no HOST:PORT after '@'", url);
	size_t n = (size_t)(colon - hp);
	if (hp[0] == '[' && n >= 2 && hp[n - 1] == ']')
		snprintf(host, hostsize, "%.*s", (int)(n - 2), hp + 1);
	else
		snprintf(host, hostsize, "%.*s", (int)n, hp);
	if (!sb_ip_valid(host))
		return sb_error_set(SB_EINPUT, "enode URL: '%s' is not an IP address (Besu wants one)", host);
	*port = (unsigned)p;
	return 0;
}

static int toml_list(struct sb_buf *b, const char *key, const char *const *v, size_t n)
{
	int rc = sb_buf_printf(b, "%s=[", key);

	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = sb_buf_printf(b, "%s\n  \"%s\"", i ? "," : "", v[i]);
	return rc ? rc : sb_buf_puts(b, n ? "\n]\n" : "]\n");
}

void sb_besu_node_files_release(struct sb_besu_node_files *f)
{
	free(f->config_toml);
	free(f->permissions_toml);
	free(f->static_nodes_json);
	free(f->unit);
	memset(f, 0, sizeof(*f));
}

int sb_besu_node_files(struct sb_besu_node_files *out, const struct sb_besu_node_cfg *c)
{
	struct sb_buf b = SB_BUF_INIT(1 << 20);
	unsigned p2p = c->p2p_port ? c->p2p_port : 30303;
	unsigned rpc = c->rpc_port ? c->rpc_port : 8545;
	unsigned met = c->metrics_port ? c->metrics_port : 9545;
	json_t *sn = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!sb_ip_valid(c->host))
		return sb_error_set(SB_EINPUT, "besu: %s has no management IP address", c->node);
	/* every value below comes from the BOM (checked) or from enode URLs
	 * that were parsed, so none needs TOML escaping */
	for (size_t i = 0; i < c->nallow; i++) {
		unsigned char k[64];
		char h[64];
		unsigned pt;
		if ((rc = sb_besu_enode_parse(k, h, sizeof(h), &pt, c->allowlist[i])) != 0)
			return rc;
	}
	rc = sb_buf_printf(&b,
		"# Besu %s %s, written by siteboot (docs/besu.md)\n"
		"data-path=\"" SB_BESU_DATA "\"\n"
		"genesis-file=\"" SB_BESU_ETC "/genesis.json\"\n"
		"p2p-host=\"%s\"\np2p-port=%u\n"
		"rpc-http-enabled=true\nrpc-http-host=\"%s\"\nrpc-http-port=%u\n"
		"rpc-http-api=[\"ETH\",\"NET\",\"QBFT\"]\n"
		"host-allowlist=[\"%s\",\"localhost\",\"127.0.0.1\"]\n"
		"metrics-enabled=true\nmetrics-host=\"%s\"\nmetrics-port=%u\n"
		"static-nodes-file=\"" SB_BESU_ETC "/static-nodes.json\"\n"
		"permissions-nodes-config-file-enabled=true\n"
		"permissions-nodes-config-file=\"" SB_BESU_ETC "/permissions_config.toml\"\n"
		"sync-mode=\"FULL\"\n",
		c->role, c->node, c->host, p2p, c->host, rpc, c->host, c->host, met);
	if (rc == 0)
		rc = toml_list(&b, "bootnodes", c->bootnodes, c->nbootnodes);
	if (rc || (rc = sb_buf_detach(&out->config_toml, &b)))
		goto fail;
	sb_buf_init(&b, 1 << 20);
	rc = sb_buf_puts(&b, "# Node permissioning: the network's nodes, bootnodes included\n");
	if (rc == 0)
		rc = toml_list(&b, "nodes-allowlist", c->allowlist, c->nallow);
	if (rc || (rc = sb_buf_detach(&out->permissions_toml, &b)))
		goto fail;
	sn = json_array();
	for (size_t i = 0; sn && i < c->nstatic; i++)
		json_array_append_new(sn, json_string(c->static_nodes[i]));
	out->static_nodes_json = sn ? json_dumps(sn, JSON_INDENT(2)) : NULL;
	json_decref(sn);
	out->unit = sb_asprintf(
		"# Besu %s %s, written by siteboot\n"
		"[Unit]\nDescription=Hyperledger Besu (%s)\n"
		"After=network-online.target\nWants=network-online.target\n\n"
		"[Service]\nType=simple\nUser=besu\nGroup=besu\n"
		"ExecStart=" SB_BESU_HOME "/bin/besu --config-file=" SB_BESU_ETC "/config.toml\n"
		"Restart=on-failure\nRestartSec=5\nLimitNOFILE=65536\n"
		"NoNewPrivileges=true\nProtectSystem=full\nReadWritePaths=" SB_BESU_DATA "\n\n"
		"[Install]\nWantedBy=multi-user.target\n", c->role, c->node, c->role);
	if (!out->static_nodes_json || !out->unit) {
		rc = sb_error_set(SB_ENOMEM, "out of memory");
		goto fail;
	}
	return 0;
fail:
	sb_buf_release(&b);
	sb_besu_node_files_release(out);
	return rc ? rc : SB_ENOMEM;
}
