/* virtio-blk on a temporary image: reads, writes, flush, GET_ID, discard and
 * write-zeroes, read-only mode, bounds, odd image sizes, hostile requests. */
#include "check.h"
#include "devices/virtio_blk.h"
#include "virtio_driver.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#define NUM     8
#define HDR     (FAKE_BUF)
#define DATA    (FAKE_BUF + 0x1000)
#define STATUS  (FAKE_BUF + 0x8000)
#define IMG_LEN (65536 + 100) /* 128 whole sectors and a partial one */

static struct fake_guest g;
static int irq_level, irq_raises;

static void set_irq(void *ctx, int level)
{
	irq_level = level;
	irq_raises += level;
}

static int make_image(const char *name)
{
	const char *dir = getenv("TERN_TEST_TMP");
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "/tmp", name);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	unlink(path);
	uint8_t fill[IMG_LEN];
	memset(fill, 0xee, sizeof(fill));
	CHECK_EQ(pwrite(fd, fill, sizeof(fill), 0), IMG_LEN);
	return fd;
}

/* Submits header + one data buffer (writable when `in`) + status byte and
 * runs the queue. Returns the status byte; *used gets the used length. */
static int request(struct virtio_blk *b, uint32_t type, uint64_t sector, uint32_t data_len, int in,
                   uint32_t *used)
{
	uint8_t hdr[16] = {0};
	memcpy(hdr, &type, 4);
	memcpy(hdr + 8, &sector, 8);
	memcpy(fake_ptr(&g, HDR), hdr, 16);
	*(uint8_t *)fake_ptr(&g, STATUS) = 0xaa;
	uint16_t wr = in ? VIRTQ_DESC_F_WRITE : 0;
	unsigned head = g.avail_idx % NUM ? 0 : 4; /* vary the descriptors used */
	if (data_len) {
		fake_desc(&g, head, HDR, 16, VIRTQ_DESC_F_NEXT, head + 1);
		fake_desc(&g, head + 1, DATA, data_len, VIRTQ_DESC_F_NEXT | wr, head + 2);
	} else {
		fake_desc(&g, head, HDR, 16, VIRTQ_DESC_F_NEXT, head + 2);
	}
	fake_desc(&g, head + 2, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	uint16_t slot = g.avail_idx;
	fake_avail(&g, (uint16_t)head);
	virtio_blk_process_queue(b, 0);
	CHECK_EQ(fake_used_idx(&g), (uint16_t)(slot + 1));
	CHECK_EQ(fake_used_id(&g, slot), head);
	if (used)
		*used = fake_used_len(&g, slot);
	return *(uint8_t *)fake_ptr(&g, STATUS);
}

static void seg(uint64_t gpa, uint64_t sector, uint32_t num, uint32_t flags)
{
	uint8_t *p = fake_ptr(&g, gpa);
	memcpy(p, &sector, 8);
	memcpy(p + 8, &num, 4);
	memcpy(p + 12, &flags, 4);
}

static void start(struct virtio_blk *b, int fd, int ro, const char *serial)
{
	memset(g.mem.host, 0, FAKE_SIZE);
	g.avail_idx = 0;
	CHECK_EQ(virtio_blk_init(b, &g.mem, fd, ro, serial, set_irq, NULL, NULL), 0);
	drv_start(&b->vm, 1, NUM);
	CHECK_EQ(drv_read(&b->vm, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DRIVER_OK,
	         VIRTIO_STATUS_DRIVER_OK);
}

static void test_config(void)
{
	struct virtio_blk b;
	int fd = make_image("blk-config.img");
	start(&b, fd, 0, NULL);
	CHECK_EQ(drv_read(&b.vm, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_BLK);
	/* The partial last sector is not part of the disk. */
	CHECK_EQ_U64(virtio_mmio_ops.read(&b.vm, VIRTIO_MMIO_CONFIG, 8), 128);
	CHECK_EQ(drv_read(&b.vm, VIRTIO_MMIO_CONFIG + 4), 0);
	CHECK_EQ(drv_read(&b.vm, VIRTIO_MMIO_CONFIG + 0x14), 512);
	CHECK_EQ(drv_read(&b.vm, VIRTIO_MMIO_CONFIG + 0x28), VIRTIO_BLK_MAX_DISCARD_SEG);
	CHECK_EQ(virtio_mmio_ops.read(&b.vm, VIRTIO_MMIO_CONFIG + 0x38, 1), 1);
	/* Past the config space reads as zero. */
	CHECK_EQ(drv_read(&b.vm, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CONFIG_SIZE), 0);
	uint64_t f = drv_device_features(&b.vm);
	CHECK(f & (1ull << VIRTIO_BLK_F_FLUSH));
	CHECK(f & (1ull << VIRTIO_BLK_F_DISCARD));
	CHECK(!(f & (1ull << VIRTIO_BLK_F_RO)));
	virtio_blk_destroy(&b);
	close(fd);

	/* Serial longer than 20 bytes is refused. */
	fd = make_image("blk-serial.img");
	CHECK_EQ(virtio_blk_init(&b, &g.mem, fd, 0, "123456789012345678901", NULL, NULL, NULL),
	         -EINVAL);
	close(fd);
}

static void test_read_write(void)
{
	struct virtio_blk b;
	uint32_t used;
	int fd = make_image("blk-rw.img");
	start(&b, fd, 0, "tern-disk-1");

	uint8_t pat[4096], back[4096];
	for (unsigned i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(i * 7 + 3);
	memcpy(fake_ptr(&g, DATA), pat, sizeof(pat));
	irq_raises = 0;
	CHECK_EQ(request(&b, VIRTIO_BLK_T_OUT, 2, 4096, 0, &used), VIRTIO_BLK_S_OK);
	CHECK_EQ(used, 1);
	CHECK(irq_raises == 1 && irq_level == 1);
	CHECK_EQ(drv_read(&b.vm, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	drv_write(&b.vm, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	CHECK_EQ(irq_level, 0);
	CHECK_EQ(pread(fd, back, sizeof(back), 1024), 4096);
	CHECK(!memcmp(back, pat, sizeof(pat)));

	memset(fake_ptr(&g, DATA), 0, 4096);
	CHECK_EQ(request(&b, VIRTIO_BLK_T_IN, 2, 4096, 1, &used), VIRTIO_BLK_S_OK);
	CHECK_EQ(used, 4097);
	CHECK(!memcmp(fake_ptr(&g, DATA), pat, sizeof(pat)));

	/* The very last whole sector is reachable. */
	CHECK_EQ(request(&b, VIRTIO_BLK_T_IN, 127, 512, 1, NULL), VIRTIO_BLK_S_OK);

	CHECK_EQ(request(&b, VIRTIO_BLK_T_FLUSH, 0, 0, 0, &used), VIRTIO_BLK_S_OK);
	CHECK_EQ(used, 1);

	memset(fake_ptr(&g, DATA), 0x77, 32);
	CHECK_EQ(request(&b, VIRTIO_BLK_T_GET_ID, 0, 20, 1, &used), VIRTIO_BLK_S_OK);
	CHECK_EQ(used, 21);
	CHECK(!memcmp(fake_ptr(&g, DATA), "tern-disk-1\0\0\0\0\0\0\0\0\0", 20));
	CHECK_EQ(*(uint8_t *)fake_ptr(&g, DATA + 20), 0x77);

	CHECK_EQ(request(&b, 99, 0, 0, 0, NULL), VIRTIO_BLK_S_UNSUPP);

	/* Out of range: past the end, straddling it, the partial sector, and
	 * a sector number that overflows when converted to bytes. */
	CHECK_EQ(request(&b, VIRTIO_BLK_T_IN, 127, 1024, 1, NULL), VIRTIO_BLK_S_IOERR);
	CHECK_EQ(request(&b, VIRTIO_BLK_T_IN, 128, 512, 1, NULL), VIRTIO_BLK_S_IOERR);
	CHECK_EQ(request(&b, VIRTIO_BLK_T_OUT, 128, 512, 0, NULL), VIRTIO_BLK_S_IOERR);
	CHECK_EQ(request(&b, VIRTIO_BLK_T_OUT, 0xffffffffffffffffull, 512, 0, NULL),
	         VIRTIO_BLK_S_IOERR);
	CHECK_EQ(request(&b, VIRTIO_BLK_T_IN, 0x0080000000000000ull, 512, 1, NULL),
	         VIRTIO_BLK_S_IOERR);
	/* Not a whole number of sectors. */
	CHECK_EQ(request(&b, VIRTIO_BLK_T_IN, 0, 100, 1, NULL), VIRTIO_BLK_S_IOERR);
	uint8_t tail[100];
	CHECK_EQ(pread(fd, tail, sizeof(tail), 65536), 100);
	CHECK_EQ(tail[0], 0xee);
	CHECK_EQ(lseek(fd, 0, SEEK_END), IMG_LEN);

	virtio_blk_destroy(&b);
	close(fd);
}

static int discard_req(struct virtio_blk *b, uint32_t type, unsigned nseg)
{
	uint32_t t = type;
	uint64_t zero = 0;
	memcpy(fake_ptr(&g, HDR), &t, 4);
	memcpy(fake_ptr(&g, HDR + 8), &zero, 8);
	fake_desc(&g, 0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	fake_desc(&g, 1, DATA, 16 * nseg, VIRTQ_DESC_F_NEXT, 2);
	fake_desc(&g, 2, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	*(uint8_t *)fake_ptr(&g, STATUS) = 0xaa;
	fake_avail(&g, 0);
	virtio_blk_process_queue(b, 0);
	return *(uint8_t *)fake_ptr(&g, STATUS);
}

static int all_bytes(int fd, uint64_t off, size_t len, uint8_t v)
{
	uint8_t buf[8192];
	if (len > sizeof(buf) || pread(fd, buf, len, (off_t)off) != (ssize_t)len)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (buf[i] != v)
			return 0;
	return 1;
}

static void test_discard_zeroes(void)
{
	struct virtio_blk b;
	int fd = make_image("blk-discard.img");
	start(&b, fd, 0, NULL);

	seg(DATA, 8, 8, 0);
	CHECK_EQ(discard_req(&b, VIRTIO_BLK_T_DISCARD, 1), VIRTIO_BLK_S_OK);
	CHECK(all_bytes(fd, 4096, 4096, 0)); /* tmpfs and ext4 punch holes */
	CHECK(all_bytes(fd, 0, 4096, 0xee));
	CHECK(all_bytes(fd, 8192, 4096, 0xee));
	CHECK_EQ(lseek(fd, 0, SEEK_END), IMG_LEN);

	/* Two segments, one unaligned, with and without UNMAP. */
	seg(DATA, 20, 3, 0);
	seg(DATA + 16, 30, 1, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
	CHECK_EQ(discard_req(&b, VIRTIO_BLK_T_WRITE_ZEROES, 2), VIRTIO_BLK_S_OK);
	CHECK(all_bytes(fd, 20 * 512, 3 * 512, 0));
	CHECK(all_bytes(fd, 23 * 512, 512, 0xee));
	CHECK(all_bytes(fd, 30 * 512, 512, 0));
	CHECK(all_bytes(fd, 31 * 512, 512, 0xee));

	/* Flags a command does not know, too many segments, a ragged
	 * payload, and ranges off the end (nothing is touched then). */
	seg(DATA, 40, 1, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
	CHECK_EQ(discard_req(&b, VIRTIO_BLK_T_DISCARD, 1), VIRTIO_BLK_S_UNSUPP);
	seg(DATA, 40, 1, 2);
	CHECK_EQ(discard_req(&b, VIRTIO_BLK_T_WRITE_ZEROES, 1), VIRTIO_BLK_S_UNSUPP);
	for (unsigned i = 0; i <= VIRTIO_BLK_MAX_DISCARD_SEG; i++)
		seg(DATA + 16 * i, 40, 1, 0);
	CHECK_EQ(discard_req(&b, VIRTIO_BLK_T_DISCARD, VIRTIO_BLK_MAX_DISCARD_SEG + 1),
	         VIRTIO_BLK_S_UNSUPP);
	seg(DATA, 40, 1, 0);
	seg(DATA + 16, 127, 2, 0);
	CHECK_EQ(discard_req(&b, VIRTIO_BLK_T_WRITE_ZEROES, 2), VIRTIO_BLK_S_IOERR);
	CHECK(all_bytes(fd, 40 * 512, 512, 0xee));
	seg(DATA, 0xffffffffffffff00ull, 0x100, 0);
	CHECK_EQ(discard_req(&b, VIRTIO_BLK_T_DISCARD, 1), VIRTIO_BLK_S_IOERR);
	CHECK_EQ(discard_req(&b, VIRTIO_BLK_T_DISCARD, 0), VIRTIO_BLK_S_UNSUPP);

	virtio_blk_destroy(&b);
	close(fd);
}

static void test_read_only(void)
{
	struct virtio_blk b;
	int fd = make_image("blk-ro.img");
	start(&b, fd, 1, NULL);
	uint64_t f = drv_device_features(&b.vm);
	CHECK(f & (1ull << VIRTIO_BLK_F_RO));
	CHECK(!(f & (1ull << VIRTIO_BLK_F_DISCARD)));
	memset(fake_ptr(&g, DATA), 0x11, 512);
	CHECK_EQ(request(&b, VIRTIO_BLK_T_OUT, 0, 512, 0, NULL), VIRTIO_BLK_S_IOERR);
	seg(DATA, 0, 1, 0);
	CHECK_EQ(discard_req(&b, VIRTIO_BLK_T_WRITE_ZEROES, 1), VIRTIO_BLK_S_IOERR);
	CHECK(all_bytes(fd, 0, 4096, 0xee));
	CHECK_EQ(request(&b, VIRTIO_BLK_T_IN, 0, 512, 1, NULL), VIRTIO_BLK_S_OK);
	CHECK_EQ(*(uint8_t *)fake_ptr(&g, DATA), 0xee);
	virtio_blk_destroy(&b);
	close(fd);
}

static void test_hostile(void)
{
	struct virtio_blk b;
	int fd = make_image("blk-hostile.img");
	start(&b, fd, 0, NULL);

	/* No writable byte for the status: dropped with used length 0. */
	fake_desc(&g, 0, HDR, 16, 0, 0);
	fake_avail(&g, 0);
	virtio_blk_process_queue(&b, 0);
	CHECK_EQ(fake_used_idx(&g), 1);
	CHECK_EQ(fake_used_len(&g, 0), 0);

	/* A header too short to parse. */
	fake_desc(&g, 0, HDR, 8, VIRTQ_DESC_F_NEXT, 1);
	fake_desc(&g, 1, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	fake_avail(&g, 0);
	virtio_blk_process_queue(&b, 0);
	CHECK_EQ(*(uint8_t *)fake_ptr(&g, STATUS), VIRTIO_BLK_S_IOERR);

	/* A read whose data buffer is device-readable: the data length seen
	 * is 0 bytes writable minus status, so nothing lands in it. */
	memset(fake_ptr(&g, DATA), 0x5a, 512);
	uint32_t t = VIRTIO_BLK_T_IN;
	memcpy(fake_ptr(&g, HDR), &t, 4);
	fake_desc(&g, 0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	fake_desc(&g, 1, DATA, 512, VIRTQ_DESC_F_NEXT, 2);
	fake_desc(&g, 2, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	fake_avail(&g, 0);
	virtio_blk_process_queue(&b, 0);
	CHECK_EQ(*(uint8_t *)fake_ptr(&g, DATA), 0x5a);

	/* A ring error: NEEDS_RESET, a config interrupt, and no more work. */
	irq_raises = 0;
	drv_write(&b.vm, VIRTIO_MMIO_INTERRUPT_ACK, 3);
	fake_desc(&g, 0, HDR, 16, VIRTQ_DESC_F_NEXT, 0);
	fake_avail(&g, 0);
	uint16_t used = fake_used_idx(&g);
	virtio_blk_process_queue(&b, 0);
	CHECK(drv_read(&b.vm, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
	CHECK(drv_read(&b.vm, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG);
	CHECK_EQ(irq_raises, 1);
	CHECK_EQ(fake_used_idx(&g), used);
	fake_desc(&g, 0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	virtio_blk_process_queue(&b, 0);
	CHECK_EQ(fake_used_idx(&g), used);

	/* The driver resets and starts over: the device works again. */
	memset(g.mem.host, 0, FAKE_SIZE);
	g.avail_idx = 0;
	drv_start(&b.vm, 1, NUM);
	CHECK_EQ(drv_read(&b.vm, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET, 0);
	CHECK_EQ(request(&b, VIRTIO_BLK_T_FLUSH, 0, 0, 0, NULL), VIRTIO_BLK_S_OK);

	virtio_blk_destroy(&b);
	close(fd);
}

int main(void)
{
	fake_init(&g, NUM);
	test_config();
	test_read_write();
	test_discard_zeroes();
	test_read_only();
	test_hostile();
	fake_free(&g);
	return check_summary("virtio_blk");
}
