# siteboot image verify and write: the catalog verdicts, the ledger events,
# the write with its read-back, and the refusals, on plain files and (as
# root) on loop devices.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
command -v sqlite3 >/dev/null || skip "sqlite3 is missing (make deps)"
ledger() { sqlite3 "$SITEBOOT_DB" "SELECT kind || ' ' || payload FROM ledger ORDER BY seq" 2>/dev/null; }

# Images: random bytes, so no checksum here is known in advance.
head -c 3000000 /dev/urandom > proxmox-ve_8.2-2.iso
head -c 700000 /dev/urandom > debian-12.iso
sha_pve=$(sha256sum proxmox-ve_8.2-2.iso | cut -d' ' -f1)
sha_deb=$(sha256sum debian-12.iso | cut -d' ' -f1)
cat > catalog.yaml <<YAML
catalog: 1
images:
  - name: proxmox-ve
    version: "8.2-2"
    filename: proxmox-ve_8.2-2.iso
    size: 3000000
    sha256: $sha_pve
  - name: debian
    version: "12.11.0"
    filename: debian-12.iso
    sha256: $sha_deb
YAML

# --- verify -----------------------------------------------------------------
sb image verify proxmox-ve_8.2-2.iso --catalog catalog.yaml
expect_rc 0 "verify: a good image"
expect_in "$T/out" "ok: proxmox-ve 8.2-2, sha256 $sha_pve" "verify names the entry and the sha256"
ledger > led; expect_in led "image.verified" "verify records image.verified in the ledger"
expect_in led "\"sha256\":\"$sha_pve\"" "the ledger event carries the image's sha256"

mkdir corrupt; cp proxmox-ve_8.2-2.iso corrupt/
printf 'Z' | dd of=corrupt/proxmox-ve_8.2-2.iso bs=1 seek=123456 conv=notrunc 2>/dev/null
sb image verify corrupt/proxmox-ve_8.2-2.iso --catalog catalog.yaml
expect_rc 1 "verify: one flipped byte is caught"
expect_in "$T/out" "CORRUPTED" "verify says CORRUPTED"
ledger > led; expect_in led "image.rejected" "a rejected image is recorded as image.rejected"

mkdir short; head -c 2999999 proxmox-ve_8.2-2.iso > short/proxmox-ve_8.2-2.iso
sb --json image verify short/proxmox-ve_8.2-2.iso --catalog catalog.yaml
expect_rc 1 "verify: a truncated download is caught"
expect_json "doc['images'][0]['verdict'] == 'corrupted' and doc['images'][0]['size'] == 2999999" \
	"a truncated download is corrupted"

mkdir swapped; cp debian-12.iso swapped/proxmox-ve_8.2-2.iso
sb image verify swapped/proxmox-ve_8.2-2.iso --catalog catalog.yaml
expect_rc 1 "verify: a swapped download (another image under the name) is caught"
expect_in "$T/out" "WRONG IMAGE: named as proxmox-ve 8.2-2, but its bytes are debian 12.11.0" \
	"verify names what the swapped file really is"

head -c 4096 /dev/urandom > mystery.iso
sb --json image verify mystery.iso --catalog catalog.yaml
expect_rc 1 "verify: an image the catalog does not know"
expect_json "doc['ok'] is False and doc['images'][0]['verdict'] == 'unknown' and doc['images'][0]['entry'] is None" \
	"an unknown image is 'unknown', with no entry"

cp debian-12.iso renamed-download.iso
sb --json image verify renamed-download.iso --catalog catalog.yaml
expect_rc 0 "verify: a renamed download is recognised by its bytes"
expect_json "doc['images'][0]['entry']['name'] == 'debian' and doc['images'][0].get('renamed') is True and doc['images'][0]['ledger_seq'] > 0" \
	"the renamed image names its entry and its ledger event"

# --entry NAME: any listed version of NAME; NAME@VERSION: that one
head -c 5000 /dev/urandom > rel-2.tgz; head -c 5000 /dev/urandom > rel-1.tgz
{ cat catalog.yaml; for v in 1 2; do printf '  - name: rel\n    version: "%s"\n    filename: rel-%s.tgz\n    sha256: %s\n' \
	$v $v "$(sha256sum rel-$v.tgz | cut -c1-64)"; done; } > cat2.yaml
cp rel-2.tgz rel.tgz
sb image verify rel.tgz --catalog cat2.yaml --entry rel
expect_rc 0 "verify --entry NAME: the bytes of a listed version of NAME are ok"
expect_in "$T/out" "ok: rel 2" "and it says which version"
sb image verify rel.tgz --catalog cat2.yaml --entry rel@1
expect_rc 1 "verify --entry NAME@VERSION: another version is not ok"
sb image verify debian-12.iso --catalog cat2.yaml --entry rel
expect_rc 1 "verify --entry NAME: another image's bytes are not ok"
expect_in "$T/out" "WRONG IMAGE" "and are called a wrong image"

sb image verify mystery.iso --catalog catalog.yaml --entry proxmox-ve@9.0-1
expect_rc 2 "verify: --entry naming no catalog entry is bad input"
expect_in "$T/err" "no entry 'proxmox-ve@9.0-1'" "the error names the missing entry"
sb image verify mystery.iso --catalog catalog.yaml --entry proxmoxve
expect_rc 2 "verify: a misspelt --entry"
expect_in "$T/err" "did you mean 'proxmox-ve'" "a misspelt entry gets a hint"
sb image verify swapped/proxmox-ve_8.2-2.iso --catalog catalog.yaml --entry debian
expect_rc 0 "verify: --entry checks against the named entry whatever the file is called"

sb image verify proxmox-ve_8.2-2.iso --sha256 "$(echo "$sha_pve" | tr a-f A-F)" --no-record
expect_rc 0 "verify --sha256: upper-case hex matches"
sb image verify proxmox-ve_8.2-2.iso --sha256 "$sha_deb"
expect_rc 1 "verify --sha256: a different checksum"
expect_in "$T/out" "MISMATCH" "verify --sha256 says MISMATCH"
sb image verify proxmox-ve_8.2-2.iso --sha256 1234
expect_rc 2 "verify --sha256: not a SHA-256"
sb image verify no-such.iso --catalog catalog.yaml
expect_rc 2 "verify: a missing image file"
expect_in "$T/err" "no-such.iso" "the error names the missing file"
n_before=$(ledger | wc -l)
sb image verify proxmox-ve_8.2-2.iso --catalog catalog.yaml --no-record
expect_rc 0 "verify --no-record"
[ "$(ledger | wc -l)" = "$n_before" ] && pass "--no-record leaves the ledger alone" || fail "--no-record wrote to the ledger"

# A catalog entry missing its checksum, a bad digest, an unknown key.
cat > broken.yaml <<'YAML'
catalog: 1
images:
  - name: proxmox-ve
    version: "8.2-2"
    filename: proxmox-ve_8.2-2.iso
  - name: debian
    version: "12"
    filename: d.iso
    sha256: 12345
    sizee: 10
YAML
sb image verify proxmox-ve_8.2-2.iso --catalog broken.yaml
expect_rc 2 "verify: a catalog with a missing sha256 is bad input"
expect_in "$T/err" "broken.yaml:3:5: error: image 'proxmox-ve' has no 'sha256'" "the missing field is named with its place"
expect_in "$T/err" "broken.yaml:9:13: error: sha256 of image 'debian' is not 64 hex digits" "a short digest is named with its place"
expect_in "$T/err" "did you mean 'size'" "an unknown catalog key gets a hint"
sb image verify proxmox-ve_8.2-2.iso --catalog missing.yaml
expect_rc 2 "verify: a missing catalog file"

# The catalog we ship loads, and lists real, published images.
sb --json image verify --list --catalog "$TOP/images/catalog.yaml"
expect_rc 0 "the shipped catalog loads"
expect_json "any(e['name'] == 'proxmox-ve' and e['version'].startswith('8.') for e in doc['images']) and any(e['name'] == 'debian' for e in doc['images'])" \
	"the shipped catalog lists Proxmox VE 8 and Debian 12"

# --- write onto plain files -------------------------------------------------
printf 'precious' > target.img
sb image write proxmox-ve_8.2-2.iso target.img
expect_rc 2 "write: a plain file is refused without --force"
expect_in "$T/err" "not a block device" "the refusal says why"
[ "$(cat target.img)" = precious ] && pass "the refused file is untouched" || fail "the refused file was changed"
sb image write proxmox-ve_8.2-2.iso new.img
expect_rc 2 "write: a path that does not exist is refused without --force"
[ ! -e new.img ] && pass "nothing was created" || fail "new.img was created"
sb image write proxmox-ve_8.2-2.iso target.img --force
expect_rc 0 "write --force onto a plain file"
expect_in "$T/out" "read it back: sha256 $sha_pve matches" "write reads back and compares"
cmp -s proxmox-ve_8.2-2.iso target.img && pass "the file holds the image" || fail "the file differs from the image"
ledger > led; expect_in led "image.written" "write records image.written in the ledger"
sb --json image write debian-12.iso new.img --force
expect_rc 0 "write --force creates a new plain file"
expect_json "doc['ok'] is True and doc['sha256'] == doc['readback_sha256'] == '$sha_deb' and doc['bytes'] == 700000" \
	"write --json: both checksums and the size"
sb image write missing.iso target.img --force
expect_rc 2 "write: a missing image"
sb image write proxmox-ve_8.2-2.iso
expect_rc 2 "write: the device is required"

# --- write onto loop devices (root) --------------------------------------------
loops=()
on_exit 'for l in "${loops[@]}"; do umount "$l" 2>/dev/null; losetup -d "$l"; done'
mkloop() { truncate -s "$2" "$1" && losetup -f --show "$1"; }
if [ "$(id -u)" != 0 ] || ! L=$(mkloop disk.img 8M 2>/dev/null); then
	echo "# loop devices: not permitted here (need root and losetup); the plain-file cases above ran"
	exit 0
fi
loops+=("$L")
sb image write proxmox-ve_8.2-2.iso "$L"
expect_rc 2 "write: a loop device (not removable) is refused without --force"
expect_in "$T/err" "is not a removable device" "the refusal says it is not removable"
sb image write proxmox-ve_8.2-2.iso "$L" --force
expect_rc 0 "write --force onto a loop device, read back with O_DIRECT"
cmp -s -n 3000000 proxmox-ve_8.2-2.iso "$L" && pass "the loop device holds the image" || fail "the loop device differs"
# mounted: refused even with --force, and nothing written
if command -v mkfs.ext4 >/dev/null && mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$L" 2>/dev/null && mkdir mnt && mount "$L" mnt 2>/dev/null; then
	echo keep > mnt/file; sync
	before=$(sha256sum "$L" | cut -d' ' -f1)
	sb image write debian-12.iso "$L" --force
	expect_rc 2 "write: a mounted device is refused even with --force"
	expect_in "$T/err" "is mounted" "the refusal says it is mounted"
	[ "$(sha256sum "$L" | cut -d' ' -f1)" = "$before" ] && pass "the mounted device is untouched" || fail "the mounted device was written"
	umount mnt
else
	echo "# mounted-device refusal: mkfs.ext4 or mount not permitted here"
fi
S=$(mkloop small.img 1M)
loops+=("$S")
sb image write proxmox-ve_8.2-2.iso "$S" --force
expect_rc 2 "write: a device smaller than the image is refused"
expect_in "$T/err" "use a larger stick" "the refusal says what to do"

# --- build: only the thin wrapper's own checks (make image-test builds for real)
sb image build --source "$T"
expect_rc 2 "build: a directory that is not a siteboot source tree"
expect_in "$T/err" "images/build.sh" "the error names the build script it looked for"
