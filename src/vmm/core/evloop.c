#include "vmm/core/evloop.h"

#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

int evloop_init(struct evloop *loop)
{
	loop->ep = epoll_create1(EPOLL_CLOEXEC);
	return loop->ep < 0 ? -errno : 0;
}

void evloop_close(struct evloop *loop)
{
	if (loop->ep >= 0)
		close(loop->ep);
	loop->ep = -1;
}

int evloop_add(struct evloop *loop, struct ev_handler *h, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = h};
	return epoll_ctl(loop->ep, EPOLL_CTL_ADD, h->fd, &ev) < 0 ? -errno : 0;
}

int evloop_mod(struct evloop *loop, struct ev_handler *h, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = h};
	return epoll_ctl(loop->ep, EPOLL_CTL_MOD, h->fd, &ev) < 0 ? -errno : 0;
}

void evloop_del(struct evloop *loop, struct ev_handler *h)
{
	epoll_ctl(loop->ep, EPOLL_CTL_DEL, h->fd, NULL);
}

int evloop_run_once(struct evloop *loop, int timeout_ms)
{
	/* One event per wait: a handler may free another handler that fired
	 * in the same batch (a client closed while a broadcast wrote to it), so
	 * never hold more than the one being run. */
	struct epoll_event ev;
	int n = epoll_wait(loop->ep, &ev, 1, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	if (n == 1) {
		struct ev_handler *h = ev.data.ptr;
		h->fn(h, ev.events);
	}
	return n;
}
