#!/usr/bin/env bash
# Build the siteboot appliance ISO from Debian 12 packages only.
#
#   images/build.sh [--source DIR] [--out DIR]
#
# The steps, in order (docs/appliance.md explains each choice):
#   1. `make install` of siteboot into a staging tree (PREFIX=/usr/local);
#   2. mmdebstrap: a Debian 12 root file system with live-boot, a kernel,
#      the runtime libraries siteboot links against and the tools a
#      technician and `siteboot lab` need; our overlay (images/rootfs/)
#      and the staging tree are copied in by a customize hook;
#   3. squashfs of that root (live/filesystem.squashfs) beside the kernel
#      and the live initramfs;
#   4. grub-mkrescue (GRUB for legacy BIOS and UEFI, driven through
#      xorriso) makes one hybrid ISO that boots from a DVD or raw from USB;
#   5. the package list with exact versions as a CycloneDX 1.6 document,
#      and the ISO's SHA-256 in a .sha256 file.
#
# SOURCE_DATE_EPOCH is honoured (default: the last commit's time), and
# passed to every tool that reads it (mmdebstrap, mksquashfs, xorriso).
# Environment: MIRROR, SECURITY_MIRROR, SB_CDX_SCHEMA (schema folder),
# SQUASHFS_COMP (default zstd).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/.." && pwd)
out=
reuse=0
while [ $# -gt 0 ]; do
	case "$1" in
	--source) src=$(cd "$2" && pwd); shift 2 ;;
	--out) out=$2; shift 2 ;;
	--reuse-rootfs) reuse=1; shift ;;	# development: keep work/rootfs (SB_KEEP_WORK=1)
	-h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "images/build.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
	esac
done
[ -f "$src/VERSION" ] && [ -f "$src/Makefile" ] || {
	echo "images/build.sh: $src is not a siteboot source tree (no VERSION or Makefile); pass --source DIR" >&2
	exit 2; }
images=$src/images
out=${out:-$images/out}
mkdir -p "$out"
out=$(cd "$out" && pwd)
[ "$(id -u)" = 0 ] || { echo "images/build.sh: must run as root (mmdebstrap --mode=root, loop-free squashfs)" >&2; exit 2; }
for t in mmdebstrap mksquashfs grub-mkrescue xorriso mformat python3; do
	command -v "$t" >/dev/null || {
		echo "images/build.sh: '$t' is missing: run 'make image-deps' (as root)" >&2; exit 2; }
done

version=$(cat "$src/VERSION")
name=siteboot-$version-amd64
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	SOURCE_DATE_EPOCH=$(git -C "$src" log -1 --format=%ct 2>/dev/null || stat -c %Y "$src/VERSION")
fi
export SOURCE_DATE_EPOCH
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${SECURITY_MIRROR:-http://deb.debian.org/debian-security}
SQUASHFS_COMP=${SQUASHFS_COMP:-zstd}
work=$out/work
t0=$(date +%s)
step() { printf '== [%4ss] %s\n' "$(( $(date +%s) - t0 ))" "$*"; }

step "siteboot $version, SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH ($(date -u -d "@$SOURCE_DATE_EPOCH" +%FT%TZ))"
if [ "$reuse" = 1 ] && [ -d "$work/rootfs/usr" ]; then
	rm -rf "$work/stage" "$work/iso"
else
	reuse=0
	rm -rf "$work"
fi
mkdir -p "$work/stage" "$work/iso/live" "$work/iso/boot/grub"

# 1. siteboot itself, exactly as `make install` installs it.
step "make install into the staging tree"
make -s -C "$src" siteboot >/dev/null
make -s -C "$src" install DESTDIR="$work/stage" >/dev/null

# The Debian packages that hold the libraries the binary links against.
libpkgs=$(ldd "$work/stage/usr/local/bin/siteboot" | awk '$3 ~ /^\// {print $3}' |
	while read -r lib; do
		real=$(readlink -f "$lib")
		for p in "$lib" "$real" "${lib#/usr}" "${real#/usr}" "/usr$lib" "/usr$real"; do
			dpkg-query -S "$p" 2>/dev/null && break
		done
	done | cut -d: -f1 | sort -u | tr '\n' ' ')
# and the packages of the libraries it loads on first use (dlopen, so ldd
# does not see them): `siteboot -v --version` lists them with their package
lazypkgs=$("$work/stage/usr/local/bin/siteboot" -v --version |
	awk '/^  lib/ {print $2}' | sort -u | tr '\n' ' ')
[ -n "$lazypkgs" ] || { echo "images/build.sh: siteboot -v --version listed no libraries" >&2; exit 1; }
libpkgs="$libpkgs $lazypkgs"
[ -n "$libpkgs" ] || { echo "images/build.sh: could not map siteboot's libraries to packages" >&2; exit 1; }
step "runtime library packages: $libpkgs"

# 2. The root file system.
pkgs="linux-image-amd64 live-boot systemd-sysv udev kmod procps less zstd
      bash-completion man-db iproute2 fdisk e2fsprogs dosfstools
      ipmitool freeipmi-tools openipmi openssh-client openssh-server
      python3 $libpkgs"
pkgs=$(echo $pkgs | tr ' ' ',')
if [ "$reuse" = 1 ]; then
step "reusing $work/rootfs (--reuse-rootfs): customize hook only"
"$images/customize.sh" "$work/rootfs" "$work/stage" "$images/rootfs" "$version"
else
step "mmdebstrap bookworm ($MIRROR)"
mmdebstrap --mode=root --variant=minbase --verbose \
	--include="$pkgs" \
	--aptopt='Acquire::Retries "3"' \
	--aptopt='APT::Install-Recommends "false"' \
	--dpkgopt='path-exclude=/usr/share/doc/*' \
	--dpkgopt='path-include=/usr/share/doc/*/copyright' \
	--dpkgopt='path-exclude=/usr/share/locale/*' \
	--dpkgopt='path-include=/usr/share/locale/locale.alias' \
	--customize-hook="\"$images/customize.sh\" \"\$1\" \"$work/stage\" \"$images/rootfs\" \"$version\"" \
	bookworm "$work/rootfs" \
	"deb $MIRROR bookworm main" \
	"deb $MIRROR bookworm-updates main" \
	"deb $SECURITY_MIRROR bookworm-security main" >"$work/mmdebstrap.log" 2>&1 || {
	tail -40 "$work/mmdebstrap.log" >&2
	echo "images/build.sh: mmdebstrap failed (whole log: $work/mmdebstrap.log)" >&2; exit 1; }
fi

# 3. Kernel, live initramfs and the compressed root.
kver=$(ls "$work/rootfs/lib/modules" | sort -V | tail -1)
cp "$work/rootfs/boot/vmlinuz-$kver" "$work/iso/live/vmlinuz"
cp "$work/rootfs/boot/initrd.img-$kver" "$work/iso/live/initrd.img"
step "package list (CycloneDX 1.6)"
/usr/bin/python3 "$images/sbom.py" --root "$work/rootfs" --version "$version" \
	--kernel "$kver" --out "$out/$name.cdx.json"
schema=${SB_CDX_SCHEMA:-$src/../shared/schemas/cyclonedx-1.6}
if [ -f "$schema/bom-1.6.schema.json" ]; then
	/usr/bin/python3 "$images/sbom.py" --validate "$out/$name.cdx.json" --schema "$schema"
else
	echo "images/build.sh: warning: no CycloneDX schema at $schema (set SB_CDX_SCHEMA): the package list was not validated" >&2
fi
step "mksquashfs ($SQUASHFS_COMP)"
comp=(-comp "$SQUASHFS_COMP")
[ "$SQUASHFS_COMP" = zstd ] && comp+=(-Xcompression-level 15)
mksquashfs "$work/rootfs" "$work/iso/live/filesystem.squashfs" -noappend -quiet \
	-no-progress "${comp[@]}" -processors "$(nproc)" \
	-e boot >/dev/null

# 4. Boot loaders and the hybrid ISO.
step "grub-mkrescue (BIOS + UEFI) with xorriso"
sed -e "s/@VERSION@/$version/g" "$images/grub.cfg.in" > "$work/iso/boot/grub/grub.cfg"
printf 'siteboot %s amd64 %s\n' "$version" "$(date -u -d "@$SOURCE_DATE_EPOCH" +%F)" > "$work/iso/.disk-info"
find "$work/iso" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
rm -f "$out/$name.iso"
grub-mkrescue --output="$out/$name.iso.tmp" "$work/iso" \
	-- -volid SITEBOOT >"$work/grub-mkrescue.log" 2>&1 || {
	cat "$work/grub-mkrescue.log" >&2; exit 1; }
mv "$out/$name.iso.tmp" "$out/$name.iso"

# 5. Checksum and size.
(cd "$out" && sha256sum "$name.iso" > "$name.iso.sha256")
size=$(stat -c %s "$out/$name.iso")
step "done"
echo "image:   $out/$name.iso ($((size / 1048576)) MiB, $size bytes)"
echo "sha256:  $(cut -d' ' -f1 "$out/$name.iso.sha256")  ($name.iso.sha256)"
echo "sbom:    $out/$name.cdx.json"
echo "kernel:  $kver"
[ "${SB_KEEP_WORK:-0}" = 1 ] || rm -rf "$work"
