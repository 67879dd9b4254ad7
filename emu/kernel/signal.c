/*
 * Signals, as far as the first issue needs them: dispositions are recorded
 * (rt_sigaction, rt_sigprocmask) and a signal whose action is the default
 * ends the process the way Linux's default action would.  Handler delivery
 * and routing between threads come with the signals issue.
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

long send_sig_simple(struct task *t, int sig, int code)
{
	bool fatal;

	if (sig < 1 || sig > LINUX_NSIG)
		return -LINUX_EINVAL;
	pthread_mutex_lock(&t->sighand->siglock);
	if (sig != LINUX_SIGKILL && (t->blocked & linux_sigmask(sig))) {
		/* Held until unblocked (recalc_sigpending). */
		t->sigpending |= linux_sigmask(sig);
		fatal = false;
	} else {
		fatal = sig_default_fatal_locked(t, sig);
	}
	pthread_mutex_unlock(&t->sighand->siglock);
	/* Caught, ignored or stop signals wait for the signals issue. */
	if (fatal)
		die_of(t, sig, code);
	return 0;
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
