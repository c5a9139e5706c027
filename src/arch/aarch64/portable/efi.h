/* The EFI hand-off for ACPI boot without firmware: arm64 Linux finds ACPI
 * only through an EFI system table, so tern writes a minimal one (no boot
 * or runtime services), an EFI memory map, and a stub DT holding just
 * /chosen with the linux,uefi-* properties that point at them. */
#ifndef TERN_ARCH_AARCH64_EFI_H
#define TERN_ARCH_AARCH64_EFI_H

#include <stddef.h>
#include <stdint.h>

/* EFI memory types tern uses. */
#define EFI_RESERVED_TYPE       0
#define EFI_CONVENTIONAL_MEMORY 7
#define EFI_ACPI_RECLAIM_MEMORY 9

#define EFI_MEMORY_WB       0x8ULL
#define EFI_MEMDESC_SIZE    40
#define EFI_MEMDESC_VERSION 1

/* efi_build() uses the first EFI_HANDOFF_SIZE bytes of its buffer: memory
 * map at +0, system table and configuration tables at +0x1000. The ACPI
 * tables go after it in the same (ACPI reclaim) region. */
#define EFI_HANDOFF_SIZE  0x2000
#define EFI_SYSTAB_OFFSET 0x1000
#define EFI_MAX_CARVEOUTS 8

/* A range of RAM that is not conventional memory. */
struct efi_carveout {
	uint64_t base, size; /* 4 KiB aligned, inside RAM */
	uint32_t type;       /* EFI_RESERVED_TYPE, EFI_ACPI_RECLAIM_MEMORY, ... */
};

struct efi_params {
	uint64_t ram_base, ram_size;
	const struct efi_carveout *carve; /* at most EFI_MAX_CARVEOUTS, no overlaps */
	unsigned ncarve;
	uint64_t rsdp_gpa; /* the ACPI 2.0 configuration table entry */
};

/* What the kernel is told through /chosen. */
struct efi_handoff {
	uint64_t systab_gpa;
	uint64_t mmap_gpa;
	uint32_t mmap_size, desc_size, desc_ver;
};

/* Writes the memory map and system table into buf (at least
 * EFI_HANDOFF_SIZE bytes), which the guest sees at gpa (4 KiB aligned).
 * Returns 0 and fills *out, or -EINVAL / -ENOSPC. */
int efi_build(const struct efi_params *p, void *buf, size_t size, uint64_t gpa,
              struct efi_handoff *out);

struct efi_stub_fdt_params {
	const char *bootargs;              /* may be NULL */
	uint64_t initrd_start, initrd_end; /* both 0 when there is none */
	const struct efi_handoff *efi;
};

/* Builds the stub DT (/chosen only, so the kernel picks ACPI) into buf.
 * Returns its size in bytes, or -ENOSPC / -EINVAL. */
int efi_stub_fdt_build(const struct efi_stub_fdt_params *p, void *buf, size_t size);

/* CRC-32 as the EFI table header uses it (IEEE 802.3, reflected). */
uint32_t efi_crc32(const void *p, size_t n);

#endif
