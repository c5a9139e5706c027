/* Random SDEI call sequences on several vCPUs, mixed with external signals,
 * deliveries, device interrupts and vCPU resets. After every step the
 * event table must be self-consistent and completions balanced; the fake
 * backend aborts if a vCPU's registers are touched from another vCPU. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../unit/sdei_fake.h"

struct stream {
	const uint8_t *p;
	size_t n;
};

static uint8_t next(struct stream *s)
{
	if (!s->n)
		return 0;
	s->n--;
	return *s->p++;
}

static uint64_t next64(struct stream *s)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < 8; i++)
		v = v << 8 | next(s);
	return v;
}

static const uint64_t events[] = {
        0, 100, 200, 300, 400, SDEI_DYN_EVENT_BASE, SDEI_DYN_EVENT_BASE + 1, 7, 0x100000000ull};
static const uint64_t intids[] = {40, 41, 42, 43, 27, 33, 5, 1020};
#define NEVENTS (sizeof(events) / sizeof(events[0]))
#define NINTIDS (sizeof(intids) / sizeof(intids[0]))

/* An argument biased towards values that mean something to the core. */
static uint64_t pick_arg(struct stream *s)
{
	uint8_t sel = next(s);

	switch (sel % 7) {
	case 0:
		return events[next(s) % NEVENTS];
	case 1:
		return FAKE_ENTRY + 4ull * (next(s) % 4);
	case 2:
		return fake_mpidr(next(s) % (FAKE_VCPUS + 1));
	case 3:
		return next(s) % 20;
	case 4:
		return intids[next(s) % NINTIDS];
	case 5:
		return next64(s);
	default:
		return 0;
	}
}

static uint64_t dropped;

static void fail(const char *what)
{
	fprintf(stderr, "invariant broken: %s\n", what);
	abort();
}

static void check_invariants(struct fake *f)
{
	struct sdei_vcpu_info vi[FAKE_VCPUS];
	struct sdei_event_info ei;
	uint64_t dispatched = 0, completed = 0, depth = 0, running = 0;
	unsigned int nev = sdei_event_count(f->sdei);

	for (unsigned int v = 0; v < FAKE_VCPUS; v++) {
		if (sdei_query_vcpu(f->sdei, v, &vi[v]))
			fail("query vcpu");
		if (vi[v].depth > 2)
			fail("depth");
		if (!vi[v].online && vi[v].depth)
			fail("offline vcpu running a handler");
		dispatched += vi[v].counters.dispatched;
		completed += vi[v].counters.completed;
		depth += vi[v].depth;
	}
	for (unsigned int i = 0; i < nev; i++) {
		for (unsigned int v = 0; v < FAKE_VCPUS; v++) {
			if (sdei_query_event_at(f->sdei, i, v, &ei))
				fail("query event");
			if (ei.enabled && !ei.registered)
				fail("enabled but not registered");
			if (ei.unregister_pending && !ei.running)
				fail("unregister pending while idle");
			if (ei.bound && !(ei.num >= SDEI_DYN_EVENT_BASE))
				fail("static event bound");
			if (ei.running) {
				int rv = ei.running_vcpu;
				int64_t slot;

				if (rv < 0 || rv >= FAKE_VCPUS)
					fail("running vcpu out of range");
				if (!ei.shared && rv != (int)v)
					fail("private instance running elsewhere");
				slot = ei.critical ? vi[rv].running_critical
				                   : vi[rv].running_normal;
				if (slot != (int64_t)ei.num)
					fail("running event not on its vcpu's stack");
				if (!ei.shared || v == 0)
					running++;
			}
		}
	}
	if (running != depth)
		fail("running instances != handler depth");
	if (dispatched != completed + depth + dropped)
		fail("dispatches not balanced by completions");
	if ((uint64_t)f->completions != completed)
		fail("completion callbacks != completions");
}

static void drop(struct fake *f, unsigned int v)
{
	struct sdei_vcpu_info vi;

	if (!sdei_query_vcpu(f->sdei, v, &vi))
		dropped += vi.depth;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sdei_event_spec specs[] = {
	        {100, false, false}, {200, true, false}, {300, false, true}, {400, true, true}};
	struct stream s = {data, size};
	struct fake f;
	unsigned int steps = 0;

	fake_init(&f);
	if (!f.sdei)
		abort();
	for (unsigned int i = 0; i < 4; i++)
		sdei_add_event(f.sdei, &specs[i]);
	for (uint32_t intid = 40; intid < 44; intid++)
		sdei_own_interrupt(f.sdei, intid);
	sdei_start(f.sdei);
	dropped = 0;

	while (s.n && steps++ < 400) {
		uint8_t op = next(&s);
		unsigned int v = next(&s) % FAKE_VCPUS;
		uint64_t a[5];

		switch (op % 12) {
		case 0:
		case 1:
		case 2:
		case 3:
			for (unsigned int i = 0; i < 5; i++)
				a[i] = pick_arg(&s);
			fake_call(&f, v, SDEI_FN_BASE + next(&s) % 0x24, a[0], a[1], a[2], a[3],
			          a[4]);
			break;
		case 4: {
			/* The common setup, to reach dispatch quickly. */
			uint64_t ev = events[next(&s) % NEVENTS];

			REG(&f, v, ev, FAKE_ENTRY, 0, 0);
			CALL1(&f, v, SDEI_FN_EVENT_ENABLE, ev);
			CALL0(&f, v, SDEI_FN_PE_UNMASK);
			if (op & 0x80)
				sdei_signal(f.sdei, (uint32_t)ev,
				            (ev == 200 || ev == 400) ? -1 : (int)v);
			break;
		}
		case 5:
			sdei_signal(f.sdei, (uint32_t)events[next(&s) % NEVENTS],
			            (int)(next(&s) % (FAKE_VCPUS + 2)) - 1);
			break;
		case 6:
			fake_deliver(&f, v);
			break;
		case 7:
			sdei_interrupt_take(f.sdei, (uint32_t)intids[next(&s) % NINTIDS]);
			break;
		case 8:
			/* The guest runs on and changes its registers. */
			f.v[v].regs.pc = next64(&s);
			f.v[v].regs.pstate = next64(&s);
			f.v[v].sctlr = next64(&s);
			break;
		case 9:
		case 10:
			/* Handlers finish often, so sequences reach nesting and chaining. */
			if (op & 0x80)
				CALL1(&f, v, SDEI_FN_EVENT_COMPLETE_AND_RESUME, pick_arg(&s));
			else
				CALL1(&f, v, SDEI_FN_EVENT_COMPLETE, next(&s) & 1);
			break;
		default:
			drop(&f, v);
			if (next(&s) & 1)
				sdei_vcpu_power_off(f.sdei, v);
			else
				sdei_vcpu_reset(f.sdei, v);
			break;
		}
		check_invariants(&f);
	}
	sdei_destroy(f.sdei);
	return 0;
}
