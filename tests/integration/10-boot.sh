# Boot to init with 1 and 2 vCPUs; the guest reports the CPUs it sees and
# powers off, which must end tern with status 0.
. /scenarios/lib.sh

run_guest boot-1cpu poweroff --cpus 1
check boot-1cpu "guest reports cpus=1" out_has boot-1cpu "TERN-GUEST-UP cpus=1 online=0$"
check poweroff-exit-0 "PSCI SYSTEM_OFF gives exit 0" rc_is boot-1cpu 0

run_guest boot-2cpu poweroff --cpus 2 --memory 192M
check boot-2cpu "guest reports cpus=2" out_has boot-2cpu "TERN-GUEST-UP cpus=2 online=0-1"
check boot-2cpu-exit-0 "exit 0 after poweroff with 2 vCPUs" rc_is boot-2cpu 0
