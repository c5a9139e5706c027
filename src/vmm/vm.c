/* Board wiring and the main loop of one microVM. */
#include "vmm/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/aarch64/portable/bootplan.h"
#include "arch/aarch64/portable/fdt.h"
#include "arch/aarch64/portable/image.h"
#include "sdei/sdei.h"
#include "vmm/console.h"
#include "vmm/core/log.h"

void vm_request_stop(struct vm *vm, enum vm_exit reason)
{
	int expected = VM_RUNNING;
	if (__atomic_compare_exchange_n(&vm->exit_reason, &expected, (int)reason, 0,
	                                __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		uint64_t one = 1;
		if (write(vm->stop_fd, &one, sizeof(one)) < 0)
			log_error("cannot wake the main loop: %s", strerror(errno));
	}
}

static void uart_tx(void *ctx, uint8_t b)
{
	(void)ctx;
	console_putc(b);
}

void vm_set_spi(struct vm *vm, unsigned spi, int level)
{
	if (level && vm->sdei && sdei_interrupt_take(vm->sdei, 32 + spi))
		return;
	int r = kvm_vm_set_spi(&vm->kvm, spi, level);
	if (r)
		log_error("cannot set SPI %u: %s", spi, strerror(-r));
}

static void uart_irq(void *ctx, int level)
{
	vm_set_spi(ctx, LAYOUT_SPI_UART, level);
}

static void gpio_irq(void *ctx, int level)
{
	vm_set_spi(ctx, LAYOUT_SPI_GPIO, level);
}

int vm_press_power_button(struct vm *vm)
{
	if (vm->cfg->acpi) {
		/* The GED's interrupt is edge-triggered: one pulse is one press. */
		int r = kvm_vm_set_spi(&vm->kvm, LAYOUT_SPI_GED, 1);
		return r ? r : kvm_vm_set_spi(&vm->kvm, LAYOUT_SPI_GED, 0);
	}
	pl061_press_power(&vm->gpio);
	return 0;
}

/* Reads a whole file into guest memory at gpa (the plan checked it fits). */
static int load_file(struct vm *vm, const char *what, const char *path, uint64_t gpa, uint64_t size)
{
	uint8_t *dst = kvm_vm_gpa_to_hva(&vm->kvm, gpa, size);
	if (!dst) {
		log_error("%s '%s' does not fit in guest memory", what, path);
		return -ENOMEM;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_error("cannot open %s '%s': %s", what, path, strerror(errno));
		return -errno;
	}
	uint64_t done = 0;
	while (done < size) {
		ssize_t r =
		        read(fd, dst + done, size - done > (1U << 30) ? (1U << 30) : size - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int e = r < 0 ? errno : EIO;
			log_error("cannot read %s '%s': %s", what, path,
			          r < 0 ? strerror(e) : "file shrank while loading");
			close(fd);
			return -e;
		}
		done += (uint64_t)r;
	}
	close(fd);
	return 0;
}

static int file_size(const char *what, const char *path, uint64_t *size)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		log_error("cannot open %s '%s': %s", what, path, strerror(errno));
		return -errno;
	}
	if (!S_ISREG(st.st_mode)) {
		log_error("%s '%s' is not a regular file", what, path);
		return -EINVAL;
	}
	*size = (uint64_t)st.st_size;
	return 0;
}

static int read_kernel_header(const char *path, uint64_t fsize, struct image_info *info)
{
	uint8_t hdr[IMAGE_HEADER_SIZE];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_error("cannot open kernel '%s': %s", path, strerror(errno));
		return -errno;
	}
	ssize_t n = read(fd, hdr, sizeof(hdr));
	close(fd);
	const char *why;
	if (n < 0 || image_parse(hdr, (size_t)n, fsize, info, &why)) {
		log_error("kernel '%s': %s", path, n < 0 ? strerror(errno) : why);
		return -ENOEXEC;
	}
	return 0;
}

static int load_guest(struct vm *vm)
{
	const struct vm_config *c = vm->cfg;
	uint64_t ksize, isize = 0;
	struct image_info img;
	int r;
	if ((r = file_size("kernel", c->kernel, &ksize)) ||
	    (r = read_kernel_header(c->kernel, ksize, &img)) ||
	    (c->initrd && (r = file_size("initrd", c->initrd, &isize))))
		return r;
	struct bootplan plan;
	const char *why;
	if (bootplan_make(vm->kvm.ram_base, vm->kvm.ram_size, img.text_offset, img.image_size,
	                  ksize, isize, LAYOUT_FDT_MAX, &plan, &why)) {
		log_error("%s (--memory %lluM)", why, (unsigned long long)(c->memory >> 20));
		return -ENOMEM;
	}
	if ((r = load_file(vm, "kernel", c->kernel, plan.kernel_addr, ksize)) ||
	    (c->initrd && (r = load_file(vm, "initrd", c->initrd, plan.initrd_addr, isize))))
		return r;

	struct fdt_mmio_device mmio[VIRTIO_BOARD_MAX];
	for (unsigned i = 0; i < vm->virtio.n; i++)
		mmio[i] = (struct fdt_mmio_device){"virtio_mmio", "virtio,mmio",
		                                   vm->virtio.slot[i].base, VIRTIO_MMIO_SIZE,
		                                   vm->virtio.slot[i].spi};
	uint64_t mpidr[TERN_MAX_VCPUS];
	for (unsigned i = 0; i < vm->ncpus; i++)
		mpidr[i] = vm->vcpus[i].h.mpidr;
	struct fdt_params fp = {
	        .ram_base = vm->kvm.ram_base,
	        .ram_size = vm->kvm.ram_size,
	        .ncpus = vm->ncpus,
	        .mpidr = mpidr,
	        .gic_version = vm->kvm.gic_version,
	        .bootargs = c->cmdline ? c->cmdline : CONFIG_DEFAULT_CMDLINE,
	        .initrd_start = plan.initrd_addr,
	        .initrd_end = plan.initrd_addr + plan.initrd_size,
	        .sdei = vm->sdei != NULL,
	        .power_button = !c->acpi,
	        .mmio = mmio,
	        .nmmio = vm->virtio.n,
	};
	int fsize;
	if (c->acpi) {
		if ((r = acpi_board_load(vm, &plan, fp.bootargs)))
			return r;
		fsize = 0;
	} else {
		void *fdt = kvm_vm_gpa_to_hva(&vm->kvm, plan.fdt_addr, LAYOUT_FDT_MAX);
		fsize = fdt ? fdt_build(&fp, fdt, LAYOUT_FDT_MAX) : -ENOMEM;
		if (fsize < 0) {
			log_error("cannot build the device tree: %s", strerror(-fsize));
			return fsize;
		}
	}
	log_info("kernel at 0x%llx (%llu KiB), initrd at 0x%llx (%llu KiB), DT at 0x%llx (%d B)",
	         (unsigned long long)plan.kernel_addr, (unsigned long long)(ksize >> 10),
	         (unsigned long long)plan.initrd_addr, (unsigned long long)(isize >> 10),
	         (unsigned long long)plan.fdt_addr, fsize);

	/* The boot protocol: x0 = DT address, x1..x3 = 0, enter at the Image. */
	struct kvm_vcpu_handle *boot = &vm->vcpus[0].h;
	if ((r = kvm_vcpu_set_reg(boot, KVM_REG_X(0), plan.fdt_addr)) ||
	    (r = kvm_vcpu_set_reg(boot, KVM_REG_X(1), 0)) ||
	    (r = kvm_vcpu_set_reg(boot, KVM_REG_X(2), 0)) ||
	    (r = kvm_vcpu_set_reg(boot, KVM_REG_X(3), 0)) ||
	    (r = kvm_vcpu_set_reg(boot, KVM_REG_PC, plan.kernel_addr))) {
		log_error("cannot set the boot vCPU's registers: %s", strerror(-r));
		return r;
	}
	return 0;
}

int vm_create(struct vm *vm, const struct vm_config *cfg, struct evloop *loop)
{
	char why[256];
	int r;
	memset(vm, 0, sizeof(*vm));
	vm->cfg = cfg;
	vm->ncpus = cfg->cpus;
	vm->kvm.kvm_fd = vm->kvm.vm_fd = vm->kvm.gic_fd = -1;
	for (unsigned i = 0; i < TERN_MAX_VCPUS; i++)
		vm->vcpus[i].h.fd = -1;
	pthread_mutex_init(&vm->power_lock, NULL);
	pthread_mutex_init(&vm->pause_lock, NULL);
	pthread_cond_init(&vm->pause_cond, NULL);
	pthread_mutex_init(&vm->note_lock, NULL);
	vm->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	vm->note_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->stop_fd < 0 || vm->note_fd < 0) {
		log_error("eventfd: %s", strerror(errno));
		return -errno;
	}
	if ((r = kvm_vm_create(&vm->kvm, cfg->memory, why, sizeof(why))))
		goto fail;
	for (unsigned i = 0; i < vm->ncpus; i++) {
		vm->vcpus[i].vm = vm;
		if ((r = kvm_vcpu_create(&vm->kvm, i, &vm->vcpus[i].h, why, sizeof(why))))
			goto fail;
	}
	if ((r = kvm_gic_create(&vm->kvm, vm->ncpus, cfg->gic_version, why, sizeof(why))))
		goto fail;
	if ((r = vm_sdei_setup(vm)))
		return r;
	log_info("using the in-kernel GICv%d, %u vCPU%s, %llu MiB", vm->kvm.gic_version, vm->ncpus,
	         vm->ncpus > 1 ? "s" : "", (unsigned long long)(cfg->memory >> 20));

	uart16550_init(&vm->uart, uart_tx, uart_irq, vm);
	if ((r = mmio_bus_add(&vm->bus, LAYOUT_UART_BASE, LAYOUT_UART_SIZE, &uart16550_ops,
	                      &vm->uart))) {
		snprintf(why, sizeof(why), "cannot place the UART: %s", strerror(-r));
		goto fail;
	}
	vm->mem = (struct guest_mem){
	        .host = vm->kvm.ram, .gpa_base = vm->kvm.ram_base, .size = vm->kvm.ram_size};
	pl061_init(&vm->gpio, gpio_irq, vm);
	if ((r = mmio_bus_add(&vm->bus, LAYOUT_GPIO_BASE, LAYOUT_GPIO_SIZE, &pl061_ops,
	                      &vm->gpio))) {
		snprintf(why, sizeof(why), "cannot place the GPIO: %s", strerror(-r));
		goto fail;
	}
	if ((r = virtio_board_create(vm, loop)))
		return r;
	return load_guest(vm);
fail:
	log_error("%s", why);
	return r;
}

void vm_pause(struct vm *vm)
{
	pthread_mutex_lock(&vm->pause_lock);
	vm->pause_req = 1;
	pthread_mutex_unlock(&vm->pause_lock);
	unsigned started = 0;
	for (unsigned i = 0; i < vm->ncpus; i++) {
		started += vm->vcpus[i].started;
		vcpu_kick(&vm->vcpus[i]);
	}
	/* Returns once every vCPU is out of the guest, so "paused" is true
	 * when the caller reports it. */
	pthread_mutex_lock(&vm->pause_lock);
	while (vm->npaused < started && !__atomic_load_n(&vm->exit_reason, __ATOMIC_ACQUIRE))
		pthread_cond_wait(&vm->pause_cond, &vm->pause_lock);
	pthread_mutex_unlock(&vm->pause_lock);
}

void vm_resume(struct vm *vm)
{
	pthread_mutex_lock(&vm->pause_lock);
	vm->pause_req = 0;
	pthread_cond_broadcast(&vm->pause_cond);
	pthread_mutex_unlock(&vm->pause_lock);
}

int vm_paused(struct vm *vm)
{
	pthread_mutex_lock(&vm->pause_lock);
	int p = vm->pause_req;
	pthread_mutex_unlock(&vm->pause_lock);
	return p;
}

int vm_start_vcpus(struct vm *vm)
{
	for (unsigned i = 0; i < vm->ncpus; i++) {
		int r = vcpu_start(&vm->vcpus[i]);
		if (r) {
			log_error("cannot start vCPU %u: %s", i, strerror(-r));
			vm_request_stop(vm, VM_EXIT_ERROR);
			return r;
		}
	}
	return 0;
}

void vm_stop_vcpus(struct vm *vm)
{
	/* exit_reason is set: wake paused vCPUs and kick the running ones. */
	pthread_mutex_lock(&vm->pause_lock);
	pthread_cond_broadcast(&vm->pause_cond);
	pthread_mutex_unlock(&vm->pause_lock);
	for (unsigned i = 0; i < vm->ncpus; i++)
		vcpu_kick(&vm->vcpus[i]);
	for (unsigned i = 0; i < vm->ncpus; i++)
		vcpu_join(&vm->vcpus[i]);
}

void vm_destroy(struct vm *vm)
{
	virtio_board_destroy(vm);
	vm_sdei_destroy(vm);
	for (unsigned i = 0; i < vm->ncpus; i++)
		kvm_vcpu_destroy(&vm->kvm, &vm->vcpus[i].h);
	kvm_vm_destroy(&vm->kvm);
	uart16550_destroy(&vm->uart);
	pl061_destroy(&vm->gpio);
	if (vm->stop_fd >= 0)
		close(vm->stop_fd);
	if (vm->note_fd >= 0)
		close(vm->note_fd);
	vm->stop_fd = vm->note_fd = -1;
	pthread_mutex_destroy(&vm->power_lock);
	pthread_mutex_destroy(&vm->pause_lock);
	pthread_cond_destroy(&vm->pause_cond);
	pthread_mutex_destroy(&vm->note_lock);
}
