#include "vmm/virtio_board.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "devices/virtio_blk.h"
#include "devices/virtio_net.h"
#include "devices/virtio_rng.h"
#include "sdei/sdei.h"
#include "vmm/core/log.h"
#include "vmm/vm.h"

static void irqfd_raise(struct virtio_slot *s)
{
	uint64_t one = 1;
	if (write(s->irqfd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_error("%s: cannot raise its interrupt: %s", s->name, strerror(errno));
}

/* Called with the transport's irq_lock held, from the main loop or a vCPU
 * (interrupt ACK). With an irqfd, lowering needs nothing: the guest's EOI
 * lowers the line and the resample handler raises it again if the device
 * still has something to say. */
static void slot_irq(void *ctx, int level)
{
	struct virtio_slot *s = ctx;
	if (s->irqfd < 0) {
		vm_set_spi(s->vm, s->spi, level);
		return;
	}
	if (level && !(s->vm->sdei && sdei_interrupt_take(s->vm->sdei, 32 + s->spi)))
		irqfd_raise(s);
}

static void on_resample(struct ev_handler *h, uint32_t events)
{
	struct virtio_slot *s =
	        (struct virtio_slot *)((char *)h - offsetof(struct virtio_slot, resample_h));
	uint64_t v;
	(void)events;
	if (read(h->fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return;
	pthread_mutex_lock(&s->transport->irq_lock);
	if (s->transport->isr)
		slot_irq(s, 1);
	pthread_mutex_unlock(&s->transport->irq_lock);
}

/* Level interrupts through an irqfd with a resample fd: raising one costs a
 * write on the main loop, not an ioctl. Falls back to KVM_IRQ_LINE. */
static void add_irqfd(struct virtio_slot *s)
{
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	int rfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	struct kvm_irqfd irqfd = {
	        .fd = (uint32_t)fd,
	        .gsi = s->spi, /* KVM's default routing: GSI n is SPI n */
	        .flags = KVM_IRQFD_FLAG_RESAMPLE,
	        .resamplefd = (uint32_t)rfd,
	};
	if (fd < 0 || rfd < 0 || ioctl(s->vm->kvm.vm_fd, KVM_IRQFD, &irqfd) < 0) {
		log_warn("%s: no resampling irqfd (%s): interrupts through KVM_IRQ_LINE", s->name,
		         strerror(errno));
		if (fd >= 0)
			close(fd);
		if (rfd >= 0)
			close(rfd);
		return;
	}
	s->irqfd = fd;
	s->resample_h = (struct ev_handler){.fn = on_resample, .fd = rfd};
	if (evloop_add(s->vm->virtio.loop, &s->resample_h, EPOLLIN))
		log_warn("%s: cannot watch its interrupt resample fd", s->name);
}

/* The transport asks for queue work it saw itself (DRIVER_OK, or a notify
 * the ioeventfd did not catch): hand it to the main loop the same way. */
static void slot_notify(void *ctx, unsigned qidx)
{
	struct virtio_slot *s = ctx;
	if (qidx >= s->nq)
		return;
	uint64_t one = 1;
	if (write(s->q[qidx].h.fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("%s: queue %u wakeup: %s", s->name, qidx, strerror(errno));
}

static void watch_tap(struct virtio_slot *s, int on)
{
	if (on == s->tap_polled)
		return;
	if (on)
		s->tap_polled = evloop_add(s->vm->virtio.loop, &s->tap_h, EPOLLIN) == 0;
	else {
		evloop_del(s->vm->virtio.loop, &s->tap_h);
		s->tap_polled = 0;
	}
}

static void tap_rx_resume(void *ctx)
{
	watch_tap(ctx, 1);
}

static void on_tap(struct ev_handler *h, uint32_t events)
{
	struct virtio_slot *s =
	        (struct virtio_slot *)((char *)h - offsetof(struct virtio_slot, tap_h));
	(void)events;
	int r = virtio_net_rx(s->dev);
	if (r == -ENOBUFS)
		watch_tap(s, 0); /* until the guest adds buffers */
}

static void on_queue(struct ev_handler *h, uint32_t events)
{
	struct virtio_queue_fd *q = (struct virtio_queue_fd *)h;
	struct virtio_slot *s = q->slot;
	uint64_t v;
	(void)events;
	if (read(h->fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return;
	switch (s->kind) {
	case VIRTIO_KIND_BLK:
		virtio_blk_process_queue(s->dev, q->qidx);
		break;
	case VIRTIO_KIND_NET:
		virtio_net_process_queue(s->dev, q->qidx);
		break;
	case VIRTIO_KIND_RNG:
		virtio_rng_process_queue(s->dev, q->qidx);
		break;
	}
}

static int open_tap(const char *name, char *why, size_t n)
{
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, n, "cannot open /dev/net/tun: %s", strerror(errno));
		return -errno;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;
		snprintf(why, n, "cannot attach to tap '%s': %s", name, strerror(e));
		close(fd);
		return -e;
	}
	return fd;
}

/* Registers one ioeventfd per queue on QueueNotify, matched on the queue
 * index the guest writes. */
static int add_queues(struct virtio_slot *s, unsigned nq)
{
	s->nq = nq;
	for (unsigned i = 0; i < nq; i++) {
		struct virtio_queue_fd *q = &s->q[i];
		q->slot = s;
		q->qidx = i;
		q->h.fn = on_queue;
		q->h.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (q->h.fd < 0)
			return -errno;
		struct kvm_ioeventfd io = {
		        .datamatch = i,
		        .addr = s->base + VIRTIO_MMIO_QUEUE_NOTIFY,
		        .len = 4,
		        .fd = q->h.fd,
		        .flags = KVM_IOEVENTFD_FLAG_DATAMATCH,
		};
		if (ioctl(s->vm->kvm.vm_fd, KVM_IOEVENTFD, &io) < 0)
			return -errno;
		int r = evloop_add(s->vm->virtio.loop, &q->h, EPOLLIN);
		if (r)
			return r;
	}
	return 0;
}

/* A MAC for a NIC given none: locally administered, and stable for the same
 * tap name so a guest keeps its address across runs. */
static void derive_mac(const char *tap, uint8_t mac[6])
{
	uint32_t h = 2166136261u;
	for (const char *p = tap; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	mac[0] = 0x52;
	mac[1] = 0x54;
	mac[2] = 0x00;
	mac[3] = (uint8_t)(h >> 16);
	mac[4] = (uint8_t)(h >> 8);
	mac[5] = (uint8_t)h;
}

static struct virtio_slot *new_slot(struct vm *vm, enum virtio_kind kind, size_t dev_size)
{
	struct virtio_board *b = &vm->virtio;
	struct virtio_slot *s = &b->slot[b->n];
	memset(s, 0, sizeof(*s));
	s->vm = vm;
	s->kind = kind;
	s->fd = -1;
	s->tap_h.fd = -1;
	s->irqfd = -1;
	s->resample_h.fd = -1;
	s->base = LAYOUT_VIRTIO_BASE + b->n * LAYOUT_VIRTIO_STRIDE;
	s->spi = LAYOUT_SPI_VIRTIO + b->n;
	for (unsigned i = 0; i < VIRTIO_BOARD_QUEUES; i++)
		s->q[i].h.fd = -1;
	s->dev = calloc(1, dev_size);
	if (!s->dev)
		return NULL;
	b->n++;
	return s;
}

int virtio_board_create(struct vm *vm, struct evloop *loop)
{
	const struct vm_config *c = vm->cfg;
	char why[256] = "";
	int r = 0;
	struct virtio_slot *s = NULL;
	vm->virtio.loop = loop;

	for (unsigned i = 0; i < c->ndisks; i++) {
		const struct config_disk *d = &c->disks[i];
		if (!(s = new_slot(vm, VIRTIO_KIND_BLK, sizeof(struct virtio_blk))))
			return -ENOMEM;
		snprintf(s->name, sizeof(s->name), "disk%u (%.24s)", i, d->path);
		s->fd = open(d->path, (d->ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
		if (s->fd < 0) {
			r = -errno;
			snprintf(why, sizeof(why), "cannot open disk '%s'%s: %s", d->path,
			         d->ro ? "" : " for writing (add ,ro for read-only)",
			         strerror(errno));
			goto fail;
		}
		struct virtio_blk *blk = s->dev;
		r = virtio_blk_init(blk, &vm->mem, s->fd, d->ro, d->serial, slot_irq, slot_notify,
		                    s);
		if (r) {
			snprintf(why, sizeof(why), "disk '%s': %s", d->path, strerror(-r));
			goto fail;
		}
		s->transport = &blk->vm;
		if ((r = add_queues(s, 1)))
			goto fail_q;
	}
	for (unsigned i = 0; i < c->nnets; i++) {
		const struct config_net *nc = &c->nets[i];
		if (!(s = new_slot(vm, VIRTIO_KIND_NET, sizeof(struct virtio_net))))
			return -ENOMEM;
		snprintf(s->name, sizeof(s->name), "net%u (%s)", i, nc->tap);
		if ((s->fd = open_tap(nc->tap, why, sizeof(why))) < 0) {
			r = s->fd;
			goto fail;
		}
		uint8_t mac[6];
		if (nc->has_mac)
			memcpy(mac, nc->mac, 6);
		else
			derive_mac(nc->tap, mac);
		struct virtio_net *net = s->dev;
		r = virtio_net_init(net, &vm->mem, s->fd, mac, slot_irq, slot_notify, tap_rx_resume,
		                    s);
		if (r) {
			snprintf(why, sizeof(why), "tap '%s': %s", nc->tap, strerror(-r));
			goto fail;
		}
		s->transport = &net->vm;
		s->tap_h.fn = on_tap;
		s->tap_h.fd = s->fd;
		if ((r = add_queues(s, 2)))
			goto fail_q;
		watch_tap(s, 1);
	}
	if (c->rng) {
		if (!(s = new_slot(vm, VIRTIO_KIND_RNG, sizeof(struct virtio_rng))))
			return -ENOMEM;
		snprintf(s->name, sizeof(s->name), "rng");
		struct virtio_rng *rng = s->dev;
		virtio_rng_init(rng, &vm->mem, slot_irq, slot_notify, s);
		s->transport = &rng->vm;
		if ((r = add_queues(s, 1)))
			goto fail_q;
	}
	for (unsigned i = 0; i < vm->virtio.n; i++) {
		s = &vm->virtio.slot[i];
		add_irqfd(s);
		r = mmio_bus_add(&vm->bus, s->base, VIRTIO_MMIO_SIZE, &virtio_mmio_ops,
		                 s->transport);
		if (r) {
			snprintf(why, sizeof(why), "%s: no room on the MMIO bus", s->name);
			goto fail;
		}
	}
	return 0;
fail_q:
	snprintf(why, sizeof(why), "%s: cannot set up its queue notifications: %s", s->name,
	         strerror(-r));
fail:
	log_error("%s", why);
	return r;
}

void virtio_board_destroy(struct vm *vm)
{
	struct virtio_board *b = &vm->virtio;
	for (unsigned i = 0; i < b->n; i++) {
		struct virtio_slot *s = &b->slot[i];
		watch_tap(s, 0);
		for (unsigned q = 0; q < VIRTIO_BOARD_QUEUES; q++) {
			if (s->q[q].h.fd < 0)
				continue;
			if (b->loop)
				evloop_del(b->loop, &s->q[q].h);
			close(s->q[q].h.fd);
		}
		if (s->transport) {
			switch (s->kind) {
			case VIRTIO_KIND_BLK:
				virtio_blk_destroy(s->dev);
				break;
			case VIRTIO_KIND_NET:
				virtio_net_destroy(s->dev);
				break;
			case VIRTIO_KIND_RNG:
				virtio_rng_destroy(s->dev);
				break;
			}
		}
		if (s->resample_h.fd >= 0) {
			if (b->loop)
				evloop_del(b->loop, &s->resample_h);
			close(s->resample_h.fd);
		}
		if (s->irqfd >= 0)
			close(s->irqfd);
		if (s->fd >= 0)
			close(s->fd);
		free(s->dev);
	}
	b->n = 0;
}
