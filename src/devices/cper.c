#include "devices/cper.h"

#include <errno.h>
#include <string.h>

#include "vmm/core/guid.h"

const uint8_t cper_guid_memory[16] =
        GUID_INIT(0xa5bc1114, 0x6f64, 0x4ede, 0xb8, 0x63, 0x3e, 0x83, 0xed, 0x7c, 0x83, 0xb1);
const uint8_t cper_guid_arm[16] =
        GUID_INIT(0xe19e3d16, 0xbc11, 0x11e4, 0x9c, 0xaa, 0xc2, 0x05, 0x1d, 0x5d, 0x46, 0xb0);

#define CPER_RECORD_REV  0x0100
#define CPER_SECTION_REV 0x0100
#define GDATA_REV        0x0300
#define SEC_FLAG_PRIMARY 0x1

/* Block status (ACPI 18.3.2.7.1): which kind of error is present, and the
 * entry count in bits 13:4. */
#define ESTATUS_UNCORRECTABLE 0x1
#define ESTATUS_CORRECTABLE   0x2
#define ESTATUS_COUNT_SHIFT   4
#define ESTATUS_COUNT_MAX     0x3ff

static const char *const sev_names[] = {"recoverable", "fatal", "corrected", "info"};

int cper_severity_parse(const char *s, enum cper_severity *out)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, sev_names[i])) {
			*out = (enum cper_severity)i;
			return 0;
		}
	if (!strcmp(s, "informational")) {
		*out = CPER_SEV_INFO;
		return 0;
	}
	return -EINVAL;
}

const char *cper_severity_name(enum cper_severity sev)
{
	return (unsigned)sev < 4 ? sev_names[sev] : "unknown";
}

static void put_le(uint8_t *d, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		d[i] = (uint8_t)(v >> (8 * i));
}

int cper_mem_section(const struct cper_mem_error *e, void *buf, size_t size)
{
	if (size < CPER_MEM_SECTION_LEN)
		return -ENOSPC;
	uint8_t *d = buf;
	memset(d, 0, CPER_MEM_SECTION_LEN);
	uint64_t valid = CPER_MEM_VALID_PA | CPER_MEM_VALID_ERR_TYPE;
	if (e->physical_addr_mask)
		valid |= CPER_MEM_VALID_PA_MASK;
	put_le(d + 0, valid, 8);
	put_le(d + 16, e->physical_addr, 8);
	put_le(d + 24, e->physical_addr_mask, 8);
	d[72] = e->error_type;
	return CPER_MEM_SECTION_LEN;
}

int cper_arm_section(const struct cper_arm_error *e, void *buf, size_t size)
{
	if (size < CPER_ARM_SECTION_LEN)
		return -ENOSPC;
	uint8_t *d = buf;
	memset(d, 0, CPER_ARM_SECTION_LEN);
	put_le(d + 0, CPER_ARM_VALID_MPIDR | CPER_ARM_VALID_RUNNING, 4);
	put_le(d + 4, 1, 2); /* error information entries */
	put_le(d + 6, 0, 2); /* context information entries */
	put_le(d + 8, CPER_ARM_SECTION_LEN, 4);
	put_le(d + 16, e->mpidr, 8);
	put_le(d + 24, e->midr, 8);
	put_le(d + 32, 1, 4); /* the PE was running */

	uint8_t *info = d + 40;
	/* Validation: flags always; error info, VA and PA when given. */
	uint16_t valid = 0x2;
	if (e->error_info)
		valid |= 0x4;
	if (e->va)
		valid |= 0x8;
	if (e->pa)
		valid |= 0x10;
	info[0] = 0;  /* version */
	info[1] = 32; /* length */
	put_le(info + 2, valid, 2);
	info[4] = e->type;
	info[7] = 0x3; /* first and last error captured */
	put_le(info + 8, e->error_info, 8);
	put_le(info + 16, e->va, 8);
	put_le(info + 24, e->pa, 8);
	return CPER_ARM_SECTION_LEN;
}

static int check_sections(const struct cper_section *s, unsigned n, size_t per_section, size_t head,
                          size_t size, size_t *total)
{
	if ((n && !s) || n > ESTATUS_COUNT_MAX)
		return -EINVAL;
	size_t t = head;
	for (unsigned i = 0; i < n; i++) {
		if (!s[i].type || (s[i].len && !s[i].body) || (unsigned)s[i].severity > 3)
			return -EINVAL;
		t += per_section + s[i].len;
		if (t > UINT32_MAX)
			return -E2BIG;
	}
	if (t > size)
		return -ENOSPC;
	*total = t;
	return 0;
}

int cper_estatus_build(enum cper_severity sev, const struct cper_section *s, unsigned n, void *buf,
                       size_t size)
{
	size_t total;
	if ((unsigned)sev > 3 || !n)
		return -EINVAL;
	int r = check_sections(s, n, CPER_GDATA_LEN, CPER_ESTATUS_LEN, size, &total);
	if (r)
		return r;
	uint8_t *d = buf;
	memset(d, 0, total);
	uint32_t status = sev == CPER_SEV_RECOVERABLE || sev == CPER_SEV_FATAL
	                          ? ESTATUS_UNCORRECTABLE
	                          : ESTATUS_CORRECTABLE;
	status |= n << ESTATUS_COUNT_SHIFT;
	put_le(d + 0, status, 4);
	put_le(d + 4, 0, 4); /* no raw data */
	put_le(d + 8, 0, 4);
	put_le(d + 12, total - CPER_ESTATUS_LEN, 4);
	put_le(d + 16, sev, 4);

	uint8_t *e = d + CPER_ESTATUS_LEN;
	for (unsigned i = 0; i < n; i++) {
		memcpy(e, s[i].type, 16);
		put_le(e + 16, s[i].severity, 4);
		put_le(e + 20, GDATA_REV, 2);
		e[22] = 0; /* no FRU id, FRU text or timestamp */
		e[23] = i == 0 ? SEC_FLAG_PRIMARY : 0;
		put_le(e + 24, s[i].len, 4);
		if (s[i].len)
			memcpy(e + CPER_GDATA_LEN, s[i].body, s[i].len);
		e += CPER_GDATA_LEN + s[i].len;
	}
	return (int)total;
}

int cper_record_build(enum cper_severity sev, const struct cper_section *s, unsigned n,
                      uint64_t record_id, void *buf, size_t size)
{
	size_t total;
	if ((unsigned)sev > 3 || !n || n > UINT16_MAX)
		return -EINVAL;
	int r = check_sections(s, n, CPER_SECTION_DESC_LEN, CPER_RECORD_HEADER_LEN, size, &total);
	if (r)
		return r;
	uint8_t *d = buf;
	memset(d, 0, total);
	static const uint8_t signature[4] = {'C', 'P', 'E', 'R'};
	memcpy(d, signature, sizeof(signature));
	put_le(d + 4, CPER_RECORD_REV, 2);
	put_le(d + 6, 0xffffffff, 4); /* signature end */
	put_le(d + 10, n, 2);
	put_le(d + 12, sev, 4);
	put_le(d + 16, 0, 4); /* no platform id, timestamp or partition id */
	put_le(d + 20, total, 4);
	put_le(d + 96, record_id, 8);

	/* Bodies follow all the descriptors. */
	uint32_t body = (uint32_t)(CPER_RECORD_HEADER_LEN + (size_t)n * CPER_SECTION_DESC_LEN);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *sd = d + CPER_RECORD_HEADER_LEN + (size_t)i * CPER_SECTION_DESC_LEN;
		put_le(sd + 0, body, 4);
		put_le(sd + 4, s[i].len, 4);
		put_le(sd + 8, CPER_SECTION_REV, 2);
		sd[10] = 0; /* no FRU id or text */
		put_le(sd + 12, i == 0 ? SEC_FLAG_PRIMARY : 0, 4);
		memcpy(sd + 16, s[i].type, 16);
		put_le(sd + 48, s[i].severity, 4);
		if (s[i].len)
			memcpy(d + body, s[i].body, s[i].len);
		body += s[i].len;
	}
	return (int)total;
}

int cper_estatus_memory(enum cper_severity sev, uint64_t pa, void *buf, size_t size)
{
	uint8_t body[CPER_MEM_SECTION_LEN];
	struct cper_mem_error e = {.physical_addr = pa, .error_type = CPER_MEM_ERR_UNKNOWN};
	int len = cper_mem_section(&e, body, sizeof(body));
	if (len < 0)
		return len;
	struct cper_section s = {cper_guid_memory, sev, body, (uint32_t)len};
	return cper_estatus_build(sev, &s, 1, buf, size);
}
