# The SDEI conformance guest (tests/guest/sdei): a freestanding program that
# calls every SDEI function, takes self-signalled and host-injected events and
# prints TAP. For the platform events it announces on its console what it
# waits for; this script answers through the control socket as soon as the
# line appears (the console is read through a FIFO, no sleeps). Every TAP
# line becomes one TERN-RESULT named sdei-conformance-N.
. /scenarios/lib.sh

SDEI_GUEST=${SDEI_GUEST:-/guest/sdei-conformance.bin}
TERNCTL=${TERNCTL:-ternctl}
sock=$WORK/sdei.sock
fifo=$WORK/sdei.fifo
out=$WORK/sdei.out
err=$WORK/sdei.err
ctl=$WORK/sdei.ctl

if [ ! -f "$SDEI_GUEST" ]; then
	result skip sdei-conformance "no $SDEI_GUEST in the test host"
	exit 0
fi

rm -f "$fifo" "$sock"
mkfifo "$fifo"
timeout 300 "$TERN" run --kernel "$SDEI_GUEST" --memory 64M \
	--sdei-event 100,private,critical --sdei-event 200,shared,normal \
	--control "$sock" </dev/null >"$fifo" 2>"$err" &
pid=$!

# sdei_signal ARGS...: raise an event through the control socket.
sdei_signal() {
	echo "> ternctl sdei signal $*" >>"$ctl"
	if ! "$TERNCTL" "$sock" sdei signal "$@" >>"$ctl" 2>&1; then
		echo "TERN-LOG sdei: 'ternctl $sock sdei signal $*' failed"
		tail -n 5 "$ctl" | sed "s|^|TERN-LOG sdei.ctl: |"
	fi
}

cr=$(printf '\r')
plan=
tap=0
: >"$out"
: >"$ctl"
while IFS= read -r line; do
	line=${line%"$cr"}
	echo "$line" >>"$out"
	case "$line" in
	"# tern-sdei: waiting for event 200")
		sdei_signal 200
		;;
	"# tern-sdei: in normal handler, waiting for event 100")
		sdei_signal 100 --vcpu 0
		;;
	1..*)
		plan=${line#1..}
		;;
	"not ok "*)
		n=${line#not ok }
		n=${n%% *}
		tap=$((tap + 1))
		result fail "sdei-conformance-$n" "${line#not ok "$n" - }"
		;;
	"ok "*"# SKIP"*)
		n=${line#ok }
		n=${n%% *}
		tap=$((tap + 1))
		result skip "sdei-conformance-$n" "${line#*# SKIP }"
		;;
	"ok "*)
		n=${line#ok }
		n=${n%% *}
		tap=$((tap + 1))
		result pass "sdei-conformance-$n" "${line#ok "$n" - }"
		;;
	"Bail out!"*)
		echo "TERN-LOG sdei: guest: $line"
		;;
	esac
done <"$fifo"
wait $pid
rc=$?

if grep -q '^# tern-sdei-conformance: passed [0-9]* failed 0$' "$out"; then
	result pass sdei-conformance-summary "the guest reports failed 0"
else
	result fail sdei-conformance-summary \
		"$(grep '^# tern-sdei-conformance:' "$out" || echo 'no summary line')"
	show_log "$out" "$err" "$ctl"
fi
if [ -n "$plan" ] && [ "$tap" = "$plan" ]; then
	result pass sdei-conformance-plan "$tap TAP results, as planned"
else
	result fail sdei-conformance-plan "$tap TAP results, plan '${plan:-none}'"
fi
if [ "$rc" = 0 ]; then
	result pass sdei-conformance-exit-0 "tern exits 0 after the guest's SYSTEM_OFF"
else
	result fail sdei-conformance-exit-0 "tern exited $rc"
	show_log "$err"
fi
