#!/bin/sh
# Print -D flags for common/lazylib.c: the SONAME and the Debian package of
# each library it loads on first use, read from the development files this
# build compiles against (so a libcurl-gnutls or a newer SONAME follows the
# -dev package installed). Arguments: ID=pkg-config-name ... Prints nothing
# for a library it cannot work out: lazylib.c then uses Debian 12's names.
for arg in "$@"; do
	id=${arg%%=*} pc=${arg#*=}
	libdir=$(pkg-config --variable=libdir "$pc" 2>/dev/null) || continue
	for l in $(pkg-config --libs-only-l "$pc" 2>/dev/null); do
		so="$libdir/lib${l#-l}.so"
		[ -e "$so" ] || continue
		soname=$(objdump -p "$so" 2>/dev/null | awk '$1 == "SONAME" {print $2}')
		[ -n "$soname" ] || continue
		printf " -DSB_SONAME_%s='\"%s\"'" "$id" "$soname"
		real=$(readlink -f "$libdir/$soname")
		for f in "$real" "${real#/usr}" "/usr$real"; do
			deb=$(dpkg-query -S "$f" 2>/dev/null | head -1 | cut -d: -f1) || true
			[ -n "$deb" ] && { printf " -DSB_DEB_%s='\"%s\"'" "$id" "$deb"; break; }
		done
		break
	done
done
echo
