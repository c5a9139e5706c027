#include "devices/uart16550.h"

#include <string.h>

/* Register offsets and bits of the 8250/16550 family. */
#define REG_RBR_THR 0 /* DLL when LCR.DLAB */
#define REG_IER     1 /* DLM when LCR.DLAB */
#define REG_IIR_FCR 2
#define REG_LCR     3
#define REG_MCR     4
#define REG_LSR     5
#define REG_MSR     6
#define REG_SCR     7

#define IER_RDI  0x01
#define IER_THRI 0x02
#define IER_MASK 0x0f

#define IIR_NO_INT 0x01
#define IIR_THRI   0x02
#define IIR_RDI    0x04
#define IIR_FIFO   0xc0

#define FCR_ENABLE   0x01
#define FCR_CLEAR_RX 0x02

#define LCR_DLAB 0x80

#define MCR_LOOP 0x10

#define LSR_DR   0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define MSR_DCD 0x80
#define MSR_DSR 0x20
#define MSR_CTS 0x10

static uint8_t iir_of(const struct uart16550 *u)
{
	uint8_t fifo = (u->fcr & FCR_ENABLE) ? IIR_FIFO : 0;
	if ((u->ier & IER_RDI) && u->rx_len)
		return IIR_RDI | fifo;
	if ((u->ier & IER_THRI) && u->thr_ipending)
		return IIR_THRI | fifo;
	return IIR_NO_INT | fifo;
}

static void update_irq(struct uart16550 *u)
{
	int level = !(iir_of(u) & IIR_NO_INT);
	if (level != u->irq_level) {
		u->irq_level = level;
		if (u->set_irq)
			u->set_irq(u->ctx, level);
	}
}

static void rx_push(struct uart16550 *u, uint8_t b)
{
	if (u->rx_len == UART_RX_BUF)
		return;
	u->rx[(u->rx_head + u->rx_len) % UART_RX_BUF] = b;
	u->rx_len++;
}

static uint64_t uart_read(void *dev, uint64_t off, unsigned len)
{
	struct uart16550 *u = dev;
	uint8_t v = 0;
	pthread_mutex_lock(&u->lock);
	switch (off) {
	case REG_RBR_THR:
		if (u->lcr & LCR_DLAB) {
			v = u->dll;
		} else if (u->rx_len) {
			v = u->rx[u->rx_head];
			u->rx_head = (u->rx_head + 1) % UART_RX_BUF;
			u->rx_len--;
		}
		break;
	case REG_IER:
		v = (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
		break;
	case REG_IIR_FCR:
		v = iir_of(u);
		/* Reading IIR acknowledges a THR-empty interrupt. */
		if ((v & 0x0f) == IIR_THRI)
			u->thr_ipending = 0;
		break;
	case REG_LCR:
		v = u->lcr;
		break;
	case REG_MCR:
		v = u->mcr;
		break;
	case REG_LSR:
		v = LSR_THRE | LSR_TEMT | (u->rx_len ? LSR_DR : 0);
		break;
	case REG_MSR:
		/* Modem lines: always ready, or looped back from MCR. */
		if (u->mcr & MCR_LOOP)
			v = (uint8_t)(((u->mcr & 0x0c) << 4) | ((u->mcr & 0x03) << 4));
		else
			v = MSR_DCD | MSR_DSR | MSR_CTS;
		break;
	case REG_SCR:
		v = u->scr;
		break;
	default:
		break; /* beyond the 8 registers: reads as zero */
	}
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
	(void)len;
	return v;
}

static void uart_write(void *dev, uint64_t off, uint64_t value, unsigned len)
{
	struct uart16550 *u = dev;
	uint8_t v = (uint8_t)value;
	pthread_mutex_lock(&u->lock);
	switch (off) {
	case REG_RBR_THR:
		if (u->lcr & LCR_DLAB) {
			u->dll = v;
		} else if (u->mcr & MCR_LOOP) {
			rx_push(u, v);
			u->thr_ipending = 1;
		} else {
			if (u->tx)
				u->tx(u->ctx, v);
			/* Transmission is instant: THR is empty again at once. */
			u->thr_ipending = 1;
		}
		break;
	case REG_IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = v;
		} else {
			/* Enabling THRI while THR is empty raises it, as real parts do;
			 * Linux relies on this to probe for broken UARTs. */
			if (!(u->ier & IER_THRI) && (v & IER_THRI))
				u->thr_ipending = 1;
			u->ier = v & IER_MASK;
		}
		break;
	case REG_IIR_FCR:
		if (v & FCR_CLEAR_RX) {
			u->rx_head = 0;
			u->rx_len = 0;
		}
		u->fcr = v & 0xc9;
		break;
	case REG_LCR:
		u->lcr = v;
		break;
	case REG_MCR:
		u->mcr = v & 0x1f;
		break;
	case REG_SCR:
		u->scr = v;
		break;
	default:
		break; /* LSR and MSR are read-only */
	}
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
	(void)len;
}

const struct mmio_ops uart16550_ops = {.read = uart_read, .write = uart_write};

void uart16550_init(struct uart16550 *u, void (*tx)(void *, uint8_t), void (*set_irq)(void *, int),
                    void *ctx)
{
	memset(u, 0, sizeof(*u));
	pthread_mutex_init(&u->lock, NULL);
	u->tx = tx;
	u->set_irq = set_irq;
	u->ctx = ctx;
}

void uart16550_destroy(struct uart16550 *u)
{
	pthread_mutex_destroy(&u->lock);
}

size_t uart16550_rx_room(struct uart16550 *u)
{
	pthread_mutex_lock(&u->lock);
	size_t room = UART_RX_BUF - u->rx_len;
	pthread_mutex_unlock(&u->lock);
	return room;
}

size_t uart16550_receive(struct uart16550 *u, const uint8_t *buf, size_t len)
{
	pthread_mutex_lock(&u->lock);
	size_t n = 0;
	while (n < len && u->rx_len < UART_RX_BUF)
		rx_push(u, buf[n++]);
	update_irq(u);
	pthread_mutex_unlock(&u->lock);
	return n;
}
