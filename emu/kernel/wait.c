/*
 * Wait queues for readiness (wait.h).  A poll call's entries wake its task
 * in either place it may wait: on its own slot (no host files to watch) or
 * in a host ppoll over its host files, which the interrupt signal ends.
 */
#include <errno.h>
#include <stdlib.h>
#include "wait.h"
#include "task.h"
#include "signal.h"
#include "../fs/file.h"
#include "../../abi/linux/errno.h"

long file_wait_locked(struct file *f, struct wait_slot *w)
{
	struct task *t = task_current();

	if (file_nonblocking(f) || !t)
		return -LINUX_EAGAIN;
	return task_sleep(t, w, NULL) == -LINUX_EINTR ? -LINUX_ERESTARTSYS : 0;
}

void wait_queue_init(struct wait_queue_head *q)
{
	pthread_mutex_init(&q->lock, NULL);
	q->first = NULL;
}

void wait_queue_destroy(struct wait_queue_head *q)
{
	pthread_mutex_destroy(&q->lock);
}

void add_wait_queue(struct wait_queue_head *q, struct wait_queue_entry *e)
{
	pthread_mutex_lock(&q->lock);
	e->q = q;
	e->prev = NULL;
	e->next = q->first;
	if (q->first)
		q->first->prev = e;
	q->first = e;
	pthread_mutex_unlock(&q->lock);
}

void remove_wait_queue(struct wait_queue_entry *e)
{
	struct wait_queue_head *q = e->q;

	if (!q)
		return;
	pthread_mutex_lock(&q->lock);
	if (e->prev)
		e->prev->next = e->next;
	else
		q->first = e->next;
	if (e->next)
		e->next->prev = e->prev;
	e->q = NULL;
	pthread_mutex_unlock(&q->lock);
}

void wake_up_poll(struct wait_queue_head *q, unsigned key)
{
	pthread_mutex_lock(&q->lock);
	for (struct wait_queue_entry *e = q->first, *next; e; e = next) {
		next = e->next;
		e->func(e, key);
	}
	pthread_mutex_unlock(&q->lock);
}

void wake_up_all(struct wait_queue_head *q)
{
	wake_up_poll(q, 0);
}

/*
 * Set, then look: the poller publishes where it waits before it checks
 * the flag, so one of the two sees the other.  The poller is alive while
 * its entries are queued (it takes them off before it returns), so its
 * host thread can be signalled without the task list's lock.
 */
static void pollwake(struct wait_queue_entry *e, unsigned key)
{
	struct poll_table *pt = e->private;
	struct wait_slot *w = &pt->task->sigwait;

	(void)key; /* poll looks at every file again */
	atomic_store(&pt->triggered, true);
	pthread_mutex_lock(&w->lock);
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	task_interrupt(pt->task);
}

void poll_table_init(struct poll_table *pt, struct task *t, int max_entries)
{
	pt->qproc = NULL;
	pt->qpriv = NULL;
	pt->task = t;
	atomic_init(&pt->triggered, false);
	pt->registering = true;
	pt->nr = 0;
	pt->max = max_entries;
	pt->entries = max_entries ? calloc(max_entries, sizeof(*pt->entries)) : NULL;
	if (!pt->entries)
		pt->max = 0; /* no memory: the poll still works, by looking again on each signal */
}

void poll_wait(struct wait_queue_head *q, struct poll_table *pt)
{
	if (!pt || !pt->registering)
		return;
	if (pt->qproc) {
		pt->qproc(q, pt);
		return;
	}
	if (pt->nr == pt->max)
		return;
	struct wait_queue_entry *e = &pt->entries[pt->nr++];
	e->func = pollwake;
	e->private = pt;
	add_wait_queue(q, e);
}

long poll_table_sleep(struct poll_table *pt, const struct timespec *deadline)
{
	struct wait_slot *w = &pt->task->sigwait;
	long ret = 0;

	pthread_mutex_lock(&w->lock);
	if (!atomic_exchange(&pt->triggered, false)) {
		ret = task_sleep(pt->task, w, deadline);
		atomic_store(&pt->triggered, false);
	}
	pthread_mutex_unlock(&w->lock);
	return ret;
}

void poll_table_free(struct poll_table *pt)
{
	for (int i = 0; i < pt->nr; i++)
		remove_wait_queue(&pt->entries[i]);
	free(pt->entries);
	pt->entries = NULL;
	pt->nr = pt->max = 0;
}
