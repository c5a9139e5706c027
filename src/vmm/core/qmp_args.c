/* QMP errors and the declarative argument checker. */
#include "vmm/core/qmp.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void qmp_error_set(struct qmp_error *err, enum qmp_error_class cls, const char *fmt, ...)
{
	va_list ap;

	if (!err || err->set)
		return;
	err->set = true;
	err->cls = cls;
	va_start(ap, fmt);
	vsnprintf(err->desc, sizeof(err->desc), fmt, ap);
	va_end(ap);
}

const char *qmp_error_class_name(enum qmp_error_class cls)
{
	switch (cls) {
	case QMP_ERROR_COMMAND_NOT_FOUND:
		return "CommandNotFound";
	case QMP_ERROR_DEVICE_NOT_FOUND:
		return "DeviceNotFound";
	case QMP_ERROR_GENERIC:
		break;
	}
	return "GenericError";
}

static const char *arg_type_name(enum qmp_arg_type type)
{
	switch (type) {
	case QMP_ARG_INT:
	case QMP_ARG_UINT:
	case QMP_ARG_UINT32:
		return "integer";
	case QMP_ARG_BOOL:
		return "boolean";
	case QMP_ARG_STRING:
		return "string";
	case QMP_ARG_ARRAY:
		return "array";
	}
	return "value";
}

static int check_one(const struct qmp_arg *a, json_t *v, struct qmp_error *err)
{
	bool ok;

	switch (a->type) {
	case QMP_ARG_INT:
	case QMP_ARG_UINT:
	case QMP_ARG_UINT32:
		ok = json_is_integer(v);
		break;
	case QMP_ARG_BOOL:
		ok = json_is_boolean(v);
		break;
	case QMP_ARG_STRING:
		ok = json_is_string(v);
		break;
	case QMP_ARG_ARRAY:
		ok = json_is_array(v);
		break;
	default:
		ok = false;
	}
	if (!ok) {
		qmp_error_set(err, QMP_ERROR_GENERIC,
		              "Invalid parameter type for '%s', expected: %s", a->name,
		              arg_type_name(a->type));
		return -EINVAL;
	}
	if (a->type == QMP_ARG_UINT && json_integer_value(v) < 0) {
		qmp_error_set(err, QMP_ERROR_GENERIC, "Parameter '%s' must not be negative",
		              a->name);
		return -EINVAL;
	}
	if (a->type == QMP_ARG_UINT32 &&
	    (json_integer_value(v) < 0 || json_integer_value(v) > (json_int_t)UINT32_MAX)) {
		qmp_error_set(err, QMP_ERROR_GENERIC, "Parameter '%s' expects a uint32 (0..%u)",
		              a->name, UINT32_MAX);
		return -EINVAL;
	}
	return 0;
}

int qmp_args_check(const struct qmp_arg *schema, json_t *args, struct qmp_error *err)
{
	const struct qmp_arg *a;
	const char *key;
	json_t *v;

	if (args && !json_is_object(args)) {
		qmp_error_set(err, QMP_ERROR_GENERIC, "'arguments' must be an object");
		return -EINVAL;
	}
	/* Unknown names first: a typo in an optional argument must not be
	 * silently ignored. */
	if (args) {
		json_object_foreach(args, key, v)
		{
			for (a = schema; a && a->name; a++)
				if (!strcmp(a->name, key))
					break;
			if (!a || !a->name) {
				qmp_error_set(err, QMP_ERROR_GENERIC,
				              "Parameter '%s' is unexpected", key);
				return -EINVAL;
			}
		}
	}
	for (a = schema; a && a->name; a++) {
		v = args ? json_object_get(args, a->name) : NULL;
		if (!v) {
			if (a->optional)
				continue;
			qmp_error_set(err, QMP_ERROR_GENERIC, "Parameter '%s' is missing", a->name);
			return -EINVAL;
		}
		if (check_one(a, v, err))
			return -EINVAL;
	}
	return 0;
}

bool qmp_arg_has(json_t *args, const char *name)
{
	return args && json_object_get(args, name);
}

int64_t qmp_arg_int(json_t *args, const char *name, int64_t dflt)
{
	json_t *v = args ? json_object_get(args, name) : NULL;

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

bool qmp_arg_bool(json_t *args, const char *name, bool dflt)
{
	json_t *v = args ? json_object_get(args, name) : NULL;

	return json_is_boolean(v) ? json_is_true(v) : dflt;
}

const char *qmp_arg_str(json_t *args, const char *name, const char *dflt)
{
	json_t *v = args ? json_object_get(args, name) : NULL;

	return json_is_string(v) ? json_string_value(v) : dflt;
}
