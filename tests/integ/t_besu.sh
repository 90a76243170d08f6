# siteboot besu genesis|address: inputs, outputs and refusals as a
# datacenter team meets them.
. "$(dirname "$0")/lib.sh"
G=79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798
Y=483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8
sb besu address --pubkey "0x$G$Y"; expect_rc 0 "address of the generator point"
expect_in "$T/out" "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf" "the address of private key 1 (EIP-55)"
printf '0x%s%s' "$G" "$Y" >"$T/key.pub"	# as 'besu public-key export --to=FILE' writes it
sb besu address --pubkey "$T/key.pub" --json; expect_rc 0 "address from a key file"
expect_json 'doc["address_lower"] == "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf"' "--json gives the lower-case form"
sb besu address --pubkey "${G}${Y%?}9"; expect_rc 2 "a point off the curve"
expect_in "$T/err" "not a point on secp256k1" "says why"
sb besu address --pubkey "$T/missing.pub"; expect_rc 2 "a missing key file"
sb besu address; expect_rc 2 "no key"

cat >"$T/validators.txt" <<'V'
# validators of acc-edge-01, one per line
0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359
0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed
0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB
0xd1220a0cf47c7b9be7a2e6ba89f429762e7b9adb
V
sb besu genesis --validators "$T/validators.txt" --chain-id 20261 --block-period 2
expect_rc 0 "genesis from a file"
expect_json 'doc["config"]["chainId"] == 20261 and doc["config"]["qbft"] == {"blockperiodseconds": 2, "epochlength": 30000, "requesttimeoutseconds": 4}' "config.qbft as asked"
expect_json 'doc["difficulty"] == "0x1" and doc["mixHash"] == "0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365"' "QBFT difficulty and mixHash"
expect_json 'doc["extraData"].index("5aaeb6") < doc["extraData"].index("d1220a") < doc["extraData"].index("dbf03b") < doc["extraData"].index("fb6916")' "validators ascending in extraData"
expect_not_in "$T/err" "warning" "4 validators: no warning"
sb besu genesis --validators "$T/validators.txt" -o "$T/genesis.json"; expect_rc 0 "genesis to a file"
expect_in "$T/out" "tolerates 1 faulty" "says how many faults it tolerates"
python3 -c "import json; json.load(open('$T/genesis.json'))" && pass "the file is JSON" || fail "genesis.json is not JSON"
sb besu genesis --validators 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed; expect_rc 0 "one validator"
expect_in "$T/err" "tolerates no faulty validator" "warns that one validator tolerates no fault"
sb besu genesis --validators 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD; expect_rc 2 "a checksum typo"
expect_in "$T/err" "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed" "names the right spelling"
sb besu genesis --validators 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed,0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed
expect_rc 2 "a validator listed twice"
sb besu genesis --validators "$T/validators.txt" --chain-id 0; expect_rc 2 "chain id 0"
sb besu genesis --validators "$T/validators.txt" --block-period 5 --request-timeout 5; expect_rc 2 "timeout not above the period"
sb besu genesis --validators "$T/validators.txt" --chain-id x; expect_rc 2 "a chain id that is not a number"
sb besu genesis; expect_rc 2 "no validators"
sb besu genisis; expect_rc 2 "a misspelt verb"
expect_in "$T/err" "did you mean 'genesis'" "suggests the verb"
