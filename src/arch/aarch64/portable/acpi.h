/* Builds the guest's ACPI tables for ACPI boot (--acpi): the twin of fdt.h.
 * The tables describe the same machine as the DT: GIC, timer, 16550 UART,
 * PSCI over HVC, virtio-mmio slots, plus SDEI and the HEST RAS sources. */
#ifndef TERN_ARCH_AARCH64_ACPI_H
#define TERN_ARCH_AARCH64_ACPI_H

#include <stddef.h>
#include <stdint.h>

struct acpi_mmio_device {
	uint64_t base, size;
	unsigned spi; /* GIC SPI number (INTID - 32) */
};

/* One GHESv2 error source (HEST type 10) notified through SDEI. */
struct acpi_ghes_desc {
	uint16_t source_id;    /* what Linux prints as "Error Source: N" */
	uint32_t sdei_event;   /* notification vector; never 0 */
	uint64_t status_gpa;   /* 8-byte slot holding the status block's address */
	uint64_t read_ack_gpa; /* 8-byte read-ack register */
	uint32_t block_len;    /* error status block length */
	uint64_t region_base;  /* the reserved RAS region holding all three */
	uint64_t region_size;
};

struct acpi_params {
	unsigned ncpus;
	const uint64_t *mpidr;                 /* ncpus entries, as KVM reports MPIDR_EL1 */
	int gic_version;                       /* 2 or 3 */
	const struct acpi_mmio_device *virtio; /* "LNRO0005" devices */
	unsigned nvirtio;
	int sdei;                          /* emit the SDEI table */
	const struct acpi_ghes_desc *ghes; /* HEST entries; need sdei */
	unsigned nghes;
};

/* What every table header says about its maker. */
#define ACPI_OEM_ID       "TERN  "
#define ACPI_OEM_TABLE_ID "TERNVM  "

/* Writes the RSDP (at offset 0, so the RSDP's address is gpa) followed by
 * XSDT, FADT, DSDT, MADT, GTDT, SPCR, PPTT, SDEI and HEST into buf, which
 * the guest sees at gpa (16-byte aligned). Returns the bytes used, or
 * -ENOSPC when they do not fit, -EINVAL for bad parameters. */
int acpi_build(const struct acpi_params *p, void *buf, size_t size, uint64_t gpa);

#endif
