#include "arch/aarch64/portable/efi.h"

#include <errno.h>
#include <string.h>

#include "arch/aarch64/portable/acpi_buf.h"
#include "vmm/core/guid.h"

#define EFI_PAGE 4096ULL

#define EFI_SYSTAB_SIGNATURE 0x5453595320494249ULL /* "IBI SYST" */
#define EFI_SYSTAB_REVISION  ((2u << 16) | 70u)    /* 2.70 */
#define EFI_SYSTAB_LEN       120

/* Offsets inside the system table page. */
#define VENDOR_OFF 0x080
#define CONFIG_OFF 0x100
#define RTPROP_OFF 0x180
#define MEMRSV_OFF 0x190
#define NCONFIG    3

static const uint8_t guid_acpi20[16] =
        GUID_INIT(0x8868e871, 0xe4f1, 0x11d3, 0xbc, 0x22, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81);
static const uint8_t guid_rt_properties[16] =
        GUID_INIT(0xeb66918a, 0x7eef, 0x402a, 0x84, 0x2e, 0x93, 0x1d, 0x21, 0xc3, 0x8a, 0xe9);
static const uint8_t guid_memreserve[16] =
        GUID_INIT(0x888eb0c6, 0x8ede, 0x4ff5, 0xa8, 0xf0, 0x9a, 0xee, 0x5c, 0xb9, 0x77, 0xc2);

uint32_t efi_crc32(const void *p, size_t n)
{
	const uint8_t *s = p;
	uint32_t crc = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		crc ^= s[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	return ~crc;
}

static void memdesc(struct acpi_buf *b, uint32_t type, uint64_t base, uint64_t size)
{
	acpi_buf_u32(b, type);
	acpi_buf_u32(b, 0);
	acpi_buf_u64(b, base);
	acpi_buf_u64(b, 0); /* virtual address: no SetVirtualAddressMap */
	acpi_buf_u64(b, size / EFI_PAGE);
	acpi_buf_u64(b, EFI_MEMORY_WB);
}

static int check(const struct efi_params *p, struct efi_carveout *sorted)
{
	uint64_t ram_end = p->ram_base + p->ram_size;
	if (p->ram_base % EFI_PAGE || p->ram_size % EFI_PAGE || !p->ram_size ||
	    ram_end < p->ram_base || p->ncarve > EFI_MAX_CARVEOUTS || (p->ncarve && !p->carve))
		return -EINVAL;
	memcpy(sorted, p->carve, p->ncarve * sizeof(*sorted));
	/* Insertion sort by base: a handful of entries. */
	for (unsigned i = 1; i < p->ncarve; i++)
		for (unsigned j = i; j > 0 && sorted[j].base < sorted[j - 1].base; j--) {
			struct efi_carveout t = sorted[j];
			sorted[j] = sorted[j - 1];
			sorted[j - 1] = t;
		}
	uint64_t prev_end = p->ram_base;
	for (unsigned i = 0; i < p->ncarve; i++) {
		const struct efi_carveout *c = &sorted[i];
		if (c->base % EFI_PAGE || c->size % EFI_PAGE || !c->size || c->base < prev_end ||
		    c->size > ram_end - c->base || c->type == EFI_CONVENTIONAL_MEMORY)
			return -EINVAL;
		prev_end = c->base + c->size;
	}
	return 0;
}

static void write_mmap(struct acpi_buf *b, const struct efi_params *p, const struct efi_carveout *c)
{
	uint64_t at = p->ram_base, ram_end = p->ram_base + p->ram_size;
	for (unsigned i = 0; i < p->ncarve; i++) {
		if (c[i].base > at)
			memdesc(b, EFI_CONVENTIONAL_MEMORY, at, c[i].base - at);
		memdesc(b, c[i].type, c[i].base, c[i].size);
		at = c[i].base + c[i].size;
	}
	if (at < ram_end)
		memdesc(b, EFI_CONVENTIONAL_MEMORY, at, ram_end - at);
}

static void config_entry(struct acpi_buf *b, const uint8_t guid[16], uint64_t addr)
{
	acpi_buf_bytes(b, guid, 16);
	acpi_buf_u64(b, addr);
}

static void write_systab(struct acpi_buf *b, uint64_t page_gpa, uint64_t rsdp_gpa)
{
	size_t base = b->len;
	acpi_buf_u64(b, EFI_SYSTAB_SIGNATURE);
	acpi_buf_u32(b, EFI_SYSTAB_REVISION);
	acpi_buf_u32(b, EFI_SYSTAB_LEN);
	acpi_buf_u32(b, 0); /* crc32, patched */
	acpi_buf_u32(b, 0);
	acpi_buf_u64(b, page_gpa + VENDOR_OFF);
	acpi_buf_u32(b, 1); /* firmware revision */
	acpi_buf_u32(b, 0);
	acpi_buf_zero(b, (size_t)6 * 8); /* no consoles */
	/* No runtime services: the RT_PROPERTIES entry tells Linux so, which
	 * keeps it from calling through the NULL table. */
	acpi_buf_u64(b, 0);
	acpi_buf_u64(b, 0); /* no boot services: we are past ExitBootServices */
	acpi_buf_u64(b, NCONFIG);
	acpi_buf_u64(b, page_gpa + CONFIG_OFF);
	if (b->err)
		return;
	uint32_t crc = efi_crc32(b->p + base, EFI_SYSTAB_LEN);
	acpi_buf_put32(b, base + 16, crc);

	acpi_buf_zero(b, VENDOR_OFF - (b->len - base));
	static const char vendor[] = "tern-stub";
	for (size_t i = 0; i < sizeof(vendor); i++)
		acpi_buf_u16(b, (uint16_t)vendor[i]); /* UTF-16LE, NUL included */

	acpi_buf_zero(b, CONFIG_OFF - (b->len - base));
	config_entry(b, guid_acpi20, rsdp_gpa);
	config_entry(b, guid_rt_properties, page_gpa + RTPROP_OFF);
	config_entry(b, guid_memreserve, page_gpa + MEMRSV_OFF);

	acpi_buf_zero(b, RTPROP_OFF - (b->len - base));
	acpi_buf_u16(b, 1); /* version */
	acpi_buf_u16(b, 8); /* length */
	acpi_buf_u32(b, 0); /* no runtime service supported */

	acpi_buf_zero(b, MEMRSV_OFF - (b->len - base));
	acpi_buf_u32(b, 0); /* an empty memreserve list, for kexec'd GIC tables */
	acpi_buf_u32(b, 0);
	acpi_buf_u64(b, 0);
}

int efi_build(const struct efi_params *p, void *buf, size_t size, uint64_t gpa,
              struct efi_handoff *out)
{
	struct efi_carveout sorted[EFI_MAX_CARVEOUTS];
	if (gpa % EFI_PAGE || !p->rsdp_gpa)
		return -EINVAL;
	int r = check(p, sorted);
	if (r)
		return r;
	if (size < EFI_HANDOFF_SIZE)
		return -ENOSPC;

	struct acpi_buf b;
	acpi_buf_init(&b, buf, EFI_HANDOFF_SIZE);
	acpi_buf_zero(&b, EFI_HANDOFF_SIZE);
	b.len = 0;
	write_mmap(&b, p, sorted);
	size_t mmap_size = b.len;
	b.len = EFI_SYSTAB_OFFSET;
	write_systab(&b, gpa + EFI_SYSTAB_OFFSET, p->rsdp_gpa);
	if (b.err)
		return b.err;

	out->mmap_gpa = gpa;
	out->mmap_size = (uint32_t)mmap_size;
	out->desc_size = EFI_MEMDESC_SIZE;
	out->desc_ver = EFI_MEMDESC_VERSION;
	out->systab_gpa = gpa + EFI_SYSTAB_OFFSET;
	return 0;
}
