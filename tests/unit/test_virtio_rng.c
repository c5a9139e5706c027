/* virtio-rng fills writable buffers, never readable ones, and reports how
 * much it wrote. */
#include "check.h"
#include "devices/virtio_rng.h"
#include "virtio_driver.h"

#define NUM 8

int main(void)
{
	struct fake_guest g;
	struct virtio_rng r;
	fake_init(&g, NUM);
	virtio_rng_init(&r, &g.mem, NULL, NULL, NULL);
	CHECK_EQ(drv_read(&r.vm, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_RNG);
	drv_start(&r.vm, 1, NUM);

	/* A readable buffer first (ignored), then two writable ones. */
	memset(fake_ptr(&g, FAKE_BUF), 0, 0x3000);
	fake_desc(&g, 0, FAKE_BUF, 64, VIRTQ_DESC_F_NEXT, 1);
	fake_desc(&g, 1, FAKE_BUF + 0x1000, 256, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	fake_desc(&g, 2, FAKE_BUF + 0x2000, 100, VIRTQ_DESC_F_WRITE, 0);
	fake_avail(&g, 0);
	virtio_rng_process_queue(&r, 0);
	CHECK_EQ(fake_used_idx(&g), 1);
	CHECK_EQ(fake_used_len(&g, 0), 356);

	const uint8_t *ro = fake_ptr(&g, FAKE_BUF);
	const uint8_t *a = fake_ptr(&g, FAKE_BUF + 0x1000);
	const uint8_t *b = fake_ptr(&g, FAKE_BUF + 0x2000);
	unsigned ro_nonzero = 0, a_nonzero = 0, b_nonzero = 0, distinct = 0;
	for (unsigned i = 0; i < 64; i++)
		ro_nonzero += ro[i] != 0;
	for (unsigned i = 0; i < 256; i++) {
		a_nonzero += a[i] != 0;
		distinct += i && a[i] != a[i - 1];
	}
	for (unsigned i = 0; i < 100; i++)
		b_nonzero += b[i] != 0;
	CHECK_EQ(ro_nonzero, 0);
	/* 256 random bytes with fewer than 200 non-zero: odds below 2^-100. */
	CHECK(a_nonzero > 200);
	CHECK(distinct > 200);
	CHECK(b_nonzero > 70);
	/* Nothing past the buffers. */
	CHECK_EQ(*(const uint8_t *)fake_ptr(&g, FAKE_BUF + 0x1000 + 256), 0);
	CHECK_EQ(*(const uint8_t *)fake_ptr(&g, FAKE_BUF + 0x2000 + 100), 0);

	/* Huge requests are capped. */
	fake_desc(&g, 3, FAKE_BUF, 0x80000, VIRTQ_DESC_F_WRITE, 0);
	fake_avail(&g, 3);
	virtio_rng_process_queue(&r, 0);
	CHECK_EQ(fake_used_idx(&g), 2);
	CHECK_EQ(fake_used_len(&g, 1), VIRTIO_RNG_MAX_REQUEST);

	/* Before DRIVER_OK nothing is served. */
	drv_write(&r.vm, VIRTIO_MMIO_STATUS, 0);
	fake_avail(&g, 3);
	virtio_rng_process_queue(&r, 0);
	CHECK_EQ(fake_used_idx(&g), 2);

	virtio_rng_destroy(&r);
	fake_free(&g);
	return check_summary("virtio_rng");
}
