# The Proxmox VE install steps of the tier checklists, run for real on a
# lab site with two Redfish nodes and one IPMI node: the installer ISO
# verified against a catalog, the answer media written, siteboot's media
# server started by the run (serve step), the installer and the answer
# media inserted into the BMC's CD and USB slots (the lab BMC fetches
# both over HTTP), boot from the CD once, power cycle, wait for SSH with
# the new host key pinned, pveversion, eject; the IPMI node gets the
# manual step. The lab's "installer" is the Redfish emulator's stand-in
# (docs/lab.md): it checks the media and writes install.json; the lab's
# pveversion stand-in answers only on a node it installed.
# Also: a wrong answer-media label fails the install and the step with the
# installer's reason, a fetch from outside the BMC network is refused, the
# server is gone after the run, and a changed host key is replaced only by
# the step that says the node was reinstalled.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/media_lib.sh"
command -v /usr/sbin/sshd >/dev/null || skip "no sshd (make deps installs openssh-server)"
command -v xorriso >/dev/null || skip "no xorriso (make deps)"
command -v sqlite3 >/dev/null || skip "no sqlite3 (make deps)"
"$SITEBOOT" lab-redfish-bmc --help >/dev/null 2>&1 || skip "no lab-redfish-bmc in this siteboot"
export PATH="$(dirname "$SITEBOOT"):$PATH"	# local steps run siteboot
export SITEBOOT_OPERATOR="test-tech"
chmod 711 "$T"

# a small site: edge-n01 and edge-n02 with Redfish BMCs, edge-n03 IPMI; the
# BMC network is 127.0.0.0/24, where the lab's Redfish BMCs fetch from
python3 - "$TOP/bom/examples/edge-accra.yaml" "$T/site-in.yaml" <<'PY'
import sys, yaml
b = yaml.safe_load(open(sys.argv[1]))
b["networks"]["bmc"]["cidr"] = "127.0.0.0/24"	# the lab BMCs fetch from 127.0.0.1
for n in b["nodes"]:
    if n["name"] in ("edge-n01", "edge-n02"):
        n["bmc"]["url"] = n["bmc"]["url"].replace("ipmi://", "redfish://")
yaml.safe_dump(b, open(sys.argv[2], "w"), sort_keys=False)
PY
LAB=$T/lab
STANDIN_ENV="SB_STANDIN_LAB=$LAB SB_STANDIN_REDFISH=edge-n01,edge-n02" standins_up --site "$T/site-in.yaml"
# the hosts' stand-ins read the emulators' install.json (the lab's hosts
# may run as another user than the lab's BMCs)
chmod o+x "$LAB" "$LAB/redfish" "$LAB/redfish/edge-n01" "$LAB/redfish/edge-n02"
[ -f "$KEY.pub" ] || ssh-keygen -y -f "$KEY" >"$KEY.pub"
CREDS=$LAB/credentials.yaml

# the appliance's images: an "installer" ISO and a catalog naming its hash
IMG=$T/images
mkdir -p "$IMG"
export SITEBOOT_IMAGES=$IMG	# {{appliance.images}} of the checklists
make_iso "$IMG/proxmox-ve-auto.iso" PVE README "the lab's stand-in for the Proxmox VE installer"
sum=$(sha256sum "$IMG/proxmox-ve-auto.iso" | cut -d' ' -f1)
printf 'catalog: 1\nimages:\n  - name: proxmox-ve-auto\n    version: "8.2-2-partition"\n    filename: proxmox-ve-auto.iso\n    sha256: %s\n    source: made by this test\n' "$sum" >"$IMG/catalog.yaml"
printf '%s\n' '$6$labsalt$3gXTsRvtCMvAOcY1uRRPVSw7KMhfoQAnnDgqNuhhmfyzbcRI1sHzCe6YXbwlLzh0sQIW8OrEJ4xY08Ia.qnr/.' >"$T/root.hash"
chmod 600 "$T/root.hash"

# the tier checklist's Proxmox steps, verbatim but for the appliance's
# paths (images, the answer media's secrets) and the server's port (any)
mk_checklist() {	# OUT [LABEL-FOR-edge-n02]
	python3 - "$TOP/bootstrap/checklists/edge.yaml" "$1" "$IMG" "$T/root.hash" "$KEY.pub" "${2:-}" <<'PY'
import sys, yaml
src, out, img, hashf, pub, badlabel = sys.argv[1:7]
c = yaml.safe_load(open(src))
keep = ["pve-installer", "pve-answer-media", "pve-media-server", "pve-insert-installer",
        "pve-insert-answer", "pve-boot-cd", "pve-power-cycle", "pve-installed", "pve-eject",
        "pve-install-manual", "pve-up"]
steps = {s["id"]: s for s in c["steps"]}
c["steps"] = [steps[k] for k in keep]
for s in c["steps"]:
    s["needs"] = [n for n in s.get("needs", []) if n in keep]
    if s["id"] == "pve-answer-media":
        s["run"]["local"] += " --root-password-hash %s --ssh-key %s" % (hashf, pub)
        if badlabel:
            # edge-n02's answer media under another label: the installer
            # must not find it
            s["run"]["local"] += (" && if [ {{node.name}} = edge-n02 ]; then d=$(mktemp -d) && "
                                  "xorriso -osirrox on -indev {{run.dir}}/media/{{node.name}}-answer.iso "
                                  "-extract / $d >/dev/null 2>&1 && chmod -R u+w $d && "
                                  "xorriso -as mkisofs -quiet -V %s -J -o {{run.dir}}/media/{{node.name}}-answer.iso $d; fi" % badlabel)
    if s["id"] == "pve-media-server":
        s["run"]["serve"]["port"] = 0
# while the run's server runs: a client outside the BMC network (a
# loopback address outside 127.0.0.0/24) must get nothing
c["steps"].insert(3, {"id": "outside-fetch", "hosts": "site", "needs": ["pve-media-server"],
                      "run": {"local": "! curl -sf -o /dev/null -m 5 --interface 127.0.9.9 "
                                       "{{steps.pve-media-server.stdout | trim}}/proxmox-ve-auto.iso"},
                      "idempotent": True})
c["name"] = "pve-install-lab"
yaml.safe_dump(c, open(out, "w"), sort_keys=False, width=1000)
PY
}
mk_checklist "$T/bad.yaml" CIDATA
mk_checklist "$T/pve.yaml"
sb checklist check "$T/pve.yaml"; expect_rc 0 "the checklist's install steps pass checklist check"
sb plan "$T/pve.yaml" --site "$SITE"
expect_rc 0 "plan"
expect_in "$T/out" "bmc media insert" "the plan names the virtual media steps"
grep -A3 "edge-n03" "$T/out" >/dev/null && pass "the IPMI node is in the plan" || fail "edge-n03 missing from the plan"
RUN=(run --site "$SITE" -i "$KEY" --credentials "$CREDS" --bmc-ca-file "$LAB/redfish/tls-cert.pem" --attest all="Test Technician" --parallel 4)

# ---- 1. the answer media of edge-n02 has the wrong label -----------------
sb "${RUN[@]}" "$T/bad.yaml" --json
expect_rc 1 "a run whose answer media is labelled CIDATA fails"
cp "$T/out" "$T/bad.json"
python3 - "$T/bad.json" "$LAB" <<'PY' && pass "edge-n02 failed at pve-installed with the installer's reason; edge-n01 installed" || fail "the failed install: $(head -c 1500 "$T/bad.json")"
import json, sys
d = json.load(open(sys.argv[1]))
h = {x["host"]: x for x in d["hosts"]}
n2 = h["edge-n02"]
assert n2["state"] == "failed" and n2["failed_step"] == "pve-installed", n2
assert "labelled 'CIDATA', not PROXMOX-AIS" in n2["error"], n2["error"]
st = json.load(open(sys.argv[2] + "/redfish/edge-n02/install.json"))
assert st["ok"] is False and "CIDATA" in st["error"]
assert h["edge-n01"]["state"] == "ok", h["edge-n01"]
PY
RUNDIR=$(python3 -c "import json; print(json.load(open('$T/bad.json'))['dir'])")
# the server is a part of the run's process (threads), never a process of
# its own: when the run ends, its port is closed
PORT=$(sed -n 's/.* port \([0-9]*\) to .*/\1/p' "$RUNDIR/media-server.log" | head -1)
[ -n "$PORT" ] && pass "the failed run started its media server (port $PORT)" || fail "no media server log in $RUNDIR"
expect_in "$RUNDIR/media-server.log" "stopped after" "the failed run stopped its media server"
ss -ltn 2>/dev/null | grep -q ":$PORT " && fail "something still listens on $PORT" || pass "port $PORT is closed after the failed run"

# ---- 2. the good run: both Redfish nodes, the IPMI node by hand -----------
sb "${RUN[@]}" "$T/pve.yaml" --json
expect_rc 0 "the install steps run to the end on the lab"
[ "$rc" -eq 0 ] || { head -c 3000 "$T/out" | sed 's/^/#   /'; tail -5 "$T/err" | sed 's/^/#   /'; }
cp "$T/out" "$T/good.json"
RUNDIR=$(python3 -c "import json; print(json.load(open('$T/good.json'))['dir'])")
BADDIR=$(python3 -c "import json; print(json.load(open('$T/bad.json'))['dir'])")
ML=$RUNDIR/media-server.log
PORT=$(sed -n 's/.* port \([0-9]*\) to .*/\1/p' "$ML" | head -1)
# edge-n01 was installed by the first run (its media were fine), edge-n02
# by this one
for n in edge-n01 edge-n02; do
	if [ $n = edge-n01 ]; then D=$BADDIR; else D=$RUNDIR; fi
	ML=$D/media-server.log
	expect_in "$ML" "GET /proxmox-ve-auto.iso 206 bytes 32768-34815" "the BMC read the installer's volume descriptor (ranged)"
	expect_in "$ML" "GET /$n-answer.iso 200" "$n's BMC fetched its answer media from the run's media server"
	python3 - "$LAB/redfish/$n" "$D/media" "$n" <<'PY' && pass "$n installed by the lab's installer stand-in with fqdn $n.acc-edge-01.lan, from the media served" || fail "$n install state: $(cat "$LAB/redfish/$n/install.json")"
import hashlib, json, sys
d, media, n = sys.argv[1:4]
st = json.load(open(d + "/install.json"))
h = lambda f: hashlib.sha256(open(f, "rb").read()).hexdigest()
assert st["ok"] and st["installed"] == "proxmox-ve" and st["fqdn"] == n + ".acc-edge-01.lan", st
assert st["installer"]["sha256"] == h(media + "/proxmox-ve-auto.iso"), st
assert st["answer_media"]["sha256"] == h(media + "/" + n + "-answer.iso"), st
assert st["answer_media"]["label"].upper() == "PROXMOX-AIS"
s = json.load(open(d + "/state.json"))
sysk = [k for k in s if k.startswith("/redfish/v1/Systems/") and "Boot" in s[k]][0]
b = s[sysk]["Boot"]
assert b["BootSourceOverrideTarget"] == "Cd" and b["BootSourceOverrideEnabled"] == "Disabled", b
vms = [v for k, v in s.items() if "VirtualMedia" in k]
assert vms and not any(v.get("Inserted") for v in vms), vms
assert json.load(open(d + "/media.json")) == {}
PY
	expect_in "$D/$n/pve-boot-cd.log" "boot device of $n: cd" "$n: boot override Cd (once) was set (and consumed: Disabled after the boot)"
	expect_in "$D/$n/pve-power-cycle.log" "power cycle on $n: now on" "$n: power cycled, read back on"
	expect_in "$D/$n/pve-installed.log" "answers over SSH" "$n: the SSH wait succeeded"
	expect_in "$D/$n/pve-eject.log" "ejected" "$n: the virtual media ejected"
done
ML=$RUNDIR/media-server.log
# the IPMI node: the manual step (its lab host answers pveversion from the
# start: the lab cannot play a technician with USB sticks, so the step is
# found done by its check)
sb plan "$T/pve.yaml" --site "$SITE"
expect_in "$T/out" "edge-n03 has an IPMI BMC, which has no virtual media" "the IPMI node gets the manual USB/PXE step in the plan"
expect_in "$RUNDIR/edge-n03/pve-install-manual.log" "== check: ok" "(and in the lab it is found done by pveversion)"
[ ! -e "$RUNDIR/edge-n03/pve-insert-installer.log" ] && pass "no virtual media step ran on the IPMI node" || fail "a virtual media step ran on edge-n03"
python3 -c "
import json; d = json.load(open('$T/good.json'))
h = {x['host']: x for x in d['hosts']}
assert all(h[n]['state'] == 'ok' for n in ('edge-n01', 'edge-n02', 'edge-n03')), h" &&
	pass "every node ends with pve-up done (pveversion answered)" || fail "hosts: $(head -c 1500 "$T/good.json")"
# nobody else may fetch: a client outside the BMC network is refused (here
# a fresh server: the run's is gone)
ss -ltn 2>/dev/null | grep -q ":$PORT " && fail "the run's media server still listens on $PORT" ||
	pass "no media server is left after the run (port $PORT closed)"
expect_in "$ML" "stopped after" "the run stopped its media server at its end"
expect_in "$ML" "127.0.9.9 refused: not in the allowed networks" "the run's media server refused a client outside the BMC network (127.0.9.9)"
# the ledger: the server's start and what it served
sqlite3 "$SITEBOOT_DB" "SELECT kind, payload FROM ledger WHERE kind LIKE 'image.serve%'" >"$T/ledger.txt" 2>&1 ||
	sqlite3 "$SITEBOOT_DB" ".tables" >"$T/ledger.txt"
expect_in "$T/ledger.txt" "image.serve_started" "the ledger records the media server's start"
expect_in "$T/ledger.txt" "edge-n01-answer.iso" "and what it served to whom"
expect_in "$T/ledger.txt" "image.serve_refused" "and the refused client"

# ---- 3. a re-run installs nothing again ----------------------------------
sb "${RUN[@]}" "$T/pve.yaml" --new --json
expect_rc 0 "a new run over the installed nodes"
# ran: pve-installer, the serve step, outside-fetch (site), pve-installed (x2) and
# pve-up (x3), idempotent waits without a check; every step that changes
# a node was found done by its check (answer media x3, insert x2 x2, boot
# x2, power cycle x2, eject x2, the manual step x1)
expect_json "doc['ran'] == 8 and doc['already_done'] == 14" "the install steps were found done by their checks (nothing inserted, booted or cycled again)"

# ---- 4. host keys: never replaced silently --------------------------------
sqlite3 "$SITEBOOT_DB" "UPDATE ssh_host_keys SET fingerprint = 'SHA256:AAAAtheoldsystemskeyAAAAAAAAAAAAAAAAAAAAAAA' WHERE node = 'edge-n02'"
sb "${RUN[@]}" "$T/pve.yaml" --new --only pve-up --hosts edge-n02 --json
expect_rc 1 "a host key that differs from the pin fails an ordinary step"
expect_in "$T/out" "HOST KEY CHANGED" "as a changed host key, with both fingerprints"
sb "${RUN[@]}" "$T/pve.yaml" --new --only pve-installed --hosts edge-n02 --json
expect_rc 0 "the step that waits for the reinstalled node replaces the pin"
sqlite3 "$SITEBOOT_DB" "SELECT payload FROM ledger WHERE kind = 'ssh.hostkey_replaced'" >"$T/repin.txt"
expect_in "$T/repin.txt" "SHA256:AAAAtheoldsystemskey" "the ledger records the old key"
expect_in "$T/repin.txt" "pve-installed" "and the step that replaced it"
