/*
 * clone and clone3 for threads.  Flags are checked in Linux's order, then
 * each resource is shared or copied (copy_*), the child gets a fresh engine
 * holding the parent's CPU state, and it starts at the instruction after
 * the syscall with rax 0.  Without CLONE_THREAD the child is a new process
 * (fork, vfork, CLONE_VM without CLONE_THREAD): its own signal_struct and
 * place in the process tree, and handlers, memory, fds and fs info each
 * shared or copied by their flag.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "task.h"
#include "locking.h"
#include "sched.h"
#include "../mm/mm.h"
#include "../mm/uaccess.h"
#include "../fs/file.h"
#include "../fs/pidfd.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/sched.h"

#define CLONE_NAMESPACES (LINUX_CLONE_NEWNS | LINUX_CLONE_NEWCGROUP | LINUX_CLONE_NEWUTS | \
			  LINUX_CLONE_NEWIPC | LINUX_CLONE_NEWUSER | LINUX_CLONE_NEWPID |       \
			  LINUX_CLONE_NEWNET)

struct clone_args {
	u64 flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	u64 set_tid, set_tid_size, cgroup;
};

/* Linux's copy_process checks, in its order. */
static long check_clone_flags(u64 flags)
{
	if ((flags & (LINUX_CLONE_NEWNS | LINUX_CLONE_FS)) == (LINUX_CLONE_NEWNS | LINUX_CLONE_FS))
		return -LINUX_EINVAL;
	if ((flags & (LINUX_CLONE_NEWUSER | LINUX_CLONE_FS)) == (LINUX_CLONE_NEWUSER | LINUX_CLONE_FS))
		return -LINUX_EINVAL;
	if ((flags & LINUX_CLONE_THREAD) && !(flags & LINUX_CLONE_SIGHAND))
		return -LINUX_EINVAL;
	if ((flags & LINUX_CLONE_SIGHAND) && !(flags & LINUX_CLONE_VM))
		return -LINUX_EINVAL;
	if ((flags & LINUX_CLONE_PIDFD) && (flags & LINUX_CLONE_DETACHED))
		return -LINUX_EINVAL;
	/* A pidfd names a process (PIDFD_THREAD is not supported). */
	if ((flags & LINUX_CLONE_PIDFD) && (flags & LINUX_CLONE_THREAD))
		return -LINUX_EINVAL;
	if (flags & CLONE_NAMESPACES)
		return -LINUX_EPERM; /* namespaces are not lxemu's to give */
	return 0;
}

static int copy_files(u64 flags, struct task *parent, struct task *child)
{
	if (flags & LINUX_CLONE_FILES) {
		atomic_fetch_add(&parent->files->count, 1);
		child->files = parent->files;
		return 0;
	}
	child->files = dup_fd(parent->files);
	return child->files ? 0 : -LINUX_ENOMEM;
}

static int copy_fs(u64 flags, struct task *parent, struct task *child)
{
	if (flags & LINUX_CLONE_FS) {
		atomic_fetch_add(&parent->fs->users, 1);
		child->fs = parent->fs;
		return 0;
	}
	child->fs = copy_fs_struct(parent->fs);
	return child->fs ? 0 : -LINUX_ENOMEM;
}

/* Handlers: shared with CLONE_SIGHAND, else a copy. */
static long copy_sighand(u64 flags, struct task *parent, struct task *child)
{
	if (flags & LINUX_CLONE_SIGHAND) {
		child->sighand = parent->sighand;
		atomic_fetch_add(&child->sighand->count, 1);
		return 0;
	}
	if (!(child->sighand = sighand_alloc()))
		return -LINUX_ENOMEM;
	pthread_mutex_lock(&parent->sighand->siglock);
	memcpy(child->sighand->action, parent->sighand->action, sizeof(child->sighand->action));
	pthread_mutex_unlock(&parent->sighand->siglock);
	return 0;
}

/* Memory: shared with CLONE_VM, else a copy (dup_mm). */
static long copy_mm(u64 flags, struct task *parent, struct task *child)
{
	struct mm_struct *mm;

	if (flags & LINUX_CLONE_VM) {
		child->mm = mm_get(parent->mm);
		return 0;
	}
	mm = dup_mm(parent->mm);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	child->mm = mm;
	return 0;
}

/*
 * The thread group: the parent's with CLONE_THREAD, else a new process
 * in the parent's process group and session, with its limits and the
 * exit signal it will send (CLONE_PARENT: the caller's own, as Linux).
 */
static long copy_signal(u64 flags, struct task *parent, struct task *child, int tid, int exit_signal)
{
	struct signal_struct *sig;

	child->group_leader = parent->group_leader;
	if (flags & LINUX_CLONE_THREAD) {
		child->signal = parent->signal;
		atomic_fetch_add(&child->signal->count, 1);
		return 0;
	}
	if (!(sig = signal_alloc(tid)))
		return -LINUX_ENOMEM;
	pthread_mutex_lock(&parent->sighand->siglock);
	sig->pgid = parent->signal->pgid;
	sig->sid = parent->signal->sid;
	memcpy(sig->rlim, parent->signal->rlim, sizeof(sig->rlim));
	pthread_mutex_unlock(&parent->sighand->siglock);
	sig->exit_signal = (flags & LINUX_CLONE_PARENT) ? parent->signal->exit_signal : exit_signal;
	sig->threads = child;
	child->signal = sig;
	child->group_leader = child;
	return 0;
}

static void copy_task_signal_state(u64 flags, struct task *parent, struct task *child)
{
	child->blocked = parent->blocked;
	/* A fork keeps the alternate stack; a thread or a CLONE_VM child gets none. */
	if (!(flags & LINUX_CLONE_VM) || (flags & LINUX_CLONE_VFORK))
		child->sas = parent->sas;
	task_inherit(child, parent);
}

/*
 * The child's registers: the parent's, returning 0 after the syscall, on its
 * own stack.  Copied register by register: a uc_context snapshot carries
 * engine-internal state and must not move between engines.
 */
static int copy_thread(struct task *parent, struct task *child, u64 flags, u64 sp, u64 tls)
{
	u64 rip = cpu_get(parent, CPU_RIP) + 2; /* inside the hook RIP is the syscall itself */

	if (cpu_init(child))
		return -LINUX_ENOMEM;
	cpu_copy_state(child, parent);
	cpu_set(child, CPU_RIP, rip);
	cpu_set(child, CPU_RCX, rip);
	cpu_set(child, CPU_R11, cpu_get(parent, CPU_EFLAGS));
	cpu_set(child, CPU_RAX, 0);
	if (sp)
		cpu_set(child, CPU_RSP, sp);
	if (flags & LINUX_CLONE_SETTLS)
		cpu_set(child, CPU_FS_BASE, tls);
	return 0;
}

/* Joins child to its thread group (it then counts in exit_group). */
static void attach_thread(struct task *parent, struct task *child)
{
	pthread_mutex_lock(&parent->sighand->siglock);
	child->next_thread = parent->signal->threads;
	parent->signal->threads = child;
	parent->signal->nr_threads++;
	parent->signal->nr_live++;
	pthread_mutex_unlock(&parent->sighand->siglock);
}

static void free_new_task(struct task *child, u64 flags);
static void fork_done_locked(struct task *t, struct task *child);

/* A failed clone: the child goes, and a fork in progress is over. */
static void clone_failed(struct task *t, struct task *child, u64 flags)
{
	if (!(flags & LINUX_CLONE_THREAD)) {
		tasklist_lock();
		fork_done_locked(t, NULL);
		tasklist_unlock();
	}
	free_new_task(child, flags);
}

static void free_new_task(struct task *child, u64 flags)
{
	cpu_destroy(child);
	if (child->files)
		put_files(child->files);
	if (child->fs)
		put_fs(child->fs);
	if (child->mm)
		mmput(child->mm);
	if (child->sighand && atomic_fetch_sub(&child->sighand->count, 1) == 1)
		free(child->sighand);
	if (child->signal && (flags & LINUX_CLONE_THREAD))
		put_signal(child->signal);
	else if (child->signal)
		free(child->signal);
	free(child);
}

/* vfork: the parent waits until the child lets go of the memory they share (exit). */
struct vfork_done {
	atomic_int refs;
	bool done; /* guarded by slot.lock */
	struct wait_slot slot;
};

static void vfork_put(struct vfork_done *v)
{
	if (atomic_fetch_sub(&v->refs, 1) == 1) {
		pthread_mutex_destroy(&v->slot.lock);
		pthread_cond_destroy(&v->slot.cond);
		free(v);
	}
}

void vfork_complete(struct task *child)
{
	struct vfork_done *v = child->vfork_done;

	if (!v)
		return;
	child->vfork_done = NULL;
	pthread_mutex_lock(&v->slot.lock);
	v->done = true;
	pthread_cond_broadcast(&v->slot.cond);
	pthread_mutex_unlock(&v->slot.lock);
	vfork_put(v);
}

/* Linux's wait_for_vfork_done: only a fatal signal ends the wait early. */
static void wait_for_vfork_done(struct task *t, struct vfork_done *v)
{
	pthread_mutex_lock(&v->slot.lock);
	atomic_store(&t->waiting, &v->slot);
	while (!v->done && !(atomic_load(&t->pending) & TIF_EXIT))
		pthread_cond_wait(&v->slot.cond, &v->slot.lock);
	atomic_store(&t->waiting, NULL);
	pthread_mutex_unlock(&v->slot.lock);
	vfork_put(v);
}

/*
 * The fork is over (linked, or failed: child NULL).  Signals sent to the
 * parent's whole group meanwhile go to the child too, as Linux's
 * multiprocess signals do: either it was in the group when they were sent
 * or it gets them now.  Caller holds the task list's lock.
 */
static void fork_done_locked(struct task *t, struct task *child)
{
	linux_sigset_t sigs = t->signal->fork_sigs;

	if (--t->signal->forking == 0)
		t->signal->fork_sigs = 0;
	for (int sig = 1; child && sig <= LINUX_NSIG; sig++) {
		struct linux_siginfo info;
		if (!(sigs & linux_sigmask(sig)))
			continue;
		siginfo_user(&info, sig, LINUX_SI_USER, NULL);
		send_signal_locked(child, &info, SIG_TO_GROUP);
	}
}

static long do_clone(struct task *t, const struct clone_args *a)
{
	u64 flags = a->flags;
	struct vfork_done *vfork = NULL;
	struct task *child;
	long err = check_clone_flags(flags);
	int tid;

	if (err)
		return err;
	/* The namespace's init has no parent to share (Linux: SIGNAL_UNKILLABLE). */
	if ((flags & LINUX_CLONE_PARENT) && task_tgid(t) == kconfig.pid_base)
		return -LINUX_EINVAL;
	/*
	 * RLIMIT_NPROC counts the guest's tasks (natively: all of the user's;
	 * root is exempt there and here).  Past --max-tasks engines (about 3 MiB
	 * each) lxemu says EAGAIN as a full pid space would: a fork bomb ends.
	 */
	if (kernel_nr_tasks() >= kconfig.max_tasks ||
	    (geteuid() != 0 && (u64)kernel_nr_tasks() >= t->signal->rlim[LINUX_RLIMIT_NPROC].rlim_cur))
		return -LINUX_EAGAIN;
	if (!(child = task_alloc()))
		return -LINUX_ENOMEM;
	if (!(flags & LINUX_CLONE_THREAD)) {
		tasklist_lock();
		t->signal->forking++;
		tasklist_unlock();
		/*
		 * A signal sent before the fork began reaches the parent alone: it
		 * is handled first and the fork restarts (Linux's copy_process).
		 * One sent from now on reaches the child too (fork_done_locked).
		 * Without this a kill(0) that found the parent about to fork
		 * missed the child it then made.
		 */
		if (signal_pending(t)) {
			clone_failed(t, child, flags);
			return -LINUX_ERESTARTNOINTR;
		}
	}
	tid = child->tid = task_alloc_pid();
	if ((err = copy_signal(flags, t, child, tid, (int)a->exit_signal)) ||
	    (err = copy_sighand(flags, t, child)) || (err = copy_mm(flags, t, child)) ||
	    (err = copy_files(flags, t, child)) || (err = copy_fs(flags, t, child)) ||
	    (err = copy_thread(t, child, flags, a->stack, a->tls))) {
		clone_failed(t, child, flags);
		return err;
	}
	copy_task_signal_state(flags, t, child);
	if (flags & LINUX_CLONE_CHILD_CLEARTID)
		child->clear_child_tid = a->child_tid;
	/* The child's tid word is in the child's memory (a copy after fork). */
	if (((flags & LINUX_CLONE_PARENT_SETTID) && copy_to_user(t, a->parent_tid, &tid, 4)) ||
	    ((flags & LINUX_CLONE_CHILD_SETTID) && copy_to_user(child, a->child_tid, &tid, 4))) {
		clone_failed(t, child, flags);
		return -LINUX_EFAULT;
	}
	if (flags & LINUX_CLONE_VFORK) {
		if (!(vfork = calloc(1, sizeof(*vfork)))) {
			clone_failed(t, child, flags);
			return -LINUX_ENOMEM;
		}
		atomic_init(&vfork->refs, 2);
		pthread_mutex_init(&vfork->slot.lock, NULL);
		pthread_cond_init(&vfork->slot.cond, NULL);
		child->vfork_done = vfork;
	}
	/* CLONE_PIDFD: a close-on-exec pidfd for the child, its number stored for the caller. */
	if (flags & LINUX_CLONE_PIDFD) {
		struct file *pf = pidfd_file_alloc(tid, 0);
		int pfd = pf ? fd_install_lowest(t, pf, 0, true) : -LINUX_ENOMEM;
		if (pfd < 0 && pf)
			fput(pf);
		if (pfd < 0 || copy_to_user(t, a->pidfd, &pfd, 4)) {
			if (pfd >= 0)
				close_fd(t, pfd);
			free(vfork);
			clone_failed(t, child, flags);
			return pfd < 0 ? pfd : -LINUX_EFAULT;
		}
	}
	if (flags & LINUX_CLONE_VM)
		mm_threads_begin(t);
	if (flags & LINUX_CLONE_THREAD) {
		attach_thread(t, child);
		task_list_add(child);
	} else {
		/*
		 * The new process, its task and the signals sent to the group
		 * during the fork, at once: a kill(0) either finds the child with
		 * a task to take its signal or happened during the fork.
		 */
		tasklist_lock();
		proc_link_locked(child->signal,
				 (flags & LINUX_CLONE_PARENT) ? t->signal->parent : t->signal);
		task_list_add_locked(child);
		fork_done_locked(t, child);
		tasklist_unlock();
	}
	if (wake_up_new_task(child))
		panic("cannot start the host thread of task %d", tid);
	if (vfork) {
		/* The child runs on the memory the parent holds the turn of: let go meanwhile. */
		int held = t->run_held;
		if (held != RUN_NONE)
			mm_run_release(t);
		wait_for_vfork_done(t, vfork);
		if (held == RUN_EXCLUSIVE)
			mm_run_exclusive(t);
		else if (held == RUN_SHARED)
			mm_run_acquire(t);
	}
	return tid;
}

long sys_fork(struct task *t)
{
	struct clone_args a = { .exit_signal = LINUX_SIGCHLD };

	return do_clone(t, &a);
}

long sys_vfork(struct task *t)
{
	struct clone_args a = { .flags = LINUX_CLONE_VFORK | LINUX_CLONE_VM,
				.exit_signal = LINUX_SIGCHLD };

	return do_clone(t, &a);
}

long sys_clone(struct task *t, u64 flags, u64 unewsp, u64 uparent_tidptr, u64 uchild_tidptr,
	       u64 tls)
{
	struct clone_args a = {
		.flags = flags & ~(u64)LINUX_CSIGNAL, .exit_signal = flags & LINUX_CSIGNAL,
		.stack = unewsp, .parent_tid = uparent_tidptr, .child_tid = uchild_tidptr, .tls = tls,
	};

	/* clone(2) returns the pidfd where the parent's tid would go: not both. */
	if (flags & LINUX_CLONE_PIDFD) {
		if (flags & LINUX_CLONE_PARENT_SETTID)
			return -LINUX_EINVAL;
		a.pidfd = uparent_tidptr;
	}

	return do_clone(t, &a);
}

long sys_clone3(struct task *t, u64 uargs, u64 size)
{
	struct clone_args a;

	memset(&a, 0, sizeof(a));
	if (size < 64 || size > 4096)
		return -LINUX_EINVAL;
	if (copy_from_user(t, &a, uargs, MIN(size, sizeof(a))))
		return -LINUX_EFAULT;
	if ((a.flags & LINUX_CSIGNAL) || a.exit_signal > 64 || a.set_tid_size)
		return -LINUX_EINVAL;
	if ((a.stack == 0) != (a.stack_size == 0))
		return -LINUX_EINVAL;
	/* clone3 gives the stack's lowest address and size; the new rsp is its top. */
	if (a.stack)
		a.stack += a.stack_size;
	return do_clone(t, &a);
}
