/*
 * The run token of an mm (DESIGN.md, "Atomicity domains").  A task holds it
 * while its engine executes guest code and gives it up for the length of a
 * system call.  Taking turns, the holder is alone, so every guest atomic
 * instruction is atomic with respect to the other threads; tickets keep the
 * queue fair, and a task that has waited a time slice asks the runner to
 * yield at its next block boundary (task->pending, never uc_emu_stop across
 * threads).  In parallel (--smp=atomic, cpu/atomic.c makes the atomics
 * atomic), runners share the token; whoever changes the address space or
 * creates or closes an engine takes it exclusively, which stops every
 * runner at its next block boundary first.
 */
#include <errno.h>
#include <sched.h>
#include <time.h>
#include "task.h"
#include "sched.h"
#include "../mm/mm.h"

#define TIME_SLICE_NS (10 * 1000 * 1000)
#define SHOOTDOWN_RETRY_NS (1000 * 1000)

static void deadline_after(const struct timespec *from, long ns, struct timespec *out)
{
	*out = *from;
	out->tv_nsec += ns;
	out->tv_sec += out->tv_nsec / 1000000000;
	out->tv_nsec %= 1000000000;
}

/*
 * When a waiter next looks again: the end of the holder's slice, but never
 * less than a retry interval from now (a slice already over, or a holder
 * still waiting for the runners to stop, must not make the waiter spin).
 */
static void next_look(const struct mm_cpu *c, struct timespec *out)
{
	struct timespec now, soon;

	deadline_after(&c->since, TIME_SLICE_NS, out);
	clock_gettime(CLOCK_MONOTONIC, &now);
	deadline_after(&now, SHOOTDOWN_RETRY_NS, &soon);
	if (out->tv_sec < soon.tv_sec || (out->tv_sec == soon.tv_sec && out->tv_nsec < soon.tv_nsec))
		*out = soon;
}

/*
 * The exclusive token: a fair ticket; in parallel, also no runner sharing
 * it.  A waiter that waited a time slice asks the holder to yield.
 */
static bool acquire_exclusive(struct task *t)
{
	struct mm_cpu *c = &t->mm->cpu;
	struct timespec slice, now;
	u64 ticket;
	bool ok = true;

	pthread_mutex_lock(&c->lock);
	ticket = c->next_ticket++;
	while (c->serving != ticket || c->nr_shared) {
		if (c->serving == ticket) {
			/* Our turn, once the sharing runners are out: ask them (lock order). */
			pthread_mutex_unlock(&c->lock);
			task_set_pending_mm(t, t->mm, TIF_YIELD);
			pthread_mutex_lock(&c->lock);
			if (!c->nr_shared)
				break;
			clock_gettime(CLOCK_MONOTONIC, &now);
			deadline_after(&now, SHOOTDOWN_RETRY_NS, &slice);
			pthread_cond_timedwait(&c->cond, &c->lock, &slice);
			continue;
		}
		/* The runner's slice ends TIME_SLICE_NS after it took its turn. */
		next_look(c, &slice);
		if (pthread_cond_timedwait(&c->cond, &c->lock, &slice) == ETIMEDOUT && c->runner)
			task_set_pending(c->runner, TIF_YIELD);
	}
	c->runner = t;
	clock_gettime(CLOCK_MONOTONIC, &c->since);
	/* An exiting task takes its turn only to leave at once: the caller checks. */
	if (atomic_load(&t->pending) & TIF_EXIT)
		ok = false;
	pthread_mutex_unlock(&c->lock);
	t->run_held = RUN_EXCLUSIVE;
	return ok;
}

/* A shared turn: while no exclusive holder runs or waits. */
static bool acquire_shared(struct task *t)
{
	struct mm_cpu *c = &t->mm->cpu;
	bool ok = true;

	pthread_mutex_lock(&c->lock);
	while (c->next_ticket != c->serving && c->parallel) {
		/* An exclusive holder that keeps its turn a whole slice is asked to yield. */
		struct timespec slice;
		next_look(c, &slice);
		if (pthread_cond_timedwait(&c->cond, &c->lock, &slice) == ETIMEDOUT && c->runner)
			task_set_pending(c->runner, TIF_YIELD);
	}
	if (!c->parallel) {
		pthread_mutex_unlock(&c->lock);
		return acquire_exclusive(t); /* the mm went back to taking turns */
	}
	c->nr_shared++;
	if (atomic_load(&t->pending) & TIF_EXIT)
		ok = false;
	pthread_mutex_unlock(&c->lock);
	t->run_held = RUN_SHARED;
	return ok;
}

bool mm_run_parallel(struct task *t)
{
	bool parallel;

	pthread_mutex_lock(&t->mm->cpu.lock);
	parallel = t->mm->cpu.parallel;
	pthread_mutex_unlock(&t->mm->cpu.lock);
	return parallel;
}

bool mm_run_acquire(struct task *t)
{
	return mm_run_parallel(t) ? acquire_shared(t) : acquire_exclusive(t);
}

void mm_run_release(struct task *t)
{
	struct mm_cpu *c = &t->mm->cpu;

	pthread_mutex_lock(&c->lock);
	if (t->run_held == RUN_SHARED) {
		c->nr_shared--;
	} else if (t->run_held == RUN_EXCLUSIVE) {
		if (c->runner == t)
			c->runner = NULL;
		c->serving++;
	}
	t->run_held = RUN_NONE;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

bool mm_run_exclusive(struct task *t)
{
	if (t->run_held == RUN_EXCLUSIVE)
		return !(atomic_load(&t->pending) & TIF_EXIT);
	if (t->run_held == RUN_SHARED)
		mm_run_release(t);
	return acquire_exclusive(t);
}

void mm_run_share(struct task *t)
{
	if (t->run_held == RUN_EXCLUSIVE && mm_run_parallel(t)) {
		mm_run_release(t);
		acquire_shared(t);
	}
}

bool mm_run_held(struct task *t)
{
	return t->run_held != RUN_NONE;
}

void mm_atomic_begin(struct task *t, bool *held)
{
	/* With host atomics in every engine, the kernel's host atomics need nothing more. */
	*held = mm_run_held(t) || mm_run_parallel(t);
	if (!*held)
		mm_run_acquire(t);
}

void mm_atomic_end(struct task *t, bool held)
{
	if (!held)
		mm_run_release(t);
}

void mm_set_parallel(struct task *t, bool parallel)
{
	struct mm_cpu *c = &t->mm->cpu;

	pthread_mutex_lock(&c->lock);
	c->parallel = parallel;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
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
