/*
 * Job control on lxemu's terminal, in guest terms (Linux's tty_jobctrl.c).
 * The host terminal knows only lxemu's own group, so lxemu keeps the
 * guest's foreground group (tcgetpgrp, tcsetpgrp), sends what the terminal
 * generates to it (host_signals.c), and stops a background group that
 * reads the terminal, writes it under TOSTOP or changes it, as Linux does.
 * The terminal belongs to the guest init's session: init is that session's
 * leader, and a process that left it with setsid has no terminal.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "task.h"
#include "signal.h"
#include "../../abi/linux/errno.h"

static int tty_fgrp; /* guarded by the task list's lock; 0: the first process's group */

static int tty_pgrp_locked(void)
{
	struct signal_struct *init;

	if (tty_fgrp)
		return tty_fgrp;
	init = find_proc_locked(kconfig.pid_base);
	return init ? init->pgid : kconfig.pid_base;
}

int tty_foreground_pgrp(void)
{
	int pgrp;

	tasklist_lock();
	pgrp = tty_pgrp_locked();
	tasklist_unlock();
	return pgrp;
}

bool tty_in_session(struct task *t)
{
	bool in;

	tasklist_lock();
	in = t->signal->sid == kconfig.pid_base;
	tasklist_unlock();
	return in;
}

long tty_set_foreground_pgrp(struct task *t, int pgrp)
{
	long ret = -LINUX_EPERM;

	if (pgrp < 0)
		return -LINUX_EINVAL;
	tasklist_lock();
	if (t->signal->sid != kconfig.pid_base)
		ret = -LINUX_ENOTTY; /* not its controlling terminal */
	for (struct signal_struct *sg = procs_locked(); sg && ret == -LINUX_EPERM; sg = sg->next_proc)
		if (sg->pgid == pgrp && sg->sid == t->signal->sid && !sg->zombie)
			ret = 0;
	if (!ret)
		tty_fgrp = pgrp;
	tasklist_unlock();
	return ret;
}

/* ppid, pgrp and session of a host process, from /proc/PID/stat. */
static bool host_proc_ids(int pid, int *ppid, int *pgrp, int *sid)
{
	char path[32], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	/* The name may hold anything, ')' included: the fields follow the last one. */
	p = strrchr(buf, ')');
	return p && sscanf(p + 1, " %*c %d %d %d", ppid, pgrp, sid) == 3;
}

/*
 * The guest's init has its parent outside the guest: lxemu's.  Like any
 * program's parent, it keeps init's group from being orphaned when it is
 * in another group of the same session and is not the host's init.
 * lxemu's host group stands for init's, so lxemu's ancestors inside it
 * are members too: the first ancestor outside it decides.
 */
static bool host_parent_holds_pgrp(void)
{
	int me_pgrp = getpgrp(), me_sid = getsid(0), pid = getppid(), ppid, pgrp, sid;

	for (int depth = 0; depth < 64 && pid > 1; depth++) {
		if (!host_proc_ids(pid, &ppid, &pgrp, &sid))
			return true; /* cannot tell: take the usual case, a shell's job */
		if (pgrp != me_pgrp)
			return sid == me_sid;
		pid = ppid;
	}
	return false;
}

/*
 * Linux's will_become_orphaned_pgrp: no member of pgrp has a parent in
 * another group of its session, where a shell that could continue the
 * stopped group would be.  Zombies do not count.  The guest's init is a
 * pid namespace's, not the host's: the orphans it adopted count, as in a
 * container.
 */
static bool pgrp_orphaned(int pgrp)
{
	bool host_holds = host_parent_holds_pgrp(), orphaned = true;

	tasklist_lock();
	for (struct signal_struct *sg = procs_locked(); sg && orphaned; sg = sg->next_proc) {
		struct signal_struct *p = sg->parent;
		if (sg->pgid != pgrp || sg->zombie)
			continue;
		if (p)
			orphaned = p->pgid == pgrp || p->sid != sg->sid;
		else if (sg->tgid == kconfig.pid_base)
			orphaned = !host_holds;
	}
	tasklist_unlock();
	return orphaned;
}

/* Linux's is_ignored: t blocks sig or ignores it (not a default that ignores). */
static bool tty_sig_ignored(struct task *t, int sig)
{
	bool ignored;

	pthread_mutex_lock(&t->sighand->siglock);
	ignored = (t->blocked & linux_sigmask(sig)) ||
		  t->sighand->action[sig - 1].handler == LINUX_SIG_IGN;
	pthread_mutex_unlock(&t->sighand->siglock);
	return ignored;
}

long tty_check_change(struct task *t, int sig)
{
	struct linux_siginfo info;
	bool background;
	int pgrp;

	tasklist_lock();
	pgrp = t->signal->pgid;
	background = t->signal->sid == kconfig.pid_base && pgrp != tty_pgrp_locked();
	tasklist_unlock();
	if (!background)
		return 0;
	if (tty_sig_ignored(t, sig))
		return sig == LINUX_SIGTTIN ? -LINUX_EIO : 0;
	/* Nobody would continue an orphaned group: it gets EIO, not a stop. */
	if (pgrp_orphaned(pgrp))
		return -LINUX_EIO;
	/* From the kernel (Linux's kill_pgrp with priv): SI_KERNEL, no pid, uid 0. */
	siginfo_user(&info, sig, LINUX_SI_KERNEL, NULL);
	info.rt.uid = 0;
	kill_pgrp_info(pgrp, &info);
	return -LINUX_ERESTARTSYS;
}
