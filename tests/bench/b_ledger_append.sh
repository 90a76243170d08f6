#!/usr/bin/env bash
# Ledger append with hashing, batched in transactions, against the sqlite3
# shell inserting the same rows (hashes precomputed) from SQL text in one
# transaction, both with WAL and synchronous=FULL. Target: at least the
# shell's rate (ratio >= 1).
set -u
: "${SB_LABBIN:?}"
N=${SB_BENCH_EVENTS:-200000}
B=$(mktemp -d "${TMPDIR:-/tmp}/sbbench.XXXXXX")
trap 'rm -rf "$B"' EXIT
"$SB_LABBIN/invbench" sql "$N" > "$B/rows.sql"
best_shell=0 best_ours=0
for run in 1 2 3; do
	rm -f "$B"/shell.db*
	s=$(date +%s%N)
	sqlite3 "$B/shell.db" < "$B/rows.sql" >/dev/null || exit 1
	e=$(date +%s%N)
	rate=$((N * 1000000000 / (e - s)))
	[ $rate -gt $best_shell ] && best_shell=$rate
	rm -f "$B"/ours.db* "$B/ledger.key"
	set -- $("$SB_LABBIN/invbench" append "$B/ours.db" "$N" 10000) || exit 1
	rate=${3%.*}
	[ "$rate" -gt $best_ours ] && best_ours=$rate
done
echo "ledger append, $N events of ~200 bytes, best of 3:"
echo "  siteboot (hash + chain + insert, 10000 per transaction): $best_ours events/s"
echo "  sqlite3 shell (same rows as SQL text, one transaction):  $best_shell rows/s"
python3 -c "print('  ratio siteboot/shell: %.2f (target >= 1)' % ($best_ours / $best_shell))"
