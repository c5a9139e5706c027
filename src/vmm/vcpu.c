/* The vCPU threads: each runs KVM_RUN and handles its own exits. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm/core/log.h"
#include "vmm/seccomp_install.h"
#include "vmm/vm.h"

static struct ratelimit mmio_rl = RATELIMIT_INIT(5000, 10);

static void kick_handler(int sig)
{
	(void)sig; /* only here so KVM_RUN returns EINTR */
}

int vcpu_signal_setup(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler; /* no SA_RESTART: KVM_RUN must return */
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGRTMIN, &sa, NULL) < 0 ? -errno : 0;
}

static int vm_stopping(struct vm *vm)
{
	return __atomic_load_n(&vm->exit_reason, __ATOMIC_ACQUIRE) != VM_RUNNING;
}

static void handle_mmio(struct vcpu *v)
{
	struct kvm_run *run = v->h.run;
	v->mmio_pending = 1;
	int r = mmio_bus_access(&v->vm->bus, run->mmio.phys_addr, run->mmio.data, run->mmio.len,
	                        run->mmio.is_write);
	if (r && ratelimit_allow(&mmio_rl))
		log_warn("vCPU %u: %s of %u bytes at unmapped 0x%llx ignored", v->h.index,
		         run->mmio.is_write ? "write" : "read", run->mmio.len,
		         (unsigned long long)run->mmio.phys_addr);
}

static void handle_system_event(struct vcpu *v)
{
	struct kvm_run *run = v->h.run;
	switch (run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		log_info("guest powered off (vCPU %u)", v->h.index);
		vm_request_stop(v->vm, VM_EXIT_POWEROFF);
		break;
	case KVM_SYSTEM_EVENT_RESET:
		log_info("guest asked for a reset (vCPU %u)", v->h.index);
		vm_request_stop(v->vm, VM_EXIT_RESET);
		break;
	case KVM_SYSTEM_EVENT_CRASH:
		log_warn("guest reported a crash (vCPU %u)", v->h.index);
		vm_request_stop(v->vm, VM_EXIT_CRASH);
		break;
	default:
		log_warn("vCPU %u: unknown system event %u, treated as power off", v->h.index,
		         run->system_event.type);
		vm_request_stop(v->vm, VM_EXIT_POWEROFF);
		break;
	}
}

/* KVM completes an MMIO load/store (and advances PC) only on the next
 * KVM_RUN. Before tern rewrites registers it lets KVM finish it, without
 * entering the guest. */
static void finish_pending_exit(struct vcpu *v)
{
	if (!v->mmio_pending)
		return;
	__atomic_store_n(&v->h.run->immediate_exit, 1, __ATOMIC_RELEASE);
	v->sdei_regs_valid = 0;
	if (ioctl(v->h.fd, KVM_RUN, 0) < 0 && errno != EINTR && errno != EAGAIN)
		log_error("vCPU %u: completing an MMIO exit: %s", v->h.index, strerror(errno));
	/* A kick landing now is not lost: the run loop checks `kicked` again
	 * before it enters the guest. */
	__atomic_store_n(&v->h.run->immediate_exit, 0, __ATOMIC_RELEASE);
	v->mmio_pending = 0;
}

/* Holds the vCPU out of the guest while the VM is paused. The guest's
 * virtual counter is saved and restored so its clock does not see the
 * pause. */
static void service_pause(struct vcpu *v)
{
	struct vm *vm = v->vm;
	pthread_mutex_lock(&vm->pause_lock);
	if (!vm->pause_req || vm_stopping(vm)) {
		pthread_mutex_unlock(&vm->pause_lock);
		return;
	}
	pthread_mutex_unlock(&vm->pause_lock);
	uint64_t cnt;
	int have_cnt = kvm_vcpu_get_reg(&v->h, KVM_REG_ARM_TIMER_CNT, &cnt) == 0;
	pthread_mutex_lock(&vm->pause_lock);
	vm->npaused++;
	pthread_cond_broadcast(&vm->pause_cond);
	while (vm->pause_req && !vm_stopping(vm))
		pthread_cond_wait(&vm->pause_cond, &vm->pause_lock);
	vm->npaused--;
	pthread_mutex_unlock(&vm->pause_lock);
	if (have_cnt && kvm_vcpu_set_reg(&v->h, KVM_REG_ARM_TIMER_CNT, cnt))
		log_warn("vCPU %u: cannot restore the virtual counter after a pause", v->h.index);
}

static void vcpu_service(struct vcpu *v)
{
	service_pause(v);
	if (vm_stopping(v->vm))
		return;
	finish_pending_exit(v);
	vcpu_service_power(v);
	vcpu_service_sdei(v);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct kvm_run *run = v->h.run;
	char name[16];
	snprintf(name, sizeof(name), "tern-vcpu%u", v->h.index);
	pthread_setname_np(pthread_self(), name);
	__atomic_store_n(&v->tid, (int)gettid(), __ATOMIC_RELEASE);
	/* Before the first guest instruction: from here the guest can make
	 * this thread do things. */
	int sr = seccomp_install(SECCOMP_ROLE_VCPU, v->vm->cfg->seccomp);
	if (sr) {
		log_error("vCPU %u: seccomp: cannot install the vcpu filter: %s", v->h.index,
		          strerror(-sr));
		vm_request_stop(v->vm, VM_EXIT_ERROR);
		return NULL;
	}

	while (!vm_stopping(v->vm)) {
		/* Loop: a kick may arrive while the last one is serviced. */
		while (__atomic_exchange_n(&v->kicked, 0, __ATOMIC_ACQ_REL) && !vm_stopping(v->vm))
			vcpu_service(v);
		if (vm_stopping(v->vm))
			break;
		v->sdei_regs_valid = 0; /* the guest runs: cached registers go stale */
		if (ioctl(v->h.fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				__atomic_store_n(&run->immediate_exit, 0, __ATOMIC_RELEASE);
				v->exits[EXIT_KIND_KICK]++;
				continue;
			}
			log_error("vCPU %u: KVM_RUN failed: %s", v->h.index, strerror(errno));
			vm_request_stop(v->vm, VM_EXIT_ERROR);
			break;
		}
		v->mmio_pending = 0;
		switch (run->exit_reason) {
		case KVM_EXIT_MMIO:
			v->exits[EXIT_KIND_MMIO]++;
			handle_mmio(v);
			break;
		case KVM_EXIT_HYPERCALL:
			v->exits[EXIT_KIND_HYPERCALL]++;
			vcpu_handle_hypercall(v);
			break;
		case KVM_EXIT_SYSTEM_EVENT:
			v->exits[EXIT_KIND_SYSTEM_EVENT]++;
			handle_system_event(v);
			break;
		case KVM_EXIT_INTR:
			v->exits[EXIT_KIND_KICK]++;
			break;
		case KVM_EXIT_FAIL_ENTRY:
			log_error(
			        "vCPU %u: KVM could not enter the guest (reason 0x%llx)",
			        v->h.index,
			        (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
			vm_request_stop(v->vm, VM_EXIT_ERROR);
			break;
		case KVM_EXIT_INTERNAL_ERROR:
			log_error("vCPU %u: KVM internal error %u", v->h.index,
			          run->internal.suberror);
			vm_request_stop(v->vm, VM_EXIT_ERROR);
			break;
		default:
			v->exits[EXIT_KIND_OTHER]++;
			log_error("vCPU %u: unexpected KVM exit %u", v->h.index, run->exit_reason);
			vm_request_stop(v->vm, VM_EXIT_ERROR);
			break;
		}
	}
	return NULL;
}

int vcpu_start(struct vcpu *v)
{
	int r = pthread_create(&v->thread, NULL, vcpu_thread, v);
	if (r)
		return -r;
	v->started = 1;
	return 0;
}

void vcpu_kick(struct vcpu *v)
{
	__atomic_store_n(&v->kicked, 1, __ATOMIC_RELEASE);
	if (!v->started)
		return;
	/* immediate_exit covers a kick that lands before the thread enters
	 * KVM_RUN; the signal covers one already inside. */
	__atomic_store_n(&v->h.run->immediate_exit, 1, __ATOMIC_RELEASE);
	pthread_kill(v->thread, SIGRTMIN);
}

void vcpu_join(struct vcpu *v)
{
	if (v->started)
		pthread_join(v->thread, NULL);
	v->started = 0;
}
