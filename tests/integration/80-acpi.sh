# ACPI boot without firmware: the stock Debian kernel finds EFI, ACPI, SDEI
# and HEST; memory and ARM processor errors injected through the control
# socket reach its GHES driver; the read-ack handshake holds.
. /scenarios/lib.sh

run_guest acpi-boot acpi --acpi --cpus 2 --memory 256M
tables=$(tr -d '\r' <"$WORK/acpi-boot.out" | grep "TERN-GUEST-ACPI-TABLES")
for t in APIC DSDT FACP GTDT HEST PPTT SDEI SPCR; do
	check "acpi-table-$t" "the guest lists ACPI table $t" sh -c "echo '$tables' | grep -qw $t"
done
check acpi-efi "the guest boots through tern's EFI stub" out_has acpi-boot "efi: EFI v2.7 by tern"
check acpi-sdei "SDEI found through the ACPI SDEI table" out_has acpi-boot "sdei: SDEIv1.1 (0x7465726e) detected"
check acpi-ghes-osc "WHEA _OSC grants firmware-first" out_has acpi-boot "APEI firmware first mode is enabled by WHEA _OSC"
check acpi-ghes-probe "the GHES driver binds both RAS sources" out_has acpi-boot "TERN-GUEST-GHES 2"
check acpi-smp "2 vCPUs come up from the MADT" out_has acpi-boot "TERN-GUEST-UP cpus=2"
check acpi-exit-0 "ACPI guest powers off, exit 0" rc_is acpi-boot 0

# RAS: inject, read the guest's report; the handshake is checked by pausing
# the guest so it cannot acknowledge in between.
sock=$WORK/ras.sock
in=$WORK/ras.in
out=$WORK/ras.fifo
rm -f "$in" "$out" "$sock"
mkfifo "$in" "$out"
timeout 300 "$TERN" run --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" --acpi \
	--cmdline "$(guest_cmdline ras)" --control "$sock" <"$in" >"$out" 2>"$WORK/ras.err" &
pid=$!
exec 3>"$in"
: >"$WORK/ras.out"
phase=0
while read -r line; do
	line=$(echo "$line" | tr -d '\r')
	echo "$line" >>"$WORK/ras.out"
	case "$line" in
	*TERN-GUEST-READY*)
		watch_events "$sock" SDEI_EVENT_COMPLETED 1 "$WORK/ras-watch1.out"
		ternctl "$sock" ras inject memory --address 0x50000000 --severity corrected \
			>"$WORK/inj1.out" 2>&1
		echo $? >"$WORK/inj1.rc"
		wait $wpid
		# Paused: the guest cannot acknowledge, a second record must wait.
		ternctl "$sock" pause
		ternctl "$sock" ras inject memory --address 0x51000000 --severity corrected \
			>"$WORK/inj2.out" 2>&1
		echo $? >"$WORK/inj2.rc"
		ternctl "$sock" ras inject memory --address 0x52000000 --severity corrected \
			>"$WORK/inj3.out" 2>&1
		echo $? >"$WORK/inj3.rc"
		watch_events "$sock" SDEI_EVENT_COMPLETED 1 "$WORK/ras-watch2.out"
		ternctl "$sock" resume
		wait $wpid
		ternctl "$sock" ras inject memory --address 0x53000000 --severity corrected \
			>"$WORK/inj4.out" 2>&1
		echo $? >"$WORK/inj4.rc"
		# The critical-priority source, and an ARM processor error.
		watch_events "$sock" SDEI_EVENT_COMPLETED 2 "$WORK/ras-watch3.out"
		ternctl "$sock" ras inject memory --address 0x54000000 --severity recoverable --source 1 \
			>"$WORK/inj5.out" 2>&1
		echo $? >"$WORK/inj5.rc"
		# Recoverable: the guest rate-limits corrected reports to 2 per 5 s.
		ternctl "$sock" ras inject arm --severity recoverable --mpidr 0x80000000 >"$WORK/inj6.out" 2>&1
		echo $? >"$WORK/inj6.rc"
		wait $wpid
		ternctl "$sock" ras inject memory --address 0x1000 --source 7 >"$WORK/inj7.out" 2>&1
		echo $? >"$WORK/inj7.rc"
		echo d >&3
		;;
	*TERN-GUEST-HWERR-END*) echo q >&3 ;;
	esac
done <"$out"
exec 3>&-
wait $pid
echo $? >"$WORK/ras.rc"
LOGS="$WORK/ras.out $WORK/ras.err $WORK/inj1.out $WORK/inj2.out $WORK/inj3.out"
check ras-inject-ok "an injected memory error is accepted" rc_is inj1 0
check ras-completed-event "the guest's GHES handler completes the SDEI event" \
	grep -q "SDEI_EVENT_COMPLETED" "$WORK/ras-watch1.out"
check ras-guest-report "the guest logs a [Hardware Error] from source 0" \
	grep -q "Hardware error from APEI Generic Hardware Error Source: 0" "$WORK/ras.out"
check ras-memory-section "the report is a memory error section" \
	grep -q "section_type: memory error" "$WORK/ras.out"
check ras-physical-address "the report has the injected physical address" \
	grep -q "physical_address: 0x0000000050000000" "$WORK/ras.out"
check ras-second-posted "while paused, a first new record is posted" rc_is inj2 0
check ras-second-refused "a further record before the guest's ack is refused" \
	sh -c "[ \"\$(cat '$WORK/inj3.rc')\" = 1 ] && grep -q 'not acknowledged' '$WORK/inj3.out'"
check ras-after-ack "after the guest acknowledged, injection works again" rc_is inj4 0
check ras-second-report "the record posted while paused reaches the guest after resume" \
	grep -q "physical_address: 0x0000000051000000" "$WORK/ras.out"
check ras-critical-source "the critical-priority source (1) reaches the guest" \
	grep -q "Hardware error from APEI Generic Hardware Error Source: 1" "$WORK/ras.out"
check ras-arm-section "an ARM processor error is reported as such" \
	grep -q "section_type: ARM processor error" "$WORK/ras.out"
check ras-bad-source "an unknown source is a clear error" \
	sh -c "[ \"\$(cat '$WORK/inj7.rc')\" = 1 ] && grep -q 'no such RAS error source' '$WORK/inj7.out'"
check ras-exit-0 "the RAS guest powers off, exit 0" rc_is ras 0
LOGS=

# QEMU's inject-ghes-v2-error with a raw record from a file (ternctl ras
# inject cper FILE): a Generic Error Status Block with one memory error
# section, recoverable, physical address 0x55000000 (172 bytes, as tern's
# own CPER builder writes it). A fresh guest: the guest rate-limits reports.
printf '\x11\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x98\x00\x00\x00\x00\x00\x00\x00\x14\x11\xbc\xa5\x64\x6f\xde\x4e\xb8\x63\x3e\x83\xed\x7c\x83\xb1\x00\x00\x00\x00\x00\x03\x00\x01\x50\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x40\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x55\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00' >"$WORK/error.cper"
sock=$WORK/cper.sock
in=$WORK/cper.in
out=$WORK/cper.fifo
rm -f "$in" "$out" "$sock"
mkfifo "$in" "$out"
timeout 300 "$TERN" run --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" --acpi \
	--cmdline "$(guest_cmdline ras)" --control "$sock" <"$in" >"$out" 2>"$WORK/cper.err" &
pid=$!
exec 3>"$in"
: >"$WORK/cper.out"
while read -r line; do
	line=$(echo "$line" | tr -d '\r')
	echo "$line" >>"$WORK/cper.out"
	case "$line" in
	*TERN-GUEST-READY*)
		watch_events "$sock" SDEI_EVENT_COMPLETED 1 "$WORK/cper-watch.out"
		ternctl "$sock" ras inject cper "$WORK/error.cper" >"$WORK/cper-inj.out" 2>&1
		echo $? >"$WORK/cper-inj.rc"
		wait $wpid
		echo d >&3
		;;
	*TERN-GUEST-HWERR-END*) echo q >&3 ;;
	esac
done <"$out"
exec 3>&-
wait $pid
echo $? >"$WORK/cper.rc"
LOGS="$WORK/cper.out $WORK/cper.err $WORK/cper-inj.out"
check cper-file-accepted "inject-ghes-v2-error with a record from a file is accepted" rc_is cper-inj 0
check cper-file-report "the guest reports the raw record's memory error at 0x55000000" \
	grep -q "physical_address: 0x0000000055000000" "$WORK/cper.out"
check cper-file-exit-0 "the guest powers off, exit 0" rc_is cper 0
LOGS=

# The ACPI power button (GED + PNP0C0C from the static SSDT): system_powerdown
# makes the guest shut down.
sock=$WORK/acpi-pwr.sock
out=$WORK/acpi-pwr.fifo
rm -f "$out" "$sock"
mkfifo "$out"
timeout 300 "$TERN" run --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" --acpi \
	--cmdline "$(guest_cmdline powerbutton)" --control "$sock" </dev/null >"$out" 2>"$WORK/acpi-pwr.err" &
pid=$!
: >"$WORK/acpi-pwr.out"
while read -r line; do
	echo "$line" >>"$WORK/acpi-pwr.out"
	case "$line" in *TERN-GUEST-READY*) ternctl "$sock" shutdown ;; esac
done <"$out"
wait $pid
echo $? >"$WORK/acpi-pwr.rc"
check acpi-powerbutton-input "ACPI: the guest has a Power Button input device" \
	out_has acpi-pwr "TERN-GUEST-READY input=/dev/input/event"
check acpi-powerdown "ACPI: system_powerdown reaches the guest as its power button" \
	out_has acpi-pwr "TERN-GUEST-POWER-BUTTON"
check acpi-powerdown-exit-0 "ACPI: the guest shuts down, tern exits 0" rc_is acpi-pwr 0
