# A guest reset ends tern with the documented status 3; with --reboot the
# guest boots again instead.
. /scenarios/lib.sh

run_guest reset reboot
check reset-exit-3 "PSCI SYSTEM_RESET gives exit 3" rc_is reset 3
check reset-guest-ran "guest booted before resetting" out_has reset "TERN-GUEST-UP"

# --reboot: wait for the second boot on the console, then stop tern with
# SIGTERM (status 128+15). The console is read as it is written, no sleeps.
fifo=$WORK/reboot.fifo
rm -f "$fifo"
mkfifo "$fifo"
timeout 300 "$TERN" run --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" \
	--cmdline "$(guest_cmdline reboot)" --reboot </dev/null >"$fifo" 2>"$WORK/reboot.err" &
pid=$!
boots=0
: >"$WORK/reboot.out"
while read -r line; do
	echo "$line" >>"$WORK/reboot.out"
	case "$line" in *TERN-GUEST-UP*) boots=$((boots + 1)) ;; esac
	if [ $boots -ge 2 ]; then
		kill -TERM $pid
		break
	fi
done <"$fifo"
wait $pid
echo $? >"$WORK/reboot.rc"
check reboot-boots-again "--reboot boots the guest a second time" [ $boots -ge 2 ]
check sigterm-exit-143 "SIGTERM stops tern with status 143" rc_is reboot 143
