/*
 * The kernel's process objects, named and shared as in Linux: a task is one
 * guest thread; signal_struct is its thread group; sighand_struct, mm_struct,
 * files_struct and fs_struct are shared or copied by clone flags.
 */
#ifndef LXEMU_TASK_H
#define LXEMU_TASK_H

#include <pthread.h>
#include <stdatomic.h>
#include "../types.h"
#include "../../abi/linux/signal.h"
#include "../../abi/linux/misc.h"
#include "../cpu/cpu.h"
#include "../trace/trace.h"
#include "signal.h"

struct mm_struct;
struct files_struct;
struct fs_struct;

/* A place tasks sleep in the kernel: waking means broadcasting cond under lock. */
struct wait_slot {
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

/* Bits of task->pending: work the run loop must do before running guest code. */
#define TIF_EXIT (1u << 0)       /* leave the run loop: the task is exiting */
#define TIF_MM_SYNC (1u << 1)    /* bring this engine up to date with its mm */
#define TIF_SIGPENDING (1u << 2) /* a signal may need delivery */
#define TIF_YIELD (1u << 3)      /* stop at the next block boundary, then go on (a time slice's end) */
#define TIF_SIGRETURN (1u << 4)  /* rt_sigreturn: restore the frame (run loop, outside the engine) */
#define TIF_RESTART (1u << 5)    /* the call returned -ERESTART*: restart it or fail it (do_signal) */
#define TIF_EXEC (1u << 6)       /* execve passed its checks: replace the program (exec.c, run loop) */

/* A CPU set, bit n for CPU n, as sched_setaffinity takes it (--cpus is at most NR_CPUS). */
#define NR_CPUS 1024
struct cpumask {
	u64 bits[NR_CPUS / 64];
};

/* Thread group: shared by CLONE_THREAD. */
struct signal_struct {
	/* one for the process (until it is reaped) and one per thread until its
	 * release_task is done with it (Linux's sigcnt): a thread still leaving
	 * may outlive the reaping its group's last thread allowed */
	atomic_int count;
	int tgid;
	int pgid, sid;
	/* guarded by sighand->siglock */
	bool group_exit;
	int group_exit_code; /* wait status: (code << 8) or signal | 0x80 core */
	int nr_threads;
	int nr_live; /* threads that have not begun to exit (Linux's signal->live) */
	struct task *threads; /* linked through task->next_thread */
	struct linux_rlimit rlim[LINUX_RLIM_NLIMITS];
	/* the process tree, guarded by kernel tasks_lock (tasklist_lock) */
	struct signal_struct *parent;     /* who waits for it (NULL: outside the guest) */
	struct signal_struct *children;   /* linked through sibling */
	struct signal_struct *sibling;
	struct signal_struct *next_proc;  /* every process, zombies included */
	int exit_signal;                  /* sent to the parent when it ends (clone's low byte) */
	bool zombie;                      /* every thread has ended: waits to be reaped */
	bool is_subreaper;                /* PR_SET_CHILD_SUBREAPER */
	bool did_exec;                    /* setpgid on it from its parent: EACCES */
	int pdeath_signal;                /* PR_SET_PDEATHSIG: sent when its parent ends */
	char comm[16];                    /* its leader's name once the leader has gone (/proc) */
	int dumpable;                     /* PR_SET_DUMPABLE: 0 means no core */
	int forking;                      /* forks in progress */
	linux_sigset_t fork_sigs;         /* group-wide signals sent meanwhile: the children get them too */
	int wait_status;                  /* a zombie's wait status */
	int stop_report;                  /* a stop (signal) or continue (-1) for WUNTRACED/WCONTINUED */
	struct wait_slot wait_chld;       /* its threads wait here for children (wait4, waitid) */
	unsigned wait_gen;                /* moves on at each change a waiter may want (atomic) */

	struct sigpending shared_pending; /* process-directed signals */
	struct task *curr_target;         /* where the search for a taker starts (round robin) */
	bool group_stop;                  /* stopped, or stopping, until SIGCONT */
	int nr_queued;                    /* siginfos queued in the group (RLIMIT_SIGPENDING) */
	void *timers;                     /* the process's timers (timer.c) */
};

/* The 64 sigactions: shared by CLONE_SIGHAND. */
struct sighand_struct {
	atomic_int count;
	pthread_mutex_t siglock;
	struct linux_sigaction action[LINUX_NSIG];
	/* broadcast whenever a signal is queued here (signalfd, sigtimedwait sleep on it) */
	struct wait_slot signal_wait;
};

struct task {
	/* fixed at creation */
	int tid;
	struct task *group_leader;
	struct signal_struct *signal;
	struct sighand_struct *sighand;
	struct mm_struct *mm;
	struct files_struct *files;
	struct fs_struct *fs;
	pthread_t host_thread;

	/* the engine; touched only by this task's own host thread */
	struct cpu cpu;
	int run_held; /* RUN_* : how this task holds its mm's run token (sched.c, own thread) */

	/* set by any thread, consumed by this task's run loop */
	atomic_uint pending;

	/* guarded by sighand->siglock */
	linux_sigset_t blocked;
	linux_sigset_t real_blocked;  /* the mask during rt_sigtimedwait (which unblocks its set) */
	struct sigpending sigpending; /* thread-directed signals */
	bool stopped;                 /* parked in a group stop */

	/* this task's own (no lock): a signal frame's context */
	linux_sigset_t saved_sigmask; /* rt_sigsuspend's caller's mask, restored after delivery */
	bool restore_sigmask;
	struct linux_stack sas;       /* sigaltstack */
	u64 orig_rax;                 /* the call a -ERESTART* result restarts */
	long (*restart_fn)(struct task *t); /* restart_syscall's continuation */
	struct { struct timespec deadline; clockid_t clk; u64 urem; u64 uaddr; u32 val, bitset; int flags; } restart_block;
	struct wait_slot sigwait;     /* where rt_sigsuspend, pause and nanosleep sleep */
	u64 fault_trapno, fault_err, fault_cr2; /* the last fault, for sigcontext (thread_struct's) */

	/* guarded by sighand->siglock */
	struct task *next_thread;
	int exit_code;

	/* guarded by kernel tasks_lock (others reach them through task_with_tid) */
	struct task *next_task;
	struct cpumask cpus_mask; /* sched_setaffinity */
	char comm[16];            /* prctl PR_SET_NAME, /proc/PID/comm */

	/* address-space changes this engine must apply (guarded by sync_lock) */
	pthread_mutex_t sync_lock;
	struct { u64 start, end; } mm_sync[8];
	int nr_mm_sync;
	bool mm_sync_all;

	/* its host thread's CPU clock + 1, 0 until that thread starts (CPU-time timers) */
	atomic_int host_cpu_clock;

	/* where the task sleeps in the kernel, so that exit can wake it (atomic) */
	struct wait_slot *_Atomic waiting;
	atomic_bool in_host_wait; /* in task_ppoll: task_interrupt must send the host signal */

	/* this task's own, no lock */
	struct vfork_done *vfork_done; /* a vfork child: its parent waits for exit or exec (clone.c) */
	struct linux_binprm *exec_pending; /* what execve checked, for exec_commit */
	u64 clear_child_tid;
	u64 robust_list, robust_len;
	struct trace_task_state trace;
};

/*
 * The process tree (process.c): the task list's lock also guards every
 * signal_struct's tree fields.
 */
void tasklist_lock(void);
void tasklist_unlock(void);
/* The process with this tgid, zombies included, or NULL (tasklist_lock held). */
struct signal_struct *find_proc_locked(int tgid);
/* The live task with this tid, or NULL (tasklist_lock held). */
struct task *task_by_tid_locked(int tid);
/* A live thread of sg, or NULL if it has none (tasklist_lock held). */
struct task *proc_task_locked(struct signal_struct *sg);
/* Every process, for walks (tasklist_lock held; linked through next_proc). */
struct signal_struct *procs_locked(void);
/* Adds a new process to the list and its parent's children (tasklist_lock held). */
void proc_link_locked(struct signal_struct *sg, struct signal_struct *parent);
/* The last thread of t's process is gone: reparent, notify, zombie or free (release_task). */
void exit_notify_locked(struct task *t, int status);
/* Frees a reaped process (tasklist_lock held). */
void release_proc_locked(struct signal_struct *sg);
/* The group stopped (sig) or continued (0): its parent learns it (SIGCHLD, wait). */
void notify_parent_stop(struct task *t, int sig);
void notify_parent_stop_locked(struct signal_struct *sg, int sig);
/* prctl's process options (PDEATHSIG, CHILD_SUBREAPER, DUMPABLE): value, 0 or -errno. */
long prctl_process(struct task *t, int option, u64 arg2);
struct signal_struct *signal_alloc(int tgid);
void put_signal(struct signal_struct *sig);
struct sighand_struct *sighand_alloc(void);

/* Per-process constants the kernel reports (uname, ids). */
enum { RUN_NONE, RUN_SHARED, RUN_EXCLUSIVE };

struct kernel_config {
	const char *root;       /* --root: the host directory that is the guest's "/" (a
				 * real path; NULL or "/": the host's own tree) */
	int cpus;               /* --cpus */
	bool smp_atomic;        /* --smp=atomic: threads run in parallel, atomics on the host */
	bool fault_report;      /* --fault-report */
	bool stats;             /* --stats */
	int stop_storm_us;      /* --stop-storm: ask for a stop this often (testing) */
	int max_tasks;          /* --max-tasks: fork and clone say EAGAIN past it */
	int pid_base;
};
extern struct kernel_config kconfig;

struct task *task_current(void);
int task_tid(const struct task *t);
int task_tgid(const struct task *t);
int kernel_nr_tasks(void);
struct trace_task_state *task_trace_state(struct task *t);

/* Ask task t to do pending work at its next block boundary (any thread). */
void task_set_pending(struct task *t, unsigned bits);

/* Notes lxemu's open host fds; call first thing in main, before lxemu opens any. */
void kernel_collect_inherited_fds(void);
/* Creates the first guest process. Returns it or an ERR_PTR. */
struct task *create_init_task(const char *root);
/* The task leaves the kernel for good (its own thread, after the run loop). */
void release_task(struct task *t);
/* Starts t's host thread running its guest code. */
int wake_up_new_task(struct task *t);
/* Blocks until every guest task has exited; returns the first process's wait status. */
int kernel_wait_all(void);

/* Wakes every other thread of self's group wherever it sleeps (group exit). */
void wake_thread_group(struct task *self);
/* Wakes every thread of the group; caller holds the task list's lock. */
void wake_thread_group_locked(struct signal_struct *sig);
/* task_set_pending on every task of mm but self (asks them all to stop at a block boundary). */
void task_set_pending_mm(struct task *self, struct mm_struct *mm, unsigned bits);
/* task_set_pending on the task with this tid if it is still live; false if not. */
bool task_set_pending_tid(int tid, unsigned bits);
/* Looks a task up by tid (no reference: valid while the caller's group lives). */
struct task *find_task_by_tid(int tid);
/*
 * Calls fn(p, arg) for the live task p with this tid, under the task list's
 * lock: p cannot be freed meanwhile.  fn may take only the locks the lock
 * order puts below tasks_lock, and must not wake tasks or start an exit.
 * Returns false if there is none.
 */
bool task_with_tid(int tid, void (*fn)(struct task *p, void *arg), void *arg);
/* Fills tids (up to max) with the live tids of thread group tgid, ascending; returns how many there are. */
int thread_group_tids(int tgid, int *tids, int max);
/* Copies the name of the live task tid out of or into name[16] (comm); false if none. */
bool task_comm_get(int tid, char *name);
bool task_comm_set(int tid, const char *name);
/* A new task's name and CPU affinity: its creator's (clone). */
void task_inherit(struct task *child, struct task *parent);
/* The robust-list head of the live task tid (get_robust_list); false if none. */
bool task_robust_list_of(int tid, u64 *head);
/* Queues [start, end) for every other engine of mm (the TLB shootdown). */
void mm_queue_sync(struct task *self, struct mm_struct *mm, u64 start, u64 end);
/* Applies the queued address-space changes to t's engine (run loop). */
void task_apply_mm_sync(struct task *t);
/* Wakes t wherever it sleeps in the kernel (exit, signals). */
void task_wake(struct task *t);
/*
 * ppoll(2) for t's own thread, no timeout, the host interrupt signal let
 * through (task threads block it elsewhere): -1 EINTR at once if a signal
 * is pending for t, or when one comes (task_interrupt).
 */
struct pollfd;
int task_ppoll(struct task *t, struct pollfd *fds, unsigned long nfds);
/*
 * The same with a relative timeout (NULL: none), and -1 EINTR at once too
 * when *woken (if given) is set: a kernel wait queue fired (poll, wait.c).
 */
struct timespec;
int task_ppoll_timeout(struct task *t, struct pollfd *fds, unsigned long nfds,
		       const struct timespec *timeout, atomic_bool *woken);
/* Breaks t out of a host call it is blocked in (EINTR). */
void task_interrupt(struct task *t);
/* Exit paths (exit.c). do_exit ends the calling task; do_group_exit its whole group. */
void do_exit(struct task *t, int code);
void do_group_exit(struct task *t, int exit_status);
/* Writes the task's "+++ exited/killed +++" trace line for wait status (before it stops counting). */
void trace_task_end(struct task *t, int status);
/* Replaces t's program with what execve prepared (run loop, exec.c). */
void exec_commit(struct task *t);
/* A vfork child let go of its parent's memory (exit): the parent goes on (clone.c). */
struct vfork_done;
void vfork_complete(struct task *child);
/* Releases clear_child_tid and the robust futexes of an exiting task (exit.c). */
void exit_mm_release(struct task *t);
struct task *task_alloc(void);
int task_alloc_pid(void);
/* Adds t to the task list: it counts as live from now on. */
void task_list_add(struct task *t);
void task_list_add_locked(struct task *t); /* tasklist_lock held */
/* Installs the host signal handler task_interrupt uses (main, once). */
void kernel_install_interrupt_handler(void);
/* The task's group dies of sig (default action of a fatal signal). */
void do_group_exit_signal(struct task *t, int sig, bool core);
/* A fault of t's own: queued on t, delivered before anything else (blocked or ignored: fatal). */
void force_sig_fault(struct task *t, int sig, int code, u64 addr);
/* Sends sig to t itself as the kernel does (SIGPIPE). */
long send_sig_simple(struct task *t, int sig, int si_code);
/* Caller holds siglock, sig's new action set: discards sig's pending instances if it is ignored now. */
void flush_ignored_signal_locked(struct task *t, int sig);
/* t's mask changed: flags TIF_SIGPENDING if a signal it no longer blocks waits. */
void recalc_sigpending(struct task *t);
/* True for signals whose default action dumps core. */
bool sig_kernel_coredump(int sig);

#endif
