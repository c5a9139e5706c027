# The seccomp filters: every other scenario already runs under them (enforce
# is the default); here a forbidden syscall on each thread role kills tern
# with a message naming it, and log mode lets it through.
. /scenarios/lib.sh

for role in vcpu vmm; do
	TERN_TEST_SECCOMP_TRIGGER=$role run_guest "seccomp-$role" poweroff
	check "seccomp-kill-$role" "a forbidden syscall on the $role thread kills tern (status 159)" \
		rc_is "seccomp-$role" 159
	check "seccomp-message-$role" "the message names the thread role and the syscall" \
		err_has "seccomp-$role" "seccomp: thread $role made forbidden syscall .* (getppid)"
done

dmesg -c >/dev/null 2>&1
TERN_TEST_SECCOMP_TRIGGER=vcpu run_guest seccomp-log poweroff --seccomp log
check seccomp-log-runs "--seccomp=log lets the forbidden call through; the guest runs to poweroff" \
	rc_is seccomp-log 0
dmesg >"$WORK/seccomp-log.dmesg"
LOGS="$WORK/seccomp-log.dmesg"
check seccomp-log-audit "--seccomp=log: the kernel logs the call" \
	grep -q "syscall=173" "$WORK/seccomp-log.dmesg"
LOGS=

run_guest seccomp-off poweroff --seccomp off
check seccomp-off-warns "--seccomp=off works and warns" \
	sh -c "[ \"\$(cat '$WORK/seccomp-off.rc')\" = 0 ] && grep -q 'development only' '$WORK/seccomp-off.err'"
