#include "arch/aarch64/portable/image.h"

#include <errno.h>

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int image_parse(const uint8_t *buf, size_t len, uint64_t file_size, struct image_info *info,
                const char **why)
{
	static const char *const none = "";
	*why = none;
	if (len >= 2 && buf[0] == 0x1f && buf[1] == 0x8b) {
		*why = "kernel is gzip-compressed (a vmlinuz.gz?): decompress it to a raw Image";
		return -ENOEXEC;
	}
	if (len >= 4 && buf[0] == 0x7f && buf[1] == 'E' && buf[2] == 'L' && buf[3] == 'F') {
		*why = "kernel is an ELF file (vmlinux): use the arm64 Image "
		       "(arch/arm64/boot/Image)";
		return -ENOEXEC;
	}
	if (len < IMAGE_HEADER_SIZE || file_size < IMAGE_HEADER_SIZE) {
		*why = "file too short for an arm64 Image header";
		return -ENOEXEC;
	}
	if (get_le32(buf + 56) != IMAGE_MAGIC) {
		*why = "not an arm64 Linux Image (no ARM\\x64 magic at offset 56)";
		return -ENOEXEC;
	}
	info->text_offset = get_le64(buf + 8);
	info->image_size = get_le64(buf + 16);
	info->flags = get_le64(buf + 24);
	if (info->image_size == 0) {
		/* Kernels before 3.17 leave these fields zero; the boot protocol
		 * then says text_offset is 0x80000 and the size is unknown. */
		info->text_offset = 0x80000;
		info->image_size = file_size;
		info->flags = 0;
	}
	info->big_endian = (int)(info->flags & 1);
	static const unsigned page_kib[4] = {0, 4, 16, 64};
	info->page_size_kib = page_kib[(info->flags >> 1) & 3];
	info->place_anywhere = (int)((info->flags >> 3) & 1);
	if (info->big_endian) {
		*why = "big-endian kernels are not supported";
		return -ENOEXEC;
	}
	if (info->text_offset >= (2ULL << 20) || (info->text_offset & 0xfff)) {
		*why = "Image header has an invalid text_offset";
		return -ENOEXEC;
	}
	if (info->image_size < 4096) {
		*why = "Image header has an invalid image_size";
		return -ENOEXEC;
	}
	if (info->image_size > (1ULL << 32)) {
		*why = "Image header claims more than 4 GiB of kernel";
		return -ENOEXEC;
	}
	return 0;
}
