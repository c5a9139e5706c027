/* Where the kernel, initrd and device tree go in guest RAM. */
#ifndef TERN_ARCH_AARCH64_BOOTPLAN_H
#define TERN_ARCH_AARCH64_BOOTPLAN_H

#include <stdint.h>

struct bootplan {
	uint64_t kernel_addr; /* guest physical load (= entry) address */
	uint64_t initrd_addr; /* 0 when there is no initrd */
	uint64_t initrd_size;
	uint64_t fdt_addr;
};

/* Lays out a kernel (text_offset, image_size, file_size), an initrd and a DT of
 * at most fdt_max bytes in RAM [ram_base, ram_base + ram_size). Returns 0, or
 * -ENOMEM with *why naming what did not fit. */
int bootplan_make(uint64_t ram_base, uint64_t ram_size, uint64_t text_offset, uint64_t image_size,
                  uint64_t kernel_file_size, uint64_t initrd_size, uint64_t fdt_max,
                  struct bootplan *plan, const char **why);

#endif
