/*
 * Timers that send signals: alarm and setitimer's three interval timers and
 * timer_create's POSIX timers (emu/kernel/timer.c).  They belong to the
 * thread group (signal_struct->timers); one host thread fires them all.
 */
#ifndef LXEMU_TIMER_H
#define LXEMU_TIMER_H

#include "../types.h"
#include "../../abi/linux/signal.h"

struct task;
struct signal_struct;

#define NSEC_PER_USEC 1000LL
#define NSEC_PER_SEC 1000000000LL

/* A timer's setting in nanoseconds: value 0 is disarmed, interval 0 one-shot. */
struct ktimer_spec {
	s64 interval;
	s64 value;
};

/* setitimer/getitimer (which: LINUX_ITIMER_*); old may be NULL.  0 or -errno. */
long do_setitimer(struct task *t, int which, const struct ktimer_spec *val, struct ktimer_spec *old);
long do_getitimer(struct task *t, int which, struct ktimer_spec *cur);

/* timer_create (ev NULL: SIGALRM to the process).  Returns the new id or -errno. */
long do_timer_create(struct task *t, int clock, const struct linux_sigevent *ev);
/* timer_settime (flags: LINUX_TIMER_ABSTIME); old may be NULL.  0 or -errno. */
long do_timer_settime(struct task *t, int id, int flags, const struct ktimer_spec *val,
		      struct ktimer_spec *old);
long do_timer_gettime(struct task *t, int id, struct ktimer_spec *cur);
long do_timer_getoverrun(struct task *t, int id);
long do_timer_delete(struct task *t, int id);

/* Disarms and frees every timer of a thread group (its signal_struct is freed; sig may be NULL). */
void exit_itimers(struct signal_struct *sig);

/* execve: the POSIX timers go, setitimer's and alarm's stay (Linux). */
void exec_posix_timers(struct task *t);

#endif
