/* epoll instances (eventpoll.c): what the epoll calls and struct file's release use. */
#ifndef LXEMU_EVENTPOLL_H
#define LXEMU_EVENTPOLL_H

#include "../types.h"

struct file;
struct task;
struct timespec;

/* A new epoll file, or NULL (no memory). */
struct file *eventpoll_file_alloc(void);
bool is_file_epoll(struct file *f);
/*
 * epoll_ctl on ep's file epf for target file tf at fd: 0 or -errno.  The
 * caller has checked that tf can be polled (see eventpoll_can_poll).
 */
long ep_ctl(struct file *epf, int op, struct file *tf, int fd, u32 events, u64 data);
/* tf may be watched: a kernel file with a poll op, or a host file the host can poll. */
bool eventpoll_can_poll(struct file *tf);
/*
 * Waits on ep's file epf until events are ready (copied to uevents, at
 * most maxevents; returns their number), the CLOCK_MONOTONIC deadline
 * passes (0; NULL: none) or a signal comes (-EINTR).
 */
long ep_poll(struct task *t, struct file *epf, u64 uevents, int maxevents,
	     const struct timespec *deadline);
/*
 * The host fd a sleeper on epoll file f also watches (readable when f's
 * host items have events: look at f again), or -1: it has none.
 */
int eventpoll_host_fd(struct file *f);
/* The last reference to f went: every epoll item watching it goes (fput). */
void eventpoll_release(struct file *f);

#endif
