# Keccak-256 (common/keccak.c, used for addresses, EIP-55 and extraData)
# against libcrypto's SHA3-256 in the same process: same permutation,
# different padding. Ratio = our time / libcrypto's time.
: "${SB_LABBIN:?set SB_LABBIN to the built lab helpers}"
"$SB_LABBIN/hashbench" "${SB_BENCH_MIB:-32}"
