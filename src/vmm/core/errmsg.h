/* Builds the one-line reason a setup function hands back to its caller,
 * who reports it once. */
#ifndef TERN_VMM_ERRMSG_H
#define TERN_VMM_ERRMSG_H

#include <stddef.h>

/* Formats into why[0..n) and appends ": strerror(err)" when err is non-zero.
 * Returns -err, or -EINVAL when err is 0, for `return errmsg_set(...)`. */
int errmsg_set(char *why, size_t n, int err, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

#endif
