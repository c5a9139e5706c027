/* Loading a compiled seccomp program on the calling thread, and the SIGSYS
 * report for forbidden syscalls. Portable (Linux, any arch): the product
 * feeds it the arm64 programs (src/vmm/seccomp_install.c), the unit tests
 * programs compiled for the build host. */
#ifndef TERN_VMM_CORE_SECCOMP_FILTER_H
#define TERN_VMM_CORE_SECCOMP_FILTER_H

#include <linux/filter.h>
#include <stddef.h>

/* The exit status after a forbidden syscall in enforce mode: 128 + SIGSYS,
 * what a shell shows for a process killed by SIGSYS. */
#define SECCOMP_EXIT_STATUS 159

/* The syscall whose use the test trigger provokes (never allowed by any
 * tern policy; tests/unit/test_seccomp.c checks that). */
#define SECCOMP_TRIGGER_SYSCALL "getppid"
#define SECCOMP_TRIGGER_ENV     "TERN_TEST_SECCOMP_TRIGGER"

/* Syscall names by number for the report (tern_seccomp_syscall_names from
 * the generated source). Call once before the first load. */
void seccomp_filter_set_names(const char *const *names, unsigned n);

/* Installs prog on the calling thread only (no TSYNC): sets no_new_privs,
 * then seccomp(SECCOMP_SET_MODE_FILTER). With report set, a process-wide
 * SIGSYS handler is installed first (once) and the thread's reports name
 * `role` (a string that must outlive the thread). With check_log set, fails
 * with -EOPNOTSUPP if the kernel lacks SECCOMP_RET_LOG. Returns 0 or a
 * negative errno. */
int seccomp_filter_load(const struct sock_filter *prog, unsigned short len, const char *role,
                        int report, int check_log);

/* Formats "tern: seccomp: thread ROLE made forbidden syscall NR (NAME)\n",
 * with ", request 0xREQ" for an ioctl, into buf without libc formatting (the
 * SIGSYS handler uses it). Returns the length (truncated to n - 1; buf is
 * NUL-terminated). */
size_t seccomp_format_report(char *buf, size_t n, const char *role, long nr, const char *name,
                             int is_ioctl, unsigned long request);

/* Test hook, always compiled: if the environment variable
 * TERN_TEST_SECCOMP_TRIGGER equals role, the calling thread makes the
 * trigger syscall (getppid: harmless without a filter). */
void seccomp_filter_test_trigger(const char *role);

#endif
