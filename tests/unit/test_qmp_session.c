/* QMP session engine: framing, negotiation, id echo, errors, events. */
#include "qmp_harness.h"

#include <errno.h>

static int handler_echo(struct qmp_ctx *ctx, json_t *args, json_t **ret, struct qmp_error *err)
{
	*ret = args ? json_deep_copy(args) : json_object();
	return 0;
}

static int handler_fail_errno(struct qmp_ctx *ctx, json_t *args, json_t **ret,
                              struct qmp_error *err)
{
	return -ENODEV;
}

static int handler_fail_desc(struct qmp_ctx *ctx, json_t *args, json_t **ret, struct qmp_error *err)
{
	qmp_error_set(err, QMP_ERROR_DEVICE_NOT_FOUND, "no widget %d", 7);
	return -ENOENT;
}

static int handler_emit(struct qmp_ctx *ctx, json_t *args, json_t **ret, struct qmp_error *err)
{
	return qmp_session_emit_event(ctx->sess, "INSIDE", NULL);
}

static const struct qmp_arg echo_args[] = {
        {"s", QMP_ARG_STRING, true},
        {"n", QMP_ARG_INT, true},
        {"b", QMP_ARG_BOOL, true},
        {0},
};

static const struct qmp_command test_commands[] = {
        {"echo", handler_echo, echo_args},
        {"fail-errno", handler_fail_errno, NULL},
        {"fail-desc", handler_fail_desc, NULL},
        {"emit", handler_emit, NULL},
};

static int clock_calls;
static int clock_fail;

static int fake_clock(void *opaque, struct timespec *ts)
{
	clock_calls++;
	if (clock_fail)
		return -1;
	ts->tv_sec = 1700000000;
	ts->tv_nsec = 123456789;
	return 0;
}

static struct qmp_session *session_new(size_t max_message, size_t max_output)
{
	struct qmp_session_config cfg = {
	        .commands = test_commands,
	        .n_commands = sizeof(test_commands) / sizeof(test_commands[0]),
	        .clock = {.now = fake_clock},
	        .max_message = max_message,
	        .max_output = max_output,
	};
	struct qmp_session *s = NULL;

	CHECK_EQ(qmp_session_create(&cfg, &s), 0);
	return s;
}

/* A negotiated session with its greeting and negotiation reply drained. */
static struct qmp_session *session_ready(struct qmp_msgs *msgs)
{
	struct qmp_session *s = session_new(0, 0);

	qmp_feed(s, "{\"execute\":\"qmp_capabilities\"}");
	CHECK_EQ(qmp_drain(s, msgs), 2);
	CHECK(qmp_session_negotiated(s));
	return s;
}

static void test_greeting(void)
{
	struct qmp_session_config cfg = {.package = "tern-test", .version = {3, 4, 5}};
	struct qmp_msgs msgs = {0};
	struct qmp_session *s = session_new(0, 0);
	json_t *qmp, *ver;
	const char *pkg;

	CHECK_EQ(qmp_drain(s, &msgs), 1);
	CHECK_EQ(msgs.bad_framing, 0);
	qmp = json_object_get(msgs.m[0], "QMP");
	CHECK(json_is_object(qmp));
	ver = json_object_get(qmp, "version");
	CHECK(json_is_integer(json_object_get(json_object_get(ver, "qemu"), "major")));
	CHECK(json_is_integer(json_object_get(json_object_get(ver, "qemu"), "minor")));
	CHECK(json_is_integer(json_object_get(json_object_get(ver, "qemu"), "micro")));
	pkg = json_string_value(json_object_get(ver, "package"));
	CHECK(pkg && !strncmp(pkg, "tern ", 5));
	CHECK(json_is_array(json_object_get(qmp, "capabilities")));
	CHECK_EQ(json_array_size(json_object_get(qmp, "capabilities")), 0);
	CHECK(!qmp_session_negotiated(s));
	CHECK_EQ(qmp_session_wants_close(s), 0);
	qmp_session_destroy(s);

	CHECK_EQ(qmp_session_create(&cfg, &s), 0);
	CHECK_EQ(qmp_drain(s, &msgs), 1);
	ver = json_object_get(json_object_get(msgs.m[0], "QMP"), "version");
	CHECK_EQ(json_integer_value(json_object_get(json_object_get(ver, "qemu"), "major")), 3);
	CHECK_EQ(json_integer_value(json_object_get(json_object_get(ver, "qemu"), "minor")), 4);
	CHECK_EQ(json_integer_value(json_object_get(json_object_get(ver, "qemu"), "micro")), 5);
	CHECK_STR(json_string_value(json_object_get(ver, "package")), "tern-test");
	qmp_msgs_free(&msgs);
	qmp_session_destroy(s);
}

static void test_negotiation(void)
{
	struct qmp_msgs msgs = {0};
	struct qmp_session *s = session_new(0, 0);

	qmp_drain(s, &msgs);
	CHECK_EQ(qmp_session_emit_event(s, "EARLY", NULL), -EAGAIN);
	qmp_feed(s, "{\"execute\":\"echo\",\"id\":1}{\"execute\":\"nope\"}");
	CHECK_EQ(qmp_drain(s, &msgs), 2);
	CHECK_STR(qmp_msg_class(&msgs, 0), "CommandNotFound");
	CHECK(qmp_desc_has(&msgs, 0, "qmp_capabilities"));
	CHECK_EQ(json_integer_value(json_object_get(msgs.m[0], "id")), 1);
	CHECK_STR(qmp_msg_class(&msgs, 1), "CommandNotFound");
	CHECK(!qmp_session_negotiated(s));

	/* Capabilities we never offered are refused and leave the mode. */
	qmp_feed(s, "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"oob\"]}}");
	CHECK_EQ(qmp_drain(s, &msgs), 1);
	CHECK_STR(qmp_msg_class(&msgs, 0), "GenericError");
	CHECK(qmp_desc_has(&msgs, 0, "oob"));
	qmp_feed(s, "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"bogus\":1}}");
	CHECK_EQ(qmp_drain(s, &msgs), 1);
	CHECK(qmp_desc_has(&msgs, 0, "'bogus' is unexpected"));
	CHECK(!qmp_session_negotiated(s));

	qmp_feed(s, "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[]}}");
	CHECK_EQ(qmp_drain(s, &msgs), 1);
	CHECK(json_is_object(qmp_msg_return(&msgs, 0)));
	CHECK_EQ(json_object_size(qmp_msg_return(&msgs, 0)), 0);
	CHECK(json_object_get(msgs.m[0], "id") == NULL);
	CHECK(qmp_session_negotiated(s));

	qmp_feed(s, "{\"execute\":\"qmp_capabilities\"}");
	CHECK_EQ(qmp_drain(s, &msgs), 1);
	CHECK_STR(qmp_msg_class(&msgs, 0), "CommandNotFound");
	CHECK(qmp_session_negotiated(s));

	qmp_feed(s, "{\"execute\":\"nope\"}");
	CHECK_EQ(qmp_drain(s, &msgs), 1);
	CHECK_STR(qmp_msg_class(&msgs, 0), "CommandNotFound");
	CHECK(qmp_desc_has(&msgs, 0, "nope"));
	qmp_msgs_free(&msgs);
	qmp_session_destroy(s);
}

static void test_id_echo(void)
{
	static const char *const ids[] = {"\"abc\"", "42",   "-1.5", "{\"a\":[1,2]}",
	                                  "[null]",  "null", "true"};
	struct qmp_msgs msgs = {0};
	struct qmp_session *s = session_ready(&msgs);
	char buf[256];
	size_t i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		json_t *want = json_loads(ids[i], JSON_DECODE_ANY, NULL);

		snprintf(buf, sizeof(buf), "{\"id\":%s,\"execute\":\"echo\"}", ids[i]);
		qmp_feed(s, buf);
		CHECK_EQ(qmp_drain(s, &msgs), 1);
		CHECK(json_equal(json_object_get(msgs.m[0], "id"), want));
		CHECK(qmp_msg_return(&msgs, 0) != NULL);
		/* Errors carry the id too. */
		snprintf(buf, sizeof(buf), "{\"id\":%s,\"execute\":\"nope\"}", ids[i]);
		qmp_feed(s, buf);
		CHECK_EQ(qmp_drain(s, &msgs), 1);
		CHECK(json_equal(json_object_get(msgs.m[0], "id"), want));
		CHECK_STR(qmp_msg_class(&msgs, 0), "CommandNotFound");
		json_decref(want);
	}
	qmp_feed(s, "{\"execute\":\"echo\"}");
	CHECK_EQ(qmp_drain(s, &msgs), 1);
	CHECK(json_object_get(msgs.m[0], "id") == NULL);
	CHECK_EQ(json_object_size(msgs.m[0]), 1);
	qmp_msgs_free(&msgs);
	qmp_session_destroy(s);
}

static void test_split_and_batch(void)
{
	const char *cmd = "{\"execute\":\"echo\",\"arguments\":{\"s\":\"a\\\"}{[\\\\\"},\"id\":9}";
	struct qmp_msgs msgs = {0};
	struct qmp_session *s = session_ready(&msgs);
	size_t i, len = strlen(cmd);
	json_t *ret;

	for (i = 0; i + 1 < len; i++) {
		qmp_session_input(s, cmd + i, 1);
		CHECK_EQ(qmp_drain(s, &msgs), 0);
	}
	qmp_session_input(s, cmd + i, 1);
	CHECK_EQ(qmp_drain(s, &msgs), 1);
	ret = qmp_msg_return(&msgs, 0);
	CHECK_STR(json_string_value(json_object_get(ret, "s")), "a\"}{[\\");
	CHECK_EQ(json_integer_value(json_object_get(msgs.m[0], "id")), 9);

	/* Several values in one read, with and without whitespace between. */
	qmp_feed(s, "{\"execute\":\"echo\",\"id\":1}{\"execute\":\"echo\",\"id\":2}\r\n"
	            "\t {\"execute\":\"echo\",\"id\":3}\n{\"execute\"");
	CHECK_EQ(qmp_drain(s, &msgs), 3);
	CHECK_EQ(msgs.bad_framing, 0);
	for (i = 0; i < 3; i++)
		CHECK_EQ(json_integer_value(json_object_get(msgs.m[i], "id")), (long long)i + 1);
	qmp_feed(s, ":\"echo\",\"id\":4}");
	CHECK_EQ(qmp_drain(s, &msgs), 1);
	CHECK_EQ(json_integer_value(json_object_get(msgs.m[0], "id")), 4);
	qmp_msgs_free(&msgs);
	qmp_session_destroy(s);
}

static void test_bad_input(void)
{
	struct qmp_msgs msgs = {0};
	struct qmp_session *s = session_ready(&msgs);

	qmp_feed(s, "garbage {\"execute\":\"echo\",\"id\":1}");
	CHECK_EQ(qmp_drain(s, &msgs), 2);
	CHECK_STR(qmp_msg_class(&msgs, 0), "GenericError");
	CHECK(qmp_desc_has(&msgs, 0, "JSON parse error"));
	CHECK(json_object_get(msgs.m[0], "id") == NULL);
	CHECK_EQ(json_integer_value(json_object_get(msgs.m[1], "id")), 1);

	qmp_feed(s, "} {\"execute\":\"echo\",\"id\":2}");
	CHECK_EQ(qmp_drain(s, &msgs), 2);
	CHECK(qmp_desc_has(&msgs, 0, "stray"));
	CHECK_EQ(json_integer_value(json_object_get(msgs.m[1], "id")), 2);

	/* Broken inside an object: the parse error surfaces at its end. */
	qmp_feed(s, "{\"execute\" \"echo\"}{\"execute\":\"echo\",\"id\":3}");
	CHECK_EQ(qmp_drain(s, &msgs), 2);
	CHECK(qmp_desc_has(&msgs, 0, "JSON parse error"));
	CHECK_EQ(json_integer_value(json_object_get(msgs.m[1], "id")), 3);

	/* A control byte resets a half-read object (the client's recovery). */
	qmp_feed(s, "{\"execute\":\"echo\", \"id\": [\x1b{\"execute\":\"echo\",\"id\":4}");
	CHECK_EQ(qmp_drain(s, &msgs), 2);
	CHECK(qmp_desc_has(&msgs, 0, "0x1b"));
	CHECK_EQ(json_integer_value(json_object_get(msgs.m[1], "id")), 4);
	qmp_session_input(s, "{\"a\":\"\xff", 7);
	qmp_feed(s, "{\"execute\":\"echo\",\"id\":5}");
	CHECK_EQ(qmp_drain(s, &msgs), 2);
	CHECK(qmp_desc_has(&msgs, 0, "0xff"));
	CHECK_EQ(json_integer_value(json_object_get(msgs.m[1], "id")), 5);

	/* Not an object. The scalar ends at the next delimiter. */
	qmp_feed(s, "[1,2] 42 \"{{{\" true {\"execute\":\"echo\",\"id\":6}");
	CHECK_EQ(qmp_drain(s, &msgs), 5);
	CHECK(qmp_desc_has(&msgs, 0, "must be a JSON object"));
	CHECK(qmp_desc_has(&msgs, 1, "must be a JSON object"));
	CHECK(qmp_desc_has(&msgs, 2, "must be a JSON object"));
	CHECK(qmp_desc_has(&msgs, 3, "must be a JSON object"));
	CHECK_EQ(json_integer_value(json_object_get(msgs.m[4], "id")), 6);

	/* Malformed requests keep their id. */
	qmp_feed(
	        s,
	        "{\"id\":7}{\"execute\":5,\"id\":8}{\"execute\":\"echo\",\"arguments\":[],\"id\":9}"
	        "{\"execute\":\"echo\",\"extra\":1,\"id\":10}"
	        "{\"exec-oob\":\"echo\",\"id\":11}");
	CHECK_EQ(qmp_drain(s, &msgs), 5);
	CHECK(qmp_desc_has(&msgs, 0, "'execute'"));
	CHECK(qmp_desc_has(&msgs, 1, "'execute' must be a string"));
	CHECK(qmp_desc_has(&msgs, 2, "'arguments' must be an object"));
	CHECK(qmp_desc_has(&msgs, 3, "'extra'"));
	CHECK(qmp_desc_has(&msgs, 4, "Out-of-band"));
	CHECK_EQ(json_integer_value(json_object_get(msgs.m[0], "id")), 7);
	CHECK_EQ(json_integer_value(json_object_get(msgs.m[4], "id")), 11);

	qmp_feed(s, "{\"execute\":\"echo\",\"execute\":\"nope\"}");
	CHECK_EQ(qmp_drain(s, &msgs), 1);
	CHECK(qmp_desc_has(&msgs, 0, "JSON parse error"));
	CHECK_EQ(msgs.bad_framing, 0);
	qmp_msgs_free(&msgs);
	qmp_session_destroy(s);
}

static void test_numbers_and_utf8(void)
{
	struct qmp_msgs msgs = {0};
	struct qmp_session *s = session_ready(&msgs);
	const char *bad_utf8 = "{\"execute\":\"echo\",\"arguments\":{\"s\":\"\xc3\x28\"}}";

	qmp_feed(s, "{\"execute\":\"echo\",\"arguments\":{\"n\":99999999999999999999999}}"
	            "{\"execute\":\"echo\",\"arguments\":{\"n\":1e999999}}"
	            "{\"execute\":\"echo\",\"arguments\":{\"n\":9223372036854775807}}"
	            "{\"execute\":\"echo\",\"arguments\":{\"n\":1.0}}");
	CHECK_EQ(qmp_drain(s, &msgs), 4);
	CHECK(qmp_desc_has(&msgs, 0, "JSON parse error"));
	CHECK(qmp_desc_has(&msgs, 1, "JSON parse error"));
	CHECK_EQ(json_integer_value(json_object_get(qmp_msg_return(&msgs, 2), "n")), INT64_MAX);
	CHECK(qmp_desc_has(&msgs, 3, "expected: integer"));

	qmp_feed(s, bad_utf8);
	CHECK_EQ(qmp_drain(s, &msgs), 1);
	CHECK(qmp_desc_has(&msgs, 0, "JSON parse error"));
	CHECK_EQ(msgs.bad_framing, 0); /* the reply stays ASCII */

	/* Valid UTF-8 round-trips, escaped on the way out. */
	qmp_feed(s, "{\"execute\":\"echo\",\"arguments\":{\"s\":\"caf\xc3\xa9 \xe2\x82\xac\"}}");
	CHECK_EQ(qmp_drain(s, &msgs), 1);
	CHECK_EQ(msgs.bad_framing, 0);
	CHECK_STR(json_string_value(json_object_get(qmp_msg_return(&msgs, 0), "s")),
	          "caf\xc3\xa9 \xe2\x82\xac");
	qmp_feed(s, "{\"execute\":\"echo\",\"arguments\":{\"s\":\"a\\u0000b\"}}");
	CHECK_EQ(qmp_drain(s, &msgs), 1);
	CHECK(qmp_desc_has(&msgs, 0, "JSON parse error"));
	qmp_msgs_free(&msgs);
	qmp_session_destroy(s);
}

static void test_limits(void)
{
	struct qmp_msgs msgs = {0};
	struct qmp_session *s = session_ready(&msgs);
	size_t big = QMP_DEFAULT_MAX_MESSAGE + 100, i;
	char *buf = malloc(big + 128);
	int n;

	/* Oversized, arriving in pieces; the next command still works. */
	n = snprintf(buf, 64, "{\"execute\":\"echo\",\"arguments\":{\"s\":\"");
	memset(buf + n, '}', big);
	strcpy(buf + n + big, "\"}}{\"execute\":\"echo\",\"id\":1}");
	for (i = 0; i < strlen(buf); i += 1000)
		qmp_session_input(s, buf + i, strlen(buf) - i < 1000 ? strlen(buf) - i : 1000);
	CHECK_EQ(qmp_drain(s, &msgs), 2);
	CHECK(qmp_desc_has(&msgs, 0, "exceeds"));
	CHECK_EQ(json_integer_value(json_object_get(msgs.m[1], "id")), 1);

	/* Just under the limit is accepted. */
	n = snprintf(buf, 64, "{\"execute\":\"echo\",\"arguments\":{\"s\":\"");
	memset(buf + n, 'x', QMP_DEFAULT_MAX_MESSAGE - n - 3);
	strcpy(buf + QMP_DEFAULT_MAX_MESSAGE - 3, "\"}}");
	CHECK_EQ(strlen(buf), QMP_DEFAULT_MAX_MESSAGE);
	qmp_feed(s, buf);
	CHECK_EQ(qmp_drain(s, &msgs), 1);
	CHECK_EQ(json_string_length(json_object_get(qmp_msg_return(&msgs, 0), "s")),
	         QMP_DEFAULT_MAX_MESSAGE - n - 3);

	/* Deep nesting: reported once, skipped, then back in sync. */
	for (i = 0; i < 1000; i++)
		buf[i] = '[';
	for (i = 0; i < 1000; i++)
		buf[1000 + i] = ']';
	strcpy(buf + 2000, "{\"execute\":\"echo\",\"id\":2}");
	qmp_feed(s, buf);
	CHECK_EQ(qmp_drain(s, &msgs), 2);
	CHECK(qmp_desc_has(&msgs, 0, "nesting"));
	CHECK_EQ(json_integer_value(json_object_get(msgs.m[1], "id")), 2);

	/* Exactly at the depth limit still parses (and is not an object). */
	for (i = 0; i < QMP_MAX_DEPTH; i++) {
		buf[i] = '[';
		buf[QMP_MAX_DEPTH + i] = ']';
	}
	buf[2 * QMP_MAX_DEPTH] = 0;
	qmp_feed(s, buf);
	CHECK_EQ(qmp_drain(s, &msgs), 1);
	CHECK(qmp_desc_has(&msgs, 0, "must be a JSON object"));

	/* Never closed: only a reset byte gets the stream back. */
	memset(buf, '{', 5000);
	buf[5000] = 0;
	qmp_feed(s, buf);
	qmp_feed(s, "{\"execute\":\"echo\",\"id\":3}");
	CHECK_EQ(qmp_drain(s, &msgs), 1);
	CHECK(qmp_desc_has(&msgs, 0, "nesting"));
	qmp_feed(s, "\x1b{\"execute\":\"echo\",\"id\":3}");
	CHECK_EQ(qmp_drain(s, &msgs), 2);
	CHECK_EQ(json_integer_value(json_object_get(msgs.m[1], "id")), 3);
	free(buf);
	qmp_msgs_free(&msgs);
	qmp_session_destroy(s);
}

static void test_output_limit(void)
{
	struct qmp_msgs msgs = {0};
	struct qmp_session *s = session_new(0, 4096);
	int i, rc = 0;

	qmp_feed(s, "{\"execute\":\"qmp_capabilities\"}");
	/* The client never reads: the session gives up instead of growing. */
	for (i = 0; i < 1000 && !rc; i++)
		rc = qmp_feed(s, "{\"execute\":\"echo\",\"id\":\"0123456789\"}");
	CHECK_EQ(rc, -EPIPE);
	CHECK_EQ(qmp_session_wants_close(s), 1);
	CHECK(i < 1000);
	qmp_drain(s, &msgs);
	CHECK_EQ(msgs.bad_framing, 0); /* nothing half-written */
	CHECK_EQ(qmp_feed(s, "{\"execute\":\"echo\"}"), -EPIPE);
	CHECK_EQ(qmp_drain(s, &msgs), 0);
	qmp_session_destroy(s);

	s = session_ready(&msgs);
	qmp_session_request_close(s);
	CHECK_EQ(qmp_session_wants_close(s), 1);
	qmp_msgs_free(&msgs);
	qmp_session_destroy(s);
}

static void test_handler_errors(void)
{
	struct qmp_msgs msgs = {0};
	struct qmp_session *s = session_ready(&msgs);

	qmp_feed(s, "{\"execute\":\"fail-errno\",\"id\":1}{\"execute\":\"fail-desc\"}");
	CHECK_EQ(qmp_drain(s, &msgs), 2);
	CHECK_STR(qmp_msg_class(&msgs, 0), "GenericError");
	CHECK(qmp_desc_has(&msgs, 0, "fail-errno"));
	CHECK(qmp_desc_has(&msgs, 0, "No such device"));
	CHECK_STR(qmp_msg_class(&msgs, 1), "DeviceNotFound");
	CHECK_STR(qmp_msg_desc(&msgs, 1), "no widget 7");

	qmp_feed(s, "{\"execute\":\"echo\",\"arguments\":{\"s\":1}}"
	            "{\"execute\":\"echo\",\"arguments\":{\"zz\":1}}"
	            "{\"execute\":\"fail-errno\",\"arguments\":{\"x\":1}}");
	CHECK_EQ(qmp_drain(s, &msgs), 3);
	CHECK_STR(qmp_msg_desc(&msgs, 0), "Invalid parameter type for 's', expected: string");
	CHECK_STR(qmp_msg_desc(&msgs, 1), "Parameter 'zz' is unexpected");
	CHECK_STR(qmp_msg_desc(&msgs, 2), "Parameter 'x' is unexpected");
	qmp_msgs_free(&msgs);
	qmp_session_destroy(s);
}

static void test_events(void)
{
	struct qmp_msgs msgs = {0};
	struct qmp_session *s = session_ready(&msgs);
	json_t *data = json_pack("{s:i}", "reason", 3), *ts;

	CHECK_EQ(qmp_session_emit_event(s, "STOP", NULL), 0);
	CHECK_EQ(qmp_session_emit_event(s, "THING", data), 0);
	CHECK_EQ(qmp_drain(s, &msgs), 2);
	CHECK_STR(json_string_value(json_object_get(msgs.m[0], "event")), "STOP");
	CHECK(json_object_get(msgs.m[0], "data") == NULL);
	ts = json_object_get(msgs.m[0], "timestamp");
	CHECK_EQ(json_integer_value(json_object_get(ts, "seconds")), 1700000000);
	CHECK_EQ(json_integer_value(json_object_get(ts, "microseconds")), 123456);
	CHECK(json_equal(json_object_get(msgs.m[1], "data"), data));
	CHECK_EQ(data->refcount, 1); /* borrowed, not stolen */

	clock_fail = 1;
	CHECK_EQ(qmp_session_emit_event(s, "LATE", NULL), 0);
	clock_fail = 0;
	CHECK_EQ(qmp_drain(s, &msgs), 1);
	ts = json_object_get(msgs.m[0], "timestamp");
	CHECK_EQ(json_integer_value(json_object_get(ts, "seconds")), -1);
	CHECK_EQ(json_integer_value(json_object_get(ts, "microseconds")), -1);

	CHECK_EQ(qmp_session_emit_event(s, "", NULL), -EINVAL);
	CHECK_EQ(qmp_session_emit_event(s, "X", json_object_get(data, "reason")), -EINVAL);
	CHECK_EQ(qmp_drain(s, &msgs), 0);

	/* An event raised while a command runs goes out before its reply. */
	qmp_feed(s, "{\"execute\":\"emit\",\"id\":1}");
	CHECK_EQ(qmp_drain(s, &msgs), 2);
	CHECK_STR(json_string_value(json_object_get(msgs.m[0], "event")), "INSIDE");
	CHECK_EQ(json_integer_value(json_object_get(msgs.m[1], "id")), 1);
	json_decref(data);
	qmp_msgs_free(&msgs);
	qmp_session_destroy(s);
}

int main(void)
{
	test_greeting();
	test_negotiation();
	test_id_echo();
	test_split_and_batch();
	test_bad_input();
	test_numbers_and_utf8();
	test_limits();
	test_output_limit();
	test_handler_errors();
	test_events();
	CHECK(clock_calls > 0);
	return check_summary("test_qmp_session");
}
