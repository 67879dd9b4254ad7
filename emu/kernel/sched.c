/*
 * Taking turns on an mm (DESIGN.md, "Atomicity domains").  A task holds its
 * mm's run token while its engine executes guest code and gives it up for
 * the length of a system call, so every guest atomic instruction is atomic
 * with respect to the other threads.  Tickets keep the queue fair; a task
 * that has waited a time slice asks the runner to yield at its next block
 * boundary (task->pending, never uc_emu_stop across threads).
 */
#include <errno.h>
#include <sched.h>
#include <time.h>
#include "task.h"
#include "sched.h"
#include "../mm/mm.h"

#define TIME_SLICE_NS (10 * 1000 * 1000)

bool mm_run_acquire(struct task *t)
{
	struct mm_cpu *c = &t->mm->cpu;
	struct timespec slice;
	u64 ticket;
	bool ok = true;

	pthread_mutex_lock(&c->lock);
	ticket = c->next_ticket++;
	while (c->serving != ticket) {
		/* The runner's slice ends TIME_SLICE_NS after it took its turn. */
		slice = c->since;
		slice.tv_nsec += TIME_SLICE_NS;
		slice.tv_sec += slice.tv_nsec / 1000000000;
		slice.tv_nsec %= 1000000000;
		if (pthread_cond_timedwait(&c->cond, &c->lock, &slice) == ETIMEDOUT && c->runner)
			task_set_pending(c->runner, TIF_YIELD);
	}
	c->runner = t;
	clock_gettime(CLOCK_MONOTONIC, &c->since);
	/* An exiting task takes its turn only to leave at once: the caller checks. */
	if (atomic_load(&t->pending) & TIF_EXIT)
		ok = false;
	pthread_mutex_unlock(&c->lock);
	return ok;
}

void mm_run_release(struct task *t)
{
	struct mm_cpu *c = &t->mm->cpu;

	pthread_mutex_lock(&c->lock);
	if (c->runner == t)
		c->runner = NULL;
	c->serving++;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

bool mm_run_held(struct task *t)
{
	struct mm_cpu *c = &t->mm->cpu;
	bool held;

	pthread_mutex_lock(&c->lock);
	held = c->runner == t;
	pthread_mutex_unlock(&c->lock);
	return held;
}

bool mm_shared(struct task *t)
{
	return atomic_load(&t->mm->users) > 1;
}

long sys_sched_yield(struct task *t)
{
	/* The syscall hook already gave the turn up: the others run while we yield the host CPU. */
	(void)t;
	sched_yield();
	return 0;
}
