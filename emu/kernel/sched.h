/* The run token of an mm: the tasks of one mm take turns running guest code (sched.c). */
#ifndef LXEMU_SCHED_H
#define LXEMU_SCHED_H

#include <stdbool.h>

struct task;

/* Waits for t's turn. Returns false if t must exit instead (it holds the turn anyway). */
bool mm_run_acquire(struct task *t);
void mm_run_release(struct task *t);
/* Holds the token alone (address-space changes, engines created or closed). */
bool mm_run_exclusive(struct task *t);
/* Back from exclusive to shared, in parallel (after mm_run_exclusive). */
void mm_run_share(struct task *t);
/* True when the mm's runners share the token (--smp=atomic). */
bool mm_run_parallel(struct task *t);
/* The mm's runners share the token from now on, or take turns. Call holding it exclusively. */
void mm_set_parallel(struct task *t, bool parallel);
/* Around a kernel read-modify-write of guest memory: atomic for guest code too. */
void mm_atomic_begin(struct task *t, bool *held);
void mm_atomic_end(struct task *t, bool held);
/* True when t holds its mm's run token now. */
bool mm_run_held(struct task *t);
/* True when more than one task uses t's mm (the turn matters). */
bool mm_shared(struct task *t);

#endif
