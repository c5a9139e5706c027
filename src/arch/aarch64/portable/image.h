/* arm64 Linux Image header (Documentation/arch/arm64/booting.rst). */
#ifndef TERN_ARCH_AARCH64_IMAGE_H
#define TERN_ARCH_AARCH64_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define IMAGE_HEADER_SIZE 64
#define IMAGE_MAGIC       0x644d5241U /* "ARM\x64", little endian */

struct image_info {
	uint64_t text_offset; /* load offset from a 2 MiB aligned base */
	uint64_t image_size;  /* bytes the kernel needs from its load address (incl. bss) */
	uint64_t flags;
	int big_endian;
	unsigned page_size_kib; /* 0 = unspecified */
	int place_anywhere;     /* flags bit 3: base may be anywhere in RAM */
};

/* Parses the header of a kernel file of file_size bytes whose first bytes are
 * in buf (len bytes). Returns 0, or -ENOEXEC with *why set to a reason a user
 * can act on. */
int image_parse(const uint8_t *buf, size_t len, uint64_t file_size, struct image_info *info,
                const char **why);

#endif
