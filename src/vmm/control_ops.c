/* What the QMP commands do to the running VM (struct qmp_vm_ops). All run on
 * the main thread. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "devices/cper.h"
#include "devices/ghes.h"
#include "sdei/sdei.h"
#include "vmm/core/qmp_commands.h"
#include "vmm/vmm.h"

static struct vm *running_vm(void *opaque, struct qmp_error *err)
{
	struct vmm *vmm = opaque;
	if (!vmm->vm)
		qmp_error_set(err, QMP_ERROR_GENERIC, "the VM is not running");
	return vmm->vm;
}

static int op_query_status(void *opaque, enum qmp_run_state *state, struct qmp_error *err)
{
	struct vmm *vmm = opaque;
	(void)err;
	if (!vmm->vm)
		*state = QMP_RUN_SHUTDOWN;
	else
		*state = vm_paused(vmm->vm) ? QMP_RUN_PAUSED : QMP_RUN_RUNNING;
	return 0;
}

static int op_stop(void *opaque, struct qmp_error *err)
{
	struct vm *vm = running_vm(opaque, err);
	if (!vm)
		return -EINVAL;
	if (vm_paused(vm))
		return 0; /* as QEMU: stopping a stopped VM is fine, no event */
	vm_pause(vm);
	vmm_emit(opaque, "STOP", NULL);
	return 0;
}

static int op_cont(void *opaque, struct qmp_error *err)
{
	struct vm *vm = running_vm(opaque, err);
	if (!vm)
		return -EINVAL;
	if (!vm_paused(vm))
		return 0;
	vm_resume(vm);
	vmm_emit(opaque, "RESUME", NULL);
	return 0;
}

static int op_system_powerdown(void *opaque, struct qmp_error *err)
{
	struct vm *vm = running_vm(opaque, err);
	if (!vm)
		return -EINVAL;
	int r = vm_press_power_button(vm);
	if (r) {
		qmp_error_set(err, QMP_ERROR_GENERIC, "cannot press the power button: %s",
		              strerror(-r));
		return r;
	}
	vmm_emit(opaque, "POWERDOWN", NULL);
	return 0;
}

static int op_system_reset(void *opaque, struct qmp_error *err)
{
	struct vm *vm = running_vm(opaque, err);
	if (!vm)
		return -EINVAL;
	vm_request_stop(vm, VM_EXIT_HOST_RESET);
	return 0;
}

static int op_quit(void *opaque, struct qmp_error *err)
{
	struct vm *vm = running_vm(opaque, err);
	if (!vm)
		return -EINVAL;
	vm_request_stop(vm, VM_EXIT_QUIT);
	return 0;
}

static int op_query_cpus(void *opaque, struct qmp_cpu_info *cpus, size_t max, size_t *n,
                         struct qmp_error *err)
{
	struct vm *vm = running_vm(opaque, err);
	if (!vm)
		return -EINVAL;
	*n = 0;
	for (unsigned i = 0; i < vm->ncpus && *n < max; i++) {
		cpus[*n].thread_id = __atomic_load_n(&vm->vcpus[i].tid, __ATOMIC_ACQUIRE);
		cpus[*n].mpidr = vm->vcpus[i].h.mpidr;
		(*n)++;
	}
	return 0;
}

static struct sdei *vm_sdei(void *opaque, struct qmp_error *err)
{
	struct vm *vm = running_vm(opaque, err);
	if (vm && !vm->sdei)
		qmp_error_set(err, QMP_ERROR_GENERIC,
		              "SDEI is off in this VM (--no-sdei, or the host KVM lacks the SMCCC "
		              "filter)");
	return vm ? vm->sdei : NULL;
}

static int op_sdei_signal(void *opaque, uint32_t event, int64_t vcpu, struct qmp_error *err)
{
	struct sdei *sdei = vm_sdei(opaque, err);
	if (!sdei)
		return -ENOTSUP;
	struct sdei_event_info info;
	if (sdei_query_event(sdei, event, 0, &info)) {
		qmp_error_set(err, QMP_ERROR_GENERIC, "SDEI event %u does not exist", event);
		return -ENOENT;
	}
	if (vcpu >= (int64_t)sdei_vcpu_count(sdei)) {
		qmp_error_set(err, QMP_ERROR_GENERIC, "no vCPU %lld", (long long)vcpu);
		return -EINVAL;
	}
	if (info.shared && vcpu >= 0) {
		qmp_error_set(err, QMP_ERROR_GENERIC,
		              "SDEI event %u is shared: it goes where its routing says; leave out "
		              "\"vcpu\"",
		              event);
		return -EINVAL;
	}
	if (!info.shared && vcpu < 0) {
		qmp_error_set(err, QMP_ERROR_GENERIC,
		              "SDEI event %u is private: say which \"vcpu\" it is for", event);
		return -EINVAL;
	}
	int r = sdei_signal(sdei, event, (int)vcpu);
	if (r == -ENOTCONN)
		qmp_error_set(err, QMP_ERROR_GENERIC,
		              "the guest has not registered SDEI event %u; the signal was dropped",
		              event);
	return r;
}

static json_t *counters_json(const struct sdei_counters *c)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I}", "signalled", (json_int_t)c->signalled,
	                 "dispatched", (json_int_t)c->dispatched, "completed",
	                 (json_int_t)c->completed, "resumed", (json_int_t)c->resumed, "failed",
	                 (json_int_t)c->failed);
}

static json_t *event_json(const struct sdei_event_info *e)
{
	json_t *o =
	        json_pack("{s:I, s:s, s:s, s:b, s:b, s:b, s:b, s:b, s:b}", "event",
	                  (json_int_t)e->num, "type", e->shared ? "shared" : "private", "priority",
	                  e->critical ? "critical" : "normal", "signalable", e->signalable,
	                  "registered", e->registered, "enabled", e->enabled, "running", e->running,
	                  "pending", e->pending, "unregister-pending", e->unregister_pending);
	if (e->bound)
		json_object_set_new(o, "intid", json_integer(e->intid));
	if (e->shared)
		json_object_set_new(o, "routing", json_string(e->routing ? "pe" : "any"));
	json_object_set_new(o, "counters", counters_json(&e->counters));
	return o;
}

static int op_query_sdei(void *opaque, json_t **out, struct qmp_error *err)
{
	struct sdei *sdei = vm_sdei(opaque, err);
	if (!sdei)
		return -ENOTSUP;
	unsigned nv = sdei_vcpu_count(sdei);
	json_t *events = json_array(), *vcpus = json_array();
	for (unsigned i = 0; i < sdei_event_count(sdei); i++) {
		struct sdei_event_info e;
		if (sdei_query_event_at(sdei, i, 0, &e))
			continue;
		json_t *o = event_json(&e);
		if (!e.shared) {
			/* A private event has one instance per vCPU. */
			json_t *per = json_array();
			for (unsigned v = 0; v < nv; v++) {
				struct sdei_event_info pe;
				if (!sdei_query_event_at(sdei, i, v, &pe))
					json_array_append_new(per, event_json(&pe));
			}
			json_object_set_new(o, "instances", per);
		}
		json_array_append_new(events, o);
	}
	for (unsigned v = 0; v < nv; v++) {
		struct sdei_vcpu_info vi;
		if (sdei_query_vcpu(sdei, v, &vi))
			continue;
		json_t *o = json_pack("{s:i, s:I, s:b, s:b, s:i, s:I, s:I}", "vcpu", (int)v,
		                      "mpidr", (json_int_t)vi.mpidr, "online", vi.online, "masked",
		                      vi.masked, "depth", (int)vi.depth, "running-normal",
		                      (json_int_t)vi.running_normal, "running-critical",
		                      (json_int_t)vi.running_critical);
		json_object_set_new(o, "counters", counters_json(&vi.counters));
		json_array_append_new(vcpus, o);
	}
	*out = json_pack("{s:s, s:o, s:o}", "version", "1.1", "events", events, "vcpus", vcpus);
	return *out ? 0 : -ENOMEM;
}

static int op_query_metrics(void *opaque, json_t **out, struct qmp_error *err)
{
	struct vmm *vmm = opaque;
	struct vm *vm = running_vm(opaque, err);
	if (!vm)
		return -EINVAL;
	static const char *const kinds[EXIT_KIND_COUNT] = {"mmio", "hypercall", "system-event",
	                                                   "kick", "other"};
	uint64_t total[EXIT_KIND_COUNT] = {0};
	json_t *per = json_array();
	for (unsigned i = 0; i < vm->ncpus; i++) {
		json_t *o = json_object();
		for (unsigned k = 0; k < EXIT_KIND_COUNT; k++) {
			uint64_t n = __atomic_load_n(&vm->vcpus[i].exits[k], __ATOMIC_RELAXED);
			total[k] += n;
			json_object_set_new(o, kinds[k], json_integer((json_int_t)n));
		}
		json_array_append_new(per, o);
	}
	json_t *exits = json_object();
	for (unsigned k = 0; k < EXIT_KIND_COUNT; k++)
		json_object_set_new(exits, kinds[k], json_integer((json_int_t)total[k]));
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t now = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	*out = json_pack("{s:f, s:f, s:I, s:o, s:o, s:I, s:I}", "uptime-s",
	                 (double)(now - vm->start_ns) / 1e9, "process-uptime-s",
	                 (double)(now - vmm->start_ns) / 1e9, "boots", (json_int_t)vmm->boots,
	                 "exits", exits, "exits-per-vcpu", per, "unhandled-mmio",
	                 (json_int_t)__atomic_load_n(&vm->bus.unhandled, __ATOMIC_RELAXED),
	                 "control-clients", (json_int_t)control_server_nclients(&vmm->cs));
	if (*out && vm->sdei) {
		uint64_t one_reg = 0;
		for (unsigned i = 0; i < vm->ncpus; i++)
			one_reg += __atomic_load_n(&vm->vcpus[i].one_reg_ioctls, __ATOMIC_RELAXED);
		json_object_set_new(*out, "sdei-one-reg-ioctls", json_integer((json_int_t)one_reg));
		struct sdei_counters sum = {0};
		for (unsigned v = 0; v < sdei_vcpu_count(vm->sdei); v++) {
			struct sdei_vcpu_info vi;
			if (sdei_query_vcpu(vm->sdei, v, &vi))
				continue;
			sum.signalled += vi.counters.signalled;
			sum.dispatched += vi.counters.dispatched;
			sum.completed += vi.counters.completed;
			sum.resumed += vi.counters.resumed;
			sum.failed += vi.counters.failed;
		}
		json_object_set_new(*out, "sdei", counters_json(&sum));
	}
	return *out ? 0 : -ENOMEM;
}

static int ras_post(void *opaque, unsigned source, const void *rec, size_t len,
                    struct qmp_error *err)
{
	struct vm *vm = running_vm(opaque, err);
	if (!vm)
		return -EINVAL;
	const char *why = "";
	int r = acpi_ras_inject(vm, source, rec, len, &why);
	if (r)
		qmp_error_set(err, QMP_ERROR_GENERIC, "%s", why);
	return r;
}

/* QEMU's inject-ghes-v2-error: the record is written as given, to the first
 * source. */
static int op_inject_ghes(void *opaque, const uint8_t *cper, size_t len, struct qmp_error *err)
{
	return ras_post(opaque, 0, cper, len, err);
}

static int op_ras_inject_memory(void *opaque, uint64_t address, enum qmp_ras_severity severity,
                                int64_t source, struct qmp_error *err)
{
	uint8_t rec[GHES_BLOCK_LEN];
	int n = cper_estatus_memory((enum cper_severity)severity, address, rec, sizeof(rec));
	if (n < 0) {
		qmp_error_set(err, QMP_ERROR_GENERIC, "cannot build the memory error record");
		return n;
	}
	return ras_post(opaque, source < 0 ? 0 : (unsigned)source, rec, (size_t)n, err);
}

static int op_ras_inject_arm(void *opaque, enum qmp_ras_severity severity, bool has_mpidr,
                             uint64_t mpidr, struct qmp_error *err)
{
	struct vm *vm = running_vm(opaque, err);
	if (!vm)
		return -EINVAL;
	struct cper_arm_error e = {
	        .mpidr = has_mpidr ? mpidr : vm->vcpus[0].h.mpidr,
	        .type = CPER_ARM_ERR_CACHE,
	};
	uint8_t body[CPER_ARM_SECTION_LEN], rec[GHES_BLOCK_LEN];
	int blen = cper_arm_section(&e, body, sizeof(body));
	struct cper_section sec = {cper_guid_arm, (enum cper_severity)severity, body,
	                           (uint32_t)(blen > 0 ? blen : 0)};
	int n = blen < 0 ? blen
	                 : cper_estatus_build((enum cper_severity)severity, &sec, 1, rec,
	                                      sizeof(rec));
	if (n < 0) {
		qmp_error_set(err, QMP_ERROR_GENERIC,
		              "cannot build the ARM processor error record");
		return n;
	}
	return ras_post(opaque, 0, rec, (size_t)n, err);
}

const struct qmp_vm_ops vmm_qmp_ops = {
        .query_status = op_query_status,
        .stop = op_stop,
        .cont = op_cont,
        .system_powerdown = op_system_powerdown,
        .system_reset = op_system_reset,
        .quit = op_quit,
        .query_cpus = op_query_cpus,
        .sdei_signal = op_sdei_signal,
        .query_sdei = op_query_sdei,
        .query_metrics = op_query_metrics,
        .inject_ghes = op_inject_ghes,
        .ras_inject_memory = op_ras_inject_memory,
        .ras_inject_arm_processor = op_ras_inject_arm,
};
