/* SDEI bench guest: times hypercall round trips and SDEI event delivery
 * with the virtual counter, and prints one "BENCH-SDEI key=value" line per
 * number on the 16550A console at 0x09000000.
 *
 * tern must run it with --sdei-event 300,private,normal; the host answers
 * each "# bench-sdei: ready N" line with `ternctl SOCK sdei signal 300
 * --vcpu 0`. Without the event the platform part is skipped. */
#include <stdint.h>

#define UART ((volatile uint8_t *)0x09000000ul)

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

static inline uint64_t hvc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                           uint64_t a5)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;
	register uint64_t x4 __asm__("x4") = a4;
	register uint64_t x5 __asm__("x5") = a5;
	__asm__ volatile("hvc #0"
	                 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5)
	                 :
	                 : "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15",
	                   "x16", "x17", "memory");
	return x0;
}

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
	uint64_t v;
	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(v));
	return v & 0xff00ffffffull;
}

static void putc_(char c)
{
	while (!(UART[5] & 0x20))
		;
	UART[0] = (uint8_t)c;
}

static void puts_(const char *s)
{
	while (*s)
		putc_(*s++);
}

static void putu(uint64_t v)
{
	char b[21];
	int i = 20;
	b[i] = 0;
	do {
		b[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	puts_(b + i);
}

static void puti(int64_t v)
{
	if (v < 0) {
		putc_('-');
		v = -v;
	}
	putu((uint64_t)v);
}

/* ticks over n calls, as nanoseconds per call */
static uint64_t ns_per(uint64_t ticks, uint64_t n)
{
	return (uint64_t)((__uint128_t)ticks * 1000000000u / freq() / n);
}

static void report(const char *key, uint64_t ns)
{
	puts_("BENCH-SDEI ");
	puts_(key);
	putc_('=');
	putu(ns);
	puts_("\n");
}

static void time_calls(const char *key, uint32_t fn, uint64_t a1, int64_t expect)
{
	int64_t r = (int64_t)hvc(fn, a1, 0, 0, 0, 0);
	if (r != expect) {
		puts_("# bench-sdei: ");
		puts_(key);
		puts_(" returned ");
		puti(r);
		puts_("\n");
	}
	uint64_t t0 = cnt();
	for (uint32_t i = 0; i < N_CALLS; i++)
		hvc(fn, a1, 0, 0, 0, 0);
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
	int64_t r = (int64_t)hvc(SDEI_EVENT_REGISTER, event, (uint64_t)(uintptr_t)sdei_entry, 0, 0, 0);
	if (r)
		return r;
	return (int64_t)hvc(SDEI_EVENT_ENABLE, event, 0, 0, 0, 0);
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
	puts_("# bench-sdei: counter ");
	putu(freq());
	puts_(" Hz\n");
	int64_t version = (int64_t)hvc(SDEI_VERSION, 0, 0, 0, 0, 0);
	if (version < 0) {
		puts_("# bench-sdei: no SDEI\n");
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
		r = (int64_t)hvc(SDEI_PE_UNMASK, 0, 0, 0, 0, 0);
	if (r) {
		puts_("# bench-sdei: event 0 setup failed ");
		puti(r);
		puts_("\n");
		return 0;
	}
	uint64_t me = mpidr(), t0 = cnt();
	for (uint32_t i = 0; i < N_SELF; i++)
		hvc(SDEI_EVENT_SIGNAL, 0, me, 0, 0, 0);
	uint64_t t1 = cnt();
	if (handled != N_SELF) {
		puts_("# bench-sdei: event 0 handled ");
		putu(handled);
		puts_(" times\n");
	}
	report("self_signal_roundtrip_ns", ns_per(t1 - t0, N_SELF));

	/* A platform event raised from the control socket. */
	if (sdei_setup(EV_PLATFORM)) {
		puts_("# bench-sdei: no event 300 (run tern with --sdei-event 300,private,normal)\n");
		return 0;
	}
	uint64_t entry[N_PLATFORM], complete[N_PLATFORM];
	unsigned got = 0;
	for (unsigned k = 0; k < N_PLATFORM; k++) {
		uint64_t before = handled, deadline = cnt() + 60 * freq(), c = 0, back;
		puts_("# bench-sdei: ready ");
		putu(k);
		puts_("\n");
		do {
			c = cnt();
			loop_cnt = c;
		} while (handled == before && c < deadline);
		back = cnt();
		if (handled == before) {
			puts_("# bench-sdei: event 300 not delivered\n");
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
		puts_("BENCH-SDEI platform_samples=");
		putu(got);
		puts_("\n");
	}
	return 0;
}
