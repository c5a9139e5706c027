#!/usr/bin/env bash
# Builds the hostile guest: a raw arm64 Image (header included) that tern
# boots with --kernel.
#   tests/guest/hostile/build.sh OUTDIR
# Writes OUTDIR/hostile.bin (the Image) and OUTDIR/hostile.elf. CROSS_COMPILE
# defaults to aarch64-linux-gnu- (or empty on an arm64 host without it).
# HOSTILE_SEED (a C integer) replaces the built-in PRNG seed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
out=${1:?usage: build.sh OUTDIR}
mkdir -p "$out"

. "$here/../common/build-lib.sh"
guest_toolchain

guest_flags "$top" "$here/linker.ld"
if [ -n "${HOSTILE_SEED:-}" ]; then
	cflags+=(-DHOSTILE_SEED="$HOSTILE_SEED")
fi

elf=$out/hostile.elf
bin=$out/hostile.bin
"$cc" "${cflags[@]}" "${ldflags[@]}" -o "$elf" \
	"$here/start.S" "$guest_common/console.c" "$here/console.c" "$here/main.c" "$here/virtio.c" -lgcc
"$objcopy" -O binary "$elf" "$bin"

sizes=$(guest_check_image "$bin")
echo "build.sh: $bin ($sizes)"
