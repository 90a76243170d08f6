# The bmc executor on the lab's IPMI BMCs (OpenIPMI ipmi_sim): power off
# and on with read-back, the boot device, and both used as checks; the lab
# password never reaches the run's output, logs or database.
. "$(dirname "$0")/lib.sh"
command -v ipmi_sim >/dev/null || skip "no ipmi_sim (make deps installs openipmi)"
LAB=$T/lab
"$SITEBOOT" lab up --site "$TOP/bom/examples/edge-accra.yaml" --dir "$LAB" --no-ssh >"$T/labout" 2>"$T/laberr" ||
	skip "lab up failed: $(cat "$T/laberr")"
on_exit "'$SITEBOOT' lab down --dir '$LAB'"
SITE=$LAB/site.yaml
CREDS=$LAB/credentials.yaml

cat > "$T/bmc.yaml" <<YAML
schema_version: 1
name: bmc-steps
steps:
  - id: off
    hosts: all
    run: {bmc: {power: "off"}}
    verify: {bmc: {power: "off"}}
    timeout: 60s
  - id: pxe
    hosts: all
    needs: ["off"]
    run: {bmc: {boot: pxe}}
    check: {bmc: {boot: pxe}}
    timeout: 60s
  - id: "on"
    hosts: all
    needs: [pxe]
    run: {bmc: {power: "on"}}
    check: {bmc: {power: "on"}}
    timeout: 60s
YAML
sb checklist check "$T/bmc.yaml"
expect_rc 0 "a checklist of bmc steps is valid"
sb run "$T/bmc.yaml" --site "$SITE" --credentials "$CREDS" --json
expect_rc 0 "power off, boot pxe, power on over IPMI"
expect_json "doc['ok'] and doc['ran'] + doc['already_done'] == 9" "every step on the 3 nodes"
sb power status --all --site "$SITE" --credentials "$CREDS" --json
expect_in "$T/out" '"on"' "the BMCs report power on"
sb run "$T/bmc.yaml" --site "$SITE" --credentials "$CREDS" --new --only on --json
expect_rc 0 "a new run of 'on' alone"
expect_json "doc['already_done'] == 3 and doc['ran'] == 0" "its check finds the power on and does nothing"
sb run "$T/bmc.yaml" --site "$SITE" --json
expect_rc 1 "without credentials the bmc steps fail"
expect_in "$T/out" "credentials" "and say where credentials come from"
pw=$(python3 -c "import yaml,sys; print(yaml.safe_load(open(sys.argv[1]))['lab']['password'])" "$CREDS")
if grep -rqF -- "$pw" "$T/runs" "$T/out" "$T/err" || grep -qF -- "$pw" "$T/inventory.db"; then
	fail "the lab password leaked into a log, the output or the database"
else pass "the BMC password is nowhere in logs, output or database"; fi
