/* QMP session: input framing, negotiation, dispatch and output.
 *
 * Clients send JSON without any delimiter (QEMU's Python client sends
 * compact JSON and no newline), so input is split at JSON value boundaries
 * by a small scanner that only tracks nesting and strings; the complete
 * value is then handed to jansson. Framing errors never lose sync for long:
 * an oversized or too-deep value is skipped up to its end, and a byte that
 * can never appear in valid JSON text (a control character, or a byte that
 * is never valid UTF-8 such as 0xFF) drops whatever is half-read, which is
 * how a QMP client resets a confused server.
 */
#include "vmm/core/qmp.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef TERN_VERSION
#define TERN_VERSION "0.0.0"
#endif

enum qmp_token {
	TOKEN_NONE,
	TOKEN_NESTED, /* object or array */
	TOKEN_STRING, /* top-level string */
	TOKEN_SCALAR, /* number, keyword or garbage */
};

struct qmp_session {
	struct qmp_session_config cfg;
	char package[64];
	int version[3];
	bool negotiated;
	bool close;

	enum qmp_token token;
	bool discarding; /* token broke a limit: follow its shape, keep nothing */
	bool in_string;
	bool escape;
	size_t depth;
	uint8_t *msg;
	size_t msg_len;
	size_t msg_cap;

	uint8_t *out;
	size_t out_len;
	size_t out_cap;
};

static int out_append(struct qmp_session *s, const char *text, size_t n)
{
	size_t need = s->out_len + n;
	uint8_t *p;
	size_t cap;

	if (s->close)
		return -EPIPE;
	if (need > s->cfg.max_output) {
		/* The client is not reading; it cannot recover from lost
		 * replies, so end the connection instead of dropping one. */
		s->close = true;
		return -ENOBUFS;
	}
	if (need > s->out_cap) {
		cap = s->out_cap ? s->out_cap : 1024;
		while (cap < need)
			cap *= 2;
		p = realloc(s->out, cap);
		if (!p) {
			s->close = true;
			return -ENOMEM;
		}
		s->out = p;
		s->out_cap = cap;
	}
	memcpy(s->out + s->out_len, text, n);
	s->out_len = need;
	return 0;
}

/* Steals msg. Every server message is one line ending in CRLF, as QEMU
 * sends it; clients read replies with readline(). */
static int send_json(struct qmp_session *s, json_t *msg)
{
	char *text;
	int rc;

	if (!msg) {
		s->close = true;
		return -ENOMEM;
	}
	text = json_dumps(msg, JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER);
	json_decref(msg);
	if (!text) {
		s->close = true;
		return -ENOMEM;
	}
	rc = out_append(s, text, strlen(text));
	if (!rc)
		rc = out_append(s, "\r\n", 2);
	free(text);
	return rc;
}

/* Descriptions may quote client bytes (jansson's parse errors do); keep
 * them printable ASCII so they always form a valid JSON string. */
static void desc_sanitize(char *desc)
{
	for (; *desc; desc++)
		if ((unsigned char)*desc < 0x20 || (unsigned char)*desc > 0x7e)
			*desc = '?';
}

static int reply_error(struct qmp_session *s, json_t *id, struct qmp_error *err)
{
	json_t *msg;

	desc_sanitize(err->desc);
	msg = json_pack("{s:{s:s,s:s}}", "error", "class", qmp_error_class_name(err->cls), "desc",
	                err->desc);
	if (msg && id && json_object_set(msg, "id", id)) {
		json_decref(msg);
		msg = NULL;
	}
	return send_json(s, msg);
}

static int reply_errorf(struct qmp_session *s, json_t *id, enum qmp_error_class cls,
                        const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int reply_errorf(struct qmp_session *s, json_t *id, enum qmp_error_class cls,
                        const char *fmt, ...)
{
	struct qmp_error err = {.cls = cls, .set = true};
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err.desc, sizeof(err.desc), fmt, ap);
	va_end(ap);
	return reply_error(s, id, &err);
}

/* Steals ret (NULL means {}). */
static int reply_return(struct qmp_session *s, json_t *id, json_t *ret)
{
	json_t *msg;

	if (!ret)
		ret = json_object();
	msg = json_pack("{s:o}", "return", ret);
	if (msg && id && json_object_set(msg, "id", id)) {
		json_decref(msg);
		msg = NULL;
	}
	return send_json(s, msg);
}

json_t *qmp_session_version(const struct qmp_session *s)
{
	return json_pack("{s:{s:i,s:i,s:i},s:s}", "qemu", "micro", s->version[2], "minor",
	                 s->version[1], "major", s->version[0], "package", s->package);
}

static int send_greeting(struct qmp_session *s)
{
	json_t *ver = qmp_session_version(s);

	if (!ver) {
		s->close = true;
		return -ENOMEM;
	}
	/* No capabilities: "oob" would oblige us to run commands out of
	 * order, which nothing here needs. */
	return send_json(s, json_pack("{s:{s:o,s:[]}}", "QMP", "version", ver, "capabilities"));
}

/* "X.Y.Z" into three numbers; anything unparsable leaves zeros. */
static void parse_version(const char *v, int out[3])
{
	memset(out, 0, 3 * sizeof(int));
	for (int i = 0; i < 3; i++) {
		char *end;
		long n = strtol(v, &end, 10);
		if (end == v || n < 0 || n > 65535)
			return;
		out[i] = (int)n;
		if (*end != '.')
			return;
		v = end + 1;
	}
}

int qmp_session_create(const struct qmp_session_config *cfg, struct qmp_session **out)
{
	struct qmp_session *s;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->cfg = *cfg;
	if (!s->cfg.max_message)
		s->cfg.max_message = QMP_DEFAULT_MAX_MESSAGE;
	if (!s->cfg.max_output)
		s->cfg.max_output = QMP_DEFAULT_MAX_OUTPUT;
	if (cfg->package)
		snprintf(s->package, sizeof(s->package), "%s", cfg->package);
	else
		snprintf(s->package, sizeof(s->package), "tern %s", TERN_VERSION);
	if (cfg->version[0] || cfg->version[1] || cfg->version[2])
		memcpy(s->version, cfg->version, sizeof(s->version));
	else
		parse_version(TERN_VERSION, s->version);
	if (send_greeting(s)) {
		qmp_session_destroy(s);
		return -ENOMEM;
	}
	*out = s;
	return 0;
}

void qmp_session_destroy(struct qmp_session *s)
{
	if (!s)
		return;
	free(s->msg);
	free(s->out);
	free(s);
}

const uint8_t *qmp_session_output(struct qmp_session *s, size_t *len)
{
	*len = s->out_len;
	return s->out;
}

void qmp_session_consume(struct qmp_session *s, size_t n)
{
	if (n > s->out_len)
		n = s->out_len;
	memmove(s->out, s->out + n, s->out_len - n);
	s->out_len -= n;
}

int qmp_session_wants_close(const struct qmp_session *s)
{
	return s->close ? 1 : 0;
}

void qmp_session_request_close(struct qmp_session *s)
{
	s->close = true;
}

bool qmp_session_negotiated(const struct qmp_session *s)
{
	return s->negotiated;
}

int qmp_session_emit_event(struct qmp_session *s, const char *name, json_t *data)
{
	struct timespec ts;
	json_int_t sec = -1, usec = -1;
	json_t *msg;
	int rc;

	if (!name || !*name || (data && !json_is_object(data)))
		return -EINVAL;
	if (!s->negotiated)
		return -EAGAIN;
	if (s->cfg.clock.now)
		rc = s->cfg.clock.now(s->cfg.clock.opaque, &ts);
	else
		rc = clock_gettime(CLOCK_REALTIME, &ts);
	if (!rc) {
		sec = ts.tv_sec;
		usec = ts.tv_nsec / 1000;
	}
	msg = json_pack("{s:s,s:{s:I,s:I}}", "event", name, "timestamp", "seconds", sec,
	                "microseconds", usec);
	if (msg && data && json_object_set(msg, "data", data)) {
		json_decref(msg);
		msg = NULL;
	}
	return send_json(s, msg);
}

static const struct qmp_command *command_find(const struct qmp_session *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->cfg.n_commands; i++)
		if (s->cfg.commands[i].name && !strcmp(s->cfg.commands[i].name, name))
			return &s->cfg.commands[i];
	return NULL;
}

static int do_capabilities(struct qmp_session *s, json_t *id, json_t *args)
{
	static const struct qmp_arg schema[] = {
	        {"enable", QMP_ARG_ARRAY, true},
	        {0},
	};
	struct qmp_error err = {0};
	json_t *cap;
	size_t i;

	if (s->negotiated)
		return reply_errorf(s, id, QMP_ERROR_COMMAND_NOT_FOUND,
		                    "Capabilities already negotiated; command ignored");
	if (qmp_args_check(schema, args, &err))
		return reply_error(s, id, &err);
	/* The greeting offers none, so any capability asked for is wrong. */
	json_array_foreach(json_object_get(args, "enable"), i, cap)
	{
		if (!json_is_string(cap))
			return reply_errorf(s, id, QMP_ERROR_GENERIC,
			                    "Capabilities must be given as strings");
		return reply_errorf(s, id, QMP_ERROR_GENERIC, "Capability '%s' is not available",
		                    json_string_value(cap));
	}
	s->negotiated = true;
	return reply_return(s, id, NULL);
}

static int run_command(struct qmp_session *s, const struct qmp_command *cmd, json_t *id,
                       json_t *args)
{
	struct qmp_ctx ctx = {.sess = s, .ops = s->cfg.ops, .opaque = s->cfg.opaque};
	struct qmp_error err = {0};
	json_t *ret = NULL;
	int rc;

	if (qmp_args_check(cmd->args, args, &err))
		return reply_error(s, id, &err);
	rc = cmd->handler(&ctx, args, &ret, &err);
	if (rc < 0 || err.set) {
		json_decref(ret);
		qmp_error_set(&err, QMP_ERROR_GENERIC, "%s failed: %s", cmd->name,
		              strerror(rc < 0 ? -rc : EIO));
		return reply_error(s, id, &err);
	}
	return reply_return(s, id, ret);
}

static int dispatch(struct qmp_session *s, json_t *req)
{
	json_t *id = json_object_get(req, "id");
	json_t *args = json_object_get(req, "arguments");
	json_t *exec = json_object_get(req, "execute");
	const struct qmp_command *cmd;
	const char *key, *name;
	json_t *v;

	json_object_foreach(req, key, v)
	{
		if (!strcmp(key, "execute") || !strcmp(key, "arguments") || !strcmp(key, "id"))
			continue;
		if (!strcmp(key, "exec-oob"))
			return reply_errorf(s, id, QMP_ERROR_GENERIC,
			                    "Out-of-band execution was not negotiated");
		return reply_errorf(s, id, QMP_ERROR_GENERIC, "Unexpected member '%s' in QMP input",
		                    key);
	}
	if (!exec)
		return reply_errorf(s, id, QMP_ERROR_GENERIC, "QMP input has no 'execute' member");
	if (!json_is_string(exec))
		return reply_errorf(s, id, QMP_ERROR_GENERIC, "'execute' must be a string");
	if (args && !json_is_object(args))
		return reply_errorf(s, id, QMP_ERROR_GENERIC, "'arguments' must be an object");
	name = json_string_value(exec);
	if (!strcmp(name, "qmp_capabilities"))
		return do_capabilities(s, id, args);
	if (!s->negotiated)
		return reply_errorf(s, id, QMP_ERROR_COMMAND_NOT_FOUND,
		                    "Capabilities negotiation required: send 'qmp_capabilities' "
		                    "first");
	cmd = command_find(s, name);
	if (!cmd || !cmd->handler)
		return reply_errorf(s, id, QMP_ERROR_COMMAND_NOT_FOUND,
		                    "The command '%.128s' does not exist", name);
	return run_command(s, cmd, id, args);
}

static void message_handle(struct qmp_session *s)
{
	json_error_t jerr;
	json_t *req;

	/* Duplicate keys are rejected because which one a command would see
	 * is otherwise an accident of the parser. */
	req = json_loadb((const char *)s->msg, s->msg_len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES,
	                 &jerr);
	if (!req) {
		reply_errorf(s, NULL, QMP_ERROR_GENERIC, "JSON parse error: %s", jerr.text);
		return;
	}
	if (!json_is_object(req))
		reply_errorf(s, NULL, QMP_ERROR_GENERIC, "QMP input must be a JSON object");
	else
		dispatch(s, req);
	json_decref(req);
}

static void token_reset(struct qmp_session *s)
{
	s->token = TOKEN_NONE;
	s->discarding = false;
	s->in_string = false;
	s->escape = false;
	s->depth = 0;
	s->msg_len = 0;
}

static void token_finish(struct qmp_session *s)
{
	if (!s->discarding)
		message_handle(s);
	token_reset(s);
}

static void token_store(struct qmp_session *s, uint8_t c)
{
	uint8_t *p;
	size_t cap;

	if (s->discarding)
		return;
	if (s->msg_len >= s->cfg.max_message) {
		reply_errorf(s, NULL, QMP_ERROR_GENERIC,
		             "JSON message exceeds %zu bytes; skipped to its end",
		             s->cfg.max_message);
		s->discarding = true;
		return;
	}
	if (s->msg_len == s->msg_cap) {
		cap = s->msg_cap ? s->msg_cap * 2 : 256;
		if (cap > s->cfg.max_message)
			cap = s->cfg.max_message;
		p = realloc(s->msg, cap);
		if (!p) {
			s->close = true;
			s->discarding = true;
			return;
		}
		s->msg = p;
		s->msg_cap = cap;
	}
	s->msg[s->msg_len++] = c;
}

static bool is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_delimiter(uint8_t c)
{
	return is_space(c) || strchr("{}[]\",:", c) != NULL;
}

/* Bytes that valid JSON text can never hold at this point. */
static bool is_reset_byte(uint8_t c, bool in_string)
{
	if (c < 0x20)
		return in_string || !is_space(c);
	return c == 0xc0 || c == 0xc1 || c >= 0xf5;
}

static void scan_idle(struct qmp_session *s, uint8_t c)
{
	if (is_space(c))
		return;
	switch (c) {
	case '{':
	case '[':
		s->token = TOKEN_NESTED;
		s->depth = 1;
		break;
	case '"':
		s->token = TOKEN_STRING;
		s->in_string = true;
		break;
	case '}':
	case ']':
	case ',':
	case ':':
		reply_errorf(s, NULL, QMP_ERROR_GENERIC, "JSON parse error: stray '%c'", c);
		return;
	default:
		s->token = TOKEN_SCALAR;
		break;
	}
	token_store(s, c);
}

/* Follows strings (quotes and escapes) inside a token. Returns true while
 * c is part of a string. */
static bool scan_string(struct qmp_session *s, uint8_t c)
{
	if (!s->in_string) {
		if (c != '"')
			return false;
		s->in_string = true;
		return true;
	}
	if (s->escape)
		s->escape = false;
	else if (c == '\\')
		s->escape = true;
	else if (c == '"')
		s->in_string = false;
	return true;
}

static void scan_byte(struct qmp_session *s, uint8_t c)
{
	bool in_string = s->token != TOKEN_NONE && s->in_string;

	if (is_reset_byte(c, in_string)) {
		token_reset(s);
		reply_errorf(s, NULL, QMP_ERROR_GENERIC, "JSON parse error: invalid byte 0x%02x",
		             c);
		return;
	}
	switch (s->token) {
	case TOKEN_NONE:
		scan_idle(s, c);
		return;
	case TOKEN_SCALAR:
		if (is_delimiter(c)) {
			token_finish(s);
			scan_idle(s, c);
			return;
		}
		token_store(s, c);
		return;
	case TOKEN_STRING:
		token_store(s, c);
		scan_string(s, c);
		if (!s->in_string)
			token_finish(s);
		return;
	case TOKEN_NESTED:
		token_store(s, c);
		if (scan_string(s, c))
			return;
		if (c == '{' || c == '[') {
			s->depth++;
			if (s->depth > QMP_MAX_DEPTH && !s->discarding) {
				reply_errorf(s, NULL, QMP_ERROR_GENERIC,
				             "JSON nesting deeper than %d; skipped to its end",
				             QMP_MAX_DEPTH);
				s->discarding = true;
			}
		} else if (c == '}' || c == ']') {
			if (--s->depth == 0)
				token_finish(s);
		}
		return;
	}
}

int qmp_session_input(struct qmp_session *s, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len && !s->close; i++)
		scan_byte(s, p[i]);
	return s->close ? -EPIPE : 0;
}
