/*
 * epoll instances (Linux's eventpoll): an anon-inode file holding items
 * keyed by (file, fd).  A kernel file's item sits on the file's wait queue
 * (ep_poll_callback puts it on the ready list and wakes the waiters); a
 * host file's item is mirrored into a host epoll fd (eventpoll_host.c),
 * which sleepers on the instance watch as well: epoll_wait, poll and
 * select, and an outer instance's epoll_wait one level up (for its
 * level-triggered EPOLLIN items only).
 * Items live until epoll_ctl DEL or the release of their file (its last
 * close: eventpoll_release), not the close of one of its fds, as on Linux.
 * EPOLLEXCLUSIVE is accepted and checked, but every waiter is woken.
 *
 * Locks: epmutex (the nesting graph: adding an epoll file, freeing an
 * instance, releasing a watched file) before ep->mtx (items, their events,
 * scans; an outer instance's before an inner one's) before the watched
 * files' own locks and wait queues, before ep->lock (the ready list, taken
 * in the wake-up callback) and ep->wq's lock (waiters).
 */
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include "file.h"
#include "eventpoll.h"
#include "eventpoll_internal.h"
#include "eventfd.h"
#include "../kernel/task.h"
#include "../kernel/signal.h"
#include "../kernel/ktime.h"
#include "../kernel/wait.h"
#include "../kernel/locking.h"
#include "../mm/uaccess.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/eventpoll.h"
#include "../../abi/linux/poll.h"

static pthread_mutex_t epmutex = PTHREAD_MUTEX_INITIALIZER;

/* ---- lists ---- */

static void link_init(struct ep_link *h) { h->next = h->prev = h; }
static bool link_empty(const struct ep_link *h) { return h->next == h; }

static void link_add_tail(struct ep_link *h, struct ep_link *l)
{
	l->prev = h->prev;
	l->next = h;
	h->prev->next = l;
	h->prev = l;
}

static void link_del(struct ep_link *l)
{
	l->prev->next = l->next;
	l->next->prev = l->prev;
	link_init(l);
}

/* Moves every link of from to the front of to. */
static void link_splice_front(struct ep_link *from, struct ep_link *to)
{
	if (link_empty(from))
		return;
	from->prev->next = to->next;
	to->next->prev = from->prev;
	to->next = from->next;
	from->next->prev = to;
	link_init(from);
}

static struct epitem *rd_item(struct ep_link *l)
{
	return (struct epitem *)((char *)l - offsetof(struct epitem, rdlink));
}

/* ---- the item table (ep->mtx) ---- */

static unsigned ep_hash(const struct eventpoll *ep, const struct file *f, int fd)
{
	u64 k = ((u64)(uintptr_t)f >> 4) * 0x9e3779b97f4a7c15ull ^ (u64)(u32)fd;

	return (unsigned)(k ^ k >> 32) & (ep->nbuckets - 1);
}

static struct epitem *ep_find(struct eventpoll *ep, struct file *f, int fd)
{
	for (struct epitem *epi = ep->hash[ep_hash(ep, f, fd)]; epi; epi = epi->hnext)
		if (epi->file == f && epi->fd == fd)
			return epi;
	return NULL;
}

/* Doubles the table when it fills; staying small is fine when memory is short. */
static void ep_grow(struct eventpoll *ep)
{
	unsigned old = ep->nbuckets;
	struct epitem **oh = ep->hash, **nh = calloc(old * 2, sizeof(*nh));

	if (!nh)
		return;
	ep->hash = nh;
	ep->nbuckets = old * 2;
	for (unsigned b = 0; b < old; b++)
		for (struct epitem *epi = oh[b], *next; epi; epi = next) {
			unsigned h = ep_hash(ep, epi->file, epi->fd);
			next = epi->hnext;
			epi->hnext = nh[h];
			nh[h] = epi;
		}
	free(oh);
}

static void ep_hash_add(struct eventpoll *ep, struct epitem *epi)
{
	if (ep->nitems >= ep->nbuckets)
		ep_grow(ep);
	unsigned h = ep_hash(ep, epi->file, epi->fd);
	epi->hnext = ep->hash[h];
	ep->hash[h] = epi;
	ep->nitems++;
}

static void ep_hash_del(struct eventpoll *ep, struct epitem *epi)
{
	struct epitem **pp = &ep->hash[ep_hash(ep, epi->file, epi->fd)];

	while (*pp != epi)
		pp = &(*pp)->hnext;
	*pp = epi->hnext;
	ep->nitems--;
}

/* ---- readiness ---- */

/* Puts epi on the ready list unless it is there; true if it was not. ep->lock held. */
static bool ep_ready_locked(struct eventpoll *ep, struct epitem *epi)
{
	if (epi->rdy)
		return false;
	epi->rdy = true;
	link_add_tail(&ep->rdllist, &epi->rdlink);
	return true;
}

/*
 * On a watched file's queue, under its lock: the item becomes ready unless
 * it is disabled or the change (key) is nothing it watches, as Linux's.
 */
static void ep_poll_callback(struct wait_queue_entry *e, unsigned key)
{
	struct epitem *epi = e->private;
	struct eventpoll *ep = epi->ep;
	bool wake = false;

	pthread_mutex_lock(&ep->lock);
	if ((epi->events & ~EP_PRIVATE_BITS) && (!key || (key & epi->events))) {
		ep_ready_locked(ep, epi);
		wake = true;
	}
	pthread_mutex_unlock(&ep->lock);
	if (wake)
		wake_up_poll(&ep->wq, LINUX_POLLIN | LINUX_POLLRDNORM);
}

/* poll_wait from the item's file, at epoll_ctl ADD: the item goes on that queue. */
static void ep_ptable_queue_proc(struct wait_queue_head *q, struct poll_table *pt)
{
	struct epitem *epi = pt->qpriv;

	BUG_ON(epi->nwait == EP_ITEM_QUEUES);
	struct wait_queue_entry *e = &epi->wait[epi->nwait++];
	e->func = ep_poll_callback;
	e->private = epi;
	add_wait_queue(q, e);
}

/* What of the item's events the file has now (ep->mtx; never a host item). */
static u32 ep_item_poll(struct epitem *epi, u32 events)
{
	return epi->file->f_op->poll(epi->file, NULL) & events;
}

static void ep_set_ready(struct eventpoll *ep, struct epitem *epi)
{
	bool wake = false;

	pthread_mutex_lock(&ep->lock);
	wake = ep_ready_locked(ep, epi);
	pthread_mutex_unlock(&ep->lock);
	if (wake)
		wake_up_poll(&ep->wq, LINUX_POLLIN | LINUX_POLLRDNORM);
}

/*
 * Takes the ready list for a scan (ep->mtx): its items stay marked ready,
 * so a wake-up meanwhile leaves them to the scan, which looks at them later.
 */
static void ep_start_scan(struct eventpoll *ep, struct ep_link *txlist)
{
	link_init(txlist);
	pthread_mutex_lock(&ep->lock);
	link_splice_front(&ep->rdllist, txlist);
	pthread_mutex_unlock(&ep->lock);
}

/* The scan's next item, no longer marked ready: a wake-up from now on queues it again. */
static struct epitem *ep_scan_next(struct eventpoll *ep, struct ep_link *txlist)
{
	struct epitem *epi = NULL;

	pthread_mutex_lock(&ep->lock);
	if (!link_empty(txlist)) {
		epi = rd_item(txlist->next);
		link_del(&epi->rdlink);
		epi->rdy = false;
	}
	pthread_mutex_unlock(&ep->lock);
	return epi;
}

static void ep_done_scan(struct eventpoll *ep, struct ep_link *txlist)
{
	pthread_mutex_lock(&ep->lock);
	link_splice_front(txlist, &ep->rdllist);
	pthread_mutex_unlock(&ep->lock);
}

/*
 * Up to max ready events into out (ep->mtx): kernel items from the ready
 * list, level-triggered ones back on it, one-shot ones disabled; then the
 * host items, from the host's epoll.
 */
static int ep_send_events(struct eventpoll *ep, struct linux_epoll_event *out, int max)
{
	struct ep_link txlist;
	struct epitem *epi;
	int n = 0;

	ep_start_scan(ep, &txlist);
	while (n < max && (epi = ep_scan_next(ep, &txlist))) {
		pthread_mutex_lock(&ep->lock);
		u32 events = epi->events;
		pthread_mutex_unlock(&ep->lock);
		u32 revents = ep_item_poll(epi, events);
		if (!revents)
			continue;
		out[n].events = revents;
		out[n].data = epi->data;
		n++;
		pthread_mutex_lock(&ep->lock);
		if (events & LINUX_EPOLLONESHOT)
			epi->events &= EP_PRIVATE_BITS;
		else if (!(events & LINUX_EPOLLET))
			ep_ready_locked(ep, epi); /* level-triggered: looked at again next time */
		pthread_mutex_unlock(&ep->lock);
	}
	ep_done_scan(ep, &txlist);
	return n + ep_host_events(ep, out + n, max - n);
}

/*
 * The epoll file's poll op: readable when an item has events now.  Items
 * with none leave the ready list, as Linux's ep_read_events_proc.  Host
 * items are seen through the host epoll fd (see eventpoll_host_fd).
 */
static unsigned ep_eventpoll_poll(struct file *f, struct poll_table *pt)
{
	struct eventpoll *ep = f->private_data;
	struct ep_link txlist;
	struct epitem *epi;
	bool ready = false;

	poll_wait(&ep->wq, pt);
	pthread_mutex_lock(&ep->mtx);
	ep_start_scan(ep, &txlist);
	while (!ready && (epi = ep_scan_next(ep, &txlist))) {
		pthread_mutex_lock(&ep->lock);
		u32 events = epi->events;
		pthread_mutex_unlock(&ep->lock);
		if (ep_item_poll(epi, events)) {
			ready = true; /* it stays on the list, unwoken: nothing new happened */
			pthread_mutex_lock(&ep->lock);
			if (!epi->rdy) {
				epi->rdy = true;
				link_add_tail(&txlist, &epi->rdlink);
			}
			pthread_mutex_unlock(&ep->lock);
		}
	}
	ep_done_scan(ep, &txlist);
	pthread_mutex_unlock(&ep->mtx);
	if (!ready)
		ready = ep_host_ready(ep);
	return ready ? LINUX_POLLIN | LINUX_POLLRDNORM : 0;
}

/* ---- items ---- */

static void file_link_item(struct file *f, struct epitem *epi)
{
	pthread_mutex_lock(&f->f_lock);
	epi->f_next = f->f_ep;
	if (f->f_ep)
		f->f_ep->f_pprev = &epi->f_next;
	epi->f_pprev = &f->f_ep;
	f->f_ep = epi;
	pthread_mutex_unlock(&f->f_lock);
}

static void file_unlink_item(struct file *f, struct epitem *epi)
{
	pthread_mutex_lock(&f->f_lock);
	*epi->f_pprev = epi->f_next;
	if (epi->f_next)
		epi->f_next->f_pprev = epi->f_pprev;
	pthread_mutex_unlock(&f->f_lock);
}

/* The item's file leaves the host epoll, or its queues (ep->mtx). */
static void ep_unregister(struct eventpoll *ep, struct epitem *epi)
{
	if (epi->host_fd >= 0)
		ep_host_del(ep, epi);
	/* After this no callback runs for the item: they run under the queues' locks. */
	for (int i = 0; i < epi->nwait; i++)
		remove_wait_queue(&epi->wait[i]);
	epi->nwait = 0;
}

/* ep->mtx held, outside scans. */
static void ep_remove(struct eventpoll *ep, struct epitem *epi)
{
	ep_unregister(ep, epi);
	file_unlink_item(epi->file, epi);
	ep_hash_del(ep, epi);
	ep->nnested -= is_file_epoll(epi->file);
	pthread_mutex_lock(&ep->lock);
	if (epi->rdy)
		link_del(&epi->rdlink);
	pthread_mutex_unlock(&ep->lock);
	free(epi);
}

static long ep_insert(struct eventpoll *ep, u32 events, u64 data, struct file *tf, int fd)
{
	struct epitem *epi = calloc(1, sizeof(*epi));
	long err;

	if (!epi)
		return -LINUX_ENOMEM;
	epi->ep = ep;
	epi->file = tf;
	epi->fd = fd;
	epi->data = data;
	epi->events = events;
	epi->host_fd = -1;
	link_init(&epi->rdlink);
	if (!tf->f_op->poll && (err = ep_host_add(ep, epi, events))) {
		free(epi);
		return err;
	}
	file_link_item(tf, epi);
	ep_hash_add(ep, epi);
	ep->nnested += is_file_epoll(tf);
	if (epi->host_fd >= 0)
		return 0;
	struct poll_table pt = { .qproc = ep_ptable_queue_proc, .qpriv = epi, .registering = true };
	if (tf->f_op->poll(tf, &pt) & events)
		ep_set_ready(ep, epi);
	return 0;
}

static long ep_modify(struct eventpoll *ep, struct epitem *epi, u32 events, u64 data)
{
	pthread_mutex_lock(&ep->lock);
	epi->events = events;
	epi->data = data;
	pthread_mutex_unlock(&ep->lock);
	if (epi->host_fd >= 0)
		return ep_host_mod(ep, epi, events);
	if (ep_item_poll(epi, events))
		ep_set_ready(ep, epi);
	return 0;
}

/*
 * Adding to's instance to ep would close a loop, or nest deeper than
 * Linux allows (epmutex held: the graph does not change meanwhile).
 */
static bool ep_loop_check_proc(struct eventpoll *ep, struct eventpoll *cur, int depth)
{
	bool loop = false;

	pthread_mutex_lock(&cur->mtx);
	for (unsigned b = 0; b < cur->nbuckets && !loop; b++)
		for (struct epitem *epi = cur->hash[b]; epi && !loop; epi = epi->hnext) {
			if (!is_file_epoll(epi->file))
				continue;
			struct eventpoll *inner = epi->file->private_data;
			loop = inner == ep || depth > EP_MAX_NESTS ||
			       ep_loop_check_proc(ep, inner, depth + 1);
		}
	pthread_mutex_unlock(&cur->mtx);
	return loop;
}

long ep_ctl(struct file *epf, int op, struct file *tf, int fd, u32 events, u64 data)
{
	struct eventpoll *ep = epf->private_data;
	bool nested = op == LINUX_EPOLL_CTL_ADD && is_file_epoll(tf);
	struct epitem *epi;
	long err = -LINUX_EINVAL;

	if (nested) {
		pthread_mutex_lock(&epmutex);
		if (ep_loop_check_proc(ep, tf->private_data, 0)) {
			pthread_mutex_unlock(&epmutex);
			return -LINUX_ELOOP;
		}
	}
	pthread_mutex_lock(&ep->mtx);
	epi = ep_find(ep, tf, fd);
	/* Errors and hang-ups are always reported. */
	events |= LINUX_EPOLLERR | LINUX_EPOLLHUP;
	switch (op) {
	case LINUX_EPOLL_CTL_ADD:
		err = epi ? -LINUX_EEXIST : ep_insert(ep, events, data, tf, fd);
		break;
	case LINUX_EPOLL_CTL_DEL:
		err = epi ? 0 : -LINUX_ENOENT;
		if (epi)
			ep_remove(ep, epi);
		break;
	case LINUX_EPOLL_CTL_MOD:
		if (!epi)
			err = -LINUX_ENOENT;
		else if (!(epi->events & LINUX_EPOLLEXCLUSIVE))
			err = ep_modify(ep, epi, events, data);
		break;
	}
	pthread_mutex_unlock(&ep->mtx);
	if (nested)
		pthread_mutex_unlock(&epmutex);
	return err;
}

/* ---- waiting ---- */

/* Gathers ready events under ep->mtx and copies them out after: the count or -errno. */
static long ep_collect(struct task *t, struct eventpoll *ep, u64 uevents, int maxevents)
{
	struct linux_epoll_event stack[EP_STACK_EVENTS], *out = stack;
	int n, max;

	pthread_mutex_lock(&ep->mtx);
	max = (int)MIN((unsigned)maxevents, ep->nitems);
	if (max > EP_STACK_EVENTS && !(out = malloc((size_t)max * sizeof(*out)))) {
		pthread_mutex_unlock(&ep->mtx);
		return -LINUX_ENOMEM;
	}
	n = ep_send_events(ep, out, max);
	pthread_mutex_unlock(&ep->mtx);
	if (n && copy_to_user(t, uevents, out, (size_t)n * sizeof(*out)))
		n = -LINUX_EFAULT;
	if (out != stack)
		free(out);
	return n;
}

/*
 * An epoll file ep watches, whose host items should wake ep's sleepers: a
 * level-triggered item for EPOLLIN (ep->mtx).  Edge-triggered and one-shot
 * ones are not: the host fd stays readable and they would spin.
 */
static int nested_host_fd(struct epitem *epi)
{
	if (!is_file_epoll(epi->file) || !(epi->events & LINUX_EPOLLIN) ||
	    (epi->events & (LINUX_EPOLLET | LINUX_EPOLLONESHOT)))
		return -1;
	return eventpoll_host_fd(epi->file);
}

/*
 * The host epoll fds a sleeper on ep watches: ep's own and those of the
 * epoll files it watches, one level down (at most max).
 */
#define EP_HOST_WAIT_FDS 16
static int ep_host_wait_fds(struct eventpoll *ep, struct pollfd *fds, int max)
{
	int n = 0, hfd = atomic_load(&ep->host_epfd);

	if (hfd >= 0)
		fds[n++] = (struct pollfd){ hfd, POLLIN, 0 };
	pthread_mutex_lock(&ep->mtx);
	for (unsigned b = 0; ep->nnested && b < ep->nbuckets && n < max; b++)
		for (struct epitem *epi = ep->hash[b]; epi && n < max; epi = epi->hnext)
			if ((hfd = nested_host_fd(epi)) >= 0)
				fds[n++] = (struct pollfd){ hfd, POLLIN, 0 };
	pthread_mutex_unlock(&ep->mtx);
	return n;
}

/* After such a wake-up: those items go on the ready list, for the scan to look at. */
static void ep_nested_host_ready(struct eventpoll *ep)
{
	pthread_mutex_lock(&ep->mtx);
	for (unsigned b = 0; ep->nnested && b < ep->nbuckets; b++)
		for (struct epitem *epi = ep->hash[b]; epi; epi = epi->hnext)
			if (nested_host_fd(epi) >= 0)
				ep_set_ready(ep, epi);
	pthread_mutex_unlock(&ep->mtx);
}

long ep_poll(struct task *t, struct file *epf, u64 uevents, int maxevents,
	     const struct timespec *deadline)
{
	struct eventpoll *ep = epf->private_data;
	struct poll_table pt;
	struct timespec left;
	bool timed_out = false;
	long ret;

	if (deadline) {
		time_left(deadline, &left);
		timed_out = !left.tv_sec && !left.tv_nsec;
	}
	if (timed_out)
		return ep_collect(t, ep, uevents, maxevents);
	/* On ep->wq before the first look: a wake-up after it is not lost. */
	poll_table_init(&pt, t, 1);
	if (!pt.max)
		return -LINUX_ENOMEM;
	poll_wait(&ep->wq, &pt);
	pt.registering = false;
	for (;;) {
		ret = ep_collect(t, ep, uevents, maxevents);
		if (ret || timed_out)
			break;
		struct pollfd hfds[EP_HOST_WAIT_FDS];
		int nh = ep_host_wait_fds(ep, hfds, EP_HOST_WAIT_FDS);
		long err = nh ? ep_host_sleep(t, hfds, nh, &pt, deadline)
			      : poll_table_sleep(&pt, deadline);
		if (!err && nh > (atomic_load(&ep->host_epfd) >= 0))
			ep_nested_host_ready(ep);
		if (err == -LINUX_ETIMEDOUT) {
			timed_out = true; /* one last look */
		} else if (err) {
			ret = err;
			break;
		}
	}
	poll_table_free(&pt);
	return ret;
}

/* ---- the file ---- */

void eventpoll_release(struct file *f)
{
	pthread_mutex_lock(&epmutex);
	for (;;) {
		pthread_mutex_lock(&f->f_lock);
		struct epitem *epi = f->f_ep;
		pthread_mutex_unlock(&f->f_lock);
		if (!epi)
			break;
		struct eventpoll *ep = epi->ep;
		pthread_mutex_lock(&ep->mtx);
		ep_remove(ep, epi);
		pthread_mutex_unlock(&ep->mtx);
	}
	pthread_mutex_unlock(&epmutex);
}

static void ep_free(struct file *f)
{
	struct eventpoll *ep = f->private_data;

	pthread_mutex_lock(&epmutex);
	pthread_mutex_lock(&ep->mtx);
	for (unsigned b = 0; b < ep->nbuckets; b++)
		while (ep->hash[b])
			ep_remove(ep, ep->hash[b]);
	pthread_mutex_unlock(&ep->mtx);
	pthread_mutex_unlock(&epmutex);
	if (atomic_load(&ep->host_epfd) >= 0)
		close(atomic_load(&ep->host_epfd));
	free(ep->hash);
	wait_queue_destroy(&ep->wq);
	pthread_mutex_destroy(&ep->lock);
	pthread_mutex_destroy(&ep->mtx);
	free(ep);
}

static const struct file_operations eventpoll_fops = {
	.llseek = noop_llseek,
	.fstat = anon_inode_fstat,
	.poll = ep_eventpoll_poll,
	.release = ep_free,
};

bool is_file_epoll(struct file *f)
{
	return f->f_op == &eventpoll_fops;
}

int eventpoll_host_fd(struct file *f)
{
	return atomic_load(&((struct eventpoll *)f->private_data)->host_epfd);
}

struct file *eventpoll_file_alloc(void)
{
	struct eventpoll *ep = calloc(1, sizeof(*ep));
	struct file *f;

	if (!ep || !(ep->hash = calloc(16, sizeof(*ep->hash)))) {
		free(ep);
		return NULL;
	}
	ep->nbuckets = 16;
	atomic_init(&ep->host_epfd, -1);
	pthread_mutex_init(&ep->mtx, NULL);
	pthread_mutex_init(&ep->lock, NULL);
	link_init(&ep->rdllist);
	wait_queue_init(&ep->wq);
	f = alloc_file(&eventpoll_fops, -1, LINUX_O_RDWR, "anon_inode:[eventpoll]");
	if (!f) {
		ep_free(&(struct file){ .private_data = ep });
		return NULL;
	}
	f->private_data = ep;
	return f;
}
