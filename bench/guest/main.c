/* SDEI bench guest: times hypercall round trips and SDEI event delivery
 * with the virtual counter, and prints one "BENCH-SDEI key=value" line per
 * number on the 16550A console at 0x09000000.
 *
 * tern must run it with --sdei-event 300,private,normal; the host answers
 * each "# bench-sdei: ready N" line with `ternctl SOCK sdei signal 300
 * --vcpu 0`. Without the event the platform part is skipped. */
#include "guest_common.h"

#define SDEI_VERSION        0xC4000020u
#define SDEI_EVENT_REGISTER 0xC4000021u
#define SDEI_EVENT_ENABLE   0xC4000022u
#define SDEI_EVENT_GET_INFO 0xC4000029u
#define SDEI_PE_UNMASK      0xC400002Cu
#define SDEI_EVENT_SIGNAL   0xC400002Fu
#define PSCI_VERSION        0x84000000u
#define PSCI_CPU_ON_64      0xC4000003u

#define N_CALLS     20000u
#define N_SELF      2000u
#define N_PLATFORM  10u
#define EV_PLATFORM 300u

void sdei_entry(void);
void sdei_handler(uint64_t event, uint64_t arg, uint64_t entry_cnt);
int main(void);

volatile uint64_t complete_cnt;

static volatile uint64_t loop_cnt, loop_at_entry, entry_cnt_rec, handled;

static inline uint64_t cnt(void)
{
	uint64_t v;
	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v)::"memory");
	return v;
}

static uint64_t freq(void)
{
	uint64_t v;
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

static uint64_t mpidr(void)
{
	return read_sysreg(mpidr_el1) & 0xff00ffffffull;
}

/* ticks over n calls, as nanoseconds per call */
static uint64_t ns_per(uint64_t ticks, uint64_t n)
{
	return (uint64_t)((__uint128_t)ticks * 1000000000u / freq() / n);
}

static void report(const char *key, uint64_t ns)
{
	uart_puts("BENCH-SDEI ");
	uart_puts(key);
	uart_puts("=");
	uart_dec((int64_t)(ns));
	uart_puts("\n");
}

static void time_calls(const char *key, uint32_t fn, uint64_t a1, int64_t expect)
{
	int64_t r = smccc(fn, a1, 0, 0, 0, 0);
	if (r != expect) {
		uart_puts("# bench-sdei: ");
		uart_puts(key);
		uart_puts(" returned ");
		uart_dec(r);
		uart_puts("\n");
	}
	uint64_t t0 = cnt();
	for (uint32_t i = 0; i < N_CALLS; i++)
		smccc(fn, a1, 0, 0, 0, 0);
	report(key, ns_per(cnt() - t0, N_CALLS));
}

void sdei_handler(uint64_t event, uint64_t arg, uint64_t entry_cnt)
{
	(void)event;
	(void)arg;
	entry_cnt_rec = entry_cnt;
	loop_at_entry = loop_cnt;
	handled = handled + 1;
}

static int64_t sdei_setup(uint32_t event)
{
	int64_t r = smccc(SDEI_EVENT_REGISTER, event, (uint64_t)(uintptr_t)sdei_entry, 0, 0, 0);
	if (r)
		return r;
	return smccc(SDEI_EVENT_ENABLE, event, 0, 0, 0, 0);
}

static void sort(uint64_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

int main(void)
{
	uart_puts("# bench-sdei: counter ");
	uart_dec((int64_t)(freq()));
	uart_puts(" Hz\n");
	int64_t version = smccc(SDEI_VERSION, 0, 0, 0, 0, 0);
	if (version < 0) {
		uart_puts("# bench-sdei: no SDEI\n");
		return 0;
	}
	/* Handled by tern (SMCCC filter -> userspace), answered at once. */
	time_calls("sdei_version_ns", SDEI_VERSION, 0, version);
	/* Forwarded to tern too; an MPIDR no vCPU has: INVALID_PARAMETERS. */
	time_calls("psci_cpu_on_invalid_ns", PSCI_CPU_ON_64, 0xFFFFFFull, -2);
	/* Handled by KVM in the kernel. */
	time_calls("psci_version_kvm_ns", PSCI_VERSION, 0, 0x10001);

	/* Event 0 signalled by the guest to itself: SIGNAL, handler, COMPLETE. */
	int64_t r = sdei_setup(0);
	if (!r)
		r = smccc(SDEI_PE_UNMASK, 0, 0, 0, 0, 0);
	if (r) {
		uart_puts("# bench-sdei: event 0 setup failed ");
		uart_dec(r);
		uart_puts("\n");
		return 0;
	}
	uint64_t me = mpidr(), t0 = cnt();
	for (uint32_t i = 0; i < N_SELF; i++)
		smccc(SDEI_EVENT_SIGNAL, 0, me, 0, 0, 0);
	uint64_t t1 = cnt();
	if (handled != N_SELF) {
		uart_puts("# bench-sdei: event 0 handled ");
		uart_dec((int64_t)(handled));
		uart_puts(" times\n");
	}
	report("self_signal_roundtrip_ns", ns_per(t1 - t0, N_SELF));

	/* A platform event raised from the control socket. */
	if (sdei_setup(EV_PLATFORM)) {
		uart_puts("# bench-sdei: no event 300 (run tern with --sdei-event "
		          "300,private,normal)\n");
		return 0;
	}
	uint64_t entry[N_PLATFORM], complete[N_PLATFORM];
	unsigned got = 0;
	for (unsigned k = 0; k < N_PLATFORM; k++) {
		uint64_t before = handled, deadline = cnt() + 60 * freq(), c = 0, back;
		uart_puts("# bench-sdei: ready ");
		uart_dec((int64_t)(k));
		uart_puts("\n");
		do {
			c = cnt();
			loop_cnt = c;
		} while (handled == before && c < deadline);
		back = cnt();
		if (handled == before) {
			uart_puts("# bench-sdei: event 300 not delivered\n");
			break;
		}
		/* From the last loop iteration before the interruption to the
		 * handler's first instruction. */
		entry[got] = entry_cnt_rec - loop_at_entry;
		complete[got] = back - complete_cnt;
		got++;
	}
	if (got) {
		sort(entry, got);
		sort(complete, got);
		report("platform_entry_ns", ns_per(entry[got / 2], 1));
		report("platform_complete_ns", ns_per(complete[got / 2], 1));
		uart_puts("BENCH-SDEI platform_samples=");
		uart_dec((int64_t)(got));
		uart_puts("\n");
	}
	return 0;
}
