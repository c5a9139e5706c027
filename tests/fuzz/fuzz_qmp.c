/* libFuzzer target for the QMP session: the input is a client byte stream,
 * fed once whole and once in pseudo-random pieces chosen by its first four
 * bytes. Beyond "no crash, no leak" it checks that every reply is framed
 * (ASCII, CRLF-terminated) and that the output does not depend on how the
 * stream was split, which is what the framing scanner promises. */
#include "vmm/core/qmp.h"
#include "vmm/core/qmp_commands.h"

#include <stdlib.h>
#include <string.h>

static int ok(void *opaque, struct qmp_error *err)
{
	return 0;
}

static int fz_status(void *opaque, enum qmp_run_state *state, struct qmp_error *err)
{
	*state = QMP_RUN_PAUSED;
	return 0;
}

static int fz_cpus(void *opaque, struct qmp_cpu_info *cpus, size_t max, size_t *n,
                   struct qmp_error *err)
{
	cpus[0].thread_id = 1;
	cpus[1].thread_id = 2;
	*n = 2;
	return 0;
}

static int fz_signal(void *opaque, uint32_t event, int64_t vcpu, struct qmp_error *err)
{
	/* Exercise the error path too, deterministically. */
	if (event & 1) {
		qmp_error_set(err, QMP_ERROR_GENERIC, "odd event %u", event);
		return -22;
	}
	return 0;
}

static int fz_json(void *opaque, json_t **out, struct qmp_error *err)
{
	*out = json_pack("{s:i}", "x", 1);
	return 0;
}

static int fz_ghes(void *opaque, const uint8_t *cper, size_t len, struct qmp_error *err)
{
	return len > 8 ? -16 : 0;
}

static int fz_mem(void *opaque, uint64_t address, enum qmp_ras_severity severity, int64_t source,
                  struct qmp_error *err)
{
	return 0;
}

static int fz_arm(void *opaque, enum qmp_ras_severity severity, bool has_mpidr, uint64_t mpidr,
                  struct qmp_error *err)
{
	return 0;
}

static const struct qmp_vm_ops fuzz_ops = {
        .query_status = fz_status,
        .stop = ok,
        .cont = ok,
        .system_powerdown = ok,
        .system_reset = ok,
        .quit = ok,
        .query_cpus = fz_cpus,
        .sdei_signal = fz_signal,
        .query_sdei = fz_json,
        .query_metrics = fz_json,
        .inject_ghes = fz_ghes,
        .ras_inject_memory = fz_mem,
        .ras_inject_arm_processor = fz_arm,
};

static int fixed_clock(void *opaque, struct timespec *ts)
{
	ts->tv_sec = 1;
	ts->tv_nsec = 2000;
	return 0;
}

struct sink {
	uint8_t *buf;
	size_t len;
};

static void drain(struct qmp_session *s, struct sink *k)
{
	const uint8_t *out;
	size_t len, i;

	out = qmp_session_output(s, &len);
	if (!len)
		return;
	if (len < 2 || out[len - 2] != '\r' || out[len - 1] != '\n')
		__builtin_trap();
	for (i = 0; i < len; i++)
		if (out[i] >= 0x80)
			__builtin_trap();
	k->buf = realloc(k->buf, k->len + len);
	if (!k->buf)
		abort();
	memcpy(k->buf + k->len, out, len);
	k->len += len;
	qmp_session_consume(s, len);
}

static struct qmp_session *open_session(void)
{
	struct qmp_session_config cfg = {
	        .commands = qmp_vm_commands,
	        .n_commands = qmp_vm_commands_count,
	        .ops = &fuzz_ops,
	        .clock = {.now = fixed_clock},
	        /* Small enough that the oversize path is reachable. */
	        .max_message = 512,
	        .max_output = 64 << 20,
	};
	struct qmp_session *s = NULL;

	if (qmp_session_create(&cfg, &s))
		abort();
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sink whole = {0}, pieces = {0};
	struct qmp_session *s;
	uint32_t seed = 1;
	size_t i, n;

	if (size >= 4) {
		memcpy(&seed, data, 4);
		data += 4;
		size -= 4;
	}

	s = open_session();
	qmp_session_input(s, data, size);
	qmp_session_emit_event(s, "FUZZ", NULL);
	drain(s, &whole);
	qmp_session_destroy(s);

	s = open_session();
	for (i = 0; i < size; i += n) {
		seed = seed * 1103515245u + 12345u;
		n = 1 + (seed >> 16) % 64;
		if (n > size - i)
			n = size - i;
		qmp_session_input(s, data + i, n);
		drain(s, &pieces);
	}
	qmp_session_emit_event(s, "FUZZ", NULL);
	drain(s, &pieces);
	qmp_session_destroy(s);

	if (whole.len != pieces.len || (whole.len && memcmp(whole.buf, pieces.buf, whole.len)))
		__builtin_trap();
	free(whole.buf);
	free(pieces.buf);
	return 0;
}
