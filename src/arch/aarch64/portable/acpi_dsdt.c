/* The DSDT: the devices ACPI has no static table for. Built in C rather than
 * compiled ASL because most of it (CPUs, virtio slots) depends on the VM. */
#include <stdio.h>

#include "arch/aarch64/layout.h"
#include "arch/aarch64/portable/acpi_priv.h"
#include "arch/aarch64/portable/aml.h"

/* APEI's WHEA _OSC: granting it is what enables firmware-first GHES. */
#define WHEA_UUID             "ed855e0c-6c90-47bf-a62a-26de0fc5ad5c"
#define OSC_UNRECOGNIZED_UUID 0x4

static void add_osc(struct aml *a)
{
	aml_method_open(a, "_OSC", 4);
	aml_create_dword_field(a);
	aml_arg(a, 3);
	aml_integer(a, 0);
	aml_name_string(a, "CDW1");
	aml_if_open(a);
	aml_lequal(a);
	aml_arg(a, 0);
	aml_uuid(a, WHEA_UUID);
	aml_return(a);
	aml_arg(a, 3);
	aml_close(a);
	aml_or(a);
	aml_name_string(a, "CDW1");
	aml_integer(a, OSC_UNRECOGNIZED_UUID);
	aml_name_string(a, "CDW1");
	aml_return(a);
	aml_arg(a, 3);
	aml_close(a);
}

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

static void add_power_button(struct aml *a)
{
	aml_device_open(a, "PWRB");
	aml_name_string_obj(a, "_HID", "PNP0C0C");
	aml_name_integer(a, "_UID", 0);
	aml_close(a);

	/* Hardware-reduced ACPI has no fixed power button: a GED turns an edge
	 * on its SPI into Notify(PWRB, 0x80), which Linux reports as KEY_POWER. */
	uint8_t res[16];
	struct acpi_buf r;
	acpi_buf_init(&r, res, sizeof(res));
	aml_res_interrupt(&r, LAYOUT_SPI_GED + 32, 1, 0);
	aml_device_open(a, "GED0");
	aml_name_string_obj(a, "_HID", "ACPI0013");
	aml_name_integer(a, "_UID", 0);
	aml_name(a, "_CRS");
	aml_resource_template(a, &r);
	aml_method_open(a, "_EVT", 1);
	aml_notify(a);
	aml_name_string(a, "\\_SB.PWRB");
	aml_integer(a, 0x80);
	aml_close(a);
	aml_close(a);
}

size_t acpi_dsdt_write(struct acpi_buf *b, const struct acpi_params *p)
{
	size_t t = acpi_table_begin(b, "DSDT", 2);
	struct aml a;
	aml_init(&a, b);
	aml_scope_open(&a, "\\_SB");
	add_osc(&a);

	char name[8];
	for (unsigned i = 0; i < p->ncpus; i++) {
		/* arm64 Linux registers CPU devices only through these. */
		snprintf(name, sizeof(name), "C%03X", i & 0xfff);
		aml_device_open(&a, name);
		aml_name_string_obj(&a, "_HID", "ACPI0007");
		aml_name_integer(&a, "_UID", i);
		aml_close(&a);
	}

	/* The 8250 driver takes PNP0501 through PNPACPI. */
	add_mmio_device(&a, "COM0", "PNP0501", 0, LAYOUT_UART_BASE, LAYOUT_UART_SIZE,
	                LAYOUT_SPI_UART);
	for (unsigned i = 0; i < p->nvirtio; i++) {
		snprintf(name, sizeof(name), "V%03X", i & 0xfff);
		add_mmio_device(&a, name, "LNRO0005", i, p->virtio[i].base, p->virtio[i].size,
		                p->virtio[i].spi);
	}
	add_power_button(&a);
	aml_close(&a);

	int err = aml_error(&a);
	if (err && !b->err)
		b->err = err;
	acpi_table_end(b, t);
	return t;
}
