#include "vmm/vmm.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "vmm/console.h"
#include "vmm/core/log.h"
#include "vmm/core/qmp_commands.h"
#include "vmm/seccomp_install.h"

/* Exit statuses (docs/cli.md). */
#define STATUS_POWEROFF 0
#define STATUS_FAILURE  1
#define STATUS_RESET    3
#define STATUS_CRASH    4

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void vmm_emit(struct vmm *vmm, const char *event, json_t *data)
{
	if (vmm->control_on)
		control_server_broadcast(&vmm->cs, event, data);
}

static void emit_shutdown(struct vmm *vmm, int guest, const char *reason)
{
	json_t *d = json_pack("{s:b, s:s}", "guest", guest, "reason", reason);
	vmm_emit(vmm, "SHUTDOWN", d);
	json_decref(d);
}

static void on_signal(struct ev_handler *h, uint32_t events)
{
	struct vmm *vmm = (struct vmm *)((char *)h - offsetof(struct vmm, sig_h));
	struct signalfd_siginfo si;
	(void)events;
	while (read(h->fd, &si, sizeof(si)) == sizeof(si)) {
		log_info("signal %u: stopping the VM", si.ssi_signo);
		vmm->exit_signal = (int)si.ssi_signo;
		if (vmm->vm)
			vm_request_stop(vmm->vm, VM_EXIT_SIGNAL);
	}
}

static void feed_uart(struct vmm *vmm)
{
	if (!vmm->vm || !vmm->in_len)
		return;
	size_t n = uart16550_receive(&vmm->vm->uart, vmm->in_buf + vmm->in_off,
	                             vmm->in_len - vmm->in_off);
	vmm->in_off += n;
	if (vmm->in_off == vmm->in_len)
		vmm->in_off = vmm->in_len = 0;
}

/* stdin is watched only while no input waits for the UART: level-triggered
 * epoll would otherwise spin on input tern cannot take yet. */
static void watch_stdin(struct vmm *vmm, int on)
{
	if (!vmm->stdin_open || on == vmm->stdin_polled)
		return;
	if (on)
		vmm->stdin_polled = evloop_add(&vmm->loop, &vmm->stdin_h, EPOLLIN) == 0;
	else {
		evloop_del(&vmm->loop, &vmm->stdin_h);
		vmm->stdin_polled = 0;
	}
}

static void on_stdin(struct ev_handler *h, uint32_t events)
{
	struct vmm *vmm = (struct vmm *)((char *)h - offsetof(struct vmm, stdin_h));
	(void)events;
	ssize_t r = read(STDIN_FILENO, vmm->in_buf, sizeof(vmm->in_buf));
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		/* EOF or error: the guest gets no more input. */
		watch_stdin(vmm, 0);
		vmm->stdin_open = 0;
		return;
	}
	int quit = 0;
	vmm->in_off = 0;
	vmm->in_len = console_filter(vmm->in_buf, (size_t)r, &quit);
	if (quit && vmm->vm) {
		log_info("quit from the console");
		vm_request_stop(vmm->vm, VM_EXIT_QUIT);
	}
	feed_uart(vmm);
	if (vmm->in_len)
		watch_stdin(vmm, 0);
}

static void on_stop(struct ev_handler *h, uint32_t events)
{
	uint64_t v;
	(void)events;
	if (read(h->fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_warn("stop eventfd: %s", strerror(errno));
}

static void on_note(struct ev_handler *h, uint32_t events)
{
	struct vmm *vmm = (struct vmm *)((char *)h - offsetof(struct vmm, note_h));
	uint64_t v;
	(void)events;
	if (read(h->fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return;
	struct vm_sdei_note notes[16];
	unsigned n;
	while (vmm->vm && (n = vm_take_sdei_notes(vmm->vm, notes, 16))) {
		for (unsigned i = 0; i < n; i++) {
			json_t *d =
			        json_pack("{s:I, s:i, s:b}", "event", (json_int_t)notes[i].event,
			                  "vcpu", (int)notes[i].vcpu, "resumed", notes[i].resumed);
			vmm_emit(vmm, "SDEI_EVENT_COMPLETED", d);
			json_decref(d);
		}
	}
}

static enum vm_exit run_vm(struct vmm *vmm, struct vm *vm)
{
	vmm->vm = vm;
	vmm->stop_h = (struct ev_handler){.fn = on_stop, .fd = vm->stop_fd};
	vmm->note_h = (struct ev_handler){.fn = on_note, .fd = vm->note_fd};
	evloop_add(&vmm->loop, &vmm->stop_h, EPOLLIN);
	evloop_add(&vmm->loop, &vmm->note_h, EPOLLIN);
	vm->start_ns = mono_ns();
	vm_start_vcpus(vm);
	while (!__atomic_load_n(&vm->exit_reason, __ATOMIC_ACQUIRE)) {
		int r = evloop_run_once(&vmm->loop, vmm->in_len ? 20 : -1);
		if (r < 0) {
			log_error("event loop: %s", strerror(-r));
			vm_request_stop(vm, VM_EXIT_ERROR);
		}
		if (vmm->in_len) {
			feed_uart(vmm);
			if (!vmm->in_len)
				watch_stdin(vmm, 1);
		}
	}
	vm_stop_vcpus(vm);
	on_note(&vmm->note_h, EPOLLIN); /* completions that raced the stop */
	evloop_del(&vmm->loop, &vmm->stop_h);
	evloop_del(&vmm->loop, &vmm->note_h);
	vmm->vm = NULL;
	return (enum vm_exit)vm->exit_reason;
}

static int setup_process(struct vmm *vmm)
{
	char why[256];
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	/* Blocked before any thread exists, so only the signalfd sees them. */
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return -EINVAL;
	int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0 || evloop_init(&vmm->loop)) {
		log_error("cannot set up the event loop: %s", strerror(errno));
		return -errno;
	}
	vmm->sig_h = (struct ev_handler){.fn = on_signal, .fd = sfd};
	evloop_add(&vmm->loop, &vmm->sig_h, EPOLLIN);
	vmm->stdin_h = (struct ev_handler){.fn = on_stdin, .fd = STDIN_FILENO};
	vmm->stdin_open = 1;
	watch_stdin(vmm, 1);
	if (!vmm->stdin_polled)
		vmm->stdin_open = 0; /* /dev/null or a file: no console input */

	struct qmp_session_config qcfg = {
	        .commands = qmp_vm_commands,
	        .n_commands = qmp_vm_commands_count,
	        .ops = &vmm_qmp_ops,
	        .opaque = vmm,
	};
	control_server_init(&vmm->cs, &vmm->loop, &qcfg);
	if (vmm->cfg->control &&
	    control_server_listen_unix(&vmm->cs, vmm->cfg->control, why, sizeof(why))) {
		log_error("%s", why);
		return -EINVAL;
	}
	if (vmm->cfg->qmp && control_server_listen_tcp(&vmm->cs, vmm->cfg->qmp, why, sizeof(why))) {
		log_error("%s", why);
		control_server_close(&vmm->cs);
		return -EINVAL;
	}
	vmm->control_on = vmm->cfg->control || vmm->cfg->qmp;
	return 0;
}

int vmm_main(const struct vm_config *cfg)
{
	static struct vmm vmm;
	static struct vm vm; /* large: keep it off the stack */
	vmm.cfg = cfg;
	vmm.start_ns = mono_ns();
	if (setup_process(&vmm))
		return STATUS_FAILURE;
	/* From here on the main thread runs under its filter: everything it
	 * needs to open or create for the process already exists. */
	if (cfg->seccomp == SECCOMP_MODE_OFF)
		log_warn("seccomp is off (--seccomp=off): for development only");
	int sr = seccomp_install(SECCOMP_ROLE_VMM, cfg->seccomp);
	if (sr) {
		log_error("seccomp: cannot install the vmm filter: %s", strerror(-sr));
		return STATUS_FAILURE;
	}
	console_setup();
	int status;
	for (;;) {
		if (vm_create(&vm, cfg, &vmm.loop)) {
			vm_destroy(&vm);
			status = STATUS_FAILURE;
			break;
		}
		vmm.boots++;
		enum vm_exit why = run_vm(&vmm, &vm);
		vm_destroy(&vm);
		if (why == VM_EXIT_HOST_RESET || (why == VM_EXIT_RESET && cfg->reboot)) {
			json_t *d = json_pack("{s:b, s:s}", "guest", why == VM_EXIT_RESET, "reason",
			                      why == VM_EXIT_RESET ? "guest-reset"
			                                           : "host-qmp-system-reset");
			vmm_emit(&vmm, "RESET", d);
			json_decref(d);
			log_info("rebooting the guest");
			continue;
		}
		switch (why) {
		case VM_EXIT_POWEROFF:
			emit_shutdown(&vmm, 1, "guest-shutdown");
			status = STATUS_POWEROFF;
			break;
		case VM_EXIT_RESET:
			emit_shutdown(&vmm, 1, "guest-reset");
			status = STATUS_RESET;
			break;
		case VM_EXIT_CRASH:
			emit_shutdown(&vmm, 1, "guest-panic");
			status = STATUS_CRASH;
			break;
		case VM_EXIT_QUIT:
			emit_shutdown(&vmm, 0, "host-qmp-quit");
			status = 0;
			break;
		case VM_EXIT_SIGNAL:
			emit_shutdown(&vmm, 0, "host-signal");
			status = vmm.exit_signal ? 128 + vmm.exit_signal : 0;
			break;
		default:
			status = STATUS_FAILURE;
			break;
		}
		break;
	}
	console_restore();
	if (vmm.control_on) {
		control_server_flush(&vmm.cs, 200);
		control_server_close(&vmm.cs);
	}
	return status;
}
