# The lab's Redfish BMC emulator (siteboot lab-redfish-bmc) driven by
# clients we did not write: python3-sushy, redfishtool and curl. It must
# behave like a BMC to them: sessions, 401, power, boot override with
# ETags, virtual media, the task monitor, and the BOM's serials.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/media_lib.sh"
PY=/usr/bin/python3	# Debian's python, where python3-sushy lives
MOCKUP=$TOP/tests/data/redfish/public-tower
$PY -c 'import sushy' 2>/dev/null || skip "python3-sushy is not installed (make deps)"
command -v redfishtool >/dev/null || skip "redfishtool is not installed (make deps)"
command -v curl >/dev/null || skip "curl is not installed (make deps)"
# the machine's CA bundle variables would override the lab's certificate
unset REQUESTS_CA_BUNDLE CURL_CA_BUNDLE

printf 'lab-secret-Pw1\n' > "$T/pw"
chmod 600 "$T/pw"
"$SITEBOOT" bom show --json "$TOP/bom/examples/core-johannesburg.yaml" > "$T/bom.json"
python3 -c "
import json; d = json.load(open('$T/bom.json'))
n = [n for n in d['nodes'] if n['bmc'].startswith('redfish')][0]
json.dump(n, open('$T/node.json', 'w'))"

# start NAME [extra args]: a BMC with its state in $T/NAME; sets ADDR, PID
start() {
	local name=$1; shift
	rm -f "$T/$name/listen"
	"$SITEBOOT" lab-redfish-bmc --listen 127.0.0.1:0 --mockup "$MOCKUP" \
		--user admin --password-file "$T/pw" --state-dir "$T/$name" "$@" \
		>"$T/$name.log" 2>&1 &
	PID=$!
	track $PID
	wait_for test -s "$T/$name/listen" || { fail "$name did not start"; cat "$T/$name.log"; exit 1; }
	ADDR=$(cat "$T/$name/listen")
}

start tls --node "$T/node.json" --tls-cert "$T/cert.pem" --tls-key "$T/key.pem" --task-ms 1500
A=$ADDR TLSPID=$PID
B="https://$A"
C=(curl -sS --cacert "$T/cert.pem")
[ -s "$T/cert.pem" ] && [ "$(stat -c %a "$T/key.pem")" = 600 ] && pass "self-signed certificate made, key mode 0600" \
	|| fail "certificate files"
SYS=$("${C[@]}" -u admin:lab-secret-Pw1 "$B/redfish/v1/Systems" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Members"][0]["@odata.id"])')

# --- plain HTTP: authentication -------------------------------------------
code=$("${C[@]}" -o /dev/null -w '%{http_code}' "$B/redfish/v1/")
[ "$code" = 200 ] && pass "service root without authentication: 200" || fail "service root: $code"
code=$("${C[@]}" -o "$T/401.json" -w '%{http_code}' "$B$SYS")
[ "$code" = 401 ] && pass "a system without authentication: 401" || fail "no auth: $code"
expect_in "$T/401.json" '"error"' "401 carries a Redfish error body"
code=$("${C[@]}" -o /dev/null -w '%{http_code}' -u admin:wrong "$B$SYS")
[ "$code" = 401 ] && pass "wrong password: 401" || fail "wrong password: $code"
code=$(curl -sS -o /dev/null -w '%{http_code}' "$B/redfish/v1/" 2>/dev/null)
[ "$code" != 200 ] && pass "TLS verification fails without the lab certificate" || fail "unknown certificate accepted"

# sessions: login, use the token, logout, token dead
"${C[@]}" -D "$T/hdr" -o "$T/sess.json" -H 'Content-Type: application/json' \
	-d '{"UserName":"admin","Password":"lab-secret-Pw1"}' "$B/redfish/v1/SessionService/Sessions"
TOKEN=$(tr -d '\r' < "$T/hdr" | awk -F': ' 'tolower($1)=="x-auth-token"{print $2}')
LOC=$(tr -d '\r' < "$T/hdr" | awk -F': ' 'tolower($1)=="location"{print $2}')
grep -q '^HTTP/[0-9.]* 201' "$T/hdr" && [ -n "$TOKEN" ] && [ -n "$LOC" ] \
	&& pass "session login: 201, X-Auth-Token and Location" || fail "session login"
code=$("${C[@]}" -o /dev/null -w '%{http_code}' -H "X-Auth-Token: $TOKEN" "$B$SYS")
[ "$code" = 200 ] && pass "the session token authenticates" || fail "token: $code"
code=$("${C[@]}" -o /dev/null -w '%{http_code}' -X DELETE -H "X-Auth-Token: $TOKEN" "$B$LOC")
[ "$code" = 204 ] && pass "logout (DELETE the session): 204" || fail "logout: $code"
code=$("${C[@]}" -o /dev/null -w '%{http_code}' -H "X-Auth-Token: $TOKEN" "$B$SYS")
[ "$code" = 401 ] && pass "the token is dead after logout" || fail "token after logout: $code"

# --- the BOM's hardware ---------------------------------------------------
"${C[@]}" -u admin:lab-secret-Pw1 "$B$SYS?\$expand=.(\$levels=2)" > "$T/sys.json"
"${C[@]}" -u admin:lab-secret-Pw1 "$B$SYS/Memory?\$expand=." > "$T/mem.json"
"${C[@]}" -u admin:lab-secret-Pw1 "$B$SYS/Processors?\$expand=." > "$T/cpu.json"
"${C[@]}" -u admin:lab-secret-Pw1 "$B$SYS/EthernetInterfaces?\$expand=." > "$T/eth.json"
"${C[@]}" -u admin:lab-secret-Pw1 "$B/redfish/v1/Chassis/Tower/PowerSubsystem/PowerSupplies?\$expand=." > "$T/psu.json"
"${C[@]}" -u admin:lab-secret-Pw1 "$B/redfish/v1/Managers?\$expand=.(\$levels=1)" > "$T/mgr.json"
"${C[@]}" -u admin:lab-secret-Pw1 "$B/redfish/v1/UpdateService/FirmwareInventory?\$expand=." > "$T/fw.json"
drives=$(python3 -c "
import json; s = json.load(open('$T/sys.json'))
print(' '.join(d['@odata.id'] for st in s['Storage']['Members'] for d in st.get('Drives', [])))")
for d in $drives; do "${C[@]}" -u admin:lab-secret-Pw1 "$B$d"; echo; done > "$T/drives.jsonl"
python3 - "$T" <<'PY' > "$T/cmp.txt"
import json, sys
t = sys.argv[1]
node = json.load(open(t + '/node.json'))
def j(n): return json.load(open(t + '/' + n))
want = {}
for line in node['components']:
    want.setdefault(line['class'], set()).update(line['serials'])
got = {
    'cpu': {m['SerialNumber'] for m in j('cpu.json')['Members']},
    'memory': {m['SerialNumber'] for m in j('mem.json')['Members']},
    'psu': {m['SerialNumber'] for m in j('psu.json')['Members']},
    'drive': {json.loads(l)['SerialNumber'] for l in open(t + '/drives.jsonl') if l.strip()},
}
for cls in ('cpu', 'memory', 'psu', 'drive'):
    print(cls, 'equal' if got[cls] == want[cls] else 'DIFFER %s vs %s' % (sorted(got[cls]), sorted(want[cls])))
macs = sorted(m['MACAddress'] for m in j('eth.json')['Members'])
print('macs', 'equal' if macs == sorted(m for l in node['components'] for m in l.get('macs', [])) else 'DIFFER %s' % macs)
s = j('sys.json')
print('chassis', 'equal' if s['SerialNumber'] == node['chassis']['serial'] and s['Model'] == node['chassis']['model'] else 'DIFFER')
bmcfw = [f['min_version'] for f in node['firmware'] if f['name'] == 'BMC'][0]
print('bmcfw', 'equal' if j('mgr.json')['Members'][0]['FirmwareVersion'] == bmcfw and
      any(m['Name'] == 'BMC' and m['Version'] == bmcfw for m in j('fw.json')['Members']) else 'DIFFER')
PY
for k in cpu memory psu drive macs chassis bmcfw; do
	expect_in "$T/cmp.txt" "$k equal" "BOM node's $k serials/values equal the emulator's"
done

# --- python3-sushy: power, boot override, virtual media -------------------
# the emulator fetches inserted images as a BMC does: serve one
mkdir -p "$T/images"; echo "an install image" >"$T/images/install.iso"
start_media_server "$T/images"
cat > "$T/sushy_t.py" <<'PY'
import sys, sushy
addr, ca, pw = sys.argv[1], sys.argv[2], sys.argv[3]
c = sushy.Sushy('https://%s/redfish/v1' % addr, verify=ca,
                auth=sushy.auth.SessionAuth(username='admin', password=pw))
s = c.get_system(c.get_system_collection().members_identities[0])
print('power-start', s.power_state.value)
s.reset_system(sushy.RESET_FORCE_OFF); s.refresh(); print('power-after-off', s.power_state.value)
s.reset_system(sushy.RESET_ON); s.refresh(); print('power-after-on', s.power_state.value)
s.set_system_boot_options(sushy.BOOT_SOURCE_TARGET_PXE, enabled=sushy.BOOT_SOURCE_ENABLED_ONCE)
s.refresh(); print('boot', s.boot.target.value, s.boot.enabled.value)
m = c.get_manager(c.get_manager_collection().members_identities[0])
vm = [m.virtual_media.get_member(i) for i in m.virtual_media.members_identities
      if 'CD1' in i][0]
print('media-start', vm.inserted)
vm.insert_media(sys.argv[4] + '/install.iso'); vm.refresh()
print('media-inserted', vm.inserted, vm.image)
drives = [d for st in s.storage.get_members() for d in st.drives]
print('storage-drives', len(drives), ' '.join(sorted(d.serial_number for d in drives)))
PY
$PY "$T/sushy_t.py" "$A" "$T/cert.pem" lab-secret-Pw1 "$MEDIA" > "$T/sushy.out" 2>&1
cat "$T/sushy.out" | sed 's/^/#   sushy: /'
expect_in "$T/sushy.out" "power-after-off Off" "sushy: ForceOff turns the system off"
expect_in "$T/sushy.out" "power-after-on On" "sushy: On turns it on"
expect_in "$T/sushy.out" "boot Pxe Once" "sushy: boot override PATCH (Pxe, Once) reads back"
expect_in "$T/sushy.out" "media-inserted True $MEDIA/install.iso" "sushy: InsertMedia"
expect_in "$MEDIA_LOG" "GET /install.iso 200 bytes 0-16 of 17" "the emulator fetched the image from the media server"
want=$(python3 -c "
import json; n = json.load(open('$T/node.json'))
s = sorted(x for l in n['components'] if l['class'] == 'drive' for x in l['serials'])
print('storage-drives', len(s), ' '.join(s))")
expect_in "$T/sushy.out" "$want" "sushy: Storage and Drives hold the BOM's drive serials"
CD=/redfish/v1/Managers/BMC/VirtualMedia/CD1
"${C[@]}" -u admin:lab-secret-Pw1 "$B$CD" > "$T/cd.json"
expect_in "$T/cd.json" '"Inserted":true' "plain GET sees the inserted media"
cat > "$T/sushy_e.py" <<'PY'
import sys, sushy
addr, ca, pw = sys.argv[1], sys.argv[2], sys.argv[3]
c = sushy.Sushy('https://%s/redfish/v1' % addr, username='admin', password=pw, verify=ca)
m = c.get_manager(c.get_manager_collection().members_identities[0])
vm = [m.virtual_media.get_member(i) for i in m.virtual_media.members_identities if 'CD1' in i][0]
vm.eject_media(); vm.refresh(); print('media-ejected', vm.inserted, vm.image)
PY
$PY "$T/sushy_e.py" "$A" "$T/cert.pem" lab-secret-Pw1 > "$T/sushy.out" 2>&1
expect_in "$T/sushy.out" "media-ejected False None" "sushy: EjectMedia"
"${C[@]}" -u admin:lab-secret-Pw1 "$B$CD" > "$T/cd.json"
expect_in "$T/cd.json" '"Inserted":false' "plain GET sees the media ejected"

# --- redfishtool ------------------------------------------------------------
RT=(redfishtool -r "$A" -u admin -p lab-secret-Pw1 -S Always)
"${RT[@]}" Systems > "$T/rt.out" 2>&1
expect_in "$T/rt.out" "$SYS" "redfishtool lists the system"
"${RT[@]}" Systems -F reset ForceOff > "$T/rt.out" 2>&1
"${C[@]}" -u admin:lab-secret-Pw1 "$B$SYS" > "$T/s.json"
expect_in "$T/s.json" '"PowerState":"Off"' "redfishtool reset ForceOff: plain GET says Off"
"${RT[@]}" Systems -F reset On > "$T/rt.out" 2>&1
"${RT[@]}" Systems -F setBootOverride Continuous Hdd > "$T/rt.out" 2>&1
"${C[@]}" -u admin:lab-secret-Pw1 "$B$SYS" > "$T/s.json"
expect_in "$T/s.json" '"BootSourceOverrideTarget":"Hdd"' "redfishtool setBootOverride: target reads back"
expect_in "$T/s.json" '"PowerState":"On"' "redfishtool reset On: plain GET says On"
"${RT[@]}" -A Session Systems -F get > "$T/rt.out" 2>&1
expect_in "$T/rt.out" '"PowerState": "On"' "redfishtool with a session reads the system"

# --- ETag and If-Match -------------------------------------------------------
"${C[@]}" -u admin:lab-secret-Pw1 -D "$T/hdr" -o /dev/null "$B$SYS"
OLD=$(tr -d '\r' < "$T/hdr" | awk -F': ' 'tolower($1)=="etag"{print $2}')
code=$("${C[@]}" -u admin:lab-secret-Pw1 -o /dev/null -w '%{http_code}' -X PATCH \
	-H "If-Match: $OLD" -H 'Content-Type: application/json' \
	-d '{"Boot":{"BootSourceOverrideTarget":"Cd","BootSourceOverrideEnabled":"Once"}}' "$B$SYS")
[ "$code" = 200 ] && pass "PATCH with the current ETag: 200" || fail "PATCH current ETag: $code"
code=$("${C[@]}" -u admin:lab-secret-Pw1 -o "$T/412.json" -w '%{http_code}' -X PATCH \
	-H "If-Match: $OLD" -H 'Content-Type: application/json' \
	-d '{"Boot":{"BootSourceOverrideTarget":"Pxe"}}' "$B$SYS")
[ "$code" = 412 ] && pass "PATCH with a stale ETag: 412" || fail "stale ETag: $code"
"${C[@]}" -u admin:lab-secret-Pw1 "$B$SYS" > "$T/s.json"
expect_in "$T/s.json" '"BootSourceOverrideTarget":"Cd"' "the refused PATCH changed nothing"
code=$("${C[@]}" -u admin:lab-secret-Pw1 -o "$T/400.json" -w '%{http_code}' -X PATCH \
	-H 'Content-Type: application/json' -d '{"Boot":{"BootSourceOverrideTarget":"Floppy"}}' "$B$SYS")
[ "$code" = 400 ] && pass "a boot target outside AllowableValues: 400" || fail "bad target: $code"
expect_in "$T/400.json" "PropertyValueNotInList" "the 400 names PropertyValueNotInList"
code=$("${C[@]}" -u admin:lab-secret-Pw1 -o "$T/400.json" -w '%{http_code}' \
	-H 'Content-Type: application/json' -d '{"ResetType":"Explode"}' "$B$SYS/Actions/ComputerSystem.Reset")
[ "$code" = 400 ] && pass "a ResetType outside AllowableValues: 400" || fail "bad reset: $code"

# --- the task monitor: GracefulShutdown answers 202 until done ---------------
"${C[@]}" -u admin:lab-secret-Pw1 -D "$T/hdr" -o /dev/null -H 'Content-Type: application/json' \
	-d '{"ResetType":"GracefulShutdown"}' "$B$SYS/Actions/ComputerSystem.Reset"
MON=$(tr -d '\r' < "$T/hdr" | awk -F': ' 'tolower($1)=="location"{print $2}')
grep -q '^HTTP/[0-9.]* 202' "$T/hdr" && [ -n "$MON" ] && pass "GracefulShutdown: 202 and a task monitor" \
	|| fail "GracefulShutdown: no 202"
code=$("${C[@]}" -u admin:lab-secret-Pw1 -o /dev/null -w '%{http_code}' "$B$MON")
[ "$code" = 202 ] && pass "the monitor answers 202 while the task runs" || fail "monitor while running: $code"
done=
for _ in $(seq 1 100); do
	code=$("${C[@]}" -u admin:lab-secret-Pw1 -o "$T/task.json" -w '%{http_code}' "$B$MON")
	[ "$code" = 200 ] && { done=1; break; }
	sleep 0.1
done
[ -n "$done" ] && pass "then 200 when it is done" || fail "monitor never finished: $code"
expect_in "$T/task.json" '"TaskState":"Completed"' "the finished task says Completed"
"${C[@]}" -u admin:lab-secret-Pw1 "$B$SYS" > "$T/s.json"
expect_in "$T/s.json" '"PowerState":"Off"' "after the task the system is off"

# --- state survives a restart with the same --state-dir ----------------------
kill "$TLSPID"
wait "$TLSPID"
[ $? -eq 0 ] && pass "SIGTERM stops the emulator cleanly (exit 0)" || fail "exit status after SIGTERM"
start tls --node "$T/node.json" --tls-cert "$T/cert.pem" --tls-key "$T/key.pem"
A=$ADDR
"${C[@]}" -u admin:lab-secret-Pw1 "https://$A$SYS" > "$T/s.json"
expect_in "$T/s.json" '"PowerState":"Off"' "power state survives a restart (--state-dir)"
expect_in "$T/s.json" '"BootSourceOverrideTarget":"Cd"' "boot override survives a restart"

# --- plain HTTP, no node: the mockup as published ------------------------------
start plain
H=$ADDR
code=$(curl -sS -o "$T/p.json" -w '%{http_code}' -u admin:lab-secret-Pw1 "http://$H/redfish/v1/Systems/437XR1238R2/Processors")
[ "$code" = 200 ] && pass "plain HTTP without --node serves the mockup" || fail "plain: $code"
expect_json_file() { python3 -c "import json,sys; doc=json.load(open('$1')); sys.exit(0 if ($2) else 1)" && pass "$3" || fail "$3"; }
expect_json_file "$T/p.json" "doc['Members@odata.count'] == 10" "without --node the mockup's 8 CPUs and 2 GPUs stay"
code=$(curl -sS -o /dev/null -w '%{http_code}' -u admin:lab-secret-Pw1 "http://$H/redfish/v1/Systems?\$select=Name")
[ "$code" = 501 ] && pass "an unsupported query option: 501" || fail "\$select: $code"

# --- bad usage -------------------------------------------------------------------
sb lab-redfish-bmc --listen 10.0.0.1:443 --mockup "$MOCKUP" --user a --password-file "$T/pw"
expect_rc 2 "a non-loopback --listen is refused"
expect_in "$T/err" "loopback" "the error says loopback"
sb lab-redfish-bmc --listen 127.0.0.1:0 --mockup "$T/nowhere" --user a --password-file "$T/pw"
expect_rc 2 "a missing mockup folder is bad input"
grep -q "lab-secret-Pw1" "$T"/*.log "$T/tls/state.json" 2>/dev/null && fail "the password leaked into logs or state" \
	|| pass "the password is in no log or state file"
