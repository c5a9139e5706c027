#include "arch/aarch64/smccc.h"

#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>

/* From Linux 6.4's uapi (arch/arm64/include/uapi/asm/kvm.h and
 * Documentation/virt/kvm/devices/vm.rst); the 6.1 headers of Debian 12's
 * cross toolchain predate them. */
#ifndef KVM_ARM_VM_SMCCC_CTRL
#define KVM_ARM_VM_SMCCC_CTRL   0
#define KVM_ARM_VM_SMCCC_FILTER 0
struct kvm_smccc_filter {
	__u32 base;
	__u32 nr_functions;
	__u8 action;
	__u8 pad[15];
};
#define KVM_SMCCC_FILTER_FWD_TO_USER 2
#endif

int smccc_filter_supported(int vm_fd)
{
	struct kvm_device_attr a = {.group = KVM_ARM_VM_SMCCC_CTRL,
	                            .attr = KVM_ARM_VM_SMCCC_FILTER};
	return ioctl(vm_fd, KVM_HAS_DEVICE_ATTR, &a) == 0;
}

static int forward(int vm_fd, uint32_t base, uint32_t n)
{
	struct kvm_smccc_filter f;
	memset(&f, 0, sizeof(f));
	f.base = base;
	f.nr_functions = n;
	f.action = KVM_SMCCC_FILTER_FWD_TO_USER;
	struct kvm_device_attr a = {.group = KVM_ARM_VM_SMCCC_CTRL,
	                            .attr = KVM_ARM_VM_SMCCC_FILTER,
	                            .addr = (uint64_t)(uintptr_t)&f};
	return ioctl(vm_fd, KVM_SET_DEVICE_ATTR, &a) < 0 ? -errno : 0;
}

int smccc_filter_install(int vm_fd)
{
	int r = forward(vm_fd, SMCCC_SDEI_BASE, SMCCC_SDEI_COUNT);
	if (!r)
		r = forward(vm_fd, PSCI_0_2_CPU_OFF, 3); /* CPU_OFF, CPU_ON, AFFINITY_INFO */
	if (!r)
		r = forward(vm_fd, PSCI_0_2_CPU_ON_64, 2); /* CPU_ON, AFFINITY_INFO (SMC64) */
	return r;
}
