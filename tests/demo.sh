#!/usr/bin/env bash
# make demo: the main job on this machine, step by step, saying where
# everything is: a virtual edge site on the lab, brought up by the edge
# checklist as it ships, start to end (attestations, discovery,
# reconciliation, firmware baseline, Proxmox VE, in-band inventory, the
# cluster, Ceph, a Besu query node, the signed checkpoint) over SSH, then
# reconciled, the ledger verified and the inventory exported as CycloneDX. Proxmox VE, Ceph and Besu cannot run here: on the lab's hosts,
# stand-ins answer for them (docs/recipes.md says exactly what is real).
set -euo pipefail
cd "$(dirname "$0")/.."
TOP=$PWD
SB=${SITEBOOT:-$TOP/siteboot}
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "Validate the example site BOMs (one per tier)"
$SB bom check bom/examples/*.yaml

say "What the edge site should hold"
$SB bom show bom/examples/edge-accra.yaml

if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/sshd ]; then
	say "Done (the lab part needs root and sshd: 'sudo make deps', then 'sudo make demo')"
	exit 0
fi
W=$(mktemp -d /tmp/siteboot-demo.XXXXXX)
chmod 711 "$W"
export SITEBOOT_DB=$W/inventory.db SITEBOOT_RUNS_DIR=$W/runs SITEBOOT_OPERATOR="demo"
export PATH="$(dirname "$SB"):$PATH"
. tests/lab/appliance_setup.sh
sb_standins_setup "$W"
LAB=$W/lab
cleanup() { $SB lab down --dir "$LAB" >/dev/null 2>&1 || true; }
trap cleanup EXIT

say "Start a virtual edge site: ipmi_sim BMCs and sshd hosts on loopback"
$SB lab up --dir "$LAB"
SITE=$LAB/site.yaml

# the appliance's own places in the demo's directory (docs/appliance.md):
# the BMC credentials, root's password hash for the answer files, the Besu
# network the core site made, and a stand-in Besu release in the catalog
sb_appliance_setup "$W" "$LAB"
trap 'sb_standins_stop; cleanup' EXIT

say "Run the edge checklist on the site, start to end (attestations given by flag)"
echo "  (siteboot plan edge --site $SITE: the procedure, in $W/plan.txt)"
$SB plan edge --site "$SITE" >"$W/plan.txt"
$SB bom show "$SITE" --json >"$W/bom.json"
python3 tests/integ/recipes_setup.py "$W/bom.json" "$ST" tests/data/inband/mksmbios.py
chmod -R a+rwX "$ST"
$SB run edge --site "$SITE" -i "$LAB/ssh/id_ed25519" --attest all="Demo Technician" || {
	echo "the run stopped; its summary is above, its logs under $SITEBOOT_RUNS_DIR"; exit 1; }

say "Reconcile: the BOM against the BMCs' and the hosts' own inventory"
$SB reconcile --site "$SITE" >"$W/reconcile.txt" 2>&1 || true
tail -15 "$W/reconcile.txt"

say "Verify the ledger (the checklist signed a checkpoint at its end)"
$SB inventory verify

say "Export the inventory as CycloneDX 1.6"
$SB inventory export --format cyclonedx >"$W/site.cdx.json" && echo "  $W/site.cdx.json"

say "Where everything is"
cat <<TXT
  lab (BMCs, hosts, credentials):  $LAB   (stopped when this script ends)
  inventory and ledger:            $SITEBOOT_DB
  run logs (per host and step):    $SITEBOOT_RUNS_DIR
  the procedure that ran:          $W/plan.txt
  CycloneDX export:                $W/site.cdx.json
  the appliance's files:           $SITEBOOT_ETC, $SITEBOOT_IMAGES
  each lab host's own files:       $LAB/ssh/NODE/fs/
  what the stand-ins were asked:   $ST/NODE/calls
  BOM reference: docs/bom.md; checklists: docs/checklists.md, docs/recipes.md;
  manual: man -l docs/siteboot.1
TXT
