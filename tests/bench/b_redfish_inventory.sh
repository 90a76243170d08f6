# Full hardware and firmware inventory of one Redfish system (the lab's
# emulator serving DMTF's public-tower mockup over plain HTTP on loopback):
# siteboot's driver (bmcctl inventory + firmware, one process) versus
#  - one curl process fetching exactly the resource URLs siteboot fetched
#    (keep-alive, one after another): the floor the emulator sets;
#  - python3-sushy reading the same classes (system, processors, memory,
#    storage and drives, ethernet interfaces, chassis, managers, firmware);
#  - redfishtool, one process per resource (raw GET of the same URLs).
# Targets (issue 3): at most 2x curl's time, at least 3x faster than sushy.
# Medians of $SB_BENCH_RUNS (redfishtool once: it is slow).
set -u
: "${SITEBOOT:?}"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/bench/bench_lib.sh"
BMCCTL=${SB_LABBIN:-$TOP/build/release/lab}/bmcctl
PY=/usr/bin/python3
"$SITEBOOT" lab-redfish-bmc --help >/dev/null 2>&1 || { echo "skipped: this siteboot has no lab-redfish-bmc"; exit 0; }
[ -x "$BMCCTL" ] || { echo "skipped: bmcctl not built"; exit 0; }
command -v curl >/dev/null || { echo "skipped: curl is not installed"; exit 0; }
RUNS=${SB_BENCH_RUNS:-5}
T=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$T"' EXIT
PW=bench-Redfish-Pw1
printf '%s\n' "$PW" > "$T/pw"; chmod 600 "$T/pw"
"$SITEBOOT" lab-redfish-bmc --listen 127.0.0.1:0 --mockup "$TOP/tests/data/redfish/public-tower" \
	--user admin --password-file "$T/pw" --state-dir "$T/emu" >"$T/emu.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do [ -s "$T/emu/listen" ] && break; sleep 0.1; done
ADDR=$(cat "$T/emu/listen" 2>/dev/null) || { echo "the emulator did not start"; cat "$T/emu.log"; exit 1; }
URL="redfish+http://admin@$ADDR"
export SITEBOOT_BMC_PASSWORD=$PW


sb_inv() { "$BMCCTL" "$URL" inventory && "$BMCCTL" "$URL" firmware; }
sb_inv_one() { "$BMCCTL" "$URL" inventory; }
# what siteboot fetched, for curl and redfishtool to fetch the same
"$BMCCTL" --log debug "$URL" inventory > "$T/sb.json" 2> "$T/sb.err"
"$BMCCTL" --log debug "$URL" firmware > "$T/sbfw.json" 2>> "$T/sb.err"
grep -o 'GET /redfish/v1[^ ]*' "$T/sb.err" | cut -c5- > "$T/paths"
N=$(wc -l < "$T/paths")
ncomp=$(python3 -c "import json; print(len(json.load(open('$T/sb.json'))['components']))")
nfw=$(python3 -c "import json; print(len(json.load(open('$T/sbfw.json'))['firmware']))")
rounds=$(grep -o '[0-9]* resources in [0-9]* rounds' "$T/sb.err" | paste -sd' ')
echo "siteboot: $ncomp components, $nfw firmware versions; $N resource GETs ($rounds) + root, session login and logout per process"
[ "$ncomp" -ge 30 ] || { echo "too few components: the walk is broken"; exit 1; }

args=()
while read -r p; do args+=("http://$ADDR$p"); done < "$T/paths"
curl_all() { curl -s -u "admin:$PW" "${args[@]}"; }
[ "$(curl_all | grep -c '@odata.id')" -gt 0 ] || { echo "curl fetched nothing"; exit 1; }

cat > "$T/sushy_inv.py" <<'PY'
import sys, sushy
addr, pw = sys.argv[1], sys.argv[2]
c = sushy.Sushy('http://%s/redfish/v1' % addr, username='admin', password=pw)
n = 0
def raw_members(path):
    # sushy 4.3 has no Memory resource: its own connection, raw
    out = []
    for m in c._conn.get(path).json().get('Members', []):
        out.append(c._conn.get(m['@odata.id']).json())
    return out
for s in c.get_system_collection().get_members():
    n += len(s.processors.get_members())
    n += len(raw_members(s.json['Memory']['@odata.id']))
    # sushy 4.3's Storage insists on StorageControllers/MemberId, which
    # the DMTF mockup lacks: storage and drives raw as well
    for st in raw_members(s.json['Storage']['@odata.id']):
        for d in st.get('Drives', []):
            c._conn.get(d['@odata.id']).json()
            n += 1
    n += len(s.ethernet_interfaces.get_members())
for ch in c.get_chassis_collection().get_members():
    n += 1
    n += len(ch.network_adapters.get_members())
    if 'PowerSubsystem' in ch.json:
        ps = c._conn.get(ch.json['PowerSubsystem']['@odata.id']).json()
        n += len(raw_members(ps['PowerSupplies']['@odata.id']))
for m in c.get_manager_collection().get_members():
    n += 1
n += len(c.get_update_service().firmware_inventory.get_members())
print(n)
PY
have_sushy=0; $PY -c 'import sushy' 2>/dev/null && have_sushy=1
sushy_inv() { $PY "$T/sushy_inv.py" "$ADDR" "$PW"; }
if [ $have_sushy = 1 ]; then
	nsushy=$(sushy_inv 2>"$T/sushy.err" | tail -1)
	[ -n "$nsushy" ] || { echo "sushy failed:"; tail -3 "$T/sushy.err"; exit 1; }
	echo "sushy: read $nsushy parts and firmware entries"
fi

rft_all() {
	local p
	while read -r p; do
		redfishtool -r "$ADDR" -u admin -p "$PW" -S Never raw GET "$p" || return 1
	done < "$T/paths"
}
have_rft=0; command -v redfishtool >/dev/null && have_rft=1

t_sb=$(median_ms sb_inv)
t_sb1=$(median_ms sb_inv_one)
t_curl=$(median_ms curl_all)
echo "siteboot inventory+firmware (2 processes): ${t_sb} ms; inventory alone: ${t_sb1} ms"
echo "curl, the same $N URLs, one process: ${t_curl} ms"
awk -v a="$t_sb" -v b="$t_curl" 'BEGIN { printf "ratio siteboot/curl: %.2f (target <= 2)\n", a / (b ? b : 1) }'
if [ $have_sushy = 1 ]; then
	t_sushy=$(median_ms sushy_inv)
	echo "python3-sushy, the same classes: ${t_sushy} ms"
	awk -v a="$t_sushy" -v b="$t_sb" 'BEGIN { printf "ratio sushy/siteboot: %.2f (target >= 3)\n", a / (b ? b : 1) }'
else
	echo "python3-sushy: not installed, not compared"
fi
if [ $have_rft = 1 ]; then
	RUNS=1 t_rft=$(RUNS=1 median_ms rft_all)
	echo "redfishtool, one process per resource, $N raw GETs: ${t_rft} ms"
	awk -v a="$t_rft" -v b="$t_sb" 'BEGIN { printf "ratio redfishtool/siteboot: %.1f\n", a / (b ? b : 1) }'
else
	echo "redfishtool: not installed, not compared"
fi
