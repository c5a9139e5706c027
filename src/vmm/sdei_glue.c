/* Wires the portable SDEI dispatcher (src/sdei) to KVM vCPUs, and handles
 * the PSCI CPU_ON/CPU_OFF calls tern takes over so that SDEI sees every power
 * change of a vCPU. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "arch/aarch64/smccc.h"
#include "sdei/sdei.h"
#include "vmm/core/log.h"
#include "vmm/vm.h"

static struct ratelimit hvc_rl = RATELIMIT_INIT(5000, 10);

#define KVM_REG_ELR_EL1  kvm_reg_core_id(offsetof(struct kvm_regs, elr_el1))
#define KVM_REG_SPSR_EL1 kvm_reg_core_id(offsetof(struct kvm_regs, spsr[KVM_SPSR_EL1]))
#define KVM_REG_SCTLR    ARM64_SYS_REG(3, 0, 1, 0, 0)

static struct vcpu *vcpu_of(void *opaque, unsigned int index)
{
	struct vm *vm = opaque;
	return &vm->vcpus[index];
}

/* The 20 registers of an SDEI context in struct sdei_regs order. */
static uint64_t sdei_reg_id(unsigned i)
{
	return i < 18 ? KVM_REG_X(i) : i == 18 ? KVM_REG_PC : KVM_REG_PSTATE;
}

static uint64_t *sdei_reg_field(struct sdei_regs *r, unsigned i)
{
	return i < 18 ? &r->x[i] : i == 18 ? &r->pc : &r->pstate;
}

static int op_get_regs(void *opaque, unsigned int vcpu, struct sdei_regs *regs)
{
	struct vcpu *v = vcpu_of(opaque, vcpu);
	for (unsigned i = 0; i < 20; i++) {
		v->one_reg_ioctls++;
		int r = kvm_vcpu_get_reg(&v->h, sdei_reg_id(i), sdei_reg_field(regs, i));
		if (r) {
			v->sdei_regs_valid = 0;
			return r;
		}
		v->sdei_regs[i] = *sdei_reg_field(regs, i);
	}
	v->sdei_regs_valid = 1;
	return 0;
}

/* Writes only what differs from what KVM holds: a dispatch changes x0-x3,
 * PC and PSTATE, not x4-x17 (20 -> 6 ioctls). The cache is dropped at every
 * KVM_RUN, so it never stands in for registers the guest changed. */
static int op_set_regs(void *opaque, unsigned int vcpu, const struct sdei_regs *regs)
{
	struct vcpu *v = vcpu_of(opaque, vcpu);
	struct sdei_regs *w = (struct sdei_regs *)regs;
	for (unsigned i = 0; i < 20; i++) {
		uint64_t val = *sdei_reg_field(w, i);
		if (v->sdei_regs_valid && v->sdei_regs[i] == val)
			continue;
		v->one_reg_ioctls++;
		int r = kvm_vcpu_set_reg(&v->h, sdei_reg_id(i), val);
		if (r) {
			v->sdei_regs_valid = 0;
			return r;
		}
		v->sdei_regs[i] = val;
	}
	v->sdei_regs_valid = 1;
	return 0;
}

static int op_get_sctlr(void *opaque, unsigned int vcpu, uint64_t *sctlr)
{
	vcpu_of(opaque, vcpu)->one_reg_ioctls++;
	return kvm_vcpu_get_reg(&vcpu_of(opaque, vcpu)->h, KVM_REG_SCTLR, sctlr);
}

static int op_set_elr_spsr(void *opaque, unsigned int vcpu, uint64_t elr, uint64_t spsr)
{
	struct kvm_vcpu_handle *h = &vcpu_of(opaque, vcpu)->h;
	vcpu_of(opaque, vcpu)->one_reg_ioctls += 2;
	int r = kvm_vcpu_set_reg(h, KVM_REG_ELR_EL1, elr);
	return r ? r : kvm_vcpu_set_reg(h, KVM_REG_SPSR_EL1, spsr);
}

static void op_kick(void *opaque, unsigned int vcpu)
{
	vcpu_kick(vcpu_of(opaque, vcpu));
}

/* Called with the dispatcher's lock held: only queue, never block. */
static void op_completed(void *opaque, uint32_t event, unsigned int vcpu, bool resumed)
{
	struct vm *vm = opaque;
	pthread_mutex_lock(&vm->note_lock);
	if (vm->note_len == VM_NOTE_RING) {
		vm->notes_dropped++;
	} else {
		struct vm_sdei_note *n = &vm->notes[(vm->note_head + vm->note_len) % VM_NOTE_RING];
		n->event = event;
		n->vcpu = vcpu;
		n->resumed = resumed;
		vm->note_len++;
	}
	pthread_mutex_unlock(&vm->note_lock);
	uint64_t one = 1;
	if (write(vm->note_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_debug("SDEI completion note: %s", strerror(errno));
}

unsigned vm_take_sdei_notes(struct vm *vm, struct vm_sdei_note *out, unsigned max)
{
	unsigned n = 0;
	pthread_mutex_lock(&vm->note_lock);
	while (n < max && vm->note_len) {
		out[n++] = vm->notes[vm->note_head];
		vm->note_head = (vm->note_head + 1) % VM_NOTE_RING;
		vm->note_len--;
	}
	pthread_mutex_unlock(&vm->note_lock);
	return n;
}

static const struct sdei_vcpu_ops sdei_ops = {
        .get_regs = op_get_regs,
        .set_regs = op_set_regs,
        .get_sctlr = op_get_sctlr,
        .set_elr_spsr = op_set_elr_spsr,
        .kick = op_kick,
        .completed = op_completed,
};

int vm_sdei_setup(struct vm *vm)
{
	const struct vm_config *c = vm->cfg;
	for (unsigned i = 0; i < vm->ncpus; i++)
		vm->vcpus[i].power = i == 0 ? VCPU_ON : VCPU_OFF;
	if (c->no_sdei) {
		log_info("SDEI off (--no-sdei)");
		return 0;
	}
	if (!smccc_filter_supported(vm->kvm.vm_fd)) {
		if (c->n_sdei_events) {
			log_error("this host's KVM cannot forward hypercalls (the SMCCC filter "
			          "needs Linux >= 6.4): --sdei-event cannot work");
			return -ENOTSUP;
		}
		log_warn("this host's KVM lacks the SMCCC filter (Linux >= 6.4): running without "
		         "SDEI");
		return 0;
	}
	int r = smccc_filter_install(vm->kvm.vm_fd);
	if (r) {
		log_error("cannot install the SMCCC filter: %s", strerror(-r));
		return r;
	}
	vm->psci_in_tern = 1;
	vm->sdei = sdei_create(vm->ncpus, &sdei_ops, vm);
	if (!vm->sdei) {
		log_error("cannot create the SDEI dispatcher");
		return -ENOMEM;
	}
	for (unsigned i = 0; i < c->n_sdei_events; i++) {
		r = sdei_add_event(vm->sdei, &c->sdei_events[i]);
		if (r) {
			log_error("SDEI event %u: %s", c->sdei_events[i].num, strerror(-r));
			return r;
		}
	}
	if (c->acpi) {
		/* The RAS error sources notify through these (docs/ras.md). */
		static const struct sdei_event_spec ras[2] = {
		        {ACPI_RAS_EVENT_NORMAL, true, false},
		        {ACPI_RAS_EVENT_CRITICAL, true, true},
		};
		for (unsigned i = 0; i < 2; i++) {
			if ((r = sdei_add_event(vm->sdei, &ras[i]))) {
				log_error("SDEI event %u is tern's RAS event in ACPI mode; do not "
				          "declare it with --sdei-event",
				          ras[i].num);
				return r;
			}
		}
	}
	/* Interrupts of tern's own devices may be bound to SDEI events. */
	unsigned ndev = c->ndisks + c->nnets + (c->rng ? 1 : 0);
	if ((r = sdei_own_interrupt(vm->sdei, 32 + LAYOUT_SPI_UART)) ||
	    (r = sdei_own_interrupt(vm->sdei, 32 + LAYOUT_SPI_GPIO)))
		return r;
	for (unsigned i = 0; i < ndev; i++)
		if ((r = sdei_own_interrupt(vm->sdei, 32 + LAYOUT_SPI_VIRTIO + i)))
			return r;
	for (unsigned i = 0; i < vm->ncpus; i++) {
		sdei_vcpu_set_mpidr(vm->sdei, i, vm->vcpus[i].h.mpidr);
		if (i)
			sdei_vcpu_power_off(vm->sdei, i);
	}
	sdei_start(vm->sdei);
	log_info("SDEI v1.1 on: %u platform event%s", c->n_sdei_events,
	         c->n_sdei_events == 1 ? "" : "s");
	return 0;
}

void vm_sdei_destroy(struct vm *vm)
{
	if (vm->sdei)
		sdei_destroy(vm->sdei);
	vm->sdei = NULL;
}

static void set_x0(struct vcpu *v, uint64_t val)
{
	v->sdei_regs_valid = 0;
	v->one_reg_ioctls++;
	int r = kvm_vcpu_set_reg(&v->h, KVM_REG_X(0), val);
	if (r)
		log_error("vCPU %u: cannot return a hypercall result: %s", v->h.index,
		          strerror(-r));
}

/* How many of x1..x5 each SDEI call reads (DEN0054 per function), so a call
 * costs only the ONE_REG reads it needs: SDEI_VERSION, the hot path of a
 * probing guest, needs none. Indexed by fn - SMCCC_SDEI_BASE. */
static const uint8_t sdei_nargs[SMCCC_SDEI_COUNT] = {
        [SDEI_FN_VERSION - SDEI_FN_BASE] = 0,
        [SDEI_FN_EVENT_REGISTER - SDEI_FN_BASE] = 5, /* event, entry, arg, flags, affinity */
        [SDEI_FN_EVENT_ENABLE - SDEI_FN_BASE] = 1,
        [SDEI_FN_EVENT_DISABLE - SDEI_FN_BASE] = 1,
        [SDEI_FN_EVENT_CONTEXT - SDEI_FN_BASE] = 1,
        [SDEI_FN_EVENT_COMPLETE - SDEI_FN_BASE] = 1,            /* status */
        [SDEI_FN_EVENT_COMPLETE_AND_RESUME - SDEI_FN_BASE] = 1, /* resume address */
        [SDEI_FN_EVENT_UNREGISTER - SDEI_FN_BASE] = 1,
        [SDEI_FN_EVENT_STATUS - SDEI_FN_BASE] = 1,
        [SDEI_FN_EVENT_GET_INFO - SDEI_FN_BASE] = 2,    /* event, info */
        [SDEI_FN_EVENT_ROUTING_SET - SDEI_FN_BASE] = 3, /* event, mode, affinity */
        [SDEI_FN_PE_MASK - SDEI_FN_BASE] = 0,
        [SDEI_FN_PE_UNMASK - SDEI_FN_BASE] = 0,
        [SDEI_FN_INTERRUPT_BIND - SDEI_FN_BASE] = 1,
        [SDEI_FN_INTERRUPT_RELEASE - SDEI_FN_BASE] = 1,
        [SDEI_FN_EVENT_SIGNAL - SDEI_FN_BASE] = 2, /* event, target PE */
        [SDEI_FN_FEATURES - SDEI_FN_BASE] = 1,
        [SDEI_FN_PRIVATE_RESET - SDEI_FN_BASE] = 0,
        [SDEI_FN_SHARED_RESET - SDEI_FN_BASE] = 0,
};

static void handle_sdei(struct vcpu *v, uint32_t fn)
{
	uint64_t args[5] = {0}, x0 = 0;
	unsigned n = sdei_nargs[fn - SMCCC_SDEI_BASE];
	for (unsigned i = 0; i < n; i++) {
		v->one_reg_ioctls++;
		if (kvm_vcpu_get_reg(&v->h, KVM_REG_X(i + 1), &args[i])) {
			set_x0(v, (uint64_t)(int64_t)SDEI_NOT_SUPPORTED);
			return;
		}
	}
	int r = sdei_handle_call(v->vm->sdei, v->h.index, fn, args, &x0);
	if (r == 1)
		set_x0(v, x0);
	else if (r < 0 && ratelimit_allow(&hvc_rl))
		log_error("vCPU %u: SDEI call 0x%x failed in tern: %s", v->h.index, fn,
		          strerror(-r));
}

static struct vcpu *vcpu_by_mpidr(struct vm *vm, uint64_t mpidr)
{
	const uint64_t aff = 0xff00ffffffULL;
	for (unsigned i = 0; i < vm->ncpus; i++)
		if ((vm->vcpus[i].h.mpidr & aff) == (mpidr & aff))
			return &vm->vcpus[i];
	return NULL;
}

static void handle_cpu_on(struct vcpu *v)
{
	uint64_t mpidr, entry, ctx;
	if (kvm_vcpu_get_reg(&v->h, KVM_REG_X(1), &mpidr) ||
	    kvm_vcpu_get_reg(&v->h, KVM_REG_X(2), &entry) ||
	    kvm_vcpu_get_reg(&v->h, KVM_REG_X(3), &ctx)) {
		set_x0(v, (uint64_t)(int64_t)PSCI_RET_INVALID_PARAMS);
		return;
	}
	struct vcpu *t = vcpu_by_mpidr(v->vm, mpidr);
	int64_t ret = PSCI_RET_SUCCESS;
	if (!t) {
		ret = PSCI_RET_INVALID_PARAMS;
	} else {
		pthread_mutex_lock(&v->vm->power_lock);
		if (t->power == VCPU_ON)
			ret = PSCI_RET_ALREADY_ON;
		else if (t->power == VCPU_ON_PENDING)
			ret = PSCI_RET_ON_PENDING;
		else {
			t->power = VCPU_ON_PENDING;
			t->on_entry = entry;
			t->on_context = ctx;
		}
		pthread_mutex_unlock(&v->vm->power_lock);
	}
	set_x0(v, (uint64_t)ret);
	if (ret == PSCI_RET_SUCCESS)
		vcpu_kick(t);
}

/* AFFINITY_INFO from tern's own power states: KVM's view lags behind a
 * CPU_ON that tern accepted but the target has not acted on (ON_PENDING). */
static void handle_affinity_info(struct vcpu *v)
{
	uint64_t mpidr, level;
	v->one_reg_ioctls += 2;
	if (kvm_vcpu_get_reg(&v->h, KVM_REG_X(1), &mpidr) ||
	    kvm_vcpu_get_reg(&v->h, KVM_REG_X(2), &level)) {
		set_x0(v, (uint64_t)(int64_t)PSCI_RET_INVALID_PARAMS);
		return;
	}
	struct vcpu *t = vcpu_by_mpidr(v->vm, mpidr);
	int64_t ret;
	if (!t || level != 0) {
		ret = PSCI_RET_INVALID_PARAMS;
	} else {
		pthread_mutex_lock(&v->vm->power_lock);
		ret = t->power == VCPU_ON    ? PSCI_AFFINITY_ON
		      : t->power == VCPU_OFF ? PSCI_AFFINITY_OFF
		                             : PSCI_AFFINITY_ON_PENDING;
		pthread_mutex_unlock(&v->vm->power_lock);
	}
	set_x0(v, (uint64_t)ret);
}

static void handle_cpu_off(struct vcpu *v)
{
	pthread_mutex_lock(&v->vm->power_lock);
	v->power = VCPU_OFF;
	pthread_mutex_unlock(&v->vm->power_lock);
	if (v->vm->sdei)
		sdei_vcpu_power_off(v->vm->sdei, v->h.index);
	struct kvm_mp_state mp = {.mp_state = KVM_MP_STATE_STOPPED};
	if (ioctl(v->h.fd, KVM_SET_MP_STATE, &mp) < 0)
		log_error("vCPU %u: cannot power off: %s", v->h.index, strerror(errno));
}

void vcpu_service_power(struct vcpu *v)
{
	struct vm *vm = v->vm;
	pthread_mutex_lock(&vm->power_lock);
	int pending = v->power == VCPU_ON_PENDING;
	uint64_t entry = v->on_entry, ctx = v->on_context;
	pthread_mutex_unlock(&vm->power_lock);
	if (!pending)
		return;
	/* PSCI CPU_ON: the vCPU starts from its reset state at entry, x0 =
	 * context. KVM_ARM_VCPU_INIT resets it (same features as at creation,
	 * so still powered off); then it is made runnable. */
	char why[128];
	struct kvm_mp_state mp = {.mp_state = KVM_MP_STATE_RUNNABLE};
	v->sdei_regs_valid = 0;
	int r = kvm_vcpu_reset(&vm->kvm, &v->h, why, sizeof(why));
	if (!r)
		r = kvm_vcpu_set_reg(&v->h, KVM_REG_PC, entry);
	if (!r)
		r = kvm_vcpu_set_reg(&v->h, KVM_REG_X(0), ctx);
	if (!r && ioctl(v->h.fd, KVM_SET_MP_STATE, &mp) < 0)
		r = -errno;
	if (r) {
		log_error("vCPU %u: PSCI CPU_ON failed: %s", v->h.index, strerror(-r));
		vm_request_stop(vm, VM_EXIT_ERROR);
		return;
	}
	if (vm->sdei)
		sdei_vcpu_reset(vm->sdei, v->h.index);
	pthread_mutex_lock(&vm->power_lock);
	v->power = VCPU_ON;
	pthread_mutex_unlock(&vm->power_lock);
}

void vcpu_service_sdei(struct vcpu *v)
{
	if (!v->vm->sdei)
		return;
	int r = sdei_vcpu_deliver(v->vm->sdei, v->h.index);
	if (r < 0 && ratelimit_allow(&hvc_rl))
		log_error("vCPU %u: SDEI dispatch failed: %s", v->h.index, strerror(-r));
}

void vcpu_handle_hypercall(struct vcpu *v)
{
	uint32_t fn = (uint32_t)v->h.run->hypercall.nr;
	if (smccc_is_sdei(fn) && v->vm->sdei) {
		handle_sdei(v, fn);
	} else if (v->vm->psci_in_tern && (fn == PSCI_0_2_CPU_ON || fn == PSCI_0_2_CPU_ON_64)) {
		handle_cpu_on(v);
	} else if (v->vm->psci_in_tern && fn == PSCI_0_2_CPU_OFF) {
		handle_cpu_off(v);
	} else if (v->vm->psci_in_tern &&
	           (fn == PSCI_0_2_AFFINITY_INFO || fn == PSCI_0_2_AFFINITY_INFO_64)) {
		handle_affinity_info(v);
	} else {
		if (ratelimit_allow(&hvc_rl))
			log_warn("vCPU %u: unexpected hypercall 0x%x answered NOT_SUPPORTED",
			         v->h.index, fn);
		set_x0(v, (uint64_t)-1);
	}
}
