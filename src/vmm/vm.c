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

static void uart_irq(void *ctx, int level)
{
	struct vm *vm = ctx;
	int r = kvm_vm_set_spi(&vm->kvm, LAYOUT_SPI_UART, level);
	if (r)
		log_error("cannot set the UART interrupt: %s", strerror(-r));
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
	};
	void *fdt = kvm_vm_gpa_to_hva(&vm->kvm, plan.fdt_addr, LAYOUT_FDT_MAX);
	int fsize = fdt ? fdt_build(&fp, fdt, LAYOUT_FDT_MAX) : -ENOMEM;
	if (fsize < 0) {
		log_error("cannot build the device tree: %s", strerror(-fsize));
		return fsize;
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

int vm_create(struct vm *vm, const struct vm_config *cfg)
{
	char why[256];
	int r;
	memset(vm, 0, sizeof(*vm));
	vm->cfg = cfg;
	vm->ncpus = cfg->cpus;
	vm->kvm.kvm_fd = vm->kvm.vm_fd = vm->kvm.gic_fd = -1;
	for (unsigned i = 0; i < TERN_MAX_VCPUS; i++)
		vm->vcpus[i].h.fd = -1;
	vm->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->stop_fd < 0) {
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
	log_info("using the in-kernel GICv%d, %u vCPU%s, %llu MiB", vm->kvm.gic_version, vm->ncpus,
	         vm->ncpus > 1 ? "s" : "", (unsigned long long)(cfg->memory >> 20));

	uart16550_init(&vm->uart, uart_tx, uart_irq, vm);
	if ((r = mmio_bus_add(&vm->bus, LAYOUT_UART_BASE, LAYOUT_UART_SIZE, &uart16550_ops,
	                      &vm->uart))) {
		snprintf(why, sizeof(why), "cannot place the UART: %s", strerror(-r));
		goto fail;
	}
	return load_guest(vm);
fail:
	log_error("%s", why);
	return r;
}

static int setup_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	if (pthread_sigmask(SIG_BLOCK, set, NULL))
		return -EINVAL;
	return signalfd(-1, set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Input read from stdin that the UART had no room for yet. */
struct pending_input {
	uint8_t buf[256];
	size_t off, len;
};

static void feed_uart(struct vm *vm, struct pending_input *in)
{
	size_t n = uart16550_receive(&vm->uart, in->buf + in->off, in->len - in->off);
	in->off += n;
	if (in->off == in->len)
		in->off = in->len = 0;
}

static void read_stdin(struct vm *vm, int ep, struct pending_input *in, int *stdin_open)
{
	ssize_t r = read(STDIN_FILENO, in->buf, sizeof(in->buf));
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		/* EOF or error: the guest simply gets no more input. */
		epoll_ctl(ep, EPOLL_CTL_DEL, STDIN_FILENO, NULL);
		*stdin_open = 0;
		return;
	}
	int quit = 0;
	in->off = 0;
	in->len = console_filter(in->buf, (size_t)r, &quit);
	if (quit) {
		log_info("quit from the console");
		vm_request_stop(vm, VM_EXIT_SIGNAL);
	}
	feed_uart(vm, in);
}

enum vm_exit vm_run(struct vm *vm)
{
	sigset_t set;
	int sfd = setup_signals(&set);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	if (sfd < 0 || ep < 0) {
		log_error("cannot set up the main loop: %s", strerror(errno));
		return VM_EXIT_ERROR;
	}
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = sfd};
	epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
	ev.data.fd = vm->stop_fd;
	epoll_ctl(ep, EPOLL_CTL_ADD, vm->stop_fd, &ev);
	int stdin_open = 0;
	ev.data.fd = STDIN_FILENO;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, STDIN_FILENO, &ev) == 0)
		stdin_open = 1; /* fails for /dev/null and regular files: no input then */
	console_setup();

	for (unsigned i = 0; i < vm->ncpus; i++) {
		int r = vcpu_start(&vm->vcpus[i]);
		if (r) {
			log_error("cannot start vCPU %u: %s", i, strerror(-r));
			vm_request_stop(vm, VM_EXIT_ERROR);
			break;
		}
	}

	struct pending_input in = {.len = 0};
	while (!__atomic_load_n(&vm->exit_reason, __ATOMIC_ACQUIRE)) {
		/* While input waits for room in the UART, poll for the guest
		 * draining it instead of reading more. */
		int waiting = in.len > 0;
		if (waiting && stdin_open)
			epoll_ctl(ep, EPOLL_CTL_DEL, STDIN_FILENO, NULL);
		struct epoll_event evs[4];
		int n = epoll_wait(ep, evs, 4, waiting ? 20 : -1);
		if (waiting) {
			feed_uart(vm, &in);
			if (!in.len && stdin_open) {
				ev.data.fd = STDIN_FILENO;
				epoll_ctl(ep, EPOLL_CTL_ADD, STDIN_FILENO, &ev);
			}
		}
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == sfd) {
				struct signalfd_siginfo si;
				if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
					log_info("signal %u: stopping the VM", si.ssi_signo);
					vm->exit_signal = (int)si.ssi_signo;
					vm_request_stop(vm, VM_EXIT_SIGNAL);
				}
			} else if (fd == vm->stop_fd) {
				uint64_t v;
				if (read(vm->stop_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
					log_warn("stop eventfd: %s", strerror(errno));
			} else if (fd == STDIN_FILENO && !in.len) {
				read_stdin(vm, ep, &in, &stdin_open);
			}
		}
	}

	for (unsigned i = 0; i < vm->ncpus; i++)
		vcpu_kick(&vm->vcpus[i]);
	for (unsigned i = 0; i < vm->ncpus; i++)
		vcpu_join(&vm->vcpus[i]);
	console_restore();
	close(ep);
	close(sfd);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	return (enum vm_exit)vm->exit_reason;
}

void vm_destroy(struct vm *vm)
{
	for (unsigned i = 0; i < vm->ncpus; i++)
		kvm_vcpu_destroy(&vm->kvm, &vm->vcpus[i].h);
	kvm_vm_destroy(&vm->kvm);
	uart16550_destroy(&vm->uart);
	if (vm->stop_fd >= 0)
		close(vm->stop_fd);
	vm->stop_fd = -1;
}
