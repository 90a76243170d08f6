# The Redfish driver (firmware/redfish.c) against the lab's Redfish BMC
# emulator (siteboot lab-redfish-bmc), through the real commands and
# through bmcctl (the driver API seen from outside). Every state change is
# checked with plain curl GETs, never with the driver itself: power via
# ComputerSystem.Reset (and the task monitor of a graceful shutdown), boot
# override with a stale ETag, virtual media, TLS failing on an unknown
# certificate and passing with the pin, a wrong password as an
# authentication failure, plain HTTP with its warning.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/media_lib.sh"
MOCKUP=$TOP/tests/data/redfish/public-tower
BMCCTL=${SB_LABBIN:-}/bmcctl
"$SITEBOOT" lab-redfish-bmc --help >/dev/null 2>&1 || skip "this siteboot has no lab-redfish-bmc (the Redfish emulator)"
[ -x "$BMCCTL" ] || skip "bmcctl not built (SB_LABBIN)"
command -v curl >/dev/null || skip "curl is not installed (make deps)"
command -v openssl >/dev/null || skip "openssl is not installed"
command -v xorriso >/dev/null || skip "xorriso is not installed (make deps)"
unset REQUESTS_CA_BUNDLE CURL_CA_BUNDLE SSL_CERT_FILE SSL_CERT_DIR

PW='lab-Redfish-Pw9'
# generous per-request timeouts: the emulator may be an ASan build on a
# loaded machine, and nothing here measures speed
TMO=(--timeout 30s)
printf '%s\n' "$PW" > "$T/pw"
chmod 600 "$T/pw"

# start NAME [--mockup DIR] [extra args]: an emulator with its state in
# $T/NAME; sets ADDR
start() {
	local name=$1 m=$MOCKUP; shift
	if [ "${1:-}" = --mockup ]; then m=$2; shift 2; fi
	"$SITEBOOT" lab-redfish-bmc --listen 127.0.0.1:0 --mockup "$m" \
		--user admin --password-file "$T/pw" --state-dir "$T/$name" "$@" \
		>"$T/$name.log" 2>&1 &
	track $!
	for _ in $(seq 1 300); do [ -s "$T/$name/listen" ] && break; sleep 0.1; done
	[ -s "$T/$name/listen" ] || { fail "$name did not start in 30 s"; cat "$T/$name.log"; exit 1; }
	ADDR=$(cat "$T/$name/listen")
}

start tls --tls-cert "$T/cert.pem" --tls-key "$T/key.pem" --task-ms 700
TLS=$ADDR
start plain
PLAIN=$ADDR
FP=$(openssl x509 -in "$T/cert.pem" -noout -fingerprint -sha256 | sed 's/.*=//')
[ -n "$FP" ] && pass "the emulator's certificate fingerprint: $FP" || fail "no fingerprint"
URL="redfish://admin@$TLS"
export SITEBOOT_BMC_PASSWORD=$PW
unset SITEBOOT_BMC_USER

# plain curl, trusting the lab certificate, for every independent check
C=(curl -sS --cacert "$T/cert.pem" -u "admin:$PW")
B="https://$TLS"
SYS=$("${C[@]}" "$B/redfish/v1/Systems" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Members"][0]["@odata.id"])')
get() { "${C[@]}" "$B$1" | python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"; }

# --- TLS ----------------------------------------------------------------
sb power status --bmc "$URL" "${TMO[@]}" --json
expect_rc 1 "an unknown certificate is refused"
expect_json "doc[0]['ok'] is False and doc[0]['error_code'] == 'security'" "refused as a security error"
fp_lower=$(echo "$FP" | tr -d ':' | tr 'A-F' 'a-f')
expect_in "$T/out" "$fp_lower" "the refusal names the fingerprint seen, for --pin"
sb power status --bmc "$URL" --pin "$FP" "${TMO[@]}" --json
expect_rc 0 "with --pin the same BMC is accepted"
expect_json "doc[0]['ok'] is True and doc[0]['power'] in ('on', 'off')" "power status read through the pin"
sb power status --bmc "$URL" --pin "$(printf '%064d' 0)" "${TMO[@]}" --json
expect_rc 1 "a wrong pin is refused"
expect_json "doc[0]['error_code'] == 'security' and 'does not match the pinned' in doc[0]['error']" "a pin mismatch says so"
"$BMCCTL" --timeout 30000 "$URL" fingerprint > "$T/out" 2>"$T/err"; rc=$?
expect_rc 0 "record on first use: the fingerprint without trusting it"
expect_json "doc['sha256'] == '$fp_lower'" "the recorded fingerprint is the certificate's"
sb power status --bmc "$URL" --insecure "${TMO[@]}" --json
expect_rc 0 "--insecure connects"
expect_in "$T/err" "verification is OFF" "--insecure warns on stderr"
PIN=(--pin "$FP")
# record on first use through the commands: the sweep and bmc info name it
sb discover --scan 127.0.0.1 --redfish-port "${TLS##*:}" --ipmi-port "$(free_port)" "${TMO[@]}" --json
expect_rc 0 "discover --scan finds the self-signed Redfish BMC"
expect_json "len(doc) == 1 and doc[0]['protocol'] == 'redfish' and doc[0]['cert_sha256'] == '$fp_lower'" "the sweep reports its certificate fingerprint"
sb bmc info --bmc "$URL" "${PIN[@]}" "${TMO[@]}" --json
expect_rc 0 "bmc info through the pin"
expect_json "doc[0]['cert_sha256'] == '$fp_lower' and doc[0]['firmware_version'] and doc[0]['protocol_version'].startswith('Redfish')" "bmc info: firmware, Redfish version and the certificate"

# --- authentication -------------------------------------------------------
SITEBOOT_BMC_PASSWORD=wrong-password sb power status --bmc "$URL" "${PIN[@]}" "${TMO[@]}" --json
expect_rc 1 "a wrong password fails"
expect_json "doc[0]['ok'] is False and doc[0]['error_code'] == 'auth'" "a wrong password is an authentication failure"
expect_not_in "$T/out" "wrong-password" "the password is not in the output"

# --- power: Reset with state read back by curl ----------------------------
sb power off --bmc "$URL" "${PIN[@]}" "${TMO[@]}" --json
expect_rc 0 "power off"
[ "$(get "$SYS" "d['PowerState']")" = Off ] && pass "curl sees PowerState Off" || fail "PowerState after off: $(get "$SYS" "d['PowerState']")"
sb power on --bmc "$URL" "${PIN[@]}" "${TMO[@]}" --json
expect_rc 0 "power on"
expect_json "doc[0]['power'] == 'on'" "power on read back"
[ "$(get "$SYS" "d['PowerState']")" = On ] && pass "curl sees PowerState On" || fail "PowerState after on"
sb power cycle --bmc "$URL" "${PIN[@]}" "${TMO[@]}" --json
expect_rc 0 "power cycle ends on"
[ "$(get "$SYS" "d['PowerState']")" = On ] && pass "curl sees PowerState On after the cycle" || fail "PowerState after cycle"
# soft: GracefulShutdown runs as a task (202 + task monitor) on the emulator
start_ms=$(date +%s%3N)
sb power soft --bmc "$URL" "${PIN[@]}" "${TMO[@]}" --json
expect_rc 0 "power soft (a task monitor) ends off"
[ "$(get "$SYS" "d['PowerState']")" = Off ] && pass "curl sees PowerState Off after the task" || fail "PowerState after soft"
tasks=$(get /redfish/v1/TaskService/Tasks "len(d.get('Members', []))")
[ "${tasks:-0}" -ge 1 ] && pass "the shutdown went through a task ($tasks in the TaskService)" || fail "no task was created"
sb power on --bmc "$URL" "${PIN[@]}" "${TMO[@]}" --json
expect_rc 0 "power on again"

# --- boot override ----------------------------------------------------------
sb boot pxe --bmc "$URL" "${PIN[@]}" --once --uefi "${TMO[@]}" --json
expect_rc 0 "boot pxe once uefi"
[ "$(get "$SYS" "d['Boot']['BootSourceOverrideTarget'] + ' ' + d['Boot']['BootSourceOverrideEnabled']")" = "Pxe Once" ] \
	&& pass "curl sees Boot Pxe Once" || fail "boot after set: $(get "$SYS" "d['Boot']")"
sb boot disk --bmc "$URL" "${PIN[@]}" --persistent "${TMO[@]}" --json
expect_rc 0 "boot disk persistent"
[ "$(get "$SYS" "d['Boot']['BootSourceOverrideTarget'] + ' ' + d['Boot']['BootSourceOverrideEnabled']")" = "Hdd Continuous" ] \
	&& pass "curl sees Boot Hdd Continuous" || fail "boot after set"
# a stale ETag: bmcctl reads the system, curl changes it behind its back,
# then the driver's PATCH with the old If-Match gets 412 and must re-read
"$BMCCTL" --timeout 30000 --pin "$FP" --log info "$URL" boot-race bios once uefi \
	"curl -sS --cacert '$T/cert.pem' -u 'admin:$PW' -X PATCH -H 'Content-Type: application/json' -d '{\"Boot\":{\"BootSourceOverrideTarget\":\"Cd\",\"BootSourceOverrideEnabled\":\"Once\"}}' '$B$SYS' >/dev/null" \
	>"$T/out" 2>"$T/err"; rc=$?
expect_rc 0 "boot set over a stale ETag succeeds"
expect_in "$T/err" "ETag stale" "the driver saw the 412 and read the system again"
[ "$(get "$SYS" "d['Boot']['BootSourceOverrideTarget']")" = BiosSetup ] && pass "curl sees BiosSetup: the retry won, not the stale write" \
	|| fail "boot after the race: $(get "$SYS" "d['Boot']")"
code=$(curl -sS --cacert "$T/cert.pem" -u "admin:$PW" -o /dev/null -w '%{http_code}' -X PATCH \
	-H 'If-Match: "stale"' -H 'Content-Type: application/json' -d '{"Boot":{"BootSourceOverrideTarget":"Pxe"}}' "$B$SYS")
[ "$code" = 412 ] && pass "(the emulator does refuse a stale If-Match: 412)" || fail "stale If-Match: $code"

# --- virtual media: the emulator fetches what it is given, as a BMC does ---
mkdir -p "$T/images"
make_iso "$T/images/installer.iso" PVE
make_iso "$T/images/answer.iso" PROXMOX-AIS answer.toml '[global]'
start_media_server "$T/images"
IMG="$MEDIA/installer.iso"
sb media status --bmc "$URL" "${PIN[@]}" "${TMO[@]}" --json
expect_rc 0 "media status"
expect_json "sorted((s['id'], s['kinds'], s['inserted']) for s in doc[0]['slots']) == [('CD1', ['cd'], False), ('Floppy1', ['usb'], False)]" "two slots: CD1 (cd) and Floppy1 (usb), both empty"
sb media insert --bmc "$URL" "${PIN[@]}" "$IMG" "${TMO[@]}" --json
expect_rc 0 "media insert"
VM=$("${C[@]}" "$B/redfish/v1/Managers/BMC/VirtualMedia/CD1" > "$T/vm.json"; python3 -c "import json; d=json.load(open('$T/vm.json')); print(d.get('Inserted'), d.get('Image'))")
[ "$VM" = "True $IMG" ] && pass "curl sees the image inserted" || fail "virtual media after insert: $VM"
expect_in "$MEDIA_LOG" "GET /installer.iso 206 bytes 32768-34815" "the BMC read the volume descriptor with a ranged GET"
expect_in "$MEDIA_LOG" "GET /installer.iso 200" "and then fetched the whole image"
sb media insert --bmc "$URL" "${PIN[@]}" "$MEDIA/answer.iso" --slot usb "${TMO[@]}" --json
expect_rc 0 "media insert into the usb slot"
expect_json "sorted((s['id'], s['image']) for s in doc[0]['slots']) == [('CD1', '$IMG'), ('Floppy1', '$MEDIA/answer.iso')]" "both slots hold their image"
sb media insert --bmc "$URL" "${PIN[@]}" "$MEDIA/missing.iso" --slot Floppy1 "${TMO[@]}" --json
expect_rc 1 "an image the BMC cannot fetch is refused"
expect_json "'could not fetch' in doc[0]['error'] and '404' in doc[0]['error']" "with the BMC's reason (HTTP 404)"
sb media insert --bmc "$URL" "${PIN[@]}" "$IMG" --slot zip "${TMO[@]}" --json
expect_rc 1 "a slot the BMC does not have"
expect_json "'CD1' in doc[0]['error'] and 'Floppy1' in doc[0]['error']" "the error lists the BMC's slots"
sb media eject --bmc "$URL" "${PIN[@]}" --slot cd "${TMO[@]}" --json
expect_rc 0 "media eject of one slot"
expect_json "sorted((s['id'], s['inserted']) for s in doc[0]['slots']) == [('CD1', False), ('Floppy1', False)]" "CD1 ejected (and the refused USB insert left Floppy1 empty)"
sb media insert --bmc "$URL" "${PIN[@]}" "$MEDIA/answer.iso" --slot usb "${TMO[@]}"
sb media eject --bmc "$URL" "${PIN[@]}" "${TMO[@]}" --json
expect_rc 0 "media eject (every slot)"
VM=$("${C[@]}" "$B/redfish/v1/Managers/BMC/VirtualMedia/CD1" | python3 -c "import json,sys; d=json.load(sys.stdin); print(d.get('Inserted'))")
VM2=$("${C[@]}" "$B/redfish/v1/Managers/BMC/VirtualMedia/Floppy1" | python3 -c "import json,sys; d=json.load(sys.stdin); print(d.get('Inserted'))")
[ "$VM $VM2" = "False False" ] && pass "curl sees both slots ejected" || fail "virtual media after eject: $VM $VM2"

# --- inventory and firmware through discover --------------------------------
sb discover --bmc "$URL" "${PIN[@]}" --no-security "${TMO[@]}" --json
expect_rc 0 "discover reads the inventory"
expect_json "doc[0]['protocol'] == 'redfish' and doc[0]['chassis_serial']" "protocol and chassis serial"
expect_json "sum(c['class'] == 'cpu' for c in doc[0]['components']) == 8" "8 processors"
expect_json "sum(c['class'] == 'drive' for c in doc[0]['components']) == 10" "10 drives (8 bays empty)"
expect_json "all(c['source'] == 'redfish' and c['path'].startswith('/redfish/v1/') for c in doc[0]['components'])" "every component tagged redfish with its path"
expect_json "any(c['class'] == 'nic' and c.get('durable_id') for c in doc[0]['components'])" "NICs carry MACs"
expect_json "any(f['name'] and f['version'] for f in doc[0]['firmware'])" "firmware versions from the UpdateService"
expect_not_in "$T/out" "$PW" "the password is not in the inventory"
"${C[@]}" "$B/redfish/v1/SessionService/Sessions" > "$T/sessions.json"
python3 -c "import json,sys; d=json.load(open('$T/sessions.json')); sys.exit(0 if d.get('Members@odata.count', len(d.get('Members', []))) == 0 else 1)" \
	&& pass "every session was logged out (DELETE on close)" || fail "sessions left open: $(cat "$T/sessions.json")"

# --- plain HTTP -------------------------------------------------------------
sb power status --bmc "redfish+http://admin@$PLAIN" "${TMO[@]}" --json
expect_rc 0 "redfish+http:// works"
expect_in "$T/err" "plain HTTP" "and warns about plain HTTP"
sb power status --bmc "redfish://admin@$PLAIN" "${TMO[@]}" --json
expect_rc 1 "HTTPS to a plain-HTTP port fails"
expect_json "doc[0]['ok'] is False" "with an error, not a hang"

# --- an older, thinner tree: VirtualMedia on the system, SimpleStorage --------
start rack --mockup "$TOP/tests/data/redfish/public-rackmount1"
RACK="redfish+http://admin@$ADDR"
R=(curl -sS -u "admin:$PW" "http://$ADDR")
rget() { "${R[@]}$1" | python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"; }
RSYS=$("${R[@]}/redfish/v1/Systems" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Members"][0]["@odata.id"])')
# Supermicro's InsertMedia: Image only, which a standard BMC takes too
sb media insert --bmc "$RACK" --quirks supermicro "$IMG" "${TMO[@]}" --json
expect_rc 0 "media insert on the system's own VirtualMedia"
cp "$T/images/installer.iso" "$T/images/other.iso"
IMG2="$MEDIA/other.iso"
sb media insert --bmc "$RACK" --quirks supermicro "$IMG2" "${TMO[@]}" --json
expect_rc 0 "media insert over another image"
[ "$(rget "$RSYS/VirtualMedia/CD1" "str(d.get('Inserted')) + ' ' + str(d.get('Image'))")" = "True $IMG2" ] \
	&& pass "curl sees the new image in the system's CD1" || fail "rackmount CD1: $(rget "$RSYS/VirtualMedia/CD1" "d")"
sb discover --bmc "$RACK" --no-security "${TMO[@]}" --json
expect_rc 0 "discover a thinner tree"
expect_json "sum(c['class'] == 'drive' and '/SimpleStorage/' in c['path'] for c in doc[0]['components']) == 2" "2 drives from SimpleStorage (2 bays empty)"
expect_json "sum(c['class'] == 'cpu' for c in doc[0]['components']) == 1" "1 CPU (the second socket is empty)"
