#!/usr/bin/env bash
# Runs every tests/integ/t_*.sh (or those named) against $SITEBOOT, each
# with a time limit, and reports a summary. A test exiting 77 is skipped
# and says why.
set -u
cd "$(dirname "$0")/../.." || exit 2
: "${SITEBOOT:?set SITEBOOT to the binary under test}"
export SITEBOOT
limit=${SB_TEST_TIMEOUT:-600}
tests=("$@")
[ ${#tests[@]} -eq 0 ] && tests=(tests/integ/t_*.sh)
pass=0 failed=() skipped=()
for t in "${tests[@]}"; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	start=$(date +%s%N)
	echo "== $name"
	SB_TEST_TDIRS=$(mktemp "${TMPDIR:-/tmp}/sbtdirs.XXXXXX")
	export SB_TEST_TDIRS
	timeout --kill-after=10 "$limit" bash "$t"
	rc=$?
	# a test killed before its own cleanup ran: stop its labs' peers and
	# remove its folder
	while read -r d; do
		[ -d "$d" ] || continue
		n=$(python3 tests/integ/lab_reap.py "$d")
		[ "${n:-0}" != 0 ] && echo "# $name: stopped $n lab processes it left running"
		[ "${SB_KEEP:-0}" = 1 ] || rm -rf "$d"
	done <"$SB_TEST_TDIRS"
	rm -f "$SB_TEST_TDIRS"
	tenths=$((($(date +%s%N) - start) / 100000000))
	secs="$((tenths / 10)).$((tenths % 10))"
	case $rc in
	0) pass=$((pass + 1)); echo "== $name: ok (${secs}s)" ;;
	77) skipped+=("$name"); echo "== $name: skipped (${secs}s)" ;;
	124|137) failed+=("$name (timed out after ${limit}s)"); echo "== $name: TIMEOUT" ;;
	*) failed+=("$name"); echo "== $name: FAILED (exit $rc, ${secs}s)" ;;
	esac
done
echo "integration: $pass passed, ${#skipped[@]} skipped, ${#failed[@]} failed"
for s in "${skipped[@]+"${skipped[@]}"}"; do echo "  skipped: $s"; done
for f in "${failed[@]+"${failed[@]}"}"; do echo "  FAILED: $f"; done
[ ${#failed[@]} -eq 0 ]
