/* virtio-net on a tap file descriptor the integrator opened (IFF_TAP |
 * IFF_NO_PI | IFF_VNET_HDR, non-blocking). No offloads are offered (no
 * CSUM, no TSO, no MRG_RXBUF): the guest sends and receives plain frames
 * behind a 12-byte virtio_net_hdr_v1 that tern always sets to "nothing to
 * do". virtio_net_init() sets the tap's vnet header size to 12 and turns
 * its offloads off, so the kernel hands over finished frames.
 *
 * Queue 0 is RX, queue 1 TX. Both are served on the I/O thread. */
#ifndef TERN_DEVICES_VIRTIO_NET_H
#define TERN_DEVICES_VIRTIO_NET_H

#include <stdint.h>

#include "devices/virtio_mmio.h"

#define VIRTIO_NET_F_MAC 5

#define VIRTIO_NET_HDR_BYTES  12
#define VIRTIO_NET_QUEUE_SIZE 256
#define VIRTIO_NET_RXQ        0
#define VIRTIO_NET_TXQ        1
/* Largest frame accepted from the guest: 64 KiB plus an Ethernet header. */
#define VIRTIO_NET_MAX_FRAME (65536 + 14)
/* Packets moved per call before yielding to the rest of the event loop. */
#define VIRTIO_NET_BUDGET 256

struct virtio_net {
	struct virtio_mmio vm; /* register with virtio_mmio_ops and &net->vm */
	int tap_fd;            /* owned by the caller */
	uint8_t mac[6];
	int rx_stalled; /* the guest had no RX buffers last time */
	/* The guest added RX buffers after a stall: poll the tap again.
	 * Called without the lock, from the thread that processed queue 0. */
	void (*rx_resume)(void *ctx);
	uint64_t rx_packets, tx_packets, rx_dropped, tx_dropped;
	struct virtq_chain chain;
	struct iovec iov[VIRTQ_CHAIN_MAX + 1];
};

/* Returns 0, or a negative errno when fd is a tap that refuses the 12-byte
 * header (other descriptors, such as a socket in tests, are taken as is). */
int virtio_net_init(struct virtio_net *n, const struct guest_mem *mem, int tap_fd,
                    const uint8_t mac[6], void (*set_irq)(void *, int),
                    void (*notify)(void *, unsigned), void (*rx_resume)(void *), void *ctx);
void virtio_net_destroy(struct virtio_net *n);

/* The tap is readable: moves frames into guest RX buffers. Returns 0 when
 * it drained the tap or used its budget (use level-triggered polling), or
 * -ENOBUFS when the guest has no RX buffers (or the device is not running):
 * stop polling the tap until rx_resume is called. Another negative errno is
 * a tap read error (logged, rate-limited). */
int virtio_net_rx(struct virtio_net *n);

/* A queue notification: RX (buffers added: may call rx_resume) or TX
 * (frames to send). I/O thread. */
void virtio_net_process_queue(struct virtio_net *n, unsigned qidx);

#endif
