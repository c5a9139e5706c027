/* The declarative argument checker and strict base64, on their own. */
#include "check.h"
#include "vmm/core/qmp.h"
#include "vmm/core/qmp_base64.h"

#include <errno.h>

static const struct qmp_arg schema[] = {
        {"i", QMP_ARG_INT, false},
        {"u", QMP_ARG_UINT, true},
        {"w", QMP_ARG_UINT32, true},
        {"b", QMP_ARG_BOOL, true},
        {"s", QMP_ARG_STRING, true},
        {"a", QMP_ARG_ARRAY, true},
        {0},
};

/* Returns the checker's verdict for the JSON text; desc gets the error. */
static int check_text(const struct qmp_arg *sch, const char *text, char *desc, size_t len)
{
	struct qmp_error err = {0};
	json_t *args = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
	int rc;

	rc = qmp_args_check(sch, args, &err);
	CHECK_EQ(rc != 0, err.set);
	snprintf(desc, len, "%s", err.set ? err.desc : "");
	json_decref(args);
	return rc;
}

static void test_args(void)
{
	char d[256];
	json_t *args;

	CHECK_EQ(check_text(schema, "{\"i\":-5}", d, sizeof(d)), 0);
	CHECK_EQ(check_text(schema,
	                    "{\"i\":0,\"u\":9223372036854775807,\"w\":4294967295,\"b\":false,"
	                    "\"s\":\"\",\"a\":[]}",
	                    d, sizeof(d)),
	         0);
	CHECK_EQ(check_text(schema, NULL, d, sizeof(d)), -EINVAL);
	CHECK_STR(d, "Parameter 'i' is missing");
	CHECK_EQ(check_text(schema, "{}", d, sizeof(d)), -EINVAL);
	CHECK_STR(d, "Parameter 'i' is missing");
	CHECK_EQ(check_text(schema, "[]", d, sizeof(d)), -EINVAL);
	CHECK_STR(d, "'arguments' must be an object");
	CHECK_EQ(check_text(schema, "{\"i\":1,\"I\":1}", d, sizeof(d)), -EINVAL);
	CHECK_STR(d, "Parameter 'I' is unexpected");
	/* An unknown name is reported even when a required one is missing. */
	CHECK_EQ(check_text(schema, "{\"x\":1}", d, sizeof(d)), -EINVAL);
	CHECK_STR(d, "Parameter 'x' is unexpected");
	CHECK_EQ(check_text(schema, "{\"i\":1.0}", d, sizeof(d)), -EINVAL);
	CHECK_STR(d, "Invalid parameter type for 'i', expected: integer");
	CHECK_EQ(check_text(schema, "{\"i\":null}", d, sizeof(d)), -EINVAL);
	CHECK_EQ(check_text(schema, "{\"i\":1,\"u\":-1}", d, sizeof(d)), -EINVAL);
	CHECK_STR(d, "Parameter 'u' must not be negative");
	CHECK_EQ(check_text(schema, "{\"i\":1,\"w\":4294967296}", d, sizeof(d)), -EINVAL);
	CHECK_EQ(check_text(schema, "{\"i\":1,\"w\":-1}", d, sizeof(d)), -EINVAL);
	CHECK_EQ(check_text(schema, "{\"i\":1,\"b\":1}", d, sizeof(d)), -EINVAL);
	CHECK_STR(d, "Invalid parameter type for 'b', expected: boolean");
	CHECK_EQ(check_text(schema, "{\"i\":1,\"s\":[]}", d, sizeof(d)), -EINVAL);
	CHECK_STR(d, "Invalid parameter type for 's', expected: string");
	CHECK_EQ(check_text(schema, "{\"i\":1,\"a\":{}}", d, sizeof(d)), -EINVAL);
	CHECK_STR(d, "Invalid parameter type for 'a', expected: array");

	/* No schema: no arguments allowed, but an empty object is fine. */
	CHECK_EQ(check_text(NULL, NULL, d, sizeof(d)), 0);
	CHECK_EQ(check_text(NULL, "{}", d, sizeof(d)), 0);
	CHECK_EQ(check_text(NULL, "{\"a\":1}", d, sizeof(d)), -EINVAL);

	args = json_pack("{s:I,s:b,s:s}", "i", (json_int_t)-7, "b", 1, "s", "x");
	CHECK(qmp_arg_has(args, "i"));
	CHECK(!qmp_arg_has(args, "u"));
	CHECK(!qmp_arg_has(NULL, "u"));
	CHECK_EQ(qmp_arg_int(args, "i", 0), -7);
	CHECK_EQ(qmp_arg_int(args, "u", 42), 42);
	CHECK_EQ(qmp_arg_int(args, "s", 42), 42);
	CHECK(qmp_arg_bool(args, "b", false));
	CHECK(!qmp_arg_bool(args, "i", false));
	CHECK_STR(qmp_arg_str(args, "s", NULL), "x");
	CHECK_STR(qmp_arg_str(args, "i", "dflt"), "dflt");
	json_decref(args);
}

static void test_error_set(void)
{
	struct qmp_error err = {0};
	char longname[400];

	qmp_error_set(&err, QMP_ERROR_DEVICE_NOT_FOUND, "first %d", 1);
	qmp_error_set(&err, QMP_ERROR_GENERIC, "second");
	CHECK(err.set);
	CHECK_EQ(err.cls, QMP_ERROR_DEVICE_NOT_FOUND);
	CHECK_STR(err.desc, "first 1");
	qmp_error_set(NULL, QMP_ERROR_GENERIC, "ignored");

	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	memset(&err, 0, sizeof(err));
	qmp_error_set(&err, QMP_ERROR_GENERIC, "%s", longname);
	CHECK_EQ(strlen(err.desc), sizeof(err.desc) - 1);
	CHECK_STR(qmp_error_class_name(QMP_ERROR_GENERIC), "GenericError");
	CHECK_STR(qmp_error_class_name(QMP_ERROR_COMMAND_NOT_FOUND), "CommandNotFound");
	CHECK_STR(qmp_error_class_name(QMP_ERROR_DEVICE_NOT_FOUND), "DeviceNotFound");
}

static int b64(const char *in, uint8_t *out, size_t cap, size_t *len)
{
	*len = 12345;
	return qmp_base64_decode(in, strlen(in), out, cap, len);
}

static void test_base64(void)
{
	uint8_t out[16];
	size_t len;

	CHECK_EQ(b64("", out, sizeof(out), &len), 0);
	CHECK_EQ(len, 0);
	CHECK_EQ(b64("Zg==", out, sizeof(out), &len), 0);
	CHECK_EQ(len, 1);
	CHECK_EQ(out[0], 'f');
	CHECK_EQ(b64("Zm8=", out, sizeof(out), &len), 0);
	CHECK_EQ(len, 2);
	CHECK(!memcmp(out, "fo", 2));
	CHECK_EQ(b64("Zm9vYmFy", out, sizeof(out), &len), 0);
	CHECK_EQ(len, 6);
	CHECK(!memcmp(out, "foobar", 6));
	CHECK_EQ(b64("+/+/", out, sizeof(out), &len), 0);
	CHECK_EQ(len, 3);
	CHECK_EQ(out[0], 0xfb);
	CHECK_EQ(out[1], 0xff);
	CHECK_EQ(out[2], 0xbf);

	CHECK_EQ(b64("Zg", out, sizeof(out), &len), -EINVAL);       /* unpadded */
	CHECK_EQ(b64("Zg=", out, sizeof(out), &len), -EINVAL);      /* short */
	CHECK_EQ(b64("Zh==", out, sizeof(out), &len), -EINVAL);     /* stray bits */
	CHECK_EQ(b64("Zm9=", out, sizeof(out), &len), -EINVAL);     /* stray bits */
	CHECK_EQ(b64("Z===", out, sizeof(out), &len), -EINVAL);     /* too much padding */
	CHECK_EQ(b64("Zg==Zg==", out, sizeof(out), &len), -EINVAL); /* padding inside */
	CHECK_EQ(b64("Z=g=", out, sizeof(out), &len), -EINVAL);
	CHECK_EQ(b64("Zm 9", out, sizeof(out), &len), -EINVAL);
	CHECK_EQ(b64("Zm-_", out, sizeof(out), &len), -EINVAL); /* URL alphabet */
	CHECK_EQ(b64("Zm9v\n", out, sizeof(out), &len), -EINVAL);
	CHECK_EQ(qmp_base64_decode("Zm9\0", 4, out, sizeof(out), &len), -EINVAL);
	CHECK_EQ(b64("Zm9vYmFy", out, 5, &len), -ENOSPC);
	CHECK_EQ(b64("Zm9vYg==", out, 4, &len), 0);
	CHECK_EQ(len, 4);
	CHECK_EQ(qmp_base64_decoded_max(8), 6);
}

int main(void)
{
	test_args();
	test_error_set();
	test_base64();
	return check_summary("test_qmp_args");
}
