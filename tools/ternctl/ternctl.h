/* ternctl: the command-line client of tern's QMP control socket.
 *
 * The work is split so that everything but the socket I/O in main.c can be
 * tested in-process: ternctl_args.c turns argv into a struct
 * ternctl_request, ternctl_client.c speaks QMP over a socket, and
 * ternctl_format.c turns replies and events into text. */
#ifndef TERN_TOOLS_TERNCTL_H
#define TERN_TOOLS_TERNCTL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit statuses, part of the documented interface. */
#define TERNCTL_EXIT_OK    0
#define TERNCTL_EXIT_QMP   1 /* the VM answered with an error */
#define TERNCTL_EXIT_USAGE 2 /* bad usage, or cannot talk to the VM */

#define TERNCTL_DEFAULT_TIMEOUT_MS 10000

/* Largest CPER file read for "ras inject cper"; the server takes 4 KiB,
 * a little more lets it be the one that says the record is too large. */
#define TERNCTL_CPER_FILE_MAX ((size_t)64 * 1024)

enum ternctl_action {
	TERNCTL_EXECUTE, /* send one command, show its reply */
	TERNCTL_WATCH,   /* show events as they come */
	TERNCTL_HELP,
	TERNCTL_VERSION,
};

/* How a successful reply is shown without --json. */
enum ternctl_view {
	TERNCTL_VIEW_NONE,   /* actions: silence means success */
	TERNCTL_VIEW_STATUS, /* query-status: the status word */
	TERNCTL_VIEW_CPUS,   /* query-cpus-fast: a table */
	TERNCTL_VIEW_TREE,   /* any JSON: indented key/value lines */
	TERNCTL_VIEW_RAW,    /* the whole reply message as JSON */
};

struct ternctl_request {
	enum ternctl_action action;
	const char *socket; /* a Unix socket path or "tcp:HOST:PORT" */
	bool json;
	int timeout_ms; /* < 0: wait forever */
	/* TERNCTL_EXECUTE: the message to send ({"execute", "arguments"?}),
	 * sent as is for "raw"; other commands get an id added. */
	json_t *message;
	const char *command; /* names the command in error messages */
	bool add_id;
	enum ternctl_view view;
	/* TERNCTL_WATCH */
	unsigned long watch_count; /* 0: no limit */
	const char *watch_event;   /* NULL: every event */
};

/* Fills req from argv (argv[0] is the program name). Returns 0, or
 * -EINVAL with why[] saying what is wrong (the caller prints it and the
 * usage hint), or -ENOMEM / another errno for a file that cannot be read.
 * req->message is a new reference; release with ternctl_request_free(). */
int ternctl_args_parse(int argc, char *const argv[], struct ternctl_request *req, char *why,
                       size_t n);
void ternctl_request_free(struct ternctl_request *req);

/* Decimal or 0x-hex, with '_' allowed between digits (0x4000_0000).
 * Returns 0, or -EINVAL / -ERANGE when text is not a number <= max. */
int ternctl_parse_u64(const char *text, uint64_t max, uint64_t *out);

/* Standard padded base64 of in[0..len); a malloc'd string or NULL. */
char *ternctl_base64(const uint8_t *in, size_t len);

void ternctl_usage(FILE *f);

/* Prints a successful reply's "return" value in req's view (or as one JSON
 * line with --json). Returns 0 or -EIO when f fails. */
int ternctl_format_reply(FILE *f, const struct ternctl_request *req, json_t *reply);
/* "ternctl: <command>: <desc> (<class>)" for an error reply. */
void ternctl_format_error(FILE *f, const char *command, json_t *reply);
/* One event per line: timestamp, name, data (or the event as JSON). */
int ternctl_format_event(FILE *f, json_t *event, bool json);
/* Any JSON value as indented "key: value" lines; arrays of flat objects
 * become tables. */
int ternctl_format_tree(FILE *f, json_t *value);

#endif
