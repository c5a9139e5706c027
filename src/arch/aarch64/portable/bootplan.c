#include "arch/aarch64/portable/bootplan.h"

#include <errno.h>

#define SZ_2M (2ULL << 20)

static uint64_t align_down(uint64_t v, uint64_t a)
{
	return v & ~(a - 1);
}

int bootplan_make(uint64_t ram_base, uint64_t ram_size, uint64_t text_offset, uint64_t image_size,
                  uint64_t kernel_file_size, uint64_t initrd_size, uint64_t fdt_max,
                  struct bootplan *plan, const char **why)
{
	static const char *const none = "";
	*why = none;
	/* The kernel wants its 2 MiB aligned base as low in RAM as possible. */
	uint64_t kbase = ram_base;
	uint64_t kend_off =
	        text_offset + (image_size > kernel_file_size ? image_size : kernel_file_size);
	/* The DT goes to the last 2 MiB block; the initrd right below it,
	 * page aligned; both must stay above the kernel's image_size. */
	if (ram_size < SZ_2M * 2 || fdt_max > SZ_2M) {
		*why = "guest memory too small for a kernel and a device tree";
		return -ENOMEM;
	}
	uint64_t fdt_off = align_down(ram_size - fdt_max, SZ_2M);
	if (kend_off > fdt_off) {
		*why = "guest memory too small for this kernel: raise --memory";
		return -ENOMEM;
	}
	uint64_t initrd_off = 0;
	if (initrd_size) {
		if (initrd_size > fdt_off - kend_off) {
			*why = "guest memory too small for this kernel and initrd: raise --memory";
			return -ENOMEM;
		}
		initrd_off = align_down(fdt_off - initrd_size, 4096);
		if (initrd_off < kend_off) {
			*why = "guest memory too small for this kernel and initrd: raise --memory";
			return -ENOMEM;
		}
	}
	/* The kernel needs room to run beyond what it is loaded into: demand a
	 * little headroom so "fits" also means "can boot". */
	uint64_t used = kend_off + initrd_size + (ram_size - fdt_off);
	if (ram_size - used < 8ULL << 20) {
		*why = "guest memory leaves the kernel less than 8 MiB to run in: raise --memory";
		return -ENOMEM;
	}
	plan->kernel_addr = kbase + text_offset;
	plan->initrd_addr = initrd_size ? ram_base + initrd_off : 0;
	plan->initrd_size = initrd_size;
	plan->fdt_addr = ram_base + fdt_off;
	return 0;
}
