# The demo, run by the test host's /init (or directly on an arm64 KVM host):
# boots the stock Debian kernel under tern and shows what the guest prints.
GUEST_KERNEL=${GUEST_KERNEL:-/guest/Image}
GUEST_INITRD=${GUEST_INITRD:-/guest/initrd.cpio.gz}
TERN=${TERN:-tern}
action=demo
[ "${1:-}" = shell ] && action=shell
echo "=== tern $($TERN --version | cut -d' ' -f2): booting $GUEST_KERNEL with 2 vCPUs ==="
start=$(date +%s)
"$TERN" run -v --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" --cpus 2 \
	--cmdline "console=ttyS0 quiet panic=-1 tern.action=$action"
rc=$?
echo "=== tern exited with status $rc after $(($(date +%s) - start)) s ==="
