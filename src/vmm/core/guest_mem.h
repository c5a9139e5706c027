/* Guest RAM as the host sees it. Every access a device makes on the guest's
 * behalf goes through guest_mem_ptr(), which refuses ranges outside RAM. */
#ifndef TERN_VMM_GUEST_MEM_H
#define TERN_VMM_GUEST_MEM_H

#include <stdint.h>

struct guest_mem {
	uint8_t *host;     /* host mapping of guest RAM */
	uint64_t gpa_base; /* guest physical address of host[0] */
	uint64_t size;
};

/* Host pointer for [gpa, gpa + len), or NULL when any byte of it (or the
 * arithmetic) falls outside guest RAM. len 0 is valid inside RAM. */
static inline void *guest_mem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	if (gpa < m->gpa_base)
		return 0;
	uint64_t off = gpa - m->gpa_base;
	if (off > m->size || len > m->size - off)
		return 0;
	return m->host + off;
}

#endif
