#include "arch/aarch64/portable/aml.h"

#include <errno.h>
#include <string.h>

#define AML_ZERO       0x00
#define AML_ONE        0x01
#define AML_NAME       0x08
#define AML_BYTE       0x0a
#define AML_WORD       0x0b
#define AML_DWORD      0x0c
#define AML_STRING     0x0d
#define AML_QWORD      0x0e
#define AML_SCOPE      0x10
#define AML_BUFFER     0x11
#define AML_METHOD     0x14
#define AML_DUAL_NAME  0x2e
#define AML_MULTI_NAME 0x2f
#define AML_EXT        0x5b
#define AML_DEVICE     0x82 /* after AML_EXT */
#define AML_ROOT       0x5c
#define AML_ARG0       0x68
#define AML_OR         0x7d
#define AML_NOTIFY     0x86
#define AML_DWORDFIELD 0x8a
#define AML_LEQUAL     0x93
#define AML_IF         0xa0
#define AML_RETURN     0xa4
#define AML_ONES       0xff

void aml_init(struct aml *a, struct acpi_buf *b)
{
	a->b = b;
	a->depth = 0;
	a->err = 0;
}

int aml_error(const struct aml *a)
{
	if (a->err)
		return a->err;
	if (a->b->err)
		return a->b->err;
	return a->depth ? -EINVAL : 0;
}

static void fail(struct aml *a, int err)
{
	if (!a->err)
		a->err = err;
}

static void op(struct aml *a, uint8_t v)
{
	acpi_buf_u8(a->b, v);
}

static int seg_char_ok(char c, int first)
{
	if (c == '_' || (c >= 'A' && c <= 'Z'))
		return 1;
	return !first && c >= '0' && c <= '9';
}

static void name_seg(struct aml *a, const char *s, size_t n)
{
	if (n == 0 || n > 4) {
		fail(a, -EINVAL);
		return;
	}
	char seg[4] = {'_', '_', '_', '_'};
	for (size_t i = 0; i < n; i++) {
		if (!seg_char_ok(s[i], i == 0)) {
			fail(a, -EINVAL);
			return;
		}
		seg[i] = s[i];
	}
	acpi_buf_bytes(a->b, seg, 4);
}

void aml_name_string(struct aml *a, const char *path)
{
	if (*path == '\\') {
		op(a, AML_ROOT);
		path++;
	}
	unsigned nsegs = 0;
	for (const char *s = path; *s; s++)
		if (*s == '.')
			nsegs++;
	nsegs += *path ? 1 : 0;
	if (nsegs == 0) {
		op(a, AML_ZERO); /* NullName: only valid after the root prefix */
		return;
	}
	if (nsegs == 2) {
		op(a, AML_DUAL_NAME);
	} else if (nsegs > 2) {
		op(a, AML_MULTI_NAME);
		op(a, (uint8_t)nsegs);
	}
	while (*path) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);
		name_seg(a, path, n);
		path += n + (dot ? 1 : 0);
	}
}

void aml_integer(struct aml *a, uint64_t v)
{
	if (v == 0) {
		op(a, AML_ZERO);
	} else if (v == 1) {
		op(a, AML_ONE);
	} else if (v == UINT64_MAX) {
		op(a, AML_ONES);
	} else if (v <= 0xff) {
		op(a, AML_BYTE);
		acpi_buf_u8(a->b, (uint8_t)v);
	} else if (v <= 0xffff) {
		op(a, AML_WORD);
		acpi_buf_u16(a->b, (uint16_t)v);
	} else if (v <= 0xffffffff) {
		op(a, AML_DWORD);
		acpi_buf_u32(a->b, (uint32_t)v);
	} else {
		op(a, AML_QWORD);
		acpi_buf_u64(a->b, v);
	}
}

void aml_string(struct aml *a, const char *s)
{
	for (const char *c = s; *c; c++)
		if ((unsigned char)*c > 0x7f) {
			fail(a, -EINVAL);
			return;
		}
	op(a, AML_STRING);
	acpi_buf_bytes(a->b, s, strlen(s) + 1);
}

/* Opens a PkgLength-prefixed body: remember where it starts. */
static void open_pkg(struct aml *a)
{
	if (a->depth == AML_MAX_DEPTH) {
		fail(a, -EINVAL);
		return;
	}
	a->open[a->depth++] = a->b->len;
}

void aml_close(struct aml *a)
{
	if (a->depth == 0) {
		fail(a, -EINVAL);
		return;
	}
	size_t start = a->open[--a->depth];
	struct acpi_buf *b = a->b;
	if (b->err)
		return;
	/* PkgLength counts its own bytes: pick the shortest encoding that
	 * holds body + itself (ACPI 20.2.4). */
	size_t body = b->len - start, n;
	if (body + 1 < 0x40)
		n = 1;
	else if (body + 2 < 0x1000)
		n = 2;
	else if (body + 3 < 0x100000)
		n = 3;
	else if (body + 4 < 0x10000000)
		n = 4;
	else {
		fail(a, -E2BIG);
		return;
	}
	acpi_buf_zero(b, n);
	if (b->err)
		return;
	memmove(b->p + start + n, b->p + start, body);
	size_t total = body + n;
	uint8_t *d = b->p + start;
	if (n == 1) {
		d[0] = (uint8_t)total;
		return;
	}
	d[0] = (uint8_t)(((n - 1) << 6) | (total & 0x0f));
	for (size_t i = 1; i < n; i++)
		d[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
}

void aml_buffer(struct aml *a, const void *data, size_t n)
{
	op(a, AML_BUFFER);
	open_pkg(a);
	aml_integer(a, n);
	acpi_buf_bytes(a->b, data, n);
	aml_close(a);
}

void aml_name(struct aml *a, const char *name)
{
	op(a, AML_NAME);
	aml_name_string(a, name);
}

void aml_name_integer(struct aml *a, const char *name, uint64_t v)
{
	aml_name(a, name);
	aml_integer(a, v);
}

void aml_name_string_obj(struct aml *a, const char *name, const char *s)
{
	aml_name(a, name);
	aml_string(a, s);
}

void aml_scope_open(struct aml *a, const char *path)
{
	op(a, AML_SCOPE);
	open_pkg(a);
	aml_name_string(a, path);
}

void aml_device_open(struct aml *a, const char *name)
{
	op(a, AML_EXT);
	op(a, AML_DEVICE);
	open_pkg(a);
	aml_name_string(a, name);
}

void aml_res_memory32_fixed(struct acpi_buf *r, uint64_t base, uint64_t size, int rw)
{
	if (base > UINT32_MAX || size > UINT32_MAX || base + size - 1 > UINT32_MAX) {
		if (!r->err)
			r->err = -EINVAL;
		return;
	}
	acpi_buf_u8(r, 0x86); /* large item, Memory32Fixed */
	acpi_buf_u16(r, 9);
	acpi_buf_u8(r, rw ? 1 : 0);
	acpi_buf_u32(r, (uint32_t)base);
	acpi_buf_u32(r, (uint32_t)size);
}

void aml_res_interrupt(struct acpi_buf *r, uint32_t intid, int edge, int active_low)
{
	acpi_buf_u8(r, 0x89); /* large item, Extended Interrupt */
	acpi_buf_u16(r, 6);
	/* bit0 consumer; bit1 edge; bit2 active low; bit3 (shared) left clear */
	acpi_buf_u8(r, (uint8_t)(1 | (edge ? 2 : 0) | (active_low ? 4 : 0)));
	acpi_buf_u8(r, 1);
	acpi_buf_u32(r, intid);
}

void aml_resource_template(struct aml *a, struct acpi_buf *r)
{
	acpi_buf_u8(r, 0x79); /* end tag; checksum 0 means "not checked" */
	acpi_buf_u8(r, 0);
	if (r->err) {
		fail(a, r->err);
		return;
	}
	aml_buffer(a, r->p, r->len);
}
