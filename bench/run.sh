#!/usr/bin/env bash
# tern against a peer VMM (Debian's arm64 qemu-system-aarch64 -accel kvm),
# both run in ONE boot of the emulated arm64 test host on the same guest
# kernel and initramfs. Prints a table with the ratio tern/peer and writes it
# to build/bench/results.md (the raw log is build/bench/last.log).
#   bench/run.sh
# Environment: TERN_BIN (default: tern built from the committed HEAD into
# build/bench/tern-aarch64), BENCH_RUNS (boot runs, default 5), BENCH_SMALL_RUNS
# (memory and strace runs, 3), BENCH_PARALLEL (16), BENCH_BLK_RUNS (block I/O
# runs per VMM, 3), BENCH_BLK_SECS (seconds per block test, 5), BENCH_BLK_STRACE
# (0: skip the strace -c run of each), BENCH_ONLY=blk
# (only the block I/O part), BENCH_OUT (output directory, default build/bench),
# TERN_TESTHOST_MEM (default here 4096).
# Needs: tools/setup-host.sh, tools/fetch-assets.sh (run first).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${BENCH_OUT:-$top/build/bench}
mkdir -p "$out"
cross=aarch64-linux-gnu-

# 1. tern: the committed tree unless TERN_BIN names a binary.
if [ -z "${TERN_BIN:-}" ]; then
	rm -rf "$out/src"
	mkdir -p "$out/src"
	git -C "$top" archive HEAD | tar -x -C "$out/src"
	cmake -S "$out/src" -B "$out/tern-aarch64" -DCMAKE_TOOLCHAIN_FILE="$out/src/cmake/aarch64-linux-gnu.cmake" \
		-DCMAKE_BUILD_TYPE=MinSizeRel -DTERN_STATIC=ON -DBUILD_TESTING=OFF >/dev/null
	cmake --build "$out/tern-aarch64" -j "$(nproc)" >/dev/null
	TERN_BIN=$out/tern-aarch64/tern
fi
tern_build=$(dirname "$TERN_BIN")

# 2. The peer sysroot, the stamp helper and the SDEI bench guest.
"$top/bench/fetch-peer.sh" "$out/peer"
overlay=$out/overlay
rm -rf "$overlay"
mkdir -p "$overlay/bench/bin" "$overlay/bench/guest"
"${cross}gcc" -std=c11 -O2 -Wall -Wextra -Werror -static -o "$overlay/bench/bin/stamp" "$top/bench/tools/stamp.c"
"${cross}strip" "$overlay/bench/bin/stamp"
"$top/bench/guest/build.sh" "$out/guest" >/dev/null
cp "$out/guest/sdei-bench.bin" "$overlay/bench/guest/"
cp "$top/bench/run-in-host.sh" "$overlay/bench/"
cat >"$overlay/bench/config" <<EOT
BENCH_RUNS=${BENCH_RUNS:-5}
BENCH_SMALL_RUNS=${BENCH_SMALL_RUNS:-3}
BENCH_PARALLEL=${BENCH_PARALLEL:-16}
BENCH_BLK_RUNS=${BENCH_BLK_RUNS:-3}
BENCH_BLK_SECS=${BENCH_BLK_SECS:-5}
BENCH_BLK_STRACE=${BENCH_BLK_STRACE:-1}
BENCH_ONLY=${BENCH_ONLY:-}
EOT
cp -al "$out/peer" "$overlay/peer" 2>/dev/null || cp -a "$out/peer" "$overlay/peer"

# 3. Sizes (on this machine, from the files that go into the test host).
"${cross}strip" -o "$out/tern.stripped" "$TERN_BIN"
tern_size=$(stat -c %s "$out/tern.stripped")
read -r tern_text tern_data tern_bss _ < <("${cross}size" "$out/tern.stripped" | tail -n 1)
printf 'int main(void) { return 0; }\n' >"$out/nothing.c"
"${cross}gcc" -Os -static -s -o "$out/nothing" "$out/nothing.c"
nothing_size=$(stat -c %s "$out/nothing")
read -r nothing_text _ < <("${cross}size" "$out/nothing" | tail -n 1)
# Text of functions defined in tern's own objects (src/), found by name in
# the linked binary; the rest is libc, libfdt, libseccomp, jansson.
mapfile -t objs < <(find "$tern_build/CMakeFiles/tern.dir" "$tern_build/CMakeFiles/tern_core.dir" -name '*.o' 2>/dev/null)
own_text=-1
if [ "${#objs[@]}" -gt 0 ]; then
	"${cross}nm" --defined-only "${objs[@]}" 2>/dev/null | awk '$2 ~ /^[Tt]$/ { print $3 }' | sort -u >"$out/own-syms"
	own_text=$("${cross}nm" -S --defined-only "$TERN_BIN" | awk '
		function hex(h,   i, v) { v = 0; for (i = 1; i <= length(h); i++) v = v * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1; return v }
		NR == FNR { own[$1] = 1; next }
		$3 ~ /^[Tt]$/ && ($4 in own) { s += hex($2) } END { printf "%d\n", s }' "$out/own-syms" -)
fi
# The peer: qemu-system-aarch64 plus every shared library it loads (NEEDED,
# transitively, resolved in the sysroot) and the dynamic loader.
lib=$out/peer/usr/lib/aarch64-linux-gnu
peer_bin=$(stat -c %s "$out/peer/usr/bin/qemu-system-aarch64")
declare -A seen=()
queue=("$out/peer/usr/bin/qemu-system-aarch64")
peer_libs=0
nlibs=0
while [ "${#queue[@]}" -gt 0 ]; do
	f=${queue[0]}
	queue=("${queue[@]:1}")
	for n in $("${cross}readelf" -d "$f" | awk '/NEEDED/ { gsub(/[][]/, "", $5); print $5 }'); do
		[ -n "${seen[$n]:-}" ] && continue
		seen[$n]=1
		[ -e "$lib/$n" ] || { echo "bench: $n not in the peer sysroot" >&2; continue; }
		peer_libs=$((peer_libs + $(stat -L -c %s "$lib/$n")))
		nlibs=$((nlibs + 1))
		queue+=("$lib/$n")
	done
done
peer_ld=$(stat -L -c %s "$lib/ld-linux-aarch64.so.1")
if [ -z "${seen[ld-linux-aarch64.so.1]:-}" ]; then peer_libs=$((peer_libs + peer_ld)); fi
read -r peer_text _ < <("${cross}size" "$out/peer/usr/bin/qemu-system-aarch64" | tail -n 1)

# 4. One test-host boot.
TERN_TESTHOST_EXTRA=$overlay TERN_TESTHOST_MEM=${TERN_TESTHOST_MEM:-4096} TERN_BIN=$TERN_BIN \
	TERN_TESTHOST_TIMEOUT=${TERN_TESTHOST_TIMEOUT:-3600} \
	"$top/tools/testhost/run.sh" bench | tee "$out/last.log" | grep --line-buffered -E '^(BENCH|TERN-HOST)' || true
grep -q '^BENCH done' "$out/last.log" || { echo "bench: the run did not finish (see $out/last.log)" >&2; exit 1; }

# 5. The table (not with BENCH_ONLY=blk).
[ "${BENCH_ONLY:-}" = blk ] && : >"$out/results.md"
[ "${BENCH_ONLY:-}" = blk ] || {
	echo "| measure | tern | peer (QEMU) | tern/peer | goal |"
	echo "|---|---|---|---|---|"
	awk -v tsize="$tern_size" -v ttext="$tern_text" -v tdata="$tern_data" -v tbss="$tern_bss" \
		-v nsize="$nothing_size" -v ntext="$nothing_text" -v own="$own_text" \
		-v pbin="$peer_bin" -v plibs="$peer_libs" -v nlibs="$nlibs" -v ptext="$peer_text" '
	function median(list,   a, n, i, j, t) {
		n = split(list, a, " ")
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		if (n == 0) return -1
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	function kv(line, key,   r) {
		if (match(line, " " key "=[-0-9.]+")) { r = substr(line, RSTART + length(key) + 2, RLENGTH - length(key) - 2); return r }
		return ""
	}
	function row(name, t, p, goal, fmt,   r) {
		r = (p > 0 && t >= 0) ? sprintf("%.2f", t / p) : "-"
		printf "| %s | " fmt " | " fmt " | %s | %s |\n", name, t, p, r, goal
	}
	/^BENCH boot / && $4 > 0 && kv($0, "marker") + 0 >= 0 { boot[$3] = boot[$3] " " kv($0, "marker"); tot[$3] = tot[$3] " " kv($0, "exit") }
	/^BENCH mem / && kv($0, "overhead_kb") != "" { mem[$3] = mem[$3] " " kv($0, "overhead_kb"); anon[$3] = anon[$3] " " kv($0, "anon_overhead_kb"); ram[$3] = ram[$3] " " kv($0, "ram_rss_kb") }
	/^BENCH startup / && kv($0, "syscalls") + 0 >= 0 { sc[$3] = sc[$3] " " kv($0, "syscalls"); st[$3] = st[$3] " " kv($0, "ms") }
	/^BENCH sdei / { split($3, a, "="); sdei[a[1]] = a[2] }
	/^BENCH parallel / { par = $0 }
	END {
		row("boot: spawn to guest init marker, ms (median)", median(boot["tern"]), median(boot["peer"]), "<= 0.5x", "%.0f")
		row("boot + poweroff: spawn to exit, ms (median)", median(tot["tern"]), median(tot["peer"]), "", "%.0f")
		row("start-up: syscalls before the first KVM_RUN (median)", median(sc["tern"]), median(sc["peer"]), "<= 0.5x", "%d")
		row("start-up: ms to the first KVM_RUN under strace (median)", median(st["tern"]), median(st["peer"]), "<= 0.5x", "%.1f")
		row("memory: RSS minus guest RAM RSS, KiB (median)", median(mem["tern"]), median(mem["peer"]), "tern <= 1536", "%d")
		row("memory: anonymous RSS minus guest RAM, KiB (median)", median(anon["tern"]), median(anon["peer"]), "", "%d")
		row("guest RAM touched at that point, KiB (median)", median(ram["tern"]), median(ram["peer"]), "", "%d")
		row("binary, stripped, bytes (peer: + " nlibs " libraries and ld.so)", tsize, pbin + plibs, "tern < 1048576", "%d")
		row("binary text segment, bytes (peer: executable only)", ttext, ptext, "", "%d")
		printf "| tern text in functions from src/ objects, bytes | %d | | | |\n", own
		printf "| do-nothing static glibc binary: size / text, bytes | %d / %d | | | |\n", nsize, ntext
		printf "| tern data / bss, bytes | %d / %d | | | |\n", tdata, tbss
		v = sdei["sdei_version_ns"]; b = sdei["psci_cpu_on_invalid_ns"]; k = sdei["psci_version_kvm_ns"]
		if (v != "") {
			printf "| SDEI_VERSION round trip (tern userspace), ns | %d | | %.2f of a bare userspace exit | <= 1.10x |\n", v, (b > 0 ? v / b : 0)
			printf "| bare userspace hypercall exit (PSCI CPU_ON, bad MPIDR), ns | %d | | | |\n", b
			printf "| hypercall handled in KVM (PSCI_VERSION), ns | %d | | | |\n", k
			printf "| event 0: EVENT_SIGNAL + handler + COMPLETE, ns | %d | | %.2f of 2 bare exits | |\n", sdei["self_signal_roundtrip_ns"], (b > 0 ? sdei["self_signal_roundtrip_ns"] / (2 * b) : 0)
			printf "| control-socket event: interruption to handler entry, ns (median of %d) | %d | | | |\n", sdei["platform_samples"], sdei["platform_entry_ns"]
			printf "| control-socket event: COMPLETE to resumed code, ns (median) | %d | | | |\n", sdei["platform_complete_ns"]
		}
		if (par != "") {
			printf "| %d microVMs at once (128 MiB): reached init / ms to the last | %d / %d | | | |\n", kv(par, "started"), kv(par, "up"), kv(par, "last_up_ms")
		}
	}' "$out/last.log"
} | tee "$out/results.md"
# Block I/O, when measured: medians over the runs, each run's value after.
if grep -q '^BENCH blk ' "$out/last.log"; then
	{
		echo
		echo "| virtio-blk from the guest, queue depth 1 (O_DIRECT) | tern MiB/s | peer MiB/s | tern IOPS | peer IOPS | tern/peer | runs, MiB/s: tern; peer |"
		echo "|---|---|---|---|---|---|---|"
		awk '
		function median(list,   a, n, i, j, t) {
			n = split(list, a, " ")
			for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
			if (n == 0) return -1
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		}
		function kv(line, key) {
			if (match(line, " " key "=[-0-9.]+")) return substr(line, RSTART + length(key) + 2, RLENGTH - length(key) - 2)
			return ""
		}
		/^BENCH blk / { m[$3, $5] = m[$3, $5] " " kv($0, "mibps"); io[$3, $5] = io[$3, $5] " " kv($0, "iops") }
		END {
			split("seq-read-4k sequential read 4 KiB|seq-write-4k sequential write 4 KiB|rand-read-4k random read 4 KiB|rand-write-4k random write 4 KiB|seq-read-1m sequential read 1 MiB|seq-write-1m sequential write 1 MiB", rows, "|")
			for (r = 1; r <= 6; r++) {
				k = rows[r]; sub(/ .*/, "", k); name = rows[r]; sub(/^[^ ]* /, "", name)
				t = median(m["tern", k]); p = median(m["peer", k])
				printf "| %s | %.2f | %.2f | %.0f | %.0f | %s | %s; %s |\n", name, t, p,
					median(io["tern", k]), median(io["peer", k]), (p > 0 && t >= 0) ? sprintf("%.2f", t / p) : "-",
					substr(m["tern", k], 2), substr(m["peer", k], 2)
			}
		}' "$out/last.log"
		# Syscalls per guest request, from the strace -f -c run (all tests together).
		awk '/^BENCH blkstrace / { split($4, a, "="); ops[$3] = a[2] }
			/^BENCH blksys / { split($5, a, "="); if (ops[$3] > 0) l[$3] = l[$3] sprintf(" %s %.2f,", $4, a[2] / ops[$3]) }
			END { for (w in l) printf "\nsyscalls per guest request, %s (strace -f -c, %d requests):%s\n", w, ops[w], l[w] }' "$out/last.log"
	} | tee -a "$out/results.md"
fi
grep -E "^BENCH (host|peer|note) " "$out/last.log" | sed 's/^BENCH /machine: /' | tee -a "$out/results.md"
