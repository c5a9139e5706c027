/* The main thread's event loop: epoll with one callback per file descriptor. */
#ifndef TERN_VMM_EVLOOP_H
#define TERN_VMM_EVLOOP_H

#include <stdint.h>

struct ev_handler {
	/* events: the EPOLL* bits that fired */
	void (*fn)(struct ev_handler *h, uint32_t events);
	int fd;
};

struct evloop {
	int ep;
};

int evloop_init(struct evloop *loop);
void evloop_close(struct evloop *loop);
/* h->fd and h->fn must be set; h must outlive its registration. */
int evloop_add(struct evloop *loop, struct ev_handler *h, uint32_t events);
int evloop_mod(struct evloop *loop, struct ev_handler *h, uint32_t events);
void evloop_del(struct evloop *loop, struct ev_handler *h);
/* Waits up to timeout_ms (-1: forever) and runs the handlers of what fired.
 * Returns how many fired, or a negative errno (-EINTR is not an error). */
int evloop_run_once(struct evloop *loop, int timeout_ms);

#endif
