# Bad arguments and bad files give one clear line and a non-zero status.
. /scenarios/lib.sh

# expect_error NAME STATUS PATTERN tern-args...
expect_error() {
	name=$1
	want=$2
	pattern=$3
	shift 3
	"$TERN" "$@" </dev/null >"$WORK/$name.out" 2>"$WORK/$name.err"
	echo $? >"$WORK/$name.rc"
	if rc_is "$name" "$want" && err_has "$name" "$pattern"; then
		result pass "$name" "status $want, '$pattern'"
	else
		result fail "$name" "wanted status $want and '$pattern', got $(cat "$WORK/$name.rc")"
		show_log "$WORK/$name.err"
	fi
}

expect_error err-no-command 2 "no command given"
expect_error err-no-kernel 2 "no kernel given" run
expect_error err-unknown-flag 2 "unknown option '--bogus'" run --kernel "$GUEST_KERNEL" --bogus
expect_error err-cpus-zero 2 "--cpus wants a number from 1 to 64" run --kernel "$GUEST_KERNEL" --cpus 0
expect_error err-memory-syntax 2 "--memory wants a size" run --kernel "$GUEST_KERNEL" --memory lots
expect_error err-memory-tiny 2 "too little" run --kernel "$GUEST_KERNEL" --memory 1M
expect_error err-missing-kernel 1 "cannot open kernel '/nonexistent'" run --kernel /nonexistent
head -c 4096 /dev/zero >"$WORK/zeros"
expect_error err-not-image 1 "not an arm64 Linux Image" run --kernel "$WORK/zeros"
expect_error err-elf-kernel 1 "kernel is an ELF file" run --kernel "$(command -v "$TERN")"
expect_error err-gzip-kernel 1 "gzip-compressed" run --kernel "$GUEST_INITRD"
expect_error err-kernel-too-big 1 "too small for this kernel" run --kernel "$GUEST_KERNEL" --memory 32M
expect_error err-missing-initrd 1 "cannot open initrd '/nope'" run --kernel "$GUEST_KERNEL" --initrd /nope
echo '{"cpus": "two"}' >"$WORK/bad.json"
expect_error err-config-type 2 "\"cpus\" must be an integer" run --config "$WORK/bad.json"
echo '{"kernel": ' >"$WORK/broken.json"
expect_error err-config-syntax 2 "broken.json:" run --config "$WORK/broken.json"

"$TERN" --help >"$WORK/help.out" 2>&1
missing=
for f in --kernel --initrd --cmdline --cpus --memory --gic --acpi --disk --net --rng \
	--control --qmp --sdei-event --no-sdei --seccomp --jail --uid --gid --jail-net --config \
	--reboot --verbose --help; do
	grep -q -- "$f" "$WORK/help.out" || missing="$missing $f"
done
check help-text "--help lists every run flag and the exit codes (missing:${missing:- none})" \
	sh -c "[ -z '$missing' ] && grep -q 'exit status' '$WORK/help.out' && grep -q 159 '$WORK/help.out'"
"$TERN" --version >"$WORK/version.out" 2>&1
check version "--version prints the version" grep -q "^tern [0-9]" "$WORK/version.out"

# GICv2 cannot run here (this host's KVM has only vGICv3): check the error is
# clear, and report the v2 boot itself as skipped, not passed.
run_guest gicv2 poweroff --gic v2
if rc_is gicv2 0 && out_has gicv2 "TERN-GUEST-UP"; then
	result pass gicv2-boot "booted with GICv2"
elif err_has gicv2 "cannot create an in-kernel GIC"; then
	result skip gicv2-boot "host KVM has no vGICv2 (only vGICv3 in the emulated test host)"
else
	result fail gicv2-boot "neither a GICv2 boot nor a clear error"
	show_log "$WORK/gicv2.err"
fi
