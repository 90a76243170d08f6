# siteboot lab up with Redfish BMCs: one emulator per redfish:// node of
# the core example, HTTPS with the lab's own certificate, each serving its
# node's expected hardware; lab down stops them all by PID.
. "$(dirname "$0")/lib.sh"
command -v ipmi_sim >/dev/null || skip "ipmi_sim (openipmi) is not installed: the core example also has IPMI BMCs"
command -v curl >/dev/null || skip "curl is not installed"
unset CURL_CA_BUNDLE
D=$T/lab
SITE=$TOP/bom/examples/core-johannesburg.yaml
on_exit "'$SITEBOOT' lab down --dir '$D'"

sb lab up --site "$SITE" --dir "$D" --no-ssh --json
expect_rc 0 "lab up with the core example (4 Redfish, 11 IPMI BMCs)"
cp "$T/out" "$T/state.json"
expect_json "sum(b.startswith('redfish://') for b in doc['bmcs']) == 4" "lab status lists 4 Redfish BMC URLs"
expect_json "sum(p['kind'] == 'redfish' for p in doc['procs']) == 4 and all(not p['listen'].endswith(':0') for p in doc['procs'])" \
	"one emulator process per Redfish node, each with its real address"
PW=$(sed -n 's/^ *password: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$D/credentials.yaml")
[ -n "$PW" ] && pass "the lab password is in credentials.yaml" || fail "no password in credentials.yaml"
[ "$(stat -c %a "$D/redfish/password")" = 600 ] && [ "$(stat -c %a "$D/redfish/tls-key.pem")" = 600 ] \
	&& pass "password and TLS key files are mode 0600" || fail "file modes"
"$SITEBOOT" bom show --json "$SITE" > "$T/bom.json"

# every Redfish BMC: TLS verified with the lab certificate, the BOM's chassis serial
python3 -c "
import json; d = json.load(open('$T/state.json'))
for p in d['procs']:
    if p['kind'] == 'redfish': print(p['node'], p['listen'])" > "$T/rf.txt"
while read -r node addr; do
	want=$(python3 -c "
import json; d = json.load(open('$T/bom.json'))
print([n for n in d['nodes'] if n['name'] == '$node'][0]['chassis']['serial'])")
	got=$(curl -sS --cacert "$D/redfish/tls-cert.pem" -u "admin:$PW" \
		"https://$addr/redfish/v1/Systems/437XR1238R2" | python3 -c 'import json,sys; print(json.load(sys.stdin)["SerialNumber"])')
	[ "$got" = "$want" ] && pass "$node: serial $got over verified HTTPS" || fail "$node: serial '$got', BOM '$want'"
done < "$T/rf.txt"
[ "$(wc -l < "$T/rf.txt")" = 4 ] && pass "four Redfish nodes checked" || fail "Redfish nodes: $(wc -l < "$T/rf.txt")"

# the pin file is the certificate's SHA-256
want=$(openssl x509 -in "$D/redfish/tls-cert.pem" -outform DER | sha256sum | cut -d' ' -f1)
[ "$(cat "$D/redfish/tls-cert.sha256")" = "$want" ] && pass "tls-cert.sha256 is the certificate's SHA-256" \
	|| fail "pin file differs from the certificate"
# the lab BOM points at the emulators
sb bom check "$D/site.yaml"
expect_rc 0 "the lab BOM is valid"
read -r node addr < "$T/rf.txt"
expect_in "$D/site.yaml" "redfish://admin@$addr" "the lab BOM carries the emulator's URL"
grep -rqF -- "$PW" "$D/lab.json" "$D/site.yaml" "$D"/redfish/*/emulator.log "$D"/redfish/*/state.json 2>/dev/null \
	&& fail "the lab password leaked" || pass "the password is in no state, BOM or log file"

pids=$(python3 -c "
import json; d = json.load(open('$T/state.json'))
print(' '.join(str(p['pid']) for p in d['procs'] if p['kind'] == 'redfish'))")
sb lab down --dir "$D"
expect_rc 0 "lab down"
# running = present and not a zombie waiting for whoever adopted it
running() { [ -r "/proc/$1/stat" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
alive=0
for p in $pids; do
	for _ in $(seq 1 30); do running "$p" || break; sleep 0.1; done
	running "$p" && alive=$((alive + 1))
done
[ "$alive" = 0 ] && pass "lab down stopped every emulator" || fail "$alive emulators still run"
