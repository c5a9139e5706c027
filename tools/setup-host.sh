#!/usr/bin/env bash
# Install every package tern needs to build and test on Debian 12 (x86_64 or
# arm64). Idempotent: a second run only checks. Run as root (or via sudo).
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

src=/etc/apt/sources.list.d/debian.sources
# The mirror comes from the machine's own apt configuration, never from here.
. "$(dirname "$0")/apt-arm64.sh" # apt_mirror_uri

host_arch=$(dpkg --print-architecture)
need_update=0

backports=/etc/apt/sources.list.d/tern-backports.sources
if [ ! -f "$backports" ]; then
	uri=$(apt_mirror_uri)
	[ -n "$uri" ] || { echo "setup-host: cannot find the apt mirror in $src" >&2; exit 1; }
	$SUDO tee "$backports" >/dev/null <<EOT
Types: deb
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOT
	need_update=1
fi

# libfdt-dev is not multi-arch co-installable: native builds use the amd64
# runtime (libfdt1) with the arch-independent headers of libfdt-dev:arm64.
common=(cmake make gcc pkg-config device-tree-compiler cpio acpica-tools
	xz-utils zstd gzip python3 clang llvm libclang-rt-14-dev clang-format
	clang-tidy libfdt1 libjansson-dev libseccomp-dev seccomp)
if [ "$host_arch" = amd64 ]; then
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		$SUDO dpkg --add-architecture arm64
		need_update=1
	fi
	extra=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross
		libfdt-dev:arm64 libjansson-dev:arm64 libseccomp-dev:arm64)
else
	extra=(libfdt-dev)
fi

missing=()
for p in "${common[@]}" "${extra[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
qemu_ok=0
if command -v qemu-system-aarch64 >/dev/null; then
	v=$(qemu-system-aarch64 --version | awk 'NR==1 { split($4, a, "."); print a[1] }')
	[ "${v:-0}" -ge 10 ] && qemu_ok=1
fi

if [ ${#missing[@]} -eq 0 ] && [ $qemu_ok -eq 1 ]; then
	echo "setup-host: all packages present"
	exit 0
fi
if [ $need_update -eq 1 ] || [ ${#missing[@]} -gt 0 ] || [ $qemu_ok -eq 0 ]; then
	$SUDO apt-get update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup-host: installing ${missing[*]}"
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if [ $qemu_ok -eq 0 ]; then
	echo "setup-host: installing qemu-system-arm from bookworm-backports"
	$SUDO apt-get install -y -qq --no-install-recommends -t bookworm-backports \
		qemu-system-arm
fi
echo "setup-host: done"
