/* The stub DT of ACPI boot: any node besides /chosen would make the kernel
 * take the DT path instead of ACPI. */
#include <errno.h>
#include <libfdt.h>

#include "arch/aarch64/portable/efi.h"

/* linux,uefi-secure-boot: 2 = disabled. Debian and Ubuntu kernels panic
 * when it is missing. */
#define EFI_SECURE_BOOT_DISABLED 2

static void fdt_check(int *err, int r)
{
	if (r < 0 && !*err)
		*err = r;
}

int efi_stub_fdt_build(const struct efi_stub_fdt_params *p, void *buf, size_t size)
{
	if (!p->efi || p->initrd_end < p->initrd_start || size > INT32_MAX)
		return -EINVAL;
	const struct efi_handoff *e = p->efi;
	int err = 0;
	fdt_check(&err, fdt_create(buf, (int)size));
	fdt_check(&err, fdt_finish_reservemap(buf));
	fdt_check(&err, fdt_begin_node(buf, ""));
	fdt_check(&err, fdt_property_u32(buf, "#address-cells", 2));
	fdt_check(&err, fdt_property_u32(buf, "#size-cells", 2));
	fdt_check(&err, fdt_begin_node(buf, "chosen"));
	if (p->bootargs)
		fdt_check(&err, fdt_property_string(buf, "bootargs", p->bootargs));
	if (p->initrd_end > p->initrd_start) {
		fdt_check(&err, fdt_property_u64(buf, "linux,initrd-start", p->initrd_start));
		fdt_check(&err, fdt_property_u64(buf, "linux,initrd-end", p->initrd_end));
	}
	fdt_check(&err, fdt_property_u64(buf, "linux,uefi-system-table", e->systab_gpa));
	fdt_check(&err, fdt_property_u64(buf, "linux,uefi-mmap-start", e->mmap_gpa));
	fdt_check(&err, fdt_property_u32(buf, "linux,uefi-mmap-size", e->mmap_size));
	fdt_check(&err, fdt_property_u32(buf, "linux,uefi-mmap-desc-size", e->desc_size));
	fdt_check(&err, fdt_property_u32(buf, "linux,uefi-mmap-desc-ver", e->desc_ver));
	fdt_check(&err, fdt_property_u32(buf, "linux,uefi-secure-boot", EFI_SECURE_BOOT_DISABLED));
	fdt_check(&err, fdt_end_node(buf));
	fdt_check(&err, fdt_end_node(buf));
	fdt_check(&err, fdt_finish(buf));
	if (err)
		return err == -FDT_ERR_NOSPACE ? -ENOSPC : -EINVAL;
	return (int)fdt_totalsize(buf);
}
