# Shared helpers for integration tests (sourced by tests/integ/t_*.sh).
# Each test runs in its own temporary directory ($T) and registers every
# process it starts with `track PID`; everything is stopped on exit, pass
# or fail. Tests address only 127.0.0.0/8, ::1 or namespaces they made.
set -u
: "${SITEBOOT:?SITEBOOT must point at the binary under test}"
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SHARED=${SB_SHARED:-$TOP/../shared}
T=$(mktemp -d "${TMPDIR:-/tmp}/sbtest.XXXXXX")
# run.sh cleans up after a test that was killed before _finish could run
[ -n "${SB_TEST_TDIRS:-}" ] && echo "$T" >>"$SB_TEST_TDIRS"
export SITEBOOT_DB="$T/inventory.db"
_pids=()
_cleanups=()
_fails=0
_checks=0

track() { _pids+=("$1"); }
on_exit() { _cleanups+=("$1"); }

_finish() {
	local rc=$?
	for c in "${_cleanups[@]+"${_cleanups[@]}"}"; do eval "$c" >/dev/null 2>&1 || true; done
	for p in "${_pids[@]+"${_pids[@]}"}"; do kill "$p" 2>/dev/null || true; done
	for p in "${_pids[@]+"${_pids[@]}"}"; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null || true
	done
	# a lab whose `lab up` was killed, or that no on_exit stops yet: its
	# peers run in sessions of their own; stop them by lab.json's PIDs
	python3 "$TOP/tests/integ/lab_reap.py" "$T" >/dev/null 2>&1 || true
	if [ "${SB_KEEP:-0}" = 1 ]; then echo "# kept $T"; else rm -rf "$T"; fi
	if [ $rc -eq 77 ]; then exit 77; fi
	if [ $_fails -gt 0 ]; then echo "# $_fails of $_checks checks failed"; exit 1; fi
	exit $rc
}
trap _finish EXIT
trap 'exit 130' INT TERM HUP

pass() { _checks=$((_checks + 1)); echo "ok - $*"; }
fail() { _checks=$((_checks + 1)); _fails=$((_fails + 1)); echo "not ok - $*"; }
skip() { echo "# SKIP $*"; exit 77; }

# sb ARGS...: run siteboot, stdout to $T/out, stderr to $T/err, status in $rc
sb() { "$SITEBOOT" "$@" >"$T/out" 2>"$T/err"; rc=$?; return 0; }

# expect_rc N DESCRIPTION: the last sb call exited N
expect_rc() {
	if [ "$rc" -eq "$1" ]; then pass "$2 (exit $1)"; else
		fail "$2: expected exit $1, got $rc"; sed 's/^/#   err: /' "$T/err" | head -20; fi
}
# expect_in FILE TEXT DESCRIPTION: FILE holds TEXT (fixed string)
expect_in() {
	if grep -qF -- "$2" "$1"; then pass "$3"; else
		fail "$3: '$2' not in $(basename "$1")"; sed 's/^/#   /' "$1" | head -20; fi
}
expect_not_in() {
	if ! grep -qF -- "$2" "$1"; then pass "$3"; else
		fail "$3: '$2' unexpectedly in $(basename "$1")"; fi
}
# expect_json FILTER DESCRIPTION: python3 evaluates FILTER on doc=$T/out
expect_json() {
	if python3 -c "import json,sys; doc=json.load(open('$T/out')); sys.exit(0 if ($1) else 1)" 2>"$T/pyerr"; then
		pass "$2"; else fail "$2: JSON check failed: $1"; head -5 "$T/pyerr" | sed 's/^/#   /'; fi
}

# free_port: a TCP/UDP port on 127.0.0.1 that nothing listens on now
free_port() {
	python3 - <<'PY'
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    u.bind(("127.0.0.1", p)); u.close(); print(p)
except OSError:
    print(0)
PY
}

# alive_count "PID...": how many of the PIDs still run (zombies do not)
alive_count() {
	local n=0 p st
	for p in $1; do
		st=$(sed 's/.*) \(.\).*/\1/' "/proc/$p/stat" 2>/dev/null) || continue
		[ "$st" != Z ] && n=$((n + 1))
	done
	echo $n
}

# wait_for CMD...: retry a command for up to 10 s
wait_for() {
	local i
	for i in $(seq 1 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}
