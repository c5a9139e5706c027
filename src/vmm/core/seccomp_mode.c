#include "vmm/core/seccomp_mode.h"

#include <errno.h>
#include <string.h>

int seccomp_mode_parse(const char *s, enum seccomp_mode *mode)
{
	static const enum seccomp_mode all[] = {SECCOMP_MODE_ENFORCE, SECCOMP_MODE_LOG,
	                                        SECCOMP_MODE_OFF};
	if (!s)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(s, seccomp_mode_name(all[i]))) {
			*mode = all[i];
			return 0;
		}
	return -EINVAL;
}

const char *seccomp_mode_name(enum seccomp_mode mode)
{
	switch (mode) {
	case SECCOMP_MODE_ENFORCE:
		return "enforce";
	case SECCOMP_MODE_LOG:
		return "log";
	case SECCOMP_MODE_OFF:
		return "off";
	}
	return "?";
}

const char *seccomp_role_name(enum seccomp_role role)
{
	switch (role) {
	case SECCOMP_ROLE_VMM:
		return "vmm";
	case SECCOMP_ROLE_VCPU:
		return "vcpu";
	}
	return "?";
}
