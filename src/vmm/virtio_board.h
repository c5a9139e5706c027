/* tern's virtio-mmio devices on the board: disks, network, rng. Queue
 * notifications arrive as ioeventfds on the main thread's event loop, which
 * does all device work; vCPU threads only touch registers. */
#ifndef TERN_VMM_VIRTIO_BOARD_H
#define TERN_VMM_VIRTIO_BOARD_H

#include <stdint.h>

#include "devices/virtio_mmio.h"
#include "vmm/core/config.h"
#include "vmm/core/evloop.h"

#define VIRTIO_BOARD_MAX    (CONFIG_MAX_DISKS + CONFIG_MAX_NETS + 1)
#define VIRTIO_BOARD_QUEUES 2

struct vm;
struct virtio_slot;

struct virtio_queue_fd {
	struct ev_handler h; /* the queue's ioeventfd */
	struct virtio_slot *slot;
	unsigned qidx;
};

enum virtio_kind { VIRTIO_KIND_BLK, VIRTIO_KIND_NET, VIRTIO_KIND_RNG };

struct virtio_slot {
	struct vm *vm;
	enum virtio_kind kind;
	void *dev; /* struct virtio_blk/net/rng */
	struct virtio_mmio *transport;
	uint64_t base;
	unsigned spi;
	int fd; /* disk image or tap, owned here */
	struct virtio_queue_fd q[VIRTIO_BOARD_QUEUES];
	unsigned nq;
	struct ev_handler tap_h; /* net: the tap is readable */
	/* Interrupt: an irqfd in resample mode (a level interrupt the guest's
	 * EOI lowers), or -1 for KVM_IRQ_LINE when the host lacks it. */
	int irqfd;
	struct ev_handler resample_h;
	int tap_polled;
	char name[40]; /* for messages: "disk0 (path)" */
};

struct virtio_board {
	struct virtio_slot slot[VIRTIO_BOARD_MAX];
	unsigned n;
	struct evloop *loop;
};

/* Opens the backends and creates the devices (on the MMIO bus, with
 * ioeventfds). Returns 0 or a negative errno after logging why. */
int virtio_board_create(struct vm *vm, struct evloop *loop);
void virtio_board_destroy(struct vm *vm);

#endif
