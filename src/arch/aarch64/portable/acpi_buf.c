#include "arch/aarch64/portable/acpi_buf.h"

#include <errno.h>
#include <string.h>

void acpi_buf_init(struct acpi_buf *b, void *p, size_t size)
{
	b->p = p;
	b->size = size;
	b->len = 0;
	b->err = 0;
}

/* Returns where n more bytes go, or NULL (and marks the error) when they do
 * not fit. */
static uint8_t *reserve(struct acpi_buf *b, size_t n)
{
	if (b->err || n > b->size - b->len) {
		b->err = -ENOSPC;
		return NULL;
	}
	uint8_t *d = b->p + b->len;
	b->len += n;
	return d;
}

void acpi_buf_bytes(struct acpi_buf *b, const void *src, size_t n)
{
	uint8_t *d = reserve(b, n);
	if (d && n)
		memcpy(d, src, n);
}

void acpi_buf_zero(struct acpi_buf *b, size_t n)
{
	uint8_t *d = reserve(b, n);
	if (d && n)
		memset(d, 0, n);
}

static void put_le(uint8_t *d, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		d[i] = (uint8_t)(v >> (8 * i));
}

static void write_le(struct acpi_buf *b, uint64_t v, int n)
{
	uint8_t *d = reserve(b, (size_t)n);
	if (d)
		put_le(d, v, n);
}

void acpi_buf_u8(struct acpi_buf *b, uint8_t v)
{
	write_le(b, v, 1);
}

void acpi_buf_u16(struct acpi_buf *b, uint16_t v)
{
	write_le(b, v, 2);
}

void acpi_buf_u32(struct acpi_buf *b, uint32_t v)
{
	write_le(b, v, 4);
}

void acpi_buf_u64(struct acpi_buf *b, uint64_t v)
{
	write_le(b, v, 8);
}

void acpi_buf_align(struct acpi_buf *b, size_t a)
{
	size_t pad = (a - b->len % a) % a;
	acpi_buf_zero(b, pad);
}

static void patch(struct acpi_buf *b, size_t off, uint64_t v, int n)
{
	if (off > b->len || (size_t)n > b->len - off) {
		if (!b->err)
			b->err = -EINVAL;
		return;
	}
	put_le(b->p + off, v, n);
}

void acpi_buf_put16(struct acpi_buf *b, size_t off, uint16_t v)
{
	patch(b, off, v, 2);
}

void acpi_buf_put32(struct acpi_buf *b, size_t off, uint32_t v)
{
	patch(b, off, v, 4);
}

void acpi_buf_put64(struct acpi_buf *b, size_t off, uint64_t v)
{
	patch(b, off, v, 8);
}

void acpi_buf_gas(struct acpi_buf *b, uint8_t space, uint8_t bit_width, uint8_t bit_offset,
                  uint8_t access_size, uint64_t addr)
{
	acpi_buf_u8(b, space);
	acpi_buf_u8(b, bit_width);
	acpi_buf_u8(b, bit_offset);
	acpi_buf_u8(b, access_size);
	acpi_buf_u64(b, addr);
}

uint8_t acpi_checksum(const void *p, size_t n)
{
	const uint8_t *s = p;
	uint8_t sum = 0;
	for (size_t i = 0; i < n; i++)
		sum = (uint8_t)(sum + s[i]);
	return (uint8_t)(0x100 - sum);
}
