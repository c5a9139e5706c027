#!/usr/bin/env bash
# Builds the SDEI bench guest (a raw arm64 Image tern boots with --kernel).
#   bench/guest/build.sh OUTDIR   -> OUTDIR/sdei-bench.bin
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:?usage: build.sh OUTDIR}
mkdir -p "$out"
. "$top/tests/guest/common/build-lib.sh"
guest_toolchain
guest_flags "$top" "$here/linker.ld"
"$cc" "${cflags[@]}" -ffixed-x18 "${ldflags[@]}" -o "$out/sdei-bench.elf" \
	"$here/start.S" "$guest_common/console.c" "$here/main.c" -lgcc
"$objcopy" -O binary "$out/sdei-bench.elf" "$out/sdei-bench.bin"
guest_check_image "$out/sdei-bench.bin" >/dev/null
