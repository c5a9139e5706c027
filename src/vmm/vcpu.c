/* The vCPU threads: each runs KVM_RUN and handles its own exits. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/core/log.h"
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
	v->exits_mmio++;
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

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct kvm_run *run = v->h.run;
	char name[16];
	snprintf(name, sizeof(name), "tern-vcpu%u", v->h.index);
	pthread_setname_np(pthread_self(), name);

	while (!vm_stopping(v->vm)) {
		if (ioctl(v->h.fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				run->immediate_exit = 0;
				continue;
			}
			log_error("vCPU %u: KVM_RUN failed: %s", v->h.index, strerror(errno));
			vm_request_stop(v->vm, VM_EXIT_ERROR);
			break;
		}
		switch (run->exit_reason) {
		case KVM_EXIT_MMIO:
			handle_mmio(v);
			break;
		case KVM_EXIT_SYSTEM_EVENT:
			handle_system_event(v);
			break;
		case KVM_EXIT_INTR:
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
			v->exits_other++;
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
