#!/usr/bin/env bash
# Kill `siteboot inventory import` with SIGKILL at random moments of a
# large import, 50 times, each round importing new reports (another
# time stamp) into the same database; after every kill the database opens,
# verifies, holds whole reports only (each with all its observations and
# its ledger events), and has lost nothing recorded before. Then the last
# import resumes to the end.
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || skip "the sqlite3 shell is not installed (make deps)"
ROUNDS=${SB_CRASH_ROUNDS:-50}
NODES=100
PER=20	# components per generated node
DB=$SITEBOOT_DB

python3 "$TOP/tests/integ/invgen.py" --nodes $NODES --site crash --time 2026-12-01T10:00:00Z > "$T/big.json"

# how long a whole import takes here, to spread the kills over it
start=$(date +%s%N)
SITEBOOT_DB="$T/scratch.db" "$SITEBOOT" inventory import "$T/big.json" >/dev/null || fail "a whole import"
full_ms=$((($(date +%s%N) - start) / 1000000))
echo "# a whole import takes ${full_ms} ms here"

q() { sqlite3 "$DB" "$1"; }
prev=0 mid=0
for round in $(seq 1 "$ROUNDS"); do
	delay=$((RANDOM % (full_ms * 2 / 3 + 1)))
	stamp=$(printf '2026-12-01T10:%02d:%02dZ' $((round / 60)) $((round % 60)))
	sed "s/2026-12-01T10:00:00Z/$stamp/g" "$T/big.json" > "$T/round.json"
	"$SITEBOOT" inventory import "$T/round.json" >/dev/null 2>&1 &
	pid=$!
	track $pid
	sleep "$(printf '0.%03d' $((delay % 1000)))"
	[ $delay -ge 1000 ] && sleep $((delay / 1000))
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	[ -e "$DB" ] || continue	# killed before it created anything
	if ! "$SITEBOOT" inventory verify >"$T/v" 2>&1; then
		fail "round $round: verify after SIGKILL at ${delay} ms: $(cat "$T/v")"; continue; fi
	reports=$(q "SELECT count(*) FROM reports")
	partial=$(q "SELECT count(*) FROM reports r WHERE (SELECT count(*) FROM observations o WHERE o.report_id = r.id) != $PER")
	obs=$(q "SELECT count(*) FROM observations")
	recorded=$(q "SELECT count(*) FROM ledger WHERE kind = 'report.recorded'")
	observed=$(q "SELECT count(*) FROM ledger WHERE kind = 'component.observed'")
	if [ "$partial" -ne 0 ] || [ "$obs" -ne $((reports * PER)) ] ||
	   [ "$recorded" -ne "$reports" ] || [ "$observed" -ne "$obs" ]; then
		fail "round $round: half-written: $reports reports ($partial partial), $obs observations, $recorded report events, $observed observation events"
	elif [ "$reports" -lt "$prev" ]; then
		fail "round $round: $reports reports, fewer than the $prev before: something recorded was lost"
	fi
	added=$((reports - prev))
	if [ "$added" -gt 0 ] && [ "$added" -lt $NODES ]; then mid=$((mid + 1)); fi
	prev=$reports
done
pass "$ROUNDS kills: every time the ledger verified and only whole reports were there ($mid kills landed mid-import; $prev reports recorded in all)"
last=$(q "SELECT count(*) FROM reports WHERE time = '${stamp%Z}.000Z'")
sb inventory import "$T/round.json" --json
expect_rc 0 "the last import resumes after the kill"
expect_json "doc['reports'] == $NODES and doc['already_recorded'] == $last" "it skips the $last reports of that round already recorded"
[ "$(q "SELECT count(*) FROM reports WHERE time = '${stamp%Z}.000Z'")" -eq $NODES ] && \
	[ "$(q "SELECT count(*) FROM observations")" -eq $(( $(q "SELECT count(*) FROM reports") * PER)) ] \
	&& pass "the round's $NODES reports are all there, each with its $PER observations" || fail "after resuming: wrong counts"
sb inventory verify
expect_rc 0 "the ledger verifies at the end"
exit 0
