# The SDEI conformance guest (tests/guest/sdei): a freestanding program that
# calls every SDEI function, takes self-signalled and host-injected events on
# two vCPUs and prints TAP. For the platform events it announces on its
# console what it waits for; this script answers through the control socket
# as soon as the line appears (the console is read through a FIFO, no
# sleeps). Every TAP line becomes one TERN-RESULT named sdei-conformance-N.
#
# Every host signal is watched: `ternctl watch` for SDEI_EVENT_COMPLETED is
# subscribed first (its "# watching" line read from a FIFO), then the event
# is raised, then the completion it reports must name the event and the vCPU
# the guest said would take it: TERN-RESULT sdei-completed-K-EVENT-vcpuM.
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
timeout 300 "$TERN" run --kernel "$SDEI_GUEST" --memory 64M --cpus 2 \
	--sdei-event 100,private,critical --sdei-event 200,shared,normal \
	--control "$sock" </dev/null >"$fifo" 2>"$err" &
pid=$!

# sdei_signal EVENT VCPU: raise an event through the control socket; a
# private event (100) goes to the given vCPU's instance, a shared one (200)
# follows the routing the guest set.
sdei_signal() {
	if [ "$1" = 100 ]; then
		set -- "$1" --vcpu "$2"
	else
		set -- "$1"
	fi
	echo "> ternctl sdei signal $*" >>"$ctl"
	if ! "$TERNCTL" "$sock" sdei signal "$@" >>"$ctl" 2>&1; then
		echo "TERN-LOG sdei: 'ternctl $sock sdei signal $*' failed"
		tail -n 5 "$ctl" | sed "s|^|TERN-LOG sdei.ctl: |"
	fi
}

# watch_begin FD COUNT: starts a watcher for COUNT SDEI_EVENT_COMPLETED
# events whose output arrives on file descriptor FD (through a FIFO), and
# returns once it is subscribed (it printed "# watching"); nonzero if it
# never was.
watch_begin() {
	wf=$WORK/sdei.watch$1
	rm -f "$wf"
	mkfifo "$wf"
	"$TERNCTL" "$sock" watch --event SDEI_EVENT_COMPLETED --count "$2" --timeout 60 \
		>"$wf" 2>>"$ctl" &
	eval "wpid$1=\$!"
	eval "exec $1<\"\$wf\""
	IFS= read -r wl <&"$1" && [ "$wl" = "# watching" ]
}

# watch_end FD: collects the watcher's event lines in $WORK/sdei.watchFD.out
# (it exits after its COUNT events, or at its timeout) and returns its status.
watch_end() {
	: >"$WORK/sdei.watch$1.out"
	while IFS= read -r wl <&"$1"; do
		echo "$wl" >>"$WORK/sdei.watch$1.out"
	done
	eval "exec $1<&-"
	eval "wait \$wpid$1"
}

# completion_is FILE N EVENT VCPU: line N of FILE is a completion (COMPLETE,
# not resumed) of EVENT on VCPU.
completion_is() {
	cl=$(sed -n "$2p" "$1")
	case "$cl" in
	*" SDEI_EVENT_COMPLETED {"*) ;;
	*) return 1 ;;
	esac
	echo "$cl" | grep -Eq "\"event\": ?$3[,}]" &&
		echo "$cl" | grep -Eq "\"vcpu\": ?$4[,}]" &&
		echo "$cl" | grep -Eq '"resumed": ?false[,}]'
}

# completed NAME FILE N EVENT VCPU DETAIL: one TERN-RESULT for it.
completed() {
	if completion_is "$2" "$3" "$4" "$5"; then
		result pass "$1" "$6"
	else
		result fail "$1" "$6: got '$(sed -n "$3p" "$2")'"
		show_log "$2" "$ctl"
	fi
}

signals=0
# watched_signal EVENT VCPU: watch, raise, check the completion.
watched_signal() {
	signals=$((signals + 1))
	name=sdei-completed-$signals-$1-vcpu$2
	watch_begin 4 1 || echo "TERN-LOG sdei: the watcher for $name did not subscribe"
	sdei_signal "$1" "$2"
	watch_end 4 || echo "TERN-LOG sdei: the watcher for $name exited $?"
	completed "$name" "$WORK/sdei.watch4.out" 1 "$1" "$2" \
		"sdei-signal $1 completes on vCPU $2 (SDEI_EVENT_COMPLETED)"
}

# The nesting test: the normal event's handler asks for a critical one, so
# its own completion comes second; its watcher (fd 5) counts both and is
# collected once the critical event was answered.
nest_name=
nest_ev=
nest_vcpu=

cr=$(printf '\r')
plan=
tap=0
: >"$out"
: >"$ctl"
while IFS= read -r line; do
	line=${line%"$cr"}
	echo "$line" >>"$out"
	case "$line" in
	"# tern-sdei: waiting for event "*" on vCPU "*", nesting")
		spec=${line#"# tern-sdei: waiting for event "}
		nest_ev=${spec%% *}
		nest_vcpu=${spec#* on vCPU }
		nest_vcpu=${nest_vcpu%%,*}
		signals=$((signals + 1))
		nest_name=sdei-completed-$signals-$nest_ev-vcpu$nest_vcpu-nested
		watch_begin 5 2 || echo "TERN-LOG sdei: the watcher for $nest_name did not subscribe"
		sdei_signal "$nest_ev" "$nest_vcpu"
		;;
	"# tern-sdei: waiting for event "*" on vCPU "*)
		spec=${line#"# tern-sdei: waiting for event "}
		watched_signal "${spec%% *}" "${spec#* on vCPU }"
		;;
	"# tern-sdei: in normal handler, waiting for event "*" on vCPU "*)
		spec=${line#"# tern-sdei: in normal handler, waiting for event "}
		ev=${spec%% *}
		vcpu=${spec#* on vCPU }
		watched_signal "$ev" "$vcpu"
		if [ -n "$nest_name" ]; then
			watch_end 5 || echo "TERN-LOG sdei: the watcher for $nest_name exited $?"
			completed "$nest_name-first" "$WORK/sdei.watch5.out" 1 "$ev" "$vcpu" \
				"the critical event $ev inside $nest_ev's handler completes first"
			completed "$nest_name" "$WORK/sdei.watch5.out" 2 "$nest_ev" "$nest_vcpu" \
				"sdei-signal $nest_ev completes on vCPU $nest_vcpu after the nested $ev"
			nest_name=
		fi
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
if [ -n "$nest_name" ]; then
	watch_end 5
	result fail "$nest_name" "the guest never asked for the nested event"
fi
if [ "$signals" = 6 ]; then
	result pass sdei-host-signals "the guest asked for 6 host signals"
else
	result fail sdei-host-signals "the guest asked for $signals host signals, not 6"
fi

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
