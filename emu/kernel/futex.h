/* Futexes (futex.c). */
#ifndef LXEMU_FUTEX_H
#define LXEMU_FUTEX_H

#include <stdbool.h>
#include "../types.h"

struct task;

/* Wakes up to n waiters on uaddr in t's mm whose bitset meets bitset. Returns how many. */
long futex_wake(struct task *t, u64 uaddr, int n, u32 bitset, bool shared);

#endif
