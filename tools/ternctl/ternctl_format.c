/* Replies and events as text for people (or as JSON with --json). */
#include "ternctl.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FORMAT_MAX_COLUMNS 32
#define FORMAT_CELL        128

static int print_json_line(FILE *f, json_t *v)
{
	char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	if (!text)
		return -ENOMEM;
	fprintf(f, "%s\n", text);
	free(text);
	return 0;
}

/* A scalar as a person would write it: strings without quotes. */
static const char *scalar_text(json_t *v, char *buf, size_t n)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		return json_string_value(v);
	case JSON_INTEGER:
		snprintf(buf, n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	case JSON_REAL:
		snprintf(buf, n, "%g", json_real_value(v));
		return buf;
	case JSON_TRUE:
		return "true";
	case JSON_FALSE:
		return "false";
	case JSON_NULL:
		return "null";
	case JSON_OBJECT:
		return json_object_size(v) ? "{...}" : "{}";
	case JSON_ARRAY:
		return json_array_size(v) ? "[...]" : "[]";
	}
	return "?";
}

static bool is_scalar(json_t *v)
{
	return !json_is_object(v) && !json_is_array(v);
}

/* Objects whose members are all scalars line up as rows of a table. */
static bool is_table(json_t *arr)
{
	size_t i, cols = 0;
	json_t *row, *cell;
	const char *key;

	if (!json_array_size(arr))
		return false;
	json_array_foreach(arr, i, row)
	{
		if (!json_is_object(row) || !json_object_size(row))
			return false;
		json_object_foreach(row, key, cell) if (!is_scalar(cell)) return false;
	}
	cols = json_object_size(json_array_get(arr, 0));
	return cols <= FORMAT_MAX_COLUMNS;
}

static void print_cell(FILE *f, const char *text, size_t width, bool last)
{
	/* no trailing blanks after the last column */
	if (last)
		fprintf(f, "%s\n", text);
	else
		fprintf(f, "%-*s  ", (int)width, text);
}

static void print_table(FILE *f, json_t *arr, int indent)
{
	const char *names[FORMAT_MAX_COLUMNS];
	size_t width[FORMAT_MAX_COLUMNS], ncols = 0, i, c;
	json_t *row, *cell;
	const char *key;
	char buf[FORMAT_CELL];

	/* Columns are the first row's members; a later row's extra members
	 * would have no heading, so they are left out rather than shifted. */
	json_object_foreach(json_array_get(arr, 0), key, cell)
	{
		names[ncols] = key;
		width[ncols++] = strlen(key);
	}
	json_array_foreach(arr, i, row) for (c = 0; c < ncols; c++)
	{
		cell = json_object_get(row, names[c]);
		size_t w = cell ? strlen(scalar_text(cell, buf, sizeof(buf))) : 1;
		if (w > width[c])
			width[c] = w;
	}
	fprintf(f, "%*s", indent, "");
	for (c = 0; c < ncols; c++)
		print_cell(f, names[c], width[c], c + 1 == ncols);
	json_array_foreach(arr, i, row)
	{
		fprintf(f, "%*s", indent, "");
		for (c = 0; c < ncols; c++) {
			cell = json_object_get(row, names[c]);
			const char *t = cell ? scalar_text(cell, buf, sizeof(buf)) : "-";
			print_cell(f, t, width[c], c + 1 == ncols);
		}
	}
}

static void print_tree(FILE *f, const char *key, json_t *v, int indent);

static void print_members(FILE *f, json_t *obj, int indent)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) print_tree(f, key, v, indent);
}

static void print_items(FILE *f, json_t *arr, int indent)
{
	size_t i;
	json_t *v;
	char buf[FORMAT_CELL];

	if (is_table(arr)) {
		print_table(f, arr, indent);
		return;
	}
	json_array_foreach(arr, i, v)
	{
		if (is_scalar(v) || !(json_object_size(v) || json_array_size(v))) {
			fprintf(f, "%*s- %s\n", indent, "", scalar_text(v, buf, sizeof(buf)));
		} else if (json_is_object(v)) {
			fprintf(f, "%*s-\n", indent, "");
			print_members(f, v, indent + 2);
		} else {
			fprintf(f, "%*s-\n", indent, "");
			print_items(f, v, indent + 2);
		}
	}
}

static bool all_scalars(json_t *arr)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v) if (!is_scalar(v)) return false;
	return true;
}

static void print_tree(FILE *f, const char *key, json_t *v, int indent)
{
	char buf[FORMAT_CELL];
	size_t i;
	json_t *item;

	if (is_scalar(v) || !(json_object_size(v) || json_array_size(v))) {
		fprintf(f, "%*s%s: %s\n", indent, "", key, scalar_text(v, buf, sizeof(buf)));
	} else if (json_is_array(v) && all_scalars(v)) {
		/* short lists of numbers or names read best on one line */
		fprintf(f, "%*s%s: ", indent, "", key);
		json_array_foreach(v, i, item)
		        fprintf(f, "%s%s", i ? ", " : "", scalar_text(item, buf, sizeof(buf)));
		fputc('\n', f);
	} else {
		fprintf(f, "%*s%s:\n", indent, "", key);
		if (json_is_object(v))
			print_members(f, v, indent + 2);
		else
			print_items(f, v, indent + 2);
	}
}

int ternctl_format_tree(FILE *f, json_t *value)
{
	char buf[FORMAT_CELL];

	if (json_is_object(value) && json_object_size(value))
		print_members(f, value, 0);
	else if (json_is_array(value) && json_array_size(value))
		print_items(f, value, 0);
	else
		fprintf(f, "%s\n", scalar_text(value, buf, sizeof(buf)));
	return ferror(f) ? -EIO : 0;
}

static void print_cpus(FILE *f, json_t *cpus)
{
	size_t i;
	json_t *cpu;

	fprintf(f, "%-4s %-5s %-11s %s\n", "CPU", "CORE", "HOST-THREAD", "QOM-PATH");
	json_array_foreach(cpus, i, cpu)
	{
		json_t *props = json_object_get(cpu, "props");
		fprintf(f,
		        "%-4" JSON_INTEGER_FORMAT " %-5" JSON_INTEGER_FORMAT
		        " %-11" JSON_INTEGER_FORMAT " %s\n",
		        json_integer_value(json_object_get(cpu, "cpu-index")),
		        json_integer_value(json_object_get(props, "core-id")),
		        json_integer_value(json_object_get(cpu, "thread-id")),
		        json_string_value(json_object_get(cpu, "qom-path"))
		                ? json_string_value(json_object_get(cpu, "qom-path"))
		                : "-");
	}
}

int ternctl_format_reply(FILE *f, const struct ternctl_request *req, json_t *reply)
{
	json_t *ret = json_object_get(reply, "return");
	const char *status;
	int rc = 0;

	if (req->view == TERNCTL_VIEW_RAW)
		rc = print_json_line(f, reply);
	else if (!ret)
		rc = -EPROTO;
	else if (req->json)
		rc = print_json_line(f, ret);
	else if (req->view == TERNCTL_VIEW_STATUS) {
		status = json_string_value(json_object_get(ret, "status"));
		fprintf(f, "%s\n", status ? status : "unknown");
	} else if (req->view == TERNCTL_VIEW_CPUS && json_is_array(ret))
		print_cpus(f, ret);
	else if (req->view == TERNCTL_VIEW_TREE || req->view == TERNCTL_VIEW_CPUS)
		rc = ternctl_format_tree(f, ret);
	if (!rc && (fflush(f) || ferror(f)))
		rc = -EIO;
	return rc;
}

void ternctl_format_error(FILE *f, const char *command, json_t *reply)
{
	json_t *err = json_object_get(reply, "error");
	const char *desc = json_string_value(json_object_get(err, "desc"));
	const char *cls = json_string_value(json_object_get(err, "class"));

	fprintf(f, "ternctl: %s: %s (%s)\n", command, desc ? desc : "unknown error",
	        cls ? cls : "no class");
}

/* ISO 8601 in UTC with microseconds, or "-" when the server had no clock. */
static void format_timestamp(json_t *ts, char *buf, size_t n)
{
	json_int_t sec = json_integer_value(json_object_get(ts, "seconds"));
	json_int_t usec = json_integer_value(json_object_get(ts, "microseconds"));
	time_t t = (time_t)sec;
	struct tm tm;
	char day[32];

	if (!json_is_integer(json_object_get(ts, "seconds")) || sec < 0 || usec < 0 ||
	    usec > 999999 || !gmtime_r(&t, &tm) ||
	    !strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm)) {
		snprintf(buf, n, "-");
		return;
	}
	snprintf(buf, n, "%s.%06" JSON_INTEGER_FORMAT "Z", day, usec);
}

int ternctl_format_event(FILE *f, json_t *event, bool json)
{
	const char *name = json_string_value(json_object_get(event, "event"));
	json_t *data = json_object_get(event, "data");
	char ts[64];
	char *text = NULL;

	if (json)
		return print_json_line(f, event) || fflush(f) ? -EIO : 0;
	format_timestamp(json_object_get(event, "timestamp"), ts, sizeof(ts));
	if (data) {
		text = json_dumps(data, JSON_COMPACT | JSON_ENCODE_ANY);
		if (!text)
			return -ENOMEM;
	}
	fprintf(f, "%s %s%s%s\n", ts, name ? name : "?", text ? " " : "", text ? text : "");
	free(text);
	return fflush(f) || ferror(f) ? -EIO : 0;
}
