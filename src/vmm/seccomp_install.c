#include "vmm/seccomp_install.h"

#include <errno.h>

#include "seccomp_filters.h" /* generated from the policies, in the build dir */
#include "vmm/core/log.h"
#include "vmm/core/seccomp_filter.h"

int seccomp_install(enum seccomp_role role, enum seccomp_mode mode)
{
	if (mode == SECCOMP_MODE_OFF)
		return 0;
	const struct sock_filter *prog;
	unsigned short len;
	int enforce = mode == SECCOMP_MODE_ENFORCE;
	switch (role) {
	case SECCOMP_ROLE_VMM:
		prog = enforce ? tern_seccomp_vmm_enforce : tern_seccomp_vmm_log;
		len = enforce ? tern_seccomp_vmm_enforce_len : tern_seccomp_vmm_log_len;
		break;
	case SECCOMP_ROLE_VCPU:
		prog = enforce ? tern_seccomp_vcpu_enforce : tern_seccomp_vcpu_log;
		len = enforce ? tern_seccomp_vcpu_enforce_len : tern_seccomp_vcpu_log_len;
		break;
	default:
		return -EINVAL;
	}
	/* Idempotent; the names only feed the SIGSYS report. */
	seccomp_filter_set_names(tern_seccomp_syscall_names, tern_seccomp_syscall_names_len);
	const char *name = seccomp_role_name(role);
	int r = seccomp_filter_load(prog, len, name, enforce, !enforce);
	if (r)
		return r;
	log_debug("seccomp: %s filter (%u instructions, %s) installed", name, len,
	          seccomp_mode_name(mode));
	seccomp_filter_test_trigger(name);
	return 0;
}
