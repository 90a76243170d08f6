# siteboot image answer-iso: the Proxmox VE answer media, checked with
# tools that are not ours: xorriso reads the ISO back, blkid reads its
# label as udev will, Python's tomllib parses the answer.toml.
. "$(dirname "$0")/lib.sh"
BOM=$TOP/bom/examples/edge-accra.yaml
command -v xorriso >/dev/null || skip "xorriso is not installed (make deps)"
(umask 077; printf '%s\n' '$6$Fz2vU0hS$Wq0b2YpSxIu8mE4F9xK1tQyZc3r5J7nLh6aP0dGvVwX.sT2oR8eB1uC4iM9kH7jN3fD5gA6yZ0qL' >"$T/hash")
ssh-keygen -q -t ed25519 -N '' -C siteboot@appliance -f "$T/key"
A=(image answer-iso --site "$BOM" --root-password-hash "$T/hash" --ssh-key "$T/key.pub")

sb "${A[@]}" --node edge-n01 -o "$T/n01.iso"; expect_rc 0 "answer ISO for edge-n01"
expect_in "$T/out" "label PROXMOX-AIS" "says what it wrote"
[ "$(stat -c %a "$T/n01.iso")" = 600 ] && pass "the ISO is private (it holds the password hash)" || fail "ISO mode $(stat -c %a "$T/n01.iso")"
xorriso -indev "$T/n01.iso" -pvd_info >"$T/pvd" 2>&1
expect_in "$T/pvd" "Volume Id    : PROXMOX_AIS" "xorriso: ISO 9660 volume id (d-characters)"
label=$(blkid -p -o value -s LABEL "$T/n01.iso" 2>/dev/null)
[ "$label" = "PROXMOX-AIS" ] && pass "blkid (as udev) reads the label PROXMOX-AIS from Joliet" || fail "blkid label '$label'"
xorriso -osirrox on -indev "$T/n01.iso" -extract /answer.toml "$T/answer.toml" >/dev/null 2>&1
[ -s "$T/answer.toml" ] && pass "xorriso extracts /answer.toml" || fail "no /answer.toml in the ISO"
python3 - "$T/answer.toml" "$T/key.pub" "$T/hash" >"$T/py" 2>&1 <<'PY'
import sys, tomllib
d = tomllib.load(open(sys.argv[1], "rb"))
key = open(sys.argv[2]).read().strip()
hsh = open(sys.argv[3]).read().strip()
g, n, k = d["global"], d["network"], d["disk-setup"]
checks = [
    (set(d) == {"global", "network", "disk-setup"}, "sections"),
    (g["fqdn"] == "edge-n01.acc-edge-01.lan", "fqdn"),
    (g["country"] == "gh" and g["timezone"] == "Africa/Accra", "country, timezone"),
    (g["mailto"] == "ops-acc@sankofa.example", "mailto"),
    (g["root_password_hashed"] == hsh and "root_password" not in g, "hash"),
    (g["root_ssh_keys"] == [key], "ssh key"),
    (n == {"source": "from-answer", "cidr": "10.20.1.11/24", "dns": "10.20.1.2",
           "gateway": "10.20.1.1", "filter": {"ID_NET_NAME_MAC": "*b496914a1890"}}, "network"),
    (k["filesystem"] == "zfs" and k["zfs"] == {"raid": "raid1"}, "zfs raid1"),
    (k["filter"] == {"ID_SERIAL_SHORT": "PHYF5767403480BGN", "ID_SERIAL": "*_PHYF9377905480BGN"}
     and k["filter_match"] == "any", "disks by serial"),
]
bad = [w for ok, w in checks if not ok]
print("bad:", bad) if bad else print("all")
sys.exit(1 if bad else 0)
PY
[ $? -eq 0 ] && pass "tomllib reads the answer.toml back: every value as the BOM says" || { fail "answer.toml content"; cat "$T/py"; }

# --print hides the hash; the ISO has it
sb "${A[@]}" --node edge-n02 --print; expect_rc 0 "--print"
expect_in "$T/out" 'root_password_hashed = "<secret>"' "--print hides the password hash"
expect_not_in "$T/out" '$6$Fz2vU0hS' "the hash is not on standard output"
expect_not_in "$T/err" '$6$Fz2vU0hS' "nor on standard error"
expect_in "$T/out" 'cidr = "10.20.1.12/24"' "edge-n02's own address"

# refusals
chmod 644 "$T/hash"
sb "${A[@]}" --node edge-n01 -o "$T/x.iso"; expect_rc 2 "a password hash file others can read"
expect_in "$T/err" "chmod" "says how to fix it"
chmod 600 "$T/hash"
[ ! -e "$T/x.iso" ] && pass "nothing written on refusal" || fail "an ISO was written anyway"
sb "${A[@]}" --node edge-n01 -o "$T/x.iso" --keyboard klingon; expect_rc 2 "a keyboard layout the installer does not know"
expect_in "$T/err" "keyboard" "names the key"
sb image answer-iso --site "$BOM" --root-password-hash "$T/hash" --ssh-key "$T/key" --node edge-n01 --print
expect_rc 2 "a private key given as --ssh-key"
sb "${A[@]}" --node edge-n09 --print; expect_rc 2 "an unknown node"
sb "${A[@]}" --node edge-n01; expect_rc 2 "neither --output nor --print"
sb image answer-isso; expect_rc 2 "a misspelt verb"
expect_in "$T/err" "did you mean 'answer-iso'" "suggests the verb"
