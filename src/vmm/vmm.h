/* The tern process around one VM: the event loop, signals, the console's
 * input, the control socket, and rebooting. Lives across guest reboots. */
#ifndef TERN_VMM_VMM_H
#define TERN_VMM_VMM_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/core/config.h"
#include "vmm/core/control_server.h"
#include "vmm/core/evloop.h"
#include "vmm/vm.h"

struct vmm {
	const struct vm_config *cfg;
	struct evloop loop;
	struct control_server cs;
	int control_on;
	struct vm *vm; /* the VM of this boot */
	struct ev_handler sig_h, stdin_h, stop_h, note_h;
	int stdin_open, stdin_polled;
	uint8_t in_buf[256]; /* console input the UART had no room for yet */
	size_t in_off, in_len;
	int exit_signal;
	uint64_t boots;
	uint64_t start_ns; /* process start, CLOCK_MONOTONIC */
};

/* Runs VMs from cfg until one ends for good; returns the exit status
 * (docs/cli.md). */
int vmm_main(const struct vm_config *cfg);

/* control_ops.c: the QMP commands' effects on the running VM. */
extern const struct qmp_vm_ops vmm_qmp_ops;
void vmm_emit(struct vmm *vmm, const char *event, json_t *data);

#endif
