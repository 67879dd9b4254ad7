/*
 * signalfd and signalfd4: make a signalfd file (signalfd.c), or change the
 * mask of one the caller already has.
 */
#include "syscall_handlers.h"
#include "../kernel/task.h"
#include "../fs/file.h"
#include "../fs/signalfd.h"
#include "../mm/uaccess.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/signalfd.h"


static long do_signalfd4(struct task *t, int ufd, linux_sigset_t mask, int flags)
{
	struct file *f;
	int fd;

	if (flags & ~(LINUX_SFD_CLOEXEC | LINUX_SFD_NONBLOCK))
		return -LINUX_EINVAL;
	/* SIGKILL and SIGSTOP are never read, only acted on: dropped without an error. */
	mask &= ~LINUX_UNBLOCKABLE;
	if (ufd == -1) {
		f = signalfd_file_alloc(mask, flags & LINUX_SFD_NONBLOCK);
		if (!f)
			return -LINUX_ENOMEM;
		fd = fd_install_lowest(t, f, 0, flags & LINUX_SFD_CLOEXEC);
		if (fd < 0)
			fput(f);
		return fd;
	}
	f = fget(t, ufd);
	if (!f)
		return -LINUX_EBADF;
	if (!is_signalfd(f)) {
		fput(f);
		return -LINUX_EINVAL;
	}
	signalfd_set_mask(t, f, mask);
	fput(f);
	return ufd;
}

long sys_signalfd4(struct task *t, int ufd, u64 uuser_mask, u64 sigsetsize, int flags)
{
	linux_sigset_t mask;

	if (sigsetsize != sizeof(mask))
		return -LINUX_EINVAL;
	if (copy_from_user(t, &mask, uuser_mask, sizeof(mask)))
		return -LINUX_EFAULT;
	return do_signalfd4(t, ufd, mask, flags);
}

long sys_signalfd(struct task *t, int ufd, u64 uuser_mask, u64 sigsetsize)
{
	return sys_signalfd4(t, ufd, uuser_mask, sigsetsize, 0);
}
