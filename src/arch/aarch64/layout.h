/* The guest physical memory map. Every guest address tern uses comes from here.
 *
 *   0x0000_0000 +----------------------------+
 *               | (unmapped: guest MMIO here |
 *               |  is logged and ignored)    |
 *   0x0800_0000 +----------------------------+ GIC distributor (64 KiB)
 *   0x0801_0000 | GICv2 CPU interface (8 KiB)| (only with the GICv2 fallback)
 *   0x080a_0000 | GICv3 redistributors       | 128 KiB per vCPU, up to
 *               |                            | TERN_MAX_VCPUS
 *   0x0900_0000 +----------------------------+ 16550A UART (4 KiB)
 *   0x0901_0000 | PL031 RTC (reserved)       |
 *   0x0903_0000 | PL061 GPIO: power button   |
 *   0x0a00_0000 | virtio-mmio slots (512 B)  |
 *   0x4000_0000 +----------------------------+ guest RAM (--memory)
 *               | kernel Image at            |
 *               |   base + text_offset       |
 *               | ...                        |
 *               | initrd (below the DT)      |
 *               | device tree (last 2 MiB)   |
 *   0x4000_0000 +----------------------------+
 *     + memory
 */
#ifndef TERN_ARCH_AARCH64_LAYOUT_H
#define TERN_ARCH_AARCH64_LAYOUT_H

#define TERN_MAX_VCPUS 64

#define LAYOUT_GICD_BASE     0x08000000ULL
#define LAYOUT_GICD_SIZE     0x00010000ULL
#define LAYOUT_GICC_BASE     0x08010000ULL
#define LAYOUT_GICC_SIZE     0x00002000ULL
#define LAYOUT_GICR_BASE     0x080a0000ULL
#define LAYOUT_GICR_STRIDE   0x00020000ULL
#define LAYOUT_UART_BASE     0x09000000ULL
#define LAYOUT_UART_SIZE     0x00001000ULL
#define LAYOUT_RTC_BASE      0x09010000ULL
#define LAYOUT_GPIO_BASE     0x09030000ULL
#define LAYOUT_GPIO_SIZE     0x00001000ULL
#define LAYOUT_VIRTIO_BASE   0x0a000000ULL
#define LAYOUT_VIRTIO_STRIDE 0x00000200ULL

#define LAYOUT_RAM_BASE 0x40000000ULL
/* 16 MiB is below what any arm64 Linux can boot in; 512 GiB stays inside a
 * 40-bit IPA space which every arm64 KVM host offers. */
#define LAYOUT_RAM_MIN (16ULL << 20)
#define LAYOUT_RAM_MAX (512ULL << 30)

/* The DT lives in the last 2 MiB-aligned block of RAM: the kernel maps it
 * with 2 MiB blocks and requires it not to exceed 2 MiB. */
#define LAYOUT_FDT_MAX 0x00200000ULL

/* SPI numbers (GIC INTID - 32) of tern's devices. */
#define LAYOUT_SPI_UART   1
#define LAYOUT_SPI_RTC    2
#define LAYOUT_SPI_GPIO   7
#define LAYOUT_SPI_VIRTIO 16
#define LAYOUT_NR_IRQS    128 /* SPIs + 32: a multiple of 32 as KVM wants */

/* Architected timer PPIs (INTID - 16), as every arm64 board wires them. */
#define LAYOUT_PPI_TIMER_SEC  13
#define LAYOUT_PPI_TIMER_PHYS 14
#define LAYOUT_PPI_TIMER_VIRT 11
#define LAYOUT_PPI_TIMER_HYP  10

/* ACPI boot (--acpi). The stub DT is tiny, so the firmware hand-off shares
 * the last 2 MiB block of RAM with it (offsets from bootplan.fdt_addr):
 *   +0        stub DT, /chosen only        (conventional RAM, as the DT)
 *   +1 MiB    EFI memory map, system table, then ACPI tables (EFI ACPI reclaim)
 *   +1.5 MiB  RAS region: GHES status-address slots, read-ack registers and
 *             error status blocks (EFI reserved: the guest maps it nomap)
 * 64 KiB aligned so a 64K-page kernel cannot merge regions of different
 * EFI types. */
#define LAYOUT_STUB_FDT_MAX 0x00010000ULL
#define LAYOUT_FW_OFFSET    0x00100000ULL
#define LAYOUT_FW_SIZE      0x00040000ULL
#define LAYOUT_RAS_OFFSET   0x00180000ULL
#define LAYOUT_RAS_SIZE     0x00010000ULL
/* ACPI power button: a Generic Event Device (ACPI0013) on this edge SPI. */
#define LAYOUT_SPI_GED 8

#endif
