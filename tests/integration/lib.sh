# Helpers for integration scenarios. Sourced by busybox sh inside the arm64
# test host (or by sh on a real arm64 host). A scenario reports each result
# as one line: TERN-RESULT pass|fail|skip NAME [detail].

GUEST_KERNEL=${GUEST_KERNEL:-/guest/Image}
GUEST_INITRD=${GUEST_INITRD:-/guest/initrd.cpio.gz}
TERN=${TERN:-tern}
WORK=${WORK:-/tmp/tern-it}
mkdir -p "$WORK"

result() {
	echo "TERN-RESULT $1 $2 ${3:-}"
}

# Shows the end of a failed run's output, so the CI log says why.
show_log() {
	for f in "$@"; do
		[ -f "$f" ] || continue
		tail -n 15 "$f" | sed "s|^|TERN-LOG ${f##*/}: |"
	done
}

guest_cmdline() {
	echo "console=ttyS0 quiet panic=-1 tern.action=$1"
}

# run_guest NAME ACTION [tern flags...]: boots the test guest to completion;
# leaves $WORK/NAME.out (console), .err (tern's messages), .rc (exit status).
run_guest() {
	name=$1
	action=$2
	shift 2
	timeout 300 "$TERN" run --kernel "$GUEST_KERNEL" --initrd "$GUEST_INITRD" \
		--cmdline "$(guest_cmdline "$action")" "$@" \
		</dev/null >"$WORK/$name.out" 2>"$WORK/$name.err"
	echo $? >"$WORK/$name.rc"
}

# check NAME DETAIL COMMAND...: passes when COMMAND succeeds. On failure it
# shows $WORK/NAME.out/.err and any files named in $LOGS.
check() {
	name=$1
	detail=$2
	shift 2
	if "$@"; then
		result pass "$name" "$detail"
	else
		result fail "$name" "$detail"
		show_log "$WORK/$name.out" "$WORK/$name.err" ${LOGS:-}
	fi
}

rc_is() {
	[ "$(cat "$WORK/$1.rc")" = "$2" ]
}

# The guest's tty writes \r\n line ends: match on lines without the \r.
out_has() {
	tr -d '\r' <"$WORK/$1.out" | grep -q -- "$2"
}

err_has() {
	grep -q -- "$2" "$WORK/$1.err"
}

# watch_events SOCK EVENT COUNT OUT: runs `ternctl watch` in the background
# and returns once it is subscribed (its "# watching" line), so no event is
# missed; its pid is in $wpid. Returns early if the watcher dies instead.
watch_events() {
	ternctl "$1" watch --event "$2" --count "$3" >"$4" 2>&1 &
	wpid=$!
	while ! grep -q "# watching" "$4" 2>/dev/null && kill -0 $wpid 2>/dev/null; do :; done
}
