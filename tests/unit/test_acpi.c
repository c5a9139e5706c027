/* The ACPI builder: every table walked from the RSDP, checksummed, field
 * checked, and disassembled with iasl. */
#include <errno.h>
#include <stdlib.h>

#include "arch/aarch64/layout.h"
#include "arch/aarch64/portable/acpi.h"
#include "arch/aarch64/portable/acpi_buf.h"
#include "check.h"
#include "devices/ghes.h"

#define GPA (0x5fe00000ULL + LAYOUT_FW_OFFSET + 0x2000)

static uint8_t buf[LAYOUT_FW_SIZE];
static char dsl[200000];

static const uint8_t *at(uint64_t gpa)
{
	return buf + (gpa - (GPA));
}

static int sum_ok(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	for (size_t i = 0; i < n; i++)
		s = (uint8_t)(s + p[i]);
	return s == 0;
}

/* Writes a table to TERN_TEST_TMP/<tag>.dat, disassembles it with iasl into
 * dsl[] and returns iasl's exit status (-1 when it could not run). */
static int disassemble(const uint8_t *t, size_t len, const char *tag)
{
	const char *tmp = getenv("TERN_TEST_TMP");
	char path[512], cmd[1400];
	snprintf(path, sizeof(path), "%s/acpi_%s", tmp ? tmp : "/tmp", tag);
	char dat[600];
	snprintf(dat, sizeof(dat), "%s.dat", path);
	FILE *f = fopen(dat, "wb");
	if (!f)
		return -1;
	fwrite(t, 1, len, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "iasl -d '%s' >/dev/null 2>&1", dat);
	int st = system(cmd);
	snprintf(dat, sizeof(dat), "%s.dsl", path);
	f = fopen(dat, "r");
	dsl[0] = 0;
	if (f) {
		size_t n = fread(dsl, 1, sizeof(dsl) - 1, f);
		dsl[n] = 0;
		fclose(f);
	}
	if (st == 0 && strstr(dsl, "****")) { /* iasl's marker for malformed data */
		fprintf(stderr, "iasl complains about %s\n", tag);
		return 1;
	}
	return st;
}

static int has(const char *s)
{
	if (strstr(dsl, s))
		return 1;
	fprintf(stderr, "dsl lacks: %s\n", s);
	return 0;
}

static int count(const char *s)
{
	int n = 0;
	for (const char *p = dsl; (p = strstr(p, s)); p++)
		n++;
	return n;
}

/* Recompiles the last disassembled DSDT: AML that round-trips is AML iasl
 * fully understood. */
static int recompile(const char *tag)
{
	const char *tmp = getenv("TERN_TEST_TMP");
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "cd '%s' && iasl -p acpi_%s_re acpi_%s.dsl >/dev/null 2>&1",
	         tmp ? tmp : "/tmp", tag, tag);
	return system(cmd);
}

static const uint8_t *find(const uint8_t *xsdt, const char *sig)
{
	uint32_t len = acpi_get32(xsdt + 4);
	for (uint32_t o = 36; o + 8 <= len; o += 8) {
		const uint8_t *t = at(acpi_get64(xsdt + o));
		if (!memcmp(t, sig, 4))
			return t;
	}
	return NULL;
}

static struct guest_mem ram;
static struct ghes_source src[2];
static struct acpi_ghes_desc ghes[2];
static const uint64_t ras = 0x5fe00000ULL + LAYOUT_RAS_OFFSET;

static void make_ghes(void)
{
	ram.gpa_base = 0x5fe00000ULL;
	ram.size = 2 << 20;
	ram.host = calloc(1, ram.size);
	/* One normal-priority and one critical-priority source. */
	const uint32_t events[2] = {0x100, 0x101};
	for (unsigned i = 0; i < 2; i++) {
		CHECK_EQ(ghes_init(&src[i], &ram, ras, LAYOUT_RAS_SIZE, i, (uint16_t)i, events[i]),
		         0);
		ghes[i] = (struct acpi_ghes_desc){
		        .source_id = src[i].source_id,
		        .sdei_event = src[i].sdei_event,
		        .status_gpa = src[i].status_gpa,
		        .read_ack_gpa = src[i].ack_gpa,
		        .block_len = src[i].block_len,
		        .region_base = ras,
		        .region_size = LAYOUT_RAS_SIZE,
		};
	}
}

static void test_v3(void)
{
	uint64_t mpidr[3] = {0x80000000, 0x80000001, 0x80000100};
	struct acpi_mmio_device virtio[2] = {
	        {LAYOUT_VIRTIO_BASE, 0x200, LAYOUT_SPI_VIRTIO},
	        {LAYOUT_VIRTIO_BASE + LAYOUT_VIRTIO_STRIDE, 0x200, LAYOUT_SPI_VIRTIO + 1},
	};
	struct acpi_params p = {
	        .ncpus = 3,
	        .mpidr = mpidr,
	        .gic_version = 3,
	        .virtio = virtio,
	        .nvirtio = 2,
	        .sdei = 1,
	        .ghes = ghes,
	        .nghes = 2,
	};
	int size = acpi_build(&p, buf, sizeof(buf), GPA);
	CHECK(size > 0);
	if (size <= 0)
		return;

	/* RSDP */
	CHECK(!memcmp(buf, "RSD PTR ", 8));
	CHECK_EQ(buf[15], 2);
	CHECK_EQ(acpi_get32(buf + 20), 36);
	CHECK(sum_ok(buf, 20));
	CHECK(sum_ok(buf, 36));
	const uint8_t *xsdt = at(acpi_get64(buf + 24));
	CHECK(!memcmp(xsdt, "XSDT", 4));
	CHECK(sum_ok(xsdt, acpi_get32(xsdt + 4)));
	CHECK_EQ(acpi_get32(xsdt + 4), 36 + 8 * 8);
	CHECK_EQ(disassemble(xsdt, acpi_get32(xsdt + 4), "xsdt"), 0);

	static const struct {
		const char *sig;
		uint32_t len;
		uint8_t rev;
	} want[] = {
	        {"FACP", 276, 6},         {"APIC", 44 + 3 * 80 + 24 + 16, 5}, {"GTDT", 104, 3},
	        {"SPCR", 80, 2},          {"PPTT", 36 + 4 * 20, 2},           {"SDEI", 36, 1},
	        {"HEST", 40 + 2 * 92, 1},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const uint8_t *t = find(xsdt, want[i].sig);
		CHECK(t != NULL);
		if (!t)
			continue;
		uint32_t len = acpi_get32(t + 4);
		CHECK_EQ(len, want[i].len);
		CHECK_EQ(t[8], want[i].rev);
		CHECK(sum_ok(t, len));
		CHECK(t + len <= buf + size);
		char tag[8];
		snprintf(tag, sizeof(tag), "%.4s", want[i].sig);
		CHECK_EQ(disassemble(t, len, tag), 0);
	}

	/* FADT: hardware reduced, PSCI over HVC, 6.3, X_DSDT */
	const uint8_t *fadt = find(xsdt, "FACP");
	CHECK_EQ(acpi_get32(fadt + 112), 1u << 20);
	CHECK_EQ(acpi_get16(fadt + 129), 3);
	CHECK_EQ(fadt[131], 3);
	CHECK_EQ(acpi_get32(fadt + 40), 0);
	const uint8_t *dsdt = at(acpi_get64(fadt + 140));
	CHECK(!memcmp(dsdt, "DSDT", 4));
	CHECK(sum_ok(dsdt, acpi_get32(dsdt + 4)));
	CHECK_EQ(disassemble(dsdt, acpi_get32(dsdt + 4), "dsdt"), 0);
	CHECK_EQ(count("\"ACPI0007\""), 3);
	CHECK(has("Device (C002)"));
	CHECK(has("Name (_UID, 0x02)"));
	CHECK_EQ(count("\"LNRO0005\""), 2);
	CHECK(has("0x0A000200,         // Address Base"));
	CHECK(has("0x00000031,")); /* second virtio SPI */
	CHECK_EQ(count("Name (_CCA, One)"), 2);
	CHECK_EQ(recompile("dsdt"), 0);

	/* The static SSDT (acpi/ssdt-static.asl): what it says must be what
	 * layout.h says, since the ASL cannot include it. */
	const uint8_t *ssdt = find(xsdt, "SSDT");
	CHECK(ssdt != NULL);
	if (ssdt) {
		char line[64];
		CHECK(sum_ok(ssdt, acpi_get32(ssdt + 4)));
		CHECK_EQ(disassemble(ssdt, acpi_get32(ssdt + 4), "ssdt"), 0);
		CHECK(has("Name (_HID, \"PNP0501\""));
		snprintf(line, sizeof(line), "0x%08llX,         // Address Base",
		         (unsigned long long)LAYOUT_UART_BASE);
		CHECK(has(line));
		snprintf(line, sizeof(line), "0x%08llX,         // Address Length",
		         (unsigned long long)LAYOUT_UART_SIZE);
		CHECK(has(line));
		snprintf(line, sizeof(line), "0x%08X,", 32 + LAYOUT_SPI_UART);
		CHECK(has(line));
		CHECK(has("ToUUID (\"ed855e0c-6c90-47bf-a62a-26de0fc5ad5c\")"));
		CHECK(has("CDW1 |= 0x04"));
		CHECK(has("\"ACPI0013\""));
		CHECK(has("\"PNP0C0C\""));
		CHECK(has("Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive, ,, )"));
		snprintf(line, sizeof(line), "0x%08X,", 32 + LAYOUT_SPI_GED);
		CHECK(has(line));
		CHECK(has("Notify (\\_SB.PWRB, 0x80)"));
		CHECK_EQ(recompile("ssdt"), 0);
	}

	/* MADT: one GICC per vCPU with its MPIDR, GICD v3, GICR range */
	const uint8_t *madt = find(xsdt, "APIC");
	uint32_t mlen = acpi_get32(madt + 4), gicc = 0;
	int gicd = 0, gicr = 0;
	for (uint32_t o = 44; o + 2 <= mlen && madt[o + 1]; o += madt[o + 1]) {
		const uint8_t *s = madt + o;
		if (s[0] == 0x0b) {
			CHECK_EQ(s[1], 80);
			CHECK_EQ(acpi_get32(s + 8), gicc);
			CHECK_EQ(acpi_get32(s + 12), 1);
			CHECK_EQ_U64(acpi_get64(s + 68), mpidr[gicc] & 0xff00ffffffULL);
			gicc++;
		} else if (s[0] == 0x0c) {
			CHECK_EQ_U64(acpi_get64(s + 8), LAYOUT_GICD_BASE);
			CHECK_EQ(s[20], 3);
			gicd++;
		} else if (s[0] == 0x0e) {
			CHECK_EQ_U64(acpi_get64(s + 4), LAYOUT_GICR_BASE);
			CHECK_EQ(acpi_get32(s + 12), 3 * LAYOUT_GICR_STRIDE);
			gicr++;
		}
	}
	CHECK_EQ(gicc, 3);
	CHECK_EQ(gicd, 1);
	CHECK_EQ(gicr, 1);
	CHECK(disassemble(madt, mlen, "APIC") == 0 && has("ARM MPIDR : 0000000000000100"));

	/* GTDT: the PPIs of layout.h as GSIVs */
	const uint8_t *gtdt = find(xsdt, "GTDT");
	CHECK_EQ(acpi_get32(gtdt + 48), 29);
	CHECK_EQ(acpi_get32(gtdt + 56), 30);
	CHECK_EQ(acpi_get32(gtdt + 64), 27);
	CHECK_EQ(acpi_get32(gtdt + 72), 26);
	CHECK(disassemble(gtdt, 104, "GTDT") == 0 && has("Virtual Timer Interrupt : 0000001B"));

	/* SPCR: 16550, byte access at the UART, GIC interrupt 33 */
	const uint8_t *spcr = find(xsdt, "SPCR");
	CHECK_EQ(spcr[36], 0);
	CHECK_EQ(spcr[43], 1);
	CHECK_EQ_U64(acpi_get64(spcr + 44), LAYOUT_UART_BASE);
	CHECK_EQ(spcr[52], 8);
	CHECK_EQ(acpi_get32(spcr + 54), 33);

	/* PPTT: leaves point at the package */
	const uint8_t *pptt = find(xsdt, "PPTT");
	CHECK_EQ(acpi_get32(pptt + 36 + 4), 3);
	CHECK_EQ(acpi_get32(pptt + 56 + 8), 36);
	CHECK_EQ(acpi_get32(pptt + 96 + 12), 2);

	/* HEST: GHESv2 notified by SDEI, registers inside the RAS region */
	const uint8_t *hest = find(xsdt, "HEST");
	CHECK_EQ(acpi_get32(hest + 36), 2);
	for (unsigned i = 0; i < 2; i++) {
		const uint8_t *g = hest + 40 + 92 * i;
		CHECK_EQ(acpi_get16(g), 10);
		CHECK_EQ(acpi_get16(g + 2), i);
		CHECK_EQ(g[7], 1);
		CHECK_EQ(g[32], 11);
		CHECK_EQ(acpi_get32(g + 40), 0x100 + i);
		uint64_t esa = acpi_get64(g + 24), ack = acpi_get64(g + 68);
		CHECK(esa >= ras && esa + 8 <= ras + LAYOUT_RAS_SIZE);
		CHECK(ack >= ras && ack + 8 <= ras + LAYOUT_RAS_SIZE);
		CHECK_EQ(g[20], 0); /* system memory */
		CHECK_EQ(g[23], 4); /* qword access */
		CHECK_EQ(acpi_get32(g + 60), GHES_BLOCK_LEN);
		CHECK_EQ_U64(acpi_get64(g + 76), ~1ULL);
		CHECK_EQ_U64(acpi_get64(g + 84), 1);
		/* the slot the ESA names leads to a block inside the region */
		uint64_t block = *(uint64_t *)guest_mem_ptr(&ram, esa, 8);
		CHECK(block >= ras && block + GHES_BLOCK_LEN <= ras + LAYOUT_RAS_SIZE);
	}
	CHECK(disassemble(hest, acpi_get32(hest + 4), "HEST") == 0);
	CHECK(has("Notify Type : 0B [Software Delegated Exception]"));
	CHECK(has("Vector : 00000101"));
}

static void test_v2_minimal(void)
{
	uint64_t mpidr[2] = {0x80000000, 0x80000001};
	struct acpi_params p = {.ncpus = 2, .mpidr = mpidr, .gic_version = 2};
	int size = acpi_build(&p, buf, sizeof(buf), GPA);
	CHECK(size > 0);
	const uint8_t *xsdt = at(acpi_get64(buf + 24));
	CHECK_EQ(acpi_get32(xsdt + 4), 36 + 8 * 6); /* no SDEI, no HEST */
	CHECK(find(xsdt, "SDEI") == NULL);
	CHECK(find(xsdt, "HEST") == NULL);
	const uint8_t *madt = find(xsdt, "APIC");
	CHECK_EQ(acpi_get32(madt + 4), 44 + 2 * 80 + 24);
	CHECK_EQ_U64(acpi_get64(madt + 44 + 80 + 32), LAYOUT_GICC_BASE);
	CHECK_EQ(acpi_get32(madt + 44 + 80 + 4), 1); /* CPU interface number */
	CHECK(sum_ok(madt, acpi_get32(madt + 4)));
	CHECK_EQ(disassemble(madt, acpi_get32(madt + 4), "APIC2"), 0);
	CHECK(has("Base Address : 0000000008010000"));
}

static void test_errors(void)
{
	uint64_t mpidr[1] = {0x80000000};
	struct acpi_params p = {.ncpus = 1, .mpidr = mpidr, .gic_version = 3};
	CHECK_EQ(acpi_build(&p, buf, 100, GPA), -ENOSPC);
	CHECK_EQ(acpi_build(&p, buf, sizeof(buf), GPA + 4), -EINVAL);
	p.ncpus = 0;
	CHECK_EQ(acpi_build(&p, buf, sizeof(buf), GPA), -EINVAL);
	p.ncpus = 1;
	p.gic_version = 4;
	CHECK_EQ(acpi_build(&p, buf, sizeof(buf), GPA), -EINVAL);
	p.gic_version = 3;
	p.ghes = ghes;
	p.nghes = 1;
	CHECK_EQ(acpi_build(&p, buf, sizeof(buf), GPA), -EINVAL); /* HEST needs SDEI */
	p.sdei = 1;
	CHECK(acpi_build(&p, buf, sizeof(buf), GPA) > 0);
	struct acpi_ghes_desc bad = ghes[0];
	bad.read_ack_gpa = ras + LAYOUT_RAS_SIZE; /* outside the region */
	p.ghes = &bad;
	CHECK_EQ(acpi_build(&p, buf, sizeof(buf), GPA), -EINVAL);
	bad = ghes[0];
	bad.sdei_event = 0; /* Linux refuses event 0 */
	CHECK_EQ(acpi_build(&p, buf, sizeof(buf), GPA), -EINVAL);
	struct acpi_ghes_desc dup[2] = {ghes[0], ghes[0]};
	p.ghes = dup;
	p.nghes = 2;
	CHECK_EQ(acpi_build(&p, buf, sizeof(buf), GPA), -EINVAL);
}

int main(void)
{
	make_ghes();
	test_v3();
	test_v2_minimal();
	test_errors();
	free(ram.host);
	return check_summary("test_acpi");
}
