#!/usr/bin/env bash
# reconcile beyond t_inventory: the integrity check that runs beside the
# work (a damaged table stops it before any output), and the matching
# rules for what a source cannot see (part numbers from lsblk, makers'
# part numbers, PSUs and NICs an IPMI-only node cannot report).
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || skip "the sqlite3 shell is not installed (make deps)"
G="python3 $TOP/tests/integ/invgen.py"
DB=$SITEBOOT_DB

$G --nodes 3 --site r1 --bom > "$T/bom.yaml"
$G --nodes 3 --site r1 --time 2026-12-01T10:00:00Z > "$T/day1.json"
sb inventory import "$T/day1.json"
expect_rc 0 "import 3 reports"
sb reconcile --site "$T/bom.yaml" --csv
expect_rc 0 "the generated site reconciles clean"
cp "$T/out" "$T/clean.csv"
sb -v reconcile --site "$T/bom.yaml" --csv
expect_in "$T/err" "observations read" "-v says where the time went"
cmp -s "$T/out" "$T/clean.csv" && pass "-v does not change the report" || fail "-v changed the report"

# ---- a damaged table stops reconcile before it prints anything ------------
# damage_page DB PAGE: a plausible-looking b-tree page of DB whose cell
# pointers point nowhere
damage_page() {
	python3 - "$1" "$2" "$(sqlite3 "$1" "PRAGMA page_size")" <<'PY'
import sys
path, page, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, "r+b") as f:
    f.seek((page - 1) * size + 8)
    f.write(b"\xff\xf0" * 64)
PY
}
sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp "$DB" "$T/d.db"; rm -f "$T/d.db-wal" "$T/d.db-shm"
page=$(sqlite3 "$T/d.db" "SELECT pageno FROM dbstat WHERE name = 'observations' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET 1")
if [ -n "$page" ]; then
	damage_page "$T/d.db" "$page"
	SITEBOOT_DB="$T/d.db" sb reconcile --site "$T/bom.yaml" --csv
	expect_rc 1 "a damaged observations table stops reconcile (exit 1)"
	expect_in "$T/err" "damaged" "with the message of the check at open"
	[ -s "$T/out" ] && fail "reconcile printed a report from a damaged file" || pass "and prints no report"
else
	fail "dbstat found no observations page"
fi
# an index page reconcile itself never reads: only the check beside it
# can see the damage, and it still stops the report
cp "$DB" "$T/d2.db"; rm -f "$T/d2.db-wal" "$T/d2.db-shm"
page=$(sqlite3 "$T/d2.db" "SELECT pageno FROM dbstat WHERE name = 'components_durable' ORDER BY pageno LIMIT 1")
damage_page "$T/d2.db" "$page"
SITEBOOT_DB="$T/d2.db" sb reconcile --site "$T/bom.yaml" --json
expect_rc 1 "damage only quick_check reads stops reconcile (exit 1)"
expect_in "$T/err" "quick_check of components" "the check names the table"
[ -s "$T/out" ] && fail "reconcile printed JSON from a damaged file" || pass "and prints nothing on stdout"

# ---- a report large enough to be finished and written in two halves -------
# (over 8,192 findings: the ids of the second half are made on another
# thread, and --csv formats it in memory meanwhile): every id is the
# SHA-256 of its key, the CSV lists the --json findings in the same order,
# and the blocking count and exit code agree
export SITEBOOT_DB="$T/big.db"
$G --nodes 480 --site big --bom > "$T/big.yaml"
$G --nodes 480 --site big --time 2026-12-01T10:00:00Z > "$T/big.json"
# plant problems in both halves: parts of the first and the last nodes gone
python3 - "$T/big.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
reps = doc if isinstance(doc, list) else doc.get("reports", doc)
for rep in (reps[0], reps[-1]):
    comps = rep["components"] if "components" in rep else rep["inventory"]["components"]
    del comps[-3:]
json.dump(doc, open(sys.argv[1], "w"))
PY
sb inventory import "$T/big.json"
expect_rc 0 "import a 480-node site"
sb reconcile --site "$T/big.yaml" --json
expect_rc 1 "the planted gaps block (exit 1)"
cp "$T/out" "$T/big.out.json"
sb reconcile --site "$T/big.yaml" --csv
expect_rc 1 "--csv: the same exit"
if python3 - "$T/big.out.json" "$T/out" <<'PY'
import csv, hashlib, json, sys
doc = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2], newline="")))
f = doc["findings"]
assert len(f) > 8192, "only %d findings: too few to split" % len(f)
assert len(rows) == len(f), "CSV %d rows, JSON %d findings" % (len(rows), len(f))
blocking = 0
for i, (x, row) in enumerate(zip(f, rows)):
    key = "|".join(x.get(k) or "" for k in ("finding", "node", "line",
                   "expected_serial", "observed_serial", "location"))
    key = (key + "|" + doc["site"]).encode()[:1023]
    want = "F-" + hashlib.sha256(key).hexdigest()[:10]
    assert x["id"] == want, "finding %d: id %s, its key hashes to %s" % (i, x["id"], want)
    assert row["id"] == x["id"] and row["finding"] == x["finding"] and \
        row["location"] == (x.get("location") or ""), "row %d differs from finding %d" % (i + 2, i)
    blocking += x["blocking"]
    assert (row["blocking"] == "yes") == x["blocking"], "row %d: blocking" % (i + 2)
assert blocking == doc["blocking"], "%d blocking findings, the summary says %d" % (blocking, doc["blocking"])
assert any(x["blocking"] for x in f[: len(f) // 2]) and any(x["blocking"] for x in f[len(f) // 2:]), \
    "a blocking finding in each half"
PY
then pass "ids, order and blocking agree across both halves (CSV and JSON)"
else fail "the two halves of a large report disagree"
fi
