/* One microVM: its KVM objects, devices, vCPU threads and main loop. */
#ifndef TERN_VMM_VM_H
#define TERN_VMM_VM_H

#include <pthread.h>
#include <stdint.h>

#include "arch/aarch64/kvm_vm.h"
#include "arch/aarch64/layout.h"
#include "devices/pl061.h"
#include "devices/uart16550.h"
#include "vmm/acpi_board.h"
#include "vmm/core/config.h"
#include "vmm/core/evloop.h"
#include "vmm/core/guest_mem.h"
#include "vmm/core/mmio_bus.h"
#include "vmm/virtio_board.h"

/* How a VM run ended; main() maps these to exit codes (docs/cli.md). */
enum vm_exit {
	VM_RUNNING = 0,
	VM_EXIT_POWEROFF,   /* PSCI SYSTEM_OFF */
	VM_EXIT_RESET,      /* PSCI SYSTEM_RESET */
	VM_EXIT_CRASH,      /* the guest reported a crash (PSCI SYSTEM_EVENT crash) */
	VM_EXIT_ERROR,      /* tern or KVM failed */
	VM_EXIT_SIGNAL,     /* SIGINT/SIGTERM or the console escape */
	VM_EXIT_QUIT,       /* the control socket's quit */
	VM_EXIT_HOST_RESET, /* the control socket's system_reset: always reboots */
};

/* PSCI power state of a vCPU as tern tracks it (only when tern handles
 * CPU_ON/CPU_OFF itself, i.e. with SDEI on). */
enum vcpu_power { VCPU_OFF, VCPU_ON, VCPU_ON_PENDING };

/* Exit counters, by reason (query-metrics). */
enum vcpu_exit_kind {
	EXIT_KIND_MMIO,
	EXIT_KIND_HYPERCALL,
	EXIT_KIND_SYSTEM_EVENT,
	EXIT_KIND_KICK,
	EXIT_KIND_OTHER,
	EXIT_KIND_COUNT,
};

/* A completion the main loop reports as SDEI_EVENT_COMPLETED. */
struct vm_sdei_note {
	uint32_t event;
	unsigned vcpu;
	int resumed;
};
#define VM_NOTE_RING 64

struct vm;

struct vcpu {
	struct vm *vm;
	struct kvm_vcpu_handle h;
	pthread_t thread;
	int started;
	int tid;                       /* host thread id, for query-cpus-fast */
	int kicked;                    /* atomic: service requested before the next KVM_RUN */
	int mmio_pending;              /* last exit was MMIO: KVM finishes it on the next run */
	int power;                     /* enum vcpu_power, under vm->power_lock */
	uint64_t on_entry, on_context; /* a pending PSCI CPU_ON */
	uint64_t exits[EXIT_KIND_COUNT];
	/* The SDEI context last read from KVM since this vCPU's last KVM_RUN:
	 * writing it back only needs the registers that changed. */
	uint64_t sdei_regs[20];
	int sdei_regs_valid;
	uint64_t one_reg_ioctls; /* ONE_REG calls made for SDEI (query-metrics) */
};

struct vm {
	const struct vm_config *cfg;
	struct kvm_vm kvm;
	struct vcpu vcpus[TERN_MAX_VCPUS];
	unsigned ncpus;
	struct mmio_bus bus;
	struct uart16550 uart;
	struct pl061 gpio; /* the power button */
	struct guest_mem mem;
	struct virtio_board virtio;
	struct acpi_board acpi;
	int stop_fd;     /* eventfd: a vCPU thread asks the main loop to stop the VM */
	int exit_reason; /* enum vm_exit, set once */
	int exit_signal;

	struct sdei *sdei; /* NULL: SDEI is off */
	int psci_in_tern;  /* CPU_ON/CPU_OFF come to tern (SMCCC filter) */
	pthread_mutex_t power_lock;

	/* Pause: the main thread sets pause_req and waits until every started
	 * vCPU thread sits in vcpu_service() (npaused). */
	pthread_mutex_t pause_lock;
	pthread_cond_t pause_cond;
	int pause_req;
	unsigned npaused;

	/* vCPU threads -> main loop: SDEI completions. */
	pthread_mutex_t note_lock;
	struct vm_sdei_note notes[VM_NOTE_RING];
	unsigned note_head, note_len;
	uint64_t notes_dropped;
	int note_fd; /* eventfd */
	uint64_t start_ns;
};

/* Builds the VM from the config. Returns 0, or a negative errno after
 * printing why. */
int vm_create(struct vm *vm, const struct vm_config *cfg, struct evloop *loop);
/* Raises or lowers a device's SPI, or signals its SDEI event instead when
 * the guest bound the interrupt (INTERRUPT_BIND). Any thread. */
void vm_set_spi(struct vm *vm, unsigned spi, int level);
void vm_destroy(struct vm *vm);
/* Starts the vCPU threads / stops (after vm_request_stop) and joins them. */
int vm_start_vcpus(struct vm *vm);
void vm_stop_vcpus(struct vm *vm);

/* Records why the VM stops (first caller wins) and wakes the main loop.
 * Safe from any thread. */
void vm_request_stop(struct vm *vm, enum vm_exit reason);

/* Pauses every vCPU (returns once all are out of the guest) / resumes. */
void vm_pause(struct vm *vm);
/* Presses the guest's power button (system_powerdown). */
int vm_press_power_button(struct vm *vm);
void vm_resume(struct vm *vm);
int vm_paused(struct vm *vm);

/* vcpu.c */
int vcpu_start(struct vcpu *vcpu);
/* Asks the vCPU's thread to leave KVM_RUN and run vcpu_service(). */
void vcpu_kick(struct vcpu *vcpu);
void vcpu_join(struct vcpu *vcpu);
int vcpu_signal_setup(void);

/* sdei_glue.c */
int vm_sdei_setup(struct vm *vm); /* after vCPUs exist, before they run */
void vm_sdei_destroy(struct vm *vm);
/* On the vCPU's thread: an SDEI or PSCI hypercall tern handles. */
void vcpu_handle_hypercall(struct vcpu *vcpu);
/* On the vCPU's thread: a pending CPU_ON, then SDEI delivery. */
void vcpu_service_power(struct vcpu *vcpu);
void vcpu_service_sdei(struct vcpu *vcpu);
/* Main thread: takes the queued completions. */
unsigned vm_take_sdei_notes(struct vm *vm, struct vm_sdei_note *out, unsigned max);

#endif
