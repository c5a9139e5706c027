/* The SDEI v1.1 dispatcher core.
 *
 * It implements the guest-visible ABI (every call of DEN0054C), the event
 * catalogue, and dispatch/complete, without touching KVM: it sees vCPUs only
 * through struct sdei_vcpu_ops supplied by the integrator.
 *
 * Threads. One mutex guards the whole table. Calls a vCPU thread makes for
 * itself (sdei_handle_call, sdei_vcpu_deliver) may rewrite that vCPU's
 * registers through the ops; the core never touches another vCPU's
 * registers. When another vCPU has become able to take an event, the core
 * calls ops->kick(vcpu) so that vCPU's own thread leaves KVM_RUN and calls
 * sdei_vcpu_deliver(). sdei_signal() and the query functions are safe from any
 * thread. All ops are called with the table mutex held: they must not call
 * back into sdei_*; kick and completed must only post work (signal, eventfd).
 *
 * Lifecycle: sdei_create(); declare platform events (sdei_add_event), owned
 * interrupts (sdei_own_interrupt) and non-default MPIDRs; sdei_start() before
 * the first KVM_RUN. Configuration calls return -EBUSY after start.
 *
 * Integration on a vCPU thread:
 *   - KVM_EXIT_HYPERCALL with an SDEI function id: read x1..x5, call
 *     sdei_handle_call(); if it returns 1 write *ret_x0 to x0. Do not touch
 *     PC (KVM already advanced it).
 *   - after being kicked out of KVM_RUN: call sdei_vcpu_deliver().
 *   - PSCI CPU_ON of this vCPU: sdei_vcpu_reset(); CPU_OFF: sdei_vcpu_power_off().
 */
#ifndef TERN_SDEI_H
#define TERN_SDEI_H

#include <stdbool.h>
#include <stdint.h>

#include "sdei/sdei_abi.h"

/* Limits (documented in docs/sdei.md). */
#define SDEI_MAX_VCPUS        512
#define SDEI_MAX_PLATFORM     32 /* events declared with sdei_add_event() */
#define SDEI_BIND_SLOTS       16 /* shared dynamic slots for INTERRUPT_BIND */
#define SDEI_MAX_OWNED_INTIDS 64
#define SDEI_MAX_EVENTS       (1 + SDEI_MAX_PLATFORM + SDEI_BIND_SLOTS)
#define SDEI_DYN_EVENT_BASE   0x10000u /* INTERRUPT_BIND slot n is event BASE+n */
#define SDEI_MAX_EVENT_NUM    0x7FFFFFFFu
#define SDEI_GIC_SPI_FIRST    32u
#define SDEI_GIC_SPI_LAST     1019u

/* The interrupted context the dispatcher saves and restores. */
struct sdei_regs {
	uint64_t x[18];
	uint64_t pc;
	uint64_t pstate;
};

/* How the core reaches a vCPU. get_regs/set_regs/get_sctlr/set_elr_spsr are
 * only ever called for the vCPU whose thread is inside the core. Functions
 * return 0 or a negative errno; on error the core leaves its state unchanged. */
struct sdei_vcpu_ops {
	int (*get_regs)(void *opaque, unsigned int vcpu, struct sdei_regs *regs);
	int (*set_regs)(void *opaque, unsigned int vcpu, const struct sdei_regs *regs);
	int (*get_sctlr)(void *opaque, unsigned int vcpu, uint64_t *sctlr_el1);
	int (*set_elr_spsr)(void *opaque, unsigned int vcpu, uint64_t elr_el1, uint64_t spsr_el1);
	/* Ask vcpu's thread to leave KVM_RUN and call sdei_vcpu_deliver(). */
	void (*kick)(void *opaque, unsigned int vcpu);
	/* Optional: a handler finished (resumed: via COMPLETE_AND_RESUME). */
	void (*completed)(void *opaque, uint32_t event, unsigned int vcpu, bool resumed);
};

struct sdei;

/* A platform event as given by --sdei-event NUM,private|shared,normal|critical. */
struct sdei_event_spec {
	uint32_t num;
	bool shared;
	bool critical;
};

/* Returns NULL on bad arguments or allocation failure. */
struct sdei *sdei_create(unsigned int nr_vcpus, const struct sdei_vcpu_ops *ops, void *opaque);
void sdei_destroy(struct sdei *sdei);

/* Configuration, before sdei_start(). */
int sdei_add_event(struct sdei *sdei, const struct sdei_event_spec *spec);
/* Declare an SPI driven by a tern device, so INTERRUPT_BIND may take it. */
int sdei_own_interrupt(struct sdei *sdei, uint32_t intid);
/* Default MPIDR is KVM's: Aff0 = id[3:0], Aff1 = id[11:4], Aff2 = id[19:12]. */
int sdei_vcpu_set_mpidr(struct sdei *sdei, unsigned int vcpu, uint64_t mpidr);
void sdei_start(struct sdei *sdei);

/* Parse "NUM,private|shared,normal|critical" (NUM decimal or 0x hex). */
int sdei_parse_event_spec(const char *text, struct sdei_event_spec *spec);

/* Handle one SDEI call (fn_id = guest x0, args = guest x1..x5) on vcpu's own
 * thread. Returns 1 if *ret_x0 must be written to x0, 0 if the core already
 * rewrote the registers itself (successful COMPLETE*, or an event dispatched
 * right after the call, with x0 already set in the saved context), or a
 * negative errno if an op failed or vcpu is out of range. */
int sdei_handle_call(struct sdei *sdei, unsigned int vcpu, uint32_t fn_id, const uint64_t args[5],
                     uint64_t *ret_x0);

/* On vcpu's own thread: dispatch the best deliverable event, if any.
 * Returns 1 if an event was dispatched, 0 if none, or a negative errno. */
int sdei_vcpu_deliver(struct sdei *sdei, unsigned int vcpu);

/* PSCI CPU_ON finished for vcpu: masked, private events unregistered,
 * handler stack dropped. */
int sdei_vcpu_reset(struct sdei *sdei, unsigned int vcpu);
/* vcpu powered off: as reset, and no longer a target for shared events. */
int sdei_vcpu_power_off(struct sdei *sdei, unsigned int vcpu);

/* Raise an event from outside the guest (control socket, devices); any thread.
 * vcpu selects the instance of a private event (-1: every vCPU); it must be
 * -1 for a shared event, which follows its routing. Returns 0 if the event is
 * now pending somewhere, -ENOENT for an unknown event, -EINVAL for a bad vcpu,
 * -ENOTCONN if no instance was registered (the signal is dropped). */
int sdei_signal(struct sdei *sdei, uint32_t event, int vcpu);

/* A device is about to raise SPI intid: if the guest bound it and registered
 * its event, the event is signalled instead and this returns true (do not
 * raise the line). */
bool sdei_interrupt_take(struct sdei *sdei, uint32_t intid);

/* The IRQ vector a guest would enter from the interrupted pstate (helper for
 * clients and tests; the core itself resumes where the guest asks). */
uint64_t sdei_irq_vector(uint64_t vbar_el1, uint64_t pstate);
/* The PSTATE an exception into EL1h gets, TakeException style. */
uint64_t sdei_entry_pstate(uint64_t interrupted, uint64_t sctlr_el1);

/* Observability (plain structs, filled under the lock). */
struct sdei_counters {
	uint64_t signalled;
	uint64_t dispatched;
	uint64_t completed; /* COMPLETE and COMPLETE_AND_RESUME */
	uint64_t resumed;   /* COMPLETE_AND_RESUME only */
	uint64_t failed;    /* COMPLETE with status FAILED */
};

struct sdei_event_info {
	uint32_t num;
	bool shared;
	bool critical;
	bool signalable;
	bool bound; /* dynamic slot currently bound to intid */
	uint32_t intid;
	/* State of the instance asked for (shared: the only one). */
	bool registered;
	bool enabled;
	bool running;
	bool pending;
	bool unregister_pending;
	int running_vcpu; /* -1 when not running */
	uint32_t routing; /* SDEI_RM_*, shared only */
	uint64_t affinity;
	uint64_t entry;
	uint64_t arg;
	struct sdei_counters counters;
};

struct sdei_vcpu_info {
	bool online;
	bool masked;
	uint64_t mpidr;
	unsigned int depth;       /* running handlers, 0..2 */
	int64_t running_normal;   /* event number or -1 */
	int64_t running_critical; /* event number or -1 */
	struct sdei_counters counters;
};

unsigned int sdei_event_count(const struct sdei *sdei);
/* index in [0, sdei_event_count()); vcpu picks the private instance. */
int sdei_query_event_at(struct sdei *sdei, unsigned int index, unsigned int vcpu,
                        struct sdei_event_info *info);
int sdei_query_event(struct sdei *sdei, uint32_t event, unsigned int vcpu,
                     struct sdei_event_info *info);
int sdei_query_vcpu(struct sdei *sdei, unsigned int vcpu, struct sdei_vcpu_info *info);
unsigned int sdei_vcpu_count(const struct sdei *sdei);

#endif
