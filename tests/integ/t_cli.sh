# Every command in the table has a summary, usage, an example, --help, and
# a section in the man page: the rule "every command has usage text, a man
# page section and an example", checked for commands added later too.
. "$(dirname "$0")/lib.sh"
sb help; expect_rc 0 "siteboot help"
cmds=$(awk '/^  [a-z]/ {print $1}' "$T/out")
[ -n "$cmds" ] && pass "help lists commands" || fail "help lists no commands"
for c in $cmds; do
	sb help "$c"
	if [ "$rc" -eq 0 ] && grep -q '^Usage:' "$T/out" && grep -q '^Example:' "$T/out"; then
		pass "help $c: usage and example"
	else
		fail "help $c lacks usage or an example"
	fi
	if grep -qF ".SS \"siteboot $c\"" "$TOP/docs/siteboot.1"; then
		pass "man page has a section for $c"
	else
		fail "docs/siteboot.1 has no section for $c (run make man)"
	fi
	"$SITEBOOT" "$c" --help >/dev/null 2>&1 && pass "$c --help" || fail "$c --help fails"
done
# the completion offers every command
sb completion bash
for c in $cmds; do expect_in "$T/out" "$c" "completion knows $c"; done
