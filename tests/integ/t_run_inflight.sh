# A step without a check that was in flight when the run was killed is not
# run again blindly: the resumed run stops with the reason and the log, and
# --rerun-inflight runs it again.
. "$(dirname "$0")/lib.sh"
SITE=$TOP/tests/data/run/site4.yaml
cat > "$T/inflight.yaml" <<YAML
schema_version: 1
name: inflight
steps:
  - id: slow
    hosts: site
    run: {local: "echo \$\$ > $T/pgid; echo started >> $T/count; [ -e $T/fast ] || sleep 30"}
YAML
sb checklist check "$T/inflight.yaml"
expect_in "$T/err" "step 'slow' has no check" "checklist check warns about a step without a check"
"$SITEBOOT" run "$T/inflight.yaml" --site "$SITE" >"$T/first.out" 2>&1 &
pid=$!
track "$pid"
for _ in $(seq 1 100); do [ -s "$T/count" ] && break; sleep 0.1; done
kill -9 "$pid"
wait "$pid" 2>/dev/null
# the command lives on in its own process group after the kill: stop it
kill -9 -- "-$(cat "$T/pgid")" 2>/dev/null
touch "$T/fast"
sb run "$T/inflight.yaml" --site "$SITE"
expect_rc 1 "the resumed run does not run the in-flight step again"
expect_in "$T/out" "was in flight on site when the run stopped, and it has no check" "it says why"
expect_in "$T/out" "slow.log" "names the step's log"
[ "$(wc -l < "$T/count")" -eq 1 ] && pass "the step ran once" || fail "the step ran $(wc -l < "$T/count") times"
sb run "$T/inflight.yaml" --site "$SITE"
expect_rc 1 "a second plain re-run still refuses it"
sb run "$T/inflight.yaml" --site "$SITE" --rerun-inflight --json
expect_rc 0 "--rerun-inflight runs it again"
expect_json "doc['resumed'] and doc['ran'] == 1" "in the same run"
[ "$(wc -l < "$T/count")" -eq 2 ] && pass "the step ran a second time, as asked" || fail "count $(wc -l < "$T/count")"
