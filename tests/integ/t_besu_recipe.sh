# The Besu recipe's own tools: node-config writes the files a node needs
# (read back with Python's tomllib, json and tar), and `besu check` judges
# a node over JSON-RPC, here a stand-in that plays a healthy node, a
# missing peer, a stalled chain, a node not ready
# (tests/lab/besu_rpc_standin.py), and a node on another chain; genesis
# --record puts the genesis into the ledger. No Besu runs on this machine.
. "$(dirname "$0")/lib.sh"
BOM=$TOP/bom/examples/edge-accra.yaml
command -v openssl >/dev/null || skip "openssl is needed to make test keys"
keyhex() { openssl ecparam -name secp256k1 -genkey -noout 2>/dev/null |
	openssl ec -pubout -outform DER 2>/dev/null | tail -c 64 | od -An -tx1 | tr -d ' \n'; }
mkdir -p "$T/net"
for i in 1 2 3 4; do keyhex >"$T/pub$i"; "$SITEBOOT" besu address --pubkey "$(cat "$T/pub$i")" >>"$T/vals.txt"; done
sb besu genesis --validators "$T/vals.txt" --block-period 1 -o "$T/net/genesis.json"; expect_rc 0 "a genesis for 4 validators"
for i in 1 2 3 4; do echo "enode://$(cat "$T/pub$i")@10.40.1.1$i:30303"; done >"$T/net/nodes.txt"
head -1 "$T/net/nodes.txt" >"$T/net/bootnodes.txt"
keyhex >"$T/self"
sb besu node-config --site "$BOM" --node edge-n01 --network "$T/net" --pubkey "$(cat "$T/self")" --out "$T/files"
expect_rc 0 "node-config for the edge query node"
expect_in "$T/out" "enode://$(cat "$T/self")@10.20.1.11:30303" "prints the node's enode URL"
python3 - "$T/files" "$T/net" "$(cat "$T/self")" >"$T/py" 2>&1 <<'PY'
import json, sys, tarfile, tomllib
out, net, me = sys.argv[1:4]
c = tomllib.load(open(out + "/config.toml", "rb"))
p = tomllib.load(open(out + "/permissions_config.toml", "rb"))
s = json.load(open(out + "/static-nodes.json"))
nodes = open(net + "/nodes.txt").read().split()
boot = open(net + "/bootnodes.txt").read().split()
self_enode = "enode://%s@10.20.1.11:30303" % me
ok = [
 c["data-path"] == "/var/lib/besu" and c["genesis-file"] == "/etc/besu/genesis.json",
 c["p2p-host"] == "10.20.1.11" and c["p2p-port"] == 30303,
 c["rpc-http-enabled"] is True and c["rpc-http-host"] == "10.20.1.11",
 c["rpc-http-api"] == ["ETH", "NET", "QBFT"] and "10.20.1.11" in c["host-allowlist"],
 c["metrics-enabled"] is True and c["bootnodes"] == boot,
 c["permissions-nodes-config-file-enabled"] is True,
 sorted(p["nodes-allowlist"]) == sorted(nodes + [self_enode]),
 s == boot,
 sorted(tarfile.open(out + "/files.tar").getnames()) == sorted(
     ["etc/besu/config.toml", "etc/besu/permissions_config.toml", "etc/besu/static-nodes.json",
      "etc/besu/genesis.json", "etc/systemd/system/besu.service"]),
 "ExecStart=/opt/besu/bin/besu --config-file=/etc/besu/config.toml" in open(out + "/besu.service").read(),
]
print(ok)
sys.exit(0 if all(ok) else 1)
PY
[ $? -eq 0 ] && pass "config.toml, permissions, static nodes, unit and tar read back as meant" || { fail "node files"; cat "$T/py"; }
sb besu node-config --site "$BOM" --node edge-n02 --network "$T/net" --pubkey "$(cat "$T/self")" --out "$T/o2"
expect_rc 2 "a node without a Besu role"
expect_in "$T/err" "no Besu role" "says so"

# the genesis and its validator set go into the ledger as besu.genesis
sb besu genesis --validators "$T/vals.txt" --block-period 1 --chain-id 20261 -o "$T/net/genesis.json" --record --json
expect_rc 0 "genesis --record"
expect_json 'len(doc["genesis_hash"]) == 66 and doc["ledger_seq"] == 1' "prints the genesis block hash and the ledger event"
GH=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["genesis_hash"])' "$T/out")
sb inventory export --format jsonl
expect_rc 0 "export the ledger as JSON lines"
python3 - "$T/out" "$GH" "$T/vals.txt" "$T/net/genesis.json" >"$T/py" 2>&1 <<'PY'
import json, sys
out, gh, vals, gen = sys.argv[1:5]
evs = [json.loads(l) for l in open(out) if '"besu.genesis"' in l]
g = json.load(open(gen))
want = sorted(l.strip().lower() for l in open(vals) if l.strip())
e = evs[-1]["payload"] if evs else {}
ok = [len(evs) == 1, e.get("chain_id") == 20261, e.get("genesis_hash") == gh,
      e.get("validators") == want, e.get("extra_data") == g["extraData"],
      e.get("block_period") == 1, e.get("epoch_length") == 30000, e.get("request_timeout") == 2,
      e.get("fault_tolerance") == 1, len(e.get("genesis_sha256", "")) == 64]
print(ok)
sys.exit(0 if all(ok) else 1)
PY
[ $? -eq 0 ] && pass "besu.genesis read back: chain id, genesis hash, validators ascending, extraData, parameters" || { fail "besu.genesis event"; cat "$T/py"; }
sb inventory verify; expect_rc 0 "the ledger still verifies"

# besu check against the RPC stand-in in each state
vals=$(python3 -c "import sys; print(' '.join(l.strip().lower() for l in open('$T/vals.txt')))")
export BESU_GENESIS_HASH=$GH
for mode in healthy peer-missing stalled not-ready other-chain; do
	rm -f "$T/port"
	python3 "$TOP/tests/lab/besu_rpc_standin.py" "$T/port" "$T/rpc.$mode" "$mode" $vals &
	track $!
	wait_for test -s "$T/port" || { fail "RPC stand-in did not start"; continue; }
	sb besu check --rpc "http://127.0.0.1:$(cat "$T/port")" --network "$T/net" --json
	case $mode in
	healthy) expect_rc 0 "a healthy node passes"
		expect_json 'doc["healthy"] and doc["peers"] == 3 and doc["block_after"] > doc["block_before"] and doc["validators"] == 4' "3 peers, blocks advancing, 4 validators"
		expect_json 'doc["genesis_hash"] == doc["genesis_expected"] == "'"$GH"'" and doc["genesis_from"] == "ledger event 1" and doc["genesis_ok"]' "the node's genesis block is the recorded one"
		grep -q 'POST qbft_getValidatorsByBlockNumber \["latest"\]' "$T/rpc.$mode" && pass "asked qbft_getValidatorsByBlockNumber(latest)" || fail "validators not asked"
		P=$(cat "$T/port")
		sb besu check --rpc "http://127.0.0.1:$P" --network "$T/net" --chain-id 20261
		expect_rc 0 "the network is the BOM's chain"
		sb besu check --rpc "http://127.0.0.1:$P" --network "$T/net" --chain-id 20262
		expect_rc 1 "another chain id in the BOM fails"
		expect_in "$T/err" "the network's genesis is chain 20261, the site's BOM says besu.chain_id 20262" "says which"
		SITEBOOT_DB=$T/none.db sb besu check --rpc "http://127.0.0.1:$P" --network "$T/net" --json
		expect_rc 0 "without a recorded genesis, the hash genesis.json makes"
		expect_json 'doc["genesis_from"] == "genesis.json" and doc["genesis_ok"]' "and says so"
		cp -a "$T/net" "$T/net2"
		python3 -c 'import json,sys; g=json.load(open(sys.argv[1])); g["timestamp"]="0x1"; json.dump(g, open(sys.argv[1], "w"))' "$T/net2/genesis.json"
		sb besu check --rpc "http://127.0.0.1:$P" --network "$T/net2"
		expect_rc 1 "a genesis.json that is not the recorded one fails"
		expect_in "$T/err" "not the $GH recorded in ledger event 1" "says the network's files changed" ;;
	other-chain) expect_rc 1 "a node on another chain fails"; expect_in "$T/err" "the node's genesis block is 0xcdcd" "says which block it has"
		expect_in "$T/err" "it runs another chain" "and what that means" ;;
	peer-missing) expect_rc 1 "a missing peer fails"; expect_in "$T/err" "a peer is missing" "says a peer is missing" ;;
	stalled) expect_rc 1 "a stalled chain fails"; expect_in "$T/err" "no new block" "says no new block" ;;
	not-ready) expect_rc 1 "a node not ready fails"; expect_in "$T/err" "/readiness answers HTTP 503" "says readiness" ;;
	esac
done
sb besu check --rpc "http://127.0.0.1:1" --network "$T/net"; expect_rc 1 "nothing listening"
