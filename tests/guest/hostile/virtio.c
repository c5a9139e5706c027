/* Phase 2: a malicious virtio driver. For every virtio-mmio device found in
 * the first eight slots: queues placed outside RAM or with impossible sizes
 * (QueueReady must then leave the device in NEEDS_RESET), and rounds of
 * rings in RAM with broken descriptor chains (loops, huge lengths, addresses
 * outside RAM, indirect tables inside indirect tables, next out of range,
 * avail idx jumps, heads out of range), each kicked repeatedly; the device
 * must report NEEDS_RESET (with a config interrupt) within a deadline. Then
 * rounds of random junk, where only survival counts. Every round ends with
 * a device reset, which must clear the status.
 *
 * What the device may touch in RAM: data descriptors in RAM point only into
 * this device's junk buffer (addr + len inside it); every byte there has
 * bit 7 set (refilled each round), so a virtio-blk request header read from
 * it can never be a valid type (OUT is 1): junk never writes the disk. */
#include "hostile.h"

#define REG_MAGIC         0x000
#define REG_VERSION       0x004
#define REG_DEVICE_ID     0x008
#define REG_DEV_FEAT      0x010
#define REG_DEV_FEAT_SEL  0x014
#define REG_DRV_FEAT      0x020
#define REG_DRV_FEAT_SEL  0x024
#define REG_QUEUE_SEL     0x030
#define REG_QUEUE_NUM_MAX 0x034
#define REG_QUEUE_NUM     0x038
#define REG_QUEUE_READY   0x044
#define REG_QUEUE_NOTIFY  0x050
#define REG_ISR           0x060
#define REG_ISR_ACK       0x064
#define REG_STATUS        0x070
#define REG_DESC_LO       0x080
#define REG_DESC_HI       0x084
#define REG_DRIVER_LO     0x090
#define REG_DRIVER_HI     0x094
#define REG_DEVICE_LO     0x0a0
#define REG_DEVICE_HI     0x0a4

#define ST_ACK         0x01
#define ST_DRIVER      0x02
#define ST_DRIVER_OK   0x04
#define ST_FEATURES_OK 0x08
#define ST_NEEDS_RESET 0x40

#define F_NEXT     1
#define F_WRITE    2
#define F_INDIRECT 4

#define FEAT_INDIRECT  28
#define FEAT_EVENT_IDX 29

#define QMAX      256 /* the largest queue this guest sets up */
#define JUNK_SIZE 0x2000
#define IND_MAX   64 /* descriptors in the indirect table */

#ifndef CRAFTED_PASSES
#define CRAFTED_PASSES 5
#endif
#ifndef RANDOM_ROUNDS
#define RANDOM_ROUNDS 60
#endif
#define NEEDS_RESET_MS 5000

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

/* One device at a time uses the rings; each device has its own junk. */
static struct desc ring_desc[QMAX] __attribute__((aligned(4096)));
static struct desc ind_table[IND_MAX] __attribute__((aligned(4096)));
static volatile uint16_t ring_avail[3 + QMAX] __attribute__((aligned(4096)));
static volatile uint32_t ring_used[2 + 2 * QMAX + 1] __attribute__((aligned(4096)));
static uint64_t junk[8][JUNK_SIZE / 8] __attribute__((aligned(4096)));

enum kind {
	K_IDX_JUMP,
	K_LOOP,
	K_NEXT_RANGE,
	K_HUGE_LEN,
	K_OUTSIDE_RAM,
	K_NESTED_INDIRECT,
	K_HEAD_RANGE,
	K_READ_AFTER_WRITE,
	K_INDIRECT_NEXT,
	K_INDIRECT_LEN,
	K_INDIRECT_NEXT_RANGE,
	K_CRAFTED,
};

static const char *const kind_name[K_CRAFTED] = {
        "avail idx jumping past the queue size",
        "a descriptor loop",
        "next out of range",
        "a 4 GiB length",
        "a buffer outside RAM",
        "an indirect table inside an indirect table",
        "an avail head out of range",
        "a readable descriptor after a writable one",
        "INDIRECT together with NEXT",
        "an indirect table of a length not a multiple of 16",
        "next out of range inside an indirect table",
};

static char namebuf[160];

static void nb_add(unsigned *n, const char *s)
{
	while (*s && *n + 1 < sizeof(namebuf))
		namebuf[(*n)++] = *s++;
	namebuf[*n] = 0;
}

static const char *dev_label(uint32_t id)
{
	return id == 2   ? "virtio-blk"
	       : id == 4 ? "virtio-rng"
	       : id == 1 ? "virtio-net"
	                 : "virtio-?";
}

/* "<device>: <what>" in namebuf. */
static const char *name2(uint32_t id, const char *what)
{
	unsigned n = 0;
	nb_add(&n, dev_label(id));
	nb_add(&n, ": ");
	nb_add(&n, what);
	return namebuf;
}

struct dev {
	uint64_t base;
	uint32_t id;
	uint32_t qmax;
	uint64_t feat;
	uint64_t *junk;
	unsigned slot;
};

static void reg_w(const struct dev *d, uint64_t off, uint32_t v)
{
	wr32(d->base + off, v);
}

static uint32_t reg_r(const struct dev *d, uint64_t off)
{
	return rd32(d->base + off);
}

static void put_addr(const struct dev *d, uint64_t lo, uint64_t a)
{
	reg_w(d, lo, (uint32_t)a);
	reg_w(d, lo + 4, (uint32_t)(a >> 32));
}

/* Resets the device; true if it then reads status 0. */
static bool dev_reset(const struct dev *d)
{
	reg_w(d, REG_STATUS, 0);
	return reg_r(d, REG_STATUS) == 0;
}

/* ACKNOWLEDGE, DRIVER, features (VERSION_1 plus, at random, INDIRECT_DESC
 * and EVENT_IDX if offered), FEATURES_OK. Returns the status read back. */
static uint32_t negotiate(const struct dev *d, uint64_t *features)
{
	uint64_t want = 1ull << 32;
	if ((d->feat >> FEAT_INDIRECT) & 1 && rnd_below(4))
		want |= 1ull << FEAT_INDIRECT;
	if ((d->feat >> FEAT_EVENT_IDX) & 1 && rnd_below(2))
		want |= 1ull << FEAT_EVENT_IDX;
	reg_w(d, REG_STATUS, ST_ACK);
	reg_w(d, REG_STATUS, ST_ACK | ST_DRIVER);
	reg_w(d, REG_DRV_FEAT_SEL, 0);
	reg_w(d, REG_DRV_FEAT, (uint32_t)want);
	reg_w(d, REG_DRV_FEAT_SEL, 1);
	reg_w(d, REG_DRV_FEAT, (uint32_t)(want >> 32));
	reg_w(d, REG_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK);
	*features = want;
	return reg_r(d, REG_STATUS);
}

static void place_queue(const struct dev *d, unsigned num, uint64_t desc, uint64_t avail,
                        uint64_t used)
{
	reg_w(d, REG_QUEUE_SEL, 0);
	reg_w(d, REG_QUEUE_NUM, num);
	put_addr(d, REG_DESC_LO, desc);
	put_addr(d, REG_DRIVER_LO, avail);
	put_addr(d, REG_DEVICE_LO, used);
	reg_w(d, REG_QUEUE_READY, 1);
}

static bool wait_needs_reset(const struct dev *d)
{
	uint64_t end = deadline_after_ms(NEEDS_RESET_MS);
	for (;;) {
		if (reg_r(d, REG_STATUS) & ST_NEEDS_RESET)
			return true;
		if (past(end))
			return false;
	}
}

/* Queue placements no device can accept: QueueReady must fail and leave
 * NEEDS_RESET (synchronously: the register write does the check). */
static void bad_placements(const struct dev *d)
{
	static const char *const what[] = {
	        "rings at 0x0 set NEEDS_RESET at QueueReady",
	        "rings at 0xfffffffffffff000 set NEEDS_RESET at QueueReady",
	        "rings straddling the end of RAM set NEEDS_RESET at QueueReady",
	        "a queue size of 3 sets NEEDS_RESET at QueueReady",
	        "a queue size above QueueNumMax sets NEEDS_RESET at QueueReady",
	        "a misaligned descriptor table sets NEEDS_RESET at QueueReady",
	};
	uint64_t ram_desc = (uint64_t)(uintptr_t)ring_desc;
	uint64_t ram_avail = (uint64_t)(uintptr_t)ring_avail;
	uint64_t ram_used = (uint64_t)(uintptr_t)ring_used;
	uint64_t f;

	for (unsigned i = 0; i < sizeof(what) / sizeof(what[0]); i++) {
		bool reset_ok = dev_reset(d);
		uint32_t st = negotiate(d, &f);
		unsigned num = 16;
		uint64_t de = ram_desc, av = ram_avail, us = ram_used;
		switch (i) {
		case 0:
			de = av = us = 0;
			break;
		case 1:
			de = av = us = 0xfffffffffffff000ull;
			break;
		case 2:
			de = ram_end - 64; /* 16 descriptors need 256 bytes */
			break;
		case 3:
			num = 3;
			break;
		case 4:
			num = d->qmax * 2;
			break;
		default:
			de = ram_desc + 8;
			break;
		}
		place_queue(d, num, de, av, us);
		uint32_t ready = reg_r(d, REG_QUEUE_READY);
		uint32_t after = reg_r(d, REG_STATUS);
		check(name2(d->id, what[i]),
		      reset_ok && (st & ST_FEATURES_OK) && (after & ST_NEEDS_RESET) && ready == 0,
		      after, (st & 0xff) | ST_NEEDS_RESET);
		/* A kick and DRIVER_OK on the broken queue: nothing happens. */
		reg_w(d, REG_QUEUE_NOTIFY, 0);
		reg_w(d, REG_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK);
		reg_w(d, REG_QUEUE_NOTIFY, 0);
	}
	bool reset_ok = dev_reset(d);
	check(name2(d->id, "reset clears NEEDS_RESET"), reset_ok, reg_r(d, REG_STATUS), 0);

	/* Features the device never offered: FEATURES_OK must not stick. */
	reg_w(d, REG_STATUS, ST_ACK | ST_DRIVER);
	reg_w(d, REG_DRV_FEAT_SEL, 1);
	reg_w(d, REG_DRV_FEAT, 0xffffffffu);
	reg_w(d, REG_DRV_FEAT_SEL, 0);
	reg_w(d, REG_DRV_FEAT, 0xffffffffu);
	reg_w(d, REG_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK);
	uint32_t st = reg_r(d, REG_STATUS);
	check(name2(d->id, "FEATURES_OK refused for features never offered"),
	      !(st & ST_FEATURES_OK), st, ST_ACK | ST_DRIVER);
	(void)dev_reset(d);
}

static void fill_junk(const struct dev *d)
{
	for (unsigned i = 0; i < JUNK_SIZE / 8; i++)
		d->junk[i] = rnd() | 0x8080808080808080ull;
}

/* An address outside RAM, and (in *len) a length to go with it. */
static uint64_t outside_ram(uint32_t *len)
{
	*len = 1 + (uint32_t)rnd_below(4096);
	switch (rnd_below(5)) {
	case 0:
		return 0;
	case 1:
		return UART_BASE;
	case 2:
		return ram_end + rnd_below(1ull << 30);
	case 3:
		return 0xfffffffffffff000ull;
	default:
		*len = 16 + (uint32_t)rnd_below(64); /* straddles the end of RAM */
		return ram_end - 8;
	}
}

/* A data buffer: inside the junk buffer (addr + len inside it), outside
 * RAM, or starting in the junk with a length that runs past the end of
 * RAM. */
static void random_buffer(const struct dev *d, struct desc *e)
{
	uint64_t j = (uint64_t)(uintptr_t)d->junk;
	switch (rnd_below(4)) {
	case 0:
	case 1: {
		uint64_t off = rnd_below(JUNK_SIZE);
		e->addr = j + off;
		e->len = (uint32_t)rnd_below(JUNK_SIZE - off + 1);
		break;
	}
	case 2:
		e->addr = outside_ram(&e->len);
		break;
	default:
		e->addr = j + rnd_below(JUNK_SIZE);
		e->len = (uint32_t)(ram_end - e->addr) + 1 + (uint32_t)rnd_below(1u << 31);
		break;
	}
}

static void random_desc(const struct dev *d, struct desc *e, unsigned num, bool in_table)
{
	random_buffer(d, e);
	e->flags = (uint16_t)rnd_below(8);
	if (rnd_below(8) == 0)
		e->flags |= (uint16_t)rnd();
	e->next = (uint16_t)(rnd_below(4) ? rnd_below(num) : rnd());
	if (e->flags & F_INDIRECT && !in_table && rnd_below(2)) {
		e->addr = (uint64_t)(uintptr_t)ind_table;
		e->len = 16 * (1 + (uint32_t)rnd_below(IND_MAX));
		if (rnd_below(4) == 0)
			e->len += (uint32_t)rnd_below(16);
	}
}

static void junk_buffer(const struct dev *d, struct desc *e, uint16_t flags, uint16_t next)
{
	e->addr = (uint64_t)(uintptr_t)d->junk + 16 * rnd_below(JUNK_SIZE / 32);
	e->len = 16;
	e->flags = flags;
	e->next = next;
}

/* Fills the rings for one round of kind k (K_CRAFTED and up: random). */
static void build_round(const struct dev *d, enum kind k, unsigned num)
{
	uint64_t ind = (uint64_t)(uintptr_t)ind_table;

	fill_junk(d);
	for (unsigned i = 0; i < num; i++)
		random_desc(d, &ring_desc[i], num, false);
	for (unsigned i = 0; i < IND_MAX; i++)
		random_desc(d, &ind_table[i], IND_MAX, true);
	for (unsigned i = 0; i < 2 + 2 * QMAX + 1; i++)
		ring_used[i] = 0;
	ring_avail[0] = (uint16_t)rnd_below(2); /* flags: NO_INTERRUPT or not */
	uint16_t idx = (uint16_t)(1 + rnd_below(num));
	for (unsigned i = 0; i < num; i++)
		ring_avail[2 + i] = (uint16_t)rnd_below(num);
	ring_avail[2] = 0; /* the crafted chain starts at descriptor 0 */

	switch (k) {
	case K_IDX_JUMP:
		idx = (uint16_t)(num + 1 + rnd_below(60000));
		break;
	case K_LOOP:
		for (unsigned i = 0; i < num; i++)
			junk_buffer(d, &ring_desc[i], F_NEXT, (uint16_t)((i + 1) % num));
		break;
	case K_NEXT_RANGE:
		junk_buffer(d, &ring_desc[0], F_NEXT, (uint16_t)(num + rnd_below(65536 - num)));
		break;
	case K_HUGE_LEN:
		junk_buffer(d, &ring_desc[0], 0, 0);
		ring_desc[0].len = 0xffffffffu;
		break;
	case K_OUTSIDE_RAM:
		ring_desc[0].addr = outside_ram(&ring_desc[0].len);
		ring_desc[0].flags = (uint16_t)(rnd_below(2) ? F_WRITE : 0);
		break;
	case K_NESTED_INDIRECT:
		ring_desc[0] = (struct desc){ind, 16 * 4, F_INDIRECT, 0};
		junk_buffer(d, &ind_table[0], F_NEXT, 1);
		ind_table[1] = (struct desc){ind, 16 * IND_MAX, F_INDIRECT, 0};
		break;
	case K_HEAD_RANGE:
		ring_avail[2] = (uint16_t)(num + rnd_below(65536 - num));
		break;
	case K_READ_AFTER_WRITE:
		if (num < 2) {
			idx = (uint16_t)(num + 1);
			break;
		}
		junk_buffer(d, &ring_desc[0], F_WRITE | F_NEXT, 1);
		junk_buffer(d, &ring_desc[1], 0, 0);
		break;
	case K_INDIRECT_NEXT:
		ring_desc[0] = (struct desc){ind, 16 * 4, F_INDIRECT | F_NEXT, 0};
		break;
	case K_INDIRECT_LEN:
		ring_desc[0] =
		        (struct desc){ind, rnd_below(2) ? 0 : 16 * 2 + 1 + (uint32_t)rnd_below(15),
		                      F_INDIRECT, 0};
		break;
	case K_INDIRECT_NEXT_RANGE:
		ring_desc[0] = (struct desc){ind, 16 * 2, F_INDIRECT, 0};
		junk_buffer(d, &ind_table[0], F_NEXT, (uint16_t)(2 + rnd_below(1000)));
		break;
	default:
		idx = (uint16_t)(rnd_below(4) ? 1 + rnd_below(num) : rnd());
		break;
	}
	barrier();
	ring_avail[1] = idx;
	barrier();
}

/* One round: negotiate, place valid rings, fill them with kind k, kick
 * (before or after DRIVER_OK), kick again. Returns whether NEEDS_RESET was
 * seen (waiting for it only when want_reset), and in *cfg_irq whether the
 * interrupt status had the config bit with it. */
static bool round_once(const struct dev *d, enum kind k, bool want_reset, bool *cfg_irq,
                       bool *reset_ok)
{
	uint64_t f;
	unsigned num = 1u << rnd_below(9);
	if (num > d->qmax)
		num = d->qmax;
	if (num > QMAX)
		num = QMAX;

	*reset_ok = dev_reset(d);
	(void)negotiate(d, &f);
	build_round(d, k, num);
	place_queue(d, num, (uint64_t)(uintptr_t)ring_desc, (uint64_t)(uintptr_t)ring_avail,
	            (uint64_t)(uintptr_t)ring_used);
	bool early = rnd_below(3) == 0;
	if (early)
		reg_w(d, REG_QUEUE_NOTIFY, 0);
	/* Queue registers are frozen once live: these must change nothing. */
	reg_w(d, REG_QUEUE_NUM, (uint32_t)rnd());
	put_addr(d, REG_DESC_LO, rnd_interesting());
	reg_w(d, REG_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK);
	unsigned kicks = 1 + (unsigned)rnd_below(6);
	for (unsigned i = 0; i < kicks; i++) {
		/* Mostly queue 0, sometimes queues that do not exist. */
		reg_w(d, REG_QUEUE_NOTIFY, rnd_below(4) ? 0 : (uint32_t)rnd());
		if (k >= K_CRAFTED && rnd_below(2)) {
			ring_avail[1] = (uint16_t)(ring_avail[1] + rnd_below(num + 2));
			barrier();
		}
	}
	bool seen;
	if (want_reset)
		seen = wait_needs_reset(d);
	else
		seen = (reg_r(d, REG_STATUS) & ST_NEEDS_RESET) != 0;
	*cfg_irq = (reg_r(d, REG_ISR) & 2) != 0;
	reg_w(d, REG_ISR_ACK, reg_r(d, REG_ISR));
	/* Kicks after NEEDS_RESET are ignored. */
	reg_w(d, REG_QUEUE_NOTIFY, 0);
	reg_w(d, REG_QUEUE_NOTIFY, 0);
	return seen;
}

static void rounds(const struct dev *d)
{
	for (unsigned k = 0; k < K_CRAFTED; k++) {
		unsigned seen = 0, irq = 0, resets = 0;
		for (unsigned p = 0; p < CRAFTED_PASSES; p++) {
			bool cfg, reset_ok;
			if (round_once(d, (enum kind)k, true, &cfg, &reset_ok))
				seen++;
			irq += cfg;
			resets += reset_ok;
		}
		unsigned n = 0;
		nb_add(&n, dev_label(d->id));
		nb_add(&n, ": ");
		nb_add(&n, kind_name[k]);
		nb_add(&n, " sets NEEDS_RESET with a config interrupt");
		check(namebuf,
		      seen == CRAFTED_PASSES && irq == CRAFTED_PASSES && resets == CRAFTED_PASSES,
		      (int64_t)(seen * 100 + irq * 10 + resets), CRAFTED_PASSES * 111);
	}
	unsigned seen = 0, resets = 0;
	for (unsigned r = 0; r < RANDOM_ROUNDS; r++) {
		bool cfg, reset_ok;
		seen += round_once(d, K_CRAFTED, false, &cfg, &reset_ok);
		resets += reset_ok;
	}
	bool reset_ok = dev_reset(d);
	uart_puts("# hostile: ");
	uart_puts(dev_label(d->id));
	uart_puts(": ");
	uart_dec(RANDOM_ROUNDS);
	uart_puts(" rounds of random rings, NEEDS_RESET seen right after ");
	uart_dec(seen);
	uart_puts("\n");
	check(name2(d->id, "every reset after a random round reads status 0"),
	      reset_ok && resets == RANDOM_ROUNDS, resets, RANDOM_ROUNDS);
}

void virtio_phase(void)
{
	struct dev devs[8];
	unsigned n = 0;

	for (unsigned s = 0; s < 8; s++) {
		struct dev *d = &devs[n];
		d->base = VIRTIO_BASE + s * VIRTIO_SLOT;
		d->slot = s;
		if (reg_r(d, REG_MAGIC) != 0x74726976 || reg_r(d, REG_VERSION) != 2)
			continue;
		d->id = reg_r(d, REG_DEVICE_ID);
		if (d->id == 0)
			continue;
		reg_w(d, REG_DEV_FEAT_SEL, 0);
		d->feat = reg_r(d, REG_DEV_FEAT);
		reg_w(d, REG_DEV_FEAT_SEL, 1);
		d->feat |= (uint64_t)reg_r(d, REG_DEV_FEAT) << 32;
		reg_w(d, REG_QUEUE_SEL, 0);
		d->qmax = reg_r(d, REG_QUEUE_NUM_MAX);
		d->junk = junk[s];
		uart_puts("# hostile: slot ");
		uart_dec(s);
		uart_puts(": ");
		uart_puts(dev_label(d->id));
		uart_puts(", features ");
		uart_hex(d->feat);
		uart_puts(", QueueNumMax ");
		uart_dec(d->qmax);
		uart_puts("\n");
		n++;
	}
	bool have_blk = false, have_rng = false;
	for (unsigned i = 0; i < n; i++) {
		have_blk |= devs[i].id == 2;
		have_rng |= devs[i].id == 4;
	}
	check("a virtio-blk and a virtio-rng device are present", have_blk && have_rng, (int64_t)n,
	      2);
	for (unsigned i = 0; i < n; i++) {
		if (devs[i].qmax == 0)
			continue;
		/* The net device would send junk to a tap: leave it alone. */
		if (devs[i].id != 2 && devs[i].id != 4)
			continue;
		bad_placements(&devs[i]);
		rounds(&devs[i]);
	}
}
