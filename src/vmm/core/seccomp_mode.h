/* seccomp modes and thread roles: the portable names that the config parser
 * and the runtime share (docs/security.md). */
#ifndef TERN_VMM_CORE_SECCOMP_MODE_H
#define TERN_VMM_CORE_SECCOMP_MODE_H

enum seccomp_mode {
	SECCOMP_MODE_ENFORCE, /* a forbidden syscall: report on stderr, exit 159 */
	SECCOMP_MODE_LOG,     /* a forbidden syscall: kernel audit log, call proceeds */
	SECCOMP_MODE_OFF,     /* no filter */
};

/* One filter per thread role (seccomp/ROLE.policy). The control socket is
 * served on the main thread, so it is part of the vmm role. */
enum seccomp_role {
	SECCOMP_ROLE_VMM,
	SECCOMP_ROLE_VCPU,
};

/* "enforce", "log" or "off" -> *mode. Returns 0 or -EINVAL (mode untouched). */
int seccomp_mode_parse(const char *s, enum seccomp_mode *mode);
const char *seccomp_mode_name(enum seccomp_mode mode);
const char *seccomp_role_name(enum seccomp_role role);

#endif
