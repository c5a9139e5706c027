/* Builds the guest's flattened device tree with libfdt. */
#ifndef TERN_ARCH_AARCH64_FDT_H
#define TERN_ARCH_AARCH64_FDT_H

#include <stddef.h>
#include <stdint.h>

struct fdt_mmio_device {
	const char *node_name; /* e.g. "virtio_mmio" */
	const char *compatible;
	uint64_t base, size;
	unsigned spi; /* GIC SPI number (INTID - 32) */
};

struct fdt_params {
	uint64_t ram_base, ram_size;
	unsigned ncpus;
	const uint64_t *mpidr;              /* ncpus entries, as KVM reports MPIDR_EL1 */
	int gic_version;                    /* 2 or 3 */
	const char *bootargs;               /* may be NULL */
	uint64_t initrd_start, initrd_end;  /* both 0 when there is none */
	int sdei;                           /* advertise /firmware/sdei */
	int power_button;                   /* PL061 GPIO + gpio-keys KEY_POWER */
	const struct fdt_mmio_device *mmio; /* extra devices, e.g. virtio */
	unsigned nmmio;
};

/* Writes the DT into buf (size bytes). Returns its size in bytes, or a negative
 * errno (-ENOSPC when it does not fit, -EINVAL for bad parameters). */
int fdt_build(const struct fdt_params *p, void *buf, size_t size);

#endif
