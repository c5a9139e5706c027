#include "vmm/core/seccomp_filter.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static const char *const *trap_names;
static unsigned trap_n_names;
/* Per thread: each thread installs its own filter and names its role. */
static _Thread_local const char *trap_role;

void seccomp_filter_set_names(const char *const *names, unsigned n)
{
	trap_names = names;
	trap_n_names = n;
}

static size_t put_str(char *buf, size_t n, size_t at, const char *s)
{
	while (*s && at + 1 < n)
		buf[at++] = *s++;
	return at;
}

static size_t put_num(char *buf, size_t n, size_t at, unsigned long v, unsigned base)
{
	char tmp[24];
	size_t k = 0;
	do {
		tmp[k++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (k && at + 1 < n)
		buf[at++] = tmp[--k];
	return at;
}

size_t seccomp_format_report(char *buf, size_t n, const char *role, long nr, const char *name,
                             int is_ioctl, unsigned long request)
{
	if (!n)
		return 0;
	size_t at = put_str(buf, n, 0, "tern: seccomp: thread ");
	at = put_str(buf, n, at, role ? role : "?");
	at = put_str(buf, n, at, " made forbidden syscall ");
	if (nr < 0)
		at = put_str(buf, n, at, "-");
	at = put_num(buf, n, at, nr < 0 ? 0UL - (unsigned long)nr : (unsigned long)nr, 10);
	at = put_str(buf, n, at, " (");
	at = put_str(buf, n, at, name ? name : "unknown");
	at = put_str(buf, n, at, ")");
	if (is_ioctl) {
		at = put_str(buf, n, at, ", request 0x");
		at = put_num(buf, n, at, request, 16);
	}
	at = put_str(buf, n, at, "\n");
	buf[at] = '\0';
	return at;
}

static unsigned long ioctl_request(const void *ucv)
{
	const ucontext_t *uc = ucv;
#if defined(__aarch64__)
	return (unsigned long)uc->uc_mcontext.regs[1];
#elif defined(__x86_64__)
	return (unsigned long)uc->uc_mcontext.gregs[REG_RSI];
#else
	(void)uc;
	return 0;
#endif
}

/* SECCOMP_RET_TRAP lands here on the offending thread. Only
 * async-signal-safe calls, and only syscalls every policy allows (write,
 * exit_group): the report, then the process ends. The kernel has skipped
 * the syscall; returning would let the thread run on with a fake result. */
static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	long nr = si->si_syscall;
	const char *name =
	        nr >= 0 && (unsigned long)nr < trap_n_names && trap_names ? trap_names[nr] : NULL;
	char buf[200];
	size_t len = seccomp_format_report(buf, sizeof(buf), trap_role, nr, name, nr == SYS_ioctl,
	                                   nr == SYS_ioctl ? ioctl_request(uc) : 0);
	ssize_t w = write(STDERR_FILENO, buf, len);
	(void)w;
	/* The raw syscall, not _exit: sanitizer runtimes hook _exit and would
	 * make more (forbidden) syscalls first. */
	syscall(SYS_exit_group, SECCOMP_EXIT_STATUS);
}

static int sigsys_err;

static void sigsys_setup(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) < 0)
		sigsys_err = -errno;
}

int seccomp_filter_load(const struct sock_filter *prog, unsigned short len, const char *role,
                        int report, int check_log)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	if (!prog || !len)
		return -EINVAL;
	if (check_log) {
		unsigned action = SECCOMP_RET_LOG;
		if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) < 0)
			return -EOPNOTSUPP;
	}
	if (report) {
		pthread_once(&once, sigsys_setup);
		if (sigsys_err)
			return sigsys_err;
	}
	trap_role = role;
	/* Lets an unprivileged process install a filter, and is what makes
	 * the filter binding: no exec can gain privileges past it. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	struct sock_fprog fp = {.len = len, .filter = (struct sock_filter *)prog};
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) < 0)
		return -errno;
	return 0;
}

void seccomp_filter_test_trigger(const char *role)
{
	const char *want = getenv(SECCOMP_TRIGGER_ENV);
	if (want && role && !strcmp(want, role))
		(void)syscall(SYS_getppid);
}
