/* The DT builder: decompiled with dtc, nodes and properties checked. */
#include <errno.h>
#include <libfdt.h>
#include <stdlib.h>

#include "arch/aarch64/layout.h"
#include "arch/aarch64/portable/fdt.h"
#include "check.h"

static char dts[65536];

/* Decompiles blob with dtc into dts[]; returns 0 on success. */
static int decompile(const void *blob, int size)
{
	const char *tmp = getenv("TERN_TEST_TMP");
	char path[512], cmd[1200];
	snprintf(path, sizeof(path), "%s/test_fdt.dtb", tmp ? tmp : "/tmp");
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	fwrite(blob, 1, (size_t)size, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "dtc -q -I dtb -O dts '%s'", path);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	size_t n = fread(dts, 1, sizeof(dts) - 1, p);
	dts[n] = 0;
	return pclose(p) == 0 && n > 0 ? 0 : -1;
}

static int has(const char *s)
{
	if (strstr(dts, s))
		return 1;
	fprintf(stderr, "dts lacks: %s\n", s);
	return 0;
}

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
	CHECK_EQ(decompile(buf, size), 0);
	CHECK(has("memory@40000000 {"));
	CHECK(has("device_type = \"memory\";"));
	CHECK(has("reg = <0x00 0x40000000 0x00 0x10000000>;"));
	CHECK(has("cpu@0 {"));
	CHECK(has("cpu@1 {"));
	CHECK(has("enable-method = \"psci\";"));
	CHECK(has("reg = <0x00 0x01>;"));
	CHECK(has("compatible = \"arm,psci-0.2\";"));
	CHECK(has("method = \"hvc\";"));
	CHECK(has("compatible = \"arm,armv8-timer\";"));
	CHECK(has("interrupts = <0x01 0x0d 0x08 0x01 0x0e 0x08 0x01 0x0b 0x08 0x01 0x0a 0x08>;"));
	CHECK(has("compatible = \"arm,gic-v3\";"));
	/* redistributors sized for two vCPUs */
	CHECK(has("reg = <0x00 0x8000000 0x00 0x10000 0x00 0x80a0000 0x00 0x40000>;"));
	CHECK(has("interrupt-controller;"));
	CHECK(has("uart@9000000 {"));
	CHECK(has("compatible = \"ns16550a\";"));
	CHECK(has("interrupts = <0x00 0x01 0x04>;"));
	CHECK(has("clock-frequency = <0x1c2000>;"));
	CHECK(has("bootargs = \"console=ttyS0 quiet\";"));
	CHECK(has("linux,initrd-start = <0x00 0x48000000>;"));
	CHECK(has("linux,initrd-end = <0x00 0x48100000>;"));
	CHECK(has("stdout-path = \"/uart@9000000\";"));
	CHECK(has("compatible = \"arm,sdei-1.0\";"));
	CHECK(has("virtio_mmio@a000000 {"));
	CHECK(has("interrupts = <0x00 0x10 0x04>;"));
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
	CHECK_EQ(decompile(buf, size), 0);
	CHECK(has("compatible = \"arm,cortex-a15-gic\";"));
	CHECK(has("reg = <0x00 0x8000000 0x00 0x10000 0x00 0x8010000 0x00 0x2000>;"));
	/* GICv2 PPIs carry the CPU mask (one CPU: 0x1 << 8). */
	CHECK(has("0x01 0x0d 0x108"));
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
