/* The virtio-mmio transport, version 2 (virtio 1.x, no legacy): the
 * register file a driver uses to negotiate features and place queues. Each
 * device (blk, net, rng) embeds one and supplies a virtio_dev_ops.
 *
 * Threads: register accesses come from vCPU threads; queue processing runs
 * on the I/O thread. `lock` covers the registers, the queues and whatever
 * the device does with them; `irq_lock` only the interrupt status and line,
 * so a guest acknowledging an interrupt never waits for disk I/O. */
#ifndef TERN_DEVICES_VIRTIO_MMIO_H
#define TERN_DEVICES_VIRTIO_MMIO_H

#include <pthread.h>
#include <stdint.h>

#include "devices/virtq.h"
#include "vmm/core/guest_mem.h"
#include "vmm/core/mmio_bus.h"

#define VIRTIO_MMIO_SIZE  0x200
#define VIRTIO_MMIO_MAGIC 0x74726976 /* "virt" */

/* Register offsets. */
#define VIRTIO_MMIO_MAGIC_VALUE         0x000
#define VIRTIO_MMIO_VERSION             0x004
#define VIRTIO_MMIO_DEVICE_ID           0x008
#define VIRTIO_MMIO_VENDOR_ID           0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES     0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES     0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL           0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX       0x034
#define VIRTIO_MMIO_QUEUE_NUM           0x038
#define VIRTIO_MMIO_QUEUE_READY         0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY        0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS    0x060
#define VIRTIO_MMIO_INTERRUPT_ACK       0x064
#define VIRTIO_MMIO_STATUS              0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW      0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH     0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW    0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH   0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW    0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH   0x0a4
#define VIRTIO_MMIO_SHM_SEL             0x0ac
#define VIRTIO_MMIO_SHM_LEN_LOW         0x0b0
#define VIRTIO_MMIO_SHM_LEN_HIGH        0x0b4
#define VIRTIO_MMIO_SHM_BASE_LOW        0x0b8
#define VIRTIO_MMIO_SHM_BASE_HIGH       0x0bc
#define VIRTIO_MMIO_CONFIG_GENERATION   0x0fc
#define VIRTIO_MMIO_CONFIG              0x100

#define VIRTIO_MMIO_INT_VRING  1
#define VIRTIO_MMIO_INT_CONFIG 2

/* Device status bits. */
#define VIRTIO_STATUS_ACKNOWLEDGE 0x01
#define VIRTIO_STATUS_DRIVER      0x02
#define VIRTIO_STATUS_DRIVER_OK   0x04
#define VIRTIO_STATUS_FEATURES_OK 0x08
#define VIRTIO_STATUS_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED      0x80

#define VIRTIO_F_VERSION_1 32

#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLK 2
#define VIRTIO_ID_RNG 4

#define VIRTIO_MMIO_VENDOR     0x6e726574 /* "tern" */
#define VIRTIO_MMIO_MAX_QUEUES 4

struct virtio_mmio;

struct virtio_dev_ops {
	uint32_t device_id;
	unsigned num_queues;
	unsigned queue_max; /* QueueNumMax for every queue, <= VIRTQ_MAX_SIZE */
	/* Features offered (VERSION_1 is added by the transport). */
	uint64_t (*features)(void *dev);
	/* Config space accesses; off + len never exceeds config_size. */
	void (*config_read)(void *dev, uint32_t off, uint8_t *data, unsigned len);
	void (*config_write)(void *dev, uint32_t off, const uint8_t *data, unsigned len);
	uint32_t config_size;
	/* A queue has work. Called without the transport lock held, from
	 * whichever thread saw the notification. */
	void (*queue_notify)(void *dev, unsigned qidx);
	/* The driver reset the device; called with the lock held. */
	void (*reset)(void *dev);
};

struct virtio_mmio_queue {
	uint32_t num;
	int ready;
	uint64_t desc, driver, device;
	struct virtq vq;
};

struct virtio_mmio {
	pthread_mutex_t lock;
	pthread_mutex_t irq_lock;
	const struct virtio_dev_ops *ops;
	void *dev;
	const struct guest_mem *mem;

	uint32_t status;
	uint32_t dev_features_sel, drv_features_sel, queue_sel;
	uint64_t driver_features;
	uint32_t config_generation;
	struct virtio_mmio_queue q[VIRTIO_MMIO_MAX_QUEUES];

	uint32_t isr; /* under irq_lock */
	int irq_level;

	/* Interrupt line: level = (interrupt status != 0). Called with
	 * irq_lock held; must not call back into the transport. */
	void (*set_irq)(void *ctx, int level);
	/* QueueNotify written by the guest. NULL runs ops->queue_notify on the
	 * vCPU thread; an integrator with an I/O thread passes a callback
	 * that wakes it (or routes QueueNotify to an ioeventfd instead). */
	void (*notify)(void *ctx, unsigned qidx);
	void *ctx;
};

extern const struct mmio_ops virtio_mmio_ops;

void virtio_mmio_init(struct virtio_mmio *vm, const struct virtio_dev_ops *ops, void *dev,
                      const struct guest_mem *mem, void (*set_irq)(void *, int),
                      void (*notify)(void *, unsigned), void *ctx);
void virtio_mmio_destroy(struct virtio_mmio *vm);

/* The queue qidx when the driver finished setting the device up (DRIVER_OK,
 * no NEEDS_RESET) and enabled it, else NULL. Call with vm->lock held. */
struct virtq *virtio_mmio_queue(struct virtio_mmio *vm, unsigned qidx);

/* Whether the driver negotiated feature bit `bit`. */
int virtio_mmio_has_feature(const struct virtio_mmio *vm, unsigned bit);

/* Sets interrupt status bits (VIRTIO_MMIO_INT_*) and raises the line. */
void virtio_mmio_interrupt(struct virtio_mmio *vm, uint32_t bits);

/* After pushing used buffers on queue q: interrupts if the driver wants. */
void virtio_mmio_signal_used(struct virtio_mmio *vm, struct virtq *q);

/* The guest broke the rules: NEEDS_RESET plus a config interrupt; the
 * device stops processing until the driver resets it. Lock held. */
void virtio_mmio_needs_reset(struct virtio_mmio *vm);

/* The device changed its config space: new generation, config interrupt. */
void virtio_mmio_config_changed(struct virtio_mmio *vm);

/* What a device does with a virtq_pop() error: NEEDS_RESET plus a
 * rate-limited log line naming the device. Lock held. */
void virtio_mmio_queue_error(struct virtio_mmio *vm, unsigned qidx, int err);

#endif
