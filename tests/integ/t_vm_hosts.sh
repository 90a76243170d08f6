# BOM VMs as hosts: the lab starts an SSH host (real sshd) for each VM of
# the regional example, a checklist's steps selected by role run on the
# VMs over SSH, a virt step on a VM defines and starts its domain (libvirt's
# test driver) named after it with the BOM's sizing, and a VM's step that
# needs a step of its carrying node waits for it there.
. "$(dirname "$0")/lib.sh"
command -v /usr/sbin/sshd >/dev/null || skip "no sshd (make deps installs openssh-server)"
LAB=$T/lab
"$SITEBOOT" lab up --site "$TOP/bom/examples/regional-lagos.yaml" --dir "$LAB" >"$T/labout" 2>"$T/laberr" ||
	skip "lab up failed: $(cat "$T/laberr")"
on_exit "'$SITEBOOT' lab down --dir '$LAB'"
SITE=$LAB/site.yaml
KEY=$LAB/ssh/id_ed25519
export SITEBOOT_OPERATOR="test-tech"
H=$T/hosts
mkdir -p "$H"
chmod 711 "$T"
chmod 1777 "$H"
for vm in reg-rr01 reg-rr02 reg-rr03; do
	grep -q "sshd  *$vm " "$T/labout" && pass "lab: an SSH host for VM $vm" || fail "lab: no SSH host for $vm"
done

cat >"$T/vm.yaml" <<YAML
schema_version: 1
name: vm-hosts
steps:
  - id: prepare
    hosts: {roles: [proxmox]}
    run: {ssh: "sleep 1; echo prepared > $H/{{node.name}}.prepared"}
    check: {ssh: "test -e $H/{{node.name}}.prepared"}
  - id: vm-define
    hosts: {roles: [read-replica]}
    needs: [prepare]
    run: {virt: {uri: "test:///default", action: define, domain: "{{node.name}}", disk: 1GB}}   # vcpus and memory from the BOM; the test pool is small
    check: {virt: {uri: "test:///default", action: state, domain: "{{node.name}}", state: defined}}
  - id: vm-start
    hosts: {roles: [read-replica]}
    needs: [vm-define]
    run: {virt: {uri: "test:///default", action: start, domain: "{{node.name}}"}}
    verify: {virt: {uri: "test:///default", action: state, domain: "{{node.name}}", state: running}}
    idempotent: true
  - id: on-vm
    hosts: {roles: [read-replica]}
    needs: [vm-start]
    run: {ssh: "test -e $H/{{node.parent}}.prepared && echo \$SB_LAB_NODE on {{node.parent}} >> $H/{{node.name}}"}
    check: {ssh: "test -s $H/{{node.name}}"}
YAML
sb plan "$T/vm.yaml" --site "$SITE" --json
expect_rc 0 "plan"
expect_json '[h["host"] for h in doc["hosts"] if h.get("vm_on")] == ["reg-rr01", "reg-rr02", "reg-rr03"]' "the three VMs are hosts of the plan"
expect_json '[h["vm_on"] for h in doc["hosts"] if h.get("vm_on")] == ["reg-pve01", "reg-pve02", "reg-pve03"]' "each on its node"
expect_json 'all([s["id"] for s in h["steps"]] == ["vm-define", "vm-start", "on-vm"] for h in doc["hosts"] if h.get("vm_on"))' "the VM steps on the VMs, none of the node steps"

sb run "$T/vm.yaml" --site "$SITE" -i "$KEY" --parallel 4 --json
expect_rc 0 "the checklist runs on nodes and VMs"
[ "$rc" -eq 0 ] || { tail -20 "$T/out" | sed 's/^/#   /'; tail -5 "$T/err" | sed 's/^/#   /'; }
for i in 1 2 3; do
	[ "$(cat "$H/reg-rr0$i" 2>/dev/null)" = "reg-rr0$i on reg-pve0$i" ] &&
		pass "reg-rr0$i: ran over SSH on its own host, after its node's step" ||
		fail "reg-rr0$i: $(cat "$H/reg-rr0$i" 2>/dev/null)"
done
sb run "$T/vm.yaml" --site "$SITE" -i "$KEY" --hosts reg-rr02 --new --json
expect_rc 0 "a run on one VM by name"
expect_json '[h["host"] for h in doc["hosts"]] == ["reg-rr02"] and doc["already_done"] == 1' "that VM alone; its SSH step found done"
