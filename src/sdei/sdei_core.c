/* SDEI core: the event table, its configuration, external signals, vCPU
 * power transitions and the locked entry points. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sdei/sdei_priv.h"

static uint64_t default_mpidr(unsigned int id)
{
	/* Bit 31 is RES1 in MPIDR_EL1; KVM packs the vCPU id into Aff0..Aff2. */
	return (1ull << 31) | (id & 0xF) | ((uint64_t)((id >> 4) & 0xFF) << 8) |
	       ((uint64_t)((id >> 12) & 0xFF) << 16);
}

static int event_init(struct sdei *sdei, uint32_t num, bool shared, bool critical)
{
	struct sdei_event *e;

	if (sdei->nr_events >= SDEI_MAX_EVENTS)
		return -ENOSPC;
	e = &sdei->events[sdei->nr_events];
	memset(e, 0, sizeof(*e));
	e->num = num;
	e->shared = shared;
	e->critical = critical;
	e->shared_inst.running_vcpu = -1;
	if (!shared) {
		e->priv = calloc(sdei->nr_vcpus, sizeof(*e->priv));
		if (!e->priv)
			return -ENOMEM;
		for (unsigned int i = 0; i < sdei->nr_vcpus; i++)
			e->priv[i].running_vcpu = -1;
	}
	sdei->nr_events++;
	return 0;
}

struct sdei *sdei_create(unsigned int nr_vcpus, const struct sdei_vcpu_ops *ops, void *opaque)
{
	struct sdei *sdei;

	if (!nr_vcpus || nr_vcpus > SDEI_MAX_VCPUS || !ops || !ops->get_regs || !ops->set_regs ||
	    !ops->get_sctlr || !ops->set_elr_spsr || !ops->kick)
		return NULL;
	sdei = calloc(1, sizeof(*sdei));
	if (!sdei)
		return NULL;
	sdei->vcpus = calloc(nr_vcpus, sizeof(*sdei->vcpus));
	if (!sdei->vcpus || pthread_mutex_init(&sdei->lock, NULL)) {
		free(sdei->vcpus);
		free(sdei);
		return NULL;
	}
	sdei->ops = ops;
	sdei->opaque = opaque;
	sdei->nr_vcpus = nr_vcpus;
	for (unsigned int i = 0; i < nr_vcpus; i++) {
		sdei->vcpus[i].online = true;
		sdei->vcpus[i].masked = true;
		sdei->vcpus[i].mpidr = default_mpidr(i);
	}
	if (event_init(sdei, SDEI_EVENT_SIGNAL_NUM, false, false)) {
		sdei_destroy(sdei);
		return NULL;
	}
	sdei->events[0].signalable = true;
	for (unsigned int i = 0; i < SDEI_BIND_SLOTS; i++) {
		if (event_init(sdei, SDEI_DYN_EVENT_BASE + i, true, false)) {
			sdei_destroy(sdei);
			return NULL;
		}
		sdei->events[sdei->nr_events - 1].dynamic = true;
	}
	return sdei;
}

void sdei_destroy(struct sdei *sdei)
{
	if (!sdei)
		return;
	for (unsigned int i = 0; i < sdei->nr_events; i++)
		free(sdei->events[i].priv);
	pthread_mutex_destroy(&sdei->lock);
	free(sdei->vcpus);
	free(sdei);
}

int sdei_add_event(struct sdei *sdei, const struct sdei_event_spec *spec)
{
	int ret;

	if (!spec || spec->num == SDEI_EVENT_SIGNAL_NUM || spec->num > SDEI_MAX_EVENT_NUM ||
	    (spec->num >= SDEI_DYN_EVENT_BASE && spec->num < SDEI_DYN_EVENT_BASE + SDEI_BIND_SLOTS))
		return -EINVAL;
	pthread_mutex_lock(&sdei->lock);
	if (sdei->started)
		ret = -EBUSY;
	else if (sdei_find_event(sdei, spec->num) >= 0)
		ret = -EEXIST;
	else if (sdei->nr_events >= 1 + SDEI_BIND_SLOTS + SDEI_MAX_PLATFORM)
		ret = -ENOSPC;
	else
		ret = event_init(sdei, spec->num, spec->shared, spec->critical);
	pthread_mutex_unlock(&sdei->lock);
	return ret;
}

int sdei_own_interrupt(struct sdei *sdei, uint32_t intid)
{
	int ret = 0;

	if (intid < SDEI_GIC_SPI_FIRST || intid > SDEI_GIC_SPI_LAST)
		return -EINVAL;
	pthread_mutex_lock(&sdei->lock);
	if (sdei->started) {
		ret = -EBUSY;
		goto out;
	}
	for (unsigned int i = 0; i < sdei->nr_owned; i++) {
		if (sdei->owned[i] == intid)
			goto out;
	}
	if (sdei->nr_owned >= SDEI_MAX_OWNED_INTIDS)
		ret = -ENOSPC;
	else
		sdei->owned[sdei->nr_owned++] = intid;
out:
	pthread_mutex_unlock(&sdei->lock);
	return ret;
}

int sdei_vcpu_set_mpidr(struct sdei *sdei, unsigned int vcpu, uint64_t mpidr)
{
	int ret = 0;

	if (vcpu >= sdei->nr_vcpus)
		return -EINVAL;
	pthread_mutex_lock(&sdei->lock);
	if (sdei->started) {
		ret = -EBUSY;
	} else {
		for (unsigned int i = 0; i < sdei->nr_vcpus; i++) {
			if (i != vcpu &&
			    ((sdei->vcpus[i].mpidr ^ mpidr) & SDEI_MPIDR_AFF_MASK) == 0)
				ret = -EEXIST;
		}
		if (!ret)
			sdei->vcpus[vcpu].mpidr = mpidr;
	}
	pthread_mutex_unlock(&sdei->lock);
	return ret;
}

void sdei_start(struct sdei *sdei)
{
	pthread_mutex_lock(&sdei->lock);
	sdei->started = true;
	pthread_mutex_unlock(&sdei->lock);
}

int sdei_find_event(const struct sdei *sdei, uint64_t num)
{
	for (unsigned int i = 0; i < sdei->nr_events; i++) {
		if (sdei->events[i].num == num)
			return (int)i;
	}
	return -1;
}

struct sdei_inst *sdei_inst_of(struct sdei *sdei, unsigned int ev, unsigned int vcpu)
{
	struct sdei_event *e = &sdei->events[ev];

	return e->shared ? &e->shared_inst : &e->priv[vcpu];
}

int sdei_vcpu_by_mpidr(const struct sdei *sdei, uint64_t mpidr)
{
	for (unsigned int i = 0; i < sdei->nr_vcpus; i++) {
		if (((sdei->vcpus[i].mpidr ^ mpidr) & SDEI_MPIDR_AFF_MASK) == 0)
			return (int)i;
	}
	return -1;
}

bool sdei_inst_unregister(struct sdei_inst *inst)
{
	inst->registered = false;
	inst->enabled = false;
	inst->pending = false;
	return inst->running;
}

int sdei_handle_call(struct sdei *sdei, unsigned int vcpu, uint32_t fn_id, const uint64_t args[5],
                     uint64_t *ret_x0)
{
	struct sdei_regs regs;
	bool no_return = false;
	int64_t ret;
	int ev, op_err, err = 1;

	if (vcpu >= sdei->nr_vcpus || !args || !ret_x0)
		return -EINVAL;
	pthread_mutex_lock(&sdei->lock);
	sdei->started = true;
	sdei->vcpus[vcpu].kicked = false;
	ret = sdei_call_locked(sdei, vcpu, fn_id, args, &no_return, &op_err);
	if (no_return) {
		err = op_err;
	} else {
		*ret_x0 = (uint64_t)ret;
		/* Something the call made deliverable here goes in now, with the
		 * return value already in the interrupted x0. */
		ev = sdei_best_event(sdei, vcpu, NULL);
		if (ev >= 0 && sdei->ops->get_regs(sdei->opaque, vcpu, &regs) == 0) {
			regs.x[0] = (uint64_t)ret;
			if (sdei_dispatch_locked(sdei, vcpu, (unsigned int)ev, &regs) == 0)
				err = 0;
		}
	}
	sdei_kick_others(sdei, (int)vcpu);
	pthread_mutex_unlock(&sdei->lock);
	return err;
}

int sdei_vcpu_deliver(struct sdei *sdei, unsigned int vcpu)
{
	struct sdei_regs regs;
	int ev, ret = 0;

	if (vcpu >= sdei->nr_vcpus)
		return -EINVAL;
	pthread_mutex_lock(&sdei->lock);
	sdei->vcpus[vcpu].kicked = false;
	ev = sdei_best_event(sdei, vcpu, NULL);
	if (ev >= 0) {
		ret = sdei->ops->get_regs(sdei->opaque, vcpu, &regs);
		if (!ret)
			ret = sdei_dispatch_locked(sdei, vcpu, (unsigned int)ev, &regs);
		if (!ret)
			ret = 1;
	}
	sdei_kick_others(sdei, (int)vcpu);
	pthread_mutex_unlock(&sdei->lock);
	return ret;
}

static void vcpu_reset_locked(struct sdei *sdei, unsigned int vcpu, bool online)
{
	struct sdei_vcpu *v = &sdei->vcpus[vcpu];

	sdei_drop_frames(sdei, vcpu);
	for (unsigned int i = 0; i < sdei->nr_events; i++) {
		struct sdei_event *e = &sdei->events[i];

		if (!e->shared) {
			struct sdei_counters keep = e->priv[vcpu].counters;

			memset(&e->priv[vcpu], 0, sizeof(e->priv[vcpu]));
			e->priv[vcpu].running_vcpu = -1;
			e->priv[vcpu].counters = keep;
		}
	}
	v->masked = true;
	v->online = online;
}

int sdei_vcpu_reset(struct sdei *sdei, unsigned int vcpu)
{
	if (vcpu >= sdei->nr_vcpus)
		return -EINVAL;
	pthread_mutex_lock(&sdei->lock);
	vcpu_reset_locked(sdei, vcpu, true);
	/* A shared event this vCPU was running may now go elsewhere. */
	sdei_kick_others(sdei, (int)vcpu);
	pthread_mutex_unlock(&sdei->lock);
	return 0;
}

int sdei_vcpu_power_off(struct sdei *sdei, unsigned int vcpu)
{
	if (vcpu >= sdei->nr_vcpus)
		return -EINVAL;
	pthread_mutex_lock(&sdei->lock);
	vcpu_reset_locked(sdei, vcpu, false);
	sdei_kick_others(sdei, (int)vcpu);
	pthread_mutex_unlock(&sdei->lock);
	return 0;
}

static bool inst_signal(struct sdei_inst *inst)
{
	if (!inst->registered)
		return false;
	inst->pending = true;
	inst->counters.signalled++;
	return true;
}

int sdei_signal(struct sdei *sdei, uint32_t event, int vcpu)
{
	struct sdei_event *e;
	bool any = false;
	int ev, ret = 0;

	pthread_mutex_lock(&sdei->lock);
	ev = sdei_find_event(sdei, event);
	if (ev < 0) {
		ret = -ENOENT;
		goto out;
	}
	e = &sdei->events[ev];
	if (vcpu < -1 || vcpu >= (int)sdei->nr_vcpus || (e->shared && vcpu != -1)) {
		ret = -EINVAL;
		goto out;
	}
	if (e->shared) {
		any = inst_signal(&e->shared_inst);
	} else if (vcpu >= 0) {
		any = inst_signal(&e->priv[vcpu]);
	} else {
		for (unsigned int i = 0; i < sdei->nr_vcpus; i++)
			any |= inst_signal(&e->priv[i]);
	}
	if (!any)
		ret = -ENOTCONN;
	sdei_kick_others(sdei, -1);
out:
	pthread_mutex_unlock(&sdei->lock);
	return ret;
}

unsigned int sdei_event_count(const struct sdei *sdei)
{
	/* nr_events only changes before start, under the configuring thread. */
	return sdei->nr_events;
}

unsigned int sdei_vcpu_count(const struct sdei *sdei)
{
	return sdei->nr_vcpus;
}

static void fill_event_info(struct sdei *sdei, unsigned int ev, unsigned int vcpu,
                            struct sdei_event_info *info)
{
	struct sdei_event *e = &sdei->events[ev];
	struct sdei_inst *inst = sdei_inst_of(sdei, ev, vcpu);

	memset(info, 0, sizeof(*info));
	info->num = e->num;
	info->shared = e->shared;
	info->critical = e->critical;
	info->signalable = e->signalable;
	info->bound = e->bound;
	info->intid = e->intid;
	info->registered = inst->registered;
	info->enabled = inst->enabled;
	info->running = inst->running;
	info->pending = inst->pending;
	info->unregister_pending = inst->running && !inst->registered;
	info->running_vcpu = inst->running ? inst->running_vcpu : -1;
	info->routing = inst->routing;
	info->affinity = inst->affinity;
	info->entry = inst->entry;
	info->arg = inst->arg;
	info->counters = inst->counters;
}

int sdei_query_event_at(struct sdei *sdei, unsigned int index, unsigned int vcpu,
                        struct sdei_event_info *info)
{
	int ret = 0;

	if (vcpu >= sdei->nr_vcpus || !info)
		return -EINVAL;
	pthread_mutex_lock(&sdei->lock);
	if (index >= sdei->nr_events)
		ret = -ENOENT;
	else
		fill_event_info(sdei, index, vcpu, info);
	pthread_mutex_unlock(&sdei->lock);
	return ret;
}

int sdei_query_event(struct sdei *sdei, uint32_t event, unsigned int vcpu,
                     struct sdei_event_info *info)
{
	int ev, ret = 0;

	if (vcpu >= sdei->nr_vcpus || !info)
		return -EINVAL;
	pthread_mutex_lock(&sdei->lock);
	ev = sdei_find_event(sdei, event);
	if (ev < 0)
		ret = -ENOENT;
	else
		fill_event_info(sdei, (unsigned int)ev, vcpu, info);
	pthread_mutex_unlock(&sdei->lock);
	return ret;
}

int sdei_query_vcpu(struct sdei *sdei, unsigned int vcpu, struct sdei_vcpu_info *info)
{
	struct sdei_vcpu *v;

	if (vcpu >= sdei->nr_vcpus || !info)
		return -EINVAL;
	pthread_mutex_lock(&sdei->lock);
	v = &sdei->vcpus[vcpu];
	memset(info, 0, sizeof(*info));
	info->online = v->online;
	info->masked = v->masked;
	info->mpidr = v->mpidr;
	info->running_normal = -1;
	info->running_critical = -1;
	if (v->frames[SDEI_FRAME_NORMAL].active) {
		info->depth++;
		info->running_normal = sdei->events[v->frames[SDEI_FRAME_NORMAL].event].num;
	}
	if (v->frames[SDEI_FRAME_CRITICAL].active) {
		info->depth++;
		info->running_critical = sdei->events[v->frames[SDEI_FRAME_CRITICAL].event].num;
	}
	info->counters = v->counters;
	pthread_mutex_unlock(&sdei->lock);
	return 0;
}
