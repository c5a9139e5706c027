#include "arch/aarch64/portable/fdt.h"

#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "arch/aarch64/layout.h"

#define PHANDLE_GIC  1
#define PHANDLE_CLK  2
#define PHANDLE_GPIO 3
#define KEY_POWER    116 /* linux/input-event-codes.h */

/* GIC binding: first cell is the interrupt type, last the trigger flags. */
#define GIC_SPI             0
#define GIC_PPI             1
#define IRQ_TYPE_LEVEL_HIGH 4
#define IRQ_TYPE_LEVEL_LOW  8

struct fdt_writer {
	void *buf;
	int err;
};

/* Records the first libfdt error so the builder reads as a plain sequence. */
static void fw_check(struct fdt_writer *w, int r)
{
	if (r < 0 && !w->err)
		w->err = r;
}

static void begin(struct fdt_writer *w, const char *name)
{
	fw_check(w, fdt_begin_node(w->buf, name));
}

static void end(struct fdt_writer *w)
{
	fw_check(w, fdt_end_node(w->buf));
}

static void prop_str(struct fdt_writer *w, const char *name, const char *v)
{
	fw_check(w, fdt_property_string(w->buf, name, v));
}

static void prop_u32(struct fdt_writer *w, const char *name, uint32_t v)
{
	fw_check(w, fdt_property_u32(w->buf, name, v));
}

static void prop_u64(struct fdt_writer *w, const char *name, uint64_t v)
{
	fw_check(w, fdt_property_u64(w->buf, name, v));
}

static void prop_empty(struct fdt_writer *w, const char *name)
{
	fw_check(w, fdt_property(w->buf, name, NULL, 0));
}

/* Writes a property of big-endian 32-bit cells. */
static void prop_cells(struct fdt_writer *w, const char *name, const uint32_t *cells, int n)
{
	fdt32_t be[16];
	if (n > 16) {
		fw_check(w, -FDT_ERR_INTERNAL);
		return;
	}
	for (int i = 0; i < n; i++)
		be[i] = cpu_to_fdt32(cells[i]);
	fw_check(w, fdt_property(w->buf, name, be, (int)(n * sizeof(be[0]))));
}

static void prop_reg64(struct fdt_writer *w, uint64_t base, uint64_t size)
{
	uint32_t c[4] = {(uint32_t)(base >> 32), (uint32_t)base, (uint32_t)(size >> 32),
	                 (uint32_t)size};
	prop_cells(w, "reg", c, 4);
}

static void node_name(char *out, size_t n, const char *name, uint64_t addr)
{
	snprintf(out, n, "%s@%llx", name, (unsigned long long)addr);
}

static void add_cpus(struct fdt_writer *w, const struct fdt_params *p)
{
	char name[32];
	begin(w, "cpus");
	prop_u32(w, "#address-cells", 2);
	prop_u32(w, "#size-cells", 0);
	for (unsigned i = 0; i < p->ncpus; i++) {
		/* The DT names a CPU by its MPIDR affinity bits only. */
		uint64_t aff = p->mpidr[i] & 0xff00ffffffULL;
		node_name(name, sizeof(name), "cpu", aff);
		begin(w, name);
		prop_str(w, "device_type", "cpu");
		prop_str(w, "compatible", "arm,arm-v8");
		prop_str(w, "enable-method", "psci");
		uint32_t reg[2] = {(uint32_t)(aff >> 32), (uint32_t)aff};
		prop_cells(w, "reg", reg, 2);
		end(w);
	}
	end(w);
}

static void add_gic(struct fdt_writer *w, const struct fdt_params *p)
{
	char name[32];
	node_name(name, sizeof(name), "intc", LAYOUT_GICD_BASE);
	begin(w, name);
	if (p->gic_version == 3) {
		prop_str(w, "compatible", "arm,gic-v3");
		uint64_t rsize = LAYOUT_GICR_STRIDE * p->ncpus;
		uint32_t reg[8] = {0, (uint32_t)LAYOUT_GICD_BASE, 0, (uint32_t)LAYOUT_GICD_SIZE,
		                   0, (uint32_t)LAYOUT_GICR_BASE, 0, (uint32_t)rsize};
		prop_cells(w, "reg", reg, 8);
		prop_u32(w, "#redistributor-regions", 1);
	} else {
		prop_str(w, "compatible", "arm,cortex-a15-gic");
		uint32_t reg[8] = {0, (uint32_t)LAYOUT_GICD_BASE, 0, (uint32_t)LAYOUT_GICD_SIZE,
		                   0, (uint32_t)LAYOUT_GICC_BASE, 0, (uint32_t)LAYOUT_GICC_SIZE};
		prop_cells(w, "reg", reg, 8);
	}
	prop_u32(w, "#interrupt-cells", 3);
	prop_empty(w, "interrupt-controller");
	prop_u32(w, "#address-cells", 2);
	prop_u32(w, "#size-cells", 2);
	prop_u32(w, "phandle", PHANDLE_GIC);
	end(w);
}

static void add_timer(struct fdt_writer *w, const struct fdt_params *p)
{
	/* GICv2 PPIs carry a mask of the CPUs they are wired to. */
	uint32_t flags = IRQ_TYPE_LEVEL_LOW;
	if (p->gic_version == 2)
		flags |= ((1U << (p->ncpus > 8 ? 8 : p->ncpus)) - 1) << 8;
	uint32_t irqs[12] = {
	        GIC_PPI, LAYOUT_PPI_TIMER_SEC,  flags, GIC_PPI, LAYOUT_PPI_TIMER_PHYS, flags,
	        GIC_PPI, LAYOUT_PPI_TIMER_VIRT, flags, GIC_PPI, LAYOUT_PPI_TIMER_HYP,  flags};
	begin(w, "timer");
	prop_str(w, "compatible", "arm,armv8-timer");
	prop_cells(w, "interrupts", irqs, 12);
	prop_empty(w, "always-on");
	end(w);
}

static void add_mmio(struct fdt_writer *w, const char *node, const char *compat, uint64_t base,
                     uint64_t size, unsigned spi)
{
	char name[48];
	node_name(name, sizeof(name), node, base);
	begin(w, name);
	prop_str(w, "compatible", compat);
	prop_reg64(w, base, size);
	uint32_t irq[3] = {GIC_SPI, spi, IRQ_TYPE_LEVEL_HIGH};
	prop_cells(w, "interrupts", irq, 3);
	/* Guest RAM is cacheable for the host too: no cache maintenance. */
	if (!strcmp(compat, "virtio,mmio"))
		prop_empty(w, "dma-coherent");
	if (!w->err && !strcmp(compat, "ns16550a")) {
		prop_u32(w, "clock-frequency", 1843200);
		prop_u32(w, "reg-shift", 0);
		prop_u32(w, "reg-io-width", 1);
	}
	end(w);
}

/* The power button as QEMU's virt board wires it: a PL061 whose pin 3 is a
 * gpio-keys KEY_POWER. PrimeCell devices need their bus clock described. */
static void add_power_button(struct fdt_writer *w)
{
	char name[48];
	begin(w, "apb-pclk");
	prop_str(w, "compatible", "fixed-clock");
	prop_u32(w, "#clock-cells", 0);
	prop_u32(w, "clock-frequency", 24000000);
	prop_str(w, "clock-output-names", "clk24mhz");
	prop_u32(w, "phandle", PHANDLE_CLK);
	end(w);

	node_name(name, sizeof(name), "pl061", LAYOUT_GPIO_BASE);
	begin(w, name);
	static const char compat[] = "arm,pl061\0arm,primecell";
	fw_check(w, fdt_property(w->buf, "compatible", compat, sizeof(compat)));
	prop_reg64(w, LAYOUT_GPIO_BASE, LAYOUT_GPIO_SIZE);
	uint32_t irq[3] = {GIC_SPI, LAYOUT_SPI_GPIO, IRQ_TYPE_LEVEL_HIGH};
	prop_cells(w, "interrupts", irq, 3);
	prop_empty(w, "gpio-controller");
	prop_u32(w, "#gpio-cells", 2);
	prop_u32(w, "clocks", PHANDLE_CLK);
	prop_str(w, "clock-names", "apb_pclk");
	prop_u32(w, "phandle", PHANDLE_GPIO);
	end(w);

	begin(w, "gpio-keys");
	prop_str(w, "compatible", "gpio-keys");
	begin(w, "poweroff");
	prop_str(w, "label", "GPIO Key Poweroff");
	prop_u32(w, "linux,code", KEY_POWER);
	uint32_t gpios[3] = {PHANDLE_GPIO, 3, 0}; /* pin 3, active high */
	prop_cells(w, "gpios", gpios, 3);
	end(w);
	end(w);
}

int fdt_build(const struct fdt_params *p, void *buf, size_t size)
{
	if (!p->ncpus || p->ncpus > TERN_MAX_VCPUS || !p->mpidr ||
	    (p->gic_version != 2 && p->gic_version != 3) || size > INT32_MAX ||
	    (p->initrd_end < p->initrd_start) || (p->nmmio && !p->mmio))
		return -EINVAL;
	if (p->gic_version == 2 && p->ncpus > 8)
		return -EINVAL;

	struct fdt_writer w = {.buf = buf};
	fw_check(&w, fdt_create(buf, (int)size));
	fw_check(&w, fdt_finish_reservemap(buf));
	begin(&w, "");
	prop_str(&w, "compatible", "linux,dummy-virt");
	prop_str(&w, "model", "tern");
	prop_u32(&w, "#address-cells", 2);
	prop_u32(&w, "#size-cells", 2);
	prop_u32(&w, "interrupt-parent", PHANDLE_GIC);

	char name[48];
	begin(&w, "chosen");
	if (p->bootargs)
		prop_str(&w, "bootargs", p->bootargs);
	if (p->initrd_end > p->initrd_start) {
		prop_u64(&w, "linux,initrd-start", p->initrd_start);
		prop_u64(&w, "linux,initrd-end", p->initrd_end);
	}
	node_name(name, sizeof(name), "/uart", LAYOUT_UART_BASE);
	prop_str(&w, "stdout-path", name);
	end(&w);

	node_name(name, sizeof(name), "memory", p->ram_base);
	begin(&w, name);
	prop_str(&w, "device_type", "memory");
	prop_reg64(&w, p->ram_base, p->ram_size);
	end(&w);

	add_cpus(&w, p);

	begin(&w, "psci");
	prop_str(&w, "compatible", "arm,psci-0.2");
	prop_str(&w, "method", "hvc");
	end(&w);

	if (p->sdei) {
		begin(&w, "firmware");
		begin(&w, "sdei");
		prop_str(&w, "compatible", "arm,sdei-1.0");
		prop_str(&w, "method", "hvc");
		end(&w);
		end(&w);
	}

	add_gic(&w, p);
	add_timer(&w, p);
	add_mmio(&w, "uart", "ns16550a", LAYOUT_UART_BASE, LAYOUT_UART_SIZE, LAYOUT_SPI_UART);
	if (p->power_button)
		add_power_button(&w);
	for (unsigned i = 0; i < p->nmmio; i++)
		add_mmio(&w, p->mmio[i].node_name, p->mmio[i].compatible, p->mmio[i].base,
		         p->mmio[i].size, p->mmio[i].spi);

	end(&w);
	fw_check(&w, fdt_finish(buf));
	if (w.err)
		return w.err == -FDT_ERR_NOSPACE ? -ENOSPC : -EINVAL;
	return (int)fdt_totalsize(buf);
}
