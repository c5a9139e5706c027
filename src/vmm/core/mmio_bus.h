/* Routes guest MMIO accesses to the device that owns the address. */
#ifndef TERN_VMM_MMIO_BUS_H
#define TERN_VMM_MMIO_BUS_H

#include <stdint.h>

struct mmio_ops {
	/* offset is relative to the device base; len is 1, 2, 4 or 8. */
	uint64_t (*read)(void *dev, uint64_t offset, unsigned len);
	void (*write)(void *dev, uint64_t offset, uint64_t value, unsigned len);
};

#define MMIO_BUS_MAX 32

struct mmio_bus {
	struct {
		uint64_t base, size;
		const struct mmio_ops *ops;
		void *dev;
	} slot[MMIO_BUS_MAX];
	unsigned n;
	uint64_t unhandled; /* accesses that hit no device */
};

/* Returns 0, -EEXIST when the range overlaps one already there, -ENOSPC. */
int mmio_bus_add(struct mmio_bus *bus, uint64_t base, uint64_t size, const struct mmio_ops *ops,
                 void *dev);

/* Returns 0 when a device took the access, -ENOENT when none owns it (reads
 * then return 0, as on a bus that floats to zero). */
int mmio_bus_access(struct mmio_bus *bus, uint64_t addr, uint8_t *data, unsigned len, int is_write);

#endif
