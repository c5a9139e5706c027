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

/* A config file holding text is refused with a message containing msg. */
static void expect_bad_file(const char *name, const char *text, const char *msg)
{
	struct vm_config c;
	struct config_error e;
	const char *p = write_tmp(name, text);
	CHECK_EQ(parse(&c, &e, ARGS("--config", (char *)p)), -EINVAL);
	if (!strstr(e.msg, msg))
		fprintf(stderr, "config %s: message '%s' lacks '%s'\n", text, e.msg, msg);
	CHECK(strstr(e.msg, msg) != NULL);
	config_free(&c);
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
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_bad_file("bad.json", bad[i].text, bad[i].msg);
}

static void test_device_flags(void)
{
	struct vm_config c;
	struct config_error e;
	CHECK_EQ(parse(&c, &e,
	               ARGS("--kernel", "/k", "--disk", "/a.img", "--disk", "/b.img,ro,serial=S1",
	                    "--net", "tap=tap0", "--net=tap=tap1,mac=52:54:00:ab:cd:ef", "--rng",
	                    "--acpi", "--control", "/run/t.sock", "--qmp", "tcp:127.0.0.1:4444",
	                    "--sdei-event", "100,private,critical", "--sdei-event",
	                    "0x200,shared,normal")),
	         0);
	CHECK_EQ(c.ndisks, 2);
	CHECK_STR(c.disks[0].path, "/a.img");
	CHECK_EQ(c.disks[0].ro, 0);
	CHECK(c.disks[0].serial == NULL);
	CHECK_STR(c.disks[1].path, "/b.img");
	CHECK_EQ(c.disks[1].ro, 1);
	CHECK_STR(c.disks[1].serial, "S1");
	CHECK_EQ(c.nnets, 2);
	CHECK_STR(c.nets[0].tap, "tap0");
	CHECK_EQ(c.nets[0].has_mac, 0);
	CHECK_STR(c.nets[1].tap, "tap1");
	CHECK_EQ(c.nets[1].has_mac, 1);
	CHECK_EQ(c.nets[1].mac[0], 0x52);
	CHECK_EQ(c.nets[1].mac[5], 0xef);
	CHECK_EQ(c.rng, 1);
	CHECK_EQ(c.acpi, 1);
	CHECK_STR(c.control, "/run/t.sock");
	CHECK_STR(c.qmp, "tcp:127.0.0.1:4444");
	CHECK_EQ(c.n_sdei_events, 2);
	CHECK_EQ(c.sdei_events[0].num, 100);
	CHECK_EQ(c.sdei_events[0].shared, 0);
	CHECK_EQ(c.sdei_events[0].critical, 1);
	CHECK_EQ(c.sdei_events[1].num, 0x200);
	CHECK_EQ(c.sdei_events[1].shared, 1);
	CHECK_EQ(config_validate(&c, &e), 0);
	config_free(&c);

	expect_bad(ARGS("--disk", ""), "--disk wants", 0);
	expect_bad(ARGS("--disk", ",ro"), "--disk wants", 0);
	expect_bad(ARGS("--disk", "/a,rw"), "unknown option 'rw'", 0);
	expect_bad(ARGS("--disk", "/a,serial=123456789012345678901"), "1 to 20", 0);
	expect_bad(ARGS("--net", "tap0"), "--net wants tap=NAME", 0);
	expect_bad(ARGS("--net", "tap="), "--net wants tap=NAME", 0);
	expect_bad(ARGS("--net", "tap=averyveryverylongname"), "up to 15", 0);
	expect_bad(ARGS("--net", "tap=t,mac=01:00:5e:00:00:01"), "not a unicast MAC", 0);
	expect_bad(ARGS("--net", "tap=t,mac=52:54:00:12:34"), "not a unicast MAC", 0);
	expect_bad(ARGS("--net", "tap=t,mac=52-54-00-12-34-56"), "not a unicast MAC", 0);
	expect_bad(ARGS("--net", "mac=52:54:00:12:34:56"), "--net wants tap=NAME", 0);
	expect_bad(ARGS("--sdei-event", "100"), "--sdei-event wants", 0);
	expect_bad(ARGS("--sdei-event", "100,private,urgent"), "--sdei-event wants", 0);
	expect_bad(ARGS("--sdei-event", "0,private,normal"), "NUM from 1", 0);
	expect_bad(ARGS("--sdei-event", "0x10000,shared,normal"), "reserved", 0);
	expect_bad(ARGS("--sdei-event", "5,shared,normal", "--sdei-event", "5,private,normal"),
	           "declared twice", 0);
	expect_bad(ARGS("--kernel", "/k", "--no-sdei", "--sdei-event", "5,shared,normal"),
	           "contradict", 1);

	/* The same from a config file. */
	const char *p =
	        write_tmp("dev.json", "{\"kernel\": \"/k\", \"disks\": [\"/d,ro\"], "
	                              "\"nets\": [\"tap=t0\"], \"rng\": true, \"acpi\": true, "
	                              "\"sdei\": false, \"control\": \"/s\"}");
	CHECK_EQ(parse(&c, &e, ARGS("--config", (char *)p)), 0);
	CHECK_EQ(c.ndisks, 1);
	CHECK_EQ(c.disks[0].ro, 1);
	CHECK_EQ(c.nnets, 1);
	CHECK_EQ(c.rng, 1);
	CHECK_EQ(c.acpi, 1);
	CHECK_EQ(c.no_sdei, 1);
	CHECK_STR(c.control, "/s");
	config_free(&c);
	static const struct {
		const char *text, *msg;
	} bad[] = {
	        {"{\"disks\": \"/d\"}", "\"disks\" must be an array"},
	        {"{\"disks\": [5]}", "\"disks\" must be at most"},
	        {"{\"nets\": [\"bad\"]}", "--net wants"},
	        {"{\"rng\": 1}", "\"rng\" must be true or false"},
	        {"{\"sdei_events\": [\"1,x,y\"]}", "wants NUM"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_bad_file("bad2.json", bad[i].text, bad[i].msg);
}

static void test_jail_flags(void)
{
	struct vm_config c;
	struct config_error e;
	CHECK_EQ(parse(&c, &e,
	               ARGS("--kernel", "/g/Image", "--initrd", "/g/initrd", "--disk",
	                    "/d/a.img,ro", "--jail", "/srv/jail", "--uid", "1000", "--gid=1001",
	                    "--jail-net", "--control", "/run/tern/ctl.sock")),
	         0);
	CHECK_STR(c.jail_dir, "/srv/jail");
	CHECK_EQ(c.jail_uid, 1000);
	CHECK_EQ(c.jail_gid, 1001);
	CHECK_EQ(c.jail_net, 1);
	CHECK_EQ(config_validate(&c, &e), 0);
	config_free(&c);

	/* Without --jail nothing is set; the largest id is accepted; a trailing
	 * '/' on the jail directory is fine. */
	CHECK_EQ(parse(&c, &e, ARGS("--kernel", "/k")), 0);
	CHECK(c.jail_dir == NULL);
	CHECK_EQ(c.jail_uid, -1);
	CHECK_EQ(c.jail_gid, -1);
	CHECK_EQ(c.jail_net, 0);
	config_free(&c);
	CHECK_EQ(parse(&c, &e,
	               ARGS("--kernel", "/k", "--jail", "/j/", "--uid", "4294967294", "--gid", "1",
	                    "--net", "tap=t0", "--qmp", "tcp:127.0.0.1:4444")),
	         0);
	CHECK_EQ(c.jail_uid, 4294967294LL);
	CHECK_EQ(config_validate(&c, &e), 0);
	config_free(&c);

	/* ids: numbers, not root, not -1 */
	expect_bad(ARGS("--uid", "0"), "--uid 0 is root", 0);
	expect_bad(ARGS("--gid", "0"), "--gid 0 is root", 0);
	expect_bad(ARGS("--uid", "-1"), "--uid wants a number from 1 to 4294967294", 0);
	expect_bad(ARGS("--uid", "4294967295"), "--uid wants a number", 0);
	expect_bad(ARGS("--uid", "tern"), "--uid wants a number", 0);
	expect_bad(ARGS("--gid", "12a"), "--gid wants a number", 0);
	expect_bad(ARGS("--gid", ""), "--gid wants a number", 0);
	expect_bad(ARGS("--uid"), "needs a value", 0);

	/* what goes together */
	expect_bad(ARGS("--kernel", "/k", "--uid", "5", "--gid", "5"),
	           "--uid and --gid need --jail", 1);
	expect_bad(ARGS("--kernel", "/k", "--jail-net"), "--jail-net needs --jail", 1);
	expect_bad(ARGS("--kernel", "/k", "--jail", "/j", "--uid", "5"),
	           "--jail needs --uid and --gid", 1);
	expect_bad(ARGS("--kernel", "/k", "--jail", "/j", "--gid", "5"),
	           "--jail needs --uid and --gid", 1);
	expect_bad(ARGS("--kernel", "/k", "--jail", "/j", "--uid", "5", "--gid", "5", "--jail-net",
	                "--net", "tap=t0"),
	           "the --net taps would not be in it", 1);
	expect_bad(ARGS("--kernel", "/k", "--jail", "/j", "--uid", "5", "--gid", "5", "--jail-net",
	                "--qmp", "tcp:127.0.0.1:1"),
	           "--qmp's port would be unreachable", 1);

	/* the jail directory */
	expect_bad(ARGS("--kernel", "/k", "--jail", "/", "--uid", "5", "--gid", "5"),
	           "--jail wants an absolute directory other than /", 1);
	expect_bad(ARGS("--kernel", "/k", "--jail", "jail", "--uid", "5", "--gid", "5"),
	           "--jail wants an absolute directory", 1);
	expect_bad(ARGS("--kernel", "/k", "--jail", "/srv/../jail", "--uid", "5", "--gid", "5"),
	           "--jail wants an absolute directory", 1);

	/* paths bound into the jail: absolute, plain, outside the jail and the
	 * socket's directory */
	static const char *const not_plain[] = {"Image",     "./Image", "/g/../Image", "/g/./Image",
	                                        "/g//Image", "/g/",     "/g/.."};
	for (size_t i = 0; i < sizeof(not_plain) / sizeof(not_plain[0]); i++)
		expect_bad(ARGS("--kernel", (char *)not_plain[i], "--jail", "/j", "--uid", "5",
		                "--gid", "5"),
		           "--kernel '", 1);
	expect_bad(ARGS("--kernel", "/k", "--initrd", "i.cpio", "--jail", "/j", "--uid", "5",
	                "--gid", "5"),
	           "--initrd 'i.cpio' must be an absolute path", 1);
	expect_bad(ARGS("--kernel", "/k", "--disk", "d.img,ro", "--jail", "/j", "--uid", "5",
	                "--gid", "5"),
	           "--disk 'd.img' must be an absolute path", 1);
	expect_bad(ARGS("--kernel", "/k", "--control", "ctl.sock", "--jail", "/j", "--uid", "5",
	                "--gid", "5"),
	           "--control 'ctl.sock' must be an absolute path", 1);
	expect_bad(ARGS("--kernel", "/j/Image", "--jail", "/j", "--uid", "5", "--gid", "5"),
	           "must not be inside the jail directory", 1);
	expect_bad(ARGS("--kernel", "/k", "--disk", "/j/sub/d.img", "--jail", "/j/", "--uid", "5",
	                "--gid", "5"),
	           "--disk '/j/sub/d.img' must not be inside the jail directory", 1);
	expect_bad(ARGS("--kernel", "/k", "--control", "/ctl.sock", "--jail", "/j", "--uid", "5",
	                "--gid", "5"),
	           "a directory of its own, not /", 1);
	expect_bad(ARGS("--kernel", "/run/k", "--control", "/run/ctl.sock", "--jail", "/j", "--uid",
	                "5", "--gid", "5"),
	           "--kernel '/run/k' must not be in the control socket's directory", 1);
	expect_bad(ARGS("--kernel", "/k", "--control", "/srv/ctl.sock", "--jail", "/srv/jail",
	                "--uid", "5", "--gid", "5"),
	           "the jail directory must not be inside the control socket's directory", 1);
	/* a prefix is not a parent */
	CHECK_EQ(parse(&c, &e,
	               ARGS("--kernel", "/jail2/k", "--control", "/run/t/c.sock", "--disk",
	                    "/run/tern/d.img", "--jail", "/jail", "--uid", "5", "--gid", "5")),
	         0);
	CHECK_EQ(config_validate(&c, &e), 0);
	config_free(&c);

	/* The same from a config file. */
	const char *p = write_tmp("jail.json", "{\"kernel\": \"/k\", \"jail\": \"/srv/j\", "
	                                       "\"uid\": 2000, \"gid\": 3000, \"jail_net\": true}");
	CHECK_EQ(parse(&c, &e, ARGS("--config", (char *)p, "--uid", "2001")), 0);
	CHECK_STR(c.jail_dir, "/srv/j");
	CHECK_EQ(c.jail_uid, 2001); /* the flag after the file wins */
	CHECK_EQ(c.jail_gid, 3000);
	CHECK_EQ(c.jail_net, 1);
	CHECK_EQ(config_validate(&c, &e), 0);
	config_free(&c);
	static const struct {
		const char *text, *msg;
	} bad[] = {
	        {"{\"jail\": 5}", "\"jail\" must be a string"},
	        {"{\"uid\": \"1000\"}", "\"uid\" wants a number from 1 to 4294967294"},
	        {"{\"uid\": 0}", "\"uid\" 0 is root"},
	        {"{\"gid\": 0}", "\"gid\" 0 is root"},
	        {"{\"gid\": -1}", "\"gid\" wants a number"},
	        {"{\"gid\": 4294967295}", "\"gid\" wants a number"},
	        {"{\"uid\": 1.5}", "\"uid\" wants a number"},
	        {"{\"jail_net\": 1}", "\"jail_net\" must be true or false"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = write_tmp("bad3.json", bad[i].text);
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
	test_device_flags();
	test_jail_flags();
	return check_summary("test_config");
}
