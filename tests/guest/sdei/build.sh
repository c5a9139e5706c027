#!/usr/bin/env bash
# Builds the SDEI conformance guest: a raw arm64 Image (header included) that
# tern boots with --kernel.
#   tests/guest/sdei/build.sh OUTDIR
# Writes OUTDIR/sdei-conformance.bin (the Image) and OUTDIR/sdei-conformance.elf
# (for objdump). CROSS_COMPILE defaults to aarch64-linux-gnu- (or empty on an
# arm64 host without it).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
out=${1:?usage: build.sh OUTDIR}
mkdir -p "$out"

. "$here/../common/build-lib.sh"
guest_toolchain

# The TAP plan is the number of check calls: each runs exactly once, in
# order (see main.c). Skipped platform and two-vCPU checks are reported one
# for one.
count_checks() {
	grep -o -E '\btap_(eq|ok|wait)\(' "$@" | wc -l
}
platform_checks=$(count_checks "$here/platform.c")
smp_checks=$(count_checks "$here/smp.c")
plan=$(($(count_checks "$here/main.c") + platform_checks + smp_checks))

guest_flags "$top" "$here/linker.ld"
cflags+=(-DTAP_PLAN="$plan" -DPLATFORM_CHECKS="$platform_checks" -DSMP_CHECKS="$smp_checks")

elf=$out/sdei-conformance.elf
bin=$out/sdei-conformance.bin
"$cc" "${cflags[@]}" "${ldflags[@]}" -o "$elf" \
	"$here/start.S" "$guest_common/console.c" "$here/tap.c" "$here/main.c" "$here/platform.c" "$here/smp.c" -lgcc
"$objcopy" -O binary "$elf" "$bin"

sizes=$(guest_check_image "$bin")
echo "build.sh: $bin ($sizes, $plan checks," \
	"$platform_checks of them on platform events, $smp_checks on two vCPUs)"
