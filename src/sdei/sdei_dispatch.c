/* SDEI dispatch and completion: which event a vCPU takes next, what the
 * handler is entered with, and how the interrupted context comes back. */
#include <errno.h>
#include <string.h>

#include "sdei/sdei_priv.h"

uint64_t sdei_entry_pstate(uint64_t interrupted, uint64_t sctlr_el1)
{
	uint64_t p = (interrupted & SDEI_PSR_NZCV) | SDEI_PSR_DAIF | SDEI_PSR_MODE_EL1H;

	/* TakeException keeps NZCV and DIT; an AArch32 SPSR holds DIT elsewhere. */
	if (interrupted & SDEI_PSR_AARCH32)
		p |= (interrupted & SDEI_PSR32_DIT) ? SDEI_PSR_DIT : 0;
	else
		p |= interrupted & SDEI_PSR_DIT;
	/* PAN is forced on entry unless the OS asked to leave it alone (SPAN=1). */
	if (!(sctlr_el1 & SDEI_SCTLR_SPAN))
		p |= SDEI_PSR_PAN;
	else
		p |= interrupted & SDEI_PSR_PAN;
	if (sctlr_el1 & SDEI_SCTLR_DSSBS)
		p |= SDEI_PSR_SSBS;
	return p;
}

uint64_t sdei_irq_vector(uint64_t vbar_el1, uint64_t pstate)
{
	if (pstate & SDEI_PSR_AARCH32)
		return vbar_el1 + SDEI_VEC_IRQ_LOW_A32;
	switch (pstate & SDEI_PSR_MODE_MASK) {
	case SDEI_PSR_MODE_EL0T:
		return vbar_el1 + SDEI_VEC_IRQ_LOW_A64;
	case SDEI_PSR_MODE_EL1T:
		return vbar_el1 + SDEI_VEC_IRQ_CUR_SP0;
	default:
		return vbar_el1 + SDEI_VEC_IRQ_CUR_SPX;
	}
}

struct sdei_frame *sdei_innermost(struct sdei_vcpu *v)
{
	if (v->frames[SDEI_FRAME_CRITICAL].active)
		return &v->frames[SDEI_FRAME_CRITICAL];
	if (v->frames[SDEI_FRAME_NORMAL].active)
		return &v->frames[SDEI_FRAME_NORMAL];
	return NULL;
}

static bool inst_targets(const struct sdei *sdei, const struct sdei_event *e,
                         const struct sdei_inst *inst, unsigned int vcpu)
{
	if (!e->shared || inst->routing == SDEI_RM_ANY)
		return true;
	return ((inst->affinity ^ sdei->vcpus[vcpu].mpidr) & SDEI_MPIDR_AFF_MASK) == 0;
}

int sdei_best_event(struct sdei *sdei, unsigned int vcpu, const bool *claimed)
{
	struct sdei_vcpu *v = &sdei->vcpus[vcpu];
	bool crit_busy = v->frames[SDEI_FRAME_CRITICAL].active;
	bool any_busy = crit_busy || v->frames[SDEI_FRAME_NORMAL].active;
	int best = -1;

	if (!v->online || v->masked || crit_busy)
		return -1;
	for (unsigned int i = 0; i < sdei->nr_events; i++) {
		struct sdei_event *e = &sdei->events[i];
		struct sdei_inst *inst = sdei_inst_of(sdei, i, vcpu);

		if (!inst->enabled || !inst->pending || inst->running)
			continue;
		if (!e->critical && any_busy)
			continue;
		if (e->shared && claimed && claimed[i])
			continue;
		if (!inst_targets(sdei, e, inst, vcpu))
			continue;
		if (e->critical)
			return (int)i;
		if (best < 0)
			best = (int)i;
	}
	return best;
}

int sdei_dispatch_locked(struct sdei *sdei, unsigned int vcpu, unsigned int ev,
                         const struct sdei_regs *cur)
{
	struct sdei_event *e = &sdei->events[ev];
	struct sdei_inst *inst = sdei_inst_of(sdei, ev, vcpu);
	struct sdei_vcpu *v = &sdei->vcpus[vcpu];
	struct sdei_frame *f = &v->frames[e->critical ? SDEI_FRAME_CRITICAL : SDEI_FRAME_NORMAL];
	struct sdei_regs next = *cur;
	uint64_t sctlr;
	int ret;

	ret = sdei->ops->get_sctlr(sdei->opaque, vcpu, &sctlr);
	if (ret)
		return ret;
	next.x[0] = e->num;
	next.x[1] = inst->arg;
	next.x[2] = cur->pc;
	next.x[3] = cur->pstate;
	next.pc = inst->entry;
	next.pstate = sdei_entry_pstate(cur->pstate, sctlr);
	ret = sdei->ops->set_regs(sdei->opaque, vcpu, &next);
	if (ret)
		return ret;
	f->active = true;
	f->event = ev;
	f->saved = *cur;
	inst->running = true;
	inst->running_vcpu = (int)vcpu;
	inst->pending = false;
	inst->counters.dispatched++;
	v->counters.dispatched++;
	return 0;
}

static void frame_finish(struct sdei *sdei, unsigned int vcpu, struct sdei_frame *f)
{
	struct sdei_inst *inst = sdei_inst_of(sdei, f->event, vcpu);

	f->active = false;
	inst->running = false;
	inst->running_vcpu = -1;
}

void sdei_drop_frames(struct sdei *sdei, unsigned int vcpu)
{
	struct sdei_vcpu *v = &sdei->vcpus[vcpu];

	for (unsigned int i = 0; i < SDEI_NR_FRAMES; i++) {
		if (v->frames[i].active)
			frame_finish(sdei, vcpu, &v->frames[i]);
	}
}

int sdei_complete_locked(struct sdei *sdei, unsigned int vcpu, bool resume, uint64_t resume_pc,
                         uint64_t status, int64_t *sret)
{
	struct sdei_vcpu *v = &sdei->vcpus[vcpu];
	struct sdei_frame *f = sdei_innermost(v);
	struct sdei_inst *inst;
	struct sdei_regs regs;
	uint64_t sctlr;
	uint32_t num;
	int ret, ev;

	*sret = SDEI_DENIED;
	if (!f)
		return 0;
	*sret = SDEI_INVALID_PARAMETERS;
	if (resume && (resume_pc & 3))
		return 0;
	*sret = SDEI_SUCCESS;
	regs = f->saved;
	if (resume) {
		ret = sdei->ops->get_sctlr(sdei->opaque, vcpu, &sctlr);
		if (!ret)
			ret = sdei->ops->set_elr_spsr(sdei->opaque, vcpu, f->saved.pc,
			                              f->saved.pstate);
		if (ret)
			return ret;
		/* As if the interrupted code had taken an IRQ to resume_pc. */
		regs.pc = resume_pc;
		regs.pstate = sdei_entry_pstate(f->saved.pstate, sctlr);
	}
	ret = sdei->ops->set_regs(sdei->opaque, vcpu, &regs);
	if (ret)
		return ret;
	inst = sdei_inst_of(sdei, f->event, vcpu);
	num = sdei->events[f->event].num;
	inst->counters.completed++;
	v->counters.completed++;
	if (resume) {
		inst->counters.resumed++;
		v->counters.resumed++;
	} else if (status == SDEI_EV_FAILED) {
		inst->counters.failed++;
		v->counters.failed++;
	}
	/* An unregister-pending instance is already unregistered; stopping
	 * it running finishes the unregistration. */
	frame_finish(sdei, vcpu, f);
	if (sdei->ops->completed)
		sdei->ops->completed(sdei->opaque, num, vcpu, resume);
	/* Anything that waited for this handler goes in straight away. */
	ev = sdei_best_event(sdei, vcpu, NULL);
	if (ev >= 0)
		(void)sdei_dispatch_locked(sdei, vcpu, (unsigned int)ev, &regs);
	return 0;
}

void sdei_kick_others(struct sdei *sdei, int self)
{
	bool claimed[SDEI_MAX_EVENTS];

	memset(claimed, 0, sizeof(claimed));
	for (unsigned int i = 0; i < sdei->nr_vcpus; i++) {
		struct sdei_vcpu *v = &sdei->vcpus[i];
		int ev;

		if ((int)i == self)
			continue;
		ev = sdei_best_event(sdei, i, claimed);
		if (ev < 0)
			continue;
		/* Route an RM_ANY event to one vCPU only; the others stay put. */
		if (sdei->events[ev].shared)
			claimed[ev] = true;
		if (!v->kicked) {
			v->kicked = true;
			sdei->ops->kick(sdei->opaque, i);
		}
	}
}
