/* siteboot besu genesis|address: the QBFT tools of the Besu recipe, for
 * the datacenter team too. */
#include "bootstrap/besu.h"
#include "bootstrap/cli.h"
#include "common/error.h"
#include "common/file.h"
#include "common/json.h"
#include "common/str.h"
#include "bom/bom.h"
#include "inventory/inventory.h"

#include <openssl/sha.h>
#include <strings.h>

#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const besu_verbs[] = { "genesis", "address", "node-config", "check", NULL };

enum { O_VALIDATORS, O_CHAIN_ID, O_BLOCK_PERIOD, O_EPOCH, O_TIMEOUT, O_OUTPUT, O_PUBKEY,
       O_SITE, O_NODE, O_NETWORK, O_OUT, O_RPC, O_PEERS, O_RECORD };

static const struct sb_opt besu_opts[] = {
	[O_VALIDATORS] = { "validators", 0, SB_OPT_ARG, "ADDR,...|FILE",
			   "genesis: the validator addresses, or a file of them (one per line, "
			   "or a JSON array)" },
	[O_CHAIN_ID] = { "chain-id", 0, SB_OPT_ARG, "N",
			 "genesis: the chain id (default 1337); check: the chain id the network's "
			 "genesis must have (the BOM's besu.chain_id)" },
	[O_BLOCK_PERIOD] = { "block-period", 0, SB_OPT_ARG, "S",
			     "genesis: seconds between blocks (default 5)" },
	[O_EPOCH] = { "epoch-length", 0, SB_OPT_ARG, "N",
		      "genesis: blocks per epoch, when votes reset (default 30000)" },
	[O_TIMEOUT] = { "request-timeout", 0, SB_OPT_ARG, "S",
			"genesis: seconds before a round changes (default twice the block period)" },
	[O_OUTPUT] = { "output", 'o', SB_OPT_ARG, "FILE",
		       "genesis: write the genesis file there (atomically) instead of "
		       "standard output" },
	[O_PUBKEY] = { "pubkey", 0, SB_OPT_ARG, "HEX|FILE",
		       "address: the node's secp256k1 public key in hex, or a file holding "
		       "it ('besu public-key export --to=FILE')" },
	[O_SITE] = { "site", 0, SB_OPT_ARG, "FILE", "node-config: the site BOM" },
	[O_NODE] = { "node", 0, SB_OPT_ARG, "NAME", "node-config: the BOM node" },
	[O_NETWORK] = { "network", 0, SB_OPT_ARG, "DIR",
			"node-config, check: the network's files: genesis.json, nodes.txt (every "
			"enode URL), bootnodes.txt" },
	[O_OUT] = { "out", 0, SB_OPT_ARG, "DIR", "node-config: where to write the node's files" },
	[O_RPC] = { "rpc", 0, SB_OPT_ARG, "URL", "check: the node's JSON-RPC, http://HOST:8545" },
	[O_PEERS] = { "peers", 0, SB_OPT_ARG, "N",
		      "check: peers expected at least (default: validators - 1)" },
	[O_RECORD] = { "record", 0, SB_OPT_NONE, NULL,
		       "genesis: append a besu.genesis event (chain id, genesis block hash, "
		       "validators, extraData, parameters) to the inventory ledger" },
	{ NULL, 0, SB_OPT_NONE, NULL, NULL },
};

static bool looks_hex(const char *s)
{
	if (sb_startswith(s, "0x") || sb_startswith(s, "0X"))
		return true;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s))
			return false;
	return true;
}

/* A value that is a list when it starts with 0x or holds a comma, and a
 * file name otherwise. */
static int read_arg_or_file(char **out, const char *val, bool inline_value)
{
	size_t len;

	if (inline_value) {
		*out = sb_strdup(val);
		return *out ? 0 : sb_error_set(SB_ENOMEM, "out of memory");
	}
	return sb_file_read(out, &len, val, 1 << 20);
}

/* The besu.genesis ledger event: what the network is, so that a node's
 * genesis block can be checked against it later (besu check). */
static int record_genesis(struct sb_cli *cli, const json_t *doc, const char *hash,
			  const struct sb_eth_addr *v, size_t n, const char *output, int64_t *seq)
{
	const json_t *cfg = json_object_get(doc, "config"), *q = json_object_get(cfg, "qbft");
	json_t *vals = json_array(), *ev;
	struct sb_inv *db = NULL;
	char *canon = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	unsigned char md[32];
	char sha[65];
	int rc;

	for (size_t i = 0; vals && i < n; i++) {
		char a[SB_ETH_ADDR_STRLEN];
		sb_eth_addr_format_lower(a, &v[i]);
		json_array_append_new(vals, json_string(a));
	}
	if (!canon || !vals) {
		free(canon);
		json_decref(vals);
		return sb_error_set(SB_ENOMEM, "out of memory");
	}
	SHA256((const unsigned char *)canon, strlen(canon), md);
	sb_hex(sha, md, 32);
	free(canon);
	ev = json_pack("{s:O, s:s, s:o, s:i, s:O, s:O, s:O, s:O, s:s, s:s?}",
		       "chain_id", json_object_get(cfg, "chainId"), "genesis_hash", hash,
		       "validators", vals, "fault_tolerance", (int)sb_qbft_fault_tolerance(n),
		       "extra_data", json_object_get(doc, "extraData"),
		       "block_period", json_object_get(q, "blockperiodseconds"),
		       "epoch_length", json_object_get(q, "epochlength"),
		       "request_timeout", json_object_get(q, "requesttimeoutseconds"),
		       "genesis_sha256", sha, "file", output);
	if (!ev)
		return sb_error_set(SB_ENOMEM, "out of memory");
	rc = sb_inv_open(&db, sb_cli_db_path(cli), 0);
	if (rc == 0)
		rc = sb_inv_ledger_append_seq(db, "siteboot besu", "besu.genesis", ev, seq);
	sb_inv_close(db);
	json_decref(ev);
	if (rc)
		sb_error_prefix("recording besu.genesis in %s: ", sb_cli_db_path(cli));
	return rc;
}

static int genesis(struct sb_cli *cli, const char *validators,
		   const struct sb_besu_genesis_opts *o, const char *output, bool rec)
{
	char hash[67] = "";
	int64_t seq = 0;
	struct sb_eth_addr *v = NULL;
	size_t n = 0;
	char *text = NULL, *dump = NULL;
	json_t *doc = NULL;
	bool inline_value = sb_startswith(validators, "0x") ||
			    sb_startswith(validators, "0X") || strchr(validators, ',');
	int rc;

	rc = read_arg_or_file(&text, validators, inline_value);
	if (rc == 0)
		rc = sb_besu_validators_parse(&v, &n, text,
					      inline_value ? "--validators" : validators);
	if (rc == 0)
		rc = sb_besu_genesis(&doc, o, v, n);
	if (rc == 0)
		rc = sb_besu_genesis_hash(hash, doc);
	if (rc)
		goto out;
	if (n < 4)
		sb_cli_warn(cli, "%zu validator%s tolerate%s no faulty validator: QBFT needs "
			    "4 or more to keep making blocks when one is down", n,
			    n == 1 ? "" : "s", n == 1 ? "s" : "");
	if (output) {
		dump = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (!dump) {
			rc = sb_error_set(SB_ENOMEM, "out of memory");
			goto out;
		}
		size_t dl = strlen(dump);
		char *withnl = sb_asprintf("%s\n", dump);
		rc = withnl ? sb_file_write_atomic(output, withnl, dl + 1, 0644)
			    : sb_error_set(SB_ENOMEM, "out of memory");
		free(withnl);
		if (rc)
			goto out;
	}
	if (rec && (rc = record_genesis(cli, doc, hash, v, n, output, &seq)) != 0)
		goto out;
	if (cli->json) {
		json_t *vals = json_array();
		for (size_t i = 0; i < n; i++) {
			char s[SB_ETH_ADDR_STRLEN];
			sb_eth_addr_format(s, &v[i]);
			json_array_append_new(vals, json_string(s));
		}
		json_t *rep = json_pack("{s:O, s:o, s:i, s:s?, s:s, s:o}", "genesis", doc,
					"validators", vals,
					"fault_tolerance", (int)sb_qbft_fault_tolerance(n),
					"output", output, "genesis_hash", hash,
					"ledger_seq", seq ? json_integer(seq) : json_null());
		rc = rep ? sb_cli_json_out(cli, rep) : sb_error_set(SB_ENOMEM, "out of memory");
	} else if (output) {
		if (cli->verbosity >= 0)
			printf("%s: QBFT genesis, chain id %llu, %zu validator%s "
			       "(tolerates %zu faulty), genesis block %s\n", output,
			       (unsigned long long)o->chain_id, n, n == 1 ? "" : "s",
			       sb_qbft_fault_tolerance(n), hash);
		if (seq && cli->verbosity >= 0)
			printf("recorded as ledger event %lld (besu.genesis)\n", (long long)seq);
	} else {
		rc = sb_json_write(stdout, doc);
		if (seq && cli->verbosity >= 0)	/* stdout holds the genesis alone */
			fprintf(stderr, "genesis block %s, recorded as ledger event %lld "
				"(besu.genesis)\n", hash, (long long)seq);
	}
out:
	json_decref(doc);
	free(dump);
	free(text);
	free(v);
	return rc ? sb_cli_fail(cli, rc) : SB_EXIT_OK;
}

static int address(struct sb_cli *cli, const char *pubkey)
{
	unsigned char pub[64];
	char *text = NULL, hex[129], addr[SB_ETH_ADDR_STRLEN], lower[SB_ETH_ADDR_STRLEN];
	struct sb_eth_addr a;
	int rc;

	rc = read_arg_or_file(&text, pubkey, looks_hex(pubkey));
	if (rc == 0)
		rc = sb_besu_pubkey_parse(pub, sb_trim(text));
	if (rc) {
		free(text);
		return sb_cli_fail(cli, rc);
	}
	free(text);
	sb_besu_address(&a, pub);
	sb_eth_addr_format(addr, &a);
	sb_eth_addr_format_lower(lower, &a);
	sb_hex(hex, pub, sizeof(pub));
	if (cli->json) {
		char enode_id[131];
		snprintf(enode_id, sizeof(enode_id), "0x%s", hex);
		rc = sb_cli_json_out(cli, json_pack("{s:s, s:s, s:s}", "address", addr,
						    "address_lower", lower, "public_key",
						    enode_id));
		return rc ? sb_cli_fail(cli, rc) : SB_EXIT_OK;
	}
	printf("%s\n", addr);
	return SB_EXIT_OK;
}

/* Lines of a text file that are not blank or '#' comments. */
static int read_lines(struct sb_strv *out, const char *path, bool optional)
{
	char *text = NULL, *save = NULL;
	size_t len;
	int rc;

	if (optional && access(path, F_OK) != 0)
		return 0;
	if ((rc = sb_file_read(&text, &len, path, 1 << 20)) != 0)
		return rc;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *t = sb_trim(l);
		if (*t && *t != '#' && (rc = sb_strv_push(out, t)) != 0)
			break;
	}
	free(text);
	return rc;
}

/* The network's genesis.json in dir: its validators, block period, chain
 * id and (when hash is not NULL) the hash of the block it makes. */
static int load_genesis(struct sb_eth_addr **v, size_t *n, unsigned *period, const char *dir,
			uint64_t *chain_id, char hash[67])
{
	char path[4200], *text = NULL;
	size_t len;
	json_t *doc = NULL;
	int rc;

	snprintf(path, sizeof(path), "%s/genesis.json", dir);
	if ((rc = sb_file_read(&text, &len, path, 16u << 20)) != 0)
		return rc;
	rc = sb_json_parse(&doc, text, len, 16u << 20, path);
	free(text);
	if (rc)
		return rc == SB_EPROTO ? sb_error_set(SB_EINPUT, "%s", sb_error_message()) : rc;
	const char *extra = sb_json_str(doc, "extraData");
	long long bp = 0;
	sb_json_int(sb_json_obj(sb_json_obj(doc, "config"), "qbft"), "blockperiodseconds", &bp);
	size_t el = extra ? strlen(extra) : 0;
	unsigned char *raw = el > 2 ? malloc(el / 2) : NULL;
	if (!extra || !sb_startswith(extra, "0x") || el % 2 || !raw || bp <= 0 ||
	    sb_unhex(raw, el / 2 - 1, extra + 2) != 0) {
		free(raw);
		json_decref(doc);
		return sb_error_set(SB_EINPUT, "%s: not a QBFT genesis (extraData, config.qbft."
				    "blockperiodseconds): make it with 'siteboot besu genesis'", path);
	}
	rc = sb_besu_qbft_extra_data_decode(v, n, raw, el / 2 - 1);
	free(raw);
	long long cid = 0;
	sb_json_int(sb_json_obj(doc, "config"), "chainId", &cid);
	if (chain_id)
		*chain_id = cid > 0 ? (uint64_t)cid : 0;
	if (rc == 0 && hash)
		rc = sb_besu_genesis_hash(hash, doc);
	json_decref(doc);
	*period = (unsigned)bp;
	return rc ? sb_error_prefix("%s: ", path) : 0;
}

static int write_tar(const char *path, const char *const *names, const char *const *texts, size_t n)
{
	struct archive *a = archive_write_new();
	char tmp[4200];
	int rc = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (!a || archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_open_filename(a, tmp) != ARCHIVE_OK) {
		rc = sb_error_set(SB_EIO, "%s: %s", path, a ? archive_error_string(a) : "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct archive_entry *e = archive_entry_new();
		size_t len = strlen(texts[i]);
		archive_entry_set_pathname(e, names[i]);
		archive_entry_set_size(e, (la_int64_t)len);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_uname(e, "root");
		archive_entry_set_gname(e, "root");
		if (archive_write_header(a, e) != ARCHIVE_OK ||
		    archive_write_data(a, texts[i], len) != (la_ssize_t)len)
			rc = sb_error_set(SB_EIO, "%s: %s", path, archive_error_string(a));
		archive_entry_free(e);
	}
	if (rc == 0 && archive_write_close(a) != ARCHIVE_OK)
		rc = sb_error_set(SB_EIO, "%s: %s", path, archive_error_string(a));
	if (rc == 0 && rename(tmp, path) != 0)
		rc = sb_error_set(SB_EIO, "%s: cannot put it in place", path);
out:
	archive_write_free(a);
	if (rc)
		unlink(tmp);
	return rc;
}

static int node_config(struct sb_cli *cli, const char *site, const char *node, const char *net,
		       const char *pubkey, const char *outdir)
{
	struct sb_strv nodes = { 0 }, boot = { 0 }, allow = { 0 }, stat = { 0 };
	struct sb_besu_node_files f = { 0 };
	struct sb_site *s = NULL;
	struct sb_diags d;
	struct sb_eth_addr *v = NULL;
	size_t nv = 0;
	unsigned period = 0;
	unsigned char pub[64];
	char *text = NULL, *self = NULL, path[4200];
	const char *role = NULL;
	int rc;

	sb_diags_init(&d);
	if ((rc = sb_bom_load(&s, site, &d)) != 0) {
		sb_cli_diags_print(cli, &d);
		goto out;
	}
	const struct sb_bom_node *n = sb_bom_host_find(s, node);
	if (!n) {
		rc = sb_error_set(SB_EINPUT, "no node '%s' in %s", node, site);
		goto out;
	}
	role = sb_bom_node_has_role(n, "validator") ? "validator" :
	       sb_bom_node_has_role(n, "read-replica") ? "read-replica" :
	       sb_bom_node_has_role(n, "query-node") ? "query-node" : NULL;
	if (!role) {
		rc = sb_error_set(SB_EINPUT, "%s has no Besu role in the BOM (validator, read-replica, "
				  "query-node)", node);
		goto out;
	}
	if ((rc = read_arg_or_file(&text, pubkey, looks_hex(pubkey))) != 0 ||
	    (rc = sb_besu_pubkey_parse(pub, sb_trim(text))) != 0 ||
	    (rc = sb_besu_enode(&self, pub, n->mgmt.ip ? n->mgmt.ip : "", 30303)) != 0)
		goto out;
	if ((rc = load_genesis(&v, &nv, &period, net, NULL, NULL)) != 0)
		goto out;
	snprintf(path, sizeof(path), "%s/nodes.txt", net);
	if ((rc = read_lines(&nodes, path, false)) != 0)
		goto out;
	snprintf(path, sizeof(path), "%s/bootnodes.txt", net);
	if ((rc = read_lines(&boot, path, true)) != 0)
		goto out;
	/* the allowlist: every node of the network, bootnodes and this one included */
	for (size_t i = 0; rc == 0 && i < nodes.n; i++)
		if (!sb_strv_contains(&allow, nodes.v[i]))
			rc = sb_strv_push(&allow, nodes.v[i]);
	for (size_t i = 0; rc == 0 && i < boot.n; i++)
		if (!sb_strv_contains(&allow, boot.v[i]))
			rc = sb_strv_push(&allow, boot.v[i]);
	if (rc == 0 && !sb_strv_contains(&allow, self))
		rc = sb_strv_push(&allow, self);
	/* validators keep each other; the others keep the bootnodes */
	const struct sb_strv *src = strcmp(role, "validator") == 0 || boot.n == 0 ? &nodes : &boot;
	for (size_t i = 0; rc == 0 && i < src->n; i++)
		if (strcmp(src->v[i], self) != 0)
			rc = sb_strv_push(&stat, src->v[i]);
	if (rc)
		goto out;
	struct sb_besu_node_cfg c = {
		.node = node, .role = role, .host = n->mgmt.ip ? n->mgmt.ip : "",
		.static_nodes = (const char *const *)stat.v, .nstatic = stat.n,
		.bootnodes = (const char *const *)boot.v, .nbootnodes = boot.n,
		.allowlist = (const char *const *)allow.v, .nallow = allow.n,
	};
	if ((rc = sb_besu_node_files(&f, &c)) != 0 || (rc = sb_mkdir_p(outdir, 0755)) != 0)
		goto out;
	char *genesis = NULL;
	size_t glen;
	snprintf(path, sizeof(path), "%s/genesis.json", net);
	if ((rc = sb_file_read(&genesis, &glen, path, 16u << 20)) != 0)
		goto out;
	const char *names[] = { "etc/besu/config.toml", "etc/besu/permissions_config.toml",
				"etc/besu/static-nodes.json", "etc/besu/genesis.json",
				"etc/systemd/system/besu.service" };
	const char *texts[] = { f.config_toml, f.permissions_toml, f.static_nodes_json, genesis, f.unit };
	for (size_t i = 0; rc == 0 && i < 5; i++) {
		snprintf(path, sizeof(path), "%s/%s", outdir, strrchr(names[i], '/') + 1);
		rc = sb_file_write_atomic(path, texts[i], strlen(texts[i]), 0644);
	}
	snprintf(path, sizeof(path), "%s/files.tar", outdir);
	if (rc == 0)
		rc = write_tar(path, names, texts, 5);
	free(genesis);
	if (rc)
		goto out;
	if (cli->json)
		rc = sb_cli_json_out(cli, json_pack("{s:s, s:s, s:s, s:i, s:i, s:s}", "node", node, "role",
						    role, "enode", self, "static_nodes", (int)stat.n,
						    "allowlist", (int)allow.n, "out", outdir));
	else
		printf("%s\n", self);
out:
	sb_diags_release(&d);
	sb_besu_node_files_release(&f);
	sb_strv_release(&nodes);
	sb_strv_release(&boot);
	sb_strv_release(&allow);
	sb_strv_release(&stat);
	free(self);
	free(text);
	free(v);
	sb_bom_free(s);
	return rc ? sb_cli_fail(cli, rc) : SB_EXIT_OK;
}

/* The genesis hash the node must have: the ledger's latest besu.genesis
 * event when this appliance recorded one, else the one the network's
 * genesis.json makes. A recorded hash that genesis.json does not make
 * is a problem of its own: the network's files changed. */
static void expected_genesis(struct sb_cli *cli, const char *file_hash, char want[67],
			     char *from, size_t fsize, struct sb_buf *problems)
{
	struct sb_inv *db = NULL;
	json_t *ev = NULL;
	int64_t seq = 0;

	sb_strlcpy(want, file_hash, 67);
	snprintf(from, fsize, "genesis.json");
	if (access(sb_cli_db_path(cli), F_OK) == 0 &&
	    sb_inv_open(&db, sb_cli_db_path(cli), SB_INV_READONLY) == 0 &&
	    sb_inv_ledger_last(db, "besu.genesis", &seq, &ev) == 0) {
		const char *h = sb_json_str(ev, "genesis_hash");
		if (h && strlen(h) == 66) {
			sb_strlcpy(want, h, 67);
			snprintf(from, fsize, "ledger event %lld", (long long)seq);
			if (strcasecmp(h, file_hash) != 0)
				sb_buf_printf(problems, "%sthe network's genesis.json makes block %s, "
					      "not the %s recorded in ledger event %lld",
					      problems->len ? "; " : "", file_hash, h, (long long)seq);
		}
	}
	json_decref(ev);
	sb_inv_close(db);
	sb_error_clear();
}

static int check(struct sb_cli *cli, const char *rpc_url, const char *net, long peers,
		 uint64_t want_chain)
{
	struct sb_eth_addr *v = NULL;
	struct sb_besu_check res;
	struct sb_buf problems = SB_BUF_INIT(4096);
	size_t nv = 0;
	unsigned period = 0;
	uint64_t chain = 0;
	char file_hash[67], want[67], from[64];
	int rc;

	if ((rc = load_genesis(&v, &nv, &period, net, &chain, file_hash)) != 0)
		return sb_cli_fail(cli, rc);
	if (peers < 0)
		peers = nv > 1 ? (long)nv - 1 : 1;
	rc = sb_besu_check(&res, rpc_url, v, nv, period, peers);
	free(v);
	if (rc && rc != SB_EFAILED) {
		sb_buf_release(&problems);
		return sb_cli_fail(cli, rc);
	}
	if (res.problems[0])
		sb_buf_puts(&problems, res.problems);
	if (want_chain && chain != want_chain)
		sb_buf_printf(&problems, "%sthe network's genesis is chain %llu, the site's BOM says "
			      "besu.chain_id %llu", problems.len ? "; " : "",
			      (unsigned long long)chain, (unsigned long long)want_chain);
	expected_genesis(cli, file_hash, want, from, sizeof(from), &problems);
	bool genesis_ok = strcasecmp(res.genesis_hash, want) == 0;
	if (!genesis_ok)
		sb_buf_printf(&problems, "%sthe node's genesis block is %s, the network's is %s (%s): "
			      "it runs another chain", problems.len ? "; " : "",
			      res.genesis_hash[0] ? res.genesis_hash : "(none)", want, from);
	bool healthy = problems.len == 0;
	if (cli->json) {
		sb_cli_json_out(cli, json_pack("{s:b, s:i, s:i, s:i, s:i, s:s, s:s, s:s, s:b, s:I, s:s?}",
					       "healthy", healthy,
					       "peers", (int)res.peers, "block_before", (int)res.block0,
					       "block_after", (int)res.block1, "validators",
					       (int)res.validators, "genesis_hash", res.genesis_hash,
					       "genesis_expected", want, "genesis_from", from,
					       "genesis_ok", genesis_ok, "chain_id", (json_int_t)chain,
					       "problems", healthy ? NULL : problems.data));
	} else if (healthy) {
		printf("besu %s: live and ready, %ld peers, blocks %ld -> %ld, %zu validators, "
		       "chain %llu, genesis %s (as %s)\n", rpc_url, res.peers, res.block0, res.block1,
		       res.validators, (unsigned long long)chain, res.genesis_hash, from);
	}
	if (!healthy)
		fprintf(stderr, "siteboot besu: error: %s is not healthy: %s\n", rpc_url, problems.data);
	sb_buf_release(&problems);
	sb_error_clear();
	return healthy ? SB_EXIT_OK : SB_EXIT_PROBLEMS;
}

static int parse_uint_opt(uint64_t *out, const char *arg, uint64_t max, const char *what)
{
	return sb_parse_u64(out, arg, max, what);
}

static int run_besu(struct sb_cli *cli, int argc, char **argv)
{
	struct sb_besu_genesis_opts o;
	struct sb_optparse op;
	const char *arg, *validators = NULL, *pubkey = NULL, *output = NULL;
	const char *site = NULL, *node = NULL, *net = NULL, *outdir = NULL, *rpc_url = NULL;
	long peers = -1;
	bool rec = false, chain_given = false;
	uint64_t v;
	int k;

	if (argc < 2 || argv[1][0] == '-')
		return sb_cli_usage_error(cli, "say 'genesis' or 'address'");
	sb_besu_genesis_opts_init(&o);
	sb_optparse_init(&op, argc - 1, argv + 1);
	while ((k = sb_optparse_next(&op, cli, besu_opts, &arg)) != -2) {
		int rc = 0;
		switch (k) {
		case -3:
			return SB_EXIT_USAGE;
		case -1:
			if (pubkey || strcmp(argv[1], "address") != 0)
				return sb_cli_usage_error(cli, "unexpected argument '%s'", arg);
			pubkey = arg;
			break;
		case O_VALIDATORS:
			validators = arg;
			break;
		case O_CHAIN_ID:
			rc = parse_uint_opt(&o.chain_id, arg, (1ULL << 53) - 1, "--chain-id");
			chain_given = true;
			break;
		case O_RECORD:
			rec = true;
			break;
		case O_BLOCK_PERIOD:
			rc = parse_uint_opt(&v, arg, 3600, "--block-period");
			o.block_period = (unsigned)v;
			break;
		case O_EPOCH:
			rc = parse_uint_opt(&v, arg, 1000000000, "--epoch-length");
			o.epoch_length = (unsigned)v;
			break;
		case O_TIMEOUT:
			rc = parse_uint_opt(&v, arg, 7200, "--request-timeout");
			o.request_timeout = (unsigned)v;
			break;
		case O_OUTPUT:
			output = arg;
			break;
		case O_PUBKEY:
			pubkey = arg;
			break;
		case O_SITE: site = arg; break;
		case O_NODE: node = arg; break;
		case O_NETWORK: net = arg; break;
		case O_OUT: outdir = arg; break;
		case O_RPC: rpc_url = arg; break;
		case O_PEERS:
			rc = parse_uint_opt(&v, arg, 10000, "--peers");
			peers = (long)v;
			break;
		}
		if (rc)
			return sb_cli_usage_error(cli, "%s", sb_error_message());
	}
	if (strcmp(argv[1], "genesis") == 0) {
		if (!validators)
			return sb_cli_usage_error(cli, "genesis needs --validators ADDR,... or FILE");
		if (pubkey)
			return sb_cli_usage_error(cli, "--pubkey belongs to 'besu address'");
		return genesis(cli, validators, &o, output, rec);
	}
	if (strcmp(argv[1], "address") == 0) {
		if (!pubkey)
			return sb_cli_usage_error(cli, "address needs --pubkey HEX or FILE");
		if (validators || output)
			return sb_cli_usage_error(cli, "--validators and --output belong to "
						  "'besu genesis'");
		return address(cli, pubkey);
	}
	if (strcmp(argv[1], "node-config") == 0) {
		if (!site || !node || !net || !pubkey || !outdir)
			return sb_cli_usage_error(cli, "node-config needs --site, --node, --network, "
						  "--pubkey and --out");
		return node_config(cli, site, node, net, pubkey, outdir);
	}
	if (strcmp(argv[1], "check") == 0) {
		if (!rpc_url || !net)
			return sb_cli_usage_error(cli, "check needs --rpc URL and --network DIR");
		if (rec)
			return sb_cli_usage_error(cli, "--record belongs to 'besu genesis'");
		return check(cli, rpc_url, net, peers, chain_given ? o.chain_id : 0);
	}
	const char *best = sb_did_you_mean(argv[1], besu_verbs);
	if (best)
		return sb_cli_usage_error(cli, "unknown verb '%s'; did you mean '%s'?", argv[1], best);
	return sb_cli_usage_error(cli, "unknown verb '%s'; say 'genesis' or 'address'", argv[1]);
}

const struct sb_cmd sb_cmd_besu = {
	.name = "besu",
	.run = run_besu,
	.summary = "QBFT genesis and address tools for the site's Besu network",
	.usage = "siteboot besu genesis --validators ADDR,...|FILE [--chain-id N] "
		 "[--block-period S] [--epoch-length N] [--request-timeout S] [-o FILE] [--record]\n"
		 "siteboot besu address --pubkey HEX|FILE\n"
		 "siteboot besu node-config --site FILE --node NAME --network DIR --pubkey HEX|FILE --out DIR\n"
		 "siteboot besu check --rpc URL --network DIR [--peers N] [--chain-id N]",
	.description =
		"'besu genesis' prints the genesis file of a Hyperledger Besu QBFT network whose "
		"validators are the given addresses: chainId, config.qbft (blockperiodseconds, "
		"epochlength, requesttimeoutseconds), difficulty 0x1, the QBFT mixHash, and "
		"extraData = RLP([32 zero bytes, [validators ascending], [], 0x80, []]). "
		"Addresses in mixed case must carry a correct EIP-55 checksum; duplicates are "
		"refused. With fewer than 4 validators it warns that the network tolerates no "
		"faulty validator. It also computes the hash of the genesis block the file makes "
		"(Keccak-256 of the block header's RLP; pre-London headers, empty alloc). With "
		"--json it prints the genesis, the sorted validators, the fault tolerance and "
		"the genesis hash. --record appends a besu.genesis event to the inventory ledger: "
		"chain_id, genesis_hash, validators, extra_data, block_period, epoch_length, "
		"request_timeout, fault_tolerance and the SHA-256 of the genesis (canonical "
		"JSON).\n\n"
		"'besu address' prints the address (EIP-55) of a node's secp256k1 public key: "
		"the last 20 bytes of the Keccak-256 of x||y. The key may be 64 bytes (as "
		"'besu public-key export' writes it), 65 bytes starting 04, or 33 bytes "
		"compressed; it must be a point on the curve.\n\n"
		"'besu node-config' writes a node's config.toml (data path, genesis, P2P and RPC on "
		"the management address with ETH,NET,QBFT, host allowlist, metrics), "
		"static-nodes.json, permissions_config.toml (every node of the network, bootnodes "
		"and itself included), besu.service and the genesis, and files.tar of them to "
		"unpack at / on the node; it prints the node's enode URL. The network's files "
		"(genesis.json, nodes.txt, bootnodes.txt) come from --network DIR.\n\n"
		"'besu check' asks a node's JSON-RPC: /liveness and /readiness 200, net_peerCount "
		"at least --peers (default validators - 1), eth_blockNumber advancing over two block "
		"periods, qbft_getValidatorsByBlockNumber(latest) equal to the genesis validators, "
		"and the genesis block (eth_getBlockByNumber 0x0) equal to the latest besu.genesis "
		"event of the ledger, or, when this appliance recorded none, to the block the "
		"network's genesis.json makes; a recorded hash that genesis.json does not make is "
		"a problem too. --chain-id N: the network's genesis must be chain N (the BOM's "
		"besu.chain_id). Exit 1 names every problem. See docs/besu.md.",
	.verbs = besu_verbs,
	.opts = besu_opts,
	.example = "siteboot besu genesis --validators validators.txt --chain-id 20261 "
		   "--block-period 2 -o genesis.json --record\n"
		   "siteboot besu address --pubkey /var/lib/besu/key.pub",
};
