# Full hardware and firmware inventory of one Redfish mockup system (DMTF
# public-tower) from the lab's emulator (siteboot lab-redfish-bmc, plain
# HTTP on loopback): siteboot discover versus one curl process fetching
# the same URLs (the floor the emulator sets), versus python3-sushy and
# redfishtool reading the same inventory. Wall time (median of
# $SB_BENCH_RUNS) and HTTP requests (counted in a separate pass against a
# second emulator that logs every request, so counting never slows a
# timed run). Targets
# (issue 3): at most 2x curl's time, at least 3x faster than sushy.
set -u
: "${SITEBOOT:?}"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
B=$TOP/tests/bench
MOCKUP=$TOP/tests/data/redfish/public-tower
PY=/usr/bin/python3
RUNS=${SB_BENCH_RUNS:-5}
[ -d "$MOCKUP" ] || { echo "skipped: no mockup at $MOCKUP"; exit 0; }
"$SITEBOOT" help lab-redfish-bmc >/dev/null 2>&1 || { echo "skipped: this siteboot has no Redfish emulator"; exit 0; }
$PY -c 'import sushy' 2>/dev/null || { echo "skipped: python3-sushy is not installed"; exit 0; }
command -v redfishtool >/dev/null || { echo "skipped: redfishtool is not installed"; exit 0; }
T=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
USER=admin PW=bench$RANDOM$RANDOM
printf '%s' "$PW" > "$T/pw"; chmod 600 "$T/pw"
P=$(free_port)
"$SITEBOOT" lab-redfish-bmc --listen "127.0.0.1:$P" --mockup "$MOCKUP" --user "$USER" \
	--password-file "$T/pw" --state-dir "$T/state" >"$T/emu.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$P/redfish/v1" >/dev/null && break; sleep 0.1; done
URL=http://127.0.0.1:$P
export SITEBOOT_BMC_USER=$USER SITEBOOT_BMC_PASSWORD=$PW

sb_inv() { "$SITEBOOT" discover --bmc "redfish+http://127.0.0.1:$1" --no-security --json -q; }
curl_list() { # FILE PORT: one curl process, every URL of FILE, keep-alive
	{ printf 'user = "%s:%s"\nsilent\n' "$USER" "$PW"
	  while read -r u; do printf 'url = "http://127.0.0.1:%s%s"\noutput = /dev/null\n' "$2" "$u"; done < "$1"
	} > "$T/curl.cfg"
	curl -K "$T/curl.cfg"
}
sushy_inv() { $PY "$B/sushy_inventory.py" "http://127.0.0.1:$1" "$USER" "$PW"; }
rft_inv() { # FILE PORT: redfishtool, one process per resource
	while read -r u; do
		redfishtool -r "127.0.0.1:$2" -u "$USER" -p "$PW" -A Basic -S Never raw GET "$u" >/dev/null
	done < "$1"
}

# the counting pass: a second emulator that logs each request (-vv)
C=$(free_port)
"$SITEBOOT" lab-redfish-bmc --listen "127.0.0.1:$C" --mockup "$MOCKUP" --user "$USER" \
	--password-file "$T/pw" --state-dir "$T/state2" -vv >"$T/count.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$C/redfish/v1" >/dev/null && break; sleep 0.1; done
requests() { grep -c 'lab-redfish-bmc: [A-Z]* ' "$T/count.log"; }
mark=$(requests)
sb_inv "$C" > "$T/sb.json"
n_sb=$(($(requests) - mark))
sed -n "$((mark + 1)),\$p" "$T/count.log" | grep -o 'lab-redfish-bmc: GET [^ ]*' | awk '{print $3}' | \
	grep -v '/SessionService/Sessions' | sort -u > "$T/sb.urls"
$PY - "$T/sb.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))[0]
from collections import Counter
print("siteboot read: ok=%s, %d components (%s), %d firmware" % (d["ok"], len(d["components"]),
      ", ".join("%s %d" % kv for kv in sorted(Counter(c["class"] for c in d["components"]).items())),
      len(d["firmware"])))
PY
$PY "$B/redfish_urls.py" "$URL" "$USER" "$PW" > "$T/full.urls"
mark=$(requests); sushy_inv "$C" > "$T/sushy.out" 2>&1; n_sushy=$(($(requests) - mark))
echo "sushy read: $(tail -1 "$T/sushy.out")"
mark=$(requests); rft_inv "$T/full.urls" "$C"; n_rft=$(($(requests) - mark))
n_curl=$(wc -l < "$T/sb.urls") n_full=$(wc -l < "$T/full.urls")

median_ms() {
	local i s e v=()
	for i in $(seq 1 "$RUNS"); do
		s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N)
		v+=($(((e - s) / 1000000)))
	done
	printf '%s\n' "${v[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'
}
t_sb=$(median_ms sb_inv "$P")
t_curl=$(median_ms curl_list "$T/sb.urls" "$P")
t_curlfull=$(median_ms curl_list "$T/full.urls" "$P")
t_sushy=$(median_ms sushy_inv "$P")
RUNS_SAVED=$RUNS; RUNS=1
t_rft=$(median_ms rft_inv "$T/full.urls" "$P")
RUNS=$RUNS_SAVED
echo "inventory of one public-tower system (median of $RUNS runs; redfishtool: 1 run):"
printf '  %-44s %6s ms  %4s requests\n' \
	"siteboot discover" "$t_sb" "$n_sb" \
	"curl, siteboot's URLs (one process)" "$t_curl" "$n_curl" \
	"curl, every resource without \$expand" "$t_curlfull" "$n_full" \
	"python3-sushy" "$t_sushy" "$n_sushy" \
	"redfishtool raw GET, one process each" "$t_rft" "$n_rft"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/(b ? b : 1)}'; }
echo "ratio siteboot/curl(same URLs): $(ratio "$t_sb" "$t_curl")  (target <= 2)"
echo "ratio siteboot/curl(every resource): $(ratio "$t_sb" "$t_curlfull")"
echo "ratio sushy/siteboot: $(ratio "$t_sushy" "$t_sb")  (target >= 3)"
echo "ratio redfishtool/siteboot: $(ratio "$t_rft" "$t_sb")"
