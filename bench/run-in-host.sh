# The benchmark run inside the emulated arm64 test host (tern.mode=bench,
# started by tools/testhost/host-init; bench/run.sh packs it as /bench).
# Prints raw numbers as "BENCH ..." lines; bench/run.sh turns them into the
# table. busybox sh.
# bench/run.sh writes /bench/config (BENCH_RUNS, BENCH_SMALL_RUNS, BENCH_PARALLEL,
# BENCH_BLK_RUNS, BENCH_BLK_SECS, BENCH_ONLY).
[ -f /bench/config ] && . /bench/config
RUNS=${BENCH_RUNS:-5}
SMALL=${BENCH_SMALL_RUNS:-3}
PAR=${BENCH_PARALLEL:-16}
BLK_RUNS=${BENCH_BLK_RUNS:-3}
BLK_SECS=${BENCH_BLK_SECS:-5}
ONLY=${BENCH_ONLY:-}
IMAGE=/guest/Image
INITRD=/guest/initrd.cpio.gz
STAMP=/bench/bin/stamp
W=/tmp/bench
mkdir -p "$W"
LD=/peer/usr/lib/ld-linux-aarch64.so.1
LP=/peer/usr/lib/aarch64-linux-gnu
CMD_TERN_BOOT=console=ttyS0
CMD_PEER_BOOT=console=ttyAMA0

# The commands that start tern and the peer on the test guest (256 MiB, 1 vCPU).
tern_cmd() {
	echo "/bin/tern run --kernel $IMAGE --initrd $INITRD --memory 256M $TERN_EXTRA"
}
peer_cmd() {
	echo "$LD --library-path $LP /peer/usr/bin/qemu-system-aarch64 -L /peer/usr/share/qemu" \
		"-M virt,gic-version=3 -accel kvm -cpu host -smp 1 -m 256M" \
		"-nographic -nodefaults -serial stdio -no-reboot -nic none" \
		"-kernel $IMAGE -initrd $INITRD"
}

# run_vmm WHO ACTION STAMP-FLAGS...: one stamped run; prints the STAMP line.
run_vmm() {
	who=$1
	action=$2
	shift 2
	if [ "$who" = tern ]; then
		# shellcheck disable=SC2046 # word splitting of the command is wanted
		$STAMP "$@" -o "$W/$who.out" -- $(tern_cmd) \
			--cmdline "$CMD_TERN_BOOT quiet panic=-1 tern.action=$action" 2>"$W/$who.err"
	else
		# shellcheck disable=SC2046
		$STAMP "$@" -o "$W/$who.out" -- $(peer_cmd) \
			-append "$CMD_PEER_BOOT quiet panic=-1 tern.action=$action" 2>"$W/$who.err"
	fi
}

show_fail() {
	tail -n 5 "$W/$1.out" | sed "s|^|BENCH-LOG $1.out: |"
	tail -n 5 "$W/$1.err" | sed "s|^|BENCH-LOG $1.err: |"
}

# Block I/O: virtio-blk throughput measured by the guest (bench/tools/blkbench.c,
# tern.action=blkbench): O_DIRECT on /dev/vda, queue depth 1, BLK_SECS
# seconds per test over the first 64 MiB of a fresh 128 MiB raw image in
# this host's tmpfs (written full of zeros first, so no test reads a hole).
# tern does pread/pwrite on the file and fdatasync on FLUSH; QEMU's twin is
# cache=writeback (its default: host page cache, flushes become fdatasync)
# with aio=threads, on a modern (virtio 1.0) virtio-mmio transport like tern's.
bench_blk() {
	img=$W/blk.img
	bcmd="quiet panic=-1 tern.action=blkbench tern.blkbench=$BLK_SECS,64"
	i=1
	while [ "$i" -le "$BLK_RUNS" ]; do
		for who in tern peer; do
			rm -f "$img"
			dd if=/dev/zero of="$img" bs=1M count=128 2>/dev/null
			if [ "$who" = tern ]; then
				# shellcheck disable=SC2046
				line=$($STAMP -t 900 -o "$W/$who.out" -- $(tern_cmd) --disk "$img" \
					--cmdline "$CMD_TERN_BOOT $bcmd" 2>"$W/$who.err")
			else
				# shellcheck disable=SC2046
				line=$($STAMP -t 900 -o "$W/$who.out" -- $(peer_cmd) \
					-global virtio-mmio.force-legacy=false \
					-drive "file=$img,if=none,id=d0,format=raw,cache=writeback,aio=threads" \
					-device virtio-blk-device,drive=d0 \
					-append "$CMD_PEER_BOOT $bcmd" 2>"$W/$who.err")
			fi
			tr -d '\r' <"$W/$who.out" | grep '^TERN-BLKBENCH ' | sed "s|^TERN-BLKBENCH |BENCH blk $who $i |"
			tr -d '\r' <"$W/$who.out" | grep -E '^TERN-BLKBENCH-(DEVICE|ERROR|FAILED)|INSMOD-FAILED' |
				sed "s|^|BENCH-LOG blk $who $i: |"
			grep -q '^TERN-BLKBENCH rand-read-4k' "$W/$who.out" || { echo "BENCH-LOG blk $who $i: $line"; show_fail "$who"; }
		done
		i=$((i + 1))
	done
	# Work per request: one more run of each, with strace -f -c attached to
	# all the VMM's threads once the guest prints its device line (so start-up
	# and boot are not counted). strace slows both a lot: only the counts per
	# request mean something, not the speed of that run.
	[ "${BENCH_BLK_STRACE:-1}" = 1 ] || { rm -f "$img"; return; }
	bcmd="quiet panic=-1 tern.action=blkbench tern.blkbench=2,64"
	for who in tern peer; do
		rm -f "$img" "$W/blkstrace.$who" "$W/$who.out"
		dd if=/dev/zero of="$img" bs=1M count=128 2>/dev/null
		if [ "$who" = tern ]; then
			# shellcheck disable=SC2046
			$(tern_cmd) --disk "$img" --cmdline "$CMD_TERN_BOOT $bcmd" \
				</dev/null >"$W/$who.out" 2>"$W/$who.err" &
		else
			# shellcheck disable=SC2046
			$(peer_cmd) -global virtio-mmio.force-legacy=false \
				-drive "file=$img,if=none,id=d0,format=raw,cache=writeback,aio=threads" \
				-device virtio-blk-device,drive=d0 -append "$CMD_PEER_BOOT $bcmd" \
				</dev/null >"$W/$who.out" 2>"$W/$who.err" &
		fi
		pid=$!
		n=0
		while ! grep -q TERN-BLKBENCH-DEVICE "$W/$who.out" && [ "$n" -lt 3000 ] && kill -0 "$pid" 2>/dev/null; do
			sleep 0.1
			n=$((n + 1))
		done
		$LD --library-path $LP /peer/usr/bin/strace -f -c -o "$W/blkstrace.$who" -p "$pid" 2>/dev/null &
		spid=$!
		wait "$pid"
		wait "$spid"
		ops=$(tr -d '\r' <"$W/$who.out" | awk '/^TERN-BLKBENCH / { for (f = 3; f <= NF; f++) if ($f ~ /^ops=/) n += substr($f, 5) } END { print n + 0 }')
		echo "BENCH blkstrace $who ops=$ops"
		awk -v who="$who" '$1 ~ /^[0-9.]+$/ && NF >= 5 { printf "BENCH blksys %s %s calls=%d\n", who, $NF, $4 }' \
			"$W/blkstrace.$who" | sort -t= -k2 -rn | head -n 12
	done
	rm -f "$img"
}

echo "BENCH host $(uname -r) $(nproc) CPUs $(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo) MiB"
echo "BENCH peer $($LD --library-path $LP /peer/usr/bin/qemu-system-aarch64 --version | head -n 1)"

# tern as shipped (seccomp enforced); if its filter kills it here, the
# numbers are taken with --seccomp log (same filter, violations allowed)
# and the report says so.
TERN_EXTRA=
line=$(run_vmm tern poweroff -t 300)
case "$line" in
*" rc=159"*)
	echo "BENCH-LOG tern killed by its seccomp filter: $(tail -n 1 "$W/tern.err")"
	TERN_EXTRA="--seccomp log"
	echo "BENCH note tern runs with --seccomp log"
	;;
esac

# BENCH_ONLY=blk: the block I/O part alone (for iterating on it).
if [ "$ONLY" = blk ]; then
	bench_blk
	echo "BENCH done"
	exit 0
fi

# 1. Boot: spawn to the guest's TERN-GUEST-UP, and to exit after poweroff.
# Run 0 of each is a warm-up (not counted).
i=0
while [ "$i" -le "$RUNS" ]; do
	for who in tern peer; do
		line=$(run_vmm "$who" poweroff -t 300)
		echo "BENCH boot $who $i $line"
		case "$line" in *"marker=-1"*) show_fail "$who" ;; esac
	done
	i=$((i + 1))
done

# 2. Memory: resident set minus the guest RAM mapping, once the guest is up
# and idle (tern.action=hold prints TERN-GUEST-HOLD and sleeps).
i=1
while [ "$i" -le "$SMALL" ]; do
	for who in tern peer; do
		line=$(run_vmm "$who" hold -t 300 -m TERN-GUEST-HOLD -r 256 -k)
		echo "BENCH mem $who $i $line"
	done
	i=$((i + 1))
done

# 3. Work before the first KVM_RUN: syscalls (all threads) and wall time,
# from strace -f -ttt (strace itself slows both down).
# shellcheck disable=SC2086 # $STRACE is a command line
STRACE="$LD --library-path $LP /peer/usr/bin/strace -f -ttt"
i=1
while [ "$i" -le "$SMALL" ]; do
	for who in tern peer; do
		rm -f "$W/strace.$who"
		if [ "$who" = tern ]; then
			# shellcheck disable=SC2046
			timeout 300 $STRACE -o "$W/strace.$who" $(tern_cmd) \
				--cmdline "$CMD_TERN_BOOT quiet panic=-1 tern.action=poweroff" \
				</dev/null >"$W/$who.out" 2>"$W/$who.err"
		else
			# shellcheck disable=SC2046
			timeout 300 $STRACE -o "$W/strace.$who" $(peer_cmd) \
				-append "$CMD_PEER_BOOT quiet panic=-1 tern.action=poweroff" \
				</dev/null >"$W/$who.out" 2>"$W/$who.err"
		fi
		awk -v who="$who" -v run="$i" '
			NR == 1 { t0 = $2 }
			/resumed>/ || / \+\+\+ / || / --- / { next }
			/KVM_RUN|0xae80/ { printf "BENCH startup %s %d syscalls=%d ms=%.3f\n", who, run, n, ($2 - t0) * 1000; found = 1; exit }
			{ n++ }
			END { if (!found) printf "BENCH startup %s %d syscalls=-1 ms=-1\n", who, run }
		' "$W/strace.$who"
	done
	i=$((i + 1))
done
# The syscalls by name, for the report (last tern run, last peer run).
for who in tern peer; do
	awk '/KVM_RUN|0xae80/ { exit } / \+\+\+ / || / --- / || /resumed>/ { next }
		{ s = $3; sub(/\(.*/, "", s); c[s]++ } END { for (k in c) printf "%d %s\n", c[k], k }' \
		"$W/strace.$who" | sort -rn | head -n 12 | tr '\n' ' ' | sed "s|^|BENCH syscalls-by-name $who |"
	echo
done

# 4. SDEI: hypercall round trips and event delivery, measured by the guest.
if [ -f /bench/guest/sdei-bench.bin ]; then
	sock=$W/sdei.sock
	fifo=$W/sdei.fifo
	rm -f "$sock" "$fifo"
	mkfifo "$fifo"
	timeout 600 /bin/tern run --kernel /bench/guest/sdei-bench.bin --memory 64M $TERN_EXTRA \
		--sdei-event 300,private,normal --control "$sock" </dev/null >"$fifo" 2>"$W/sdei.err" &
	cr=$(printf '\r')
	while IFS= read -r line; do
		line=${line%"$cr"}
		case "$line" in
		"# bench-sdei: ready"*)
			ternctl "$sock" sdei signal 300 --vcpu 0 >>"$W/sdei.ctl" 2>&1 ||
				echo "BENCH-LOG ternctl sdei signal failed: $(tail -n 1 "$W/sdei.ctl")"
			;;
		"BENCH-SDEI "*) echo "BENCH sdei ${line#BENCH-SDEI }" ;;
		"# "*) echo "BENCH-LOG sdei guest: $line" ;;
		esac
	done <"$fifo"
	wait
	tail -n 3 "$W/sdei.err" | sed 's|^|BENCH-LOG sdei.err: |'
fi

# 5a. Block I/O (see bench_blk).
bench_blk

# 5. PAR tern microVMs started at once (128 MiB each).
i=0
while [ "$i" -lt "$PAR" ]; do
	# shellcheck disable=SC2046
	$STAMP -t 1200 -o "$W/par.$i.out" -- /bin/tern run --kernel $IMAGE --initrd $INITRD --memory 128M $TERN_EXTRA \
		--cmdline "$CMD_TERN_BOOT quiet panic=-1 tern.action=poweroff" \
		>"$W/par.$i.stamp" 2>"$W/par.$i.err" &
	i=$((i + 1))
done
wait
cat "$W"/par.*.stamp | sed 's|^|BENCH par |'
cat "$W"/par.*.stamp | awk -v n="$PAR" '
	{ for (f = 1; f <= NF; f++) { split($f, kv, "="); v[kv[1]] = kv[2] } }
	min == "" || v["start"] < min { min = v["start"] }
	v["marker"] >= 0 { up++; if (v["up"] > last) last = v["up"] }
	END { printf "BENCH parallel started=%d up=%d last_up_ms=%.0f\n", n, up, up ? last - min : -1 }'
for f in "$W"/par.*.err; do
	[ -s "$f" ] && tail -n 2 "$f" | sed "s|^|BENCH-LOG ${f##*/}: |"
done
echo "BENCH done"
