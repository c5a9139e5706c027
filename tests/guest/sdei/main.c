/* SDEI conformance guest: the calls, their error codes and the state table
 * on event 0, then delivery of self-signalled events (entry registers,
 * EVENT_CONTEXT, exact restore, masking, disabling, resume, unregister while
 * running). Platform events injected by the host are in platform.c, the
 * two-vCPU tests in smp.c.
 *
 * Every check runs exactly once, in order, outside any loop: build.sh counts
 * the check calls in this file, platform.c and smp.c to make the TAP plan. */
#include "guest.h"

#define EV0        SDEI_EVENT_SIGNAL_NUM
#define NO_EVENT   12345u      /* not in tern's catalogue */
#define BIND_EVENT 0x10000u    /* tern's first INTERRUPT_BIND slot */
#define BAD_MPIDR  0xFFFFFFull /* Aff2.Aff1.Aff0 = 255.255.255: no such vCPU */

enum mode0 {
	M_COMPLETE,      /* record, COMPLETE(handled) */
	M_FAILED,        /* record, COMPLETE(failed) */
	M_RESIGNAL,      /* first run signals event 0 again */
	M_RESUME,        /* COMPLETE_AND_RESUME to the IRQ vector */
	M_UNREGISTER,    /* UNREGISTER and friends while running */
	M_PRIVATE_RESET, /* PRIVATE_RESET while running */
};

static volatile enum mode0 mode0;
static struct hrec rec0;
static uint64_t self_mpidr;
static uint64_t snap[SNAP_SLOTS];

int64_t first_mismatch(const uint64_t *a, unsigned int from, unsigned int to,
                       uint64_t (*want)(unsigned int))
{
	for (unsigned int i = from; i < to; i++) {
		if (a[i] != want(i))
			return i;
	}
	return -1;
}

uint64_t want_sentinel2(unsigned int n)
{
	return SENTINEL2(n);
}

static uint64_t want_sentinel(unsigned int n)
{
	return SENTINEL(n);
}

/* What regs_signal_check() leaves in x0..x30 after EVENT_SIGNAL(0, self):
 * x0 = 0 (the call's result), x1 = event 0, x2 = target MPIDR. */
static uint64_t want_signal_regs(unsigned int n)
{
	if (n == 0 || n == 1)
		return 0;
	if (n == 2)
		return self_mpidr;
	return SENTINEL(n);
}

void record_entry(struct hrec *r, const struct entry_frame *f, uint32_t event)
{
	for (unsigned int i = 0; i < 18; i++) {
		r->x[i] = f->x[i];
		r->ctx[i] = (uint64_t)sdei1(SDEI_FN_EVENT_CONTEXT, i);
	}
	r->ctx_bad = sdei1(SDEI_FN_EVENT_CONTEXT, 18);
	r->pstate = f->daif | f->currentel | f->spsel;
	r->status = sdei1(SDEI_FN_EVENT_STATUS, event);
	r->mpidr = read_sysreg(mpidr_el1);
}

static uint64_t resume_vector(void)
{
	return (uint64_t)vectors + SDEI_VEC_IRQ_CUR_SPX;
}

static void event0_handler(struct entry_frame *f)
{
	struct hrec *r = &rec0;
	bool first = r->count == 0;

	record_entry(r, f, EV0);
	f->complete_fn = SDEI_FN_EVENT_COMPLETE;
	f->complete_arg = SDEI_EV_HANDLED;
	switch (mode0) {
	case M_COMPLETE:
		break;
	case M_FAILED:
		f->complete_arg = SDEI_EV_FAILED;
		break;
	case M_RESIGNAL:
		if (first)
			r->extra[0] = sdei2(SDEI_FN_EVENT_SIGNAL, EV0, self_mpidr);
		break;
	case M_RESUME:
		r->extra[0] = sdei1(SDEI_FN_EVENT_COMPLETE_AND_RESUME, resume_vector() + 2);
		f->complete_fn = SDEI_FN_EVENT_COMPLETE_AND_RESUME;
		f->complete_arg = resume_vector();
		break;
	case M_UNREGISTER:
		r->extra[0] = sdei1(SDEI_FN_EVENT_UNREGISTER, EV0);
		r->extra[1] = sdei1(SDEI_FN_EVENT_STATUS, EV0);
		r->extra[2] = sdei_register(EV0, (uint64_t)sdei_entry, ARG_EVENT0, 0, 0);
		r->extra[3] = sdei1(SDEI_FN_EVENT_UNREGISTER, EV0);
		r->extra[4] = sdei1(SDEI_FN_EVENT_ENABLE, EV0);
		break;
	case M_PRIVATE_RESET:
		r->extra[0] = sdei0(SDEI_FN_PRIVATE_RESET);
		r->extra[1] = sdei1(SDEI_FN_EVENT_STATUS, EV0);
		break;
	}
	barrier();
	r->count++;
}

/* Called by sdei_entry (start.S) for every event. */
void sdei_handler(struct entry_frame *f)
{
	if (smp_handler(f))
		return;
	if (f->x[0] == EV0)
		event0_handler(f);
	else
		platform_handler(f);
}

static void reset_rec0(enum mode0 m)
{
	memset(&rec0, 0, sizeof(rec0));
	mode0 = m;
	barrier();
}

static int64_t signal_self(void)
{
	return sdei2(SDEI_FN_EVENT_SIGNAL, EV0, self_mpidr);
}

static int64_t status0(void)
{
	return sdei1(SDEI_FN_EVENT_STATUS, EV0);
}

static void test_discovery(void)
{
	int64_t v = sdei0(SDEI_FN_VERSION);

	tap_eq("SDEI_VERSION is 1.1", (uint64_t)v >> 32,
	       (SDEI_VERSION_MAJOR << 16) | SDEI_VERSION_MINOR);
	tap_eq("SDEI_VERSION vendor is tern", v & 0xFFFFFFFF, SDEI_VENDOR_TERN);
	if (v < 0)
		bail_out("SDEI_VERSION failed, no SDEI here:", (uint64_t)v);
	tap_eq("FEATURES(BIND_SLOTS) is 16 shared, 0 private",
	       sdei1(SDEI_FN_FEATURES, SDEI_FEATURE_BIND_SLOTS), 16 << 16);
	tap_eq("FEATURES(RELATIVE_MODE) is 0", sdei1(SDEI_FN_FEATURES, SDEI_FEATURE_RELATIVE_MODE),
	       0);
	tap_eq("FEATURES(2) is INVALID_PARAMETERS", sdei1(SDEI_FN_FEATURES, 2),
	       SDEI_INVALID_PARAMETERS);
	tap_eq("GET_INFO(0, TYPE) is private",
	       sdei2(SDEI_FN_EVENT_GET_INFO, EV0, SDEI_INFO_EV_TYPE), 0);
	tap_eq("GET_INFO(0, SIGNALED) is 1",
	       sdei2(SDEI_FN_EVENT_GET_INFO, EV0, SDEI_INFO_EV_SIGNALED), 1);
	tap_eq("GET_INFO(0, PRIORITY) is normal",
	       sdei2(SDEI_FN_EVENT_GET_INFO, EV0, SDEI_INFO_EV_PRIORITY), 0);
	tap_eq("GET_INFO(0, ROUTING_MODE) is INVALID_PARAMETERS for a private event",
	       sdei2(SDEI_FN_EVENT_GET_INFO, EV0, SDEI_INFO_EV_ROUTING_MODE),
	       SDEI_INVALID_PARAMETERS);
	tap_eq("GET_INFO(0, 5) is INVALID_PARAMETERS", sdei2(SDEI_FN_EVENT_GET_INFO, EV0, 5),
	       SDEI_INVALID_PARAMETERS);
	tap_eq("GET_INFO of an unknown event is INVALID_PARAMETERS",
	       sdei2(SDEI_FN_EVENT_GET_INFO, NO_EVENT, SDEI_INFO_EV_TYPE), SDEI_INVALID_PARAMETERS);
	tap_eq("GET_INFO of event 0x80000000 is INVALID_PARAMETERS",
	       sdei2(SDEI_FN_EVENT_GET_INFO, 0x80000000u, SDEI_INFO_EV_TYPE),
	       SDEI_INVALID_PARAMETERS);
	tap_eq("GET_INFO(bind slot 0x10000, TYPE) is shared",
	       sdei2(SDEI_FN_EVENT_GET_INFO, BIND_EVENT, SDEI_INFO_EV_TYPE), 1);
	tap_eq("STATUS(0) is 0 at boot", status0(), 0);
	tap_eq("STATUS of an unknown event is INVALID_PARAMETERS",
	       sdei1(SDEI_FN_EVENT_STATUS, NO_EVENT), SDEI_INVALID_PARAMETERS);
}

static void test_mask_calls(void)
{
	tap_eq("PE_MASK at boot returns 0 (vCPUs start masked)", sdei0(SDEI_FN_PE_MASK), 0);
	tap_eq("PE_UNMASK returns 0", sdei0(SDEI_FN_PE_UNMASK), 0);
	tap_eq("PE_MASK on an unmasked PE returns 1", sdei0(SDEI_FN_PE_MASK), 1);
	tap_eq("PE_MASK on a masked PE returns 0", sdei0(SDEI_FN_PE_MASK), 0);
	tap_eq("PE_UNMASK again returns 0", sdei0(SDEI_FN_PE_UNMASK), 0);
}

static void test_bad_calls(void)
{
	tap_eq("function 0xC4000033 is NOT_SUPPORTED", sdei0(0xC4000033u), SDEI_NOT_SUPPORTED);
	tap_eq("function 0xC400003F is NOT_SUPPORTED", sdei0(0xC400003Fu), SDEI_NOT_SUPPORTED);
	tap_eq("SMC32 function 0x84000020 is NOT_SUPPORTED", sdei0(0x84000020u),
	       SDEI_NOT_SUPPORTED);
	tap_eq("EVENT_CONTEXT with no handler running is DENIED", sdei1(SDEI_FN_EVENT_CONTEXT, 0),
	       SDEI_DENIED);
	tap_eq("EVENT_CONTEXT(18) is INVALID_PARAMETERS", sdei1(SDEI_FN_EVENT_CONTEXT, 18),
	       SDEI_INVALID_PARAMETERS);
	tap_eq("EVENT_COMPLETE with no handler running is DENIED",
	       sdei1(SDEI_FN_EVENT_COMPLETE, SDEI_EV_HANDLED), SDEI_DENIED);
	tap_eq("EVENT_COMPLETE_AND_RESUME with no handler running is DENIED",
	       sdei1(SDEI_FN_EVENT_COMPLETE_AND_RESUME, resume_vector()), SDEI_DENIED);
}

static void test_state_table(void)
{
	uint64_t entry = (uint64_t)sdei_entry;

	tap_eq("ENABLE of an unregistered event is DENIED", sdei1(SDEI_FN_EVENT_ENABLE, EV0),
	       SDEI_DENIED);
	tap_eq("DISABLE of an unregistered event is DENIED", sdei1(SDEI_FN_EVENT_DISABLE, EV0),
	       SDEI_DENIED);
	tap_eq("UNREGISTER of an unregistered event is DENIED",
	       sdei1(SDEI_FN_EVENT_UNREGISTER, EV0), SDEI_DENIED);
	tap_eq("EVENT_SIGNAL with event 0 unregistered is INVALID_PARAMETERS", signal_self(),
	       SDEI_INVALID_PARAMETERS);
	tap_eq("REGISTER of an unknown event is INVALID_PARAMETERS",
	       sdei_register(NO_EVENT, entry, ARG_EVENT0, 0, 0), SDEI_INVALID_PARAMETERS);
	tap_eq("REGISTER with entry address 0 is INVALID_PARAMETERS",
	       sdei_register(EV0, 0, ARG_EVENT0, 0, 0), SDEI_INVALID_PARAMETERS);
	tap_eq("REGISTER with a misaligned entry is INVALID_PARAMETERS",
	       sdei_register(EV0, entry + 2, ARG_EVENT0, 0, 0), SDEI_INVALID_PARAMETERS);
	tap_eq("REGISTER with the relative-mode flag is INVALID_PARAMETERS",
	       sdei_register(EV0, entry, ARG_EVENT0, SDEI_REGF_RELATIVE, 0),
	       SDEI_INVALID_PARAMETERS);
	tap_eq("REGISTER with reserved flag bit 2 is INVALID_PARAMETERS",
	       sdei_register(EV0, entry, ARG_EVENT0, 4, 0), SDEI_INVALID_PARAMETERS);
	tap_eq("REGISTER of an unbound bind slot is DENIED",
	       sdei_register(BIND_EVENT, entry, ARG_EVENT0, 0, 0), SDEI_DENIED);
	tap_eq("REGISTER(0) succeeds", sdei_register(EV0, entry, ARG_EVENT0, 0, 0), 0);
	tap_eq("STATUS(0) is registered", status0(), SDEI_STATUS_REGISTERED);
	tap_eq("REGISTER twice is DENIED", sdei_register(EV0, entry, ARG_EVENT0, 0, 0),
	       SDEI_DENIED);
	tap_eq("EVENT_SIGNAL to an unknown MPIDR is INVALID_PARAMETERS",
	       sdei2(SDEI_FN_EVENT_SIGNAL, EV0, BAD_MPIDR), SDEI_INVALID_PARAMETERS);
	tap_eq("EVENT_SIGNAL of event 1 is INVALID_PARAMETERS",
	       sdei2(SDEI_FN_EVENT_SIGNAL, 1, self_mpidr), SDEI_INVALID_PARAMETERS);
	tap_eq("ENABLE(0) succeeds", sdei1(SDEI_FN_EVENT_ENABLE, EV0), 0);
	tap_eq("STATUS(0) is registered and enabled", status0(),
	       SDEI_STATUS_REGISTERED | SDEI_STATUS_ENABLED);
	tap_eq("ENABLE of an enabled event succeeds", sdei1(SDEI_FN_EVENT_ENABLE, EV0), 0);
	tap_eq("DISABLE(0) succeeds", sdei1(SDEI_FN_EVENT_DISABLE, EV0), 0);
	tap_eq("STATUS(0) is registered, disabled", status0(), SDEI_STATUS_REGISTERED);
	tap_eq("DISABLE of a disabled event succeeds", sdei1(SDEI_FN_EVENT_DISABLE, EV0), 0);
	tap_eq("ROUTING_SET of a private event is INVALID_PARAMETERS",
	       sdei3(SDEI_FN_EVENT_ROUTING_SET, EV0, SDEI_RM_ANY, 0), SDEI_INVALID_PARAMETERS);
	tap_eq("ROUTING_SET of an unknown event is INVALID_PARAMETERS",
	       sdei3(SDEI_FN_EVENT_ROUTING_SET, NO_EVENT, SDEI_RM_ANY, 0), SDEI_INVALID_PARAMETERS);
	tap_eq("UNREGISTER(0) succeeds", sdei1(SDEI_FN_EVENT_UNREGISTER, EV0), 0);
	tap_eq("STATUS(0) is 0 after UNREGISTER", status0(), 0);
	tap_eq("UNREGISTER twice is DENIED", sdei1(SDEI_FN_EVENT_UNREGISTER, EV0), SDEI_DENIED);
}

static void test_bind_and_reset(void)
{
	tap_eq("INTERRUPT_BIND of an SGI is INVALID_PARAMETERS", sdei1(SDEI_FN_INTERRUPT_BIND, 15),
	       SDEI_INVALID_PARAMETERS);
	tap_eq("INTERRUPT_BIND of INTID 1020 is INVALID_PARAMETERS",
	       sdei1(SDEI_FN_INTERRUPT_BIND, 1020), SDEI_INVALID_PARAMETERS);
	tap_eq("INTERRUPT_BIND of the virtual timer PPI is DENIED",
	       sdei1(SDEI_FN_INTERRUPT_BIND, 27), SDEI_DENIED);
	tap_eq("INTERRUPT_BIND of an SPI tern does not drive is DENIED",
	       sdei1(SDEI_FN_INTERRUPT_BIND, 1000), SDEI_DENIED);
	tap_eq("INTERRUPT_RELEASE of event 0 is INVALID_PARAMETERS",
	       sdei1(SDEI_FN_INTERRUPT_RELEASE, EV0), SDEI_INVALID_PARAMETERS);
	tap_eq("INTERRUPT_RELEASE of an unbound slot is INVALID_PARAMETERS",
	       sdei1(SDEI_FN_INTERRUPT_RELEASE, BIND_EVENT), SDEI_INVALID_PARAMETERS);
	tap_eq("INTERRUPT_RELEASE of an unknown event is INVALID_PARAMETERS",
	       sdei1(SDEI_FN_INTERRUPT_RELEASE, NO_EVENT), SDEI_INVALID_PARAMETERS);
	tap_eq("REGISTER(0) before PRIVATE_RESET succeeds",
	       sdei_register(EV0, (uint64_t)sdei_entry, ARG_EVENT0, 0, 0), 0);
	tap_eq("PRIVATE_RESET returns 0", sdei0(SDEI_FN_PRIVATE_RESET), 0);
	tap_eq("STATUS(0) is 0 after PRIVATE_RESET", status0(), 0);
	tap_eq("SHARED_RESET returns 0", sdei0(SDEI_FN_SHARED_RESET), 0);
}

/* EVENT_SIGNAL to self from regs_signal_check(), handler completes. */
static void test_delivery(void)
{
	uint64_t entry_pstate;

	tap_eq("REGISTER(0) for delivery succeeds",
	       sdei_register(EV0, (uint64_t)sdei_entry, ARG_EVENT0, 0, 0), 0);
	tap_eq("ENABLE(0) for delivery succeeds", sdei1(SDEI_FN_EVENT_ENABLE, EV0), 0);

	reset_rec0(M_COMPLETE);
	memset(snap, 0, sizeof(snap));
	regs_signal_check(snap, self_mpidr);
	barrier();
	entry_pstate = rec0.pstate;
	tap_eq("EVENT_SIGNAL to self runs the handler once", rec0.count, 1);
	tap_eq("EVENT_SIGNAL returns 0 after the handler completed", (int64_t)snap[0], 0);
	tap_eq("x1..x30 are intact after the handler completed (first bad register)",
	       first_mismatch(snap, 1, 31, want_signal_regs), -1);
	tap_eq("SP is intact after the handler completed", (int64_t)snap[SNAP_SP_AFTER],
	       (int64_t)snap[SNAP_SP_BEFORE]);
	tap_eq("handler x0 is the event number", (int64_t)rec0.x[0], EV0);
	tap_eq("handler x1 is the registration argument", (int64_t)rec0.x[1], ARG_EVENT0);
	tap_eq("handler x2 is the PC right after the signalling HVC", (int64_t)rec0.x[2],
	       (int64_t)regs_signal_ret);
	tap_eq("handler x3 is the interrupted PSTATE, EL1h with DAIF masked",
	       (int64_t)(rec0.x[3] & PSR_CHECK_MASK), PSR_EL1H_MASKED);
	tap_eq("handler runs at EL1h (SPSel 1) with DAIF masked", (int64_t)entry_pstate,
	       SDEI_PSR_DAIF | 0x4 | 1);
	tap_eq("handler x4..x17 hold the interrupted values (first bad register)",
	       first_mismatch(rec0.x, 4, 18, want_sentinel), -1);
	tap_eq("EVENT_CONTEXT(0..17) returns the interrupted x0..x17 (first bad index)",
	       first_mismatch(rec0.ctx, 0, 18, want_signal_regs), -1);
	tap_eq("EVENT_CONTEXT(18) in a handler is INVALID_PARAMETERS", rec0.ctx_bad,
	       SDEI_INVALID_PARAMETERS);
	tap_eq("STATUS(0) in the handler is registered, enabled, running", rec0.status,
	       SDEI_STATUS_REGISTERED | SDEI_STATUS_ENABLED | SDEI_STATUS_RUNNING);
	tap_eq("STATUS(0) after COMPLETE is registered and enabled", status0(),
	       SDEI_STATUS_REGISTERED | SDEI_STATUS_ENABLED);

	reset_rec0(M_FAILED);
	tap_eq("EVENT_SIGNAL with a handler completing as failed returns 0", signal_self(), 0);
	tap_eq("the handler completing as failed ran once", rec0.count, 1);

	reset_rec0(M_RESIGNAL);
	tap_eq("EVENT_SIGNAL with a handler that signals again returns 0", signal_self(), 0);
	tap_eq("EVENT_SIGNAL inside the handler returns 0", rec0.extra[0], 0);
	tap_eq("a signal raised while the handler runs is taken after COMPLETE", rec0.count, 2);
}

static void test_mask_and_disable(void)
{
	reset_rec0(M_COMPLETE);
	tap_eq("PE_MASK before signalling returns 1", sdei0(SDEI_FN_PE_MASK), 1);
	tap_eq("EVENT_SIGNAL to a masked PE returns 0", signal_self(), 0);
	tap_eq("a second EVENT_SIGNAL to a masked PE returns 0", signal_self(), 0);
	tap_eq("no handler runs while the PE is masked", rec0.count, 0);
	tap_eq("STATUS(0) while pending is registered and enabled", status0(),
	       SDEI_STATUS_REGISTERED | SDEI_STATUS_ENABLED);
	tap_eq("PE_UNMASK with an event pending returns 0", sdei0(SDEI_FN_PE_UNMASK), 0);
	tap_eq("the pending event runs once at PE_UNMASK (signals coalesce)", rec0.count, 1);

	reset_rec0(M_COMPLETE);
	tap_eq("DISABLE(0) before signalling succeeds", sdei1(SDEI_FN_EVENT_DISABLE, EV0), 0);
	tap_eq("EVENT_SIGNAL of a disabled event returns 0", signal_self(), 0);
	tap_eq("no handler runs while the event is disabled", rec0.count, 0);
	tap_eq("ENABLE with the event pending succeeds", sdei1(SDEI_FN_EVENT_ENABLE, EV0), 0);
	tap_eq("the pending event runs once at ENABLE", rec0.count, 1);
}

static void test_resume(void)
{
	memset(&resume_rec, 0, sizeof(resume_rec));
	memset(snap, 0, sizeof(snap));
	reset_rec0(M_RESUME);
	regs_signal_check(snap, self_mpidr);
	barrier();
	tap_eq("COMPLETE_AND_RESUME test: handler ran once", rec0.count, 1);
	tap_eq("COMPLETE_AND_RESUME to a misaligned address is INVALID_PARAMETERS", rec0.extra[0],
	       SDEI_INVALID_PARAMETERS);
	tap_eq("COMPLETE_AND_RESUME enters the IRQ vector once", (int64_t)resume_rec.count, 1);
	tap_eq("the IRQ vector sees ELR_EL1 = interrupted PC", (int64_t)resume_rec.elr,
	       (int64_t)regs_signal_ret);
	tap_eq("the IRQ vector sees SPSR_EL1 = interrupted PSTATE", (int64_t)resume_rec.spsr,
	       (int64_t)rec0.x[3]);
	tap_eq("the IRQ vector runs with DAIF masked", (int64_t)resume_rec.daif, SDEI_PSR_DAIF);
	tap_eq("EVENT_SIGNAL returns 0 after resume and eret", (int64_t)snap[0], 0);
	tap_eq("x1..x30 are intact after resume and eret (first bad register)",
	       first_mismatch(snap, 1, 31, want_signal_regs), -1);
	tap_eq("SP is intact after resume and eret", (int64_t)snap[SNAP_SP_AFTER],
	       (int64_t)snap[SNAP_SP_BEFORE]);
}

static void test_unregister_running(void)
{
	reset_rec0(M_UNREGISTER);
	tap_eq("EVENT_SIGNAL with a handler that unregisters returns 0", signal_self(), 0);
	tap_eq("the unregistering handler ran once", rec0.count, 1);
	tap_eq("UNREGISTER while running is PENDING", rec0.extra[0], SDEI_PENDING);
	tap_eq("STATUS while unregister-pending is running only", rec0.extra[1],
	       SDEI_STATUS_RUNNING);
	tap_eq("REGISTER while unregister-pending is DENIED", rec0.extra[2], SDEI_DENIED);
	tap_eq("UNREGISTER again while unregister-pending is PENDING", rec0.extra[3], SDEI_PENDING);
	tap_eq("ENABLE while unregister-pending is DENIED", rec0.extra[4], SDEI_DENIED);
	tap_eq("STATUS(0) after COMPLETE of an unregister-pending event is 0", status0(), 0);
	tap_eq("EVENT_SIGNAL after the unregistration is INVALID_PARAMETERS", signal_self(),
	       SDEI_INVALID_PARAMETERS);

	tap_eq("REGISTER(0) again succeeds",
	       sdei_register(EV0, (uint64_t)sdei_entry, ARG_EVENT0, 0, 0), 0);
	tap_eq("ENABLE(0) again succeeds", sdei1(SDEI_FN_EVENT_ENABLE, EV0), 0);
	reset_rec0(M_PRIVATE_RESET);
	tap_eq("EVENT_SIGNAL with a handler that calls PRIVATE_RESET returns 0", signal_self(), 0);
	tap_eq("PRIVATE_RESET while a private handler runs is DENIED", rec0.extra[0], SDEI_DENIED);
	tap_eq("PRIVATE_RESET leaves the running event unregister-pending", rec0.extra[1],
	       SDEI_STATUS_RUNNING);
	tap_eq("STATUS(0) after COMPLETE following PRIVATE_RESET is 0", status0(), 0);
}

int main(void)
{
	self_mpidr = read_sysreg(mpidr_el1);
	boot_mpidr = self_mpidr;
	tap_plan();
	uart_puts("# tern SDEI conformance guest, MPIDR ");
	uart_hex(self_mpidr);
	uart_puts("\n");

	test_discovery();
	test_mask_calls();
	test_bad_calls();
	test_state_table();
	test_bind_and_reset();
	test_delivery();
	test_mask_and_disable();
	test_resume();
	test_unregister_running();
	platform_tests(self_mpidr);
	smp_tests(self_mpidr);
	tap_eq("SHARED_RESET at the end returns 0", sdei0(SDEI_FN_SHARED_RESET), 0);
	tap_eq("PRIVATE_RESET at the end returns 0", sdei0(SDEI_FN_PRIVATE_RESET), 0);
	tap_finish();
}
