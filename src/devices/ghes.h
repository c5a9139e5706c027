/* A RAS error source as ACPI describes it (HEST GHESv2, notified by SDEI):
 * an error status block in reserved guest memory, an 8-byte slot holding
 * the block's address, and a read-ack register through which the guest
 * says it has consumed the last record.
 *
 * Layout of the RAS region (source i of at most GHES_MAX_SOURCES):
 *   +0x000 + 8 i   status-address slot (holds the block's guest address)
 *   +0x100 + 8 i   read-ack register (1: free, 0: a record is outstanding)
 *   +0x1000 * (i + 1)  error status block, GHES_BLOCK_LEN bytes
 */
#ifndef TERN_DEVICES_GHES_H
#define TERN_DEVICES_GHES_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/core/guest_mem.h"

#define GHES_SLOT_OFFSET 0x000
#define GHES_ACK_OFFSET  0x100
#define GHES_BLOCK_LEN   0x1000
#define GHES_MAX_SOURCES 15
/* The read-ack bit the guest sets (HEST write mask 1, preserve ~1). */
#define GHES_ACK_BIT 1ULL

struct ghes_source {
	const struct guest_mem *mem;
	uint16_t source_id;
	uint32_t sdei_event; /* the caller signals it after ghes_inject() */
	uint64_t status_gpa; /* the status-address slot */
	uint64_t ack_gpa;
	uint64_t block_gpa;
	uint32_t block_len;
	uint64_t region_base, region_size;
};

/* Places source index in the RAS region [region_gpa, +region_size) of mem
 * and arms it: slot = block address, read-ack = 1 (free), block cleared.
 * Call again at VM reset. Returns 0, -EINVAL or -EFAULT (region not in
 * guest RAM). */
int ghes_init(struct ghes_source *s, const struct guest_mem *mem, uint64_t region_gpa,
              uint64_t region_size, unsigned index, uint16_t source_id, uint32_t sdei_event);

/* Nonzero when the guest has acknowledged the last record (or none was
 * ever posted). */
int ghes_acked(const struct ghes_source *s);

/* Posts one record (Generic Error Status Block + data entries, e.g. from
 * cper_estatus_build(), or the bytes of QMP inject-ghes-v2-error) into the
 * block and marks it outstanding. The caller then signals s->sdei_event.
 * Returns 0; -EBUSY while the previous record is unacknowledged; -E2BIG
 * when it exceeds the block; -EINVAL when it is not a status block the
 * guest would consume (empty block status, or data_length beyond len). */
int ghes_inject(struct ghes_source *s, const void *rec, size_t len);

#endif
