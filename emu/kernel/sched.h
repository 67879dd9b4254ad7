/* The run token of an mm: the tasks of one mm take turns running guest code (sched.c). */
#ifndef LXEMU_SCHED_H
#define LXEMU_SCHED_H

#include <stdbool.h>

struct task;

/* Waits for t's turn. Returns false if t must exit instead (it holds the turn anyway). */
bool mm_run_acquire(struct task *t);
void mm_run_release(struct task *t);
/* True when t holds its mm's run token now. */
bool mm_run_held(struct task *t);
/* True when more than one task uses t's mm (the turn matters). */
bool mm_shared(struct task *t);

#endif
