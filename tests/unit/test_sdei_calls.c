/* SDEI ABI: every call's argument checks, error codes and the handler state
 * table (registered/enabled/running), one vCPU at a time. */
#include "check.h"
#include "sdei_fake.h"

#define EV_PRIV    100u
#define EV_SHARED  200u
#define EV_PRIV_C  300u
#define EV_SHARE_C 400u

static void setup(struct fake *f)
{
	const struct sdei_event_spec specs[] = {
	        {EV_PRIV, false, false},
	        {EV_SHARED, true, false},
	        {EV_PRIV_C, false, true},
	        {EV_SHARE_C, true, true},
	};

	fake_init(f);
	for (unsigned int i = 0; i < 4; i++)
		CHECK_EQ(sdei_add_event(f->sdei, &specs[i]), 0);
	sdei_start(f->sdei);
}

static int64_t status(struct fake *f, unsigned int v, uint64_t ev)
{
	return CALL1(f, v, SDEI_FN_EVENT_STATUS, ev);
}

static void test_version_and_unknown(void)
{
	struct fake f;
	int64_t v;

	setup(&f);
	v = CALL0(&f, 0, SDEI_FN_VERSION);
	CHECK_EQ_U64(v, 0x000100017465726Eull);
	CHECK_EQ((v >> 48) & 0x7FFF, 1);
	CHECK_EQ((v >> 32) & 0xFFFF, 1);
	CHECK_EQ(v >> 63, 0);
	for (uint32_t fn = 0xC4000033u; fn <= 0xC400003Fu; fn++)
		CHECK_EQ(CALL0(&f, 0, fn), SDEI_NOT_SUPPORTED);
	CHECK_EQ(CALL0(&f, 0, 0x84000020u), SDEI_NOT_SUPPORTED);
	CHECK_EQ(CALL0(&f, 0, 0x84000021u), SDEI_NOT_SUPPORTED);
	CHECK_EQ(CALL0(&f, 0, 0xC4000000u), SDEI_NOT_SUPPORTED);
	{
		uint64_t args[5] = {0}, x0 = 0;

		CHECK_EQ(sdei_handle_call(f.sdei, FAKE_VCPUS, SDEI_FN_VERSION, args, &x0), -EINVAL);
		CHECK_EQ(sdei_handle_call(f.sdei, 0, SDEI_FN_VERSION, NULL, &x0), -EINVAL);
	}
	sdei_destroy(f.sdei);
}

static void test_register_errors(void)
{
	struct fake f;

	setup(&f);
	CHECK_EQ(REG(&f, 0, 7, FAKE_ENTRY, 0, 0), SDEI_INVALID_PARAMETERS);
	CHECK_EQ(REG(&f, 0, 0x100000000ull, FAKE_ENTRY, 0, 0), SDEI_INVALID_PARAMETERS);
	CHECK_EQ(REG(&f, 0, 0, 0, 0, 0), SDEI_INVALID_PARAMETERS);
	CHECK_EQ(REG(&f, 0, 0, FAKE_ENTRY + 2, 0, 0), SDEI_INVALID_PARAMETERS);
	CHECK_EQ(REG(&f, 0, 0, FAKE_ENTRY, 4, 0), SDEI_INVALID_PARAMETERS);
	CHECK_EQ(REG(&f, 0, 0, FAKE_ENTRY, SDEI_REGF_RELATIVE, 0), SDEI_INVALID_PARAMETERS);
	CHECK_EQ(REG(&f, 0, EV_SHARED, FAKE_ENTRY, SDEI_REGF_RM_PE, 0x77), SDEI_INVALID_PARAMETERS);
	/* An unbound INTERRUPT_BIND slot exists but cannot be registered. */
	CHECK_EQ(REG(&f, 0, SDEI_DYN_EVENT_BASE, FAKE_ENTRY, 0, 0), SDEI_DENIED);
	CHECK_EQ(status(&f, 0, 0), 0);
	CHECK_EQ(status(&f, 0, EV_SHARED), 0);
	/* Private events ignore routing flags and affinity. */
	CHECK_EQ(REG(&f, 0, EV_PRIV, FAKE_ENTRY, SDEI_REGF_RM_PE, 0x77), SDEI_SUCCESS);
	CHECK_EQ(REG(&f, 0, EV_PRIV, FAKE_ENTRY, 0, 0), SDEI_DENIED);
	CHECK_EQ(REG(&f, 0, EV_SHARED, FAKE_ENTRY, SDEI_REGF_RM_PE, fake_mpidr(2)), SDEI_SUCCESS);
	/* A shared event is one instance: another vCPU sees it registered. */
	CHECK_EQ(REG(&f, 1, EV_SHARED, FAKE_ENTRY, 0, 0), SDEI_DENIED);
	sdei_destroy(f.sdei);
}

static void test_state_table(void)
{
	struct fake f;

	setup(&f);
	/* reg: everything but REGISTER is denied. */
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_ENABLE, 0), SDEI_DENIED);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_DISABLE, 0), SDEI_DENIED);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_UNREGISTER, 0), SDEI_DENIED);
	CHECK_EQ(CALL3(&f, 0, SDEI_FN_EVENT_ROUTING_SET, EV_SHARED, 0, 0), SDEI_DENIED);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_CONTEXT, 0), SDEI_DENIED);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_COMPLETE, 0), SDEI_DENIED);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_COMPLETE_AND_RESUME, FAKE_ENTRY), SDEI_DENIED);
	/* reg -> reG */
	CHECK_EQ(REG(&f, 0, 0, FAKE_ENTRY, 0, 0), 0);
	CHECK_EQ(status(&f, 0, 0), SDEI_STATUS_REGISTERED);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_DISABLE, 0), 0); /* reG: disable is a no-op */
	CHECK_EQ(status(&f, 0, 0), SDEI_STATUS_REGISTERED);
	/* reG -> rEG -> rEG */
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_ENABLE, 0), 0);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_ENABLE, 0), 0);
	CHECK_EQ(status(&f, 0, 0), SDEI_STATUS_REGISTERED | SDEI_STATUS_ENABLED);
	CHECK_EQ(REG(&f, 0, 0, FAKE_ENTRY, 0, 0), SDEI_DENIED);
	/* rEG -> reG -> reg */
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_DISABLE, 0), 0);
	CHECK_EQ(status(&f, 0, 0), SDEI_STATUS_REGISTERED);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_UNREGISTER, 0), 0);
	CHECK_EQ(status(&f, 0, 0), 0);
	/* rEG -> reg directly */
	CHECK_EQ(REG(&f, 0, 0, FAKE_ENTRY, 0, 0), 0);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_ENABLE, 0), 0);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_UNREGISTER, 0), 0);
	CHECK_EQ(status(&f, 0, 0), 0);
	/* Unknown events are INVALID for every event call. */
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_ENABLE, 9), SDEI_INVALID_PARAMETERS);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_DISABLE, 9), SDEI_INVALID_PARAMETERS);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_UNREGISTER, 9), SDEI_INVALID_PARAMETERS);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_STATUS, 9), SDEI_INVALID_PARAMETERS);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_STATUS, ~0ull), SDEI_INVALID_PARAMETERS);
	CHECK_EQ(CALL2(&f, 0, SDEI_FN_EVENT_GET_INFO, 9, 0), SDEI_INVALID_PARAMETERS);
	sdei_destroy(f.sdei);
}

/* Running states (ReG, REG, Reg) reached by a real dispatch on vCPU 0. */
static void test_running_states(void)
{
	struct fake f;

	setup(&f);
	CHECK_EQ(REG(&f, 0, 0, FAKE_ENTRY, 0, 0), 0);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_ENABLE, 0), 0);
	CHECK_EQ(CALL0(&f, 0, SDEI_FN_PE_UNMASK), 0);
	CHECK_EQ(CALL2(&f, 0, SDEI_FN_EVENT_SIGNAL, 0, fake_mpidr(0)), FAKE_NO_X0);
	CHECK_EQ(f.v[0].regs.pc, FAKE_ENTRY);
	/* REG */
	CHECK_EQ(status(&f, 0, 0), 7);
	CHECK_EQ(REG(&f, 0, 0, FAKE_ENTRY, 0, 0), SDEI_DENIED);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_ENABLE, 0), 0);
	/* REG -> ReG -> REG */
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_DISABLE, 0), 0);
	CHECK_EQ(status(&f, 0, 0), SDEI_STATUS_REGISTERED | SDEI_STATUS_RUNNING);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_ENABLE, 0), 0);
	CHECK_EQ(status(&f, 0, 0), 7);
	/* REG -> Reg: unregister while running is PENDING */
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_UNREGISTER, 0), SDEI_PENDING);
	CHECK_EQ(status(&f, 0, 0), SDEI_STATUS_RUNNING);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_UNREGISTER, 0), SDEI_PENDING);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_ENABLE, 0), SDEI_DENIED);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_DISABLE, 0), SDEI_DENIED);
	CHECK_EQ(REG(&f, 0, 0, FAKE_ENTRY, 0, 0), SDEI_DENIED);
	/* CONTEXT still works in Reg. */
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_CONTEXT, 1), 0);
	{
		struct sdei_event_info info;

		CHECK_EQ(sdei_query_event(f.sdei, 0, 0, &info), 0);
		CHECK(info.unregister_pending);
		CHECK(info.running);
		CHECK_EQ(info.running_vcpu, 0);
	}
	/* Reg -> reg at COMPLETE */
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_COMPLETE, 0), FAKE_NO_X0);
	CHECK_EQ(f.last_rc, 0);
	CHECK_EQ(status(&f, 0, 0), 0);
	CHECK_EQ(f.completions, 1);
	/* Registering again works and starts disabled. */
	CHECK_EQ(REG(&f, 0, 0, FAKE_ENTRY2, 0, 0), 0);
	CHECK_EQ(status(&f, 0, 0), SDEI_STATUS_REGISTERED);

	/* ReG -> reG at COMPLETE, and REG -> rEG. */
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_ENABLE, 0), 0);
	CHECK_EQ(CALL2(&f, 0, SDEI_FN_EVENT_SIGNAL, 0, fake_mpidr(0)), FAKE_NO_X0);
	CHECK_EQ(f.v[0].regs.pc, FAKE_ENTRY2);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_DISABLE, 0), 0);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_COMPLETE, 0), FAKE_NO_X0);
	CHECK_EQ(status(&f, 0, 0), SDEI_STATUS_REGISTERED);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_ENABLE, 0), 0);
	CHECK_EQ(CALL2(&f, 0, SDEI_FN_EVENT_SIGNAL, 0, fake_mpidr(0)), FAKE_NO_X0);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_COMPLETE, 0), FAKE_NO_X0);
	CHECK_EQ(status(&f, 0, 0), SDEI_STATUS_REGISTERED | SDEI_STATUS_ENABLED);
	CHECK_EQ(f.completions, 3);
	sdei_destroy(f.sdei);
}

static void test_context(void)
{
	struct fake f;

	setup(&f);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_CONTEXT, 18), SDEI_INVALID_PARAMETERS);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_CONTEXT, 0), SDEI_DENIED);
	CHECK_EQ(REG(&f, 0, 0, FAKE_ENTRY, 0, 0), 0);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_ENABLE, 0), 0);
	CHECK_EQ(CALL0(&f, 0, SDEI_FN_PE_UNMASK), 0);
	CHECK_EQ(CALL2(&f, 0, SDEI_FN_EVENT_SIGNAL, 0, fake_mpidr(0)), FAKE_NO_X0);
	/* x0 of the interrupted context is the SIGNAL return value. */
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_CONTEXT, 0), 0);
	CHECK_EQ_U64(CALL1(&f, 0, SDEI_FN_EVENT_CONTEXT, 1), 0);
	CHECK_EQ_U64(CALL1(&f, 0, SDEI_FN_EVENT_CONTEXT, 2), fake_mpidr(0));
	CHECK_EQ_U64(CALL1(&f, 0, SDEI_FN_EVENT_CONTEXT, 6), 0x1006);
	CHECK_EQ_U64(CALL1(&f, 0, SDEI_FN_EVENT_CONTEXT, 17), 0x1011);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_CONTEXT, 18), SDEI_INVALID_PARAMETERS);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_CONTEXT, ~0ull), SDEI_INVALID_PARAMETERS);
	/* Another vCPU has nothing running. */
	CHECK_EQ(CALL1(&f, 1, SDEI_FN_EVENT_CONTEXT, 0), SDEI_DENIED);
	CHECK_EQ(CALL1(&f, 1, SDEI_FN_EVENT_COMPLETE, 0), SDEI_DENIED);
	sdei_destroy(f.sdei);
}

static void test_get_info(void)
{
	struct fake f;

	setup(&f);
	CHECK_EQ(CALL2(&f, 0, SDEI_FN_EVENT_GET_INFO, 0, SDEI_INFO_EV_TYPE), 0);
	CHECK_EQ(CALL2(&f, 0, SDEI_FN_EVENT_GET_INFO, 0, SDEI_INFO_EV_SIGNALED), 1);
	CHECK_EQ(CALL2(&f, 0, SDEI_FN_EVENT_GET_INFO, 0, SDEI_INFO_EV_PRIORITY), 0);
	CHECK_EQ(CALL2(&f, 0, SDEI_FN_EVENT_GET_INFO, 0, SDEI_INFO_EV_ROUTING_MODE),
	         SDEI_INVALID_PARAMETERS);
	CHECK_EQ(CALL2(&f, 0, SDEI_FN_EVENT_GET_INFO, 0, SDEI_INFO_EV_ROUTING_AFF),
	         SDEI_INVALID_PARAMETERS);
	CHECK_EQ(CALL2(&f, 0, SDEI_FN_EVENT_GET_INFO, 0, 5), SDEI_INVALID_PARAMETERS);
	CHECK_EQ(CALL2(&f, 0, SDEI_FN_EVENT_GET_INFO, EV_PRIV_C, SDEI_INFO_EV_PRIORITY), 1);
	CHECK_EQ(CALL2(&f, 0, SDEI_FN_EVENT_GET_INFO, EV_PRIV_C, SDEI_INFO_EV_SIGNALED), 0);
	CHECK_EQ(CALL2(&f, 0, SDEI_FN_EVENT_GET_INFO, EV_SHARE_C, SDEI_INFO_EV_TYPE), 1);
	CHECK_EQ(CALL2(&f, 0, SDEI_FN_EVENT_GET_INFO, EV_SHARE_C, SDEI_INFO_EV_PRIORITY), 1);
	CHECK_EQ(CALL2(&f, 0, SDEI_FN_EVENT_GET_INFO, EV_SHARED, SDEI_INFO_EV_PRIORITY), 0);
	/* Routing of an unregistered shared event is DENIED. */
	CHECK_EQ(CALL2(&f, 0, SDEI_FN_EVENT_GET_INFO, EV_SHARED, SDEI_INFO_EV_ROUTING_MODE),
	         SDEI_DENIED);
	CHECK_EQ(CALL2(&f, 0, SDEI_FN_EVENT_GET_INFO, EV_SHARED, SDEI_INFO_EV_ROUTING_AFF),
	         SDEI_DENIED);
	CHECK_EQ(REG(&f, 0, EV_SHARED, FAKE_ENTRY, 0, 0), 0);
	CHECK_EQ(CALL2(&f, 1, SDEI_FN_EVENT_GET_INFO, EV_SHARED, SDEI_INFO_EV_ROUTING_MODE),
	         SDEI_RM_ANY);
	CHECK_EQ(CALL2(&f, 1, SDEI_FN_EVENT_GET_INFO, EV_SHARED, SDEI_INFO_EV_ROUTING_AFF),
	         SDEI_INVALID_PARAMETERS);
	CHECK_EQ(REG(&f, 0, EV_SHARE_C, FAKE_ENTRY, SDEI_REGF_RM_PE, fake_mpidr(3)), 0);
	CHECK_EQ(CALL2(&f, 1, SDEI_FN_EVENT_GET_INFO, EV_SHARE_C, SDEI_INFO_EV_ROUTING_MODE),
	         SDEI_RM_PE);
	CHECK_EQ_U64(CALL2(&f, 1, SDEI_FN_EVENT_GET_INFO, EV_SHARE_C, SDEI_INFO_EV_ROUTING_AFF), 3);
	/* Dynamic slots are shared, normal, not signalable. */
	CHECK_EQ(CALL2(&f, 0, SDEI_FN_EVENT_GET_INFO, SDEI_DYN_EVENT_BASE, SDEI_INFO_EV_TYPE), 1);
	CHECK_EQ(CALL2(&f, 0, SDEI_FN_EVENT_GET_INFO, SDEI_DYN_EVENT_BASE, SDEI_INFO_EV_PRIORITY),
	         0);
	sdei_destroy(f.sdei);
}

static void test_routing_set(void)
{
	struct fake f;

	setup(&f);
	CHECK_EQ(CALL3(&f, 0, SDEI_FN_EVENT_ROUTING_SET, EV_PRIV, 0, 0), SDEI_INVALID_PARAMETERS);
	CHECK_EQ(CALL3(&f, 0, SDEI_FN_EVENT_ROUTING_SET, 12345, 0, 0), SDEI_INVALID_PARAMETERS);
	CHECK_EQ(CALL3(&f, 0, SDEI_FN_EVENT_ROUTING_SET, EV_SHARED, 2, 0), SDEI_INVALID_PARAMETERS);
	CHECK_EQ(CALL3(&f, 0, SDEI_FN_EVENT_ROUTING_SET, EV_SHARED, SDEI_RM_PE, 0x55),
	         SDEI_INVALID_PARAMETERS);
	CHECK_EQ(CALL3(&f, 0, SDEI_FN_EVENT_ROUTING_SET, EV_SHARED, SDEI_RM_ANY, 0), SDEI_DENIED);
	CHECK_EQ(REG(&f, 0, EV_SHARED, FAKE_ENTRY, 0, 0), 0);
	CHECK_EQ(CALL3(&f, 1, SDEI_FN_EVENT_ROUTING_SET, EV_SHARED, SDEI_RM_PE, fake_mpidr(1)), 0);
	CHECK_EQ(CALL2(&f, 0, SDEI_FN_EVENT_GET_INFO, EV_SHARED, SDEI_INFO_EV_ROUTING_MODE),
	         SDEI_RM_PE);
	CHECK_EQ(CALL2(&f, 0, SDEI_FN_EVENT_GET_INFO, EV_SHARED, SDEI_INFO_EV_ROUTING_AFF), 1);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_ENABLE, EV_SHARED), 0);
	/* rEG: denied */
	CHECK_EQ(CALL3(&f, 0, SDEI_FN_EVENT_ROUTING_SET, EV_SHARED, SDEI_RM_ANY, 0), SDEI_DENIED);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_DISABLE, EV_SHARED), 0);
	CHECK_EQ(CALL3(&f, 0, SDEI_FN_EVENT_ROUTING_SET, EV_SHARED, SDEI_RM_ANY, 0), 0);
	CHECK_EQ(CALL2(&f, 0, SDEI_FN_EVENT_GET_INFO, EV_SHARED, SDEI_INFO_EV_ROUTING_MODE),
	         SDEI_RM_ANY);
	sdei_destroy(f.sdei);
}

static void test_mask_features_signal(void)
{
	struct fake f;
	struct sdei_vcpu_info vi;

	setup(&f);
	CHECK_EQ(sdei_query_vcpu(f.sdei, 2, &vi), 0);
	CHECK(vi.masked);
	CHECK_EQ(CALL0(&f, 2, SDEI_FN_PE_MASK), 0); /* already masked */
	CHECK_EQ(CALL0(&f, 2, SDEI_FN_PE_UNMASK), 0);
	CHECK_EQ(sdei_query_vcpu(f.sdei, 2, &vi), 0);
	CHECK(!vi.masked);
	CHECK_EQ(sdei_query_vcpu(f.sdei, 1, &vi), 0);
	CHECK(vi.masked);
	CHECK_EQ(CALL0(&f, 2, SDEI_FN_PE_MASK), 1);
	CHECK_EQ(CALL0(&f, 2, SDEI_FN_PE_MASK), 0);

	CHECK_EQ(CALL1(&f, 0, SDEI_FN_FEATURES, SDEI_FEATURE_BIND_SLOTS),
	         (int64_t)SDEI_BIND_SLOTS << 16);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_FEATURES, SDEI_FEATURE_RELATIVE_MODE), 0);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_FEATURES, 2), SDEI_INVALID_PARAMETERS);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_FEATURES, ~0ull), SDEI_INVALID_PARAMETERS);

	/* EVENT_SIGNAL: only event 0, an existing target, registered there. */
	CHECK_EQ(CALL2(&f, 0, SDEI_FN_EVENT_SIGNAL, EV_PRIV, fake_mpidr(1)),
	         SDEI_INVALID_PARAMETERS);
	CHECK_EQ(CALL2(&f, 0, SDEI_FN_EVENT_SIGNAL, 0, fake_mpidr(9)), SDEI_INVALID_PARAMETERS);
	CHECK_EQ(CALL2(&f, 0, SDEI_FN_EVENT_SIGNAL, 0, fake_mpidr(1)), SDEI_INVALID_PARAMETERS);
	CHECK_EQ(REG(&f, 1, 0, FAKE_ENTRY, 0, 0), 0);
	/* Masked and disabled: accepted, stays pending. */
	CHECK_EQ(CALL2(&f, 0, SDEI_FN_EVENT_SIGNAL, 0, fake_mpidr(1)), 0);
	{
		struct sdei_event_info info;

		CHECK_EQ(sdei_query_event(f.sdei, 0, 1, &info), 0);
		CHECK(info.pending);
		CHECK_EQ(info.counters.signalled, 1);
		CHECK_EQ(sdei_query_event(f.sdei, 0, 0, &info), 0);
		CHECK(!info.pending);
	}
	CHECK_EQ(f.v[1].kicks, 0);
	sdei_destroy(f.sdei);
}

static void test_resets(void)
{
	struct fake f;

	setup(&f);
	CHECK_EQ(REG(&f, 0, 0, FAKE_ENTRY, 0, 0), 0);
	CHECK_EQ(REG(&f, 0, EV_PRIV, FAKE_ENTRY, 0, 0), 0);
	CHECK_EQ(REG(&f, 1, EV_PRIV, FAKE_ENTRY, 0, 0), 0);
	CHECK_EQ(REG(&f, 1, EV_SHARED, FAKE_ENTRY, 0, 0), 0);
	CHECK_EQ(CALL0(&f, 0, SDEI_FN_PRIVATE_RESET), 0);
	CHECK_EQ(status(&f, 0, 0), 0);
	CHECK_EQ(status(&f, 0, EV_PRIV), 0);
	/* Only the caller's private events go. */
	CHECK_EQ(status(&f, 1, EV_PRIV), SDEI_STATUS_REGISTERED);
	CHECK_EQ(status(&f, 0, EV_SHARED), SDEI_STATUS_REGISTERED);
	CHECK_EQ(CALL0(&f, 0, SDEI_FN_PRIVATE_RESET), 0); /* nothing registered: fine */
	CHECK_EQ(CALL0(&f, 0, SDEI_FN_SHARED_RESET), 0);
	CHECK_EQ(status(&f, 0, EV_SHARED), 0);
	CHECK_EQ(status(&f, 1, EV_PRIV), SDEI_STATUS_REGISTERED);

	/* A running private event makes PRIVATE_RESET DENIED and leaves it
	 * unregister-pending. */
	CHECK_EQ(REG(&f, 0, 0, FAKE_ENTRY, 0, 0), 0);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_ENABLE, 0), 0);
	CHECK_EQ(CALL0(&f, 0, SDEI_FN_PE_UNMASK), 0);
	CHECK_EQ(CALL2(&f, 0, SDEI_FN_EVENT_SIGNAL, 0, fake_mpidr(0)), FAKE_NO_X0);
	CHECK_EQ(CALL0(&f, 0, SDEI_FN_PRIVATE_RESET), SDEI_DENIED);
	CHECK_EQ(status(&f, 0, 0), SDEI_STATUS_RUNNING);
	CHECK_EQ(CALL1(&f, 0, SDEI_FN_EVENT_COMPLETE, 0), FAKE_NO_X0);
	CHECK_EQ(status(&f, 0, 0), 0);
	sdei_destroy(f.sdei);
}

static void test_config(void)
{
	struct fake f;
	struct sdei_event_spec s;

	fake_init(&f);
	CHECK(f.sdei != NULL);
	s = (struct sdei_event_spec){0, false, false};
	CHECK_EQ(sdei_add_event(f.sdei, &s), -EINVAL);
	s.num = SDEI_DYN_EVENT_BASE + 3;
	CHECK_EQ(sdei_add_event(f.sdei, &s), -EINVAL);
	s.num = 0x80000000u;
	CHECK_EQ(sdei_add_event(f.sdei, &s), -EINVAL);
	s.num = 804;
	CHECK_EQ(sdei_add_event(f.sdei, &s), 0);
	CHECK_EQ(sdei_add_event(f.sdei, &s), -EEXIST);
	for (unsigned int i = 1; i < SDEI_MAX_PLATFORM; i++) {
		s.num = 1000 + i;
		CHECK_EQ(sdei_add_event(f.sdei, &s), 0);
	}
	s.num = 5000;
	CHECK_EQ(sdei_add_event(f.sdei, &s), -ENOSPC);
	CHECK_EQ(sdei_event_count(f.sdei), 1 + SDEI_BIND_SLOTS + SDEI_MAX_PLATFORM);
	CHECK_EQ(sdei_own_interrupt(f.sdei, 31), -EINVAL);
	CHECK_EQ(sdei_own_interrupt(f.sdei, 1020), -EINVAL);
	CHECK_EQ(sdei_own_interrupt(f.sdei, 32), 0);
	CHECK_EQ(sdei_vcpu_set_mpidr(f.sdei, 1, fake_mpidr(0)), -EEXIST);
	CHECK_EQ(sdei_vcpu_set_mpidr(f.sdei, FAKE_VCPUS, 0x100), -EINVAL);
	CHECK_EQ(sdei_vcpu_set_mpidr(f.sdei, 1, 0x80000100), 0);
	sdei_start(f.sdei);
	CHECK_EQ(sdei_add_event(f.sdei, &s), -EBUSY);
	CHECK_EQ(sdei_own_interrupt(f.sdei, 33), -EBUSY);
	CHECK_EQ(sdei_vcpu_set_mpidr(f.sdei, 2, 0x80000200), -EBUSY);
	/* The new MPIDR is what EVENT_SIGNAL and RM_PE match on. */
	CHECK_EQ(REG(&f, 1, 0, FAKE_ENTRY, 0, 0), 0);
	CHECK_EQ(CALL2(&f, 0, SDEI_FN_EVENT_SIGNAL, 0, 0x100), 0);
	CHECK_EQ(CALL2(&f, 0, SDEI_FN_EVENT_SIGNAL, 0, fake_mpidr(1)), SDEI_INVALID_PARAMETERS);
	sdei_destroy(f.sdei);

	CHECK(sdei_create(0, &fake_ops, NULL) == NULL);
	CHECK(sdei_create(SDEI_MAX_VCPUS + 1, &fake_ops, NULL) == NULL);
	CHECK(sdei_create(1, NULL, NULL) == NULL);
}

static void test_parse(void)
{
	struct sdei_event_spec s;

	CHECK_EQ(sdei_parse_event_spec("804,private,critical", &s), 0);
	CHECK_EQ(s.num, 804);
	CHECK(!s.shared);
	CHECK(s.critical);
	CHECK_EQ(sdei_parse_event_spec("0x2000,shared,normal", &s), 0);
	CHECK_EQ(s.num, 0x2000);
	CHECK(s.shared);
	CHECK(!s.critical);
	CHECK_EQ(sdei_parse_event_spec("010,shared,normal", &s), 0);
	CHECK_EQ(s.num, 10);
	CHECK_EQ(sdei_parse_event_spec("0,shared,normal", &s), -EINVAL);
	CHECK_EQ(sdei_parse_event_spec("-1,shared,normal", &s), -EINVAL);
	CHECK_EQ(sdei_parse_event_spec("0x,shared,normal", &s), -EINVAL);
	CHECK_EQ(sdei_parse_event_spec("2147483648,shared,normal", &s), -EINVAL);
	CHECK_EQ(sdei_parse_event_spec("5,shared", &s), -EINVAL);
	CHECK_EQ(sdei_parse_event_spec("5,sharedx,normal", &s), -EINVAL);
	CHECK_EQ(sdei_parse_event_spec("5,shared,normal,", &s), -EINVAL);
	CHECK_EQ(sdei_parse_event_spec("5,,normal", &s), -EINVAL);
	CHECK_EQ(sdei_parse_event_spec("5 ,private,normal", &s), -EINVAL);
	CHECK_EQ(sdei_parse_event_spec("", &s), -EINVAL);
	CHECK_EQ(sdei_parse_event_spec(NULL, &s), -EINVAL);
}

int main(void)
{
	test_version_and_unknown();
	test_register_errors();
	test_state_table();
	test_running_states();
	test_context();
	test_get_info();
	test_routing_set();
	test_mask_features_signal();
	test_resets();
	test_config();
	test_parse();
	return check_summary("test_sdei_calls");
}
