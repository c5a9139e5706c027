#include "vmm/core/mmio_bus.h"

#include <errno.h>
#include <string.h>

int mmio_bus_add(struct mmio_bus *bus, uint64_t base, uint64_t size, const struct mmio_ops *ops,
                 void *dev)
{
	if (!size || base + size < base)
		return -EINVAL;
	for (unsigned i = 0; i < bus->n; i++)
		if (base < bus->slot[i].base + bus->slot[i].size && bus->slot[i].base < base + size)
			return -EEXIST;
	if (bus->n == MMIO_BUS_MAX)
		return -ENOSPC;
	bus->slot[bus->n].base = base;
	bus->slot[bus->n].size = size;
	bus->slot[bus->n].ops = ops;
	bus->slot[bus->n].dev = dev;
	bus->n++;
	return 0;
}

int mmio_bus_access(struct mmio_bus *bus, uint64_t addr, uint8_t *data, unsigned len, int is_write)
{
	/* KVM reports len 1..8; anything else is treated as unowned. */
	int ok_len = len == 1 || len == 2 || len == 4 || len == 8;
	for (unsigned i = 0; ok_len && i < bus->n; i++) {
		uint64_t off = addr - bus->slot[i].base;
		if (addr < bus->slot[i].base || off >= bus->slot[i].size ||
		    len > bus->slot[i].size - off)
			continue;
		uint64_t v = 0;
		if (is_write) {
			memcpy(&v, data, len); /* little-endian host and guest */
			bus->slot[i].ops->write(bus->slot[i].dev, off, v, len);
		} else {
			v = bus->slot[i].ops->read(bus->slot[i].dev, off, len);
			memcpy(data, &v, len);
		}
		return 0;
	}
	if (!is_write && len <= 8)
		memset(data, 0, len);
	__atomic_add_fetch(&bus->unhandled, 1, __ATOMIC_RELAXED);
	return -ENOENT;
}
