#!/usr/bin/env bash
# Fetch the arm64 guest assets from Debian packages into build/assets:
#   Image      stock Debian arm64 kernel (trixie, >= 6.4: has the SMCCC filter)
#   modules/   that kernel's modules (decompressed later, as needed)
#   busybox    busybox-static for arm64
#   strace/    arm64 strace with every shared library it needs (a sysroot:
#              usr/bin/strace, usr/lib/ld-linux-aarch64.so.1, usr/lib/aarch64-linux-gnu)
#              for the seccomp coverage scenario
# The packages are downloaded with a private apt configuration (never installed
# on this machine); the mirror is the one this machine's apt already uses.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${TERN_ASSETS:-$top/build/assets}
# Two parts, each with its own marker: a cache made before strace was added
# gets only strace fetched.
have_guest=0
have_strace=0
[ -f "$out/.complete" ] && have_guest=1
[ -f "$out/strace/.complete" ] && [ -f "$out/strace/usr/bin/strace" ] && have_strace=1
if [ $have_guest = 1 ] && [ $have_strace = 1 ]; then
	echo "fetch-assets: cached in $out"
	exit 0
fi
mkdir -p "$out"
work=$(mktemp -d "$out/.apt.XXXXXX")
trap 'rm -rf "$work"' EXIT

. "$top/tools/apt-arm64.sh"
mkdir -p "$work/debs"
apt_arm64_init "$work"

if [ $have_strace = 0 ]; then
	echo "fetch-assets: downloading strace (arm64) and its libraries"
	apt-get "${APT_OPTS[@]}" install -y -qq --download-only strace:arm64 >/dev/null
	rm -rf "$out/strace"
	mkdir -p "$out/strace"
	for d in "$work"/cache/archives/*.deb; do dpkg-deb -x "$d" "$out/strace"; done
	# Only the program, the loader and the shared libraries stay.
	find "$out/strace" -mindepth 1 -maxdepth 1 ! -name usr -exec rm -rf {} +
	find "$out/strace/usr" -mindepth 1 -maxdepth 1 ! -name bin ! -name lib -exec rm -rf {} +
	find "$out/strace/usr/bin" -mindepth 1 ! -name strace -delete
	rm -rf "$out/strace/usr/lib/aarch64-linux-gnu/gconv" "$out/strace/usr/lib/aarch64-linux-gnu/perl-base"
	[ -f "$out/strace/usr/bin/strace" ] && [ -e "$out/strace/usr/lib/ld-linux-aarch64.so.1" ] ||
		{ echo "fetch-assets: no strace or loader in the packages" >&2; exit 1; }
	ls "$work"/cache/archives/*.deb | sed 's|.*/||' >"$out/strace/.packages"
	touch "$out/strace/.complete"
	echo "fetch-assets: strace, $(wc -l <"$out/strace/.packages") packages, $(du -sh "$out/strace" | cut -f1)"
fi
if [ $have_guest = 1 ]; then
	exit 0
fi

# The meta package names the current kernel ABI package.
kpkg=$(apt-cache "${APT_OPTS[@]}" depends linux-image-arm64 |
	awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
[ -n "$kpkg" ] || { echo "fetch-assets: cannot resolve linux-image-arm64" >&2; exit 1; }
echo "fetch-assets: downloading $kpkg busybox-static (arm64)"
(cd "$work/debs" && apt-get "${APT_OPTS[@]}" download -qq "$kpkg:arm64" busybox-static:arm64)

x="$work/x"
mkdir -p "$x"
for d in "$work"/debs/*.deb; do dpkg-deb -x "$d" "$x"; done
kimg=$(ls "$x"/boot/vmlinuz-* | head -n 1)
kver=${kimg##*/vmlinuz-}
cp "$kimg" "$out/Image"
cp "$x/usr/bin/busybox" "$out/busybox" 2>/dev/null || cp "$x/bin/busybox" "$out/busybox"
rm -rf "$out/modules"
mkdir -p "$out/modules"
cp -a "$x/lib/modules/$kver/." "$out/modules/" 2>/dev/null || cp -a "$x/usr/lib/modules/$kver/." "$out/modules/"
echo "$kver" >"$out/kernel-version"
touch "$out/.complete"
echo "fetch-assets: kernel $kver, busybox $(du -h "$out/busybox" | cut -f1) in $out"
