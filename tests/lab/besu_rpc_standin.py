#!/usr/bin/env python3
"""Stand-in for a Besu node's HTTP JSON-RPC (tests/integ/t_besu_recipe.sh).

Answers what `siteboot besu check` asks, in the shapes Besu's JSON-RPC
documentation gives (GET /liveness and /readiness: 200 with {"status":
"UP"}; POST JSON-RPC 2.0 with hex quantities), records every request in
LOG, and plays one of several states:
  healthy       peers = validators - 1, a new block every call of
                eth_blockNumber, the genesis validators
  peer-missing  one peer fewer
  stalled       the block number does not move
  not-ready     /readiness answers 503
  other-chain   healthy, but block 0 is another chain's
Usage: besu_rpc_standin.py PORTFILE LOG MODE VALIDATOR...  (lower-case 0x addresses)
Environment: BESU_RPC_BIND=HOST:PORT (default 127.0.0.1:0), BESU_RPC_GENESIS=FILE
(no VALIDATOR given: the validators of that genesis file's QBFT extraData),
BESU_GENESIS_HASH=0x... (the hash of block 0 to answer; default 0xabab...),
as the lab's systemctl stand-in starts it for `systemctl enable --now besu`."""
import http.server
import json
import os
import socket
import sys


def rlp_item(b, i):
    """One RLP item at b[i:]: (value: bytes or list, next index)."""
    p = b[i]
    if p < 0x80:
        return b[i:i + 1], i + 1
    if p < 0xb8:
        return b[i + 1:i + 1 + p - 0x80], i + 1 + p - 0x80
    if p < 0xc0:
        n = p - 0xb7
        ln = int.from_bytes(b[i + 1:i + 1 + n], "big")
        return b[i + 1 + n:i + 1 + n + ln], i + 1 + n + ln
    if p < 0xf8:
        start, end = i + 1, i + 1 + p - 0xc0
    else:
        n = p - 0xf7
        start = i + 1 + n
        end = start + int.from_bytes(b[i + 1:start], "big")
    out, j = [], start
    while j < end:
        v, j = rlp_item(b, j)
        out.append(v)
    return out, end


portfile, log, mode, validators = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
if not validators and os.environ.get("BESU_RPC_GENESIS"):
    extra = json.load(open(os.environ["BESU_RPC_GENESIS"]))["extraData"]
    fields, _ = rlp_item(bytes.fromhex(extra[2:]), 0)
    validators = ["0x" + a.hex() for a in fields[1]]
# the hash of block 0 a node on the test's genesis answers (a real node
# computes it from the genesis file; the test passes what it expects)
genesis_hash = os.environ.get("BESU_GENESIS_HASH", "0x" + "ab" * 32)
state = {"block": 100}


class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def reply(self, code, doc):
        body = json.dumps(doc).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        open(log, "a").write("GET %s\n" % self.path)
        if self.path == "/liveness":
            self.reply(200, {"status": "UP"})
        elif self.path == "/readiness":
            self.reply(503 if mode == "not-ready" else 200,
                       {"status": "DOWN" if mode == "not-ready" else "UP"})
        else:
            self.reply(404, {})

    def do_POST(self):
        req = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        m = req["method"]
        open(log, "a").write("POST %s %s\n" % (m, json.dumps(req.get("params", []))))
        if m == "net_peerCount":
            n = len(validators) - (2 if mode == "peer-missing" else 1)
            res = hex(max(n, 0))
        elif m == "eth_blockNumber":
            if mode != "stalled":
                state["block"] += 1
            res = hex(state["block"])
        elif m == "qbft_getValidatorsByBlockNumber":
            res = validators
        elif m == "eth_getBlockByNumber":
            res = {"number": "0x0", "hash": "0x" + "cd" * 32 if mode == "other-chain" else genesis_hash,
                   "difficulty": "0x1"}
        else:
            return self.reply(200, {"jsonrpc": "2.0", "id": req["id"],
                                    "error": {"code": -32601, "message": "Method not found"}})
        self.reply(200, {"jsonrpc": "2.0", "id": req["id"], "result": res})


host, _, port = os.environ.get("BESU_RPC_BIND", "127.0.0.1:0").rpartition(":")
srv = http.server.HTTPServer((host, int(port)), H)
open(portfile + ".tmp", "w").write(str(srv.server_address[1]))
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
