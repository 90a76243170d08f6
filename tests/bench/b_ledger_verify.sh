#!/usr/bin/env bash
# `siteboot inventory verify` over 1,000,000 events against sha256sum over
# the same payload bytes. Target: verify no slower than sha256sum (ratio
# sha256sum/verify >= 1).
#
# Each program runs once to warm the page cache, then SB_BENCH_RUNS times
# (default 5, at least 3), the two taking turns so that a busy moment hits
# both; the best wall time and the best CPU time (user + system, of the
# process and its threads) of each count. The timer is Python's
# perf_counter around fork/exec/wait4, which gives each run's CPU time too.
set -u
: "${SITEBOOT:?}" "${SB_LABBIN:?}"
N=${SB_BENCH_EVENTS:-1000000}
RUNS=${SB_BENCH_RUNS:-5}
[ "$RUNS" -ge 3 ] 2>/dev/null || RUNS=3
B=$(mktemp -d "${TMPDIR:-/tmp}/sbbench.XXXXXX")
trap 'rm -rf "$B"' EXIT
"$SB_LABBIN/invbench" append "$B/inv.db" "$N" 50000 >/dev/null || exit 1
sqlite3 "$B/inv.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
sqlite3 "$B/inv.db" "SELECT payload FROM ledger ORDER BY seq" > "$B/payloads"
bytes=$(stat -c %s "$B/payloads")
SITEBOOT_DB="$B/inv.db" python3 - "$RUNS" "$N" "$bytes" "$SITEBOOT" "$B/payloads" <<'EOF' || exit 1
import os, sys, time

runs, n, size, siteboot, payloads = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
progs = {
    "verify": [siteboot, "inventory", "verify"],
    "sha256sum": ["sha256sum", payloads],
}

def once(argv):
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        os.execvp(argv[0], argv)
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("%s failed (exit %d)" % (argv[0], os.waitstatus_to_exitcode(status)))
    return wall * 1000, (ru.ru_utime + ru.ru_stime) * 1000

best = {k: [float("inf"), float("inf")] for k in progs}
for argv in progs.values():
    once(argv)                      # warm the page cache
for _ in range(runs):
    for k, argv in progs.items():
        w, c = once(argv)
        best[k][0] = min(best[k][0], w)
        best[k][1] = min(best[k][1], c)
v, s = best["verify"], best["sha256sum"]
print("verify %d events (%d MB of payloads), best of %d (wall / CPU):" % (n, size // 1000000, runs))
print("  siteboot inventory verify (payload hashes, chain, Merkle, checkpoints): %4.0f / %4.0f ms" % (v[0], v[1]))
print("  sha256sum over the payload bytes:                                       %4.0f / %4.0f ms" % (s[0], s[1]))
print("  ratio sha256sum/verify: wall %.2f, CPU %.2f (target >= 1)" % (s[0] / v[0], s[1] / v[1]))
EOF
