/* Futexes (futex.c). */
#ifndef LXEMU_FUTEX_H
#define LXEMU_FUTEX_H

#include <stdbool.h>
#include "../types.h"

struct task;

/* The futex word of a robust or PI lock: owner tid and state bits (Linux's). */
#define FUTEX_WAITERS 0x80000000u
#define FUTEX_OWNER_DIED 0x40000000u
#define FUTEX_TID_MASK 0x3fffffffu

/*
 * Replaces the futex word at uaddr with fn(old, arg), atomically for guest
 * code of every engine too; stores old in *oldp.  0 or -LINUX_EFAULT.
 * Not with a futex bucket lock held: it may wait for the mm's turn.
 */
long futex_update_word(struct task *t, u64 uaddr, u32 (*fn)(u32 old, void *arg), void *arg,
		       u32 *oldp);

/* Wakes up to n waiters on uaddr in t's mm whose bitset meets bitset. Returns how many. */
long futex_wake(struct task *t, u64 uaddr, int n, u32 bitset, bool shared);

#endif
