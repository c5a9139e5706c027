/* The arm64 Image header parser and the boot placement. */
#include <errno.h>

#include "arch/aarch64/portable/bootplan.h"
#include "arch/aarch64/portable/image.h"
#include "check.h"

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void make_header(uint8_t *h, uint64_t text_offset, uint64_t image_size, uint64_t flags)
{
	memset(h, 0, IMAGE_HEADER_SIZE);
	put_le64(h + 8, text_offset);
	put_le64(h + 16, image_size);
	put_le64(h + 24, flags);
	memcpy(h + 56, "ARM\x64", 4);
}

static void test_good(void)
{
	uint8_t h[IMAGE_HEADER_SIZE];
	struct image_info info;
	const char *why;
	make_header(h, 0, 0x2500000, 0xa); /* 4K pages, place anywhere */
	CHECK_EQ(image_parse(h, sizeof(h), 38000000, &info, &why), 0);
	CHECK_EQ_U64(info.text_offset, 0);
	CHECK_EQ_U64(info.image_size, 0x2500000);
	CHECK_EQ(info.page_size_kib, 4);
	CHECK_EQ(info.place_anywhere, 1);
	CHECK_EQ(info.big_endian, 0);

	make_header(h, 0x80000, 0x1000000, 0x4); /* 16K pages */
	CHECK_EQ(image_parse(h, sizeof(h), 0x900000, &info, &why), 0);
	CHECK_EQ_U64(info.text_offset, 0x80000);
	CHECK_EQ(info.page_size_kib, 16);
	CHECK_EQ(info.place_anywhere, 0);
}

static void test_old_kernel(void)
{
	/* Before 3.17 image_size is 0 and text_offset is implied. */
	uint8_t h[IMAGE_HEADER_SIZE];
	struct image_info info;
	const char *why;
	make_header(h, 0, 0, 0);
	CHECK_EQ(image_parse(h, sizeof(h), 5000000, &info, &why), 0);
	CHECK_EQ_U64(info.text_offset, 0x80000);
	CHECK_EQ_U64(info.image_size, 5000000);
}

static void test_bad(void)
{
	uint8_t h[IMAGE_HEADER_SIZE];
	struct image_info info;
	const char *why;

	make_header(h, 0, 0x2500000, 0);
	CHECK_EQ(image_parse(h, 40, 40, &info, &why), -ENOEXEC); /* truncated */
	CHECK(strstr(why, "too short") != NULL);

	make_header(h, 0, 0x2500000, 0);
	CHECK_EQ(image_parse(h, sizeof(h), 63, &info, &why), -ENOEXEC); /* short file */

	make_header(h, 0, 0x2500000, 0);
	h[56] = 'X';
	CHECK_EQ(image_parse(h, sizeof(h), 1 << 20, &info, &why), -ENOEXEC);
	CHECK(strstr(why, "magic") != NULL);

	make_header(h, 0, 0x2500000, 1); /* big endian */
	CHECK_EQ(image_parse(h, sizeof(h), 1 << 20, &info, &why), -ENOEXEC);
	CHECK(strstr(why, "big-endian") != NULL);

	make_header(h, 0x200000, 0x2500000, 0); /* text_offset beyond 2 MiB */
	CHECK_EQ(image_parse(h, sizeof(h), 1 << 20, &info, &why), -ENOEXEC);

	make_header(h, 0x123, 0x2500000, 0); /* unaligned text_offset */
	CHECK_EQ(image_parse(h, sizeof(h), 1 << 20, &info, &why), -ENOEXEC);

	make_header(h, 0, 0x100000000ULL + 1, 0);
	CHECK_EQ(image_parse(h, sizeof(h), 1 << 20, &info, &why), -ENOEXEC);

	uint8_t gz[IMAGE_HEADER_SIZE] = {0x1f, 0x8b, 8};
	CHECK_EQ(image_parse(gz, sizeof(gz), 1 << 20, &info, &why), -ENOEXEC);
	CHECK(strstr(why, "gzip") != NULL);

	uint8_t elf[IMAGE_HEADER_SIZE] = {0x7f, 'E', 'L', 'F'};
	CHECK_EQ(image_parse(elf, sizeof(elf), 1 << 20, &info, &why), -ENOEXEC);
	CHECK(strstr(why, "ELF") != NULL);

	CHECK_EQ(image_parse(h, 0, 0, &info, &why), -ENOEXEC); /* empty */
}

static void test_bootplan(void)
{
	struct bootplan p;
	const char *why;
	const uint64_t base = 0x40000000, mib = 1 << 20;

	CHECK_EQ(bootplan_make(base, 256 * mib, 0, 0x2500000, 38000000, 3 * mib, 2 * mib, &p, &why),
	         0);
	CHECK_EQ_U64(p.kernel_addr, base);
	CHECK_EQ_U64(p.fdt_addr, base + 254 * mib); /* last 2 MiB block */
	CHECK_EQ_U64(p.fdt_addr % (2 * mib), 0);
	CHECK(p.initrd_addr >= base + 0x2500000);
	CHECK(p.initrd_addr + p.initrd_size <= p.fdt_addr);
	CHECK_EQ_U64(p.initrd_addr % 4096, 0);

	/* text_offset is honoured */
	CHECK_EQ(bootplan_make(base, 64 * mib, 0x80000, 8 * mib, 7 * mib, 0, 2 * mib, &p, &why), 0);
	CHECK_EQ_U64(p.kernel_addr, base + 0x80000);
	CHECK_EQ_U64(p.initrd_addr, 0);

	/* a kernel larger than RAM, an initrd that does not fit, no headroom */
	CHECK_EQ(bootplan_make(base, 32 * mib, 0, 0x2500000, 38000000, 0, 2 * mib, &p, &why),
	         -ENOMEM);
	CHECK(strstr(why, "too small for this kernel") != NULL);
	CHECK_EQ(bootplan_make(base, 64 * mib, 0, 20 * mib, 20 * mib, 50 * mib, 2 * mib, &p, &why),
	         -ENOMEM);
	CHECK(strstr(why, "initrd") != NULL);
	CHECK_EQ(bootplan_make(base, 64 * mib, 0, 40 * mib, 40 * mib, 15 * mib, 2 * mib, &p, &why),
	         -ENOMEM);
	CHECK_EQ(bootplan_make(base, 2 * mib, 0, mib, mib, 0, 2 * mib, &p, &why), -ENOMEM);
}

int main(void)
{
	test_good();
	test_old_kernel();
	test_bad();
	test_bootplan();
	return check_summary("test_image");
}
