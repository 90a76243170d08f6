# The edge checklist as it ships, start to end, on a virtual edge site
# (ipmi_sim BMCs, sshd hosts that are each a copy-on-write view of this
# machine, stand-ins for Proxmox VE, Ceph and Besu): the run ends done;
# the Besu query node's install ran for real over SSH (the exact commands
# its stand-ins saw, files on that host only); the ledger verifies and has
# a signed checkpoint; the CycloneDX export is valid; a re-run does nothing
# again; and a Besu release the catalog does not list stops the run before
# any upload. What `make demo` shows, asserted.
. "$(dirname "$0")/lib.sh"
command -v dmidecode >/dev/null || skip "no dmidecode (make deps)"
. "$TOP/tests/lab/appliance_setup.sh"
sb_test_site
"$SITEBOOT" bom show "$SITE" --json >"$T/bom.json"
python3 "$TOP/tests/integ/recipes_setup.py" "$T/bom.json" "$ST" "$TOP/tests/data/inband/mksmbios.py" ||
	{ fail "setting up the stand-ins' state"; exit 1; }
chmod -R a+rwX "$ST"
RUN=(run edge --site "$SITE" -i "$KEY" --attest all="Test Technician")

sb "${RUN[@]}"; expect_rc 0 "the edge checklist runs start to end on the lab"
[ "$rc" -eq 0 ] || { grep -E "FAILED|failed|stopped" "$T/out" | tail -12 | sed 's/^/#   /'; }

# the Besu query node (edge-n01): what its stand-ins were asked, in order
grep -E '^(besu|systemctl|java|apt-get) ' "$ST/edge-n01/calls" >"$T/besu.calls"
printf '%s\n' "java -version" "java -version" \
	"apt-get update -o Dir::Etc::sourcelist=sources.list.d/siteboot-java.list -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0" \
	"apt-get install -y --no-install-recommends openjdk-17-jre-headless" \
	"besu --data-path=/var/lib/besu public-key export --to=/var/lib/besu/key.pub" \
	"systemctl daemon-reload" "systemctl is-active --quiet besu" "systemctl enable --now besu" \
	>"$T/besu.want"
if cmp -s "$T/besu.want" "$T/besu.calls"; then pass "edge-n01: the exact Besu command sequence"; else
	fail "edge-n01: Besu command sequence"; diff "$T/besu.want" "$T/besu.calls" | sed 's/^/#   /'; fi
for n in edge-n02 edge-n03; do
	grep -qE '^(besu|systemctl) ' "$ST/$n/calls" && fail "$n has no Besu role but was asked Besu commands" ||
		pass "$n (no Besu role) was asked no Besu command"
done
ls "$LAB"/ssh/edge-n01/fs/_opt/up/besu/bin/besu >/dev/null 2>&1 &&
	[ -s "$LAB/ssh/edge-n01/fs/_var_lib/up/besu/key" ] && [ ! -e /opt/besu/bin/besu ] &&
	pass "Besu and its key are on edge-n01 only, not on this machine" || fail "where Besu landed"

# the ledger: intact, with the checkpoint the checklist signed at its end
sb inventory verify; expect_rc 0 "the ledger verifies after the run"
[ "$(sqlite3 "$SITEBOOT_DB" "SELECT count(*) FROM checkpoints")" -ge 1 ] &&
	pass "the checklist signed a checkpoint" || fail "no checkpoint"
# the CycloneDX export of the site, with the in-band inventory
if python3 -c "import jsonschema" 2>/dev/null; then
	sb inventory export --format cyclonedx --bom "$SITE"; expect_rc 0 "CycloneDX export"
	cp "$T/out" "$T/site.cdx.json"
	python3 "$TOP/tests/integ/cdx_validate.py" "$SHARED/schemas/cyclonedx-1.6" "$T/site.cdx.json" >"$T/val" 2>&1 &&
		pass "it validates against the CycloneDX 1.6 schema" || fail "CycloneDX schema: $(head -3 "$T/val")"
fi

# a re-run (a new run: the last one finished) changes nothing: the steps'
# checks find them done; only read-only checks and the in-band collection
# ask the hosts anything
cp "$ST/edge-n01/calls" "$T/calls.before"
sb "${RUN[@]}"; expect_rc 0 "a re-run of the finished checklist"
expect_in "$T/out" "already" "its checks find the steps done"
tail -n +"$(($(wc -l <"$T/calls.before") + 1))" "$ST/edge-n01/calls" >"$T/calls.again"
if grep -E 'create|pvecm add|install|enable|public-key export|osd create|init ' "$T/calls.again"; then
	fail "the re-run changed something on edge-n01"; else pass "the re-run asked edge-n01 no changing command"; fi

# a Besu release the catalog does not list: the run stops before the upload
printf 'not besu' >>"$SITEBOOT_IMAGES/besu.tar.gz"
sb run edge --site "$SITE" -i "$KEY" --attest all="Test Technician" --new --from besu-release-verified
expect_rc 1 "a run with a changed Besu release fails"
expect_in "$T/out" "besu-release-verified" "at the catalog check"
grep -q "besu-upload start" "$T/out" && fail "the release was uploaded anyway" ||
	pass "nothing was uploaded"
