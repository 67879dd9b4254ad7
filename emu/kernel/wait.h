/*
 * Wait queues for readiness: a file whose state changes (a pipe gaining
 * data or room, losing its last writer) wakes the entries on its queue.
 * poll and ppoll put one entry per file on the queues of the files they
 * watch (poll_wait, from the file's poll op) and sleep until one fires;
 * an epoll item stays on its file's queue while it lives (eventpoll.c).
 * A wake-up may name the POLL* events it concerns (wake_up_poll's key).
 */
#ifndef LXEMU_WAIT_H
#define LXEMU_WAIT_H

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include "../types.h"

struct task;
struct wait_queue_entry;

struct wait_queue_head {
	pthread_mutex_t lock;
	struct wait_queue_entry *first; /* guarded by lock */
};

struct wait_queue_entry {
	struct wait_queue_head *q;
	struct wait_queue_entry *next, *prev;
	/*
	 * Called under q->lock on each wake-up; key is the POLL* events the
	 * change concerns (0: any), for epoll to skip what its item ignores.
	 */
	void (*func)(struct wait_queue_entry *e, unsigned key);
	void *private;
};

struct file;
struct wait_slot;
/*
 * A blocking read or write of a kernel file waits on the file's slot w,
 * its lock held: -EAGAIN at once for an O_NONBLOCK file, else 0 when woken
 * (look again) or -ERESTARTSYS when a signal came.
 */
long file_wait_locked(struct file *f, struct wait_slot *w);

void wait_queue_init(struct wait_queue_head *q);
void wait_queue_destroy(struct wait_queue_head *q);
void add_wait_queue(struct wait_queue_head *q, struct wait_queue_entry *e);
void remove_wait_queue(struct wait_queue_entry *e);
/* Calls every entry's func.  May be called holding the lock of the object q belongs to. */
void wake_up_all(struct wait_queue_head *q);
/* The same for a change that concerns only the POLL* events in key (Linux's wake_up_poll). */
void wake_up_poll(struct wait_queue_head *q, unsigned key);

/*
 * One poll call's waiting: the entries it has put on files' queues, and
 * whether any fired since the last look.
 */
struct poll_table {
	/*
	 * Set by epoll (eventpoll.c): poll_wait hands the queue to it instead of
	 * putting one of the entries below on it.
	 */
	void (*qproc)(struct wait_queue_head *q, struct poll_table *pt);
	void *qpriv;
	struct task *task;
	atomic_bool triggered;
	bool registering;           /* the first look puts entries on queues; later ones don't */
	int nr, max;
	struct wait_queue_entry *entries;
};

void poll_table_init(struct poll_table *pt, struct task *t, int max_entries);
/* From a file's poll op: watch q (no-op when pt is NULL or not registering). */
void poll_wait(struct wait_queue_head *q, struct poll_table *pt);
/*
 * Sleeps until an entry fires, a signal is pending (-EINTR), or the
 * absolute CLOCK_MONOTONIC deadline passes (-ETIMEDOUT).  Returns 0 when
 * something fired: the caller looks again.
 */
long poll_table_sleep(struct poll_table *pt, const struct timespec *deadline);
/* Takes every entry off its queue. */
void poll_table_free(struct poll_table *pt);

#endif
