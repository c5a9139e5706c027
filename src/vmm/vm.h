/* One microVM: its KVM objects, devices, vCPU threads and main loop. */
#ifndef TERN_VMM_VM_H
#define TERN_VMM_VM_H

#include <pthread.h>
#include <stdint.h>

#include "arch/aarch64/kvm_vm.h"
#include "arch/aarch64/layout.h"
#include "devices/uart16550.h"
#include "vmm/core/config.h"
#include "vmm/core/mmio_bus.h"

/* How a VM run ended; main() maps these to exit codes (docs/cli.md). */
enum vm_exit {
	VM_RUNNING = 0,
	VM_EXIT_POWEROFF, /* PSCI SYSTEM_OFF */
	VM_EXIT_RESET,    /* PSCI SYSTEM_RESET */
	VM_EXIT_CRASH,    /* the guest reported a crash (PSCI SYSTEM_EVENT crash) */
	VM_EXIT_ERROR,    /* tern or KVM failed */
	VM_EXIT_SIGNAL,   /* SIGINT/SIGTERM or the console escape */
};

struct vm;

struct vcpu {
	struct vm *vm;
	struct kvm_vcpu_handle h;
	pthread_t thread;
	int started;
	uint64_t exits_mmio, exits_other;
};

struct vm {
	const struct vm_config *cfg;
	struct kvm_vm kvm;
	struct vcpu vcpus[TERN_MAX_VCPUS];
	unsigned ncpus;
	struct mmio_bus bus;
	struct uart16550 uart;
	int stop_fd;     /* eventfd: a vCPU thread asks the main loop to stop the VM */
	int exit_reason; /* enum vm_exit, set once */
	int exit_signal;
};

/* Builds the VM from the config. Returns 0, or a negative errno after
 * printing why. */
int vm_create(struct vm *vm, const struct vm_config *cfg);
/* Runs until the guest powers off or resets, or tern is told to stop. */
enum vm_exit vm_run(struct vm *vm);
void vm_destroy(struct vm *vm);

/* Records why the VM stops (first caller wins) and wakes the main loop.
 * Safe from any thread. */
void vm_request_stop(struct vm *vm, enum vm_exit reason);

/* vcpu.c */
int vcpu_start(struct vcpu *vcpu);
void vcpu_kick(struct vcpu *vcpu);
void vcpu_join(struct vcpu *vcpu);
int vcpu_signal_setup(void);

#endif
