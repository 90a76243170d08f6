// The genesis block hash of a genesis file, by an independent
// implementation (ethers v6's RLP and Keccak-256), for t_besu_ethers.sh:
// Keccak-256 of the RLP of the 15-field pre-London header, with the roots
// of an empty state and empty transaction and receipt tries.
// Usage: node genesis_hash.js ETHERS_DIR GENESIS.json
const ethers = require(require("path").join(process.argv[2], "node_modules", "ethers"));
const g = JSON.parse(require("fs").readFileSync(process.argv[3], "utf8"));
const q = (v) => { const n = BigInt(v || 0); return n === 0n ? "0x" : ethers.toBeHex(n); };
const emptyRoot = ethers.keccak256(ethers.encodeRlp("0x"));
const header = [
	ethers.ZeroHash,
	ethers.keccak256(ethers.encodeRlp([])),
	g.coinbase || ethers.ZeroAddress,
	emptyRoot, emptyRoot, emptyRoot,
	"0x" + "00".repeat(256),
	q(g.difficulty), "0x", q(g.gasLimit), "0x", q(g.timestamp),
	g.extraData,
	g.mixHash,
	ethers.zeroPadValue(q(g.nonce) === "0x" ? "0x00" : q(g.nonce), 8),
];
console.log(ethers.keccak256(ethers.encodeRlp(header)));
