// Independent vectors for t_besu_ethers.sh, made with the npm package
// "ethers" (v6): random secp256k1 keys, their addresses, and the QBFT
// extraData of validator sets of several sizes, RLP-encoded by ethers.
// Usage: node besu_vectors.js ETHERS_DIR NKEYS > vectors.json
const path = require("path");
const ethers = require(path.resolve(process.argv[2], "node_modules", "ethers"));
const nkeys = parseInt(process.argv[3] || "24", 10);

const keys = [];
for (let i = 0; i < nkeys; i++) {
  const w = ethers.Wallet.createRandom();
  const sk = w.signingKey;
  keys.push({
    uncompressed: "0x" + sk.publicKey.slice(4),     // x||y, as Besu exports
    compressed: sk.compressedPublicKey,
    address: ethers.computeAddress(sk.publicKey),  // EIP-55
  });
}

function extraData(addrs) {
  const sorted = addrs.map((a) => a.toLowerCase()).sort();
  return ethers.encodeRlp([
    ethers.zeroPadValue("0x", 32),
    sorted,
    [],
    "0x",
    [],
  ]);
}

const sets = [];
for (const n of [1, 2, 3, 4, 7, nkeys]) {
  const addrs = keys.slice(0, n).map((k) => k.address);
  sets.push({ validators: addrs, extraData: extraData(addrs) });
}
// Keccak-256 of assorted inputs, including the rate boundary (136 bytes)
const hashes = [];
for (const len of [0, 1, 55, 56, 135, 136, 137, 271, 272, 1000]) {
  const b = ethers.randomBytes(len);
  hashes.push({ data: ethers.hexlify(b), keccak256: ethers.keccak256(b) });
}
console.log(JSON.stringify({ ethers: ethers.version, keys, sets, hashes }, null, 1));
