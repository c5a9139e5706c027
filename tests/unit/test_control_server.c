/* The control socket server: many clients, hostile clients, events, socket
 * file handling. Clients are non-blocking sockets in this process; the
 * server's loop is pumped until it has nothing left to do. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"
#include "vmm/core/control_server.h"
#include "vmm/core/qmp_commands.h"

static struct evloop loop;
static char sock_path[256];

static void pump(void)
{
	while (evloop_run_once(&loop, 0) > 0)
		;
}

static int client_connect(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	strcpy(sa.sun_path, sock_path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -1;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

/* Everything the server has sent to fd so far. */
static size_t client_read(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	for (;;) {
		ssize_t r = recv(fd, buf + n, cap - 1 - n, MSG_DONTWAIT);
		if (r <= 0)
			break;
		n += (size_t)r;
		if (n == cap - 1)
			break;
	}
	buf[n] = 0;
	return n;
}

static void client_send(int fd, const char *s)
{
	CHECK_EQ(send(fd, s, strlen(s), MSG_NOSIGNAL), (long long)strlen(s));
}

static void test_many_clients(struct control_server *cs)
{
	enum { N = 50 };
	int fds[N];
	char buf[8192];
	for (int i = 0; i < N; i++)
		fds[i] = client_connect();
	pump();
	CHECK_EQ(control_server_nclients(cs), N);
	int greeted = 0;
	for (int i = 0; i < N; i++)
		greeted += client_read(fds[i], buf, sizeof(buf)) && strstr(buf, "\"QMP\"") != NULL;
	CHECK_EQ(greeted, N);

	/* Everyone negotiates except client 1 (sends garbage) and client 2
	 * (hangs up in the middle of a message). */
	for (int i = 0; i < N; i++) {
		if (i == 1)
			client_send(fds[i], "}}{\"execute\": 42}\xff garbage");
		else if (i == 2)
			client_send(fds[i], "{\"execute\": \"qmp_capa");
		else
			client_send(fds[i], "{\"execute\": \"qmp_capabilities\"}");
	}
	close(fds[2]);
	pump();
	CHECK_EQ(control_server_nclients(cs), N - 1);
	client_read(fds[1], buf, sizeof(buf));
	CHECK(strstr(buf, "\"error\"") != NULL);
	int ok = 0;
	for (int i = 3; i < N; i++)
		ok += client_read(fds[i], buf, sizeof(buf)) && !strcmp(buf, "{\"return\": {}}\r\n");
	CHECK_EQ(ok, N - 3);

	/* An event reaches the negotiated clients only. */
	json_t *data = json_pack("{s:b}", "guest", 1);
	control_server_broadcast(cs, "SHUTDOWN", data);
	json_decref(data);
	pump();
	int got = 0;
	for (int i = 3; i < N; i++)
		got += client_read(fds[i], buf, sizeof(buf)) && strstr(buf, "\"SHUTDOWN\"");
	CHECK_EQ(got, N - 3);
	CHECK_EQ(client_read(fds[1], buf, sizeof(buf)), 0);

	/* The garbage client is still served. */
	client_send(fds[1], "{\"execute\": \"qmp_capabilities\", \"id\": 7}");
	pump();
	client_read(fds[1], buf, sizeof(buf));
	CHECK(strstr(buf, "\"id\": 7") != NULL);

	for (int i = 0; i < N; i++)
		if (i != 2)
			close(fds[i]);
	pump();
	CHECK_EQ(control_server_nclients(cs), 0);
}

static void test_slow_client(struct control_server *cs)
{
	/* A client that never reads is dropped once its backlog passes the
	 * limit; a reading client keeps working. */
	int slow = client_connect(), fast = client_connect();
	char buf[65536];
	int sz = 4096;
	setsockopt(slow, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	pump();
	client_send(slow, "{\"execute\": \"qmp_capabilities\"}");
	client_send(fast, "{\"execute\": \"qmp_capabilities\"}");
	pump();
	client_read(fast, buf, sizeof(buf));
	json_t *data = json_pack("{s:s}", "pad",
	                         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	                         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	int fast_events = 0;
	for (int i = 0; i < 20000 && control_server_nclients(cs) == 2; i++) {
		control_server_broadcast(cs, "TEST", data);
		pump();
		client_read(fast, buf, sizeof(buf));
		fast_events++;
	}
	json_decref(data);
	CHECK_EQ(control_server_nclients(cs), 1);
	CHECK(fast_events > 100);
	client_send(fast, "{\"execute\": \"query-target\"}");
	pump();
	client_read(fast, buf, sizeof(buf));
	CHECK(strstr(buf, "aarch64") != NULL);
	close(slow);
	close(fast);
	pump();
}

static void test_socket_file(const struct qmp_session_config *qcfg)
{
	char why[256];
	struct stat st;
	CHECK_EQ(stat(sock_path, &st), 0);
	CHECK_EQ(st.st_mode & 0777, 0600);
	CHECK(S_ISSOCK(st.st_mode));

	/* A live server's path is refused. */
	struct control_server other;
	control_server_init(&other, &loop, qcfg);
	CHECK(control_server_listen_unix(&other, sock_path, why, sizeof(why)) < 0);
	CHECK(strstr(why, "in use") != NULL);

	/* A regular file is never replaced. */
	char file[300];
	snprintf(file, sizeof(file), "%s.file", sock_path);
	FILE *f = fopen(file, "w");
	if (f)
		fclose(f);
	CHECK(control_server_listen_unix(&other, file, why, sizeof(why)) < 0);
	CHECK(strstr(why, "not a socket") != NULL);
	CHECK_EQ(access(file, F_OK), 0);
	unlink(file);

	/* TCP: loopback only, and the spec is checked. */
	CHECK(control_server_listen_tcp(&other, "tcp:0.0.0.0:4444", why, sizeof(why)) < 0);
	CHECK(strstr(why, "loopback only") != NULL);
	CHECK(control_server_listen_tcp(&other, "tcp:10.1.2.3:4444", why, sizeof(why)) < 0);
	CHECK(control_server_listen_tcp(&other, "udp:127.0.0.1:1", why, sizeof(why)) < 0);
	CHECK(control_server_listen_tcp(&other, "tcp:127.0.0.1:99999", why, sizeof(why)) < 0);
	CHECK(control_server_listen_tcp(&other, "tcp:127.0.0.1:", why, sizeof(why)) < 0);
	CHECK_EQ(control_server_listen_tcp(&other, "tcp:127.0.0.1:0", why, sizeof(why)) < 0, 1);
	char host[64];
	unsigned port = 0;
	CHECK_EQ(control_server_parse_tcp("tcp:localhost:4444", host, sizeof(host), &port), 0);
	CHECK_STR(host, "localhost");
	CHECK_EQ(port, 4444);
	control_server_close(&other);
}

int main(void)
{
	const char *tmp = getenv("TERN_TEST_TMP");
	snprintf(sock_path, sizeof(sock_path), "%s/ctl-%d.sock", tmp ? tmp : "/tmp", getpid());
	unlink(sock_path);
	CHECK_EQ(evloop_init(&loop), 0);
	static const struct qmp_vm_ops no_ops;
	struct qmp_session_config qcfg = {
	        .commands = qmp_vm_commands, .n_commands = qmp_vm_commands_count, .ops = &no_ops};
	struct control_server cs;
	control_server_init(&cs, &loop, &qcfg);
	char why[256] = "";
	/* A stale socket file (no server behind it) is replaced. */
	int stale = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	strcpy(sa.sun_path, sock_path);
	CHECK_EQ(bind(stale, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(stale);
	CHECK_EQ(control_server_listen_unix(&cs, sock_path, why, sizeof(why)), 0);
	if (why[0])
		fprintf(stderr, "%s\n", why);

	test_many_clients(&cs);
	test_slow_client(&cs);
	test_socket_file(&qcfg);

	control_server_close(&cs);
	CHECK(access(sock_path, F_OK) != 0); /* removed on close */
	evloop_close(&loop);
	return check_summary("test_control_server");
}
