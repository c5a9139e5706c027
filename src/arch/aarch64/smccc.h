/* The KVM SMCCC filter (Linux >= 6.4): which hypercalls KVM hands to tern. */
#ifndef TERN_ARCH_AARCH64_SMCCC_H
#define TERN_ARCH_AARCH64_SMCCC_H

#include <stdint.h>

/* SMCCC function ids tern handles in userspace. */
#define SMCCC_SDEI_BASE           0xC4000020U
#define SMCCC_SDEI_COUNT          0x20U
#define PSCI_0_2_CPU_OFF          0x84000002U
#define PSCI_0_2_CPU_ON           0x84000003U
#define PSCI_0_2_CPU_ON_64        0xC4000003U
#define PSCI_0_2_AFFINITY_INFO    0x84000004U
#define PSCI_0_2_AFFINITY_INFO_64 0xC4000004U

#define PSCI_AFFINITY_ON         0
#define PSCI_AFFINITY_OFF        1
#define PSCI_AFFINITY_ON_PENDING 2

#define PSCI_RET_SUCCESS        0
#define PSCI_RET_INVALID_PARAMS (-2)
#define PSCI_RET_ALREADY_ON     (-4)
#define PSCI_RET_ON_PENDING     (-5)

static inline int smccc_is_sdei(uint32_t fn)
{
	return (fn & ~(SMCCC_SDEI_COUNT - 1)) == SMCCC_SDEI_BASE;
}

/* Returns 1 when the host KVM can forward hypercalls to userspace. */
int smccc_filter_supported(int vm_fd);

/* Forwards the SDEI range and PSCI CPU_ON/CPU_OFF/AFFINITY_INFO to userspace (tern then
 * tracks vCPU power for SDEI's masking rules). Must run before the first
 * KVM_RUN. Returns 0 or a negative errno. */
int smccc_filter_install(int vm_fd);

#endif
