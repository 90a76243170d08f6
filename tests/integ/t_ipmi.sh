# The IPMI driver and the lab's IPMI BMCs, end to end against OpenIPMI's
# ipmi_sim: `siteboot lab up/status/down`, then the driver through the
# generic API (tests/lab/bmcctl) with every state change confirmed by a
# client we did not write (ipmitool -I lanplus -C 3).
. "$(dirname "$0")/lib.sh"
# Debian's python3 for the JSON checks: a pyenv shim first in PATH costs
# seconds per call on a loaded machine.
[ -x /usr/bin/python3 ] && export PATH=/usr/bin:$PATH
command -v ipmi_sim >/dev/null || skip "ipmi_sim (Debian package openipmi) is not installed"
command -v ipmitool >/dev/null || skip "ipmitool is not installed"
: "${SB_LABBIN:=$TOP/build/release/lab}"
BMCCTL=$SB_LABBIN/bmcctl
[ -x "$BMCCTL" ] || skip "tests/lab/bmcctl is not built ($BMCCTL)"
LAB=$T/lab
EX=$TOP/bom/examples

# Track the lab's processes so that they die with the test whatever
# happens, and stop the lab cleanly first.
on_exit "'$SITEBOOT' lab down --dir '$LAB'"
track_lab() {
	local p
	for p in $(python3 -c "import json; print(' '.join(str(p['pid']) for p in json.load(open('$LAB/lab.json'))['procs']))" 2>/dev/null); do
		track "$p"
	done
}

# ---- lab up ----------------------------------------------------------------
sb lab up --dir "$LAB" --no-ssh --json
expect_rc 0 "lab up (default site) starts the edge site's BMCs"
track_lab
expect_json "doc['source'].endswith('edge-accra.yaml')" "the default site is the edge example"
expect_json "doc['site'] == '$LAB/site.yaml' and len(doc['bmcs']) == 3" "lab up --json: site and 3 BMC URLs"
expect_json "all(u.startswith('ipmi://admin@127.') for u in doc['bmcs'])" "BMC URLs are ipmi:// on loopback"
expect_json "len(doc['procs']) == 3 and all(p['kind'] == 'ipmi_sim' for p in doc['procs'])" "one ipmi_sim per node"
PIDS=$(python3 -c "import json; print(' '.join(str(p['pid']) for p in json.load(open('$LAB/lab.json'))['procs']))")
URLS=($(python3 -c "import json; print(' '.join(json.load(open('$LAB/lab.json'))['bmcs']))"))

mode=$(stat -c %a "$LAB/credentials.yaml")
[ "$mode" = 600 ] && pass "credentials.yaml is mode 0600" || fail "credentials.yaml is mode $mode"
PW=$(sed -n 's/^  password: "\(.*\)"$/\1/p' "$LAB/credentials.yaml")
[ ${#PW} -ge 12 ] && pass "a generated password is in the credentials file" || fail "no password in credentials.yaml"
for f in "$LAB/lab.json" "$LAB/site.yaml" "$T/out" "$T/err"; do
	expect_not_in "$f" "$PW" "the password is not in $(basename "$f")"
done

sb bom check "$LAB/site.yaml"
expect_rc 0 "the lab BOM is a valid BOM"
for u in "${URLS[@]}"; do expect_in "$LAB/site.yaml" "$u" "the lab BOM points at $u"; done

sb lab status --dir "$LAB" --json
expect_rc 0 "lab status"
expect_json "doc['site'] == '$LAB/site.yaml' and len(doc['bmcs']) == 3 and all(p['alive'] for p in doc['procs'])" \
	"lab status --json: site, bmcs, every process alive"
sb lab status --dir "$LAB"
expect_in "$T/out" "ipmi_sim" "lab status (text) lists the processes"

sb lab up --dir "$LAB" --no-ssh
expect_rc 1 "a second lab up in the same directory is refused"
expect_in "$T/err" "already running" "and says a lab is running there"

export SITEBOOT_BMC_PASSWORD=$PW
unset SITEBOOT_BMC_USER
hp() { local h=${1#ipmi://*@}; echo "-H ${h%:*} -p ${h##*:}"; }
itool() { ipmitool -I lanplus -C 3 $(hp "$1") -U admin -P "$PW" "${@:2}" 2>&1; }
ctl() { "$BMCCTL" "$@" >"$T/out" 2>"$T/err"; rc=$?; }

# ---- FRU serials = the BOM's expected ones ---------------------------------
SERIALS=(GX643DL B3JW86W 29HS1V0)
for i in 0 1 2; do
	ctl "${URLS[$i]}" inventory
	expect_rc 0 "inventory of node $((i + 1))"
	expect_json "any(c['class'] == 'chassis' and c['serial'] == '${SERIALS[$i]}' and c['part_number'] == '210-BFUZ' and c['source'] == 'ipmi-fru' for c in doc['components'])" \
		"FRU chassis serial of node $((i + 1)) is the BOM's ${SERIALS[$i]}"
	expect_json "any(c['class'] == 'board' and c['serial'] == '${SERIALS[$i]}' for c in doc['components']) and doc['evidence_bytes'] > 8" \
		"FRU board area read, raw FRU kept as evidence"
done
itool "${URLS[1]}" fru print 0 >"$T/fru"
expect_in "$T/fru" "B3JW86W" "ipmitool reads the same serial from the simulated FRU"

# ---- identity and firmware ------------------------------------------------
ctl "${URLS[0]}" info
expect_rc 0 "bmc info"
expect_json "doc['info']['vendor'] == 'Dell Inc.' and doc['info']['firmware'] == '7.00' and len(doc['info']['guid']) == 36" \
	"Get Device ID: vendor from the BOM, BMC firmware 7.00, a System GUID"
ctl "${URLS[0]}" firmware
expect_json "doc['firmware'][0]['name'] == 'BMC' and doc['firmware'][0]['version'] == '7.00'" "firmware_read: the BMC's revision"
ctl "${URLS[0]}" sel
expect_rc 0 "the SEL reads"
expect_json "len(doc['sel']) == 2 and doc['sel'][0]['text'].startswith('sensor type 0x09 #1, event type 0x6f asserted') and doc['sel'][1]['text'].startswith('sensor type 0x12 #2')" \
	"the SEL holds the lab's two events (power unit #1, system event #2)"
itool "${URLS[0]}" sel list >"$T/ipmitool"
expect_in "$T/ipmitool" "Power Unit #0x01" "ipmitool reads the same SEL"

# ---- power round trips, confirmed by ipmitool ------------------------------
U=${URLS[2]}
for act in off on cycle reset soft on; do
	ctl "$U" power "$act"
	expect_rc 0 "power $act"
	case $act in off|soft) want=off ;; *) want=on ;; esac
	expect_json "doc['power'] == '$want'" "power $act ends $want (read back)"
	itool "$U" chassis power status >"$T/ipmitool"
	expect_in "$T/ipmitool" "Chassis Power is $want" "ipmitool agrees: power $want after $act"
done
ctl "$U" power-status
expect_json "doc['power'] == 'on'" "power status"

# ---- boot device, read back --------------------------------------------------
for dev in pxe disk cd bios; do
	ctl "$U" boot-set "$dev" once legacy
	expect_rc 0 "boot $dev (set and read back)"
	ctl "$U" boot-get
	expect_json "doc['boot']['device'] == '$dev'" "boot device reads back $dev in a new session"
done
ctl "$U" boot-set pxe persistent uefi
expect_rc 0 "boot pxe persistent uefi"
itool "$U" chassis bootparam get 5 >"$T/ipmitool"
expect_in "$T/ipmitool" "Force PXE" "ipmitool reads the boot device: PXE"

# ---- authentication and ciphers -------------------------------------------
SITEBOOT_BMC_PASSWORD=wrong-password ctl "$U" info
expect_rc 1 "a wrong password fails"
expect_json "doc['ok'] is False and doc['code'] == 'auth' and 'authentication failed' in doc['error']" \
	"a wrong password is an authentication failure, never a success"
SITEBOOT_BMC_PASSWORD=wrong-password ctl "$U" power-status
expect_json "'power' not in doc and doc['code'] == 'auth'" "no power state with a wrong password"

ctl --cipher 0 "$U" info
expect_json "doc['code'] == 'security' and 'not allowed' in doc['error']" "cipher suite 0 is never offered"
ctl --cipher 17 "$U" info
expect_json "doc['code'] == 'security' and 'refused' in doc['error']" "ipmi_sim lacks suite 17: forcing it is refused"
ctl --cipher 3 "$U" power-status
expect_json "doc['ok'] is True" "cipher suite 3 works"
ctl "$U" power-status
expect_json "doc['ok'] is True" "default: 17 falls back to 3"
ctl --quirks ipmi_sim "$U" power-status
expect_json "doc['ok'] is True" "the named quirk set 'ipmi_sim' works"
ctl --quirks nosuch "$U" power-status
expect_json "doc['ok'] is False and 'unknown IPMI workaround' in doc['error']" "an unknown quirk is refused"

ctl "$U" security
expect_rc 0 "security scan"
expect_json "any(f['id'] == 'ipmi-cipher-0' and f['severity'] == 'critical' and 'CVE-2013-4782' in f['text'] for f in doc['security'])" \
	"ipmi_sim's cipher suite 0 is reported (CVE-2013-4782)"
expect_not_in "$T/out" "$PW" "the password is not in the findings"

ctl "$U" probe
expect_json "doc['probe']['protocol'] == 'IPMI 2.0'" "unauthenticated probe: IPMI 2.0"

# ---- the same through the siteboot commands (when this build has them) -------
if "$SITEBOOT" help discover >/dev/null 2>&1; then
	sb discover --all --site "$LAB/site.yaml" --credentials "$LAB/credentials.yaml" --json
	expect_rc 0 "siteboot discover over the lab"
	expect_json "sorted(c['serial'] for o in doc for c in o['components'] if c['class'] == 'chassis') == sorted(['GX643DL', 'B3JW86W', '29HS1V0'])" \
		"discover: the FRU chassis serials are the BOM's"
	expect_json "all(any(f['id'] == 'ipmi-cipher-0' for f in o['security']) for o in doc)" "discover: the cipher-0 finding on every BMC"
	expect_json "all(any(f['name'] == 'BMC' and f['version'] == '7.00' for f in o['firmware']) for o in doc)" "discover: BMC firmware 7.00 from the BOM"
	expect_not_in "$T/out" "$PW" "discover: no password in the output"
	sb power off edge-n02 --site "$LAB/site.yaml" --credentials "$LAB/credentials.yaml" --json
	expect_json "doc[0]['ok'] and doc[0]['power'] == 'off'" "siteboot power off edge-n02"
	itool "${URLS[1]}" chassis power status >"$T/ipmitool"
	expect_in "$T/ipmitool" "Chassis Power is off" "ipmitool agrees: edge-n02 is off"
	sb power on edge-n02 --site "$LAB/site.yaml" --credentials "$LAB/credentials.yaml"
	expect_rc 0 "siteboot power on edge-n02"
	itool "${URLS[1]}" chassis power status >"$T/ipmitool"
	expect_in "$T/ipmitool" "Chassis Power is on" "ipmitool agrees: edge-n02 is on"
	sb boot bios edge-n02 --site "$LAB/site.yaml" --credentials "$LAB/credentials.yaml" --legacy
	expect_rc 0 "siteboot boot bios edge-n02 (read back)"
	ctl "${URLS[1]}" boot-get
	expect_json "doc['boot']['device'] == 'bios'" "the driver reads bios back"
	itool "${URLS[1]}" chassis bootparam get 5 >"$T/ipmitool"
	expect_in "$T/ipmitool" "Force Boot into BIOS Setup" "ipmitool reads bios back"
else
	echo "# this siteboot has no discover/power commands: tested through the API only"
fi

# ---- IPv6: the same BMC on [::1] ---------------------------------------------
if ip -6 addr show dev lo 2>/dev/null | grep -q '::1'; then
	P6=$(free_port)
	mkdir -p "$T/v6/state"
	sed -e "s/^    addr .*/    addr ::1 $P6/" -e 's/^name .*/name "v6"/' "$LAB/ipmi/edge-n01/lan.conf" >"$T/v6/lan.conf"
	ipmi_sim -c "$T/v6/lan.conf" -f "$LAB/ipmi/edge-n01/bmc.emu" -s "$T/v6/state" -n >"$T/v6/log" 2>&1 &
	track $!
	wait_for "$BMCCTL" --timeout 300 "ipmi://[::1]:$P6" probe
	ctl "ipmi://admin@[::1]:$P6" inventory
	expect_json "any(c['serial'] == 'GX643DL' for c in doc['components'])" "an IPv6 BMC URL works (ipmi://admin@[::1]:PORT)"
else
	echo "# no ::1 on lo: IPv6 not tested"
fi

# ---- a dead port: timeout within the bound -----------------------------------
DEAD=$(free_port)
start=$(date +%s%N)
ctl --timeout 1000 --retries 1 "ipmi://admin@127.0.0.1:$DEAD" info
ms=$((($(date +%s%N) - start) / 1000000))
expect_json "doc['code'] == 'timeout'" "a dead port is a timeout"
[ "$ms" -lt 4000 ] && pass "the timeout came within the bound (${ms} ms for 1000 ms)" || fail "timeout took ${ms} ms"

# ---- lab down --------------------------------------------------------------
sb lab down --dir "$LAB"
expect_rc 0 "lab down"
expect_in "$T/out" "stopped 3 processes" "lab down stops the 3 ipmi_sims"
sleep 0.2
[ "$(alive_count "$PIDS")" = 0 ] && pass "no lab process is left" || fail "lab processes left: $PIDS"
[ ! -e "$LAB/lab.json" ] && [ ! -e "$LAB/credentials.yaml" ] && pass "lab state removed" || fail "lab state left behind"
sb lab status --dir "$LAB"
expect_rc 1 "lab status without a lab"
expect_in "$T/err" "no lab" "and says so"

# ---- a failed lab up stops what it started -------------------------------------
# The third node's ipmi_sim dies at once (a wrapper first in PATH); the
# two started before it must be stopped again.
mkdir -p "$T/bin"
real=$(command -v ipmi_sim)
cat >"$T/bin/ipmi_sim" <<EOF
#!/bin/sh
case "\$*" in *edge-n03*) echo "injected failure" >&2; exit 1 ;; esac
exec "$real" "\$@"
EOF
chmod +x "$T/bin/ipmi_sim"
PATH="$T/bin:$PATH" sb lab up --dir "$T/lab2" --no-ssh
expect_rc 1 "lab up fails when a BMC does not start"
expect_in "$T/err" "edge-n03" "the error names the node"
sleep 0.2
left=$(pgrep -f "ipmi_sim -c $T/lab2" || true)
[ -z "$left" ] && pass "a failed lab up leaves no process behind" || { fail "left: $left"; for p in $left; do track "$p"; done; }
[ ! -e "$T/lab2/lab.json" ] && pass "a failed lab up leaves no state" || fail "lab.json left"
