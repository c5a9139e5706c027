# The guest console takes input, and guest MMIO to unmapped addresses is
# logged and ignored, never fatal.
. /scenarios/lib.sh

run_guest mmio mmio
check mmio-unmapped-survives "guest pokes unmapped MMIO and powers off normally" \
	sh -c "grep -q TERN-GUEST-MMIO-SURVIVED '$WORK/mmio.out' && [ \"\$(cat '$WORK/mmio.rc')\" = 0 ]"
check mmio-unmapped-logged "tern logs the unmapped access" err_has mmio "unmapped 0xc000000 ignored"

# Console input: send a line once the guest says it is reading.
in=$WORK/read.in
out=$WORK/read.fifo
rm -f "$in" "$out"
mkfifo "$in" "$out"
timeout 300 "$TERN" run --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" \
	--cmdline "$(guest_cmdline read)" <"$in" >"$out" 2>"$WORK/read.err" &
pid=$!
exec 3>"$in"
: >"$WORK/read.out"
while read -r line; do
	echo "$line" >>"$WORK/read.out"
	case "$line" in *TERN-GUEST-READY*) echo "hello from the host" >&3 ;; esac
done <"$out"
exec 3>&-
wait $pid
echo $? >"$WORK/read.rc"
check console-input "guest reads a line typed on tern's stdin" \
	out_has read "TERN-GUEST-GOT hello from the host"
