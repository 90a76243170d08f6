#!/usr/bin/python3
"""List the hardware and firmware inventory resources of a Redfish service
(what a full inventory reads, without $expand): the systems and their
processors, memory, storage, drives and Ethernet interfaces, the chassis
with their network adapters and power supplies, the managers, and the
UpdateService firmware inventory. One path per line, for the benchmark's
curl and redfishtool runs.

    redfish_urls.py URL USER PASSWORD
"""
import base64
import json
import sys
import urllib.request

base, user, password = sys.argv[1:4]
auth = "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
seen, out = set(), []


def get(path):
    req = urllib.request.Request(base + path, headers={"Authorization": auth})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)


def visit(path, follow=()):
    if not path or path in seen:
        return None
    seen.add(path)
    out.append(path)
    doc = get(path)
    for m in doc.get("Members", []):
        visit(m.get("@odata.id"), follow)
    for key in follow:
        v = doc.get(key)
        if isinstance(v, dict):
            visit(v.get("@odata.id"), follow)
        elif isinstance(v, list):
            for x in v:
                if isinstance(x, dict):
                    visit(x.get("@odata.id"), follow)
    return doc


root = get("/redfish/v1")
out.append("/redfish/v1")
visit(root["Systems"]["@odata.id"],
      ("Processors", "Memory", "Storage", "Drives", "EthernetInterfaces", "SimpleStorage"))
visit(root["Chassis"]["@odata.id"],
      ("NetworkAdapters", "PowerSubsystem", "PowerSupplies", "Power"))
visit(root["Managers"]["@odata.id"])
us = get(root["UpdateService"]["@odata.id"])
visit(us.get("FirmwareInventory", {}).get("@odata.id"))
print("\n".join(out))
