/* A bounded little-endian byte writer shared by the ACPI, AML and EFI
 * builders. The first overflow sticks in err, so builders read as plain
 * sequences and check once at the end. */
#ifndef TERN_ARCH_AARCH64_ACPI_BUF_H
#define TERN_ARCH_AARCH64_ACPI_BUF_H

#include <stddef.h>
#include <stdint.h>

struct acpi_buf {
	uint8_t *p;
	size_t size, len;
	int err; /* 0 or -ENOSPC */
};

void acpi_buf_init(struct acpi_buf *b, void *p, size_t size);
void acpi_buf_bytes(struct acpi_buf *b, const void *src, size_t n);
void acpi_buf_zero(struct acpi_buf *b, size_t n);
void acpi_buf_u8(struct acpi_buf *b, uint8_t v);
void acpi_buf_u16(struct acpi_buf *b, uint16_t v);
void acpi_buf_u32(struct acpi_buf *b, uint32_t v);
void acpi_buf_u64(struct acpi_buf *b, uint64_t v);
void acpi_buf_align(struct acpi_buf *b, size_t a);

/* Patches already written bytes; out-of-range patches set err. */
void acpi_buf_put16(struct acpi_buf *b, size_t off, uint16_t v);
void acpi_buf_put32(struct acpi_buf *b, size_t off, uint32_t v);
void acpi_buf_put64(struct acpi_buf *b, size_t off, uint64_t v);

/* Generic Address Structure (ACPI 5.2.3.2), 12 bytes. */
void acpi_buf_gas(struct acpi_buf *b, uint8_t space, uint8_t bit_width, uint8_t bit_offset,
                  uint8_t access_size, uint64_t addr);

/* The byte that makes the sum of p[0..n) zero. */
uint8_t acpi_checksum(const void *p, size_t n);

static inline uint16_t acpi_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t acpi_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t acpi_get64(const uint8_t *p)
{
	return acpi_get32(p) | (uint64_t)acpi_get32(p + 4) << 32;
}

#endif
