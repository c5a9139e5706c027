#!/usr/bin/env bash
# Builds the SDEI bench guest (a raw arm64 Image tern boots with --kernel).
#   bench/guest/build.sh OUTDIR   -> OUTDIR/sdei-bench.bin
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUTDIR}
mkdir -p "$out"
cross=${CROSS_COMPILE-aarch64-linux-gnu-}
"${cross}gcc" -std=gnu11 -O2 -Wall -Wextra -Werror -ffreestanding -nostdlib -fno-pic -fno-pie \
	-fno-stack-protector -fno-builtin -fno-asynchronous-unwind-tables -mgeneral-regs-only \
	-mstrict-align -ffixed-x18 -mbranch-protection=none \
	-static -no-pie -Wl,-T,"$here/linker.ld" -Wl,--build-id=none -Wl,--no-warn-rwx-segments \
	-o "$out/sdei-bench.elf" "$here/start.S" "$here/main.c" -lgcc
"${cross}objcopy" -O binary "$out/sdei-bench.elf" "$out/sdei-bench.bin"
[ "$(od -An -tx1 -j56 -N4 "$out/sdei-bench.bin" | tr -d ' \n')" = 41524d64 ] ||
	{ echo "build.sh: no Image magic in $out/sdei-bench.bin" >&2; exit 1; }
