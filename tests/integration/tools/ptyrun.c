/* ptyrun COMMAND [ARGS...]: runs COMMAND with a new pseudo-terminal as its
 * stdin and stdout (and controlling terminal); stderr is left as it is.
 * Bytes from ptyrun's stdin go to the terminal, the terminal's output goes to
 * ptyrun's stdout. Exits with COMMAND's status (128 + N if signal N ended
 * it). A test-only tool: scenarios use it where tern must see a terminal
 * (console raw mode and its restore at exit), which busybox cannot provide. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: ptyrun COMMAND [ARGS...]\n");
		return 2;
	}
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) || unlockpt(master)) {
		perror("ptyrun: pty");
		return 2;
	}
	const char *slave_name = ptsname(master);
	if (!slave_name) {
		perror("ptyrun: ptsname");
		return 2;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("ptyrun: fork");
		return 2;
	}
	if (pid == 0) {
		close(master);
		if (setsid() < 0) {
			perror("ptyrun: setsid");
			_exit(126);
		}
		int s = open(slave_name, O_RDWR);
		if (s < 0 || ioctl(s, TIOCSCTTY, 0) < 0 || dup2(s, 0) < 0 || dup2(s, 1) < 0) {
			perror("ptyrun: slave");
			_exit(126);
		}
		if (s > 1)
			close(s);
		execvp(argv[1], argv + 1);
		perror("ptyrun: exec");
		_exit(127);
	}
	signal(SIGPIPE, SIG_IGN);

	struct pollfd p[2] = {{.fd = master, .events = POLLIN}, {.fd = 0, .events = POLLIN}};
	int nfds = 2;
	char buf[4096];
	for (;;) {
		if (poll(p, (nfds_t)nfds, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents) {
			ssize_t r = read(master, buf, sizeof(buf));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break; /* EIO: every holder of the slave is gone */
			if (write_all(1, buf, (size_t)r))
				break;
		}
		if (nfds == 2 && p[1].revents) {
			ssize_t r = read(0, buf, sizeof(buf));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0 || write_all(master, buf, (size_t)r))
				nfds = 1; /* stdin ended: keep passing output on */
		}
	}
	int st;
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			return 2;
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
