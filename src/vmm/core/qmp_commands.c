/* tern's QMP command handlers: argument shaping and reply shaping only. */
#include "vmm/core/qmp_commands.h"

#include "vmm/core/qmp_base64.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct qmp_vm_ops *vm_ops(struct qmp_ctx *ctx)
{
	return ctx->ops;
}

/* Shared answer for a callback the VM did not provide, which is how a VM
 * without SDEI or ACPI RAS says so. */
static int unavailable(const char *command, struct qmp_error *err)
{
	qmp_error_set(err, QMP_ERROR_GENERIC, "'%s' is not available in this VM", command);
	return -EOPNOTSUPP;
}

#define REQUIRE_OP(ctx, op, command, err)                                                          \
	do {                                                                                       \
		if (!vm_ops(ctx) || !vm_ops(ctx)->op)                                              \
			return unavailable(command, err);                                          \
	} while (0)

const char *qmp_run_state_name(enum qmp_run_state state)
{
	switch (state) {
	case QMP_RUN_RUNNING:
		return "running";
	case QMP_RUN_PAUSED:
		return "paused";
	case QMP_RUN_SHUTDOWN:
		return "shutdown";
	case QMP_RUN_PRELAUNCH:
		return "prelaunch";
	case QMP_RUN_INTERNAL_ERROR:
		return "internal-error";
	case QMP_RUN_GUEST_PANICKED:
		return "guest-panicked";
	}
	return "internal-error";
}

static const char *const severity_names[] = {
        [QMP_RAS_RECOVERABLE] = "recoverable",
        [QMP_RAS_FATAL] = "fatal",
        [QMP_RAS_CORRECTED] = "corrected",
        [QMP_RAS_INFORMATIONAL] = "informational",
};

int qmp_ras_severity_parse(const char *name, enum qmp_ras_severity *sev)
{
	size_t i;

	for (i = 0; i < sizeof(severity_names) / sizeof(severity_names[0]); i++) {
		if (name && !strcmp(name, severity_names[i])) {
			*sev = (enum qmp_ras_severity)i;
			return 0;
		}
	}
	return -EINVAL;
}

static int severity_arg(json_t *args, enum qmp_ras_severity *sev, struct qmp_error *err)
{
	const char *name = qmp_arg_str(args, "severity", NULL);

	if (qmp_ras_severity_parse(name, sev)) {
		qmp_error_set(err, QMP_ERROR_GENERIC,
		              "Parameter 'severity' does not accept '%.64s' (use recoverable, "
		              "fatal, corrected or informational)",
		              name);
		return -EINVAL;
	}
	return 0;
}

static int cmd_query_version(struct qmp_ctx *ctx, json_t *args, json_t **ret, struct qmp_error *err)
{
	*ret = qmp_session_version(ctx->sess);
	return *ret ? 0 : -ENOMEM;
}

static int cmd_query_target(struct qmp_ctx *ctx, json_t *args, json_t **ret, struct qmp_error *err)
{
	*ret = json_pack("{s:s}", "arch", "aarch64");
	return *ret ? 0 : -ENOMEM;
}

static int cmd_query_commands(struct qmp_ctx *ctx, json_t *args, json_t **ret,
                              struct qmp_error *err)
{
	json_t *list = json_array();
	size_t i;

	if (!list || json_array_append_new(list, json_pack("{s:s}", "name", "qmp_capabilities")))
		goto nomem;
	for (i = 0; i < qmp_vm_commands_count; i++)
		if (json_array_append_new(list,
		                          json_pack("{s:s}", "name", qmp_vm_commands[i].name)))
			goto nomem;
	*ret = list;
	return 0;
nomem:
	json_decref(list);
	return -ENOMEM;
}

static int cmd_query_status(struct qmp_ctx *ctx, json_t *args, json_t **ret, struct qmp_error *err)
{
	enum qmp_run_state state;
	int rc;

	REQUIRE_OP(ctx, query_status, "query-status", err);
	rc = vm_ops(ctx)->query_status(ctx->opaque, &state, err);
	if (rc)
		return rc;
	/* QEMU dropped the deprecated "singlestep" member; so do we. */
	*ret = json_pack("{s:b,s:s}", "running", state == QMP_RUN_RUNNING, "status",
	                 qmp_run_state_name(state));
	return *ret ? 0 : -ENOMEM;
}

#define SIMPLE_COMMAND(fn, op, command)                                                            \
	static int fn(struct qmp_ctx *ctx, json_t *args, json_t **ret, struct qmp_error *err)      \
	{                                                                                          \
		REQUIRE_OP(ctx, op, command, err);                                                 \
		return vm_ops(ctx)->op(ctx->opaque, err);                                          \
	}

SIMPLE_COMMAND(cmd_stop, stop, "stop")
SIMPLE_COMMAND(cmd_cont, cont, "cont")
SIMPLE_COMMAND(cmd_system_powerdown, system_powerdown, "system_powerdown")
SIMPLE_COMMAND(cmd_system_reset, system_reset, "system_reset")
SIMPLE_COMMAND(cmd_quit, quit, "quit")

static json_t *cpu_json(size_t index, const struct qmp_cpu_info *cpu)
{
	char path[64];

	/* QEMU's arm virt board puts its CPUs here; scripts such as
	 * ghes_inject.py look them up by this path. A flat topology: one
	 * socket and cluster, one core per vCPU. */
	snprintf(path, sizeof(path), "/machine/unattached/device[%zu]", index);
	return json_pack("{s:I,s:s,s:I,s:s,s:{s:I,s:I,s:I,s:I}}", "cpu-index", (json_int_t)index,
	                 "qom-path", path, "thread-id", (json_int_t)cpu->thread_id, "target",
	                 "aarch64", "props", "socket-id", (json_int_t)0, "cluster-id",
	                 (json_int_t)0, "core-id", (json_int_t)index, "thread-id", (json_int_t)0);
}

static int cmd_query_cpus_fast(struct qmp_ctx *ctx, json_t *args, json_t **ret,
                               struct qmp_error *err)
{
	struct qmp_cpu_info *cpus;
	json_t *list = NULL;
	size_t i, n = 0;
	int rc;

	REQUIRE_OP(ctx, query_cpus, "query-cpus-fast", err);
	cpus = calloc(QMP_MAX_CPUS, sizeof(*cpus));
	if (!cpus)
		return -ENOMEM;
	rc = vm_ops(ctx)->query_cpus(ctx->opaque, cpus, QMP_MAX_CPUS, &n, err);
	if (rc)
		goto out;
	rc = -ENOMEM;
	list = json_array();
	if (!list)
		goto out;
	for (i = 0; i < n && i < QMP_MAX_CPUS; i++)
		if (json_array_append_new(list, cpu_json(i, &cpus[i])))
			goto out;
	*ret = list;
	list = NULL;
	rc = 0;
out:
	json_decref(list);
	free(cpus);
	return rc;
}

static int cmd_sdei_signal(struct qmp_ctx *ctx, json_t *args, json_t **ret, struct qmp_error *err)
{
	int64_t vcpu = qmp_arg_int(args, "vcpu", -1);

	REQUIRE_OP(ctx, sdei_signal, "sdei-signal", err);
	if (qmp_arg_has(args, "vcpu") && vcpu < 0) {
		qmp_error_set(err, QMP_ERROR_GENERIC, "Parameter 'vcpu' must not be negative");
		return -EINVAL;
	}
	return vm_ops(ctx)->sdei_signal(ctx->opaque, (uint32_t)qmp_arg_int(args, "event", 0), vcpu,
	                                err);
}

/* Shared by query-sdei and query-metrics: the VM builds the whole reply. */
static int json_query(struct qmp_ctx *ctx, int (*op)(void *, json_t **, struct qmp_error *),
                      const char *command, json_t **ret, struct qmp_error *err)
{
	json_t *out = NULL;
	int rc;

	if (!op)
		return unavailable(command, err);
	rc = op(ctx->opaque, &out, err);
	if (rc) {
		json_decref(out);
		return rc;
	}
	if (!out) {
		qmp_error_set(err, QMP_ERROR_GENERIC, "%s returned nothing", command);
		return -EIO;
	}
	*ret = out;
	return 0;
}

static int cmd_query_sdei(struct qmp_ctx *ctx, json_t *args, json_t **ret, struct qmp_error *err)
{
	return json_query(ctx, vm_ops(ctx) ? vm_ops(ctx)->query_sdei : NULL, "query-sdei", ret,
	                  err);
}

static int cmd_query_metrics(struct qmp_ctx *ctx, json_t *args, json_t **ret, struct qmp_error *err)
{
	return json_query(ctx, vm_ops(ctx) ? vm_ops(ctx)->query_metrics : NULL, "query-metrics",
	                  ret, err);
}

static int cmd_inject_ghes(struct qmp_ctx *ctx, json_t *args, json_t **ret, struct qmp_error *err)
{
	json_t *v = json_object_get(args, "cper");
	uint8_t *buf;
	size_t len = 0, max;
	int rc;

	REQUIRE_OP(ctx, inject_ghes, "inject-ghes-v2-error", err);
	max = qmp_base64_decoded_max(json_string_length(v));
	if (max > QMP_CPER_MAX) {
		qmp_error_set(err, QMP_ERROR_GENERIC, "CPER record too large (limit %d bytes)",
		              QMP_CPER_MAX);
		return -EMSGSIZE;
	}
	buf = malloc(max ? max : 1);
	if (!buf)
		return -ENOMEM;
	rc = qmp_base64_decode(json_string_value(v), json_string_length(v), buf, max, &len);
	if (rc || len == 0) {
		qmp_error_set(err, QMP_ERROR_GENERIC,
		              "Parameter 'cper' must be non-empty, padded standard base64");
		free(buf);
		return -EINVAL;
	}
	rc = vm_ops(ctx)->inject_ghes(ctx->opaque, buf, len, err);
	free(buf);
	return rc;
}

static int cmd_ras_inject_memory(struct qmp_ctx *ctx, json_t *args, json_t **ret,
                                 struct qmp_error *err)
{
	enum qmp_ras_severity sev;

	REQUIRE_OP(ctx, ras_inject_memory, "ras-inject-memory", err);
	if (severity_arg(args, &sev, err))
		return -EINVAL;
	return vm_ops(ctx)->ras_inject_memory(ctx->opaque,
	                                      (uint64_t)qmp_arg_int(args, "address", 0), sev,
	                                      qmp_arg_int(args, "source", -1), err);
}

static int cmd_ras_inject_arm_processor(struct qmp_ctx *ctx, json_t *args, json_t **ret,
                                        struct qmp_error *err)
{
	enum qmp_ras_severity sev;

	REQUIRE_OP(ctx, ras_inject_arm_processor, "ras-inject-arm-processor", err);
	if (severity_arg(args, &sev, err))
		return -EINVAL;
	return vm_ops(ctx)->ras_inject_arm_processor(ctx->opaque, sev, qmp_arg_has(args, "mpidr"),
	                                             (uint64_t)qmp_arg_int(args, "mpidr", 0), err);
}

static const struct qmp_arg sdei_signal_args[] = {
        {"event", QMP_ARG_UINT32, false},
        {"vcpu", QMP_ARG_INT, true},
        {0},
};

static const struct qmp_arg inject_ghes_args[] = {
        {"cper", QMP_ARG_STRING, false},
        {0},
};

static const struct qmp_arg ras_memory_args[] = {
        {"address", QMP_ARG_UINT, false},
        {"severity", QMP_ARG_STRING, false},
        {"source", QMP_ARG_UINT, true},
        {0},
};

static const struct qmp_arg ras_arm_args[] = {
        {"severity", QMP_ARG_STRING, false},
        {"mpidr", QMP_ARG_UINT, true},
        {0},
};

const struct qmp_command qmp_vm_commands[] = {
        {"query-version", cmd_query_version, NULL},
        {"query-commands", cmd_query_commands, NULL},
        {"query-target", cmd_query_target, NULL},
        {"query-status", cmd_query_status, NULL},
        {"stop", cmd_stop, NULL},
        {"cont", cmd_cont, NULL},
        {"system_powerdown", cmd_system_powerdown, NULL},
        {"system_reset", cmd_system_reset, NULL},
        {"quit", cmd_quit, NULL},
        {"query-cpus-fast", cmd_query_cpus_fast, NULL},
        {"sdei-signal", cmd_sdei_signal, sdei_signal_args},
        {"query-sdei", cmd_query_sdei, NULL},
        {"query-metrics", cmd_query_metrics, NULL},
        {"inject-ghes-v2-error", cmd_inject_ghes, inject_ghes_args},
        {"ras-inject-memory", cmd_ras_inject_memory, ras_memory_args},
        {"ras-inject-arm-processor", cmd_ras_inject_arm_processor, ras_arm_args},
};

const size_t qmp_vm_commands_count = sizeof(qmp_vm_commands) / sizeof(qmp_vm_commands[0]);
