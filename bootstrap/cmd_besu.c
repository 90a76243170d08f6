/* siteboot besu genesis|address: the QBFT tools of the Besu recipe, for
 * the datacenter team too. */
#include "bootstrap/besu.h"
#include "bootstrap/cli.h"
#include "common/error.h"
#include "common/file.h"
#include "common/json.h"
#include "common/str.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const besu_verbs[] = { "genesis", "address", NULL };

enum { O_VALIDATORS, O_CHAIN_ID, O_BLOCK_PERIOD, O_EPOCH, O_TIMEOUT, O_OUTPUT, O_PUBKEY };

static const struct sb_opt besu_opts[] = {
	[O_VALIDATORS] = { "validators", 0, SB_OPT_ARG, "ADDR,...|FILE",
			   "genesis: the validator addresses, or a file of them (one per line, "
			   "or a JSON array)" },
	[O_CHAIN_ID] = { "chain-id", 0, SB_OPT_ARG, "N", "genesis: the chain id (default 1337)" },
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

static int genesis(struct sb_cli *cli, const char *validators,
		   const struct sb_besu_genesis_opts *o, const char *output)
{
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
	if (cli->json) {
		json_t *vals = json_array();
		for (size_t i = 0; i < n; i++) {
			char s[SB_ETH_ADDR_STRLEN];
			sb_eth_addr_format(s, &v[i]);
			json_array_append_new(vals, json_string(s));
		}
		json_t *rep = json_pack("{s:O, s:o, s:i, s:s?}", "genesis", doc,
					"validators", vals,
					"fault_tolerance", (int)sb_qbft_fault_tolerance(n),
					"output", output);
		rc = rep ? sb_cli_json_out(cli, rep) : sb_error_set(SB_ENOMEM, "out of memory");
	} else if (output) {
		if (cli->verbosity >= 0)
			printf("%s: QBFT genesis, chain id %llu, %zu validator%s "
			       "(tolerates %zu faulty)\n", output,
			       (unsigned long long)o->chain_id, n, n == 1 ? "" : "s",
			       sb_qbft_fault_tolerance(n));
	} else {
		rc = sb_json_write(stdout, doc);
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

static int parse_uint_opt(uint64_t *out, const char *arg, uint64_t max, const char *what)
{
	return sb_parse_u64(out, arg, max, what);
}

static int run_besu(struct sb_cli *cli, int argc, char **argv)
{
	struct sb_besu_genesis_opts o;
	struct sb_optparse op;
	const char *arg, *validators = NULL, *pubkey = NULL, *output = NULL;
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
		}
		if (rc)
			return sb_cli_usage_error(cli, "%s", sb_error_message());
	}
	if (strcmp(argv[1], "genesis") == 0) {
		if (!validators)
			return sb_cli_usage_error(cli, "genesis needs --validators ADDR,... or FILE");
		if (pubkey)
			return sb_cli_usage_error(cli, "--pubkey belongs to 'besu address'");
		return genesis(cli, validators, &o, output);
	}
	if (strcmp(argv[1], "address") == 0) {
		if (!pubkey)
			return sb_cli_usage_error(cli, "address needs --pubkey HEX or FILE");
		if (validators || output)
			return sb_cli_usage_error(cli, "--validators and --output belong to "
						  "'besu genesis'");
		return address(cli, pubkey);
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
		 "[--block-period S] [--epoch-length N] [--request-timeout S] [-o FILE]\n"
		 "siteboot besu address --pubkey HEX|FILE",
	.description =
		"'besu genesis' prints the genesis file of a Hyperledger Besu QBFT network whose "
		"validators are the given addresses: chainId, config.qbft (blockperiodseconds, "
		"epochlength, requesttimeoutseconds), difficulty 0x1, the QBFT mixHash, and "
		"extraData = RLP([32 zero bytes, [validators ascending], [], 0x80, []]). "
		"Addresses in mixed case must carry a correct EIP-55 checksum; duplicates are "
		"refused. With fewer than 4 validators it warns that the network tolerates no "
		"faulty validator. With --json it prints the genesis, the sorted validators "
		"and the fault tolerance.\n\n"
		"'besu address' prints the address (EIP-55) of a node's secp256k1 public key: "
		"the last 20 bytes of the Keccak-256 of x||y. The key may be 64 bytes (as "
		"'besu public-key export' writes it), 65 bytes starting 04, or 33 bytes "
		"compressed; it must be a point on the curve. See docs/besu.md.",
	.verbs = besu_verbs,
	.opts = besu_opts,
	.example = "siteboot besu genesis --validators validators.txt --chain-id 20261 "
		   "--block-period 2 -o genesis.json\n"
		   "siteboot besu address --pubkey /var/lib/besu/key.pub",
};
