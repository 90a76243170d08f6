# Peak memory of one fan-out over 1000 BMC targets (dead loopback ports:
# 1000 simulators do not fit on this machine), measured with
# /usr/bin/time -v. Target: max RSS under 64 MB. Peer in the same run:
# FreeIPMI's ipmipower over the same 1000 dead hosts.
set -u
: "${SITEBOOT:?}"
[ -x /usr/bin/time ] || { echo "skipped: /usr/bin/time (package time) is not installed"; exit 0; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export SITEBOOT_BMC_USER=admin SITEBOOT_BMC_PASSWORD=bench-not-a-secret
# 1000 loopback addresses 127.253.[1-4].[1-250], port 623, where nothing
# listens (checked): every target fails; their results, threads and
# sessions are what costs
busy=$(ss -Hunl | awk '{print $4}' | grep -cE '^(127\.253\.|0\.0\.0\.0:623$|\*:623$)')
[ "$busy" -eq 0 ] || { echo "skipped: something listens on 127.253.x.x or *:623"; exit 0; }
TARGETS='ipmi://127.253.[1-4].[1-250]' 
rss() { awk '/Maximum resident set size/ {print $NF}' "$1"; }
for par in 64 1000; do
	/usr/bin/time -v "$SITEBOOT" power status --bmc "$TARGETS" \
		--timeout 1s --retries 0 --parallel $par --json >"$T/out" 2>"$T/time.$par"
	n=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(len(d), sum(not o['ok'] for o in d))" "$T/out")
	kb=$(rss "$T/time.$par")
	wall=$(awk '/Elapsed \(wall clock\)/ {print $NF}' "$T/time.$par")
	echo "siteboot power status, 1000 dead targets, --parallel $par: max RSS $((kb / 1024)) MB ($kb KB), wall $wall, results/failed: $n"
	eval "sb_kb_$par=$kb"
done
hosts=$(for a in 1 2 3 4; do for b in $(seq 1 250); do printf '127.253.%d.%d,' "$a" "$b"; done; done)
/usr/bin/time -v ipmipower -D LAN_2_0 -h "${hosts%,}" -u admin -p bench-not-a-secret \
	--session-timeout=1000 --stat >/dev/null 2>"$T/time.ipmipower"
pk=$(rss "$T/time.ipmipower")
echo "ipmipower --stat over the same 1000 dead hosts: max RSS $((pk / 1024)) MB ($pk KB)"
echo "ratio siteboot(--parallel 64)/ipmipower RSS: $(awk -v a="$sb_kb_64" -v b="$pk" 'BEGIN{printf "%.2f", a/b}')"
echo "ratio siteboot(--parallel 1000)/ipmipower RSS: $(awk -v a="$sb_kb_1000" -v b="$pk" 'BEGIN{printf "%.2f", a/b}')"
worst=$sb_kb_64; [ "$sb_kb_1000" -gt "$worst" ] && worst=$sb_kb_1000
if [ "$worst" -lt $((64 * 1024)) ]; then echo "target max RSS < 64 MB: met ($((worst / 1024)) MB)"
else echo "target max RSS < 64 MB: MISSED ($((worst / 1024)) MB)"; fi
