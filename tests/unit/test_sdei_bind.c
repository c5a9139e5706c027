/* SDEI INTERRUPT_BIND / INTERRUPT_RELEASE, bind slots, and devices asking
 * whether their interrupt now belongs to an SDEI event. */
#include "check.h"
#include "sdei_fake.h"

static void setup(struct fake *f)
{
	fake_init(f);
	for (uint32_t intid = 40; intid < 40 + SDEI_BIND_SLOTS + 2; intid++)
		CHECK_EQ(sdei_own_interrupt(f->sdei, intid), 0);
	CHECK_EQ(sdei_own_interrupt(f->sdei, 40), 0); /* twice is fine */
	sdei_start(f->sdei);
}

static void test_bind_errors_and_slots(void)
{
	struct fake f;
	int64_t ev;

	setup(&f);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_INTERRUPT_BIND, 5), SDEI_INVALID_PARAMETERS);    /* SGI */
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_INTERRUPT_BIND, 1020), SDEI_INVALID_PARAMETERS); /* special */
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_INTERRUPT_BIND, 1ull << 32 | 40), SDEI_INVALID_PARAMETERS);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_INTERRUPT_BIND, 27), SDEI_DENIED); /* timer PPI: KVM's */
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_INTERRUPT_BIND, 33), SDEI_DENIED); /* SPI not ours */
	ev = CALL1(&f, 0, SDEI_FN_INTERRUPT_BIND, 40);
	CHECK_EQ(ev, SDEI_DYN_EVENT_BASE);
	/* Binding the same interrupt again, from any vCPU, gives the same event. */
	CHECK_EQ(CALL1(&f, 1, SDEI_FN_INTERRUPT_BIND, 40), ev);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_FEATURES, SDEI_FEATURE_BIND_SLOTS),
	         (int64_t)(SDEI_BIND_SLOTS - 1) << 16);
	for (uint32_t i = 1; i < SDEI_BIND_SLOTS; i++)
		CHECK_EQ(CALL1(&f, 0, SDEI_FN_INTERRUPT_BIND, 40 + i), SDEI_DYN_EVENT_BASE + i);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_FEATURES, SDEI_FEATURE_BIND_SLOTS), 0);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_INTERRUPT_BIND, 40 + SDEI_BIND_SLOTS), SDEI_OUT_OF_RESOURCE);
	/* The bound event is shared and normal. */
	CHECK_EQ(CALL2(&f, 0, SDEI_FN_EVENT_GET_INFO, ev, SDEI_INFO_EV_TYPE), 1);
	CHECK_EQ(CALL2(&f, 0, SDEI_FN_EVENT_GET_INFO, ev, SDEI_INFO_EV_PRIORITY), 0);
	{
		struct sdei_event_info info;

		CHECK_EQ(sdei_query_event(f.sdei, (uint32_t)ev, 0, &info), 0);
		CHECK(info.bound);
		CHECK_EQ(info.intid, 40);
	}
	/* Release frees a slot, which the next bind reuses. */
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_INTERRUPT_RELEASE, SDEI_DYN_EVENT_BASE + 3), 0);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_FEATURES, SDEI_FEATURE_BIND_SLOTS), 1 << 16);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_INTERRUPT_BIND, 40 + SDEI_BIND_SLOTS),
	         SDEI_DYN_EVENT_BASE + 3);
	sdei_destroy(f.sdei);
}

static void test_release_rules(void)
{
	struct fake f;

	setup(&f);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_INTERRUPT_RELEASE, 0), SDEI_INVALID_PARAMETERS);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_INTERRUPT_RELEASE, 12345), SDEI_INVALID_PARAMETERS);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_INTERRUPT_RELEASE, SDEI_DYN_EVENT_BASE),
	         SDEI_INVALID_PARAMETERS); /* not bound */
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_INTERRUPT_RELEASE, ~0ull), SDEI_INVALID_PARAMETERS);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_INTERRUPT_BIND, 41), SDEI_DYN_EVENT_BASE);
	CHECK_EQ(REG(&f, 0, SDEI_DYN_EVENT_BASE, FAKE_ENTRY, 0, 0), 0);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_INTERRUPT_RELEASE, SDEI_DYN_EVENT_BASE), SDEI_DENIED);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_UNREGISTER, SDEI_DYN_EVENT_BASE), 0);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_INTERRUPT_RELEASE, SDEI_DYN_EVENT_BASE), 0);
	/* Released: the number stays a valid event but cannot be registered. */
	CHECK_EQ(REG(&f, 0, SDEI_DYN_EVENT_BASE, FAKE_ENTRY, 0, 0), SDEI_DENIED);
	CHECK(!sdei_interrupt_take(f.sdei, 41));
	sdei_destroy(f.sdei);
}

static void test_interrupt_take(void)
{
	struct fake f;
	struct sdei_event_info info;

	setup(&f);
	CHECK(!sdei_interrupt_take(f.sdei, 42)); /* not bound */
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_INTERRUPT_BIND, 42), SDEI_DYN_EVENT_BASE);
	/* Bound but not registered: the line still belongs to the GIC. */
	CHECK(!sdei_interrupt_take(f.sdei, 42));
	CHECK_EQ(REG(&f, 0, SDEI_DYN_EVENT_BASE, FAKE_ENTRY, 0, 0), 0);
	/* Registered but disabled: taken, and pending. */
	CHECK(sdei_interrupt_take(f.sdei, 42));
	CHECK(!sdei_interrupt_take(f.sdei, 43));
	CHECK_EQ(sdei_query_event(f.sdei, SDEI_DYN_EVENT_BASE, 0, &info), 0);
	CHECK(info.pending);
	CHECK_EQ(info.counters.signalled, 1);
	CHECK_EQ(CALL0(&f, 2, SDEI_FN_PE_UNMASK), 0);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_ENABLE, SDEI_DYN_EVENT_BASE), 0);
	CHECK_EQ(f.v[2].kicks, 1);
	CHECK_EQ(fake_deliver(&f, 2), 1);
	CHECK_EQ_U64(f.v[2].regs.x[0], SDEI_DYN_EVENT_BASE);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_UNREGISTER, SDEI_DYN_EVENT_BASE), SDEI_PENDING);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_INTERRUPT_RELEASE, SDEI_DYN_EVENT_BASE), SDEI_DENIED);
	CHECK(!sdei_interrupt_take(f.sdei, 42)); /* unregistered: back to the line */
	CHECK_EQ(CALL1(&f, 2, SDEI_FN_EVENT_COMPLETE, 0), FAKE_NO_X0);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_INTERRUPT_RELEASE, SDEI_DYN_EVENT_BASE), 0);
	sdei_destroy(f.sdei);
}

static void test_shared_reset_releases(void)
{
	struct fake f;

	setup(&f);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_INTERRUPT_BIND, 44), SDEI_DYN_EVENT_BASE);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_INTERRUPT_BIND, 45), SDEI_DYN_EVENT_BASE + 1);
	CHECK_EQ(REG(&f, 0, SDEI_DYN_EVENT_BASE + 1, FAKE_ENTRY, 0, 0), 0);
	CHECK_EQ(CALL0(&f, 1, SDEI_FN_SHARED_RESET), 0);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_FEATURES, SDEI_FEATURE_BIND_SLOTS),
	         (int64_t)SDEI_BIND_SLOTS << 16);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_STATUS, SDEI_DYN_EVENT_BASE + 1), 0);
	CHECK(!sdei_interrupt_take(f.sdei, 45));
	/* A running bound event survives SHARED_RESET bound, until released. */
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_INTERRUPT_BIND, 46), SDEI_DYN_EVENT_BASE);
	CHECK_EQ(REG(&f, 0, SDEI_DYN_EVENT_BASE, FAKE_ENTRY, 0, 0), 0);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_ENABLE, SDEI_DYN_EVENT_BASE), 0);
	CHECK_EQ(CALL0(&f, 0, SDEI_FN_PE_UNMASK), 0);
	CHECK(sdei_interrupt_take(f.sdei, 46));
	CHECK_EQ(fake_deliver(&f, 0), 1);
	CHECK_EQ(CALL0(&f, 0, SDEI_FN_SHARED_RESET), SDEI_DENIED);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_FEATURES, SDEI_FEATURE_BIND_SLOTS),
	         (int64_t)(SDEI_BIND_SLOTS - 1) << 16);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_COMPLETE, 0), FAKE_NO_X0);
	CHECK_EQ(CALL0(&f, 0, SDEI_FN_SHARED_RESET), 0);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_FEATURES, SDEI_FEATURE_BIND_SLOTS),
	         (int64_t)SDEI_BIND_SLOTS << 16);
	sdei_destroy(f.sdei);
}

int main(void)
{
	test_bind_errors_and_slots();
	test_release_rules();
	test_interrupt_take();
	test_shared_reset_releases();
	return check_summary("test_sdei_bind");
}
