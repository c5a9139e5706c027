/* A scripted virtio-mmio driver for device tests: negotiates features and
 * sets up queues at the fake guest's ring addresses, as Linux would. */
#ifndef TERN_TESTS_VIRTIO_DRIVER_H
#define TERN_TESTS_VIRTIO_DRIVER_H

#include "devices/virtio_mmio.h"
#include "virtio_fake.h"

static inline uint32_t drv_read(struct virtio_mmio *vm, uint64_t off)
{
	return (uint32_t)virtio_mmio_ops.read(vm, off, 4);
}

static inline void drv_write(struct virtio_mmio *vm, uint64_t off, uint32_t v)
{
	virtio_mmio_ops.write(vm, off, v, 4);
}

static inline uint64_t drv_device_features(struct virtio_mmio *vm)
{
	drv_write(vm, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	uint64_t f = (uint64_t)drv_read(vm, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	drv_write(vm, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	return f | drv_read(vm, VIRTIO_MMIO_DEVICE_FEATURES);
}

/* Returns the status read back after FEATURES_OK. */
static inline uint32_t drv_negotiate(struct virtio_mmio *vm, uint64_t features)
{
	drv_write(vm, VIRTIO_MMIO_STATUS, 0);
	drv_write(vm, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	drv_write(vm, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	drv_write(vm, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	drv_write(vm, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	drv_write(vm, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	drv_write(vm, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	drv_write(vm, VIRTIO_MMIO_STATUS,
	          VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	return drv_read(vm, VIRTIO_MMIO_STATUS);
}

/* Queue qidx lives at the fake rings shifted by qidx * 0x20000. */
static inline void drv_queue(struct virtio_mmio *vm, unsigned qidx, unsigned num)
{
	uint64_t shift = 0x20000ull * qidx;
	drv_write(vm, VIRTIO_MMIO_QUEUE_SEL, qidx);
	drv_write(vm, VIRTIO_MMIO_QUEUE_NUM, num);
	drv_write(vm, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)(FAKE_DESC + shift));
	drv_write(vm, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)((FAKE_DESC + shift) >> 32));
	drv_write(vm, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)(FAKE_AVAIL + shift));
	drv_write(vm, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, 0);
	drv_write(vm, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)(FAKE_USED + shift));
	drv_write(vm, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 0);
	drv_write(vm, VIRTIO_MMIO_QUEUE_READY, 1);
}

static inline void drv_ok(struct virtio_mmio *vm)
{
	drv_write(vm, VIRTIO_MMIO_STATUS,
	          VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
	                  VIRTIO_STATUS_DRIVER_OK);
}

/* All of the above with every offered feature and nq queues of num. */
static inline void drv_start(struct virtio_mmio *vm, unsigned nq, unsigned num)
{
	drv_negotiate(vm, drv_device_features(vm));
	for (unsigned i = 0; i < nq; i++)
		drv_queue(vm, i, num);
	drv_ok(vm);
}

#endif
