#!/usr/bin/env bash
# Runs the integration scenarios directly on an arm64 host with /dev/kvm
# (no emulated test host needed). Prints TERN-RESULT lines.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
assets=${TERN_ASSETS:-$top/build/assets}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/scenarios"
"$top/tools/testhost/build-guest-initrd.sh" "$work/initrd.cpio.gz"
cp "$top/build/aarch64/tern" "$work/bin/tern"
cp "$top"/tests/integration/*.sh "$work/scenarios/"
# Scenarios source /scenarios/lib.sh in the test host; point them here.
sed -i "s|/scenarios/lib.sh|$work/scenarios/lib.sh|" "$work"/scenarios/*.sh
export PATH="$work/bin:$PATH" GUEST_KERNEL="$assets/Image" GUEST_INITRD="$work/initrd.cpio.gz"
export WORK="$work/tmp"
for s in "$work"/scenarios/[0-9]*.sh; do
	name=${s##*/}
	name=${name%.sh}
	echo "TERN-SCENARIO-BEGIN $name"
	sh "$s"
	echo "TERN-SCENARIO-END $name"
done
