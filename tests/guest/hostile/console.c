/* The PRNG, MMIO helpers and TAP output of the hostile guest (the console
 * itself is tests/guest/common/console.c; it does not count in ops: it is
 * not an attack). */
#include "hostile.h"

uint64_t ops;
static uint64_t rng_state;
static unsigned int n_checks, n_failed;

uint64_t mmio_read(uint64_t addr, unsigned size)
{
	uint64_t v;

	ops++;
	switch (size) {
	case 1:
		__asm__ volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
		break;
	case 2:
		__asm__ volatile("ldrh %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
		break;
	case 4:
		__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
		break;
	default:
		__asm__ volatile("ldr %x0, [%1]" : "=r"(v) : "r"(addr) : "memory");
		break;
	}
	return v;
}

void mmio_write(uint64_t addr, unsigned size, uint64_t v)
{
	ops++;
	switch (size) {
	case 1:
		__asm__ volatile("strb %w0, [%1]" : : "r"(v), "r"(addr) : "memory");
		break;
	case 2:
		__asm__ volatile("strh %w0, [%1]" : : "r"(v), "r"(addr) : "memory");
		break;
	case 4:
		__asm__ volatile("str %w0, [%1]" : : "r"(v), "r"(addr) : "memory");
		break;
	default:
		__asm__ volatile("str %x0, [%1]" : : "r"(v), "r"(addr) : "memory");
		break;
	}
}

void rng_seed(uint64_t seed)
{
	rng_state = seed ? seed : 1;
}

uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545F4914F6CDD1Dull;
}

uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

uint64_t rnd_interesting(void)
{
	switch (rnd_below(10)) {
	case 0:
		return 0;
	case 1:
		return rnd_below(64);
	case 2:
		return ~0ull;
	case 3:
		return 1ull << rnd_below(64);
	case 4:
		return RAM_BASE + rnd_below(ram_end - RAM_BASE);
	case 5:
		return UART_BASE + rnd_below(0x02000000);
	case 6:
		return 0xffffffffull - rnd_below(16);
	case 7:
		return ram_end - rnd_below(64);
	default:
		return rnd();
	}
}

void check(const char *desc, bool ok, int64_t got, int64_t want)
{
	n_checks++;
	if (!ok)
		n_failed++;
	uart_puts(ok ? "ok " : "not ok ");
	uart_dec(n_checks);
	uart_puts(" - ");
	uart_puts(desc);
	if (!ok) {
		uart_puts(" # got ");
		uart_val(got);
		uart_puts(" want ");
		uart_val(want);
	}
	uart_puts("\n");
}

unsigned int checks_failed(void)
{
	return n_failed;
}

void tap_done(void)
{
	uart_puts("1..");
	uart_dec(n_checks);
	uart_puts("\n");
}

uint64_t deadline_after_ms(uint64_t ms)
{
	return read_sysreg(cntvct_el0) + ms * read_sysreg(cntfrq_el0) / 1000;
}

bool past(uint64_t deadline)
{
	return read_sysreg(cntvct_el0) >= deadline;
}

void power_off(void)
{
	for (;;)
		hvc6(PSCI_SYSTEM_OFF, 0, 0, 0, 0, 0);
}

void guest_exception(uint64_t idx, uint64_t esr, uint64_t elr, uint64_t far)
{
	uart_puts("\nBail out! exception vector ");
	uart_dec((int64_t)idx);
	uart_puts(" esr ");
	uart_hex(esr);
	uart_puts(" elr ");
	uart_hex(elr);
	uart_puts(" far ");
	uart_hex(far);
	uart_puts(" after ");
	uart_dec((int64_t)ops);
	uart_puts(" operations\n");
	power_off();
}
