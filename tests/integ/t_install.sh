# make install into a DESTDIR: the binary, the man page, the completion,
# the examples and the tier profiles, and an installed siteboot that works
# without the source tree.
. "$(dirname "$0")/lib.sh"
[ -x "$TOP/siteboot" ] || skip "./siteboot is not built"
D=$T/root
if env -u MAKEFLAGS -u MAKELEVEL make -s -C "$TOP" install DESTDIR="$D" PREFIX=/usr >"$T/out" 2>"$T/err"; then
	pass "make install DESTDIR=... PREFIX=/usr"
else
	fail "make install failed"; cat "$T/err"
fi
for f in bin/siteboot share/man/man1/siteboot.1 share/bash-completion/completions/siteboot \
	share/siteboot/examples/edge-accra.yaml share/siteboot/tiers/core.yaml \
	share/doc/siteboot/bom.md share/siteboot/redfish/public-tower/index.json \
	share/siteboot/redfish/LICENSE.md; do
	[ -e "$D/usr/$f" ] && pass "installed $f" || fail "missing $f"
done
[ "$(stat -c %a "$D/usr/bin/siteboot")" = 755 ] && pass "binary mode 0755" || fail "binary mode"
# the installed binary runs from elsewhere, with no source tree around it
cd "$T"
"$D/usr/bin/siteboot" bom check "$D/usr/share/siteboot/examples/core-johannesburg.yaml" >"$T/out" 2>&1
rc=$?; expect_rc 0 "installed siteboot validates an installed example"
man -l "$D/usr/share/man/man1/siteboot.1" >"$T/man" 2>/dev/null || MANWIDTH=80 groff -man -Tutf8 "$D/usr/share/man/man1/siteboot.1" >"$T/man" 2>/dev/null
expect_in "$T/man" "siteboot bom" "the man page has a section for 'bom'"
# the installed Redfish emulator serves the installed mockup (what the lab uses)
if command -v curl >/dev/null; then
	printf 'inst-Pw1\n' > "$T/pw"
	"$D/usr/bin/siteboot" lab-redfish-bmc --listen 127.0.0.1:0 --user admin --password-file "$T/pw" \
		--mockup "$D/usr/share/siteboot/redfish/public-tower" --state-dir "$T/rf" >"$T/rf.log" 2>&1 &
	track $!
	wait_for test -s "$T/rf/listen"
	code=$(curl -s -o /dev/null -w '%{http_code}' -u admin:inst-Pw1 "http://$(cat "$T/rf/listen" 2>/dev/null)/redfish/v1/Systems")
	[ "$code" = 200 ] && pass "the installed emulator serves the installed mockup" || { fail "installed emulator: $code"; cat "$T/rf.log"; }
fi
