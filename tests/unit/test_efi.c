/* The EFI hand-off: memory map, system table and configuration tables
 * byte-checked; the stub DT decompiled with dtc. */
#include <errno.h>
#include <libfdt.h>
#include <stdlib.h>

#include "arch/aarch64/layout.h"
#include "arch/aarch64/portable/acpi_buf.h"
#include "arch/aarch64/portable/efi.h"
#include "check.h"
#include "dts_check.h"

#define RAM_SIZE (256ULL << 20)
#define FDT_ADDR (LAYOUT_RAM_BASE + RAM_SIZE - (2ULL << 20))
#define FW_ADDR  (FDT_ADDR + LAYOUT_FW_OFFSET)
#define RAS_ADDR (FDT_ADDR + LAYOUT_RAS_OFFSET)
#define RSDP     (FW_ADDR + EFI_HANDOFF_SIZE)

static uint8_t fw[EFI_HANDOFF_SIZE];

static const struct efi_carveout carve[2] = {
        /* given out of order on purpose: the builder sorts */
        {RAS_ADDR, LAYOUT_RAS_SIZE, EFI_RESERVED_TYPE},
        {FW_ADDR, LAYOUT_FW_SIZE, EFI_ACPI_RECLAIM_MEMORY},
};

static const uint8_t *at(uint64_t gpa)
{
	return fw + (gpa - FW_ADDR);
}

static void check_desc(const uint8_t *d, uint32_t type, uint64_t base, uint64_t size)
{
	CHECK_EQ(acpi_get32(d), type);
	CHECK_EQ_U64(acpi_get64(d + 8), base);
	CHECK_EQ_U64(acpi_get64(d + 24), size / 4096);
	CHECK_EQ_U64(acpi_get64(d + 32), EFI_MEMORY_WB);
}

static void test_crc32(void)
{
	CHECK_EQ_U64(efi_crc32("123456789", 9), 0xcbf43926); /* the standard check value */
}

static struct efi_handoff h;

static void test_build(void)
{
	struct efi_params p = {
	        .ram_base = LAYOUT_RAM_BASE,
	        .ram_size = RAM_SIZE,
	        .carve = carve,
	        .ncarve = 2,
	        .rsdp_gpa = RSDP,
	};
	CHECK_EQ(efi_build(&p, fw, sizeof(fw), FW_ADDR, &h), 0);
	CHECK_EQ_U64(h.mmap_gpa, FW_ADDR);
	CHECK_EQ(h.mmap_size, 5 * 40);
	CHECK_EQ(h.desc_size, 40);
	CHECK_EQ(h.desc_ver, 1);
	CHECK_EQ_U64(h.systab_gpa, FW_ADDR + 0x1000);

	const uint8_t *m = at(h.mmap_gpa);
	check_desc(m, EFI_CONVENTIONAL_MEMORY, LAYOUT_RAM_BASE, FW_ADDR - LAYOUT_RAM_BASE);
	check_desc(m + 40, EFI_ACPI_RECLAIM_MEMORY, FW_ADDR, LAYOUT_FW_SIZE);
	check_desc(m + 80, EFI_CONVENTIONAL_MEMORY, FW_ADDR + LAYOUT_FW_SIZE,
	           RAS_ADDR - FW_ADDR - LAYOUT_FW_SIZE);
	check_desc(m + 120, EFI_RESERVED_TYPE, RAS_ADDR, LAYOUT_RAS_SIZE);
	check_desc(m + 160, EFI_CONVENTIONAL_MEMORY, RAS_ADDR + LAYOUT_RAS_SIZE,
	           LAYOUT_RAM_BASE + RAM_SIZE - RAS_ADDR - LAYOUT_RAS_SIZE);
	uint64_t pages = 0;
	for (int i = 0; i < 5; i++)
		pages += acpi_get64(m + 40 * i + 24);
	CHECK_EQ_U64(pages, RAM_SIZE / 4096);

	const uint8_t *st = at(h.systab_gpa);
	CHECK(!memcmp(st, "IBI SYST", 8));
	CHECK_EQ(acpi_get32(st + 8), 0x00020046);
	CHECK_EQ(acpi_get32(st + 12), 120);
	uint8_t copy[120];
	memcpy(copy, st, 120);
	memset(copy + 16, 0, 4);
	CHECK_EQ_U64(acpi_get32(st + 16), efi_crc32(copy, 120));
	CHECK_EQ_U64(acpi_get64(st + 88), 0); /* runtime services */
	CHECK_EQ_U64(acpi_get64(st + 96), 0); /* boot services */
	CHECK_EQ_U64(acpi_get64(st + 104), 3);
	const uint8_t *vendor = at(acpi_get64(st + 24));
	CHECK(!memcmp(vendor, "t\0e\0r\0n\0-\0s\0t\0u\0b\0\0\0", 20));

	static const uint8_t acpi20[16] = {0x71, 0xe8, 0x68, 0x88, 0xf1, 0xe4, 0xd3, 0x11,
	                                   0xbc, 0x22, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81};
	static const uint8_t rtprop[16] = {0x8a, 0x91, 0x66, 0xeb, 0xef, 0x7e, 0x2a, 0x40,
	                                   0x84, 0x2e, 0x93, 0x1d, 0x21, 0xc3, 0x8a, 0xe9};
	const uint8_t *ct = at(acpi_get64(st + 112));
	CHECK(!memcmp(ct, acpi20, 16));
	CHECK_EQ_U64(acpi_get64(ct + 16), RSDP);
	CHECK(!memcmp(ct + 24, rtprop, 16));
	const uint8_t *rt = at(acpi_get64(ct + 40));
	CHECK_EQ(acpi_get16(rt), 1);
	CHECK_EQ(acpi_get16(rt + 2), 8);
	CHECK_EQ(acpi_get32(rt + 4), 0);
	const uint8_t *rsv = at(acpi_get64(ct + 64));
	CHECK_EQ_U64(acpi_get64(rsv) | acpi_get64(rsv + 8), 0);
	/* everything the kernel reads stays inside the hand-off area */
	CHECK(acpi_get64(ct + 64) + 16 <= FW_ADDR + EFI_HANDOFF_SIZE);
}

static void test_errors(void)
{
	struct efi_handoff o;
	struct efi_carveout c[2] = {{FW_ADDR, 0x20000, EFI_ACPI_RECLAIM_MEMORY},
	                            {FW_ADDR + 0x10000, 0x10000, EFI_RESERVED_TYPE}};
	struct efi_params p = {LAYOUT_RAM_BASE, RAM_SIZE, c, 2, RSDP};
	CHECK_EQ(efi_build(&p, fw, sizeof(fw), FW_ADDR, &o), -EINVAL); /* overlap */
	c[1].base = FW_ADDR + 0x20000;
	CHECK_EQ(efi_build(&p, fw, sizeof(fw), FW_ADDR, &o), 0);
	CHECK_EQ(efi_build(&p, fw, sizeof(fw) - 1, FW_ADDR, &o), -ENOSPC);
	CHECK_EQ(efi_build(&p, fw, sizeof(fw), FW_ADDR + 8, &o), -EINVAL);
	c[1].base = LAYOUT_RAM_BASE + RAM_SIZE; /* beyond RAM */
	CHECK_EQ(efi_build(&p, fw, sizeof(fw), FW_ADDR, &o), -EINVAL);
	c[1].base = FW_ADDR + 0x20800; /* not page aligned */
	CHECK_EQ(efi_build(&p, fw, sizeof(fw), FW_ADDR, &o), -EINVAL);
	/* the whole of RAM carved out leaves no conventional descriptor */
	struct efi_carveout all = {LAYOUT_RAM_BASE, RAM_SIZE, EFI_RESERVED_TYPE};
	struct efi_params q = {LAYOUT_RAM_BASE, RAM_SIZE, &all, 1, RSDP};
	CHECK_EQ(efi_build(&q, fw, sizeof(fw), FW_ADDR, &o), 0);
	CHECK_EQ(o.mmap_size, 40);
}

static void test_stub_fdt(void)
{
	static uint8_t blob[LAYOUT_STUB_FDT_MAX];
	struct efi_stub_fdt_params p = {
	        .bootargs = "earlycon",
	        .initrd_start = 0x44200000,
	        .initrd_end = 0x443e310c,
	        .efi = &h,
	};
	int size = efi_stub_fdt_build(&p, blob, sizeof(blob));
	CHECK(size > 0);
	CHECK_EQ(fdt_check_header(blob), 0);
	CHECK_EQ(dts_decompile(blob, size, "test_efi_stub.dtb"), 0);
	CHECK(dts_has("bootargs = \"earlycon\";"));
	CHECK(dts_has("linux,initrd-start = <0x00 0x44200000>;"));
	CHECK(dts_has("linux,initrd-end = <0x00 0x443e310c>;"));
	CHECK(dts_has("linux,uefi-system-table = <0x00 0x4ff01000>;"));
	CHECK(dts_has("linux,uefi-mmap-start = <0x00 0x4ff00000>;"));
	CHECK(dts_has("linux,uefi-mmap-size = <0xc8>;"));
	CHECK(dts_has("linux,uefi-mmap-desc-size = <0x28>;"));
	CHECK(dts_has("linux,uefi-mmap-desc-ver = <0x01>;"));
	CHECK(dts_has("linux,uefi-secure-boot = <0x02>;"));
	/* /chosen is the only node: anything else sends Linux down the DT path */
	int nodes = 0;
	for (int off = fdt_next_node(blob, 0, NULL); off >= 0; off = fdt_next_node(blob, off, NULL))
		nodes++;
	CHECK_EQ(nodes, 1);
	CHECK(fdt_path_offset(blob, "/chosen") > 0);

	p.bootargs = NULL;
	p.initrd_start = p.initrd_end = 0;
	size = efi_stub_fdt_build(&p, blob, sizeof(blob));
	CHECK(size > 0);
	int chosen = fdt_path_offset(blob, "/chosen");
	CHECK(fdt_getprop(blob, chosen, "linux,initrd-start", NULL) == NULL);
	CHECK(fdt_getprop(blob, chosen, "linux,uefi-secure-boot", NULL) != NULL);
	CHECK_EQ(efi_stub_fdt_build(&p, blob, 64), -ENOSPC);
	p.efi = NULL;
	CHECK_EQ(efi_stub_fdt_build(&p, blob, sizeof(blob)), -EINVAL);
}

int main(void)
{
	test_crc32();
	test_build();
	test_errors();
	test_stub_fdt();
	return check_summary("test_efi");
}
