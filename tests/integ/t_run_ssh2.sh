# More of the ssh executor on the lab: SFTP upload with its SHA-256 checked
# on the host, waiting for a host that comes back (wait-for-ssh with
# back-off), and the terminal: the live view and an attest confirmed by
# typing a name.
. "$(dirname "$0")/lib.sh"
D=$TOP/tests/data/run
LAB=$T/lab
command -v /usr/sbin/sshd >/dev/null || skip "no sshd (make deps installs openssh-server)"
"$SITEBOOT" lab up --site "$D/site4.yaml" --dir "$LAB" >"$T/labout" 2>"$T/laberr" ||
	skip "lab up failed: $(cat "$T/laberr")"
on_exit "'$SITEBOOT' lab down --dir '$LAB'"
SITE=$LAB/site.yaml
KEY=$LAB/ssh/id_ed25519
H=$T/hosts
mkdir -p "$H"
chmod 711 "$T"
chmod 1777 "$H"
head -c 300000 /dev/urandom > "$T/payload"
chmod 644 "$T/payload"

cat > "$T/up.yaml" <<YAML
schema_version: 1
name: upload
steps:
  - id: up
    hosts: all
    run: {ssh: {upload: {from: "$T/payload", to: "$H/payload-{{node.name}}", mode: "0640"}}}
    check: {ssh: "cmp -s $T/payload $H/payload-{{node.name}}"}
YAML
sb run "$T/up.yaml" --site "$SITE" -i "$KEY" --json
expect_rc 0 "upload to 4 hosts"
ok=1
for n in rn01 rn02 rn03 rn04; do
	cmp -s "$T/payload" "$H/payload-$n" || ok=0
	[ "$(stat -c %a "$H/payload-$n")" = 640 ] || ok=0
done
[ $ok = 1 ] && pass "every host has the same bytes, mode 0640" || fail "an upload differs"
grep -q "sha256 verified on rn01" "$T"/runs/*/rn01/up.log && pass "the SHA-256 was checked on the host" ||
	fail "no SHA-256 check in the log"
ls "$H" | grep -q siteboot-upload && fail "a temporary upload file was left behind" || pass "no temporary file left"

# wait-for-ssh: rn01's sshd is down when the run starts and comes back
sshd=$(python3 -c "import json; print([p['pid'] for p in json.load(open('$LAB/lab.json'))['procs'] if p['node']=='rn01'][0])")
kill "$sshd"
for _ in $(seq 1 50); do kill -0 "$sshd" 2>/dev/null || break; sleep 0.1; done
cat > "$T/wait.yaml" <<YAML
schema_version: 1
name: wait
steps:
  - id: back
    hosts: {nodes: [rn01]}
    run: {ssh: {wait: 60s}}
    idempotent: true
  - id: after
    hosts: {nodes: [rn01]}
    needs: [back]
    run: {ssh: "echo after-reboot > $H/after"}
    idempotent: true
YAML
"$SITEBOOT" run "$T/wait.yaml" --site "$SITE" -i "$KEY" >"$T/wait.out" 2>&1 &
rpid=$!
track "$rpid"
sleep 3
/usr/sbin/sshd -D -e -f "$LAB/ssh/rn01/sshd_config" 2>>"$T/sshd-again.log" &
track $!
wait "$rpid"
rc=$?
[ $rc -eq 0 ] && pass "the run waited for rn01 to come back (exit 0)" || { fail "the wait run exited $rc"; tail -5 "$T/wait.out" | sed 's/^/#   /'; }
[ "$(cat "$H/after" 2>/dev/null)" = after-reboot ] && pass "and ran the next step on it" || fail "the next step did not run"
grep -q "answers over SSH after [2-9][0-9]* attempts\|answers over SSH after [0-9][0-9]* attempts" "$T"/runs/*/rn01/back.log &&
	pass "the wait log shows several attempts with back-off" || fail "no retry attempts in the wait log"

# on a terminal: the live view, and an attest confirmed by typing a name
command -v script >/dev/null || skip "no script(1) for a terminal"
cat > "$T/att.yaml" <<YAML
schema_version: 1
name: attest-tty
steps:
  - id: confirm
    hosts: site
    run: {attest: "Network links in place at {{site.name}}"}
  - id: touch
    hosts: all
    needs: [confirm]
    run: {ssh: "echo {{node.name}} >> $H/tty-{{node.name}}"}
    check: {ssh: "test -s $H/tty-{{node.name}}"}
YAML
printf 'Kwame Boateng\n' | SITEBOOT_DB=$T/inventory.db script -qec \
	"'$SITEBOOT' run '$T/att.yaml' --site '$SITE' -i '$KEY'" /dev/null > "$T/tty.out" 2>&1
rc=$?
[ $rc -eq 0 ] && pass "the run on a terminal finished (exit 0)" || { fail "the terminal run exited $rc"; tail -5 "$T/tty.out" | sed 's/^/#   /'; }
expect_in "$T/tty.out" "Type your name to confirm" "the terminal asks for a name"
expect_in "$T/tty.out" "Network links in place at Run test site" "showing the step's text"
grep -aq "rn04 .*done.*4/4\|rn04 *done" "$T/tty.out" && pass "the live view shows the hosts" ||
	{ grep -aq "rn04" "$T/tty.out" && pass "the live view names the hosts" || fail "no live view"; }
sqlite3 "$T/inventory.db" "select payload from ledger where kind = 'attestation.given'" > "$T/att"
expect_in "$T/att" '"confirmed_by":"Kwame Boateng"' "the typed name is in the ledger"
expect_in "$T/att" '"via":"terminal"' "confirmed on the terminal"
