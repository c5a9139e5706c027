/* sdei_signal() from a second thread while vCPU 0's thread dispatches and
 * completes: every signal ends in a handler run or coalesces into one, and
 * dispatches and completions balance. */
#include <pthread.h>
#include <stdatomic.h>

#include "check.h"
#include "sdei_fake.h"

#define SIGNALS 20000

static atomic_bool done;
static atomic_int accepted;

static void *signaller(void *arg)
{
	struct sdei *sdei = arg;

	for (int i = 0; i < SIGNALS; i++) {
		if (sdei_signal(sdei, (i & 1) ? 200 : 100, (i & 1) ? -1 : 0) == 0)
			atomic_fetch_add(&accepted, 1);
	}
	atomic_store(&done, true);
	return NULL;
}

int main(void)
{
	const struct sdei_event_spec priv = {100, false, false}, shared = {200, true, true};
	struct sdei_event_info pi, si;
	struct sdei_vcpu_info vi;
	struct fake f;
	pthread_t t;
	long runs = 0;

	fake_init(&f);
	CHECK_EQ(sdei_add_event(f.sdei, &priv), 0);
	CHECK_EQ(sdei_add_event(f.sdei, &shared), 0);
	sdei_start(f.sdei);
	CHECK_EQ(REG(&f, 0, 100, FAKE_ENTRY, 0, 0), 0);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_ENABLE, 100), 0);
	CHECK_EQ(REG(&f, 0, 200, FAKE_ENTRY2, 0, 0), 0);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_ENABLE, 200), 0);
	CHECK_EQ(CALL0(&f, 0, SDEI_FN_PE_UNMASK), 0);

	CHECK_EQ(pthread_create(&t, NULL, signaller, f.sdei), 0);
	/* vCPU 0's loop: take what is deliverable, finish what runs. */
	for (;;) {
		bool finished = atomic_load(&done);

		fake_deliver(&f, 0);
		CHECK_EQ(sdei_query_vcpu(f.sdei, 0, &vi), 0);
		if (vi.depth) {
			CALL1(&f, 0, SDEI_FN_EVENT_COMPLETE, 0);
			runs++;
			continue;
		}
		CHECK_EQ(sdei_query_event(f.sdei, 100, 0, &pi), 0);
		CHECK_EQ(sdei_query_event(f.sdei, 200, 0, &si), 0);
		if (finished && !pi.pending && !si.pending)
			break;
	}
	pthread_join(t, NULL);

	CHECK_EQ(atomic_load(&accepted), SIGNALS);
	CHECK_EQ(sdei_query_vcpu(f.sdei, 0, &vi), 0);
	CHECK(runs > 0);
	CHECK_EQ(vi.counters.dispatched, runs);
	CHECK_EQ(vi.counters.completed, runs);
	CHECK_EQ(f.completions, runs);
	CHECK_EQ(pi.counters.signalled + si.counters.signalled, SIGNALS);
	CHECK(pi.counters.dispatched + si.counters.dispatched == (uint64_t)runs);
	CHECK(runs <= SIGNALS);
	/* The interrupted context survived every round trip. */
	CHECK_EQ_U64(f.v[0].regs.pc, 0xFFFF800000100000ull);
	sdei_destroy(f.sdei);
	return check_summary("test_sdei_threads");
}
