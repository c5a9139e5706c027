/* stamp: times a VMM from the outside, inside the arm64 test host.
 *
 *   stamp [-m MARKER] [-o FILE] [-r RAM_MIB] [-k] [-t SECONDS] -- CMD [ARG...]
 *
 * Spawns CMD with stdin on /dev/null and stdout on a pipe, copies that
 * output to FILE (if given) and notes when the first line containing MARKER
 * (default TERN-GUEST-UP) arrives. With -r it then reads /proc/PID/smaps and
 * reports the process's resident memory with and without the guest RAM
 * mapping (the mapping whose size is closest to RAM_MIB and not below it).
 * With -k it kills CMD once the marker has been seen (and measured);
 * otherwise it waits for CMD to exit. -t bounds the whole run (SIGKILL).
 *
 * Prints one line on stdout:
 *   STAMP start=ABS marker=REL up=ABS exit=REL rc=N [rss_kb=.. ram_kb=..
 *         ram_rss_kb=.. overhead_kb=.. anon_overhead_kb=..]
 * ABS are CLOCK_MONOTONIC milliseconds, REL milliseconds since the spawn;
 * marker=-1 when the marker never came. rc is the exit status, 128+N for
 * a signal. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void usage(void)
{
	fprintf(stderr, "usage: stamp [-m MARKER] [-o FILE] [-r RAM_MIB] [-k] [-t SECONDS] -- CMD [ARG...]\n");
	exit(2);
}

struct mem {
	long rss, ram_size, ram_rss, anon, ram_anon;
	int ok;
};

/* Sums Rss and Anonymous over every mapping of pid, and picks the guest RAM
 * mapping: the smallest one of at least ram_kb. */
static struct mem measure(pid_t pid, long ram_kb)
{
	struct mem m = {0};
	char path[64], line[512];
	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return m;
	long size = 0, rss = 0, best = -1;
	int in_map = 0;
	long cur_size = 0, cur_rss = 0, cur_anon = 0;
	for (;;) {
		char *got = fgets(line, sizeof(line), f);
		/* A mapping header is "lo-hi perms ...": its first field has no ':'. */
		int header = 0;
		if (got) {
			char *sp = strchr(line, ' ');
			header = sp && memchr(line, '-', (size_t)(sp - line)) && !memchr(line, ':', (size_t)(sp - line));
		}
		if ((!got || header) && in_map) {
			m.rss += cur_rss;
			m.anon += cur_anon;
			if (cur_size >= ram_kb && (best < 0 || cur_size < best)) {
				best = cur_size;
				m.ram_size = cur_size;
				m.ram_rss = cur_rss;
				m.ram_anon = cur_anon;
			}
			in_map = 0;
		}
		if (!got)
			break;
		if (header) {
			in_map = 1;
			cur_size = cur_rss = cur_anon = 0;
		} else if (sscanf(line, "Size: %ld kB", &size) == 1) {
			cur_size = size;
		} else if (sscanf(line, "Rss: %ld kB", &rss) == 1) {
			cur_rss = rss;
		} else if (sscanf(line, "Anonymous: %ld kB", &rss) == 1) {
			cur_anon = rss;
		}
	}
	fclose(f);
	m.ok = best >= 0;
	return m;
}

int main(int argc, char **argv)
{
	const char *marker = "TERN-GUEST-UP", *outpath = NULL;
	long ram_mib = 0, timeout_s = 600;
	int kill_after = 0, opt;
	while ((opt = getopt(argc, argv, "+m:o:r:kt:")) != -1) {
		switch (opt) {
		case 'm': marker = optarg; break;
		case 'o': outpath = optarg; break;
		case 'r': ram_mib = atol(optarg); break;
		case 'k': kill_after = 1; break;
		case 't': timeout_s = atol(optarg); break;
		default: usage();
		}
	}
	if (optind >= argc)
		usage();
	FILE *out = NULL;
	if (outpath && !(out = fopen(outpath, "w"))) {
		perror(outpath);
		return 1;
	}
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		perror("pipe");
		return 1;
	}
	double start = now_ms();
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);
		if (nul < 0 || dup2(nul, 0) < 0 || dup2(p[1], 1) < 0)
			_exit(127);
		execvp(argv[optind], argv + optind);
		perror(argv[optind]);
		_exit(127);
	}
	close(p[1]);

	/* Lines are matched in a small window; the output goes to FILE as is. */
	char buf[4096], win[8192];
	size_t wlen = 0, mlen = strlen(marker);
	double up = -1, deadline = start + (double)timeout_s * 1e3;
	struct mem mem = {0};
	int killed = 0;
	for (;;) {
		double left = deadline - now_ms();
		if (left <= 0) {
			kill(pid, SIGKILL);
			killed = 1;
			break;
		}
		struct pollfd pfd = {.fd = p[0], .events = POLLIN};
		int r = poll(&pfd, 1, left > 1e6 ? 1000000 : (int)left + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		ssize_t n = read(p[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out)
			fwrite(buf, 1, (size_t)n, out);
		if (up >= 0)
			continue;
		for (ssize_t i = 0; i < n && up < 0; i++) {
			if (buf[i] == '\n') {
				wlen = 0;
				continue;
			}
			if (wlen < sizeof(win))
				win[wlen++] = buf[i];
			if (wlen >= mlen && !memcmp(win + wlen - mlen, marker, mlen))
				up = now_ms();
		}
		if (up >= 0) {
			if (ram_mib > 0)
				mem = measure(pid, ram_mib * 1024);
			if (kill_after) {
				kill(pid, SIGKILL);
				killed = 1;
				break;
			}
		}
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	double end = now_ms();
	int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (out)
		fclose(out);
	printf("STAMP start=%.3f marker=%.3f up=%.3f exit=%.3f rc=%d%s", start,
	       up >= 0 ? up - start : -1.0, up, end - start, rc, killed ? " killed=1" : "");
	if (mem.ok)
		printf(" rss_kb=%ld ram_kb=%ld ram_rss_kb=%ld overhead_kb=%ld anon_overhead_kb=%ld",
		       mem.rss, mem.ram_size, mem.ram_rss, mem.rss - mem.ram_rss,
		       mem.anon - mem.ram_anon);
	printf("\n");
	return up >= 0 ? 0 : 1;
}
