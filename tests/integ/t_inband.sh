# siteboot inband parse|drives on real tools' output: the live lsblk and ip
# of this machine, real dmidecode decoding an SMBIOS table with the example
# BOM's values, and the samples of tests/data/inband.
. "$(dirname "$0")/lib.sh"
D=$TOP/tests/data/inband
BOM=$TOP/bom/examples/edge-accra.yaml

# live output of the real tools on this machine
lsblk -J -b -o NAME,SERIAL,WWN,MODEL,SIZE,TYPE,TRAN >"$T/lsblk.json" 2>/dev/null &&
	{ sb inband parse --lsblk "$T/lsblk.json" --json; expect_rc 0 "this machine's live lsblk -J -b parses";
	  expect_json 'all(c["source"] == "ssh-lsblk" for c in doc["components"])' "its drives come from ssh-lsblk"; }
ip -d -j link >"$T/ip.json" 2>/dev/null &&
	{ sb inband parse --ip "$T/ip.json" --json; expect_rc 0 "this machine's live ip -d -j link parses";
	  expect_json 'all(c["class"] == "nic" and ":" in c["durable_id"] for c in doc["components"])' "NICs with MACs"; }

# real dmidecode on a table with edge-n01's values
if command -v dmidecode >/dev/null; then
	python3 "$D/mksmbios.py" "$T/n01.bin" "$D/edge-n01.smbios.json"
	dmidecode --from-dump "$T/n01.bin" -t system -t baseboard -t memory >"$T/dmi.txt" 2>"$T/dmierr"
	sb inband parse --dmidecode "$T/dmi.txt" --node edge-n01 --json
	expect_rc 0 "dmidecode $(dmidecode --version) output parses"
	expect_json 'doc["chassis_serial"] == "GX643DL" and sum(c["class"] == "memory" for c in doc["components"]) == 4' "chassis serial and 4 DIMMs (2 empty slots left out)"
	expect_json '[c["serial"] for c in doc["components"] if c["class"] == "memory"] == ["E873A000", "0C6D07EF", "7B77E90D", "3593AD69"]' "DIMM serials as the BOM lists them"
	grep -v '^Reading SMBIOS' "$T/dmi.txt" >"$T/a"; grep -v '^Reading SMBIOS' "$D/edge-n01.dmidecode.txt" >"$T/b"
	cmp -s "$T/a" "$T/b" && pass "the kept sample is what dmidecode prints today" || fail "tests/data/inband/edge-n01.dmidecode.txt differs from dmidecode's output"
else
	echo "# dmidecode is not installed (make deps): the live dmidecode check is not run"
fi

# all three samples at once
sb inband parse --node edge-n01 --dmidecode "$D/edge-n01.dmidecode.txt" --lsblk "$D/edge-n01.lsblk.json" --ip "$D/edge-n01.ip-link.json" --json
expect_rc 0 "the three samples parse together"
expect_json '[c["durable_id"] for c in doc["components"] if c["class"] == "nic"] == ["b4:96:91:4a:18:90", "b4:96:91:4a:18:91"]' "two NICs, not the bridge"
expect_json 'sum(c["class"] == "drive" for c in doc["components"]) == 4' "four drives, not the zvol or the CD"

# BOM drives to device paths
sb inband drives --site "$BOM" --node edge-n01 --lsblk "$D/edge-n01.lsblk.json" --use ceph-osd
expect_rc 0 "edge-n01's OSD drives are all there"
[ "$(cat "$T/out")" = "$(printf '/dev/nvme0n1\n/dev/nvme1n1')" ] && pass "in BOM order, by serial: nvme0n1 then nvme1n1" || fail "paths: $(tr '\n' ' ' <"$T/out")"
sb inband drives --site "$BOM" --node edge-n01 --lsblk "$D/edge-n01.lsblk.json" --json
expect_json 'doc["found"] == 4 and doc["missing"] == 0' "every drive of the node, boot drives too"
sb inband drives --site "$BOM" --node edge-n02 --lsblk "$D/edge-n01.lsblk.json" --use ceph-osd
expect_rc 1 "another node's drives are not on this host"
expect_in "$T/err" "no drive with serial S6CKNE0T652998" "names the missing serial"
expect_in "$T/err" "nvme0n1=S6CKNE0T987302" "and what lsblk saw"
sb inband drives --site "$BOM" --node edge-n09 --lsblk "$D/edge-n01.lsblk.json"; expect_rc 2 "an unknown node"
printf '{"blockdevices": [' >"$T/cut.json"
sb inband parse --lsblk "$T/cut.json"; expect_rc 2 "cut-short lsblk output is bad input"
expect_in "$T/err" "cut.json" "names the file"
sb inband parse; expect_rc 2 "nothing to parse"

# recorded in the inventory: observations with evidence, once
R=(inband parse --node edge-n01 --dmidecode "$D/edge-n01.dmidecode.txt" --lsblk "$D/edge-n01.lsblk.json" --ip "$D/edge-n01.ip-link.json" --record)
sb "${R[@]}"; expect_rc 0 "--record"
expect_in "$T/out" "recorded for edge-n01: 12 components (12 new)" "12 components recorded"
sb "${R[@]}"; expect_rc 0 "--record again"
expect_in "$T/out" "recorded before" "the same report is not recorded twice"
sb inventory history S6CKNE0T987302; expect_rc 0 "the OSD drive has a history"
expect_in "$T/out" "ssh-lsblk" "observed by ssh-lsblk"
expect_in "$T/out" "edge-n01/nvme0n1" "placed at edge-n01/nvme0n1"
sb inband parse --lsblk "$D/edge-n01.lsblk.json" --record; expect_rc 2 "--record without --node"
