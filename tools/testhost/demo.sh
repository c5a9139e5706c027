# The demo, run by the test host's /init (or directly on an arm64 KVM host):
# 1. boots the stock Debian kernel under tern with a device tree;
# 2. boots it again through ACPI and injects a memory error over the control
#    socket: the SDEI event arrives, the guest's GHES driver reports it.
GUEST_KERNEL=${GUEST_KERNEL:-/guest/Image}
GUEST_INITRD=${GUEST_INITRD:-/guest/initrd.cpio.gz}
TERN=${TERN:-tern}
TERNCTL=${TERNCTL:-ternctl}
WORK=${WORK:-/tmp/tern-demo}
mkdir -p "$WORK"

if [ "${1:-}" = shell ]; then
	exec "$TERN" run --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" --cpus 2 \
		--cmdline "console=ttyS0 quiet panic=-1 tern.action=shell"
fi

echo "=== 1. tern $($TERN --version | cut -d' ' -f2): the Debian kernel, 2 vCPUs, device tree ==="
start=$(date +%s)
"$TERN" run -v --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" --cpus 2 \
	--cmdline "console=ttyS0 quiet panic=-1 tern.action=demo"
echo "=== tern exited with status $? after $(($(date +%s) - start)) s ==="

echo
echo "=== 2. ACPI boot, then a memory error injected through the control socket ==="
sock=$WORK/demo.sock
in=$WORK/in
out=$WORK/out
rm -f "$sock" "$in" "$out"
mkfifo "$in" "$out"
"$TERN" run --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" --acpi --control "$sock" \
	--cmdline "console=ttyS0 quiet panic=-1 tern.action=ras" <"$in" >"$out" &
pid=$!
exec 3>"$in"
while read -r line; do
	line=$(echo "$line" | tr -d '\r')
	case "$line" in
	*TERN-GUEST-READY*)
		echo "guest is up; events from the control socket:"
		"$TERNCTL" "$sock" watch --event SDEI_EVENT_COMPLETED --count 1 >"$WORK/watch" &
		wpid=$!
		while ! grep -q "# watching" "$WORK/watch" 2>/dev/null; do :; done
		echo "\$ ternctl $sock ras inject memory --address 0x50000000 --severity corrected"
		"$TERNCTL" "$sock" ras inject memory --address 0x50000000 --severity corrected
		wait $wpid
		grep -v "^#" "$WORK/watch" | sed 's/^/  event: /'
		echo "what the guest kernel logged:"
		echo d >&3
		;;
	TERN-GUEST-HWERR-END) echo q >&3 ;;
	TERN-GUEST-HWERR*) echo "  guest: ${line#TERN-GUEST-HWERR }" ;;
	esac
done <"$out"
exec 3>&-
wait $pid
echo "=== tern exited with status $? ==="
