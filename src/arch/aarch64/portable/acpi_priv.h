/* Shared between the ACPI table files; not for callers. */
#ifndef TERN_ARCH_AARCH64_ACPI_PRIV_H
#define TERN_ARCH_AARCH64_ACPI_PRIV_H

#include "arch/aarch64/portable/acpi.h"
#include "arch/aarch64/portable/acpi_buf.h"

#define ACPI_HEADER_LEN 36

/* Writes a header with zero length and checksum; returns the table's
 * offset for acpi_table_end(). */
size_t acpi_table_begin(struct acpi_buf *b, const char sig[4], uint8_t rev);
/* Fills in length and checksum of the table that starts at off. */
void acpi_table_end(struct acpi_buf *b, size_t off);

/* Appends the DSDT; returns its offset in b. */
size_t acpi_dsdt_write(struct acpi_buf *b, const struct acpi_params *p);
/* The static SSDT (acpi/ssdt-static.asl, compiled by iasl at build time). */
const uint8_t *acpi_static_ssdt(size_t *len);

#endif
