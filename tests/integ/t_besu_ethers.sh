# Cross-check against an independent implementation: the npm package
# "ethers" (v6) makes random secp256k1 keys, their addresses, the RLP of
# QBFT extraData, Keccak-256 digests and genesis block hashes; siteboot
# must agree on every one.
# ethers is installed by this test only, into $SB_ETHERS_DIR (default
# build/ethers, kept between runs); it is never used by siteboot itself.
. "$(dirname "$0")/lib.sh"
command -v node >/dev/null && command -v npm >/dev/null ||
	skip "node and npm are needed to install the independent implementation (ethers)"
dir=${SB_ETHERS_DIR:-$TOP/build/ethers}
if [ ! -f "$dir/node_modules/ethers/package.json" ]; then
	mkdir -p "$dir"
	(cd "$dir" && npm install --no-audit --no-fund --silent ethers@6 >"$T/npm.log" 2>&1) ||
		skip "npm could not install ethers@6 (offline?): $(tail -1 "$T/npm.log")"
fi
node "$TOP/tests/integ/js/besu_vectors.js" "$dir" 24 >"$T/vec.json" ||
	{ fail "ethers made no vectors"; exit 1; }
pass "ethers $(python3 -c "import json; print(json.load(open('$T/vec.json'))['ethers'])") made the vectors"

# addresses, from the 64-byte key Besu exports and from the compressed form
python3 - "$T/vec.json" >"$T/keys" <<'PY'
import json, sys
for k in json.load(open(sys.argv[1]))["keys"]:
    print(k["uncompressed"], k["compressed"], k["address"])
PY
ok=0 bad=0
while read -r unc comp want; do
	for key in "$unc" "$comp"; do
		got=$("$SITEBOOT" besu address --pubkey "$key" 2>"$T/err")
		if [ "$got" = "$want" ]; then ok=$((ok + 1)); else
			bad=$((bad + 1)); echo "#   $key: siteboot $got, ethers $want"; fi
	done
done <"$T/keys"
[ $bad -eq 0 ] && [ $ok -eq 48 ] && pass "48 addresses (EIP-55) agree with ethers.computeAddress" ||
	fail "addresses: $ok agree, $bad differ"

# extraData of validator sets of 1, 2, 3, 4, 7 and 24 (short and long RLP
# lengths), validators given in random order and mixed case
python3 - "$T/vec.json" "$T" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for i, s in enumerate(d["sets"]):
    open(f"{sys.argv[2]}/set{i}.txt", "w").write("\n".join(s["validators"]) + "\n")
    open(f"{sys.argv[2]}/set{i}.want", "w").write(s["extraData"] + "\n")
PY
for i in 0 1 2 3 4 5; do
	n=$(wc -l <"$T/set$i.txt")
	sb besu genesis --validators "$T/set$i.txt" --chain-id 20261 --json
	got=$(python3 -c "import json; print(json.load(open('$T/out'))['genesis']['extraData'])" 2>/dev/null)
	want=$(cat "$T/set$i.want")
	[ "$rc" -eq 0 ] && [ "$got" = "$want" ] && pass "extraData of $n validators equals ethers.encodeRlp" ||
		{ fail "extraData of $n validators differs (rc $rc)"; echo "#   siteboot $got"; echo "#   ethers   $want"; }
done
# the same set given inline, comma-separated, gives the same genesis
list=$(paste -sd, "$T/set3.txt")
sb besu genesis --validators "$list" --chain-id 20261
cp "$T/out" "$T/inline.json"
sb besu genesis --validators "$T/set3.txt" --chain-id 20261
cmp -s "$T/out" "$T/inline.json" && pass "inline and file validator lists give the same genesis" ||
	fail "inline and file validator lists differ"

# the genesis block hash: siteboot's against ethers' RLP and Keccak-256 of
# the same header, for genesis files of 1, 4 and 24 validators and other
# parameters
for i in 0 3 5; do
	sb besu genesis --validators "$T/set$i.txt" --chain-id 20261 --block-period $((i + 1)) --json
	python3 -c "import json; d=json.load(open('$T/out')); json.dump(d['genesis'], open('$T/g$i.json', 'w')); print(d['genesis_hash'])" >"$T/gh$i"
	want=$(node "$TOP/tests/integ/js/genesis_hash.js" "$dir" "$T/g$i.json")
	[ -n "$want" ] && [ "$(cat "$T/gh$i")" = "$want" ] && pass "genesis block hash of set $i equals ethers' ($want)" ||
		{ fail "genesis block hash of set $i"; echo "#   siteboot $(cat "$T/gh$i")"; echo "#   ethers   $want"; }
done

# Keccak-256 across the 136-byte rate boundary
python3 -c "import json; [print(h['data']) for h in json.load(open('$T/vec.json'))['hashes']]" >"$T/hin"
python3 -c "import json; [print(h['keccak256']) for h in json.load(open('$T/vec.json'))['hashes']]" >"$T/hwant"
"$SB_LABBIN/keccak256" <"$T/hin" >"$T/hgot"
cmp -s "$T/hgot" "$T/hwant" && pass "Keccak-256 of 10 inputs (0 to 1000 bytes) equals ethers.keccak256" ||
	{ fail "Keccak-256 differs"; diff "$T/hgot" "$T/hwant" | head -5; }
