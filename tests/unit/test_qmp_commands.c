/* tern's QMP commands against a fake VM: argument checking, reply shapes,
 * and how VM callback failures are reported. */
#include "qmp_harness.h"
#include "vmm/core/qmp_commands.h"

#include <errno.h>

struct fake_vm {
	enum qmp_run_state state;
	int calls;
	int fail; /* negative errno returned by the next callback */
	const char *fail_desc;
	uint32_t event;
	int64_t vcpu;
	uint8_t cper[64];
	size_t cper_len;
	uint64_t address;
	uint64_t mpidr;
	bool has_mpidr;
	enum qmp_ras_severity sev;
	int64_t source;
	size_t ncpus;
	const char *last;
};

static int fake_result(struct fake_vm *vm, const char *what, struct qmp_error *err)
{
	vm->calls++;
	vm->last = what;
	if (vm->fail && vm->fail_desc)
		qmp_error_set(err, QMP_ERROR_GENERIC, "%s", vm->fail_desc);
	return vm->fail;
}

static int fake_query_status(void *opaque, enum qmp_run_state *state, struct qmp_error *err)
{
	struct fake_vm *vm = opaque;

	*state = vm->state;
	return fake_result(vm, "query_status", err);
}

#define FAKE_SIMPLE(fn)                                                                            \
	static int fake_##fn(void *opaque, struct qmp_error *err)                                  \
	{                                                                                          \
		return fake_result(opaque, #fn, err);                                              \
	}
FAKE_SIMPLE(stop)
FAKE_SIMPLE(cont)
FAKE_SIMPLE(system_powerdown)
FAKE_SIMPLE(system_reset)
FAKE_SIMPLE(quit)

static int fake_query_cpus(void *opaque, struct qmp_cpu_info *cpus, size_t max, size_t *n,
                           struct qmp_error *err)
{
	struct fake_vm *vm = opaque;
	size_t i;

	for (i = 0; i < vm->ncpus && i < max; i++) {
		cpus[i].thread_id = 1000 + (int64_t)i;
		cpus[i].mpidr = i;
	}
	*n = i;
	return fake_result(vm, "query_cpus", err);
}

static int fake_sdei_signal(void *opaque, uint32_t event, int64_t vcpu, struct qmp_error *err)
{
	struct fake_vm *vm = opaque;

	vm->event = event;
	vm->vcpu = vcpu;
	return fake_result(vm, "sdei_signal", err);
}

static int fake_query_sdei(void *opaque, json_t **out, struct qmp_error *err)
{
	*out = json_pack("{s:b,s:[i]}", "enabled", 1, "events", 0);
	return fake_result(opaque, "query_sdei", err);
}

static int fake_query_metrics_null(void *opaque, json_t **out, struct qmp_error *err)
{
	return fake_result(opaque, "query_metrics", err);
}

static int fake_inject_ghes(void *opaque, const uint8_t *cper, size_t len, struct qmp_error *err)
{
	struct fake_vm *vm = opaque;

	vm->cper_len = len;
	if (len <= sizeof(vm->cper))
		memcpy(vm->cper, cper, len);
	return fake_result(vm, "inject_ghes", err);
}

static int fake_ras_memory(void *opaque, uint64_t address, enum qmp_ras_severity severity,
                           int64_t source, struct qmp_error *err)
{
	struct fake_vm *vm = opaque;

	vm->address = address;
	vm->sev = severity;
	vm->source = source;
	return fake_result(vm, "ras_memory", err);
}

static int fake_ras_arm(void *opaque, enum qmp_ras_severity severity, bool has_mpidr,
                        uint64_t mpidr, struct qmp_error *err)
{
	struct fake_vm *vm = opaque;

	vm->sev = severity;
	vm->has_mpidr = has_mpidr;
	vm->mpidr = mpidr;
	return fake_result(vm, "ras_arm", err);
}

static const struct qmp_vm_ops full_ops = {
        .query_status = fake_query_status,
        .stop = fake_stop,
        .cont = fake_cont,
        .system_powerdown = fake_system_powerdown,
        .system_reset = fake_system_reset,
        .quit = fake_quit,
        .query_cpus = fake_query_cpus,
        .sdei_signal = fake_sdei_signal,
        .query_sdei = fake_query_sdei,
        .query_metrics = fake_query_metrics_null,
        .inject_ghes = fake_inject_ghes,
        .ras_inject_memory = fake_ras_memory,
        .ras_inject_arm_processor = fake_ras_arm,
};

static struct fake_vm vm;
static struct qmp_msgs msgs;

static struct qmp_session *open_vm(const struct qmp_vm_ops *ops)
{
	struct qmp_session_config cfg = {
	        .commands = qmp_vm_commands,
	        .n_commands = qmp_vm_commands_count,
	        .ops = ops,
	        .opaque = &vm,
	};
	struct qmp_session *s = NULL;

	memset(&vm, 0, sizeof(vm));
	CHECK_EQ(qmp_session_create(&cfg, &s), 0);
	qmp_feed(s, "{\"execute\":\"qmp_capabilities\"}");
	CHECK_EQ(qmp_drain(s, &msgs), 2);
	return s;
}

/* Runs one request and returns its single reply (owned by msgs). */
static json_t *run(struct qmp_session *s, const char *req)
{
	qmp_feed(s, req);
	CHECK_EQ(qmp_drain(s, &msgs), 1);
	CHECK_EQ(msgs.bad_framing, 0);
	return msgs.n ? msgs.m[0] : NULL;
}

static const char *run_err(struct qmp_session *s, const char *req)
{
	run(s, req);
	return qmp_msg_desc(&msgs, 0);
}

static void test_queries(void)
{
	struct qmp_session *s = open_vm(&full_ops);
	json_t *r, *cpu;

	r = json_object_get(run(s, "{\"execute\":\"query-target\"}"), "return");
	CHECK_STR(json_string_value(json_object_get(r, "arch")), "aarch64");
	r = json_object_get(run(s, "{\"execute\":\"query-version\"}"), "return");
	CHECK(json_is_integer(json_object_get(json_object_get(r, "qemu"), "major")));
	CHECK(json_is_string(json_object_get(r, "package")));

	vm.state = QMP_RUN_PAUSED;
	r = json_object_get(run(s, "{\"execute\":\"query-status\"}"), "return");
	CHECK(json_is_false(json_object_get(r, "running")));
	CHECK_STR(json_string_value(json_object_get(r, "status")), "paused");
	vm.state = QMP_RUN_RUNNING;
	r = json_object_get(run(s, "{\"execute\":\"query-status\"}"), "return");
	CHECK(json_is_true(json_object_get(r, "running")));
	CHECK_STR(json_string_value(json_object_get(r, "status")), "running");
	CHECK_EQ(json_object_size(r), 2);
	vm.state = QMP_RUN_SHUTDOWN;
	r = json_object_get(run(s, "{\"execute\":\"query-status\"}"), "return");
	CHECK_STR(json_string_value(json_object_get(r, "status")), "shutdown");
	CHECK_STR(run_err(s, "{\"execute\":\"query-status\",\"arguments\":{\"x\":1}}"),
	          "Parameter 'x' is unexpected");

	vm.ncpus = 3;
	r = json_object_get(run(s, "{\"execute\":\"query-cpus-fast\"}"), "return");
	CHECK_EQ(json_array_size(r), 3);
	cpu = json_array_get(r, 2);
	CHECK_EQ(json_integer_value(json_object_get(cpu, "cpu-index")), 2);
	CHECK_EQ(json_integer_value(json_object_get(cpu, "thread-id")), 1002);
	CHECK_STR(json_string_value(json_object_get(cpu, "target")), "aarch64");
	CHECK_STR(json_string_value(json_object_get(cpu, "qom-path")),
	          "/machine/unattached/device[2]");
	CHECK_EQ(json_integer_value(json_object_get(json_object_get(cpu, "props"), "core-id")), 2);
	vm.ncpus = QMP_MAX_CPUS + 10;
	r = json_object_get(run(s, "{\"execute\":\"query-cpus-fast\"}"), "return");
	CHECK_EQ(json_array_size(r), QMP_MAX_CPUS);

	r = json_object_get(run(s, "{\"execute\":\"query-sdei\"}"), "return");
	CHECK(json_is_true(json_object_get(r, "enabled")));
	/* A callback that succeeds without a value is a VM bug, not {}. */
	CHECK(strstr(run_err(s, "{\"execute\":\"query-metrics\"}"), "returned nothing") != NULL);

	r = json_object_get(run(s, "{\"execute\":\"query-commands\"}"), "return");
	CHECK_EQ(json_array_size(r), qmp_vm_commands_count + 1);
	qmp_session_destroy(s);
}

static void test_run_control(void)
{
	static const char *const names[] = {"stop", "cont", "system_powerdown", "system_reset",
	                                    "quit"};
	struct qmp_session *s = open_vm(&full_ops);
	char req[128];
	json_t *r;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(req, sizeof(req), "{\"execute\":\"%s\",\"id\":%zu}", names[i], i);
		r = run(s, req);
		CHECK_EQ(json_object_size(json_object_get(r, "return")), 0);
		CHECK(json_is_object(json_object_get(r, "return")));
		CHECK_EQ(vm.calls, (long long)i + 1);
		snprintf(req, sizeof(req), "{\"execute\":\"%s\",\"arguments\":{\"now\":true}}",
		         names[i]);
		CHECK_STR(run_err(s, req), "Parameter 'now' is unexpected");
		CHECK_EQ(vm.calls, (long long)i + 1);
	}

	/* Failures: errno text by default, the VM's own words when given. */
	vm.fail = -EBUSY;
	CHECK_STR(run_err(s, "{\"execute\":\"stop\"}"), "stop failed: Device or resource busy");
	vm.fail_desc = "already paused";
	CHECK_STR(run_err(s, "{\"execute\":\"stop\"}"), "already paused");
	CHECK_STR(qmp_msg_class(&msgs, 0), "GenericError");
	qmp_session_destroy(s);
}

static void test_sdei_signal(void)
{
	struct qmp_session *s = open_vm(&full_ops);

	run(s, "{\"execute\":\"sdei-signal\",\"arguments\":{\"event\":0}}");
	CHECK(qmp_msg_return(&msgs, 0) != NULL);
	CHECK_EQ(vm.event, 0);
	CHECK_EQ(vm.vcpu, -1);
	run(s, "{\"execute\":\"sdei-signal\",\"arguments\":{\"event\":4294967295,\"vcpu\":3}}");
	CHECK_EQ(vm.event, 4294967295u);
	CHECK_EQ(vm.vcpu, 3);
	CHECK_EQ(vm.calls, 2);

	CHECK_STR(run_err(s, "{\"execute\":\"sdei-signal\"}"), "Parameter 'event' is missing");
	CHECK_STR(run_err(s, "{\"execute\":\"sdei-signal\",\"arguments\":{}}"),
	          "Parameter 'event' is missing");
	CHECK_STR(run_err(s, "{\"execute\":\"sdei-signal\",\"arguments\":{\"event\":\"1\"}}"),
	          "Invalid parameter type for 'event', expected: integer");
	CHECK(strstr(run_err(s, "{\"execute\":\"sdei-signal\",\"arguments\":{\"event\":-1}}"),
	             "uint32") != NULL);
	CHECK(strstr(run_err(s, "{\"execute\":\"sdei-signal\",\"arguments\":{\"event\":"
	                        "4294967296}}"),
	             "uint32") != NULL);
	CHECK_STR(
	        run_err(s, "{\"execute\":\"sdei-signal\",\"arguments\":{\"event\":1,\"vcpu\":-2}}"),
	        "Parameter 'vcpu' must not be negative");
	CHECK_STR(
	        run_err(s,
	                "{\"execute\":\"sdei-signal\",\"arguments\":{\"event\":1,\"vcpu\":true}}"),
	        "Invalid parameter type for 'vcpu', expected: integer");
	CHECK_STR(run_err(s, "{\"execute\":\"sdei-signal\",\"arguments\":{\"event\":1,\"cpu\":0}}"),
	          "Parameter 'cpu' is unexpected");
	CHECK_EQ(vm.calls, 2);

	vm.fail = -ENOENT;
	vm.fail_desc = "event 7 is not registered";
	CHECK_STR(run_err(s, "{\"execute\":\"sdei-signal\",\"arguments\":{\"event\":7}}"),
	          "event 7 is not registered");
	qmp_session_destroy(s);
}

static void test_ghes(void)
{
	struct qmp_session *s = open_vm(&full_ops);
	char req[QMP_CPER_MAX * 2];
	size_t i, n;

	/* "AQIDBA==" is bytes 1 2 3 4. */
	run(s, "{\"execute\":\"inject-ghes-v2-error\",\"arguments\":{\"cper\":\"AQIDBA==\"}}");
	CHECK_EQ(json_object_size(qmp_msg_return(&msgs, 0)), 0);
	CHECK_EQ(vm.cper_len, 4);
	CHECK(!memcmp(vm.cper, "\x01\x02\x03\x04", 4));
	CHECK_EQ(vm.calls, 1);

	CHECK_STR(run_err(s, "{\"execute\":\"inject-ghes-v2-error\"}"),
	          "Parameter 'cper' is missing");
	CHECK_STR(run_err(s, "{\"execute\":\"inject-ghes-v2-error\",\"arguments\":{\"cper\":1}}"),
	          "Invalid parameter type for 'cper', expected: string");
	CHECK(strstr(run_err(s, "{\"execute\":\"inject-ghes-v2-error\",\"arguments\":"
	                        "{\"cper\":\"AQIDBA\"}}"),
	             "base64") != NULL);
	CHECK(strstr(run_err(s, "{\"execute\":\"inject-ghes-v2-error\",\"arguments\":"
	                        "{\"cper\":\"AQ ID BA==\"}}"),
	             "base64") != NULL);
	CHECK(strstr(run_err(s, "{\"execute\":\"inject-ghes-v2-error\",\"arguments\":"
	                        "{\"cper\":\"\"}}"),
	             "base64") != NULL);
	CHECK_EQ(vm.calls, 1);

	n = (size_t)snprintf(req, sizeof(req),
	                     "{\"execute\":\"inject-ghes-v2-error\",\"arguments\":{\"cper\":\"");
	for (i = 0; i < (QMP_CPER_MAX / 3 + 2) * 4; i++)
		req[n++] = 'A';
	strcpy(req + n, "\"}}");
	CHECK(strstr(run_err(s, req), "too large") != NULL);
	CHECK_EQ(vm.calls, 1);
	qmp_session_destroy(s);
}

static void test_ras(void)
{
	static const char *const sevs[] = {"recoverable", "fatal", "corrected", "informational"};
	struct qmp_session *s = open_vm(&full_ops);
	char req[256];
	size_t i;

	for (i = 0; i < 4; i++) {
		snprintf(req, sizeof(req),
		         "{\"execute\":\"ras-inject-memory\",\"arguments\":{\"address\":"
		         "4294971392,\"severity\":\"%s\"}}",
		         sevs[i]);
		run(s, req);
		CHECK(qmp_msg_return(&msgs, 0) != NULL);
		CHECK_EQ(vm.sev, (long long)i);
		CHECK_EQ_U64(vm.address, 0x100001000ull);
		CHECK_EQ(vm.source, -1);
	}
	run(s, "{\"execute\":\"ras-inject-memory\",\"arguments\":{\"address\":0,"
	       "\"severity\":\"fatal\",\"source\":2}}");
	CHECK_EQ(vm.source, 2);
	CHECK_EQ(vm.calls, 5);

	CHECK_STR(run_err(s, "{\"execute\":\"ras-inject-memory\",\"arguments\":"
	                     "{\"severity\":\"fatal\"}}"),
	          "Parameter 'address' is missing");
	CHECK_STR(run_err(s, "{\"execute\":\"ras-inject-memory\",\"arguments\":{\"address\":1}}"),
	          "Parameter 'severity' is missing");
	CHECK_STR(run_err(s, "{\"execute\":\"ras-inject-memory\",\"arguments\":{\"address\":-1,"
	                     "\"severity\":\"fatal\"}}"),
	          "Parameter 'address' must not be negative");
	CHECK(strstr(run_err(s, "{\"execute\":\"ras-inject-memory\",\"arguments\":{\"address\":1,"
	                        "\"severity\":\"Fatal\"}}"),
	             "'Fatal'") != NULL);
	CHECK_STR(run_err(s, "{\"execute\":\"ras-inject-memory\",\"arguments\":{\"address\":1,"
	                     "\"severity\":\"fatal\",\"source\":\"x\"}}"),
	          "Invalid parameter type for 'source', expected: integer");
	CHECK_STR(run_err(s, "{\"execute\":\"ras-inject-memory\",\"arguments\":{\"address\":1,"
	                     "\"severity\":\"fatal\",\"size\":8}}"),
	          "Parameter 'size' is unexpected");
	CHECK_EQ(vm.calls, 5);

	run(s, "{\"execute\":\"ras-inject-arm-processor\",\"arguments\":{\"severity\":"
	       "\"corrected\"}}");
	CHECK(qmp_msg_return(&msgs, 0) != NULL);
	CHECK_EQ(vm.sev, QMP_RAS_CORRECTED);
	CHECK(!vm.has_mpidr);
	run(s, "{\"execute\":\"ras-inject-arm-processor\",\"arguments\":{\"severity\":\"fatal\","
	       "\"mpidr\":2147483905}}");
	CHECK(vm.has_mpidr);
	CHECK_EQ_U64(vm.mpidr, 0x80000101ull);
	CHECK_EQ(vm.calls, 7);
	CHECK_STR(run_err(s, "{\"execute\":\"ras-inject-arm-processor\"}"),
	          "Parameter 'severity' is missing");
	CHECK_STR(run_err(s, "{\"execute\":\"ras-inject-arm-processor\",\"arguments\":"
	                     "{\"severity\":\"fatal\",\"mpidr\":-5}}"),
	          "Parameter 'mpidr' must not be negative");
	CHECK_EQ(vm.calls, 7);
	qmp_session_destroy(s);
}

static void test_missing_ops(void)
{
	static const char *const reqs[] = {
	        "{\"execute\":\"query-status\"}",
	        "{\"execute\":\"stop\"}",
	        "{\"execute\":\"quit\"}",
	        "{\"execute\":\"query-cpus-fast\"}",
	        "{\"execute\":\"sdei-signal\",\"arguments\":{\"event\":1}}",
	        "{\"execute\":\"query-sdei\"}",
	        "{\"execute\":\"query-metrics\"}",
	        "{\"execute\":\"inject-ghes-v2-error\",\"arguments\":{\"cper\":\"AA==\"}}",
	        "{\"execute\":\"ras-inject-memory\",\"arguments\":{\"address\":1,"
	        "\"severity\":\"fatal\"}}",
	        "{\"execute\":\"ras-inject-arm-processor\",\"arguments\":{\"severity\":\"fatal\"}}",
	};
	static const struct qmp_vm_ops none = {0};
	struct qmp_session *s = open_vm(&none);
	size_t i;

	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		CHECK(strstr(run_err(s, reqs[i]), "not available") != NULL);
		CHECK_STR(qmp_msg_class(&msgs, 0), "GenericError");
	}
	/* Queries that need no VM still answer. */
	CHECK(run(s, "{\"execute\":\"query-target\"}") && qmp_msg_return(&msgs, 0));
	qmp_session_destroy(s);

	s = open_vm(NULL);
	CHECK(strstr(run_err(s, "{\"execute\":\"stop\"}"), "not available") != NULL);
	qmp_session_destroy(s);
}

static void test_names(void)
{
	enum qmp_ras_severity sev = QMP_RAS_FATAL;

	CHECK_STR(qmp_run_state_name(QMP_RUN_GUEST_PANICKED), "guest-panicked");
	CHECK_STR(qmp_run_state_name(QMP_RUN_PRELAUNCH), "prelaunch");
	CHECK_EQ(qmp_ras_severity_parse("informational", &sev), 0);
	CHECK_EQ(sev, QMP_RAS_INFORMATIONAL);
	CHECK_EQ(qmp_ras_severity_parse("", &sev), -EINVAL);
	CHECK_EQ(qmp_ras_severity_parse(NULL, &sev), -EINVAL);
	CHECK_EQ(sev, QMP_RAS_INFORMATIONAL);
}

int main(void)
{
	test_queries();
	test_run_control();
	test_sdei_signal();
	test_ghes();
	test_ras();
	test_missing_ops();
	test_names();
	qmp_msgs_free(&msgs);
	return check_summary("test_qmp_commands");
}
