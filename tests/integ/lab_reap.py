#!/usr/bin/env python3
"""Stop the processes of every lab whose lab.json lies below the folders
given: what a test started when `siteboot lab up` or the test itself was
killed before `lab down` could run (the peers live in sessions of their
own, so no signal to the test reaches them).

A process is stopped only when it still is the one the lab started: the
same start time as lab.json recorded (/proc/PID/stat field 22) and a
command line that names the peer's program. SIGTERM, up to 3 s, SIGKILL.
Prints how many it stopped. Usage: lab_reap.py DIR..."""
import json
import os
import signal
import sys
import time

PROGRAMS = {"ipmi_sim": "ipmi_sim", "sshd": "sshd", "redfish": "lab-redfish-bmc"}


def start_time(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    if fields[0] in ("Z", "X"):
        return None
    return int(fields[19])  # field 22: fields[0] is field 3


def names_program(pid, kind):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            argv = f.read().split(b"\0")
    except OSError:
        return False
    want = PROGRAMS.get(kind, kind).encode()
    # the program itself, or a wrapper script running it (argv[1])
    return any(os.path.basename(a) == want or a == want for a in argv[:3])


def ours(proc):
    pid, start = proc.get("pid"), proc.get("start")
    if not isinstance(pid, int) or pid <= 1:
        return None
    now = start_time(pid)
    if now is None or (start and now != start):
        return None
    if not names_program(pid, proc.get("kind", "")):
        return None
    return pid, now


def main(dirs):
    victims = []
    for top in dirs:
        for root, _dirs, files in os.walk(top):
            if "lab.json" not in files:
                continue
            try:
                with open(os.path.join(root, "lab.json")) as f:
                    procs = json.load(f).get("procs", [])
            except (OSError, ValueError):
                continue
            for p in procs:
                v = ours(p) if isinstance(p, dict) else None
                if v:
                    victims.append(v)
    for pid, _ in victims:
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
    deadline = time.monotonic() + 3
    left = victims
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = [(p, s) for p, s in left if start_time(p) == s]
    for pid, s in left:
        if start_time(pid) == s:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    print(len(victims))


if __name__ == "__main__":
    main(sys.argv[1:])
