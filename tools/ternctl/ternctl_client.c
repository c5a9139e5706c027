/* QMP over a stream socket, one blocking request at a time. */
#include "ternctl_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

__attribute__((format(printf, 3, 4))) static int conn_fail(struct ternctl_conn *c, int err,
                                                           const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
	return err;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t ternctl_deadline(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
}

/* Waits for events on fd until the deadline. Returns 0 when ready,
 * -ETIMEDOUT, or another negative errno. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd p = {.fd = fd, .events = events};

	for (;;) {
		int ms = -1, r;

		if (deadline >= 0) {
			int64_t left = deadline - now_ms();
			if (left <= 0)
				return -ETIMEDOUT;
			ms = left > 60000 ? 60000 : (int)left;
		}
		r = poll(&p, 1, ms);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

void ternctl_conn_init(struct ternctl_conn *c, int fd)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->next_id = 1;
	/* Deadlines are kept with poll(); a blocking read must never hang. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static int open_unix(struct ternctl_conn *c, const char *path, int64_t deadline)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;
	int64_t left = deadline < 0 ? 0 : deadline - now_ms();
	struct timeval tv = {.tv_sec = left / 1000, .tv_usec = (left % 1000) * 1000};

	if (strlen(path) >= sizeof(sa.sun_path))
		return conn_fail(c, -ENAMETOOLONG, "cannot connect to %s: %s", path,
		                 strerror(ENAMETOOLONG));
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return conn_fail(c, -errno, "socket: %s", strerror(errno));
	/* A non-blocking local connect cannot be waited for, and a blocking
	 * one waits as long as the server's backlog is full (a hung VMM);
	 * Linux bounds it by the send timeout. */
	if (deadline >= 0 && left <= 0) {
		close(fd);
		return conn_fail(c, -ETIMEDOUT, "cannot connect to %s: timed out", path);
	}
	if (deadline >= 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno == EAGAIN ? ETIMEDOUT : errno;
		close(fd);
		return conn_fail(c, -e, "cannot connect to %s: %s", path,
		                 e == ETIMEDOUT ? "timed out" : strerror(e));
	}
	ternctl_conn_init(c, fd);
	return 0;
}

static int connect_addr(const struct sockaddr *sa, socklen_t salen, int64_t deadline)
{
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int err = 0, rc;
	socklen_t len = sizeof(err);

	if (fd < 0)
		return -errno;
	if (connect(fd, sa, salen) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		err = errno;
		close(fd);
		return -err;
	}
	rc = wait_fd(fd, POLLOUT, deadline);
	if (!rc && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		rc = -errno;
	if (!rc && err)
		rc = -err;
	if (rc) {
		close(fd);
		return rc;
	}
	return fd;
}

/* Numeric addresses only (and "localhost"): tern's QMP TCP listener is
 * loopback-only, and a static binary has no resolver to ask for names. */
static int open_tcp(struct ternctl_conn *c, const char *target, int64_t deadline)
{
	const char *spec = target + 4, *colon = strrchr(spec, ':');
	struct sockaddr_storage ss;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	socklen_t salen;
	char host[256], *end;
	size_t hl;
	unsigned long port;
	int fd;

	if (!colon || colon == spec || !colon[1])
		return conn_fail(c, -EINVAL, "%s: want tcp:HOST:PORT", target);
	hl = (size_t)(colon - spec);
	/* [::1] style, so that an IPv6 address's own colons are not the port's */
	if (spec[0] == '[' && hl >= 2 && spec[hl - 1] == ']') {
		spec++;
		hl -= 2;
	}
	if (hl >= sizeof(host))
		return conn_fail(c, -EINVAL, "%s: host name too long", target);
	memcpy(host, spec, hl);
	host[hl] = 0;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || *end || !port || port > 65535)
		return conn_fail(c, -EINVAL, "%s: bad port '%s'", target, colon + 1);
	memset(&ss, 0, sizeof(ss));
	if (!strcmp(host, "localhost"))
		snprintf(host, sizeof(host), "127.0.0.1");
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		salen = sizeof(*in4);
	} else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		salen = sizeof(*in6);
	} else {
		return conn_fail(c, -EHOSTUNREACH,
		                 "cannot connect to %s: give a numeric address (or localhost)",
		                 target);
	}
	fd = connect_addr((struct sockaddr *)&ss, salen, deadline);
	if (fd < 0)
		return conn_fail(c, fd, "cannot connect to %s: %s", target,
		                 fd == -ETIMEDOUT ? "timed out" : strerror(-fd));
	ternctl_conn_init(c, fd);
	return 0;
}

int ternctl_conn_open(struct ternctl_conn *c, const char *target, int64_t deadline)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (!strncmp(target, "tcp:", 4))
		return open_tcp(c, target, deadline);
	return open_unix(c, target, deadline);
}

void ternctl_conn_close(struct ternctl_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
	c->len = c->cap = 0;
	json_decref(c->greeting);
	c->greeting = NULL;
}

static int send_all(struct ternctl_conn *c, const char *p, size_t len, int64_t deadline)
{
	while (len) {
		ssize_t w = send(c->fd, p, len, MSG_NOSIGNAL);
		int rc;

		if (w > 0) {
			p += w;
			len -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return conn_fail(c, -errno, "send: %s", strerror(errno));
		rc = wait_fd(c->fd, POLLOUT, deadline);
		if (rc)
			return conn_fail(c, rc, "send: %s",
			                 rc == -ETIMEDOUT ? "timed out" : strerror(-rc));
	}
	return 0;
}

static int send_msg(struct ternctl_conn *c, json_t *msg, int64_t deadline)
{
	/* Compact and ASCII: the server accepts any UTF-8, but one line of
	 * plain bytes is easiest to read in a packet trace. */
	char *text = json_dumps(msg, JSON_COMPACT | JSON_ENSURE_ASCII);
	int rc;

	if (!text)
		return conn_fail(c, -ENOMEM, "cannot encode the request");
	rc = send_all(c, text, strlen(text), deadline);
	free(text);
	return rc;
}

/* Takes one complete line out of the buffer, if there is one. */
static int take_line(struct ternctl_conn *c, json_t **msg)
{
	char *nl = c->len ? memchr(c->buf, '\n', c->len) : NULL;
	size_t used, n;
	json_error_t jerr;

	if (!nl)
		return -EAGAIN;
	used = (size_t)(nl - c->buf) + 1;
	n = used - 1;
	if (n && c->buf[n - 1] == '\r')
		n--;
	*msg = json_loadb(c->buf, n, JSON_REJECT_DUPLICATES, &jerr);
	memmove(c->buf, c->buf + used, c->len - used);
	c->len -= used;
	if (!*msg)
		return conn_fail(c, -EPROTO, "the server sent something that is not JSON: %s",
		                 jerr.text);
	if (!json_is_object(*msg)) {
		json_decref(*msg);
		*msg = NULL;
		return conn_fail(c, -EPROTO, "the server sent a JSON value that is not an object");
	}
	return 0;
}

int ternctl_conn_read(struct ternctl_conn *c, int64_t deadline, json_t **msg)
{
	*msg = NULL;
	for (;;) {
		ssize_t r;
		int rc = take_line(c, msg);

		if (rc != -EAGAIN)
			return rc;
		if (c->len == c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 4096;
			char *nb;

			if (c->cap >= TERNCTL_MAX_LINE)
				return conn_fail(c, -EMSGSIZE,
				                 "the server sent a line over %zu bytes",
				                 TERNCTL_MAX_LINE);
			nb = realloc(c->buf, cap);
			if (!nb)
				return conn_fail(c, -ENOMEM, "out of memory");
			c->buf = nb;
			c->cap = cap;
		}
		r = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (r > 0) {
			c->len += (size_t)r;
			continue;
		}
		if (r == 0)
			return conn_fail(c, -EPIPE, "the server closed the connection");
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return conn_fail(c, -errno, "receive: %s", strerror(errno));
		rc = wait_fd(c->fd, POLLIN, deadline);
		if (rc)
			return conn_fail(c, rc, "%s",
			                 rc == -ETIMEDOUT ? "timed out waiting for the server"
			                                  : strerror(-rc));
	}
}

static bool is_reply(json_t *msg)
{
	return json_object_get(msg, "return") || json_object_get(msg, "error");
}

int ternctl_conn_negotiate(struct ternctl_conn *c, int64_t deadline)
{
	json_t *msg = NULL, *cmd, *reply = NULL;
	int rc = ternctl_conn_read(c, deadline, &msg);

	if (rc)
		return rc;
	if (!json_is_object(json_object_get(msg, "QMP"))) {
		json_decref(msg);
		return conn_fail(c, -EPROTO, "no QMP greeting: is this a tern control socket?");
	}
	json_decref(c->greeting);
	c->greeting = json_incref(json_object_get(msg, "QMP"));
	json_decref(msg);
	cmd = json_pack("{s:s}", "execute", "qmp_capabilities");
	if (!cmd)
		return conn_fail(c, -ENOMEM, "out of memory");
	rc = ternctl_conn_execute(c, cmd, true, deadline, &reply);
	json_decref(cmd);
	if (rc)
		return rc;
	if (!json_object_get(reply, "return")) {
		const char *desc =
		        json_string_value(json_object_get(json_object_get(reply, "error"), "desc"));
		rc = conn_fail(c, -EPROTO, "capabilities negotiation failed: %s",
		               desc ? desc : "no reason given");
	}
	json_decref(reply);
	return rc;
}

int ternctl_conn_execute(struct ternctl_conn *c, json_t *msg, bool add_id, int64_t deadline,
                         json_t **reply)
{
	json_t *out = msg, *id = NULL;
	int rc;

	*reply = NULL;
	if (add_id) {
		out = json_copy(msg);
		id = json_integer(c->next_id++);
		if (!out || !id || json_object_set(out, "id", id)) {
			json_decref(out);
			json_decref(id);
			return conn_fail(c, -ENOMEM, "out of memory");
		}
	} else {
		id = json_incref(json_object_get(msg, "id"));
	}
	rc = send_msg(c, out, deadline);
	if (out != msg)
		json_decref(out);
	while (!rc) {
		json_t *m;
		json_t *mid;

		rc = ternctl_conn_read(c, deadline, &m);
		if (rc)
			break;
		mid = json_object_get(m, "id");
		/* Only one request is ever outstanding, so a reply without an
		 * id (the server could not even read the request) is ours. */
		if (is_reply(m) && (!mid || (id && json_equal(mid, id)))) {
			*reply = m;
			break;
		}
		json_decref(m);
	}
	json_decref(id);
	return rc;
}

int ternctl_conn_next_event(struct ternctl_conn *c, int64_t deadline, json_t **event)
{
	for (;;) {
		int rc = ternctl_conn_read(c, deadline, event);

		if (rc)
			return rc;
		if (json_is_string(json_object_get(*event, "event")))
			return 0;
		json_decref(*event);
		*event = NULL;
	}
}
