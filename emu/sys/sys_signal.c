/*
 * The signal calls: dispositions and masks, sending (kill, tkill, tgkill,
 * the sigqueueinfo pair), waiting (rt_sigsuspend, pause, rt_sigtimedwait),
 * sigaltstack and restart_syscall.  rt_sigreturn never comes here: the
 * syscall hook leaves it to the run loop (signal_frame.c).
 */
#include <string.h>
#include <time.h>
#include "syscall_handlers.h"
#include "../kernel/task.h"
#include "../kernel/ktime.h"
#include "../mm/uaccess.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/signal.h"


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
		act.mask &= ~LINUX_UNBLOCKABLE;
		t->sighand->action[sig - 1] = act;
		flush_ignored_signal_locked(t, sig);
	}
	pthread_mutex_unlock(&t->sighand->siglock);
	if (uact)
		kernel_host_disposition(t, sig, act.handler);
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
		t->blocked &= ~LINUX_UNBLOCKABLE;
	}
	pthread_mutex_unlock(&t->sighand->siglock);
	/* What the new mask lets through is delivered as the call returns. */
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
	pthread_mutex_lock(&t->sighand->siglock);
	set = (t->sigpending.signal | t->signal->shared_pending.signal) & t->blocked;
	pthread_mutex_unlock(&t->sighand->siglock);
	return copy_to_user(t, uset, &set, sigsetsize) ? -LINUX_EFAULT : 0;
}

/* info to process sg (a zombie takes nothing, but exists); tasklist_lock held. */
static long kill_proc_locked(struct signal_struct *sg, const struct linux_siginfo *info)
{
	struct task *p = proc_task_locked(sg);

	/* A child it is forking right now must not miss a signal sent to the whole group. */
	if (sg->forking && info->si_signo)
		sg->fork_sigs |= linux_sigmask(info->si_signo);
	if (!p || !info->si_signo)
		return 0;
	return send_signal_locked(p, info, SIG_TO_GROUP);
}

/*
 * kill(2)'s targets: pid > 0 that process (any thread's id names its
 * process); 0 the caller's process group; -1 every process but init and
 * the caller's; < -1 the process group -pid.
 */
static long kill_info(struct task *t, int pid, const struct linux_siginfo *info)
{
	long ret = -LINUX_ESRCH, r;

	tasklist_lock();
	if (pid > 0) {
		struct signal_struct *sg = find_proc_locked(pid);
		struct task *p = sg ? NULL : task_by_tid_locked(pid);
		if (p)
			sg = p->signal;
		if (sg)
			ret = kill_proc_locked(sg, info);
	} else {
		int pgrp = pid == 0 ? t->signal->pgid : -pid;
		for (struct signal_struct *sg = procs_locked(); sg; sg = sg->next_proc) {
			if (pid == -1 ? sg->tgid == kconfig.pid_base || sg == t->signal
				      : sg->pgid != pgrp)
				continue;
			if (sg->zombie && pid == -1)
				continue;
			r = kill_proc_locked(sg, info);
			ret = ret == -LINUX_ESRCH || r == 0 ? r : ret;
		}
	}
	tasklist_unlock();
	return ret;
}

long kill_pgrp_info(int pgrp, const struct linux_siginfo *info)
{
	long ret = -LINUX_ESRCH, r;

	tasklist_lock();
	for (struct signal_struct *sg = procs_locked(); sg; sg = sg->next_proc) {
		if (sg->pgid != pgrp)
			continue;
		r = kill_proc_locked(sg, info);
		ret = ret == -LINUX_ESRCH || r == 0 ? r : ret;
	}
	tasklist_unlock();
	return ret;
}

long sys_kill(struct task *t, int pid, int sig)
{
	struct linux_siginfo info;

	if (sig < 0 || sig > LINUX_NSIG)
		return -LINUX_EINVAL;
	siginfo_user(&info, sig, LINUX_SI_USER, t);
	return kill_info(t, pid, &info);
}

long sys_tkill(struct task *t, int tid, int sig)
{
	struct linux_siginfo info;

	if (tid <= 0)
		return -LINUX_EINVAL;
	siginfo_user(&info, sig, LINUX_SI_TKILL, t);
	return do_tkill(t, 0, tid, &info);
}

long sys_tgkill(struct task *t, int tgid, int tid, int sig)
{
	struct linux_siginfo info;

	if (tgid <= 0 || tid <= 0)
		return -LINUX_EINVAL;
	siginfo_user(&info, sig, LINUX_SI_TKILL, t);
	return do_tkill(t, tgid, tid, &info);
}

/* The siginfo of rt_sigqueueinfo: a caller may not pose as the kernel or kill(2) to others. */
static long copy_queue_info(struct task *t, int pid, int sig, u64 uinfo, struct linux_siginfo *info)
{
	if (copy_from_user(t, info, uinfo, sizeof(*info)))
		return -LINUX_EFAULT;
	if ((info->si_code >= 0 || info->si_code == LINUX_SI_TKILL) && pid != task_tgid(t))
		return -LINUX_EPERM;
	info->si_signo = sig;
	return 0;
}

long sys_rt_sigqueueinfo(struct task *t, int pid, int sig, u64 uinfo)
{
	struct linux_siginfo info;
	long err;

	if (sig < 0 || sig > LINUX_NSIG)
		return -LINUX_EINVAL;
	if ((err = copy_queue_info(t, pid, sig, uinfo, &info)))
		return err;
	if (pid <= 0)
		return -LINUX_ESRCH;
	return kill_info(t, pid, &info);
}

long sys_rt_tgsigqueueinfo(struct task *t, int tgid, int tid, int sig, u64 uinfo)
{
	struct linux_siginfo info;
	long err;

	if (tgid <= 0 || tid <= 0)
		return -LINUX_EINVAL;
	if (sig < 0 || sig > LINUX_NSIG)
		return -LINUX_EINVAL;
	if ((err = copy_queue_info(t, tgid, sig, uinfo, &info)))
		return err;
	return do_tkill(t, tgid, tid, &info);
}

/* Sleeps until a signal t does not block is pending (or t exits). */
static void sleep_for_signal(struct task *t)
{
	pthread_mutex_lock(&t->sigwait.lock);
	while (task_sleep(t, &t->sigwait, NULL) != -LINUX_EINTR)
		;
	pthread_mutex_unlock(&t->sigwait.lock);
}

long sys_rt_sigsuspend(struct task *t, u64 unewset, u64 sigsetsize)
{
	linux_sigset_t set;

	if (sigsetsize != sizeof(set))
		return -LINUX_EINVAL;
	if (copy_from_user(t, &set, unewset, sizeof(set)))
		return -LINUX_EFAULT;
	set_restore_sigmask(t, set);
	sleep_for_signal(t);
	return -LINUX_ERESTARTNOHAND;
}

long sys_pause(struct task *t)
{
	sleep_for_signal(t);
	return -LINUX_ERESTARTNOHAND;
}

long sys_rt_sigtimedwait(struct task *t, u64 uthese, u64 uinfo, u64 uts, u64 sigsetsize)
{
	struct linux_siginfo info;
	struct timespec rel, deadline;
	struct wait_slot *w = signal_wait_slot(t);
	linux_sigset_t these;
	long err = 0;
	int sig;

	if (sigsetsize != sizeof(these))
		return -LINUX_EINVAL;
	if (copy_from_user(t, &these, uthese, sizeof(these)))
		return -LINUX_EFAULT;
	if (uts && (err = get_user_timespec(t, uts, &rel)))
		return err;
	these &= ~LINUX_UNBLOCKABLE;
	if (uts)
		deadline_in(&rel, &deadline);
	/* While it waits, these count as unblocked: a process-directed one may pick this thread. */
	pthread_mutex_lock(&w->lock);
	pthread_mutex_lock(&t->sighand->siglock);
	t->real_blocked = t->blocked;
	t->blocked &= ~these;
	pthread_mutex_unlock(&t->sighand->siglock);
	for (;;) {
		sig = dequeue_signal(t, these, &info);
		if (sig || err)
			break;
		err = task_sleep(t, w, uts ? &deadline : NULL);
		/* Timed out: EAGAIN.  A signal: one of these (taken next time round), or another whose handler runs (EINTR). */
		if (err == -LINUX_ETIMEDOUT)
			err = -LINUX_EAGAIN;
	}
	pthread_mutex_lock(&t->sighand->siglock);
	t->blocked = t->real_blocked;
	t->real_blocked = 0;
	pthread_mutex_unlock(&t->sighand->siglock);
	pthread_mutex_unlock(&w->lock);
	recalc_sigpending(t);
	if (!sig)
		return err;
	if (uinfo && copy_to_user(t, uinfo, &info, sizeof(info)))
		return -LINUX_EFAULT;
	return sig;
}

long sys_sigaltstack(struct task *t, u64 uss, u64 uoss)
{
	struct linux_stack ss, oss;
	long err;

	if (uss && copy_from_user(t, &ss, uss, sizeof(ss)))
		return -LINUX_EFAULT;
	err = do_sigaltstack(t, uss ? &ss : NULL, &oss, cpu_get(t, CPU_RSP));
	if (err)
		return err;
	if (uoss && copy_to_user(t, uoss, &oss, sizeof(oss)))
		return -LINUX_EFAULT;
	return 0;
}

/* Never called: the syscall hook hands rt_sigreturn to the run loop (do_rt_sigreturn). */
long sys_rt_sigreturn(struct task *t)
{
	(void)t;
	return -LINUX_ENOSYS;
}

long sys_restart_syscall(struct task *t)
{
	long (*fn)(struct task *) = t->restart_fn;

	t->restart_fn = NULL;
	return fn ? fn(t) : -LINUX_EINTR;
}
