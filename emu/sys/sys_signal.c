/*
 * rt_sigaction and rt_sigprocmask record dispositions and masks,
 * rt_sigpending reports what waits behind the mask; kill aimed at the
 * caller's process, and tkill and tgkill aimed at any of its threads, apply
 * default actions.  Handler delivery is the signals issue.
 */
#include "syscall_handlers.h"
#include "../kernel/task.h"
#include "../mm/uaccess.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/signal.h"

#define UNBLOCKABLE (linux_sigmask(LINUX_SIGKILL) | linux_sigmask(LINUX_SIGSTOP))

long sys_rt_sigaction(struct task *t, int sig, u64 uact, u64 uoact, u64 sigsetsize)
{
	struct linux_sigaction act, old;

	if (sigsetsize != sizeof(linux_sigset_t))
		return -LINUX_EINVAL;
	if (sig < 1 || sig > LINUX_NSIG || (uact && (sig == LINUX_SIGKILL || sig == LINUX_SIGSTOP)))
		return -LINUX_EINVAL;
	if (uact && copy_from_user(t, &act, uact, sizeof(act)))
		return -LINUX_EFAULT;
	pthread_mutex_lock(&t->sighand->siglock);
	old = t->sighand->action[sig - 1];
	if (uact) {
		act.mask &= ~UNBLOCKABLE;
		t->sighand->action[sig - 1] = act;
		flush_ignored_signal_locked(t, sig);
	}
	pthread_mutex_unlock(&t->sighand->siglock);
	if (uoact && copy_to_user(t, uoact, &old, sizeof(old)))
		return -LINUX_EFAULT;
	return 0;
}

long sys_rt_sigprocmask(struct task *t, int how, u64 uset, u64 uoset, u64 sigsetsize)
{
	linux_sigset_t set = 0, old;

	if (sigsetsize != sizeof(linux_sigset_t))
		return -LINUX_EINVAL;
	if (uset && copy_from_user(t, &set, uset, sizeof(set)))
		return -LINUX_EFAULT;
	if (uset && how != LINUX_SIG_BLOCK && how != LINUX_SIG_UNBLOCK && how != LINUX_SIG_SETMASK)
		return -LINUX_EINVAL;
	pthread_mutex_lock(&t->sighand->siglock);
	old = t->blocked;
	if (uset) {
		if (how == LINUX_SIG_BLOCK)
			t->blocked |= set;
		else if (how == LINUX_SIG_UNBLOCK)
			t->blocked &= ~set;
		else
			t->blocked = set;
		t->blocked &= ~UNBLOCKABLE;
	}
	pthread_mutex_unlock(&t->sighand->siglock);
	/* The new mask stands even if the old one cannot be stored: apply it first. */
	recalc_sigpending(t);
	if (uoset && copy_to_user(t, uoset, &old, sizeof(old)))
		return -LINUX_EFAULT;
	return 0;
}

long sys_rt_sigpending(struct task *t, u64 uset, u64 sigsetsize)
{
	linux_sigset_t set;

	if (sigsetsize > sizeof(set))
		return -LINUX_EINVAL;
	/* Only blocked signals stay pending (recalc_sigpending applies the rest). */
	pthread_mutex_lock(&t->sighand->siglock);
	set = t->sigpending & t->blocked;
	pthread_mutex_unlock(&t->sighand->siglock);
	return copy_to_user(t, uset, &set, sigsetsize) ? -LINUX_EFAULT : 0;
}

long sys_kill(struct task *t, int pid, int sig)
{
	if (pid == 0 || pid == -1 || pid == -t->signal->pgid)
		pid = task_tgid(t);
	if (pid != task_tgid(t))
		return -LINUX_ESRCH;
	if (sig < 0 || sig > LINUX_NSIG)
		return -LINUX_EINVAL;
	/* Process-directed signals go to the caller until the signals issue routes them. */
	return sig ? send_sig_simple(t, sig, LINUX_SI_USER) : 0;
}

long sys_tkill(struct task *t, int tid, int sig)
{
	if (tid <= 0)
		return -LINUX_EINVAL;
	return do_tkill(t, 0, tid, sig);
}

long sys_tgkill(struct task *t, int tgid, int tid, int sig)
{
	if (tgid <= 0 || tid <= 0)
		return -LINUX_EINVAL;
	return do_tkill(t, tgid, tid, sig);
}
