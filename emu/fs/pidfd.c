/*
 * pidfd files: they name a thread group by its pid; pidfd_send_signal
 * signals through them and poll says when the process has ended (Linux's
 * pidfd_poll: readable once it is a zombie, hung up once it is reaped).
 * lxemu never reuses a pid, so the number names the process for good.
 * Pollers wait on one static queue woken whenever a process ends or is
 * reaped (pidfd_notify): an epoll item may outlive the process.
 */
#include <stdint.h>
#include <string.h>
#include "file.h"
#include "pidfd.h"
#include "../kernel/task.h"
#include "../kernel/wait.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/fcntl.h"
#include "../../abi/linux/poll.h"

static struct wait_queue_head pidfd_wqh = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

void pidfd_notify(void)
{
	wake_up_poll(&pidfd_wqh, LINUX_POLLIN | LINUX_POLLRDNORM | LINUX_POLLHUP);
}

static unsigned pidfd_poll(struct file *f, struct poll_table *pt)
{
	int pid = (int)(intptr_t)f->private_data;
	struct signal_struct *sg;
	unsigned mask = 0;

	poll_wait(&pidfd_wqh, pt);
	tasklist_lock();
	if (!(sg = find_proc_locked(pid)))
		mask = LINUX_POLLIN | LINUX_POLLRDNORM | LINUX_POLLHUP;
	else if (sg->zombie)
		mask = LINUX_POLLIN | LINUX_POLLRDNORM;
	tasklist_unlock();
	return mask;
}

/* As pidfs shows one: no file type, mode 0700. */
static long pidfd_fstat(struct file *f, struct linux_stat *st)
{
	(void)f;
	memset(st, 0, sizeof(*st));
	st->st_mode = 0700;
	st->st_nlink = 1;
	st->st_blksize = 4096;
	return 0;
}

static const struct file_operations pidfd_ops = {
	.fstat = pidfd_fstat,
	.poll = pidfd_poll,
};

struct file *pidfd_file_alloc(int pid, u32 flags)
{
	struct file *f = alloc_file(&pidfd_ops, -1, LINUX_O_RDWR | (flags & LINUX_O_NONBLOCK),
				    "anon_inode:[pidfd]");

	if (f)
		f->private_data = (void *)(intptr_t)pid;
	return f;
}

int pidfd_pid(struct file *f)
{
	return f->f_op == &pidfd_ops ? (int)(intptr_t)f->private_data : -LINUX_EBADF;
}
