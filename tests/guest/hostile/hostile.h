/* The hostile guest: a freestanding arm64 program that behaves as a
 * malicious guest would (random MMIO everywhere, virtio rings full of junk,
 * wild SDEI and PSCI calls) and checks that tern answers each abuse with an
 * error code instead of crashing. vCPU 0 runs everything, at EL1h with the
 * MMU off (Device memory: -mstrict-align) and DAIF masked. */
#ifndef TERN_GUEST_HOSTILE_H
#define TERN_GUEST_HOSTILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest_common.h"

#ifndef HOSTILE_SEED
#define HOSTILE_SEED 0x7e44a5c0ffee1234ull
#endif

#define RAM_BASE 0x40000000ull

#define UART_BASE   0x09000000ull
#define GPIO_BASE   0x09030000ull
#define VIRTIO_BASE 0x0a000000ull
#define VIRTIO_SLOT 0x200ull
#define WINDOW_SIZE 0x1000ull

#define PSCI_CPU_ON        0xC4000003u
#define PSCI_AFFINITY_INFO 0xC4000004u
#define PSCI_SYSTEM_OFF    0x84000008u

/* Operations done so far: every MMIO access and every hypercall. */
extern uint64_t ops;
/* First byte past guest RAM (derived from where the device tree was put). */
extern uint64_t ram_end;

/* A hypercall with six argument registers; returns x0. Counted in ops. */
static inline int64_t hvc6(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                           uint64_t a5)
{
	ops++;
	return smccc(fn, a1, a2, a3, a4, a5);
}

/* MMIO accesses of an exact size, with single-register loads and stores
 * without writeback, so that KVM always has a valid syndrome to hand to
 * userspace. */
uint64_t mmio_read(uint64_t addr, unsigned size);
void mmio_write(uint64_t addr, unsigned size, uint64_t v);
static inline uint32_t rd32(uint64_t addr)
{
	return (uint32_t)mmio_read(addr, 4);
}
static inline void wr32(uint64_t addr, uint32_t v)
{
	mmio_write(addr, 4, v);
}

/* console.c */
/* The fixed-seed PRNG (xorshift64*): the same seed, the same run. */
void rng_seed(uint64_t seed);
uint64_t rnd(void);
uint64_t rnd_below(uint64_t n);
/* A value a fuzzer would like: 0, 1, all ones, powers of two, addresses of
 * RAM, MMIO and nothing, or plain random bits. */
uint64_t rnd_interesting(void);
/* TAP lines (the plan comes last: `1..N`). */
void check(const char *desc, bool ok, int64_t got, int64_t want);
unsigned int checks_failed(void);
void tap_done(void);
uint64_t deadline_after_ms(uint64_t ms);
bool past(uint64_t deadline);
__attribute__((noreturn)) void power_off(void);
void guest_exception(uint64_t idx, uint64_t esr, uint64_t elr, uint64_t far);

/* virtio.c */
void virtio_phase(void);

int main(uint64_t fdt);

#endif
