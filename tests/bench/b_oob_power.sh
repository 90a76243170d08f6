# Power status across 100 simulated IPMI BMCs (the lab's ipmi_sim, each on
# its own loopback address): siteboot versus a shell loop of ipmitool
# -C 3 and versus FreeIPMI's ipmipower -D LAN_2_0, in the same run; then
# with 10 of the 100 dead (nothing listening), where siteboot should take
# at most one timeout longer. Targets (issue 3): no slower than ipmipower,
# at least 10x faster than the ipmitool loop. Medians of $SB_BENCH_RUNS.
set -u
: "${SITEBOOT:?}"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/bench/bench_lib.sh"
. "$TOP/tests/integ/oob_lib.sh"
for t in ipmi_sim ipmitool ipmipower; do
	command -v $t >/dev/null || { echo "skipped: $t is not installed"; exit 0; }
done
"$SITEBOOT" help lab >/dev/null 2>&1 || { echo "skipped: this siteboot has no 'lab' command"; exit 0; }
N=${SB_BENCH_BMCS:-100} RUNS=${SB_BENCH_RUNS:-5}
T=$(mktemp -d)
trap '"$SITEBOOT" lab down --dir "$T/lab" >/dev/null 2>&1; rm -rf "$T"' EXIT
oob_gen_bom "$N" > "$T/site.yaml"
oob_lab_up "$T/site.yaml" "$T/lab" || { echo "lab up failed:"; cat "$T/lab/lab-up.err" "$T/err" 2>/dev/null; exit 1; }
PW=$(oob_lab_password "$LAB_CREDS")
"$SITEBOOT" bom show "$LAB_SITE" --json | python3 -c "
import json, sys
for n in json.load(sys.stdin)['nodes']:
    print(n['bmc'].split('://', 1)[1].split('@')[-1])" > "$T/hostports"
[ "$(wc -l < "$T/hostports")" -eq "$N" ] || { echo "expected $N BMCs"; exit 1; }

ipmitool_loop() {
	local hp
	while read -r hp; do
		ipmitool -I lanplus -C 3 -H "${hp%:*}" -p "${hp##*:}" -U "$LAB_USER" -P "$PW" chassis power status
	done < "$T/hostports"
}
hosts=$(paste -sd, "$T/hostports")
ipmipower_all() {
	ipmipower -D LAN_2_0 -W opensesspriv -h "$hosts" -u "$LAB_USER" -p "$PW" --stat
}
sb_all() {
	"$SITEBOOT" power status --all --site "$LAB_SITE" --credentials "$LAB_CREDS" --json "$@"
}
# correctness first: every tool sees every BMC
sb_all --quirks ipmi_sim > "$T/sb.json" 2>/dev/null
ok=$(python3 -c "import json,sys; print(sum(o['ok'] for o in json.load(open(sys.argv[1]))))" "$T/sb.json")
ipmipower_all 2>/dev/null | grep -cE ': (on|off)$' > "$T/ipp.count"
echo "answers: siteboot $ok/$N, ipmipower $(cat "$T/ipp.count")/$N"

t_sb=$(median_ms sb_all --quirks ipmi_sim)
t_sbd=$(median_ms sb_all)
t_ipp=$(median_ms ipmipower_all)
RUNS_SAVED=$RUNS; RUNS=1
t_loop=$(median_ms ipmitool_loop)
RUNS=$RUNS_SAVED
echo "power status x $N BMCs (median of $RUNS; ipmitool loop: 1 run):"
echo "  siteboot --quirks ipmi_sim     ${t_sb} ms"
echo "  siteboot (quirks detected)     ${t_sbd} ms"
echo "  ipmipower -D LAN_2_0           ${t_ipp} ms"
echo "  ipmitool -C 3 loop             ${t_loop} ms"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/(b ? b : 1)}'; }
echo "ratio ipmitool-loop/siteboot: $(ratio "$t_loop" "$t_sb")  (target >= 10)"
echo "ratio ipmipower/siteboot: $(ratio "$t_ipp" "$t_sb")  (target >= 1)"

# 10 of the 100 dead: 90 lab BMCs plus 10 loopback addresses where nothing
# listens, --timeout 1s
head -n $((N - 10)) "$T/hostports" | sed 's|^|ipmi://|' > "$T/live"
args=()
while read -r u; do args+=(--bmc "$u"); done < "$T/live"
for i in $(seq 1 10); do args+=(--bmc "ipmi://127.253.9.$i"); done
sb_mixed() {
	"$SITEBOOT" power status "${args[@]}" --credential lab --credentials "$LAB_CREDS" \
		--quirks ipmi_sim --timeout 1s --retries 1 --json
}
sb_live() {
	"$SITEBOOT" power status "${args[@]:0:$((2 * (N - 10)))}" --credential lab \
		--credentials "$LAB_CREDS" --quirks ipmi_sim --timeout 1s --retries 1 --json
}
sb_mixed > "$T/mixed.json" 2>/dev/null
python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
print('with 10 dead: %d ok, %d failed (%s), slowest dead %d ms' % (sum(o['ok'] for o in d),
      sum(not o['ok'] for o in d), ','.join(sorted(set(o.get('error_code', '') for o in d if not o['ok']))),
      max(o['elapsed_ms'] for o in d if not o['ok'])))" "$T/mixed.json"
t_live=$(median_ms sb_live)
t_mixed=$(median_ms sb_mixed)
echo "  siteboot, 90 live:             ${t_live} ms"
echo "  siteboot, 90 live + 10 dead:   ${t_mixed} ms (one timeout: 1000 ms; the driver's bound per dead BMC: about 1.5 s)"
echo "ratio (mixed - live)/timeout: $(ratio $((t_mixed - t_live)) 1000)  (target <= 1 timeout; see the slowest dead above)"
