#!/usr/bin/env bash
# Downloads the peer VMM for bench/run.sh: Debian trixie's arm64
# qemu-system-aarch64 (package qemu-system-arm) and arm64 strace, with every
# shared library they need, and unpacks them into a sysroot that goes into
# the test host as /peer. Nothing is installed on this machine: apt runs with
# a private configuration and an empty dpkg status, so it resolves the whole
# dependency closure and only downloads it.
#   bench/fetch-peer.sh [OUTDIR]     (default build/bench/peer)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build/bench/peer}
cache=$top/build/bench/apt
if [ -f "$out/.complete" ]; then
	echo "fetch-peer: cached in $out"
	exit 0
fi

. "$top/tools/apt-arm64.sh"
apt_arm64_init "$cache"
# An empty status means nothing counts as installed: the download is the
# complete closure (libc6 and the loader included).
apt-get "${APT_OPTS[@]}" install -y -qq --download-only qemu-system-arm:arm64 strace:arm64 >/dev/null

rm -rf "$out"
mkdir -p "$out"
for d in "$cache"/cache/archives/*.deb; do dpkg-deb -x "$d" "$out"; done
# Only what running the two programs needs stays: their binaries, the shared
# libraries and QEMU's data directory (other tools, docs, perl, ... go).
find "$out/usr/bin" -mindepth 1 ! -name qemu-system-aarch64 ! -name strace -delete
rm -rf "${out:?}/usr/sbin" "${out:?}/sbin" "${out:?}/bin" "${out:?}/var" "${out:?}/etc" "$out/usr/lib/aarch64-linux-gnu/perl-base" \
	"$out/usr/share/perl5" "$out/usr/lib/aarch64-linux-gnu/qemu" "$out/usr/lib/qemu" \
	"$out/usr/lib/aarch64-linux-gnu/gconv" "$out/usr/lib/aarch64-linux-gnu/security" "$out/usr/lib/systemd" \
	"$out/usr/lib/tmpfiles.d" "$out/usr/lib/sasl2"
find "$out/usr/share" -mindepth 1 -maxdepth 1 ! -name qemu -exec rm -rf {} +
ls "$cache"/cache/archives/*.deb | sed 's|.*/||' >"$out/.packages"
[ -x "$out/usr/bin/qemu-system-aarch64" ] || { echo "fetch-peer: no qemu-system-aarch64 in the packages" >&2; exit 1; }
touch "$out/.complete"
echo "fetch-peer: $(wc -l <"$out/.packages") packages, $(du -sh "$out" | cut -f1) in $out"
