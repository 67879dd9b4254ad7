/*
 * The task list, pid allocation and the first guest process.  Each task
 * runs on its own host thread; kernel_wait_all lets lxemu's main thread
 * wait for the guest to finish and learn the first process's status.
 */
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include "task.h"
#include "locking.h"
#include "../mm/mm.h"
#include "../fs/file.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/fcntl.h"

struct kernel_config kconfig = { .cpus = 1, .pid_base = 1 };

static struct {
	pthread_mutex_t tasks_lock;
	pthread_cond_t task_exited;
	atomic_int nr_tasks; /* changed under tasks_lock; read without it */
	/* guarded by tasks_lock */
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

static int alloc_pid(void)
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

static struct signal_struct *signal_alloc(int tgid)
{
	struct signal_struct *sig = calloc(1, sizeof(*sig));

	if (!sig)
		return NULL;
	atomic_init(&sig->count, 1);
	sig->tgid = sig->pgid = sig->sid = tgid;
	sig->nr_threads = 1;
	init_rlimits(sig);
	return sig;
}

static struct sighand_struct *sighand_alloc(void)
{
	struct sighand_struct *sh = calloc(1, sizeof(*sh));

	if (!sh)
		return NULL;
	atomic_init(&sh->count, 1);
	pthread_mutex_init(&sh->siglock, NULL);
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

static void free_task_struct(struct task *t)
{
	if (t->fs)
		put_fs(t->fs);
	if (t->files)
		put_files(t->files);
	if (t->mm)
		mmput(t->mm);
	free(t->sighand);
	free(t->signal);
	free(t);
}

struct task *create_init_task(const char *root)
{
	struct task *t = calloc(1, sizeof(*t));
	long err = -LINUX_ENOMEM;

	if (!t)
		return ERR_PTR(err);
	t->tid = alloc_pid();
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
	pthread_mutex_lock(&kernel.tasks_lock);
	kernel.nr_tasks++;
	pthread_mutex_unlock(&kernel.tasks_lock);
	return t;
out_free:
	free_task_struct(t);
	return ERR_PTR(err);
}

static void *task_thread(void *arg)
{
	struct task *t = arg;

	current = t;
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

/* Called by a task's own thread as it leaves the run loop for good. */
void release_task(struct task *t)
{
	bool last_thread;
	int status = t->signal->group_exit_code;
	bool is_init = t->signal->tgid == kconfig.pid_base;

	trace_task_end(t);
	pthread_mutex_lock(&t->sighand->siglock);
	last_thread = --t->signal->nr_threads == 0;
	pthread_mutex_unlock(&t->sighand->siglock);
	cpu_destroy(t);
	if (last_thread)
		free_task_struct(t);
	pthread_mutex_lock(&kernel.tasks_lock);
	kernel.nr_tasks--;
	if (last_thread && is_init) {
		kernel.init_done = true;
		kernel.init_status = status;
	}
	pthread_cond_broadcast(&kernel.task_exited);
	pthread_mutex_unlock(&kernel.tasks_lock);
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
