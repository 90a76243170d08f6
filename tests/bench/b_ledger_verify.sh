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
cpu_ms() { awk '{printf "%d %d", $1 * 1000, ($2 + $3) * 1000}' "$1"; }
best_v=999999 best_s=999999 cpu_v=999999 cpu_s=999999
for run in 1 2 3; do
	SITEBOOT_DB="$B/inv.db" /usr/bin/time -f "%e %U %S" -o "$B/t" "$SITEBOOT" inventory verify >/dev/null || { echo "verify failed"; exit 1; }
	set -- $(cpu_ms "$B/t"); [ $1 -lt $best_v ] && best_v=$1; [ $2 -lt $cpu_v ] && cpu_v=$2
	/usr/bin/time -f "%e %U %S" -o "$B/t" sha256sum "$B/payloads" >/dev/null
	set -- $(cpu_ms "$B/t"); [ $1 -lt $best_s ] && best_s=$1; [ $2 -lt $cpu_s ] && cpu_s=$2
done
echo "verify $N events ($((bytes / 1000000)) MB of payloads), best of 3 (wall / CPU):"
echo "  siteboot inventory verify (payload hashes, chain, Merkle, checkpoints): ${best_v} / ${cpu_v} ms"
echo "  sha256sum over the payload bytes:                                       ${best_s} / ${cpu_s} ms"
python3 -c "print('  ratio sha256sum/verify: wall %.2f, CPU %.2f (target >= 1)' % ($best_s / max($best_v, 1), $cpu_s / max($cpu_v, 1)))"
