#include "devices/virtio_net.h"

#include <errno.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm/core/log.h"

#define NUM_BUFFERS_OFF 10

static struct ratelimit net_rl = RATELIMIT_INIT(5000, 10);

static uint64_t net_features(void *dev)
{
	return (1ull << VIRTIO_NET_F_MAC) | (1ull << VIRTIO_RING_F_INDIRECT_DESC) |
	       (1ull << VIRTIO_RING_F_EVENT_IDX);
}

static void net_config_read(void *dev, uint32_t off, uint8_t *data, unsigned len)
{
	struct virtio_net *n = dev;
	memcpy(data, n->mac + off, len);
}

static void net_notify(void *dev, unsigned qidx)
{
	virtio_net_process_queue(dev, qidx);
}

static void net_reset(void *dev)
{
	struct virtio_net *n = dev;
	/* The next DRIVER_OK notifies queue 0, which resumes the tap. */
	n->rx_stalled = 1;
}

static const struct virtio_dev_ops net_ops = {
        .device_id = VIRTIO_ID_NET,
        .num_queues = 2,
        .queue_max = VIRTIO_NET_QUEUE_SIZE,
        .features = net_features,
        .config_read = net_config_read,
        .config_size = 6,
        .queue_notify = net_notify,
        .reset = net_reset,
};

static void net_warn(const char *what, int err)
{
	if (ratelimit_allow(&net_rl))
		log_warn("virtio-net: %s: %s", what, strerror(err));
}

/* One frame from the tap into one guest buffer. Returns 1 when a frame
 * moved or was dropped, 0 when the tap is empty, -ENOBUFS, -EIO. */
static int rx_one(struct virtio_net *n, struct virtq *q)
{
	int r = virtq_pop(q, &n->chain);
	if (r < 0) {
		virtio_mmio_queue_error(&n->vm, VIRTIO_NET_RXQ, r);
		return -ENOBUFS;
	}
	if (r == 0)
		return -ENOBUFS;
	struct virtq_chain *c = &n->chain;
	if (c->in_len < VIRTIO_NET_HDR_BYTES) {
		/* Useless buffer: give it back empty rather than stall on it. */
		virtq_push(q, c->head, 0);
		return 1;
	}
	/* Only the writable part receives: readable buffers stay untouched. */
	ssize_t got;
	do
		got = readv(n->tap_fd, c->iov + c->n_out, (int)c->n_in);
	while (got < 0 && errno == EINTR);
	if (got < 0) {
		virtq_unpop(q);
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		net_warn("tap read", errno);
		return -EIO;
	}
	if (got < VIRTIO_NET_HDR_BYTES) {
		n->rx_dropped++;
		virtq_unpop(q);
		return 1;
	}
	/* Whatever the tap left in the header, the guest negotiated nothing:
	 * no checksum or GSO work, and one buffer per frame. */
	uint8_t hdr[VIRTIO_NET_HDR_BYTES] = {0};
	hdr[NUM_BUFFERS_OFF] = 1;
	virtq_chain_write(c, 0, hdr, sizeof(hdr));
	virtq_push(q, c->head, (uint32_t)got);
	n->rx_packets++;
	return 1;
}

int virtio_net_rx(struct virtio_net *n)
{
	int r = 0, moved = 0;
	pthread_mutex_lock(&n->vm.lock);
	struct virtq *q = virtio_mmio_queue(&n->vm, VIRTIO_NET_RXQ);
	if (!q) {
		r = -ENOBUFS;
	} else {
		for (unsigned i = 0; i < VIRTIO_NET_BUDGET; i++) {
			r = rx_one(n, q);
			if (r <= 0)
				break;
			moved = 1;
			r = 0;
		}
		if (moved)
			virtio_mmio_signal_used(&n->vm, q);
	}
	if (r == -ENOBUFS)
		n->rx_stalled = 1;
	pthread_mutex_unlock(&n->vm.lock);
	return r;
}

static void tx(struct virtio_net *n, struct virtq *q)
{
	static const uint8_t clean_hdr[VIRTIO_NET_HDR_BYTES];
	struct virtq_chain *c = &n->chain;
	int r, moved = 0;

	while ((r = virtq_pop(q, c)) > 0) {
		moved = 1;
		if (c->out_len < VIRTIO_NET_HDR_BYTES ||
		    c->out_len > VIRTIO_NET_HDR_BYTES + VIRTIO_NET_MAX_FRAME) {
			n->tx_dropped++;
			virtq_push(q, c->head, 0);
			continue;
		}
		/* The guest's header is replaced, not forwarded: it could ask
		 * the host kernel for offloads tern never offered. */
		n->iov[0].iov_base = (void *)clean_hdr;
		n->iov[0].iov_len = sizeof(clean_hdr);
		int cnt = virtq_iov_slice(c->iov, c->n_out, VIRTIO_NET_HDR_BYTES,
		                          c->out_len - VIRTIO_NET_HDR_BYTES, n->iov + 1,
		                          VIRTQ_CHAIN_MAX);
		ssize_t w = -1;
		if (cnt >= 0) {
			do
				w = writev(n->tap_fd, n->iov, cnt + 1);
			while (w < 0 && errno == EINTR);
		}
		if (w < 0) {
			/* A full tap drops, as a congested link would. */
			n->tx_dropped++;
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS)
				net_warn("tap write", errno);
		} else {
			n->tx_packets++;
		}
		virtq_push(q, c->head, 0);
	}
	if (r < 0)
		virtio_mmio_queue_error(&n->vm, VIRTIO_NET_TXQ, r);
	if (moved)
		virtio_mmio_signal_used(&n->vm, q);
}

void virtio_net_process_queue(struct virtio_net *n, unsigned qidx)
{
	int resume = 0;
	pthread_mutex_lock(&n->vm.lock);
	struct virtq *q = virtio_mmio_queue(&n->vm, qidx);
	if (q && qidx == VIRTIO_NET_TXQ) {
		tx(n, q);
	} else if (q && qidx == VIRTIO_NET_RXQ && n->rx_stalled) {
		n->rx_stalled = 0;
		resume = 1;
	}
	pthread_mutex_unlock(&n->vm.lock);
	if (resume && n->rx_resume)
		n->rx_resume(n->vm.ctx);
}

/* A tap must frame packets with the 12-byte header and hand over finished
 * frames; anything else (a socket in tests) answers ENOTTY or EINVAL. */
static int tap_prepare(int fd)
{
	int sz = VIRTIO_NET_HDR_BYTES;
	if (ioctl(fd, TUNSETVNETHDRSZ, &sz) < 0)
		return errno == ENOTTY || errno == EINVAL ? 0 : -errno;
	if (ioctl(fd, TUNSETOFFLOAD, 0UL) < 0)
		return -errno;
	return 0;
}

int virtio_net_init(struct virtio_net *n, const struct guest_mem *mem, int tap_fd,
                    const uint8_t mac[6], void (*set_irq)(void *, int),
                    void (*notify)(void *, unsigned), void (*rx_resume)(void *), void *ctx)
{
	memset(n, 0, sizeof(*n));
	int r = tap_prepare(tap_fd);
	if (r)
		return r;
	n->tap_fd = tap_fd;
	memcpy(n->mac, mac, 6);
	n->rx_resume = rx_resume;
	n->rx_stalled = 1;
	virtio_mmio_init(&n->vm, &net_ops, n, mem, set_irq, notify, ctx);
	return 0;
}

void virtio_net_destroy(struct virtio_net *n)
{
	virtio_mmio_destroy(&n->vm);
}
