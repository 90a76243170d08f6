#!/usr/bin/env bash
# Reconcile a 2,000-node core site (about 100,000 components) against the
# sqlite3 shell running the plain serial-number join on the same database.
# Target: reconcile at most 3x the join's time.
set -u
: "${SITEBOOT:?}"
NODES=${SB_BENCH_NODES:-2000}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
B=$(mktemp -d "${TMPDIR:-/tmp}/sbbench.XXXXXX")
trap 'rm -rf "$B"' EXIT
G="python3 $TOP/tests/integ/invgen.py --nodes $NODES --tier core --site core-bench --dimms 16 --drives 26 --time 2026-12-01T10:00:00Z"
$G --bom > "$B/site.yaml"
$G > "$B/reports.json"
export SITEBOOT_DB="$B/inv.db"
"$SITEBOOT" inventory import "$B/reports.json" >/dev/null || exit 1
comps=$(sqlite3 "$B/inv.db" "SELECT count(*) FROM components")
# the peer: the expected serials in a table, joined on the indexed serial
python3 - "$B/site.yaml" > "$B/expected.sql" <<'PY'
import re, sys
print("BEGIN; CREATE TABLE bench_expected (serial TEXT); ")
for m in re.finditer(r"\b(DM|DR)\d+", open(sys.argv[1]).read()):
    print("INSERT INTO bench_expected VALUES ('%s');" % m.group(0))
print("CREATE INDEX bench_expected_serial ON bench_expected(serial); COMMIT;")
PY
sqlite3 "$B/inv.db" < "$B/expected.sql"
"$SITEBOOT" reconcile --site "$B/site.yaml" --csv > "$B/first.csv"	# records the BOM once
# wall time and CPU time (user + system) of each, best of 3: on a machine
# shared with other work the CPU time is the fairer comparison
cpu_ms() { awk '{printf "%d %d", $1 * 1000, ($2 + $3) * 1000}' "$1"; }
best_r=999999 best_j=999999 cpu_r=999999 cpu_j=999999
for run in 1 2 3; do
	/usr/bin/time -f "%e %U %S" -o "$B/t" "$SITEBOOT" reconcile --site "$B/site.yaml" --csv > "$B/rec.csv"
	set -- $(cpu_ms "$B/t"); [ $1 -lt $best_r ] && best_r=$1; [ $2 -lt $cpu_r ] && cpu_r=$2
	/usr/bin/time -f "%e %U %S" -o "$B/t" sqlite3 "$B/inv.db" \
		"SELECT count(*) FROM bench_expected e JOIN components c ON c.serial = e.serial" > "$B/join"
	set -- $(cpu_ms "$B/t"); [ $1 -lt $best_j ] && best_j=$1; [ $2 -lt $cpu_j ] && cpu_j=$2
done
rows=$(($(wc -l < "$B/rec.csv") - 1))
echo "reconcile a $NODES-node core site, $comps components, $rows report rows, best of 3 (wall / CPU):"
echo "  siteboot reconcile --csv (BOM parse + open + quick_check + match + report): ${best_r} / ${cpu_r} ms"
echo "  sqlite3 shell, serial join ($(cat "$B/join") rows):                          ${best_j} / ${cpu_j} ms"
python3 -c "print('  ratio reconcile/join: wall %.2f, CPU %.2f (target <= 3)' % ($best_r / max($best_j, 1), $cpu_r / max($cpu_j, 1)))"
