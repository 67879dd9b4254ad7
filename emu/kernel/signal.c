/*
 * Signals, as far as the first issues need them: dispositions are recorded
 * (rt_sigaction, rt_sigprocmask), a signal whose action is the default
 * ends the process the way Linux's default action would, and tkill/tgkill
 * reach the thread they name, waiting there while it blocks them.  Handler
 * delivery and process-wide routing come with the signals issue.
 */
#include "task.h"
#include "locking.h"
#include "../trace/trace.h"
#include "../../abi/linux/errno.h"

/* Signals whose default action is to ignore them. */
static bool sig_kernel_ignore(int sig)
{
	return sig == LINUX_SIGCHLD || sig == LINUX_SIGURG || sig == LINUX_SIGWINCH ||
	       sig == LINUX_SIGCONT;
}

static bool sig_kernel_stop(int sig)
{
	return sig == LINUX_SIGSTOP || sig == LINUX_SIGTSTP || sig == LINUX_SIGTTIN ||
	       sig == LINUX_SIGTTOU;
}

/* The core flag of the wait status: set where the guest's RLIMIT_CORE allows a dump. */
static bool would_dump_core(struct task *t, int sig)
{
	return sig_kernel_coredump(sig) && t->signal->rlim[LINUX_RLIMIT_CORE].rlim_cur != 0;
}

void force_sig_fault(struct task *t, int sig, int code, u64 addr)
{
	/* No handler delivery yet: a fault is fatal whatever the disposition. */
	if (trace_on)
		trace_signal(t, sig, code, addr);
	if (kconfig.fault_report)
		cpu_fault_report(t);
	do_group_exit_signal(t, sig, would_dump_core(t, sig));
}

/* True when sig's disposition is the default action and that action kills. */
static bool sig_default_fatal_locked(struct task *t, int sig)
{
	return sig == LINUX_SIGKILL ||
	       (t->sighand->action[sig - 1].handler == LINUX_SIG_DFL && !sig_kernel_ignore(sig) &&
		!sig_kernel_stop(sig));
}

static void die_of(struct task *t, int sig, int code)
{
	if (trace_on)
		trace_signal(t, sig, code, 0);
	do_group_exit_signal(t, sig, would_dump_core(t, sig));
}

/*
 * Caller holds t's siglock.  A blocked signal waits on t (recalc_sigpending);
 * otherwise returns whether its default action kills t's group now.
 */
static bool send_sig_locked(struct task *t, int sig)
{
	if (sig != LINUX_SIGKILL && (t->blocked & linux_sigmask(sig))) {
		t->sigpending |= linux_sigmask(sig);
		return false;
	}
	return sig_default_fatal_locked(t, sig);
}

long send_sig_simple(struct task *t, int sig, int code)
{
	bool fatal;

	if (sig < 1 || sig > LINUX_NSIG)
		return -LINUX_EINVAL;
	pthread_mutex_lock(&t->sighand->siglock);
	fatal = send_sig_locked(t, sig);
	pthread_mutex_unlock(&t->sighand->siglock);
	/* Caught, ignored or stop signals wait for the signals issue. */
	if (fatal)
		die_of(t, sig, code);
	return 0;
}

struct tkill_req {
	struct task *self;
	int tgid, sig, code;
	long err;
	bool fatal;
};

/* Under the task list's lock: p cannot be freed while it is signalled. */
static void tkill_locked(struct task *p, void *arg)
{
	struct tkill_req *r = arg;

	/* Only the caller's own process exists until fork lands. */
	if (p->signal != r->self->signal || (r->tgid > 0 && p->signal->tgid != r->tgid))
		return;
	r->err = 0;
	if (r->sig < 0 || r->sig > LINUX_NSIG)
		r->err = -LINUX_EINVAL;
	if (r->err || !r->sig)
		return;
	pthread_mutex_lock(&p->sighand->siglock);
	r->fatal = send_sig_locked(p, r->sig);
	pthread_mutex_unlock(&p->sighand->siglock);
	if (r->fatal && trace_on)
		trace_signal(p, r->sig, r->code, 0);
}

long do_tkill(struct task *self, int tgid, int tid, int sig)
{
	struct tkill_req r = { .self = self, .tgid = tgid, .sig = sig,
			       .code = LINUX_SI_TKILL, .err = -LINUX_ESRCH };

	/* As Linux's do_send_specific: no such task is ESRCH before a bad signal is EINVAL. */
	task_with_tid(tid, tkill_locked, &r);
	/* The target is self's group: the whole group dies, whichever thread it was. */
	if (r.fatal)
		do_group_exit_signal(self, sig, would_dump_core(self, sig));
	return r.err;
}

void flush_ignored_signal_locked(struct task *t, int sig)
{
	struct linux_sigaction *ka = &t->sighand->action[sig - 1];

	/* POSIX: setting SIG_IGN (or SIG_DFL where that ignores) discards what is pending. */
	if (ka->handler != LINUX_SIG_IGN && !(ka->handler == LINUX_SIG_DFL && sig_kernel_ignore(sig)))
		return;
	for (struct task *o = t->signal->threads; o; o = o->next_thread)
		o->sigpending &= ~linux_sigmask(sig);
}

void recalc_sigpending(struct task *t)
{
	int sig = 0;

	pthread_mutex_lock(&t->sighand->siglock);
	for (int s = 1; s <= LINUX_NSIG && !sig; s++) {
		u64 m = linux_sigmask(s);
		if (!(t->sigpending & m) || (t->blocked & m))
			continue;
		t->sigpending &= ~m;
		if (sig_default_fatal_locked(t, s))
			sig = s;
	}
	pthread_mutex_unlock(&t->sighand->siglock);
	if (sig)
		die_of(t, sig, LINUX_SI_USER);
}
