# Sourced by the test guests' build.sh scripts: the cross toolchain, the
# flags every freestanding guest is built with, and the Image header check.
# shellcheck shell=bash

guest_common=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Sets cc and objcopy: CROSS_COMPILE, else aarch64-linux-gnu-, else the
# native compiler on an arm64 host.
guest_toolchain() {
	if [ -z "${CROSS_COMPILE+set}" ]; then
		if command -v aarch64-linux-gnu-gcc >/dev/null; then
			CROSS_COMPILE=aarch64-linux-gnu-
		elif [ "$(uname -m)" = aarch64 ]; then
			CROSS_COMPILE=
		else
			echo "build.sh: no aarch64-linux-gnu-gcc" >&2
			return 1
		fi
	fi
	cc=${CROSS_COMPILE}gcc
	objcopy=${CROSS_COMPILE}objcopy
}

# guest_flags TOP LINKER_SCRIPT: sets cflags and ldflags.
guest_flags() {
	cflags=(-std=gnu11 -O2 -Wall -Wextra -Werror -Wmissing-prototypes -ffreestanding -nostdlib
		-fno-pic -fno-pie -fno-stack-protector -fno-builtin -fno-common
		-fno-asynchronous-unwind-tables -fno-unwind-tables -mgeneral-regs-only -mstrict-align
		-mbranch-protection=none -I"$1/src" -I"$guest_common")
	# shellcheck disable=SC2054 # commas belong to -Wl options
	ldflags=(-nostdlib -static -no-pie -Wl,-T,"$2" -Wl,--build-id=none
		-Wl,--no-warn-rwx-segments -Wl,-z,noexecstack)
}

# guest_check_image BIN: the Image header survived objcopy (magic at 56)
# and image_size covers the file (and so .bss); prints the file size.
guest_check_image() {
	local bin=$1 magic image_size file_size
	magic=$(od -An -tx1 -j56 -N4 "$bin" | tr -d ' \n')
	if [ "$magic" != 41524d64 ]; then
		echo "build.sh: no ARM64 Image magic at offset 56 of $bin" >&2
		return 1
	fi
	image_size=$(od -An -tu8 -j16 -N8 "$bin" | tr -d ' \n')
	file_size=$(wc -c <"$bin")
	if [ "$image_size" -lt "$file_size" ] || [ $((image_size % 4096)) -ne 0 ]; then
		echo "build.sh: image_size $image_size does not cover the $file_size-byte file" >&2
		return 1
	fi
	echo "$file_size bytes, image_size $image_size"
}
