/* ACPI boot (--acpi): EFI hand-off, ACPI tables and the GHESv2 RAS error
 * sources whose records the control socket injects. */
#ifndef TERN_VMM_ACPI_BOARD_H
#define TERN_VMM_ACPI_BOARD_H

#include <stddef.h>
#include <stdint.h>

#include "devices/ghes.h"

/* The SDEI events tern declares for its two RAS sources in ACPI mode: a
 * normal-priority one (source 0) and a critical-priority one (source 1). */
#define ACPI_RAS_EVENT_NORMAL   0x100
#define ACPI_RAS_EVENT_CRITICAL 0x101
#define ACPI_RAS_SOURCES        2

struct vm;
struct bootplan;

struct acpi_board {
	int on;
	struct ghes_source ras[ACPI_RAS_SOURCES];
	unsigned nras; /* 0 when SDEI is off: no way to notify the guest */
};

/* Writes the firmware hand-off and the stub DT for the planned layout.
 * Returns 0 or a negative errno after logging why. */
int acpi_board_load(struct vm *vm, const struct bootplan *plan, const char *bootargs);

/* Posts a record (a Generic Error Status Block with its data) to RAS source
 * `source` and signals its SDEI event. Returns 0, -ENODEV (no such source),
 * -EBUSY (the guest has not acknowledged the last record), -E2BIG, -EINVAL;
 * *why explains. Main thread. */
int acpi_ras_inject(struct vm *vm, unsigned source, const void *rec, size_t len, const char **why);

#endif
