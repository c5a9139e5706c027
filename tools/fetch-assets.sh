#!/usr/bin/env bash
# Fetch the arm64 guest assets from Debian packages into build/assets:
#   Image      stock Debian arm64 kernel (trixie, >= 6.4: has the SMCCC filter)
#   modules/   that kernel's modules (decompressed later, as needed)
#   busybox    busybox-static for arm64
# The packages are downloaded with a private apt configuration (never installed
# on this machine); the mirror is the one this machine's apt already uses.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${TERN_ASSETS:-$top/build/assets}
if [ -f "$out/.complete" ]; then
	echo "fetch-assets: cached in $out"
	exit 0
fi
mkdir -p "$out"
work=$(mktemp -d "$out/.apt.XXXXXX")
trap 'rm -rf "$work"' EXIT

src=/etc/apt/sources.list.d/debian.sources
if [ -f "$src" ]; then
	uri=$(awk '/^URIs:/ { print $2; exit }' "$src")
else
	uri=$(awk '$1 == "deb" && $0 !~ /security/ { print $2; exit }' /etc/apt/sources.list)
fi
[ -n "$uri" ] || { echo "fetch-assets: no apt mirror found in $src" >&2; exit 1; }

mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/debs"
cat >"$work/sources.list" <<EOT
deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri trixie main
EOT
apt_opts=(-o APT::Sandbox::User=root -o Dir::Etc::SourceList="$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
	-o Dir::State::Lists="$work/lists" -o Dir::Cache="$work/cache"
	-o Dir::State::status=/dev/null -o APT::Architectures::=arm64
	-o APT::Architecture=arm64 -o Debug::NoLocking=1)
apt-get "${apt_opts[@]}" update -qq

# The meta package names the current kernel ABI package.
kpkg=$(apt-cache "${apt_opts[@]}" depends linux-image-arm64 |
	awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
[ -n "$kpkg" ] || { echo "fetch-assets: cannot resolve linux-image-arm64" >&2; exit 1; }
echo "fetch-assets: downloading $kpkg busybox-static (arm64)"
(cd "$work/debs" && apt-get "${apt_opts[@]}" download -qq "$kpkg:arm64" busybox-static:arm64)

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
