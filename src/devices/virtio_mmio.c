#include "devices/virtio_mmio.h"

#include <errno.h>
#include <string.h>

#include "vmm/core/log.h"

#define STATUS_DRIVER_BITS                                                                         \
	(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |            \
	 VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_FAILED)

static struct ratelimit guest_rl = RATELIMIT_INIT(5000, 10);

static const char *dev_name(const struct virtio_mmio *vm)
{
	switch (vm->ops->device_id) {
	case VIRTIO_ID_NET:
		return "net";
	case VIRTIO_ID_BLK:
		return "blk";
	case VIRTIO_ID_RNG:
		return "rng";
	default:
		return "?";
	}
}

static unsigned num_queues(const struct virtio_mmio *vm)
{
	unsigned n = vm->ops->num_queues;
	return n < VIRTIO_MMIO_MAX_QUEUES ? n : VIRTIO_MMIO_MAX_QUEUES;
}

static uint64_t device_features(const struct virtio_mmio *vm)
{
	return vm->ops->features(vm->dev) | (1ull << VIRTIO_F_VERSION_1);
}

int virtio_mmio_has_feature(const struct virtio_mmio *vm, unsigned bit)
{
	return bit < 64 && (vm->driver_features >> bit) & 1;
}

static void update_line(struct virtio_mmio *vm)
{
	int level = vm->isr != 0;
	if (level != vm->irq_level) {
		vm->irq_level = level;
		if (vm->set_irq)
			vm->set_irq(vm->ctx, level);
	}
}

void virtio_mmio_interrupt(struct virtio_mmio *vm, uint32_t bits)
{
	pthread_mutex_lock(&vm->irq_lock);
	vm->isr |= bits;
	update_line(vm);
	pthread_mutex_unlock(&vm->irq_lock);
}

void virtio_mmio_signal_used(struct virtio_mmio *vm, struct virtq *q)
{
	if (virtq_should_signal(q))
		virtio_mmio_interrupt(vm, VIRTIO_MMIO_INT_VRING);
}

void virtio_mmio_needs_reset(struct virtio_mmio *vm)
{
	if (vm->status & VIRTIO_STATUS_NEEDS_RESET)
		return;
	vm->status |= VIRTIO_STATUS_NEEDS_RESET;
	/* Only drivers past DRIVER_OK expect a config interrupt. */
	if (vm->status & VIRTIO_STATUS_DRIVER_OK)
		virtio_mmio_interrupt(vm, VIRTIO_MMIO_INT_CONFIG);
}

void virtio_mmio_config_changed(struct virtio_mmio *vm)
{
	vm->config_generation++;
	if (vm->status & VIRTIO_STATUS_DRIVER_OK)
		virtio_mmio_interrupt(vm, VIRTIO_MMIO_INT_CONFIG);
}

void virtio_mmio_queue_error(struct virtio_mmio *vm, unsigned qidx, int err)
{
	if (ratelimit_allow(&guest_rl))
		log_warn("virtio-%s: queue %u: guest broke the ring rules (%s); device needs reset",
		         dev_name(vm), qidx, strerror(-err));
	virtio_mmio_needs_reset(vm);
}

struct virtq *virtio_mmio_queue(struct virtio_mmio *vm, unsigned qidx)
{
	if (qidx >= num_queues(vm) || !vm->q[qidx].ready)
		return NULL;
	if ((vm->status & (VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_NEEDS_RESET)) !=
	    VIRTIO_STATUS_DRIVER_OK)
		return NULL;
	return &vm->q[qidx].vq;
}

static void device_reset(struct virtio_mmio *vm)
{
	vm->status = 0;
	vm->dev_features_sel = vm->drv_features_sel = vm->queue_sel = 0;
	vm->driver_features = 0;
	for (unsigned i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++) {
		memset(&vm->q[i], 0, sizeof(vm->q[i]));
		virtq_reset(&vm->q[i].vq);
	}
	pthread_mutex_lock(&vm->irq_lock);
	vm->isr = 0;
	update_line(vm);
	pthread_mutex_unlock(&vm->irq_lock);
	if (vm->ops->reset)
		vm->ops->reset(vm->dev);
}

static int features_acceptable(const struct virtio_mmio *vm)
{
	uint64_t drv = vm->driver_features;
	/* tern has no legacy interface: a driver must speak virtio 1.x. */
	if (!(drv & (1ull << VIRTIO_F_VERSION_1)))
		return 0;
	return (drv & ~device_features(vm)) == 0;
}

static struct virtio_mmio_queue *selected(struct virtio_mmio *vm)
{
	return vm->queue_sel < num_queues(vm) ? &vm->q[vm->queue_sel] : NULL;
}

static uint64_t config_access(struct virtio_mmio *vm, uint64_t off, uint8_t *buf, unsigned len,
                              int is_write)
{
	uint64_t coff = off - VIRTIO_MMIO_CONFIG;
	if (coff > vm->ops->config_size || len > vm->ops->config_size - coff)
		return 0;
	if (is_write) {
		if (vm->ops->config_write)
			vm->ops->config_write(vm->dev, (uint32_t)coff, buf, len);
	} else if (vm->ops->config_read) {
		vm->ops->config_read(vm->dev, (uint32_t)coff, buf, len);
	}
	return 0;
}

static uint32_t reg_read(struct virtio_mmio *vm, uint64_t off)
{
	struct virtio_mmio_queue *q = selected(vm);
	uint64_t f;

	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return 2;
	case VIRTIO_MMIO_DEVICE_ID:
		return vm->ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		f = device_features(vm);
		if (vm->dev_features_sel > 1)
			return 0;
		return (uint32_t)(f >> (32 * vm->dev_features_sel));
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return q ? vm->ops->queue_max : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return q ? (uint32_t)q->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		pthread_mutex_lock(&vm->irq_lock);
		f = vm->isr;
		pthread_mutex_unlock(&vm->irq_lock);
		return (uint32_t)f;
	case VIRTIO_MMIO_STATUS:
		return vm->status;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
		return q ? (uint32_t)q->desc : 0;
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		return q ? (uint32_t)(q->desc >> 32) : 0;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
		return q ? (uint32_t)q->driver : 0;
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
		return q ? (uint32_t)(q->driver >> 32) : 0;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
		return q ? (uint32_t)q->device : 0;
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		return q ? (uint32_t)(q->device >> 32) : 0;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
		return 0xffffffffu; /* no shared memory regions */
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return vm->config_generation;
	default:
		return 0;
	}
}

static void set_half(uint64_t *reg, int high, uint32_t v)
{
	if (high)
		*reg = (*reg & 0xffffffffull) | ((uint64_t)v << 32);
	else
		*reg = (*reg & ~0xffffffffull) | v;
}

static void queue_ready_write(struct virtio_mmio *vm, struct virtio_mmio_queue *q, uint32_t v)
{
	if (!v) {
		q->ready = 0;
		virtq_reset(&q->vq);
		return;
	}
	if (q->ready || !(vm->status & VIRTIO_STATUS_FEATURES_OK))
		return;
	int r = virtq_setup(&q->vq, vm->mem, q->num, vm->ops->queue_max, q->desc, q->driver,
	                    q->device, vm->driver_features);
	if (r) {
		virtio_mmio_queue_error(vm, vm->queue_sel, r);
		return;
	}
	q->ready = 1;
}

static void status_write(struct virtio_mmio *vm, uint32_t v)
{
	if (v == 0) {
		device_reset(vm);
		return;
	}
	uint32_t s = v & STATUS_DRIVER_BITS;
	/* Refusing FEATURES_OK is how a device says no: the driver reads the
	 * status back and gives up. */
	if ((s & VIRTIO_STATUS_FEATURES_OK) && !(vm->status & VIRTIO_STATUS_FEATURES_OK) &&
	    !features_acceptable(vm))
		s &= ~(uint32_t)VIRTIO_STATUS_FEATURES_OK;
	if (!(s & VIRTIO_STATUS_FEATURES_OK))
		s &= ~(uint32_t)VIRTIO_STATUS_DRIVER_OK;
	vm->status = s | (vm->status & VIRTIO_STATUS_NEEDS_RESET);
}

/* Returns a queue index to notify after the lock is dropped, or -1. */
static int reg_write(struct virtio_mmio *vm, uint64_t off, uint32_t v)
{
	struct virtio_mmio_queue *q = selected(vm);
	/* Queue registers are frozen while the queue is live. */
	struct virtio_mmio_queue *wq = q && !q->ready ? q : NULL;
	int was_ok = !!(vm->status & VIRTIO_STATUS_DRIVER_OK);

	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		vm->dev_features_sel = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		vm->drv_features_sel = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (!(vm->status & VIRTIO_STATUS_FEATURES_OK) && vm->drv_features_sel <= 1)
			set_half(&vm->driver_features, vm->drv_features_sel == 1, v);
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		vm->queue_sel = v;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
		if (wq)
			wq->num = v;
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		if (q)
			queue_ready_write(vm, q, v);
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		v &= 0xffff;
		return v < num_queues(vm) ? (int)v : -1;
	case VIRTIO_MMIO_STATUS:
		status_write(vm, v);
		/* Drivers may queue buffers (and kick) before DRIVER_OK, when
		 * the device must not look: look now. */
		if (!was_ok && (vm->status & VIRTIO_STATUS_DRIVER_OK))
			return (int)VIRTIO_MMIO_MAX_QUEUES;
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		if (wq)
			set_half(&wq->desc, off == VIRTIO_MMIO_QUEUE_DESC_HIGH, v);
		break;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
		if (wq)
			set_half(&wq->driver, off == VIRTIO_MMIO_QUEUE_DRIVER_HIGH, v);
		break;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		if (wq)
			set_half(&wq->device, off == VIRTIO_MMIO_QUEUE_DEVICE_HIGH, v);
		break;
	default:
		break; /* read-only or unknown: ignored */
	}
	return -1;
}

static void dispatch_notify(struct virtio_mmio *vm, unsigned qidx)
{
	if (vm->notify)
		vm->notify(vm->ctx, qidx);
	else if (vm->ops->queue_notify)
		vm->ops->queue_notify(vm->dev, qidx);
}

static void bad_access(struct virtio_mmio *vm, uint64_t off, unsigned len)
{
	if (ratelimit_allow(&guest_rl))
		log_warn("virtio-%s: ignored %u-byte access at register 0x%llx", dev_name(vm), len,
		         (unsigned long long)off);
}

static uint64_t vm_read(void *opaque, uint64_t off, unsigned len)
{
	struct virtio_mmio *vm = opaque;
	uint8_t buf[8] = {0};
	uint64_t v = 0;

	pthread_mutex_lock(&vm->lock);
	if (off >= VIRTIO_MMIO_CONFIG) {
		if (len <= 8) {
			config_access(vm, off, buf, len, 0);
			for (unsigned i = 0; i < len; i++)
				v |= (uint64_t)buf[i] << (8 * i);
		}
	} else if (len == 4 && off % 4 == 0) {
		v = reg_read(vm, off);
	} else {
		bad_access(vm, off, len);
	}
	pthread_mutex_unlock(&vm->lock);
	return v;
}

static void vm_write(void *opaque, uint64_t off, uint64_t value, unsigned len)
{
	struct virtio_mmio *vm = opaque;
	int notify = -1;

	if (off == VIRTIO_MMIO_INTERRUPT_ACK && len == 4) {
		/* Needs only irq_lock: never waits behind queue processing. */
		pthread_mutex_lock(&vm->irq_lock);
		vm->isr &= ~(uint32_t)value;
		update_line(vm);
		pthread_mutex_unlock(&vm->irq_lock);
		return;
	}
	pthread_mutex_lock(&vm->lock);
	if (off >= VIRTIO_MMIO_CONFIG) {
		uint8_t buf[8];
		if (len <= 8) {
			for (unsigned i = 0; i < len; i++)
				buf[i] = (uint8_t)(value >> (8 * i));
			config_access(vm, off, buf, len, 1);
		}
	} else if (len == 4 && off % 4 == 0) {
		notify = reg_write(vm, off, (uint32_t)value);
	} else {
		bad_access(vm, off, len);
	}
	pthread_mutex_unlock(&vm->lock);

	if (notify == VIRTIO_MMIO_MAX_QUEUES) {
		for (unsigned i = 0; i < num_queues(vm); i++)
			dispatch_notify(vm, i);
	} else if (notify >= 0) {
		dispatch_notify(vm, (unsigned)notify);
	}
}

const struct mmio_ops virtio_mmio_ops = {.read = vm_read, .write = vm_write};

void virtio_mmio_init(struct virtio_mmio *vm, const struct virtio_dev_ops *ops, void *dev,
                      const struct guest_mem *mem, void (*set_irq)(void *, int),
                      void (*notify)(void *, unsigned), void *ctx)
{
	memset(vm, 0, sizeof(*vm));
	pthread_mutex_init(&vm->lock, NULL);
	pthread_mutex_init(&vm->irq_lock, NULL);
	vm->ops = ops;
	vm->dev = dev;
	/* The register file has room for this many; a device asking for more
	 * is a tern bug, caught by the tests. */
	if (ops->num_queues > VIRTIO_MMIO_MAX_QUEUES || ops->queue_max > VIRTQ_MAX_SIZE)
		log_error("virtio-%s: device asks for too many or too large queues", dev_name(vm));
	vm->mem = mem;
	vm->set_irq = set_irq;
	vm->notify = notify;
	vm->ctx = ctx;
}

void virtio_mmio_destroy(struct virtio_mmio *vm)
{
	pthread_mutex_destroy(&vm->irq_lock);
	pthread_mutex_destroy(&vm->lock);
}
