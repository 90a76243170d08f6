#!/usr/bin/env bash
# `siteboot inventory verify` over 1,000,000 events against sha256sum over
# the same payload bytes. Target: verify no slower than sha256sum (ratio
# sha256sum/verify >= 1).
set -u
: "${SITEBOOT:?}" "${SB_LABBIN:?}"
N=${SB_BENCH_EVENTS:-1000000}
B=$(mktemp -d "${TMPDIR:-/tmp}/sbbench.XXXXXX")
trap 'rm -rf "$B"' EXIT
"$SB_LABBIN/invbench" append "$B/inv.db" "$N" 50000 >/dev/null || exit 1
sqlite3 "$B/inv.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
sqlite3 "$B/inv.db" "SELECT payload FROM ledger ORDER BY seq" > "$B/payloads"
bytes=$(stat -c %s "$B/payloads")
best_v=999999 best_s=999999
for run in 1 2 3; do
	s=$(date +%s%N)
	SITEBOOT_DB="$B/inv.db" "$SITEBOOT" inventory verify >/dev/null || { echo "verify failed"; exit 1; }
	e=$(date +%s%N)
	t=$(((e - s) / 1000000)); [ $t -lt $best_v ] && best_v=$t
	s=$(date +%s%N)
	sha256sum "$B/payloads" >/dev/null
	e=$(date +%s%N)
	t=$(((e - s) / 1000000)); [ $t -lt $best_s ] && best_s=$t
done
echo "verify $N events ($((bytes / 1000000)) MB of payloads), best of 3:"
echo "  siteboot inventory verify (open + quick_check + chain + Merkle): ${best_v} ms"
echo "  sha256sum over the payload bytes:                               ${best_s} ms"
python3 -c "print('  ratio sha256sum/verify: %.2f (target >= 1)' % ($best_s / max($best_v, 1)))"
