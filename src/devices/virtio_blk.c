#include "devices/virtio_blk.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "vmm/core/log.h"

#define SECTOR    512u
#define HDR_BYTES 16u
#define SEG_BYTES 16u

static struct ratelimit blk_rl = RATELIMIT_INIT(5000, 10);

static void put32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, 8);
}

static uint64_t blk_features(void *dev)
{
	struct virtio_blk *b = dev;
	uint64_t f = (1ull << VIRTIO_BLK_F_SEG_MAX) | (1ull << VIRTIO_BLK_F_BLK_SIZE) |
	             (1ull << VIRTIO_BLK_F_FLUSH) | (1ull << VIRTIO_RING_F_INDIRECT_DESC) |
	             (1ull << VIRTIO_RING_F_EVENT_IDX);
	if (b->ro)
		f |= 1ull << VIRTIO_BLK_F_RO;
	else
		f |= (1ull << VIRTIO_BLK_F_DISCARD) | (1ull << VIRTIO_BLK_F_WRITE_ZEROES);
	return f;
}

static void blk_config_read(void *dev, uint32_t off, uint8_t *data, unsigned len)
{
	struct virtio_blk *b = dev;
	memcpy(data, b->config + off, len);
}

static void blk_notify(void *dev, unsigned qidx)
{
	virtio_blk_process_queue(dev, qidx);
}

static const struct virtio_dev_ops blk_ops = {
        .device_id = VIRTIO_ID_BLK,
        .num_queues = 1,
        .queue_max = VIRTIO_BLK_QUEUE_SIZE,
        .features = blk_features,
        .config_read = blk_config_read,
        .config_size = VIRTIO_BLK_CONFIG_SIZE,
        .queue_notify = blk_notify,
};

/* Whole-buffer positional I/O: retries short transfers and EINTR. */
static int rw_full(int fd, struct iovec *iov, int n, uint64_t off, int is_write)
{
	for (;;) {
		while (n && iov->iov_len == 0) {
			iov++;
			n--;
		}
		if (!n)
			return 0;
		ssize_t r =
		        is_write ? pwritev(fd, iov, n, (off_t)off) : preadv(fd, iov, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EIO; /* the image shrank under us */
		off += (uint64_t)r;
		size_t left = (size_t)r;
		while (n && left >= iov->iov_len) {
			left -= iov->iov_len;
			iov++;
			n--;
		}
		if (n) {
			iov->iov_base = (uint8_t *)iov->iov_base + left;
			iov->iov_len -= left;
		}
	}
}

static int in_range(const struct virtio_blk *b, uint64_t sector, uint64_t count)
{
	return sector <= b->capacity && count <= b->capacity - sector;
}

static int zero_range(struct virtio_blk *b, uint64_t off, uint64_t len, int may_unmap)
{
	/* ZERO_RANGE keeps the blocks allocated; PUNCH_HOLE frees them and also
	 * reads back as zeros; plain writes are the last resort. */
	if (!may_unmap && fallocate(b->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, (off_t)off,
	                            (off_t)len) == 0)
		return 0;
	if (fallocate(b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len) ==
	    0)
		return 0;
	static const uint8_t zeros[65536];
	while (len) {
		size_t n = len < sizeof(zeros) ? (size_t)len : sizeof(zeros);
		struct iovec v = {(void *)zeros, n};
		int r = rw_full(b->fd, &v, 1, off, 1);
		if (r)
			return r;
		off += n;
		len -= n;
	}
	return 0;
}

static uint8_t do_discard(struct virtio_blk *b, const struct virtq_chain *c, uint32_t type)
{
	unsigned feature =
	        type == VIRTIO_BLK_T_DISCARD ? VIRTIO_BLK_F_DISCARD : VIRTIO_BLK_F_WRITE_ZEROES;
	if (b->ro)
		return VIRTIO_BLK_S_IOERR;
	if (!virtio_mmio_has_feature(&b->vm, feature))
		return VIRTIO_BLK_S_UNSUPP;
	size_t payload = c->out_len - HDR_BYTES;
	size_t nseg = payload / SEG_BYTES;
	if (payload % SEG_BYTES || nseg == 0 || nseg > VIRTIO_BLK_MAX_DISCARD_SEG)
		return VIRTIO_BLK_S_UNSUPP;
	uint32_t allowed =
	        type == VIRTIO_BLK_T_WRITE_ZEROES ? VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP : 0;

	/* Check every segment before touching the disk: all or nothing. */
	uint8_t seg[VIRTIO_BLK_MAX_DISCARD_SEG][SEG_BYTES];
	for (size_t i = 0; i < nseg; i++) {
		uint64_t sector;
		uint32_t num, flags;
		virtq_chain_read(c, HDR_BYTES + i * SEG_BYTES, seg[i], SEG_BYTES);
		memcpy(&sector, seg[i], 8);
		memcpy(&num, seg[i] + 8, 4);
		memcpy(&flags, seg[i] + 12, 4);
		sector = le64toh(sector);
		num = le32toh(num);
		flags = le32toh(flags);
		if ((flags & ~allowed) || num > VIRTIO_BLK_MAX_DISCARD_SECTORS)
			return VIRTIO_BLK_S_UNSUPP;
		if (!in_range(b, sector, num))
			return VIRTIO_BLK_S_IOERR;
		memcpy(seg[i], &sector, 8);
		memcpy(seg[i] + 8, &num, 4);
		memcpy(seg[i] + 12, &flags, 4);
	}
	for (size_t i = 0; i < nseg; i++) {
		uint64_t sector;
		uint32_t num, flags;
		memcpy(&sector, seg[i], 8);
		memcpy(&num, seg[i] + 8, 4);
		memcpy(&flags, seg[i] + 12, 4);
		if (!num)
			continue;
		uint64_t off = sector * SECTOR, len = (uint64_t)num * SECTOR;
		if (type == VIRTIO_BLK_T_DISCARD) {
			/* A hint: a file system that cannot punch holes still
			 * answers OK, the data just stays. */
			if (fallocate(b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off,
			              (off_t)len) &&
			    errno != EOPNOTSUPP)
				return VIRTIO_BLK_S_IOERR;
		} else if (zero_range(b, off, len, flags & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP)) {
			return VIRTIO_BLK_S_IOERR;
		}
	}
	return VIRTIO_BLK_S_OK;
}

static uint8_t do_rw(struct virtio_blk *b, const struct virtq_chain *c, uint64_t sector,
                     int is_write, uint32_t *written)
{
	size_t len = is_write ? c->out_len - HDR_BYTES : c->in_len - 1;
	if (is_write && b->ro)
		return VIRTIO_BLK_S_IOERR;
	if (len % SECTOR || !in_range(b, sector, len / SECTOR))
		return VIRTIO_BLK_S_IOERR;
	int n = is_write
	                ? virtq_iov_slice(c->iov, c->n_out, HDR_BYTES, len, b->iov, VIRTQ_CHAIN_MAX)
	                : virtq_iov_slice(c->iov + c->n_out, c->n_in, 0, len, b->iov,
	                                  VIRTQ_CHAIN_MAX);
	if (n < 0)
		return VIRTIO_BLK_S_IOERR;
	int r = rw_full(b->fd, b->iov, n, sector * SECTOR, is_write);
	/* Without FLUSH the driver expects write-through. */
	if (!r && is_write && !virtio_mmio_has_feature(&b->vm, VIRTIO_BLK_F_FLUSH) &&
	    fdatasync(b->fd))
		r = -errno;
	if (r) {
		if (ratelimit_allow(&blk_rl))
			log_warn("virtio-blk: %s at sector %llu failed: %s",
			         is_write ? "write" : "read", (unsigned long long)sector,
			         strerror(-r));
		return VIRTIO_BLK_S_IOERR;
	}
	if (!is_write)
		*written = (uint32_t)len;
	return VIRTIO_BLK_S_OK;
}

/* Serves one request; returns the bytes written into the chain. */
static uint32_t handle(struct virtio_blk *b, const struct virtq_chain *c)
{
	uint8_t hdr[HDR_BYTES];
	uint32_t type, written = 0;
	uint64_t sector;
	uint8_t status;

	if (c->in_len == 0) {
		/* No room for a status byte: nothing can be answered. */
		if (ratelimit_allow(&blk_rl))
			log_warn("virtio-blk: request without a status byte dropped");
		return 0;
	}
	if (c->out_len < HDR_BYTES) {
		status = VIRTIO_BLK_S_IOERR;
		goto done;
	}
	virtq_chain_read(c, 0, hdr, sizeof(hdr));
	memcpy(&type, hdr, 4);
	memcpy(&sector, hdr + 8, 8);
	type = le32toh(type);
	sector = le64toh(sector);

	switch (type) {
	case VIRTIO_BLK_T_IN:
		status = do_rw(b, c, sector, 0, &written);
		break;
	case VIRTIO_BLK_T_OUT:
		status = do_rw(b, c, sector, 1, &written);
		break;
	case VIRTIO_BLK_T_FLUSH:
		status = fdatasync(b->fd) ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
		break;
	case VIRTIO_BLK_T_GET_ID:
		written = (uint32_t)virtq_chain_write(
		        c, 0, b->serial,
		        c->in_len - 1 < VIRTIO_BLK_ID_BYTES ? c->in_len - 1 : VIRTIO_BLK_ID_BYTES);
		status = VIRTIO_BLK_S_OK;
		break;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		status = do_discard(b, c, type);
		break;
	default:
		status = VIRTIO_BLK_S_UNSUPP;
		break;
	}
done:
	virtq_chain_write(c, c->in_len - 1, &status, 1);
	return written + 1;
}

void virtio_blk_process_queue(struct virtio_blk *b, unsigned qidx)
{
	pthread_mutex_lock(&b->vm.lock);
	struct virtq *q = virtio_mmio_queue(&b->vm, qidx);
	if (q) {
		int r;
		while ((r = virtq_pop(q, &b->chain)) > 0)
			virtq_push(q, b->chain.head, handle(b, &b->chain));
		if (r < 0)
			virtio_mmio_queue_error(&b->vm, qidx, r);
		virtio_mmio_signal_used(&b->vm, q);
	}
	pthread_mutex_unlock(&b->vm.lock);
}

int virtio_blk_init(struct virtio_blk *b, const struct guest_mem *mem, int fd, int ro,
                    const char *serial, void (*set_irq)(void *, int),
                    void (*notify)(void *, unsigned), void *ctx)
{
	memset(b, 0, sizeof(*b));
	if (serial && strlen(serial) > VIRTIO_BLK_ID_BYTES)
		return -EINVAL;
	off_t size = lseek(fd, 0, SEEK_END);
	if (size < 0)
		return -errno;
	b->fd = fd;
	b->ro = ro;
	b->capacity = (uint64_t)size / SECTOR;
	if (size % SECTOR)
		log_warn("virtio-blk: image size %lld is not a multiple of %u; the last %lld bytes "
		         "are not visible to the guest",
		         (long long)size, SECTOR, (long long)(size % SECTOR));
	if (serial)
		memcpy(b->serial, serial, strlen(serial));

	put64(b->config + 0x00, b->capacity);
	/* Two descriptors go to the header and the status byte. */
	put32(b->config + 0x0c, VIRTIO_BLK_QUEUE_SIZE - 2);
	put32(b->config + 0x14, SECTOR);
	put32(b->config + 0x24, VIRTIO_BLK_MAX_DISCARD_SECTORS);
	put32(b->config + 0x28, VIRTIO_BLK_MAX_DISCARD_SEG);
	put32(b->config + 0x2c, 8); /* 4 KiB: the usual hole granularity */
	put32(b->config + 0x30, VIRTIO_BLK_MAX_DISCARD_SECTORS);
	put32(b->config + 0x34, VIRTIO_BLK_MAX_DISCARD_SEG);
	b->config[0x38] = 1; /* write_zeroes_may_unmap */

	virtio_mmio_init(&b->vm, &blk_ops, b, mem, set_irq, notify, ctx);
	return 0;
}

void virtio_blk_destroy(struct virtio_blk *b)
{
	virtio_mmio_destroy(&b->vm);
}
