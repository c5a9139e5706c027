/* A small AML encoder: just the terms tern's DSDT uses (ACPI 6.3 ch. 20).
 * Objects with a PkgLength are opened and closed; the length is inserted in
 * front of the body at close time, so callers never count bytes. */
#ifndef TERN_ARCH_AARCH64_AML_H
#define TERN_ARCH_AARCH64_AML_H

#include <stddef.h>
#include <stdint.h>

#include "arch/aarch64/portable/acpi_buf.h"

#define AML_MAX_DEPTH 8

struct aml {
	struct acpi_buf *b;
	size_t open[AML_MAX_DEPTH]; /* where each open body starts */
	int depth;
	int err; /* first encoding error, e.g. a bad name */
};

void aml_init(struct aml *a, struct acpi_buf *b);
/* 0, or the first error (negative errno) of the encoder or its buffer. */
int aml_error(const struct aml *a);

/* A NameString: "\\" for the root, segments of up to 4 characters separated
 * by dots and padded with '_' (e.g. "\\_SB.PWRB", "_HID"). */
void aml_name_string(struct aml *a, const char *path);
void aml_integer(struct aml *a, uint64_t v);
void aml_string(struct aml *a, const char *s);
void aml_buffer(struct aml *a, const void *data, size_t n);

/* Name(name, <next data object>) */
void aml_name(struct aml *a, const char *name);
void aml_name_integer(struct aml *a, const char *name, uint64_t v);
void aml_name_string_obj(struct aml *a, const char *name, const char *s);

void aml_scope_open(struct aml *a, const char *path);
void aml_device_open(struct aml *a, const char *name);
void aml_close(struct aml *a);

/* Resource template pieces, written into a plain byte buffer that is then
 * wrapped with aml_resource_template(). */
void aml_res_memory32_fixed(struct acpi_buf *r, uint64_t base, uint64_t size, int rw);
/* One Extended Interrupt descriptor for a GIC INTID, consumer, exclusive. */
void aml_res_interrupt(struct acpi_buf *r, uint32_t intid, int edge, int active_low);
/* Appends the end tag and emits the template as a Buffer object. */
void aml_resource_template(struct aml *a, struct acpi_buf *r);

#endif
