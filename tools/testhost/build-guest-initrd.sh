#!/usr/bin/env bash
# Builds the test guest's initramfs (busybox + tests/integration/guest/init).
# Usage: build-guest-initrd.sh OUT.cpio.gz
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$1
assets=${TERN_ASSETS:-$top/build/assets}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib/modules"
cp "$assets/busybox" "$stage/bin/busybox"
# The Debian kernel builds these as xz modules; busybox insmod wants them
# plain. The guest's init loads them when a test needs them.
for m in drivers/input/evdev drivers/input/keyboard/gpio_keys \
	drivers/virtio/virtio_mmio drivers/block/virtio_blk net/core/failover \
	drivers/net/net_failover drivers/net/virtio_net drivers/char/hw_random/virtio-rng; do
	xz -dc "$assets/modules/kernel/$m.ko.xz" >"$stage/lib/modules/${m##*/}.ko"
done
cp "$top/tests/integration/guest/init" "$stage/init"
# The block benchmark (bench/tools/blkbench.c, tern.action=blkbench):
# freestanding, a few KiB. Skipped when no arm64 compiler is at hand.
cc=aarch64-linux-gnu-gcc
command -v "$cc" >/dev/null || { [ "$(uname -m)" = aarch64 ] && cc=gcc; }
if command -v "$cc" >/dev/null; then
	"$cc" -std=c11 -O2 -Wall -Wextra -Werror -static -nostdlib -ffreestanding \
		-fno-stack-protector -fno-builtin -Wl,-z,max-page-size=4096 -Wl,--build-id=none -s \
		-o "$stage/bin/blkbench" "$top/bench/tools/blkbench.c"
fi
chmod 755 "$stage/init" "$stage/bin/busybox"
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -9 >"$out"
