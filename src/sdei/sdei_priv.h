/* Internal state of the SDEI core, shared by its source files only. */
#ifndef TERN_SDEI_PRIV_H
#define TERN_SDEI_PRIV_H

#include <pthread.h>

#include "sdei/sdei.h"

/* One instance of an event: the only one for a shared event, one per vCPU
 * for a private event. "running && !registered" is the unregister-pending
 * state (Reg in the spec's table); enabled implies registered. */
struct sdei_inst {
	bool registered;
	bool enabled;
	bool running;
	bool pending;
	uint8_t routing; /* shared only */
	int running_vcpu;
	uint64_t affinity; /* shared RM_PE only */
	uint64_t entry;
	uint64_t arg;
	struct sdei_counters counters;
};

struct sdei_event {
	uint32_t num;
	bool shared;
	bool critical;
	bool signalable;
	bool dynamic; /* an INTERRUPT_BIND slot */
	bool bound;
	uint32_t intid;
	struct sdei_inst shared_inst;
	struct sdei_inst *priv; /* nr_vcpus entries, private events only */
};

/* One running handler: which event and what it interrupted. */
struct sdei_frame {
	bool active;
	unsigned int event; /* index into sdei->events */
	struct sdei_regs saved;
};

enum { SDEI_FRAME_NORMAL, SDEI_FRAME_CRITICAL, SDEI_NR_FRAMES };

struct sdei_vcpu {
	bool online;
	bool masked;
	bool kicked; /* a kick is outstanding; cleared when the vCPU calls in */
	uint64_t mpidr;
	struct sdei_frame frames[SDEI_NR_FRAMES];
	struct sdei_counters counters;
};

struct sdei {
	/* Guards everything below; held across every ops call. */
	pthread_mutex_t lock;
	bool started;
	const struct sdei_vcpu_ops *ops;
	void *opaque;
	unsigned int nr_vcpus;
	struct sdei_vcpu *vcpus;
	unsigned int nr_events;
	struct sdei_event events[SDEI_MAX_EVENTS];
	unsigned int nr_owned;
	uint32_t owned[SDEI_MAX_OWNED_INTIDS];
};

#define SDEI_MPIDR_AFF_MASK 0xFF00FFFFFFull

/* sdei_core.c */
int sdei_find_event(const struct sdei *sdei, uint64_t num);
struct sdei_inst *sdei_inst_of(struct sdei *sdei, unsigned int ev, unsigned int vcpu);
int sdei_vcpu_by_mpidr(const struct sdei *sdei, uint64_t mpidr);
/* Unregister now, or mark unregister-pending if running; true if running. */
bool sdei_inst_unregister(struct sdei_inst *inst);

/* sdei_dispatch.c (all with the lock held) */
int sdei_best_event(struct sdei *sdei, unsigned int vcpu, const bool *claimed);
int sdei_dispatch_locked(struct sdei *sdei, unsigned int vcpu, unsigned int ev,
                         const struct sdei_regs *cur);
/* Returns 0 or an op's negative errno; *sret gets the SDEI result. */
int sdei_complete_locked(struct sdei *sdei, unsigned int vcpu, bool resume, uint64_t resume_pc,
                         uint64_t status, int64_t *sret);
void sdei_kick_others(struct sdei *sdei, int self);
struct sdei_frame *sdei_innermost(struct sdei_vcpu *v);
void sdei_drop_frames(struct sdei *sdei, unsigned int vcpu);

/* sdei_bind.c (lock held) */
int64_t sdei_bind_locked(struct sdei *sdei, uint64_t intid);
int64_t sdei_release_locked(struct sdei *sdei, uint64_t event);
uint32_t sdei_free_bind_slots(const struct sdei *sdei);
void sdei_release_all_locked(struct sdei *sdei);

/* sdei_calls.c */
int64_t sdei_call_locked(struct sdei *sdei, unsigned int vcpu, uint32_t fn_id,
                         const uint64_t args[5], bool *no_return, int *op_err);

#endif
