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

#endif
