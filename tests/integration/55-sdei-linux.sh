# The stock Debian kernel finds tern's SDEI through the DT, and CPU hotplug
# (PSCI CPU_OFF/CPU_ON, which tern handles for SDEI's sake) works.
. /scenarios/lib.sh

run_guest sdei-linux sdei --cpus 2 --memory 192M
check sdei-linux-detected "guest kernel reports SDEI v1.1 from tern (vendor 0x7465726e)" \
	out_has sdei-linux "sdei: SDEIv1.1 (0x7465726e) detected in firmware"
check cpu-hotplug-off "guest takes vCPU 1 offline (PSCI CPU_OFF)" \
	out_has sdei-linux "TERN-GUEST-HOTPLUG-OFF online=0$"
check cpu-hotplug-on "guest brings vCPU 1 back (PSCI CPU_ON)" \
	out_has sdei-linux "TERN-GUEST-HOTPLUG-ON online=0-1$"
check sdei-linux-exit-0 "poweroff after hotplug gives exit 0" rc_is sdei-linux 0

run_guest no-sdei sdei --cpus 2 --memory 192M --no-sdei
check no-sdei-not-advertised "--no-sdei: the guest finds no SDEI" \
	sh -c "! tr -d '\r' <'$WORK/no-sdei.out' | grep -q 'detected in firmware'"
check no-sdei-smp "--no-sdei: 2 vCPUs still come up (PSCI in KVM)" \
	out_has no-sdei "TERN-GUEST-UP cpus=2"
