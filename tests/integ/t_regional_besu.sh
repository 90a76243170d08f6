# The regional checklist's Besu part on the read replicas, which are the
# BOM's VMs (vms: under the Proxmox nodes): on a virtual regional site the
# steps from the catalog check of the Besu release to the health check run
# for real over SSH on the three VM hosts (each its own copy-on-write view
# of this machine) with the stand-ins for java, apt-get, besu and systemctl;
# each replica asks exactly the commands of the recipe, joins as a
# non-validator (its address not among the genesis validators, the core's
# bootnodes its static nodes and in its permissions allowlist), and a
# re-run changes nothing.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/lab/appliance_setup.sh"
sb_test_site "$TOP/bom/examples/regional-lagos.yaml"
RUN=(run regional --site "$SITE" -i "$KEY" --attest all="Test Technician"
	--from besu-release-verified --hosts "reg-rr0[1-3]")

sb "${RUN[@]}"; expect_rc 0 "the Besu steps run on the three read-replica VMs"
[ "$rc" -eq 0 ] || grep -E "FAILED|failed" "$T/out" | tail -8 | sed 's/^/#   /'
printf '%s\n' "java -version" "java -version" \
	"apt-get update -o Dir::Etc::sourcelist=sources.list.d/siteboot-java.list -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0" \
	"apt-get install -y --no-install-recommends openjdk-17-jre-headless" \
	"besu --data-path=/var/lib/besu public-key export --to=/var/lib/besu/key.pub" \
	"systemctl daemon-reload" "systemctl is-active --quiet besu" "systemctl enable --now besu" >"$T/want"
boot=$(cat "$SITEBOOT_ETC/besu/bootnodes.txt")
for n in reg-rr01 reg-rr02 reg-rr03; do
	if cmp -s "$T/want" "$ST/$n/calls"; then pass "$n: the exact Besu command sequence"; else
		fail "$n: Besu command sequence"; diff "$T/want" "$ST/$n/calls" | sed 's/^/#   /'; fi
	fs=$LAB/ssh/$n/fs
	pub=$(cat "$fs/_var_lib/up/besu/key.pub" 2>/dev/null)
	addr=$("$SITEBOOT" besu address --pubkey "$pub" 2>/dev/null | tr A-F a-f)
	python3 - "$fs/_etc/up/besu" "$boot" "$addr" "$SITEBOOT_ETC/besu/validators.txt" >"$T/py" 2>&1 <<'PY'
import json, sys, tomllib
d, boot, addr, vals = sys.argv[1:5]
c = tomllib.load(open(d + "/config.toml", "rb"))
p = tomllib.load(open(d + "/permissions_config.toml", "rb"))
s = json.load(open(d + "/static-nodes.json"))
v = [l.strip().lower() for l in open(vals) if l.strip()]
ok = [addr.startswith("0x") and addr not in v, s == [boot], boot in p["nodes-allowlist"],
      c["bootnodes"] == [boot], c["genesis-file"] == "/etc/besu/genesis.json"]
print(ok)
sys.exit(0 if all(ok) else 1)
PY
	[ $? -eq 0 ] && pass "$n joins as a non-validator (own key, bootnodes as static nodes and allowed)" ||
		{ fail "$n as a non-validator"; cat "$T/py" | sed 's/^/#   /'; }
done
[ ! -e /opt/besu ] && pass "nothing landed on this machine's /opt" || fail "/opt/besu on this machine"

for n in reg-rr01 reg-rr02 reg-rr03; do cp "$ST/$n/calls" "$T/$n.before"; done
sb "${RUN[@]}"; expect_rc 0 "a re-run"
changed=0
for n in reg-rr01 reg-rr02 reg-rr03; do
	tail -n +"$(($(wc -l <"$T/$n.before") + 1))" "$ST/$n/calls" | grep -E 'install|enable|public-key' && changed=1
done
[ $changed = 0 ] && pass "the re-run asked no replica to change anything" || fail "the re-run changed a replica"
