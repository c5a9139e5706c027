/* A blocking QMP client connection with deadlines: connect, negotiate,
 * execute one command at a time, read events. Every server message is one
 * JSON object on a line ending in "\r\n" (docs/control.md). */
#ifndef TERN_TOOLS_TERNCTL_CLIENT_H
#define TERN_TOOLS_TERNCTL_CLIENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A server line longer than this is a protocol error, not a reason to
 * grow without bound. */
#define TERNCTL_MAX_LINE ((size_t)16 * 1024 * 1024)

struct ternctl_conn {
	int fd;
	char *buf; /* bytes read but not yet returned as messages */
	size_t len, cap;
	json_t *greeting; /* the server's "QMP" object after negotiation */
	json_int_t next_id;
	char why[256]; /* what went wrong, for the last failing call */
};

/* A deadline in CLOCK_MONOTONIC milliseconds, or -1 for none. */
int64_t ternctl_deadline(int timeout_ms);

/* Takes over an already connected socket (tests use a socketpair). */
void ternctl_conn_init(struct ternctl_conn *c, int fd);
/* target: a Unix socket path, or "tcp:HOST:PORT". */
int ternctl_conn_open(struct ternctl_conn *c, const char *target, int64_t deadline);
void ternctl_conn_close(struct ternctl_conn *c);

/* Reads the greeting and sends qmp_capabilities. */
int ternctl_conn_negotiate(struct ternctl_conn *c, int64_t deadline);
/* Sends msg (adding a fresh "id" when add_id) and waits for its reply,
 * skipping events. *reply is a new reference holding "return" or "error".
 * Returns 0 for either; a negative errno when the exchange failed. */
int ternctl_conn_execute(struct ternctl_conn *c, json_t *msg, bool add_id, int64_t deadline,
                         json_t **reply);
/* The next message from the server, whatever it is. -EPIPE: the server
 * closed the connection; -ETIMEDOUT: the deadline passed. */
int ternctl_conn_read(struct ternctl_conn *c, int64_t deadline, json_t **msg);
/* The next event, skipping anything else. */
int ternctl_conn_next_event(struct ternctl_conn *c, int64_t deadline, json_t **event);

#endif
