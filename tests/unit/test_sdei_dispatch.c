/* SDEI dispatch: handler entry registers and PSTATE, COMPLETE and
 * COMPLETE_AND_RESUME, nesting, routing, masking, kicks, power and resets. */
#include "check.h"
#include "sdei_fake.h"

#define EV_PRIV    100u
#define EV_SHARED  200u
#define EV_PRIV_C  300u
#define EV_SHARE_C 400u
#define EV_PRIV_C2 301u

static void setup(struct fake *f)
{
	const struct sdei_event_spec specs[] = {
	        {EV_PRIV, false, false},  {EV_SHARED, true, false},  {EV_PRIV_C, false, true},
	        {EV_SHARE_C, true, true}, {EV_PRIV_C2, false, true},
	};

	fake_init(f);
	for (unsigned int i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		CHECK_EQ(sdei_add_event(f->sdei, &specs[i]), 0);
	sdei_start(f->sdei);
}

/* Register and enable an event on vcpu (private) or for everyone (shared). */
static void arm_event(struct fake *f, unsigned int vcpu, uint32_t ev, uint64_t entry,
                      uint64_t flags, uint64_t aff)
{
	CHECK_EQ(REG(f, vcpu, ev, entry, flags, aff), 0);
	CHECK_EQ(CALL1(f, vcpu, SDEI_FN_EVENT_ENABLE, ev), 0);
}

static void test_pstate_rules(void)
{
	uint64_t in = SDEI_PSR_NZCV | SDEI_PSR_DIT | (1ull << 21) /* SS */ | (1ull << 20) /* IL */ |
	              (3ull << 10) /* BTYPE */ | (1ull << 23) /* UAO */ | SDEI_PSR_MODE_EL0T;
	uint64_t p;

	/* SPAN=0: PAN forced; NZCV and DIT kept; SS, IL, BTYPE, UAO cleared. */
	p = sdei_entry_pstate(in, 0);
	CHECK_EQ_U64(p, SDEI_PSR_NZCV | SDEI_PSR_DIT | SDEI_PSR_PAN | SDEI_PSR_DAIF |
	                        SDEI_PSR_MODE_EL1H);
	/* SPAN=1: PAN as it was (clear here, set in the next). */
	p = sdei_entry_pstate(in, SDEI_SCTLR_SPAN);
	CHECK_EQ_U64(p & SDEI_PSR_PAN, 0);
	p = sdei_entry_pstate(SDEI_PSR_PAN | SDEI_PSR_MODE_EL1H, SDEI_SCTLR_SPAN);
	CHECK_EQ_U64(p, SDEI_PSR_PAN | SDEI_PSR_DAIF | SDEI_PSR_MODE_EL1H);
	/* SSBS follows SCTLR_EL1.DSSBS, not the interrupted SSBS. */
	p = sdei_entry_pstate(SDEI_PSR_SSBS, SDEI_SCTLR_SPAN);
	CHECK_EQ_U64(p & SDEI_PSR_SSBS, 0);
	p = sdei_entry_pstate(0, SDEI_SCTLR_SPAN | SDEI_SCTLR_DSSBS);
	CHECK_EQ_U64(p, SDEI_PSR_SSBS | SDEI_PSR_DAIF | SDEI_PSR_MODE_EL1H);
	/* AArch32 EL0: DIT comes from bit 21. */
	p = sdei_entry_pstate(SDEI_PSR_AARCH32 | SDEI_PSR32_DIT | 0x10, SDEI_SCTLR_SPAN);
	CHECK_EQ_U64(p, SDEI_PSR_DIT | SDEI_PSR_DAIF | SDEI_PSR_MODE_EL1H);

	CHECK_EQ_U64(sdei_irq_vector(0x1000, SDEI_PSR_MODE_EL1H), 0x1280);
	CHECK_EQ_U64(sdei_irq_vector(0x1000, SDEI_PSR_MODE_EL1T), 0x1080);
	CHECK_EQ_U64(sdei_irq_vector(0x1000, SDEI_PSR_MODE_EL0T), 0x1480);
	CHECK_EQ_U64(sdei_irq_vector(0x1000, 0x10), 0x1680);
}

static void test_dispatch_and_complete(void)
{
	struct fake f;
	struct sdei_regs before;
	struct sdei_event_info info;

	setup(&f);
	f.v[0].sctlr = SDEI_SCTLR_DSSBS; /* SPAN=0 */
	arm_event(&f, 0, EV_PRIV, FAKE_ENTRY, 0, 0);
	CHECK_EQ(CALL0(&f, 0, SDEI_FN_PE_UNMASK), 0);
	/* The guest is interrupted somewhere else later on. */
	f.v[0].regs.pc = 0xFFFF800000ABC000ull;
	f.v[0].regs.pstate = 0x80000000ull | SDEI_PSR_MODE_EL0T;
	f.v[0].regs.x[7] = 0x777;
	before = f.v[0].regs;
	f.current = -1;
	CHECK_EQ(sdei_signal(f.sdei, EV_PRIV, 0), 0);
	CHECK_EQ(f.v[0].kicks, 1);
	CHECK_EQ(f.v[0].regs.pc, before.pc); /* nothing happens until the vCPU calls in */
	CHECK_EQ(fake_deliver(&f, 0), 1);
	CHECK_EQ_U64(f.v[0].regs.x[0], EV_PRIV);
	CHECK_EQ_U64(f.v[0].regs.x[1], FAKE_ARG);
	CHECK_EQ_U64(f.v[0].regs.x[2], before.pc);
	CHECK_EQ_U64(f.v[0].regs.x[3], before.pstate);
	CHECK_EQ_U64(f.v[0].regs.x[7], 0x777); /* x4..x17 left as they were */
	CHECK_EQ_U64(f.v[0].regs.pc, FAKE_ENTRY);
	CHECK_EQ_U64(f.v[0].regs.pstate, 0x80000000ull | SDEI_PSR_PAN | SDEI_PSR_SSBS |
	                                         SDEI_PSR_DAIF | SDEI_PSR_MODE_EL1H);
	CHECK_EQ(f.v[0].elr_spsr_writes, 0);
	CHECK_EQ(fake_deliver(&f, 0), 0); /* nothing more */
	CHECK_EQ(sdei_query_event(f.sdei, EV_PRIV, 0, &info), 0);
	CHECK(info.running && !info.pending);
	CHECK_EQ(info.counters.signalled, 1);
	CHECK_EQ(info.counters.dispatched, 1);
	/* The handler clobbers registers, reads its context, completes. */
	f.v[0].regs.x[7] = 0;
	CHECK_EQ_U64(CALL1(&f, 0, SDEI_FN_EVENT_CONTEXT, 7), 0x777);
	CHECK_EQ_U64(CALL1(&f, 0, SDEI_FN_EVENT_CONTEXT, 0), before.x[0]);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_COMPLETE, SDEI_EV_FAILED), FAKE_NO_X0);
	CHECK_EQ(f.last_rc, 0);
	CHECK(memcmp(&f.v[0].regs, &before, sizeof(before)) == 0);
	CHECK_EQ(f.v[0].elr_spsr_writes, 0);
	CHECK_EQ(f.completions, 1);
	CHECK_EQ(f.last_event, EV_PRIV);
	CHECK_EQ(f.last_vcpu, 0);
	CHECK(!f.last_resumed);
	CHECK_EQ(sdei_query_event(f.sdei, EV_PRIV, 0, &info), 0);
	CHECK(!info.running);
	CHECK_EQ(info.counters.completed, 1);
	CHECK_EQ(info.counters.failed, 1);
	CHECK_EQ(info.counters.resumed, 0);
	sdei_destroy(f.sdei);
}

static void test_complete_and_resume(void)
{
	struct fake f;
	struct sdei_regs before;
	struct sdei_vcpu_info vi;

	setup(&f);
	f.v[1].sctlr = SDEI_SCTLR_SPAN;
	arm_event(&f, 1, 0, FAKE_ENTRY, 0, 0);
	CHECK_EQ(CALL0(&f, 1, SDEI_FN_PE_UNMASK), 0);
	f.v[1].regs.pstate = 0x20000000ull | SDEI_PSR_PAN | SDEI_PSR_MODE_EL1H;
	before = f.v[1].regs;
	CHECK_EQ(sdei_signal(f.sdei, 0, 1), 0);
	CHECK_EQ(fake_deliver(&f, 1), 1);
	CHECK_EQ(CALL1(&f, 1, SDEI_FN_EVENT_COMPLETE_AND_RESUME, 0x4002), SDEI_INVALID_PARAMETERS);
	CHECK_EQ(sdei_query_vcpu(f.sdei, 1, &vi), 0);
	CHECK_EQ(vi.depth, 1); /* a bad resume address leaves the handler running */
	CHECK_EQ(CALL1(&f, 1, SDEI_FN_EVENT_COMPLETE_AND_RESUME, 0x4280), FAKE_NO_X0);
	CHECK_EQ(f.last_rc, 0);
	CHECK_EQ(f.v[1].elr_spsr_writes, 1);
	CHECK_EQ_U64(f.v[1].elr, before.pc);
	CHECK_EQ_U64(f.v[1].spsr, before.pstate);
	CHECK_EQ_U64(f.v[1].regs.pc, 0x4280);
	CHECK_EQ_U64(f.v[1].regs.pstate,
	             0x20000000ull | SDEI_PSR_PAN | SDEI_PSR_DAIF | SDEI_PSR_MODE_EL1H);
	CHECK(memcmp(f.v[1].regs.x, before.x, sizeof(before.x)) == 0);
	CHECK_EQ(f.completions, 1);
	CHECK(f.last_resumed);
	CHECK_EQ(sdei_query_vcpu(f.sdei, 1, &vi), 0);
	CHECK_EQ(vi.depth, 0);
	CHECK_EQ(vi.counters.resumed, 1);
	CHECK_EQ(vi.counters.completed, 1);
	sdei_destroy(f.sdei);
}

static void test_pending_masked_disabled(void)
{
	struct fake f;
	struct sdei_event_info info;

	setup(&f);
	/* Masked: signal waits, unmask dispatches with x0 = 0 saved. */
	arm_event(&f, 1, EV_PRIV, FAKE_ENTRY, 0, 0);
	CHECK_EQ(sdei_signal(f.sdei, EV_PRIV, 1), 0);
	CHECK_EQ(f.v[1].kicks, 0);
	CHECK_EQ(fake_deliver(&f, 1), 0);
	CHECK_EQ(sdei_query_event(f.sdei, EV_PRIV, 1, &info), 0);
	CHECK(info.pending);
	CHECK_EQ(CALL0(&f, 1, SDEI_FN_PE_UNMASK), FAKE_NO_X0);
	CHECK_EQ(f.last_rc, 0);
	CHECK_EQ_U64(f.v[1].regs.pc, FAKE_ENTRY);
	CHECK_EQ(CALL1(&f, 1, SDEI_FN_EVENT_CONTEXT, 0), 0);
	CHECK_EQ(CALL1(&f, 1, SDEI_FN_EVENT_COMPLETE, 0), FAKE_NO_X0);
	/* The PE_UNMASK return value is in x0 after completion. */
	CHECK_EQ_U64(f.v[1].regs.x[0], 0);

	/* Disabled: signal waits, ENABLE dispatches. */
	CHECK_EQ(CALL1(&f, 1, SDEI_FN_EVENT_DISABLE, EV_PRIV), 0);
	CHECK_EQ(sdei_signal(f.sdei, EV_PRIV, 1), 0);
	CHECK_EQ(f.v[1].kicks, 0);
	CHECK_EQ(fake_deliver(&f, 1), 0);
	CHECK_EQ(CALL1(&f, 1, SDEI_FN_EVENT_ENABLE, EV_PRIV), FAKE_NO_X0);
	CHECK_EQ_U64(f.v[1].regs.pc, FAKE_ENTRY);
	CHECK_EQ(CALL1(&f, 1, SDEI_FN_EVENT_COMPLETE, 0), FAKE_NO_X0);

	/* Unregistered: a signal is dropped; unregister drops pending. */
	CHECK_EQ(sdei_signal(f.sdei, EV_PRIV, 2), -ENOTCONN);
	CHECK_EQ(CALL1(&f, 1, SDEI_FN_EVENT_DISABLE, EV_PRIV), 0);
	CHECK_EQ(sdei_signal(f.sdei, EV_PRIV, 1), 0);
	CHECK_EQ(CALL1(&f, 1, SDEI_FN_EVENT_UNREGISTER, EV_PRIV), 0);
	CHECK_EQ(REG(&f, 1, EV_PRIV, FAKE_ENTRY, 0, 0), 0);
	CHECK_EQ(CALL1(&f, 1, SDEI_FN_EVENT_ENABLE, EV_PRIV), 0); /* nothing pending */
	CHECK_EQ(sdei_query_event(f.sdei, EV_PRIV, 1, &info), 0);
	CHECK(!info.running && !info.pending);

	/* External signal argument checks. */
	CHECK_EQ(sdei_signal(f.sdei, 999, -1), -ENOENT);
	CHECK_EQ(sdei_signal(f.sdei, EV_PRIV, FAKE_VCPUS), -EINVAL);
	CHECK_EQ(sdei_signal(f.sdei, EV_PRIV, -2), -EINVAL);
	CHECK_EQ(sdei_signal(f.sdei, EV_SHARED, 0), -EINVAL);
	CHECK_EQ(sdei_signal(f.sdei, EV_SHARED, -1), -ENOTCONN);
	sdei_destroy(f.sdei);
}

static void test_nesting(void)
{
	struct fake f;
	struct sdei_regs interrupted, normal_regs;
	struct sdei_vcpu_info vi;

	setup(&f);
	arm_event(&f, 0, EV_PRIV, FAKE_ENTRY, 0, 0);
	arm_event(&f, 0, EV_PRIV_C, FAKE_ENTRY2, 0, 0);
	arm_event(&f, 0, EV_PRIV_C2, FAKE_ENTRY2 + 0x100, 0, 0);
	arm_event(&f, 0, 0, FAKE_ENTRY + 0x100, 0, 0);
	CHECK_EQ(CALL0(&f, 0, SDEI_FN_PE_UNMASK), 0);
	interrupted = f.v[0].regs;
	CHECK_EQ(sdei_signal(f.sdei, EV_PRIV, 0), 0);
	CHECK_EQ(fake_deliver(&f, 0), 1);
	CHECK_EQ_U64(f.v[0].regs.pc, FAKE_ENTRY);
	/* A normal event waits behind a running normal one. */
	CHECK_EQ(sdei_signal(f.sdei, 0, 0), 0);
	CHECK_EQ(fake_deliver(&f, 0), 0);
	/* A critical one pre-empts it. */
	f.v[0].regs.x[9] = 0x99;
	normal_regs = f.v[0].regs;
	CHECK_EQ(sdei_signal(f.sdei, EV_PRIV_C, 0), 0);
	CHECK_EQ(fake_deliver(&f, 0), 1);
	CHECK_EQ_U64(f.v[0].regs.pc, FAKE_ENTRY2);
	CHECK_EQ_U64(f.v[0].regs.x[2], FAKE_ENTRY);
	CHECK_EQ(sdei_query_vcpu(f.sdei, 0, &vi), 0);
	CHECK_EQ(vi.depth, 2);
	CHECK_EQ(vi.running_normal, EV_PRIV);
	CHECK_EQ(vi.running_critical, EV_PRIV_C);
	/* CONTEXT reads the innermost (the normal handler's registers). */
	CHECK_EQ_U64(CALL1(&f, 0, SDEI_FN_EVENT_CONTEXT, 9), 0x99);
	/* Nothing pre-empts a critical handler, not even another critical. */
	CHECK_EQ(sdei_signal(f.sdei, EV_PRIV_C2, 0), 0);
	CHECK_EQ(fake_deliver(&f, 0), 0);
	/* COMPLETE of the critical: the second critical goes in at once,
	 * interrupting the normal handler again. */
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_COMPLETE, 0), FAKE_NO_X0);
	CHECK_EQ(f.last_event, EV_PRIV_C);
	CHECK_EQ_U64(f.v[0].regs.pc, FAKE_ENTRY2 + 0x100);
	CHECK_EQ_U64(f.v[0].regs.x[2], normal_regs.pc);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_COMPLETE, 0), FAKE_NO_X0);
	CHECK_EQ(f.last_event, EV_PRIV_C2);
	CHECK(memcmp(&f.v[0].regs, &normal_regs, sizeof(normal_regs)) == 0);
	CHECK_EQ(sdei_query_vcpu(f.sdei, 0, &vi), 0);
	CHECK_EQ(vi.depth, 1);
	/* COMPLETE of the normal one: event 0, waiting all along, follows. */
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_COMPLETE, 0), FAKE_NO_X0);
	CHECK_EQ(f.last_event, EV_PRIV);
	CHECK_EQ_U64(f.v[0].regs.pc, FAKE_ENTRY + 0x100);
	CHECK_EQ_U64(f.v[0].regs.x[2], interrupted.pc);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_COMPLETE, 0), FAKE_NO_X0);
	CHECK(memcmp(&f.v[0].regs, &interrupted, sizeof(interrupted)) == 0);
	CHECK_EQ(f.completions, 4);
	/* When both wait, the critical one goes first. */
	CHECK_EQ(CALL0(&f, 0, SDEI_FN_PE_MASK), 1);
	CHECK_EQ(sdei_signal(f.sdei, EV_PRIV, 0), 0);
	CHECK_EQ(sdei_signal(f.sdei, EV_PRIV_C, 0), 0);
	CHECK_EQ(CALL0(&f, 0, SDEI_FN_PE_UNMASK), FAKE_NO_X0);
	CHECK_EQ_U64(f.v[0].regs.pc, FAKE_ENTRY2);
	sdei_destroy(f.sdei);
}

static void test_shared_routing(void)
{
	struct fake f;
	struct sdei_event_info info;

	setup(&f);
	arm_event(&f, 0, EV_SHARED, FAKE_ENTRY, 0, 0);
	CHECK_EQ(CALL0(&f, 2, SDEI_FN_PE_UNMASK), 0);
	CHECK_EQ(CALL0(&f, 3, SDEI_FN_PE_UNMASK), 0);
	/* RM_ANY: one unmasked vCPU is asked, masked ones never. */
	CHECK_EQ(sdei_signal(f.sdei, EV_SHARED, -1), 0);
	CHECK_EQ(f.v[0].kicks + f.v[1].kicks, 0);
	CHECK_EQ(f.v[2].kicks + f.v[3].kicks, 1);
	CHECK_EQ(fake_deliver(&f, 0), 0); /* masked */
	CHECK_EQ(fake_deliver(&f, 3), 1);
	CHECK_EQ_U64(f.v[3].regs.pc, FAKE_ENTRY);
	CHECK_EQ(fake_deliver(&f, 2), 0);
	/* Signalled again while running: waits for the handler. */
	CHECK_EQ(sdei_signal(f.sdei, EV_SHARED, -1), 0);
	CHECK_EQ(fake_deliver(&f, 2), 0);
	CHECK_EQ(CALL1(&f, 2, SDEI_FN_EVENT_COMPLETE, 0), SDEI_DENIED); /* not its handler */
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_STATUS, EV_SHARED), 7);
	CHECK_EQ(CALL1(&f, 3, SDEI_FN_EVENT_COMPLETE, 0), FAKE_NO_X0);
	CHECK_EQ(f.last_vcpu, 3);
	/* Completing made it deliverable: the completing vCPU took it. */
	CHECK_EQ_U64(f.v[3].regs.pc, FAKE_ENTRY);
	CHECK_EQ(sdei_query_event(f.sdei, EV_SHARED, 0, &info), 0);
	CHECK_EQ(info.running_vcpu, 3);
	CHECK_EQ(info.counters.dispatched, 2);
	CHECK_EQ(CALL1(&f, 3, SDEI_FN_EVENT_COMPLETE, 0), FAKE_NO_X0);

	/* RM_PE: only the named vCPU. */
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_DISABLE, EV_SHARED), 0);
	CHECK_EQ(CALL3(&f, 0, SDEI_FN_EVENT_ROUTING_SET, EV_SHARED, SDEI_RM_PE, fake_mpidr(2)), 0);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_ENABLE, EV_SHARED), 0);
	f.v[2].kicks = f.v[3].kicks = 0;
	CHECK_EQ(sdei_signal(f.sdei, EV_SHARED, -1), 0);
	CHECK_EQ(f.v[3].kicks, 0);
	CHECK_EQ(f.v[2].kicks, 1);
	CHECK_EQ(fake_deliver(&f, 3), 0);
	/* A second signal while a kick is outstanding does not kick again. */
	CHECK_EQ(sdei_signal(f.sdei, EV_SHARED, -1), 0);
	CHECK_EQ(f.v[2].kicks, 1);
	CHECK_EQ(fake_deliver(&f, 2), 1);
	CHECK_EQ(CALL1(&f, 2, SDEI_FN_EVENT_COMPLETE, 0), FAKE_NO_X0);

	/* RM_PE to a masked vCPU waits for it, even with others unmasked. */
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_DISABLE, EV_SHARED), 0);
	CHECK_EQ(CALL3(&f, 0, SDEI_FN_EVENT_ROUTING_SET, EV_SHARED, SDEI_RM_PE, fake_mpidr(1)), 0);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_ENABLE, EV_SHARED), 0);
	CHECK_EQ(sdei_signal(f.sdei, EV_SHARED, -1), 0);
	CHECK_EQ(fake_deliver(&f, 2), 0);
	CHECK_EQ(fake_deliver(&f, 3), 0);
	CHECK_EQ(CALL0(&f, 1, SDEI_FN_PE_UNMASK), FAKE_NO_X0);
	CHECK_EQ_U64(f.v[1].regs.pc, FAKE_ENTRY);
	sdei_destroy(f.sdei);
}

static void test_cross_vcpu_signal_and_unregister(void)
{
	struct fake f;

	setup(&f);
	arm_event(&f, 1, 0, FAKE_ENTRY, 0, 0);
	CHECK_EQ(CALL0(&f, 1, SDEI_FN_PE_UNMASK), 0);
	/* vCPU 0 signals vCPU 1: vCPU 1 is kicked, vCPU 0 keeps running. */
	CHECK_EQ(CALL2(&f, 0, SDEI_FN_EVENT_SIGNAL, 0, fake_mpidr(1)), 0);
	CHECK_EQ(f.v[1].kicks, 1);
	CHECK_EQ(fake_deliver(&f, 1), 1);

	/* Shared event running on vCPU 2, unregistered from vCPU 0. */
	arm_event(&f, 0, EV_SHARE_C, FAKE_ENTRY2, SDEI_REGF_RM_PE, fake_mpidr(2));
	CHECK_EQ(CALL0(&f, 2, SDEI_FN_PE_UNMASK), 0);
	CHECK_EQ(sdei_signal(f.sdei, EV_SHARE_C, -1), 0);
	CHECK_EQ(fake_deliver(&f, 2), 1);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_UNREGISTER, EV_SHARE_C), SDEI_PENDING);
	CHECK_EQ(sdei_signal(f.sdei, EV_SHARE_C, -1), -ENOTCONN);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_STATUS, EV_SHARE_C), SDEI_STATUS_RUNNING);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_SHARED_RESET, 0), SDEI_DENIED);
	CHECK_EQ(CALL1(&f, 2, SDEI_FN_EVENT_COMPLETE, 0), FAKE_NO_X0);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_STATUS, EV_SHARE_C), 0);
	CHECK_EQ(REG(&f, 3, EV_SHARE_C, FAKE_ENTRY, 0, 0), 0);
	/* vCPU 1 is still in its handler, untouched by all this. */
	CHECK_EQ_U64(f.v[1].regs.pc, FAKE_ENTRY);
	CHECK_EQ(CALL1(&f, 1, SDEI_FN_EVENT_STATUS, 0), 7);
	sdei_destroy(f.sdei);
}

static void test_power_and_reset(void)
{
	struct fake f;
	struct sdei_vcpu_info vi;
	struct sdei_event_info info;

	setup(&f);
	arm_event(&f, 0, EV_SHARED, FAKE_ENTRY, 0, 0);
	arm_event(&f, 1, EV_PRIV, FAKE_ENTRY, 0, 0);
	CHECK_EQ(CALL0(&f, 1, SDEI_FN_PE_UNMASK), 0);
	CHECK_EQ(sdei_signal(f.sdei, EV_SHARED, -1), 0);
	CHECK_EQ(fake_deliver(&f, 1), 1);
	/* vCPU 1 powers off inside the handler: its frames and private
	 * events go, the shared event is free again. */
	CHECK_EQ(sdei_vcpu_power_off(f.sdei, 1), 0);
	CHECK_EQ(sdei_query_vcpu(f.sdei, 1, &vi), 0);
	CHECK(!vi.online && vi.masked);
	CHECK_EQ(vi.depth, 0);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_STATUS, EV_SHARED), 3);
	CHECK_EQ(sdei_query_event(f.sdei, EV_PRIV, 1, &info), 0);
	CHECK(!info.registered);
	/* No unmasked online vCPU: the shared event waits. */
	CHECK_EQ(sdei_signal(f.sdei, EV_SHARED, -1), 0);
	for (unsigned int i = 0; i < FAKE_VCPUS; i++)
		CHECK_EQ(fake_deliver(&f, i), 0);
	/* CPU_ON: online but masked until it unmasks itself. */
	CHECK_EQ(sdei_vcpu_reset(f.sdei, 1), 0);
	CHECK_EQ(sdei_query_vcpu(f.sdei, 1, &vi), 0);
	CHECK(vi.online && vi.masked);
	CHECK_EQ(fake_deliver(&f, 1), 0);
	CHECK_EQ(CALL0(&f, 1, SDEI_FN_PE_UNMASK), FAKE_NO_X0);
	CHECK_EQ_U64(f.v[1].regs.pc, FAKE_ENTRY);
	/* Powered-off targets are refused by EVENT_SIGNAL. */
	CHECK_EQ(REG(&f, 3, 0, FAKE_ENTRY, 0, 0), 0);
	CHECK_EQ(sdei_vcpu_power_off(f.sdei, 3), 0);
	CHECK_EQ(CALL2(&f, 0, SDEI_FN_EVENT_SIGNAL, 0, fake_mpidr(3)), SDEI_INVALID_PARAMETERS);
	CHECK_EQ(sdei_vcpu_reset(f.sdei, FAKE_VCPUS), -EINVAL);
	CHECK_EQ(sdei_vcpu_power_off(f.sdei, FAKE_VCPUS), -EINVAL);
	sdei_destroy(f.sdei);
}

static void test_op_failure(void)
{
	struct fake f;
	struct sdei_event_info info;

	setup(&f);
	arm_event(&f, 0, EV_PRIV, FAKE_ENTRY, 0, 0);
	CHECK_EQ(CALL0(&f, 0, SDEI_FN_PE_UNMASK), 0);
	f.v[0].fail_get = 1;
	CHECK_EQ(sdei_signal(f.sdei, EV_PRIV, 0), 0);
	CHECK_EQ(fake_deliver(&f, 0), -EIO);
	CHECK_EQ(sdei_query_event(f.sdei, EV_PRIV, 0, &info), 0);
	CHECK(info.pending && !info.running);
	f.v[0].fail_get = 0;
	CHECK_EQ(fake_deliver(&f, 0), 1);
	CHECK_EQ(fake_deliver(&f, FAKE_VCPUS), -EINVAL);
	sdei_destroy(f.sdei);
}

int main(void)
{
	test_pstate_rules();
	test_dispatch_and_complete();
	test_complete_and_resume();
	test_pending_masked_disabled();
	test_nesting();
	test_shared_routing();
	test_cross_vcpu_signal_and_unregister();
	test_power_and_reset();
	test_op_failure();
	return check_summary("test_sdei_dispatch");
}
