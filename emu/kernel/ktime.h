/* Time values from the guest (sys_time.c). */
#ifndef LXEMU_KTIME_H
#define LXEMU_KTIME_H

#include <time.h>
#include "../types.h"

struct task;

/* Copies in a struct timespec and checks it as Linux does: 0, -EFAULT or -EINVAL. */
long get_user_timespec(struct task *t, u64 uts, struct timespec *ts);

/* The CLOCK_REALTIME time when a deadline on clk falls (condvars' clock); false once past (signal.c). */
bool deadline_to_realtime(const struct timespec *deadline, clockid_t clk, struct timespec *rt);

static inline void timespec_add(struct timespec *a, const struct timespec *b)
{
	a->tv_sec += b->tv_sec;
	a->tv_nsec += b->tv_nsec;
	if (a->tv_nsec >= 1000000000L) {
		a->tv_sec++;
		a->tv_nsec -= 1000000000L;
	}
}

/* The CLOCK_MONOTONIC time rel from now: an absolute deadline for task_sleep. */
static inline void deadline_in(const struct timespec *rel, struct timespec *deadline)
{
	clock_gettime(CLOCK_MONOTONIC, deadline);
	timespec_add(deadline, rel);
}

/* How long until the CLOCK_MONOTONIC deadline; zero once it has passed. */
static inline void time_left(const struct timespec *deadline, struct timespec *left)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	left->tv_sec = deadline->tv_sec - now.tv_sec;
	left->tv_nsec = deadline->tv_nsec - now.tv_nsec;
	if (left->tv_nsec < 0) {
		left->tv_sec--;
		left->tv_nsec += 1000000000L;
	}
	if (left->tv_sec < 0)
		left->tv_sec = left->tv_nsec = 0;
}

#endif
