/*
 * clone and clone3 for threads.  Flags are checked in Linux's order, then
 * each resource is shared or copied (copy_*), the child gets a fresh engine
 * holding the parent's CPU state, and it starts at the instruction after
 * the syscall with rax 0.  Clones that make a new process (fork, vfork,
 * CLONE_VM without CLONE_THREAD) come with the processes issue: -ENOSYS.
 */
#include <stdlib.h>
#include <string.h>
#include "task.h"
#include "locking.h"
#include "../mm/mm.h"
#include "../mm/uaccess.h"
#include "../fs/file.h"
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
	if (flags & CLONE_NAMESPACES)
		return -LINUX_EPERM; /* namespaces are not lxemu's to give */
	if (!(flags & LINUX_CLONE_THREAD))
		return -LINUX_ENOSYS; /* new processes: the processes issue */
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

/* A thread shares its group's signal_struct, handlers and mm. */
static void copy_thread_group(struct task *parent, struct task *child)
{
	child->signal = parent->signal;
	child->sighand = parent->sighand;
	atomic_fetch_add(&child->sighand->count, 1);
	child->mm = mm_get(parent->mm);
	child->group_leader = parent->group_leader;
	child->blocked = parent->blocked;
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

static void free_new_task(struct task *child)
{
	cpu_destroy(child);
	if (child->files)
		put_files(child->files);
	if (child->fs)
		put_fs(child->fs);
	if (child->mm) {
		mmput(child->mm);
		atomic_fetch_sub(&child->sighand->count, 1);
	}
	free(child);
}

static long do_clone(struct task *t, const struct clone_args *a)
{
	struct task *child;
	long err = check_clone_flags(a->flags);
	int tid;

	if (err)
		return err;
	if (!(child = task_alloc()))
		return -LINUX_ENOMEM;
	copy_thread_group(t, child);
	if ((err = copy_files(a->flags, t, child)) || (err = copy_fs(a->flags, t, child)) ||
	    (err = copy_thread(t, child, a->flags, a->stack, a->tls))) {
		free_new_task(child);
		return err;
	}
	tid = child->tid = task_alloc_pid();
	if (a->flags & LINUX_CLONE_CHILD_CLEARTID)
		child->clear_child_tid = a->child_tid;
	if (((a->flags & LINUX_CLONE_PARENT_SETTID) && copy_to_user(t, a->parent_tid, &tid, 4)) ||
	    ((a->flags & LINUX_CLONE_CHILD_SETTID) && copy_to_user(t, a->child_tid, &tid, 4))) {
		free_new_task(child);
		return -LINUX_EFAULT;
	}
	mm_threads_begin(t);
	attach_thread(t, child);
	task_list_add(child);
	if (wake_up_new_task(child))
		panic("cannot start the host thread of task %d", tid);
	return tid;
}

long sys_clone(struct task *t, u64 flags, u64 unewsp, u64 uparent_tidptr, u64 uchild_tidptr,
	       u64 tls)
{
	struct clone_args a = {
		.flags = flags & ~(u64)LINUX_CSIGNAL, .exit_signal = flags & LINUX_CSIGNAL,
		.stack = unewsp, .parent_tid = uparent_tidptr, .child_tid = uchild_tidptr, .tls = tls,
	};

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
