#!/usr/bin/python3
"""Read a Redfish system's hardware and firmware inventory with
python3-sushy, the way a client of it would: system, processors, memory,
storage and drives, Ethernet interfaces, chassis network adapters, and
the UpdateService firmware inventory. Prints how many of each it saw.

    sushy_inventory.py URL USER PASSWORD
"""
import sys

import sushy
from sushy import auth

url, user, password = sys.argv[1:4]
s = sushy.Sushy(url + "/redfish/v1", auth=auth.SessionOrBasicAuth(username=user, password=password))
counts = {}
for system in s.get_system_collection().get_members():
    facts = [system.serial_number, system.part_number, system.manufacturer]
    cpus = system.processors.get_members()
    counts["cpu"] = counts.get("cpu", 0) + len(cpus)
    # this sushy has no Memory model: read it raw
    mem = system.json.get("Memory", {}).get("@odata.id")
    if mem:
        coll = s._conn.get(mem).json()
        for m in coll.get("Members", []):
            s._conn.get(m["@odata.id"]).json()
            counts["memory"] = counts.get("memory", 0) + 1
    # sushy's Storage model refuses the mockup's controllers (it wants a
    # StorageControllers MemberId): read storage and drives raw, as a
    # sushy user would have to
    st_path = system.json.get("Storage", {}).get("@odata.id")
    if st_path:
        for m in s._conn.get(st_path).json().get("Members", []):
            st = s._conn.get(m["@odata.id"]).json()
            for d in st.get("Drives", []):
                s._conn.get(d["@odata.id"]).json()
                counts["drive"] = counts.get("drive", 0) + 1
    counts["nic"] = counts.get("nic", 0) + len(system.ethernet_interfaces.get_members())
for ch in s.get_chassis_collection().get_members():
    try:
        counts["adapter"] = counts.get("adapter", 0) + len(ch.network_adapters.get_members())
    except Exception:
        pass
try:
    fw = s.get_update_service().firmware_inventory.get_members()
    counts["firmware"] = len(fw)
except Exception:
    pass
print(" ".join("%s=%d" % kv for kv in sorted(counts.items())))
