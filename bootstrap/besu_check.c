/* The Besu recipe's verification over a node's JSON-RPC (libcurl):
 * /liveness and /readiness answer 200, net_peerCount reaches the expected
 * number, eth_blockNumber advances over two block periods, and
 * qbft_getValidatorsByBlockNumber("latest") is the validator set of the
 * genesis. The genesis block's hash is reported for the ledger. */
#include "bootstrap/besu.h"
#include "common/error.h"
#include "common/json.h"
#include "common/time.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

static size_t collect(char *p, size_t sz, size_t n, void *ctx)
{
	struct sb_buf *b = ctx;

	return sb_buf_append(b, p, sz * n) == 0 ? sz * n : 0;
}

/* One request: GET when body is NULL, else POST of JSON. */
static int http(long *status, struct sb_buf *resp, const char *url, const char *body)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	CURLcode cc;

	if (!c)
		return sb_error_set(SB_ENOMEM, "libcurl: cannot start");
	sb_buf_reset(resp);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	if (body) {
		h = curl_slist_append(h, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	}
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	if (cc != CURLE_OK)
		return sb_error_set(SB_ECONNECT, "besu RPC %s: %s", url, curl_easy_strerror(cc));
	return 0;
}

static int rpc(json_t **result, const char *url, const char *method, const char *params)
{
	struct sb_buf resp = SB_BUF_INIT(4u << 20);
	char body[512];
	json_t *doc = NULL;
	long st = 0;
	int rc;

	*result = NULL;
	snprintf(body, sizeof(body), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"%s\",\"params\":%s}",
		 method, params);
	if ((rc = http(&st, &resp, url, body)) != 0)
		goto out;
	if (st != 200) {
		rc = sb_error_set(SB_EPROTO, "besu RPC %s: HTTP %ld (is %s in rpc-http-api?)", method, st,
				  method);
		goto out;
	}
	if ((rc = sb_json_parse(&doc, resp.data ? resp.data : "", resp.len, 4u << 20, method)) != 0)
		goto out;
	json_t *err = json_object_get(doc, "error");
	if (err) {
		rc = sb_error_set(SB_EPROTO, "besu RPC %s: %s", method,
				  sb_json_str(err, "message") ? sb_json_str(err, "message") : "error");
		goto out;
	}
	*result = json_incref(json_object_get(doc, "result"));
	if (!*result)
		rc = sb_error_set(SB_EPROTO, "besu RPC %s: no result", method);
out:
	json_decref(doc);
	sb_buf_release(&resp);
	return rc;
}

static long hexnum(const json_t *v)
{
	const char *s = json_string_value(v);

	if (!s || !sb_startswith(s, "0x") || strlen(s) > 18)
		return -1;
	return strtol(s + 2, NULL, 16);
}

static int add(struct sb_buf *b, const char *msg)
{
	return sb_buf_printf(b, "%s%s", b->len ? "; " : "", msg);
}

int sb_besu_check(struct sb_besu_check *res, const char *base, const struct sb_eth_addr *vals,
		  size_t nvals, unsigned block_period, long min_peers)
{
	struct sb_buf resp = SB_BUF_INIT(1 << 16), problems = SB_BUF_INIT(1 << 16);
	char url[1024], msg[512];
	json_t *r = NULL;
	long st;
	int rc;

	memset(res, 0, sizeof(*res));
	res->peers = res->block0 = res->block1 = -1;
	for (int i = 0; i < 2; i++) {
		const char *path = i ? "/readiness" : "/liveness";
		snprintf(url, sizeof(url), "%s%s", base, path);
		if ((rc = http(&st, &resp, url, NULL)) != 0)
			goto out;
		if (st != 200) {
			snprintf(msg, sizeof(msg), "%s answers HTTP %ld", path, st);
			add(&problems, msg);
		}
	}
	if ((rc = rpc(&r, base, "net_peerCount", "[]")) != 0)
		goto out;
	res->peers = hexnum(r);
	json_decref(r);
	if (res->peers < min_peers) {
		snprintf(msg, sizeof(msg), "%ld peer%s, expected %ld: a peer is missing", res->peers,
			 res->peers == 1 ? "" : "s", min_peers);
		add(&problems, msg);
	}
	if ((rc = rpc(&r, base, "eth_blockNumber", "[]")) != 0)
		goto out;
	res->block0 = hexnum(r);
	json_decref(r);
	sb_time_sleep_ms(2000ULL * block_period);
	if ((rc = rpc(&r, base, "eth_blockNumber", "[]")) != 0)
		goto out;
	res->block1 = hexnum(r);
	json_decref(r);
	if (res->block1 <= res->block0) {
		snprintf(msg, sizeof(msg), "no new block in %u s (block %ld): the validators are not "
			 "making blocks", 2 * block_period, res->block1);
		add(&problems, msg);
	}
	if ((rc = rpc(&r, base, "qbft_getValidatorsByBlockNumber", "[\"latest\"]")) != 0)
		goto out;
	size_t got = json_array_size(r), same = 0;
	for (size_t i = 0; i < got; i++) {
		struct sb_eth_addr a;
		const char *s = json_string_value(json_array_get(r, i));
		if (!s || sb_eth_addr_parse(&a, s, "qbft_getValidatorsByBlockNumber") != 0)
			continue;
		for (size_t k = 0; k < nvals; k++)
			same += sb_eth_addr_cmp(&a, &vals[k]) == 0;
	}
	sb_error_clear();
	json_decref(r);
	res->validators = got;
	if (got != nvals || same != nvals) {
		snprintf(msg, sizeof(msg), "the chain's validators (%zu) are not the %zu of the genesis",
			 got, nvals);
		add(&problems, msg);
	}
	if ((rc = rpc(&r, base, "eth_getBlockByNumber", "[\"0x0\", false]")) != 0)
		goto out;
	sb_strlcpy(res->genesis_hash, sb_json_str(r, "hash") ? sb_json_str(r, "hash") : "",
		   sizeof(res->genesis_hash));
	json_decref(r);
	rc = 0;
	if (problems.len) {
		sb_strlcpy(res->problems, problems.data, sizeof(res->problems));
		rc = sb_error_set(SB_EFAILED, "besu %s: %s", base, problems.data);
	}
out:
	sb_buf_release(&resp);
	sb_buf_release(&problems);
	return rc;
}
