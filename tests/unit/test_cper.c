/* CPER builders byte-checked against the UEFI N.2 and ACPI 18.3.2.7
 * layouts: offsets, GUID wire bytes, validation bits and severities. */
#include <errno.h>

#include "arch/aarch64/portable/acpi_buf.h"
#include "check.h"
#include "devices/cper.h"

/* GUIDs as they appear on the wire (first three fields little-endian). */
static const uint8_t mem_guid[16] = {0x14, 0x11, 0xbc, 0xa5, 0x64, 0x6f, 0xde, 0x4e,
                                     0xb8, 0x63, 0x3e, 0x83, 0xed, 0x7c, 0x83, 0xb1};
static const uint8_t arm_guid[16] = {0x16, 0x3d, 0x9e, 0xe1, 0x11, 0xbc, 0xe4, 0x11,
                                     0x9c, 0xaa, 0xc2, 0x05, 0x1d, 0x5d, 0x46, 0xb0};

static void test_guids_and_severity(void)
{
	CHECK(!memcmp(cper_guid_memory, mem_guid, 16));
	CHECK(!memcmp(cper_guid_arm, arm_guid, 16));
	enum cper_severity s;
	CHECK(cper_severity_parse("recoverable", &s) == 0 && s == 0);
	CHECK(cper_severity_parse("fatal", &s) == 0 && s == 1);
	CHECK(cper_severity_parse("corrected", &s) == 0 && s == 2);
	CHECK(cper_severity_parse("informational", &s) == 0 && s == 3);
	CHECK(cper_severity_parse("info", &s) == 0 && s == 3);
	CHECK_EQ(cper_severity_parse("bad", &s), -EINVAL);
	CHECK_STR(cper_severity_name(CPER_SEV_CORRECTED), "corrected");
}

static void test_mem_section(void)
{
	uint8_t b[80];
	struct cper_mem_error e = {.physical_addr = 0x50000000, .error_type = 3};
	CHECK_EQ(cper_mem_section(&e, b, sizeof(b)), 80);
	CHECK_EQ_U64(acpi_get64(b), 0x4002); /* PA, error type */
	CHECK_EQ_U64(acpi_get64(b + 16), 0x50000000);
	CHECK_EQ_U64(acpi_get64(b + 24), 0);
	CHECK_EQ(b[72], 3);
	e.physical_addr_mask = ~0xfffULL;
	CHECK_EQ(cper_mem_section(&e, b, sizeof(b)), 80);
	CHECK_EQ_U64(acpi_get64(b), 0x4006);
	CHECK_EQ_U64(acpi_get64(b + 24), ~0xfffULL);
	CHECK_EQ(cper_mem_section(&e, b, 79), -ENOSPC);
}

static void test_arm_section(void)
{
	uint8_t b[72];
	struct cper_arm_error e = {.mpidr = 0x80000101,
	                           .midr = 0x410fd083,
	                           .type = CPER_ARM_ERR_CACHE,
	                           .error_info = 0x0091000f,
	                           .pa = 0xabba0bad};
	CHECK_EQ(cper_arm_section(&e, b, sizeof(b)), 72);
	CHECK_EQ(acpi_get32(b), 0x5); /* MPIDR and running state valid */
	CHECK_EQ(acpi_get16(b + 4), 1);
	CHECK_EQ(acpi_get16(b + 6), 0);
	CHECK_EQ(acpi_get32(b + 8), 72);
	CHECK_EQ_U64(acpi_get64(b + 16), 0x80000101);
	CHECK_EQ_U64(acpi_get64(b + 24), 0x410fd083);
	CHECK_EQ(acpi_get32(b + 32), 1);
	const uint8_t *i = b + 40;
	CHECK_EQ(i[1], 32);
	CHECK_EQ(acpi_get16(i + 2), 0x2 | 0x4 | 0x10); /* flags, info, PA; no VA */
	CHECK_EQ(i[4], 0x02);
	CHECK_EQ(i[7], 0x3);
	CHECK_EQ_U64(acpi_get64(i + 8), 0x0091000f);
	CHECK_EQ_U64(acpi_get64(i + 16), 0);
	CHECK_EQ_U64(acpi_get64(i + 24), 0xabba0bad);
	CHECK_EQ(cper_arm_section(&e, b, 40), -ENOSPC);
}

static void test_estatus(void)
{
	uint8_t b[1024];
	int n = cper_estatus_memory(CPER_SEV_RECOVERABLE, 0x50000000, b, sizeof(b));
	CHECK_EQ(n, 20 + 72 + 80);
	CHECK_EQ(acpi_get32(b), 0x11); /* uncorrectable, one entry */
	CHECK_EQ(acpi_get32(b + 4), 0);
	CHECK_EQ(acpi_get32(b + 8), 0);
	CHECK_EQ(acpi_get32(b + 12), 72 + 80);
	CHECK_EQ(acpi_get32(b + 16), 0);
	const uint8_t *g = b + 20;
	CHECK(!memcmp(g, mem_guid, 16));
	CHECK_EQ(acpi_get32(g + 16), 0);
	CHECK_EQ(acpi_get16(g + 20), 0x300);
	CHECK_EQ(g[22], 0);
	CHECK_EQ(g[23], 1); /* primary */
	CHECK_EQ(acpi_get32(g + 24), 80);
	CHECK_EQ_U64(acpi_get64(g + 72 + 16), 0x50000000);

	CHECK(cper_estatus_memory(CPER_SEV_CORRECTED, 0x1000, b, sizeof(b)) > 0);
	CHECK_EQ(acpi_get32(b), 0x12); /* correctable, one entry */
	CHECK_EQ(acpi_get32(b + 16), 2);
	CHECK(cper_estatus_memory(CPER_SEV_FATAL, 0x1000, b, sizeof(b)) > 0);
	CHECK_EQ(acpi_get32(b), 0x11);
	CHECK_EQ(acpi_get32(b + 16), 1);

	/* two sections: counts, offsets, only the first is primary */
	uint8_t mem[80], arm[72];
	struct cper_mem_error me = {.physical_addr = 0x1234000};
	struct cper_arm_error ae = {.mpidr = 1, .type = CPER_ARM_ERR_TLB};
	cper_mem_section(&me, mem, sizeof(mem));
	cper_arm_section(&ae, arm, sizeof(arm));
	struct cper_section s[2] = {{cper_guid_arm, CPER_SEV_RECOVERABLE, arm, 72},
	                            {cper_guid_memory, CPER_SEV_CORRECTED, mem, 80}};
	n = cper_estatus_build(CPER_SEV_RECOVERABLE, s, 2, b, sizeof(b));
	CHECK_EQ(n, 20 + 72 + 72 + 72 + 80);
	CHECK_EQ(acpi_get32(b) >> 4, 2);
	CHECK_EQ(acpi_get32(b + 12), n - 20);
	CHECK(!memcmp(b + 20, arm_guid, 16));
	CHECK(!memcmp(b + 20 + 72, arm, 72));
	const uint8_t *g2 = b + 20 + 72 + 72;
	CHECK(!memcmp(g2, mem_guid, 16));
	CHECK_EQ(acpi_get32(g2 + 16), 2);
	CHECK_EQ(g2[23], 0);
	CHECK(!memcmp(g2 + 72, mem, 80));

	CHECK_EQ(cper_estatus_build(CPER_SEV_RECOVERABLE, s, 2, b, 100), -ENOSPC);
	CHECK_EQ(cper_estatus_build(CPER_SEV_RECOVERABLE, s, 0, b, sizeof(b)), -EINVAL);
	CHECK_EQ(cper_estatus_build((enum cper_severity)7, s, 1, b, sizeof(b)), -EINVAL);
}

static void test_record(void)
{
	uint8_t b[1024], mem[80];
	struct cper_mem_error me = {.physical_addr = 0x40001000};
	cper_mem_section(&me, mem, sizeof(mem));
	struct cper_section s = {cper_guid_memory, CPER_SEV_CORRECTED, mem, 80};
	int n = cper_record_build(CPER_SEV_CORRECTED, &s, 1, 0x1122334455667788ULL, b, sizeof(b));
	CHECK_EQ(n, 128 + 72 + 80);
	CHECK(!memcmp(b, "CPER", 4));
	CHECK_EQ(acpi_get16(b + 4), 0x0100);
	CHECK_EQ(acpi_get32(b + 6), 0xffffffff);
	CHECK_EQ(acpi_get16(b + 10), 1);
	CHECK_EQ(acpi_get32(b + 12), 2);
	CHECK_EQ(acpi_get32(b + 20), n);
	CHECK_EQ_U64(acpi_get64(b + 96), 0x1122334455667788ULL);
	const uint8_t *d = b + 128;
	CHECK_EQ(acpi_get32(d), 200);
	CHECK_EQ(acpi_get32(d + 4), 80);
	CHECK_EQ(acpi_get16(d + 8), 0x0100);
	CHECK_EQ(acpi_get32(d + 12), 1);
	CHECK(!memcmp(d + 16, mem_guid, 16));
	CHECK_EQ(acpi_get32(d + 48), 2);
	CHECK(!memcmp(b + 200, mem, 80));
	CHECK_EQ(cper_record_build(CPER_SEV_CORRECTED, &s, 1, 0, b, 279), -ENOSPC);
}

int main(void)
{
	test_guids_and_severity();
	test_mem_section();
	test_arm_section();
	test_estatus();
	test_record();
	return check_summary("test_cper");
}
