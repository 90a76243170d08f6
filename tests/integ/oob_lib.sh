# Helpers for the out-of-band tests and benchmarks (t_oob.sh,
# tests/bench/oob_*.sh): a BOM of N nodes, and the lab started from it.
# Needs $SITEBOOT.

# oob_serial I: the chassis serial node I gets in oob_gen_bom's BOM
oob_serial() { printf 'SBT%04dX' "$1"; }

# oob_gen_bom N: an edge BOM with nodes n01..nN (n001.. when N > 99), each
# with an IPMI BMC and a chassis serial, from the edge example's header.
oob_gen_bom() {
	local n=$1 i w=2 top
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	[ "$n" -gt 99 ] && w=3
	sed -n '1,/^racks:/p' "$top/bom/examples/edge-accra.yaml" | sed '$d'
	echo "nodes:"
	for i in $(seq 1 "$n"); do
		printf '  - name: n%0*d\n    roles: [proxmox]\n    hardware: edge-r660xs\n' "$w" "$i"
		printf '    bmc: {url: "ipmi://10.20.%d.%d", credential: bmc-acc-edge-01}\n' \
			$((i / 250)) $((i % 250 + 1))
		printf '    serials: {chassis: %s}\n' "$(oob_serial "$i")"
	done
}

# oob_lab_up BOM DIR: start the lab; sets LAB_SITE (the lab's BOM),
# LAB_CREDS (its credentials file) and LAB_USER. Output in $T/out, $T/err
# when $T is set.
oob_lab_up() {
	local o=${T:-$2}/lab-up.out e=${T:-$2}/lab-up.err nossh=()
	# only the BMCs are needed: no SSH hosts when the lab can leave them out
	"$SITEBOOT" help lab 2>/dev/null | grep -q -- '--no-ssh' && nossh=(--no-ssh)
	"$SITEBOOT" lab up --site "$1" --dir "$2" "${nossh[@]}" >"$o" 2>"$e" || { cp "$e" "${T:-$2}/err" 2>/dev/null; return 1; }
	"$SITEBOOT" lab status --dir "$2" --json >"$o" 2>"$e" || return 1
	LAB_SITE=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['site'])" "$o")
	LAB_CREDS=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d.get('credentials') or '')" "$o")
	[ -n "$LAB_CREDS" ] || LAB_CREDS=$2/credentials.yaml
	LAB_USER=$(python3 -c "import yaml,sys; print(yaml.safe_load(open(sys.argv[1]))['lab']['user'])" "$LAB_CREDS")
}

# oob_lab_password CREDS: the lab password (for ipmitool and leak checks)
oob_lab_password() {
	python3 -c "import yaml,sys; print(yaml.safe_load(open(sys.argv[1]))['lab']['password'])" "$1"
}

# oob_node_url BOM NODE: the node's BMC URL; oob_node_hostport: host:port
oob_node_url() {
	"$SITEBOOT" bom show "$1" --json | python3 -c "import json,sys; print([n['bmc'] for n in json.load(sys.stdin)['nodes'] if n['name'] == sys.argv[1]][0])" "$2"
}
oob_node_hostport() {
	oob_node_url "$1" "$2" | sed -e 's|^[a-z+]*://||' -e 's|^[^@]*@||'
}
