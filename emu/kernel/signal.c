/*
 * Signals, Linux's model (DESIGN.md "Signals"): sending and routing,
 * dequeueing, default actions and group stops, and delivery at the task's
 * next return to guest code (do_signal, from the run loop).  The frame a
 * handler runs on is built in signal_frame.c.
 *
 * A signal is queued on the target task (thread-directed) or its group's
 * shared queue (process-directed).  Sending picks the thread that takes it
 * as Linux's complete_signal does: the named task if it does not block the
 * signal, else the next thread round the group that does not; that thread
 * gets TIF_SIGPENDING and is woken wherever it sleeps or stopped at its
 * next block boundary.  A signal every thread blocks stays queued until a
 * thread unblocks it (recalc_sigpending).  A signal whose action kills
 * starts the group exit at once, as Linux does.
 */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include "task.h"
#include "signal.h"
#include "ktime.h"
#include "locking.h"
#include "../trace/trace.h"
#include "../mm/uaccess.h"
#include "../fs/signalfd.h"
#include "../../abi/linux/errno.h"

#define M(sig) linux_sigmask(LINUX_##sig)
/* Faults first: a handler must see the fault before anything queued earlier. */
#define SYNCHRONOUS_MASK (M(SIGSEGV) | M(SIGBUS) | M(SIGILL) | M(SIGTRAP) | M(SIGFPE) | M(SIGSYS))
#define STOP_MASK (M(SIGSTOP) | M(SIGTSTP) | M(SIGTTIN) | M(SIGTTOU))

static bool sig_kernel_ignore(int sig)
{
	return sig == LINUX_SIGCHLD || sig == LINUX_SIGURG || sig == LINUX_SIGWINCH ||
	       sig == LINUX_SIGCONT;
}

static bool sig_kernel_stop(int sig)
{
	return sig <= 32 && (linux_sigmask(sig) & STOP_MASK);
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

/* The core flag of the wait status: set where the guest's RLIMIT_CORE allows a dump. */
static bool would_dump_core(struct task *t, int sig)
{
	return sig_kernel_coredump(sig) && t->signal->rlim[LINUX_RLIMIT_CORE].rlim_cur != 0 &&
	       t->signal->dumpable;
}

static u64 handler_of(struct task *t, int sig)
{
	return t->sighand->action[sig - 1].handler;
}

/* Ignored now: discarded when sent.  Blocked signals are kept (the handler may change). */
static bool sig_ignored_locked(struct task *t, int sig)
{
	u64 h = handler_of(t, sig);

	if ((t->blocked | t->real_blocked) & linux_sigmask(sig))
		return false;
	return h == LINUX_SIG_IGN || (h == LINUX_SIG_DFL && sig_kernel_ignore(sig));
}

/* The default action kills (SIGKILL, or a terminate/core default not overridden). */
static bool sig_fatal_locked(struct task *t, int sig)
{
	return sig == LINUX_SIGKILL ||
	       (handler_of(t, sig) == LINUX_SIG_DFL && !sig_kernel_ignore(sig) && !sig_kernel_stop(sig));
}

void siginfo_user(struct linux_siginfo *info, int sig, int code, struct task *sender)
{
	memset(info, 0, sizeof(*info));
	info->si_signo = sig;
	info->si_code = code;
	info->rt.pid = sender ? task_tgid(sender) : 0;
	info->rt.uid = (u32)getuid();
}

/* ---- queues ---- */

static void sigqueue_free_all(struct sigpending *p, struct signal_struct *sig, linux_sigset_t mask)
{
	struct sigqueue **pp = &p->head;

	while (*pp) {
		struct sigqueue *q = *pp;
		if (linux_sigmask(q->info.si_signo) & mask) {
			*pp = q->next;
			if (sig)
				sig->nr_queued--;
			free(q);
		} else {
			pp = &q->next;
		}
	}
	p->signal &= ~mask;
}

void flush_sigqueue(struct sigpending *p)
{
	sigqueue_free_all(p, NULL, ~0ULL);
}

/* Drops p's queued signals of timer id; a signal's bit goes with its last instance. */
static void drop_timer_locked(struct sigpending *p, struct signal_struct *sg, int id)
{
	struct sigqueue **pp = &p->head;
	linux_sigset_t dropped = 0, kept = 0;

	while (*pp) {
		struct sigqueue *q = *pp;
		if (q->info.si_code == LINUX_SI_TIMER && q->info.timer.tid == id) {
			dropped |= linux_sigmask(q->info.si_signo);
			*pp = q->next;
			sg->nr_queued--;
			free(q);
		} else {
			kept |= linux_sigmask(q->info.si_signo);
			pp = &q->next;
		}
	}
	p->signal &= ~(dropped & ~kept);
}

void flush_timer_signal(struct task *t, int id)
{
	pthread_mutex_lock(&t->sighand->siglock);
	drop_timer_locked(&t->signal->shared_pending, t->signal, id);
	for (struct task *o = t->signal->threads; o; o = o->next_thread)
		drop_timer_locked(&o->sigpending, t->signal, id);
	pthread_mutex_unlock(&t->sighand->siglock);
}

/* Every queue of the group: the shared one and each thread's. */
static void flush_group_locked(struct task *t, linux_sigset_t mask)
{
	sigqueue_free_all(&t->signal->shared_pending, t->signal, mask);
	for (struct task *o = t->signal->threads; o; o = o->next_thread)
		sigqueue_free_all(&o->sigpending, t->signal, mask);
}

static long queue_locked(struct task *t, struct sigpending *p, const struct linux_siginfo *info)
{
	int sig = info->si_signo;
	struct sigqueue *q, **pp;
	bool rt = sig >= LINUX_SIGRTMIN;
	u64 limit = t->signal->rlim[LINUX_RLIMIT_SIGPENDING].rlim_cur;

	/*
	 * A POSIX timer has one signal in flight at most, as Linux's
	 * preallocated one: expiring again before it is taken counts an
	 * overrun (si_overrun) instead of queueing another.
	 */
	if (info->si_code == LINUX_SI_TIMER && (p->signal & linux_sigmask(sig))) {
		for (q = p->head; q; q = q->next) {
			if (q->info.si_code == LINUX_SI_TIMER && q->info.si_signo == sig &&
			    q->info.timer.tid == info->timer.tid) {
				q->info.timer.overrun += 1 + info->timer.overrun;
				return 0;
			}
		}
	}
	/* Standard signals coalesce: one instance pending at most. */
	if (!rt && (p->signal & linux_sigmask(sig)))
		return 0;
	/* The queue limit binds signals sent by sigqueue and timers; kill(2) and the kernel's overflow to a bare bit. */
	q = (u64)t->signal->nr_queued < limit ? malloc(sizeof(*q)) : NULL;
	if (!q) {
		if (rt && info->si_code != LINUX_SI_USER && info->si_code != LINUX_SI_KERNEL)
			return -LINUX_EAGAIN;
		p->signal |= linux_sigmask(sig);
		return 0;
	}
	q->info = *info;
	q->next = NULL;
	for (pp = &p->head; *pp; pp = &(*pp)->next)
		;
	*pp = q;
	t->signal->nr_queued++;
	p->signal |= linux_sigmask(sig);
	return 0;
}

/* The next signal of p in mask: a fault first, then the lowest number. */
static int next_signal(struct sigpending *p, linux_sigset_t mask)
{
	u64 x = p->signal & mask;

	if (!x)
		return 0;
	if (x & SYNCHRONOUS_MASK)
		x &= SYNCHRONOUS_MASK;
	return __builtin_ctzll(x) + 1;
}

static void collect_signal(struct signal_struct *sg, struct sigpending *p, int sig,
			   struct linux_siginfo *info)
{
	struct sigqueue **pp, *first = NULL, **firstp = NULL;
	bool more = false;

	for (pp = &p->head; *pp; pp = &(*pp)->next) {
		if ((*pp)->info.si_signo != sig)
			continue;
		if (!first) {
			first = *pp;
			firstp = pp;
		} else {
			more = true;
			break;
		}
	}
	if (first) {
		*info = first->info;
		*firstp = first->next;
		sg->nr_queued--;
		free(first);
	} else {
		/* Queued as a bare bit (the queue was full): what Linux reports then. */
		memset(info, 0, sizeof(*info));
		info->si_signo = sig;
		info->si_code = LINUX_SI_USER;
	}
	if (!more)
		p->signal &= ~linux_sigmask(sig);
}

static int dequeue_signal_locked(struct task *t, linux_sigset_t mask, struct linux_siginfo *info)
{
	int sig = next_signal(&t->sigpending, mask);

	if (sig) {
		collect_signal(t->signal, &t->sigpending, sig, info);
		return sig;
	}
	sig = next_signal(&t->signal->shared_pending, mask);
	if (sig)
		collect_signal(t->signal, &t->signal->shared_pending, sig, info);
	return sig;
}

int dequeue_signal(struct task *t, linux_sigset_t mask, struct linux_siginfo *info)
{
	int sig;

	pthread_mutex_lock(&t->sighand->siglock);
	sig = dequeue_signal_locked(t, mask, info);
	pthread_mutex_unlock(&t->sighand->siglock);
	return sig;
}

struct wait_slot *signal_wait_slot(struct task *t)
{
	return &t->sighand->signal_wait;
}

/* ---- sending ---- */

static bool task_exiting(struct task *t)
{
	return atomic_load(&t->pending) & TIF_EXIT;
}

/* Would t take sig now? */
static bool wants_signal(int sig, struct task *t)
{
	if (t->blocked & linux_sigmask(sig))
		return false;
	if (task_exiting(t))
		return false;
	return sig == LINUX_SIGKILL || !t->stopped;
}

/* Whom to wake after the siglock is dropped (waking takes other locks). */
struct wake_plan {
	struct task *one;
	bool group;     /* every thread of the group (group exit, stop, continue) */
	bool continued; /* a stopped group continues: its parent learns it */
};

/* Starts the group's death by sig: every thread leaves at its next boundary. */
static void group_kill_locked(struct task *t, int sig, struct wake_plan *w)
{
	struct signal_struct *sg = t->signal;

	if (!sg->group_exit) {
		sg->group_exit = true;
		sg->group_exit_code = sig | (would_dump_core(t, sig) ? 0x80 : 0);
	}
	sg->group_stop = false;
	for (struct task *o = sg->threads; o; o = o->next_thread)
		task_set_pending(o, TIF_EXIT);
	w->group = true;
}

/* Picks the thread that takes sig (queued on p's thread or group) and plans its wake-up. */
static void trace_delivery(struct task *t, const struct linux_siginfo *info);

static void complete_signal_locked(struct task *p, const struct linux_siginfo *info,
				   enum sig_target to, struct wake_plan *w)
{
	int sig = info->si_signo;
	struct signal_struct *sg = p->signal;
	struct task *t = NULL;

	if (wants_signal(sig, p)) {
		t = p;
	} else if (to == SIG_TO_GROUP) {
		struct task *start = sg->curr_target ? sg->curr_target : sg->threads;
		struct task *o = start;
		do {
			if (wants_signal(sig, o)) {
				t = o;
				break;
			}
			o = o->next_thread ? o->next_thread : sg->threads;
		} while (o != start);
	}
	if (!t)
		return; /* every thread blocks it: it waits for one to unblock it */
	sg->curr_target = t;
	/* A fatal signal nobody handles or waits for in sigtimedwait: the group dies now. */
	if (sig_fatal_locked(t, sig) && !sg->group_exit && !(t->real_blocked & linux_sigmask(sig))) {
		if (sig != LINUX_SIGKILL)
			trace_delivery(t, info);
		group_kill_locked(t, sig, w);
		return;
	}
	task_set_pending(t, TIF_SIGPENDING);
	w->one = t;
}

/* Linux's prepare_signal: stop and continue signals cancel each other, even blocked. */
static void prepare_signal_locked(struct task *p, int sig, struct wake_plan *w)
{
	struct signal_struct *sg = p->signal;

	if (sig_kernel_stop(sig)) {
		flush_group_locked(p, M(SIGCONT));
	} else if (sig == LINUX_SIGCONT) {
		flush_group_locked(p, STOP_MASK);
		if (sg->group_stop) {
			sg->group_stop = false;
			w->group = true;
			w->continued = true;
		}
	}
}

static void wake_up_planned(struct task *p, struct wake_plan *w)
{
	if (w->continued)
		notify_parent_stop_locked(p->signal, 0);
	if (w->group) {
		wake_thread_group_locked(p->signal);
	} else if (w->one) {
		task_wake(w->one);
		task_interrupt(w->one);
	}
	/* signalfd readers and sigtimedwait sleepers of the group, blocked signals included */
	pthread_mutex_lock(&p->sighand->signal_wait.lock);
	pthread_cond_broadcast(&p->sighand->signal_wait.cond);
	pthread_mutex_unlock(&p->sighand->signal_wait.lock);
	signalfd_notify(); /* and their pollers (poll, epoll) */
}

long send_signal_locked(struct task *p, const struct linux_siginfo *info, enum sig_target to)
{
	struct wake_plan w = { 0 };
	int sig = info->si_signo;
	long ret = 0;

	if (sig < 1 || sig > LINUX_NSIG)
		return -LINUX_EINVAL;
	pthread_mutex_lock(&p->sighand->siglock);
	if (p->signal->group_exit) {
		pthread_mutex_unlock(&p->sighand->siglock);
		return 0; /* dying already: nothing more to do */
	}
	prepare_signal_locked(p, sig, &w);
	/* Traced, an ignored signal is still queued and shown when taken, as under strace (ptrace). */
	if (!sig_ignored_locked(p, sig) || (trace_on && sig != LINUX_SIGKILL)) {
		ret = queue_locked(p, to == SIG_TO_GROUP ? &p->signal->shared_pending : &p->sigpending, info);
		if (!ret)
			complete_signal_locked(p, info, to, &w);
	}
	pthread_mutex_unlock(&p->sighand->siglock);
	wake_up_planned(p, &w);
	return ret;
}

struct send_req {
	const struct linux_siginfo *info;
	enum sig_target to;
	long ret;
};

static void send_req_locked(struct task *p, void *arg)
{
	struct send_req *r = arg;

	r->ret = send_signal_locked(p, r->info, r->to);
}

long send_signal_tid(int tid, const struct linux_siginfo *info, enum sig_target to)
{
	struct send_req r = { info, to, -LINUX_ESRCH };

	task_with_tid(tid, send_req_locked, &r);
	return r.ret;
}

/* A fault of t's own: blocked or ignored, it kills (its handler is reset, as Linux's force_sig). */
void force_sig_fault(struct task *t, int sig, int code, u64 addr)
{
	struct linux_siginfo info;

	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_code = code;
	info.fault.addr = addr;
	pthread_mutex_lock(&t->sighand->siglock);
	if (handler_of(t, sig) == LINUX_SIG_IGN || (t->blocked & linux_sigmask(sig))) {
		t->sighand->action[sig - 1].handler = LINUX_SIG_DFL;
		t->blocked &= ~linux_sigmask(sig);
	}
	pthread_mutex_unlock(&t->sighand->siglock);
	if (kconfig.fault_report && handler_of(t, sig) == LINUX_SIG_DFL)
		cpu_fault_report(t);
	/* Queued on t itself and taken before anything else at delivery. */
	pthread_mutex_lock(&t->sighand->siglock);
	queue_locked(t, &t->sigpending, &info);
	task_set_pending(t, TIF_SIGPENDING);
	pthread_mutex_unlock(&t->sighand->siglock);
}

void flush_ignored_signal_locked(struct task *t, int sig)
{
	u64 h = handler_of(t, sig);

	/* POSIX: setting SIG_IGN (or SIG_DFL where that ignores) discards what is pending. */
	if (h == LINUX_SIG_IGN || (h == LINUX_SIG_DFL && sig_kernel_ignore(sig)))
		flush_group_locked(t, linux_sigmask(sig));
}

/* Caller holds siglock: is a signal t does not block pending for it? */
static bool has_deliverable_locked(struct task *t)
{
	return ((t->sigpending.signal | t->signal->shared_pending.signal) & ~t->blocked) != 0;
}

/*
 * t's mask changed (own thread): if a signal it no longer blocks is
 * pending, it takes it at its next return to guest code.  Process-directed
 * ones another thread now blocks were left for it.
 */
void recalc_sigpending(struct task *t)
{
	pthread_mutex_lock(&t->sighand->siglock);
	if (has_deliverable_locked(t))
		task_set_pending(t, TIF_SIGPENDING);
	pthread_mutex_unlock(&t->sighand->siglock);
}

bool signal_pending(struct task *t)
{
	unsigned p = atomic_load(&t->pending);
	bool ret;

	if (p & TIF_EXIT)
		return true;
	if (!(p & TIF_SIGPENDING))
		return false;
	pthread_mutex_lock(&t->sighand->siglock);
	ret = has_deliverable_locked(t) || t->signal->group_stop;
	pthread_mutex_unlock(&t->sighand->siglock);
	return ret;
}

/* ---- sleeping ---- */

/*
 * The absolute CLOCK_REALTIME time at which a deadline on clk falls: what
 * pthread_cond_timedwait takes.  False once the deadline has passed.
 */
bool deadline_to_realtime(const struct timespec *deadline, clockid_t clk, struct timespec *rt)
{
	struct timespec now;

	clock_gettime(clk, &now);
	if (now.tv_sec > deadline->tv_sec ||
	    (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec))
		return false;
	clock_gettime(CLOCK_REALTIME, rt);
	rt->tv_sec += deadline->tv_sec - now.tv_sec;
	rt->tv_nsec += deadline->tv_nsec - now.tv_nsec;
	if (rt->tv_nsec < 0) {
		rt->tv_sec--;
		rt->tv_nsec += 1000000000;
	} else if (rt->tv_nsec >= 1000000000) {
		rt->tv_sec++;
		rt->tv_nsec -= 1000000000;
	}
	return true;
}

long task_sleep(struct task *t, struct wait_slot *w, const struct timespec *deadline)
{
	struct timespec rt;
	long ret = 0;

	/* Published before the check: a sender that misses it has set pending first. */
	atomic_store(&t->waiting, w);
	if (signal_pending(t))
		ret = -LINUX_EINTR;
	else if (!deadline)
		pthread_cond_wait(&w->cond, &w->lock);
	else if (!deadline_to_realtime(deadline, CLOCK_MONOTONIC, &rt))
		ret = -LINUX_ETIMEDOUT;
	else if (pthread_cond_timedwait(&w->cond, &w->lock, &rt) == ETIMEDOUT)
		ret = deadline_to_realtime(deadline, CLOCK_MONOTONIC, &rt) ? 0 : -LINUX_ETIMEDOUT;
	atomic_store(&t->waiting, NULL);
	return ret;
}

/* ---- delivery ---- */

/* t parks in its group's stop until SIGCONT or death. */
static void do_signal_stop(struct task *t)
{
	struct wait_slot *w = &t->sigwait;

	pthread_mutex_lock(&t->sighand->siglock);
	t->stopped = true;
	pthread_mutex_unlock(&t->sighand->siglock);
	pthread_mutex_lock(&w->lock);
	for (;;) {
		bool go;
		pthread_mutex_lock(&t->sighand->siglock);
		go = !t->signal->group_stop || task_exiting(t);
		pthread_mutex_unlock(&t->sighand->siglock);
		if (go)
			break;
		atomic_store(&t->waiting, w);
		if (!task_exiting(t))
			pthread_cond_wait(&w->cond, &w->lock);
		atomic_store(&t->waiting, NULL);
	}
	pthread_mutex_unlock(&w->lock);
	pthread_mutex_lock(&t->sighand->siglock);
	t->stopped = false;
	pthread_mutex_unlock(&t->sighand->siglock);
}

/* A stop signal's default action: the whole group stops. */
static void group_stop_locked(struct task *t, struct wake_plan *w)
{
	t->signal->group_stop = true;
	for (struct task *o = t->signal->threads; o; o = o->next_thread)
		task_set_pending(o, TIF_SIGPENDING);
	w->group = true;
}

/*
 * The result of a call a signal interrupted, once it is known whether a
 * handler runs (Linux's table): -ERESTARTSYS restarts under SA_RESTART,
 * -ERESTARTNOINTR always, the others fail with EINTR; with no handler every
 * one restarts, -ERESTART_RESTARTBLOCK through restart_syscall.
 */
static void fix_restart(struct task *t, const struct linux_sigaction *ka)
{
	long ret = (long)cpu_get(t, CPU_RAX);
	bool restart;

	if (!(atomic_fetch_and(&t->pending, ~TIF_RESTART) & TIF_RESTART))
		return;
	if (ret < -LINUX_ERESTART_RESTARTBLOCK || ret > -LINUX_ERESTARTSYS)
		return;
	if (!ka)
		restart = true;
	else if (ret == -LINUX_ERESTARTSYS)
		restart = ka->flags & LINUX_SA_RESTART;
	else
		restart = ret == -LINUX_ERESTARTNOINTR;
	if (!restart) {
		cpu_set(t, CPU_RAX, (u64)-LINUX_EINTR);
		return;
	}
	cpu_set(t, CPU_RAX, ret == -LINUX_ERESTART_RESTARTBLOCK ? 219 /* restart_syscall */ : t->orig_rax);
	cpu_set(t, CPU_RIP, cpu_get(t, CPU_RIP) - 2);
}

static void trace_delivery(struct task *t, const struct linux_siginfo *info)
{
	if (trace_on)
		trace_signal_siginfo(t, info);
}

void do_signal(struct task *t)
{
	struct linux_siginfo info;
	struct linux_sigaction ka;
	struct wake_plan w = { 0 };
	int sig;

	for (;;) {
		pthread_mutex_lock(&t->sighand->siglock);
		if (t->signal->group_stop && !task_exiting(t)) {
			pthread_mutex_unlock(&t->sighand->siglock);
			do_signal_stop(t);
			continue;
		}
		sig = dequeue_signal_locked(t, ~t->blocked, &info);
		if (!sig) {
			pthread_mutex_unlock(&t->sighand->siglock);
			break;
		}
		ka = t->sighand->action[sig - 1];
		if (ka.handler == LINUX_SIG_IGN) {
			pthread_mutex_unlock(&t->sighand->siglock);
			trace_delivery(t, &info);
			continue;
		}
		if (ka.handler != LINUX_SIG_DFL) {
			if (ka.flags & LINUX_SA_RESETHAND)
				t->sighand->action[sig - 1].handler = LINUX_SIG_DFL;
			pthread_mutex_unlock(&t->sighand->siglock);
			trace_delivery(t, &info);
			fix_restart(t, &ka);
			if (setup_rt_frame(t, sig, &info, &ka))
				force_sigsegv(t, sig);
			/* More may be deliverable: each gets its own frame, nested, before the guest runs. */
			recalc_sigpending(t);
			return;
		}
		if (sig_kernel_ignore(sig)) {
			pthread_mutex_unlock(&t->sighand->siglock);
			trace_delivery(t, &info);
			continue;
		}
		if (sig_kernel_stop(sig)) {
			group_stop_locked(t, &w);
			pthread_mutex_unlock(&t->sighand->siglock);
			trace_delivery(t, &info);
			wake_thread_group(t);
			notify_parent_stop(t, sig);
			kernel_host_stop(t);
			continue;
		}
		/* Terminate, or core: the whole group dies of it. */
		pthread_mutex_unlock(&t->sighand->siglock);
		if (sig != LINUX_SIGKILL)
			trace_delivery(t, &info);
		if (kconfig.fault_report && (linux_sigmask(sig) & SYNCHRONOUS_MASK))
			cpu_fault_report(t);
		do_group_exit_signal(t, sig, would_dump_core(t, sig));
		return;
	}
	/* No handler ran: an interrupted call restarts, rt_sigsuspend's mask comes back. */
	fix_restart(t, NULL);
	if (t->restore_sigmask) {
		t->restore_sigmask = false;
		pthread_mutex_lock(&t->sighand->siglock);
		t->blocked = t->saved_sigmask;
		pthread_mutex_unlock(&t->sighand->siglock);
		recalc_sigpending(t);
	}
}

void set_restore_sigmask(struct task *t, linux_sigset_t set)
{
	pthread_mutex_lock(&t->sighand->siglock);
	t->saved_sigmask = t->blocked;
	t->blocked = set & ~LINUX_UNBLOCKABLE;
	pthread_mutex_unlock(&t->sighand->siglock);
	t->restore_sigmask = true;
	recalc_sigpending(t);
}

long set_user_sigmask(struct task *t, u64 usigmask, u64 sigsetsize)
{
	linux_sigset_t set;

	if (!usigmask)
		return 0;
	if (sigsetsize != sizeof(set))
		return -LINUX_EINVAL;
	if (copy_from_user(t, &set, usigmask, sizeof(set)))
		return -LINUX_EFAULT;
	set_restore_sigmask(t, set);
	return 0;
}

void restore_saved_sigmask_unless(struct task *t, bool interrupted)
{
	if (interrupted || !t->restore_sigmask)
		return;
	pthread_mutex_lock(&t->sighand->siglock);
	t->blocked = t->saved_sigmask;
	pthread_mutex_unlock(&t->sighand->siglock);
	t->restore_sigmask = false;
	recalc_sigpending(t);
}

/* The frame could not be written: the task dies of SIGSEGV (Linux's force_sigsegv). */
void force_sigsegv(struct task *t, int sig)
{
	pthread_mutex_lock(&t->sighand->siglock);
	if (sig == LINUX_SIGSEGV)
		t->sighand->action[sig - 1].handler = LINUX_SIG_DFL;
	pthread_mutex_unlock(&t->sighand->siglock);
	force_sig_fault(t, LINUX_SIGSEGV, LINUX_SI_KERNEL, 0);
}

/* ---- the calls the kernel makes for the guest ---- */

struct tkill_req {
	struct task *self;
	int tgid;
	struct linux_siginfo info;
	long err;
};

/* Under the task list's lock: p cannot be freed while it is signalled. */
static void tkill_locked(struct task *p, void *arg)
{
	struct tkill_req *r = arg;

	if (r->tgid > 0 && p->signal->tgid != r->tgid)
		return;
	r->err = 0;
	if (r->info.si_signo < 0 || r->info.si_signo > LINUX_NSIG)
		r->err = -LINUX_EINVAL;
	else if (r->info.si_signo)
		r->err = send_signal_locked(p, &r->info, SIG_TO_THREAD);
}

long do_tkill(struct task *self, int tgid, int tid, const struct linux_siginfo *info)
{
	struct tkill_req r = { .self = self, .tgid = tgid, .info = *info, .err = -LINUX_ESRCH };

	/* As Linux's do_send_specific: no such task is ESRCH before a bad signal is EINVAL. */
	task_with_tid(tid, tkill_locked, &r);
	return r.err;
}

long send_sig_simple(struct task *t, int sig, int code)
{
	struct linux_siginfo info;

	siginfo_user(&info, sig, code, t);
	return send_signal_tid(t->tid, &info, SIG_TO_THREAD);
}
