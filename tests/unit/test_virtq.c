/* Split virtqueue: setup checks, normal and indirect chains, event index,
 * and every way a hostile driver can write the rings. */
#include "check.h"
#include "devices/virtq.h"
#include "virtio_fake.h"

#include <errno.h>

#define NUM   8
#define F_IND (1ull << VIRTIO_RING_F_INDIRECT_DESC)
#define F_EVT (1ull << VIRTIO_RING_F_EVENT_IDX)

static struct virtq_chain chain;

/* A clean driver and queue for each case: a broken queue stays broken. */
static void fresh(struct fake_guest *g, struct virtq *q, uint64_t features)
{
	memset(g->mem.host, 0, FAKE_SIZE);
	g->avail_idx = 0;
	int r = virtq_setup(q, &g->mem, NUM, 256, FAKE_DESC, FAKE_AVAIL, FAKE_USED, features);
	CHECK_EQ(r, 0);
}

static void test_setup_checks(struct fake_guest *g)
{
	struct virtq q;
	const struct guest_mem *m = &g->mem;
	CHECK_EQ(virtq_setup(&q, m, 0, 256, FAKE_DESC, FAKE_AVAIL, FAKE_USED, 0), -EINVAL);
	CHECK_EQ(virtq_setup(&q, m, 3, 256, FAKE_DESC, FAKE_AVAIL, FAKE_USED, 0), -EINVAL);
	CHECK_EQ(virtq_setup(&q, m, 512, 256, FAKE_DESC, FAKE_AVAIL, FAKE_USED, 0), -EINVAL);
	/* The device maximum cannot exceed what the chain buffer holds. */
	CHECK_EQ(virtq_setup(&q, m, 2048, 4096, FAKE_DESC, FAKE_AVAIL, FAKE_USED, 0), -EINVAL);
	CHECK_EQ(virtq_setup(&q, m, 8, 256, FAKE_DESC + 8, FAKE_AVAIL, FAKE_USED, 0), -EINVAL);
	CHECK_EQ(virtq_setup(&q, m, 8, 256, FAKE_DESC, FAKE_AVAIL + 1, FAKE_USED, 0), -EINVAL);
	CHECK_EQ(virtq_setup(&q, m, 8, 256, FAKE_DESC, FAKE_AVAIL, FAKE_USED + 2, 0), -EINVAL);
	/* Rings that end past RAM, start below it, or wrap around 2^64. */
	CHECK_EQ(virtq_setup(&q, m, 8, 256, FAKE_BASE + FAKE_SIZE - 64, FAKE_AVAIL, FAKE_USED, 0),
	         -EINVAL);
	CHECK_EQ(virtq_setup(&q, m, 8, 256, FAKE_DESC, FAKE_AVAIL, FAKE_BASE + FAKE_SIZE - 8, 0),
	         -EINVAL);
	CHECK_EQ(virtq_setup(&q, m, 8, 256, FAKE_BASE - 0x1000, FAKE_AVAIL, FAKE_USED, 0), -EINVAL);
	CHECK_EQ(virtq_setup(&q, m, 8, 256, 0xfffffffffffffff0ull, FAKE_AVAIL, FAKE_USED, 0),
	         -EINVAL);
	CHECK_EQ(q.num, 0);
	CHECK_EQ(virtq_pop(&q, &chain), 0); /* not set up: nothing to do */
	CHECK_EQ(virtq_setup(&q, m, 1, 256, FAKE_DESC, FAKE_AVAIL, FAKE_USED, 0), 0);
	CHECK_EQ(virtq_setup(&q, m, 256, 256, FAKE_DESC, FAKE_AVAIL, FAKE_USED, 0), 0);
}

static void test_normal_chain(struct fake_guest *g)
{
	struct virtq q;
	fresh(g, &q, 0);
	CHECK_EQ(virtq_pop(&q, &chain), 0);

	memcpy(fake_ptr(g, FAKE_BUF), "request-header..", 16);
	fake_desc(g, 5, FAKE_BUF, 16, VIRTQ_DESC_F_NEXT, 2);
	fake_desc(g, 2, FAKE_BUF + 0x100, 100, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 7);
	fake_desc(g, 7, FAKE_BUF + 0x200, 1, VIRTQ_DESC_F_WRITE, 0);
	fake_avail(g, 5);

	CHECK_EQ(virtq_pop(&q, &chain), 1);
	CHECK_EQ(chain.head, 5);
	CHECK_EQ(chain.n_out, 1);
	CHECK_EQ(chain.n_in, 2);
	CHECK_EQ(chain.out_len, 16);
	CHECK_EQ(chain.in_len, 101);
	CHECK(chain.iov[0].iov_base == fake_ptr(g, FAKE_BUF));
	CHECK(chain.iov[2].iov_base == fake_ptr(g, FAKE_BUF + 0x200));

	char hdr[20] = {0};
	CHECK_EQ(virtq_chain_read(&chain, 8, hdr, sizeof(hdr)), 8);
	CHECK(!memcmp(hdr, "header..", 8));
	/* A write across the two writable buffers, starting near the end. */
	CHECK_EQ(virtq_chain_write(&chain, 98, "xyz", 3), 3);
	CHECK(!memcmp(fake_ptr(g, FAKE_BUF + 0x100 + 98), "xy", 2));
	CHECK_EQ(*(uint8_t *)fake_ptr(g, FAKE_BUF + 0x200), 'z');
	CHECK_EQ(virtq_chain_write(&chain, 100, "ab", 2), 1);

	virtq_push(&q, chain.head, 101);
	CHECK_EQ(fake_used_idx(g), 1);
	CHECK_EQ(fake_used_id(g, 0), 5);
	CHECK_EQ(fake_used_len(g, 0), 101);
	CHECK_EQ(virtq_pop(&q, &chain), 0);

	/* Unpop gives the same chain again. */
	fake_desc(g, 0, FAKE_BUF, 4, 0, 0);
	fake_avail(g, 0);
	CHECK_EQ(virtq_pop(&q, &chain), 1);
	virtq_unpop(&q);
	CHECK_EQ(virtq_pop(&q, &chain), 1);
	CHECK_EQ(chain.head, 0);
	CHECK_EQ(virtq_pop(&q, &chain), 0);
}

static void test_writes_never_reach_readable(struct fake_guest *g)
{
	struct virtq q;
	fresh(g, &q, 0);
	memset(fake_ptr(g, FAKE_BUF), 0x55, 64);
	fake_desc(g, 0, FAKE_BUF, 64, 0, 0);
	fake_avail(g, 0);
	CHECK_EQ(virtq_pop(&q, &chain), 1);
	CHECK_EQ(virtq_chain_write(&chain, 0, "evil", 4), 0);
	CHECK_EQ(*(uint8_t *)fake_ptr(g, FAKE_BUF), 0x55);
}

static void test_wraparound(struct fake_guest *g)
{
	struct virtq q;
	fresh(g, &q, 0);
	for (unsigned i = 0; i < NUM; i++)
		fake_desc(g, i, FAKE_BUF + 16 * i, 16, VIRTQ_DESC_F_WRITE, 0);
	int ok = 1;
	/* Past 2^16 so both free-running indexes wrap. */
	for (unsigned n = 0; n < 70000 && ok; n++) {
		fake_avail(g, (uint16_t)(n % NUM));
		ok = virtq_pop(&q, &chain) == 1 && chain.head == n % NUM;
		virtq_push(&q, chain.head, 16);
		ok = ok && fake_used_idx(g) == (uint16_t)(n + 1);
	}
	CHECK(ok);
	CHECK_EQ(virtq_pop(&q, &chain), 0);
}

static void test_indirect(struct fake_guest *g)
{
	struct virtq q;
	uint64_t table = FAKE_BUF + 0x1000;
	fresh(g, &q, F_IND);
	fake_desc_at(g, table, 0, FAKE_BUF, 16, VIRTQ_DESC_F_NEXT, 2);
	fake_desc_at(g, table, 2, FAKE_BUF + 0x100, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	fake_desc_at(g, table, 1, FAKE_BUF + 0x400, 1, VIRTQ_DESC_F_WRITE, 0);
	/* The write flag on the table descriptor itself means nothing. */
	fake_desc(g, 3, table, 3 * 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_WRITE, 0);
	fake_avail(g, 3);
	CHECK_EQ(virtq_pop(&q, &chain), 1);
	CHECK_EQ(chain.head, 3);
	CHECK_EQ(chain.n_out, 1);
	CHECK_EQ(chain.n_in, 2);
	CHECK_EQ(chain.in_len, 513);
	CHECK(chain.iov[1].iov_base == fake_ptr(g, FAKE_BUF + 0x100));

	/* A direct descriptor followed by an indirect table is accepted. */
	fake_desc(g, 4, FAKE_BUF + 0x800, 8, VIRTQ_DESC_F_NEXT, 3);
	fake_avail(g, 4);
	CHECK_EQ(virtq_pop(&q, &chain), 1);
	CHECK_EQ(chain.n_out, 2);
	CHECK_EQ(chain.out_len, 24);
}

/* Sets up a one-off hostile case and returns what pop made of it, checking
 * that the queue then stays broken and wrote nothing to the used ring. */
static int hostile(struct fake_guest *g, struct virtq *q)
{
	int r = virtq_pop(q, &chain);
	CHECK(q->broken);
	CHECK_EQ(virtq_pop(q, &chain), -EIO);
	CHECK_EQ(fake_used_idx(g), 0);
	return r;
}

static void test_hostile(struct fake_guest *g)
{
	struct virtq q;
	uint64_t table = FAKE_BUF + 0x1000;

	/* Descriptor loop. */
	fresh(g, &q, 0);
	fake_desc(g, 0, FAKE_BUF, 8, VIRTQ_DESC_F_NEXT, 1);
	fake_desc(g, 1, FAKE_BUF, 8, VIRTQ_DESC_F_NEXT, 0);
	fake_avail(g, 0);
	CHECK_EQ(hostile(g, &q), -ELOOP);

	/* Self loop on a writable descriptor. */
	fresh(g, &q, 0);
	fake_desc(g, 6, FAKE_BUF, 8, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 6);
	fake_avail(g, 6);
	CHECK_EQ(hostile(g, &q), -ELOOP);

	/* Next index beyond the table. */
	fresh(g, &q, 0);
	fake_desc(g, 0, FAKE_BUF, 8, VIRTQ_DESC_F_NEXT, NUM);
	fake_avail(g, 0);
	CHECK_EQ(hostile(g, &q), -ERANGE);

	/* Head index beyond the table. */
	fresh(g, &q, 0);
	fake_avail(g, NUM + 3);
	CHECK_EQ(hostile(g, &q), -ERANGE);

	/* Avail idx more than a queue's worth ahead. */
	fresh(g, &q, 0);
	fake_w16(g, FAKE_AVAIL + 2, NUM + 1);
	CHECK_EQ(hostile(g, &q), -ERANGE);
	fresh(g, &q, 0);
	fake_w16(g, FAKE_AVAIL + 2, 0xffff); /* "behind" is as bad */
	CHECK_EQ(hostile(g, &q), -ERANGE);

	/* Buffers outside RAM: past the end, straddling it, below it, and
	 * an address whose end wraps past 2^64. */
	static const struct {
		uint64_t addr;
		uint32_t len;
	} bad[] = {
	        {FAKE_BASE + FAKE_SIZE, 1},
	        {FAKE_BASE + FAKE_SIZE - 4, 8},
	        {FAKE_BASE - 1, 2},
	        {0, 16},
	        {0xffffffffffffff00ull, 0x200},
	        {FAKE_BASE, 0xffffffffu},
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fresh(g, &q, 0);
		fake_desc(g, 0, FAKE_BUF, 8, VIRTQ_DESC_F_NEXT, 1);
		fake_desc(g, 1, bad[i].addr, bad[i].len, VIRTQ_DESC_F_WRITE, 0);
		fake_avail(g, 0);
		CHECK_EQ(hostile(g, &q), -EFAULT);
	}

	/* A readable descriptor after a writable one. */
	fresh(g, &q, 0);
	fake_desc(g, 0, FAKE_BUF, 8, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	fake_desc(g, 1, FAKE_BUF + 8, 8, 0, 0);
	fake_avail(g, 0);
	CHECK_EQ(hostile(g, &q), -EINVAL);

	/* Indirect without the feature. */
	fresh(g, &q, 0);
	fake_desc_at(g, table, 0, FAKE_BUF, 8, 0, 0);
	fake_desc(g, 0, table, 16, VIRTQ_DESC_F_INDIRECT, 0);
	fake_avail(g, 0);
	CHECK_EQ(hostile(g, &q), -EINVAL);

	/* Indirect table lengths: zero, not a multiple of 16, too many. */
	static const uint32_t bad_len[] = {0, 8, 24, 17};
	for (unsigned i = 0; i < sizeof(bad_len) / sizeof(bad_len[0]); i++) {
		fresh(g, &q, F_IND);
		fake_desc_at(g, table, 0, FAKE_BUF, 8, 0, 0);
		fake_desc(g, 0, table, bad_len[i], VIRTQ_DESC_F_INDIRECT, 0);
		fake_avail(g, 0);
		CHECK_EQ(hostile(g, &q), -EINVAL);
	}
	fresh(g, &q, F_IND);
	fake_desc(g, 0, table, 16 * (VIRTQ_CHAIN_MAX + 1), VIRTQ_DESC_F_INDIRECT, 0);
	fake_avail(g, 0);
	CHECK_EQ(hostile(g, &q), -ELOOP);

	/* Indirect table outside RAM, and INDIRECT together with NEXT. */
	fresh(g, &q, F_IND);
	fake_desc(g, 0, FAKE_BASE + FAKE_SIZE - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
	fake_avail(g, 0);
	CHECK_EQ(hostile(g, &q), -EFAULT);
	fresh(g, &q, F_IND);
	fake_desc_at(g, table, 0, FAKE_BUF, 8, 0, 0);
	fake_desc(g, 0, table, 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 1);
	fake_desc(g, 1, FAKE_BUF, 8, 0, 0);
	fake_avail(g, 0);
	CHECK_EQ(hostile(g, &q), -EINVAL);

	/* A table inside a table. */
	fresh(g, &q, F_IND);
	fake_desc_at(g, table, 0, FAKE_BUF, 8, VIRTQ_DESC_F_NEXT, 1);
	fake_desc_at(g, table, 1, table, 32, VIRTQ_DESC_F_INDIRECT, 0);
	fake_desc(g, 0, table, 32, VIRTQ_DESC_F_INDIRECT, 0);
	fake_avail(g, 0);
	CHECK_EQ(hostile(g, &q), -EINVAL);

	/* A loop inside a table, and a next beyond the table. */
	fresh(g, &q, F_IND);
	fake_desc_at(g, table, 0, FAKE_BUF, 8, VIRTQ_DESC_F_NEXT, 1);
	fake_desc_at(g, table, 1, FAKE_BUF, 8, VIRTQ_DESC_F_NEXT, 0);
	fake_desc(g, 0, table, 32, VIRTQ_DESC_F_INDIRECT, 0);
	fake_avail(g, 0);
	CHECK_EQ(hostile(g, &q), -ELOOP);
	fresh(g, &q, F_IND);
	fake_desc_at(g, table, 0, FAKE_BUF, 8, VIRTQ_DESC_F_NEXT, 2);
	fake_desc(g, 0, table, 32, VIRTQ_DESC_F_INDIRECT, 0);
	fake_avail(g, 0);
	CHECK_EQ(hostile(g, &q), -EINVAL);

	/* A buffer outside RAM inside a table. */
	fresh(g, &q, F_IND);
	fake_desc_at(g, table, 0, FAKE_BASE + FAKE_SIZE - 1, 2, VIRTQ_DESC_F_WRITE, 0);
	fake_desc(g, 0, table, 16, VIRTQ_DESC_F_INDIRECT, 0);
	fake_avail(g, 0);
	CHECK_EQ(hostile(g, &q), -EFAULT);

	/* Reset makes a broken queue usable again. */
	virtq_reset(&q);
	CHECK_EQ(q.broken, 0);
}

static void test_event_idx(struct fake_guest *g)
{
	/* The crossing rule, including wrap-around of the 16-bit indexes. */
	CHECK(virtq_need_event(0, 1, 0));
	CHECK(!virtq_need_event(1, 1, 0));
	CHECK(virtq_need_event(3, 5, 2));
	CHECK(!virtq_need_event(5, 5, 2));
	CHECK(!virtq_need_event(1, 5, 2));
	CHECK(virtq_need_event(0xffff, 2, 0xfffe));
	CHECK(!virtq_need_event(2, 2, 0xfffe));
	CHECK(!virtq_need_event(7, 7, 7));

	struct virtq q;
	fresh(g, &q, F_EVT);
	for (unsigned i = 0; i < NUM; i++)
		fake_desc(g, i, FAKE_BUF + 16 * i, 16, VIRTQ_DESC_F_WRITE, 0);
	uint64_t used_event = FAKE_AVAIL + 4 + 2 * NUM;
	uint64_t avail_event = FAKE_USED + 4 + 8 * NUM;

	/* Driver wants an interrupt when used idx passes 1 (i.e. at 2). */
	fake_w16(g, used_event, 1);
	fake_avail(g, 0);
	fake_avail(g, 1);
	CHECK_EQ(virtq_pop(&q, &chain), 1);
	virtq_push(&q, chain.head, 0);
	CHECK(!virtq_should_signal(&q)); /* used idx 1: not yet */
	CHECK_EQ(virtq_pop(&q, &chain), 1);
	virtq_push(&q, chain.head, 0);
	CHECK(virtq_should_signal(&q));  /* crossed 1 */
	CHECK(!virtq_should_signal(&q)); /* nothing new */

	/* Emptying the queue publishes avail_event = last_avail. */
	fake_w16(g, avail_event, 0);
	CHECK_EQ(virtq_pop(&q, &chain), 0);
	CHECK_EQ(fake_r16(g, avail_event), 2);

	/* A driver that set used_event far behind gets no interrupt. */
	fake_w16(g, used_event, 0);
	fake_avail(g, 2);
	CHECK_EQ(virtq_pop(&q, &chain), 1);
	virtq_push(&q, chain.head, 0);
	CHECK(!virtq_should_signal(&q));

	/* Without EVENT_IDX: the NO_INTERRUPT flag decides. */
	fresh(g, &q, 0);
	fake_desc(g, 0, FAKE_BUF, 16, VIRTQ_DESC_F_WRITE, 0);
	CHECK(!virtq_should_signal(&q)); /* nothing pushed */
	fake_avail(g, 0);
	CHECK_EQ(virtq_pop(&q, &chain), 1);
	virtq_push(&q, 0, 0);
	CHECK(virtq_should_signal(&q));
	fake_w16(g, FAKE_AVAIL, VIRTQ_AVAIL_F_NO_INTERRUPT);
	fake_avail(g, 0);
	CHECK_EQ(virtq_pop(&q, &chain), 1);
	virtq_push(&q, 0, 0);
	CHECK(!virtq_should_signal(&q));
	/* Without EVENT_IDX the device does not touch avail_event. */
	CHECK_EQ(virtq_pop(&q, &chain), 0);
	CHECK_EQ(fake_r16(g, avail_event), 0);
}

static void test_iov_slice(void)
{
	char a[10], b[20], c[5];
	struct iovec src[3] = {{a, sizeof(a)}, {b, sizeof(b)}, {c, sizeof(c)}};
	struct iovec dst[3];
	CHECK_EQ(virtq_iov_slice(src, 3, 8, 25, dst, 3), 3);
	CHECK(dst[0].iov_base == a + 8);
	CHECK_EQ(dst[0].iov_len, 2);
	CHECK_EQ(dst[1].iov_len, 20);
	CHECK(dst[2].iov_base == c);
	CHECK_EQ(dst[2].iov_len, 3);
	CHECK_EQ(virtq_iov_slice(src, 3, 12, 5, dst, 3), 1);
	CHECK(dst[0].iov_base == b + 2);
	CHECK_EQ(virtq_iov_slice(src, 3, 0, 36, dst, 3), -ERANGE);
	CHECK_EQ(virtq_iov_slice(src, 3, 0, 35, dst, 2), -ENOSPC);
	CHECK_EQ(virtq_iov_slice(src, 3, 35, 0, dst, 3), 0);
}

int main(void)
{
	struct fake_guest g;
	fake_init(&g, NUM);
	test_setup_checks(&g);
	test_normal_chain(&g);
	test_writes_never_reach_readable(&g);
	test_wraparound(&g);
	test_indirect(&g);
	test_hostile(&g);
	test_event_idx(&g);
	test_iov_slice();
	fake_free(&g);
	return check_summary("virtq");
}
