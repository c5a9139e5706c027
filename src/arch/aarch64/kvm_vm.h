/* The KVM VM: /dev/kvm checks, guest RAM, vCPU creation, the in-kernel GIC. */
#ifndef TERN_ARCH_AARCH64_KVM_VM_H
#define TERN_ARCH_AARCH64_KVM_VM_H

#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>

struct kvm_vm {
	int kvm_fd, vm_fd, gic_fd;
	int gic_version; /* 2 or 3 once the GIC exists */
	uint8_t *ram;    /* host mapping of guest RAM */
	uint64_t ram_base, ram_size;
	size_t run_size; /* size of each vCPU's kvm_run mapping */
};

struct kvm_vcpu_handle {
	int fd;
	unsigned index;
	struct kvm_run *run;
	uint64_t mpidr;
};

/* Each returns 0 or a negative errno, having written a one-line reason into
 * why[0..n) that a user can act on. */
int kvm_vm_create(struct kvm_vm *vm, uint64_t ram_size, char *why, size_t n);
int kvm_vcpu_create(struct kvm_vm *vm, unsigned index, struct kvm_vcpu_handle *vcpu, char *why,
                    size_t n);
/* (Re)initialises a vCPU to its reset state; secondaries start powered off. */
int kvm_vcpu_reset(struct kvm_vm *vm, struct kvm_vcpu_handle *vcpu, char *why, size_t n);
/* Creates the GIC after all vCPUs: version 0 tries v3 then v2. */
int kvm_gic_create(struct kvm_vm *vm, unsigned ncpus, int version, char *why, size_t n);
void kvm_vm_destroy(struct kvm_vm *vm);
void kvm_vcpu_destroy(struct kvm_vm *vm, struct kvm_vcpu_handle *vcpu);

/* Raises or lowers a GIC SPI (INTID 32 + spi). Safe from any thread. */
int kvm_vm_set_spi(struct kvm_vm *vm, unsigned spi, int level);

/* Host pointer for guest range [gpa, gpa + len), or NULL if not all in RAM. */
void *kvm_vm_gpa_to_hva(struct kvm_vm *vm, uint64_t gpa, uint64_t len);

/* ONE_REG access to core registers (x0..x30, sp, pc, pstate) and sysregs. */
uint64_t kvm_reg_core_id(size_t offset_in_kvm_regs);
int kvm_vcpu_get_reg(struct kvm_vcpu_handle *vcpu, uint64_t id, uint64_t *val);
int kvm_vcpu_set_reg(struct kvm_vcpu_handle *vcpu, uint64_t id, uint64_t val);

#define KVM_REG_X(n)   kvm_reg_core_id(offsetof(struct kvm_regs, regs.regs) + (n)*8)
#define KVM_REG_PC     kvm_reg_core_id(offsetof(struct kvm_regs, regs.pc))
#define KVM_REG_PSTATE kvm_reg_core_id(offsetof(struct kvm_regs, regs.pstate))
#define KVM_REG_MPIDR  ARM64_SYS_REG(3, 0, 0, 0, 5)

#endif
