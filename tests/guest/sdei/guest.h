/* The SDEI conformance guest: a freestanding arm64 program tern boots as its
 * kernel. It runs at EL1h with the MMU off (all data accesses are Device
 * memory, hence -mstrict-align) and DAIF masked throughout; SDEI events reach
 * it regardless, because tern rewrites the vCPU's PC and PSTATE itself.
 * vCPU 0 does all the printing; vCPU 1 (smp.c) only runs calls vCPU 0 posts
 * to it and handlers, and leaves its results in memory. No exclusives (they
 * need Normal memory): plain volatile accesses ordered by dmb sy. */
#ifndef TERN_GUEST_SDEI_H
#define TERN_GUEST_SDEI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest_common.h"
#include "sdei/sdei_abi.h"

#define PSCI_SYSTEM_OFF 0x84000008u

/* MPIDR bits the dispatcher compares (Aff3, Aff2, Aff1, Aff0). */
#define MPIDR_AFF_MASK 0xFF00FFFFFFull

/* A PSTATE that says "EL1h, D/A/I/F masked": compare under PSR_CHECK_MASK. */
#define PSR_CHECK_MASK  (SDEI_PSR_DAIF | SDEI_PSR_MODE_MASK)
#define PSR_EL1H_MASKED (SDEI_PSR_DAIF | SDEI_PSR_MODE_EL1H)

/* Values start.S loads into registers around a signalling HVC
 * (regs_signal_check) and while a normal handler waits (spin_sentinels). */
#define SENTINEL(n)  (0x5E471E0000000000ull | (uint64_t)(n))
#define SENTINEL2(n) (0xC217000000000000ull | (uint64_t)(n))

#define sdei0(fn)          smccc(fn, 0, 0, 0, 0, 0)
#define sdei1(fn, a)       smccc(fn, a, 0, 0, 0, 0)
#define sdei2(fn, a, b)    smccc(fn, a, b, 0, 0, 0)
#define sdei3(fn, a, b, c) smccc(fn, a, b, c, 0, 0)
#define sdei_register(ev, entry, arg, flags, aff)                                                  \
	smccc(SDEI_FN_EVENT_REGISTER, ev, entry, arg, flags, aff)

/* start.S */
struct entry_frame {
	uint64_t x[18]; /* x0..x17 as the handler was entered */
	uint64_t daif, currentel, spsel, sp;
	uint64_t complete_fn, complete_arg; /* set by the C handler */
};

struct resume_rec {
	uint64_t count;
	uint64_t elr, spsr, daif;
};

/* regs_signal_check() fills one of these: x0..x30 and SP right after the
 * signalling HVC returned, and SP right before it. */
enum { SNAP_SP_AFTER = 31, SNAP_SP_BEFORE = 32, SNAP_SLOTS = 33 };

void sdei_entry(void);
void sdei_entry_cpu1(void); /* same stub, calls cpu1_sdei_handler() */
void secondary_entry(void); /* PSCI CPU_ON entry point, x0 = context */
void regs_signal_check(uint64_t *snap, uint64_t mpidr);
extern char regs_signal_ret[];
/* Sends '\n' to the console (ending the caller's announcement), then waits.
 * Returns a bitmask: bit n set if xn (4..17) lost its SENTINEL2 value, bit 63
 * set on timeout. */
uint64_t spin_sentinels(volatile uint32_t *flag, uint64_t deadline);
extern char spin_sentinels_end[];
extern char vectors[];
extern struct resume_rec resume_rec;

/* tap.c */
void tap_plan(void);
void tap_eq(const char *desc, int64_t got, int64_t want);
void tap_ok(const char *desc, bool cond, int64_t got, int64_t want);
/* A wait for the host: "# timeout" instead of got/want when it timed out. */
void tap_wait(const char *desc, bool timed_out, int64_t got, int64_t want);
void tap_skip(const char *reason);
unsigned int tap_count(void);
__attribute__((noreturn)) void tap_finish(void);
/* On vCPU 1 bail_out() and unexpected_exception() print nothing: they park
 * the vCPU and leave the value for vCPU 0 (smp.c: secondary_bail). */
__attribute__((noreturn)) void bail_out(const char *why, uint64_t value);
void unexpected_exception(uint64_t idx, uint64_t esr, uint64_t elr, uint64_t far);
void complete_refused(uint64_t unused, int64_t err);
uint64_t deadline_after(uint64_t seconds);
bool past(uint64_t deadline);
extern uint64_t boot_mpidr; /* set by main() */
bool on_boot_cpu(void);

/* main.c / platform.c */
struct hrec {
	volatile uint32_t count;
	uint64_t x[18];   /* handler entry registers */
	uint64_t ctx[18]; /* EVENT_CONTEXT(0..17) */
	int64_t ctx_bad;  /* EVENT_CONTEXT(18) */
	uint64_t pstate;  /* DAIF | CurrentEL | SPSel, all distinct bits */
	int64_t status;   /* EVENT_STATUS(own event) inside the handler */
	int64_t extra[6]; /* per-test call results */
	uint64_t mpidr;   /* MPIDR_EL1 of the vCPU the handler ran on */
};

#define ARG_EVENT0 0xA5A50000ull
#define ARG_100    0xA5A50100ull
#define ARG_200    0xA5A50200ull

void record_entry(struct hrec *r, const struct entry_frame *f, uint32_t event);
/* First index in [from, to) where a[i] != want(i), or -1. */
int64_t first_mismatch(const uint64_t *a, unsigned int from, unsigned int to,
                       uint64_t (*want)(unsigned int));
uint64_t want_sentinel2(unsigned int n);
void sdei_handler(struct entry_frame *f);
void platform_tests(uint64_t mpidr);
void platform_handler(struct entry_frame *f);
/* smp.c */
bool smp_handler(struct entry_frame *f); /* false: not one of smp.c's events */
void cpu1_sdei_handler(struct entry_frame *f);
void secondary_main(uint64_t context);
__attribute__((noreturn)) void secondary_bail(uint64_t value);
void smp_tests(uint64_t mpidr);
int main(void);

#endif
