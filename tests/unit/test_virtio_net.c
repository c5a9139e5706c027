/* virtio-net against a datagram socket pair standing in for the tap (one
 * read is one frame, as on a tap): TX, RX, stalls and resumes, header
 * sanitising and hostile buffers. */
#include "check.h"
#include "devices/virtio_net.h"
#include "virtio_driver.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#define NUM 8

static struct fake_guest rx, tx; /* the same RAM, queue 0 and queue 1 */
static int resumes;

static void on_resume(void *ctx)
{
	resumes++;
}

static void test_config(struct virtio_net *n)
{
	CHECK_EQ(drv_read(&n->vm, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_NET);
	CHECK_EQ(virtio_mmio_ops.read(&n->vm, VIRTIO_MMIO_CONFIG, 1), 0x52);
	CHECK_EQ(virtio_mmio_ops.read(&n->vm, VIRTIO_MMIO_CONFIG + 4, 2), 0x5634);
	CHECK_EQ(virtio_mmio_ops.read(&n->vm, VIRTIO_MMIO_CONFIG + 6, 2), 0);
	uint64_t f = drv_device_features(&n->vm);
	CHECK(f & (1ull << VIRTIO_NET_F_MAC));
	CHECK(!(f & 1));            /* no VIRTIO_NET_F_CSUM */
	CHECK(!(f & (1ull << 15))); /* no MRG_RXBUF */
}

static void test_tx(struct virtio_net *n, int peer)
{
	/* Header and frame split across descriptors, header dirty. */
	uint8_t *hdr = fake_ptr(&tx, FAKE_BUF);
	memset(hdr, 0xff, 12);
	memcpy(fake_ptr(&tx, FAKE_BUF + 0x100), "frame-", 6);
	memcpy(fake_ptr(&tx, FAKE_BUF + 0x200), "payload", 7);
	fake_desc(&tx, 0, FAKE_BUF, 12, VIRTQ_DESC_F_NEXT, 1);
	fake_desc(&tx, 1, FAKE_BUF + 0x100, 6, VIRTQ_DESC_F_NEXT, 2);
	fake_desc(&tx, 2, FAKE_BUF + 0x200, 7, 0, 0);
	fake_avail(&tx, 0);
	virtio_net_process_queue(n, VIRTIO_NET_TXQ);
	CHECK_EQ(fake_used_idx(&tx), 1);
	uint8_t got[64];
	ssize_t len = recv(peer, got, sizeof(got), MSG_DONTWAIT);
	CHECK_EQ(len, 12 + 13);
	static const uint8_t zero[12];
	CHECK(!memcmp(got, zero, 12)); /* guest header replaced */
	CHECK(!memcmp(got + 12, "frame-payload", 13));
	CHECK_EQ(n->tx_packets, 1);

	/* Too short to hold a header: dropped, buffer returned. */
	fake_desc(&tx, 3, FAKE_BUF, 4, 0, 0);
	fake_avail(&tx, 3);
	virtio_net_process_queue(n, VIRTIO_NET_TXQ);
	CHECK_EQ(fake_used_idx(&tx), 2);
	CHECK_EQ(recv(peer, got, sizeof(got), MSG_DONTWAIT), -1);
	CHECK_EQ(n->tx_dropped, 1);
}

static void test_rx(struct virtio_net *n, int peer)
{
	uint8_t frame[12 + 60];
	memset(frame, 0xab, 12); /* whatever the tap put in the header */
	for (unsigned i = 12; i < sizeof(frame); i++)
		frame[i] = (uint8_t)i;

	/* No buffers yet: the caller is told to stop polling. */
	CHECK_EQ(send(peer, frame, sizeof(frame), 0), (ssize_t)sizeof(frame));
	CHECK_EQ(virtio_net_rx(n), -ENOBUFS);
	CHECK(n->rx_stalled);

	/* The guest adds a buffer and kicks: the device asks to be polled. */
	memset(fake_ptr(&rx, FAKE_BUF + 0x1000), 0, 2048);
	fake_desc(&rx, 0, FAKE_BUF + 0x1000, 1526, VIRTQ_DESC_F_WRITE, 0);
	fake_avail(&rx, 0);
	resumes = 0;
	virtio_net_process_queue(n, VIRTIO_NET_RXQ);
	CHECK_EQ(resumes, 1);
	virtio_net_process_queue(n, VIRTIO_NET_RXQ);
	CHECK_EQ(resumes, 1); /* only after a stall */

	/* The one buffer takes the frame; then the guest has none left. */
	CHECK_EQ(virtio_net_rx(n), -ENOBUFS);
	CHECK_EQ(fake_used_idx(&rx), 1);
	CHECK_EQ(fake_used_len(&rx, 0), sizeof(frame));
	const uint8_t *buf = fake_ptr(&rx, FAKE_BUF + 0x1000);
	static const uint8_t want_hdr[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0};
	CHECK(!memcmp(buf, want_hdr, 12));
	CHECK(!memcmp(buf + 12, frame + 12, 60));

	/* Buffers but an empty tap: 0, and the buffer stays available. */
	fake_desc(&rx, 1, FAKE_BUF + 0x2000, 1526, VIRTQ_DESC_F_WRITE, 0);
	fake_avail(&rx, 1);
	CHECK_EQ(virtio_net_rx(n), 0);
	CHECK_EQ(fake_used_idx(&rx), 1);
	CHECK_EQ(send(peer, frame, sizeof(frame), 0), (ssize_t)sizeof(frame));
	CHECK_EQ(virtio_net_rx(n), -ENOBUFS); /* took it, then ran dry */
	CHECK_EQ(fake_used_idx(&rx), 2);
	CHECK_EQ(fake_used_id(&rx, 1), 1);

	/* A buffer too small for the header is handed back unused, and a
	 * readable segment is never written. */
	fake_desc(&rx, 2, FAKE_BUF + 0x3000, 8, VIRTQ_DESC_F_WRITE, 0);
	fake_avail(&rx, 2);
	memset(fake_ptr(&rx, FAKE_BUF + 0x4000), 0x33, 16);
	fake_desc(&rx, 3, FAKE_BUF + 0x4000, 16, VIRTQ_DESC_F_NEXT, 4);
	fake_desc(&rx, 4, FAKE_BUF + 0x5000, 1526, VIRTQ_DESC_F_WRITE, 0);
	fake_avail(&rx, 3);
	CHECK_EQ(send(peer, frame, sizeof(frame), 0), (ssize_t)sizeof(frame));
	CHECK_EQ(virtio_net_rx(n), -ENOBUFS);
	CHECK_EQ(fake_used_idx(&rx), 4);
	CHECK_EQ(fake_used_len(&rx, 2), 0);
	CHECK_EQ(fake_used_len(&rx, 3), sizeof(frame));
	CHECK_EQ(*(uint8_t *)fake_ptr(&rx, FAKE_BUF + 0x4000), 0x33);
	CHECK(!memcmp(fake_ptr(&rx, FAKE_BUF + 0x5000 + 12), frame + 12, 60));
	CHECK_EQ(n->rx_packets, 3);
}

int main(void)
{
	int sv[2];
	CHECK_EQ(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv), 0);
	fake_init(&rx, NUM);
	tx = rx;
	tx.shift = 0x20000;

	static struct virtio_net n;
	static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
	CHECK_EQ(virtio_net_init(&n, &rx.mem, sv[0], mac, NULL, NULL, on_resume, NULL), 0);
	test_config(&n);
	/* Not running yet: RX has nowhere to go. */
	CHECK_EQ(virtio_net_rx(&n), -ENOBUFS);
	resumes = 0;
	drv_start(&n.vm, 2, NUM);
	CHECK_EQ(resumes, 1); /* DRIVER_OK looked at the RX queue */
	test_tx(&n, sv[1]);
	test_rx(&n, sv[1]);

	virtio_net_destroy(&n);
	close(sv[0]);
	close(sv[1]);
	fake_free(&rx);
	return check_summary("virtio_net");
}
