/* The DT builder: decompiled with dtc, nodes and properties checked. */
#include <errno.h>
#include <libfdt.h>
#include <stdlib.h>

#include "arch/aarch64/layout.h"
#include "arch/aarch64/portable/fdt.h"
#include "check.h"
#include "dts_check.h"

static void test_v3_two_cpus(void)
{
	static uint8_t buf[LAYOUT_FDT_MAX];
	uint64_t mpidr[2] = {0x80000000, 0x80000001};
	struct fdt_mmio_device virtio = {"virtio_mmio", "virtio,mmio", LAYOUT_VIRTIO_BASE, 0x200,
	                                 LAYOUT_SPI_VIRTIO};
	struct fdt_params p = {
	        .ram_base = LAYOUT_RAM_BASE,
	        .ram_size = 256 << 20,
	        .ncpus = 2,
	        .mpidr = mpidr,
	        .gic_version = 3,
	        .bootargs = "console=ttyS0 quiet",
	        .initrd_start = 0x48000000,
	        .initrd_end = 0x48100000,
	        .sdei = 1,
	        .mmio = &virtio,
	        .nmmio = 1,
	};
	int size = fdt_build(&p, buf, sizeof(buf));
	CHECK(size > 0);
	CHECK_EQ(fdt_check_header(buf), 0);
	CHECK_EQ(dts_decompile(buf, size, "test_fdt.dtb"), 0);
	CHECK(dts_has("memory@40000000 {"));
	CHECK(dts_has("device_type = \"memory\";"));
	CHECK(dts_has("reg = <0x00 0x40000000 0x00 0x10000000>;"));
	CHECK(dts_has("cpu@0 {"));
	CHECK(dts_has("cpu@1 {"));
	CHECK(dts_has("enable-method = \"psci\";"));
	CHECK(dts_has("reg = <0x00 0x01>;"));
	CHECK(dts_has("compatible = \"arm,psci-0.2\";"));
	CHECK(dts_has("method = \"hvc\";"));
	CHECK(dts_has("compatible = \"arm,armv8-timer\";"));
	CHECK(dts_has(
	        "interrupts = <0x01 0x0d 0x08 0x01 0x0e 0x08 0x01 0x0b 0x08 0x01 0x0a 0x08>;"));
	CHECK(dts_has("compatible = \"arm,gic-v3\";"));
	/* redistributors sized for two vCPUs */
	CHECK(dts_has("reg = <0x00 0x8000000 0x00 0x10000 0x00 0x80a0000 0x00 0x40000>;"));
	CHECK(dts_has("interrupt-controller;"));
	CHECK(dts_has("uart@9000000 {"));
	CHECK(dts_has("compatible = \"ns16550a\";"));
	CHECK(dts_has("interrupts = <0x00 0x01 0x04>;"));
	CHECK(dts_has("clock-frequency = <0x1c2000>;"));
	CHECK(dts_has("bootargs = \"console=ttyS0 quiet\";"));
	CHECK(dts_has("linux,initrd-start = <0x00 0x48000000>;"));
	CHECK(dts_has("linux,initrd-end = <0x00 0x48100000>;"));
	CHECK(dts_has("stdout-path = \"/uart@9000000\";"));
	CHECK(dts_has("compatible = \"arm,sdei-1.0\";"));
	CHECK(dts_has("virtio_mmio@a000000 {"));
	CHECK(dts_has("interrupts = <0x00 0x10 0x04>;"));
	/* The root points at the GIC by phandle. */
	int gic = fdt_path_offset(buf, "/intc@8000000");
	CHECK(gic >= 0);
	CHECK(fdt_get_phandle(buf, gic) != 0);
	const fdt32_t *ip = fdt_getprop(buf, 0, "interrupt-parent", NULL);
	CHECK(ip && fdt32_to_cpu(*ip) == fdt_get_phandle(buf, gic));
}

static void test_v2_no_extras(void)
{
	static uint8_t buf[LAYOUT_FDT_MAX];
	uint64_t mpidr[1] = {0x80000000};
	struct fdt_params p = {.ram_base = LAYOUT_RAM_BASE,
	                       .ram_size = 64 << 20,
	                       .ncpus = 1,
	                       .mpidr = mpidr,
	                       .gic_version = 2};
	int size = fdt_build(&p, buf, sizeof(buf));
	CHECK(size > 0);
	CHECK_EQ(dts_decompile(buf, size, "test_fdt.dtb"), 0);
	CHECK(dts_has("compatible = \"arm,cortex-a15-gic\";"));
	CHECK(dts_has("reg = <0x00 0x8000000 0x00 0x10000 0x00 0x8010000 0x00 0x2000>;"));
	/* GICv2 PPIs carry the CPU mask (one CPU: 0x1 << 8). */
	CHECK(dts_has("0x01 0x0d 0x108"));
	CHECK(strstr(dts, "sdei") == NULL);
	CHECK(strstr(dts, "linux,initrd-start") == NULL);
	CHECK(strstr(dts, "bootargs") == NULL);
}

static void test_errors(void)
{
	static uint8_t buf[LAYOUT_FDT_MAX];
	uint64_t mpidr[9] = {0};
	struct fdt_params p = {.ram_base = LAYOUT_RAM_BASE,
	                       .ram_size = 64 << 20,
	                       .ncpus = 1,
	                       .mpidr = mpidr,
	                       .gic_version = 3};
	CHECK_EQ(fdt_build(&p, buf, 64), -ENOSPC); /* too small a buffer */
	p.gic_version = 4;
	CHECK_EQ(fdt_build(&p, buf, sizeof(buf)), -EINVAL);
	p.gic_version = 2;
	p.ncpus = 9; /* GICv2 stops at 8 */
	CHECK_EQ(fdt_build(&p, buf, sizeof(buf)), -EINVAL);
	p.gic_version = 3;
	p.ncpus = 0;
	CHECK_EQ(fdt_build(&p, buf, sizeof(buf)), -EINVAL);
	p.ncpus = 1;
	p.initrd_start = 2;
	p.initrd_end = 1;
	CHECK_EQ(fdt_build(&p, buf, sizeof(buf)), -EINVAL);
}

int main(void)
{
	test_v3_two_cpus();
	test_v2_no_extras();
	test_errors();
	return check_summary("test_fdt");
}
