/* Helpers shared by the QMP unit tests: drain a session's output into
 * parsed messages, checking the framing (ASCII, one object per CRLF line)
 * on the way. */
#ifndef TERN_TESTS_QMP_HARNESS_H
#define TERN_TESTS_QMP_HARNESS_H

#include "check.h"
#include "vmm/core/qmp.h"

#include <stdlib.h>
#include <string.h>

#define QMP_TEST_MAX_MSGS 256

struct qmp_msgs {
	json_t *m[QMP_TEST_MAX_MSGS];
	size_t n;
	int bad_framing;
};

static inline void qmp_msgs_free(struct qmp_msgs *msgs)
{
	size_t i;

	for (i = 0; i < msgs->n; i++)
		json_decref(msgs->m[i]);
	msgs->n = 0;
	msgs->bad_framing = 0;
}

/* Drains everything pending; returns the number of messages. */
static inline size_t qmp_drain(struct qmp_session *s, struct qmp_msgs *msgs)
{
	const uint8_t *out;
	size_t len, i, start = 0;

	qmp_msgs_free(msgs);
	out = qmp_session_output(s, &len);
	for (i = 0; i < len; i++) {
		if (out[i] >= 0x80 || (out[i] < 0x20 && out[i] != '\r' && out[i] != '\n'))
			msgs->bad_framing++;
		if (out[i] != '\n')
			continue;
		if (i == start || out[i - 1] != '\r') {
			msgs->bad_framing++;
		} else if (msgs->n < QMP_TEST_MAX_MSGS) {
			json_error_t e;
			json_t *j = json_loadb((const char *)out + start, i - 1 - start, 0, &e);

			if (!j || !json_is_object(j))
				msgs->bad_framing++;
			else
				msgs->m[msgs->n++] = j;
		}
		start = i + 1;
	}
	if (start != len)
		msgs->bad_framing++; /* trailing partial line */
	qmp_session_consume(s, len);
	return msgs->n;
}

static inline int qmp_feed(struct qmp_session *s, const char *text)
{
	return qmp_session_input(s, text, strlen(text));
}

/* The error class of message i, or NULL if it is not an error. */
static inline const char *qmp_msg_class(struct qmp_msgs *msgs, size_t i)
{
	if (i >= msgs->n)
		return NULL;
	return json_string_value(json_object_get(json_object_get(msgs->m[i], "error"), "class"));
}

static inline const char *qmp_msg_desc(struct qmp_msgs *msgs, size_t i)
{
	if (i >= msgs->n)
		return NULL;
	return json_string_value(json_object_get(json_object_get(msgs->m[i], "error"), "desc"));
}

static inline json_t *qmp_msg_return(struct qmp_msgs *msgs, size_t i)
{
	return i < msgs->n ? json_object_get(msgs->m[i], "return") : NULL;
}

static inline int qmp_desc_has(struct qmp_msgs *msgs, size_t i, const char *needle)
{
	const char *d = qmp_msg_desc(msgs, i);

	return d && strstr(d, needle) != NULL;
}

#endif
