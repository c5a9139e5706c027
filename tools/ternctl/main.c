/* ternctl: talk to a running tern through its control socket. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ternctl.h"
#include "ternctl_client.h"

#ifndef TERN_VERSION
#define TERN_VERSION "unknown"
#endif

static int run_execute(struct ternctl_conn *c, const struct ternctl_request *req, int64_t deadline)
{
	json_t *reply = NULL;
	int rc = ternctl_conn_execute(c, req->message, req->add_id, deadline, &reply);

	if (rc) {
		fprintf(stderr, "ternctl: %s: %s\n", req->command, c->why);
		return TERNCTL_EXIT_USAGE;
	}
	if (json_object_get(reply, "error")) {
		/* raw callers asked for the reply, errors included */
		if (req->view == TERNCTL_VIEW_RAW)
			ternctl_format_reply(stdout, req, reply);
		ternctl_format_error(stderr, req->command, reply);
		json_decref(reply);
		return TERNCTL_EXIT_QMP;
	}
	rc = ternctl_format_reply(stdout, req, reply);
	json_decref(reply);
	if (rc) {
		fprintf(stderr, "ternctl: %s: cannot show the reply: %s\n", req->command,
		        strerror(-rc));
		return TERNCTL_EXIT_USAGE;
	}
	return TERNCTL_EXIT_OK;
}

static int run_watch(struct ternctl_conn *c, const struct ternctl_request *req, int64_t deadline)
{
	unsigned long seen = 0;
	json_t *ev;
	int rc;

	/* Callers start watch in the background and wait for this line:
	 * from here on no event is missed. */
	printf("# watching\n");
	fflush(stdout);
	while (!req->watch_count || seen < req->watch_count) {
		const char *name;

		rc = ternctl_conn_next_event(c, deadline, &ev);
		if (rc == -ETIMEDOUT || rc == -EPIPE) {
			if (!req->watch_count)
				return TERNCTL_EXIT_OK;
			fprintf(stderr, "ternctl: watch: %s after %lu of %lu events\n",
			        rc == -EPIPE ? "the connection closed" : "timed out", seen,
			        req->watch_count);
			return TERNCTL_EXIT_QMP;
		}
		if (rc) {
			fprintf(stderr, "ternctl: watch: %s\n", c->why);
			return TERNCTL_EXIT_USAGE;
		}
		name = json_string_value(json_object_get(ev, "event"));
		if (!req->watch_event || !strcmp(name, req->watch_event)) {
			seen++;
			rc = ternctl_format_event(stdout, ev, req->json);
		}
		json_decref(ev);
		if (rc)
			return TERNCTL_EXIT_USAGE;
	}
	return TERNCTL_EXIT_OK;
}

int main(int argc, char *argv[])
{
	struct ternctl_request req;
	struct ternctl_conn conn;
	char why[512];
	int64_t deadline;
	int rc;

	rc = ternctl_args_parse(argc, argv, &req, why, sizeof(why));
	if (rc) {
		fprintf(stderr, "ternctl: %s\n", why);
		if (rc == -EINVAL)
			fprintf(stderr, "Try 'ternctl --help'.\n");
		return TERNCTL_EXIT_USAGE;
	}
	if (req.action == TERNCTL_HELP) {
		ternctl_usage(stdout);
		return TERNCTL_EXIT_OK;
	}
	if (req.action == TERNCTL_VERSION) {
		printf("ternctl %s\n", TERN_VERSION);
		return TERNCTL_EXIT_OK;
	}
	/* One deadline for the whole exchange, connect included. */
	deadline = ternctl_deadline(req.timeout_ms);
	rc = ternctl_conn_open(&conn, req.socket, deadline);
	if (rc) {
		fprintf(stderr, "ternctl: %s\n", conn.why);
		ternctl_request_free(&req);
		return TERNCTL_EXIT_USAGE;
	}
	rc = ternctl_conn_negotiate(&conn, deadline);
	if (rc) {
		fprintf(stderr, "ternctl: %s: %s\n", req.socket, conn.why);
		rc = TERNCTL_EXIT_USAGE;
	} else if (req.action == TERNCTL_WATCH) {
		rc = run_watch(&conn, &req, deadline);
	} else {
		rc = run_execute(&conn, &req, deadline);
	}
	ternctl_conn_close(&conn);
	ternctl_request_free(&req);
	return rc;
}
