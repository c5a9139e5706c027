/* QMP protocol engine: one struct qmp_session per control-socket client.
 *
 * The session is a pure byte-stream state machine: the socket layer feeds
 * whatever it read into qmp_session_input() and writes out whatever
 * qmp_session_output() holds. No sockets, no threads, no KVM here, so the
 * whole protocol can be tested and fuzzed natively. See docs/control.md.
 */
#ifndef TERN_VMM_CORE_QMP_H
#define TERN_VMM_CORE_QMP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Largest single JSON message a client may send. Bigger ones are reported
 * and skipped; the stream resynchronises at the end of that value. */
#define QMP_DEFAULT_MAX_MESSAGE ((size_t)64 * 1024)
/* A client that stops reading must not make us buffer without bound. */
#define QMP_DEFAULT_MAX_OUTPUT ((size_t)1024 * 1024)
/* Bounds the recursion of the JSON parser on hostile input. */
#define QMP_MAX_DEPTH 64

enum qmp_error_class {
	QMP_ERROR_GENERIC,
	QMP_ERROR_COMMAND_NOT_FOUND,
	QMP_ERROR_DEVICE_NOT_FOUND,
};

struct qmp_error {
	enum qmp_error_class cls;
	bool set;
	char desc[256];
};

/* Records the first error only: the innermost code that knows what went
 * wrong sets it, callers further out must not overwrite it. */
void qmp_error_set(struct qmp_error *err, enum qmp_error_class cls, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
const char *qmp_error_class_name(enum qmp_error_class cls);

/* Declarative argument schema: an array of struct qmp_arg ended by a
 * zeroed entry (name == NULL). */
enum qmp_arg_type {
	QMP_ARG_INT,    /* JSON integer (int64) */
	QMP_ARG_UINT,   /* JSON integer >= 0 (up to INT64_MAX: jansson limit) */
	QMP_ARG_UINT32, /* JSON integer in [0, UINT32_MAX] */
	QMP_ARG_BOOL,
	QMP_ARG_STRING,
	QMP_ARG_ARRAY,
};

struct qmp_arg {
	const char *name;
	enum qmp_arg_type type;
	bool optional;
};

/* Checks that args (an object, or NULL for "no arguments") matches schema:
 * every required name present, every present name known, every type right.
 * Returns 0 or -EINVAL with err set. */
int qmp_args_check(const struct qmp_arg *schema, json_t *args, struct qmp_error *err);

/* Typed getters for use after qmp_args_check() succeeded. */
bool qmp_arg_has(json_t *args, const char *name);
int64_t qmp_arg_int(json_t *args, const char *name, int64_t dflt);
bool qmp_arg_bool(json_t *args, const char *name, bool dflt);
const char *qmp_arg_str(json_t *args, const char *name, const char *dflt);

struct qmp_session;

struct qmp_ctx {
	struct qmp_session *sess;
	const void *ops; /* the table given in the session config */
	void *opaque;
};

/* A handler either returns 0 and sets *ret (a new reference; NULL means
 * {}), or returns a negative errno and fills err (a generic description is
 * derived from the errno when it does not). */
typedef int (*qmp_handler_fn)(struct qmp_ctx *ctx, json_t *args, json_t **ret,
                              struct qmp_error *err);

struct qmp_command {
	const char *name;
	qmp_handler_fn handler;
	const struct qmp_arg *args; /* NULL: takes no arguments */
};

struct qmp_clock {
	/* Wall-clock time for event timestamps; returning non-zero makes
	 * the timestamp {-1, -1} as QEMU does when time is unavailable. */
	int (*now)(void *opaque, struct timespec *ts);
	void *opaque;
};

struct qmp_session_config {
	/* Command table; qmp_capabilities is handled by the engine itself
	 * and need not be listed. */
	const struct qmp_command *commands;
	size_t n_commands;
	const void *ops; /* passed to handlers in struct qmp_ctx */
	void *opaque;
	struct qmp_clock clock; /* now == NULL: CLOCK_REALTIME */
	size_t max_message;     /* 0: QMP_DEFAULT_MAX_MESSAGE */
	size_t max_output;      /* 0: QMP_DEFAULT_MAX_OUTPUT */
	const char *package;    /* greeting/query-version package string */
	int version[3];         /* major, minor, micro */
};

/* Creates a session and queues the greeting. Returns 0 or -ENOMEM. */
int qmp_session_create(const struct qmp_session_config *cfg, struct qmp_session **out);
void qmp_session_destroy(struct qmp_session *sess);

/* Consumes len bytes of client input, running every complete command.
 * Returns 0, or -EPIPE once the session wants to close (input is then
 * ignored; write out what is pending and close). */
int qmp_session_input(struct qmp_session *sess, const void *buf, size_t len);

/* Pending output; the caller writes some of it and reports how much. */
const uint8_t *qmp_session_output(struct qmp_session *sess, size_t *len);
void qmp_session_consume(struct qmp_session *sess, size_t n);

/* 1 when the connection should be closed once the pending output has been
 * written (output overflow, allocation failure, or an explicit request). */
int qmp_session_wants_close(const struct qmp_session *sess);
void qmp_session_request_close(struct qmp_session *sess);
bool qmp_session_negotiated(const struct qmp_session *sess);

/* Queues {"event", "data", "timestamp"}. data is borrowed and may be NULL.
 * Returns 0, -EAGAIN when the client has not negotiated yet (the event is
 * dropped, as QEMU does), -EINVAL, or -ENOMEM/-ENOBUFS. */
int qmp_session_emit_event(struct qmp_session *sess, const char *name, json_t *data);

/* {"qemu": {"major", "minor", "micro"}, "package"} as in the greeting; a
 * new reference, NULL on allocation failure. */
json_t *qmp_session_version(const struct qmp_session *sess);

#endif
