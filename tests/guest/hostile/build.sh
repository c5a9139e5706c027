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

if [ -z "${CROSS_COMPILE+set}" ]; then
	if command -v aarch64-linux-gnu-gcc >/dev/null; then
		CROSS_COMPILE=aarch64-linux-gnu-
	elif [ "$(uname -m)" = aarch64 ]; then
		CROSS_COMPILE=
	else
		echo "build.sh: no aarch64-linux-gnu-gcc" >&2
		exit 1
	fi
fi
cc=${CROSS_COMPILE}gcc
objcopy=${CROSS_COMPILE}objcopy

cflags=(-std=gnu11 -O2 -Wall -Wextra -Werror -Wmissing-prototypes -ffreestanding -nostdlib
	-fno-pic -fno-pie -fno-stack-protector -fno-builtin -fno-common
	-fno-asynchronous-unwind-tables -fno-unwind-tables -mgeneral-regs-only -mstrict-align
	-mbranch-protection=none -I"$top/src")
if [ -n "${HOSTILE_SEED:-}" ]; then
	cflags+=(-DHOSTILE_SEED="$HOSTILE_SEED")
fi
# shellcheck disable=SC2054 # commas belong to -Wl options
ldflags=(-nostdlib -static -no-pie -Wl,-T,"$here/linker.ld" -Wl,--build-id=none
	-Wl,--no-warn-rwx-segments -Wl,-z,noexecstack)

elf=$out/hostile.elf
bin=$out/hostile.bin
"$cc" "${cflags[@]}" "${ldflags[@]}" -o "$elf" \
	"$here/start.S" "$here/console.c" "$here/main.c" "$here/virtio.c" -lgcc
"$objcopy" -O binary "$elf" "$bin"

magic=$(od -An -tx1 -j56 -N4 "$bin" | tr -d ' \n')
if [ "$magic" != 41524d64 ]; then
	echo "build.sh: no ARM64 Image magic at offset 56 of $bin" >&2
	exit 1
fi
image_size=$(od -An -tu8 -j16 -N8 "$bin" | tr -d ' \n')
file_size=$(wc -c <"$bin")
if [ "$image_size" -lt "$file_size" ] || [ $((image_size % 4096)) -ne 0 ]; then
	echo "build.sh: image_size $image_size does not cover the $file_size-byte file" >&2
	exit 1
fi
echo "build.sh: $bin ($file_size bytes, image_size $image_size)"
