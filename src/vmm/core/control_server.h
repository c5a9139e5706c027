/* The control socket: a Unix socket (and optionally a loopback TCP port)
 * serving QMP to many clients from the main thread's event loop. A slow or
 * broken client never blocks the loop or the other clients. */
#ifndef TERN_VMM_CONTROL_SERVER_H
#define TERN_VMM_CONTROL_SERVER_H

#include <stddef.h>

#include "vmm/core/evloop.h"
#include "vmm/core/qmp.h"

#define CONTROL_MAX_CLIENTS   64
#define CONTROL_MAX_LISTENERS 2

struct control_client;
struct control_server;

struct control_listener {
	struct ev_handler h;
	struct control_server *cs;
};

struct control_server {
	struct evloop *loop;
	struct qmp_session_config qcfg;
	struct control_listener listener[CONTROL_MAX_LISTENERS];
	unsigned nlisteners;
	char *unix_path; /* removed on close */
	struct control_client *clients[CONTROL_MAX_CLIENTS];
	unsigned long accepted, refused;
};

void control_server_init(struct control_server *cs, struct evloop *loop,
                         const struct qmp_session_config *qcfg);
/* Listens on a Unix socket created 0600. A path that exists is refused when
 * a live server answers on it, and replaced when it is a stale socket.
 * Returns 0 or a negative errno with why[] set. */
int control_server_listen_unix(struct control_server *cs, const char *path, char *why, size_t n);
/* spec is "tcp:HOST:PORT"; HOST must be a loopback address. */
int control_server_listen_tcp(struct control_server *cs, const char *spec, char *why, size_t n);
/* Parses "tcp:HOST:PORT" without listening; for config checks. */
int control_server_parse_tcp(const char *spec, char *host, size_t hostlen, unsigned *port);
/* Sends an event to every client that negotiated capabilities. */
void control_server_broadcast(struct control_server *cs, const char *name, json_t *data);
/* Tries for up to timeout_ms to write out what clients still have pending. */
void control_server_flush(struct control_server *cs, int timeout_ms);
unsigned control_server_nclients(const struct control_server *cs);
void control_server_close(struct control_server *cs);

#endif
