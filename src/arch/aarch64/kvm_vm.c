#include "arch/aarch64/kvm_vm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arch/aarch64/layout.h"
#include "vmm/core/errmsg.h"

int kvm_vm_create(struct kvm_vm *vm, uint64_t ram_size, char *why, size_t n)
{
	memset(vm, 0, sizeof(*vm));
	vm->vm_fd = vm->gic_fd = -1;
	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0)
		return errmsg_set(why, n, errno,
		                  errno == ENOENT ? "/dev/kvm not found (no KVM on this host, or "
		                                    "the kvm module is not loaded)"
		                                  : "cannot open /dev/kvm");
	int api = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION)
		return errmsg_set(why, n, 0, "/dev/kvm speaks API %d, tern needs %d", api,
		                  KVM_API_VERSION);
	static const struct {
		int cap;
		const char *what;
	} needed[] = {
	        {KVM_CAP_USER_MEMORY, "user memory regions"},
	        {KVM_CAP_ONE_REG, "ONE_REG register access"},
	        {KVM_CAP_ARM_PSCI_0_2, "PSCI 0.2"},
	        {KVM_CAP_DEVICE_CTRL, "in-kernel devices (KVM_CREATE_DEVICE)"},
	        {KVM_CAP_IMMEDIATE_EXIT, "immediate_exit"},
	};
	for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++)
		if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, needed[i].cap) <= 0)
			return errmsg_set(why, n, 0, "host KVM lacks %s", needed[i].what);
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		return errmsg_set(why, n, errno, "KVM_CREATE_VM failed");
	int rs = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (rs <= 0)
		return errmsg_set(why, n, errno, "KVM_GET_VCPU_MMAP_SIZE failed");
	vm->run_size = (size_t)rs;

	/* NORESERVE: guest RAM is committed only as the guest touches it. */
	void *ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE,
	                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ram == MAP_FAILED)
		return errmsg_set(why, n, errno, "cannot map %llu MiB of guest RAM",
		                  (unsigned long long)(ram_size >> 20));
	vm->ram = ram;
	vm->ram_base = LAYOUT_RAM_BASE;
	vm->ram_size = ram_size;
	madvise(ram, ram_size, MADV_MERGEABLE);
	struct kvm_userspace_memory_region region = {
	        .slot = 0,
	        .guest_phys_addr = vm->ram_base,
	        .memory_size = ram_size,
	        .userspace_addr = (uint64_t)(uintptr_t)ram,
	};
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return errmsg_set(why, n, errno, "KVM_SET_USER_MEMORY_REGION failed");
	return 0;
}

int kvm_vcpu_create(struct kvm_vm *vm, unsigned index, struct kvm_vcpu_handle *vcpu, char *why,
                    size_t n)
{
	memset(vcpu, 0, sizeof(*vcpu));
	vcpu->index = index;
	vcpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)index);
	if (vcpu->fd < 0)
		return errmsg_set(why, n, errno, "cannot create vCPU %u", index);
	void *run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	if (run == MAP_FAILED)
		return errmsg_set(why, n, errno, "cannot map vCPU %u's run area", index);
	vcpu->run = run;
	int r = kvm_vcpu_reset(vm, vcpu, why, n);
	if (r)
		return r;
	if (kvm_vcpu_get_reg(vcpu, KVM_REG_MPIDR, &vcpu->mpidr))
		return errmsg_set(why, n, errno, "cannot read vCPU %u's MPIDR", index);
	return 0;
}

int kvm_vcpu_reset(struct kvm_vm *vm, struct kvm_vcpu_handle *vcpu, char *why, size_t n)
{
	struct kvm_vcpu_init init;
	if (ioctl(vm->vm_fd, KVM_ARM_PREFERRED_TARGET, &init) < 0)
		return errmsg_set(why, n, errno, "KVM_ARM_PREFERRED_TARGET failed");
	memset(init.features, 0, sizeof(init.features));
	init.features[0] |= 1U << KVM_ARM_VCPU_PSCI_0_2;
	/* Secondaries wait for the guest's PSCI CPU_ON. */
	if (vcpu->index)
		init.features[0] |= 1U << KVM_ARM_VCPU_POWER_OFF;
	if (ioctl(vcpu->fd, KVM_ARM_VCPU_INIT, &init) < 0)
		return errmsg_set(why, n, errno, "KVM_ARM_VCPU_INIT of vCPU %u failed",
		                  vcpu->index);
	return 0;
}

static int gic_set_addr(int fd, uint64_t type, uint64_t addr)
{
	struct kvm_device_attr a = {
	        .group = KVM_DEV_ARM_VGIC_GRP_ADDR,
	        .attr = type,
	        .addr = (uint64_t)(uintptr_t)&addr,
	};
	return ioctl(fd, KVM_SET_DEVICE_ATTR, &a);
}

static int gic_try(struct kvm_vm *vm, int version, unsigned ncpus)
{
	struct kvm_create_device cd = {
	        .type = version == 3 ? KVM_DEV_TYPE_ARM_VGIC_V3 : KVM_DEV_TYPE_ARM_VGIC_V2,
	};
	if (ioctl(vm->vm_fd, KVM_CREATE_DEVICE, &cd) < 0)
		return -errno;
	int fd = (int)cd.fd;
	int r;
	if (version == 3) {
		r = gic_set_addr(fd, KVM_VGIC_V3_ADDR_TYPE_DIST, LAYOUT_GICD_BASE);
		if (!r)
			r = gic_set_addr(fd, KVM_VGIC_V3_ADDR_TYPE_REDIST, LAYOUT_GICR_BASE);
	} else {
		r = gic_set_addr(fd, KVM_VGIC_V2_ADDR_TYPE_DIST, LAYOUT_GICD_BASE);
		if (!r)
			r = gic_set_addr(fd, KVM_VGIC_V2_ADDR_TYPE_CPU, LAYOUT_GICC_BASE);
	}
	uint32_t nr_irqs = LAYOUT_NR_IRQS;
	struct kvm_device_attr a = {
	        .group = KVM_DEV_ARM_VGIC_GRP_NR_IRQS,
	        .addr = (uint64_t)(uintptr_t)&nr_irqs,
	};
	if (!r)
		r = ioctl(fd, KVM_SET_DEVICE_ATTR, &a);
	struct kvm_device_attr init = {
	        .group = KVM_DEV_ARM_VGIC_GRP_CTRL,
	        .attr = KVM_DEV_ARM_VGIC_CTRL_INIT,
	};
	if (!r)
		r = ioctl(fd, KVM_SET_DEVICE_ATTR, &init);
	if (r) {
		r = -errno;
		close(fd);
		return r;
	}
	(void)ncpus;
	vm->gic_fd = fd;
	vm->gic_version = version;
	return 0;
}

int kvm_gic_create(struct kvm_vm *vm, unsigned ncpus, int version, char *why, size_t n)
{
	if (version == 3 || version == 0) {
		int r = gic_try(vm, 3, ncpus);
		if (!r || version == 3)
			return r ? errmsg_set(why, n, -r, "cannot create an in-kernel GICv3") : 0;
	}
	if (ncpus > 8)
		return errmsg_set(why, n, 0,
		                  "no GICv3 on this host and GICv2 takes at most 8 "
		                  "vCPUs");
	int r = gic_try(vm, 2, ncpus);
	return r ? errmsg_set(why, n, -r, "cannot create an in-kernel GIC (v3 or v2)") : 0;
}

int kvm_vm_set_spi(struct kvm_vm *vm, unsigned spi, int level)
{
	struct kvm_irq_level irq = {
	        .irq = (KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT) | (32 + spi),
	        .level = (uint32_t)level,
	};
	return ioctl(vm->vm_fd, KVM_IRQ_LINE, &irq) < 0 ? -errno : 0;
}

void *kvm_vm_gpa_to_hva(struct kvm_vm *vm, uint64_t gpa, uint64_t len)
{
	if (gpa < vm->ram_base || len > vm->ram_size || gpa - vm->ram_base > vm->ram_size - len)
		return NULL;
	return vm->ram + (gpa - vm->ram_base);
}

uint64_t kvm_reg_core_id(size_t offset_in_kvm_regs)
{
	return KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE |
	       (uint64_t)(offset_in_kvm_regs / sizeof(uint32_t));
}

int kvm_vcpu_get_reg(struct kvm_vcpu_handle *vcpu, uint64_t id, uint64_t *val)
{
	struct kvm_one_reg r = {.id = id, .addr = (uint64_t)(uintptr_t)val};
	return ioctl(vcpu->fd, KVM_GET_ONE_REG, &r) < 0 ? -errno : 0;
}

int kvm_vcpu_set_reg(struct kvm_vcpu_handle *vcpu, uint64_t id, uint64_t val)
{
	struct kvm_one_reg r = {.id = id, .addr = (uint64_t)(uintptr_t)&val};
	return ioctl(vcpu->fd, KVM_SET_ONE_REG, &r) < 0 ? -errno : 0;
}

void kvm_vcpu_destroy(struct kvm_vm *vm, struct kvm_vcpu_handle *vcpu)
{
	if (vcpu->run)
		munmap(vcpu->run, vm->run_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	vcpu->run = NULL;
	vcpu->fd = -1;
}

void kvm_vm_destroy(struct kvm_vm *vm)
{
	if (vm->gic_fd >= 0)
		close(vm->gic_fd);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	if (vm->ram)
		munmap(vm->ram, vm->ram_size);
	vm->ram = NULL;
	vm->gic_fd = vm->vm_fd = vm->kvm_fd = -1;
}
