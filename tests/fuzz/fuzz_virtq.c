/* libFuzzer target for the split virtqueue: the input is the queue layout
 * (size, features, ring offsets) followed by a guest RAM image holding the
 * descriptor table and rings. Every chain popped is checked to lie inside
 * guest RAM, is written and read whole, and is pushed back; ASan guards the
 * exact-size RAM buffer, so any stray access is caught. */
#include "devices/virtq.h"

#include <stdlib.h>
#include <string.h>

#define RAM_BASE 0x40000000ull
#define RAM_SIZE 0x10000u
#define HDR      16

static struct virtq_chain chain;

static void check_inside(const struct guest_mem *m, const struct virtq_chain *c)
{
	size_t total = 0;
	for (unsigned i = 0; i < c->n_out + c->n_in; i++) {
		const uint8_t *p = c->iov[i].iov_base;
		if (p < m->host || c->iov[i].iov_len > m->size ||
		    (size_t)(p - m->host) > m->size - c->iov[i].iov_len)
			abort();
		total += c->iov[i].iov_len;
	}
	if (total != c->out_len + c->in_len || c->n_out + c->n_in > VIRTQ_CHAIN_MAX)
		abort();
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < HDR)
		return 0;
	struct guest_mem m = {.gpa_base = RAM_BASE, .size = RAM_SIZE};
	m.host = calloc(1, RAM_SIZE);
	if (!m.host)
		return 0;
	size_t img = size - HDR < RAM_SIZE ? size - HDR : RAM_SIZE;
	memcpy(m.host, data + HDR, img);

	unsigned num = (unsigned)(data[0] | data[1] << 8) % 1100;
	uint64_t features = ((data[2] & 1) ? 1ull << VIRTIO_RING_F_INDIRECT_DESC : 0) |
	                    ((data[2] & 2) ? 1ull << VIRTIO_RING_F_EVENT_IDX : 0);
	/* Offsets may point anywhere, even past RAM: setup must refuse those. */
	uint64_t desc = RAM_BASE + (rd32(data + 4) % (2 * RAM_SIZE));
	uint64_t avail = RAM_BASE + (rd32(data + 8) % (2 * RAM_SIZE));
	uint64_t used = RAM_BASE + (rd32(data + 12) % (2 * RAM_SIZE));

	struct virtq q;
	if (virtq_setup(&q, &m, num, VIRTQ_MAX_SIZE, desc, avail, used, features) == 0) {
		uint8_t scratch[256];
		for (unsigned round = 0; round < 64; round++) {
			int r = virtq_pop(&q, &chain);
			if (r <= 0)
				break;
			check_inside(&m, &chain);
			/* Writes go to the writable part only; a read of the
			 * readable part must stay within it. */
			memset(scratch, 0xa5, sizeof(scratch));
			size_t off = 0;
			while (off < chain.in_len && off < 65536) {
				size_t n = virtq_chain_write(&chain, off, scratch, sizeof(scratch));
				if (!n)
					abort();
				off += n;
			}
			off = 0;
			while (off < chain.out_len && off < 65536) {
				size_t n = virtq_chain_read(&chain, off, scratch, sizeof(scratch));
				if (!n)
					abort();
				off += n;
			}
			if (round & 1)
				virtq_unpop(&q);
			else
				virtq_push(&q, chain.head, (uint32_t)chain.in_len);
			virtq_should_signal(&q);
		}
	}
	free(m.host);
	return 0;
}
