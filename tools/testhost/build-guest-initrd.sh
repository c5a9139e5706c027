#!/usr/bin/env bash
# Builds the test guest's initramfs (busybox + tests/integration/guest/init).
# Usage: build-guest-initrd.sh OUT.cpio.gz
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$1
assets=${TERN_ASSETS:-$top/build/assets}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin"
cp "$assets/busybox" "$stage/bin/busybox"
cp "$top/tests/integration/guest/init" "$stage/init"
chmod 755 "$stage/init" "$stage/bin/busybox"
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -9 >"$out"
