/*
 * The task list, pid allocation and the first guest process.  Each task
 * runs on its own host thread; kernel_wait_all lets lxemu's main thread
 * wait for the guest to finish and learn the first process's status.
 */
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <dirent.h>
#include <signal.h>
#include <poll.h>
#include <fcntl.h>
#include <sys/resource.h>
#include "task.h"
#include "../fs/pidfd.h"
#include "timer.h"
#include "locking.h"
#include "../mm/mm.h"
#include "../fs/file.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/fcntl.h"

struct kernel_config kconfig = { .cpus = 1, .pid_base = 1, .smp_atomic = true, .max_tasks = 1024 };

static struct {
	pthread_mutex_t tasks_lock;
	pthread_cond_t task_exited;
	atomic_int nr_tasks; /* changed under tasks_lock; read without it */
	/* guarded by tasks_lock */
	struct task *tasks;
	struct signal_struct *procs; /* every process, zombies included */
	int next_pid;
	bool init_done;
	int init_status;
} kernel = {
	.tasks_lock = PTHREAD_MUTEX_INITIALIZER,
	.task_exited = PTHREAD_COND_INITIALIZER,
};

static _Thread_local struct task *current;

struct task *task_current(void) { return current; }
int task_tid(const struct task *t) { return t->tid; }
int task_tgid(const struct task *t) { return t->signal->tgid; }
struct trace_task_state *task_trace_state(struct task *t) { return &t->trace; }
u64 task_user_sp(struct task *t) { return cpu_get(t, CPU_RSP); }

/* Lock-free so the tracer may ask while holding any lock. */
int kernel_nr_tasks(void)
{
	return atomic_load(&kernel.nr_tasks);
}

void task_set_pending(struct task *t, unsigned bits)
{
	atomic_fetch_or(&t->pending, bits);
}

static struct task *find_task_locked(int tid)
{
	struct task *t;

	for (t = kernel.tasks; t && t->tid != tid; t = t->next_task)
		;
	return t;
}

void tasklist_lock(void) { pthread_mutex_lock(&kernel.tasks_lock); }
void tasklist_unlock(void) { pthread_mutex_unlock(&kernel.tasks_lock); }
struct signal_struct *procs_locked(void) { return kernel.procs; }

struct task *task_by_tid_locked(int tid) { return find_task_locked(tid); }

struct signal_struct *find_proc_locked(int tgid)
{
	struct signal_struct *sg;

	for (sg = kernel.procs; sg && sg->tgid != tgid; sg = sg->next_proc)
		;
	return sg;
}

struct task *proc_task_locked(struct signal_struct *sg)
{
	struct task *t;

	for (t = kernel.tasks; t && t->signal != sg; t = t->next_task)
		;
	return t;
}

void proc_link_locked(struct signal_struct *sg, struct signal_struct *parent)
{
	sg->next_proc = kernel.procs;
	kernel.procs = sg;
	sg->parent = parent;
	if (parent) {
		sg->sibling = parent->children;
		parent->children = sg;
	}
}

void release_proc_locked(struct signal_struct *sg)
{
	struct signal_struct **pp;

	for (pp = &kernel.procs; *pp && *pp != sg; pp = &(*pp)->next_proc)
		;
	if (*pp)
		*pp = sg->next_proc;
	if (sg->parent) {
		for (pp = &sg->parent->children; *pp && *pp != sg; pp = &(*pp)->sibling)
			;
		if (*pp)
			*pp = sg->sibling;
	}
	flush_sigqueue(&sg->shared_pending);
	put_signal(sg);
	pidfd_notify(); /* reaped: its pidfds hang up */
}

void put_signal(struct signal_struct *sig)
{
	if (atomic_fetch_sub(&sig->count, 1) == 1)
		free(sig);
}

struct task *find_task_by_tid(int tid)
{
	struct task *t;

	pthread_mutex_lock(&kernel.tasks_lock);
	t = find_task_locked(tid);
	pthread_mutex_unlock(&kernel.tasks_lock);
	return t;
}

bool task_with_tid(int tid, void (*fn)(struct task *p, void *arg), void *arg)
{
	struct task *p;

	pthread_mutex_lock(&kernel.tasks_lock);
	p = find_task_locked(tid);
	if (p)
		fn(p, arg);
	pthread_mutex_unlock(&kernel.tasks_lock);
	return p != NULL;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int thread_group_tids(int tgid, int *tids, int max)
{
	int n = 0;

	pthread_mutex_lock(&kernel.tasks_lock);
	for (struct task *t = kernel.tasks; t; t = t->next_task) {
		if (t->signal->tgid != tgid)
			continue;
		if (n < max)
			tids[n] = t->tid;
		n++;
	}
	pthread_mutex_unlock(&kernel.tasks_lock);
	/* Tids are never reused, so ascending is creation order, Linux's listing order. */
	if (max > 0)
		qsort(tids, MIN(n, max), sizeof(*tids), cmp_int);
	return n;
}

static void copy_comm_out(struct task *p, void *name)
{
	memcpy(name, p->comm, sizeof(p->comm));
}

static void copy_comm_in(struct task *p, void *name)
{
	memcpy(p->comm, name, sizeof(p->comm));
}

bool task_comm_get(int tid, char *name)
{
	return task_with_tid(tid, copy_comm_out, name);
}

bool task_comm_set(int tid, const char *name)
{
	return task_with_tid(tid, copy_comm_in, (void *)name);
}

void task_inherit(struct task *child, struct task *parent)
{
	pthread_mutex_lock(&kernel.tasks_lock);
	memcpy(child->comm, parent->comm, sizeof(child->comm));
	child->cpus_mask = parent->cpus_mask;
	pthread_mutex_unlock(&kernel.tasks_lock);
}

bool task_robust_list_of(int tid, u64 *head)
{
	struct task *t;

	pthread_mutex_lock(&kernel.tasks_lock);
	t = find_task_locked(tid);
	if (t)
		*head = __atomic_load_n(&t->robust_list, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&kernel.tasks_lock);
	return t != NULL;
}

void wake_thread_group_locked(struct signal_struct *sig)
{
	for (struct task *t = kernel.tasks; t; t = t->next_task) {
		if (t->signal != sig)
			continue;
		task_wake(t);
		task_interrupt(t);
	}
}

void wake_thread_group(struct task *self)
{
	/* Under the task list's lock no task of the list can be freed (release_task). */
	pthread_mutex_lock(&kernel.tasks_lock);
	for (struct task *t = kernel.tasks; t; t = t->next_task) {
		if (t == self || t->signal != self->signal)
			continue;
		task_wake(t);
		task_interrupt(t);
	}
	pthread_mutex_unlock(&kernel.tasks_lock);
}

void task_set_pending_mm(struct task *self, struct mm_struct *mm, unsigned bits)
{
	pthread_mutex_lock(&kernel.tasks_lock);
	for (struct task *t = kernel.tasks; t; t = t->next_task)
		if (t != self && t->mm == mm)
			task_set_pending(t, bits);
	pthread_mutex_unlock(&kernel.tasks_lock);
}

bool task_set_pending_tid(int tid, unsigned bits)
{
	struct task *t;

	pthread_mutex_lock(&kernel.tasks_lock);
	t = find_task_locked(tid);
	if (t)
		task_set_pending(t, bits);
	pthread_mutex_unlock(&kernel.tasks_lock);
	return t != NULL;
}

/* Adds t to the task list; it counts as live from now on. */
void task_list_add_locked(struct task *t)
{
	t->next_task = kernel.tasks;
	kernel.tasks = t;
	kernel.nr_tasks++;
}

void task_list_add(struct task *t)
{
	pthread_mutex_lock(&kernel.tasks_lock);
	task_list_add_locked(t);
	pthread_mutex_unlock(&kernel.tasks_lock);
}

static void task_list_del_locked(struct task *t)
{
	struct task **pp = &kernel.tasks;

	while (*pp && *pp != t)
		pp = &(*pp)->next_task;
	if (*pp)
		*pp = t->next_task;
	kernel.nr_tasks--;
}

static void queue_sync(struct task *t, u64 start, u64 end)
{
	pthread_mutex_lock(&t->sync_lock);
	if (t->nr_mm_sync < (int)ARRAY_SIZE(t->mm_sync)) {
		t->mm_sync[t->nr_mm_sync].start = start;
		t->mm_sync[t->nr_mm_sync].end = end;
		t->nr_mm_sync++;
	} else {
		t->mm_sync_all = true;
	}
	pthread_mutex_unlock(&t->sync_lock);
	task_set_pending(t, TIF_MM_SYNC);
}

void mm_queue_sync(struct task *self, struct mm_struct *mm, u64 start, u64 end)
{
	pthread_mutex_lock(&kernel.tasks_lock);
	for (struct task *t = kernel.tasks; t; t = t->next_task)
		if (t != self && t->mm == mm)
			queue_sync(t, start, end);
	pthread_mutex_unlock(&kernel.tasks_lock);
}

void task_apply_mm_sync(struct task *t)
{
	pthread_mutex_lock(&t->sync_lock);
	if (t->mm_sync_all)
		cpu_unmap_range(t, 0, TASK_SIZE);
	else
		for (int i = 0; i < t->nr_mm_sync; i++)
			cpu_unmap_range(t, t->mm_sync[i].start, t->mm_sync[i].end);
	t->nr_mm_sync = 0;
	t->mm_sync_all = false;
	pthread_mutex_unlock(&t->sync_lock);
	atomic_tlb_flush(t);
	atomic_install_hooks(t);
}

void task_wake(struct task *t)
{
	struct wait_slot *w = atomic_load(&t->waiting);

	/* Slots are never freed, so a stale one only gets a spurious wake-up. */
	if (w) {
		pthread_mutex_lock(&w->lock);
		pthread_cond_broadcast(&w->cond);
		pthread_mutex_unlock(&w->lock);
	}
	pthread_mutex_lock(&t->mm->cpu.lock);
	pthread_cond_broadcast(&t->mm->cpu.cond);
	pthread_mutex_unlock(&t->mm->cpu.lock);
}

/* The host signal that breaks a task out of a blocking host call: no SA_RESTART. */
static int interrupt_signal(void)
{
	return SIGRTMIN + 2;
}

static void interrupt_handler(int sig) { (void)sig; }

void kernel_install_interrupt_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = interrupt_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(interrupt_signal(), &sa, NULL);
}

int task_ppoll(struct task *t, struct pollfd *fds, unsigned long nfds)
{
	return task_ppoll_timeout(t, fds, nfds, NULL, NULL);
}

int task_ppoll_timeout(struct task *t, struct pollfd *fds, unsigned long nfds,
		       const struct timespec *timeout, atomic_bool *woken)
{
	static _Thread_local sigset_t mask;
	static _Thread_local bool done;

	if (!done) {
		pthread_sigmask(SIG_BLOCK, NULL, &mask);
		sigdelset(&mask, interrupt_signal());
		done = true;
	}
	/* Published before the check: a sender that misses it has set pending first. */
	atomic_store(&t->in_host_wait, true);
	int r = signal_pending(t) || (woken && atomic_load(woken)) ? (errno = EINTR, -1)
								    : ppoll(fds, nfds, timeout, &mask);
	atomic_store(&t->in_host_wait, false);
	return r;
}

void task_interrupt(struct task *t)
{
	/* The caller holds the task list's lock: t's host thread lives until it leaves the list. */
	/* Only a wait in a host call needs the host signal; condvar sleeps are broadcast. */
	if (atomic_load(&t->in_host_wait) && __atomic_load_n(&t->cpu.uc, __ATOMIC_RELAXED))
		pthread_kill(t->host_thread, interrupt_signal());
}

int task_alloc_pid(void)
{
	pthread_mutex_lock(&kernel.tasks_lock);
	if (!kernel.next_pid)
		kernel.next_pid = kconfig.pid_base;
	int pid = kernel.next_pid++;
	pthread_mutex_unlock(&kernel.tasks_lock);
	return pid;
}

/* Guest rlimits start as the host's, as a natively started program's would. */
static void init_rlimits(struct signal_struct *sig)
{
	for (int r = 0; r < LINUX_RLIM_NLIMITS; r++) {
		struct rlimit hr;
		if (getrlimit(r, &hr)) {
			sig->rlim[r].rlim_cur = sig->rlim[r].rlim_max = LINUX_RLIM_INFINITY;
			continue;
		}
		sig->rlim[r].rlim_cur = hr.rlim_cur == RLIM_INFINITY ? LINUX_RLIM_INFINITY : hr.rlim_cur;
		sig->rlim[r].rlim_max = hr.rlim_max == RLIM_INFINITY ? LINUX_RLIM_INFINITY : hr.rlim_max;
	}
}

struct signal_struct *signal_alloc(int tgid)
{
	struct signal_struct *sig = calloc(1, sizeof(*sig));

	if (!sig)
		return NULL;
	atomic_init(&sig->count, 2); /* the process and its first thread */
	sig->tgid = sig->pgid = sig->sid = tgid;
	sig->nr_threads = 1;
	sig->nr_live = 1;
	sig->exit_signal = LINUX_SIGCHLD;
	sig->dumpable = 1;
	pthread_mutex_init(&sig->wait_chld.lock, NULL);
	pthread_cond_init(&sig->wait_chld.cond, NULL);
	init_rlimits(sig);
	return sig;
}

struct sighand_struct *sighand_alloc(void)
{
	struct sighand_struct *sh = calloc(1, sizeof(*sh));

	if (!sh)
		return NULL;
	atomic_init(&sh->count, 1);
	pthread_mutex_init(&sh->siglock, NULL);
	pthread_mutex_init(&sh->signal_wait.lock, NULL);
	pthread_cond_init(&sh->signal_wait.cond, NULL);
	return sh;
}

/* The host fds lxemu was started with, which the first guest inherits as a program would. */
static struct {
	int nr;
	int fd[256];
} inherited;

void kernel_collect_inherited_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) && inherited.nr < (int)ARRAY_SIZE(inherited.fd)) {
		int fd = atoi(e->d_name);
		if (e->d_name[0] != '.' && fd != dirfd(d))
			inherited.fd[inherited.nr++] = fd;
	}
	closedir(d);
}

/* Installs every inherited host fd at the same guest fd number. */
static int install_inherited_fds(struct task *t)
{
	for (int i = 0; i < inherited.nr; i++) {
		int fd = inherited.fd[i], fl = fcntl(fd, F_GETFL);
		struct file *f;
		if (fl < 0)
			continue;
		f = host_file_wrap(fd, host_open_flags_to_linux(fl) | LINUX_O_LARGEFILE, NULL);
		if (!f)
			return -LINUX_ENOMEM;
		if (fd_install_at(t, fd, f, false) < 0) {
			fput(f);
			return -LINUX_EMFILE;
		}
	}
	return 0;
}

struct task *task_alloc(void)
{
	struct task *t = calloc(1, sizeof(*t));

	if (t) {
		pthread_mutex_init(&t->sync_lock, NULL);
		pthread_mutex_init(&t->sigwait.lock, NULL);
		pthread_cond_init(&t->sigwait.cond, NULL);
		t->sas.ss_flags = LINUX_SS_DISABLE;
	}
	return t;
}

static void put_task_resources(struct task *t, bool last);

/* Frees a first task that never ran (create_init_task's unwind). */
static void free_task_struct(struct task *t)
{
	put_task_resources(t, true);
	free(t->signal);
	free(t);
}

struct task *create_init_task(const char *root)
{
	struct task *t = task_alloc();
	long err = -LINUX_ENOMEM;

	if (!t)
		return ERR_PTR(err);
	t->tid = task_alloc_pid();
	t->group_leader = t;
	t->signal = signal_alloc(t->tid);
	t->sighand = sighand_alloc();
	t->mm = mm_alloc();
	t->files = files_alloc();
	t->fs = fs_alloc(root);
	if (!t->signal || !t->sighand || !t->mm || !t->files || !t->fs)
		goto out_free;
	if ((err = install_inherited_fds(t)))
		goto out_free;
	if ((err = cpu_init(t)))
		goto out_free;
	for (int c = 0; c < kconfig.cpus && c < NR_CPUS; c++)
		t->cpus_mask.bits[c / 64] |= 1ULL << (c % 64);
	t->signal->threads = t;
	kernel_apply_inherited_signals(t);
	pthread_mutex_lock(&kernel.tasks_lock);
	proc_link_locked(t->signal, NULL);
	pthread_mutex_unlock(&kernel.tasks_lock);
	task_list_add(t);
	return t;
out_free:
	free_task_struct(t);
	return ERR_PTR(err);
}

static void *task_thread(void *arg)
{
	struct task *t = arg;
	clockid_t clk;

	current = t;
	if (!pthread_getcpuclockid(pthread_self(), &clk))
		atomic_store(&t->host_cpu_clock, (int)clk + 1);
	task_run(t);
	return NULL;
}

int wake_up_new_task(struct task *t)
{
	pthread_attr_t attr;
	int err;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&t->host_thread, &attr, task_thread, t);
	pthread_attr_destroy(&attr);
	return err ? -LINUX_EAGAIN : 0;
}

/*
 * Takes t off its thread group; returns true if it was the last thread.
 * *status: the wait status t leaves with (its group's, if it was the last).
 */
static bool unlink_thread(struct task *t, int *status)
{
	struct signal_struct *sig = t->signal;
	struct task **pp;
	bool last;

	pthread_mutex_lock(&t->sighand->siglock);
	for (pp = &sig->threads; *pp && *pp != t; pp = &(*pp)->next_thread)
		;
	if (*pp)
		*pp = t->next_thread;
	last = --sig->nr_threads == 0;
	if (last || sig->group_exit)
		*status = sig->group_exit_code;
	else
		*status = (t->exit_code & 0xff) << 8;
	pthread_mutex_unlock(&t->sighand->siglock);
	return last;
}

/*
 * t begins to exit.  Measured on Linux 6.18: without exit_group, the code
 * of the thread that began to exit last is the process's, counted before
 * its tid word is cleared (so a thread woken by that clear exits later).
 */
static void exit_begin(struct task *t)
{
	struct signal_struct *sig = t->signal;

	pthread_mutex_lock(&t->sighand->siglock);
	if (--sig->nr_live == 0 && !sig->group_exit)
		sig->group_exit_code = (t->exit_code & 0xff) << 8;
	pthread_mutex_unlock(&t->sighand->siglock);
}

/* Drops t's references to what it shares; frees what nobody else holds. */
static void put_task_resources(struct task *t, bool last)
{
	if (t->fs)
		put_fs(t->fs);
	if (t->files)
		put_files(t->files);
	if (t->mm)
		mmput(t->mm);
	if (t->sighand) {
		pthread_mutex_lock(&t->sighand->siglock);
		flush_sigqueue(&t->sigpending);
		pthread_mutex_unlock(&t->sighand->siglock);
		if (atomic_fetch_sub(&t->sighand->count, 1) == 1)
			free(t->sighand);
	}
	if (last && t->signal)
		exit_itimers(t->signal);
}

/* Called by a task's own thread as it leaves the run loop for good. */
void release_task(struct task *t)
{
	struct signal_struct *sig = t->signal;
	bool is_init = sig->tgid == kconfig.pid_base, last;
	int status;

	exit_begin(t);
	exit_mm_release(t); /* clear_child_tid, robust futexes, a vfork parent */
	last = unlink_thread(t, &status);
	trace_task_end(t, status);
	cpu_destroy(t);
	if (last)
		exit_itimers(sig); /* before the process can be reaped and freed */
	/* Descriptors close before the parent can see the zombie (Linux's exit_files). */
	struct files_struct *files = t->files;
	pthread_mutex_lock(&kernel.tasks_lock);
	t->files = NULL;
	pthread_mutex_unlock(&kernel.tasks_lock);
	if (files)
		put_files(files);
	pthread_mutex_lock(&kernel.tasks_lock);
	if (t->tid == sig->tgid) /* /proc/PID goes on naming a zombie or a leaderless group */
		memcpy(sig->comm, t->comm, sizeof(sig->comm));
	task_list_del_locked(t);
	if (last && is_init) {
		kernel.init_done = true;
		kernel.init_status = status;
	}
	/* The process ends with its last thread: its parent learns it (it may free sig). */
	if (last)
		exit_notify_locked(t, status);
	pthread_cond_broadcast(&kernel.task_exited);
	pthread_mutex_unlock(&kernel.tasks_lock);
	if (trace_on)
		trace_task_free(t);
	t->signal = NULL;
	put_task_resources(t, false);
	pthread_mutex_destroy(&t->sync_lock);
	free(t);
	put_signal(sig);
}

int kernel_wait_all(void)
{
	pthread_mutex_lock(&kernel.tasks_lock);
	while (kernel.nr_tasks > 0)
		pthread_cond_wait(&kernel.task_exited, &kernel.tasks_lock);
	int status = kernel.init_status;
	pthread_mutex_unlock(&kernel.tasks_lock);
	return status;
}
