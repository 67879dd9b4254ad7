/*
 * epoll_create, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait and
 * epoll_pwait2: argument checks in Linux's order; the instances are
 * fs/eventpoll.c.  A wait interrupted by a handled signal fails with EINTR
 * and is never restarted, as on Linux.
 */
#include <time.h>
#include "syscall_handlers.h"
#include "../kernel/task.h"
#include "../kernel/ktime.h"
#include "../kernel/signal.h"
#include "../fs/file.h"
#include "../fs/eventpoll.h"
#include "../mm/uaccess.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/eventpoll.h"

/* Linux's EP_MAX_EVENTS: the events buffer's size must fit an int. */
#define EP_MAX_EVENTS (0x7fffffff / (int)sizeof(struct linux_epoll_event))
#define TASK_SIZE_MAX ((1ull << 47) - 4096)
#define EPOLLEXCLUSIVE_OK_BITS                                                        \
	(LINUX_EPOLLIN | LINUX_EPOLLOUT | LINUX_EPOLLERR | LINUX_EPOLLHUP | LINUX_EPOLLWAKEUP | \
	 LINUX_EPOLLET | LINUX_EPOLLEXCLUSIVE)

static long do_epoll_create(struct task *t, int flags)
{
	struct file *f;
	int fd;

	if (flags & ~LINUX_EPOLL_CLOEXEC)
		return -LINUX_EINVAL;
	if (!(f = eventpoll_file_alloc()))
		return -LINUX_ENOMEM;
	fd = fd_install_lowest(t, f, 0, flags & LINUX_EPOLL_CLOEXEC);
	if (fd < 0)
		fput(f);
	return fd;
}

long sys_epoll_create1(struct task *t, int flags)
{
	return do_epoll_create(t, flags);
}

long sys_epoll_create(struct task *t, int size)
{
	return size <= 0 ? -LINUX_EINVAL : do_epoll_create(t, 0);
}

/* Linux's checks before the instance is looked at. */
static long check_ctl(struct file *epf, int op, struct file *tf, u32 events)
{
	if (!eventpoll_can_poll(tf))
		return -LINUX_EPERM;
	if (epf == tf || !is_file_epoll(epf))
		return -LINUX_EINVAL;
	if (op != LINUX_EPOLL_CTL_DEL && (events & LINUX_EPOLLEXCLUSIVE)) {
		if (op == LINUX_EPOLL_CTL_MOD)
			return -LINUX_EINVAL;
		if (op == LINUX_EPOLL_CTL_ADD &&
		    (is_file_epoll(tf) || (events & ~EPOLLEXCLUSIVE_OK_BITS)))
			return -LINUX_EINVAL;
	}
	return 0;
}

long sys_epoll_ctl(struct task *t, int epfd, int op, int fd, u64 uevent)
{
	struct linux_epoll_event ev = { 0, 0 };
	struct file *epf, *tf;
	long err;

	if (op != LINUX_EPOLL_CTL_DEL && copy_from_user(t, &ev, uevent, sizeof(ev)))
		return -LINUX_EFAULT;
	if (!(epf = fget(t, epfd)))
		return -LINUX_EBADF;
	if (!(tf = fget(t, fd))) {
		fput(epf);
		return -LINUX_EBADF;
	}
	err = check_ctl(epf, op, tf, ev.events);
	if (!err)
		err = ep_ctl(epf, op, tf, fd, ev.events, ev.data);
	fput(tf);
	fput(epf);
	return err;
}

static long do_epoll_wait(struct task *t, int epfd, u64 uevents, int maxevents,
			  const struct timespec *deadline)
{
	struct file *epf;
	long ret;

	if (maxevents <= 0 || maxevents > EP_MAX_EVENTS)
		return -LINUX_EINVAL;
	/* Linux's access_ok: only the range is checked before the wait. */
	if (uevents > TASK_SIZE_MAX ||
	    (u64)maxevents * sizeof(struct linux_epoll_event) > TASK_SIZE_MAX - uevents)
		return -LINUX_EFAULT;
	if (!(epf = fget(t, epfd)))
		return -LINUX_EBADF;
	ret = is_file_epoll(epf) ? ep_poll(t, epf, uevents, maxevents, deadline) : -LINUX_EINVAL;
	fput(epf);
	return ret;
}

/* epoll_wait's milliseconds: -1 (any negative) waits for ever. */
static const struct timespec *ms_deadline(int timeout, struct timespec *deadline)
{
	struct timespec rel = { timeout / 1000, (long)(timeout % 1000) * 1000000 };

	if (timeout < 0)
		return NULL;
	deadline_in(&rel, deadline);
	return deadline;
}

long sys_epoll_wait(struct task *t, int epfd, u64 uevents, int maxevents, int timeout)
{
	struct timespec d;

	return do_epoll_wait(t, epfd, uevents, maxevents, ms_deadline(timeout, &d));
}

/* The mask holds while it waits; interrupted, the old one returns after the handler. */
static long do_epoll_pwait(struct task *t, int epfd, u64 uevents, int maxevents,
			   const struct timespec *deadline, u64 usigmask, u64 sigsetsize)
{
	long ret = set_user_sigmask(t, usigmask, sigsetsize);

	if (ret)
		return ret;
	ret = do_epoll_wait(t, epfd, uevents, maxevents, deadline);
	restore_saved_sigmask_unless(t, ret == -LINUX_EINTR);
	return ret;
}

long sys_epoll_pwait(struct task *t, int epfd, u64 uevents, int maxevents, int timeout,
		     u64 usigmask, u64 sigsetsize)
{
	struct timespec d;

	return do_epoll_pwait(t, epfd, uevents, maxevents, ms_deadline(timeout, &d), usigmask,
			      sigsetsize);
}

long sys_epoll_pwait2(struct task *t, int epfd, u64 uevents, int maxevents, u64 utimeout,
		      u64 usigmask, u64 sigsetsize)
{
	struct timespec ts, d;
	const struct timespec *deadline = NULL;
	long err;

	if (utimeout) {
		if ((err = get_user_timespec(t, utimeout, &ts)))
			return err;
		deadline_in(&ts, &d);
		deadline = &d;
	}
	return do_epoll_pwait(t, epfd, uevents, maxevents, deadline, usigmask, sigsetsize);
}
