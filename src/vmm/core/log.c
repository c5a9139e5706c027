#include "vmm/core/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static enum log_level current_level = LOG_WARN;
static pthread_mutex_t rl_lock = PTHREAD_MUTEX_INITIALIZER;

void log_set_level(enum log_level level)
{
	current_level = level;
}

int log_enabled(enum log_level level)
{
	return level <= current_level;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	if (!log_enabled(level))
		return;
	static const char *const prefix[] = {"error: ", "warning: ", "", ""};
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One write per line keeps lines from different threads whole. */
	fprintf(stderr, "tern: %s%s\n", prefix[level], line);
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int ratelimit_allow(struct ratelimit *rl)
{
	uint64_t t = now_ms();
	int ok;
	pthread_mutex_lock(&rl_lock);
	if (t - rl->window_start_ms >= rl->interval_ms) {
		if (rl->suppressed)
			log_warn("%u similar messages suppressed", rl->suppressed);
		rl->window_start_ms = t;
		rl->printed = 0;
		rl->suppressed = 0;
	}
	ok = rl->printed < rl->burst;
	if (ok)
		rl->printed++;
	else
		rl->suppressed++;
	pthread_mutex_unlock(&rl_lock);
	return ok;
}
