# `siteboot lab up` interrupted while its peers start: a SIGTERM makes it
# stop every peer it had started; after a SIGKILL (nothing can run) the
# harness stops them by lab.json's PIDs; and a test killed by run.sh's
# time limit mid `lab up` leaves no peer running either.
. "$(dirname "$0")/lib.sh"
[ -x /usr/bin/python3 ] && export PATH=/usr/bin:$PATH
command -v ipmi_sim >/dev/null || skip "ipmi_sim (Debian package openipmi) is not installed"
REAP=$TOP/tests/integ/lab_reap.py

# The real ipmi_sim after a pause, so that `lab up` is still waiting for
# its BMCs when the signal comes.
mkdir -p "$T/bin"
real=$(command -v ipmi_sim)
cat >"$T/bin/ipmi_sim" <<EOF
#!/bin/sh
sleep \${SLOW_BMC:-2}
exec "$real" "\$@"
EOF
chmod +x "$T/bin/ipmi_sim"

# lab_pids DIR N: the PIDs lab.json in DIR lists, once it lists N
lab_pids() {
	local i p
	for i in $(seq 1 300); do
		p=$(python3 -c "
import json, sys
ps = [str(p['pid']) for p in json.load(open('$1/lab.json'))['procs']]
sys.exit(1) if len(ps) < $2 else print(' '.join(ps))" 2>/dev/null) && { echo "$p"; return 0; }
		sleep 0.05
	done
	return 1
}

# start_lab DIR: `lab up` of the edge example (3 IPMI BMCs) in the
# background; $up is its PID, $pids the peers' once all three started
start_lab() {
	PATH="$T/bin:$PATH" "$SITEBOOT" lab up --dir "$1" --no-ssh >"$T/out" 2>"$T/err" &
	up=$!
	track "$up"
	pids=$(lab_pids "$1" 3) || { fail "lab up in $1 never listed its 3 BMCs"; sed 's/^/#   /' "$T/err"; return 1; }
	local p
	for p in $pids; do track "$p"; done
}

# ---- SIGTERM: lab up stops what it started -----------------------------------
if start_lab "$T/lab1"; then
	kill -TERM "$up"
	wait "$up"
	rc=$?
	expect_rc 1 "lab up ended by SIGTERM fails"
	expect_in "$T/err" "interrupted" "and says it was interrupted"
	[ "$(alive_count "$pids")" = 0 ] && pass "no BMC of the interrupted lab runs on" ||
		fail "still running: $pids"
	[ ! -e "$T/lab1/lab.json" ] && pass "and its state is removed" || fail "lab.json left"
fi

# ---- SIGKILL: the PIDs in lab.json are what the harness stops -------------------
if SLOW_BMC=3 start_lab "$T/lab2"; then
	kill -KILL "$up"
	wait "$up" 2>/dev/null
	[ "$(alive_count "$pids")" = 3 ] && pass "after SIGKILL the 3 BMCs run on (nothing could stop them)" ||
		fail "expected 3 BMCs running after SIGKILL: $pids"
	n=$(python3 "$REAP" "$T")
	[ "$n" = 3 ] && pass "lab_reap.py stops the 3 by lab.json's PIDs" || fail "lab_reap.py stopped $n"
	[ "$(alive_count "$pids")" = 0 ] && pass "none of them runs on" || fail "still running: $pids"
	n=$(python3 "$REAP" "$T")
	[ "$n" = 0 ] && pass "a second lab_reap.py finds nothing of ours" || fail "second pass stopped $n"
fi

# ---- tests that die while `lab up` runs, under run.sh --------------------------------
# nested_run NAME WHAT [LIMIT]: run $T/NAME.sh through run.sh with a time
# limit of LIMIT seconds (2 unless given; it writes its own folder to
# $T/NAME_t); then no BMC of its lab may run on
nested_run() {
	SB_TEST_TIMEOUT=${3:-2} SITEBOOT="$SITEBOOT" bash "$TOP/tests/integ/run.sh" "$T/$1.sh" >"$T/$1.out" 2>&1
	local nt left
	nt=$(cat "$T/$1_t" 2>/dev/null)
	[ -n "$nt" ] || { fail "$2: the nested test did not start"; return; }
	sleep 0.2
	left=$(pgrep -f "ipmi_sim -c $nt/" || true)
	[ -z "$left" ] && pass "$2: no BMC of its lab runs on" ||
		{ fail "$2: left running: $left"; for p in $left; do track "$p"; done; }
	[ ! -e "$nt" ] && pass "$2: and its folder is gone" || fail "$2: $nt left behind"
}
# run.sh's time limit: SIGTERM to the test and to `lab up`
cat >"$T/t_slow.sh" <<EOF
. "$TOP/tests/integ/lib.sh"
echo "\$T" >"$T/t_slow_t"
PATH="$T/bin:\$PATH" SLOW_BMC=5 sb lab up --dir "\$T/lab" --no-ssh
on_exit "'\$SITEBOOT' lab down --dir '\$T/lab'"
sleep 60
EOF
nested_run t_slow "timed out"
expect_in "$T/t_slow.out" "TIMEOUT" "the slow test ran into run.sh's time limit"
# SIGKILL to `lab up` and to the test itself: none of its own cleanup runs
cat >"$T/t_killed.sh" <<EOF
. "$TOP/tests/integ/lib.sh"
echo "\$T" >"$T/t_killed_t"
PATH="$T/bin:\$PATH" SLOW_BMC=5 "\$SITEBOOT" lab up --dir "\$T/lab" --no-ssh >/dev/null 2>&1 &
for i in \$(seq 1 200); do
	[ "\$(grep -o '"pid"' "\$T/lab/lab.json" 2>/dev/null | wc -l)" -ge 3 ] && break
	sleep 0.05
done
kill -KILL \$! \$\$
EOF
# (a limit well past the wait for the 3 BMCs: under ASan `lab up` is slower,
# and this test is about SIGKILL, not about the time limit)
nested_run t_killed "killed" 30
expect_in "$T/t_killed.out" "stopped 3 lab processes" "run.sh says it stopped what the killed test left"
