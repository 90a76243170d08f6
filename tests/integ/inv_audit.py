#!/usr/bin/env python3
"""An auditor's check of a siteboot inventory ledger, written from
docs/inventory.md alone (no siteboot code): recompute every payload hash,
entry, leaf and chain hash, the RFC 6962 root at each checkpoint's size,
and check an inclusion proof. Usage: inv_audit.py DB [PROOF.json]"""
import base64, hashlib, json, sqlite3, struct, sys

def H(b): return hashlib.sha256(b).digest()

def lp(s):
    b = s.encode()
    return struct.pack(">H", len(b)) + b

def entry(seq, time, actor, kind, psha):
    return b"SBL1" + struct.pack(">Q", seq) + lp(time) + lp(actor) + lp(kind) + psha

def root(leaves):
    if not leaves: return H(b"")
    if len(leaves) == 1: return leaves[0]
    k = 1
    while k * 2 < len(leaves): k *= 2
    return H(b"\x01" + root(leaves[:k]) + root(leaves[k:]))

db = sqlite3.connect(sys.argv[1])
leaves, prev = [], b"\0" * 32
for seq, time, actor, kind, payload, psha, p, h in db.execute(
        "SELECT seq, time, actor, kind, payload, payload_sha256, prev, hash FROM ledger ORDER BY seq"):
    assert seq == len(leaves) + 1, "gap at %d" % seq
    assert H(payload.encode()) == psha, "payload %d" % seq
    assert json.dumps(json.loads(payload), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False) == payload, "payload %d not canonical" % seq
    leaf = H(b"\0" + entry(seq, time, actor, kind, psha))
    assert p == prev and H(prev + leaf) == h, "chain %d" % seq
    leaves.append(leaf)
    prev = h
for cid, size, r, note in db.execute("SELECT id, tree_size, root, note FROM checkpoints"):
    body = note.split("\n\n")[0] + "\n"
    origin, n, b64 = body.splitlines()
    assert int(n) == size and base64.b64decode(b64) == r == root(leaves[:size]), "checkpoint %d" % cid
if len(sys.argv) > 2:
    pr = json.load(open(sys.argv[2]))
    m, n = pr["leaf_index"], pr["tree_size"]
    r = bytes.fromhex(pr["leaf_hash"])
    assert r == leaves[m]
    fn, sn = m, n - 1
    for p in pr["path"]:
        p = bytes.fromhex(p)
        if fn & 1 or fn == sn:
            r = H(b"\x01" + p + r)
            while not fn & 1 and fn:
                fn >>= 1; sn >>= 1
        else:
            r = H(b"\x01" + r + p)
        fn >>= 1; sn >>= 1
    assert sn == 0 and r.hex() == pr["root"] == root(leaves[:n]).hex(), "inclusion proof"
print("audit ok: %d events, root %s" % (len(leaves), root(leaves).hex()))
