#!/usr/bin/env bash
# Boots the emulated arm64 test host once and runs tern in it.
#   run.sh test [SCENARIO]   run the integration scenarios, print TERN-RESULT lines
#   run.sh demo              boot the demo guest and show its console
#   run.sh shell             the demo, with an interactive guest shell
# Needs: tools/setup-host.sh, tools/fetch-assets.sh, the aarch64 build.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
mode=${1:-test}
only=${2:-}
assets=${TERN_ASSETS:-$top/build/assets}
out=$top/build/testhost
tern_bin=${TERN_BIN:-$top/build/aarch64/tern}
mkdir -p "$out"
# One emulated test host at a time: it takes both cores, and runs share
# build/testhost. A second caller (any checkout) waits here.
exec 9>"${TMPDIR:-/tmp}/tern-testhost.lock"
flock 9

[ -x "$tern_bin" ] || { echo "run.sh: no arm64 tern at $tern_bin (build the aarch64 preset)" >&2; exit 1; }
[ -f "$assets/.complete" ] || { echo "run.sh: no guest assets (run tools/fetch-assets.sh)" >&2; exit 1; }

"$top/tools/testhost/build-guest-initrd.sh" "$out/guest-initrd.cpio.gz"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/guest" "$stage/scenarios"
cp "$assets/busybox" "$stage/bin/busybox"
aarch64-linux-gnu-strip -o "$stage/bin/tern" "$tern_bin" 2>/dev/null || cp "$tern_bin" "$stage/bin/tern"
ternctl_bin=$(dirname "$tern_bin")/ternctl
aarch64-linux-gnu-strip -o "$stage/bin/ternctl" "$ternctl_bin" 2>/dev/null || cp "$ternctl_bin" "$stage/bin/ternctl"
# Test-only tools for scenarios (static arm64 C programs).
for t in "$top"/tests/integration/tools/*.c; do
	aarch64-linux-gnu-gcc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -static -s \
		-o "$stage/bin/$(basename "$t" .c)" "$t"
done
# Host-side kernel module for the tap the network scenario creates.
mkdir -p "$stage/lib/modules"
xz -dc "$assets/modules/kernel/drivers/net/tun.ko.xz" >"$stage/lib/modules/tun.ko"
# Freestanding guest programs (SDEI conformance), when built.
if [ -x "$top/tests/guest/sdei/build.sh" ]; then
	"$top/tests/guest/sdei/build.sh" "$out/guest-programs" >/dev/null
	cp "$out"/guest-programs/*.bin "$stage/guest/" 2>/dev/null || true
fi
# The hostile guest (tests/integration/85-hostile.sh), likewise.
if [ -x "$top/tests/guest/hostile/build.sh" ]; then
	"$top/tests/guest/hostile/build.sh" "$out/guest-programs" >/dev/null
	cp "$out/guest-programs/hostile.bin" "$stage/guest/"
fi
# arm64 strace with its own loader and libraries (the seccomp coverage
# scenario runs tern under it), when tools/fetch-assets.sh fetched it.
if [ -f "$assets/strace/.complete" ]; then
	cp -a "$assets/strace" "$stage/strace"
	rm -f "$stage/strace/.complete" "$stage/strace/.packages"
fi
# The seccomp policies, which the coverage scenario checks rule by rule.
mkdir -p "$stage/seccomp"
cp "$top"/seccomp/*.policy "$stage/seccomp/"
cp "$top/tools/testhost/host-init" "$stage/init"
cp "$top/tools/testhost/demo.sh" "$stage/demo.sh"
cp "$top"/tests/integration/*.sh "$stage/scenarios/"
cp "$assets/Image" "$stage/guest/Image"
cp "$out/guest-initrd.cpio.gz" "$stage/guest/initrd.cpio.gz"
chmod 755 "$stage/init" "$stage/bin/busybox" "$stage/bin/tern" "$stage/bin/ternctl"
# Extra files for the test host (bench/run.sh: /bench, /peer), copied as is.
if [ -n "${TERN_TESTHOST_EXTRA:-}" ]; then
	cp -a "$TERN_TESTHOST_EXTRA"/. "$stage/"
fi
# Uncompressed: unpacking is a copy, which is cheap under emulation.
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out/host-initrd.cpio"

append="console=ttyAMA0 panic=-1 quiet tern.mode=$mode"
[ -n "$only" ] && append="$append tern.only=$only"
qemu=(qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu max -smp 2 -m "${TERN_TESTHOST_MEM:-2048}"
	-nographic -no-reboot -nic none -kernel "$assets/Image"
	-initrd "$out/host-initrd.cpio" -append "$append")

if [ "$mode" = shell ]; then
	exec "${qemu[@]}"
fi
# The whole run is bounded; scenarios bound each tern run themselves.
timeout "${TERN_TESTHOST_TIMEOUT:-2400}" "${qemu[@]}" </dev/null | tr -d '\r' | tee "$out/last.log"
