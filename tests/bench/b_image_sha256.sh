# siteboot image verify (streaming SHA-256 through libcrypto) against
# coreutils sha256sum on the same file, both from the page cache, best of
# 3 each. Ratio = siteboot's time / sha256sum's time (1.0 = as fast).
set -u
: "${SITEBOOT:?set SITEBOOT to the binary under test}"
mib=${SB_BENCH_MIB:-512}
d=$(mktemp -d "${TMPDIR:-/tmp}/sbbench.XXXXXX")
trap 'rm -rf "$d"' EXIT
head -c $((mib * 1048576)) /dev/urandom > "$d/image.iso"
sum=$(sha256sum "$d/image.iso" | cut -d' ' -f1)	# also warms the cache
best() {	# best wall time in seconds of 3 runs of "$@"
	local b= t0 t1 s
	for _ in 1 2 3; do
		t0=$(date +%s%N); "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; return 1; }; t1=$(date +%s%N)
		s=$(( (t1 - t0) / 1000000 ))
		[ -z "$b" ] || [ "$s" -lt "$b" ] && b=$s
	done
	echo "$b"
}
ours=$(best env SITEBOOT_DB="$d/inv.db" "$SITEBOOT" image verify "$d/image.iso" --sha256 "$sum" --no-record) || exit 1
peer=$(best sha256sum "$d/image.iso") || exit 1
awk -v o="$ours" -v p="$peer" -v m="$mib" 'BEGIN {
	printf "image verify: %d MiB in %d ms (%.0f MiB/s); sha256sum: %d ms (%.0f MiB/s); ratio %.2f\n",
	       m, o, m * 1000 / o, p, m * 1000 / p, o / p }'
