/* SDEI v1.1 (Arm DEN0054C) wire constants: function IDs, return codes, info
 * and feature ids, and the PSTATE/SCTLR bits the dispatcher needs. Kept apart
 * from sdei.h so freestanding guest test programs can include it too. */
#ifndef TERN_SDEI_ABI_H
#define TERN_SDEI_ABI_H

/* All SDEI calls are SMC64 standard-service fast calls in this block. */
#define SDEI_FN_BASE 0xC4000020u
#define SDEI_FN_MASK 0xFFFFFFE0u

#define SDEI_FN_VERSION                   0xC4000020u
#define SDEI_FN_EVENT_REGISTER            0xC4000021u
#define SDEI_FN_EVENT_ENABLE              0xC4000022u
#define SDEI_FN_EVENT_DISABLE             0xC4000023u
#define SDEI_FN_EVENT_CONTEXT             0xC4000024u
#define SDEI_FN_EVENT_COMPLETE            0xC4000025u
#define SDEI_FN_EVENT_COMPLETE_AND_RESUME 0xC4000026u
#define SDEI_FN_EVENT_UNREGISTER          0xC4000027u
#define SDEI_FN_EVENT_STATUS              0xC4000028u
#define SDEI_FN_EVENT_GET_INFO            0xC4000029u
#define SDEI_FN_EVENT_ROUTING_SET         0xC400002Au
#define SDEI_FN_PE_MASK                   0xC400002Bu
#define SDEI_FN_PE_UNMASK                 0xC400002Cu
#define SDEI_FN_INTERRUPT_BIND            0xC400002Du
#define SDEI_FN_INTERRUPT_RELEASE         0xC400002Eu
#define SDEI_FN_EVENT_SIGNAL              0xC400002Fu
#define SDEI_FN_FEATURES                  0xC4000030u
#define SDEI_FN_PRIVATE_RESET             0xC4000031u
#define SDEI_FN_SHARED_RESET              0xC4000032u

/* Return codes, as signed values placed in x0. */
#define SDEI_SUCCESS            0
#define SDEI_NOT_SUPPORTED      (-1)
#define SDEI_INVALID_PARAMETERS (-2)
#define SDEI_DENIED             (-3)
#define SDEI_PENDING            (-5)
#define SDEI_OUT_OF_RESOURCE    (-10)

/* VERSION layout: [62:48] major, [47:32] minor, [31:0] vendor. */
#define SDEI_VERSION_MAJOR 1u
#define SDEI_VERSION_MINOR 1u
/* Vendor field: ASCII "tern", so a guest log line identifies the monitor. */
#define SDEI_VENDOR_TERN 0x7465726Eu
#define SDEI_VERSION_VALUE                                                                         \
	(((unsigned long long)SDEI_VERSION_MAJOR << 48) |                                          \
	 ((unsigned long long)SDEI_VERSION_MINOR << 32) | SDEI_VENDOR_TERN)

/* EVENT_REGISTER flags. */
#define SDEI_REGF_RM_PE    (1ull << 0)
#define SDEI_REGF_RELATIVE (1ull << 1)

/* Routing modes (ROUTING_SET x2, GET_INFO ROUTING_MODE). */
#define SDEI_RM_ANY 0u
#define SDEI_RM_PE  1u

/* EVENT_STATUS bits. */
#define SDEI_STATUS_REGISTERED (1u << 0)
#define SDEI_STATUS_ENABLED    (1u << 1)
#define SDEI_STATUS_RUNNING    (1u << 2)

/* EVENT_GET_INFO ids. */
#define SDEI_INFO_EV_TYPE         0u
#define SDEI_INFO_EV_SIGNALED     1u
#define SDEI_INFO_EV_PRIORITY     2u
#define SDEI_INFO_EV_ROUTING_MODE 3u
#define SDEI_INFO_EV_ROUTING_AFF  4u

/* FEATURES ids. */
#define SDEI_FEATURE_BIND_SLOTS    0u
#define SDEI_FEATURE_RELATIVE_MODE 1u

/* COMPLETE x1 status values. */
#define SDEI_EV_HANDLED 0u
#define SDEI_EV_FAILED  1u

/* The software-signalled event every implementation provides. */
#define SDEI_EVENT_SIGNAL_NUM 0u

/* PSTATE (SPSR layout) bits touched when entering a handler. */
#define SDEI_PSR_MODE_MASK 0x1Full
#define SDEI_PSR_MODE_EL0T 0x00ull
#define SDEI_PSR_MODE_EL1T 0x04ull
#define SDEI_PSR_MODE_EL1H 0x05ull
#define SDEI_PSR_AARCH32   (1ull << 4)
#define SDEI_PSR_F         (1ull << 6)
#define SDEI_PSR_I         (1ull << 7)
#define SDEI_PSR_A         (1ull << 8)
#define SDEI_PSR_D         (1ull << 9)
#define SDEI_PSR_DAIF      (SDEI_PSR_D | SDEI_PSR_A | SDEI_PSR_I | SDEI_PSR_F)
#define SDEI_PSR_SSBS      (1ull << 12)
#define SDEI_PSR_PAN       (1ull << 22)
#define SDEI_PSR_DIT       (1ull << 24)
#define SDEI_PSR_NZCV      (0xFull << 28)
/* AArch32 SPSR puts DIT at bit 21 (bit 24 is J there). */
#define SDEI_PSR32_DIT (1ull << 21)

#define SDEI_SCTLR_SPAN  (1ull << 23)
#define SDEI_SCTLR_DSSBS (1ull << 44)

/* IRQ vector offsets from VBAR_EL1, by where the exception is taken from. */
#define SDEI_VEC_IRQ_CUR_SP0 0x080u
#define SDEI_VEC_IRQ_CUR_SPX 0x280u
#define SDEI_VEC_IRQ_LOW_A64 0x480u
#define SDEI_VEC_IRQ_LOW_A32 0x680u

#endif
