/* argv -> struct ternctl_request. No I/O except reading a CPER file. */
#include "ternctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The server's integers are int64 (a jansson limit), so unsigned
 * arguments stop at INT64_MAX. */
#define ARG_MAX_U63 ((uint64_t)INT64_MAX)

/* Most positional words and options one command line can hold. */
#define ARGS_MAX 64

__attribute__((format(printf, 3, 4))) static int args_fail(char *why, size_t n, const char *fmt,
                                                           ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int digit_value(char ch, unsigned base)
{
	int v = -1;

	if (ch >= '0' && ch <= '9')
		v = ch - '0';
	else if (ch >= 'a' && ch <= 'f')
		v = ch - 'a' + 10;
	else if (ch >= 'A' && ch <= 'F')
		v = ch - 'A' + 10;
	return v >= 0 && (unsigned)v < base ? v : -1;
}

int ternctl_parse_u64(const char *text, uint64_t max, uint64_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;
	const char *p = text;
	bool digit_before = false;

	if (!p)
		return -EINVAL;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (!*p)
		return -EINVAL;
	for (; *p; p++) {
		int d;

		/* A separator only between two digits: "0x_1", "1__0", "1_"
		 * are typos, not numbers. */
		if (*p == '_') {
			if (!digit_before || digit_value(p[1], base) < 0)
				return -EINVAL;
			digit_before = false;
			continue;
		}
		d = digit_value(*p, base);
		if (d < 0)
			return -EINVAL;
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return -ERANGE;
		v = v * base + (uint64_t)d;
		digit_before = true;
	}
	if (v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

char *ternctl_base64(const uint8_t *in, size_t len)
{
	static const char alphabet[] =
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc((len + 2) / 3 * 4 + 1), *o = out;
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		*o++ = alphabet[v >> 18 & 63];
		*o++ = alphabet[v >> 12 & 63];
		*o++ = alphabet[v >> 6 & 63];
		*o++ = alphabet[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0);
		*o++ = alphabet[v >> 18 & 63];
		*o++ = alphabet[v >> 12 & 63];
		*o++ = i + 1 < len ? alphabet[v >> 6 & 63] : '=';
		*o++ = '=';
	}
	*o = 0;
	return out;
}

void ternctl_usage(FILE *f)
{
	fputs("usage: ternctl [--json] [--timeout SECONDS] SOCKET COMMAND [ARGS]\n"
	      "SOCKET is a Unix socket path or tcp:HOST:PORT. Commands:\n"
	      "  status                      run state (query-status)\n"
	      "  pause | resume              stop / cont\n"
	      "  shutdown                    press the power button (system_powerdown)\n"
	      "  reset                       system_reset\n"
	      "  quit                        end tern\n"
	      "  cpus                        the vCPUs (query-cpus-fast)\n"
	      "  metrics                     counters (query-metrics)\n"
	      "  sdei signal EVENT [--vcpu N]\n"
	      "  sdei status                 dispatcher state (query-sdei)\n"
	      "  ras inject memory --address ADDR [--severity SEV] [--source N]\n"
	      "  ras inject arm [--severity SEV] [--mpidr MPIDR]\n"
	      "  ras inject cper FILE        inject a raw CPER record\n"
	      "  raw JSON                    send one QMP command object, print the reply\n"
	      "  watch [--count N] [--event NAME]\n"
	      "                              print events; first prints '# watching'\n"
	      "SEV is recoverable (default), fatal, corrected or informational.\n"
	      "Numbers are decimal or 0x-hex, '_' allowed between digits.\n"
	      "--timeout 0 waits forever (the default for watch; 10 s otherwise).\n"
	      "Exit status: 0 ok, 1 the VM answered with an error, 2 usage or connection.\n",
	      f);
}

/* Positional words and subcommand options after SOCKET. */
struct args_rest {
	const char *w[ARGS_MAX];
	int n;
	int pos; /* next unread word */
};

static int parse_timeout(const char *text, int *ms, char *why, size_t n)
{
	char *end;
	double s;

	errno = 0;
	s = text ? strtod(text, &end) : -1;
	if (!text || errno || end == text || *end || !(s >= 0) || s > 86400.0 * 365)
		return args_fail(why, n, "bad --timeout '%s': want seconds (0: no limit)",
		                 text ? text : "");
	/* rounded up: a tiny timeout must not become "no limit" */
	*ms = s == 0 ? -1 : (int)(s * 1000 + 0.999);
	return 0;
}

/* Pulls the global options out of argv wherever they are, so that
 * "ternctl SOCK status --json" works as well as "ternctl --json SOCK ...". */
static int split_globals(int argc, char *const argv[], struct ternctl_request *req,
                         struct args_rest *rest, char *why, size_t n)
{
	bool timeout_set = false;
	int i, rc;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			req->action = TERNCTL_HELP;
			return 0;
		}
		if (!strcmp(a, "--version")) {
			req->action = TERNCTL_VERSION;
			return 0;
		}
	}
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--json")) {
			req->json = true;
		} else if (!strcmp(a, "--timeout") || !strncmp(a, "--timeout=", 10)) {
			const char *v = a[9] == '=' ? a + 10 : (i + 1 < argc ? argv[++i] : NULL);
			rc = parse_timeout(v, &req->timeout_ms, why, n);
			if (rc)
				return rc;
			timeout_set = true;
		} else if (rest->n == ARGS_MAX) {
			return args_fail(why, n, "too many arguments");
		} else {
			rest->w[rest->n++] = a;
		}
	}
	if (!timeout_set)
		req->timeout_ms = TERNCTL_DEFAULT_TIMEOUT_MS;
	/* watch without --timeout waits as long as it takes */
	if (!timeout_set && rest->n > 1 && !strcmp(rest->w[1], "watch"))
		req->timeout_ms = -1;
	return 0;
}

static const char *next_word(struct args_rest *r)
{
	return r->pos < r->n ? r->w[r->pos++] : NULL;
}

/* --name VALUE or --name=VALUE at the current position. Returns 1 and sets
 * *val when it is that option, 0 when it is not, -EINVAL without a value. */
static int take_opt(struct args_rest *r, const char *name, const char **val, char *why, size_t n)
{
	const char *a = r->w[r->pos];
	size_t len = strlen(name);

	if (strncmp(a, name, len) || (a[len] && a[len] != '='))
		return 0;
	r->pos++;
	if (a[len] == '=') {
		*val = a + len + 1;
	} else {
		*val = next_word(r);
		if (!*val)
			return args_fail(why, n, "%s needs a value", name);
	}
	return 1;
}

static int number_arg(const char *opt, const char *text, uint64_t max, json_t *args,
                      const char *key, char *why, size_t n)
{
	uint64_t v;
	int rc = ternctl_parse_u64(text, max, &v);

	if (rc == -ERANGE)
		return args_fail(why, n, "%s '%s' is out of range (at most %llu)", opt, text,
		                 (unsigned long long)max);
	if (rc)
		return args_fail(why, n, "%s '%s' is not a number (decimal or 0x hex)", opt, text);
	if (json_object_set_new(args, key, json_integer((json_int_t)v)))
		return -ENOMEM;
	return 0;
}

static int severity_arg(const char *text, json_t *args, char *why, size_t n)
{
	static const char *const names[] = {"recoverable", "fatal", "corrected", "informational"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(text, names[i]))
			return json_object_set_new(args, "severity", json_string(text)) ? -ENOMEM
			                                                                : 0;
	return args_fail(why, n,
	                 "--severity '%s': want recoverable, fatal, corrected or informational",
	                 text);
}

static int no_more(struct args_rest *r, const char *what, char *why, size_t n)
{
	if (r->pos < r->n)
		return args_fail(why, n, "%s: unexpected argument '%s'", what, r->w[r->pos]);
	return 0;
}

static int set_command(struct ternctl_request *req, const char *name, json_t *args,
                       enum ternctl_view view)
{
	req->command = name;
	req->view = view;
	req->add_id = true;
	req->message = json_pack("{s:s}", "execute", name);
	if (!req->message)
		return -ENOMEM;
	if (args && json_object_size(args) && json_object_set(req->message, "arguments", args))
		return -ENOMEM;
	return 0;
}

static int parse_sdei(struct args_rest *r, struct ternctl_request *req, json_t *args, char *why,
                      size_t n)
{
	const char *sub = next_word(r), *event = NULL, *v;
	int rc;

	if (sub && !strcmp(sub, "status")) {
		rc = no_more(r, "sdei status", why, n);
		return rc ? rc : set_command(req, "query-sdei", NULL, TERNCTL_VIEW_TREE);
	}
	if (!sub || strcmp(sub, "signal"))
		return args_fail(why, n, "sdei: want 'signal EVENT [--vcpu N]' or 'status'");
	while (r->pos < r->n) {
		rc = take_opt(r, "--vcpu", &v, why, n);
		if (rc < 0)
			return rc;
		if (rc) {
			rc = number_arg("--vcpu", v, ARG_MAX_U63, args, "vcpu", why, n);
			if (rc)
				return rc;
			continue;
		}
		if (event || r->w[r->pos][0] == '-')
			return args_fail(why, n, "sdei signal: unexpected argument '%s'",
			                 r->w[r->pos]);
		event = next_word(r);
	}
	if (!event)
		return args_fail(why, n, "sdei signal: EVENT is missing");
	rc = number_arg("EVENT", event, UINT32_MAX, args, "event", why, n);
	return rc ? rc : set_command(req, "sdei-signal", args, TERNCTL_VIEW_NONE);
}

static int read_file(const char *path, uint8_t **data, size_t *len, char *why, size_t n)
{
	uint8_t *buf;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), e = errno;

	if (fd < 0)
		return args_fail(why, n, "cannot read %s: %s", path, strerror(e));
	buf = malloc(TERNCTL_CPER_FILE_MAX + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t r = read(fd, buf + got, TERNCTL_CPER_FILE_MAX + 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			e = r < 0 ? errno : 0;
			break;
		}
		got += (size_t)r;
		if (got > TERNCTL_CPER_FILE_MAX) {
			e = EFBIG;
			break;
		}
	}
	close(fd);
	if (e || got == 0) {
		free(buf);
		return args_fail(why, n, "cannot read %s: %s", path,
		                 e ? strerror(e) : "the file is empty");
	}
	*data = buf;
	*len = got;
	return 0;
}

static int parse_cper(struct args_rest *r, struct ternctl_request *req, json_t *args, char *why,
                      size_t n)
{
	const char *path = next_word(r);
	uint8_t *data = NULL;
	size_t len = 0;
	char *b64;
	int rc;

	if (!path)
		return args_fail(why, n, "ras inject cper: FILE is missing");
	rc = no_more(r, "ras inject cper", why, n);
	if (rc)
		return rc;
	rc = read_file(path, &data, &len, why, n);
	if (rc)
		return rc;
	b64 = ternctl_base64(data, len);
	free(data);
	if (!b64 || json_object_set_new(args, "cper", json_string(b64))) {
		free(b64);
		return -ENOMEM;
	}
	free(b64);
	return set_command(req, "inject-ghes-v2-error", args, TERNCTL_VIEW_NONE);
}

static int parse_ras(struct args_rest *r, struct ternctl_request *req, json_t *args, char *why,
                     size_t n)
{
	const char *inject = next_word(r), *kind = next_word(r), *v;
	bool memory;
	int rc;

	if (!inject || strcmp(inject, "inject") || !kind)
		return args_fail(why, n, "ras: want 'inject memory|arm|cper ...'");
	if (!strcmp(kind, "cper"))
		return parse_cper(r, req, args, why, n);
	if (strcmp(kind, "memory") && strcmp(kind, "arm"))
		return args_fail(why, n, "ras inject: unknown kind '%s' (want memory, arm or cper)",
		                 kind);
	memory = !strcmp(kind, "memory");
	if (json_object_set_new(args, "severity", json_string("recoverable")))
		return -ENOMEM;
	while (r->pos < r->n) {
		if ((rc = take_opt(r, "--severity", &v, why, n))) {
			rc = rc < 0 ? rc : severity_arg(v, args, why, n);
		} else if (memory && (rc = take_opt(r, "--address", &v, why, n))) {
			rc = rc < 0 ? rc
			            : number_arg("--address", v, ARG_MAX_U63, args, "address", why,
			                         n);
		} else if (memory && (rc = take_opt(r, "--source", &v, why, n))) {
			rc = rc < 0 ? rc
			            : number_arg("--source", v, ARG_MAX_U63, args, "source", why,
			                         n);
		} else if (!memory && (rc = take_opt(r, "--mpidr", &v, why, n))) {
			rc = rc < 0 ? rc
			            : number_arg("--mpidr", v, ARG_MAX_U63, args, "mpidr", why, n);
		} else {
			return args_fail(why, n, "ras inject %s: unexpected argument '%s'", kind,
			                 r->w[r->pos]);
		}
		if (rc)
			return rc;
	}
	if (memory && !json_object_get(args, "address"))
		return args_fail(why, n, "ras inject memory: --address is required");
	return set_command(req, memory ? "ras-inject-memory" : "ras-inject-arm-processor", args,
	                   TERNCTL_VIEW_NONE);
}

static int parse_raw(struct args_rest *r, struct ternctl_request *req, char *why, size_t n)
{
	const char *text = next_word(r);
	json_error_t jerr;
	json_t *execute;
	int rc;

	if (!text)
		return args_fail(why, n, "raw: the JSON command is missing");
	rc = no_more(r, "raw", why, n);
	if (rc)
		return rc;
	req->message = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (!req->message)
		return args_fail(why, n, "raw: not JSON: %s", jerr.text);
	if (!json_is_object(req->message))
		return args_fail(why, n,
		                 "raw: want a JSON object such as "
		                 "{\"execute\": \"query-status\"}");
	execute = json_object_get(req->message, "execute");
	req->command = json_is_string(execute) ? json_string_value(execute) : "raw";
	req->view = TERNCTL_VIEW_RAW;
	req->add_id = false;
	return 0;
}

static int parse_watch(struct args_rest *r, struct ternctl_request *req, char *why, size_t n)
{
	const char *v;
	uint64_t count;
	int rc;

	req->action = TERNCTL_WATCH;
	while (r->pos < r->n) {
		if ((rc = take_opt(r, "--count", &v, why, n))) {
			if (rc < 0)
				return rc;
			if (ternctl_parse_u64(v, UINT32_MAX, &count) || count == 0)
				return args_fail(why, n, "--count '%s': want a number > 0", v);
			req->watch_count = (unsigned long)count;
		} else if ((rc = take_opt(r, "--event", &v, why, n))) {
			if (rc < 0)
				return rc;
			if (!*v)
				return args_fail(why, n, "--event needs an event name");
			req->watch_event = v;
		} else {
			return args_fail(why, n, "watch: unexpected argument '%s'", r->w[r->pos]);
		}
	}
	return 0;
}

/* Commands that are one QMP command without arguments. */
static const struct {
	const char *word, *command;
	enum ternctl_view view;
} simple_commands[] = {
        {"status", "query-status", TERNCTL_VIEW_STATUS},
        {"pause", "stop", TERNCTL_VIEW_NONE},
        {"resume", "cont", TERNCTL_VIEW_NONE},
        {"shutdown", "system_powerdown", TERNCTL_VIEW_NONE},
        {"reset", "system_reset", TERNCTL_VIEW_NONE},
        {"quit", "quit", TERNCTL_VIEW_NONE},
        {"cpus", "query-cpus-fast", TERNCTL_VIEW_CPUS},
        {"metrics", "query-metrics", TERNCTL_VIEW_TREE},
};

static int parse_command(struct args_rest *r, struct ternctl_request *req, json_t *args, char *why,
                         size_t n)
{
	const char *cmd = next_word(r);
	size_t i;
	int rc;

	if (!cmd)
		return args_fail(why, n, "the command is missing");
	req->action = TERNCTL_EXECUTE;
	for (i = 0; i < sizeof(simple_commands) / sizeof(simple_commands[0]); i++) {
		if (strcmp(cmd, simple_commands[i].word))
			continue;
		rc = no_more(r, cmd, why, n);
		return rc ? rc
		          : set_command(req, simple_commands[i].command, NULL,
		                        simple_commands[i].view);
	}
	if (!strcmp(cmd, "sdei"))
		return parse_sdei(r, req, args, why, n);
	if (!strcmp(cmd, "ras"))
		return parse_ras(r, req, args, why, n);
	if (!strcmp(cmd, "raw"))
		return parse_raw(r, req, why, n);
	if (!strcmp(cmd, "watch"))
		return parse_watch(r, req, why, n);
	return args_fail(why, n, "unknown command '%s'", cmd);
}

int ternctl_args_parse(int argc, char *const argv[], struct ternctl_request *req, char *why,
                       size_t n)
{
	struct args_rest rest = {.n = 0};
	json_t *args;
	int rc;

	memset(req, 0, sizeof(*req));
	req->action = TERNCTL_EXECUTE;
	why[0] = 0;
	rc = split_globals(argc, argv, req, &rest, why, n);
	if (rc || req->action == TERNCTL_HELP || req->action == TERNCTL_VERSION)
		return rc;
	req->socket = next_word(&rest);
	if (!req->socket)
		return args_fail(why, n, "the SOCKET is missing");
	if (req->socket[0] == '-')
		return args_fail(why, n, "unknown option '%s'", req->socket);
	args = json_object();
	if (!args)
		return -ENOMEM;
	rc = parse_command(&rest, req, args, why, n);
	json_decref(args);
	if (rc) {
		json_decref(req->message);
		req->message = NULL;
		if (rc == -ENOMEM && !why[0])
			args_fail(why, n, "out of memory");
	}
	return rc;
}

void ternctl_request_free(struct ternctl_request *req)
{
	json_decref(req->message);
	req->message = NULL;
}
