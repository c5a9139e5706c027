/* SDEI conformance guest, part three: two vCPUs. tern must run with
 *     --cpus 2 --sdei-event 100,private,critical --sdei-event 200,shared,normal
 * and someone must answer the console lines
 *     # tern-sdei: waiting for event N on vCPU M
 * with `ternctl SOCKET sdei signal N` (shared 200) or `... sdei signal N
 * --vcpu M` (private 100). Without a second vCPU or without the platform
 * events every check here is reported as skipped.
 *
 * vCPU 0 brings vCPU 1 up with PSCI CPU_ON at secondary_entry (start.S).
 * vCPU 1 never prints: it runs the SMCCC calls vCPU 0 posts in a mailbox
 * (remote()) and its handlers, and leaves everything in memory; vCPU 0 waits
 * (bounded), checks and prints. Handshakes are volatile accesses and dmb sy.
 *
 * Every check runs exactly once, outside any loop: build.sh counts the
 * check calls in this file (SMP_CHECKS) for the skip path. */
#include "guest.h"

#ifndef SMP_CHECKS
#error "SMP_CHECKS must be defined (build.sh counts the checks)"
#endif

#define EV0       SDEI_EVENT_SIGNAL_NUM
#define EV_CRIT   100u
#define EV_SHARED 200u
#define ST_RE     (SDEI_STATUS_REGISTERED | SDEI_STATUS_ENABLED)
#define ST_REG    (ST_RE | SDEI_STATUS_RUNNING)

#define PSCI_CPU_OFF        0x84000002u
#define PSCI_CPU_ON         0xC4000003u
#define PSCI_AFFINITY_INFO  0xC4000004u
#define PSCI_INVALID_PARAMS (-2)
#define PSCI_ALREADY_ON     (-4)
#define PSCI_ON_PENDING     (-5)
#define AFFINITY_ON         0
#define AFFINITY_OFF        1

#define BAD_MPIDR      0xFFFFFFull
#define CPU_ON_CONTEXT 0x5EC0DC0DE0000001ull
#define WAIT_SECONDS   30
/* What remote() returns when vCPU 1 did not answer: no SMCCC result. */
#define LOST ((int64_t)0x1057C0DE1057C0DEull)

/* Registration arguments of this part's events: smp_handler() knows its
 * events by them, and they tell the vCPUs' instances apart. */
#define ARG_A0   0xB0B00000ull /* event 0, vCPU 0's instance */
#define ARG_B0   0xB1B10000ull /* event 0, vCPU 1's instance (own entry) */
#define ARG_A100 0xB0B00100ull /* event 100, vCPU 0's instance */
#define ARG_B100 0xB1B10100ull /* event 100, vCPU 1's instance */
#define ARG_S200 0xB2B20200ull /* shared event 200 */

/* vCPU 0 -> vCPU 1: one SMCCC call at a time. */
static struct {
	volatile uint64_t seq;  /* vCPU 0 bumps it once the call is in place */
	volatile uint64_t done; /* vCPU 1 copies seq once ret is in place */
	volatile uint64_t fn, a[5];
	volatile int64_t ret;
} mbox;

/* What vCPU 1 reports about itself. */
static struct {
	volatile uint64_t up; /* set last by secondary_main() */
	volatile uint64_t context, mpidr;
	volatile uint64_t off_called, off_returned;
	volatile uint64_t bailed, bail_value;
} cpu1;

static struct hrec rec_a0, rec_b0, rec_a100, rec_b100, rec_s200;
static uint64_t mpidr_a, mpidr_b, seq;
static bool lost; /* vCPU 1 stopped answering: do not wait for it again */

/* --- vCPU 1 -------------------------------------------------------------- */

void secondary_bail(uint64_t value)
{
	cpu1.bail_value = value;
	barrier();
	cpu1.bailed = 1;
	barrier();
	for (;;)
		__asm__ volatile("wfi");
}

void secondary_main(uint64_t context)
{
	uint64_t s;

	cpu1.context = context;
	cpu1.mpidr = read_sysreg(mpidr_el1);
	barrier();
	cpu1.up = 1;
	for (;;) {
		barrier();
		s = mbox.seq;
		if (s == mbox.done)
			continue;
		barrier();
		if (mbox.fn == PSCI_CPU_OFF) {
			cpu1.off_called = 1;
			barrier();
			mbox.ret = smccc(PSCI_CPU_OFF, 0, 0, 0, 0, 0);
			barrier();
			cpu1.off_returned = 1; /* CPU_OFF must not return */
		} else {
			mbox.ret = smccc(mbox.fn, mbox.a[0], mbox.a[1], mbox.a[2], mbox.a[3],
			                 mbox.a[4]);
		}
		barrier();
		mbox.done = s;
	}
}

static void complete_handled(struct entry_frame *f)
{
	f->complete_fn = SDEI_FN_EVENT_COMPLETE;
	f->complete_arg = SDEI_EV_HANDLED;
}

static void take(struct hrec *r, struct entry_frame *f)
{
	record_entry(r, f, (uint32_t)f->x[0]);
	complete_handled(f);
	barrier();
	r->count++;
	barrier();
}

/* vCPU 1's own handler for its instance of event 0 (entry sdei_entry_cpu1). */
void cpu1_sdei_handler(struct entry_frame *f)
{
	take(&rec_b0, f);
}

/* Called first by sdei_handler() for every event through sdei_entry. */
bool smp_handler(struct entry_frame *f)
{
	switch (f->x[1]) {
	case ARG_A0:
		take(&rec_a0, f);
		return true;
	case ARG_A100:
		take(&rec_a100, f);
		return true;
	case ARG_B100:
		take(&rec_b100, f);
		return true;
	case ARG_S200:
		take(&rec_s200, f);
		return true;
	}
	return false;
}

/* --- vCPU 0 -------------------------------------------------------------- */

static void clear(struct hrec *r)
{
	memset(r, 0, sizeof(*r));
	barrier();
}

static void note_lost(const char *what)
{
	lost = true;
	uart_puts("# tern-sdei: vCPU 1 ");
	uart_puts(cpu1.bailed ? "bailed out " : "did not answer ");
	uart_puts(what);
	if (cpu1.bailed) {
		uart_puts(", value ");
		uart_hex(cpu1.bail_value);
	}
	uart_puts("\n");
}

static void post(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	mbox.fn = fn;
	mbox.a[0] = a1;
	mbox.a[1] = a2;
	mbox.a[2] = a3;
	mbox.a[3] = a4;
	mbox.a[4] = a5;
	barrier();
	mbox.seq = ++seq;
	barrier();
}

/* Runs one SMCCC call on vCPU 1 and returns its x0, or LOST. */
static int64_t remote(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	uint64_t deadline = deadline_after(WAIT_SECONDS);

	if (lost)
		return LOST;
	post(fn, a1, a2, a3, a4, a5);
	while (mbox.done != seq) {
		if (past(deadline) || cpu1.bailed) {
			note_lost("a posted call");
			return LOST;
		}
		barrier();
	}
	barrier();
	return mbox.ret;
}

#define remote0(fn)    remote(fn, 0, 0, 0, 0, 0)
#define remote1(fn, a) remote(fn, a, 0, 0, 0, 0)

/* True on timeout (or when vCPU 1 is gone). */
static bool wait_count(volatile uint32_t *count)
{
	uint64_t deadline = deadline_after(WAIT_SECONDS);

	while (*count == 0) {
		if (past(deadline) || cpu1.bailed) {
			barrier();
			return *count == 0;
		}
		barrier();
	}
	barrier();
	return false;
}

static int64_t affinity_info(uint64_t mpidr)
{
	return smccc(PSCI_AFFINITY_INFO, mpidr, 0, 0, 0, 0);
}

static int64_t cpu_on(uint64_t mpidr)
{
	return smccc(PSCI_CPU_ON, mpidr, (uint64_t)secondary_entry, CPU_ON_CONTEXT, 0, 0);
}

/* Before each CPU_ON: vCPU 1 starts from a clean mailbox. */
static void reset_cpu1(void)
{
	memset((void *)&cpu1, 0, sizeof(cpu1));
	memset((void *)&mbox, 0, sizeof(mbox));
	seq = 0;
	lost = false;
	barrier();
}

/* True on timeout. */
static bool wait_up(void)
{
	uint64_t deadline = deadline_after(WAIT_SECONDS);

	while (!cpu1.up) {
		if (past(deadline)) {
			note_lost("coming up");
			return true;
		}
		barrier();
	}
	barrier();
	return false;
}

/* Asks vCPU 1 to call CPU_OFF and waits until AFFINITY_INFO says it is off.
 * Returns the last AFFINITY_INFO result. */
static int64_t power_off_cpu1(void)
{
	uint64_t deadline = deadline_after(WAIT_SECONDS);
	int64_t aff;

	post(PSCI_CPU_OFF, 0, 0, 0, 0, 0);
	while ((aff = affinity_info(mpidr_b)) != AFFINITY_OFF && !past(deadline))
		;
	barrier();
	return aff;
}

static void announce(uint32_t event, unsigned int vcpu)
{
	uart_puts("# tern-sdei: waiting for event ");
	uart_dec(event);
	uart_puts(" on vCPU ");
	uart_dec(vcpu);
	uart_puts("\n");
}

static int64_t aff(uint64_t mpidr)
{
	return (int64_t)(mpidr & MPIDR_AFF_MASK);
}

static void smp_checks(void)
{
	uint64_t entry = (uint64_t)sdei_entry, entry1 = (uint64_t)sdei_entry_cpu1;
	int64_t r;
	bool timed_out;

	/* Power-up. */
	tap_eq("AFFINITY_INFO(vCPU 1) before CPU_ON is OFF", affinity_info(mpidr_b), AFFINITY_OFF);
	tap_eq("CPU_ON of an unknown MPIDR is INVALID_PARAMETERS", cpu_on(BAD_MPIDR),
	       PSCI_INVALID_PARAMS);
	reset_cpu1();
	tap_eq("CPU_ON(vCPU 1) returns 0", cpu_on(mpidr_b), 0);
	r = cpu_on(mpidr_b);
	tap_ok("a second CPU_ON(vCPU 1) is ALREADY_ON or ON_PENDING",
	       r == PSCI_ALREADY_ON || r == PSCI_ON_PENDING, r, PSCI_ALREADY_ON);
	timed_out = wait_up();
	tap_wait("vCPU 1 runs the CPU_ON entry point", timed_out, (int64_t)cpu1.up, 1);
	tap_eq("vCPU 1 enters with x0 = the CPU_ON context", (int64_t)cpu1.context,
	       (int64_t)CPU_ON_CONTEXT);
	tap_eq("vCPU 1 reads MPIDR_EL1 = the CPU_ON target", aff(cpu1.mpidr), aff(mpidr_b));
	tap_eq("AFFINITY_INFO(vCPU 1) once it runs is ON", affinity_info(mpidr_b), AFFINITY_ON);
	tap_eq("PE_MASK on vCPU 1 returns 0 (it starts masked)", remote0(SDEI_FN_PE_MASK), 0);
	tap_eq("PE_UNMASK on vCPU 1 returns 0", remote0(SDEI_FN_PE_UNMASK), 0);

	/* Event 0 across vCPUs: both register their own instance. */
	tap_eq("REGISTER(0) on vCPU 0 for the cross-vCPU test succeeds",
	       sdei_register(EV0, entry, ARG_A0, 0, 0), 0);
	tap_eq("ENABLE(0) on vCPU 0 succeeds", sdei1(SDEI_FN_EVENT_ENABLE, EV0), 0);
	tap_eq("EVENT_SIGNAL to vCPU 1 before it registered event 0 is INVALID_PARAMETERS",
	       sdei2(SDEI_FN_EVENT_SIGNAL, EV0, mpidr_b), SDEI_INVALID_PARAMETERS);
	tap_eq("REGISTER(0) on vCPU 1 with its own handler and argument succeeds",
	       remote(SDEI_FN_EVENT_REGISTER, EV0, entry1, ARG_B0, 0, 0), 0);
	tap_eq("STATUS(0) on vCPU 1 is its own instance: registered, not enabled",
	       remote1(SDEI_FN_EVENT_STATUS, EV0), SDEI_STATUS_REGISTERED);
	tap_eq("STATUS(0) on vCPU 0 is still registered and enabled",
	       sdei1(SDEI_FN_EVENT_STATUS, EV0), ST_RE);
	tap_eq("ENABLE(0) on vCPU 1 succeeds", remote1(SDEI_FN_EVENT_ENABLE, EV0), 0);
	clear(&rec_a0);
	clear(&rec_b0);
	tap_eq("EVENT_SIGNAL(0) from vCPU 0 to vCPU 1 returns 0",
	       sdei2(SDEI_FN_EVENT_SIGNAL, EV0, mpidr_b), 0);
	timed_out = wait_count(&rec_b0.count);
	tap_wait("vCPU 1's event 0 handler runs", timed_out, rec_b0.count, 1);
	tap_eq("vCPU 1's event 0 handler runs on vCPU 1 (its MPIDR_EL1)", aff(rec_b0.mpidr),
	       aff(mpidr_b));
	tap_eq("vCPU 1's event 0 handler x0 is 0", (int64_t)rec_b0.x[0], EV0);
	tap_eq("vCPU 1's event 0 handler x1 is vCPU 1's registration argument",
	       (int64_t)rec_b0.x[1], (int64_t)ARG_B0);
	tap_eq("STATUS(0) in vCPU 1's handler is registered, enabled, running", rec_b0.status,
	       ST_REG);
	/* Anything pending on vCPU 0 would be taken at this PE_UNMASK. */
	sdei0(SDEI_FN_PE_MASK);
	sdei0(SDEI_FN_PE_UNMASK);
	tap_eq("the signal to vCPU 1 does not run vCPU 0's event 0 handler", rec_a0.count, 0);

	/* Shared event 200, RM_PE to vCPU 1, raised by the host. */
	tap_eq("REGISTER(200, RM_PE, vCPU 1) from vCPU 0 succeeds",
	       sdei_register(EV_SHARED, entry, ARG_S200, SDEI_REGF_RM_PE, mpidr_b), 0);
	tap_eq("GET_INFO(200, ROUTING_AFF) is vCPU 1's MPIDR",
	       sdei2(SDEI_FN_EVENT_GET_INFO, EV_SHARED, SDEI_INFO_EV_ROUTING_AFF), aff(mpidr_b));
	tap_eq("ENABLE(200) succeeds", sdei1(SDEI_FN_EVENT_ENABLE, EV_SHARED), 0);
	clear(&rec_s200);
	announce(EV_SHARED, 1);
	timed_out = wait_count(&rec_s200.count);
	tap_wait("host-signalled event 200 routed to vCPU 1 is delivered", timed_out,
	         rec_s200.count, 1);
	tap_eq("event 200 (RM_PE) runs on vCPU 1", aff(rec_s200.mpidr), aff(mpidr_b));
	tap_eq("event 200 handler x1 is its registration argument", (int64_t)rec_s200.x[1],
	       (int64_t)ARG_S200);

	/* Private critical event 100: both instances registered, the host
	 * signals vCPU 1's only. */
	tap_eq("REGISTER(100) on vCPU 0 succeeds", sdei_register(EV_CRIT, entry, ARG_A100, 0, 0),
	       0);
	tap_eq("ENABLE(100) on vCPU 0 succeeds", sdei1(SDEI_FN_EVENT_ENABLE, EV_CRIT), 0);
	tap_eq("REGISTER(100) on vCPU 1 succeeds",
	       remote(SDEI_FN_EVENT_REGISTER, EV_CRIT, entry, ARG_B100, 0, 0), 0);
	tap_eq("ENABLE(100) on vCPU 1 succeeds", remote1(SDEI_FN_EVENT_ENABLE, EV_CRIT), 0);
	clear(&rec_a100);
	clear(&rec_b100);
	announce(EV_CRIT, 1);
	timed_out = wait_count(&rec_b100.count);
	tap_wait("host-signalled event 100 for vCPU 1 is delivered", timed_out, rec_b100.count, 1);
	tap_eq("event 100 for vCPU 1 runs on vCPU 1", aff(rec_b100.mpidr), aff(mpidr_b));
	tap_eq("event 100 handler x1 is vCPU 1's registration argument", (int64_t)rec_b100.x[1],
	       (int64_t)ARG_B100);
	tap_eq("STATUS(100) in vCPU 1's handler is registered, enabled, running", rec_b100.status,
	       ST_REG);
	sdei0(SDEI_FN_PE_MASK);
	sdei0(SDEI_FN_PE_UNMASK);
	tap_eq("event 100 signalled for vCPU 1 does not run vCPU 0's instance", rec_a100.count, 0);
	tap_eq("UNREGISTER(100) on vCPU 0 succeeds", sdei1(SDEI_FN_EVENT_UNREGISTER, EV_CRIT), 0);
	tap_eq("UNREGISTER(100) on vCPU 1 succeeds", remote1(SDEI_FN_EVENT_UNREGISTER, EV_CRIT), 0);

	/* RM_ANY with vCPU 1 masked: only vCPU 0 may take it. */
	tap_eq("PE_MASK on vCPU 1 returns 1", remote0(SDEI_FN_PE_MASK), 1);
	tap_eq("DISABLE(200) succeeds", sdei1(SDEI_FN_EVENT_DISABLE, EV_SHARED), 0);
	tap_eq("ROUTING_SET(200, RM_ANY) succeeds",
	       sdei3(SDEI_FN_EVENT_ROUTING_SET, EV_SHARED, SDEI_RM_ANY, 0), 0);
	tap_eq("ENABLE(200) under RM_ANY succeeds", sdei1(SDEI_FN_EVENT_ENABLE, EV_SHARED), 0);
	clear(&rec_s200);
	announce(EV_SHARED, 0);
	timed_out = wait_count(&rec_s200.count);
	tap_wait("host-signalled event 200 under RM_ANY is delivered", timed_out, rec_s200.count,
	         1);
	tap_eq("event 200 (RM_ANY, vCPU 1 masked) runs on vCPU 0", aff(rec_s200.mpidr),
	       aff(mpidr_a));

	/* vCPU 1 powers itself off. */
	tap_eq("AFFINITY_INFO(vCPU 1) after its CPU_OFF is OFF", power_off_cpu1(), AFFINITY_OFF);
	tap_eq("vCPU 1 called CPU_OFF", (int64_t)cpu1.off_called, 1);
	tap_eq("CPU_OFF did not return on vCPU 1", (int64_t)cpu1.off_returned, 0);
	tap_eq("EVENT_SIGNAL to the powered-off vCPU 1 is INVALID_PARAMETERS",
	       sdei2(SDEI_FN_EVENT_SIGNAL, EV0, mpidr_b), SDEI_INVALID_PARAMETERS);

	/* Back on: masked again, private events reset. */
	reset_cpu1();
	tap_eq("CPU_ON(vCPU 1) after CPU_OFF returns 0", cpu_on(mpidr_b), 0);
	timed_out = wait_up();
	tap_wait("vCPU 1 runs the CPU_ON entry point again", timed_out, (int64_t)cpu1.up, 1);
	tap_eq("STATUS(0) on vCPU 1 after CPU_ON is 0 (private events reset)",
	       remote1(SDEI_FN_EVENT_STATUS, EV0), 0);
	tap_eq("PE_MASK on vCPU 1 after CPU_ON returns 0 (masked again)", remote0(SDEI_FN_PE_MASK),
	       0);
	tap_eq("EVENT_SIGNAL to vCPU 1 with its event 0 reset is INVALID_PARAMETERS",
	       sdei2(SDEI_FN_EVENT_SIGNAL, EV0, mpidr_b), SDEI_INVALID_PARAMETERS);
	tap_eq("AFFINITY_INFO(vCPU 1) after a second CPU_OFF is OFF", power_off_cpu1(),
	       AFFINITY_OFF);

	tap_eq("UNREGISTER(200) succeeds", sdei1(SDEI_FN_EVENT_UNREGISTER, EV_SHARED), 0);
	tap_eq("UNREGISTER(0) on vCPU 0 succeeds", sdei1(SDEI_FN_EVENT_UNREGISTER, EV0), 0);
}

void smp_tests(uint64_t mpidr)
{
	unsigned int start = tap_count();
	const char *why = NULL;

	mpidr_a = mpidr;
	/* KVM numbers vCPUs in Aff0 (and up): vCPU 1 is vCPU 0 with Aff0 = 1. */
	mpidr_b = (mpidr & MPIDR_AFF_MASK & ~0xFFull) | 1;
	if (sdei2(SDEI_FN_EVENT_GET_INFO, EV_CRIT, SDEI_INFO_EV_TYPE) < 0 ||
	    sdei2(SDEI_FN_EVENT_GET_INFO, EV_SHARED, SDEI_INFO_EV_TYPE) < 0)
		why = "platform events not configured";
	else if (affinity_info(mpidr_b) == PSCI_INVALID_PARAMS)
		why = "no vCPU 1 (run with --cpus 2)";
	if (why) {
		for (unsigned int i = 0; i < SMP_CHECKS; i++)
			tap_skip(why);
		return;
	}
	smp_checks();
	if (tap_count() - start != SMP_CHECKS)
		uart_puts("# tern-sdei: two-vCPU check count differs from SMP_CHECKS\n");
}
