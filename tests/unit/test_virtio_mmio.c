/* virtio-mmio v2 register semantics with a stub device: identification,
 * feature negotiation (VERSION_1 required), queue limits, reset, interrupts,
 * notifications and config space bounds. */
#include "check.h"
#include "virtio_driver.h"

#define NUM 8

static int resets, notified[4], cb_notified[4], irq_level;
static uint8_t cfg[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

static uint64_t stub_features(void *dev)
{
	return (1ull << 3) | (1ull << VIRTIO_RING_F_EVENT_IDX);
}

static void stub_cfg_read(void *dev, uint32_t off, uint8_t *data, unsigned len)
{
	memcpy(data, cfg + off, len);
}

static void stub_cfg_write(void *dev, uint32_t off, const uint8_t *data, unsigned len)
{
	memcpy(cfg + off, data, len);
}

static void stub_notify(void *dev, unsigned q)
{
	notified[q]++;
}

static void stub_reset(void *dev)
{
	resets++;
}

static void cb_notify(void *ctx, unsigned q)
{
	cb_notified[q]++;
}

static void set_irq(void *ctx, int level)
{
	irq_level = level;
}

static const struct virtio_dev_ops stub_ops = {
        .device_id = 42,
        .num_queues = 2,
        .queue_max = 16,
        .features = stub_features,
        .config_read = stub_cfg_read,
        .config_write = stub_cfg_write,
        .config_size = sizeof(cfg),
        .queue_notify = stub_notify,
        .reset = stub_reset,
};

static void test_ident(struct virtio_mmio *vm)
{
	CHECK_EQ(drv_read(vm, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	CHECK_EQ(drv_read(vm, VIRTIO_MMIO_VERSION), 2);
	CHECK_EQ(drv_read(vm, VIRTIO_MMIO_DEVICE_ID), 42);
	CHECK_EQ(drv_read(vm, VIRTIO_MMIO_VENDOR_ID), VIRTIO_MMIO_VENDOR);
	CHECK_EQ(drv_read(vm, VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffffu);
	/* Registers only answer aligned 32-bit accesses. */
	CHECK_EQ(virtio_mmio_ops.read(vm, VIRTIO_MMIO_MAGIC_VALUE, 1), 0);
	CHECK_EQ(virtio_mmio_ops.read(vm, VIRTIO_MMIO_MAGIC_VALUE + 2, 4), 0);
	uint64_t f = drv_device_features(vm);
	CHECK_EQ_U64(f, (1ull << 3) | (1ull << VIRTIO_RING_F_EVENT_IDX) |
	                        (1ull << VIRTIO_F_VERSION_1));
	drv_write(vm, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	CHECK_EQ(drv_read(vm, VIRTIO_MMIO_DEVICE_FEATURES), 0);
}

static void test_negotiation(struct virtio_mmio *vm)
{
	/* A legacy driver (no VERSION_1) is refused. */
	uint32_t s = drv_negotiate(vm, 1ull << 3);
	CHECK_EQ(s & VIRTIO_STATUS_FEATURES_OK, 0);
	/* So is one asking for what was not offered. */
	s = drv_negotiate(vm, (1ull << VIRTIO_F_VERSION_1) | (1ull << 4));
	CHECK_EQ(s & VIRTIO_STATUS_FEATURES_OK, 0);
	/* DRIVER_OK without FEATURES_OK does not take. */
	drv_ok(vm);
	CHECK_EQ(drv_read(vm, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DRIVER_OK, 0);

	s = drv_negotiate(vm, (1ull << VIRTIO_F_VERSION_1) | (1ull << 3));
	CHECK(s & VIRTIO_STATUS_FEATURES_OK);
	CHECK(virtio_mmio_has_feature(vm, 3));
	CHECK(!virtio_mmio_has_feature(vm, VIRTIO_RING_F_EVENT_IDX));
	/* Features are frozen after FEATURES_OK. */
	drv_write(vm, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	drv_write(vm, VIRTIO_MMIO_DRIVER_FEATURES, 1u << VIRTIO_RING_F_EVENT_IDX);
	CHECK(!virtio_mmio_has_feature(vm, VIRTIO_RING_F_EVENT_IDX));
	CHECK(virtio_mmio_has_feature(vm, 3));
}

static void test_queues(struct virtio_mmio *vm, struct fake_guest *g)
{
	drv_negotiate(vm, 1ull << VIRTIO_F_VERSION_1);
	drv_write(vm, VIRTIO_MMIO_QUEUE_SEL, 0);
	CHECK_EQ(drv_read(vm, VIRTIO_MMIO_QUEUE_NUM_MAX), 16);
	drv_write(vm, VIRTIO_MMIO_QUEUE_SEL, 2);
	CHECK_EQ(drv_read(vm, VIRTIO_MMIO_QUEUE_NUM_MAX), 0); /* no such queue */
	drv_write(vm, VIRTIO_MMIO_QUEUE_READY, 1);
	CHECK_EQ(drv_read(vm, VIRTIO_MMIO_QUEUE_READY), 0);

	/* Larger than QueueNumMax, or not a power of two: refused, and the
	 * device asks for a reset. */
	drv_queue(vm, 0, 32);
	CHECK_EQ(drv_read(vm, VIRTIO_MMIO_QUEUE_READY), 0);
	CHECK(drv_read(vm, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
	drv_negotiate(vm, 1ull << VIRTIO_F_VERSION_1);
	CHECK_EQ(drv_read(vm, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET, 0);
	drv_queue(vm, 0, 12);
	CHECK_EQ(drv_read(vm, VIRTIO_MMIO_QUEUE_READY), 0);
	drv_negotiate(vm, 1ull << VIRTIO_F_VERSION_1);

	/* Rings outside guest RAM are refused too. */
	drv_write(vm, VIRTIO_MMIO_QUEUE_SEL, 1);
	drv_write(vm, VIRTIO_MMIO_QUEUE_NUM, NUM);
	drv_write(vm, VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1000);
	drv_write(vm, VIRTIO_MMIO_QUEUE_READY, 1);
	CHECK_EQ(drv_read(vm, VIRTIO_MMIO_QUEUE_READY), 0);
	drv_negotiate(vm, 1ull << VIRTIO_F_VERSION_1);

	drv_queue(vm, 0, NUM);
	CHECK_EQ(drv_read(vm, VIRTIO_MMIO_QUEUE_READY), 1);
	CHECK_EQ(drv_read(vm, VIRTIO_MMIO_QUEUE_DESC_LOW), (uint32_t)FAKE_DESC);
	/* Queue registers are frozen while the queue is live. */
	drv_write(vm, VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1234);
	drv_write(vm, VIRTIO_MMIO_QUEUE_NUM, 4);
	CHECK_EQ(drv_read(vm, VIRTIO_MMIO_QUEUE_DESC_LOW), (uint32_t)FAKE_DESC);
	CHECK_EQ(vm->q[0].num, NUM);
	/* Not handed out before DRIVER_OK. */
	CHECK(virtio_mmio_queue(vm, 0) == NULL);
	drv_ok(vm);
	CHECK(virtio_mmio_queue(vm, 0) != NULL);
	CHECK(virtio_mmio_queue(vm, 1) == NULL); /* never enabled */
	CHECK(virtio_mmio_queue(vm, 7) == NULL);

	/* QueueReady = 0 disables it. */
	drv_write(vm, VIRTIO_MMIO_QUEUE_SEL, 0);
	drv_write(vm, VIRTIO_MMIO_QUEUE_READY, 0);
	CHECK(virtio_mmio_queue(vm, 0) == NULL);
	drv_write(vm, VIRTIO_MMIO_QUEUE_READY, 1);
	CHECK(virtio_mmio_queue(vm, 0) != NULL);

	/* Reset clears queues, features, status and calls the device. */
	int before = resets;
	drv_write(vm, VIRTIO_MMIO_STATUS, 0);
	CHECK_EQ(resets, before + 1);
	CHECK_EQ(drv_read(vm, VIRTIO_MMIO_STATUS), 0);
	CHECK_EQ(drv_read(vm, VIRTIO_MMIO_QUEUE_READY), 0);
	CHECK_EQ(drv_read(vm, VIRTIO_MMIO_QUEUE_DESC_LOW), 0);
	CHECK_EQ(vm->driver_features, 0);
	CHECK(virtio_mmio_queue(vm, 0) == NULL);
	(void)g;
}

static void test_interrupts_and_notify(struct virtio_mmio *vm)
{
	memset(notified, 0, sizeof(notified));
	drv_start(vm, 2, NUM);
	CHECK_EQ(notified[0], 1); /* DRIVER_OK looks at every queue */
	CHECK_EQ(notified[1], 1);
	drv_write(vm, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	CHECK_EQ(notified[1], 2);
	drv_write(vm, VIRTIO_MMIO_QUEUE_NOTIFY, 5); /* no such queue */
	CHECK_EQ(notified[0] + notified[1], 3);

	virtio_mmio_interrupt(vm, VIRTIO_MMIO_INT_VRING);
	CHECK_EQ(irq_level, 1);
	virtio_mmio_config_changed(vm);
	CHECK_EQ(drv_read(vm, VIRTIO_MMIO_INTERRUPT_STATUS), 3);
	CHECK_EQ(drv_read(vm, VIRTIO_MMIO_CONFIG_GENERATION), 1);
	drv_write(vm, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	CHECK_EQ(irq_level, 1);
	drv_write(vm, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	CHECK_EQ(irq_level, 0);
	virtio_mmio_interrupt(vm, VIRTIO_MMIO_INT_VRING);
	drv_write(vm, VIRTIO_MMIO_STATUS, 0); /* reset lowers the line */
	CHECK_EQ(irq_level, 0);
	CHECK_EQ(drv_read(vm, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
}

static void test_config(struct virtio_mmio *vm)
{
	CHECK_EQ(virtio_mmio_ops.read(vm, VIRTIO_MMIO_CONFIG + 1, 1), 2);
	CHECK_EQ(virtio_mmio_ops.read(vm, VIRTIO_MMIO_CONFIG + 2, 2), 0x0403);
	CHECK_EQ_U64(virtio_mmio_ops.read(vm, VIRTIO_MMIO_CONFIG + 4, 8), 0x0c0b0a0908070605ull);
	/* Partly or wholly past the end: zero, and writes go nowhere. */
	CHECK_EQ(virtio_mmio_ops.read(vm, VIRTIO_MMIO_CONFIG + 10, 4), 0);
	CHECK_EQ(virtio_mmio_ops.read(vm, VIRTIO_MMIO_SIZE - 4, 4), 0);
	CHECK_EQ(virtio_mmio_ops.read(vm, 0xffffffffffffff00ull, 4), 0);
	virtio_mmio_ops.write(vm, VIRTIO_MMIO_CONFIG + 10, 0xffffffff, 4);
	CHECK_EQ(cfg[10], 11);
	virtio_mmio_ops.write(vm, VIRTIO_MMIO_CONFIG, 0xaa, 1);
	CHECK_EQ(cfg[0], 0xaa);
}

int main(void)
{
	struct fake_guest g;
	struct virtio_mmio vm;
	fake_init(&g, NUM);

	virtio_mmio_init(&vm, &stub_ops, NULL, &g.mem, set_irq, NULL, NULL);
	test_ident(&vm);
	test_negotiation(&vm);
	test_queues(&vm, &g);
	test_interrupts_and_notify(&vm);
	test_config(&vm);
	virtio_mmio_destroy(&vm);

	/* With a notify callback, QueueNotify goes there instead (ioeventfd
	 * style) and the device is not run on the vCPU thread. */
	memset(notified, 0, sizeof(notified));
	virtio_mmio_init(&vm, &stub_ops, NULL, &g.mem, set_irq, cb_notify, NULL);
	drv_start(&vm, 2, NUM);
	drv_write(&vm, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CHECK_EQ(cb_notified[0], 2);
	CHECK_EQ(notified[0], 0);
	virtio_mmio_destroy(&vm);

	fake_free(&g);
	return check_summary("virtio_mmio");
}
