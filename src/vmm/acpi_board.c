#include "vmm/acpi_board.h"

#include <errno.h>
#include <string.h>

#include "arch/aarch64/portable/acpi.h"
#include "arch/aarch64/portable/bootplan.h"
#include "arch/aarch64/portable/efi.h"
#include "sdei/sdei.h"
#include "vmm/core/log.h"
#include "vmm/vm.h"

int acpi_board_load(struct vm *vm, const struct bootplan *plan, const char *bootargs)
{
	struct acpi_board *ab = &vm->acpi;
	uint64_t fw_gpa = plan->fdt_addr + LAYOUT_FW_OFFSET;
	uint64_t ras_gpa = plan->fdt_addr + LAYOUT_RAS_OFFSET;
	uint8_t *fw = kvm_vm_gpa_to_hva(&vm->kvm, fw_gpa, LAYOUT_FW_SIZE);
	void *stub = kvm_vm_gpa_to_hva(&vm->kvm, plan->fdt_addr, LAYOUT_STUB_FDT_MAX);
	if (!fw || !stub) {
		log_error("ACPI: the firmware region does not fit in guest RAM");
		return -ENOMEM;
	}

	/* RAS sources exist only when SDEI can notify the guest of them. */
	struct acpi_ghes_desc ghes[ACPI_RAS_SOURCES];
	static const uint32_t events[ACPI_RAS_SOURCES] = {ACPI_RAS_EVENT_NORMAL,
	                                                  ACPI_RAS_EVENT_CRITICAL};
	ab->nras = vm->sdei ? ACPI_RAS_SOURCES : 0;
	for (unsigned i = 0; i < ab->nras; i++) {
		int r = ghes_init(&ab->ras[i], &vm->mem, ras_gpa, LAYOUT_RAS_SIZE, i, (uint16_t)i,
		                  events[i]);
		if (r) {
			log_error("ACPI: cannot place RAS source %u: %s", i, strerror(-r));
			return r;
		}
		ghes[i] = (struct acpi_ghes_desc){
		        .source_id = (uint16_t)i,
		        .sdei_event = events[i],
		        .status_gpa = ab->ras[i].status_gpa,
		        .read_ack_gpa = ab->ras[i].ack_gpa,
		        .block_len = ab->ras[i].block_len,
		        .region_base = ras_gpa,
		        .region_size = LAYOUT_RAS_SIZE,
		};
	}

	uint64_t mpidr[TERN_MAX_VCPUS];
	for (unsigned i = 0; i < vm->ncpus; i++)
		mpidr[i] = vm->vcpus[i].h.mpidr;
	struct acpi_mmio_device virtio[VIRTIO_BOARD_MAX];
	for (unsigned i = 0; i < vm->virtio.n; i++)
		virtio[i] = (struct acpi_mmio_device){vm->virtio.slot[i].base, VIRTIO_MMIO_SIZE,
		                                      vm->virtio.slot[i].spi};
	struct acpi_params ap = {
	        .ncpus = vm->ncpus,
	        .mpidr = mpidr,
	        .gic_version = vm->kvm.gic_version,
	        .virtio = virtio,
	        .nvirtio = vm->virtio.n,
	        .sdei = vm->sdei != NULL,
	        .ghes = ghes,
	        .nghes = ab->nras,
	};
	uint64_t rsdp_gpa = fw_gpa + EFI_HANDOFF_SIZE;
	int n = acpi_build(&ap, fw + EFI_HANDOFF_SIZE, LAYOUT_FW_SIZE - EFI_HANDOFF_SIZE, rsdp_gpa);
	if (n < 0) {
		log_error("ACPI: cannot build the tables: %s", strerror(-n));
		return n;
	}

	struct efi_carveout carve[2] = {
	        {fw_gpa, LAYOUT_FW_SIZE, EFI_ACPI_RECLAIM_MEMORY},
	        {ras_gpa, LAYOUT_RAS_SIZE, EFI_RESERVED_TYPE},
	};
	struct efi_params ep = {
	        .ram_base = vm->kvm.ram_base,
	        .ram_size = vm->kvm.ram_size,
	        .carve = carve,
	        .ncarve = 2,
	        .rsdp_gpa = rsdp_gpa,
	};
	struct efi_handoff h;
	int r = efi_build(&ep, fw, LAYOUT_FW_SIZE, fw_gpa, &h);
	if (r) {
		log_error("ACPI: cannot build the EFI hand-off: %s", strerror(-r));
		return r;
	}
	struct efi_stub_fdt_params sp = {
	        .bootargs = bootargs,
	        .initrd_start = plan->initrd_addr,
	        .initrd_end = plan->initrd_addr + plan->initrd_size,
	        .efi = &h,
	};
	r = efi_stub_fdt_build(&sp, stub, LAYOUT_STUB_FDT_MAX);
	if (r < 0) {
		log_error("ACPI: cannot build the stub device tree: %s", strerror(-r));
		return r;
	}
	ab->on = 1;
	log_info("ACPI: %d bytes of tables at 0x%llx, %u RAS source%s at 0x%llx", n,
	         (unsigned long long)rsdp_gpa, ab->nras, ab->nras == 1 ? "" : "s",
	         (unsigned long long)ras_gpa);
	return 0;
}

int acpi_ras_inject(struct vm *vm, unsigned source, const void *rec, size_t len, const char **why)
{
	struct acpi_board *ab = &vm->acpi;
	if (!ab->on || !ab->nras) {
		*why = ab->on ? "this VM has no RAS error sources (SDEI is off)"
		              : "RAS error sources need ACPI boot (--acpi)";
		return -ENODEV;
	}
	if (source >= ab->nras) {
		*why = "no such RAS error source (0: normal priority, 1: critical)";
		return -ENODEV;
	}
	struct sdei_event_info ev;
	if (sdei_query_event(vm->sdei, ab->ras[source].sdei_event, 0, &ev) || !ev.registered ||
	    !ev.enabled) {
		/* Posting now would leave a record nobody is told about, and
		 * block the source until the guest happens to look. */
		*why = "the guest has not registered and enabled this source's SDEI event (its "
		       "GHES driver is not running)";
		return -ENOTCONN;
	}
	int r = ghes_inject(&ab->ras[source], rec, len);
	switch (r) {
	case 0:
		break;
	case -EBUSY:
		*why = "the guest has not acknowledged the previous error of this source yet";
		return r;
	case -E2BIG:
		*why = "the record is larger than the error status block";
		return r;
	default:
		*why = "not a valid Generic Error Status Block (block status 0, or data "
		       "length beyond the record)";
		return r;
	}
	r = sdei_signal(vm->sdei, ab->ras[source].sdei_event, -1);
	if (r)
		*why = "the record was posted but its SDEI event could not be signalled";
	return r;
}
