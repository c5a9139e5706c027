/* A fake vCPU backend for the SDEI core: it keeps per-vCPU registers and
 * records every op, and plays the integrator's part around a hypercall. It
 * aborts if the core touches registers of a vCPU other than the caller. */
#ifndef TERN_TESTS_SDEI_FAKE_H
#define TERN_TESTS_SDEI_FAKE_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sdei/sdei.h"

#define FAKE_VCPUS  4
#define FAKE_NO_X0  ((int64_t)0x7EADBEEF7EADBEEFll)
#define FAKE_ENTRY  0xFFFF800010001000ull
#define FAKE_ENTRY2 0xFFFF800010002000ull
#define FAKE_ARG    0xA5A5000011110000ull

struct fake_vcpu {
	struct sdei_regs regs;
	uint64_t sctlr;
	uint64_t elr, spsr;
	int elr_spsr_writes;
	int set_regs_calls;
	int kicks;
	int fail_get;
};

struct fake {
	struct fake_vcpu v[FAKE_VCPUS];
	int current; /* vCPU whose thread is in the core, -1 for the main thread */
	int completions;
	uint32_t last_event;
	unsigned int last_vcpu;
	bool last_resumed;
	int last_rc;
	struct sdei *sdei;
};

static inline void fake_check_owner(struct fake *f, unsigned int vcpu)
{
	/* The core may only touch the registers of the vCPU that called in. */
	if ((int)vcpu != f->current || vcpu >= FAKE_VCPUS)
		abort();
}

static inline int fake_get_regs(void *opaque, unsigned int vcpu, struct sdei_regs *regs)
{
	struct fake *f = opaque;

	fake_check_owner(f, vcpu);
	if (f->v[vcpu].fail_get)
		return -EIO;
	*regs = f->v[vcpu].regs;
	return 0;
}

static inline int fake_set_regs(void *opaque, unsigned int vcpu, const struct sdei_regs *regs)
{
	struct fake *f = opaque;

	fake_check_owner(f, vcpu);
	f->v[vcpu].regs = *regs;
	f->v[vcpu].set_regs_calls++;
	return 0;
}

static inline int fake_get_sctlr(void *opaque, unsigned int vcpu, uint64_t *sctlr)
{
	struct fake *f = opaque;

	fake_check_owner(f, vcpu);
	*sctlr = f->v[vcpu].sctlr;
	return 0;
}

static inline int fake_set_elr_spsr(void *opaque, unsigned int vcpu, uint64_t elr, uint64_t spsr)
{
	struct fake *f = opaque;

	fake_check_owner(f, vcpu);
	f->v[vcpu].elr = elr;
	f->v[vcpu].spsr = spsr;
	f->v[vcpu].elr_spsr_writes++;
	return 0;
}

static inline void fake_kick(void *opaque, unsigned int vcpu)
{
	struct fake *f = opaque;

	if (vcpu >= FAKE_VCPUS)
		abort();
	f->v[vcpu].kicks++;
}

static inline void fake_completed(void *opaque, uint32_t event, unsigned int vcpu, bool resumed)
{
	struct fake *f = opaque;

	f->completions++;
	f->last_event = event;
	f->last_vcpu = vcpu;
	f->last_resumed = resumed;
}

static const struct sdei_vcpu_ops fake_ops = {
        .get_regs = fake_get_regs,
        .set_regs = fake_set_regs,
        .get_sctlr = fake_get_sctlr,
        .set_elr_spsr = fake_set_elr_spsr,
        .kick = fake_kick,
        .completed = fake_completed,
};

/* Distinct, recognisable register contents per vCPU, interrupted in EL1h. */
static inline void fake_init(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	f->current = -1;
	for (unsigned int i = 0; i < FAKE_VCPUS; i++) {
		for (unsigned int r = 0; r < 18; r++)
			f->v[i].regs.x[r] = 0x1000ull * (i + 1) + r;
		f->v[i].regs.pc = 0xFFFF800000100000ull + 0x100 * i;
		f->v[i].regs.pstate = 0x60000000ull | SDEI_PSR_MODE_EL1H; /* Z, C */
	}
	f->sdei = sdei_create(FAKE_VCPUS, &fake_ops, f);
}

/* The guest executes HVC with fn in x0 and args in x1..x5; the integrator
 * calls the core and writes x0 back when told to. */
static inline int64_t fake_call(struct fake *f, unsigned int vcpu, uint32_t fn, uint64_t a1,
                                uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	uint64_t args[5] = {a1, a2, a3, a4, a5}, x0 = 0;
	struct fake_vcpu *v = &f->v[vcpu % FAKE_VCPUS];
	int rc;

	v->regs.x[0] = fn;
	for (unsigned int i = 0; i < 5; i++)
		v->regs.x[i + 1] = args[i];
	f->current = (int)vcpu;
	rc = sdei_handle_call(f->sdei, vcpu, fn, args, &x0);
	f->current = -1;
	f->last_rc = rc;
	if (rc == 1) {
		v->regs.x[0] = x0;
		return (int64_t)x0;
	}
	return FAKE_NO_X0;
}

static inline int fake_deliver(struct fake *f, unsigned int vcpu)
{
	int rc;

	f->current = (int)vcpu;
	rc = sdei_vcpu_deliver(f->sdei, vcpu);
	f->current = -1;
	return rc;
}

#define CALL0(f, v, fn)          fake_call(f, v, fn, 0, 0, 0, 0, 0)
#define CALL1(f, v, fn, a)       fake_call(f, v, fn, a, 0, 0, 0, 0)
#define CALL2(f, v, fn, a, b)    fake_call(f, v, fn, a, b, 0, 0, 0)
#define CALL3(f, v, fn, a, b, c) fake_call(f, v, fn, a, b, c, 0, 0)
#define REG(f, v, ev, entry, flags, aff)                                                           \
	fake_call(f, v, SDEI_FN_EVENT_REGISTER, ev, entry, FAKE_ARG, flags, aff)

/* The MPIDR the core assigns vCPU n by default (KVM's layout). */
static inline uint64_t fake_mpidr(unsigned int n)
{
	return (1ull << 31) | n;
}

#endif
