#include "devices/virtio_rng.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

static uint64_t rng_features(void *dev)
{
	return (1ull << VIRTIO_RING_F_INDIRECT_DESC) | (1ull << VIRTIO_RING_F_EVENT_IDX);
}

static void rng_notify(void *dev, unsigned qidx)
{
	virtio_rng_process_queue(dev, qidx);
}

static const struct virtio_dev_ops rng_ops = {
        .device_id = VIRTIO_ID_RNG,
        .num_queues = 1,
        .queue_max = VIRTIO_RNG_QUEUE_SIZE,
        .features = rng_features,
        .queue_notify = rng_notify,
};

/* Fills the writable part of c; returns the bytes written. */
static uint32_t fill(const struct virtq_chain *c)
{
	size_t total = 0;
	for (unsigned i = c->n_out; i < c->n_out + c->n_in; i++) {
		uint8_t *p = c->iov[i].iov_base;
		size_t len = c->iov[i].iov_len;
		if (len > VIRTIO_RNG_MAX_REQUEST - total)
			len = VIRTIO_RNG_MAX_REQUEST - total;
		size_t done = 0;
		while (done < len) {
			ssize_t n = getrandom(p + done, len - done, 0);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return (uint32_t)(total + done); /* report what is real */
			done += (size_t)n;
		}
		total += done;
		if (total == VIRTIO_RNG_MAX_REQUEST)
			break;
	}
	return (uint32_t)total;
}

void virtio_rng_process_queue(struct virtio_rng *r, unsigned qidx)
{
	pthread_mutex_lock(&r->vm.lock);
	struct virtq *q = virtio_mmio_queue(&r->vm, qidx);
	if (q) {
		int err;
		while ((err = virtq_pop(q, &r->chain)) > 0)
			virtq_push(q, r->chain.head, fill(&r->chain));
		if (err < 0)
			virtio_mmio_queue_error(&r->vm, qidx, err);
		virtio_mmio_signal_used(&r->vm, q);
	}
	pthread_mutex_unlock(&r->vm.lock);
}

void virtio_rng_init(struct virtio_rng *r, const struct guest_mem *mem,
                     void (*set_irq)(void *, int), void (*notify)(void *, unsigned), void *ctx)
{
	memset(r, 0, sizeof(*r));
	virtio_mmio_init(&r->vm, &rng_ops, r, mem, set_irq, notify, ctx);
}

void virtio_rng_destroy(struct virtio_rng *r)
{
	virtio_mmio_destroy(&r->vm);
}
