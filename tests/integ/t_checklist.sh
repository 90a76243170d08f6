# siteboot checklist check and plan: the format, positions, cycles and
# template variables that have no value, all refused before anything runs.
. "$(dirname "$0")/lib.sh"
D=$TOP/tests/data/run
SITE=$D/site4.yaml

for t in core regional edge; do
	sb checklist check "$t"; expect_rc 0 "built-in $t checklist is valid"
	sb checklist check "$TOP/bootstrap/checklists/$t.yaml"; expect_rc 0 "bootstrap/checklists/$t.yaml is valid"
done
sb checklist check "$D/local.yaml" --json
expect_rc 0 "local.yaml is valid"
expect_json "doc['files'][0]['order'][:3] == ['pre', 'greet', 'record']" "check --json gives the run order"

sb checklist check "$D/cycle.yaml"
expect_rc 2 "a cycle is refused"
expect_in "$T/err" "cycle.yaml:4:5: error: steps depend on each other in a cycle: a -> c -> b -> a" "the cycle is named with its position"

sb checklist check "$D/badvar.yaml"
expect_rc 2 "an unknown variable is refused by check"
expect_in "$T/err" "badvar.yaml:6:16: error: unknown variable 'node.mgmt_ipp'" "unknown variable named with FILE:LINE:COL"
expect_in "$T/err" "did you mean 'mgmt_ip'?" "with a did-you-mean hint"

sb plan "$D/badvar.yaml" --site "$SITE"
expect_rc 2 "plan refuses an unknown variable"
sb run "$D/badvar.yaml" --site "$SITE"
expect_rc 2 "run refuses an unknown variable before running anything"
expect_not_in "$T/out" "start" "nothing started"
[ ! -e "$T/inventory.db" ] && pass "no run was recorded" || fail "a run was recorded for an invalid checklist"

sb plan "$D/nodata.yaml" --site "$SITE"
expect_rc 2 "plan fails when a variable has no value for a host"
expect_in "$T/err" "nodata.yaml:8:16: error: step 'a' on rn01: 'node.data_ip' has no value for rn01" "the missing value is named per host, at plan time"

sb plan "$D/local.yaml" --site "$SITE"
expect_rc 0 "plan of local.yaml"
expect_in "$T/out" "local: echo hello-test-run4" "plan renders the templates"
expect_in "$T/out" "nothing was run" "plan says it ran nothing"

sb plan edge --site "$SITE" --hosts rn0[2-3] --json
expect_rc 0 "plan of the built-in edge checklist for two hosts"
expect_json "[h['host'] for h in doc['hosts']] == ['site', 'rn02', 'rn03']" "plan --hosts keeps the site and the chosen nodes"

sb plan edge --site "$SITE" --only nosuch
expect_rc 2 "--only with an unknown step is bad usage"
expect_in "$T/err" "has no such step" "and says so"

sb plan edgy --site "$SITE"
expect_rc 2 "an unknown tier"
expect_in "$T/err" "did you mean 'edge'?" "suggests the tier"
