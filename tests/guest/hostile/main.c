/* The hostile guest's main line: random MMIO (phase 1), malicious virtio
 * drivers (phase 2, virtio.c), wild SDEI calls (phase 3), PSCI junk
 * (phase 4). Everything random comes from one fixed-seed PRNG, so a run can
 * be repeated exactly; the seed is printed first. */
#include "hostile.h"
#include "sdei/sdei_abi.h"

#ifndef MMIO_OPS
#define MMIO_OPS 12000
#endif
#ifndef SDEI_OPS
#define SDEI_OPS 4000
#endif

#define PSCI_INVALID_PARAMS (-2)
#define PSCI_ALREADY_ON     (-4)
#define PSCI_ON_PENDING     (-5)
#define AFF_ON              0
#define AFF_OFF             1
#define AFF_ON_PENDING      2

#define MPIDR_AFF_MASK 0xFF00FFFFFFull

/* The GIC (0x08000000-0x08ffffff) is KVM's: random writes there would wedge
 * the guest's own interrupt state, not test tern. */
#define GIC_LO 0x08000000ull
#define GIC_HI 0x09000000ull

uint64_t ram_end;

static unsigned rnd_size(void)
{
	return 1u << rnd_below(4);
}

/* After a random UART write: the console must still work, so put back
 * 8N1 without the divisor latch, no loopback and no interrupts. */
static void uart_restore(void)
{
	mmio_write(UART_BASE + 3, 1, 0x03); /* LCR */
	mmio_write(UART_BASE + 4, 1, 0x03); /* MCR: DTR|RTS, no loop */
	mmio_write(UART_BASE + 1, 1, 0x00); /* IER */
}

static void random_access(uint64_t base, uint64_t span, bool may_write)
{
	unsigned size = rnd_size();
	uint64_t addr = (base + rnd_below(span)) & ~(uint64_t)(size - 1);

	if (may_write && rnd_below(2))
		mmio_write(addr, size, rnd_interesting());
	else
		(void)mmio_read(addr, size);
}

static uint64_t random_unmapped(void)
{
	for (;;) {
		uint64_t a = rnd_below(RAM_BASE);
		if (a < GIC_LO || a >= GIC_HI)
			return a;
	}
}

static void mmio_phase(void)
{
	unsigned uart_writes = 0;

	for (unsigned i = 0; i < MMIO_OPS; i++) {
		switch (rnd_below(8)) {
		case 0: {
			/* UART: reads anywhere; a few writes, never to THR/DLL
			 * (offset 0), which would print junk. */
			bool w = rnd_below(8) == 0;
			unsigned size = rnd_size();
			uint64_t off = rnd_below(WINDOW_SIZE) & ~(uint64_t)(size - 1);
			if (w && off != 0) {
				mmio_write(UART_BASE + off, size, rnd_interesting());
				uart_restore();
				uart_writes++;
			} else {
				(void)mmio_read(UART_BASE + off, size);
			}
			break;
		}
		case 1:
			random_access(GPIO_BASE, WINDOW_SIZE, true);
			break;
		case 2:
		case 3:
		case 4:
			/* Eight slots' worth: the live devices and empty ones. */
			random_access(VIRTIO_BASE, 8 * VIRTIO_SLOT, true);
			break;
		default: {
			unsigned size = rnd_size();
			uint64_t a = random_unmapped() & ~(uint64_t)(size - 1);
			if (rnd_below(2))
				mmio_write(a, size, rnd());
			else
				(void)mmio_read(a, size);
			break;
		}
		}
	}
	/* Whatever the random writes did to the devices: reset every slot. */
	for (unsigned s = 0; s < 8; s++)
		wr32(VIRTIO_BASE + s * VIRTIO_SLOT + 0x70, 0);
	uart_restore();
	uart_puts("\n# hostile: phase 1 done: ");
	uart_dec(MMIO_OPS);
	uart_puts(" random accesses, ");
	uart_dec(uart_writes);
	uart_puts(" of them UART writes\n");
	/* The console still answers as a 16550A after all that. */
	uint64_t lsr = mmio_read(UART_BASE + 5, 1);
	check("the UART transmitter reports empty after random accesses", (lsr & 0x60) == 0x60,
	      (int64_t)lsr, 0x60);
	uint64_t magic = mmio_read(VIRTIO_BASE, 4);
	check("virtio slot 0 still reads MagicValue after random accesses", magic == 0x74726976,
	      (int64_t)magic, 0x74726976);
}

/* Undo whatever a random SDEI call that succeeded left behind, so that no
 * event is ever registered (nothing can dispatch into junk) and vCPU 0
 * stays masked. Returns false if the undo itself failed. */
static bool sdei_undo(uint32_t fn, int64_t ret, uint64_t x1)
{
	if (ret < 0)
		return true;
	switch (fn) {
	case SDEI_FN_EVENT_REGISTER:
		return hvc6(SDEI_FN_EVENT_UNREGISTER, x1, 0, 0, 0, 0) == 0;
	case SDEI_FN_INTERRUPT_BIND:
		return hvc6(SDEI_FN_INTERRUPT_RELEASE, (uint64_t)ret, 0, 0, 0, 0) == 0;
	case SDEI_FN_PE_UNMASK:
		(void)hvc6(SDEI_FN_PE_MASK, 0, 0, 0, 0, 0);
		return true;
	default:
		return true;
	}
}

static void sdei_phase(void)
{
	int64_t version = hvc6(SDEI_FN_VERSION, 0, 0, 0, 0, 0);
	if (version < 0) {
		uart_puts("# hostile: no SDEI (VERSION ");
		uart_dec(version);
		uart_puts("): the SDEI phase is skipped\n");
		check("SDEI VERSION # SKIP tern runs without SDEI", true, 0, 0);
		return;
	}
	(void)hvc6(SDEI_FN_PE_MASK, 0, 0, 0, 0, 0);

	unsigned unknown = 0, unknown_bad = 0, undo_bad = 0, succeeded = 0;
	int64_t unknown_got = 0;
	for (unsigned i = 0; i < SDEI_OPS; i++) {
		uint32_t fn = SDEI_FN_BASE + (uint32_t)rnd_below(32);
		/* Junk in the upper half of x0 now and then: SMCCC ids are
		 * 32 bits. */
		uint64_t x0 = fn | (rnd_below(8) == 0 ? rnd() << 32 : 0);
		uint64_t a[5];
		for (unsigned k = 0; k < 5; k++)
			a[k] = rnd_interesting();
		/* Event numbers: mostly small, so that some calls get past the
		 * first check. */
		if (rnd_below(2))
			a[0] = rnd_below(4) ? 0 : rnd_below(1024);
		int64_t r = hvc6(x0, a[0], a[1], a[2], a[3], a[4]);
		if (fn > SDEI_FN_SHARED_RESET) {
			unknown++;
			if (r != SDEI_NOT_SUPPORTED) {
				unknown_bad++;
				unknown_got = r;
			}
		}
		if (r >= 0 && fn != SDEI_FN_VERSION && fn != SDEI_FN_FEATURES)
			succeeded++;
		if (!sdei_undo(fn, r, a[0]))
			undo_bad++;
	}
	uart_puts("# hostile: ");
	uart_dec(SDEI_OPS);
	uart_puts(" random SDEI calls, ");
	uart_dec(succeeded);
	uart_puts(" accepted (and undone), ");
	uart_dec(unknown);
	uart_puts(" to unknown ids\n");
	check("unknown SDEI function ids return NOT_SUPPORTED", unknown_bad == 0, unknown_got,
	      SDEI_NOT_SUPPORTED);
	check("whatever a random SDEI call set up could be undone", undo_bad == 0, undo_bad, 0);

	/* Entry points no handler can run at. */
	int64_t r;
	r = hvc6(SDEI_FN_EVENT_REGISTER, 0, RAM_BASE + 2, 0, 0, 0);
	check("EVENT_REGISTER with a misaligned entry is INVALID_PARAMETERS",
	      r == SDEI_INVALID_PARAMETERS, r, SDEI_INVALID_PARAMETERS);
	r = hvc6(SDEI_FN_EVENT_REGISTER, 0, UART_BASE + 1, 0, 0, 0);
	check("EVENT_REGISTER with a misaligned MMIO entry is INVALID_PARAMETERS",
	      r == SDEI_INVALID_PARAMETERS, r, SDEI_INVALID_PARAMETERS);
	/* An aligned entry in MMIO space is the guest's own business: tern may
	 * take it (the guest never enables the event) or refuse it. */
	r = hvc6(SDEI_FN_EVENT_REGISTER, 0, VIRTIO_BASE, 0, 0, 0);
	uart_puts("# hostile: EVENT_REGISTER with entry 0x0a000000 returned ");
	uart_dec(r);
	uart_puts("\n");
	check("an MMIO-entry registration (if taken) unregisters",
	      sdei_undo(SDEI_FN_EVENT_REGISTER, r, 0), r, 0);
	r = hvc6(SDEI_FN_EVENT_REGISTER, 0, ~0ull & ~3ull, rnd(), 0, 0);
	if (r == 0)
		(void)sdei_undo(SDEI_FN_EVENT_REGISTER, r, 0);
	uart_puts("# hostile: EVENT_REGISTER with entry 0xffff...fffc returned ");
	uart_dec(r);
	uart_puts("\n");

	/* No handler runs: completing, resuming or reading a context is an
	 * error, whatever the arguments. */
	bool all_err = true;
	int64_t bad = 0;
	for (unsigned i = 0; i < 50; i++) {
		uint32_t fn = i % 3 == 0   ? SDEI_FN_EVENT_COMPLETE
		              : i % 3 == 1 ? SDEI_FN_EVENT_COMPLETE_AND_RESUME
		                           : SDEI_FN_EVENT_CONTEXT;
		uint64_t arg =
		        i % 3 == 2 && i < 25 ? (1ull << 63) + rnd_below(1000) : rnd_interesting();
		r = hvc6(fn, arg, rnd(), rnd(), rnd(), rnd());
		if (r >= 0) {
			all_err = false;
			bad = r;
		}
	}
	check("COMPLETE, COMPLETE_AND_RESUME and CONTEXT with junk and no handler fail", all_err,
	      bad, SDEI_DENIED);

	/* INTERRUPT_BIND of random INTIDs: whatever binds must release. */
	unsigned bound = 0, release_bad = 0;
	for (unsigned i = 0; i < 100; i++) {
		uint64_t intid = rnd_below(4) ? rnd_below(1100) : rnd_interesting();
		r = hvc6(SDEI_FN_INTERRUPT_BIND, intid, rnd(), 0, 0, 0);
		if (r >= 0) {
			bound++;
			if (hvc6(SDEI_FN_INTERRUPT_RELEASE, (uint64_t)r, 0, 0, 0, 0) != 0)
				release_bad++;
		}
	}
	uart_puts("# hostile: INTERRUPT_BIND of 100 random INTIDs bound ");
	uart_dec(bound);
	uart_puts("\n");
	check("every interrupt a random INTERRUPT_BIND bound releases", release_bad == 0,
	      release_bad, 0);

	/* The dispatcher is still sane. */
	r = hvc6(SDEI_FN_VERSION, 0, 0, 0, 0, 0);
	check("SDEI VERSION unchanged after the abuse", r == version, r, version);
	r = hvc6(SDEI_FN_EVENT_STATUS, 0, 0, 0, 0, 0);
	check("event 0 is left unregistered", r == 0, r, 0);
}

static void psci_phase(void)
{
	uint64_t self = read_sysreg(mpidr_el1) & MPIDR_AFF_MASK;
	uint64_t cpu1 = self + 1; /* tern numbers vCPUs in Aff0 */
	int64_t r;

	unsigned bad = 0;
	int64_t bad_got = 0;
	for (unsigned i = 0; i < 100; i++) {
		uint64_t m = rnd_below(2) ? rnd_below(256) << (8 * rnd_below(3)) : rnd();
		if ((m & MPIDR_AFF_MASK) == self || (m & MPIDR_AFF_MASK) == cpu1)
			continue;
		r = hvc6(PSCI_CPU_ON, m, rnd_interesting(), rnd(), 0, 0);
		if (r != PSCI_INVALID_PARAMS) {
			bad++;
			bad_got = r;
		}
	}
	check("CPU_ON of unknown MPIDRs is INVALID_PARAMETERS", bad == 0, bad_got,
	      PSCI_INVALID_PARAMS);
	bad = 0;
	for (unsigned i = 0; i < 50; i++) {
		uint64_t level = 1 + rnd_below(4) + (rnd_below(2) ? rnd() : 0);
		r = hvc6(PSCI_AFFINITY_INFO, i % 2 ? self : cpu1, level ? level : 1, 0, 0, 0);
		if (r != PSCI_INVALID_PARAMS) {
			bad++;
			bad_got = r;
		}
	}
	check("AFFINITY_INFO with a bad level is INVALID_PARAMETERS", bad == 0, bad_got,
	      PSCI_INVALID_PARAMS);
	r = hvc6(PSCI_CPU_ON, self, rnd(), rnd(), 0, 0);
	check("CPU_ON of the calling vCPU is ALREADY_ON", r == PSCI_ALREADY_ON, r, PSCI_ALREADY_ON);
	r = hvc6(PSCI_AFFINITY_INFO, cpu1, 0, 0, 0, 0);
	check("vCPU 1 is still OFF", r == AFF_OFF, r, AFF_OFF);

	/* Last: vCPU 1 started at address 0 (nothing there: it faults
	 * forever, its VBAR_EL1 is 0 too). tern must still power off. */
	r = hvc6(PSCI_CPU_ON, cpu1, 0, rnd(), 0, 0);
	check("CPU_ON of vCPU 1 with entry 0 is accepted", r == 0, r, 0);
	r = hvc6(PSCI_CPU_ON, cpu1, 0, 0, 0, 0);
	check("a second CPU_ON of vCPU 1 is ALREADY_ON or ON_PENDING",
	      r == PSCI_ALREADY_ON || r == PSCI_ON_PENDING, r, PSCI_ALREADY_ON);
	r = hvc6(PSCI_AFFINITY_INFO, cpu1, 0, 0, 0, 0);
	check("AFFINITY_INFO of vCPU 1 is ON or ON_PENDING", r == AFF_ON || r == AFF_ON_PENDING, r,
	      AFF_ON);
}

int main(uint64_t fdt)
{
	/* tern puts the device tree at the start of the last 2 MiB of RAM. */
	ram_end = (fdt & ~0x1fffffull) + 0x200000;
	uart_puts("# hostile: seed ");
	uart_hex(HOSTILE_SEED);
	uart_puts(", RAM 0x40000000..");
	uart_hex(ram_end);
	uart_puts("\n");
	rng_seed(HOSTILE_SEED);
	check("the device tree is inside RAM", fdt >= RAM_BASE && ram_end > RAM_BASE + 0x1000000,
	      (int64_t)fdt, (int64_t)RAM_BASE);

	mmio_phase();
	virtio_phase();
	sdei_phase();
	psci_phase();

	tap_done();
	uart_puts("# hostile: ");
	uart_dec((int64_t)checks_failed());
	uart_puts(" checks failed\n");
	uart_puts("# hostile: survived ");
	uart_dec((int64_t)ops);
	uart_puts(" operations\n");
	power_off();
}
