/* eventfd and eventfd2: a new eventfd file (fs/eventfd.c). */
#include "syscall_handlers.h"
#include "../kernel/task.h"
#include "../fs/file.h"
#include "../fs/eventfd.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/eventfd.h"

long sys_eventfd2(struct task *t, u32 count, int flags)
{
	struct file *f;
	int fd;

	if (flags & ~(LINUX_EFD_SEMAPHORE | LINUX_EFD_CLOEXEC | LINUX_EFD_NONBLOCK))
		return -LINUX_EINVAL;
	f = eventfd_file_alloc(count, flags & LINUX_EFD_SEMAPHORE, flags & LINUX_EFD_NONBLOCK);
	if (!f)
		return -LINUX_ENOMEM;
	fd = fd_install_lowest(t, f, 0, flags & LINUX_EFD_CLOEXEC);
	if (fd < 0)
		fput(f);
	return fd;
}

long sys_eventfd(struct task *t, u32 count)
{
	return sys_eventfd2(t, count, 0);
}
