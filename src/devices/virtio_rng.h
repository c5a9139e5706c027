/* virtio-rng (entropy device): fills the guest's writable buffers from
 * getrandom(). */
#ifndef TERN_DEVICES_VIRTIO_RNG_H
#define TERN_DEVICES_VIRTIO_RNG_H

#include "devices/virtio_mmio.h"

#define VIRTIO_RNG_QUEUE_SIZE 64
/* Bytes served per request at most, so one greedy request cannot keep the
 * I/O thread busy; the driver simply asks again. */
#define VIRTIO_RNG_MAX_REQUEST 65536

struct virtio_rng {
	struct virtio_mmio vm; /* register with virtio_mmio_ops and &rng->vm */
	struct virtq_chain chain;
};

void virtio_rng_init(struct virtio_rng *r, const struct guest_mem *mem,
                     void (*set_irq)(void *, int), void (*notify)(void *, unsigned), void *ctx);
void virtio_rng_destroy(struct virtio_rng *r);

/* Serves every available request on queue qidx (0); I/O thread. */
void virtio_rng_process_queue(struct virtio_rng *r, unsigned qidx);

#endif
