#!/usr/bin/env bash
# Process start-up: `siteboot --version` and `siteboot inventory verify` on
# an empty inventory, against the sqlite3 shell answering `select 1` on the
# same database (the peer: a C program over SQLite that does almost
# nothing). For reference, two empty programs built here: one linked like
# siteboot (libc, SQLite, jansson, libyaml, libcrypto: the floor) and one
# linked also with the libraries siteboot loads on first use (how siteboot
# was linked before common/lazylib.c). Mean of SB_BENCH_RUNS runs each,
# wall and CPU (user+sys). Target: siteboot --version within 2x of sqlite3.
set -u
: "${SITEBOOT:?}" "${SB_LABBIN:?}"
RUNS=${SB_BENCH_RUNS:-200}
command -v hyperfine >/dev/null || { echo "hyperfine is not installed (make deps)"; exit 1; }
B=$(mktemp -d "${TMPDIR:-/tmp}/sbbench.XXXXXX")
trap 'rm -rf "$B"' EXIT
"$SB_LABBIN/invbench" append "$B/inv.db" 0 1 >/dev/null || exit 1

echo 'int main(void) { return 0; }' > "$B/floor.c"
LD="-O2 -fPIE -pie -Wl,-z,relro,-z,now -Wl,--no-as-needed"
cc $LD -o "$B/floor" "$B/floor.c" $(pkg-config --libs jansson yaml-0.1 sqlite3 libcrypto) ||
	exit 1
cc $LD -o "$B/floor_heavy" "$B/floor.c" $(pkg-config --libs jansson yaml-0.1 sqlite3 \
	libcrypto libfreeipmi libcurl libssh libvirt libarchive libssl libmicrohttpd) || exit 1

SITEBOOT_DB="$B/inv.db" hyperfine -N -w 10 -r "$RUNS" --export-json "$B/h.json" \
	-n "siteboot --version" "$SITEBOOT --version" \
	-n "siteboot inventory verify (empty)" "$SITEBOOT inventory verify" \
	-n "sqlite3 DB 'select 1'" "sqlite3 $B/inv.db 'select 1'" \
	-n "floor: empty main, siteboot's link line" "$B/floor" \
	-n "floor: empty main, with the heavy libraries" "$B/floor_heavy" >/dev/null 2>&1 ||
	{ echo "hyperfine failed"; exit 1; }
python3 - "$B/h.json" "$RUNS" "$(ldd "$B/floor_heavy" | wc -l)" "$(ldd "$SITEBOOT" | wc -l)" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
print("start-up, mean of %s runs (wall / CPU user+sys), load %s:" % (sys.argv[2], open("/proc/loadavg").read().split()[0]))
for name, x in r.items():
    print("  %-46s %6.1f / %5.1f ms" % (name, x["mean"] * 1e3, (x["user"] + x["system"]) * 1e3))
v = r["siteboot --version"]; s = r["sqlite3 DB 'select 1'"]
f = r["floor: empty main, siteboot's link line"]; h = r["floor: empty main, with the heavy libraries"]
cpu = lambda x: x["user"] + x["system"]
print("  objects mapped: siteboot %s, with the heavy libraries %s (ldd lines)" % (sys.argv[4], sys.argv[3]))
print("  ratio siteboot --version / sqlite3: wall %.2f, CPU %.2f (target <= 2)" % (v["mean"] / s["mean"], cpu(v) / cpu(s)))
print("  ratio siteboot --version / floor:   wall %.2f, CPU %.2f" % (v["mean"] / f["mean"], cpu(v) / cpu(f)))
print("  the heavy libraries would cost:     wall +%.1f ms, CPU +%.1f ms per process" % ((h["mean"] - f["mean"]) * 1e3, (cpu(h) - cpu(f)) * 1e3))
PY
