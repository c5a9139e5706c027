#include "vmm/core/errmsg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int errmsg_set(char *why, size_t n, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int len = vsnprintf(why, n, fmt, ap);
	va_end(ap);
	if (err && len >= 0 && (size_t)len < n)
		snprintf(why + len, n - (size_t)len, ": %s", strerror(err));
	return -(err ? err : EINVAL);
}
