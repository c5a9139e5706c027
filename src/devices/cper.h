/* CPER (UEFI appendix N) error records, built for guests: the memory error
 * and ARM processor error sections, wrapped either as a full CPER record
 * (header + section descriptors + bodies) or as the ACPI Generic Error Status
 * Block + Generic Error Data Entries that a GHES error source carries. */
#ifndef TERN_DEVICES_CPER_H
#define TERN_DEVICES_CPER_H

#include <stddef.h>
#include <stdint.h>

/* Severities as CPER and ACPI number them. */
enum cper_severity {
	CPER_SEV_RECOVERABLE = 0,
	CPER_SEV_FATAL = 1,
	CPER_SEV_CORRECTED = 2,
	CPER_SEV_INFO = 3,
};

/* "recoverable", "fatal", "corrected", "info"/"informational". */
int cper_severity_parse(const char *s, enum cper_severity *out);
const char *cper_severity_name(enum cper_severity sev);

extern const uint8_t cper_guid_memory[16]; /* A5BC1114-6F64-4EDE-B863-3E83ED7C83B1 */
extern const uint8_t cper_guid_arm[16];    /* E19E3D16-BC11-11E4-9CAA-C2051D5D46B0 */

#define CPER_RECORD_HEADER_LEN 128
#define CPER_SECTION_DESC_LEN  72
#define CPER_ESTATUS_LEN       20 /* Generic Error Status Block header */
#define CPER_GDATA_LEN         72 /* Generic Error Data Entry, revision 0x300 */

/* Platform memory error section (N.2.5). */
#define CPER_MEM_SECTION_LEN    80
#define CPER_MEM_VALID_PA       0x0002
#define CPER_MEM_VALID_PA_MASK  0x0004
#define CPER_MEM_VALID_ERR_TYPE 0x4000
#define CPER_MEM_ERR_UNKNOWN    0
#define CPER_MEM_ERR_SINGLE_ECC 2
#define CPER_MEM_ERR_MULTI_ECC  3

struct cper_mem_error {
	uint64_t physical_addr;
	uint64_t physical_addr_mask; /* 0: not reported */
	uint8_t error_type;          /* CPER_MEM_ERR_* */
};

/* Writes the 80-byte section; returns its length or -ENOSPC. */
int cper_mem_section(const struct cper_mem_error *e, void *buf, size_t size);

/* ARM processor error section (N.2.4.4) with one error information entry. */
#define CPER_ARM_SECTION_LEN   (40 + 32)
#define CPER_ARM_VALID_MPIDR   0x1
#define CPER_ARM_VALID_RUNNING 0x4
/* Error information "type": a bitmap since the UEFI 2.9A errata, which is
 * what current Linux and QEMU use. */
#define CPER_ARM_ERR_CACHE 0x02
#define CPER_ARM_ERR_TLB   0x04
#define CPER_ARM_ERR_BUS   0x08
#define CPER_ARM_ERR_UARCH 0x10

struct cper_arm_error {
	uint64_t mpidr, midr;
	uint8_t type;        /* CPER_ARM_ERR_* */
	uint64_t error_info; /* the type's error-information word; 0: not reported */
	uint64_t va, pa;     /* 0: not reported */
};

int cper_arm_section(const struct cper_arm_error *e, void *buf, size_t size);

/* One section of a record. */
struct cper_section {
	const uint8_t *type; /* 16-byte GUID, e.g. cper_guid_memory */
	enum cper_severity severity;
	const void *body;
	uint32_t len;
};

/* The GHES form: status block, then one data entry per section, each
 * followed by its body. The first section is marked primary. Returns the
 * length, or -ENOSPC / -EINVAL. */
int cper_estatus_build(enum cper_severity sev, const struct cper_section *s, unsigned n, void *buf,
                       size_t size);

/* The full CPER record of UEFI N.2.1/N.2.2 (what an OS saves in ERST or
 * a file). record_id names it; timestamps are not reported. */
int cper_record_build(enum cper_severity sev, const struct cper_section *s, unsigned n,
                      uint64_t record_id, void *buf, size_t size);

/* Convenience for "ras inject memory": a GHES record holding one memory
 * error at pa with the given severity. */
int cper_estatus_memory(enum cper_severity sev, uint64_t pa, void *buf, size_t size);

#endif
