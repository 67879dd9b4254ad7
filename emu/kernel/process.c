/*
 * The process tree: who waits for whom.  Each process (signal_struct) has
 * a parent and children; when its last thread ends it becomes a zombie its
 * parent reaps with wait4/waitid, after SIGCHLD (its exit signal) tells the
 * parent, unless the parent ignores SIGCHLD or set SA_NOCLDWAIT (reaped at
 * once, as Linux does).  Its own children go to the nearest subreaper
 * ancestor or to the guest's init.  The guest's init is lxemu's pid
 * namespace's: when it ends, every other process is killed.
 *
 * The tree is guarded by the task list's lock.  A waiter never holds its
 * wait slot's lock and the task list's together: it samples wait_gen under
 * the task list's lock, and sleeps until a notifier (holding the task list's
 * lock, then the slot's) has moved it on.
 */
#include <string.h>
#include <unistd.h>
#include "syscall_handlers.h"
#include "task.h"
#include "signal.h"
#include "locking.h"
#include "../mm/uaccess.h"
#include "../fs/file.h"
#include "../fs/pidfd.h"
#include "../../abi/linux/errno.h"

#define LINUX_WNOHANG 0x00000001
#define LINUX_WUNTRACED 0x00000002
#define LINUX_WSTOPPED LINUX_WUNTRACED
#define LINUX_WEXITED 0x00000004
#define LINUX_WCONTINUED 0x00000008
#define LINUX_WNOWAIT 0x01000000
#define LINUX_WNOTHREAD 0x20000000
#define LINUX_WALL 0x40000000
#define LINUX_WCLONE 0x80000000U

#define LINUX_PR_SET_PDEATHSIG 1
#define LINUX_PR_GET_PDEATHSIG 2
#define LINUX_PR_GET_DUMPABLE 3
#define LINUX_PR_SET_DUMPABLE 4
#define LINUX_PR_SET_CHILD_SUBREAPER 36
#define LINUX_PR_GET_CHILD_SUBREAPER 37

#define LINUX_P_ALL 0
#define LINUX_P_PID 1
#define LINUX_P_PGID 2
#define LINUX_P_PIDFD 3

/* Wakes the threads of sg that wait for children. */
static void wake_waiters_locked(struct signal_struct *sg)
{
	__atomic_add_fetch(&sg->wait_gen, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_lock(&sg->wait_chld.lock);
	pthread_cond_broadcast(&sg->wait_chld.cond);
	pthread_mutex_unlock(&sg->wait_chld.lock);
}

static void chld_info(struct linux_siginfo *info, int sig, const struct signal_struct *c, int code,
		      int status)
{
	memset(info, 0, sizeof(*info));
	info->si_signo = sig;
	info->si_code = code;
	info->chld.pid = c->tgid;
	info->chld.uid = (u32)getuid();
	info->chld.status = status;
}

/* The code and si_status of a wait status: exited, killed or dumped. */
static int exit_code_of(int status, int *si_status)
{
	if (status & 0x7f) {
		*si_status = status & 0x7f;
		return (status & 0x80) ? LINUX_CLD_DUMPED : LINUX_CLD_KILLED;
	}
	*si_status = (status >> 8) & 0xff;
	return LINUX_CLD_EXITED;
}

/*
 * Tells c's parent that c ended (Linux's do_notify_parent).  Returns true
 * when the parent does not want it as a zombie: it is reaped at once.
 */
static bool notify_parent_locked(struct signal_struct *c)
{
	struct task *p = c->parent ? proc_task_locked(c->parent) : NULL;
	struct linux_siginfo info;
	struct linux_sigaction ka;
	bool autoreap = false;
	int sig = c->exit_signal, si_status, code;

	if (!p)
		return false;
	code = exit_code_of(c->wait_status, &si_status);
	pthread_mutex_lock(&p->sighand->siglock);
	ka = p->sighand->action[LINUX_SIGCHLD - 1];
	pthread_mutex_unlock(&p->sighand->siglock);
	if (sig == LINUX_SIGCHLD && (ka.handler == LINUX_SIG_IGN || (ka.flags & LINUX_SA_NOCLDWAIT))) {
		autoreap = true;
		if (ka.handler == LINUX_SIG_IGN)
			sig = 0;
	}
	if (sig > 0 && sig <= LINUX_NSIG) {
		chld_info(&info, sig, c, code, si_status);
		send_signal_locked(p, &info, SIG_TO_GROUP);
	}
	wake_waiters_locked(c->parent);
	return autoreap;
}

/* The nearest living subreaper above sg, else init, else nobody. */
static struct signal_struct *find_reaper_locked(struct signal_struct *sg)
{
	struct signal_struct *init = find_proc_locked(kconfig.pid_base);

	for (struct signal_struct *a = sg->parent; a; a = a->parent)
		if (a->is_subreaper && !a->zombie && a != sg)
			return a;
	return init && init != sg && !init->zombie ? init : NULL;
}

/* sg's children go to their new parent; zombies among them tell it at once. */
static void forget_original_parent_locked(struct signal_struct *sg)
{
	struct signal_struct *reaper = find_reaper_locked(sg), *c, *next;

	for (c = sg->children; c; c = next) {
		next = c->sibling;
		/* PR_SET_PDEATHSIG: the child learns its parent is gone. */
		struct task *ct = c->pdeath_signal && !c->zombie ? proc_task_locked(c) : NULL;
		if (ct) {
			struct linux_siginfo info;
			siginfo_user(&info, c->pdeath_signal, LINUX_SI_USER, NULL);
			info.rt.pid = sg->tgid;
			send_signal_locked(ct, &info, SIG_TO_THREAD);
		}
		c->parent = reaper;
		if (reaper) {
			c->sibling = reaper->children;
			reaper->children = c;
		}
		/* An orphan's exit signal is SIGCHLD from now on (Linux's reparent_leader). */
		c->exit_signal = LINUX_SIGCHLD;
		if (c->zombie && reaper && notify_parent_locked(c))
			release_proc_locked(c);
	}
	sg->children = NULL;
}

/* The pid namespace's init is gone: everything else in it dies. */
static void kill_all_locked(struct signal_struct *init)
{
	struct linux_siginfo info;

	siginfo_user(&info, LINUX_SIGKILL, LINUX_SI_KERNEL, NULL);
	for (struct signal_struct *sg = procs_locked(); sg; sg = sg->next_proc) {
		struct task *p = sg != init && !sg->zombie ? proc_task_locked(sg) : NULL;
		if (p)
			send_signal_locked(p, &info, SIG_TO_GROUP);
	}
}

void exit_notify_locked(struct task *t, int status)
{
	struct signal_struct *sg = t->signal;

	sg->wait_status = status;
	forget_original_parent_locked(sg);
	if (sg->tgid == kconfig.pid_base)
		kill_all_locked(sg);
	if (sg->parent && notify_parent_locked(sg)) {
		release_proc_locked(sg);
		return;
	}
	/* A zombie until its parent reaps it (init's: until lxemu exits). */
	sg->zombie = true;
	pidfd_notify();
}

static void notify_stop_locked(struct signal_struct *sg, int sig)
{
	struct task *p = sg->parent ? proc_task_locked(sg->parent) : NULL;
	struct linux_siginfo info;
	bool nocldstop;

	sg->stop_report = sig ? sig : -1;
	if (!p)
		return;
	pthread_mutex_lock(&p->sighand->siglock);
	nocldstop = p->sighand->action[LINUX_SIGCHLD - 1].flags & LINUX_SA_NOCLDSTOP;
	pthread_mutex_unlock(&p->sighand->siglock);
	if (!nocldstop) {
		chld_info(&info, LINUX_SIGCHLD, sg, sig ? LINUX_CLD_STOPPED : LINUX_CLD_CONTINUED,
			  sig ? sig : LINUX_SIGCONT);
		send_signal_locked(p, &info, SIG_TO_GROUP);
	}
	wake_waiters_locked(sg->parent);
}

void notify_parent_stop_locked(struct signal_struct *sg, int sig)
{
	notify_stop_locked(sg, sig);
}

void notify_parent_stop(struct task *t, int sig)
{
	tasklist_lock();
	notify_stop_locked(t->signal, sig);
	tasklist_unlock();
}

/* ---- wait4 and waitid ---- */

struct wait_opts {
	int type, id, options;
	/* the result */
	int pid, status, code, si_status;
};

static bool eligible_locked(const struct wait_opts *wo, const struct signal_struct *c)
{
	if (wo->type == LINUX_P_PID && c->tgid != wo->id)
		return false;
	if (wo->type == LINUX_P_PGID && c->pgid != wo->id)
		return false;
	/* __WCLONE waits for children whose exit signal is not SIGCHLD, and only those. */
	if (!(wo->options & LINUX_WALL) &&
	    ((c->exit_signal != LINUX_SIGCHLD) != !!(wo->options & LINUX_WCLONE)))
		return false;
	return true;
}

/* A state change of c that wo waits for: taken (and c reaped) unless WNOWAIT. */
static bool take_locked(struct wait_opts *wo, struct signal_struct *c)
{
	bool keep = wo->options & LINUX_WNOWAIT;

	if (c->zombie && (wo->options & LINUX_WEXITED)) {
		wo->pid = c->tgid;
		wo->status = c->wait_status;
		wo->code = exit_code_of(c->wait_status, &wo->si_status);
		if (!keep)
			release_proc_locked(c);
		return true;
	}
	if (c->stop_report > 0 && (wo->options & LINUX_WSTOPPED)) {
		wo->pid = c->tgid;
		wo->status = (c->stop_report << 8) | 0x7f;
		wo->code = LINUX_CLD_STOPPED;
		wo->si_status = c->stop_report;
		if (!keep)
			c->stop_report = 0;
		return true;
	}
	if (c->stop_report < 0 && (wo->options & LINUX_WCONTINUED)) {
		wo->pid = c->tgid;
		wo->status = 0xffff;
		wo->code = LINUX_CLD_CONTINUED;
		wo->si_status = LINUX_SIGCONT;
		if (!keep)
			c->stop_report = 0;
		return true;
	}
	return false;
}

/* Linux's do_wait: the pid that changed state, 0 (WNOHANG), -ECHILD or -ERESTARTSYS. */
static long do_wait(struct task *t, struct wait_opts *wo)
{
	struct signal_struct *sg = t->signal;
	bool interrupted = false;

	/* A child's change is taken before a signal that came with it (Linux's order). */
	for (;;) {
		bool any = false;
		unsigned gen;

		tasklist_lock();
		gen = __atomic_load_n(&sg->wait_gen, __ATOMIC_SEQ_CST);
		for (struct signal_struct *c = sg->children; c; c = c->sibling) {
			if (!eligible_locked(wo, c))
				continue;
			any = true;
			if (take_locked(wo, c)) {
				tasklist_unlock();
				return wo->pid;
			}
		}
		tasklist_unlock();
		if (!any)
			return -LINUX_ECHILD;
		if (wo->options & LINUX_WNOHANG)
			return 0;
		if (interrupted)
			return -LINUX_ERESTARTSYS;
		pthread_mutex_lock(&sg->wait_chld.lock);
		long r = 0;
		while (__atomic_load_n(&sg->wait_gen, __ATOMIC_SEQ_CST) == gen && r != -LINUX_EINTR)
			r = task_sleep(t, &sg->wait_chld, NULL);
		pthread_mutex_unlock(&sg->wait_chld.lock);
		interrupted = r == -LINUX_EINTR;
	}
}

long sys_wait4(struct task *t, int upid, u64 ustat_addr, int options, u64 uru)
{
	struct wait_opts wo = { .options = options | LINUX_WEXITED };
	u8 rusage[144];
	long ret;

	if (options & ~(LINUX_WNOHANG | LINUX_WUNTRACED | LINUX_WCONTINUED | LINUX_WNOTHREAD |
			LINUX_WCLONE | LINUX_WALL))
		return -LINUX_EINVAL;
	if (upid == -1) {
		wo.type = LINUX_P_ALL;
	} else if (upid < 0) {
		if (upid == (int)0x80000000)
			return -LINUX_ESRCH;
		wo.type = LINUX_P_PGID;
		wo.id = -upid;
	} else if (upid == 0) {
		wo.type = LINUX_P_PGID;
		wo.id = t->signal->pgid;
	} else {
		wo.type = LINUX_P_PID;
		wo.id = upid;
	}
	ret = do_wait(t, &wo);
	if (ret > 0 && ustat_addr && copy_to_user(t, ustat_addr, &wo.status, 4))
		return -LINUX_EFAULT;
	memset(rusage, 0, sizeof(rusage));
	if (ret > 0 && uru && copy_to_user(t, uru, rusage, sizeof(rusage)))
		return -LINUX_EFAULT;
	return ret;
}

long sys_waitid(struct task *t, int which, int upid, u64 uinfop, int options, u64 uru)
{
	struct wait_opts wo = { .options = options, .id = upid };
	struct { int signo, err, code, pad, pid; u32 uid; int status; } si;
	u8 rusage[144];
	long ret;

	if (options & ~(LINUX_WNOHANG | LINUX_WNOWAIT | LINUX_WEXITED | LINUX_WSTOPPED |
			LINUX_WCONTINUED | LINUX_WNOTHREAD | LINUX_WCLONE | LINUX_WALL))
		return -LINUX_EINVAL;
	if (!(options & (LINUX_WEXITED | LINUX_WSTOPPED | LINUX_WCONTINUED)))
		return -LINUX_EINVAL;
	switch (which) {
	case LINUX_P_ALL:
		wo.type = LINUX_P_ALL;
		break;
	case LINUX_P_PID:
		if (upid <= 0)
			return -LINUX_EINVAL;
		wo.type = LINUX_P_PID;
		break;
	case LINUX_P_PGID:
		if (upid < 0)
			return -LINUX_EINVAL;
		wo.type = LINUX_P_PGID;
		wo.id = upid ? upid : t->signal->pgid;
		break;
	case LINUX_P_PIDFD: {
		struct file *f = fget(t, upid);
		int pid = f ? pidfd_pid(f) : -LINUX_EBADF;
		if (f)
			fput(f);
		if (pid < 0)
			return pid;
		wo.type = LINUX_P_PID;
		wo.id = pid;
		break;
	}
	default:
		return -LINUX_EINVAL;
	}
	ret = do_wait(t, &wo);
	if (ret < 0)
		return ret;
	/* What Linux writes: the fields of a child's state change, all 0 when none changed. */
	memset(&si, 0, sizeof(si));
	if (ret > 0) {
		si.signo = LINUX_SIGCHLD;
		si.code = wo.code;
		si.pid = wo.pid;
		si.uid = (u32)getuid();
		si.status = wo.si_status;
	}
	if (uinfop && (copy_to_user(t, uinfop, &si.signo, 12) ||
		       copy_to_user(t, uinfop + 16, &si.pid, 12)))
		return -LINUX_EFAULT;
	memset(rusage, 0, sizeof(rusage));
	if (ret > 0 && uru && copy_to_user(t, uru, rusage, sizeof(rusage)))
		return -LINUX_EFAULT;
	return 0;
}

long sys_getppid(struct task *t)
{
	int ppid;

	/* The first guest process is its own namespace's init: its parent is outside (0). */
	tasklist_lock();
	ppid = t->signal->parent ? t->signal->parent->tgid : 0;
	tasklist_unlock();
	return ppid;
}

long sys_setpgid(struct task *t, int pid, int pgid)
{
	struct signal_struct *me = t->signal, *target;
	long ret = 0;

	if (pgid < 0 || pid < 0)
		return -LINUX_EINVAL;
	tasklist_lock();
	if (!pid)
		pid = me->tgid;
	if (!pgid)
		pgid = pid;
	target = find_proc_locked(pid);
	if (!target || (target != me && target->parent != me)) {
		ret = -LINUX_ESRCH;
	} else if (target != me && target->did_exec) {
		ret = -LINUX_EACCES;
	} else if (target->sid == target->tgid || target->sid != me->sid) {
		ret = -LINUX_EPERM;
	} else if (pgid != pid) {
		/* Joining a group: it must exist in the caller's session. */
		ret = -LINUX_EPERM;
		for (struct signal_struct *sg = procs_locked(); sg; sg = sg->next_proc)
			if (sg->pgid == pgid && sg->sid == me->sid && !sg->zombie)
				ret = 0;
	}
	if (!ret)
		target->pgid = pgid;
	tasklist_unlock();
	return ret;
}

long sys_setsid(struct task *t)
{
	struct signal_struct *me = t->signal;
	long ret = me->tgid;

	tasklist_lock();
	/* Not if a process group already has its id (it leads one, or one was named after it). */
	for (struct signal_struct *sg = procs_locked(); sg; sg = sg->next_proc)
		if (sg->pgid == me->tgid)
			ret = -LINUX_EPERM;
	if (ret > 0)
		me->sid = me->pgid = me->tgid;
	tasklist_unlock();
	return ret;
}

static long proc_ids(struct task *t, int pid, bool sid)
{
	struct signal_struct *sg;
	long ret;

	tasklist_lock();
	sg = pid ? find_proc_locked(pid) : t->signal;
	if (!sg && pid) {
		struct task *p = task_by_tid_locked(pid);
		sg = p ? p->signal : NULL;
	}
	ret = !sg ? -LINUX_ESRCH : sid ? sg->sid : sg->pgid;
	tasklist_unlock();
	return ret;
}

long sys_getpgid(struct task *t, int pid) { return proc_ids(t, pid, false); }
long sys_getsid(struct task *t, int pid) { return proc_ids(t, pid, true); }

long prctl_process(struct task *t, int option, u64 arg2)
{
	struct signal_struct *sg = t->signal;
	int v;

	switch (option) {
	case LINUX_PR_SET_PDEATHSIG:
		if (arg2 > LINUX_NSIG)
			return -LINUX_EINVAL;
		tasklist_lock();
		sg->pdeath_signal = (int)arg2;
		tasklist_unlock();
		return 0;
	case LINUX_PR_GET_PDEATHSIG:
		tasklist_lock();
		v = sg->pdeath_signal;
		tasklist_unlock();
		return copy_to_user(t, arg2, &v, sizeof(v)) ? -LINUX_EFAULT : 0;
	case LINUX_PR_SET_CHILD_SUBREAPER:
		tasklist_lock();
		sg->is_subreaper = arg2 != 0;
		tasklist_unlock();
		return 0;
	case LINUX_PR_GET_CHILD_SUBREAPER:
		tasklist_lock();
		v = sg->is_subreaper;
		tasklist_unlock();
		return copy_to_user(t, arg2, &v, sizeof(v)) ? -LINUX_EFAULT : 0;
	case LINUX_PR_SET_DUMPABLE:
		if (arg2 > 1)
			return -LINUX_EINVAL;
		tasklist_lock();
		sg->dumpable = (int)arg2;
		tasklist_unlock();
		return 0;
	case LINUX_PR_GET_DUMPABLE:
		tasklist_lock();
		v = sg->dumpable;
		tasklist_unlock();
		return v;
	default:
		return -LINUX_EINVAL;
	}
}

/* Resource usage: accepted, reported as zero (lxemu does not account guest time yet). */
long sys_getrusage(struct task *t, int who, u64 uru)
{
	u8 rusage[144];

	if (who != 0 && who != -1 && who != 1) /* RUSAGE_SELF, _CHILDREN, _THREAD */
		return -LINUX_EINVAL;
	memset(rusage, 0, sizeof(rusage));
	return copy_to_user(t, uru, rusage, sizeof(rusage)) ? -LINUX_EFAULT : 0;
}
