/* Split virtqueues (virtio 1.x) living in guest RAM. The guest writes the
 * descriptor table and the available ring while the device reads them, so
 * every descriptor is copied out once and checked before use, and every
 * buffer becomes a host pointer only through guest_mem_ptr(). */
#ifndef TERN_DEVICES_VIRTQ_H
#define TERN_DEVICES_VIRTQ_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "vmm/core/guest_mem.h"

#define VIRTQ_DESC_F_NEXT     1
#define VIRTQ_DESC_F_WRITE    2
#define VIRTQ_DESC_F_INDIRECT 4

#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

#define VIRTIO_RING_F_INDIRECT_DESC 28
#define VIRTIO_RING_F_EVENT_IDX     29

/* Largest queue a device may offer; also bounds one chain (direct plus
 * indirect), which keeps a chain within IOV_MAX for readv/writev. */
#define VIRTQ_MAX_SIZE  1024
#define VIRTQ_CHAIN_MAX VIRTQ_MAX_SIZE

struct virtq {
	const struct guest_mem *mem;
	uint16_t num; /* 0 while the queue is not set up */
	int event_idx, indirect;
	uint8_t *desc;         /* num descriptors of 16 bytes */
	uint8_t *avail;        /* flags, idx, ring[num], used_event */
	uint8_t *used;         /* flags, idx, ring[num] of {id, len}, avail_event */
	uint16_t last_avail;   /* next avail ring entry the device reads */
	uint16_t used_idx;     /* device's copy of used->idx */
	uint16_t signalled_at; /* used_idx when virtq_should_signal last ran */
	int broken;            /* the guest broke the rules; needs a reset */
};

/* One request: iov[0, n_out) are device-readable, iov[n_out, n_out + n_in)
 * device-writable. Every iov_base points inside guest RAM. */
struct virtq_chain {
	uint16_t head;
	unsigned n_out, n_in;
	size_t out_len, in_len;
	struct iovec iov[VIRTQ_CHAIN_MAX];
};

/* Validates the layout the driver chose (size a power of two up to max,
 * alignment, every ring inside RAM) and makes the queue usable. features
 * are the negotiated ones. Returns 0 or -EINVAL. */
int virtq_setup(struct virtq *q, const struct guest_mem *mem, unsigned num, unsigned max,
                uint64_t desc_gpa, uint64_t avail_gpa, uint64_t used_gpa, uint64_t features);

/* Forgets the queue (device reset or QueueReady = 0). */
void virtq_reset(struct virtq *q);

/* Takes the next available chain. Returns 1 with *c filled, 0 when the
 * queue is empty, or a negative errno when the guest broke the rules:
 * -ERANGE (avail idx ran ahead, head out of range), -ELOOP (loop or chain
 * too long), -EFAULT (buffer outside RAM), -EINVAL (malformed descriptor or
 * indirect table). After an error the queue is broken and every later call
 * returns -EIO until it is reset; the device should report NEEDS_RESET. */
int virtq_pop(struct virtq *q, struct virtq_chain *c);

/* Gives the last popped chain back (the device could not use it yet). */
void virtq_unpop(struct virtq *q);

/* Returns chain head to the driver with len bytes written into it. */
void virtq_push(struct virtq *q, uint16_t head, uint32_t len);

/* Whether the driver wants an interrupt for what was pushed since the last
 * call (VIRTQ_AVAIL_F_NO_INTERRUPT, or used_event with EVENT_IDX). */
int virtq_should_signal(struct virtq *q);

/* The EVENT_IDX rule: an event at index `event` is crossed when the used
 * index moves from old to new_idx (all modulo 2^16). */
static inline int virtq_need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

/* Copies len bytes starting at byte `off` of the readable part into buf.
 * Returns the number of bytes copied (short when the chain is shorter). */
size_t virtq_chain_read(const struct virtq_chain *c, size_t off, void *buf, size_t len);

/* Copies into the writable part only; readable buffers are never written.
 * Returns the number of bytes copied. */
size_t virtq_chain_write(const struct virtq_chain *c, size_t off, const void *buf, size_t len);

/* Describes bytes [off, off + len) of src[0, n) in dst (at most max
 * entries). Returns the number of entries, or -ENOSPC / -ERANGE. */
int virtq_iov_slice(const struct iovec *src, unsigned n, size_t off, size_t len, struct iovec *dst,
                    unsigned max);

#endif
