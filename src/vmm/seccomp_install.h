/* Per-thread seccomp filters for the product (docs/security.md). */
#ifndef TERN_VMM_SECCOMP_INSTALL_H
#define TERN_VMM_SECCOMP_INSTALL_H

#include "vmm/core/seccomp_mode.h"

/* Installs the filter of `role` on the calling thread (not the others) in
 * `mode`; SECCOMP_MODE_OFF does nothing. Call it for SECCOMP_ROLE_VMM on the
 * main thread before the first VM is built, and for SECCOMP_ROLE_VCPU at the
 * top of each vCPU thread once it has named itself. Afterwards, if
 * TERN_TEST_SECCOMP_TRIGGER names this role, the thread makes a forbidden
 * syscall (the integration test's trigger). Returns 0 or a negative errno
 * (-EOPNOTSUPP: the kernel cannot log, for SECCOMP_MODE_LOG). */
int seccomp_install(enum seccomp_role role, enum seccomp_mode mode);

#endif
