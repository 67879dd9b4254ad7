/*
 * Signals: what other parts of the kernel call to send them, to wait for
 * them and to be interrupted by them (emu/kernel/signal.c).  The model is
 * Linux's: each task has a private pending queue (thread-directed signals:
 * tkill, tgkill, faults, SIGPIPE, a thread's timers) and its thread group
 * one shared queue (process-directed: kill, a process's timers); standard
 * signals coalesce, real-time signals queue with their siginfo; a
 * process-directed signal wakes one thread that does not block it.
 */
#ifndef LXEMU_SIGNAL_H
#define LXEMU_SIGNAL_H

#include "../types.h"
#include "../../abi/linux/signal.h"

struct task;
struct signal_struct;
struct wait_slot;

/* One queued signal (real-time signals, and standard ones with their siginfo). */
struct sigqueue {
	struct sigqueue *next;
	struct linux_siginfo info;
};

struct sigpending {
	linux_sigset_t signal;  /* the signals pending here */
	struct sigqueue *head;  /* their siginfo, in arrival order */
};

enum sig_target {
	SIG_TO_THREAD, /* the task itself (tkill, tgkill, faults, SIGEV_THREAD_ID) */
	SIG_TO_GROUP,  /* its thread group (kill, process timers) */
};

/*
 * Sends info->si_signo to the live task with this tid, or to its thread
 * group.  Returns 0, -ESRCH (no such task), -EINVAL (bad signal) or
 * -EAGAIN (a real-time signal over RLIMIT_SIGPENDING).  Takes the task
 * list's lock: call it holding no kernel lock.
 */
long send_signal_tid(int tid, const struct linux_siginfo *info, enum sig_target to);
/* The same for a task the caller holds alive under the task list's lock (task_with_tid). */
long send_signal_locked(struct task *p, const struct linux_siginfo *info, enum sig_target to);
/*
 * Job control on lxemu's terminal (tty_jobctrl.c).  The guest's foreground
 * process group; tcsetpgrp's: 0, -ENOTTY (t has no terminal) or -EPERM
 * (no such group in t's session).
 */
int tty_foreground_pgrp(void);
long tty_set_foreground_pgrp(struct task *t, int pgrp);
/* t is in the terminal's session: it is t's controlling terminal. */
bool tty_in_session(struct task *t);
/*
 * Linux's __tty_check_change, for a read (SIGTTIN) or a write under TOSTOP
 * or a change of the terminal (SIGTTOU) while lxemu holds the host
 * terminal's foreground: 0 when t may go on (its group is the foreground,
 * or sig is SIGTTOU and t ignores or blocks it); -EIO when sig is SIGTTIN
 * and t ignores or blocks it, or t's group is orphaned; else sig goes to
 * t's group and -ERESTARTSYS makes the call start again once continued.
 */
long tty_check_change(struct task *t, int sig);
/* info to every process of process group pgrp: 0 or -ESRCH (kill(-pgrp)). */
long kill_pgrp_info(int pgrp, const struct linux_siginfo *info);
/* A siginfo as kill(2) and tkill(2) fill it: si_code, sender's tgid and uid. */
void siginfo_user(struct linux_siginfo *info, int sig, int code, struct task *sender);

/*
 * True when t must leave a blocking call now: a signal it does not block
 * is pending for it, or it is exiting.  Blocking calls check it after
 * setting t->waiting (task_sleep does both) and return -ERESTARTSYS,
 * -ERESTARTNOHAND or -EINTR as Linux's would.
 */
bool signal_pending(struct task *t);

/*
 * Sleeps on w (its lock held by the caller) until woken, a signal is
 * pending for t (-EINTR), or the absolute CLOCK_MONOTONIC deadline passes
 * (-ETIMEDOUT; NULL: none).  Returns 0 when woken: the caller re-checks
 * what it waits for.  Wakers broadcast w->cond under w->lock.
 */
long task_sleep(struct task *t, struct wait_slot *w, const struct timespec *deadline);

/*
 * Takes the first pending signal in mask from t's own queue, then from its
 * group's (synchronous faults first, then the lowest number, real-time
 * ones in arrival order), fills info and returns its number, or 0.
 * signalfd reads and sigtimedwait use it.
 */
int dequeue_signal(struct task *t, linux_sigset_t mask, struct linux_siginfo *info);
/*
 * Broadcast on every signal queued to t's group or any of its threads,
 * blocked or not: where signalfd readers sleep (with task_sleep).
 */
struct wait_slot *signal_wait_slot(struct task *t);

/*
 * rt_sigsuspend's and ppoll's mask: set holds while the call waits; the
 * caller's returns after the signal's delivery (or when the call restores it).
 */
void set_restore_sigmask(struct task *t, linux_sigset_t set);
/*
 * The same from a guest sigset (ppoll, pselect6, epoll_pwait): 0 (nothing
 * done for usigmask 0), -EINVAL (sigsetsize) or -EFAULT.
 */
long set_user_sigmask(struct task *t, u64 usigmask, u64 sigsetsize);
/*
 * After such a call: the caller's mask comes back now, unless the call was
 * interrupted (then it comes back after the handler's frame is built).
 */
void restore_saved_sigmask_unless(struct task *t, bool interrupted);

/* Run loop: delivers what is pending (frames, default actions, stops), restarts calls. */
void do_signal(struct task *t);
/* The rt_sigreturn call: restores t from the frame at its stack pointer (run loop). */
void do_rt_sigreturn(struct task *t);
/* POSIX timer id of t's group was re-armed or deleted: its queued signal goes (timer.c). */
void flush_timer_signal(struct task *t, int id);
/* Frees the queues (task and group teardown). */
void flush_sigqueue(struct sigpending *p);
/*
 * Host signals (host_signals.c).  main calls collect first thing, forward
 * before any task runs; the first task gets what lxemu inherited
 * (ignored dispositions, the mask); a guest group stop stops lxemu.
 */
void kernel_collect_inherited_signals(void);
void kernel_forward_host_signals(void);
void kernel_apply_inherited_signals(struct task *t);
void kernel_host_stop(struct task *t);
/* The first process set sig's handler: lxemu follows for the terminal's stop signals. */
void kernel_host_disposition(struct task *t, int sig, u64 handler);

/* Between signal.c, signal_frame.c and the signal calls. */
struct linux_sigaction;
int setup_rt_frame(struct task *t, int sig, const struct linux_siginfo *info,
		   const struct linux_sigaction *ka);
void force_sigsegv(struct task *t, int sig);
/* sigaltstack for t at stack pointer sp: 0, -EPERM (on it), -EINVAL, -ENOMEM. */
long do_sigaltstack(struct task *t, const struct linux_stack *ss, struct linux_stack *oss, u64 sp);
int sas_ss_flags(struct task *t, u64 sp);
/* tkill/tgkill (tgid <= 0: any): info to the live thread tid, or -errno. */
long do_tkill(struct task *self, int tgid, int tid, const struct linux_siginfo *info);

#endif
