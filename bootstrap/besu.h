/* siteboot: Hyperledger Besu QBFT tools — addresses, the genesis file the
 * appliance builds itself, and the per-node files of the Besu recipe.
 *
 * QBFT genesis (Besu docs, "QBFT" and "Genesis file"): config.qbft holds
 * blockperiodseconds, epochlength and requesttimeoutseconds; difficulty is
 * 0x1; mixHash is the QBFT constant 0x6374...6365; extraData is
 *   RLP([32 zero bytes, [validator addresses, ascending], [], 0x80, []])
 * i.e. vanity, validators, no vote, round 0 (the empty string) and no
 * committed seals. */
#ifndef SB_BOOTSTRAP_BESU_H
#define SB_BOOTSTRAP_BESU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/str.h"

#define SB_ETH_ADDR_LEN 20
/* "0x" + 40 hex digits + NUL */
#define SB_ETH_ADDR_STRLEN 43
#define SB_QBFT_MIXHASH "0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365"
/* Validators we accept in one genesis; QBFT networks are small. */
#define SB_QBFT_MAX_VALIDATORS 1024

struct sb_eth_addr {
	unsigned char b[SB_ETH_ADDR_LEN];
};

/* Parse "0x" + 40 hex digits. All-lower or all-upper case is taken as is;
 * mixed case must carry a correct EIP-55 checksum (a typo guard).
 * SB_EINPUT names `what`. */
int sb_eth_addr_parse(struct sb_eth_addr *out, const char *text,
		      const char *what);
/* EIP-55 mixed-case checksum form. */
void sb_eth_addr_format(char out[SB_ETH_ADDR_STRLEN], const struct sb_eth_addr *a);
/* All lower case, as Besu prints addresses. */
void sb_eth_addr_format_lower(char out[SB_ETH_ADDR_STRLEN], const struct sb_eth_addr *a);
int sb_eth_addr_cmp(const struct sb_eth_addr *a, const struct sb_eth_addr *b);

/* A secp256k1 public key as hex (optional "0x"): 64 bytes x||y (as Besu
 * exports it), 65 bytes 04||x||y, or 33 bytes compressed 02/03||x. The
 * point must lie on the curve. Writes the 64 bytes x||y. */
int sb_besu_pubkey_parse(unsigned char out[64], const char *hex);
/* The address of a 64-byte x||y key: the last 20 bytes of its Keccak-256. */
void sb_besu_address(struct sb_eth_addr *out, const unsigned char pub[64]);

/* Validators from text: addresses separated by commas, white space or
 * new lines, '#' comments, or a JSON array of strings. Duplicates are
 * refused. The result is sorted ascending; the caller frees *out. */
int sb_besu_validators_parse(struct sb_eth_addr **out, size_t *n,
			     const char *text, const char *what);

/* QBFT extraData for a validator set (sorted copy made inside). */
int sb_besu_qbft_extra_data(struct sb_buf *out, const struct sb_eth_addr *v,
			    size_t n);
/* The validators in an extraData (as written, in its order), checking
 * the whole layout. *out is the caller's to free. */
int sb_besu_qbft_extra_data_decode(struct sb_eth_addr **out, size_t *n,
				   const void *p, size_t len);

struct sb_besu_genesis_opts {
	uint64_t chain_id;		/* default 1337 */
	unsigned block_period;		/* seconds, default 5 */
	unsigned epoch_length;		/* blocks, default 30000 */
	unsigned request_timeout;	/* seconds; 0: 2 x block period */
	uint64_t gas_limit;		/* default 0x1fffffffffffff */
	uint64_t timestamp;		/* default 0 */
};
void sb_besu_genesis_opts_init(struct sb_besu_genesis_opts *o);
/* The genesis document for a validator set. */
int sb_besu_genesis(json_t **out, const struct sb_besu_genesis_opts *o,
		    const struct sb_eth_addr *v, size_t n);

/* The hash of the genesis block a genesis file makes ("0x" + 64 hex
 * digits): Keccak-256 of the RLP header [parent 0, ommers hash of [],
 * coinbase, state root, transactions root, receipts root (the empty
 * trie's, so alloc must be empty), zero bloom, difficulty, number 0,
 * gasLimit, gas used 0, timestamp, extraData, mixHash, nonce]. A header
 * of London or later (base fee, withdrawals) is SB_EUNSUPPORTED. What
 * eth_getBlockByNumber("0x0") of a node on that genesis answers. */
int sb_besu_genesis_hash(char out[67], const json_t *genesis);
/* The same with a given state root instead of the empty state's (alloc
 * is then not looked at): for tests against published genesis blocks. */
int sb_besu_genesis_hash_state(char out[67], const json_t *genesis,
			       const unsigned char state_root[32]);

/* How many faulty validators a set of n tolerates: floor((n - 1) / 3). */
size_t sb_qbft_fault_tolerance(size_t n);

#endif

/* ---- per-node files of the Besu recipe ---- */

/* "enode://" + 128 hex digits + "@HOST:PORT" of a 64-byte key. */
int sb_besu_enode(char **out, const unsigned char pub[64], const char *host, unsigned port);
/* Parse an enode URL; writes the key, host and port. */
int sb_besu_enode_parse(unsigned char pub[64], char *host, size_t hostsize,
			unsigned *port, const char *url);

struct sb_besu_node_cfg {
	const char *node;		/* BOM node name, for comments */
	const char *role;		/* "validator", "read-replica", "query-node" */
	const char *host;		/* the node's management address */
	unsigned p2p_port;		/* default 30303 */
	unsigned rpc_port;		/* default 8545 */
	unsigned metrics_port;		/* default 9545 */
	const char *const *static_nodes;	/* enode URLs of the peers to keep */
	size_t nstatic;
	const char *const *bootnodes;
	size_t nbootnodes;
	const char *const *allowlist;	/* every enode of the network */
	size_t nallow;
};

/* The texts of the node's config.toml, permissions_config.toml,
 * static-nodes.json and besu.service; the caller frees each. */
struct sb_besu_node_files {
	char *config_toml, *permissions_toml, *static_nodes_json, *unit;
};
int sb_besu_node_files(struct sb_besu_node_files *out, const struct sb_besu_node_cfg *c);
void sb_besu_node_files_release(struct sb_besu_node_files *f);

/* Where the files go on the node. */
#define SB_BESU_ETC "/etc/besu"
#define SB_BESU_DATA "/var/lib/besu"
#define SB_BESU_HOME "/opt/besu"

/* ---- verification over JSON-RPC (besu_check.c) ---- */

struct sb_besu_check {
	long peers, block0, block1;
	size_t validators;
	char genesis_hash[67];
	char problems[1024];
};
/* Check the node at `base` ("http://10.20.1.11:8545"): liveness and
 * readiness 200, at least `min_peers` peers, a new block within two
 * block periods, the validator set equal to vals. Returns 0 when all
 * hold, SB_EFAILED naming each problem, or an SB_E* when the node could
 * not be asked. */
int sb_besu_check(struct sb_besu_check *res, const char *base, const struct sb_eth_addr *vals,
		  size_t nvals, unsigned block_period, long min_peers);
