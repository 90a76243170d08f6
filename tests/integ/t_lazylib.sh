#!/usr/bin/env bash
# The heavy libraries are loaded on first use (common/lazylib.c): the binary
# does not link them, the inventory and BOM commands never map them (the
# dynamic linker's own LD_DEBUG=files trace says which objects a process
# opened), `-v --version` loads and lists them all, and a library that is
# broken or lacks a function is one line on stderr and exit 2. That the
# commands which use them still work is what t_ipmi, t_redfish, t_run_ssh,
# t_vm_hosts, t_image_serve and t_answer_iso check.
. "$(dirname "$0")/lib.sh"
[ -x /usr/bin/python3 ] && export PATH=/usr/bin:$PATH
command -v cc >/dev/null || skip "no C compiler for the stand-in library"
G="python3 $TOP/tests/integ/invgen.py"
HEAVY="libvirt.so libcurl libssh.so libfreeipmi libmicrohttpd libarchive libssl.so"

# ---- the link line ----------------------------------------------------------
ldd "$SITEBOOT" > "$T/ldd"
for l in $HEAVY; do
	expect_not_in "$T/ldd" "$l" "siteboot is not linked against $l"
done

# ---- the light commands map none of them -------------------------------------
# traced(NAME, ARGS...): run siteboot under LD_DEBUG=files, the trace in $T/ld.NAME.*
traced() {
	local name=$1; shift
	rm -f "$T/ld.$name".*
	LD_DEBUG=files LD_DEBUG_OUTPUT="$T/ld.$name" "$SITEBOOT" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	cat "$T/ld.$name".* > "$T/trace.$name" 2>/dev/null || : > "$T/trace.$name"
}
no_heavy() {
	local name=$1 l
	if [ ! -s "$T/trace.$name" ]; then fail "$name: no LD_DEBUG trace"; return; fi
	for l in $HEAVY; do
		if grep -q "file=$l" "$T/trace.$name"; then
			fail "$name maps $l"; grep "file=$l" "$T/trace.$name" | head -2 | sed 's/^/#   /'
			return
		fi
	done
	pass "$name maps none of the heavy libraries"
}

$G --nodes 4 --site s1 --bom > "$T/bom.yaml"
$G --nodes 4 --site s1 --time 2026-12-01T10:00:00Z > "$T/day1.json"

traced version --version
expect_rc 0 "--version"
no_heavy version
traced bom-check bom check "$T/bom.yaml"
expect_rc 0 "bom check"
no_heavy bom-check
traced import inventory import "$T/day1.json" --operator ama
expect_rc 0 "inventory import"
no_heavy import
traced verify inventory verify
expect_rc 0 "inventory verify"
no_heavy verify
traced show inventory show --json
expect_rc 0 "inventory show"
no_heavy show
traced reconcile reconcile --site "$T/bom.yaml"
expect_rc 0 "reconcile"
no_heavy reconcile
traced export inventory export --format cyclonedx
expect_rc 0 "inventory export"
no_heavy export

# ---- -v --version loads each one: the trace sees them -------------------------
traced libs -v --version
expect_rc 0 "-v --version: every library loads"
for l in $HEAVY; do
	grep -q "file=$l" "$T/trace.libs" &&
		pass "-v --version maps $l" || fail "-v --version did not map $l"
done
grep -q "file=libvirt.so.*dynamically loaded by" "$T/trace.libs" &&
	pass "libvirt comes in by dlopen" || fail "libvirt did not come in by dlopen"
expect_in "$T/out" "libcurl" "-v --version lists libcurl"
expect_in "$T/out" "libfreeipmi" "and libfreeipmi"

# ---- a broken or incomplete library: one line, exit 2 --------------------------
# Stand-ins found first through LD_LIBRARY_PATH: an empty file, and a real
# shared object with the right SONAME but none of curl's functions.
soname=$(sed -n 's/^  \(libcurl[^ ]*\) .*/\1/p' "$T/out" | head -1)
[ -n "$soname" ] || soname=libcurl.so.4
mkdir -p "$T/empty" "$T/hollow"
: > "$T/empty/$soname"
echo 'int sb_hollow(void) { return 0; }' > "$T/hollow.c"
cc -shared -fPIC -Wl,-soname,"$soname" -o "$T/hollow/$soname" "$T/hollow.c"
export SITEBOOT_BMC_USER=admin SITEBOOT_BMC_PASSWORD=not-a-real-secret
for d in empty hollow; do
	LD_LIBRARY_PATH=$T/$d sb power status --bmc https://127.0.0.1:9/ --timeout 2 --json
	expect_rc 2 "$d $soname: a Redfish command refuses"
	[ "$(wc -l < "$T/err")" -eq 1 ] && pass "$d: one line on stderr" ||
		{ fail "$d: $(wc -l < "$T/err") lines on stderr"; sed 's/^/#   /' "$T/err"; }
	expect_in "$T/err" "siteboot: error: " "$d: an error line"
	expect_in "$T/err" "$soname" "$d: names $soname"
	expect_in "$T/err" "install the Debian package libcurl" "$d: names the package"
	expect_not_in "$T/err" "not-a-real-secret" "$d: no password in the message"
done
expect_in "$T/err" "has no function curl_" "the hollow library: names the missing function"
LD_LIBRARY_PATH=$T/empty sb -v --version
expect_rc 2 "-v --version with a broken libcurl exits 2"
expect_in "$T/out" "MISSING" "and marks it MISSING"

# the commands that do not use libcurl do not notice
LD_LIBRARY_PATH=$T/empty sb inventory verify
expect_rc 0 "inventory verify runs with a broken libcurl"
