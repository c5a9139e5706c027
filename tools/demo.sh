#!/usr/bin/env bash
# The main job, from a fresh machine: install packages, fetch the guest
# assets, build tern for arm64, then boot a demo microVM with the stock Debian
# arm64 kernel: directly on an arm64 host with /dev/kvm, otherwise inside the
# emulated arm64 test host. `tools/demo.sh --shell` gives an interactive guest
# shell instead (leave it with `poweroff -f`).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
mode=demo
[ "${1:-}" = --shell ] && mode=shell

tools/setup-host.sh
tools/fetch-assets.sh
cmake --preset aarch64 >/dev/null
cmake --build --preset aarch64 -j2

if [ "$(uname -m)" = aarch64 ] && [ -c /dev/kvm ]; then
	tools/testhost/build-guest-initrd.sh build/demo-initrd.cpio.gz
	GUEST_KERNEL=build/assets/Image GUEST_INITRD=build/demo-initrd.cpio.gz \
		TERN=build/aarch64/tern sh tools/testhost/demo.sh ${mode/demo/}
else
	echo "== no arm64 KVM here: booting the emulated arm64 test host (qemu, TCG) =="
	tools/testhost/run.sh "$mode"
fi
