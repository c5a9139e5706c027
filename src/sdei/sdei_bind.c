/* INTERRUPT_BIND and INTERRUPT_RELEASE: a guest may turn an SPI that one of
 * tern's own devices drives into a shared SDEI event. Interrupts owned by
 * KVM (timer PPIs, in-kernel devices) never reach us, so they are refused. */
#include <stdlib.h>

#include "sdei/sdei_priv.h"

static bool owned(const struct sdei *sdei, uint64_t intid)
{
	for (unsigned int i = 0; i < sdei->nr_owned; i++) {
		if (sdei->owned[i] == intid)
			return true;
	}
	return false;
}

int64_t sdei_bind_locked(struct sdei *sdei, uint64_t intid)
{
	struct sdei_event *free_slot = NULL;

	/* SGIs and special or out-of-range INTIDs can never be events. */
	if (intid < 16 || intid > SDEI_GIC_SPI_LAST)
		return SDEI_INVALID_PARAMETERS;
	if (!owned(sdei, intid))
		return SDEI_DENIED;
	for (unsigned int i = 0; i < sdei->nr_events; i++) {
		struct sdei_event *e = &sdei->events[i];

		if (!e->dynamic)
			continue;
		if (e->bound && e->intid == intid)
			return e->num;
		if (!e->bound && !free_slot)
			free_slot = e;
	}
	if (!free_slot)
		return SDEI_OUT_OF_RESOURCE;
	free_slot->bound = true;
	free_slot->intid = (uint32_t)intid;
	return free_slot->num;
}

static bool releasable(const struct sdei_event *e)
{
	return !e->shared_inst.registered && !e->shared_inst.running;
}

static void unbind(struct sdei_event *e)
{
	e->bound = false;
	e->intid = 0;
	e->shared_inst.pending = false;
}

int64_t sdei_release_locked(struct sdei *sdei, uint64_t event)
{
	int ev = event <= SDEI_MAX_EVENT_NUM ? sdei_find_event(sdei, event) : -1;
	struct sdei_event *e;

	if (ev < 0)
		return SDEI_INVALID_PARAMETERS;
	e = &sdei->events[ev];
	if (!e->dynamic || !e->bound)
		return SDEI_INVALID_PARAMETERS;
	if (!releasable(e))
		return SDEI_DENIED;
	unbind(e);
	return SDEI_SUCCESS;
}

void sdei_release_all_locked(struct sdei *sdei)
{
	for (unsigned int i = 0; i < sdei->nr_events; i++) {
		struct sdei_event *e = &sdei->events[i];

		if (e->dynamic && e->bound && releasable(e))
			unbind(e);
	}
}

uint32_t sdei_free_bind_slots(const struct sdei *sdei)
{
	uint32_t n = 0;

	for (unsigned int i = 0; i < sdei->nr_events; i++) {
		if (sdei->events[i].dynamic && !sdei->events[i].bound)
			n++;
	}
	return n;
}

bool sdei_interrupt_take(struct sdei *sdei, uint32_t intid)
{
	bool taken = false;

	pthread_mutex_lock(&sdei->lock);
	for (unsigned int i = 0; i < sdei->nr_events; i++) {
		struct sdei_event *e = &sdei->events[i];

		/* The interrupt only changes hands once its event is registered. */
		if (e->dynamic && e->bound && e->intid == intid && e->shared_inst.registered) {
			e->shared_inst.pending = true;
			e->shared_inst.counters.signalled++;
			taken = true;
			break;
		}
	}
	if (taken)
		sdei_kick_others(sdei, -1);
	pthread_mutex_unlock(&sdei->lock);
	return taken;
}
