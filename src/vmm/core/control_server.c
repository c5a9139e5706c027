#include "vmm/core/control_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "vmm/core/errmsg.h"
#include "vmm/core/log.h"

/* Bytes read from one client per wakeup: bounds how long one busy client
 * can hold the loop before the others get their turn. */
#define READ_BUDGET ((size_t)64 * 1024)

struct control_client {
	struct ev_handler h;
	struct control_server *cs;
	struct qmp_session *sess;
	unsigned slot;
	uint32_t events;
};

void control_server_init(struct control_server *cs, struct evloop *loop,
                         const struct qmp_session_config *qcfg)
{
	memset(cs, 0, sizeof(*cs));
	cs->loop = loop;
	cs->qcfg = *qcfg;
}

static void client_close(struct control_client *c)
{
	struct control_server *cs = c->cs;
	evloop_del(cs->loop, &c->h);
	close(c->h.fd);
	qmp_session_destroy(c->sess);
	cs->clients[c->slot] = NULL;
	free(c);
}

/* Writes what it can without blocking. Returns 0 while the client lives, or
 * -EPIPE after closing it. */
static int client_flush(struct control_client *c)
{
	size_t len;
	const uint8_t *out;
	while ((out = qmp_session_output(c->sess, &len)) && len) {
		ssize_t w = send(c->h.fd, out, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (w <= 0) {
			client_close(c);
			return -EPIPE;
		}
		qmp_session_consume(c->sess, (size_t)w);
	}
	if (!qmp_session_output(c->sess, &len))
		len = 0;
	/* A session that wants to end (overflowed backlog, or asked to) gets
	 * what the socket takes now and no more: waiting on a client that does
	 * not read is how one client could pin memory forever. */
	if (qmp_session_wants_close(c->sess)) {
		client_close(c);
		return -EPIPE;
	}
	uint32_t want = EPOLLIN | EPOLLRDHUP | (len ? EPOLLOUT : 0);
	if (want != c->events && !evloop_mod(c->cs->loop, &c->h, want))
		c->events = want;
	return 0;
}

static void client_event(struct ev_handler *h, uint32_t events)
{
	struct control_client *c = (struct control_client *)h;
	if (events & EPOLLIN) {
		uint8_t buf[4096];
		size_t budget = READ_BUDGET;
		while (budget) {
			ssize_t r = recv(h->fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				break;
			if (r <= 0) {
				/* Hung up (maybe mid-message): answer what was
				 * complete, then let go. */
				if (client_flush(c) == 0)
					client_close(c);
				return;
			}
			budget -= (size_t)r < budget ? (size_t)r : budget;
			if (qmp_session_input(c->sess, buf, (size_t)r) < 0)
				break;
		}
	}
	if (client_flush(c))
		return;
	if (events & (EPOLLERR | EPOLLHUP))
		client_close(c);
}

static void accept_event(struct ev_handler *h, uint32_t events)
{
	struct control_server *cs = ((struct control_listener *)h)->cs;
	(void)events;
	for (;;) {
		int fd = accept4(h->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				log_warn("control socket: accept: %s", strerror(errno));
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return;
		}
		unsigned slot = CONTROL_MAX_CLIENTS;
		for (unsigned i = 0; i < CONTROL_MAX_CLIENTS; i++)
			if (!cs->clients[i]) {
				slot = i;
				break;
			}
		struct control_client *c =
		        slot < CONTROL_MAX_CLIENTS ? calloc(1, sizeof(*c)) : NULL;
		if (!c || qmp_session_create(&cs->qcfg, &c->sess)) {
			static const char busy[] = "{\"error\": {\"class\": \"GenericError\", "
			                           "\"desc\": \"too many control clients\"}}\r\n";
			if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
				log_debug("control socket: refused client: %s", strerror(errno));
			close(fd);
			free(c);
			cs->refused++;
			continue;
		}
		c->cs = cs;
		c->slot = slot;
		c->h.fd = fd;
		c->h.fn = client_event;
		c->events = EPOLLIN | EPOLLRDHUP;
		if (evloop_add(cs->loop, &c->h, c->events)) {
			close(fd);
			qmp_session_destroy(c->sess);
			free(c);
			continue;
		}
		cs->clients[slot] = c;
		cs->accepted++;
		client_flush(c); /* the greeting */
	}
}

static int add_listener(struct control_server *cs, int fd)
{
	if (cs->nlisteners == CONTROL_MAX_LISTENERS)
		return -ENOSPC;
	struct control_listener *l = &cs->listener[cs->nlisteners];
	l->cs = cs;
	l->h.fd = fd;
	l->h.fn = accept_event;
	int r = evloop_add(cs->loop, &l->h, EPOLLIN);
	if (r)
		return r;
	cs->nlisteners++;
	return 0;
}

int control_server_listen_unix(struct control_server *cs, const char *path, char *why, size_t n)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		return errmsg_set(why, n, 0, "control socket path '%s' is too long", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);

	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return errmsg_set(why, n, 0,
			                  "control socket path '%s' exists and is not a socket",
			                  path);
		int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int live = probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0;
		if (probe >= 0)
			close(probe);
		if (live)
			return errmsg_set(why, n, 0,
			                  "control socket '%s' is in use by a running VMM", path);
		unlink(path); /* stale: its server is gone */
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errmsg_set(why, n, errno, "control socket");
	/* Created 0600 from the start: no window where others could connect. */
	mode_t old = umask(0177);
	int r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	int bind_err = errno;
	umask(old);
	if (r < 0) {
		close(fd);
		return errmsg_set(why, n, bind_err, "cannot create control socket '%s'", path);
	}
	if (listen(fd, 128) < 0 || add_listener(cs, fd)) {
		int e = errno;
		close(fd);
		unlink(path);
		return errmsg_set(why, n, e, "cannot listen on control socket '%s'", path);
	}
	cs->unix_path = strdup(path);
	return 0;
}

int control_server_parse_tcp(const char *spec, char *host, size_t hostlen, unsigned *port)
{
	if (strncmp(spec, "tcp:", 4))
		return -EINVAL;
	const char *h = spec + 4;
	const char *colon = strrchr(h, ':');
	if (!colon || colon == h || (size_t)(colon - h) >= hostlen)
		return -EINVAL;
	char *end;
	errno = 0;
	unsigned long p = strtoul(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || p == 0 || p > 65535)
		return -EINVAL;
	memcpy(host, h, (size_t)(colon - h));
	host[colon - h] = 0;
	*port = (unsigned)p;
	return 0;
}

int control_server_listen_tcp(struct control_server *cs, const char *spec, char *why, size_t n)
{
	char host[64];
	unsigned port;
	if (control_server_parse_tcp(spec, host, sizeof(host), &port))
		return errmsg_set(why, n, 0, "--qmp wants tcp:127.0.0.1:PORT, not '%s'", spec);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	if (!strcmp(host, "localhost"))
		snprintf(host, sizeof(host), "127.0.0.1");
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1 || (ntohl(sa.sin_addr.s_addr) >> 24) != 127)
		return errmsg_set(
		        why, n, 0,
		        "--qmp listens on loopback only (127.x.x.x or localhost), not '%s'", host);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errmsg_set(why, n, errno, "QMP TCP socket");
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 128) < 0 ||
	    add_listener(cs, fd)) {
		int e = errno;
		close(fd);
		return errmsg_set(why, n, e, "cannot listen on %s", spec);
	}
	return 0;
}

void control_server_broadcast(struct control_server *cs, const char *name, json_t *data)
{
	for (unsigned i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		struct control_client *c = cs->clients[i];
		if (!c || !qmp_session_negotiated(c->sess))
			continue;
		qmp_session_emit_event(c->sess, name, data);
		client_flush(c);
	}
}

void control_server_flush(struct control_server *cs, int timeout_ms)
{
	for (unsigned i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		struct control_client *c = cs->clients[i];
		size_t len;
		if (!c || !qmp_session_output(c->sess, &len) || !len)
			continue;
		struct pollfd p = {.fd = c->h.fd, .events = POLLOUT};
		while (cs->clients[i] == c && qmp_session_output(c->sess, &len) && len &&
		       poll(&p, 1, timeout_ms) == 1) {
			if (client_flush(c))
				break;
		}
	}
}

unsigned control_server_nclients(const struct control_server *cs)
{
	unsigned n = 0;
	for (unsigned i = 0; i < CONTROL_MAX_CLIENTS; i++)
		n += cs->clients[i] != NULL;
	return n;
}

void control_server_close(struct control_server *cs)
{
	for (unsigned i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (cs->clients[i])
			client_close(cs->clients[i]);
	for (unsigned i = 0; i < cs->nlisteners; i++) {
		evloop_del(cs->loop, &cs->listener[i].h);
		close(cs->listener[i].h.fd);
	}
	cs->nlisteners = 0;
	if (cs->unix_path) {
		unlink(cs->unix_path);
		free(cs->unix_path);
		cs->unix_path = NULL;
	}
}
