#!/bin/sh
# How edge-n01.ip-link.json was made (run as root on the development
# machine, Debian 12, iproute2 6.1.0): real `ip -d -j link` inside a
# network namespace holding the interfaces a Proxmox node of the example
# BOM has: two ports with the BOM's MACs (veth links, whose peers live in
# a second namespace, stand in for the physical ports: this kernel offers
# neither dummy nor vlan links), and the Proxmox bridge vmbr0 over the
# first port (it carries that port's MAC). The only edit after capture: the
# "linkinfo" of the two ports is removed with python, since a physical port
# has none. The parser must count two NICs, not three.
set -eu
ns=sbcap$$ peers=sbcapp$$
ip netns add $ns
ip netns add $peers
trap 'ip netns del $ns; ip netns del $peers' EXIT
ip -n $ns link add eno1 address b4:96:91:4a:18:90 type veth peer name p1 netns $peers
ip -n $ns link add eno2 address b4:96:91:4a:18:91 type veth peer name p2 netns $peers
ip -n $ns link add vmbr0 type bridge
ip -n $ns link set eno1 master vmbr0
ip -n $ns link set vmbr0 address b4:96:91:4a:18:90
for l in eno1 eno2 vmbr0; do ip -n $ns link set $l up; done
for l in p1 p2; do ip -n $peers link set $l up; done
ip -n $ns -d -j link | python3 -c '
import json, sys
links = json.load(sys.stdin)
for l in links:
    if l["ifname"] in ("eno1", "eno2"):
        l.pop("linkinfo", None)
print(json.dumps(links))'
