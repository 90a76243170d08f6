#!/usr/bin/env bash
# make bench: runs every tests/bench/b_*.sh. Each prints its measurements
# and a ratio against a peer measured in the same run, never a bare time.
set -u
cd "$(dirname "$0")/../.." || exit 2
rc=0
for b in tests/bench/b_*.sh; do
	[ -e "$b" ] || continue
	echo "== $(basename "$b" .sh)"
	bash "$b" || { echo "== $(basename "$b" .sh): FAILED"; rc=1; }
done
exit $rc
