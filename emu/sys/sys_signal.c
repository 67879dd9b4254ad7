/*
 * rt_sigaction and rt_sigprocmask record dispositions and masks; kill,
 * tkill and tgkill aimed at the caller apply default actions.  Handler
 * delivery is the signals issue.
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
	if (uoset && copy_to_user(t, uoset, &old, sizeof(old)))
		return -LINUX_EFAULT;
	recalc_sigpending(t);
	return 0;
}

/* Signals a task of the caller's own process (the only one until fork lands). */
static long signal_task(struct task *t, int tid, int sig, int code)
{
	struct task *target;

	if (sig < 0 || sig > LINUX_NSIG)
		return -LINUX_EINVAL;
	target = tid == task_tid(t) ? t : find_task_by_tid(tid);
	if (!target || target->signal != t->signal)
		return -LINUX_ESRCH;
	return sig ? send_sig_simple(target, sig, code) : 0;
}

long sys_kill(struct task *t, int pid, int sig)
{
	if (pid == 0 || pid == -1 || pid == -t->signal->pgid)
		pid = task_tgid(t);
	if (pid != task_tgid(t))
		return -LINUX_ESRCH;
	return signal_task(t, pid == task_tid(t) ? pid : task_tid(t), sig, LINUX_SI_USER);
}

long sys_tkill(struct task *t, int tid, int sig)
{
	if (tid <= 0)
		return -LINUX_EINVAL;
	return signal_task(t, tid, sig, LINUX_SI_TKILL);
}

long sys_tgkill(struct task *t, int tgid, int tid, int sig)
{
	if (tgid <= 0 || tid <= 0)
		return -LINUX_EINVAL;
	if (tgid != task_tgid(t))
		return -LINUX_ESRCH;
	return signal_task(t, tid, sig, LINUX_SI_TKILL);
}
