# virtio-mmio devices with the stock Debian kernel: a disk that keeps what
# the guest wrote (also across kill -9 after sync), a read-only disk, rng,
# and a network that reaches the test host.
. /scenarios/lib.sh

disk=$WORK/disk.img
pattern_ok() { # IMAGE: the guest's pattern at sector 8
	dd if="$1" bs=512 skip=8 count=1 2>/dev/null | grep -q "TERN-DISK-PATTERN-9"
}

# An odd size (not a multiple of 512) on purpose: the tail is ignored.
dd if=/dev/zero of="$disk" bs=1024 count=8192 2>/dev/null
printf 'odd' >>"$disk"
run_guest disk-write disk-write --disk "$disk,serial=tern-disk-0"
check disk-write-guest "guest writes and syncs a virtio-blk disk" out_has disk-write "TERN-GUEST-SYNCED"
check disk-capacity "the guest sees 16384 sectors (odd tail ignored) and the serial" \
	out_has disk-write "TERN-GUEST-WROTE 16384 sectors, serial=tern-disk-0"
check disk-pattern "the image holds exactly the pattern the guest wrote" pattern_ok "$disk"
check disk-exit-0 "guest with a disk powers off, exit 0" rc_is disk-write 0
check disk-irqfd "virtio interrupts go through a resampling irqfd (no KVM_IRQ_LINE fallback)" \
	sh -c "! grep -q 'no resampling irqfd' '$WORK/disk-write.err'"

run_guest disk-ro disk-ro --disk "$disk,ro"
check disk-ro-flag "a ,ro disk is read-only in the guest" out_has disk-ro "TERN-GUEST-RO=1"
check disk-ro-refused "writes to a read-only disk fail in the guest" out_has disk-ro "TERN-GUEST-RO-WRITE-FAILED"
check disk-ro-readable "a read-only disk reads what is on it" out_has disk-ro "TERN-GUEST-READ TERN-DISK-PATTERN-0"
check disk-ro-unchanged "the read-only image is unchanged" pattern_ok "$disk"

# kill -9 right after the guest's sync returned: nothing acknowledged is lost.
dd if=/dev/zero of="$disk" bs=1M count=8 2>/dev/null
fifo=$WORK/kill.fifo
rm -f "$fifo"
mkfifo "$fifo"
timeout 300 "$TERN" run --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" \
	--cmdline "$(guest_cmdline disk-sync-hold)" --disk "$disk" </dev/null >"$fifo" 2>"$WORK/kill.err" &
pid=$!
: >"$WORK/kill.out"
while read -r line; do
	echo "$line" >>"$WORK/kill.out"
	case "$line" in *TERN-GUEST-SYNCED*) kill -9 $pid; break ;; esac
done <"$fifo"
wait $pid
echo $? >"$WORK/kill.rc"
check disk-kill9-synced "the guest synced before tern was killed" out_has kill "TERN-GUEST-SYNCED"
check disk-kill9-kept "after kill -9 the image holds the synced pattern" pattern_ok "$disk"

run_guest rng rng --rng
check rng-device "the guest uses virtio-rng as its hwrng" out_has rng "TERN-GUEST-RNG-CURRENT virtio_rng"
check rng-bytes "the guest reads 64 bytes from /dev/hwrng" out_has rng "TERN-GUEST-RNG 64 "

err=$WORK/disk-missing.err
"$TERN" run --kernel "$GUEST_KERNEL" --disk /nonexistent.img </dev/null >/dev/null 2>"$err"
rc=$?
check disk-missing-error "a missing disk image is a clear error" \
	sh -c "[ $rc = 1 ] && grep -q \"cannot open disk '/nonexistent.img'\" '$err'"

# Network: in a network namespace of its own. busybox has no `ip tuntap`,
# so tern's TUNSETIFF creates the tap; the host side gets 10.0.2.1 as soon
# as the interface exists, and the guest pings it.
cat >"$WORK/net.sh" <<EOT
ip link set lo up
timeout 300 "$TERN" run --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" \
	--cmdline "$(guest_cmdline net)" --net tap=tern0,mac=52:54:00:12:34:56 \
	</dev/null >"$WORK/net.out" 2>"$WORK/net.err" &
pid=\$!
while ! ip link show tern0 >/dev/null 2>&1 && kill -0 \$pid 2>/dev/null; do :; done
ip addr add 10.0.2.1/24 dev tern0
ip link set tern0 up
wait \$pid
EOT
unshare -n sh "$WORK/net.sh"
echo $? >"$WORK/net.rc"
LOGS="$WORK/net.out $WORK/net.err"
check net-mac "the guest's NIC has the MAC given with --net" out_has net "TERN-GUEST-MAC 52:54:00:12:34:56"
check net-ping "the guest pings the test host over the tap" out_has net "TERN-GUEST-PING-OK 3"
check net-exit-0 "guest with a NIC powers off, exit 0" rc_is net 0
LOGS=
