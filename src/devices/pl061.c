#include "devices/pl061.h"

#include <string.h>

/* Register offsets (PL061 TRM). */
#define REG_DATA_END 0x400 /* 0x000-0x3fc: data, masked by address bits [9:2] */
#define REG_DIR      0x400
#define REG_IS       0x404
#define REG_IBE      0x408
#define REG_IEV      0x40c
#define REG_IE       0x410
#define REG_RIS      0x414
#define REG_MIS      0x418
#define REG_IC       0x41c
#define REG_AFSEL    0x420
#define REG_ID_BASE  0xfe0

/* PeriphID0-3 then PrimeCellID0-3: what the AMBA bus matches on. */
static const uint8_t pl061_id[8] = {0x61, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

static void update_irq(struct pl061 *g)
{
	/* Level-sensitive pins re-latch while their level holds. */
	for (unsigned pin = 0; pin < 8; pin++) {
		uint8_t m = (uint8_t)(1U << pin);
		if ((g->is & m) && !!(g->data & m) == !!(g->iev & m))
			g->ris |= m;
	}
	int level = (g->ris & g->ie) != 0;
	if (level != g->irq_level) {
		g->irq_level = level;
		if (g->set_irq)
			g->set_irq(g->ctx, level);
	}
}

static void set_input_locked(struct pl061 *g, unsigned pin, int level)
{
	uint8_t m = (uint8_t)(1U << pin);
	int old = !!(g->data & m);
	if (old == !!level || (g->dir & m))
		return; /* no change, or the guest drives this pin as an output */
	g->data = (uint8_t)(level ? (g->data | m) : (g->data & ~m));
	if (!(g->is & m)) { /* edge */
		int rising = level && !old;
		if ((g->ibe & m) || (!!(g->iev & m) == rising))
			g->ris |= m;
	}
	update_irq(g);
}

static uint64_t pl061_read(void *dev, uint64_t off, unsigned len)
{
	struct pl061 *g = dev;
	uint64_t v = 0;
	(void)len;
	pthread_mutex_lock(&g->lock);
	if (off < REG_DATA_END) {
		uint8_t pin = 1U << PL061_POWER_BUTTON_PIN;
		v = g->data & ((off >> 2) & 0xff);
		if (g->button_down && (v & pin)) {
			/* The guest saw the button down (gpio-keys reads the
			 * pin after the interrupt): now release it, which it
			 * sees as the key-up edge. */
			g->button_down = 0;
			set_input_locked(g, PL061_POWER_BUTTON_PIN, 0);
		}
	} else if (off >= REG_ID_BASE && off < REG_ID_BASE + 32 && !(off & 3))
		v = pl061_id[(off - REG_ID_BASE) >> 2];
	else
		switch (off) {
		case REG_DIR:
			v = g->dir;
			break;
		case REG_IS:
			v = g->is;
			break;
		case REG_IBE:
			v = g->ibe;
			break;
		case REG_IEV:
			v = g->iev;
			break;
		case REG_IE:
			v = g->ie;
			break;
		case REG_RIS:
			v = g->ris;
			break;
		case REG_MIS:
			v = g->ris & g->ie;
			break;
		case REG_AFSEL:
			v = g->afsel;
			break;
		default:
			break;
		}
	pthread_mutex_unlock(&g->lock);
	return v;
}

static void pl061_write(void *dev, uint64_t off, uint64_t value, unsigned len)
{
	struct pl061 *g = dev;
	uint8_t v = (uint8_t)value;
	(void)len;
	pthread_mutex_lock(&g->lock);
	if (off < REG_DATA_END) {
		/* Only output pins selected by the address mask take the value. */
		uint8_t mask = (uint8_t)((off >> 2) & g->dir);
		g->data = (uint8_t)((g->data & ~mask) | (v & mask));
	} else {
		switch (off) {
		case REG_DIR:
			g->dir = v;
			break;
		case REG_IS:
			g->is = v;
			break;
		case REG_IBE:
			g->ibe = v;
			break;
		case REG_IEV:
			g->iev = v;
			break;
		case REG_IE:
			g->ie = v;
			break;
		case REG_IC:
			g->ris &= (uint8_t)~v;
			break;
		case REG_AFSEL:
			g->afsel = v;
			break;
		default:
			break; /* RIS, MIS, IDs and the rest are read-only */
		}
	}
	update_irq(g);
	pthread_mutex_unlock(&g->lock);
}

const struct mmio_ops pl061_ops = {.read = pl061_read, .write = pl061_write};

void pl061_init(struct pl061 *g, void (*set_irq)(void *, int), void *ctx)
{
	memset(g, 0, sizeof(*g));
	pthread_mutex_init(&g->lock, NULL);
	g->set_irq = set_irq;
	g->ctx = ctx;
}

void pl061_destroy(struct pl061 *g)
{
	pthread_mutex_destroy(&g->lock);
}

void pl061_set_input(struct pl061 *g, unsigned pin, int level)
{
	if (pin >= 8)
		return;
	pthread_mutex_lock(&g->lock);
	set_input_locked(g, pin, level);
	pthread_mutex_unlock(&g->lock);
}

void pl061_press_power(struct pl061 *g)
{
	pthread_mutex_lock(&g->lock);
	g->button_down = 1;
	set_input_locked(g, PL061_POWER_BUTTON_PIN, 1);
	pthread_mutex_unlock(&g->lock);
}
