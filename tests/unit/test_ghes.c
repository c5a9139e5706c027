/* The GHESv2 error source: layout in the RAS region, the read-ack
 * handshake as a Linux guest performs it, and the bounds. */
#include <errno.h>
#include <stdlib.h>

#include "arch/aarch64/portable/acpi_buf.h"
#include "check.h"
#include "devices/cper.h"
#include "devices/ghes.h"

#define RAM_BASE 0x40000000ULL
#define RAS      (RAM_BASE + 0x100000)
#define RAS_SIZE 0x10000ULL

static struct guest_mem ram;

static uint8_t *g(uint64_t gpa)
{
	return ram.host + (gpa - RAM_BASE);
}

/* What Linux does after consuming a record: clear block_status, then
 * read-modify-write read-ack with preserve ~1 and write 1. */
static void guest_ack(const struct ghes_source *s)
{
	memset(g(s->block_gpa), 0, 4);
	uint64_t v;
	memcpy(&v, g(s->ack_gpa), 8);
	v = (v & ~1ULL) | 1;
	memcpy(g(s->ack_gpa), &v, 8);
}

static void test_layout(void)
{
	struct ghes_source s[2];
	memset(g(RAS), 0xaa, RAS_SIZE); /* init must not trust old contents */
	CHECK_EQ(ghes_init(&s[0], &ram, RAS, RAS_SIZE, 0, 0, 0x100), 0);
	CHECK_EQ(ghes_init(&s[1], &ram, RAS, RAS_SIZE, 1, 1, 0x101), 0);
	for (int i = 0; i < 2; i++) {
		CHECK(s[i].status_gpa >= RAS && s[i].status_gpa + 8 <= RAS + RAS_SIZE);
		CHECK(s[i].ack_gpa >= RAS && s[i].ack_gpa + 8 <= RAS + RAS_SIZE);
		CHECK(s[i].block_gpa >= RAS && s[i].block_gpa + s[i].block_len <= RAS + RAS_SIZE);
		CHECK_EQ_U64(acpi_get64(g(s[i].status_gpa)), s[i].block_gpa);
		CHECK_EQ_U64(acpi_get64(g(s[i].ack_gpa)), 1);
		CHECK_EQ(acpi_get32(g(s[i].block_gpa)), 0);
		CHECK(ghes_acked(&s[i]));
	}
	/* nothing overlaps */
	CHECK(s[0].status_gpa != s[1].status_gpa && s[0].ack_gpa != s[1].ack_gpa);
	CHECK(s[0].block_gpa + s[0].block_len <= s[1].block_gpa);
	CHECK(s[0].ack_gpa >= s[1].status_gpa + 8);

	struct ghes_source x;
	CHECK_EQ(ghes_init(&x, &ram, RAS, RAS_SIZE, GHES_MAX_SOURCES, 0, 0x100), -EINVAL);
	CHECK_EQ(ghes_init(&x, &ram, RAS, RAS_SIZE, 0, 0, 0), -EINVAL);
	CHECK_EQ(ghes_init(&x, &ram, RAS, 0x1000, 0, 0, 0x100), -EINVAL);
	CHECK_EQ(ghes_init(&x, &ram, RAM_BASE + ram.size - 0x1000, RAS_SIZE, 0, 0, 0x100), -EFAULT);
}

static void test_handshake(void)
{
	struct ghes_source s, other;
	CHECK_EQ(ghes_init(&s, &ram, RAS, RAS_SIZE, 0, 0, 0x100), 0);
	CHECK_EQ(ghes_init(&other, &ram, RAS, RAS_SIZE, 1, 1, 0x101), 0);
	uint8_t r1[256], r2[256];
	int n1 = cper_estatus_memory(CPER_SEV_RECOVERABLE, 0x50000000, r1, sizeof(r1));
	int n2 = cper_estatus_memory(CPER_SEV_CORRECTED, 0x50001000, r2, sizeof(r2));
	CHECK(n1 > 0 && n2 > 0);

	CHECK_EQ(ghes_inject(&s, r1, (size_t)n1), 0);
	CHECK(!memcmp(g(s.block_gpa), r1, (size_t)n1));
	CHECK_EQ_U64(acpi_get64(g(s.ack_gpa)), 0);
	CHECK(!ghes_acked(&s));

	/* unacknowledged: refused, and the first record stays intact */
	CHECK_EQ(ghes_inject(&s, r2, (size_t)n2), -EBUSY);
	CHECK(!memcmp(g(s.block_gpa), r1, (size_t)n1));
	/* another source is independent */
	CHECK_EQ(ghes_inject(&other, r2, (size_t)n2), 0);

	/* a write that leaves the ack bit clear is no ack */
	uint64_t two = 2;
	memcpy(g(s.ack_gpa), &two, 8);
	CHECK_EQ(ghes_inject(&s, r2, (size_t)n2), -EBUSY);

	guest_ack(&s);
	CHECK(ghes_acked(&s));
	/* a guest that scribbled on the address slot gets it restored */
	memset(g(s.status_gpa), 0, 8);
	CHECK_EQ(ghes_inject(&s, r2, (size_t)n2), 0);
	CHECK(!memcmp(g(s.block_gpa), r2, (size_t)n2));
	CHECK_EQ_U64(acpi_get64(g(s.status_gpa)), s.block_gpa);
	CHECK_EQ_U64(acpi_get64(g(s.ack_gpa)) & 1, 0);
}

static void test_bounds(void)
{
	struct ghes_source s;
	CHECK_EQ(ghes_init(&s, &ram, RAS, RAS_SIZE, 2, 2, 0x102), 0);
	static uint8_t big[GHES_BLOCK_LEN + 1];
	memset(big, 0, sizeof(big));
	big[0] = 1;                             /* block status */
	big[12] = (GHES_BLOCK_LEN - 20) & 0xff; /* data length */
	big[13] = ((GHES_BLOCK_LEN - 20) >> 8) & 0xff;
	CHECK_EQ(ghes_inject(&s, big, sizeof(big)), -E2BIG);
	CHECK(ghes_acked(&s)); /* a refused record does not consume the slot */
	CHECK_EQ(ghes_inject(&s, big, GHES_BLOCK_LEN), 0);
	guest_ack(&s);

	uint8_t r[20] = {0};
	CHECK_EQ(ghes_inject(&s, r, sizeof(r)), -EINVAL); /* empty block status */
	r[0] = 1;
	r[12] = 1; /* data beyond the record */
	CHECK_EQ(ghes_inject(&s, r, sizeof(r)), -EINVAL);
	CHECK_EQ(ghes_inject(&s, r, 10), -EINVAL);
	r[12] = 0;
	CHECK_EQ(ghes_inject(&s, r, sizeof(r)), 0);
}

int main(void)
{
	ram.gpa_base = RAM_BASE;
	ram.size = 2 << 20;
	ram.host = calloc(1, ram.size);
	if (!ram.host)
		return 1;
	test_layout();
	test_handshake();
	test_bounds();
	free(ram.host);
	return check_summary("test_ghes");
}
