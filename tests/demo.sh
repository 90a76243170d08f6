#!/usr/bin/env bash
# make demo: the main job on this machine, step by step, saying where
# everything is: a virtual edge site on the lab, discovered, reconciled
# against its BOM, brought up by the edge checklist's recipes (Proxmox VE
# cluster, in-band inventory, Ceph) over SSH, the ledger verified and
# signed. Proxmox VE, Ceph and Besu cannot run here: on the lab's hosts,
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
ST=$W/standins-state
mkdir -p "$ST" "$W/standins" "$W/data"
cp -a tests/lab/standins/. "$W/standins/"
cp -a tests/data/recipes/. "$W/data/"
chmod -R a+rX "$W/standins" "$W/data"
chmod 1777 "$ST"
LAB=$W/lab
cleanup() { $SB lab down --dir "$LAB" >/dev/null 2>&1 || true; }
trap cleanup EXIT

say "Start a virtual edge site: ipmi_sim BMCs and sshd hosts on loopback"
SITEBOOT_LAB_HOST_ENV="PATH=$W/standins:/usr/bin:/bin SB_STANDIN_STATE=$ST SB_STANDIN_DATA=$W/data" \
	$SB lab up --dir "$LAB"
SITE=$LAB/site.yaml

say "Discover the site: every BMC's hardware and firmware into the inventory"
$SB discover --all --site "$SITE" --credentials "$LAB/credentials.yaml" || true

say "Reconcile against the BOM (before the in-band inventory: what the BMCs cannot see is unverifiable, not missing)"
$SB reconcile --site "$SITE" >"$W/reconcile.txt" 2>&1 || true
tail -15 "$W/reconcile.txt"

say "Run the edge checklist's recipes on the lab (attestations given by flag)"
$SB bom show "$SITE" --json >"$W/bom.json"
python3 tests/integ/recipes_setup.py "$W/bom.json" "$ST" tests/data/inband/mksmbios.py \
	bootstrap/checklists/edge.yaml "$W/edge-recipes.yaml"
chmod -R a+rwX "$ST"
$SB plan "$W/edge-recipes.yaml" --site "$SITE" >"$W/plan.txt"
sed -n '1,30p' "$W/plan.txt"; echo "  ... (the whole plan: $W/plan.txt)"
$SB run "$W/edge-recipes.yaml" --site "$SITE" -i "$LAB/ssh/id_ed25519" --attest all="Demo Technician"

say "Reconcile again, with the in-band inventory"
$SB reconcile --site "$SITE" >"$W/reconcile.txt" 2>&1 || true
tail -15 "$W/reconcile.txt"

say "Verify the ledger and sign a checkpoint"
$SB inventory verify
$SB inventory checkpoint

if $SB help inventory 2>/dev/null | grep -q 'inventory export'; then
	say "Export the inventory as CycloneDX"
	$SB inventory export --format cyclonedx >"$W/site.cdx.json" && echo "$W/site.cdx.json"
fi

say "Where everything is"
cat <<TXT
  lab (BMCs, hosts, credentials):  $LAB   (stopped when this script ends)
  inventory and ledger:            $SITEBOOT_DB
  run logs (per host and step):    $SITEBOOT_RUNS_DIR
  what the stand-ins were asked:   $ST/NODE/calls
  BOM reference: docs/bom.md; checklists: docs/checklists.md, docs/recipes.md;
  manual: man -l docs/siteboot.1
TXT
