/* The QMP commands tern serves, and the callbacks through which they reach
 * the VM. Handlers only check arguments and shape replies; every effect
 * goes through struct qmp_vm_ops, so tests plug in fakes and a VM without
 * SDEI or RAS simply leaves those callbacks NULL. See docs/control.md. */
#ifndef TERN_VMM_CORE_QMP_COMMANDS_H
#define TERN_VMM_CORE_QMP_COMMANDS_H

#include "vmm/core/qmp.h"

/* Largest CPER record inject-ghes-v2-error accepts (decoded). */
#define QMP_CPER_MAX 4096
/* Most vCPUs query-cpus-fast reports. */
#define QMP_MAX_CPUS 512

enum qmp_run_state {
	QMP_RUN_RUNNING,
	QMP_RUN_PAUSED,
	QMP_RUN_SHUTDOWN,
	QMP_RUN_PRELAUNCH,
	QMP_RUN_INTERNAL_ERROR,
	QMP_RUN_GUEST_PANICKED,
};

/* Values are the CPER error severities (UEFI N.2.1). */
enum qmp_ras_severity {
	QMP_RAS_RECOVERABLE = 0,
	QMP_RAS_FATAL = 1,
	QMP_RAS_CORRECTED = 2,
	QMP_RAS_INFORMATIONAL = 3,
};

struct qmp_cpu_info {
	int64_t thread_id; /* host TID of the vCPU thread */
	uint64_t mpidr;
};

/* Every callback gets the session config's opaque pointer. They return 0
 * or a negative errno and may describe the failure in err (otherwise the
 * reply says "<command> failed: <strerror>"). A NULL callback makes its
 * command answer "not available in this VM". */
struct qmp_vm_ops {
	int (*query_status)(void *opaque, enum qmp_run_state *state, struct qmp_error *err);
	int (*stop)(void *opaque, struct qmp_error *err);
	int (*cont)(void *opaque, struct qmp_error *err);
	int (*system_powerdown)(void *opaque, struct qmp_error *err);
	int (*system_reset)(void *opaque, struct qmp_error *err);
	/* The reply is queued after quit returns; the VMM should flush
	 * client output before it exits. */
	int (*quit)(void *opaque, struct qmp_error *err);
	/* Fills cpus[0..*n) with at most max entries, in cpu-index order. */
	int (*query_cpus)(void *opaque, struct qmp_cpu_info *cpus, size_t max, size_t *n,
	                  struct qmp_error *err);
	/* vcpu < 0: not given, the dispatcher chooses. */
	int (*sdei_signal)(void *opaque, uint32_t event, int64_t vcpu, struct qmp_error *err);
	/* Set *out to a new reference (any JSON value). */
	int (*query_sdei)(void *opaque, json_t **out, struct qmp_error *err);
	int (*query_metrics)(void *opaque, json_t **out, struct qmp_error *err);
	int (*inject_ghes)(void *opaque, const uint8_t *cper, size_t len, struct qmp_error *err);
	/* source < 0: not given. */
	int (*ras_inject_memory)(void *opaque, uint64_t address, enum qmp_ras_severity severity,
	                         int64_t source, struct qmp_error *err);
	int (*ras_inject_arm_processor)(void *opaque, enum qmp_ras_severity severity,
	                                bool has_mpidr, uint64_t mpidr, struct qmp_error *err);
};

/* tern's command table; use as qmp_session_config.commands with ops
 * pointing at a struct qmp_vm_ops. */
extern const struct qmp_command qmp_vm_commands[];
extern const size_t qmp_vm_commands_count;

const char *qmp_run_state_name(enum qmp_run_state state);
/* Returns 0 and sets *sev, or -EINVAL for an unknown name. */
int qmp_ras_severity_parse(const char *name, enum qmp_ras_severity *sev);

#endif
