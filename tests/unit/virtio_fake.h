/* A fake guest for virtqueue tests: RAM is a calloc'd buffer at GPA
 * 0x40000000, and the "driver" writes descriptors and rings by hand. */
#ifndef TERN_TESTS_VIRTIO_FAKE_H
#define TERN_TESTS_VIRTIO_FAKE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/core/guest_mem.h"

#define FAKE_BASE  0x40000000ull
#define FAKE_SIZE  (1u << 20)
#define FAKE_DESC  (FAKE_BASE + 0x0000)
#define FAKE_AVAIL (FAKE_BASE + 0x4000)
#define FAKE_USED  (FAKE_BASE + 0x6000)
#define FAKE_BUF   (FAKE_BASE + 0x10000)

struct fake_guest {
	struct guest_mem mem;
	unsigned num;
	uint16_t avail_idx;
	uint64_t shift; /* ring addresses of queue n are FAKE_* + n * 0x20000 */
};

static inline void *fake_ptr(struct fake_guest *g, uint64_t gpa)
{
	return g->mem.host + (gpa - FAKE_BASE);
}

static inline void fake_init(struct fake_guest *g, unsigned num)
{
	g->mem.host = calloc(1, FAKE_SIZE);
	g->mem.gpa_base = FAKE_BASE;
	g->mem.size = FAKE_SIZE;
	g->num = num;
	g->avail_idx = 0;
	g->shift = 0;
}

static inline void fake_free(struct fake_guest *g)
{
	free(g->mem.host);
}

static inline void fake_w16(struct fake_guest *g, uint64_t gpa, uint16_t v)
{
	memcpy(fake_ptr(g, gpa), &v, 2);
}

static inline uint16_t fake_r16(struct fake_guest *g, uint64_t gpa)
{
	uint16_t v;
	memcpy(&v, fake_ptr(g, gpa), 2);
	return v;
}

static inline uint32_t fake_r32(struct fake_guest *g, uint64_t gpa)
{
	uint32_t v;
	memcpy(&v, fake_ptr(g, gpa), 4);
	return v;
}

/* Writes descriptor i of the table at table_gpa. */
static inline void fake_desc_at(struct fake_guest *g, uint64_t table_gpa, unsigned i, uint64_t addr,
                                uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *d = fake_ptr(g, table_gpa + 16ull * i);
	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

static inline void fake_desc(struct fake_guest *g, unsigned i, uint64_t addr, uint32_t len,
                             uint16_t flags, uint16_t next)
{
	fake_desc_at(g, FAKE_DESC + g->shift, i, addr, len, flags, next);
}

/* Makes chain `head` available and publishes the new avail idx. */
static inline void fake_avail(struct fake_guest *g, uint16_t head)
{
	fake_w16(g, FAKE_AVAIL + g->shift + 4 + 2 * (g->avail_idx % g->num), head);
	g->avail_idx++;
	fake_w16(g, FAKE_AVAIL + g->shift + 2, g->avail_idx);
}

static inline uint16_t fake_used_idx(struct fake_guest *g)
{
	return fake_r16(g, FAKE_USED + g->shift + 2);
}

static inline uint32_t fake_used_id(struct fake_guest *g, unsigned slot)
{
	return fake_r32(g, FAKE_USED + g->shift + 4 + 8 * (slot % g->num));
}

static inline uint32_t fake_used_len(struct fake_guest *g, unsigned slot)
{
	return fake_r32(g, FAKE_USED + g->shift + 8 + 8 * (slot % g->num));
}

#endif
