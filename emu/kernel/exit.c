/*
 * Leaving: exit (one task), exit_group (the whole thread group) and death by
 * a signal's default action.  Each marks the tasks TIF_EXIT; the run loop of
 * each task notices at its next block boundary and releases the task.
 */
#include "task.h"
#include "locking.h"
#include "../trace/trace.h"

void do_group_exit(struct task *t, int exit_status)
{
	bool first;

	pthread_mutex_lock(&t->sighand->siglock);
	first = !t->signal->group_exit;
	if (first) {
		t->signal->group_exit = true;
		t->signal->group_exit_code = exit_status;
	}
	pthread_mutex_unlock(&t->sighand->siglock);
	/* One thread per group until clone exists; the others will be signalled here. */
	task_set_pending(t, TIF_EXIT);
}

void do_exit(struct task *t, int code)
{
	/* The last thread's exit ends the group with its code. */
	do_group_exit(t, (code & 0xff) << 8);
}

bool sig_kernel_coredump(int sig)
{
	switch (sig) {
	case LINUX_SIGQUIT: case LINUX_SIGILL: case LINUX_SIGTRAP: case LINUX_SIGABRT:
	case LINUX_SIGBUS: case LINUX_SIGFPE: case LINUX_SIGSEGV: case LINUX_SIGXCPU:
	case LINUX_SIGXFSZ: case LINUX_SIGSYS:
		return true;
	default:
		return false;
	}
}

void do_group_exit_signal(struct task *t, int sig, bool core)
{
	do_group_exit(t, sig | (core ? 0x80 : 0));
}

/* The tracer's last word on a task: "+++ exited with N +++" or "+++ killed by SIG +++". */
void trace_task_end(struct task *t)
{
	int status = t->signal->group_exit_code;

	if (!trace_on)
		return;
	if (status & 0x7f)
		trace_killed(t, status & 0x7f, status & 0x80);
	else
		trace_exit_group(t, (status >> 8) & 0xff);
}
