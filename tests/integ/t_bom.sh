# siteboot bom check|show, the command layer, and bad input end to end.
. "$(dirname "$0")/lib.sh"
EX=$TOP/bom/examples
DATA=$TOP/tests/data/bom

for f in "$EX"/*.yaml; do
	sb bom check "$f"; expect_rc 0 "example $(basename "$f") is valid"
done

sb bom check "$EX"/*.yaml --json
expect_rc 0 "bom check --json over all examples"
expect_json "doc['ok'] is True and len(doc['files']) == 3" "check --json: one entry per file"

sb bom show "$EX/edge-accra.yaml" --json
expect_rc 0 "bom show --json"
expect_json "doc['site']['tier'] == 'edge' and len(doc['nodes']) == 3" "show --json: site and nodes"
expect_json "any(t['part_number'] == '370-AHCL' and t['quantity'] == 12 and t['nodes'] == 3 for t in doc['totals'])" \
	"show --json: totals count 12 DIMMs over 3 nodes"

sb bom show "$EX/core-johannesburg.yaml"
expect_rc 0 "bom show (text)"
expect_in "$T/out" "Totals per part number" "show prints procurement totals"

# every bad file exits 2 with its first expected line on stderr
for f in "$DATA"/bad/*.yaml; do
	sb bom check "$f"
	expect_rc 2 "bad $(basename "$f") is refused"
	first=$(head -n 1 "${f%.yaml}.expect" | sed "s#^#$DATA/bad/#")
	expect_in "$T/err" "$first" "bad $(basename "$f"): message names the place"
done

# bad input of every kind: exit 2, the file named, bounded time and memory
printf '' > "$T/empty.yaml"
head -c 4096 /dev/urandom > "$T/binary.yaml"
printf 'site:\n  name: caf\xe9\n' > "$T/latin1.yaml"
python3 -c "print('a: ' + '[' * 5000 + ']' * 5000)" > "$T/deep.yaml"
python3 - "$T/bomb.yaml" <<'PY'
import sys
lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
for i in range(1, 10):
    lines.append('a%d: &a%d [%s]' % (i, i, ','.join(['*a%d' % (i - 1)] * 9)))
open(sys.argv[1], 'w').write('\n'.join(lines) + '\n')
PY
printf -- '- one\n- two\n' > "$T/list.yaml"
python3 -c "print('# padding\n' * 1100000)" > "$T/huge.yaml"
mkdir "$T/dir.yaml"
for f in empty binary latin1 deep bomb list huge dir missing; do
	start=$(date +%s%N)
	# bounded memory: 1 GiB of address space (sanitizers reserve more)
	( [ "${SB_SANITIZE:-}" = 1 ] || ulimit -v 1048576
	  "$SITEBOOT" bom check "$T/$f.yaml" >"$T/out" 2>"$T/err" ); rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	expect_rc 2 "bad input '$f' exits 2"
	expect_in "$T/err" "$T/$f.yaml" "bad input '$f' names the file"
	if [ $ms -lt 5000 ]; then pass "bad input '$f' handled in ${ms} ms"; else fail "bad input '$f' took ${ms} ms"; fi
	if grep -q 'AddressSanitizer\|runtime error' "$T/err"; then fail "bad input '$f' crashed"; fi
done
expect_in "$T/err" "cannot open" "a missing file says it cannot be opened"

# the command layer
sb --version; expect_rc 0 "--version"; expect_in "$T/out" "siteboot " "--version prints the name"
sb; expect_rc 2 "no command is a usage error"
sb frobnicate; expect_rc 2 "unknown command"
sb bmo check x; expect_rc 2 "misspelt command"; expect_in "$T/err" "did you mean 'bom'" "misspelt command gets a suggestion"
sb bom chek x; expect_rc 2 "misspelt verb"; expect_in "$T/err" "did you mean 'check'" "misspelt verb gets a suggestion"
sb bom show "$EX/edge-accra.yaml" --jsno; expect_rc 2 "misspelt option"; expect_in "$T/err" "did you mean" "misspelt option gets a suggestion"
sb help bom; expect_rc 0 "help bom"; expect_in "$T/out" "Example:" "help shows an example"
sb bom --help; expect_rc 0 "bom --help"; expect_in "$T/out" "siteboot bom check FILE" "command help shows usage"
sb completion bash; expect_rc 0 "completion bash"
bash -c "source '$T/out' && complete -p siteboot" >/dev/null 2>&1 && pass "completion script loads in bash" || fail "completion script does not load"

# a closed stdout is a write error, not silence
if "$SITEBOOT" bom show "$EX/core-johannesburg.yaml" > /dev/full 2>"$T/err"; then
	fail "writing to a full device should fail"
else
	expect_in "$T/err" "cannot write" "a failed write to stdout is reported"
fi
