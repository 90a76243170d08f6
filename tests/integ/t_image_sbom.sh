# images/sbom.py: the appliance's package list as CycloneDX 1.6, made here
# from this machine's own dpkg database (the build makes it from the
# appliance's root) and validated with Debian's python3-jsonschema against
# the CycloneDX 1.6 schema.
. "$(dirname "$0")/lib.sh"
schema=${SB_CDX_SCHEMA:-$SHARED/schemas/cyclonedx-1.6}
[ -f "$schema/bom-1.6.schema.json" ] || skip "no CycloneDX 1.6 schema at $schema (set SB_CDX_SCHEMA)"
/usr/bin/python3 -c 'import jsonschema' 2>/dev/null || skip "python3-jsonschema is missing (make deps)"
[ -f /etc/debian_version ] || skip "not a Debian system: no dpkg database to list"
py=/usr/bin/python3
SOURCE_DATE_EPOCH=1700000000 $py "$TOP/images/sbom.py" --root / --version 9.9.9 --kernel test --out "$T/a.cdx.json" >"$T/out" 2>"$T/err"
rc=$?; expect_rc 0 "sbom.py writes the package list of a Debian root"
$py "$TOP/images/sbom.py" --validate "$T/a.cdx.json" --schema "$schema" >"$T/out" 2>"$T/err"
rc=$?; expect_rc 0 "the package list is valid CycloneDX 1.6"
cp "$T/a.cdx.json" "$T/out"
expect_json "doc['specVersion'] == '1.6' and doc['metadata']['component']['type'] == 'operating-system' and doc['metadata']['timestamp'] == '2023-11-14T22:13:20Z'" \
	"the appliance is the operating-system component, dated by SOURCE_DATE_EPOCH"
n=$(dpkg-query -W -f='${db:Status-Abbrev}\n' | grep -c '^ii')
expect_json "sum(1 for c in doc['components'] if c['type'] == 'library') == $n" \
	"every installed package ($n) is a library component"
v=$(dpkg-query -W -f='${Version}' libc6)
expect_json "any(c['name'] == 'libc6' and c['version'] == '$v' and c['purl'].startswith('pkg:deb/debian/libc6@') for c in doc['components'])" \
	"libc6 carries its exact version ($v) and a package URL"
expect_json "any(c['type'] == 'operating-system' and c['name'] == 'debian' for c in doc['components'])" \
	"Debian itself is an operating-system component"
SOURCE_DATE_EPOCH=1700000000 $py "$TOP/images/sbom.py" --root / --version 9.9.9 --kernel test --out "$T/b.cdx.json" >/dev/null 2>&1
cmp -s "$T/a.cdx.json" "$T/b.cdx.json" && pass "two runs give the same bytes" || fail "the package list is not reproducible"
# the validator is a real check: a wrong component type fails it
$py - "$T/a.cdx.json" "$T/bad.cdx.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d["components"][0]["type"] = "libary"
json.dump(d, open(sys.argv[2], "w"))
PY
$py "$TOP/images/sbom.py" --validate "$T/bad.cdx.json" --schema "$schema" >"$T/out" 2>"$T/err"
rc=$?; expect_rc 1 "a document with a wrong component type fails validation"
expect_in "$T/err" "libary" "the validation error names the bad value"
