/*
 * Between eventpoll.c (instances, kernel-file items, waiting) and
 * eventpoll_host.c (host-file items, mirrored into a host epoll fd).
 */
#ifndef LXEMU_EVENTPOLL_INTERNAL_H
#define LXEMU_EVENTPOLL_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include "../types.h"
#include "../kernel/wait.h"
#include "../../abi/linux/eventpoll.h"

/* Not events: what is left of a disabled (one-shot) item's mask. */
#define EP_PRIVATE_BITS \
	(LINUX_EPOLLWAKEUP | LINUX_EPOLLONESHOT | LINUX_EPOLLET | LINUX_EPOLLEXCLUSIVE)
#define EP_MAX_NESTS 4     /* Linux's limit on epoll files inside epoll files */
#define EP_ITEM_QUEUES 2   /* wait queues one file's poll op may name */
#define EP_STACK_EVENTS 32 /* events gathered without malloc */

struct ep_link {
	struct ep_link *next, *prev;
};

struct eventpoll;

struct epitem {
	struct eventpoll *ep;
	struct file *file;    /* no reference: the item goes when the file is released */
	int fd;
	int host_fd;          /* watched through ep->host_epfd: a dup of the file's host fd, else -1 */
	u64 data;
	/* guarded by ep->lock (written under ep->mtx too) */
	u32 events;           /* what is watched; only private bits left: disabled (one-shot) */
	bool rdy;             /* on the ready list, or on a scan's list */
	struct ep_link rdlink;
	/* guarded by ep->mtx */
	struct epitem *hnext; /* the instance's hash chain */
	int nwait;
	struct wait_queue_entry wait[EP_ITEM_QUEUES];
	/* guarded by file->f_lock */
	struct epitem *f_next, **f_pprev;
};

struct eventpoll {
	pthread_mutex_t mtx;
	/* guarded by mtx */
	struct epitem **hash;
	unsigned nbuckets, nitems;
	unsigned nnested;      /* items that are epoll files */
	_Atomic int host_epfd; /* -1 until a host file is added; set once */
	pthread_mutex_t lock;
	struct ep_link rdllist; /* guarded by lock */
	struct wait_queue_head wq; /* epoll_wait sleepers, and pollers of the epoll file */
};

struct task;
struct timespec;
/* Host items (ep->mtx held): 0 or -errno. */
long ep_host_add(struct eventpoll *ep, struct epitem *epi, u32 events);
long ep_host_mod(struct eventpoll *ep, struct epitem *epi, u32 events);
void ep_host_del(struct eventpoll *ep, struct epitem *epi);
/* Up to max host events into out, as the host's epoll reports them (ep->mtx). */
int ep_host_events(struct eventpoll *ep, struct linux_epoll_event *out, int max);
/* A host item has events now (no lock needed). */
bool ep_host_ready(struct eventpoll *ep);
/*
 * epoll_wait's sleep when ep or an epoll file it watches has host items: a
 * host ppoll on their host epoll fds that a kernel item's wake-up (pt) or a
 * signal ends.  0 to look again,
 * -EINTR, -ETIMEDOUT or another -errno.
 */
struct pollfd;
long ep_host_sleep(struct task *t, struct pollfd *fds, int nfds, struct poll_table *pt,
		   const struct timespec *deadline);

#endif
