/* A 16550A UART on MMIO (one byte per register): the guest console. */
#ifndef TERN_DEVICES_UART16550_H
#define TERN_DEVICES_UART16550_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/core/mmio_bus.h"

#define UART_RX_BUF 1024

struct uart16550 {
	pthread_mutex_t lock; /* vCPU threads (MMIO) and the main loop (input) */
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	int thr_ipending; /* the THR-empty interrupt is pending */
	uint8_t rx[UART_RX_BUF];
	size_t rx_head, rx_len;
	int irq_level;
	/* Called with the lock held when the transmitter sends a byte. */
	void (*tx)(void *ctx, uint8_t byte);
	/* Called with the lock held when the interrupt line changes. */
	void (*set_irq)(void *ctx, int level);
	void *ctx;
};

extern const struct mmio_ops uart16550_ops;

void uart16550_init(struct uart16550 *u, void (*tx)(void *, uint8_t), void (*set_irq)(void *, int),
                    void *ctx);
void uart16550_destroy(struct uart16550 *u);

/* Queues input for the guest; returns how many bytes fit (the rest should be
 * offered again later, nothing is dropped silently). */
size_t uart16550_receive(struct uart16550 *u, const uint8_t *buf, size_t len);

/* Room left in the receive buffer. */
size_t uart16550_rx_room(struct uart16550 *u);

#endif
