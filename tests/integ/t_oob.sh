# The out-of-band commands against the lab's real IPMI BMCs (OpenIPMI
# ipmi_sim, started by `siteboot lab up`): power round trips confirmed
# with ipmitool, boot device read back by ipmitool, FRU serials, the
# cipher-0 finding, a wrong password, a dead port among 20 live BMCs,
# the --json contracts, the credentials file's mode, exit codes, and
# the lab password never showing in any output.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/oob_lib.sh"
command -v ipmi_sim >/dev/null || skip "ipmi_sim (package openipmi) is not installed"
command -v ipmitool >/dev/null || skip "ipmitool is not installed"
"$SITEBOOT" help lab >/dev/null 2>&1 || skip "this siteboot has no 'lab' command yet"

N=20
oob_gen_bom "$N" > "$T/site.yaml"
sb bom check "$T/site.yaml"; expect_rc 0 "the generated $N-node BOM is valid"
oob_lab_up "$T/site.yaml" "$T/lab" || { fail "lab up"; sed 's/^/#   /' "$T/err"; exit 1; }
on_exit "\"$SITEBOOT\" lab down --dir \"$T/lab\""
pass "lab up: $N ipmi_sim BMCs"
SITE=$LAB_SITE CREDS=$LAB_CREDS
PW=$(oob_lab_password "$CREDS")
[ -n "$PW" ] && pass "the lab password is in $CREDS" || fail "no lab password"
# every output of this test is kept and searched for the password at the end
outs=()
keep() { cp "$T/out" "$T/keep.$1.out"; cp "$T/err" "$T/keep.$1.err"; outs+=("$T/keep.$1.out" "$T/keep.$1.err"); }

# ---- power status: all 20, JSON contract -----------------------------------
sb power status --all --site "$SITE" --credentials "$CREDS" --json; keep status
expect_rc 0 "power status --all"
expect_json "len(doc) == $N and all(o['ok'] and o['power'] in ('on','off') for o in doc)" \
	"power --json: $N objects with ok and power"
expect_json "[o['target'] for o in doc] == ['n%02d' % i for i in range(1, $N + 1)]" \
	"power --json: target is the node name, in BOM order"
expect_json "all(set(['target','ok','power','url','node']) <= set(o) and 'error' not in o for o in doc)" \
	"power --json: the contract's keys"

# ---- power round trips, confirmed by ipmitool ----------------------------------
ipmi_state() { # NODE -> on|off, as ipmitool sees it
	local hp; hp=$(oob_node_hostport "$SITE" "$1")
	ipmitool -I lanplus -C 3 -H "${hp%:*}" -p "${hp##*:}" -U "$LAB_USER" -P "$PW" \
		chassis power status 2>/dev/null | awk '{print $NF}'
}
for act in off on; do
	sb power "$act" 'n[01-05]' --site "$SITE" --credentials "$CREDS" --json; keep "power-$act"
	expect_rc 0 "power $act n[01-05]"
	expect_json "len(doc) == 5 and all(o['ok'] and o['power'] == '$act' for o in doc)" \
		"power $act: read back $act on all 5"
	bad=0
	for n in n01 n02 n03 n04 n05; do [ "$(ipmi_state $n)" = "$act" ] || bad=$((bad + 1)); done
	[ $bad -eq 0 ] && pass "ipmitool confirms power $act on n01-n05" || fail "ipmitool disagrees on $bad nodes after power $act"
	[ "$(ipmi_state n06)" = on ] && pass "n06 untouched" || fail "n06 changed"
done
sb power off n07 --site "$SITE" --credentials "$CREDS"; keep off7
sb power cycle n07 --site "$SITE" --credentials "$CREDS"; keep cycle7
expect_rc 0 "power cycle n07"
expect_in "$T/out" "n07: on" "power cycle ends on"
[ "$(ipmi_state n07)" = on ] && pass "ipmitool confirms n07 on after cycle" || fail "n07 not on after cycle"
sb power soft n08 --site "$SITE" --credentials "$CREDS" --wait 10s; keep soft8
expect_rc 0 "power soft n08"
[ "$(ipmi_state n08)" = off ] && pass "ipmitool confirms n08 off after soft" || fail "n08 not off after soft"
sb power on n08 --site "$SITE" --credentials "$CREDS"; keep on8

# ---- boot device, read back by siteboot and by ipmitool --------------------
sb boot pxe n09 --site "$SITE" --credentials "$CREDS" --once --json; keep boot
expect_rc 0 "boot pxe --once"
expect_json "doc[0]['ok'] and doc[0]['boot']['device'] == 'pxe' and doc[0]['boot']['mode'] == 'once'" \
	"boot --json reads back pxe once"
hp=$(oob_node_hostport "$SITE" n09)
ipmitool -I lanplus -C 3 -H "${hp%:*}" -p "${hp##*:}" -U "$LAB_USER" -P "$PW" \
	chassis bootparam get 5 >"$T/bootparam" 2>&1
expect_in "$T/bootparam" "PXE" "ipmitool reads the boot device back as PXE"
sb boot disk n09 --site "$SITE" --credentials "$CREDS" --once --persistent; keep boot2
expect_rc 2 "--once with --persistent is a usage error"

# ---- discover: FRU serials, cipher-0 finding, contract -------------------------
sb discover 'n[01-03]' --site "$SITE" --credentials "$CREDS" --json; keep discover
expect_rc 0 "discover n[01-03]"
expect_json "all(o['ok'] and o['protocol'] == 'ipmi' for o in doc)" "discover: ok, protocol ipmi"
expect_json "all(set(['target','ok','protocol','vendor','security','components','firmware']) <= set(o) for o in doc)" \
	"discover --json: the contract's keys"
expect_json "all(set(['class','manufacturer','model','part_number','serial','location','source']) <= set(c) for o in doc for c in o['components'])" \
	"discover --json: every component has the contract's keys"
expect_json "all(set(['name','version','source']) <= set(f) for o in doc for f in o['firmware'])" \
	"discover --json: every firmware entry has the contract's keys"
for i in 1 2 3; do
	expect_json "'$(oob_serial $i)' in [c['serial'] for c in doc[$((i - 1))]['components']]" \
		"discover n0$i: FRU carries the BOM's chassis serial $(oob_serial $i)"
done
expect_json "all(c['source'] == 'ipmi-fru' for o in doc for c in o['components'])" "components come from ipmi-fru"
expect_json "all(any(f['id'] == 'ipmi-cipher-0' and f['severity'] == 'critical' for f in o['security']) for o in doc)" \
	"discover reports the cipher-0 finding on every ipmi_sim"
sb discover n01 --site "$SITE" --credentials "$CREDS"; keep discover-text
expect_in "$T/out" "ipmi-cipher-0" "discover text names the cipher-0 finding"

# ---- bmc info ----------------------------------------------------------------------
sb bmc info n01 n02 --site "$SITE" --credentials "$CREDS" --json; keep info
expect_rc 0 "bmc info"
expect_json "all(o['ok'] and o['protocol_version'] == 'IPMI 2.0' and o['vendor'] for o in doc)" "bmc info: vendor and IPMI 2.0"

# ---- a wrong password is an authentication failure, never a success -----------
url=$(oob_node_url "$SITE" n01)
SITEBOOT_BMC_USER=$LAB_USER SITEBOOT_BMC_PASSWORD=not-the-password sb power status --bmc "$url" --json; keep wrongpw
expect_rc 1 "wrong password fails"
expect_json "doc[0]['ok'] is False and doc[0]['error_code'] == 'auth'" "wrong password: error_code auth"
expect_in "$T/err" "authentication failed" "wrong password: says authentication failed"

# ---- a dead BMC among 20 live ones: a timeout within the bound -----------------
dead=$(free_port)
start=$(date +%s%N)
sb power status --all --site "$SITE" --bmc "ipmi://127.0.0.1:$dead" --credentials "$CREDS" \
	--timeout 1s --retries 1 --json; keep dead
ms=$((($(date +%s%N) - start) / 1000000))
expect_rc 1 "one dead BMC: exit 1"
expect_json "len(doc) == $((N + 1)) and sum(o['ok'] for o in doc) == $N" "the $N live BMCs succeed beside the dead one"
expect_json "doc[-1]['ok'] is False and doc[-1]['error_code'] == 'timeout' and doc[-1]['elapsed_ms'] <= 3000" \
	"the dead port is a timeout within its bound (1s x 2 tries + slack)"
expect_in "$T/err" "ipmi://127.0.0.1:$dead: timeout" "stderr names the dead BMC and the reason"
[ "$ms" -lt 15000 ] && pass "whole run took ${ms} ms" || fail "whole run took ${ms} ms"

# ---- streaming and the table ---------------------------------------------------------
sb power status 'n[01-03]' --site "$SITE" --credentials "$CREDS"; keep text
expect_rc 0 "power status text"
expect_in "$T/out" "n02: " "one line per target"
expect_in "$T/out" "TARGET" "a final table"
[ "$(grep -c '^n0[1-3]: ' "$T/out")" = 3 ] && pass "three streamed lines" || fail "streamed lines: $(cat "$T/out")"

# ---- discover --scan ---------------------------------------------------------------
hp=$(oob_node_hostport "$SITE" n04)
sb discover --scan "${hp%:*}" --ipmi-port "${hp##*:}" --redfish-port "$dead" --redfish-http \
	--credentials "$CREDS" --json; keep scan
expect_rc 0 "scan finds the BMC"
expect_json "len(doc) == 1 and doc[0]['protocol'] == 'ipmi' and doc[0]['credentials'] == 'ok' and doc[0]['url'] == 'ipmi://$hp'" \
	"scan: one IPMI BMC, credentials ok, its URL"
expect_json "any(f['id'] == 'ipmi-cipher-0' for f in doc[0]['security'])" "scan: cipher-0 finding"
sb discover --scan 127.0.0.1 --ipmi-port "$dead" --redfish-port "$dead" --redfish-http --timeout 300ms; keep scan-none
expect_rc 1 "scan that finds nothing exits 1"

# ---- credentials: file mode, missing, env ----------------------------------------
cp "$CREDS" "$T/open.yaml"; chmod 0644 "$T/open.yaml"
sb power status n01 --site "$SITE" --credentials "$T/open.yaml"; keep mode
expect_rc 2 "a credentials file readable by others is refused"
expect_in "$T/err" "chmod 600" "the refusal says how to fix it"
sb power status n01 --site "$SITE"; keep nocreds
expect_rc 2 "no credentials at all: usage error before touching a BMC"
SITEBOOT_BMC_USER=$LAB_USER SITEBOOT_BMC_PASSWORD=$PW sb power status --bmc "$url" --json; keep env
expect_rc 0 "credentials from the environment"
sb power status n01 --site "$SITE" --credentials "$CREDS" -vv; keep debug
expect_rc 0 "debug logging"

# ---- usage and input errors: exit 2 ---------------------------------------------
sb power status n99 --site "$SITE" --credentials "$CREDS"; keep unknown
expect_rc 2 "unknown node"
sb power status --bmc "ipmi://admin:$PW@127.0.0.1"; keep urlpw
expect_rc 2 "a password in a URL is refused"
sb power toggle --bmc "$url"; keep verb
expect_rc 2 "unknown power verb"
sb power status n01; keep nosite
expect_rc 2 "node names without --site"
sb power status --bmc "$url" --parallel 0; keep par
expect_rc 2 "--parallel 0"

# ---- the password never shows -------------------------------------------------------
leaked=$(grep -lF -- "$PW" "${outs[@]}" || true)
[ -z "$leaked" ] && pass "the lab password is in no output (${#outs[@]} files)" || fail "password in: $leaked"
