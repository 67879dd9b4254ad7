/*
 * Host files in epoll (terminals, host pipes and sockets): each item is
 * mirrored into one host epoll fd per instance, which keeps the level,
 * edge and one-shot state for it; epoll_wait takes their events from it
 * and sleeps in a host ppoll on it (so do poll and select on the epoll
 * fd, and an outer instance's epoll_wait: eventpoll_host_fd).  The host is
 * Linux: the event bits are the same.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <unistd.h>
#include "file.h"
#include "eventpoll.h"
#include "eventpoll_internal.h"
#include "../kernel/task.h"
#include "../kernel/signal.h"
#include "../kernel/ktime.h"
#include "../../abi/linux/errno.h"

static struct epoll_event host_event(struct epitem *epi, u32 events)
{
	struct epoll_event ev = { .events = events & ~(u32)(LINUX_EPOLLWAKEUP | LINUX_EPOLLEXCLUSIVE) };

	ev.data.ptr = epi;
	return ev;
}

/*
 * The host keys its items by (file, fd) too: each item watches its own dup
 * of the host fd, so that two guest fds of one file are two items there.
 */
long ep_host_add(struct eventpoll *ep, struct epitem *epi, u32 events)
{
	int hfd = atomic_load(&ep->host_epfd), fd;

	if (hfd < 0) {
		hfd = epoll_create1(EPOLL_CLOEXEC);
		if (hfd < 0)
			return host_errno_to_linux(errno);
		atomic_store(&ep->host_epfd, hfd);
	}
	if ((fd = fcntl(epi->file->host_fd, F_DUPFD_CLOEXEC, 0)) < 0)
		return host_errno_to_linux(errno);
	struct epoll_event ev = host_event(epi, events);
	if (epoll_ctl(hfd, EPOLL_CTL_ADD, fd, &ev)) {
		long err = host_errno_to_linux(errno);
		close(fd);
		return err;
	}
	epi->host_fd = fd;
	return 0;
}

long ep_host_mod(struct eventpoll *ep, struct epitem *epi, u32 events)
{
	struct epoll_event ev = host_event(epi, events);

	if (epoll_ctl(atomic_load(&ep->host_epfd), EPOLL_CTL_MOD, epi->host_fd, &ev))
		return host_errno_to_linux(errno);
	return 0;
}

void ep_host_del(struct eventpoll *ep, struct epitem *epi)
{
	epoll_ctl(atomic_load(&ep->host_epfd), EPOLL_CTL_DEL, epi->host_fd, NULL);
	close(epi->host_fd);
	epi->host_fd = -1;
}

int ep_host_events(struct eventpoll *ep, struct linux_epoll_event *out, int max)
{
	struct epoll_event hev[EP_STACK_EVENTS];
	int hfd = atomic_load(&ep->host_epfd), got;

	if (hfd < 0 || max <= 0)
		return 0;
	got = epoll_wait(hfd, hev, max < EP_STACK_EVENTS ? max : EP_STACK_EVENTS, 0);
	for (int i = 0; i < got; i++) {
		struct epitem *epi = hev[i].data.ptr;
		out[i].events = hev[i].events;
		out[i].data = epi->data;
	}
	return got > 0 ? got : 0;
}

bool ep_host_ready(struct eventpoll *ep)
{
	struct pollfd p = { atomic_load(&ep->host_epfd), POLLIN, 0 };

	return p.fd >= 0 && poll(&p, 1, 0) > 0;
}

long ep_host_sleep(struct task *t, struct pollfd *fds, int nfds, struct poll_table *pt,
		   const struct timespec *deadline)
{
	struct timespec left;
	int r;

	if (deadline)
		time_left(deadline, &left);
	r = task_ppoll_timeout(t, fds, (unsigned long)nfds, deadline ? &left : NULL, &pt->triggered);
	if (r == 0)
		return -LINUX_ETIMEDOUT;
	if (r < 0 && errno != EINTR)
		return host_errno_to_linux(errno);
	if (r < 0 && signal_pending(t))
		return -LINUX_EINTR;
	atomic_store(&pt->triggered, false);
	return 0;
}

/* A probe: the host says EPERM for files it cannot poll (regular files, /dev/null). */
static int probe_epfd = -1;
static pthread_once_t probe_once = PTHREAD_ONCE_INIT;

static void probe_init(void)
{
	probe_epfd = epoll_create1(EPOLL_CLOEXEC);
}

bool eventpoll_can_poll(struct file *tf)
{
	struct epoll_event ev = { 0 };

	if (tf->f_op->poll)
		return true;
	if (tf->host_fd < 0)
		return false; /* a kernel file without a poll op (pidfd) */
	pthread_once(&probe_once, probe_init);
	if (probe_epfd < 0)
		return false;
	if (epoll_ctl(probe_epfd, EPOLL_CTL_ADD, tf->host_fd, &ev))
		return errno == EEXIST; /* another thread's probe of the same host fd */
	epoll_ctl(probe_epfd, EPOLL_CTL_DEL, tf->host_fd, NULL);
	return true;
}
