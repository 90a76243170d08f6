#!/usr/bin/env python3
"""Generate hardware reports (the JSON `siteboot inventory import` reads)
for tests and benchmarks: NODES nodes named PREFIX-nNNNN, each with a
chassis, a board, 2 CPUs, DIMMS DIMMs, DRIVES drives, 2 NICs and 2 PSUs,
serials derived from the node number, and a Redfish-like JSON body per
node as evidence. Options tweak single nodes to plant discrepancies."""
import argparse, base64, hashlib, json, sys

ap = argparse.ArgumentParser()
ap.add_argument("--nodes", type=int, default=4)
ap.add_argument("--prefix", default="node")
ap.add_argument("--dimms", type=int, default=8)
ap.add_argument("--drives", type=int, default=4)
ap.add_argument("--site", default=None)
ap.add_argument("--first", type=int, default=1)
ap.add_argument("--bios", default="2.1.4")
ap.add_argument("--time", default=None, help="ISO time for every report")
ap.add_argument("--bom", action="store_true", help="print the matching BOM instead")
ap.add_argument("--tier", default="edge")
args = ap.parse_args()

def shape(i):
    """Per node: (dimms, drives, roles). In a core site node 1 is the
    validator, which the tier wants with 64-128 GiB and 2-4 TB of NVMe."""
    if args.tier == "core":
        if i == args.first:
            return 4, 1, ["validator"]
        k = i - args.first
        role = ["k8s-control"] * 3 + ["k8s-worker"] * 5 + ["ceph-mon"] * 3
        return args.dimms, args.drives, [role[k - 1] if k <= len(role) else "ceph-osd"]
    return args.dimms, args.drives, ["proxmox"]

def node_report(i):
    name = "%s-n%04d" % (args.prefix, i)
    dimms, drives, _ = shape(i)
    comps, ev = [], []
    body = {"@odata.id": "/redfish/v1/Systems/%d" % i, "SerialNumber": "CH%06d" % i}
    raw = json.dumps(body, sort_keys=True).encode()
    ev.append({"path": "/redfish/v1/Systems/%d" % i, "media_type": "application/json",
               "sha256": hashlib.sha256(raw).hexdigest(), "bytes": len(raw),
               "data": base64.b64encode(raw).decode()})
    def add(cls, pn, serial, loc, **kw):
        c = {"class": cls, "manufacturer": "Acme", "model": "M-" + pn, "part_number": pn,
             "serial": serial, "location": loc, "source": "redfish",
             "path": "/redfish/v1/Systems/%d/%s" % (i, loc), "evidence": 0}
        c.update(kw)
        comps.append(c)
    add("chassis", "CH-100", "CH%06d" % i, "Chassis")
    add("board", "MB-200", "MB%06d" % i, "Board")
    for k in range(2):
        add("cpu", "CPU-32C", "CPU%06d%d" % (i, k), "CPU%d" % k, cores=32)
    for k in range(dimms):
        add("memory", "DIMM-32G", "DM%06d%02d" % (i, k), "DIMM_%s%d" % ("AB"[k % 2], k // 2 + 1),
            capacity_bytes=32 << 30)
    for k in range(drives):
        add("drive", "NVME-3T84", "DR%06d%02d" % (i, k), "NVMe%d" % k,
            durable_id="naa.5000c500%08x" % (i * 16 + k), capacity_bytes=3840000000000)
    for k in range(2):
        add("nic", "NIC-25G", "NI%06d%d" % (i, k), "NIC%d" % k,
            durable_id="52:54:%02x:%02x:%02x:%02x" % ((i >> 16) & 255, (i >> 8) & 255, i & 255, k))
    for k in range(2):
        add("psu", "PSU-800", "PS%06d%d" % (i, k), "PSU%d" % k)
    r = {"target": "redfish+http://127.0.0.1:%d" % (20000 + i), "node": name,
         "protocol": "redfish", "vendor": "Acme", "product": "Server 1U",
         "chassis_serial": "CH%06d" % i, "components": comps,
         "firmware": [{"name": "BIOS", "version": args.bios, "source": "redfish", "evidence": 0},
                      {"name": "BMC", "version": "1.10", "source": "redfish", "evidence": 0}],
         "evidence": ev}
    if args.site:
        r["site"] = args.site
    if args.time:
        r["time"] = args.time
    return r

def dimm_slot(k):
    return "DIMM_%s%d" % ("AB"[k % 2], k // 2 + 1)

def profile(name, dimms, drives):
    return ["  %s:" % name,
            "    chassis: {manufacturer: Acme, model: M-CH-100, part_number: CH-100, order: {po: PO-1, line: 1}}",
            "    firmware:", "      - {name: BIOS, min_version: \"2.1.0\"}",
            "    components:",
            "      - {id: cpu, class: cpu, part_number: CPU-32C, quantity: 2, slots: [CPU0, CPU1], order: {po: PO-1, line: 2}}",
            "      - {id: dimm, class: memory, part_number: DIMM-32G, alternates: [DIMM-32G-B], quantity: %d, size: 32GB, slots: [%s], order: {po: PO-1, line: 3}}"
            % (dimms, ", ".join(dimm_slot(k) for k in range(dimms))),
            "      - {id: nvme, class: drive, part_number: NVME-3T84, quantity: %d, size: 3.84TB, interface: nvme, order: {po: PO-1, line: 4}}" % drives,
            "      - {id: nic, class: nic, part_number: NIC-25G, quantity: 2, order: {po: PO-1, line: 5}}",
            "      - {id: psu, class: psu, part_number: PSU-800, quantity: 2, order: {po: PO-1, line: 6}}"]

def bom():
    """The matching BOM, with the hardware described once per shape
    (hardware profiles) and only serials per node, as a real large site
    would write it."""
    out = ["schema_version: 1", "site:", "  id: %s" % (args.site or "gen-site"),
           "  name: Generated site", "  tier: %s" % args.tier,
           "orders:", "  - {id: PO-1, vendor: Acme Corp}", "racks:",
           "  - {id: r1, units: 42}", "hardware:"]
    shapes = {}
    for i in range(args.first, args.first + args.nodes):
        dimms, drives, _ = shape(i)
        if (dimms, drives) not in shapes:
            shapes[(dimms, drives)] = "hw-%dd-%dn" % (dimms, drives)
            out += profile(shapes[(dimms, drives)], dimms, drives)
    out.append("nodes:")
    for i in range(args.first, args.first + args.nodes):
        dimms, drives, roles = shape(i)
        out += ["  - name: %s-n%04d" % (args.prefix, i),
                "    roles: [%s]" % ", ".join(roles), "    rack: r1",
                "    hardware: %s" % shapes[(dimms, drives)],
                "    serials:",
                "      chassis: CH%06d" % i,
                "      dimm: [%s]" % ", ".join("DM%06d%02d" % (i, k) for k in range(dimms)),
                "      nvme: [%s]" % ", ".join("DR%06d%02d" % (i, k) for k in range(drives))]
    print("\n".join(out))

if args.bom:
    bom()
else:
    json.dump([node_report(i) for i in range(args.first, args.first + args.nodes)], sys.stdout)
