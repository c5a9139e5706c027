/* The SSDT compiled from acpi/ssdt-static.asl at build time. */
#include "arch/aarch64/portable/acpi_priv.h"

/* iasl's C output: `unsigned char ssdt_static_aml_code[]`, a complete
 * table with its checksum. */
#include "ssdt_static.hex"

const uint8_t *acpi_static_ssdt(size_t *len)
{
	*len = sizeof(ssdt_static_aml_code);
	return ssdt_static_aml_code;
}
