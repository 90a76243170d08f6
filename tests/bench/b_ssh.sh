# 200 short commands (alternating `true` and `cat /etc/hostname`) spread
# over the lab's 4 SSH hosts (real OpenSSH sshd, a clean /bin/sh login for
# every client alike): `siteboot run` of a 50-step checklist on 4 hosts
# versus (a) a loop of OpenSSH `ssh host cmd`, (b) OpenSSH with
# ControlMaster/ControlPersist driving the 4 hosts in parallel (master
# start-up included), (c) ansible-core (forks=4, pipelining, the command
# module) running the same commands as a playbook. Issue 5's targets: at
# least 10x faster than (a), at least 3x faster than (c), at most 1.2x the
# time of (b). siteboot records every step in the inventory database
# (synchronous=FULL) and the ledger, which the peers do not.
set -u
: "${SITEBOOT:?}"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
for t in /usr/sbin/sshd ssh ansible-playbook; do
	command -v $t >/dev/null || { echo "skipped: $t is not installed"; exit 0; }
done
RUNS=${SB_BENCH_RUNS:-3}
T=$(mktemp -d)
trap '"$SITEBOOT" lab down --dir "$T/lab" >/dev/null 2>&1; rm -rf "$T"' EXIT
"$SITEBOOT" lab up --site "$TOP/tests/data/run/site4.yaml" --dir "$T/lab" >/dev/null 2>"$T/laberr" ||
	{ echo "lab up failed: $(cat "$T/laberr")"; exit 1; }
KEY=$T/lab/ssh/id_ed25519
python3 - "$T/lab/lab.json" > "$T/hosts" <<'PY'
import json, sys
for h in json.load(open(sys.argv[1]))["hosts"]:
    print(h["node"], h["host"], h["port"], h["user"])
PY
SSHO=(-i "$KEY" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes)
cmd_of() { if [ $(($1 % 2)) -eq 1 ]; then echo true; else echo cat /etc/hostname; fi; }

# the checklist: 50 steps on all 4 hosts = 200 commands
{
	echo "schema_version: 1"; echo "name: bench-200"; echo "steps:"
	for k in $(seq 1 50); do
		echo "  - {id: c$k, hosts: all, run: {ssh: \"$(cmd_of $k)\"}, idempotent: true}"
	done
} > "$T/bench.yaml"
# the playbook: the same 50 commands as tasks on all hosts
{
	echo "- hosts: all"; echo "  gather_facts: false"; echo "  tasks:"
	for k in $(seq 1 50); do
		echo "    - command: \"$(cmd_of $k)\""
	done
} > "$T/play.yaml"
while read -r n h p u; do
	echo "$n ansible_host=$h ansible_port=$p ansible_user=$u ansible_ssh_private_key_file=$KEY"
done < "$T/hosts" > "$T/inventory"
cat > "$T/ansible.cfg" <<CFG
[defaults]
forks = 4
host_key_checking = False
interpreter_python = /usr/bin/python3
local_tmp = $T/ansible-local
remote_tmp = /tmp/.ansible-sblab
[ssh_connection]
pipelining = True
CFG

ms() { echo $(( ($2 - $1) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }

sb_once() {
	rm -f "$T/sb.db"
	local s e
	s=$(date +%s%N)
	SITEBOOT_DB=$T/sb.db "$SITEBOOT" run "$T/bench.yaml" --site "$T/lab/site.yaml" -i "$KEY" \
		--parallel 4 --runs-dir "$T/runs" --json > "$T/sb.json" 2>"$T/sb.err" || { cat "$T/sb.err"; return 1; }
	e=$(date +%s%N)
	python3 -c "import json,sys; d=json.load(open('$T/sb.json')); sys.exit(0 if d['ok'] and d['ran'] == 200 else 1)" ||
		{ echo "siteboot did not run 200 commands" >&2; return 1; }
	ms "$s" "$e"
}
loop_once() {
	local s e k n h p u
	s=$(date +%s%N)
	for k in $(seq 1 50); do
		while read -r n h p u; do
			ssh "${SSHO[@]}" -p "$p" "$u@$h" "$(cmd_of $k)" >/dev/null || return 1
		done < "$T/hosts"
	done
	e=$(date +%s%N)
	ms "$s" "$e"
}
cm_once() {
	local s e
	rm -f "$T"/cm-*
	s=$(date +%s%N)
	while read -r n h p u; do
		(
			cp="$T/cm-$n"
			ssh "${SSHO[@]}" -p "$p" -o ControlMaster=yes -o ControlPath="$cp" -o ControlPersist=60 -f -N "$u@$h" || exit 1
			for k in $(seq 1 50); do
				ssh "${SSHO[@]}" -p "$p" -o ControlPath="$cp" "$u@$h" "$(cmd_of $k)" >/dev/null || exit 1
			done
		) &
	done < "$T/hosts"
	wait
	e=$(date +%s%N)
	while read -r n h p u; do ssh -o ControlPath="$T/cm-$n" -O exit "$u@$h" 2>/dev/null; done < "$T/hosts"
	ms "$s" "$e"
}
ansible_once() {
	local s e
	s=$(date +%s%N)
	ANSIBLE_CONFIG=$T/ansible.cfg ansible-playbook -i "$T/inventory" "$T/play.yaml" > "$T/ansible.out" 2>&1 ||
		{ tail -5 "$T/ansible.out" >&2; return 1; }
	e=$(date +%s%N)
	grep -Eq "ok=50 +changed=50|changed=50" "$T/ansible.out" || { echo "ansible did not run 50 tasks per host" >&2; return 1; }
	ms "$s" "$e"
}

sb=$(for i in $(seq 1 "$RUNS"); do sb_once || exit 1; done | median) || exit 1
cm=$(for i in $(seq 1 "$RUNS"); do cm_once || exit 1; done | median) || exit 1
an=$(ansible_once) || exit 1
lp=$(loop_once) || exit 1
sbs=$(awk "BEGIN {printf \"%.2f\", $sb / 1000}")
echo "200 commands over 4 lab hosts (siteboot and ControlMaster: median of $RUNS runs; loop and Ansible: 1 run)"
printf '  %-44s %8.2f s\n' "siteboot run --parallel 4" "$sbs" \
	"(a) ssh host cmd, one connection each" "$(awk "BEGIN {print $lp / 1000}")" \
	"(b) ssh ControlMaster, 4 hosts in parallel" "$(awk "BEGIN {print $cm / 1000}")" \
	"(c) ansible-playbook, forks=4, pipelining" "$(awk "BEGIN {print $an / 1000}")"
awk -v sb="$sb" -v lp="$lp" -v cm="$cm" -v an="$an" 'BEGIN {
	printf "  ratio (a)/siteboot  %6.1fx  (target >= 10x)  %s\n", lp / sb, (lp / sb >= 10) ? "met" : "MISSED"
	printf "  ratio (c)/siteboot  %6.1fx  (target >= 3x)   %s\n", an / sb, (an / sb >= 3) ? "met" : "MISSED"
	printf "  ratio siteboot/(b)  %6.2fx  (target <= 1.2x) %s\n", sb / cm, (sb / cm <= 1.2) ? "met" : "MISSED"
}'
