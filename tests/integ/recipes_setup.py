#!/usr/bin/env python3
"""Set up the stand-ins' per-node state for t_recipes.sh from a lab BOM:
an SMBIOS table (for real dmidecode --from-dump) and lsblk JSON holding
each node's BOM serials, and the edge checklist's recipe steps.

Usage: recipes_setup.py BOM_JSON STATE_DIR MKSMBIOS [CHECKLIST_IN CHECKLIST_OUT]
  BOM_JSON: output of 'siteboot bom show SITE --json'. Without the
  checklist arguments only the stand-ins' state is written (make demo runs
  the edge checklist as it is)."""
import json
import os
import subprocess
import sys

import yaml

bom = json.load(open(sys.argv[1]))
state, mksmbios = sys.argv[2], sys.argv[3]
site = bom.get("site", bom)
for node in site["nodes"] if "nodes" in site else bom["nodes"]:
    name = node["name"]
    d = os.path.join(state, name)
    os.makedirs(d, exist_ok=True)
    lines = node.get("lines") or node.get("components") or []
    chassis = node.get("chassis", {}) or {}
    dimms, drives = [], []
    for ln in lines:
        if ln["class"] == "memory":
            for i, s in enumerate(ln.get("serials", [])):
                slot = ln.get("slots", [])[i] if i < len(ln.get("slots", [])) else "DIMM%d" % i
                dimms.append({"locator": slot, "bank": "Not Specified", "size_mb": 32768,
                              "manufacturer": ln.get("manufacturer"), "serial": s,
                              "part": ln.get("model", "").split()[0]})
        if ln["class"] == "drive":
            tran = ln.get("interface", "sata")
            for i, s in enumerate(ln.get("serials", [])):
                drives.append((tran, s, ln.get("model", ""), ln.get("size_bytes", 0)))
    spec = {"system": {"manufacturer": chassis.get("manufacturer"), "product": chassis.get("model"),
                       "serial": chassis.get("serial") or node.get("chassis_serial")},
            "baseboard": {"manufacturer": chassis.get("manufacturer"), "product": "0K2TMN"},
            "memory": dimms}
    json.dump(spec, open(os.path.join(d, "smbios.json"), "w"))
    subprocess.run([sys.executable, mksmbios, os.path.join(d, "smbios.bin"),
                    os.path.join(d, "smbios.json")], check=True)
    # NVMe drives named in reverse BOM order, as a kernel may probe them
    devs, sata, nvme = [], 0, 0
    nv = [x for x in drives if x[0] == "nvme"]
    for tran, s, model, size in [x for x in drives if x[0] != "nvme"] + list(reversed(nv)):
        if tran == "nvme":
            name_ = "nvme%dn1" % (len(nv) - 1 - nvme); nvme += 1
        else:
            name_ = "sd" + chr(ord("a") + sata); sata += 1
        devs.append({"name": name_, "serial": s, "wwn": None, "model": model, "size": size,
                     "type": "disk", "tran": tran})
    json.dump({"blockdevices": devs}, open(os.path.join(d, "lsblk.json"), "w"), indent=3)
    os.chmod(d, 0o777)
    for f in os.listdir(d):
        os.chmod(os.path.join(d, f), 0o644)

if len(sys.argv) < 6:
    sys.exit(0)
# the recipe steps of the edge checklist, verbatim; the steps that need
# the BMCs' discovery, a Besu release or the signing key are left out
drop = {"discover", "reconcile", "firmware-baseline", "reconcile-inband", "ledger-checkpoint",
        # the installer boot over virtual media (Redfish nodes): t_pve_install.sh
        "pve-installer", "pve-media-server", "pve-insert-installer", "pve-insert-answer",
        "pve-boot-cd", "pve-power-cycle", "pve-installed", "pve-eject"}
c = yaml.safe_load(open(sys.argv[4]))
c["steps"] = [s for s in c["steps"] if s["id"] not in drop and not s["id"].startswith("besu-")
              and s["id"] != "validate-services"]
ids = {s["id"] for s in c["steps"]}
for s in c["steps"]:
    needs = s.get("needs", [])
    if isinstance(needs, str):
        needs = [needs]
    kept = [n for n in needs if n in ids]
    if needs and not kept and s["id"] != "pve-answer-media":
        kept = []
    if s["id"] == "pve-answer-media":
        kept = [x for x in ids if x.startswith("attest-")]
    if s["id"] == "pve-cluster-create":
        kept = ["inband-record"]
    s["needs"] = sorted(kept)
c["name"] = "edge-recipes"
yaml.safe_dump(c, open(sys.argv[5], "w"), sort_keys=False, width=1000)
