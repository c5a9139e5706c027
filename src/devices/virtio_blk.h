/* virtio-blk on a raw image file (or block device) descriptor.
 *
 * Capacity is the image size in whole 512-byte sectors: a partial last
 * sector is not visible to the guest (logged once at init), so a guest can
 * never write past the end of the image by rounding up.
 *
 * I/O is synchronous on the thread that calls virtio_blk_process_queue (the
 * I/O thread). FLUSH is fdatasync(). The status byte is written after the
 * data, as the last byte of the request. */
#ifndef TERN_DEVICES_VIRTIO_BLK_H
#define TERN_DEVICES_VIRTIO_BLK_H

#include <stdint.h>
#include <sys/uio.h>

#include "devices/virtio_mmio.h"

#define VIRTIO_BLK_F_SEG_MAX      2
#define VIRTIO_BLK_F_RO           5
#define VIRTIO_BLK_F_BLK_SIZE     6
#define VIRTIO_BLK_F_FLUSH        9
#define VIRTIO_BLK_F_DISCARD      13
#define VIRTIO_BLK_F_WRITE_ZEROES 14

#define VIRTIO_BLK_T_IN           0
#define VIRTIO_BLK_T_OUT          1
#define VIRTIO_BLK_T_FLUSH        4
#define VIRTIO_BLK_T_GET_ID       8
#define VIRTIO_BLK_T_DISCARD      11
#define VIRTIO_BLK_T_WRITE_ZEROES 13

#define VIRTIO_BLK_S_OK     0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2

#define VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP 1

#define VIRTIO_BLK_ID_BYTES    20
#define VIRTIO_BLK_QUEUE_SIZE  256
#define VIRTIO_BLK_CONFIG_SIZE 0x3c
/* Limits advertised for DISCARD and WRITE_ZEROES. */
#define VIRTIO_BLK_MAX_DISCARD_SECTORS 0x400000u /* 2 GiB per segment */
#define VIRTIO_BLK_MAX_DISCARD_SEG     16u

struct virtio_blk {
	struct virtio_mmio vm; /* register with virtio_mmio_ops and &blk->vm */
	int fd;                /* owned by the caller */
	int ro;
	uint64_t capacity; /* sectors */
	char serial[VIRTIO_BLK_ID_BYTES];
	uint8_t config[VIRTIO_BLK_CONFIG_SIZE];
	struct virtq_chain chain;
	struct iovec iov[VIRTQ_CHAIN_MAX];
};

/* Reads the image size from fd. serial may be NULL; longer than 20 bytes
 * is -EINVAL. Returns 0 or a negative errno. */
int virtio_blk_init(struct virtio_blk *b, const struct guest_mem *mem, int fd, int ro,
                    const char *serial, void (*set_irq)(void *, int),
                    void (*notify)(void *, unsigned), void *ctx);
void virtio_blk_destroy(struct virtio_blk *b);

/* Serves every available request on queue qidx (0); I/O thread. */
void virtio_blk_process_queue(struct virtio_blk *b, unsigned qidx);

#endif
