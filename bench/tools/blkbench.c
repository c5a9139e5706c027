/* blkbench: block-device throughput at queue depth 1, run inside a guest.
 *
 *   blkbench DEVICE SECONDS REGION_MIB
 *
 * Opens DEVICE with O_DIRECT (the guest's page cache is bypassed, so every
 * request reaches the virtio-blk device) and runs, one after the other,
 * each for SECONDS of CLOCK_MONOTONIC time, over the first REGION_MIB MiB:
 *
 *   seq-write-1m  seq-read-1m  seq-write-4k  seq-read-4k
 *   rand-write-4k rand-read-4k
 *
 * Sequential tests wrap around at the end of the region. Random tests pick
 * block-aligned offsets with a fixed-seed xorshift64, so every run of every
 * VMM sees the same offsets in the same order. One request in flight at a
 * time (plain pread/pwrite). Writes are not followed by fsync: with a write
 * cache negotiated (VIRTIO_BLK_F_FLUSH) they complete once the VMM has
 * written them to its image file.
 *
 * Prints one line per test:
 *   TERN-BLKBENCH NAME iops=N mibps=X ops=N ms=X
 * and "TERN-BLKBENCH-ERROR ..." on failure (exit status 1).
 *
 * Freestanding (raw arm64 Linux system calls, no C library) so that it adds
 * a few KiB, not a static libc, to the test guest's initramfs, whose size
 * the boot benchmark would otherwise feel. Build:
 *   aarch64-linux-gnu-gcc -std=c11 -O2 -static -nostdlib -ffreestanding
 *     -fno-stack-protector -fno-builtin -s -o blkbench blkbench.c */
#include <stddef.h>
#include <stdint.h>

#if !defined(__aarch64__) || !defined(__linux__)
#error "blkbench is an arm64 Linux guest program"
#endif

/* arm64 Linux system call numbers and flags (asm-generic). */
enum {
	SYS_openat = 56,
	SYS_close = 57,
	SYS_lseek = 62,
	SYS_write = 64,
	SYS_pread64 = 67,
	SYS_pwrite64 = 68,
	SYS_exit = 93,
	SYS_clock_gettime = 113,
};
#define AT_FDCWD_ (-100)
#define O_RDWR_ 02
#define O_DIRECT_ 0200000
#define O_CLOEXEC_ 02000000
#define SEEK_END_ 2
#define CLOCK_MONOTONIC_ 1

static long sys4(long nr, long a, long b, long c, long d)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory");
	return x0;
}

/* The compiler may emit calls to these for loops and struct copies. */
void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;
	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}

/* Output: one line at a time, built in a small buffer. */
static char line[256];
static size_t len;

static void put(const char *s)
{
	while (*s && len < sizeof(line) - 1)
		line[len++] = *s++;
}

static void put_u(uint64_t v)
{
	char t[24];
	int n = 0;
	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n && len < sizeof(line) - 1)
		line[len++] = t[--n];
}

/* v with two decimals (v >= 0). */
static void put_fix2(double v)
{
	uint64_t c = (uint64_t)(v * 100.0 + 0.5);
	put_u(c / 100);
	put(".");
	if (c % 100 < 10)
		put("0");
	put_u(c % 100);
}

static void flush_line(void)
{
	line[len++] = '\n';
	sys4(SYS_write, 1, (long)line, (long)len, 0);
	len = 0;
}

static void fail(const char *what, long err)
{
	put("TERN-BLKBENCH-ERROR ");
	put(what);
	if (err < 0) {
		put(" errno=");
		put_u((uint64_t)-err);
	}
	flush_line();
	sys4(SYS_exit, 1, 0, 0, 0);
	__builtin_unreachable();
}

static uint64_t now_ns(void)
{
	struct {
		long sec, nsec;
	} ts;
	sys4(SYS_clock_gettime, CLOCK_MONOTONIC_, (long)&ts, 0, 0);
	return (uint64_t)ts.sec * 1000000000u + (uint64_t)ts.nsec;
}

static uint64_t parse_u(const char *s)
{
	uint64_t v = 0;
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint64_t)(*s++ - '0');
	return *s ? 0 : v;
}

static uint64_t rng_state;

/* xorshift64: fast, and the same sequence on every run. */
static uint64_t rng_next(void)
{
	uint64_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return x;
}

struct test {
	const char *name;
	uint64_t bs;
	int write;
	int random;
};

static unsigned char buf[1u << 20] __attribute__((aligned(4096)));

static void run(int fd, const struct test *t, uint64_t ns, uint64_t region)
{
	uint64_t nblocks = region / t->bs, ops = 0, blk = 0;
	rng_state = 0x9e3779b97f4a7c15ull;
	uint64_t start = now_ns(), now = start;
	while (now - start < ns) {
		/* Read the clock every 8 requests: cheap and still fine-grained. */
		for (int i = 0; i < 8; i++) {
			uint64_t b = t->random ? rng_next() % nblocks : blk;
			long n = sys4(t->write ? SYS_pwrite64 : SYS_pread64, fd, (long)buf, (long)t->bs,
			              (long)(b * t->bs));
			if (n != (long)t->bs)
				fail(t->name, n);
			if (++blk == nblocks)
				blk = 0;
			ops++;
		}
		now = now_ns();
	}
	double el = (double)(now - start) / 1e9;
	put("TERN-BLKBENCH ");
	put(t->name);
	put(" iops=");
	put_u((uint64_t)((double)ops / el + 0.5));
	put(" mibps=");
	put_fix2((double)ops * (double)t->bs / el / 1048576.0);
	put(" ops=");
	put_u(ops);
	put(" ms=");
	put_u((now - start) / 1000000u);
	flush_line();
}

static const struct test tests[] = {
        {"seq-write-1m", 1u << 20, 1, 0}, {"seq-read-1m", 1u << 20, 0, 0},
        {"seq-write-4k", 4096, 1, 0},     {"seq-read-4k", 4096, 0, 0},
        {"rand-write-4k", 4096, 1, 1},    {"rand-read-4k", 4096, 0, 1},
};

static int bench_main(int argc, char **argv)
{
	if (argc != 4)
		fail("usage: blkbench DEVICE SECONDS REGION_MIB", 0);
	uint64_t secs = parse_u(argv[2]), mib = parse_u(argv[3]);
	if (!secs || !mib)
		fail("bad SECONDS or REGION_MIB", 0);
	uint64_t region = mib << 20;
	long fd = sys4(SYS_openat, AT_FDCWD_, (long)argv[1], O_RDWR_ | O_DIRECT_ | O_CLOEXEC_, 0);
	if (fd < 0)
		fail("open", fd);
	long size = sys4(SYS_lseek, fd, 0, SEEK_END_, 0);
	if (size < (long)region)
		fail("device smaller than the region", size < 0 ? size : 0);
	/* Not zeros: nothing can recognise and skip the data. */
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 131 + 7);
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		run((int)fd, &tests[i], secs * 1000000000u, region);
	sys4(SYS_close, fd, 0, 0, 0);
	return 0;
}

/* Entry: the kernel leaves argc at [sp] and argv right after it. */
void start_c(long *sp) __attribute__((noreturn, used));
void start_c(long *sp)
{
	int r = bench_main((int)sp[0], (char **)(sp + 1));
	sys4(SYS_exit, r, 0, 0, 0);
	__builtin_unreachable();
}

__asm__(".text\n"
        ".global _start\n"
        "_start:\n"
        "	mov x29, #0\n"
        "	mov x30, #0\n"
        "	mov x0, sp\n"
        "	b start_c\n");
