/* ternctl: argv -> request for every command and usage error, the text
 * shown for replies and events, the QMP client against a scripted peer,
 * and the whole path (argv, client, real control server, fake VM) with the
 * server's event loop on a thread. ternctl's main.c is not included. */
#include "../../tools/ternctl/ternctl_args.c"   /* NOLINT(bugprone-suspicious-include) */
#include "../../tools/ternctl/ternctl_client.c" /* NOLINT(bugprone-suspicious-include) */
#include "../../tools/ternctl/ternctl_format.c" /* NOLINT(bugprone-suspicious-include) */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/epoll.h>

#include "check.h"
#include "vmm/core/control_server.h"
#include "vmm/core/qmp_base64.h"
#include "vmm/core/qmp_commands.h"

#define MAX_ARGV 16

static char tmpdir[200];

/* Parses a NULL-terminated list of words after the program name. */
static int parse_words(struct ternctl_request *req, char *why, size_t n, const char *first, ...)
{
	char *argv[MAX_ARGV] = {"ternctl"};
	int argc = 1;
	va_list ap;

	va_start(ap, first);
	for (const char *w = first; w && argc < MAX_ARGV; w = va_arg(ap, const char *))
		argv[argc++] = (char *)w;
	va_end(ap);
	return ternctl_args_parse(argc, argv, req, why, n);
}

#define PARSE(req, why, ...) parse_words(req, why, sizeof(why), __VA_ARGS__, (const char *)NULL)

static bool message_is(const struct ternctl_request *req, const char *expect)
{
	json_t *want = json_loads(expect, 0, NULL);
	bool same = want && req->message && json_equal(want, req->message);

	if (!same) {
		char *got = req->message ? json_dumps(req->message, JSON_COMPACT) : NULL;
		fprintf(stderr, "  message %s, expected %s\n", got ? got : "(none)", expect);
		free(got);
	}
	json_decref(want);
	return same;
}

static void expect_request(const char *expect, enum ternctl_view view, const char *word, ...)
{
	char *argv[MAX_ARGV] = {"ternctl", "/run/vm.sock"};
	int argc = 2;
	struct ternctl_request req;
	char why[256];
	va_list ap;

	va_start(ap, word);
	for (const char *w = word; w && argc < MAX_ARGV; w = va_arg(ap, const char *))
		argv[argc++] = (char *)w;
	va_end(ap);
	CHECK_EQ(ternctl_args_parse(argc, argv, &req, why, sizeof(why)), 0);
	CHECK_EQ(req.action, TERNCTL_EXECUTE);
	CHECK_STR(req.socket, "/run/vm.sock");
	CHECK(message_is(&req, expect));
	CHECK_EQ(req.view, view);
	CHECK(req.add_id);
	CHECK(!req.json);
	CHECK_EQ(req.timeout_ms, TERNCTL_DEFAULT_TIMEOUT_MS);
	CHECK_STR(req.command, json_string_value(json_object_get(req.message, "execute")));
	ternctl_request_free(&req);
}

#define EXPECT(expect, view, ...) expect_request(expect, view, __VA_ARGS__, (const char *)NULL)

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	CHECK(f != NULL);
	if (!f)
		return;
	CHECK_EQ(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void test_commands(void)
{
	char cper[300];

	EXPECT("{\"execute\":\"query-status\"}", TERNCTL_VIEW_STATUS, "status");
	EXPECT("{\"execute\":\"stop\"}", TERNCTL_VIEW_NONE, "pause");
	EXPECT("{\"execute\":\"cont\"}", TERNCTL_VIEW_NONE, "resume");
	EXPECT("{\"execute\":\"system_powerdown\"}", TERNCTL_VIEW_NONE, "shutdown");
	EXPECT("{\"execute\":\"system_reset\"}", TERNCTL_VIEW_NONE, "reset");
	EXPECT("{\"execute\":\"quit\"}", TERNCTL_VIEW_NONE, "quit");
	EXPECT("{\"execute\":\"query-cpus-fast\"}", TERNCTL_VIEW_CPUS, "cpus");
	EXPECT("{\"execute\":\"query-metrics\"}", TERNCTL_VIEW_TREE, "metrics");
	EXPECT("{\"execute\":\"query-sdei\"}", TERNCTL_VIEW_TREE, "sdei", "status");
	EXPECT("{\"execute\":\"sdei-signal\",\"arguments\":{\"event\":5}}", TERNCTL_VIEW_NONE,
	       "sdei", "signal", "5");
	EXPECT("{\"execute\":\"sdei-signal\",\"arguments\":{\"event\":4294967295,\"vcpu\":3}}",
	       TERNCTL_VIEW_NONE, "sdei", "signal", "0xffff_ffff", "--vcpu", "3");
	EXPECT("{\"execute\":\"sdei-signal\",\"arguments\":{\"event\":0,\"vcpu\":1}}",
	       TERNCTL_VIEW_NONE, "sdei", "signal", "--vcpu=1", "0");
	EXPECT("{\"execute\":\"ras-inject-memory\",\"arguments\":{\"address\":1073741824,"
	       "\"severity\":\"recoverable\"}}",
	       TERNCTL_VIEW_NONE, "ras", "inject", "memory", "--address", "0x4000_0000");
	EXPECT("{\"execute\":\"ras-inject-memory\",\"arguments\":{\"address\":4096,"
	       "\"severity\":\"fatal\",\"source\":2}}",
	       TERNCTL_VIEW_NONE, "ras", "inject", "memory", "--severity", "fatal", "--source=2",
	       "--address", "4096");
	EXPECT("{\"execute\":\"ras-inject-memory\",\"arguments\":{\"address\":9223372036854775807,"
	       "\"severity\":\"informational\"}}",
	       TERNCTL_VIEW_NONE, "ras", "inject", "memory", "--address", "0x7fffffffffffffff",
	       "--severity=informational");
	EXPECT("{\"execute\":\"ras-inject-arm-processor\",\"arguments\":{\"severity\":"
	       "\"recoverable\"}}",
	       TERNCTL_VIEW_NONE, "ras", "inject", "arm");
	EXPECT("{\"execute\":\"ras-inject-arm-processor\",\"arguments\":{\"severity\":"
	       "\"corrected\",\"mpidr\":2147483649}}",
	       TERNCTL_VIEW_NONE, "ras", "inject", "arm", "--mpidr", "0x8000_0001", "--severity",
	       "corrected");

	snprintf(cper, sizeof(cper), "%s/ternctl-%d.cper", tmpdir, getpid());
	write_file(cper, "\x01\x02\x03\x04\xff", 5);
	EXPECT("{\"execute\":\"inject-ghes-v2-error\",\"arguments\":{\"cper\":\"AQIDBP8=\"}}",
	       TERNCTL_VIEW_NONE, "ras", "inject", "cper", cper);
	unlink(cper);
}

static void test_raw_watch_globals(void)
{
	struct ternctl_request req;
	char why[256];

	/* raw: sent exactly as given, no id added */
	CHECK_EQ(PARSE(&req, why, "s", "raw", "{\"execute\": \"query-target\", \"id\": [1]}"), 0);
	CHECK(message_is(&req, "{\"execute\":\"query-target\",\"id\":[1]}"));
	CHECK(!req.add_id);
	CHECK_EQ(req.view, TERNCTL_VIEW_RAW);
	CHECK_STR(req.command, "query-target");
	ternctl_request_free(&req);
	CHECK_EQ(PARSE(&req, why, "s", "raw", "{\"arguments\": {}}"), 0);
	CHECK_STR(req.command, "raw");
	ternctl_request_free(&req);

	CHECK_EQ(PARSE(&req, why, "s", "watch"), 0);
	CHECK_EQ(req.action, TERNCTL_WATCH);
	CHECK_EQ(req.timeout_ms, -1);
	CHECK_EQ(req.watch_count, 0);
	CHECK(req.watch_event == NULL);
	CHECK(req.message == NULL);
	CHECK_EQ(PARSE(&req, why, "s", "watch", "--count", "2", "--event=SDEI_EVENT_COMPLETED",
	               "--timeout", "1.5"),
	         0);
	CHECK_EQ(req.watch_count, 2);
	CHECK_STR(req.watch_event, "SDEI_EVENT_COMPLETED");
	CHECK_EQ(req.timeout_ms, 1500);

	/* global options anywhere */
	CHECK_EQ(PARSE(&req, why, "--json", "s", "status"), 0);
	CHECK(req.json);
	ternctl_request_free(&req);
	CHECK_EQ(PARSE(&req, why, "s", "status", "--json", "--timeout=0"), 0);
	CHECK(req.json);
	CHECK_EQ(req.timeout_ms, -1);
	ternctl_request_free(&req);
	CHECK_EQ(PARSE(&req, why, "--timeout", "0.0001", "tcp:127.0.0.1:4444", "cpus"), 0);
	CHECK_EQ(req.timeout_ms, 1); /* rounded up, not to "no limit" */
	CHECK_STR(req.socket, "tcp:127.0.0.1:4444");
	ternctl_request_free(&req);

	/* help and version win over everything else, even bad usage */
	CHECK_EQ(PARSE(&req, why, "-h"), 0);
	CHECK_EQ(req.action, TERNCTL_HELP);
	CHECK_EQ(PARSE(&req, why, "s", "bogus", "--help"), 0);
	CHECK_EQ(req.action, TERNCTL_HELP);
	CHECK_EQ(PARSE(&req, why, "--version"), 0);
	CHECK_EQ(req.action, TERNCTL_VERSION);
}

/* Each usage error is -EINVAL with a message naming the problem. */
static void expect_usage(const char *needle, const char *first, ...)
{
	char *argv[MAX_ARGV] = {"ternctl"};
	int argc = 1;
	struct ternctl_request req;
	char why[256];
	va_list ap;

	va_start(ap, first);
	for (const char *w = first; w && argc < MAX_ARGV; w = va_arg(ap, const char *))
		argv[argc++] = (char *)w;
	va_end(ap);
	CHECK_EQ(ternctl_args_parse(argc, argv, &req, why, sizeof(why)), -EINVAL);
	CHECK(req.message == NULL);
	if (!strstr(why, needle)) {
		CHECK(!"usage message");
		fprintf(stderr, "  got '%s', expected to contain '%s'\n", why, needle);
	}
}

#define USAGE(needle, ...) expect_usage(needle, __VA_ARGS__, (const char *)NULL)

static void test_usage_errors(void)
{
	char empty[300];

	expect_usage("SOCKET is missing", NULL);
	USAGE("SOCKET is missing", "--json");
	USAGE("command is missing", "s");
	USAGE("unknown option '--bogus'", "--bogus", "status");
	USAGE("unknown command 'bogus'", "s", "bogus");
	USAGE("status: unexpected argument 'x'", "s", "status", "x");
	USAGE("quit: unexpected argument '--force'", "s", "quit", "--force");
	USAGE("cpus: unexpected argument", "s", "cpus", "1");
	USAGE("bad --timeout 'abc'", "--timeout", "abc", "s", "status");
	USAGE("bad --timeout '-1'", "s", "status", "--timeout", "-1");
	USAGE("bad --timeout ''", "s", "status", "--timeout");
	USAGE("bad --timeout 'nan'", "s", "status", "--timeout=nan");

	USAGE("want 'signal EVENT", "s", "sdei");
	USAGE("want 'signal EVENT", "s", "sdei", "raise", "1");
	USAGE("sdei status: unexpected argument 'x'", "s", "sdei", "status", "x");
	USAGE("EVENT is missing", "s", "sdei", "signal");
	USAGE("EVENT is missing", "s", "sdei", "signal", "--vcpu", "1");
	USAGE("EVENT 'abc' is not a number", "s", "sdei", "signal", "abc");
	USAGE("EVENT '0x1_0000_0000' is out of range", "s", "sdei", "signal", "0x1_0000_0000");
	USAGE("unexpected argument '2'", "s", "sdei", "signal", "1", "2");
	USAGE("unexpected argument '-1'", "s", "sdei", "signal", "-1");
	USAGE("--vcpu needs a value", "s", "sdei", "signal", "1", "--vcpu");
	USAGE("--vcpu '-1' is not a number", "s", "sdei", "signal", "1", "--vcpu", "-1");
	USAGE("--vcpu '' is not a number", "s", "sdei", "signal", "1", "--vcpu=");
	USAGE("unexpected argument '--vcpux'", "s", "sdei", "signal", "1", "--vcpux", "2");

	USAGE("ras: want 'inject", "s", "ras");
	USAGE("ras: want 'inject", "s", "ras", "inject");
	USAGE("ras: want 'inject", "s", "ras", "signal", "memory");
	USAGE("unknown kind 'disk'", "s", "ras", "inject", "disk");
	USAGE("--address is required", "s", "ras", "inject", "memory");
	USAGE("--address is required", "s", "ras", "inject", "memory", "--severity", "fatal");
	USAGE("--address '1_' is not a number", "s", "ras", "inject", "memory", "--address", "1_");
	USAGE("--address '0x8000000000000000' is out of range", "s", "ras", "inject", "memory",
	      "--address", "0x8000000000000000");
	USAGE("--severity 'minor'", "s", "ras", "inject", "memory", "--address", "1", "--severity",
	      "minor");
	USAGE("--source 'x' is not a number", "s", "ras", "inject", "memory", "--address", "1",
	      "--source", "x");
	USAGE("ras inject memory: unexpected argument '--mpidr'", "s", "ras", "inject", "memory",
	      "--address", "1", "--mpidr", "1");
	USAGE("ras inject arm: unexpected argument '--address'", "s", "ras", "inject", "arm",
	      "--address", "1");
	USAGE("--severity needs a value", "s", "ras", "inject", "arm", "--severity");
	USAGE("--mpidr 'zz' is not a number", "s", "ras", "inject", "arm", "--mpidr", "zz");
	USAGE("FILE is missing", "s", "ras", "inject", "cper");
	USAGE("ras inject cper: unexpected argument 'b'", "s", "ras", "inject", "cper", "a", "b");
	USAGE("cannot read /nonexistent/x.cper: No such file", "s", "ras", "inject", "cper",
	      "/nonexistent/x.cper");
	snprintf(empty, sizeof(empty), "%s/ternctl-empty-%d.cper", tmpdir, getpid());
	write_file(empty, "", 0);
	USAGE("the file is empty", "s", "ras", "inject", "cper", empty);
	unlink(empty);

	USAGE("raw: the JSON command is missing", "s", "raw");
	USAGE("raw: not JSON", "s", "raw", "{\"execute\":");
	USAGE("raw: not JSON", "s", "raw", "{\"execute\": \"stop\", \"execute\": \"cont\"}");
	USAGE("raw: want a JSON object", "s", "raw", "[1]");
	USAGE("raw: unexpected argument 'x'", "s", "raw", "{}", "x");

	USAGE("--count '0': want a number > 0", "s", "watch", "--count", "0");
	USAGE("--count 'many'", "s", "watch", "--count", "many");
	USAGE("--count needs a value", "s", "watch", "--count");
	USAGE("--event needs an event name", "s", "watch", "--event=");
	USAGE("watch: unexpected argument 'STOP'", "s", "watch", "STOP");
}

static void test_numbers_and_base64(void)
{
	static const struct {
		const char *text;
		uint64_t max, value;
		int rc;
	} cases[] = {
	        {"0", 10, 0, 0},
	        {"42", 100, 42, 0},
	        {"0x2A", 100, 42, 0},
	        {"0X2a", 100, 42, 0},
	        {"1_000", 10000, 1000, 0},
	        {"0x4000_0000", UINT64_MAX, 0x40000000, 0},
	        {"0xffffffffffffffff", UINT64_MAX, UINT64_MAX, 0},
	        {"18446744073709551615", UINT64_MAX, UINT64_MAX, 0},
	        {"18446744073709551616", UINT64_MAX, 0, -ERANGE},
	        {"0x1_0000_0000_0000_0000", UINT64_MAX, 0, -ERANGE},
	        {"101", 100, 0, -ERANGE},
	        {"", 100, 0, -EINVAL},
	        {"0x", 100, 0, -EINVAL},
	        {"_1", 100, 0, -EINVAL},
	        {"1_", 100, 0, -EINVAL},
	        {"1__0", 100, 0, -EINVAL},
	        {"0x_1", 100, 0, -EINVAL},
	        {"-1", 100, 0, -EINVAL},
	        {"+1", 100, 0, -EINVAL},
	        {" 1", 100, 0, -EINVAL},
	        {"1 ", 100, 0, -EINVAL},
	        {"12a", 1000, 0, -EINVAL},
	        {"0x1g", 1000, 0, -EINVAL},
	        {"1.5", 1000, 0, -EINVAL},
	};
	uint8_t data[70], back[70];
	size_t i, len, got;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 12345;
		int rc = ternctl_parse_u64(cases[i].text, cases[i].max, &v);
		if (rc != cases[i].rc)
			fprintf(stderr, "  parse '%s': %d\n", cases[i].text, rc);
		CHECK_EQ(rc, cases[i].rc);
		CHECK_EQ_U64(v, rc ? 12345 : cases[i].value);
	}

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 37 + 11);
	/* every padding case, decoded by the server's strict decoder */
	for (len = 1; len <= sizeof(data); len++) {
		char *b64 = ternctl_base64(data, len);
		CHECK(b64 != NULL);
		if (!b64)
			continue;
		CHECK_EQ(strlen(b64), (len + 2) / 3 * 4);
		CHECK_EQ(qmp_base64_decode(b64, strlen(b64), back, sizeof(back), &got), 0);
		CHECK_EQ(got, len);
		CHECK(!memcmp(back, data, len));
		free(b64);
	}
	char *s = ternctl_base64((const uint8_t *)"foobar", 6);
	CHECK_STR(s, "Zm9vYmFy");
	free(s);
	s = ternctl_base64((const uint8_t *)"fo", 2);
	CHECK_STR(s, "Zm8=");
	free(s);
}

/* Runs one formatter on a memory stream and compares the text. */
struct mem_out {
	FILE *f;
	char *buf;
	size_t len;
};

static void mem_open(struct mem_out *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	CHECK(m->f != NULL);
}

static void mem_expect(struct mem_out *m, const char *expect)
{
	fclose(m->f);
	CHECK_STR(m->buf, expect);
	free(m->buf);
}

static void expect_reply_text(enum ternctl_view view, bool json, const char *reply,
                              const char *expect)
{
	struct ternctl_request req = {.view = view, .json = json};
	json_t *r = json_loads(reply, 0, NULL);
	struct mem_out m;

	CHECK(r != NULL);
	mem_open(&m);
	CHECK_EQ(ternctl_format_reply(m.f, &req, r), 0);
	mem_expect(&m, expect);
	json_decref(r);
}

static void expect_tree(const char *value, const char *expect)
{
	json_t *v = json_loads(value, JSON_DECODE_ANY, NULL);
	struct mem_out m;

	CHECK(v != NULL);
	mem_open(&m);
	CHECK_EQ(ternctl_format_tree(m.f, v), 0);
	mem_expect(&m, expect);
	json_decref(v);
}

static void expect_event(const char *event, bool json, const char *expect)
{
	json_t *v = json_loads(event, 0, NULL);
	struct mem_out m;

	CHECK(v != NULL);
	mem_open(&m);
	CHECK_EQ(ternctl_format_event(m.f, v, json), 0);
	mem_expect(&m, expect);
	json_decref(v);
}

static void test_format(void)
{
	static const char cpus[] =
	        "{\"return\": [{\"cpu-index\": 0, \"qom-path\": \"/machine/unattached/device[0]\", "
	        "\"thread-id\": 4242, \"target\": \"aarch64\", \"props\": {\"core-id\": 0}}, "
	        "{\"cpu-index\": 1, \"qom-path\": \"/machine/unattached/device[1]\", "
	        "\"thread-id\": 4243, \"target\": \"aarch64\", \"props\": {\"core-id\": 1}}]}";
	struct mem_out m;
	json_t *err;

	expect_reply_text(TERNCTL_VIEW_STATUS, false,
	                  "{\"return\": {\"running\": false, \"status\": \"paused\"}, \"id\": 1}",
	                  "paused\n");
	expect_reply_text(TERNCTL_VIEW_STATUS, true,
	                  "{\"return\": {\"running\": true, \"status\": \"running\"}, \"id\": 1}",
	                  "{\"running\":true,\"status\":\"running\"}\n");
	expect_reply_text(TERNCTL_VIEW_NONE, false, "{\"return\": {}}", "");
	expect_reply_text(TERNCTL_VIEW_NONE, true, "{\"return\": {}}", "{}\n");
	expect_reply_text(TERNCTL_VIEW_RAW, false,
	                  "{\"return\": {\"arch\": \"aarch64\"}, \"id\": 3}",
	                  "{\"return\":{\"arch\":\"aarch64\"},\"id\":3}\n");
	expect_reply_text(TERNCTL_VIEW_CPUS, false, cpus,
	                  "CPU  CORE  HOST-THREAD QOM-PATH\n"
	                  "0    0     4242        /machine/unattached/device[0]\n"
	                  "1    1     4243        /machine/unattached/device[1]\n");
	expect_reply_text(TERNCTL_VIEW_TREE, false,
	                  "{\"return\": {\"dispatched\": 3, \"enabled\": true}}",
	                  "dispatched: 3\nenabled: true\n");

	expect_tree("{\"version\": \"1.1\", \"masked\": [false, true], \"counts\": "
	            "{\"signals\": 2, \"rate\": 0.5, \"last\": null, \"empty\": {}}, \"events\": "
	            "[{\"event\": 0, \"state\": \"registered\"}, {\"event\": 100, \"state\": "
	            "\"running\", \"extra\": 1}, {\"state\": \"x\"}], \"none\": []}",
	            "version: 1.1\n"
	            "masked: false, true\n"
	            "counts:\n"
	            "  signals: 2\n"
	            "  rate: 0.5\n"
	            "  last: null\n"
	            "  empty: {}\n"
	            "events:\n"
	            "  event  state\n"
	            "  0      registered\n"
	            "  100    running\n"
	            "  -      x\n"
	            "none: []\n");
	/* arrays that are not tables become lists of items */
	expect_tree("[{\"a\": {\"b\": 1}}, 7, [\"x\", [2]]]", "-\n"
	                                                      "  a:\n"
	                                                      "    b: 1\n"
	                                                      "- 7\n"
	                                                      "-\n"
	                                                      "  - x\n"
	                                                      "  -\n"
	                                                      "    - 2\n");
	expect_tree("42", "42\n");
	expect_tree("{}", "{}\n");
	expect_tree("\"text\"", "text\n");

	err = json_loads("{\"error\": {\"class\": \"GenericError\", \"desc\": \"event 7 is not "
	                 "registered\"}, \"id\": 2}",
	                 0, NULL);
	mem_open(&m);
	ternctl_format_error(m.f, "sdei-signal", err);
	mem_expect(&m, "ternctl: sdei-signal: event 7 is not registered (GenericError)\n");
	json_decref(err);

	expect_event("{\"event\": \"STOP\", \"timestamp\": {\"seconds\": 1700000000, "
	             "\"microseconds\": 123456}}",
	             false, "2023-11-14T22:13:20.123456Z STOP\n");
	expect_event("{\"event\": \"SDEI_EVENT_COMPLETED\", \"data\": {\"event\": 0, \"vcpu\": 1}, "
	             "\"timestamp\": {\"seconds\": 0, \"microseconds\": 5}}",
	             false,
	             "1970-01-01T00:00:00.000005Z SDEI_EVENT_COMPLETED {\"event\":0,\"vcpu\":1}\n");
	expect_event("{\"event\": \"RESET\", \"timestamp\": {\"seconds\": -1, \"microseconds\": "
	             "-1}}",
	             false, "- RESET\n");
	expect_event("{\"event\": \"RESET\", \"timestamp\": {\"seconds\": -1, \"microseconds\": "
	             "-1}}",
	             true,
	             "{\"event\":\"RESET\",\"timestamp\":{\"seconds\":-1,\"microseconds\":-1}}\n");
}

/* The client against a peer that speaks from a script: the whole server
 * side is written before the client reads, and what the client sent is
 * checked afterwards. */
static void peer_pair(struct ternctl_conn *c, int *peer)
{
	int sv[2];

	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	ternctl_conn_init(c, sv[0]);
	*peer = sv[1];
}

static void peer_say(int peer, const char *text)
{
	CHECK_EQ(send(peer, text, strlen(text), MSG_NOSIGNAL), (long long)strlen(text));
}

static void peer_expect(int peer, const char *expect)
{
	char buf[4096];
	ssize_t n = recv(peer, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	buf[n > 0 ? n : 0] = 0;
	CHECK_STR(buf, expect);
}

#define GREETING                                                                                   \
	"{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 1, \"major\": 0}, "          \
	"\"package\": \"tern\"}, \"capabilities\": []}}\r\n"

static void test_client_script(void)
{
	struct ternctl_conn c;
	int peer;
	json_t *reply, *ev, *msg;
	char *big = malloc(20000);
	int64_t dl = ternctl_deadline(5000);

	/* Negotiation, then a command whose reply comes after an event, a
	 * stray reply with another id and a long event (buffer growth), with
	 * and without "\r". */
	peer_pair(&c, &peer);
	peer_say(peer, GREETING "{\"return\": {}, \"id\": 1}\r\n");
	peer_say(peer, "{\"event\": \"STOP\", \"timestamp\": {\"seconds\": 1, \"microseconds\": "
	               "2}}\r\n");
	peer_say(peer, "{\"return\": {\"status\": \"wrong\"}, \"id\": 99}\r\n");
	snprintf(big, 20000, "{\"event\": \"BIG\", \"data\": {\"pad\": \"%0*d\"}}\n", 15000, 0);
	peer_say(peer, big);
	peer_say(peer, "{\"return\": {\"status\": \"paused\"}, \"id\": 2}\r\n");
	peer_say(peer, "{\"event\": \"RESUME\"}\r\n{\"return\": {}, \"id\": 3}\r\n"
	               "{\"event\": \"SHUTDOWN\", \"data\": {\"guest\": true}}\r\n");
	free(big);
	CHECK_EQ(ternctl_conn_negotiate(&c, dl), 0);
	CHECK_STR(json_string_value(
	                  json_object_get(json_object_get(c.greeting, "version"), "package")),
	          "tern");
	msg = json_pack("{s:s}", "execute", "query-status");
	CHECK_EQ(ternctl_conn_execute(&c, msg, true, dl, &reply), 0);
	CHECK_STR(json_string_value(json_object_get(json_object_get(reply, "return"), "status")),
	          "paused");
	json_decref(reply);
	json_decref(msg);
	/* next_event skips the reply to id 3 */
	CHECK_EQ(ternctl_conn_next_event(&c, dl, &ev), 0);
	CHECK_STR(json_string_value(json_object_get(ev, "event")), "RESUME");
	json_decref(ev);
	CHECK_EQ(ternctl_conn_next_event(&c, dl, &ev), 0);
	CHECK_STR(json_string_value(json_object_get(ev, "event")), "SHUTDOWN");
	json_decref(ev);
	peer_expect(peer, "{\"execute\":\"qmp_capabilities\",\"id\":1}"
	                  "{\"execute\":\"query-status\",\"id\":2}");
	/* nothing more to read: the deadline ends the wait */
	CHECK_EQ(ternctl_conn_read(&c, ternctl_deadline(20), &msg), -ETIMEDOUT);
	CHECK(strstr(c.why, "timed out") != NULL);
	/* the server goes away */
	close(peer);
	CHECK_EQ(ternctl_conn_next_event(&c, dl, &ev), -EPIPE);
	CHECK(strstr(c.why, "closed") != NULL);
	ternctl_conn_close(&c);

	/* raw: no id added, and an error without id is the answer */
	peer_pair(&c, &peer);
	peer_say(peer, "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse "
	               "error\"}}\r\n");
	msg = json_pack("{s:s}", "execute", "query-target");
	CHECK_EQ(ternctl_conn_execute(&c, msg, false, dl, &reply), 0);
	CHECK(json_object_get(reply, "error") != NULL);
	json_decref(reply);
	json_decref(msg);
	peer_expect(peer, "{\"execute\":\"query-target\"}");
	close(peer);
	ternctl_conn_close(&c);

	/* not a QMP server */
	peer_pair(&c, &peer);
	peer_say(peer, "{\"hello\": 1}\r\n");
	CHECK_EQ(ternctl_conn_negotiate(&c, dl), -EPROTO);
	CHECK(strstr(c.why, "no QMP greeting") != NULL);
	close(peer);
	ternctl_conn_close(&c);

	/* negotiation refused */
	peer_pair(&c, &peer);
	peer_say(peer, GREETING "{\"error\": {\"class\": \"GenericError\", \"desc\": \"nope\"}, "
	                        "\"id\": 1}\r\n");
	CHECK_EQ(ternctl_conn_negotiate(&c, dl), -EPROTO);
	CHECK(strstr(c.why, "negotiation failed: nope") != NULL);
	close(peer);
	ternctl_conn_close(&c);

	/* garbage and non-objects */
	peer_pair(&c, &peer);
	peer_say(peer, "not json\r\n[1]\r\n");
	CHECK_EQ(ternctl_conn_read(&c, dl, &msg), -EPROTO);
	CHECK(strstr(c.why, "not JSON") != NULL);
	CHECK_EQ(ternctl_conn_read(&c, dl, &msg), -EPROTO);
	CHECK(strstr(c.why, "not an object") != NULL);
	CHECK(msg == NULL);
	close(peer);
	ternctl_conn_close(&c);

	/* the server hangs up before answering */
	peer_pair(&c, &peer);
	peer_say(peer, GREETING);
	close(peer);
	CHECK_EQ(ternctl_conn_negotiate(&c, dl), -EPIPE);
	ternctl_conn_close(&c);
}

/* A fake VM behind a real control server. Its callbacks run on the server
 * thread; the test reads what they recorded only after the reply arrived. */
struct fake_vm {
	enum qmp_run_state state;
	uint32_t event;
	int64_t vcpu;
	uint64_t address;
	enum qmp_ras_severity sev;
	int64_t source;
	bool has_mpidr;
	uint64_t mpidr;
	uint8_t cper[16];
	size_t cper_len;
};

static struct fake_vm vm;

static int vm_query_status(void *opaque, enum qmp_run_state *state, struct qmp_error *err)
{
	*state = vm.state;
	return 0;
}

static int vm_stop(void *opaque, struct qmp_error *err)
{
	vm.state = QMP_RUN_PAUSED;
	return 0;
}

static int vm_cont(void *opaque, struct qmp_error *err)
{
	vm.state = QMP_RUN_RUNNING;
	return 0;
}

static int vm_query_cpus(void *opaque, struct qmp_cpu_info *cpus, size_t max, size_t *n,
                         struct qmp_error *err)
{
	cpus[0].thread_id = 77;
	cpus[1].thread_id = 78;
	*n = 2;
	return 0;
}

static int vm_sdei_signal(void *opaque, uint32_t event, int64_t vcpu, struct qmp_error *err)
{
	if (event == 7) {
		qmp_error_set(err, QMP_ERROR_GENERIC, "event 7 is not registered");
		return -ENOENT;
	}
	vm.event = event;
	vm.vcpu = vcpu;
	return 0;
}

static int vm_query_sdei(void *opaque, json_t **out, struct qmp_error *err)
{
	*out = json_pack("{s:s,s:[{s:i,s:s}]}", "version", "1.1", "events", "event", 0, "state",
	                 "registered");
	return 0;
}

static int vm_inject_ghes(void *opaque, const uint8_t *cper, size_t len, struct qmp_error *err)
{
	vm.cper_len = len < sizeof(vm.cper) ? len : sizeof(vm.cper);
	memcpy(vm.cper, cper, vm.cper_len);
	return 0;
}

static int vm_ras_memory(void *opaque, uint64_t address, enum qmp_ras_severity severity,
                         int64_t source, struct qmp_error *err)
{
	vm.address = address;
	vm.sev = severity;
	vm.source = source;
	return 0;
}

static int vm_ras_arm(void *opaque, enum qmp_ras_severity severity, bool has_mpidr, uint64_t mpidr,
                      struct qmp_error *err)
{
	vm.sev = severity;
	vm.has_mpidr = has_mpidr;
	vm.mpidr = mpidr;
	return 0;
}

static const struct qmp_vm_ops vm_ops = {
        .query_status = vm_query_status,
        .stop = vm_stop,
        .cont = vm_cont,
        .query_cpus = vm_query_cpus,
        .sdei_signal = vm_sdei_signal,
        .query_sdei = vm_query_sdei,
        .inject_ghes = vm_inject_ghes,
        .ras_inject_memory = vm_ras_memory,
        .ras_inject_arm_processor = vm_ras_arm,
};

/* The server thread owns the loop and the server; the test asks it to do
 * things through a pipe ('e': broadcast an event, 'q': stop) and waits for
 * its answer on another pipe. */
struct server {
	struct evloop loop;
	struct control_server cs;
	struct ev_handler ctl;
	int ctl_w, ack_r, ack_w;
	bool stop;
	pthread_t thread;
};

static void server_ctl(struct ev_handler *h, uint32_t events)
{
	struct server *s = (struct server *)((char *)h - offsetof(struct server, ctl));
	char cmd;

	if (read(h->fd, &cmd, 1) != 1)
		return;
	if (cmd == 'q') {
		s->stop = true;
	} else if (cmd == 'e') {
		json_t *data = json_pack("{s:i,s:i}", "event", 0, "vcpu", 1);
		control_server_broadcast(&s->cs, "SDEI_EVENT_COMPLETED", data);
		json_decref(data);
	}
	CHECK_EQ(write(s->ack_w, &cmd, 1), 1);
}

static void *server_main(void *arg)
{
	struct server *s = arg;

	while (!s->stop)
		evloop_run_once(&s->loop, -1);
	return NULL;
}

static void server_ask(struct server *s, char cmd)
{
	char ack = 0;

	CHECK_EQ(write(s->ctl_w, &cmd, 1), 1);
	CHECK_EQ(read(s->ack_r, &ack, 1), 1);
	CHECK_EQ(ack, cmd);
}

/* Parses argv words as ternctl would, runs the request on c and returns
 * what ternctl would print (stdout for success, stderr for a QMP error). */
static char *run_words(struct ternctl_conn *c, int *status, const char *first, ...)
{
	char *argv[MAX_ARGV] = {"ternctl", "sock"};
	int argc = 2;
	struct ternctl_request req;
	char why[256];
	va_list ap;
	json_t *reply = NULL;
	struct mem_out m;

	va_start(ap, first);
	for (const char *w = first; w && argc < MAX_ARGV; w = va_arg(ap, const char *))
		argv[argc++] = (char *)w;
	va_end(ap);
	*status = -1;
	CHECK_EQ(ternctl_args_parse(argc, argv, &req, why, sizeof(why)), 0);
	CHECK_EQ(ternctl_conn_execute(c, req.message, req.add_id, ternctl_deadline(5000), &reply),
	         0);
	mem_open(&m);
	if (json_object_get(reply, "error")) {
		ternctl_format_error(m.f, req.command, reply);
		*status = TERNCTL_EXIT_QMP;
	} else {
		CHECK_EQ(ternctl_format_reply(m.f, &req, reply), 0);
		*status = TERNCTL_EXIT_OK;
	}
	fclose(m.f);
	json_decref(reply);
	ternctl_request_free(&req);
	return m.buf;
}

#define RUN(c, status, ...) run_words(c, status, __VA_ARGS__, (const char *)NULL)

static void expect_run(struct ternctl_conn *c, int status, const char *expect, const char *first,
                       const char *second, const char *third)
{
	int got;
	char *out = RUN(c, &got, first, second, third);

	CHECK_EQ(got, status);
	CHECK_STR(out, expect);
	free(out);
}

static void test_end_to_end(struct server *s, const char *path, const char *tcp)
{
	struct ternctl_conn c, other;
	int64_t dl = ternctl_deadline(5000);
	json_t *ev;
	char cper[300];
	int status;
	char *out;

	CHECK_EQ(ternctl_conn_open(&c, path, dl), 0);
	CHECK_EQ(ternctl_conn_negotiate(&c, dl), 0);

	vm.state = QMP_RUN_RUNNING;
	expect_run(&c, 0, "running\n", "status", NULL, NULL);
	expect_run(&c, 0, "", "pause", NULL, NULL);
	CHECK_EQ(vm.state, QMP_RUN_PAUSED);
	expect_run(&c, 0, "paused\n", "status", NULL, NULL);
	expect_run(&c, 0, "", "resume", NULL, NULL);
	CHECK_EQ(vm.state, QMP_RUN_RUNNING);
	expect_run(&c, 0, "{\"running\":true,\"status\":\"running\"}\n", "status", "--json", NULL);
	expect_run(&c, 0,
	           "CPU  CORE  HOST-THREAD QOM-PATH\n"
	           "0    0     77          /machine/unattached/device[0]\n"
	           "1    1     78          /machine/unattached/device[1]\n",
	           "cpus", NULL, NULL);
	expect_run(&c, 0, "version: 1.1\nevents:\n  event  state\n  0      registered\n", "sdei",
	           "status", NULL);
	out = RUN(&c, &status, "sdei", "signal", "0x10", "--vcpu", "1");
	CHECK_EQ(status, 0);
	CHECK_EQ(vm.event, 16);
	CHECK_EQ(vm.vcpu, 1);
	free(out);
	expect_run(&c, 0, "", "sdei", "signal", "3");
	CHECK_EQ(vm.event, 3);
	CHECK_EQ(vm.vcpu, -1);
	expect_run(&c, 1, "ternctl: sdei-signal: event 7 is not registered (GenericError)\n",
	           "sdei", "signal", "7");
	/* a VM without that feature */
	expect_run(&c, 1,
	           "ternctl: system_powerdown: 'system_powerdown' is not available in this VM "
	           "(GenericError)\n",
	           "shutdown", NULL, NULL);
	out = RUN(&c, &status, "ras", "inject", "memory", "--address", "0x4000_1000", "--severity",
	          "fatal", "--source", "3");
	CHECK_EQ(status, 0);
	CHECK_EQ_U64(vm.address, 0x40001000);
	CHECK_EQ(vm.sev, QMP_RAS_FATAL);
	CHECK_EQ(vm.source, 3);
	free(out);
	out = RUN(&c, &status, "ras", "inject", "arm", "--mpidr", "0x80000002");
	CHECK_EQ(status, 0);
	CHECK_EQ(vm.sev, QMP_RAS_RECOVERABLE);
	CHECK(vm.has_mpidr);
	CHECK_EQ_U64(vm.mpidr, 0x80000002);
	free(out);
	snprintf(cper, sizeof(cper), "%s/ternctl-e2e-%d.cper", tmpdir, getpid());
	write_file(cper, "\x00\x01\x02\xfe\xff", 5);
	out = RUN(&c, &status, "ras", "inject", "cper", cper);
	CHECK_EQ(status, 0);
	CHECK_EQ(vm.cper_len, 5);
	CHECK(!memcmp(vm.cper, "\x00\x01\x02\xfe\xff", 5));
	free(out);
	unlink(cper);
	expect_run(&c, 0, "{\"return\":{\"arch\":\"aarch64\"},\"id\":\"mine\"}\n", "raw",
	           "{\"execute\": \"query-target\", \"id\": \"mine\"}", NULL);
	expect_run(&c, 1,
	           "ternctl: no-such: The command 'no-such' does not exist (CommandNotFound)\n",
	           "raw", "{\"execute\": \"no-such\"}", NULL);

	/* An event queued before the reply is skipped by execute, and read
	 * by next_event when it comes later. */
	server_ask(s, 'e');
	expect_run(&c, 0, "running\n", "status", NULL, NULL);
	server_ask(s, 'e');
	CHECK_EQ(ternctl_conn_next_event(&c, dl, &ev), 0);
	CHECK_STR(json_string_value(json_object_get(ev, "event")), "SDEI_EVENT_COMPLETED");
	CHECK_EQ(json_integer_value(json_object_get(json_object_get(ev, "data"), "vcpu")), 1);
	json_decref(ev);

	/* Events reach a second, watching client once it negotiated. */
	CHECK_EQ(ternctl_conn_open(&other, path, dl), 0);
	CHECK_EQ(ternctl_conn_negotiate(&other, dl), 0);
	server_ask(s, 'e');
	CHECK_EQ(ternctl_conn_next_event(&other, dl, &ev), 0);
	CHECK_STR(json_string_value(json_object_get(ev, "event")), "SDEI_EVENT_COMPLETED");
	json_decref(ev);
	ternctl_conn_close(&other);
	ternctl_conn_close(&c);

	/* the same over TCP */
	CHECK_EQ(ternctl_conn_open(&c, tcp, dl), 0);
	CHECK_EQ(ternctl_conn_negotiate(&c, dl), 0);
	expect_run(&c, 0, "running\n", "status", NULL, NULL);
	ternctl_conn_close(&c);
}

/* Listens on a loopback port the kernel picked a moment ago (the server
 * refuses port 0). */
static int listen_tcp(struct control_server *cs, char *spec, size_t n)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t salen = sizeof(sa);
	int probe = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char why[256];
	int rc;

	if (probe < 0 || bind(probe, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(probe, (struct sockaddr *)&sa, &salen)) {
		if (probe >= 0)
			close(probe);
		return -errno;
	}
	close(probe);
	snprintf(spec, n, "tcp:127.0.0.1:%u", ntohs(sa.sin_port));
	rc = control_server_listen_tcp(cs, spec, why, sizeof(why));
	if (rc)
		fprintf(stderr, "%s\n", why);
	return rc;
}

static void test_connect_errors(void)
{
	struct ternctl_conn c;
	char path[300], longpath[200];
	int64_t dl = ternctl_deadline(5000);

	snprintf(path, sizeof(path), "%s/ternctl-none-%d.sock", tmpdir, getpid());
	CHECK_EQ(ternctl_conn_open(&c, path, dl), -ENOENT);
	CHECK(strstr(c.why, "cannot connect to ") != NULL);
	CHECK(strstr(c.why, ": No such file or directory") != NULL);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = 0;
	CHECK_EQ(ternctl_conn_open(&c, longpath, dl), -ENAMETOOLONG);
	CHECK_EQ(ternctl_conn_open(&c, "tcp:nohost", dl), -EINVAL);
	CHECK(strstr(c.why, "want tcp:HOST:PORT") != NULL);
	CHECK_EQ(ternctl_conn_open(&c, "tcp:127.0.0.1:", dl), -EINVAL);
	/* Numeric addresses only: a static ternctl has no resolver. */
	CHECK_EQ(ternctl_conn_open(&c, "tcp:vm-host.example:4444", dl), -EHOSTUNREACH);
	CHECK(strstr(c.why, "numeric address") != NULL);
	CHECK_EQ(ternctl_conn_open(&c, "tcp:127.0.0.1:70000", dl), -EINVAL);
	CHECK(strstr(c.why, "bad port") != NULL);

	/* A server that never accepts: once its backlog is full, connecting
	 * waits, and the deadline ends the wait. */
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), fill[8],
	    nfill = 0;
	unlink(path);
	CHECK(strlen(path) < sizeof(sa.sun_path));
	memcpy(sa.sun_path, path, strnlen(path, sizeof(sa.sun_path) - 1));
	CHECK_EQ(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	CHECK_EQ(listen(lfd, 0), 0);
	while (nfill < 8) {
		fill[nfill] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (connect(fill[nfill], (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			CHECK_EQ(errno, EAGAIN);
			close(fill[nfill]);
			break;
		}
		nfill++;
	}
	CHECK(nfill < 8);
	CHECK_EQ(ternctl_conn_open(&c, path, ternctl_deadline(50)), -ETIMEDOUT);
	CHECK(strstr(c.why, "timed out") != NULL);
	while (nfill)
		close(fill[--nfill]);
	/* their queued connections still fill the backlog until taken */
	for (int afd; (afd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0 || errno != EAGAIN;)
		if (afd >= 0)
			close(afd);

	/* One that accepts (the kernel does) but never greets. */
	CHECK_EQ(ternctl_conn_open(&c, path, dl), 0);
	CHECK_EQ(ternctl_conn_negotiate(&c, ternctl_deadline(50)), -ETIMEDOUT);
	ternctl_conn_close(&c);
	close(lfd);
	unlink(path);
}

int main(void)
{
	const char *tmp = getenv("TERN_TEST_TMP");
	struct server s;
	char path[300], tcp[64], why[256] = "";
	int p[2], a[2];

	snprintf(tmpdir, sizeof(tmpdir), "%s", tmp ? tmp : "/tmp");
	test_commands();
	test_raw_watch_globals();
	test_usage_errors();
	test_numbers_and_base64();
	test_format();
	test_client_script();
	test_connect_errors();

	memset(&s, 0, sizeof(s));
	CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
	CHECK_EQ(pipe2(a, O_CLOEXEC), 0);
	s.ctl.fd = p[0];
	s.ctl.fn = server_ctl;
	s.ctl_w = p[1];
	s.ack_r = a[0];
	s.ack_w = a[1];
	snprintf(path, sizeof(path), "%s/ternctl-%d.sock", tmpdir, getpid());
	CHECK_EQ(evloop_init(&s.loop), 0);
	struct qmp_session_config qcfg = {.commands = qmp_vm_commands,
	                                  .n_commands = qmp_vm_commands_count,
	                                  .ops = &vm_ops,
	                                  .package = "tern test"};
	control_server_init(&s.cs, &s.loop, &qcfg);
	CHECK_EQ(control_server_listen_unix(&s.cs, path, why, sizeof(why)), 0);
	CHECK_EQ(listen_tcp(&s.cs, tcp, sizeof(tcp)), 0);
	CHECK_EQ(evloop_add(&s.loop, &s.ctl, EPOLLIN), 0);
	CHECK_EQ(pthread_create(&s.thread, NULL, server_main, &s), 0);

	test_end_to_end(&s, path, tcp);

	server_ask(&s, 'q');
	pthread_join(s.thread, NULL);
	control_server_close(&s.cs);
	evloop_close(&s.loop);
	close(p[0]);
	close(p[1]);
	close(a[0]);
	close(a[1]);
	return check_summary("test_ternctl");
}
