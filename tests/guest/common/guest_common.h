/* What every freestanding test guest needs (the SDEI conformance guest, the
 * hostile guest, the SDEI bench guest): the SMCCC call, barriers, system
 * register reads and the polled 16550 console at 0x09000000 (console.c).
 * Guests run at EL1h with the MMU off, so build with -mstrict-align. */
#ifndef TERN_GUEST_COMMON_H
#define TERN_GUEST_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One SMCCC call through HVC, arguments in x1..x5, result in x0. x4..x17
 * are declared clobbered as well, so a hypervisor bug corrupting them shows
 * up in a guest's register checks rather than as a crash; a handler may run
 * inside the call (an SDEI event dispatched right after it), hence "memory". */
static inline int64_t smccc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                            uint64_t a5)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;
	register uint64_t x4 __asm__("x4") = a4;
	register uint64_t x5 __asm__("x5") = a5;

	__asm__ volatile("hvc #0"
	                 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5)
	                 :
	                 : "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16",
	                   "x17", "memory");
	return (int64_t)x0;
}

/* Orders memory accesses for the compiler and for another vCPU. */
static inline void barrier(void)
{
	__asm__ volatile("dmb sy" ::: "memory");
}

#define read_sysreg(r)                                                                             \
	({                                                                                         \
		uint64_t v_;                                                                       \
		__asm__ volatile("mrs %0, " #r : "=r"(v_));                                        \
		v_;                                                                                \
	})

/* console.c: GCC may call these even in freestanding code. */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void uart_puts(const char *s);
void uart_hex(uint64_t v);
void uart_dec(int64_t v);
/* Small values (return codes, counts, indexes) in decimal, the rest in hex. */
void uart_val(int64_t v);

#endif
