/* Console (16550A at 0x09000000, polled) and TAP output for the SDEI
 * conformance guest. */
#include <stddef.h>

#include "guest.h"

#ifndef TAP_PLAN
#error "TAP_PLAN must be defined (build.sh counts the checks)"
#endif

static unsigned int tests_run, tests_failed;

void tap_plan(void)
{
	uart_puts("1..");
	uart_dec(TAP_PLAN);
	uart_puts("\n");
}

static void tap_head(bool pass, const char *desc)
{
	tests_run++;
	if (!pass)
		tests_failed++;
	uart_puts(pass ? "ok " : "not ok ");
	uart_dec(tests_run);
	uart_puts(" - ");
	uart_puts(desc);
}

void tap_ok(const char *desc, bool cond, int64_t got, int64_t want)
{
	tap_head(cond, desc);
	if (!cond) {
		uart_puts(" # got ");
		uart_val(got);
		uart_puts(" want ");
		uart_val(want);
	}
	uart_puts("\n");
}

void tap_eq(const char *desc, int64_t got, int64_t want)
{
	tap_ok(desc, got == want, got, want);
}

void tap_wait(const char *desc, bool timed_out, int64_t got, int64_t want)
{
	if (timed_out) {
		tap_head(false, desc);
		uart_puts(" # timeout\n");
		return;
	}
	tap_eq(desc, got, want);
}

void tap_skip(const char *reason)
{
	tests_run++;
	uart_puts("ok ");
	uart_dec(tests_run);
	uart_puts(" # SKIP ");
	uart_puts(reason);
	uart_puts("\n");
}

unsigned int tap_count(void)
{
	return tests_run;
}

static __attribute__((noreturn)) void power_off(void)
{
	smccc(PSCI_SYSTEM_OFF, 0, 0, 0, 0, 0);
	for (;;)
		__asm__ volatile("wfi");
}

void tap_finish(void)
{
	unsigned int failed = tests_failed;

	if (tests_run != TAP_PLAN) {
		uart_puts("# tern-sdei: ran ");
		uart_dec(tests_run);
		uart_puts(" tests but the plan says ");
		uart_dec(TAP_PLAN);
		uart_puts("\n");
		failed++;
	}
	uart_puts("# tern-sdei-conformance: passed ");
	uart_dec(tests_run - tests_failed);
	uart_puts(" failed ");
	uart_dec(failed);
	uart_puts("\n");
	power_off();
}

uint64_t boot_mpidr;

bool on_boot_cpu(void)
{
	return ((read_sysreg(mpidr_el1) ^ boot_mpidr) & MPIDR_AFF_MASK) == 0;
}

void bail_out(const char *why, uint64_t value)
{
	if (!on_boot_cpu())
		secondary_bail(value);
	uart_puts("Bail out! ");
	uart_puts(why);
	uart_puts(" ");
	uart_hex(value);
	uart_puts("\n");
	tests_failed++;
	tap_finish();
}

/* Called from the exception vectors (start.S) for anything but the resume
 * IRQ entry. */
void unexpected_exception(uint64_t idx, uint64_t esr, uint64_t elr, uint64_t far)
{
	if (!on_boot_cpu())
		secondary_bail(elr);
	uart_puts("# tern-sdei: unexpected exception, vector ");
	uart_dec((int64_t)idx);
	uart_puts(" esr ");
	uart_hex(esr);
	uart_puts(" elr ");
	uart_hex(elr);
	uart_puts(" far ");
	uart_hex(far);
	uart_puts("\n");
	bail_out("unexpected exception at", elr);
}

/* Called from sdei_entry (start.S) when the dispatcher refused the COMPLETE
 * the handler chose: nothing sensible can follow. */
void complete_refused(uint64_t unused, int64_t err)
{
	(void)unused;
	bail_out("EVENT_COMPLETE from the handler was refused with", (uint64_t)err);
}

uint64_t deadline_after(uint64_t seconds)
{
	return read_sysreg(cntvct_el0) + seconds * read_sysreg(cntfrq_el0);
}

bool past(uint64_t deadline)
{
	return read_sysreg(cntvct_el0) >= deadline;
}
