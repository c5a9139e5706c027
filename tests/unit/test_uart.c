/* The 16550A model as the Linux 8250 driver drives it, and the MMIO bus. */
#include <errno.h>

#include "check.h"
#include "devices/uart16550.h"
#include "vmm/core/mmio_bus.h"

static char txbuf[64];
static size_t txlen;
static int irq_level, irq_changes;

static void tx(void *ctx, uint8_t b)
{
	(void)ctx;
	if (txlen < sizeof(txbuf))
		txbuf[txlen++] = (char)b;
}

static void set_irq(void *ctx, int level)
{
	(void)ctx;
	irq_level = level;
	irq_changes++;
}

static uint8_t rd(struct mmio_bus *bus, uint64_t addr)
{
	uint8_t v = 0xaa;
	CHECK_EQ(mmio_bus_access(bus, addr, &v, 1, 0), 0);
	return v;
}

static void wr(struct mmio_bus *bus, uint64_t addr, uint8_t v)
{
	CHECK_EQ(mmio_bus_access(bus, addr, &v, 1, 1), 0);
}

int main(void)
{
	static struct mmio_bus bus;
	static struct uart16550 u;
	const uint64_t B = 0x9000000;
	uart16550_init(&u, tx, set_irq, NULL);
	CHECK_EQ(mmio_bus_add(&bus, B, 0x1000, &uart16550_ops, &u), 0);
	CHECK_EQ(mmio_bus_add(&bus, B + 0x800, 0x1000, &uart16550_ops, &u), -EEXIST);
	CHECK_EQ(mmio_bus_add(&bus, B, 0, &uart16550_ops, &u), -EINVAL);

	/* Transmit: LSR says empty, THR bytes reach the host. */
	CHECK_EQ(rd(&bus, B + 5) & 0x60, 0x60);
	wr(&bus, B + 0, 'o');
	wr(&bus, B + 0, 'k');
	CHECK_EQ(txlen, 2);
	CHECK(memcmp(txbuf, "ok", 2) == 0);
	CHECK_EQ(irq_level, 0); /* no interrupts enabled yet */

	/* Divisor latch: DLL/DLM are separate from THR/IER. */
	wr(&bus, B + 3, 0x80);
	wr(&bus, B + 0, 0x01);
	wr(&bus, B + 1, 0x02);
	CHECK_EQ(rd(&bus, B + 0), 0x01);
	CHECK_EQ(rd(&bus, B + 1), 0x02);
	wr(&bus, B + 3, 0x03);
	CHECK_EQ(rd(&bus, B + 1), 0x00);
	CHECK_EQ(txlen, 2);

	/* Enabling THRI with THR empty raises it; reading IIR acknowledges. */
	wr(&bus, B + 1, 0x02);
	CHECK_EQ(irq_level, 1);
	CHECK_EQ(rd(&bus, B + 2) & 0x0f, 0x02);
	CHECK_EQ(irq_level, 0);
	CHECK_EQ(rd(&bus, B + 2) & 0x0f, 0x01);

	/* Receive: data ready, RDI has priority, bytes come out in order. */
	wr(&bus, B + 1, 0x01);
	const uint8_t in[] = "hi";
	CHECK_EQ(uart16550_receive(&u, in, 2), 2);
	CHECK_EQ(irq_level, 1);
	CHECK_EQ(rd(&bus, B + 2) & 0x0f, 0x04);
	CHECK_EQ(rd(&bus, B + 5) & 0x01, 1);
	CHECK_EQ(rd(&bus, B + 0), 'h');
	CHECK_EQ(rd(&bus, B + 0), 'i');
	CHECK_EQ(rd(&bus, B + 5) & 0x01, 0);
	CHECK_EQ(irq_level, 0);
	CHECK_EQ(rd(&bus, B + 0), 0); /* empty FIFO reads 0 */

	/* A full buffer takes what fits and reports it; nothing silently lost. */
	static uint8_t big[UART_RX_BUF + 10];
	memset(big, 'x', sizeof(big));
	CHECK_EQ(uart16550_receive(&u, big, sizeof(big)), UART_RX_BUF);
	CHECK_EQ(uart16550_rx_room(&u), 0);
	wr(&bus, B + 2, 0x07); /* FIFO enable + clear */
	CHECK_EQ(uart16550_rx_room(&u), UART_RX_BUF);
	CHECK_EQ(rd(&bus, B + 2) & 0xc0, 0xc0);

	/* Scratch register, loopback, and offsets beyond the 8 registers. */
	wr(&bus, B + 7, 0x5a);
	CHECK_EQ(rd(&bus, B + 7), 0x5a);
	wr(&bus, B + 4, 0x10);
	wr(&bus, B + 0, 'L');
	CHECK_EQ(rd(&bus, B + 0), 'L');
	CHECK_EQ(txlen, 2);
	wr(&bus, B + 4, 0x00);
	wr(&bus, B + 0xff0, 0x12);
	CHECK_EQ(rd(&bus, B + 0xff0), 0);

	/* Unmapped and odd-sized accesses are refused, reads give zero. */
	uint8_t d[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	CHECK_EQ(mmio_bus_access(&bus, 0x1000, d, 4, 0), -ENOENT);
	CHECK_EQ(d[0] | d[1] | d[2] | d[3], 0);
	CHECK_EQ(mmio_bus_access(&bus, B, d, 3, 0), -ENOENT);
	CHECK_EQ(mmio_bus_access(&bus, B + 0xffe, d, 4, 0), -ENOENT); /* straddles the end */
	CHECK_EQ(mmio_bus_access(&bus, UINT64_MAX - 2, d, 8, 1), -ENOENT);
	CHECK_EQ(bus.unhandled, 4);
	uart16550_destroy(&u);
	return check_summary("test_uart");
}
