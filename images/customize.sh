#!/bin/sh
# mmdebstrap customize hook: turn the fresh Debian root into the appliance.
#   customize.sh ROOT STAGE OVERLAY VERSION
# ROOT is the new root file system, STAGE the `make install` tree,
# OVERLAY images/rootfs/ (our configuration files, copied as they are).
set -eu
root=$1 stage=$2 overlay=$3 version=$4

cp -a "$stage/." "$root/"
cp -a "$overlay/." "$root/"
chmod 0755 "$root/usr/local/sbin/"* 2>/dev/null || true

echo siteboot > "$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tsiteboot\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' > "$root/etc/hosts"
printf 'siteboot %s appliance (Debian 12)\n' "$version" > "$root/etc/siteboot-release"

# No password for root: the consoles log in by themselves (the machine is
# the technician's, in their hands); sshd is off until someone turns it on.
chroot "$root" passwd -d root >/dev/null
chroot "$root" systemctl disable ssh.service openipmi.service >/dev/null 2>&1 || true
chroot "$root" systemctl enable siteboot-data.service >/dev/null
# Host keys made at build time would be the same on every stick.
rm -f "$root"/etc/ssh/ssh_host_*

# Where the inventory lives; live-boot bind-mounts it from a partition
# labelled 'persistence' when the stick has one (docs/appliance.md).
mkdir -p "$root/var/lib/siteboot"
chmod 0700 "$root/var/lib/siteboot"

# The man page index, so `man siteboot` works offline at once.
chroot "$root" mandb -q >/dev/null 2>&1 || true

# The Java runtime Besu needs, as the Debian packages the appliance carries
# to hosts without Internet (docs/besu.md): openjdk-17-jre-headless and
# what it depends on beyond a minimal Debian 12, as a flat repository
# (the .debs and a Packages index) packed in one file for the upload.
# At boot siteboot-data-check links it into /var/lib/siteboot/images.
chroot "$root" apt-get update -q >/dev/null
repo=/usr/local/share/siteboot/java-repo
mkdir -p "$root$repo"
chroot "$root" apt-get install -q -y --download-only --no-install-recommends \
	-o Dir::Cache::archives="$repo" openjdk-17-jre-headless >/dev/null
rm -rf "$root$repo/partial" "$root$repo/lock"
(cd "$root$repo" && for deb in *.deb; do
	dpkg-deb -f "$deb"
	printf 'Filename: ./%s\nSize: %s\nSHA256: %s\n\n' "$deb" "$(stat -c %s "$deb")" \
		"$(sha256sum "$deb" | cut -c1-64)"
done) > "$root$repo/Packages"
tar --sort=name --mtime="@${SOURCE_DATE_EPOCH:-0}" --owner=0 --group=0 --numeric-owner \
	-cf "$root$repo.tar" -C "$root$repo" .
rm -rf "$root$repo"

# Per-machine and per-build state that must not be baked in.
: > "$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id" "$root/var/cache/ldconfig/aux-cache"
rm -rf "$root/var/lib/apt/lists/"* "$root/var/cache/apt/"*.bin "$root/tmp/"*
find "$root/var/log" -type f -delete
