/*
 * pidfd_open and pidfd_send_signal: a descriptor for a process (pidfd.c),
 * and kill(2) or rt_sigqueueinfo(2) through one.
 */
#include "syscall_handlers.h"
#include "../kernel/task.h"
#include "../fs/file.h"
#include "../fs/pidfd.h"
#include "../mm/uaccess.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/signalfd.h"

#define PIDFD_SIGNAL_THREAD 1u
#define PIDFD_SIGNAL_THREAD_GROUP 2u
#define PIDFD_SIGNAL_PROCESS_GROUP 4u

struct pid_probe {
	int pid;
	bool found, leader;
	int pgid;
};

static void probe_locked(struct task *p, void *arg)
{
	struct pid_probe *pp = arg;

	pp->found = true;
	pp->leader = task_tgid(p) == pp->pid;
	pp->pgid = p->signal->pgid;
}

/* Whether pid is a live task, a thread group's leader, and its process group. */
static struct pid_probe probe_pid(int pid)
{
	struct pid_probe pp = { .pid = pid };

	task_with_tid(pid, probe_locked, &pp);
	return pp;
}

long sys_pidfd_open(struct task *t, int pid, u32 flags)
{
	struct pid_probe pp;
	struct file *f;
	int fd;

	/* PIDFD_THREAD (a pidfd for one thread, Linux 6.9) is not supported yet. */
	if (flags & ~LINUX_PIDFD_NONBLOCK)
		return -LINUX_EINVAL;
	if (pid <= 0)
		return -LINUX_EINVAL;
	pp = probe_pid(pid);
	if (!pp.found)
		return -LINUX_ESRCH;
	if (!pp.leader)
		return -LINUX_EINVAL;
	f = pidfd_file_alloc(pid, flags);
	if (!f)
		return -LINUX_ENOMEM;
	/* Always close-on-exec, as on Linux. */
	fd = fd_install_lowest(t, f, 0, true);
	if (fd < 0)
		fput(f);
	return fd;
}

/* The caller's siginfo: only to itself may it pose as the kernel or as kill(2). */
static long copy_pidfd_info(struct task *t, int pid, int sig, u64 uinfo, bool self_ok,
			    struct linux_siginfo *info)
{
	if (copy_from_user(t, info, uinfo, sizeof(*info)))
		return -LINUX_EFAULT;
	if (info->si_signo != sig)
		return -LINUX_EINVAL;
	if ((info->si_code >= 0 || info->si_code == LINUX_SI_TKILL) && (!self_ok || t->tid != pid))
		return -LINUX_EPERM;
	return 0;
}

long sys_pidfd_send_signal(struct task *t, int pidfd, int sig, u64 uinfo, u32 flags)
{
	enum sig_target to = flags == PIDFD_SIGNAL_THREAD ? SIG_TO_THREAD : SIG_TO_GROUP;
	struct linux_siginfo info;
	struct pid_probe pp;
	struct file *f;
	long err;
	int pid;

	if (flags & ~(PIDFD_SIGNAL_THREAD | PIDFD_SIGNAL_THREAD_GROUP | PIDFD_SIGNAL_PROCESS_GROUP))
		return -LINUX_EINVAL;
	if (flags & (flags - 1))
		return -LINUX_EINVAL; /* one scope at most */
	f = fget(t, pidfd);
	if (!f)
		return -LINUX_EBADF;
	pid = pidfd_pid(f);
	fput(f);
	if (pid < 0)
		return pid;
	if (uinfo) {
		err = copy_pidfd_info(t, pid, sig, uinfo, flags != PIDFD_SIGNAL_PROCESS_GROUP, &info);
		if (err)
			return err;
	} else {
		siginfo_user(&info, sig, to == SIG_TO_THREAD ? LINUX_SI_TKILL : LINUX_SI_USER, t);
	}
	if (sig < 0 || sig > LINUX_NSIG)
		return -LINUX_EINVAL;
	pp = probe_pid(pid);
	/* One process until fork lands: process group pid is pid's own process, if it leads one. */
	if (!pp.found || (flags == PIDFD_SIGNAL_PROCESS_GROUP && pp.pgid != pid))
		return -LINUX_ESRCH;
	if (!sig)
		return 0;
	return send_signal_tid(pid, &info, to);
}
