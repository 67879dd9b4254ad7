/*
 * pidfd files: they name a thread group by its pid and do nothing else
 * yet (no read, no poll); pidfd_send_signal signals through them.  lxemu
 * never reuses a pid, so the number names the process for good.
 */
#include <stdint.h>
#include <string.h>
#include "file.h"
#include "pidfd.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/fcntl.h"

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
