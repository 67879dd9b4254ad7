/*
 * Leaving: exit (one thread), exit_group (the whole thread group) and death
 * by a signal's default action.  Each marks the tasks TIF_EXIT and wakes
 * them wherever they sleep; the run loop of each task notices at its next
 * block boundary and releases the task (task.c).
 */
#include "task.h"
#include "futex.h"
#include "sched.h"
#include "locking.h"
#include "../mm/mm.h"
#include "../mm/uaccess.h"
#include "../trace/trace.h"
#include "../../abi/linux/errno.h"

void do_exit(struct task *t, int code)
{
	pthread_mutex_lock(&t->sighand->siglock);
	t->exit_code = code & 0xff;
	pthread_mutex_unlock(&t->sighand->siglock);
	task_set_pending(t, TIF_EXIT);
}

void do_group_exit(struct task *t, int exit_status)
{
	pthread_mutex_lock(&t->sighand->siglock);
	if (!t->signal->group_exit) {
		t->signal->group_exit = true;
		t->signal->group_exit_code = exit_status;
	}
	for (struct task *o = t->signal->threads; o; o = o->next_thread)
		task_set_pending(o, TIF_EXIT);
	pthread_mutex_unlock(&t->sighand->siglock);
	/* Wake the others wherever they sleep; they leave at their next block boundary. */
	wake_thread_group(t);
}

void do_group_exit_signal(struct task *t, int sig, bool core)
{
	do_group_exit(t, sig | (core ? 0x80 : 0));
}

void trace_task_end(struct task *t, int status)
{
	if (!trace_on)
		return;
	if (status & 0x7f)
		trace_killed(t, status & 0x7f, status & 0x80);
	else
		trace_exit_group(t, (status >> 8) & 0xff);
}

#define ROBUST_LIST_LIMIT 2048

struct death {
	u32 tid;
};

static u32 mark_owner_died(u32 old, void *arg)
{
	const struct death *d = arg;

	if ((old & FUTEX_TID_MASK) != d->tid)
		return old;
	return (old & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
}

/*
 * One robust futex of the dying task t: if t owns it, mark it
 * FUTEX_OWNER_DIED (atomically: other threads may be in their lock's
 * cmpxchg) and wake a waiter.  A lock t was still taking (the pending op)
 * that nobody holds gets a waiter woken too, as Linux does.
 */
static void handle_futex_death(struct task *t, u64 uaddr, bool pending_op)
{
	struct death d = { (u32)t->tid };
	u32 old;

	if (futex_update_word(t, uaddr, mark_owner_died, &d, &old))
		return;
	if (pending_op && old == 0)
		futex_wake(t, uaddr, 1, ~0u, true);
	else if ((old & FUTEX_TID_MASK) == d.tid && (old & FUTEX_WAITERS))
		futex_wake(t, uaddr, 1, ~0u, true);
}

/* Walks the robust list (struct robust_list_head: next, futex_offset, list_op_pending). */
static void exit_robust_list(struct task *t)
{
	u64 head[3], entry, pending;
	s64 off;

	if (!t->robust_list || copy_from_user(t, head, t->robust_list, sizeof(head)))
		return;
	entry = head[0];
	off = (s64)head[1];
	pending = head[2];
	for (int n = 0; entry != t->robust_list && n < ROBUST_LIST_LIMIT; n++) {
		u64 next;
		if (copy_from_user(t, &next, entry & ~1ull, 8)) /* bit 0 marks a PI futex */
			return;
		if (entry != pending)
			handle_futex_death(t, (entry & ~1ull) + off, false);
		entry = next;
	}
	if (pending)
		handle_futex_death(t, (pending & ~1ull) + off, true);
}

void exit_mm_release(struct task *t)
{
	u32 zero = 0;

	exit_robust_list(t);
	vfork_complete(t);
	/* pthread_join waits for this word to become 0 and be woken. */
	if (t->clear_child_tid && atomic_load(&t->mm->users) > 1 &&
	    !copy_to_user(t, t->clear_child_tid, &zero, 4))
		futex_wake(t, t->clear_child_tid, 1, ~0u, true); /* a shared wake, as Linux's */
}
