# siteboot run over SSH on the lab's four hosts (real OpenSSH sshd): a
# checklist runs to the end; SIGKILL at random points 20 times and every
# step still runs exactly once; a step timeout kills the remote command; a
# changed host key stops that host; a host whose sshd dies mid-step fails
# alone.
. "$(dirname "$0")/lib.sh"
D=$TOP/tests/data/run
LAB=$T/lab
command -v /usr/sbin/sshd >/dev/null || skip "no sshd (make deps installs openssh-server)"
"$SITEBOOT" lab up --site "$D/site4.yaml" --dir "$LAB" >"$T/labout" 2>"$T/laberr" ||
	skip "lab up failed: $(cat "$T/laberr")"
on_exit "'$SITEBOOT' lab down --dir '$LAB'"
SITE=$LAB/site.yaml
KEY=$LAB/ssh/id_ed25519
export SITEBOOT_OPERATOR="test-tech"
# the hosts write here (the same file system: loopback hosts)
H=$T/hosts
mkdir -p "$H"
chmod 711 "$T"
chmod 1777 "$H"

cat > "$T/append.yaml" <<YAML
schema_version: 1
name: append-once
steps:
  - id: s1
    hosts: all
    run: {ssh: "echo s1 >> $H/{{node.name}}; sleep 0.1"}
    check: {ssh: "grep -qx s1 $H/{{node.name}}"}
  - id: s2
    hosts: {roles: [proxmox]}
    needs: [s1]
    run: {ssh: "echo s2 >> $H/{{node.name}}"}
    check: {ssh: "grep -qx s2 $H/{{node.name}}"}
  - id: gather
    hosts: site
    needs: [s2]
    run: {local: "echo gathered >> $H/site"}
    check: {local: "grep -qx gathered $H/site"}
  - id: s3
    hosts: all
    needs: [gather]
    run: {ssh: "sleep 0.2; echo s3 >> $H/{{node.name}}"}
    check: {ssh: "grep -qx s3 $H/{{node.name}}"}
  - id: s4
    hosts: {nodes: ["rn0[1-3]"]}
    needs: [s3]
    run: {ssh: "echo s4 >> $H/{{node.name}}; sleep 0.1"}
    check: {ssh: "grep -qx s4 $H/{{node.name}}"}
  - id: s5
    hosts: all
    needs: [s3]
    run: {ssh: "echo s5 >> $H/{{node.name}}"}
    check: {ssh: "grep -qx s5 $H/{{node.name}}"}
YAML

# as root each lab host is its own machine: what a recipe writes under /opt
# or /etc stays on that host (docs/lab.md)
if [ "$(id -u)" = 0 ] && grep -q '"user": "root"' "$LAB/lab.json"; then
	mark=sbtest-$$-$RANDOM
	cat > "$T/iso.yaml" <<YAML
schema_version: 1
name: isolation
steps:
  - id: write
    hosts: {nodes: [rn01]}
    run: {ssh: "mkdir -p /opt/$mark && useradd --system $mark && id -u $mark"}
  - id: look
    hosts: all
    needs: [write]
    run: {ssh: "if [ -e /opt/$mark ]; then echo {{node.name}} sees >> $H/iso; fi; getent passwd $mark >> $H/iso; true"}
YAML
	sb run "$T/iso.yaml" --site "$SITE" -i "$KEY"
	expect_rc 0 "a root recipe step writes /opt and /etc/passwd on one host"
	[ "$(grep -c sees "$H/iso")" = 1 ] && grep -q "rn01 sees" "$H/iso" &&
		[ "$(grep -c "^$mark:" "$H/iso")" = 1 ] &&
		pass "only that host sees its /opt directory and its new user" ||
		{ fail "lab hosts are not isolated"; cat "$H/iso"; }
	[ ! -e "/opt/$mark" ] && ! getent passwd "$mark" >/dev/null &&
		pass "this machine's /opt and /etc/passwd are untouched" ||
		fail "the lab host wrote to this machine"
fi

# kill at random points, 20 times, then let it finish
kills=0
for i in $(seq 1 20); do
	"$SITEBOOT" run "$T/append.yaml" --site "$SITE" -i "$KEY" --parallel 4 >"$T/kill$i.out" 2>&1 &
	pid=$!
	track "$pid"
	sleep "0.$(( (RANDOM % 9) + 1 ))$(( RANDOM % 10 ))"
	kill -9 "$pid" 2>/dev/null && kills=$((kills + 1))
	wait "$pid" 2>/dev/null
done
pass "siteboot run killed with SIGKILL $kills times (20 attempts)"
sb run "$T/append.yaml" --site "$SITE" -i "$KEY" --parallel 4
expect_rc 0 "the run finishes after the kills"
grep -q "resumed" "$T/out" && pass "the last invocation resumed the same run" || pass "the run had already finished before the last kill"
ok=1
for n in rn01 rn02 rn03 rn04; do
	want="s1 s2 s3 s5"
	[ "$n" != rn04 ] && want="s1 s2 s3 s4 s5"
	for s in $want; do
		c=$(grep -cx "$s" "$H/$n" 2>/dev/null || true)
		[ "$c" = 1 ] || { ok=0; echo "# $n: $s ran $c times"; }
	done
	[ "$(wc -l < "$H/$n")" -eq "$(echo $want | wc -w)" ] || { ok=0; echo "# $n: $(wc -l < "$H/$n") lines"; }
done
[ "$(grep -cx gathered "$H/site")" = 1 ] || { ok=0; echo "# site: gathered $(grep -cx gathered "$H/site") times"; }
[ $ok = 1 ] && pass "every step ran exactly once on every host" || fail "a step ran twice or never"
sb runs list --json
# one run, or more when a run had finished before a kill came (a new run
# then finds every step done by its check); every one ends ok
expect_json "len(doc['runs']) >= 1 and all(r['state'] == 'ok' for r in doc['runs'])" "every run the invocations made finished ok"
n=$(sqlite3 "$T/inventory.db" "select count(*) from ssh_host_keys")
[ "$n" = 4 ] && pass "four host keys pinned on first use" || fail "$n host keys pinned"
python3 - "$LAB" "$T/inventory.db" <<'PY' && pass "the pinned keys are the lab hosts' keys" || fail "pinned keys differ from lab status"
import json, sqlite3, sys
lab = json.load(open(sys.argv[1] + "/lab.json"))
pins = dict(sqlite3.connect(sys.argv[2]).execute("select node, fingerprint from ssh_host_keys"))
sys.exit(0 if all(pins.get(h["node"]) == h["host_key"] for h in lab["hosts"]) else 1)
PY

# the same checklist again: nothing runs twice, every check passes
sb run "$T/append.yaml" --site "$SITE" -i "$KEY" --json
expect_rc 0 "a second run"
expect_json "doc['ran'] == 0 and doc['already_done'] == 20" "every step found done by its check"

# a step timeout kills the remote command
cat > "$T/slow.yaml" <<YAML
schema_version: 1
name: slow
steps:
  - id: sleepy
    hosts: all
    run: {ssh: "sleep 60 & echo \$! > $H/sleep-{{node.name}}; wait"}
    timeout: 2s
    idempotent: true
YAML
sb run "$T/slow.yaml" --site "$SITE" -i "$KEY" --hosts rn01
expect_rc 1 "a step over its timeout fails"
expect_in "$T/out" "did not finish within 2 s and was killed" "the timeout is named"
sleep 0.5
st=$(ps -o stat= -p "$(cat "$H/sleep-rn01")" 2>/dev/null | tr -d ' ')
if [ -z "$st" ] || [ "${st#Z}" != "$st" ]; then pass "the remote command was killed"; else
	fail "the remote sleep survived the timeout (state $st)"; fi

# a changed host key stops that host, naming both fingerprints
old=$(python3 -c "import json; print([h['host_key'] for h in json.load(open('$LAB/lab.json'))['hosts'] if h['node']=='rn03'][0])")
rm -f "$LAB/ssh/rn03/ssh_host_ed25519_key" "$LAB/ssh/rn03/ssh_host_ed25519_key.pub"
ssh-keygen -q -t ed25519 -N '' -f "$LAB/ssh/rn03/ssh_host_ed25519_key"
new=$(ssh-keygen -lf "$LAB/ssh/rn03/ssh_host_ed25519_key.pub" | awk '{print $2}')
cat > "$T/hello.yaml" <<YAML
schema_version: 1
name: hello
steps:
  - id: hello
    hosts: all
    run: {ssh: "echo hello {{node.name}}"}
    idempotent: true
YAML
sb run "$T/hello.yaml" --site "$SITE" -i "$KEY"
expect_rc 1 "a run with a changed host key fails"
expect_in "$T/out" "rn03 (127.0.3.3:" "the host is named"
expect_in "$T/out" "HOST KEY CHANGED: pinned $old, now offered $new" "both fingerprints are shown"
expect_in "$T/out" "runs forget-key rn03" "with the fix"
grep -E "^  rn0[124] +ok" "$T/out" | wc -l | grep -qx 3 && pass "the other hosts finished" ||
	{ fail "other hosts did not finish"; tail -8 "$T/out" | sed 's/^/#   /'; }
sb runs forget-key rn03
expect_rc 0 "forget the old key"
sb run "$T/hello.yaml" --site "$SITE" -i "$KEY"
expect_rc 0 "the next run pins the new key and finishes"
[ "$(sqlite3 "$T/inventory.db" "select fingerprint from ssh_host_keys where node='rn03'")" = "$new" ] &&
	pass "the new key is pinned" || fail "the new key is not pinned"

# a host whose sshd dies mid-step fails alone, with a clear error
cat > "$T/long.yaml" <<YAML
schema_version: 1
name: long
steps:
  - id: long
    hosts: all
    run: {ssh: "ps -o ppid= -p \$PPID > $H/session-{{node.name}}; sleep 10"}
    idempotent: true
YAML
"$SITEBOOT" run "$T/long.yaml" --site "$SITE" -i "$KEY" >"$T/long.out" 2>&1 &
rpid=$!
track "$rpid"
# wait until the command runs on rn02; it wrote the pid of its sshd
# session process (the parent of timeout(1), which runs it)
for _ in $(seq 1 200); do [ -s "$H/session-rn02" ] && break; sleep 0.1; done
sshd=$(python3 -c "import json; print([p['pid'] for p in json.load(open('$LAB/lab.json'))['procs'] if p['node']=='rn02' and p['kind']=='sshd'][0])")
# the chain from there up to the listener: the session's processes
chain=""
p=$(tr -d ' ' < "$H/session-rn02")
while [ -n "$p" ] && [ "$p" != "$sshd" ] && [ "$p" -gt 1 ]; do
	chain="$chain $p"
	p=$(ps -o ppid= -p "$p" | tr -d ' ')
done
[ "$p" = "$sshd" ] && pass "found rn02's session under its sshd:$chain" || fail "rn02's session is not under its sshd ($chain)"
kill -9 "$sshd" $chain
wait "$rpid"
rc=$?
[ $rc -eq 1 ] && pass "the run exits 1 (exit $rc)" || fail "the run exited $rc"
grep -E "^  rn02 +FAILED +0/1 +long +rn02 \(127.0.3.2:[0-9]+\): connection lost" "$T/long.out" >/dev/null &&
	pass "rn02 failed with 'connection lost'" || { fail "rn02's error"; cat "$T/long.out" | sed 's/^/#   /' | tail -8; }
grep -E "^  rn0[134] +ok +1/1" "$T/long.out" | wc -l | grep -qx 3 && pass "the other three hosts finished" ||
	fail "the other hosts did not finish"
