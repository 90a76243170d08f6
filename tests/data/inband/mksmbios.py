#!/usr/bin/env python3
"""Write a binary SMBIOS 3.0 table in the layout of `dmidecode --dump-bin`
(entry point at offset 0, table at offset 32), holding a system (type 1),
a baseboard (type 2) and memory devices (type 17), for the real dmidecode
to decode with `dmidecode --from-dump FILE`.

The lab's hosts have no SMBIOS of their own (this machine exposes none), so
the tests feed real dmidecode 3.4 a table with the example BOM's values and
parse what dmidecode prints. Field offsets follow DMTF DSP0134 3.3.

Usage: mksmbios.py OUT.bin SPEC.json
SPEC: {"system": {"manufacturer", "product", "version", "serial", "uuid",
       "sku", "family"}, "baseboard": {...serial, product...},
       "memory": [{"locator", "bank", "size_mb", "type", "speed",
                   "manufacturer", "serial", "part"} or {"locator", "empty": true}]}
"""
import json
import struct
import sys
import uuid as uuidlib

MEMTYPE = {"DDR4": 0x1A, "DDR5": 0x22, "DDR3": 0x18}


def structure(stype, handle, body, strings):
    hdr = struct.pack("<BBH", stype, 4 + len(body), handle)
    if strings:
        tail = b"".join(s.encode() + b"\0" for s in strings) + b"\0"
    else:
        tail = b"\0\0"
    return hdr + body + tail


class Strings:
    def __init__(self):
        self.v = []

    def add(self, s):
        if s is None or s == "":
            return 0
        self.v.append(s)
        return len(self.v)


def system(d, handle):
    s = Strings()
    body = struct.pack("<BBBB", s.add(d.get("manufacturer")), s.add(d.get("product")),
                       s.add(d.get("version")), s.add(d.get("serial")))
    body += uuidlib.UUID(d.get("uuid", "00000000-0000-0000-0000-000000000000")).bytes_le
    body += struct.pack("<BBB", 6, s.add(d.get("sku")), s.add(d.get("family")))
    return structure(1, handle, body, s.v)


def baseboard(d, handle):
    s = Strings()
    body = struct.pack("<BBBBBBBHBB", s.add(d.get("manufacturer")), s.add(d.get("product")),
                       s.add(d.get("version")), s.add(d.get("serial")),
                       s.add(d.get("asset_tag")), 0x09, s.add(d.get("location")),
                       0x0300, 0x0A, 0)
    return structure(2, handle, body, s.v)


def memory(d, handle):
    s = Strings()
    loc = s.add(d["locator"])
    bank = s.add(d.get("bank"))
    if d.get("empty"):
        size, ext, mtype, speed = 0, 0, 0x02, 0
        man = ser = tag = part = 0
    else:
        mb = d["size_mb"]
        size, ext = (mb, 0) if mb < 0x7FFF else (0x7FFF, mb)
        mtype, speed = MEMTYPE[d.get("type", "DDR5")], d.get("speed", 4800)
        man, ser = s.add(d.get("manufacturer")), s.add(d.get("serial"))
        tag, part = s.add(d.get("asset_tag")), s.add(d.get("part"))
    body = struct.pack("<HHHHHBBBBBHHBBBBBIHHHH", 0x1000, 0xFFFE, 72 if size else 0xFFFF,
                       64 if size else 0xFFFF, size, 0x09, 0, loc, bank, mtype,
                       0x0080 if size else 0x0002, speed, man, ser, tag, part,
                       2 if size else 0, ext, speed, 1100, 1100, 1100)
    return structure(17, handle, body, s.v)


def main():
    out, spec = sys.argv[1], json.load(open(sys.argv[2]))
    table = system(spec["system"], 0x0100) + baseboard(spec["baseboard"], 0x0200)
    for i, m in enumerate(spec.get("memory", [])):
        table += memory(m, 0x1100 + i)
    table += structure(127, 0x7F00, b"", [])
    ep = bytearray(struct.pack("<5sBBBBBBBIQ", b"_SM3_", 0, 0x18, 3, 3, 0, 1, 0,
                               len(table), 32))
    ep[5] = (-sum(ep)) & 0xFF
    with open(out, "wb") as f:
        f.write(bytes(ep) + b"\0" * (32 - len(ep)) + table)


if __name__ == "__main__":
    main()
