/*
 * Lock order: a task may take these in this order and never the reverse.
 *
 *   ktimers.lock                 (timer.c: every process's timers; the timer
 *                                 thread sends their signals and reads the
 *                                 threads' CPU clocks holding it, so it comes
 *                                 before tasks_lock and all that follows)
 *   kernel.tasks_lock            (the task list, pid allocation, each task's
 *                                 comm and CPU mask)
 *     task->sync_lock            (queued address-space changes; leaf)
 *     sighand->siglock, trace_lock (a signal is queued on a task the list
 *                                 holds alive; siglock is dropped before
 *                                 the wake-ups below)
 *   wait slots: futex bucket lock, task->sigwait, sighand->signal_wait
 *                                (a sleeper holds its slot's lock while it
 *                                 checks signal_pending, which takes siglock;
 *                                 a sender broadcasts them holding only
 *                                 tasks_lock; reading the futex word takes
 *                                 mmap_lock)
 *     mm->mmap_lock              (VMAs, brk; uaccess holds it while copying)
 *       files->file_lock         (fd table slots)
 *         fs->lock               (root, cwd, umask)
 *           sighand->siglock     (sigactions, pending sets, blocked masks)
 *             trace_lock         (the trace output file)
 *   epmutex                      (eventpoll.c: the graph of epoll files inside
 *                                 epoll files; adding an epoll file, freeing
 *                                 an instance, a watched file's last fput)
 *     ep->mtx                    (an instance's items and scans; an outer
 *                                 instance's before an inner one's; held
 *                                 while it calls its files' poll ops, never
 *                                 while it copies to the guest or fputs)
 *       file locks: pipe and eventfd wait slots, file->f_lock, and
 *       unix_pair->wait.lock (af_unix.c: both ends of a socketpair; files
 *                                 in flight are put, and received ones
 *                                 installed, with it dropped, since a
 *                                 file's release may take another pair's)
 *         wait_queue_head.lock   (wake-ups call entries' funcs holding it)
 *           ep->lock             (the ready list; leaf, dropped before
 *                                 the instance's own queue is woken)
 *           an instance's wq lock, then an outer instance's ep->lock
 *           and wq lock, then a poller's task->sigwait (pollwake)
 *   kernel.tasks_lock -> signalfd's static queue lock (signal.c wakes
 *                                 signalfd pollers after dropping siglock)
 *   mm->cpu.lock                 (the run token; taken with nothing else held,
 *                                 except released holding a futex bucket lock
 *                                 in FUTEX_LOCK_PI; FUTEX_WAKE_OP and the PI
 *                                 calls take the turn before the bucket lock)
 *
 * A function whose name ends in _locked expects the caller to hold the lock
 * of the object it is handed.  Wake other tasks and send signals only after
 * dropping leaf locks.  Host calls that may block (read, write, nanosleep)
 * are never made while a lock above is held.
 */
#ifndef LXEMU_LOCKING_H
#define LXEMU_LOCKING_H

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

/* A broken kernel invariant: print where and abort lxemu (never a guest error). */
#define panic(...)                                                         \
	do {                                                               \
		fprintf(stderr, "lxemu: panic at %s:%d: ", __FILE__, __LINE__); \
		fprintf(stderr, __VA_ARGS__);                              \
		fputc('\n', stderr);                                       \
		abort();                                                   \
	} while (0)

#define BUG_ON(cond)                                            \
	do {                                                    \
		if (cond)                                       \
			panic("BUG_ON(%s)", #cond);             \
	} while (0)

#endif
