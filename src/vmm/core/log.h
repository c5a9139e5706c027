/* Logging to stderr with a level, and rate limiting for anything a guest can
 * trigger (so a hostile guest cannot flood the host's logs). */
#ifndef TERN_VMM_LOG_H
#define TERN_VMM_LOG_H

#include <stdint.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

void log_set_level(enum log_level level);
int log_enabled(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* Allows `burst` messages per `interval_ms`; counts what it suppressed. */
struct ratelimit {
	uint64_t window_start_ms;
	unsigned interval_ms, burst, printed, suppressed;
};

#define RATELIMIT_INIT(ms, n)                                                                      \
	{                                                                                          \
		.interval_ms = (ms), .burst = (n)                                                  \
	}

/* Returns 1 when the caller may print now. Thread-safe. */
int ratelimit_allow(struct ratelimit *rl);

#endif
