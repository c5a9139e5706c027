# The hostile guest (tests/guest/hostile): a freestanding program that acts
# as a malicious guest (random MMIO of every size into every device window
# and unmapped space, virtio drivers with rings outside RAM and broken
# descriptor chains, random SDEI calls, PSCI junk, and finally vCPU 1
# powered on at address 0 where it faults forever) under tern's default
# seccomp policy. Each of the guest's TAP lines becomes TERN-RESULT
# hostile-N; then tern must have exited 0 after the guest's SYSTEM_OFF, the
# guest must report its survival, tern's stderr must stay within what its
# rate limiters allow, and the disk must be byte for byte what it was (the
# guest's junk never forms a valid write request: see virtio.c).
. /scenarios/lib.sh

HOSTILE_GUEST=${HOSTILE_GUEST:-/guest/hostile.bin}
out=$WORK/hostile.out
err=$WORK/hostile.err
img=$WORK/hostile.img
ref=$WORK/hostile.ref

if [ ! -f "$HOSTILE_GUEST" ]; then
	result skip hostile "no $HOSTILE_GUEST in the test host"
	exit 0
fi

# A 1 MiB image of a known 16-byte pattern, and a reference copy.
printf 'tern-hostile-85\n' >"$ref"
i=0
while [ "$i" -lt 16 ]; do
	cat "$ref" "$ref" >"$ref.tmp"
	mv "$ref.tmp" "$ref"
	i=$((i + 1))
done
cp "$ref" "$img"
ref_sum=$(md5sum <"$ref")
ref_size=$(wc -c <"$ref")

t0=$(date +%s)
timeout 300 "$TERN" run --kernel "$HOSTILE_GUEST" --memory 64M --cpus 2 \
	--disk "$img" --rng </dev/null >"$out" 2>"$err"
rc=$?
t1=$(date +%s)

cr=$(printf '\r')
tap=0
plan=
while IFS= read -r line; do
	line=${line%"$cr"}
	case "$line" in
	1..*)
		plan=${line#1..}
		;;
	"not ok "*)
		n=${line#not ok }
		n=${n%% *}
		tap=$((tap + 1))
		result fail "hostile-$n" "${line#not ok "$n" - }"
		;;
	"ok "*)
		n=${line#ok }
		n=${n%% *}
		tap=$((tap + 1))
		result pass "hostile-$n" "${line#ok "$n" - }"
		;;
	"Bail out!"*)
		echo "TERN-LOG hostile: guest: $line"
		;;
	esac
done <"$out"
tr -d '\r' <"$out" | grep '^# hostile:' | sed 's/^/TERN-LOG hostile: /'

if [ -n "$plan" ] && [ "$tap" = "$plan" ]; then
	result pass hostile-plan "$tap TAP results, as planned"
else
	result fail hostile-plan "$tap TAP results, plan '${plan:-none}'"
fi

case "$rc" in
0) result pass hostile-exit-0 "tern exits 0 after the guest's SYSTEM_OFF ($((t1 - t0)) s)" ;;
124) result fail hostile-exit-0 "tern still ran after 300 s" ;;
*)
	if [ "$rc" -gt 128 ]; then
		result fail hostile-exit-0 "tern died of signal $((rc - 128))"
	else
		result fail hostile-exit-0 "tern exited $rc"
	fi
	show_log "$out" "$err"
	;;
esac

if grep -q '^# hostile: survived [0-9]* operations' "$out" && ! grep -q '^Bail out!' "$out"; then
	result pass hostile-survived "$(grep '^# hostile: survived' "$out" | tr -d '\r')"
else
	result fail hostile-survived "no survival line (or a bail-out) on the guest's console"
	show_log "$out"
fi

# Rate limits: each limiter prints at most 10 lines per 5 s window plus one
# "N similar messages suppressed". Five limiters (unmapped MMIO, virtio
# transport, virtio-blk, hypercalls, virtio-net) bound what a run this long
# may print; without the limiter it would be thousands of lines.
lines=$(wc -l <"$err")
bound=$((5 * ((t1 - t0) / 5 + 2) * 11 + 10))
if [ "$lines" -le "$bound" ]; then
	result pass hostile-stderr-bounded "$lines lines of stderr in $((t1 - t0)) s (at most $bound)"
else
	result fail hostile-stderr-bounded "$lines lines of stderr in $((t1 - t0)) s, more than $bound"
	show_log "$err"
fi
if grep -v '^tern: warning: ' "$err" | grep -q '^tern: error: \|^[^t]'; then
	result fail hostile-stderr-warnings "stderr holds more than warnings and information"
	grep -v '^tern: warning: ' "$err" | head -n 10 | sed 's/^/TERN-LOG hostile.err: /'
else
	result pass hostile-stderr-warnings "stderr holds only warnings and information lines"
fi
sort "$err" | sed 's/0x[0-9a-f]*/0x?/g; s/[0-9][0-9]*/N/g' | uniq -c | sed 's/^/TERN-LOG hostile.err: /'

if [ "$(wc -c <"$img")" = "$ref_size" ] && [ "$(md5sum <"$img")" = "$ref_sum" ]; then
	result pass hostile-disk-unchanged "the disk image is byte for byte its known pattern"
else
	result fail hostile-disk-unchanged "the disk image changed ($(wc -c <"$img") bytes)"
fi
