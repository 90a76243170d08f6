#!/usr/bin/env bash
# reconcile's compiled BOM (bom_compiled): a BOM seen before is not parsed
# again, and nothing a user sees changes: the CSV, --json, the --all table
# and stderr (the parser's warnings, naming the path given this time) are
# the same on a hit and a miss. A changed BOM, another build, or a damaged
# blob is a miss that parses, reports the same and stores it anew.
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || skip "the sqlite3 shell is not installed (make deps)"
DB=$SITEBOOT_DB
G="python3 $TOP/tests/integ/invgen.py --tier core --site bc --nodes 30 --drives 4 --time 2026-12-01T10:00:00Z"

# the BOM orders 8 DIMMs a node, 7 arrived: findings for the table
$G --dimms 8 --bom > "$T/site.yaml"
$G --dimms 7 > "$T/reports.json"
sb inventory import "$T/reports.json"
expect_rc 0 "import 30 reports"
rows() { sqlite3 "$DB" "SELECT count(*) FROM bom_compiled ${1:-}"; }
# a siteboot linked without a build-id keeps no compiled form at all
sb -v reconcile --site "$T/site.yaml" --csv
grep -q "no GNU build-id" "$T/err" && skip "this siteboot has no GNU build-id: nothing is cached"

# run NAME FORM ARGS...: reconcile in one form, kept as $T/NAME.FORM{,.err,.rc}
run() {
	local name=$1 form=$2 site=$3 opt
	case $form in csv) opt=--csv ;; json) opt=--json ;; txt) opt=--all ;; esac
	sb reconcile --site "$site" $opt
	cp "$T/out" "$T/$name.$form"
	cp "$T/err" "$T/$name.$form.err"
	echo "$rc" > "$T/$name.$form.rc"
}
same() {	# same A B FORM DESCRIPTION: stdout, stderr and status
	if cmp -s "$T/$1.$3" "$T/$2.$3" && cmp -s "$T/$1.$3.err" "$T/$2.$3.err" &&
	   cmp -s "$T/$1.$3.rc" "$T/$2.$3.rc"; then pass "$4"
	else fail "$4"; diff "$T/$1.$3.err" "$T/$2.$3.err" | head -5; fi
}

# ---- a hit reports exactly what a miss does -----------------------------------
for f in csv json txt; do
	sqlite3 "$DB" "DELETE FROM bom_compiled"
	run miss $f "$T/site.yaml"
	[ "$(rows)" = 1 ] && pass "$f: the miss stored the compiled form" ||
		fail "$f: the miss stored $(rows) rows"
	run hit $f "$T/site.yaml"
	same miss hit $f "$f: stdout, stderr and exit status the same on a hit"
done
[ "$(cat "$T/miss.csv.rc")" = 1 ] && pass "the missing DIMMs block (exit 1)" || fail "exit $(cat "$T/miss.csv.rc")"
expect_in "$T/hit.csv.err" "site.yaml:" "the parser's warning is printed on a hit too"
expect_in "$T/hit.txt" "quantity_short" "the table lists the findings"
sb -v reconcile --site "$T/site.yaml" --csv
expect_in "$T/err" "BOM not parsed: its compiled form" "-v says the compiled form was used"
cmp -s "$T/out" "$T/miss.csv" && pass "-v's report is the same" || fail "-v changed the report"

# ---- the warnings name the path given this time -----------------------------
mkdir -p "$T/elsewhere"
cp "$T/site.yaml" "$T/elsewhere/copy.yaml"
run hit2 txt "$T/elsewhere/copy.yaml"
expect_in "$T/hit2.txt.err" "elsewhere/copy.yaml:" "a hit names the BOM as given"
expect_not_in "$T/hit2.txt.err" "/site.yaml" "and not the path it was compiled from"
sqlite3 "$DB" "DELETE FROM bom_compiled"
run miss2 txt "$T/elsewhere/copy.yaml"
same miss2 hit2 txt "the same as a parse of that path"
run miss2 json "$T/elsewhere/copy.yaml"
expect_json "doc['bom'].endswith('elsewhere/copy.yaml')" "--json names the path given"

# ---- a changed byte is another BOM -----------------------------------------------
cp "$T/site.yaml" "$T/changed.yaml"
echo "# one more line" >> "$T/changed.yaml"
sb -v reconcile --site "$T/changed.yaml" --csv
expect_in "$T/err" "BOM parsed; its compiled form: none for this BOM" "a changed BOM is a miss"
cmp -s "$T/out" "$T/miss.csv" && pass "and reports the same rows" || fail "a comment changed the report"
[ "$(rows)" = 2 ] && pass "each BOM has its compiled form" || fail "$(rows) rows for two BOMs"

# ---- another build's blob is not this one's --------------------------------------
sqlite3 "$DB" "UPDATE bom_compiled SET compiler = 'siteboot 0.0.1 build-id 00ff; libyaml 0.2.5'"
sb -v reconcile --site "$T/site.yaml" --csv
expect_in "$T/err" "none for this BOM and this build" "another compiler's blob is a miss"
cmp -s "$T/out" "$T/miss.csv" && pass "and reports the same" || fail "the report changed"
[ "$(rows "WHERE compiler LIKE '%build-id 00ff;%'")" = 0 ] && pass "the other build's rows are gone" ||
	fail "the other build's rows are kept"
[ "$(rows)" = 1 ] && pass "this build's row replaces them" || fail "$(rows) rows"

# ---- a damaged blob is a miss that recompiles ------------------------------------
# damaged DESCRIPTION SQL-EXPRESSION REASON
damaged() {
	sqlite3 "$DB" "UPDATE bom_compiled SET data = $2"
	run bad csv "$T/site.yaml"
	same miss bad csv "$1: the same report and stderr as a parse"
	sqlite3 "$DB" "UPDATE bom_compiled SET data = $2"
	sb -v reconcile --site "$T/site.yaml" --csv
	expect_in "$T/err" "BOM parsed; its compiled form: compiled BOM: $3" "$1: -v says why"
	expect_in "$T/err" "compiled BOM stored" "$1: and stores it anew"
	sb -v reconcile --site "$T/site.yaml" --csv
	expect_in "$T/err" "BOM not parsed" "$1: the next run uses it"
}
damaged "truncated" "substr(data, 1, length(data) / 2)" "its size does not match"
damaged "random bytes" "randomblob(length(data))" "not a compiled BOM of this format"
damaged "a huge count" "CAST(substr(data, 1, 108) || x'ffffff7f' || substr(data, 113) AS BLOB)" \
	"its counts do not add up to its size"
damaged "text" "CAST(data AS TEXT)" "not a blob"
damaged "a changed string" "CAST(replace(CAST(data AS TEXT), 'DIMM', 'DIMX') AS BLOB)" \
	"its content does not match its digest"
damaged "empty" "x''" "empty"

# ---- a BOM with errors is never stored ----------------------------------------------
sed 's/tier: core/tier: nope/' "$T/site.yaml" > "$T/bad.yaml"
n=$(rows)
sb reconcile --site "$T/bad.yaml" --csv
expect_rc 2 "a BOM with errors is refused (exit 2)"
expect_in "$T/err" "is not a valid BOM" "with the usual message"
[ "$(rows)" = "$n" ] && pass "and nothing is stored for it" || fail "a bad BOM was stored"
sb reconcile --site "$T/bad.yaml" --csv
expect_rc 2 "and it is refused again"
