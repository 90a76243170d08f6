# The Proxmox VE and Ceph recipes of the edge checklist, run for real over
# SSH on the lab's three hosts (OpenSSH sshd), where stand-ins for
# pveversion, pvecm, pveceph, ceph, ceph-volume, dmidecode and lsblk record
# their arguments and answer with samples of real output
# (tests/lab/standins, tests/data/recipes). Asserts the exact command
# sequence on every host, that a re-run changes nothing, and that unhealthy
# Ceph samples fail the verification with a clear message.
. "$(dirname "$0")/lib.sh"
command -v /usr/sbin/sshd >/dev/null || skip "no sshd (make deps installs openssh-server)"
command -v dmidecode >/dev/null || skip "no dmidecode (make deps)"
export PATH="$(dirname "$SITEBOOT"):$PATH"	# local steps run siteboot
export SITEBOOT_OPERATOR="test-tech"
chmod 711 "$T"
. "$TOP/tests/lab/appliance_setup.sh"
sb_standins_setup "$T"
LAB=$T/lab
"$SITEBOOT" lab up --dir "$LAB" >"$T/labout" 2>"$T/laberr" || skip "lab up failed: $(cat "$T/laberr")"
on_exit "'$SITEBOOT' lab down --dir '$LAB'"
SITE=$LAB/site.yaml
KEY=$LAB/ssh/id_ed25519
"$SITEBOOT" bom show "$SITE" --json >"$T/bom.json"
cp "$TOP/bootstrap/checklists/edge.yaml" "$T/edge.yaml"
python3 "$TOP/tests/integ/recipes_setup.py" "$T/bom.json" "$ST" "$TOP/tests/data/inband/mksmbios.py" \
	"$T/edge.yaml" "$T/recipes.yaml" || { fail "setting up the stand-ins"; exit 1; }
chmod -R a+rwX "$ST"
RUN=(run "$T/recipes.yaml" --site "$SITE" -i "$KEY" --attest all="Test Technician" --parallel 4)

sb "${RUN[@]}"; expect_rc 0 "the recipes run to the end on the lab"
[ "$rc" -eq 0 ] || { tail -30 "$T/out" | sed 's/^/#   /'; tail -5 "$T/err" | sed 's/^/#   /'; }

# the exact command sequence on each host (checks, runs and verifies)
L="lsblk -J -b -o NAME,SERIAL,WWN,MODEL,SIZE,TYPE,TRAN"
expect_calls() {	# NODE then the expected lines
	local node=$1; shift
	printf '%s\n' "$@" >"$T/want.$node"
	if cmp -s "$T/want.$node" "$ST/$node/calls"; then pass "$node: the exact command sequence"; else
		fail "$node: command sequence"; diff "$T/want.$node" "$ST/$node/calls" | sed 's/^/#   /' | head -30; fi
}
expect_calls edge-n01 "pveversion " "pveversion " "pveversion " \
	"dmidecode -t system -t baseboard -t memory" "lsblk ${L#lsblk }" \
	"pvecm status" "pvecm create acc-edge-01" "pvecm status" "pvecm status" "pvecm status" \
	"ceph --version" "pveceph install --repository no-subscription --version reef" \
	"ceph config get mon public_network" "pveceph init --network 10.20.2.0/24" \
	"ceph mon dump --format json" "pveceph mon create" \
	"ceph mgr dump --format json" "pveceph mgr create" \
	"lsblk ${L#lsblk }" \
	"ceph-volume lvm list /dev/nvme0n1 --format json" "ceph-volume lvm list /dev/nvme0n1 --format json" "pveceph osd create /dev/nvme0n1" \
	"ceph-volume lvm list /dev/nvme1n1 --format json" "pveceph osd create /dev/nvme1n1" \
	"ceph osd pool ls" "pveceph pool create rbd --add_storages 1" \
	"ceph -s --format json"
for n in edge-n02 edge-n03; do
	mgr=(); [ $n = edge-n02 ] && mgr=("ceph mgr dump --format json" "pveceph mgr create")
	expect_calls $n "pveversion " "pveversion " "pveversion " \
		"dmidecode -t system -t baseboard -t memory" "lsblk ${L#lsblk }" \
		"pvecm status" "pvecm add 127.0.3.1 --use_ssh 1" "pvecm status" "pvecm status" \
		"ceph --version" "pveceph install --repository no-subscription --version reef" \
		"ceph mon dump --format json" "pveceph mon create" "${mgr[@]}" \
		"lsblk ${L#lsblk }" \
		"ceph-volume lvm list /dev/nvme0n1 --format json" "ceph-volume lvm list /dev/nvme0n1 --format json" "pveceph osd create /dev/nvme0n1" \
		"ceph-volume lvm list /dev/nvme1n1 --format json" "pveceph osd create /dev/nvme1n1" \
		"ceph -s --format json"
done
# what the cluster-wide state says
[ "$(sort "$ST/ceph/osds" | tr '\n' ' ')" = "edge-n01 /dev/nvme0n1 edge-n01 /dev/nvme1n1 edge-n02 /dev/nvme0n1 edge-n02 /dev/nvme1n1 edge-n03 /dev/nvme0n1 edge-n03 /dev/nvme1n1 " ] &&
	pass "six OSDs, one per BOM ceph-osd drive, by serial" || fail "OSDs: $(tr '\n' ' ' <"$ST/ceph/osds")"
[ "$(cat "$ST/ceph/network")" = 10.20.2.0/24 ] && pass "pveceph init on the BOM's data network" || fail "network $(cat "$ST/ceph/network")"
sort "$ST/cluster-members" | tr '\n' ' ' | grep -qx "edge-n01 edge-n02 edge-n03 " && pass "three nodes in cluster acc-edge-01" || fail "cluster members"
sb inventory history S6CKNE0T652998; expect_rc 0 "in-band observations recorded in the inventory"
expect_in "$T/out" "edge-n02/nvme" "edge-n02's OSD drive placed by ssh-lsblk"

# a re-run changes nothing: every step's check says done, no command that
# changes anything is run
for n in edge-n01 edge-n02 edge-n03; do cp "$ST/$n/calls" "$T/first.$n"; : >"$ST/$n/calls"; done
sb "${RUN[@]}" --new --json; expect_rc 0 "a new run over the finished site"
mut='^(pvecm (create|add)|pveceph (install|init|mon create|mgr create|osd create|pool create))'
changed=$(cat "$ST"/edge-n0[1-3]/calls | grep -cE "$mut")
[ "$changed" = 0 ] && pass "the re-run ran no command that changes anything (idempotent)" ||
	{ fail "the re-run changed things: $changed commands"; grep -E "$mut" "$ST"/edge-n0*/calls | sed 's/^/#   /'; }
expect_json 'doc.get("counts", doc).get("failed", 0) == 0' "no step failed on the re-run"

# unhealthy samples fail the verification with the reason
for sample in reef-osd-down.json:OSD_DOWN reef-mon-down.json:"2 of 3 monitors in quorum" jewel-rook.json:"too many PGs per OSD"; do
	f=${sample%%:*} why=${sample#*:}
	echo "$f" >"$ST/ceph-sample"; chmod 666 "$ST/ceph-sample"
	sb "${RUN[@]}" --new --from ceph-status
	expect_rc 1 "ceph sample $f fails the run"
	if grep -rqF -- "$why" "$T"/runs/*/edge-n01/ceph-healthy.log 2>/dev/null || grep -qF -- "$why" "$T/out"; then
		pass "$f: the step says why ($why)"; else fail "$f: '$why' not in the ceph-healthy log"; fi
done
