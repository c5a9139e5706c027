#include "arch/aarch64/portable/acpi.h"

#include <errno.h>
#include <string.h>

#include "arch/aarch64/layout.h"
#include "arch/aarch64/portable/acpi_priv.h"

#define ACPI_MAX_TABLES 10

/* GAS address spaces and access sizes (ACPI 5.2.3.2). */
#define GAS_MEMORY       0
#define GAS_ACCESS_BYTE  1
#define GAS_ACCESS_QWORD 4

#define INTID_SPI(spi) ((uint32_t)(spi) + 32)
#define INTID_PPI(ppi) ((uint32_t)(ppi) + 16)

size_t acpi_table_begin(struct acpi_buf *b, const char sig[4], uint8_t rev)
{
	acpi_buf_align(b, 8);
	size_t off = b->len;
	acpi_buf_bytes(b, sig, 4);
	acpi_buf_u32(b, 0); /* length, patched */
	acpi_buf_u8(b, rev);
	acpi_buf_u8(b, 0); /* checksum, patched */
	acpi_buf_bytes(b, ACPI_OEM_ID, 6);
	acpi_buf_bytes(b, ACPI_OEM_TABLE_ID, 8);
	acpi_buf_u32(b, 1);           /* OEM revision */
	acpi_buf_bytes(b, "TERN", 4); /* creator */
	acpi_buf_u32(b, 1);           /* creator revision */
	return off;
}

void acpi_table_end(struct acpi_buf *b, size_t off)
{
	if (b->err)
		return;
	size_t len = b->len - off;
	acpi_buf_put32(b, off + 4, (uint32_t)len);
	b->p[off + 9] = acpi_checksum(b->p + off, len);
}

/* FADT 6.3 (276 bytes): hardware-reduced, PSCI over HVC. */
static size_t write_fadt(struct acpi_buf *b, uint64_t dsdt_gpa)
{
	size_t t = acpi_table_begin(b, "FACP", 6);
	acpi_buf_zero(b, 112 - ACPI_HEADER_LEN); /* legacy PC fields all unused */
	acpi_buf_u32(b, 1u << 20);               /* HW_REDUCED_ACPI */
	acpi_buf_zero(b, 12 + 1);                /* RESET_REG, RESET_VALUE */
	acpi_buf_u16(b, 0x3);                    /* PSCI_COMPLIANT | PSCI_USE_HVC */
	acpi_buf_u8(b, 3);                       /* minor revision: 6.3 */
	acpi_buf_u64(b, 0);                      /* X_FIRMWARE_CTRL: no FACS */
	acpi_buf_u64(b, dsdt_gpa);               /* X_DSDT */
	acpi_buf_zero(b, (size_t)12 * 10);       /* X_PM blocks, sleep registers */
	acpi_buf_u64(b, 0);                      /* hypervisor vendor identity */
	acpi_table_end(b, t);
	return t;
}

static size_t write_madt(struct acpi_buf *b, const struct acpi_params *p)
{
	size_t t = acpi_table_begin(b, "APIC", 5);
	acpi_buf_u32(b, 0); /* no local APIC address */
	acpi_buf_u32(b, 0); /* no PC-AT 8259 */
	for (unsigned i = 0; i < p->ncpus; i++) {
		acpi_buf_u8(b, 0x0b); /* GICC, ACPI 6.3 layout */
		acpi_buf_u8(b, 80);
		acpi_buf_u16(b, 0);
		acpi_buf_u32(b, p->gic_version == 2 ? i : 0); /* CPU interface number */
		acpi_buf_u32(b, i);                           /* UID, as the DSDT's _UID */
		acpi_buf_u32(b, 1);                           /* enabled */
		acpi_buf_u32(b, 0);                           /* parking protocol */
		acpi_buf_u32(b, 0);                           /* no PMU interrupt */
		acpi_buf_u64(b, 0);                           /* parked address */
		acpi_buf_u64(b, p->gic_version == 2 ? LAYOUT_GICC_BASE : 0);
		acpi_buf_u64(b, 0); /* GICV */
		acpi_buf_u64(b, 0); /* GICH */
		acpi_buf_u32(b, 0); /* VGIC maintenance interrupt */
		acpi_buf_u64(b, 0); /* GICR: described by the GICR structure */
		acpi_buf_u64(b, p->mpidr[i] & 0xff00ffffffULL);
		acpi_buf_u8(b, 0); /* efficiency class */
		acpi_buf_u8(b, 0);
		acpi_buf_u16(b, 0); /* SPE overflow interrupt */
	}
	acpi_buf_u8(b, 0x0c); /* GICD */
	acpi_buf_u8(b, 24);
	acpi_buf_u16(b, 0);
	acpi_buf_u32(b, 0);
	acpi_buf_u64(b, LAYOUT_GICD_BASE);
	acpi_buf_u32(b, 0);
	acpi_buf_u8(b, (uint8_t)p->gic_version);
	acpi_buf_zero(b, 3);
	if (p->gic_version == 3) {
		acpi_buf_u8(b, 0x0e); /* GICR discovery range */
		acpi_buf_u8(b, 16);
		acpi_buf_u16(b, 0);
		acpi_buf_u64(b, LAYOUT_GICR_BASE);
		acpi_buf_u32(b, (uint32_t)(LAYOUT_GICR_STRIDE * p->ncpus));
	}
	acpi_table_end(b, t);
	return t;
}

static size_t write_gtdt(struct acpi_buf *b)
{
	/* Level, active high, always on: the DT says "always-on" too, and
	 * Linux then keeps the timer through idle. */
	const uint32_t flags = 1u << 2;
	size_t t = acpi_table_begin(b, "GTDT", 3);
	acpi_buf_u64(b, UINT64_MAX); /* no memory-mapped CNTControlBase */
	acpi_buf_u32(b, 0);
	acpi_buf_u32(b, INTID_PPI(LAYOUT_PPI_TIMER_SEC));
	acpi_buf_u32(b, flags);
	acpi_buf_u32(b, INTID_PPI(LAYOUT_PPI_TIMER_PHYS));
	acpi_buf_u32(b, flags);
	acpi_buf_u32(b, INTID_PPI(LAYOUT_PPI_TIMER_VIRT));
	acpi_buf_u32(b, flags);
	acpi_buf_u32(b, INTID_PPI(LAYOUT_PPI_TIMER_HYP));
	acpi_buf_u32(b, flags);
	acpi_buf_u64(b, UINT64_MAX); /* no CNTReadBase */
	acpi_buf_u32(b, 0);          /* no platform timers */
	acpi_buf_u32(b, 0);
	acpi_buf_u32(b, 0); /* no virtual EL2 timer */
	acpi_buf_u32(b, 0);
	acpi_table_end(b, t);
	return t;
}

static size_t write_spcr(struct acpi_buf *b)
{
	size_t t = acpi_table_begin(b, "SPCR", 2);
	acpi_buf_u8(b, 0); /* full 16550 compatible */
	acpi_buf_zero(b, 3);
	/* Byte access: tern's 16550 has reg-shift 0, so Linux picks "mmio". */
	acpi_buf_gas(b, GAS_MEMORY, 8, 0, GAS_ACCESS_BYTE, LAYOUT_UART_BASE);
	acpi_buf_u8(b, 0x08); /* interrupt type: ARM GIC */
	acpi_buf_u8(b, 0);    /* no PC-AT IRQ */
	acpi_buf_u32(b, INTID_SPI(LAYOUT_SPI_UART));
	acpi_buf_u8(b, 7); /* 115200 baud */
	acpi_buf_u8(b, 0); /* no parity */
	acpi_buf_u8(b, 1); /* 1 stop bit */
	acpi_buf_u8(b, 0); /* no flow control */
	acpi_buf_u8(b, 0); /* VT100 */
	acpi_buf_u8(b, 0);
	acpi_buf_u16(b, 0xffff); /* not a PCI device */
	acpi_buf_u16(b, 0xffff);
	acpi_buf_zero(b, 3 + 4 + 1 + 4); /* PCI bus/dev/fn, flags, segment, reserved */
	acpi_table_end(b, t);
	return t;
}

static size_t write_pptt(struct acpi_buf *b, const struct acpi_params *p)
{
	size_t t = acpi_table_begin(b, "PPTT", 2);
	uint32_t package = (uint32_t)(b->len - t);
	acpi_buf_u8(b, 0); /* processor hierarchy node */
	acpi_buf_u8(b, 20);
	acpi_buf_u16(b, 0);
	acpi_buf_u32(b, 0x3); /* physical package, ID valid */
	acpi_buf_u32(b, 0);   /* no parent */
	acpi_buf_u32(b, 0);
	acpi_buf_u32(b, 0); /* no private resources */
	for (unsigned i = 0; i < p->ncpus; i++) {
		acpi_buf_u8(b, 0);
		acpi_buf_u8(b, 20);
		acpi_buf_u16(b, 0);
		acpi_buf_u32(b, 0xa); /* ID valid, leaf */
		acpi_buf_u32(b, package);
		acpi_buf_u32(b, i); /* the GICC UID */
		acpi_buf_u32(b, 0);
	}
	acpi_table_end(b, t);
	return t;
}

static void write_ghesv2(struct acpi_buf *b, const struct acpi_ghes_desc *g)
{
	acpi_buf_u16(b, 10); /* GHESv2 */
	acpi_buf_u16(b, g->source_id);
	acpi_buf_u16(b, 0xffff); /* no related source */
	acpi_buf_u8(b, 0);
	acpi_buf_u8(b, 1);  /* enabled */
	acpi_buf_u32(b, 1); /* records to preallocate */
	acpi_buf_u32(b, 1); /* sections per record */
	acpi_buf_u32(b, g->block_len);
	acpi_buf_gas(b, GAS_MEMORY, 64, 0, GAS_ACCESS_QWORD, g->status_gpa);
	acpi_buf_u8(b, 11); /* notification: SDEI */
	acpi_buf_u8(b, 28);
	acpi_buf_u16(b, 0);
	acpi_buf_u32(b, 0); /* poll interval */
	acpi_buf_u32(b, g->sdei_event);
	acpi_buf_zero(b, 16); /* thresholds */
	acpi_buf_u32(b, g->block_len);
	acpi_buf_gas(b, GAS_MEMORY, 64, 0, GAS_ACCESS_QWORD, g->read_ack_gpa);
	/* The guest acks with read-modify-write: keep all bits, set bit 0. */
	acpi_buf_u64(b, ~1ULL);
	acpi_buf_u64(b, 1);
}

static size_t write_hest(struct acpi_buf *b, const struct acpi_params *p)
{
	size_t t = acpi_table_begin(b, "HEST", 1);
	acpi_buf_u32(b, p->nghes);
	for (unsigned i = 0; i < p->nghes; i++)
		write_ghesv2(b, &p->ghes[i]);
	acpi_table_end(b, t);
	return t;
}

static int in_region(const struct acpi_ghes_desc *g, uint64_t addr, uint64_t len)
{
	return addr >= g->region_base && addr - g->region_base <= g->region_size &&
	       len <= g->region_size - (addr - g->region_base);
}

static int check_params(const struct acpi_params *p, uint64_t gpa)
{
	if (!p->ncpus || p->ncpus > TERN_MAX_VCPUS || !p->mpidr || gpa % 16 ||
	    (p->gic_version != 2 && p->gic_version != 3) || (p->gic_version == 2 && p->ncpus > 8) ||
	    (p->nvirtio && !p->virtio) || (p->nghes && (!p->ghes || !p->sdei)))
		return -EINVAL;
	for (unsigned i = 0; i < p->nghes; i++) {
		const struct acpi_ghes_desc *g = &p->ghes[i];
		/* Linux rejects blocks shorter than the 20-byte status header. */
		if (!g->sdei_event || g->block_len < 20 || !in_region(g, g->status_gpa, 8) ||
		    !in_region(g, g->read_ack_gpa, 8) || g->status_gpa % 8 || g->read_ack_gpa % 8)
			return -EINVAL;
		for (unsigned j = 0; j < i; j++)
			if (p->ghes[j].source_id == g->source_id)
				return -EINVAL;
	}
	return 0;
}

int acpi_build(const struct acpi_params *p, void *buf, size_t size, uint64_t gpa)
{
	int r = check_params(p, gpa);
	if (r)
		return r;
	struct acpi_buf b;
	acpi_buf_init(&b, buf, size);

	/* RSDP 2.0; the XSDT address is patched once the XSDT is placed. */
	acpi_buf_bytes(&b, "RSD PTR ", 8);
	acpi_buf_u8(&b, 0);
	acpi_buf_bytes(&b, ACPI_OEM_ID, 6);
	acpi_buf_u8(&b, 2);
	acpi_buf_u32(&b, 0); /* no RSDT */
	acpi_buf_u32(&b, 36);
	acpi_buf_u64(&b, 0);
	acpi_buf_u8(&b, 0);
	acpi_buf_zero(&b, 3);

	/* The DSDT goes first so the FADT can point at it. */
	size_t dsdt = acpi_dsdt_write(&b, p);
	size_t tables[ACPI_MAX_TABLES];
	int n = 0;
	tables[n++] = write_fadt(&b, gpa + dsdt);
	tables[n++] = write_madt(&b, p);
	tables[n++] = write_gtdt(&b);
	tables[n++] = write_spcr(&b);
	tables[n++] = write_pptt(&b, p);
	/* The namespace that is the same for every VM: _OSC, console, power
	 * button (acpi/ssdt-static.asl). */
	size_t ssdt_len;
	const uint8_t *ssdt = acpi_static_ssdt(&ssdt_len);
	acpi_buf_align(&b, 8);
	tables[n++] = b.len;
	acpi_buf_bytes(&b, ssdt, ssdt_len);
	if (p->sdei) {
		tables[n] = acpi_table_begin(&b, "SDEI", 1);
		acpi_table_end(&b, tables[n++]);
	}
	if (p->nghes)
		tables[n++] = write_hest(&b, p);

	size_t xsdt = acpi_table_begin(&b, "XSDT", 1);
	for (int i = 0; i < n; i++)
		acpi_buf_u64(&b, gpa + tables[i]);
	acpi_table_end(&b, xsdt);
	if (b.err)
		return b.err;

	acpi_buf_put64(&b, 24, gpa + xsdt);
	b.p[8] = acpi_checksum(b.p, 20);
	b.p[32] = acpi_checksum(b.p, 36);
	if (b.len > INT32_MAX)
		return -ENOSPC;
	return (int)b.len;
}
