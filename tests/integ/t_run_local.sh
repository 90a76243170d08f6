# siteboot run with the appliance's own executors: attest, local and virt
# (libvirt's test:///default), resuming, runs list/show.
. "$(dirname "$0")/lib.sh"
D=$TOP/tests/data/run
SITE=$D/site4.yaml
export SB_T=$T

sb run "$D/local.yaml" --site "$SITE"
expect_rc 1 "an attest step without --attest fails non-interactively"
expect_in "$T/out" "pass --attest pre=YOUR-NAME (or --attest all=YOUR-NAME" "with the hint saying how"
expect_in "$T/out" "site  FAILED" "the summary shows the failed host"
expect_in "$T/out" "/site/pre.log" "and the step's log"
[ ! -e "$T/record" ] && pass "no later step ran" || fail "a later step ran after the failure"

sb run "$D/local.yaml" --site "$SITE" --attest pre="Ama Owusu" --json
expect_rc 0 "the same run resumes and finishes with --attest"
expect_json "doc['ok'] and doc['resumed'] and doc['ran'] == 7" "json: resumed, every step ran"
run1=$(python3 -c "import json; print(json.load(open('$T/out'))['run'])")
[ "$(cat "$T/record")" = "hello-test-run4" ] && pass "a step used an earlier step's output" || fail "record holds '$(cat "$T/record")'"
grep -q "define" "$T/runs/$run1/site/define.log" && grep -q "<domain type='test'>" "$T/runs/$run1/site/define.log" &&
	pass "virt define logged its domain XML" || fail "no domain XML in the define log"
grep -q "running" "$T/runs/$run1/site/start.log" && pass "virt start verified the domain running" || fail "start log"
grep -q "absent" "$T/runs/$run1/site/undefine.log" && pass "virt undefine verified the domain gone" || fail "undefine log"

sb run "$D/local.yaml" --site "$SITE" --attest all="Ama Owusu"
expect_rc 0 "a new run after a finished one"
expect_in "$T/err" "WARNING: --attest all=Ama Owusu confirms EVERY manual step" "--attest all is printed loudly"
expect_in "$T/out" "record already" "a step whose check passes is not run again"
[ "$(wc -l < "$T/record")" -eq 1 ] && pass "record ran exactly once over two runs" || fail "record ran $(wc -l < "$T/record") times"

sb runs list --json
expect_rc 0 "runs list"
expect_json "len(doc['runs']) == 2 and doc['runs'][1]['run'] == '$run1' and doc['runs'][1]['state'] == 'ok'" "runs list shows both runs, newest first"
sb runs show "${run1:0:17}" --json
expect_rc 0 "runs show by id prefix"
expect_json "[s['state'] for s in doc['steps']] == ['done'] * 7 and doc['steps'][0]['attempts'] == 2" "runs show: steps and attempts"
sb runs show nosuch
expect_rc 1 "runs show of an unknown run"
expect_in "$T/err" "runs list" "points at runs list"

# a local step's timeout kills it and what it started
cat > "$T/slow.yaml" <<YAML
schema_version: 1
name: slow
steps:
  - id: sleepy
    hosts: site
    run: {local: "sleep 30 & echo \$! > $T/child; wait"}
    timeout: 1s
    idempotent: true
YAML
sb run "$T/slow.yaml" --site "$SITE"
expect_rc 1 "a step over its timeout fails"
expect_in "$T/out" "did not finish within 1 s and was killed" "the timeout is named"
sleep 0.5
# gone, or a zombie waiting for an init that does not reap
st=$(ps -o stat= -p "$(cat "$T/child" 2>/dev/null || echo 1)" 2>/dev/null | tr -d ' ')
if [ -s "$T/child" ] && { [ -z "$st" ] || [ "${st#Z}" != "$st" ]; }; then pass "the command's child was killed too"; else
	fail "the sleeping child survived the timeout"; kill "$(cat "$T/child")" 2>/dev/null; fi

# every step result and the confirmation are ledger events, and the chain verifies
n=$(sqlite3 "$T/inventory.db" "select count(*) from ledger where kind like 'checklist.step.%'")
[ "$n" -ge 15 ] && pass "step results are ledger events ($n)" || fail "only $n step events in the ledger"
sqlite3 "$T/inventory.db" "select payload from ledger where kind = 'attestation.given'" > "$T/att"
expect_in "$T/att" '"confirmed_by":"Ama Owusu"' "the attestation names who confirmed"
expect_in "$T/att" '"via":"--attest all"' "and records --attest all as such"
sb inventory verify
expect_rc 0 "the ledger verifies"
