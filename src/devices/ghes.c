#include "devices/ghes.h"

#include <errno.h>
#include <string.h>

#define ESTATUS_LEN 20

static uint32_t load_le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* The guest writes these registers from its own CPUs while tern reads them
 * from the vmm thread: word-sized atomic accesses on naturally aligned
 * slots keep each value whole. The host is little-endian like the guest. */
static uint64_t reg_read(const struct ghes_source *s, uint64_t gpa)
{
	uint64_t *p = guest_mem_ptr(s->mem, gpa, 8);
	return p ? __atomic_load_n(p, __ATOMIC_ACQUIRE) : 0;
}

static void reg_write(const struct ghes_source *s, uint64_t gpa, uint64_t v)
{
	uint64_t *p = guest_mem_ptr(s->mem, gpa, 8);
	if (p)
		__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

int ghes_init(struct ghes_source *s, const struct guest_mem *mem, uint64_t region_gpa,
              uint64_t region_size, unsigned index, uint16_t source_id, uint32_t sdei_event)
{
	if (index >= GHES_MAX_SOURCES || region_gpa % 8 || !sdei_event ||
	    region_size < (uint64_t)GHES_BLOCK_LEN * (index + 2))
		return -EINVAL;
	s->mem = mem;
	s->source_id = source_id;
	s->sdei_event = sdei_event;
	s->status_gpa = region_gpa + GHES_SLOT_OFFSET + 8ULL * index;
	s->ack_gpa = region_gpa + GHES_ACK_OFFSET + 8ULL * index;
	s->block_gpa = region_gpa + (uint64_t)GHES_BLOCK_LEN * (index + 1);
	s->block_len = GHES_BLOCK_LEN;
	s->region_base = region_gpa;
	s->region_size = region_size;
	void *block = guest_mem_ptr(mem, s->block_gpa, s->block_len);
	if (!block || !guest_mem_ptr(mem, s->status_gpa, 8) || !guest_mem_ptr(mem, s->ack_gpa, 8))
		return -EFAULT;
	memset(block, 0, s->block_len);
	reg_write(s, s->status_gpa, s->block_gpa);
	reg_write(s, s->ack_gpa, GHES_ACK_BIT);
	return 0;
}

int ghes_acked(const struct ghes_source *s)
{
	/* Linux sets the bit with read-modify-write (preserve ~1, write 1);
	 * QEMU treats any nonzero value as acked. tern clears the whole
	 * register when posting, so both views agree. */
	return (reg_read(s, s->ack_gpa) & GHES_ACK_BIT) != 0;
}

int ghes_inject(struct ghes_source *s, const void *rec, size_t len)
{
	if (len > s->block_len)
		return -E2BIG;
	if (len < ESTATUS_LEN)
		return -EINVAL;
	const uint8_t *r = rec;
	/* A block Linux would skip is never acked and would wedge the source. */
	uint32_t block_status = load_le32(r);
	uint32_t data_length = load_le32(r + 12);
	if (!block_status || data_length > len - ESTATUS_LEN)
		return -EINVAL;
	if (!ghes_acked(s))
		return -EBUSY;
	uint8_t *block = guest_mem_ptr(s->mem, s->block_gpa, s->block_len);
	if (!block)
		return -EFAULT;
	reg_write(s, s->ack_gpa, 0);
	memcpy(block, rec, len);
	memset(block + len, 0, s->block_len - len);
	/* The guest may have scribbled on the slot; it must lead to the block
	 * when the notification arrives. */
	reg_write(s, s->status_gpa, s->block_gpa);
	return 0;
}
