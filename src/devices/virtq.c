#include "devices/virtq.h"

#include <endian.h>
#include <errno.h>
#include <string.h>

#define DESC_SIZE 16

/* A descriptor as read once from guest memory; the guest may rewrite the
 * table meanwhile, so nothing is ever read from it twice. */
struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static void desc_read(const uint8_t *table, unsigned i, struct desc *d)
{
	uint8_t raw[DESC_SIZE];
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;

	memcpy(raw, table + (size_t)i * DESC_SIZE, DESC_SIZE);
	memcpy(&addr, raw, 8);
	memcpy(&len, raw + 8, 4);
	memcpy(&flags, raw + 12, 2);
	memcpy(&next, raw + 14, 2);
	d->addr = le64toh(addr);
	d->len = le32toh(len);
	d->flags = le16toh(flags);
	d->next = le16toh(next);
}

/* The ring indexes are shared with a guest running on other CPUs: these are
 * the only places they are touched, with the ordering each one needs. */
static uint16_t load16_acquire(const uint8_t *p)
{
	return le16toh(__atomic_load_n((const uint16_t *)(const void *)p, __ATOMIC_ACQUIRE));
}

static uint16_t load16_relaxed(const uint8_t *p)
{
	return le16toh(__atomic_load_n((const uint16_t *)(const void *)p, __ATOMIC_RELAXED));
}

static void store16_relaxed(uint8_t *p, uint16_t v)
{
	__atomic_store_n((uint16_t *)(void *)p, htole16(v), __ATOMIC_RELAXED);
}

static void store16_release(uint8_t *p, uint16_t v)
{
	__atomic_store_n((uint16_t *)(void *)p, htole16(v), __ATOMIC_RELEASE);
}

static void *ring_ptr(const struct guest_mem *mem, uint64_t gpa, uint64_t len, uint64_t align)
{
	if (gpa % align)
		return NULL;
	void *p = guest_mem_ptr(mem, gpa, len);
	/* Atomics on the indexes need the host address aligned as well. */
	if (!p || (uintptr_t)p % align)
		return NULL;
	return p;
}

int virtq_setup(struct virtq *q, const struct guest_mem *mem, unsigned num, unsigned max,
                uint64_t desc_gpa, uint64_t avail_gpa, uint64_t used_gpa, uint64_t features)
{
	virtq_reset(q);
	if (max > VIRTQ_MAX_SIZE)
		max = VIRTQ_MAX_SIZE;
	if (num == 0 || num > max || (num & (num - 1)))
		return -EINVAL;
	uint8_t *desc = ring_ptr(mem, desc_gpa, (uint64_t)num * DESC_SIZE, 16);
	uint8_t *avail = ring_ptr(mem, avail_gpa, 6 + 2 * (uint64_t)num, 2);
	uint8_t *used = ring_ptr(mem, used_gpa, 6 + 8 * (uint64_t)num, 4);
	if (!desc || !avail || !used)
		return -EINVAL;
	q->mem = mem;
	q->desc = desc;
	q->avail = avail;
	q->used = used;
	q->event_idx = !!(features & (1ull << VIRTIO_RING_F_EVENT_IDX));
	q->indirect = !!(features & (1ull << VIRTIO_RING_F_INDIRECT_DESC));
	q->num = (uint16_t)num;
	return 0;
}

void virtq_reset(struct virtq *q)
{
	memset(q, 0, sizeof(*q));
}

static int fail(struct virtq *q, int err)
{
	q->broken = 1;
	return err;
}

static int add_seg(const struct virtq *q, struct virtq_chain *c, const struct desc *d)
{
	int writable = !!(d->flags & VIRTQ_DESC_F_WRITE);
	/* The spec puts all readable buffers first; a device that accepted
	 * another order could be tricked into treating output as input. */
	if (!writable && c->n_in)
		return -EINVAL;
	if (c->n_out + c->n_in >= VIRTQ_CHAIN_MAX)
		return -ELOOP;
	void *p = guest_mem_ptr(q->mem, d->addr, d->len);
	if (!p)
		return -EFAULT;
	struct iovec *v = &c->iov[c->n_out + c->n_in];
	v->iov_base = p;
	v->iov_len = d->len;
	if (writable) {
		c->n_in++;
		c->in_len += d->len;
	} else {
		c->n_out++;
		c->out_len += d->len;
	}
	return 0;
}

static int walk_indirect(const struct virtq *q, struct virtq_chain *c, const struct desc *d)
{
	if (!q->indirect || d->len == 0 || d->len % DESC_SIZE)
		return -EINVAL;
	unsigned n = d->len / DESC_SIZE;
	if (n > VIRTQ_CHAIN_MAX)
		return -ELOOP;
	const uint8_t *table = guest_mem_ptr(q->mem, d->addr, d->len);
	if (!table)
		return -EFAULT;
	unsigned i = 0;
	for (unsigned seen = 1;; seen++) {
		struct desc e;
		if (seen > n)
			return -ELOOP;
		desc_read(table, i, &e);
		if (e.flags & VIRTQ_DESC_F_INDIRECT)
			return -EINVAL; /* no tables inside tables */
		int r = add_seg(q, c, &e);
		if (r)
			return r;
		if (!(e.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		if (e.next >= n)
			return -EINVAL;
		i = e.next;
	}
}

static int walk(const struct virtq *q, struct virtq_chain *c, uint16_t head)
{
	unsigned i = head;
	for (unsigned seen = 1;; seen++) {
		struct desc d;
		/* A chain can use each descriptor once at most: more is a loop. */
		if (seen > q->num)
			return -ELOOP;
		desc_read(q->desc, i, &d);
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			/* The write flag of the table descriptor means nothing;
			 * NEXT with INDIRECT is forbidden. */
			if (d.flags & VIRTQ_DESC_F_NEXT)
				return -EINVAL;
			return walk_indirect(q, c, &d);
		}
		int r = add_seg(q, c, &d);
		if (r)
			return r;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		if (d.next >= q->num)
			return -ERANGE;
		i = d.next;
	}
}

int virtq_pop(struct virtq *q, struct virtq_chain *c)
{
	if (q->broken)
		return -EIO;
	if (!q->num)
		return 0;
	uint16_t avail_idx = load16_acquire(q->avail + 2);
	if (avail_idx == q->last_avail) {
		if (!q->event_idx)
			return 0;
		/* Ask for a kick at the next buffer, then look again: the
		 * driver may have added one before it could see the request. */
		store16_relaxed(q->used + 4 + 8 * (size_t)q->num, q->last_avail);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		avail_idx = load16_acquire(q->avail + 2);
		if (avail_idx == q->last_avail)
			return 0;
	}
	if ((uint16_t)(avail_idx - q->last_avail) > q->num)
		return fail(q, -ERANGE);
	uint16_t head = load16_relaxed(q->avail + 4 + 2 * (size_t)(q->last_avail % q->num));
	if (head >= q->num)
		return fail(q, -ERANGE);
	c->head = head;
	c->n_out = c->n_in = 0;
	c->out_len = c->in_len = 0;
	int r = walk(q, c, head);
	if (r)
		return fail(q, r);
	q->last_avail++;
	return 1;
}

void virtq_unpop(struct virtq *q)
{
	q->last_avail--;
}

void virtq_push(struct virtq *q, uint16_t head, uint32_t len)
{
	if (!q->num)
		return;
	uint8_t *e = q->used + 4 + 8 * (size_t)(q->used_idx % q->num);
	uint32_t id32 = htole32(head), len32 = htole32(len);
	memcpy(e, &id32, 4);
	memcpy(e + 4, &len32, 4);
	q->used_idx++;
	/* The element must be visible before the index that publishes it. */
	store16_release(q->used + 2, q->used_idx);
}

int virtq_should_signal(struct virtq *q)
{
	if (!q->num)
		return 0;
	/* Our used idx store must be visible before we read the driver's
	 * wishes, or both sides may decide the other will act. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	uint16_t old = q->signalled_at, now = q->used_idx;
	q->signalled_at = now;
	if (!q->event_idx)
		return now != old && !(load16_relaxed(q->avail) & VIRTQ_AVAIL_F_NO_INTERRUPT);
	uint16_t event = load16_relaxed(q->avail + 4 + 2 * (size_t)q->num);
	return virtq_need_event(event, now, old);
}

size_t virtq_chain_read(const struct virtq_chain *c, size_t off, void *buf, size_t len)
{
	uint8_t *out = buf;
	size_t done = 0;
	for (unsigned i = 0; i < c->n_out && done < len; i++) {
		size_t seg = c->iov[i].iov_len;
		if (off >= seg) {
			off -= seg;
			continue;
		}
		size_t n = seg - off < len - done ? seg - off : len - done;
		memcpy(out + done, (uint8_t *)c->iov[i].iov_base + off, n);
		done += n;
		off = 0;
	}
	return done;
}

size_t virtq_chain_write(const struct virtq_chain *c, size_t off, const void *buf, size_t len)
{
	const uint8_t *in = buf;
	size_t done = 0;
	for (unsigned i = c->n_out; i < c->n_out + c->n_in && done < len; i++) {
		size_t seg = c->iov[i].iov_len;
		if (off >= seg) {
			off -= seg;
			continue;
		}
		size_t n = seg - off < len - done ? seg - off : len - done;
		memcpy((uint8_t *)c->iov[i].iov_base + off, in + done, n);
		done += n;
		off = 0;
	}
	return done;
}

int virtq_iov_slice(const struct iovec *src, unsigned n, size_t off, size_t len, struct iovec *dst,
                    unsigned max)
{
	unsigned out = 0;
	for (unsigned i = 0; i < n && len; i++) {
		size_t seg = src[i].iov_len;
		if (off >= seg) {
			off -= seg;
			continue;
		}
		if (out == max)
			return -ENOSPC;
		size_t take = seg - off < len ? seg - off : len;
		dst[out].iov_base = (uint8_t *)src[i].iov_base + off;
		dst[out].iov_len = take;
		out++;
		len -= take;
		off = 0;
	}
	return len ? -ERANGE : (int)out;
}
