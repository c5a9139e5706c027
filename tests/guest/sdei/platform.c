/* SDEI conformance guest, part two: platform events raised by the host.
 * tern must run with
 *     --sdei-event 100,private,critical --sdei-event 200,shared,normal
 * and someone must answer the console lines
 *     # tern-sdei: waiting for event 200 on vCPU 0
 *     # tern-sdei: waiting for event 200 on vCPU 0, nesting
 *     # tern-sdei: in normal handler, waiting for event 100 on vCPU 0
 * with `ternctl SOCKET sdei signal 200` and `... sdei signal 100 --vcpu 0`
 * (tests/integration/50-sdei.sh does). Only vCPU 0 is on here, so the
 * shared event's RM_ANY routing can only pick it. Without those events every check
 * here is reported as skipped.
 *
 * Every check runs exactly once, outside any loop: build.sh counts the
 * check calls in this file (PLATFORM_CHECKS) for the skip path. */
#include "guest.h"

#ifndef PLATFORM_CHECKS
#error "PLATFORM_CHECKS must be defined (build.sh counts the checks)"
#endif

#define EV_CRIT      100u
#define EV_SHARED    200u
#define BAD_MPIDR    0xFFFFFFull
#define WAIT_SECONDS 60
#define ST_RE        (SDEI_STATUS_REGISTERED | SDEI_STATUS_ENABLED)
#define ST_REG       (ST_RE | SDEI_STATUS_RUNNING)
#define SPIN_TIMEOUT (1ull << 63)

enum mode200 {
	P_SIMPLE, /* record, COMPLETE */
	P_NEST,   /* announce, wait (bounded) for the critical event 100 */
};

static volatile enum mode200 mode200;
static struct hrec rec100, rec200;

void platform_handler(struct entry_frame *f)
{
	f->complete_fn = SDEI_FN_EVENT_COMPLETE;
	f->complete_arg = SDEI_EV_HANDLED;
	if (f->x[0] == EV_CRIT) {
		record_entry(&rec100, f, EV_CRIT);
		rec100.extra[0] = sdei1(SDEI_FN_EVENT_STATUS, EV_SHARED);
		barrier();
		rec100.count++;
		return;
	}
	if (f->x[0] == EV_SHARED) {
		record_entry(&rec200, f, EV_SHARED);
		if (mode200 == P_NEST) {
			uint64_t deadline = deadline_after(WAIT_SECONDS);

			/* spin_sentinels() sends the newline. */
			uart_puts(
			        "# tern-sdei: in normal handler, waiting for event 100 on vCPU 0");
			rec200.extra[0] = (int64_t)spin_sentinels(&rec100.count, deadline);
			barrier();
			rec200.extra[1] = sdei1(SDEI_FN_EVENT_STATUS, EV_SHARED);
		}
		barrier();
		rec200.count++;
		return;
	}
	bail_out("handler entered for an unexpected event", f->x[0]);
}

/* True on timeout. */
static bool wait_for(volatile uint32_t *count)
{
	uint64_t deadline = deadline_after(WAIT_SECONDS);

	while (*count == 0) {
		if (past(deadline)) {
			barrier();
			return *count == 0;
		}
	}
	barrier();
	return false;
}

static int64_t info(uint32_t event, uint32_t id)
{
	return sdei2(SDEI_FN_EVENT_GET_INFO, event, id);
}

static int64_t status(uint32_t event)
{
	return sdei1(SDEI_FN_EVENT_STATUS, event);
}

static void platform_checks(uint64_t mpidr)
{
	uint64_t entry = (uint64_t)sdei_entry;
	uint64_t spin = (uint64_t)spin_sentinels, spin_end = (uint64_t)spin_sentinels_end;
	bool timed_out, crit_timed_out;

	tap_eq("GET_INFO(100, TYPE) is private", info(EV_CRIT, SDEI_INFO_EV_TYPE), 0);
	tap_eq("GET_INFO(100, PRIORITY) is critical", info(EV_CRIT, SDEI_INFO_EV_PRIORITY), 1);
	tap_eq("GET_INFO(100, SIGNALED) is 0", info(EV_CRIT, SDEI_INFO_EV_SIGNALED), 0);
	tap_eq("GET_INFO(200, TYPE) is shared", info(EV_SHARED, SDEI_INFO_EV_TYPE), 1);
	tap_eq("GET_INFO(200, PRIORITY) is normal", info(EV_SHARED, SDEI_INFO_EV_PRIORITY), 0);
	tap_eq("GET_INFO(200, ROUTING_MODE) while unregistered is DENIED",
	       info(EV_SHARED, SDEI_INFO_EV_ROUTING_MODE), SDEI_DENIED);
	tap_eq("EVENT_SIGNAL of platform event 100 is INVALID_PARAMETERS",
	       sdei2(SDEI_FN_EVENT_SIGNAL, EV_CRIT, mpidr), SDEI_INVALID_PARAMETERS);
	tap_eq("REGISTER(200, RM_PE) to an unknown MPIDR is INVALID_PARAMETERS",
	       sdei_register(EV_SHARED, entry, ARG_200, SDEI_REGF_RM_PE, BAD_MPIDR),
	       SDEI_INVALID_PARAMETERS);
	tap_eq("REGISTER(200, RM_PE, own MPIDR) succeeds",
	       sdei_register(EV_SHARED, entry, ARG_200, SDEI_REGF_RM_PE, mpidr), 0);
	tap_eq("GET_INFO(200, ROUTING_MODE) is RM_PE", info(EV_SHARED, SDEI_INFO_EV_ROUTING_MODE),
	       SDEI_RM_PE);
	tap_eq("GET_INFO(200, ROUTING_AFF) is the own MPIDR",
	       info(EV_SHARED, SDEI_INFO_EV_ROUTING_AFF), (int64_t)(mpidr & MPIDR_AFF_MASK));
	tap_eq("ROUTING_SET(200) with mode 2 is INVALID_PARAMETERS",
	       sdei3(SDEI_FN_EVENT_ROUTING_SET, EV_SHARED, 2, 0), SDEI_INVALID_PARAMETERS);
	tap_eq("ROUTING_SET(200, RM_PE) to an unknown MPIDR is INVALID_PARAMETERS",
	       sdei3(SDEI_FN_EVENT_ROUTING_SET, EV_SHARED, SDEI_RM_PE, BAD_MPIDR),
	       SDEI_INVALID_PARAMETERS);
	tap_eq("ROUTING_SET(200, RM_ANY) while disabled succeeds",
	       sdei3(SDEI_FN_EVENT_ROUTING_SET, EV_SHARED, SDEI_RM_ANY, 0), 0);
	tap_eq("GET_INFO(200, ROUTING_MODE) is RM_ANY", info(EV_SHARED, SDEI_INFO_EV_ROUTING_MODE),
	       SDEI_RM_ANY);
	tap_eq("GET_INFO(200, ROUTING_AFF) under RM_ANY is INVALID_PARAMETERS",
	       info(EV_SHARED, SDEI_INFO_EV_ROUTING_AFF), SDEI_INVALID_PARAMETERS);
	tap_eq("ENABLE(200) succeeds", sdei1(SDEI_FN_EVENT_ENABLE, EV_SHARED), 0);
	tap_eq("ROUTING_SET of an enabled event is DENIED",
	       sdei3(SDEI_FN_EVENT_ROUTING_SET, EV_SHARED, SDEI_RM_ANY, 0), SDEI_DENIED);
	tap_eq("REGISTER(100) succeeds", sdei_register(EV_CRIT, entry, ARG_100, 0, 0), 0);
	tap_eq("ENABLE(100) succeeds", sdei1(SDEI_FN_EVENT_ENABLE, EV_CRIT), 0);

	/* A shared event injected by the host. */
	memset(&rec200, 0, sizeof(rec200));
	mode200 = P_SIMPLE;
	barrier();
	uart_puts("# tern-sdei: waiting for event 200 on vCPU 0\n");
	timed_out = wait_for(&rec200.count);
	tap_wait("event 200 signalled by the host is delivered", timed_out, rec200.count, 1);
	tap_eq("event 200 handler x0 is 200", (int64_t)rec200.x[0], EV_SHARED);
	tap_eq("event 200 handler x1 is its registration argument", (int64_t)rec200.x[1], ARG_200);
	tap_eq("STATUS(200) in its handler is registered, enabled, running", rec200.status, ST_REG);
	tap_eq("STATUS(200) after COMPLETE is registered and enabled", status(EV_SHARED), ST_RE);

	/* Critical event 100 pre-empts the running normal handler of 200. */
	memset(&rec200, 0, sizeof(rec200));
	memset(&rec100, 0, sizeof(rec100));
	mode200 = P_NEST;
	barrier();
	/* ", nesting": the host must not expect 200 to complete before it
	 * answered the handler's own request for event 100. */
	uart_puts("# tern-sdei: waiting for event 200 on vCPU 0, nesting\n");
	timed_out = wait_for(&rec200.count);
	crit_timed_out = timed_out || (rec200.extra[0] & SPIN_TIMEOUT);
	tap_wait("normal event 200 for the nesting test is delivered", timed_out, rec200.count, 1);
	tap_wait("critical event 100 pre-empts the running normal handler", crit_timed_out,
	         rec100.count, 1);
	tap_eq("critical handler x0 is 100", (int64_t)rec100.x[0], EV_CRIT);
	tap_eq("critical handler x1 is its registration argument", (int64_t)rec100.x[1], ARG_100);
	tap_ok("critical handler x2 is inside the normal handler's wait loop",
	       rec100.x[2] >= spin && rec100.x[2] < spin_end, (int64_t)rec100.x[2], (int64_t)spin);
	tap_eq("critical handler x3 is the normal handler's PSTATE, EL1h with DAIF masked",
	       (int64_t)(rec100.x[3] & PSR_CHECK_MASK), PSR_EL1H_MASKED);
	tap_eq("EVENT_CONTEXT(0) in the critical handler is the normal handler's x0",
	       (int64_t)rec100.ctx[0], (int64_t)(uint64_t)&rec100.count);
	tap_eq("EVENT_CONTEXT(4..17) in the critical handler are the normal handler's "
	       "(first bad index)",
	       first_mismatch(rec100.ctx, 4, 18, want_sentinel2), -1);
	tap_eq("STATUS(100) in the critical handler is registered, enabled, running", rec100.status,
	       ST_REG);
	tap_eq("STATUS(200) in the critical handler is still running", rec100.extra[0], ST_REG);
	tap_eq("normal handler x4..x17 are intact after the critical COMPLETE (bad register mask)",
	       (int64_t)(rec200.extra[0] & ~SPIN_TIMEOUT), 0);
	tap_eq("STATUS(200) in the normal handler after the critical COMPLETE is running",
	       rec200.extra[1], ST_REG);
	tap_eq("STATUS(200) after both COMPLETEs is registered and enabled", status(EV_SHARED),
	       ST_RE);
	tap_eq("STATUS(100) after both COMPLETEs is registered and enabled", status(EV_CRIT),
	       ST_RE);
	tap_eq("UNREGISTER(200) succeeds", sdei1(SDEI_FN_EVENT_UNREGISTER, EV_SHARED), 0);
	tap_eq("UNREGISTER(100) succeeds", sdei1(SDEI_FN_EVENT_UNREGISTER, EV_CRIT), 0);
	tap_eq("STATUS(200) after UNREGISTER is 0", status(EV_SHARED), 0);
}

void platform_tests(uint64_t mpidr)
{
	unsigned int start = tap_count();

	if (info(EV_CRIT, SDEI_INFO_EV_TYPE) < 0 || info(EV_SHARED, SDEI_INFO_EV_TYPE) < 0) {
		for (unsigned int i = 0; i < PLATFORM_CHECKS; i++)
			tap_skip("platform events not configured");
		return;
	}
	platform_checks(mpidr);
	if (tap_count() - start != PLATFORM_CHECKS)
		uart_puts("# tern-sdei: platform check count differs from PLATFORM_CHECKS\n");
}
