# The stock Debian kernel finds tern's SDEI through the DT, and CPU hotplug
# (PSCI CPU_OFF/CPU_ON, which tern handles for SDEI's sake) works.
. /scenarios/lib.sh

run_guest sdei-linux sdei --cpus 2 --memory 192M
check sdei-linux-detected "guest kernel reports SDEI v1.1 from tern (vendor 0x7465726e)" \
	out_has sdei-linux "sdei: SDEIv1.1 (0x7465726e) detected in firmware"
check cpu-hotplug-off "guest takes vCPU 1 offline (PSCI CPU_OFF)" \
	out_has sdei-linux "TERN-GUEST-HOTPLUG-OFF online=0$"
check cpu-hotplug-on "guest brings vCPU 1 back (PSCI CPU_ON)" \
	out_has sdei-linux "TERN-GUEST-HOTPLUG-ON online=0-1$"
check sdei-linux-exit-0 "poweroff after hotplug gives exit 0" rc_is sdei-linux 0

run_guest no-sdei sdei --cpus 2 --memory 192M --no-sdei
check no-sdei-not-advertised "--no-sdei: the guest finds no SDEI" \
	sh -c "! tr -d '\r' <'$WORK/no-sdei.out' | grep -q 'detected in firmware'"
check no-sdei-smp "--no-sdei: 2 vCPUs still come up (PSCI in KVM)" \
	out_has no-sdei "TERN-GUEST-UP cpus=2"

# Once Linux is up, tern's own SDEI state shows every vCPU unmasked (the
# guest's SDEI driver unmasks each CPU as it comes online).
sock=$WORK/sdei-linux.sock
in=$WORK/sdei-state.in
out=$WORK/sdei-state.fifo
rm -f "$in" "$out" "$sock"
mkfifo "$in" "$out"
timeout 300 "$TERN" run --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" --cpus 2 --memory 192M \
	--cmdline "$(guest_cmdline clock)" --control "$sock" <"$in" >"$out" 2>"$WORK/sdei-state.err" &
pid=$!
exec 3>"$in"
: >"$WORK/sdei-state.out"
while read -r line; do
	echo "$line" >>"$WORK/sdei-state.out"
	case "$line" in
	*TERN-GUEST-READY*)
		ternctl --json "$sock" sdei status >"$WORK/sdei-state.json" 2>&1
		echo q >&3
		;;
	esac
done <"$out"
exec 3>&-
wait $pid
unmasked=$(grep -o '"masked": *false' "$WORK/sdei-state.json" | wc -l)
masked=$(grep -o '"masked": *true' "$WORK/sdei-state.json" | wc -l)
LOGS="$WORK/sdei-state.json"
check sdei-linux-unmasked "query-sdei: both vCPUs unmasked by Linux ($unmasked unmasked, $masked masked)" \
	[ "$unmasked" = 2 -a "$masked" = 0 ]
LOGS=
