/* `tern run` flags and the JSON config: every accepted form, every error. */
#include <errno.h>
#include <stdlib.h>

#include "check.h"
#include "vmm/core/config.h"

static int parse(struct vm_config *c, struct config_error *e, int argc, char **argv)
{
	config_init(c);
	memset(e, 0, sizeof(*e));
	return config_parse_args(argc, argv, c, e);
}

#define ARGS(...)                                                                                  \
	(sizeof((char *[]){__VA_ARGS__}) / sizeof(char *)), (char *[])                             \
	{                                                                                          \
		__VA_ARGS__                                                                        \
	}

static void test_sizes(void)
{
	uint64_t v;
	CHECK_EQ(config_parse_size("256M", &v), 0);
	CHECK_EQ_U64(v, 256ULL << 20);
	CHECK_EQ(config_parse_size("1G", &v), 0);
	CHECK_EQ_U64(v, 1ULL << 30);
	CHECK_EQ(config_parse_size("2GiB", &v), 0);
	CHECK_EQ_U64(v, 2ULL << 30);
	CHECK_EQ(config_parse_size("512k", &v), 0);
	CHECK_EQ_U64(v, 512ULL << 10);
	CHECK_EQ(config_parse_size("128", &v), 0); /* plain number: MiB */
	CHECK_EQ_U64(v, 128ULL << 20);
	CHECK_EQ(config_parse_size("4096B", &v), 0);
	CHECK_EQ_U64(v, 4096);
	CHECK_EQ(config_parse_size("", &v), -EINVAL);
	CHECK_EQ(config_parse_size("M", &v), -EINVAL);
	CHECK_EQ(config_parse_size("-1G", &v), -EINVAL);
	CHECK_EQ(config_parse_size("12X", &v), -EINVAL);
	CHECK_EQ(config_parse_size("1.5G", &v), -EINVAL);
	CHECK_EQ(config_parse_size("99999999999999999999", &v), -EINVAL);
	CHECK_EQ(config_parse_size("17179869184G", &v), -ERANGE);
}

static void test_good_flags(void)
{
	struct vm_config c;
	struct config_error e;
	CHECK_EQ(parse(&c, &e,
	               ARGS("--kernel", "/k", "--initrd=/i", "--cmdline", "a b", "--cpus", "4",
	                    "--memory=1G", "-v", "-v", "--reboot", "--gic", "v2")),
	         0);
	CHECK_STR(c.kernel, "/k");
	CHECK_STR(c.initrd, "/i");
	CHECK_STR(c.cmdline, "a b");
	CHECK_EQ(c.cpus, 4);
	CHECK_EQ_U64(c.memory, 1ULL << 30);
	CHECK_EQ(c.verbose, 2);
	CHECK_EQ(c.reboot, 1);
	CHECK_EQ(c.gic_version, 2);
	CHECK_EQ(config_validate(&c, &e), 0);
	config_free(&c);

	CHECK_EQ(parse(&c, &e, ARGS("--kernel", "/k")), 0);
	CHECK_EQ(c.cpus, 1);
	CHECK_EQ_U64(c.memory, CONFIG_DEFAULT_MEMORY);
	CHECK(c.cmdline == NULL);
	config_free(&c);

	CHECK_EQ(parse(&c, &e, ARGS("--kernel", "/k", "--help")), 1);
	config_free(&c);
}

/* Each bad command line fails with -EINVAL and a message naming the problem. */
static void expect_bad(int argc, char **argv, const char *msg_part, int validate)
{
	struct vm_config c;
	struct config_error e;
	int r = parse(&c, &e, argc, argv);
	if (!r && validate)
		r = config_validate(&c, &e);
	CHECK_EQ(r, -EINVAL);
	if (!strstr(e.msg, msg_part))
		fprintf(stderr, "message '%s' lacks '%s'\n", e.msg, msg_part);
	CHECK(strstr(e.msg, msg_part) != NULL);
	config_free(&c);
}

static void test_bad_flags(void)
{
	expect_bad(ARGS("--bogus"), "unknown option '--bogus'", 0);
	expect_bad(ARGS("--bogus=1"), "unknown option '--bogus'", 0);
	expect_bad(ARGS("stray"), "unexpected argument 'stray'", 0);
	expect_bad(ARGS("--kernel"), "needs a value", 0);
	expect_bad(ARGS("--cpus", "0"), "--cpus wants a number", 0);
	expect_bad(ARGS("--cpus", "65"), "--cpus wants a number", 0);
	expect_bad(ARGS("--cpus", "2x"), "--cpus wants a number", 0);
	expect_bad(ARGS("--cpus", ""), "--cpus wants a number", 0);
	expect_bad(ARGS("--memory", "lots"), "--memory wants a size", 0);
	expect_bad(ARGS("--gic", "v4"), "--gic wants auto, v2 or v3", 0);
	expect_bad(ARGS("--cpus", "1"), "no kernel given", 1);
	expect_bad(ARGS("--kernel", "/k", "--memory", "8M"), "too little", 1);
	expect_bad(ARGS("--kernel", "/k", "--memory", "1024G"), "more than", 1);
	expect_bad(ARGS("--kernel", "/k", "--memory", "268435457B"), "multiple of 4 KiB", 1);
	expect_bad(ARGS("--kernel", "/k", "--gic", "v2", "--cpus", "9"), "at most 8", 1);
	expect_bad(ARGS("--config", "/nonexistent/tern.json"), "/nonexistent/tern.json", 0);
}

static const char *write_tmp(const char *name, const char *text)
{
	static char path[512];
	const char *dir = getenv("TERN_TEST_TMP");
	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "/tmp", name);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	return path;
}

static void test_config_file(void)
{
	struct vm_config c;
	struct config_error e;
	const char *p =
	        write_tmp("good.json", "{\"kernel\": \"/k\", \"initrd\": \"/i\", "
	                               "\"cmdline\": \"x\", \"cpus\": 2, \"memory\": \"512M\"}");
	/* flags after --config win over the file */
	CHECK_EQ(parse(&c, &e, ARGS("--config", (char *)p, "--cpus", "3")), 0);
	CHECK_STR(c.kernel, "/k");
	CHECK_STR(c.initrd, "/i");
	CHECK_STR(c.cmdline, "x");
	CHECK_EQ(c.cpus, 3);
	CHECK_EQ_U64(c.memory, 512ULL << 20);
	config_free(&c);

	p = write_tmp("mib.json", "{\"kernel\": \"/k\", \"memory\": 300}");
	CHECK_EQ(parse(&c, &e, ARGS("--config", (char *)p)), 0);
	CHECK_EQ_U64(c.memory, 300ULL << 20);
	config_free(&c);

	static const struct {
		const char *text, *msg;
	} bad[] = {
	        {"{\"kernel\": ", "bad.json:"},
	        {"[1, 2]", "must be a JSON object"},
	        {"{\"kernal\": \"/k\"}", "unknown key \"kernal\""},
	        {"{\"kernel\": 5}", "\"kernel\" must be a string"},
	        {"{\"cpus\": \"two\"}", "\"cpus\" must be an integer"},
	        {"{\"cpus\": 0}", "\"cpus\" must be an integer"},
	        {"{\"cpus\": 1.5}", "\"cpus\" must be an integer"},
	        {"{\"memory\": \"huge\"}", "\"memory\" must be"},
	        {"{\"memory\": -5}", "\"memory\" must be"},
	        {"{\"cpus\": 1, \"cpus\": 2}", "bad.json:"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = write_tmp("bad.json", bad[i].text);
		CHECK_EQ(parse(&c, &e, ARGS("--config", (char *)p)), -EINVAL);
		if (!strstr(e.msg, bad[i].msg))
			fprintf(stderr, "config %s: message '%s' lacks '%s'\n", bad[i].text, e.msg,
			        bad[i].msg);
		CHECK(strstr(e.msg, bad[i].msg) != NULL);
		config_free(&c);
	}
}

int main(void)
{
	test_sizes();
	test_good_flags();
	test_bad_flags();
	test_config_file();
	return check_summary("test_config");
}
