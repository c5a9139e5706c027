# The QMP control socket with a real guest: pause/resume (the guest's clock
# holds still while paused), many clients and bad clients, metrics, the
# power button, quit.
. /scenarios/lib.sh

sock=$WORK/ctl.sock
in=$WORK/clock.in
out=$WORK/clock.fifo
rm -f "$in" "$out" "$sock"
mkfifo "$in" "$out"
timeout 300 "$TERN" run --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" \
	--cmdline "$(guest_cmdline clock)" --control "$sock" <"$in" >"$out" 2>"$WORK/clock.err" &
pid=$!
exec 3>"$in"
: >"$WORK/clock.out"
step=0
t1=
t2=
while read -r line; do
	line=$(echo "$line" | tr -d '\r')
	echo "$line" >>"$WORK/clock.out"
	case "$line" in
	*TERN-GUEST-READY*)
		watch_events "$sock" STOP 1 "$WORK/watch-stop.out"
		echo t >&3
		;;
	TERN-GUEST-UPTIME*)
		if [ $step = 0 ]; then
			t1=${line#TERN-GUEST-UPTIME }
			ternctl "$sock" pause
			ternctl "$sock" status >"$WORK/status-paused.out" 2>&1
			wait $wpid
			echo $? >"$WORK/watch-stop.rc"
			# Paused for 3 host seconds: the interval under test, not a wait
			# for something to happen.
			sleep 3
			ternctl "$sock" resume
			ternctl "$sock" status >"$WORK/status-running.out" 2>&1
			step=1
			echo t >&3
		else
			t2=${line#TERN-GUEST-UPTIME }
			# 50 clients at once, a garbage client, one that hangs up
			# mid-message: all while the guest runs.
			i=0
			while [ $i -lt 50 ]; do
				ternctl "$sock" status >"$WORK/many-$i.out" 2>&1 &
				i=$((i + 1))
			done
			ternctl "$sock" raw 'this is not json' >"$WORK/garbage.out" 2>&1
			echo $? >"$WORK/garbage.rc"
			ternctl --timeout 1 "$sock" raw '{"execute": "qmp_capab' >/dev/null 2>&1
			wait_all=0
			for j in $(jobs -p); do [ "$j" != "$pid" ] && wait "$j"; done
			ternctl "$sock" status >"$WORK/after-bad.out" 2>&1
			ternctl --json "$sock" metrics >"$WORK/metrics.out" 2>&1
			ternctl "$sock" cpus >"$WORK/cpus.out" 2>&1
			watch_events "$sock" SHUTDOWN 1 "$WORK/watch-quit.out"
			ternctl "$sock" quit
			wait $wpid
		fi
		;;
	esac
done <"$out"
exec 3>&-
wait $pid
echo $? >"$WORK/clock.rc"

check pause-status "query-status says paused while paused" grep -qx paused "$WORK/status-paused.out"
check pause-stop-event "a STOP event reaches a watching client" \
	sh -c "grep -q ' STOP' '$WORK/watch-stop.out' && [ \"\$(cat '$WORK/watch-stop.rc')\" = 0 ]"
check resume-status "query-status says running after resume" grep -qx running "$WORK/status-running.out"
delta=$(awk -v a="$t1" -v b="$t2" 'BEGIN { if (a == "" || b == "") print "none"; else print b - a }')
check pause-clock-held "guest uptime advanced ${delta}s across a 3s pause (must be < 1.5s)" \
	awk -v d="$delta" 'BEGIN { exit !(d != "none" && d < 1.5) }'
ok=0
i=0
while [ $i -lt 50 ]; do
	grep -qx running "$WORK/many-$i.out" && ok=$((ok + 1))
	i=$((i + 1))
done
check fifty-clients "50 clients at once all answered ($ok/50)" [ $ok = 50 ]
check garbage-client "a garbage command gets an error" sh -c "[ \"\$(cat '$WORK/garbage.rc')\" != 0 ]"
check bad-clients-harmless "the VM and other clients carry on after garbage and hang-ups" \
	grep -qx running "$WORK/after-bad.out"
check metrics "query-metrics counts the guest's MMIO exits" \
	sh -c "tr -d ' \n' <'$WORK/metrics.out' | grep -Eq '\"mmio\":[1-9]'"
check cpus "query-cpus-fast lists the vCPU with its thread" grep -q "^ *0 " "$WORK/cpus.out"
check quit-exit-0 "quit stops tern with status 0" rc_is clock 0
check quit-shutdown-event "quit sends SHUTDOWN (host-qmp-quit)" grep -q "host-qmp-quit" "$WORK/watch-quit.out"
check socket-removed "the control socket is removed on exit" [ ! -e "$sock" ]

# A second tern on a live socket is refused.
rm -f "$in" "$out"
mkfifo "$in" "$out"
timeout 300 "$TERN" run --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" \
	--cmdline "$(guest_cmdline powerbutton)" --control "$sock" </dev/null >"$out" 2>"$WORK/pwr.err" &
pid=$!
: >"$WORK/pwr.out"
while read -r line; do
	line=$(echo "$line" | tr -d '\r')
	echo "$line" >>"$WORK/pwr.out"
	case "$line" in
	*TERN-GUEST-READY*)
		"$TERN" run --kernel "$GUEST_KERNEL" --control "$sock" </dev/null >/dev/null 2>"$WORK/second.err"
		echo $? >"$WORK/second.rc"
		watch_events "$sock" SHUTDOWN 1 "$WORK/watch-pwr.out"
		ternctl "$sock" shutdown
		;;
	esac
done <"$out"
wait $pid
echo $? >"$WORK/pwr.rc"
wait $wpid
check live-socket-refused "a second tern on a live control socket is refused" \
	sh -c "grep -q 'in use' '$WORK/second.err' && [ \"\$(cat '$WORK/second.rc')\" = 1 ]"
check powerdown-guest "system_powerdown: the guest sees its power button" \
	out_has pwr "TERN-GUEST-POWER-BUTTON"
check powerdown-exit-0 "system_powerdown: the guest shuts down and tern exits 0" rc_is pwr 0
check powerdown-shutdown-event "system_powerdown: SHUTDOWN with guest true" \
	grep -q '"guest": *true' "$WORK/watch-pwr.out"
