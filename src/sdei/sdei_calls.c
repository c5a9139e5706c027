/* The guest-facing SDEI calls: argument checks and the handler state table
 * (DEN0054 registered/enabled/running). Every guest value is validated here
 * before it indexes anything. */
#include <errno.h>

#include "sdei/sdei_priv.h"

/* Looks an event number up; ev < 0 means INVALID_PARAMETERS for the caller. */
static int lookup(struct sdei *sdei, uint64_t num)
{
	if (num > SDEI_MAX_EVENT_NUM)
		return -1;
	return sdei_find_event(sdei, num);
}

static int64_t ev_register(struct sdei *sdei, unsigned int vcpu, const uint64_t *a)
{
	int ev = lookup(sdei, a[0]);
	uint64_t entry = a[1], arg = a[2], flags = a[3], aff = a[4];
	struct sdei_event *e;
	struct sdei_inst *inst;

	if (ev < 0 || !entry || (entry & 3) || (flags & ~SDEI_REGF_RM_PE))
		return SDEI_INVALID_PARAMETERS;
	e = &sdei->events[ev];
	if (e->shared && (flags & SDEI_REGF_RM_PE) && sdei_vcpu_by_mpidr(sdei, aff) < 0)
		return SDEI_INVALID_PARAMETERS;
	if (e->dynamic && !e->bound)
		return SDEI_DENIED;
	inst = sdei_inst_of(sdei, (unsigned int)ev, vcpu);
	if (inst->registered || inst->running)
		return SDEI_DENIED;
	inst->registered = true;
	inst->enabled = false;
	inst->pending = false;
	inst->entry = entry;
	inst->arg = arg;
	if (e->shared) {
		inst->routing = (flags & SDEI_REGF_RM_PE) ? SDEI_RM_PE : SDEI_RM_ANY;
		inst->affinity = inst->routing == SDEI_RM_PE ? aff & SDEI_MPIDR_AFF_MASK : 0;
	}
	return SDEI_SUCCESS;
}

static int64_t ev_enable(struct sdei *sdei, unsigned int vcpu, uint64_t num, bool on)
{
	int ev = lookup(sdei, num);
	struct sdei_inst *inst;

	if (ev < 0)
		return SDEI_INVALID_PARAMETERS;
	inst = sdei_inst_of(sdei, (unsigned int)ev, vcpu);
	if (!inst->registered)
		return SDEI_DENIED;
	inst->enabled = on;
	return SDEI_SUCCESS;
}

static int64_t ev_context(struct sdei *sdei, unsigned int vcpu, uint64_t idx)
{
	struct sdei_frame *f = sdei_innermost(&sdei->vcpus[vcpu]);

	if (idx >= 18)
		return SDEI_INVALID_PARAMETERS;
	if (!f)
		return SDEI_DENIED;
	return (int64_t)f->saved.x[idx];
}

static int64_t ev_unregister(struct sdei *sdei, unsigned int vcpu, uint64_t num)
{
	int ev = lookup(sdei, num);
	struct sdei_inst *inst;

	if (ev < 0)
		return SDEI_INVALID_PARAMETERS;
	inst = sdei_inst_of(sdei, (unsigned int)ev, vcpu);
	if (!inst->registered)
		return inst->running ? SDEI_PENDING : SDEI_DENIED;
	return sdei_inst_unregister(inst) ? SDEI_PENDING : SDEI_SUCCESS;
}

static int64_t ev_status(struct sdei *sdei, unsigned int vcpu, uint64_t num)
{
	int ev = lookup(sdei, num);
	struct sdei_inst *inst;
	int64_t st = 0;

	if (ev < 0)
		return SDEI_INVALID_PARAMETERS;
	inst = sdei_inst_of(sdei, (unsigned int)ev, vcpu);
	if (inst->registered)
		st |= SDEI_STATUS_REGISTERED;
	if (inst->enabled)
		st |= SDEI_STATUS_ENABLED;
	if (inst->running)
		st |= SDEI_STATUS_RUNNING;
	return st;
}

static int64_t ev_get_info(struct sdei *sdei, unsigned int vcpu, uint64_t num, uint64_t info)
{
	int ev = lookup(sdei, num);
	struct sdei_event *e;
	struct sdei_inst *inst;

	if (ev < 0)
		return SDEI_INVALID_PARAMETERS;
	e = &sdei->events[ev];
	inst = sdei_inst_of(sdei, (unsigned int)ev, vcpu);
	switch (info) {
	case SDEI_INFO_EV_TYPE:
		return e->shared ? 1 : 0;
	case SDEI_INFO_EV_SIGNALED:
		/* Linux's polarity: 1 means EVENT_SIGNAL can raise it. */
		return e->signalable ? 1 : 0;
	case SDEI_INFO_EV_PRIORITY:
		return e->critical ? 1 : 0;
	case SDEI_INFO_EV_ROUTING_MODE:
	case SDEI_INFO_EV_ROUTING_AFF:
		if (!e->shared)
			return SDEI_INVALID_PARAMETERS;
		if (!inst->registered)
			return SDEI_DENIED;
		if (info == SDEI_INFO_EV_ROUTING_MODE)
			return inst->routing;
		if (inst->routing != SDEI_RM_PE)
			return SDEI_INVALID_PARAMETERS;
		return (int64_t)inst->affinity;
	default:
		return SDEI_INVALID_PARAMETERS;
	}
}

static int64_t ev_routing_set(struct sdei *sdei, uint64_t num, uint64_t mode, uint64_t aff)
{
	int ev = lookup(sdei, num);
	struct sdei_inst *inst;

	if (ev < 0 || !sdei->events[ev].shared || mode > SDEI_RM_PE)
		return SDEI_INVALID_PARAMETERS;
	if (mode == SDEI_RM_PE && sdei_vcpu_by_mpidr(sdei, aff) < 0)
		return SDEI_INVALID_PARAMETERS;
	inst = &sdei->events[ev].shared_inst;
	if (!inst->registered || inst->enabled || inst->running)
		return SDEI_DENIED;
	inst->routing = (uint8_t)mode;
	inst->affinity = mode == SDEI_RM_PE ? aff & SDEI_MPIDR_AFF_MASK : 0;
	return SDEI_SUCCESS;
}

static int64_t ev_signal(struct sdei *sdei, uint64_t num, uint64_t mpidr)
{
	int target;
	struct sdei_inst *inst;

	if (num != SDEI_EVENT_SIGNAL_NUM)
		return SDEI_INVALID_PARAMETERS;
	target = sdei_vcpu_by_mpidr(sdei, mpidr);
	if (target < 0 || !sdei->vcpus[target].online)
		return SDEI_INVALID_PARAMETERS;
	inst = &sdei->events[0].priv[target];
	/* A masked target or a disabled event only delays delivery; an
	 * unregistered event could never be delivered, so refuse it. */
	if (!inst->registered)
		return SDEI_INVALID_PARAMETERS;
	inst->pending = true;
	inst->counters.signalled++;
	return SDEI_SUCCESS;
}

static int64_t features(struct sdei *sdei, uint64_t feature)
{
	if (feature == SDEI_FEATURE_BIND_SLOTS)
		return (int64_t)sdei_free_bind_slots(sdei) << 16;
	if (feature == SDEI_FEATURE_RELATIVE_MODE)
		return 0;
	return SDEI_INVALID_PARAMETERS;
}

static int64_t private_reset(struct sdei *sdei, unsigned int vcpu)
{
	int64_t ret = SDEI_SUCCESS;

	for (unsigned int i = 0; i < sdei->nr_events; i++) {
		if (!sdei->events[i].shared && sdei_inst_unregister(&sdei->events[i].priv[vcpu]))
			ret = SDEI_DENIED;
	}
	return ret;
}

static int64_t shared_reset(struct sdei *sdei)
{
	int64_t ret = SDEI_SUCCESS;

	for (unsigned int i = 0; i < sdei->nr_events; i++) {
		if (sdei->events[i].shared && sdei_inst_unregister(&sdei->events[i].shared_inst))
			ret = SDEI_DENIED;
	}
	sdei_release_all_locked(sdei);
	return ret;
}

static int64_t pe_mask(struct sdei *sdei, unsigned int vcpu, bool mask)
{
	struct sdei_vcpu *v = &sdei->vcpus[vcpu];
	bool was = v->masked;

	v->masked = mask;
	/* PE_MASK says whether this call changed anything (as TF-A does). */
	return mask ? (was ? 0 : 1) : SDEI_SUCCESS;
}

int64_t sdei_call_locked(struct sdei *sdei, unsigned int vcpu, uint32_t fn_id,
                         const uint64_t args[5], bool *no_return, int *op_err)
{
	int64_t sret;

	*no_return = false;
	*op_err = 0;
	switch (fn_id) {
	case SDEI_FN_VERSION:
		return (int64_t)SDEI_VERSION_VALUE;
	case SDEI_FN_EVENT_REGISTER:
		return ev_register(sdei, vcpu, args);
	case SDEI_FN_EVENT_ENABLE:
		return ev_enable(sdei, vcpu, args[0], true);
	case SDEI_FN_EVENT_DISABLE:
		return ev_enable(sdei, vcpu, args[0], false);
	case SDEI_FN_EVENT_CONTEXT:
		return ev_context(sdei, vcpu, args[0]);
	case SDEI_FN_EVENT_COMPLETE:
	case SDEI_FN_EVENT_COMPLETE_AND_RESUME:
		*op_err =
		        sdei_complete_locked(sdei, vcpu, fn_id == SDEI_FN_EVENT_COMPLETE_AND_RESUME,
		                             args[0], args[0], &sret);
		/* On success the registers were rewritten and there is no x0 to
		 * return; an op failure is the integrator's to report. */
		if (*op_err || sret == SDEI_SUCCESS)
			*no_return = true;
		return sret;
	case SDEI_FN_EVENT_UNREGISTER:
		return ev_unregister(sdei, vcpu, args[0]);
	case SDEI_FN_EVENT_STATUS:
		return ev_status(sdei, vcpu, args[0]);
	case SDEI_FN_EVENT_GET_INFO:
		return ev_get_info(sdei, vcpu, args[0], args[1]);
	case SDEI_FN_EVENT_ROUTING_SET:
		return ev_routing_set(sdei, args[0], args[1], args[2]);
	case SDEI_FN_PE_MASK:
		return pe_mask(sdei, vcpu, true);
	case SDEI_FN_PE_UNMASK:
		return pe_mask(sdei, vcpu, false);
	case SDEI_FN_INTERRUPT_BIND:
		return sdei_bind_locked(sdei, args[0]);
	case SDEI_FN_INTERRUPT_RELEASE:
		return sdei_release_locked(sdei, args[0]);
	case SDEI_FN_EVENT_SIGNAL:
		return ev_signal(sdei, args[0], args[1]);
	case SDEI_FN_FEATURES:
		return features(sdei, args[0]);
	case SDEI_FN_PRIVATE_RESET:
		return private_reset(sdei, vcpu);
	case SDEI_FN_SHARED_RESET:
		return shared_reset(sdei);
	default:
		return SDEI_NOT_SUPPORTED;
	}
}
