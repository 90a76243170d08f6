#!/usr/bin/env bash
# The inventory end to end: import reports, show, history, reconcile with
# planted discrepancies, dispositions, checkpoints and proofs checked by an
# independent auditor script, tampering with the sqlite3 shell, and no
# secret in the database file.
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || skip "the sqlite3 shell is not installed (make deps)"
G="python3 $TOP/tests/integ/invgen.py"
A="python3 $TOP/tests/integ/inv_audit.py"
DB=$SITEBOOT_DB

$G --nodes 4 --site s1 --bom > "$T/bom.yaml"
$G --nodes 4 --site s1 --time 2026-12-01T10:00:00Z > "$T/day1.json"
sb bom check "$T/bom.yaml"
expect_rc 0 "the generated BOM is valid"

# ---- import, show, history ------------------------------------------------
sb inventory verify
expect_rc 1 "verify without a database fails"
expect_in "$T/err" "no inventory here yet" "and says so"
sb inventory import "$T/day1.json" --operator ama
expect_rc 0 "import 4 reports"
expect_in "$T/out" "recorded 4 reports (0 already recorded)" "import counts reports"
[ "$(stat -c %a "$DB")" = 600 ] && pass "the database is 0600" || fail "database mode $(stat -c %a "$DB")"
sb inventory import "$T/day1.json" --json
expect_json "doc['already_recorded'] == 4 and doc['events'] == 0" "importing the same reports again records nothing"
sb inventory show node-n0002 --json
expect_json "len(doc['components']) == 20 and all(c['node'] == 'node-n0002' for c in doc['components'])" "show NODE lists its 20 components"
expect_json "any(f['name'] == 'BIOS' and f['version'] == '2.1.4' for f in doc['firmware'])" "show lists firmware"
sb inventory show
expect_in "$T/out" "DM00000301" "show lists every node"
sb inventory show nosuchnode
expect_rc 1 "show of an unknown node fails"
sb inventory history dm00000203 --json
expect_json "doc[0]['identity'] == 's:memory:DM00000203' and doc[0]['observations'][0]['operator'] == 'ama' and len(doc[0]['observations'][0]['evidence_sha256']) == 64" "history finds a serial case-insensitively with operator and evidence"
sb inventory history 52:54:00:00:03:01
expect_rc 0 "history by MAC"
expect_in "$T/out" "NI0000031" "finds the NIC by its MAC"

# ---- reconcile ------------------------------------------------------------
sb reconcile --site "$T/bom.yaml"
expect_rc 0 "a site that matches its BOM reconciles clean"
expect_in "$T/out" "0 blocking" "no blocking findings"
# plant: a swapped serial, a missing DIMM, an extra drive, old firmware,
# a part moved to another node
python3 - "$T/day1.json" "$T/day2.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
n1, n2, n3, n4 = r
for c in n1["components"]:
    if c.get("location") == "DIMM_A1": c["serial"] = "SWAP0001"          # substituted
n2["components"] = [c for c in n2["components"] if c.get("location") != "DIMM_B4"]  # missing
x = dict(n3["components"][-1]); x.update({"class": "drive", "part_number": "HDD-8T",
     "model": "M-HDD", "serial": "EXTRA-HDD-1", "location": "Bay20", "durable_id": None})
n3["components"].append(x)                                                # extra drive
n4["firmware"][0]["version"] = "2.0.7"                                   # old BIOS
for c in n4["components"]:
    if c.get("location") == "NVMe3": c["serial"] = "DR00000300"          # moved from n3
for c in n3["components"]:
    if c.get("location") == "NVMe0": c["serial"] = "DR99999999"
for x in r: x["time"] = "2026-12-02T10:00:00Z"
json.dump(r, open(sys.argv[2], "w"))
PY
sb inventory import "$T/day2.json"
expect_rc 0 "import day 2"
sb reconcile --site "$T/bom.yaml" --json
expect_rc 1 "planted discrepancies block (exit 1)"
cp "$T/out" "$T/rec.json"
expect_json "any(f['finding'] == 'serial_mismatch' and f['node'] == 'node-n0001' and f['observed_serial'] == 'SWAP0001' and f['expected_serial'] == 'DM00000100' for f in doc['findings'])" "the swapped serial is a serial mismatch"
expect_json "any(f['finding'] == 'missing' and f['node'] == 'node-n0002' and f['expected_serial'] == 'DM00000207' for f in doc['findings'])" "the missing DIMM is missing"
expect_json "any(f['finding'] == 'quantity_short' and f['node'] == 'node-n0002' and f['ordered'] == 8 and f['found'] == 7 for f in doc['findings'])" "and its line is short 7 of 8"
expect_json "any(f['finding'] == 'extra' and f['node'] == 'node-n0003' and f['observed_serial'] == 'EXTRA-HDD-1' for f in doc['findings'])" "the extra drive is extra"
expect_json "any(f['finding'] == 'firmware_below_baseline' and f['node'] == 'node-n0004' and '2.0.7' in f['detail'] for f in doc['findings'])" "the old BIOS is below baseline"
expect_json "any(f['finding'] == 'moved' and f['node'] == 'node-n0003' and f['location'].startswith('node-n0004/') for f in doc['findings'])" "the drive on another node is moved"
expect_json "all(f['finding'] == 'matched' or f['node'] in ('node-n0001','node-n0002','node-n0003','node-n0004') for f in doc['findings'])" "every finding names its node"
expect_json "all(len(f['id']) == 12 and f['id'].startswith('F-') for f in doc['findings'])" "every finding has an id"
sb reconcile --site "$T/bom.yaml" --csv
expect_rc 1 "CSV report, same exit"
head -1 "$T/out" > "$T/csvhead"
expect_in "$T/csvhead" "site,po,po_line,vendor,bom_line,node,line,part_number,ordered,found,expected_serial,observed_serial" "CSV has the procurement columns"
expect_in "$T/out" "s1,PO-1,3,Acme Corp," "CSV rows carry site, PO, PO line and vendor"
python3 -c "import csv,sys; rows=list(csv.DictReader(open('$T/out'))); sys.exit(0 if len(rows) > 80 and all(r['finding'] for r in rows) else 1)" \
	&& pass "CSV parses with one row per finding" || fail "CSV does not parse"
sb reconcile --site "$T/bom.yaml"
expect_in "$T/out" "serial_mismatch" "text report lists findings"
expect_not_in "$T/out" "matched   " "text report leaves matched parts out"

# ---- dispositions ------------------------------------------------------------
ids=$(python3 -c "import json; d=json.load(open('$T/rec.json')); print(' '.join(f['id'] for f in d['findings'] if f['blocking']))")
for id in $ids; do
	"$SITEBOOT" inventory disposition "$id" accept --by ama --note "test" >/dev/null || fail "disposition $id"
done
sb inventory disposition F-0000000000 maybe --by ama
expect_rc 2 "an unknown decision is bad usage"
sb inventory disposition F-0000000000 waive
expect_rc 2 "a disposition needs --by"
sb reconcile --site "$T/bom.yaml" --json
expect_rc 0 "every blocking finding dispositioned: exit 0"
expect_json "all(f.get('disposition', {}).get('decision') == 'accept' for f in doc['findings'] if f['severity'] == 'error')" "the decisions show in the report"

# ---- ledger: verify, checkpoints, proofs, an independent audit -------------
sb inventory verify
expect_rc 0 "verify a clean ledger"
expect_in "$T/out" "ledger ok" "verify says ok"
sb inventory checkpoint
expect_rc 0 "sign a checkpoint"
head -1 "$T/out" > "$T/cp1"
expect_in "$T/cp1" "siteboot/inventory" "the checkpoint is a signed note with the origin"
expect_in "$T/out" "— siteboot/inventory " "and a signature line"
[ "$(stat -c %a "$(dirname "$DB")/ledger.key")" = 600 ] && pass "the signing key is 0600" || fail "key mode"
size1=$(sed -n 2p "$T/out")
"$SITEBOOT" inventory import "$T/day1.json" >/dev/null
"$SITEBOOT" inventory disposition F-0123456789 waive --by ama --note "after the first checkpoint" >/dev/null
sb inventory checkpoint --json
expect_json "doc['tree_size'] > $size1" "a later checkpoint covers more events"
sb inventory prove 5 --json
expect_rc 0 "inclusion proof of event 5"
cp "$T/out" "$T/proof.json"
sb inventory prove --consistency "$size1" --json
expect_json "doc['old_size'] == $size1 and len(doc['path']) > 0" "consistency proof from the first checkpoint"
if $A "$DB" "$T/proof.json" > "$T/audit" 2>&1; then pass "an independent script recomputes the chain, roots and the proof"; else
	fail "independent audit"; cat "$T/audit"; fi
# the signature checks with openssl alone
openssl pkey -in "$(dirname "$DB")/ledger.key" -pubout -out "$T/pub.pem" 2>/dev/null
sqlite3 "$DB" "SELECT note FROM checkpoints ORDER BY id DESC LIMIT 1" > "$T/note"
head -3 "$T/note" > "$T/body"
sed -n 5p "$T/note" | awk '{print $NF}' | base64 -d | tail -c 64 > "$T/sig"
if openssl pkeyutl -verify -pubin -inkey "$T/pub.pem" -rawin -in "$T/body" -sigfile "$T/sig" >/dev/null 2>&1; then
	pass "openssl verifies the checkpoint signature"; else fail "openssl signature check"; fi
sb inventory prove 999999
expect_rc 2 "a proof of an event beyond the checkpoint is bad input"

# ---- exports ----------------------------------------------------------------------
V="python3 $TOP/tests/integ/cdx_validate.py $SHARED/schemas/cyclonedx-1.6"
python3 -c "import jsonschema" 2>/dev/null || skip "python3-jsonschema is not installed (make deps)"
sb inventory export --format cyclonedx --bom "$T/bom.yaml"
expect_rc 0 "CycloneDX export of what was discovered"
cp "$T/out" "$T/disc.cdx.json"
if $V "$T/disc.cdx.json" > "$T/val" 2>&1; then pass "it validates against the CycloneDX 1.6 schema"; else fail "CycloneDX schema: $(head -3 "$T/val")"; fi
expect_json "doc['metadata']['lifecycles'] == [{'phase': 'discovery'}] and len(doc['components']) == 4" "discovery phase, one device per node"
expect_json "any(p == {'name': 'cdx:device:serialNumber', 'value': 'DM00000201'} for c in doc['components'] for k in c['components'] for p in k.get('properties', []))" "serials in cdx:device:serialNumber"
expect_json "any(p['name'] == 'cdx:device:location' and p['value'] == 'node-n0002/DIMM_B1' for c in doc['components'] for k in c['components'] for p in k.get('properties', []))" "locations in cdx:device:location"
expect_json "any(k['type'] == 'firmware' and k['name'] == 'BIOS' for c in doc['components'] for k in c['components'])" "firmware as nested firmware components"
sb inventory export --format cyclonedx --phase design --bom "$T/bom.yaml"
expect_rc 0 "CycloneDX export of the BOM"
cp "$T/out" "$T/design.cdx.json"
if $V "$T/design.cdx.json" > "$T/val" 2>&1; then pass "the design document validates too"; else fail "CycloneDX schema (design): $(head -3 "$T/val")"; fi
expect_json "doc['metadata']['lifecycles'] == [{'phase': 'design'}] and sum(len(c['components']) for c in doc['components']) == 4 * (2 + 8 + 4 + 2 + 2 + 1)" "design phase, one device per ordered unit plus firmware"
sb inventory export --format cyclonedx --phase design
expect_rc 2 "the design phase needs --bom"
sb inventory export --format xml
expect_rc 2 "an unknown format is bad usage"
sb inventory export --format csv
expect_rc 0 "CSV export"
python3 -c "import csv,sys; r=list(csv.DictReader(open('$T/out'))); sys.exit(0 if len(r) >= 80 and r[0]['node'] and all(x['class'] for x in r) else 1)" \
	&& pass "CSV export parses, one row per component" || fail "CSV export"
sb inventory export --format netbox
expect_json "len(doc['dcim.device']) == 4 and all(d['serial'] and d['site'] == 's1' for d in doc['dcim.device']) and any(m['module_bay'] == 'DIMM_A1' and m['serial'] for m in doc['dcim.module'])" "NetBox export: devices with serials, modules in bays"
sb inventory export --format jsonl
python3 - "$T/out" <<'PY' && pass "jsonl export: header, events with their exact payload, checkpoints" || fail "jsonl export"
import hashlib, json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert lines[0]["type"] == "header" and len(lines[0]["ed25519_public_key"]) == 64
ev = [l for l in lines if l["type"] == "event"]
assert [e["seq"] for e in ev] == list(range(1, len(ev) + 1))
assert all(hashlib.sha256(e["payload_text"].encode()).hexdigest() == e["payload_sha256"] for e in ev)
assert any(l["type"] == "checkpoint" for l in lines)
PY

# ---- secrets never reach the database -------------------------------------
python3 - "$T/day1.json" "$T/secret.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))[:1]
r[0]["target"] = "redfish://admin:Lab-Secret-Pw-42@127.0.0.1:8443"
r[0]["time"] = "2026-12-03T10:00:00Z"
json.dump(r, open(sys.argv[2], "w"))
PY
sb inventory import "$T/secret.json"
expect_rc 0 "import a report whose target URL carries a password"
sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
if grep -a -q "Lab-Secret-Pw-42" "$DB" "$DB-wal" 2>/dev/null; then fail "the password is in the database file"; else
	pass "the password is not in the database file"; fi

# ---- tampering with the sqlite3 shell -----------------------------------------
tamper() {	# NAME SQL EXPECTED-PROBLEM EXPECTED-SEQ
	cp "$DB" "$T/t.db"; rm -f "$T/t.db-wal" "$T/t.db-shm"
	sqlite3 "$T/t.db" "DROP TRIGGER ledger_no_update; DROP TRIGGER ledger_no_delete; $2" || { fail "$1: sqlite3"; return; }
	SITEBOOT_DB="$T/t.db" sb inventory verify --json
	expect_rc 1 "$1: verify exits 1"
	expect_json "doc['problem'] == '$3' and doc.get('seq') == $4" "$1: verify names event $4 as $3"
}
sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
sqlite3 "$DB" "UPDATE ledger SET actor = 'x' WHERE seq = 3" 2>"$T/trig"
expect_in "$T/trig" "append-only" "the triggers refuse an UPDATE"
sqlite3 "$DB" "DELETE FROM ledger WHERE seq = 3" 2>"$T/trig"
expect_in "$T/trig" "append-only" "the triggers refuse a DELETE"
tamper "changed payload" "UPDATE ledger SET payload = '{\"forged\":true}' WHERE seq = 40" changed 40
tamper "changed actor" "UPDATE ledger SET actor = 'operator:mallory' WHERE seq = 41" changed 41
tamper "deleted" "DELETE FROM ledger WHERE seq = 42" deleted 42
tamper "deleted and renumbered" "DELETE FROM ledger WHERE seq = 43; UPDATE ledger SET seq = seq - 1 WHERE seq > 43" deleted 43
tamper "inserted" "UPDATE ledger SET seq = -seq WHERE seq >= 44; UPDATE ledger SET seq = 1 - seq WHERE seq < 0; INSERT INTO ledger SELECT 44, time, actor, kind, payload, payload_sha256, prev, hash FROM ledger WHERE seq = 10" inserted 44
tamper "reordered" "UPDATE ledger SET seq = -1 WHERE seq = 45; UPDATE ledger SET seq = 45 WHERE seq = 46; UPDATE ledger SET seq = 46 WHERE seq = -1" reordered 45
tamper "tail deleted" "DELETE FROM ledger WHERE seq > 50" deleted 51
cp "$DB" "$T/t.db"; rm -f "$T/t.db-wal" "$T/t.db-shm"
sqlite3 "$T/t.db" "DROP TRIGGER ledger_no_delete"
SITEBOOT_DB="$T/t.db" sb inventory verify --json
expect_json "doc['problem'] == 'guard'" "a dropped guard trigger is reported"
# a damaged file is refused at open with the way out
cp "$DB" "$T/d.db"; rm -f "$T/d.db-wal"
dd if=/dev/urandom of="$T/d.db" bs=4096 seek=2 count=3 conv=notrunc 2>/dev/null
SITEBOOT_DB="$T/d.db" sb inventory show
expect_rc 1 "a damaged database is refused"
expect_in "$T/err" "damaged" "with a message that says so"
exit 0
