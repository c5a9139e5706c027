/* The DSDT: the devices that depend on the VM (a processor per vCPU, the
 * virtio slots), generated in C. What every VM shares is ASL compiled at
 * build time (acpi/ssdt-static.asl, see acpi_static.c). */
#include <stdio.h>

#include "arch/aarch64/layout.h"
#include "arch/aarch64/portable/acpi_priv.h"
#include "arch/aarch64/portable/aml.h"

static void add_mmio_device(struct aml *a, const char *name, const char *hid, unsigned uid,
                            uint64_t base, uint64_t size, unsigned spi)
{
	uint8_t res[64];
	struct acpi_buf r;
	acpi_buf_init(&r, res, sizeof(res));
	aml_res_memory32_fixed(&r, base, size, 1);
	aml_res_interrupt(&r, spi + 32, 0, 0);

	aml_device_open(a, name);
	aml_name_string_obj(a, "_HID", hid);
	aml_name_integer(a, "_UID", uid);
	/* arm64 Linux gives a device without _CCA no DMA at all. */
	aml_name_integer(a, "_CCA", 1);
	aml_name(a, "_CRS");
	aml_resource_template(a, &r);
	aml_close(a);
}

size_t acpi_dsdt_write(struct acpi_buf *b, const struct acpi_params *p)
{
	size_t t = acpi_table_begin(b, "DSDT", 2);
	struct aml a;
	aml_init(&a, b);
	aml_scope_open(&a, "\\_SB");

	char name[8];
	for (unsigned i = 0; i < p->ncpus; i++) {
		/* arm64 Linux registers CPU devices only through these. */
		snprintf(name, sizeof(name), "C%03X", i & 0xfff);
		aml_device_open(&a, name);
		aml_name_string_obj(&a, "_HID", "ACPI0007");
		aml_name_integer(&a, "_UID", i);
		aml_close(&a);
	}

	for (unsigned i = 0; i < p->nvirtio; i++) {
		snprintf(name, sizeof(name), "V%03X", i & 0xfff);
		add_mmio_device(&a, name, "LNRO0005", i, p->virtio[i].base, p->virtio[i].size,
		                p->virtio[i].spi);
	}
	aml_close(&a);

	int err = aml_error(&a);
	if (err && !b->err)
		b->err = err;
	acpi_table_end(b, t);
	return t;
}
